/*
 * config.c - loads the engine's keys from the YAML config file shared with
 * the daemon. Every key is checked here with file:line:column errors; keys
 * owned by the caller ("foreign", e.g. the daemon's listen list) are kept as
 * scalars or lists so the caller can validate them without a second parse.
 */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "policy_config.h"
#include "util.h"
#include "yamlutil.h"

int dlp_strlist_push(dlp_strlist_t *l, const char *s)
{
    if (DLP_GROW(l->v, l->cap, l->n + 1))
        return DLP_ENOMEM;
    if (!(l->v[l->n] = strdup(s)))
        return DLP_ENOMEM;
    l->n++;
    return DLP_OK;
}

void dlp_strlist_free(dlp_strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static void free_foreign(dlp_config_value_t *fv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)fv[i].key);
        free((char *)fv[i].scalar);
        for (size_t j = 0; j < fv[i].n_items; j++)
            free((char *)fv[i].items[j]);
        free((void *)fv[i].items);
    }
    free(fv);
}

void dlp_config_free(dlp_config_t *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->dir);
    free(cfg->rules_path);
    free(cfg->cache_dir);
    dlp_strlist_free(&cfg->internal_domains);
    dlp_strlist_free(&cfg->protected_domains);
    dlp_strlist_free(&cfg->protected_files);
    dlp_strlist_free(&cfg->allowed_domains);
    dlp_policy_unref(cfg->policy);
    free_foreign(cfg->foreign, cfg->n_foreign);
    free(cfg);
}

char *dlp_config_resolve(const dlp_config_t *cfg, const char *path)
{
    if (!path)
        return NULL;
    if (path[0] == '/' || !cfg || !cfg->dir)
        return strdup(path);
    size_t n = strlen(cfg->dir) + strlen(path) + 2;
    char *r = malloc(n);
    if (r)
        snprintf(r, n, "%s/%s", cfg->dir, path);
    return r;
}

static int set_str(char **dst, const char *v)
{
    char *d = v ? strdup(v) : NULL;
    if (v && !d)
        return DLP_ENOMEM;
    free(*dst);
    *dst = d;
    return DLP_OK;
}

int dlp_config_set_rules_path(dlp_config_t *cfg, const char *path)
{
    return path ? set_str(&cfg->rules_path, path) : DLP_EINVAL;
}

int dlp_config_set_cache_dir(dlp_config_t *cfg, const char *dir)
{
    return set_str(&cfg->cache_dir, dir);
}

const char *dlp_config_rules_path(const dlp_config_t *cfg)
{
    return cfg->rules_path;
}

const char *dlp_config_path(const dlp_config_t *cfg)
{
    return cfg->path;
}

const dlp_limits_t *dlp_config_limits(const dlp_config_t *cfg)
{
    return &cfg->limits;
}

void dlp_config_set_limit(dlp_config_t *cfg, dlp_limit_t l, uint64_t value)
{
    if ((size_t)l < DLP_LIMIT__COUNT)
        cfg->limits.v[l] = value;
}

const dlp_config_value_t *dlp_config_foreign(const dlp_config_t *cfg, const char *key)
{
    for (size_t i = 0; cfg && i < cfg->n_foreign; i++)
        if (strcmp(cfg->foreign[i].key, key) == 0)
            return &cfg->foreign[i];
    return NULL;
}

static dlp_config_t *config_defaults(void)
{
    dlp_config_t *cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        return NULL;
    dlp_limits_default(&cfg->limits);
    cfg->rules_path = strdup(DLP_DEFAULT_RULES_DIR);
    cfg->cache_dir = strdup(".dlp-cache");
    if (!cfg->rules_path || !cfg->cache_dir) {
        dlp_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* ------------------------------------------------------------ key parsers */

static int parse_path(dlp_yaml_t *y, dlp_config_t *cfg, yaml_node_t *v, const char *key, char **dst)
{
    const char *s = dlp_yaml_scalar(v);
    if (!s || !*s)
        return dlp_yaml_error(y, v, NULL, "'%s' must be a path", key), DLP_ECONFIG;
    if (strcmp(key, "cache") == 0 && (strcmp(s, "none") == 0 || strcmp(s, "off") == 0)) {
        free(*dst);
        *dst = NULL;
        return DLP_OK;
    }
    char *r = dlp_config_resolve(cfg, s);
    if (!r)
        return DLP_ENOMEM;
    free(*dst);
    *dst = r;
    return DLP_OK;
}

/* A list of paths, resolved against the config file's directory. */
static int parse_paths(dlp_yaml_t *y, dlp_config_t *cfg, yaml_node_t *v, const char *key,
                       dlp_strlist_t *dst)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return dlp_yaml_error(y, v, NULL, "'%s' must be a list of files", key), DLP_ECONFIG;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(y, *it);
        const char *s = dlp_yaml_scalar(n);
        if (!s || !*s)
            return dlp_yaml_error(y, n, NULL, "'%s' items must be paths", key), DLP_ECONFIG;
        char *r = dlp_config_resolve(cfg, s);
        int rc = r ? dlp_strlist_push(dst, r) : DLP_ENOMEM;
        free(r);
        if (rc)
            return rc;
    }
    return DLP_OK;
}

