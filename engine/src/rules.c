/*
 * rules.c - loads the YAML rule files (rules directory) into a dlp_ruleset_t (see rules.h).
 *
 * A file holds `rules:`, a list of rules. Each rule is checked key by key:
 * unknown keys, bad enumerations, duplicate ids and patterns Hyperscan cannot
 * compile are all reported with the position of the offending node, and the
 * loader keeps going so that a rule writer sees every error in one run.
 */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <hs/hs.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "yamlutil.h"

#define DEFAULT_SCOPE                                                                              \
    ((1u << DLP_PART_SUBJECT) | (1u << DLP_PART_BODY) | (1u << DLP_PART_ATTACHMENT))

static const struct {
    const char *name;
    unsigned flag;
} pattern_flags[] = {
    {"caseless", HS_FLAG_CASELESS}, {"dotall", HS_FLAG_DOTALL}, {"multiline", HS_FLAG_MULTILINE},
    {"utf8", HS_FLAG_UTF8},         {"ucp", HS_FLAG_UCP},
};

static void rule_free(dlp_rule_t *r)
{
    free(r->id);
    free(r->description);
    for (size_t i = 0; i < r->n_tests_match; i++)
        free(r->tests_match[i]);
    for (size_t i = 0; i < r->n_tests_no_match; i++)
        free(r->tests_no_match[i]);
    free(r->tests_match);
    free(r->tests_no_match);
    for (size_t i = 0; i < r->n_context; i++)
        free(r->context[i]);
    free(r->context);
    free(r->validate_name);
    free(r->file);
}

void dlp_ruleset_free(dlp_ruleset_t *set)
{
    for (size_t i = 0; i < set->n_rules; i++)
        rule_free(&set->rules[i]);
    for (size_t i = 0; i < set->n_patterns; i++)
        free(set->patterns[i].regex);
    for (size_t i = 0; i < set->n_excludes; i++)
        free(set->excludes[i].regex);
    for (size_t i = 0; i < set->n_sources; i++) {
        free(set->sources[i].name);
        free(set->sources[i].data);
    }
    free(set->sources);
    free(set->compiled);
    free(set->rules);
    free(set->patterns);
    free(set->excludes);
    memset(set, 0, sizeof(*set));
}

/* ---------------------------------------------------------- field parsers */

typedef struct loader {
    dlp_yaml_t *y;
    dlp_ruleset_t *set;
    int errors;
} loader_t;

#define FAIL(ld, node, id, ...) (dlp_yaml_error((ld)->y, node, id, __VA_ARGS__), (ld)->errors++)

static int valid_id(const char *s)
{
    if (!s || !*s || *s == '.')
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return 0;
    return strchr(s, '.') != NULL && s[strlen(s) - 1] != '.';
}

static unsigned parse_flags(loader_t *ld, yaml_node_t *v, const char *id)
{
    unsigned flags = 0;
    if (v->type != YAML_SEQUENCE_NODE) {
        FAIL(ld, v, id, "'flags' must be a list, e.g. [caseless]");
        return 0;
    }
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(ld->y, *it);
        const char *s = dlp_yaml_scalar(n);
        size_t i = 0;
        while (s && i < sizeof(pattern_flags) / sizeof(pattern_flags[0]) &&
               strcmp(pattern_flags[i].name, s) != 0)
            i++;
        if (!s || i == sizeof(pattern_flags) / sizeof(pattern_flags[0]))
            FAIL(ld, n, id, "unknown flag '%s' (caseless, dotall, multiline, utf8, ucp)",
                 s ? s : "?");
        else
            flags |= pattern_flags[i].flag;
    }
    return flags;
}

