/*
 * policy.c - the built-in default policy, and applying a profile's rules to
 * a verdict. Loading policies from the config is in policy_config.c.
 *
 * The default policy, in order (first match per recipient wins):
 *  1. a look-alike recipient is blocked: the address is almost certainly a
 *     typo of a domain mail is meant for, whatever the content; the notice
 *     names the domain it imitates so the sender can fix the address;
 *  2. marked content (FOUO, CUI, NOFORN, banners) to anyone outside the
 *     internal and protected domains is blocked;
 *  3. high-severity personal data (passport, credential, identity, medical)
 *     to an external recipient is quarantined for review;
 *  4. medium severity or worse to an external recipient warns;
 *  5. a scan cut short by a limit warns: unread content is not known clean;
 *  6. anything else is allowed.
 *
 * Every condition except the recipient's class is a property of the whole
 * message, so a rule's outcome depends only on the class: the first match is
 * worked out once per class (four at most) however many recipients there
 * are, which keeps a verdict with thousands of recipients cheap.
 */
#include "policy.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define CLS(c) (1u << DLP_CLASS_##c)
#define CAT(c) (1u << DLP_CAT_##c)

#define NOTICE_OUTSIDE                                                                             \
    "This message carries {category} content ({finding}) and {domain} is outside the domains "     \
    "it may be sent to."

static const dlp_prule_t builtin_rules[] = {
    {.name = "lookalike-recipient",
     .classes = CLS(LOOKALIKE),
     .action = DLP_ACTION_BLOCK,
     .notice = "{domain} looks like {lookalike_of} \xe2\x80\x94 check the address"},
    {.name = "marked-content-outside",
     .classes = CLS(EXTERNAL) | CLS(LOOKALIKE),
     .content = 1,
     .categories = CAT(MARKING),
     .action = DLP_ACTION_BLOCK,
     .notice = NOTICE_OUTSIDE},
    {.name = "personal-data-external",
     .classes = CLS(EXTERNAL),
     .content = 1,
     .categories = CAT(PASSPORT) | CAT(CREDENTIAL) | CAT(IDENTITY) | CAT(MEDICAL),
     .min_severity = DLP_SEV_HIGH,
     .action = DLP_ACTION_QUARANTINE,
     .notice = NOTICE_OUTSIDE},
    {.name = "sensitive-external",
     .classes = CLS(EXTERNAL),
     .content = 1,
     .min_severity = DLP_SEV_MEDIUM,
     .action = DLP_ACTION_WARN,
     .notice = NOTICE_OUTSIDE},
    {.name = "incomplete-scan",
     .incomplete = DLP_POLICY_ANY_LIMIT,
     .action = DLP_ACTION_WARN,
     .notice = "This message could not be fully inspected."},
};

const dlp_prule_t *dlp_policy_builtin(size_t *n)
{
    *n = sizeof(builtin_rules) / sizeof(builtin_rules[0]);
    return builtin_rules;
}

/* ----------------------------------------------------------------- storage */

typedef struct pblock {
    struct pblock *next;
    max_align_t data[];
} pblock_t;

struct dlp_policy {
    atomic_uint refs;
    size_t n_profiles;
    dlp_profile_t profiles[DLP_POLICY_MAX_PROFILES]; /* [0] is "default" */
    pblock_t *blocks;
};

void *dlp_policy_alloc(dlp_policy_t *p, size_t size)
{
    pblock_t *b = calloc(1, sizeof(*b) + (size ? size : 1));
    if (!b)
        return NULL;
    b->next = p->blocks;
    p->blocks = b;
    return b->data;
}

