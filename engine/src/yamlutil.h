/*
 * yamlutil - thin helpers over libyaml's document API for the config and rule
 * loaders: load a file into a node tree, walk mappings and sequences, and
 * report errors with the node's file:line:column.
 */
#ifndef DLP_YAMLUTIL_H
#define DLP_YAMLUTIL_H

#include <yaml.h>

#include "dlp/dlp.h"

typedef struct dlp_yaml {
    yaml_document_t doc;
    char *file;
    dlp_diags_t *diags; /* where dlp_yaml_error reports */
    int loaded;
} dlp_yaml_t;

/* Loads the first document of a file. Parse errors go to diags. */
int dlp_yaml_load_file(dlp_yaml_t *y, const char *path, dlp_diags_t *diags);
/* The same from memory; name labels diagnostics. The data is not retained. */
int dlp_yaml_load_buffer(dlp_yaml_t *y, const char *name, const uint8_t *data, size_t len,
                         dlp_diags_t *diags);
void dlp_yaml_free(dlp_yaml_t *y);
/* Reads a whole file of at most max bytes (malloc'd). DLP_EIO with errno set. */
int dlp_read_file(const char *path, uint8_t **data, size_t *len, size_t max);

yaml_node_t *dlp_yaml_root(dlp_yaml_t *y);
yaml_node_t *dlp_yaml_get(dlp_yaml_t *y, int id);

/* The scalar's text, or NULL when the node is not a scalar. */
const char *dlp_yaml_scalar(const yaml_node_t *n);
static inline int dlp_yaml_line(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}
static inline int dlp_yaml_col(const yaml_node_t *n)
{
    return (int)n->start_mark.column + 1;
}

/* Adds a diagnostic located at node n. */
int dlp_yaml_error(dlp_yaml_t *y, const yaml_node_t *n, const char *rule_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses a non-negative integer with an optional k/K/M/G (binary) suffix. */
int dlp_yaml_parse_size(const char *s, uint64_t *out);
/* Parses true/false/yes/no/on/off. */
int dlp_yaml_parse_bool(const char *s, int *out);

#define DLP_YAML_FOREACH_PAIR(node, pair)                                                          \
    for (yaml_node_pair_t *pair = (node)->data.mapping.pairs.start;                                \
         pair < (node)->data.mapping.pairs.top; pair++)
#define DLP_YAML_FOREACH_ITEM(node, item)                                                          \
    for (yaml_node_item_t *item = (node)->data.sequence.items.start;                               \
         item < (node)->data.sequence.items.top; item++)

#endif