/* Checks a regex with Hyperscan and appends it to *v (patterns or excludes). */
static int add_regex(loader_t *ld, yaml_node_t *at, const char *regex, unsigned flags,
                     uint32_t rule_index, const char *id, dlp_pattern_t **v, size_t *n, size_t *cap)
{
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *err = NULL;
    if (hs_expression_info(regex, flags, &info, &err) != HS_SUCCESS) {
        FAIL(ld, at, id, "pattern does not compile: %s", err ? err->message : "unknown error");
        hs_free_compile_error(err);
        return DLP_OK;
    }
    uint64_t max_width = info->max_width == UINT_MAX ? UINT64_MAX : info->max_width;
    uint32_t min_width = info->min_width;
    free(info);
    if (min_width == 0) {
        FAIL(ld, at, id, "pattern can match the empty string");
        return DLP_OK;
    }
    if (dlp_grow((void **)v, cap, *n + 1, sizeof(**v)))
        return DLP_ENOMEM;
    dlp_pattern_t *p = &(*v)[*n];
    memset(p, 0, sizeof(*p));
    if (!(p->regex = strdup(regex)))
        return DLP_ENOMEM;
    p->flags = flags;
    p->rule = rule_index;
    p->max_width = max_width;
    p->min_width = min_width;
    p->line = dlp_yaml_line(at);
    p->column = dlp_yaml_col(at);
    (*n)++;
    return DLP_OK;
}

static int add_pattern(loader_t *ld, yaml_node_t *at, const char *regex, unsigned flags,
                       uint32_t rule_index, const char *id)
{
    dlp_ruleset_t *set = ld->set;
    return add_regex(ld, at, regex, flags, rule_index, id, &set->patterns, &set->n_patterns,
                     &set->cap_patterns);
}

static int parse_string_list(loader_t *ld, yaml_node_t *v, const char *id, const char *what,
                             char ***out, size_t *n);

/* exclude: regexes the whole matched text is tested against. */
static int parse_excludes(loader_t *ld, yaml_node_t *v, unsigned flags, uint32_t ri, const char *id)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return FAIL(ld, v, id, "'exclude' must be a list of regexes"), DLP_OK;
    dlp_ruleset_t *set = ld->set;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(ld->y, *it);
        const char *re = dlp_yaml_scalar(n);
        if (!re || !*re) {
            FAIL(ld, n, id, "'exclude' items must be regexes");
            continue;
        }
        size_t len = strlen(re) + 8;
        char *full = malloc(len);
        if (!full)
            return DLP_ENOMEM;
        snprintf(full, len, "^(?:%s)$", re); /* an exclude matches the whole text */
        int rc = add_regex(ld, n, full, flags & ~(unsigned)HS_FLAG_MULTILINE, ri, id,
                           &set->excludes, &set->n_excludes, &set->cap_excludes);
        free(full);
        if (rc)
            return rc;
    }
    return DLP_OK;
}

/* context: {words: [...], window: N} */
static int parse_context(loader_t *ld, yaml_node_t *v, dlp_rule_t *r)
{
    if (v->type != YAML_MAPPING_NODE)
        return FAIL(ld, v, r->id, "'context' must be {words: [...], window: N}"), DLP_OK;
    r->context_window = 60;
    DLP_YAML_FOREACH_PAIR(v, p)
    {
        yaml_node_t *k = dlp_yaml_get(ld->y, p->key), *cv = dlp_yaml_get(ld->y, p->value);
        const char *key = dlp_yaml_scalar(k);
        uint64_t w;
        if (key && strcmp(key, "words") == 0) {
            if (parse_string_list(ld, cv, r->id, "words", &r->context, &r->n_context))
                return DLP_ENOMEM;
        } else if (key && strcmp(key, "window") == 0) {
            if (dlp_yaml_parse_size(dlp_yaml_scalar(cv), &w) || w < 1 || w > 4096)
                FAIL(ld, cv, r->id, "'window' must be a number of characters from 1 to 4096");
            else
                r->context_window = (uint32_t)w;
        } else {
            FAIL(ld, k, r->id, "unknown context key '%s' (words, window)", key ? key : "?");
        }
    }
    if (r->n_context == 0)
        FAIL(ld, v, r->id, "'context' needs at least one word");
    for (size_t i = 0; i < r->n_context; i++)
        for (char *c = r->context[i]; *c; c++)
            *c = dlp_lower(*c);
    return DLP_OK;
}