const char *dlp_policy_strdup(dlp_policy_t *p, const char *s)
{
    size_t n = strlen(s);
    char *d = dlp_policy_alloc(p, n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

dlp_profile_t *dlp_policy_add_profile(dlp_policy_t *p, const char *name)
{
    if (p->n_profiles == DLP_POLICY_MAX_PROFILES)
        return NULL;
    dlp_profile_t *pr = &p->profiles[p->n_profiles];
    memset(pr, 0, sizeof(*pr));
    if (!(pr->name = dlp_policy_strdup(p, name)))
        return NULL;
    pr->src = DLP_PRULES_DEFAULT;
    p->n_profiles++;
    return pr;
}

int dlp_policy_default(dlp_policy_t **out)
{
    *out = NULL;
    dlp_policy_t *p = calloc(1, sizeof(*p));
    if (!p)
        return DLP_ENOMEM;
    atomic_init(&p->refs, 1);
    dlp_profile_t *def = dlp_policy_add_profile(p, "default");
    if (!def) {
        dlp_policy_unref(p);
        return DLP_ENOMEM;
    }
    def->src = DLP_PRULES_BUILTIN;
    *out = p;
    return DLP_OK;
}

dlp_policy_t *dlp_policy_ref(dlp_policy_t *p)
{
    atomic_fetch_add(&p->refs, 1);
    return p;
}

void dlp_policy_unref(dlp_policy_t *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    for (pblock_t *b = p->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(p);
}

size_t dlp_policy_profile_count(const dlp_policy_t *p)
{
    return p->n_profiles;
}

/* The index of a profile, or n_profiles when there is none by that name. */
static size_t find_profile(const dlp_policy_t *p, const char *name)
{
    if (!name || !*name)
        name = "default";
    size_t i = 0;
    while (i < p->n_profiles && strcmp(p->profiles[i].name, name) != 0)
        i++;
    return i;
}

dlp_profile_t *dlp_policy_edit_profile(dlp_policy_t *p, const char *name)
{
    size_t i = find_profile(p, name);
    return i < p->n_profiles ? &p->profiles[i] : NULL;
}

const dlp_profile_t *dlp_policy_profile(const dlp_policy_t *p, const char *name)
{
    size_t i = find_profile(p, name);
    return i < p->n_profiles ? &p->profiles[i] : NULL;
}

const dlp_prule_t *dlp_policy_rules(const dlp_policy_t *p, const dlp_profile_t *pr, size_t *n)
{
    if (pr->src == DLP_PRULES_DEFAULT && pr != &p->profiles[0])
        pr = &p->profiles[0];
    if (pr->src == DLP_PRULES_OWN) {
        *n = pr->n_rules;
        return pr->rules;
    }
    return dlp_policy_builtin(n);
}

/* ----------------------------------------------------------------- senders */

int dlp_policy_sender_matches(const char *pattern, const char *mail_from)
{
    if (!mail_from)
        return 0;
    const char *s = mail_from, *e = mail_from + strlen(mail_from);
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (s < e && *s == '<' && e[-1] == '>')
        s++, e--;
    size_t len = (size_t)(e - s);
    if (strcmp(pattern, "<>") == 0)
        return len == 0;
    if (strchr(pattern, '@'))
        return len == strlen(pattern) && strncasecmp(s, pattern, len) == 0;
    const char *dom = e; /* after the last '@': a quoted local part may hold one */
    while (dom > s && dom[-1] != '@')
        dom--;
    if (dom == s)
        return 0;
    size_t dlen = (size_t)(e - dom), plen = strlen(pattern);
    if (dlen < plen || strncasecmp(e - plen, pattern, plen) != 0)
        return 0;
    return dlen == plen || e[-(ptrdiff_t)plen - 1] == '.';
}

/* ---------------------------------------------------------------- notices */

typedef enum {
    PH_DOMAIN,
    PH_RECIPIENT,
    PH_CLASS,
    PH_LOOKALIKE_OF,
    PH_TECHNIQUE,
    PH_RULE,
    PH_ACTION,
    PH_CATEGORY,
    PH_SEVERITY,
    PH_FINDING,
    PH_LIMITS,
    PH__COUNT
} placeholder_t;

static const char *const placeholder_names[PH__COUNT] = {
    "domain", "recipient", "class",    "lookalike_of", "technique", "rule",
    "action", "category",  "severity", "finding",      "limits"};

/*
 * Walks a template: calls lit() for literal text and ph() for placeholders.
 * Returns DLP_EINVAL (with err) for an unknown or unterminated placeholder.
 */
typedef void (*lit_fn)(void *arg, const char *s, size_t n);
typedef void (*ph_fn)(void *arg, placeholder_t ph);

static int walk_template(const char *t, lit_fn lit, ph_fn ph, void *arg, char *err, size_t errlen)
{
    while (*t) {
        const char *b = strpbrk(t, "{}");
        if (!b) {
            lit(arg, t, strlen(t));
            break;
        }
        lit(arg, t, (size_t)(b - t));
        if (b[0] == b[1]) { /* "{{" or "}}" */
            lit(arg, b, 1);
            t = b + 2;
            continue;
        }
        if (*b == '}') {
            lit(arg, b, 1);
            t = b + 1;
            continue;
        }
        const char *end = strchr(b, '}');
        if (!end) {
            snprintf(err, errlen, "unterminated '{' in notice (write '{{' for a brace)");
            return DLP_EINVAL;
        }
        size_t n = (size_t)(end - b - 1), i = 0;
        while (i < PH__COUNT &&
               (strlen(placeholder_names[i]) != n || strncmp(placeholder_names[i], b + 1, n) != 0))
            i++;
        if (i == PH__COUNT) {
            snprintf(err, errlen,
                     "unknown placeholder '{%.*s}' in notice (known: domain, recipient, class, "
                     "lookalike_of, technique, rule, action, category, severity, finding, limits)",
                     (int)(n > 40 ? 40 : n), b + 1);
            return DLP_EINVAL;
        }
        ph(arg, (placeholder_t)i);
        t = end + 1;
    }
    return DLP_OK;
}

static void nop_lit(void *arg, const char *s, size_t n)
{
    (void)arg, (void)s, (void)n;
}

static void nop_ph(void *arg, placeholder_t ph)
{
    (void)arg, (void)ph;
}

int dlp_policy_check_notice(const char *tmpl, char *err, size_t errlen)
{
    return walk_template(tmpl, nop_lit, nop_ph, NULL, err, errlen);
}

/* ------------------------------------------------------------- evaluation */

/* What made a rule hold, for reasons and notices. */
typedef struct why {
    const dlp_finding_t *finding; /* the content condition's finding */
    uint32_t limits;              /* the incomplete condition's limits */
    const dlp_attachment_t *att;  /* the attachment condition's attachment */
    uint32_t att_flags;           /* ... and its flags that matched */
    int sender;                   /* the sender condition held */
} why_t;

typedef struct decision {
    int known;
    const dlp_prule_t *rule; /* NULL: no rule matched, allow */
    size_t index;
    why_t why;
} decision_t;

typedef struct eval {
    const dlp_verdict_t *v;
    const char *mail_from;
    const dlp_prule_t *rules;
    size_t n_rules;
    decision_t per_class[DLP_CLASS_EXTERNAL + 1];
} eval_t;

/* The most severe finding that satisfies r's content condition, or NULL. */
static const dlp_finding_t *content_match(const dlp_prule_t *r, const dlp_verdict_t *v)
{
    const dlp_finding_t *best = NULL;
    for (size_t i = 0; i < v->n_findings; i++) {
        const dlp_finding_t *f = &v->findings[i];
        if (r->categories && !(r->categories & (1u << f->category)))
            continue;
        if (f->severity >= r->min_severity && (!best || f->severity > best->severity))
            best = f;
    }
    return best;
}

static const dlp_attachment_t *attachment_match(const dlp_prule_t *r, const dlp_verdict_t *v)
{
    for (size_t i = 0; i < v->n_attachments; i++)
        if (v->attachments[i].flags & r->attachments)
            return &v->attachments[i];
    return NULL;
}

static int sender_match(const dlp_prule_t *r, const char *mail_from)
{
    for (size_t i = 0; i < r->n_senders; i++)
        if (dlp_policy_sender_matches(r->senders[i], mail_from))
            return 1;
    return 0;
}

static int rule_holds(const dlp_prule_t *r, const eval_t *ev, dlp_class_t cls, why_t *why)
{
    const dlp_verdict_t *v = ev->v;
    memset(why, 0, sizeof(*why));
    if (r->classes && !(r->classes & (1u << cls)))
        return 0;
    if (r->min_score && v->score < r->min_score)
        return 0;
    if (r->content && !(why->finding = content_match(r, v)))
        return 0;
    if (r->attachments) {
        if (!(why->att = attachment_match(r, v)))
            return 0;
        why->att_flags = why->att->flags & r->attachments;
    }
    if (r->incomplete && !(why->limits = r->incomplete & v->incomplete))
        return 0;
    if (r->n_senders && !(why->sender = sender_match(r, ev->mail_from)))
        return 0;
    return 1;
}

static const decision_t *decide(eval_t *ev, dlp_class_t cls)
{
    decision_t *d = &ev->per_class[cls];
    if (d->known)
        return d;
    d->known = 1;
    for (size_t i = 0; i < ev->n_rules; i++)
        if (rule_holds(&ev->rules[i], ev, cls, &d->why)) {
            d->rule = &ev->rules[i];
            d->index = i;
            return d;
        }
    memset(&d->why, 0, sizeof(d->why));
    return d;
}

/* ------------------------------------------------------------ explaining */

/* A bounded string builder; output past the end is dropped. */
typedef struct sbuf {
    char *p;
    size_t n, size;
} sbuf_t;

static void sb_add(void *arg, const char *s, size_t n)
{
    sbuf_t *b = arg;
    size_t room = b->size - 1 - b->n;
    if (n > room)
        n = room;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_str(sbuf_t *b, const char *s)
{
    sb_add(b, s ? s : "", s ? strlen(s) : 0);
}

static void sb_limits(sbuf_t *b, uint32_t limits)
{
    int first = 1;
    for (int l = 0; l < DLP_LIMIT__COUNT; l++)
        if (limits & (1u << l)) {
            sb_str(b, first ? "" : ", ");
            sb_str(b, dlp_limit_name((dlp_limit_t)l));
            first = 0;
        }
}

/* DLP_ATT_* flag names, bit 0 first; NULL: not a policy condition. */
static const char *const att_flag_names[] = {"type_mismatch", "encrypted", NULL,
                                             "truncated",     "gps",       "medical_image"};

int dlp_policy_att_flag_from_name(const char *name, uint32_t *flag)
{
    for (size_t i = 0; i < sizeof(att_flag_names) / sizeof(att_flag_names[0]); i++)
        if (att_flag_names[i] && strcmp(att_flag_names[i], name) == 0) {
            *flag = 1u << i;
            return DLP_OK;
        }
    return DLP_EINVAL;
}

static void sb_att_flags(sbuf_t *b, uint32_t flags)
{
    int first = 1;
    for (size_t i = 0; i < sizeof(att_flag_names) / sizeof(att_flag_names[0]); i++)
        if ((flags & (1u << i)) && att_flag_names[i]) {
            sb_str(b, first ? "" : ", ");
            sb_str(b, att_flag_names[i]);
            first = 0;
        }
}

/* "marking.fouo; incomplete: mime_depth": what made the rule hold. */
static void explain_why(sbuf_t *b, const why_t *w)
{
    const char *sep = "";
    if (w->finding) {
        sb_str(b, w->finding->rule_id);
        sep = "; ";
    }
    if (w->att) {
        sb_str(b, sep);
        sb_str(b, "attachment ");
        sb_att_flags(b, w->att_flags);
        sep = "; ";
    }
    if (w->limits) {
        sb_str(b, sep);
        sb_str(b, "incomplete: ");
        sb_limits(b, w->limits);
        sep = "; ";
    }
    if (w->sender) {
        sb_str(b, sep);
        sb_str(b, "sender");
    }
}

/* The recipient a notice speaks of; addr NULL is the stand-in external one. */
typedef struct nctx {
    sbuf_t *out;
    const dlp_recipient_t *rcpt;
    const dlp_verdict_t *v;
    const decision_t *d;
} nctx_t;

static void notice_ph(void *arg, placeholder_t ph)
{
    nctx_t *c = arg;
    const dlp_recipient_t *r = c->rcpt;
    const dlp_finding_t *f = c->d->why.finding;
    const char *dom = r ? strrchr(r->address, '@') : NULL;
    switch (ph) {
    case PH_DOMAIN:
        sb_str(c->out, dom ? dom + 1 : r ? r->address : "an unknown recipient");
        break;
    case PH_RECIPIENT:
        sb_str(c->out, r ? r->address : "an unknown recipient");
        break;
    case PH_CLASS:
        sb_str(c->out, dlp_class_name(r ? r->cls : DLP_CLASS_EXTERNAL));
        break;
    case PH_LOOKALIKE_OF:
        sb_str(c->out, r ? r->lookalike_of : NULL);
        break;
    case PH_TECHNIQUE:
        sb_str(c->out, r ? r->technique : NULL);
        break;
    case PH_RULE:
        sb_str(c->out, c->d->rule->name);
        break;
    case PH_ACTION:
        sb_str(c->out, dlp_action_name(c->d->rule->action));
        break;
    case PH_CATEGORY:
        sb_str(c->out, f ? dlp_category_name(f->category) : NULL);
        break;
    case PH_SEVERITY:
        sb_str(c->out, f ? dlp_severity_name(f->severity) : NULL);
        break;
    case PH_FINDING:
        sb_str(c->out, f ? f->rule_id : NULL);
        break;
    case PH_LIMITS:
        sb_limits(c->out, c->v->incomplete);
        break;
    case PH__COUNT:
        break;
    }
}

static void notice_lit(void *arg, const char *s, size_t n)
{
    sb_add(((nctx_t *)arg)->out, s, n);
}

static const char *expand_notice(dlp_vb_t *vb, const decision_t *d, const dlp_recipient_t *r)
{
    char buf[1024], err[160];
    sbuf_t b = {buf, 0, sizeof(buf)};
    buf[0] = 0;
    nctx_t c = {&b, r, dlp_vb_verdict(vb), d};
    /* Templates were checked when loaded; a failure here leaves what was built. */
    (void)walk_template(d->rule->notice, notice_lit, notice_ph, &c, err, sizeof(err));
    return dlp_vb_strdup(vb, buf, b.n);
}

static const unsigned severity_weight[] = {5, 15, 35, 60};

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
    for (size_t i = 0; i < v->n_recipients; i++) {
        const dlp_recipient_t *r = &v->recipients[i];
        if (r->cls != DLP_CLASS_LOOKALIKE)
            continue;
        const char *dom = strrchr(r->address, '@');
        score += 50;
        if (dlp_vb_add_reason(vb, "+50 look-alike recipient: %s looks like %s",
                              dom ? dom + 1 : r->address,
                              r->lookalike_of ? r->lookalike_of : "a protected domain"))
            return DLP_ENOMEM;
        break;
    }
    if (v->incomplete) {
        char buf[256];
        sbuf_t b = {buf, 0, sizeof(buf)};
        buf[0] = 0;
        sb_limits(&b, v->incomplete);
        score += 10;
        if (dlp_vb_add_reason(vb, "+10 incomplete scan: limit %s hit", buf))
            return DLP_ENOMEM;
    }
    v->score = score > 100 ? 100 : score;
    return DLP_OK;
}

/* ----------------------------------------------------------------- apply */

/* How strongly a decision speaks to the sender: drop outranks warn. */
static int notice_rank(dlp_action_t a)
{
    static const int rank[] = {0, 1, 3, 4, 2}; /* allow warn quarantine block drop */
    return (size_t)a < sizeof(rank) / sizeof(rank[0]) ? rank[a] : 0;
}

static int recipient_reason(dlp_vb_t *vb, const dlp_recipient_t *r, const decision_t *d)
{
    char buf[512];
    sbuf_t b = {buf, 0, sizeof(buf)};
    buf[0] = 0;
    explain_why(&b, &d->why);
    char who[400];
    if (r)
        snprintf(who, sizeof(who), "recipient %s (%s)", r->address, dlp_class_name(r->cls));
    else
        snprintf(who, sizeof(who), "no recipient known, treated as external");
    return dlp_vb_add_reason(vb, "%s: %s by policy rule %s%s%s%s", who,
                             dlp_action_name(d->rule->action), d->rule->name, b.n ? " (" : "", buf,
                             b.n ? ")" : "");
}

typedef struct outcome {
    dlp_action_t worst;       /* most severe non-drop action */
    size_t decided, dropped;  /* recipients judged, and dropped */
    const decision_t *notice; /* the decision the notice comes from */
    const dlp_recipient_t *notice_rcpt;
} outcome_t;

static int judge(dlp_vb_t *vb, eval_t *ev, const dlp_recipient_t *r, outcome_t *o,
                 dlp_action_t *action)
{
    const decision_t *d = decide(ev, r ? r->cls : DLP_CLASS_EXTERNAL);
    o->decided++;
    *action = d->rule ? d->rule->action : DLP_ACTION_ALLOW;
    if (*action == DLP_ACTION_DROP)
        o->dropped++;
    else if (*action > o->worst)
        o->worst = *action;
    if (!d->rule)
        return DLP_OK;
    if (d->rule->notice) {
        const decision_t *n = o->notice;
        int better =
            !n || notice_rank(d->rule->action) > notice_rank(n->rule->action) ||
            (notice_rank(d->rule->action) == notice_rank(n->rule->action) && d->index < n->index);
        if (better) {
            o->notice = d;
            o->notice_rcpt = r;
        }
    }
    return recipient_reason(vb, r, d);
}

static int monitor_mode(dlp_vb_t *vb, const char *profile)
{
    dlp_verdict_t *v = dlp_vb_verdict(vb);
    for (size_t i = 0; i < v->n_recipients; i++)
        dlp_vb_recipient(vb, i)->action = DLP_ACTION_ALLOW;
    if (dlp_vb_add_reason(vb,
                          "monitor mode (profile %s): the policy decided %s; every action is "
                          "reported as allow",
                          profile, dlp_action_name(v->would_action)))
        return DLP_ENOMEM;
    if (v->notice) {
        if (dlp_vb_add_reason(vb, "monitor mode: sender notice withheld: %s", v->notice))
            return DLP_ENOMEM;
        v->notice = NULL;
    }
    v->action = DLP_ACTION_ALLOW;
    return DLP_OK;
}

int dlp_policy_apply(const dlp_policy_t *p, const char *profile, const char *mail_from,
                     dlp_vb_t *vb)
{
    const dlp_profile_t *pr = dlp_policy_profile(p, profile);
    if (!pr)
        return DLP_EPROFILE;
    dlp_verdict_t *v = dlp_vb_verdict(vb);
    /* The verdict may outlive the engine and its policy: copy the name. */
    if (!(v->profile = dlp_vb_strdup(vb, pr->name, strlen(pr->name))))
        return DLP_ENOMEM;
    v->monitor = pr->monitor;
    if (explain_score(vb))
        return DLP_ENOMEM;

    eval_t ev = {.v = v, .mail_from = mail_from};
    ev.rules = dlp_policy_rules(p, pr, &ev.n_rules);
    outcome_t o = {.worst = DLP_ACTION_ALLOW};
    dlp_action_t a;
    for (size_t i = 0; i < v->n_recipients; i++) {
        if (judge(vb, &ev, &v->recipients[i], &o, &a))
            return DLP_ENOMEM;
        dlp_vb_recipient(vb, i)->action = a;
    }
    if (v->n_recipients == 0 && judge(vb, &ev, NULL, &o, &a))
        return DLP_ENOMEM;
    if (o.decided && o.dropped == o.decided) {
        o.worst = DLP_ACTION_BLOCK;
        if (dlp_vb_add_reason(vb, "every recipient was dropped: the message is blocked"))
            return DLP_ENOMEM;
    }
    v->action = v->would_action = o.worst;
    if (o.notice && !(v->notice = expand_notice(vb, o.notice, o.notice_rcpt)))
        return DLP_ENOMEM;
    return pr->monitor ? monitor_mode(vb, pr->name) : DLP_OK;
}