/* A domain list entry: lowercased, without a leading "." or "*." or trailing dot. */
static int parse_domains(dlp_yaml_t *y, yaml_node_t *v, const char *key, dlp_strlist_t *dst)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return dlp_yaml_error(y, v, NULL, "'%s' must be a list of domains", key), DLP_ECONFIG;
    int rc = DLP_OK;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(y, *it);
        const char *s = dlp_yaml_scalar(n);
        if (s && strncmp(s, "*.", 2) == 0)
            s += 2;
        else if (s && s[0] == '.')
            s += 1;
        size_t len = s ? strlen(s) : 0;
        while (len && s[len - 1] == '.')
            len--;
        if (!len || len > 253 || strpbrk(s, " @/\\")) {
            dlp_yaml_error(y, n, NULL, "'%s': not a domain name", key);
            rc = DLP_ECONFIG;
            continue;
        }
        char *d = dlp_strndup_lower(s, len);
        if (!d || dlp_strlist_push(dst, d)) {
            free(d);
            return DLP_ENOMEM;
        }
        free(d);
    }
    return rc;
}

static int parse_limits(dlp_yaml_t *y, yaml_node_t *v, dlp_limits_t *limits)
{
    if (v->type != YAML_MAPPING_NODE)
        return dlp_yaml_error(y, v, NULL, "'limits' must be a mapping"), DLP_ECONFIG;
    size_t n;
    const dlp_limit_info_t *tab = dlp_limit_table(&n);
    int rc = DLP_OK;
    DLP_YAML_FOREACH_PAIR(v, p)
    {
        yaml_node_t *k = dlp_yaml_get(y, p->key), *val = dlp_yaml_get(y, p->value);
        const char *key = dlp_yaml_scalar(k);
        size_t i = 0;
        while (key && i < n && strcmp(tab[i].key, key) != 0)
            i++;
        if (!key || i == n) {
            dlp_yaml_error(y, k, NULL, "unknown limit '%s'", key ? key : "?");
            rc = DLP_ECONFIG;
            continue;
        }
        uint64_t x;
        if (dlp_yaml_parse_size(dlp_yaml_scalar(val), &x)) {
            dlp_yaml_error(y, val, NULL, "limit '%s' must be a number (%s)", key, tab[i].unit);
            rc = DLP_ECONFIG;
        } else if (x < tab[i].min || x > tab[i].max) {
            dlp_yaml_error(y, val, NULL, "limit '%s' = %llu is outside %llu..%llu %s", key,
                           (unsigned long long)x, (unsigned long long)tab[i].min,
                           (unsigned long long)tab[i].max, tab[i].unit);
            rc = DLP_ECONFIG;
        } else {
            limits->v[i] = x;
        }
    }
    return rc;
}

/* `snippets: redacted` (the default) or `off`. */
static int parse_snippets(dlp_yaml_t *y, yaml_node_t *v, int *off)
{
    const char *s = dlp_yaml_scalar(v);
    if (s && strcmp(s, "redacted") == 0)
        *off = 0;
    else if (s && strcmp(s, "off") == 0)
        *off = 1;
    else
        return dlp_yaml_error(y, v, NULL, "'snippets' must be redacted or off"), DLP_ECONFIG;
    return DLP_OK;
}

static int keep_foreign(dlp_yaml_t *y, dlp_config_t *cfg, const char *key, yaml_node_t *v)
{
    if (DLP_GROW(cfg->foreign, cfg->cap_foreign, cfg->n_foreign + 1))
        return DLP_ENOMEM;
    dlp_config_value_t *fv = &cfg->foreign[cfg->n_foreign];
    memset(fv, 0, sizeof(*fv));
    fv->line = dlp_yaml_line(v);
    fv->column = dlp_yaml_col(v);
    if (!(fv->key = strdup(key)))
        return DLP_ENOMEM;
    cfg->n_foreign++;
    if (v->type == YAML_SCALAR_NODE)
        return (fv->scalar = strdup(dlp_yaml_scalar(v))) ? DLP_OK : DLP_ENOMEM;
    if (v->type != YAML_SEQUENCE_NODE)
        return dlp_yaml_error(y, v, NULL, "'%s' must be a value or a list", key), DLP_ECONFIG;
    size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    const char **items = calloc(cnt ? cnt : 1, sizeof(char *));
    if (!items)
        return DLP_ENOMEM;
    fv->items = items;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(y, *it);
        const char *s = dlp_yaml_scalar(n);
        if (!s)
            return dlp_yaml_error(y, n, NULL, "'%s' items must be values", key), DLP_ECONFIG;
        if (!(items[fv->n_items] = strdup(s)))
            return DLP_ENOMEM;
        fv->n_items++;
    }
    return DLP_OK;
}