/* patterns: ["regex", {regex: "...", flags: [...]}] with rule-level default flags. */
static int parse_patterns(loader_t *ld, yaml_node_t *v, unsigned rule_flags, uint32_t ri,
                          const char *id)
{
    if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
        return FAIL(ld, v, id, "'patterns' must be a non-empty list"), DLP_OK;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(ld->y, *it);
        const char *regex = dlp_yaml_scalar(n);
        unsigned flags = rule_flags;
        if (n->type == YAML_MAPPING_NODE) {
            DLP_YAML_FOREACH_PAIR(n, p)
            {
                yaml_node_t *k = dlp_yaml_get(ld->y, p->key), *pv = dlp_yaml_get(ld->y, p->value);
                const char *key = dlp_yaml_scalar(k);
                if (key && strcmp(key, "regex") == 0)
                    regex = dlp_yaml_scalar(pv);
                else if (key && strcmp(key, "flags") == 0)
                    flags |= parse_flags(ld, pv, id);
                else
                    FAIL(ld, k, id, "unknown pattern key '%s' (regex, flags)", key ? key : "?");
            }
        }
        if (!regex || !*regex) {
            FAIL(ld, n, id, "a pattern must be a regex string or {regex:, flags:}");
            continue;
        }
        if (add_pattern(ld, n, regex, flags, ri, id))
            return DLP_ENOMEM;
    }
    return DLP_OK;
}

static uint32_t parse_scope(loader_t *ld, yaml_node_t *v, const char *id)
{
    uint32_t scope = 0;
    if (v->type != YAML_SEQUENCE_NODE) {
        FAIL(ld, v, id, "'scope' must be a list, e.g. [subject, body]");
        return DEFAULT_SCOPE;
    }
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(ld->y, *it);
        dlp_part_t part;
        if (dlp_part_from_name(dlp_yaml_scalar(n), &part))
            FAIL(ld, n, id, "unknown scope '%s' (subject, header, body, filename, attachment)",
                 dlp_yaml_scalar(n) ? dlp_yaml_scalar(n) : "?");
        else
            scope |= 1u << part;
    }
    return scope ? scope : DEFAULT_SCOPE;
}

static int parse_string_list(loader_t *ld, yaml_node_t *v, const char *id, const char *what,
                             char ***out, size_t *n)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return FAIL(ld, v, id, "'%s' must be a list of strings", what), DLP_OK;
    size_t cap = 0;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *item = dlp_yaml_get(ld->y, *it);
        const char *s = dlp_yaml_scalar(item);
        if (!s) {
            FAIL(ld, item, id, "'%s' items must be strings", what);
            continue;
        }
        if (dlp_grow((void **)out, &cap, *n + 1, sizeof(char *)) || !((*out)[*n] = strdup(s)))
            return DLP_ENOMEM;
        (*n)++;
    }
    return DLP_OK;
}

static int parse_tests(loader_t *ld, yaml_node_t *v, dlp_rule_t *r)
{
    if (v->type != YAML_MAPPING_NODE)
        return FAIL(ld, v, r->id, "'tests' must be {match: [...], no_match: [...]}"), DLP_OK;
    DLP_YAML_FOREACH_PAIR(v, p)
    {
        yaml_node_t *k = dlp_yaml_get(ld->y, p->key), *tv = dlp_yaml_get(ld->y, p->value);
        const char *key = dlp_yaml_scalar(k);
        int rc = DLP_OK;
        if (key && strcmp(key, "match") == 0)
            rc = parse_string_list(ld, tv, r->id, "match", &r->tests_match, &r->n_tests_match);
        else if (key && strcmp(key, "no_match") == 0)
            rc = parse_string_list(ld, tv, r->id, "no_match", &r->tests_no_match,
                                   &r->n_tests_no_match);
        else
            FAIL(ld, k, r->id, "unknown tests key '%s' (match, no_match)", key ? key : "?");
        if (rc)
            return rc;
    }
    return DLP_OK;
}

/* ------------------------------------------------------------------ rules */

static const char *const rule_keys[] = {
    "id",        "category", "severity", "description", "patterns", "flags", "scope",
    "min_count", "tests",    "validate", "context",     "exclude",  NULL};
enum {
    K_ID,
    K_CATEGORY,
    K_SEVERITY,
    K_DESCRIPTION,
    K_PATTERNS,
    K_FLAGS,
    K_SCOPE,
    K_MIN,
    K_TESTS,
    K_VALIDATE,
    K_CONTEXT,
    K_EXCLUDE
};

static int find_keys(loader_t *ld, yaml_node_t *n, yaml_node_t **vals)
{
    DLP_YAML_FOREACH_PAIR(n, p)
    {
        yaml_node_t *k = dlp_yaml_get(ld->y, p->key);
        const char *key = dlp_yaml_scalar(k);
        size_t i = 0;
        while (key && rule_keys[i] && strcmp(rule_keys[i], key) != 0)
            i++;
        if (!key || !rule_keys[i])
            FAIL(ld, k, NULL, "unknown rule key '%s'", key ? key : "?");
        else if (vals[i])
            FAIL(ld, k, NULL, "duplicate key '%s'", key);
        else
            vals[i] = dlp_yaml_get(ld->y, p->value);
    }
    return DLP_OK;
}

