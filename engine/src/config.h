/*
 * config.h - the engine's view of a loaded config (internal). The public
 * accessors are in dlp.h; the engine builder reads the fields directly.
 */
#ifndef DLP_CONFIG_H
#define DLP_CONFIG_H

#include "dlp/dlp.h"
#include "policy.h"

typedef struct dlp_strlist {
    char **v;
    size_t n, cap;
} dlp_strlist_t;

int dlp_strlist_push(dlp_strlist_t *l, const char *s);
void dlp_strlist_free(dlp_strlist_t *l);

struct dlp_config {
    char *path;       /* config file, NULL for defaults */
    char *dir;        /* its directory */
    char *rules_path; /* resolved */
    char *cache_dir;  /* resolved; NULL = no cache */
    dlp_strlist_t internal_domains;
    dlp_strlist_t protected_domains;
    dlp_strlist_t protected_files; /* more protected domains, one per line */
    dlp_strlist_t allowed_domains; /* real domains never flagged as look-alikes */
    dlp_limits_t limits;
    int snippets_off;     /* `snippets: off`: findings carry no snippet at all */
    dlp_policy_t *policy; /* `policy`/`profiles`; NULL = the built-in default */
    dlp_config_value_t *foreign;
    size_t n_foreign, cap_foreign;
};

#endif
