/*
 * policy_config.c - the `policy` and `profiles` config keys; see
 * policy_config.h and docs/policy.md.
 *
 *   policy: [RULE, ...]                 # the default profile's rules
 *   profiles:
 *     NAME: {monitor: BOOL, rules: default | builtin | [RULE, ...]}
 *   RULE: {name: NAME, when: {CONDITION...}, action: ACTION, notice: TEXT}
 *
 * Everything is checked here, once, when the config is loaded: the policy
 * that comes out never needs validating again on the scan path. Condition
 * lists accept a single value as a list of one; empty lists are errors,
 * because an empty list that matched nothing (or everything) would be a
 * silent surprise either way.
 */
#include "policy_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ------------------------------------------------------------- helpers */

static int perr(dlp_yaml_t *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(dlp_yaml_t *y, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return dlp_yaml_error(y, n, NULL, "%s", msg), DLP_ECONFIG;
}

/* Keeps the worse of two results: ENOMEM over ECONFIG over OK. */
static int worse(int a, int b)
{
    if (a == DLP_ENOMEM || b == DLP_ENOMEM)
        return DLP_ENOMEM;
    return a ? a : b;
}

static size_t seq_len(const yaml_node_t *v)
{
    return (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
}

/* Profile and rule names: 1..64 of [A-Za-z0-9_.-]. */
static int valid_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > DLP_POLICY_MAX_NAME)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

typedef int (*item_fn)(dlp_yaml_t *y, yaml_node_t *n, const char *s, void *arg);

/*
 * Calls fn for each scalar of a condition list (or for a single scalar).
 * Reports a non-scalar item, an empty or over-long list; returns the worst
 * result.
 */
static int each_item(dlp_yaml_t *y, yaml_node_t *v, const char *key, item_fn fn, void *arg)
{
    if (v->type == YAML_SCALAR_NODE) {
        if (!*dlp_yaml_scalar(v))
            return perr(y, v, "'%s' must not be empty", key);
        return fn(y, v, dlp_yaml_scalar(v), arg);
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return perr(y, v, "'%s' must be a value or a list of values", key);
    if (seq_len(v) == 0)
        return perr(y, v, "'%s' is an empty list: leave the condition out instead", key);
    if (seq_len(v) > DLP_POLICY_MAX_LIST)
        return perr(y, v, "'%s' has more than %d items", key, DLP_POLICY_MAX_LIST);
    int rc = DLP_OK;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *n = dlp_yaml_get(y, *it);
        const char *s = dlp_yaml_scalar(n);
        rc = worse(rc, s && *s ? fn(y, n, s, arg) : perr(y, n, "'%s' items must be values", key));
        if (rc == DLP_ENOMEM)
            break;
    }
    return rc;
}

/* --------------------------------------------------------- conditions */

typedef struct rule_ctx {
    dlp_policy_t *p;
    dlp_prule_t *r;
    const char **senders; /* r->senders, writable while parsing */
} rule_ctx_t;

static int item_class(dlp_yaml_t *y, yaml_node_t *n, const char *s, void *arg)
{
    rule_ctx_t *c = arg;
    for (int i = DLP_CLASS_INTERNAL; i <= DLP_CLASS_EXTERNAL; i++)
        if (strcmp(dlp_class_name((dlp_class_t)i), s) == 0) {
            c->r->classes |= 1u << i;
            return DLP_OK;
        }
    return perr(y, n, "unknown recipient class '%s' (internal, protected, lookalike or external)",
                s);
}

static int item_category(dlp_yaml_t *y, yaml_node_t *n, const char *s, void *arg)
{
    rule_ctx_t *c = arg;
    dlp_category_t cat;
    if (dlp_category_from_name(s, &cat) == DLP_OK) {
        c->r->categories |= 1u << cat;
        return DLP_OK;
    }
    char known[256] = "";
    for (int i = 0; i < DLP_CAT__COUNT; i++) {
        strncat(known, i ? ", " : "", sizeof(known) - strlen(known) - 1);
        strncat(known, dlp_category_name((dlp_category_t)i), sizeof(known) - strlen(known) - 1);
    }
    return perr(y, n, "unknown category '%s' (%s)", s, known);
}

static int item_attachment(dlp_yaml_t *y, yaml_node_t *n, const char *s, void *arg)
{
    rule_ctx_t *c = arg;
    uint32_t flag;
    if (dlp_policy_att_flag_from_name(s, &flag) == DLP_OK) {
        c->r->attachments |= flag;
        return DLP_OK;
    }
    return perr(y, n,
                "unknown attachment flag '%s' (encrypted, type_mismatch, truncated, gps, "
                "medical_image)",
                s);
}

static int item_limit(dlp_yaml_t *y, yaml_node_t *n, const char *s, void *arg)
{
    rule_ctx_t *c = arg;
    for (int l = 0; l < DLP_LIMIT__COUNT; l++)
        if (strcmp(dlp_limit_name((dlp_limit_t)l), s) == 0) {
            c->r->incomplete |= 1u << l;
            return DLP_OK;
        }
    return perr(y, n, "unknown limit '%s' (the keys under 'limits', e.g. mime_depth)", s);
}

/*
 * A sender pattern: "<>" (the null sender), "local@domain" (one address) or
 * "domain" (it and its subdomains; a leading "*." or "." is ignored, as in
 * the domain lists). Stored lower-cased.
 */
static int item_sender(dlp_yaml_t *y, yaml_node_t *n, const char *s, void *arg)
{
    rule_ctx_t *c = arg;
    if (strcmp(s, "<>") != 0) {
        const char *at = strchr(s, '@');
        if (!at && strncmp(s, "*.", 2) == 0)
            s += 2;
        else if (!at && s[0] == '.')
            s += 1;
        size_t len = strlen(s);
        while (!at && len && s[len - 1] == '.')
            len--;
        int ok = len && len <= 254 && !strpbrk(s, " \t<>/\\,;\"") &&
                 (!at || (at != s && at[1] && !strchr(at + 1, '@')));
        if (!ok)
            return perr(y, n,
                        "'%s' is not a sender pattern (an address, a domain, or <> for the "
                        "null sender)",
                        s);
        char *low = dlp_strndup_lower(s, len);
        if (!low)
            return DLP_ENOMEM;
        const char *d = dlp_policy_strdup(c->p, low);
        free(low);
        if (!d)
            return DLP_ENOMEM;
        s = d;
    } else if (!(s = dlp_policy_strdup(c->p, s))) {
        return DLP_ENOMEM;
    }
    c->senders[c->r->n_senders++] = s;
    return DLP_OK;
}

static int parse_severity(dlp_yaml_t *y, yaml_node_t *v, dlp_prule_t *r)
{
    const char *s = dlp_yaml_scalar(v);
    if (!s || dlp_severity_from_name(s, &r->min_severity) != DLP_OK)
        return perr(y, v, "'min_severity' must be low, medium, high or critical");
    return DLP_OK;
}

static int parse_score(dlp_yaml_t *y, yaml_node_t *v, dlp_prule_t *r)
{
    const char *s = dlp_yaml_scalar(v);
    char *end;
    unsigned long x = s && *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : 101;
    if (x > 100 || *end)
        return perr(y, v, "'min_score' must be a number from 0 to 100");
    r->min_score = (uint32_t)x;
    return DLP_OK;
}

static int parse_incomplete(dlp_yaml_t *y, yaml_node_t *v, rule_ctx_t *c)
{
    const char *s = dlp_yaml_scalar(v);
    int b;
    if (s && dlp_yaml_parse_bool(s, &b) == DLP_OK) {
        if (!b)
            return perr(y, v,
                        "'incomplete' must be true or a list of limit names (leave it out "
                        "to match complete and incomplete scans alike)");
        c->r->incomplete = DLP_POLICY_ANY_LIMIT;
        return DLP_OK;
    }
    return each_item(y, v, "incomplete", item_limit, c);
}

static int parse_senders(dlp_yaml_t *y, yaml_node_t *v, rule_ctx_t *c)
{
    size_t n = v->type == YAML_SEQUENCE_NODE ? seq_len(v) : 1;
    if (n && n <= DLP_POLICY_MAX_LIST) {
        if (!(c->senders = dlp_policy_alloc(c->p, n * sizeof(char *))))
            return DLP_ENOMEM;
        c->r->senders = c->senders;
        c->r->n_senders = 0;
    }
    return each_item(y, v, "sender", item_sender, c);
}

static int parse_when(dlp_yaml_t *y, yaml_node_t *v, rule_ctx_t *c)
{
    if (v->type != YAML_MAPPING_NODE)
        return perr(y, v, "'when' must be a mapping of conditions");
    dlp_prule_t *r = c->r;
    int rc = DLP_OK;
    DLP_YAML_FOREACH_PAIR(v, pair)
    {
        yaml_node_t *k = dlp_yaml_get(y, pair->key), *val = dlp_yaml_get(y, pair->value);
        const char *key = dlp_yaml_scalar(k);
        int r1;
        if (!key)
            r1 = perr(y, k, "condition names must be values");
        else if (strcmp(key, "recipient") == 0)
            r1 = each_item(y, val, key, item_class, c);
        else if (strcmp(key, "category") == 0 && (r->content = 1))
            r1 = each_item(y, val, key, item_category, c);
        else if (strcmp(key, "min_severity") == 0 && (r->content = 1))
            r1 = parse_severity(y, val, r);
        else if (strcmp(key, "min_score") == 0)
            r1 = parse_score(y, val, r);
        else if (strcmp(key, "attachment") == 0)
            r1 = each_item(y, val, key, item_attachment, c);
        else if (strcmp(key, "incomplete") == 0)
            r1 = parse_incomplete(y, val, c);
        else if (strcmp(key, "sender") == 0)
            r1 = parse_senders(y, val, c);
        else
            r1 = perr(y, k,
                      "unknown condition '%s' (recipient, category, min_severity, min_score, "
                      "attachment, incomplete, sender)",
                      key);
        if ((rc = worse(rc, r1)) == DLP_ENOMEM)
            break;
    }
    return rc;
}

/* -------------------------------------------------------------- rules */

static int parse_notice(dlp_yaml_t *y, yaml_node_t *v, dlp_policy_t *p, dlp_prule_t *r)
{
    const char *s = dlp_yaml_scalar(v);
    if (!s || !*s)
        return perr(y, v, "'notice' must be a text");
    if (strlen(s) > DLP_POLICY_MAX_NOTICE)
        return perr(y, v, "'notice' is longer than %d bytes", DLP_POLICY_MAX_NOTICE);
    for (const unsigned char *q = (const unsigned char *)s; *q; q++)
        if (*q < 0x20 || *q == 0x7f)
            return perr(y, v, "'notice' must be one line without control characters");
    char why[300];
    if (dlp_policy_check_notice(s, why, sizeof(why)) != DLP_OK)
        return perr(y, v, "%s", why);
    return (r->notice = dlp_policy_strdup(p, s)) ? DLP_OK : DLP_ENOMEM;
}

static int parse_rule(dlp_yaml_t *y, yaml_node_t *v, dlp_policy_t *p, dlp_prule_t *r,
                      const char *owner, size_t index)
{
    char name[DLP_POLICY_MAX_NAME + 24]; /* unnamed rules are "profile#N" in reasons */
    snprintf(name, sizeof(name), "%s#%zu", owner, index + 1);
    if (!(r->name = dlp_policy_strdup(p, name)))
        return DLP_ENOMEM;
    if (v->type != YAML_MAPPING_NODE)
        return perr(y, v, "a policy rule must be a mapping (name, when, action, notice)");
    rule_ctx_t c = {p, r, NULL};
    int rc = DLP_OK, have_action = 0;
    DLP_YAML_FOREACH_PAIR(v, pair)
    {
        yaml_node_t *k = dlp_yaml_get(y, pair->key), *val = dlp_yaml_get(y, pair->value);
        const char *key = dlp_yaml_scalar(k), *s = dlp_yaml_scalar(val);
        int r1 = DLP_OK;
        if (!key) {
            r1 = perr(y, k, "rule keys must be values");
        } else if (strcmp(key, "name") == 0) {
            if (!valid_name(s))
                r1 = perr(y, val, "a rule name must be 1 to %d letters, digits, '_', '.' or '-'",
                          DLP_POLICY_MAX_NAME);
            else if (!(r->name = dlp_policy_strdup(p, s)))
                r1 = DLP_ENOMEM;
        } else if (strcmp(key, "when") == 0) {
            r1 = parse_when(y, val, &c);
        } else if (strcmp(key, "action") == 0) {
            have_action = 1;
            if (!s || dlp_action_from_name(s, &r->action) != DLP_OK)
                r1 = perr(y, val, "'action' must be allow, warn, quarantine, block or drop");
        } else if (strcmp(key, "notice") == 0) {
            r1 = parse_notice(y, val, p, r);
        } else {
            r1 = perr(y, k, "unknown rule key '%s' (name, when, action, notice)", key);
        }
        if ((rc = worse(rc, r1)) == DLP_ENOMEM)
            return rc;
    }
    if (!have_action)
        rc = worse(rc, perr(y, v, "the rule has no 'action'"));
    return rc;
}

/* A list of rules for the profile 'owner' ("policy" for the default one). */
static int parse_rule_list(dlp_yaml_t *y, yaml_node_t *v, dlp_policy_t *p, dlp_profile_t *pr,
                           const char *owner)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return perr(y, v, "'%s' must be a list of rules", owner);
    size_t n = seq_len(v);
    if (n == 0)
        return perr(y, v,
                    "'%s' is an empty list of rules (to allow everything, write one rule "
                    "with 'action: allow')",
                    owner);
    if (n > DLP_POLICY_MAX_RULES)
        return perr(y, v, "'%s' has more than %d rules", owner, DLP_POLICY_MAX_RULES);
    dlp_prule_t *rules = dlp_policy_alloc(p, n * sizeof(*rules));
    if (!rules)
        return DLP_ENOMEM;
    int rc = DLP_OK;
    size_t i = 0;
    DLP_YAML_FOREACH_ITEM(v, it)
    {
        yaml_node_t *node = dlp_yaml_get(y, *it);
        if ((rc = worse(rc, parse_rule(y, node, p, &rules[i], owner, i))) == DLP_ENOMEM)
            return rc;
        size_t j = 0; /* names identify rules in reasons: no two alike */
        while (j < i && strcmp(rules[i].name, rules[j].name) != 0)
            j++;
        if (j < i)
            rc = perr(y, node, "a rule named '%s' comes earlier in '%s'", rules[i].name, owner);
        i++;
    }
    pr->src = DLP_PRULES_OWN;
    pr->rules = rules;
    pr->n_rules = n;
    return rc;
}