static int check_unique(loader_t *ld, yaml_node_t *at, const char *id)
{
    for (size_t i = 0; i + 1 < ld->set->n_rules; i++) {
        const dlp_rule_t *o = &ld->set->rules[i];
        if (strcmp(o->id, id) == 0)
            return FAIL(ld, at, id, "duplicate rule id (first defined at %s:%d)", o->file, o->line);
    }
    return 0;
}

static int parse_enum_fields(loader_t *ld, yaml_node_t **vals, yaml_node_t *n, dlp_rule_t *r)
{
    const char *cat = vals[K_CATEGORY] ? dlp_yaml_scalar(vals[K_CATEGORY]) : NULL;
    const char *sev = vals[K_SEVERITY] ? dlp_yaml_scalar(vals[K_SEVERITY]) : NULL;
    if (!vals[K_CATEGORY])
        FAIL(ld, n, r->id, "missing 'category'");
    else if (dlp_category_from_name(cat, &r->category))
        FAIL(ld, vals[K_CATEGORY], r->id, "unknown category '%s'", cat ? cat : "?");
    if (!vals[K_SEVERITY])
        FAIL(ld, n, r->id, "missing 'severity'");
    else if (dlp_severity_from_name(sev, &r->severity))
        FAIL(ld, vals[K_SEVERITY], r->id, "unknown severity '%s' (low, medium, high, critical)",
             sev ? sev : "?");
    r->min_count = 1;
    if (vals[K_MIN]) {
        uint64_t v;
        if (dlp_yaml_parse_size(dlp_yaml_scalar(vals[K_MIN]), &v) || v < 1 || v > 100000)
            FAIL(ld, vals[K_MIN], r->id, "'min_count' must be a number from 1 to 100000");
        else
            r->min_count = (uint32_t)v;
    }
    const char *desc = vals[K_DESCRIPTION] ? dlp_yaml_scalar(vals[K_DESCRIPTION]) : NULL;
    if (!desc || !*desc)
        FAIL(ld, vals[K_DESCRIPTION] ? vals[K_DESCRIPTION] : n, r->id, "missing 'description'");
    else if (!(r->description = strdup(desc)))
        return DLP_ENOMEM;
    return DLP_OK;
}

/* validate, context and exclude: the checks a match must pass. */
static int parse_checks(loader_t *ld, yaml_node_t **vals, unsigned flags, dlp_rule_t *r,
                        uint32_t ri)
{
    if (vals[K_VALIDATE]) {
        const char *name = dlp_yaml_scalar(vals[K_VALIDATE]);
        if (!(r->validate = dlp_validator_find(name)))
            FAIL(ld, vals[K_VALIDATE], r->id, "unknown validator '%s' (%s)", name ? name : "?",
                 dlp_validator_names());
        else if (!(r->validate_name = strdup(name)))
            return DLP_ENOMEM;
    }
    if (vals[K_CONTEXT] && parse_context(ld, vals[K_CONTEXT], r))
        return DLP_ENOMEM;
    size_t before = ld->set->n_excludes;
    if (vals[K_EXCLUDE] && parse_excludes(ld, vals[K_EXCLUDE], flags, ri, r->id))
        return DLP_ENOMEM;
    r->confirm = r->validate || r->n_context || ld->set->n_excludes > before;
    return DLP_OK;
}

