/*
 * error.c - error codes, names of the engine's enumerations, the limit table
 * and the diagnostics list. Everything here is table-driven from the X-macros
 * in dlp.h so that a name can never drift from its value.
 */
#include "dlp/dlp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "util.h"

const char *dlp_strerror(int err)
{
    switch (err) {
#define DLP_ERR_TEXT(name, code, text)                                                             \
    case code:                                                                                     \
        return text;
        DLP_ERRNO_MAP(DLP_ERR_TEXT)
#undef DLP_ERR_TEXT
    }
    return "unknown error";
}

const char *dlp_err_name(int err)
{
    switch (err) {
#define DLP_ERR_NAME(name, code, text)                                                             \
    case code:                                                                                     \
        return "DLP_" #name;
        DLP_ERRNO_MAP(DLP_ERR_NAME)
#undef DLP_ERR_NAME
    }
    return "DLP_EUNKNOWN";
}

const char *dlp_version_string(void)
{
    return DLP_VERSION;
}

/* ------------------------------------------------------------------ names */

static const char *const action_names[] = {"allow", "warn", "quarantine", "block", "drop"};
static const char *const severity_names[] = {"low", "medium", "high", "critical"};
static const char *const category_names[] = {
#define DLP_CAT_NAME(name, text) text,
    DLP_CATEGORY_MAP(DLP_CAT_NAME)
#undef DLP_CAT_NAME
};
static const char *const part_names[] = {"subject", "header", "body", "filename", "attachment"};
static const char *const class_names[] = {"internal", "protected", "lookalike", "external"};
static const char *const source_names[] = {"envelope", "to", "cc"};

#define NAME_OF(table, i)                                                                          \
    ((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[(size_t)(i)] : "unknown")

const char *dlp_action_name(dlp_action_t a)
{
    return NAME_OF(action_names, a);
}

const char *dlp_severity_name(dlp_severity_t s)
{
    return NAME_OF(severity_names, s);
}

const char *dlp_category_name(dlp_category_t c)
{
    return NAME_OF(category_names, c);
}

const char *dlp_part_name(dlp_part_t p)
{
    return NAME_OF(part_names, p);
}

const char *dlp_class_name(dlp_class_t c)
{
    return NAME_OF(class_names, c);
}

const char *dlp_source_name(dlp_source_t s)
{
    return NAME_OF(source_names, s);
}

static int lookup(const char *const *table, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(table[i], name) == 0)
            return (int)i;
    return -1;
}

#define LOOKUP(table, name) lookup(table, sizeof(table) / sizeof(table[0]), name)

int dlp_category_from_name(const char *name, dlp_category_t *out)
{
    int i = LOOKUP(category_names, name);
    if (i < 0)
        return DLP_EINVAL;
    *out = (dlp_category_t)i;
    return DLP_OK;
}

int dlp_severity_from_name(const char *name, dlp_severity_t *out)
{
    int i = LOOKUP(severity_names, name);
    if (i < 0)
        return DLP_EINVAL;
    *out = (dlp_severity_t)i;
    return DLP_OK;
}

int dlp_action_from_name(const char *name, dlp_action_t *out)
{
    int i = LOOKUP(action_names, name);
    if (i < 0)
        return DLP_EINVAL;
    *out = (dlp_action_t)i;
    return DLP_OK;
}

int dlp_part_from_name(const char *name, dlp_part_t *out)
{
    int i = LOOKUP(part_names, name);
    if (i < 0)
        return DLP_EINVAL;
    *out = (dlp_part_t)i;
    return DLP_OK;
}

/* ----------------------------------------------------------------- limits */

static const dlp_limit_info_t limit_table[] = {
#define DLP_LIMIT_INFO(id, key, unit, def, min, max, doc)                                          \
    {DLP_LIMIT_##id, #key, unit, def, min, max, doc},
    DLP_LIMIT_MAP(DLP_LIMIT_INFO)
#undef DLP_LIMIT_INFO
};

const dlp_limit_info_t *dlp_limit_table(size_t *count)
{
    if (count)
        *count = DLP_LIMIT__COUNT;
    return limit_table;
}

void dlp_limits_default(dlp_limits_t *l)
{
    for (size_t i = 0; i < DLP_LIMIT__COUNT; i++)
        l->v[i] = limit_table[i].def;
}

const char *dlp_limit_name(dlp_limit_t l)
{
    return (size_t)l < DLP_LIMIT__COUNT ? limit_table[l].key : "unknown";
}

/* ------------------------------------------------------------ diagnostics */

struct dlp_diags {
    dlp_diag_t *v;
    size_t n, cap;
};

dlp_diags_t *dlp_diags_new(void)
{
    return calloc(1, sizeof(dlp_diags_t));
}

void dlp_diags_free(dlp_diags_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free((char *)d->v[i].file);
        free((char *)d->v[i].rule_id);
        free((char *)d->v[i].message);
    }
    free(d->v);
    free(d);
}

size_t dlp_diags_count(const dlp_diags_t *d)
{
    return d ? d->n : 0;
}

const dlp_diag_t *dlp_diags_get(const dlp_diags_t *d, size_t i)
{
    return d && i < d->n ? &d->v[i] : NULL;
}

int dlp_diags_add(dlp_diags_t *d, const char *file, int line, int column, const char *rule_id,
                  const char *fmt, ...)
{
    if (!d)
        return DLP_OK;
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 8;
        dlp_diag_t *nv = realloc(d->v, ncap * sizeof(*nv));
        if (!nv)
            return DLP_ENOMEM;
        d->v = nv;
        d->cap = ncap;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    dlp_diag_t *g = &d->v[d->n];
    g->file = file ? strdup(file) : NULL;
    g->rule_id = rule_id ? strdup(rule_id) : NULL;
    g->message = strdup(msg);
    g->line = line;
    g->column = column;
    if (!g->message || (file && !g->file) || (rule_id && !g->rule_id)) {
        free((char *)g->file);
        free((char *)g->rule_id);
        free((char *)g->message);
        return DLP_ENOMEM;
    }
    d->n++;
    return DLP_OK;
}

int dlp_diags_format(const dlp_diags_t *d, size_t i, char *buf, size_t size)
{
    const dlp_diag_t *g = dlp_diags_get(d, i);
    if (!g)
        return DLP_EINVAL;
    char rule[256] = "";
    if (g->rule_id)
        snprintf(rule, sizeof(rule), "[%s] ", g->rule_id);
    int n;
    if (g->file && g->line > 0)
        n = snprintf(buf, size, "%s:%d:%d: %s%s", g->file, g->line, g->column > 0 ? g->column : 1,
                     rule, g->message);
    else if (g->file)
        n = snprintf(buf, size, "%s: %s%s", g->file, rule, g->message);
    else
        n = snprintf(buf, size, "%s%s", rule, g->message);
    return n < 0 ? DLP_EINVAL : DLP_OK;
}