static int ensure_policy(dlp_policy_t **policy)
{
    return *policy ? DLP_OK : dlp_policy_default(policy);
}

int dlp_policy_config_rules(dlp_yaml_t *y, yaml_node_t *v, dlp_policy_t **policy)
{
    int rc = ensure_policy(policy);
    if (rc)
        return rc;
    dlp_profile_t *def = dlp_policy_edit_profile(*policy, "default");
    if (def->src == DLP_PRULES_OWN)
        return perr(y, v, "'policy' is given twice");
    return parse_rule_list(y, v, *policy, def, "policy");
}

/* ----------------------------------------------------------- profiles */

static int parse_profile(dlp_yaml_t *y, yaml_node_t *k, yaml_node_t *v, dlp_policy_t *p)
{
    const char *name = dlp_yaml_scalar(k);
    if (!valid_name(name))
        return perr(y, k, "a profile name must be 1 to %d letters, digits, '_', '.' or '-'",
                    DLP_POLICY_MAX_NAME);
    dlp_profile_t *pr = dlp_policy_edit_profile(p, name);
    if (pr && pr->line)
        return perr(y, k, "profile '%s' is defined twice (first at line %d)", name, pr->line);
    if (!pr && dlp_policy_profile_count(p) == DLP_POLICY_MAX_PROFILES)
        return perr(y, k, "more than %d profiles", DLP_POLICY_MAX_PROFILES);
    if (!pr && !(pr = dlp_policy_add_profile(p, name)))
        return DLP_ENOMEM;
    pr->line = dlp_yaml_line(k);
    int is_default = strcmp(name, "default") == 0;
    if (v->type != YAML_MAPPING_NODE)
        return perr(y, v, "profile '%s' must be a mapping (monitor, rules)", name);
    int rc = DLP_OK;
    DLP_YAML_FOREACH_PAIR(v, pair)
    {
        yaml_node_t *pk = dlp_yaml_get(y, pair->key), *pv = dlp_yaml_get(y, pair->value);
        const char *key = dlp_yaml_scalar(pk), *s = dlp_yaml_scalar(pv);
        int r1 = DLP_OK;
        if (key && strcmp(key, "monitor") == 0) {
            if (!s || dlp_yaml_parse_bool(s, &pr->monitor) != DLP_OK)
                r1 = perr(y, pv, "'monitor' must be true or false");
        } else if (key && strcmp(key, "rules") == 0 && is_default) {
            r1 = perr(y, pk, "the default profile's rules are the top-level 'policy' key");
        } else if (key && strcmp(key, "rules") == 0) {
            if (s && strcmp(s, "default") == 0)
                pr->src = DLP_PRULES_DEFAULT;
            else if (s && strcmp(s, "builtin") == 0)
                pr->src = DLP_PRULES_BUILTIN;
            else if (s)
                r1 = perr(y, pv, "'rules' must be 'default', 'builtin' or a list of rules");
            else
                r1 = parse_rule_list(y, pv, p, pr, pr->name);
        } else {
            r1 = perr(y, pk, "unknown profile key '%s' (monitor, rules)", key ? key : "?");
        }
        if ((rc = worse(rc, r1)) == DLP_ENOMEM)
            break;
    }
    return rc;
}

int dlp_policy_config_profiles(dlp_yaml_t *y, yaml_node_t *v, dlp_policy_t **policy)
{
    int rc = ensure_policy(policy);
    if (rc)
        return rc;
    if (v->type != YAML_MAPPING_NODE)
        return perr(y, v, "'profiles' must be a mapping of profile names");
    DLP_YAML_FOREACH_PAIR(v, pair)
    {
        yaml_node_t *k = dlp_yaml_get(y, pair->key), *val = dlp_yaml_get(y, pair->value);
        if ((rc = worse(rc, parse_profile(y, k, val, *policy))) == DLP_ENOMEM)
            break;
    }
    return rc;
}