static int parse_rule(loader_t *ld, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return FAIL(ld, n, NULL, "a rule must be a mapping"), DLP_OK;
    yaml_node_t *vals[sizeof(rule_keys) / sizeof(rule_keys[0])] = {0};
    find_keys(ld, n, vals);
    const char *id = vals[K_ID] ? dlp_yaml_scalar(vals[K_ID]) : NULL;
    if (!valid_id(id))
        return FAIL(ld, vals[K_ID] ? vals[K_ID] : n, NULL,
                    "rule 'id' must be dotted lowercase, e.g. marking.fouo"),
               DLP_OK;
    dlp_ruleset_t *set = ld->set;
    if (DLP_GROW(set->rules, set->cap_rules, set->n_rules + 1))
        return DLP_ENOMEM;
    dlp_rule_t *r = &set->rules[set->n_rules++];
    memset(r, 0, sizeof(*r));
    r->line = dlp_yaml_line(n);
    r->column = dlp_yaml_col(n);
    if (!(r->id = strdup(id)) || !(r->file = strdup(ld->y->file)))
        return DLP_ENOMEM;
    check_unique(ld, vals[K_ID], id);
    if (parse_enum_fields(ld, vals, n, r))
        return DLP_ENOMEM;
    r->scope = vals[K_SCOPE] ? parse_scope(ld, vals[K_SCOPE], id) : DEFAULT_SCOPE;
    unsigned flags = vals[K_FLAGS] ? parse_flags(ld, vals[K_FLAGS], id) : 0;
    if (!vals[K_PATTERNS])
        FAIL(ld, n, id, "missing 'patterns'");
    else if (parse_patterns(ld, vals[K_PATTERNS], flags, (uint32_t)(set->n_rules - 1), id))
        return DLP_ENOMEM;
    if (vals[K_TESTS] && parse_tests(ld, vals[K_TESTS], r))
        return DLP_ENOMEM;
    return parse_checks(ld, vals, flags, r, (uint32_t)(set->n_rules - 1));
}

/* Parses one source (already in set->sources) labelled 'label' for diagnostics. */
static int load_source(dlp_ruleset_t *set, const dlp_rulefile_t *src, const char *label,
                       dlp_diags_t *diags)
{
    dlp_yaml_t y;
    int rc = dlp_yaml_load_buffer(&y, label, src->data, src->len, diags);
    if (rc) {
        dlp_yaml_free(&y);
        return rc == DLP_ENOMEM ? rc : DLP_ERULES;
    }
    loader_t ld = {.y = &y, .set = set};
    yaml_node_t *root = dlp_yaml_root(&y), *list = NULL;
    if (root && root->type == YAML_MAPPING_NODE) {
        DLP_YAML_FOREACH_PAIR(root, p)
        {
            yaml_node_t *k = dlp_yaml_get(&y, p->key);
            const char *key = dlp_yaml_scalar(k);
            if (key && strcmp(key, "rules") == 0)
                list = dlp_yaml_get(&y, p->value);
            else
                FAIL(&ld, k, NULL, "unknown top-level key '%s' (rules)", key ? key : "?");
        }
    }
    if (!list || list->type != YAML_SEQUENCE_NODE) {
        FAIL(&ld, list ? list : root, NULL, "a rule file holds 'rules:', a list of rules");
    } else {
        DLP_YAML_FOREACH_ITEM(list, it)
        {
            if ((rc = parse_rule(&ld, dlp_yaml_get(&y, *it))))
                break;
        }
    }
    /* Patterns borrow the file name of their rule. */
    for (size_t i = 0; i < set->n_patterns; i++)
        set->patterns[i].file = set->rules[set->patterns[i].rule].file;
    for (size_t i = 0; i < set->n_excludes; i++)
        set->excludes[i].file = set->rules[set->excludes[i].rule].file;
    dlp_yaml_free(&y);
    if (rc)
        return rc;
    return ld.errors ? DLP_ERULES : DLP_OK;
}

static int add_source(dlp_ruleset_t *set, const char *name, uint8_t *data, size_t len)
{
    if (DLP_GROW(set->sources, set->cap_sources, set->n_sources + 1))
        return DLP_ENOMEM;
    const char *base = strrchr(name, '/');
    char *n = strdup(base ? base + 1 : name);
    if (!n)
        return DLP_ENOMEM;
    set->sources[set->n_sources++] = (dlp_rulefile_t){n, data, len};
    return DLP_OK;
}

/* Reads a rule file whole; a diagnostic names it when it cannot. */
static int read_rules_file(const char *path, size_t max, uint8_t **data, size_t *len,
                           dlp_diags_t *diags)
{
    int rc = dlp_read_file(path, data, len, max);
    if (rc)
        return dlp_diags_add(diags, path, 0, 0, NULL, "cannot read: %s",
                             rc == DLP_EIO ? strerror(errno) : "too large"),
               DLP_ERULES;
    return DLP_OK;
}