static int is_foreign(const char *key, const char *const *foreign)
{
    for (size_t i = 0; foreign && foreign[i]; i++)
        if (strcmp(foreign[i], key) == 0 || strcmp(foreign[i], "*") == 0)
            return 1;
    return 0;
}

static int parse_key(dlp_yaml_t *y, dlp_config_t *cfg, const char *key, yaml_node_t *v,
                     const char *const *foreign)
{
    if (strcmp(key, "rules") == 0)
        return parse_path(y, cfg, v, key, &cfg->rules_path);
    if (strcmp(key, "cache") == 0)
        return parse_path(y, cfg, v, key, &cfg->cache_dir);
    if (strcmp(key, "internal_domains") == 0)
        return parse_domains(y, v, key, &cfg->internal_domains);
    if (strcmp(key, "protected_domains") == 0)
        return parse_domains(y, v, key, &cfg->protected_domains);
    if (strcmp(key, "lookalike_allowlist") == 0)
        return parse_domains(y, v, key, &cfg->allowed_domains);
    if (strcmp(key, "protected_domains_files") == 0)
        return parse_paths(y, cfg, v, key, &cfg->protected_files);
    if (strcmp(key, "limits") == 0)
        return parse_limits(y, v, &cfg->limits);
    if (strcmp(key, "snippets") == 0)
        return parse_snippets(y, v, &cfg->snippets_off);
    if (strcmp(key, "policy") == 0)
        return dlp_policy_config_rules(y, v, &cfg->policy);
    if (strcmp(key, "profiles") == 0)
        return dlp_policy_config_profiles(y, v, &cfg->policy);
    if (is_foreign(key, foreign))
        return keep_foreign(y, cfg, key, v);
    return DLP_EINVAL;
}

static int parse_root(dlp_yaml_t *y, dlp_config_t *cfg, const char *const *foreign)
{
    yaml_node_t *root = dlp_yaml_root(y);
    if (!root || (root->type == YAML_SCALAR_NODE && !*dlp_yaml_scalar(root)))
        return DLP_OK; /* an empty file means defaults */
    if (root->type != YAML_MAPPING_NODE)
        return dlp_yaml_error(y, root, NULL, "the config must be a mapping of keys"), DLP_ECONFIG;
    int rc = DLP_OK;
    DLP_YAML_FOREACH_PAIR(root, p)
    {
        yaml_node_t *k = dlp_yaml_get(y, p->key), *v = dlp_yaml_get(y, p->value);
        const char *key = dlp_yaml_scalar(k);
        int r = key ? parse_key(y, cfg, key, v, foreign) : DLP_EINVAL;
        if (r == DLP_EINVAL) {
            dlp_yaml_error(y, k, NULL, "unknown key '%s'", key ? key : "?");
            r = DLP_ECONFIG;
        }
        if (r == DLP_ENOMEM)
            return r;
        if (r)
            rc = DLP_ECONFIG;
    }
    return rc;
}

int dlp_config_load(const char *path, const char *const *foreign, dlp_config_t **out,
                    dlp_diags_t *diags)
{
    *out = NULL;
    dlp_config_t *cfg = config_defaults();
    if (!cfg)
        return DLP_ENOMEM;
    if (!path) {
        *out = cfg;
        return DLP_OK;
    }
    char *tmp = strdup(path);
    cfg->path = strdup(path);
    cfg->dir = tmp ? strdup(dirname(tmp)) : NULL;
    free(tmp);
    if (!cfg->path || !cfg->dir) {
        dlp_config_free(cfg);
        return DLP_ENOMEM;
    }
    /* Relative defaults follow the file, like every other path in it. */
    char *cache = dlp_config_resolve(cfg, ".dlp-cache");
    free(cfg->cache_dir);
    cfg->cache_dir = cache;
    dlp_yaml_t y;
    int rc = dlp_yaml_load_file(&y, path, diags);
    if (rc == DLP_OK)
        rc = parse_root(&y, cfg, foreign);
    dlp_yaml_free(&y);
    if (rc != DLP_OK) {
        dlp_config_free(cfg);
        return rc == DLP_EIO ? DLP_ECONFIG : rc;
    }
    *out = cfg;
    return DLP_OK;
}
