/* yamlutil.c - libyaml document helpers with positioned errors; see yamlutil.h. */
#include "yamlutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int dlp_yaml_load_buffer(dlp_yaml_t *y, const char *name, const uint8_t *data, size_t len,
                         dlp_diags_t *diags)
{
    memset(y, 0, sizeof(*y));
    y->diags = diags;
    if (!(y->file = strdup(name)))
        return DLP_ENOMEM;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return DLP_ENOMEM;
    yaml_parser_set_input_string(&parser, data, len);
    int rc = DLP_OK;
    if (!yaml_parser_load(&parser, &y->doc)) {
        dlp_diags_add(diags, name, (int)parser.problem_mark.line + 1,
                      (int)parser.problem_mark.column + 1, NULL, "YAML: %s%s%s",
                      parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
                      parser.context ? parser.context : "");
        rc = DLP_ECONFIG;
    } else {
        y->loaded = 1;
    }
    yaml_parser_delete(&parser);
    return rc;
}

int dlp_read_file(const char *path, uint8_t **data, size_t *len, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return DLP_EIO;
    size_t cap = 8192, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        uint8_t *nb = cap * 2 <= max ? realloc(buf, cap * 2) : NULL;
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return buf ? DLP_EIO : DLP_ETOOBIG;
    }
    *data = buf;
    *len = n;
    return DLP_OK;
}

int dlp_yaml_load_file(dlp_yaml_t *y, const char *path, dlp_diags_t *diags)
{
    uint8_t *data;
    size_t len;
    int rc = dlp_read_file(path, &data, &len, 64u << 20);
    if (rc) {
        memset(y, 0, sizeof(*y));
        dlp_diags_add(diags, path, 0, 0, NULL, "cannot read: %s",
                      rc == DLP_EIO ? strerror(errno) : "too large");
        return DLP_EIO;
    }
    rc = dlp_yaml_load_buffer(y, path, data, len, diags);
    free(data);
    return rc;
}

void dlp_yaml_free(dlp_yaml_t *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    free(y->file);
    memset(y, 0, sizeof(*y));
}

yaml_node_t *dlp_yaml_root(dlp_yaml_t *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *dlp_yaml_get(dlp_yaml_t *y, int id)
{
    return yaml_document_get_node(&y->doc, id);
}

const char *dlp_yaml_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int dlp_yaml_error(dlp_yaml_t *y, const yaml_node_t *n, const char *rule_id, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return dlp_diags_add(y->diags, y->file, n ? dlp_yaml_line(n) : 0, n ? dlp_yaml_col(n) : 0,
                         rule_id, "%s", msg);
}

int dlp_yaml_parse_size(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return DLP_EINVAL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return DLP_EINVAL;
    unsigned shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    case 0:
        break;
    default:
        return DLP_EINVAL;
    }
    if (*end) {
        end++;
        if (*end == 'i' || *end == 'B')
            end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
        if (*end)
            return DLP_EINVAL;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return DLP_EINVAL;
    *out = (uint64_t)v << shift;
    return DLP_OK;
}

int dlp_yaml_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; s && i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return DLP_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return DLP_OK;
        }
    }
    return DLP_EINVAL;
}