/* Keeps data (freed on failure) as a source and parses it as YAML rules. */
static int load_yaml(dlp_ruleset_t *set, const char *path, uint8_t *data, size_t len,
                     dlp_diags_t *diags)
{
    int rc = add_source(set, path, data, len);
    if (rc) {
        free(data);
        return rc;
    }
    return load_source(set, &set->sources[set->n_sources - 1], path, diags);
}

static int load_file(dlp_ruleset_t *set, const char *path, dlp_diags_t *diags)
{
    uint8_t *data;
    size_t len;
    int rc = read_rules_file(path, 16u << 20, &data, &len, diags);
    return rc ? rc : load_yaml(set, path, data, len, diags);
}

static const char bundle_magic[10] = "DLPRULES1\n";

static int put(FILE *f, const void *p, size_t n)
{
    return n == 0 || fwrite(p, n, 1, f) == 1 ? 0 : -1;
}

int dlp_ruleset_write_bundle(const dlp_ruleset_t *set, const uint8_t *compiled, size_t len,
                             const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return DLP_EIO;
    uint32_t n = (uint32_t)set->n_sources;
    int bad = put(f, bundle_magic, sizeof(bundle_magic)) || put(f, &n, sizeof(n));
    for (size_t i = 0; !bad && i < set->n_sources; i++) {
        const dlp_rulefile_t *s = &set->sources[i];
        uint32_t nl = (uint32_t)strlen(s->name);
        uint64_t dl = s->len;
        bad = put(f, &nl, sizeof(nl)) || put(f, s->name, nl) || put(f, &dl, sizeof(dl)) ||
              put(f, s->data, s->len);
    }
    uint64_t cl = len;
    bad = bad || put(f, &cl, sizeof(cl)) || put(f, compiled, len);
    bad = fclose(f) != 0 || bad;
    return bad ? DLP_EIO : DLP_OK;
}

/* Reads n bytes at *off of a buffer of len; NULL when short. */
static const uint8_t *take(const uint8_t *d, size_t len, size_t *off, size_t n)
{
    if (len - *off < n)
        return NULL;
    const uint8_t *p = d + *off;
    *off += n;
    return p;
}

static int load_bundle(dlp_ruleset_t *set, const char *path, const uint8_t *d, size_t len,
                       dlp_diags_t *diags)
{
    size_t off = sizeof(bundle_magic);
    const uint8_t *p = take(d, len, &off, 4);
    uint32_t n = 0;
    if (p)
        memcpy(&n, p, 4);
    int rc = p ? DLP_OK : DLP_ERULES;
    for (uint32_t i = 0; rc == DLP_OK && i < n; i++) {
        uint32_t nl;
        uint64_t dl;
        const uint8_t *pn = NULL, *pd = NULL;
        if ((p = take(d, len, &off, 4)) && (memcpy(&nl, p, 4), (pn = take(d, len, &off, nl))) &&
            (p = take(d, len, &off, 8)) && (memcpy(&dl, p, 8), dl <= len) &&
            (pd = take(d, len, &off, (size_t)dl))) {
            uint8_t *copy = malloc(dl ? dl : 1);
            char *name = strndup((const char *)pn, nl);
            if (!copy || !name || add_source(set, name, copy, (size_t)dl)) {
                free(copy);
                free(name);
                return DLP_ENOMEM;
            }
            memcpy(copy, pd, dl);
            char label[4096];
            snprintf(label, sizeof(label), "%s:%s", path, name);
            free(name);
            rc = load_source(set, &set->sources[set->n_sources - 1], label, diags);
        } else {
            rc = DLP_ERULES;
        }
    }
    uint64_t cl = 0;
    if (rc == DLP_OK &&
        ((p = take(d, len, &off, 8)) == NULL || (memcpy(&cl, p, 8), cl != len - off)))
        rc = DLP_ERULES;
    if (rc == DLP_OK && cl && (set->compiled = malloc(cl))) {
        memcpy(set->compiled, d + off, cl);
        set->compiled_len = cl;
    }
    if (rc == DLP_ERULES && !dlp_diags_count(diags))
        dlp_diags_add(diags, path, 0, 0, NULL, "truncated or corrupt compiled rules bundle");
    return rc;
}

