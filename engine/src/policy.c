/*
 * policy.c - ordered policy rules and the default policy.
 *
 * The default policy, in order (first match per recipient wins):
 *  1. a look-alike recipient is blocked: the address is almost certainly a
 *     typo of a domain mail is meant for, whatever the content;
 *  2. marked content (FOUO, CUI, NOFORN, banners) to anyone outside the
 *     internal and protected domains is blocked;
 *  3. high-severity personal data (passport, credential, identity, medical)
 *     to an external recipient is quarantined for review;
 *  4. medium severity or worse to an external recipient warns;
 *  5. a scan cut short by a limit warns: unread content is not known clean;
 *  6. anything else is allowed.
 */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CLS(c) (1u << DLP_CLASS_##c)
#define CAT(c) (1u << DLP_CAT_##c)

typedef struct prule {
    const char *name;
    uint32_t classes;    /* recipient classes it applies to; 0 = any */
    int need_finding;    /* a finding must match categories/min_sev */
    uint32_t categories; /* 0 = any category */
    dlp_severity_t min_sev;
    int need_incomplete;
    dlp_action_t action;
} prule_t;

struct dlp_policy {
    const prule_t *rules;
    size_t n_rules;
};

static const prule_t default_rules[] = {
    {"lookalike-recipient", CLS(LOOKALIKE), 0, 0, DLP_SEV_LOW, 0, DLP_ACTION_BLOCK},
    {"marked-content-outside", CLS(EXTERNAL) | CLS(LOOKALIKE), 1, CAT(MARKING), DLP_SEV_LOW, 0,
     DLP_ACTION_BLOCK},
    {"personal-data-external", CLS(EXTERNAL), 1,
     CAT(PASSPORT) | CAT(CREDENTIAL) | CAT(IDENTITY) | CAT(MEDICAL), DLP_SEV_HIGH, 0,
     DLP_ACTION_QUARANTINE},
    {"sensitive-external", CLS(EXTERNAL), 1, 0, DLP_SEV_MEDIUM, 0, DLP_ACTION_WARN},
    {"incomplete-scan", 0, 0, 0, DLP_SEV_LOW, 1, DLP_ACTION_WARN},
};

int dlp_policy_default(dlp_policy_t **out)
{
    dlp_policy_t *p = calloc(1, sizeof(*p));
    if (!p)
        return DLP_ENOMEM;
    p->rules = default_rules;
    p->n_rules = sizeof(default_rules) / sizeof(default_rules[0]);
    *out = p;
    return DLP_OK;
}

void dlp_policy_free(dlp_policy_t *p)
{
    free(p);
}

static const unsigned severity_weight[] = {5, 15, 35, 60};

/* The first finding that satisfies r's content condition, or NULL. */
static const dlp_finding_t *content_match(const prule_t *r, const dlp_verdict_t *v)
{
    for (size_t i = 0; i < v->n_findings; i++) {
        const dlp_finding_t *f = &v->findings[i];
        if ((!r->categories || (r->categories & (1u << f->category))) && f->severity >= r->min_sev)
            return f;
    }
    return NULL;
}

/* First rule that holds for a recipient of class cls; *why gets its finding. */
static const prule_t *first_match(const dlp_policy_t *p, const dlp_verdict_t *v, dlp_class_t cls,
                                  const dlp_finding_t **why)
{
    for (size_t i = 0; i < p->n_rules; i++) {
        const prule_t *r = &p->rules[i];
        *why = NULL;
        if (r->classes && !(r->classes & (1u << cls)))
            continue;
        if (r->need_incomplete && !v->incomplete)
            continue;
        if (r->need_finding && !(*why = content_match(r, v)))
            continue;
        return r;
    }
    return NULL;
}

static int explain_score(dlp_vb_t *vb)
{
    dlp_verdict_t *v = dlp_vb_verdict(vb);
    unsigned score = 0;
    for (size_t i = 0; i < v->n_findings; i++) {
        const dlp_finding_t *f = &v->findings[i];
        int seen = 0; /* one weight per rule, however many surfaces it hit */
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(v->findings[j].rule_id, f->rule_id) == 0;
        if (seen)
            continue;
        score += severity_weight[f->severity];
        if (dlp_vb_add_reason(vb, "+%u %s: %s content (%s) in %s", severity_weight[f->severity],
                              f->rule_id, dlp_category_name(f->category),
                              dlp_severity_name(f->severity), f->where))
            return DLP_ENOMEM;
    }
    for (size_t i = 0; i < v->n_recipients; i++)
        if (v->recipients[i].cls == DLP_CLASS_LOOKALIKE) {
            score += 50;
            break;
        }
    if (v->incomplete)
        score += 10;
    v->score = score > 100 ? 100 : score;
    return DLP_OK;
}

static int set_notice(dlp_vb_t *vb, const prule_t *r, const dlp_finding_t *f, const char *addr)
{
    dlp_verdict_t *v = dlp_vb_verdict(vb);
    if (v->notice)
        return DLP_OK;
    const char *dom = addr ? strrchr(addr, '@') : NULL;
    dom = dom ? dom + 1 : addr ? addr : "an unknown recipient";
    if (r->need_finding && f)
        v->notice = dlp_vb_printf(vb,
                                  "This message carries %s content (%s) and %s is outside the "
                                  "domains it may be sent to.",
                                  dlp_category_name(f->category), f->rule_id, dom);
    else if (r->need_incomplete)
        v->notice = dlp_vb_printf(vb, "This message could not be fully inspected.");
    return DLP_OK;
}

static int decide_recipient(dlp_vb_t *vb, const dlp_policy_t *p, const char *addr, dlp_class_t cls,
                            dlp_action_t *action)
{
    const dlp_verdict_t *v = dlp_vb_verdict(vb);
    const dlp_finding_t *why = NULL;
    const prule_t *r = first_match(p, v, cls, &why);
    *action = r ? r->action : DLP_ACTION_ALLOW;
    if (!r)
        return DLP_OK;
    if (dlp_vb_add_reason(vb, "%s %s (%s): %s by policy rule %s%s%s%s",
                          addr ? "recipient" : "no recipient known, treated as", addr ? addr : "",
                          dlp_class_name(cls), dlp_action_name(r->action), r->name, why ? " (" : "",
                          why ? why->rule_id : "", why ? ")" : ""))
        return DLP_ENOMEM;
    return r->action >= DLP_ACTION_WARN ? set_notice(vb, r, why, addr) : DLP_OK;
}

int dlp_policy_apply(const dlp_policy_t *p, const char *profile, dlp_vb_t *vb)
{
    if (profile && *profile && strcmp(profile, "default") != 0)
        return DLP_EPROFILE;
    dlp_verdict_t *v = dlp_vb_verdict(vb);
    v->profile = "default";
    if (explain_score(vb))
        return DLP_ENOMEM;
    dlp_action_t worst = DLP_ACTION_ALLOW, a;
    for (size_t i = 0; i < v->n_recipients; i++) {
        dlp_recipient_t *r = dlp_vb_recipient(vb, i);
        if (r->cls == DLP_CLASS_LOOKALIKE && r->lookalike_of && !v->notice) {
            const char *dom = strrchr(r->address, '@');
            v->notice = dlp_vb_printf(vb, "%s looks like %s \xe2\x80\x94 check the address",
                                      dom ? dom + 1 : r->address, r->lookalike_of);
        }
        if (decide_recipient(vb, p, r->address, r->cls, &a))
            return DLP_ENOMEM;
        r->action = a;
        if (a > worst && a != DLP_ACTION_DROP)
            worst = a;
    }
    if (v->n_recipients == 0) {
        if (decide_recipient(vb, p, NULL, DLP_CLASS_EXTERNAL, &a))
            return DLP_ENOMEM;
        worst = a;
    }
    v->action = v->would_action = worst;
    return DLP_OK;
}