/* A regular file: a bundle when it starts with the magic, else one YAML file. */
static int load_path_file(dlp_ruleset_t *set, const char *path, dlp_diags_t *diags)
{
    uint8_t *data;
    size_t len;
    int rc = read_rules_file(path, 1u << 30, &data, &len, diags);
    if (rc)
        return rc;
    if (len >= sizeof(bundle_magic) && memcmp(data, bundle_magic, sizeof(bundle_magic)) == 0) {
        rc = load_bundle(set, path, data, len, diags);
        free(data);
        return rc;
    }
    return load_yaml(set, path, data, len, diags);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the *.yaml files of a directory, sorted, so load order is stable. */
static int list_dir(const char *dir, char ***out, size_t *n, dlp_diags_t *diags)
{
    DIR *d = opendir(dir);
    if (!d)
        return dlp_diags_add(diags, dir, 0, 0, NULL, "cannot open: %s", strerror(errno)),
               DLP_ERULES;
    size_t cap = 0;
    int rc = DLP_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char *p = malloc(strlen(dir) + len + 2);
        if (!p || dlp_grow((void **)out, &cap, *n + 1, sizeof(char *))) {
            free(p);
            rc = DLP_ENOMEM;
            break;
        }
        sprintf(p, "%s/%s", dir, e->d_name);
        (*out)[(*n)++] = p;
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof(char *), cmp_str);
    return rc;
}

static void digest_rules(dlp_ruleset_t *set)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[32];
    unsigned mdlen = 0;
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        goto out;
    for (size_t i = 0; i < set->n_rules; i++) {
        const dlp_rule_t *r = &set->rules[i];
        uint32_t meta[4] = {r->category, r->severity, r->scope, r->min_count};
        EVP_DigestUpdate(ctx, r->id, strlen(r->id) + 1);
        EVP_DigestUpdate(ctx, meta, sizeof(meta));
        const char *vn = r->validate_name ? r->validate_name : "";
        EVP_DigestUpdate(ctx, vn, strlen(vn) + 1);
        EVP_DigestUpdate(ctx, &r->context_window, sizeof(r->context_window));
        for (size_t j = 0; j < r->n_context; j++)
            EVP_DigestUpdate(ctx, r->context[j], strlen(r->context[j]) + 1);
    }
    for (size_t i = 0; i < set->n_excludes; i++) {
        const dlp_pattern_t *p = &set->excludes[i];
        uint32_t meta[2] = {p->rule | 0x80000000u, p->flags};
        EVP_DigestUpdate(ctx, meta, sizeof(meta));
        EVP_DigestUpdate(ctx, p->regex, strlen(p->regex) + 1);
    }
    for (size_t i = 0; i < set->n_patterns; i++) {
        const dlp_pattern_t *p = &set->patterns[i];
        uint32_t meta[2] = {p->rule, p->flags};
        EVP_DigestUpdate(ctx, meta, sizeof(meta));
        EVP_DigestUpdate(ctx, p->regex, strlen(p->regex) + 1);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
out:
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        sprintf(set->digest + 2 * i, "%02x", md[i]);
}

int dlp_ruleset_load(dlp_ruleset_t *set, const char *path, dlp_diags_t *diags)
{
    memset(set, 0, sizeof(*set));
    struct stat st;
    if (stat(path, &st) != 0)
        return dlp_diags_add(diags, path, 0, 0, NULL, "rules: %s", strerror(errno)), DLP_ERULES;
    char **files = NULL;
    size_t n = 0;
    int rc = DLP_OK;
    if (S_ISDIR(st.st_mode)) {
        rc = list_dir(path, &files, &n, diags);
        if (rc == DLP_OK && n == 0)
            rc = dlp_diags_add(diags, path, 0, 0, NULL, "no .yaml rule files") ? DLP_ENOMEM
                                                                               : DLP_ERULES;
    } else {
        rc = load_path_file(set, path, diags);
        if (rc == DLP_OK)
            digest_rules(set);
        else
            dlp_ruleset_free(set);
        return rc;
    }
    int bad = 0;
    for (size_t i = 0; rc == DLP_OK && i < n; i++) {
        int r = load_file(set, files[i], diags);
        if (r == DLP_ENOMEM)
            rc = r;
        else if (r)
            bad = 1;
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    if (rc == DLP_OK && bad)
        rc = DLP_ERULES;
    if (rc == DLP_OK)
        digest_rules(set);
    else
        dlp_ruleset_free(set);
    return rc;
}
