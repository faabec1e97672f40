/*
 * scan.c - dlp_scan: one message through the engine.
 *
 * Flow: read the message into surfaces (message.c); run the fast Hyperscan
 * database over each surface, aggregating matches into one finding per
 * (rule, surface); for each new finding, run the start-of-match database
 * over just the bytes before its first match to place it and cut a redacted
 * snippet; classify recipients; let the policy decide. Match callbacks do
 * constant work; everything costly runs once per finding, not per match.
 */
#include <hs/hs.h>
#include <magic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dlp/rules.h"
#include "engine.h"
#include "message.h"
#include "pdfproc.h"
#include "util.h"
#include "verdict.h"

#define SOM_WINDOW     4096 /* most bytes searched back for a match's start */
#define DEADLINE_EVERY 1024 /* matches between clock checks in a callback */
#define SNIPPET_MAX    64

#define MAX_CANDIDATES 65536 /* matches of checked rules held per surface */

typedef struct pending {
    uint64_t last_end;    /* end of the last counted match of this rule */
    uint64_t first_start; /* valid when placed */
    uint64_t first_end;
    uint32_t pattern; /* pattern of the first match */
    int32_t finding;  /* index in the verdict, -1 when none yet */
    int placed;       /* first_start is known */
} pending_t;

/* A match of a checked rule, confirmed after the surface's scan. */
typedef struct candidate {
    uint64_t from, to;
    uint32_t pattern;
} candidate_t;

struct dlp_scanner {
    hs_scratch_t *scratch;
    uint64_t fitted_generation;
    pending_t *pend; /* per rule, for the surface being scanned */
    size_t cap_pend;
    candidate_t *cand;
    size_t n_cand, cap_cand;
    magic_t magic;      /* libmagic is not thread-safe: one handle per scanner */
    dlp_pdfproc_t *pdf; /* this scanner's PDF helper process, made on its first PDF */
};

int dlp_scanner_new(dlp_scanner_t **out)
{
    dlp_scanner_t *s = calloc(1, sizeof(dlp_scanner_t));
    if (!s)
        return DLP_ENOMEM;
    /* Types come from content only; compressed data is typed, not opened. */
    s->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (!s->magic || magic_load(s->magic, NULL) != 0) {
        if (s->magic)
            magic_close(s->magic);
        free(s);
        return DLP_EIO;
    }
    if (dlp_pdfproc_new(&s->pdf)) {
        magic_close(s->magic);
        free(s);
        return DLP_ENOMEM;
    }
    *out = s;
    return DLP_OK;
}

void dlp_scanner_free(dlp_scanner_t *s)
{
    if (!s)
        return;
    dlp_pdfproc_free(s->pdf);
    hs_free_scratch(s->scratch);
    magic_close(s->magic);
    free(s->pend);
    free(s->cand);
    free(s);
}

/* Makes the scratch big enough for this engine's databases. */
static int fit_scratch(dlp_scanner_t *s, const dlp_engine_t *e)
{
    if (s->fitted_generation == e->generation)
        return DLP_OK;
    if (hs_alloc_scratch(e->hs.db, &s->scratch) != HS_SUCCESS)
        return DLP_EHS;
    if (e->hs.som_db && hs_alloc_scratch(e->hs.som_db, &s->scratch) != HS_SUCCESS)
        return DLP_EHS;
    if (e->hs.exclude_db && hs_alloc_scratch(e->hs.exclude_db, &s->scratch) != HS_SUCCESS)
        return DLP_EHS;
    if (DLP_GROW(s->pend, s->cap_pend, e->rules.n_rules))
        return DLP_ENOMEM;
    s->fitted_generation = e->generation;
    return DLP_OK;
}

typedef struct scan_ctx {
    const dlp_scan_input_t *in; /* NULL for dlp_scan_text */
    dlp_scanner_t *s;
    const dlp_engine_t *e;
    dlp_vb_t *vb;
    const dlp_surface_t *surf;
    uint64_t deadline_ns;
    uint32_t matches;
    int timed_out;
    int oom;
} scan_ctx_t;

/*
 * A new finding in the verdict, within the message's findings limit: NULL
 * when the limit is reached (the verdict is marked incomplete) or, with
 * *oom set, when memory ran out.
 */
static dlp_finding_t *add_finding(dlp_vb_t *vb, uint64_t max_findings, int *oom)
{
    dlp_verdict_t *v = dlp_vb_verdict(vb);
    if (v->n_findings >= max_findings) {
        v->incomplete |= 1u << DLP_LIMIT_FINDINGS;
        return NULL;
    }
    dlp_finding_t *f = dlp_vb_add_finding(vb);
    if (!f)
        *oom = 1;
    return f;
}

/* Opens the finding of rule r in this surface; NULL when the findings limit is hit. */
static dlp_finding_t *open_finding(scan_ctx_t *c, const dlp_rule_t *r, pending_t *pd,
                                   unsigned pattern)
{
    dlp_finding_t *f = add_finding(c->vb, c->e->limits.v[DLP_LIMIT_FINDINGS], &c->oom);
    if (!f)
        return NULL;
    f->rule_id = r->id; /* copied into the verdict by finish_surface */
    f->category = r->category;
    f->severity = r->severity;
    f->part = c->surf->part;
    f->count = 1;
    pd->finding = (int32_t)(dlp_vb_verdict(c->vb)->n_findings - 1);
    pd->pattern = pattern;
    return f;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *arg)
{
    scan_ctx_t *c = arg;
    const dlp_pattern_t *p = &c->e->rules.patterns[id];
    const dlp_rule_t *r = &c->e->rules.rules[p->rule];
    if (!(r->scope & (1u << c->surf->part)))
        return 0;
    if (c->deadline_ns && ++c->matches % DEADLINE_EVERY == 0 && dlp_now_ns() > c->deadline_ns) {
        c->timed_out = 1;
        return 1;
    }
    if (r->confirm) {
        dlp_scanner_t *s = c->s;
        if (s->n_cand >= MAX_CANDIDATES) {
            dlp_vb_verdict(c->vb)->incomplete |= 1u << DLP_LIMIT_FINDINGS;
            return 0;
        }
        if (DLP_GROW(s->cand, s->cap_cand, s->n_cand + 1)) {
            c->oom = 1;
            return 1;
        }
        s->cand[s->n_cand++] = (candidate_t){c->e->hs.som_main[id] ? from : UINT64_MAX, to, id};
        return 0;
    }
    pending_t *pd = &c->s->pend[p->rule];
    if (pd->finding >= 0) {
        /*
         * Without start offsets, one long match is reported at each of its
         * ends. Ends that follow each other closer than the pattern's minimum
         * width are one match: the chain extends it (and the first match's
         * extent, for its snippet); a gap starts the next match.
         */
        if (to >= pd->last_end + p->min_width) {
            dlp_vb_finding(c->vb, (size_t)pd->finding)->count++;
        } else if (pd->last_end == pd->first_end) {
            pd->first_end = to;
        }
        pd->last_end = to;
        return 0;
    }
    if (!open_finding(c, r, pd, id))
        return c->oom;
    pd->last_end = pd->first_end = to;
    pd->placed = 0;
    return 0;
}

typedef struct som_ctx {
    unsigned want;
    unsigned long long end, start;
    int found;
} som_ctx_t;

static int on_som(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *arg)
{
    som_ctx_t *c = arg;
    if (id == c->want && to == c->end && (!c->found || from < c->start)) {
        c->start = from;
        c->found = 1;
    }
    return 0;
}

/*
 * Where the match of pattern pid that ends at 'end' starts. When the start
 * cannot be found exactly (the pattern has no start-of-match form), *window
 * gets the widest start it could have, and the return value is a narrow guess.
 */
static uint64_t match_start(scan_ctx_t *c, unsigned pid, uint64_t end, uint64_t *window)
{
    const dlp_pattern_t *p = &c->e->rules.patterns[pid];
    uint64_t back = p->max_width < SOM_WINDOW ? p->max_width : SOM_WINDOW;
    uint64_t ws = end > back ? end - back : 0;
    if (c->e->hs.som_db && c->e->hs.som_ok[pid]) {
        som_ctx_t sc = {.want = pid, .end = end - ws};
        hs_scan(c->e->hs.som_db, (const char *)c->surf->data + ws, (unsigned)(end - ws), 0,
                c->s->scratch, on_som, &sc);
        if (sc.found)
            return *window = ws + sc.start;
    }
    *window = ws;
    uint64_t guess = p->min_width;
    return end > guess ? end - guess : 0;
}

static int is_alnum(uint8_t ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/*
 * A snippet shows the shape of a match, never its content: a marking is a
 * label and is shown as written; anything else keeps only its first two
 * letters or digits (a label like "pa" of password, a card's brand digits)
 * and masks every other character but common separators. Bytes outside printable ASCII
 * become '?', so snippets are always valid UTF-8 and never carry control
 * characters into logs or headers.
 */
static const char *make_snippet(dlp_vb_t *vb, const dlp_finding_t *f, const uint8_t *d, size_t n)
{
    char buf[SNIPPET_MAX + 4];
    size_t k = 0, seen = 0;
    if (n > SNIPPET_MAX)
        n = SNIPPET_MAX;
    int mask = f->category != DLP_CAT_MARKING;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = d[i];
        if (is_alnum(ch)) {
            seen++;
            buf[k++] = !mask || seen <= 2 ? (char)ch : '*';
        } else if (ch == '\r' || ch == '\n' || ch == '\t') {
            if (k && buf[k - 1] != ' ')
                buf[k++] = ' ';
        } else if (mask && !strchr(" :=-/.,@()", ch)) {
            buf[k++] = '*'; /* symbols are part of a secret too */
        } else {
            buf[k++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
        }
    }
    return dlp_vb_strdup(vb, buf, k);
}

struct exclude_arg {
    const dlp_ruleset_t *rs;
    uint32_t rule;
    int hit;
};

static int on_exclude(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                      void *arg)
{
    struct exclude_arg *x = arg;
    if (x->rs->excludes[id].rule == x->rule) {
        x->hit = 1;
        return 1;
    }
    return 0;
}

/* 1 when the text d[0..n) matches one of rule ri's exclude patterns in full. */
static int excluded(scan_ctx_t *c, uint32_t ri, const uint8_t *d, size_t n)
{
    if (!c->e->hs.exclude_db)
        return 0;
    struct exclude_arg x = {&c->e->rules, ri, 0};
    hs_scan(c->e->hs.exclude_db, (const char *)d, (unsigned)n, 0, c->s->scratch, on_exclude, &x);
    return x.hit;
}

/* 1 when one of the rule's context words stands within its window of [start, end). */
static int context_ok(const dlp_rule_t *r, const uint8_t *d, size_t n, uint64_t start, uint64_t end)
{
    size_t lo = start > r->context_window ? start - r->context_window : 0;
    size_t hi = end + r->context_window < n ? end + r->context_window : n;
    for (size_t w = 0; w < r->n_context; w++) {
        const char *word = r->context[w];
        size_t wl = strlen(word);
        for (size_t i = lo; i + wl <= hi; i++) {
            if (dlp_lower((char)d[i]) != word[0] || strncasecmp((const char *)d + i, word, wl))
                continue;
            int left = i == 0 || !is_alnum(d[i - 1]);
            int right = i + wl >= n || !is_alnum(d[i + wl]);
            if (left && right)
                return 1;
        }
    }
    return 0;
}

/* Checks each held match of the checked rules; confirmed ones count. */
static int confirm_candidates(scan_ctx_t *c)
{
    const dlp_ruleset_t *rs = &c->e->rules;
    const uint8_t *d = c->surf->data;
    for (size_t i = 0; i < c->s->n_cand && !c->oom; i++) {
        const candidate_t *k = &c->s->cand[i];
        uint32_t ri = rs->patterns[k->pattern].rule;
        const dlp_rule_t *r = &rs->rules[ri];
        pending_t *pd = &c->s->pend[ri];
        /* Checks get the widest text the match can have when its start is
           not known exactly: validators read the value at its end. */
        uint64_t start = k->from;
        if (start == UINT64_MAX)
            match_start(c, k->pattern, k->to, &start);
        if (pd->finding >= 0 && start < pd->last_end)
            continue; /* overlaps a match already counted */
        size_t len = (size_t)(k->to - start);
        if (excluded(c, ri, d + start, len) || (r->validate && !r->validate(d + start, len)) ||
            (r->n_context && !context_ok(r, d, c->surf->len, start, k->to)))
            continue;
        if (pd->finding >= 0) {
            dlp_vb_finding(c->vb, (size_t)pd->finding)->count++;
        } else if (open_finding(c, r, pd, k->pattern)) {
            pd->first_start = start;
            pd->first_end = k->to;
            pd->placed = 1;
        } else {
            continue;
        }
        pd->last_end = k->to;
    }
    c->s->n_cand = 0;
    return c->oom ? DLP_ENOMEM : DLP_OK;
}

/* After a surface: drop findings under min_count, place and describe the rest. */
static int finish_surface(scan_ctx_t *c, size_t first)
{
    dlp_verdict_t *v = dlp_vb_verdict(c->vb);
    const dlp_ruleset_t *rs = &c->e->rules;
    size_t keep = first;
    for (size_t i = first; i < v->n_findings; i++) {
        dlp_finding_t f = *dlp_vb_finding(c->vb, i);
        const pending_t *pd = NULL;
        for (size_t r = 0; r < rs->n_rules && !pd; r++)
            if (c->s->pend[r].finding == (int32_t)i)
                pd = &c->s->pend[r];
        const dlp_rule_t *rule = &rs->rules[rs->patterns[pd->pattern].rule];
        if (f.count < rule->min_count)
            continue;
        uint64_t end = pd->first_end;
        uint64_t window;
        f.offset = pd->placed ? pd->first_start : match_start(c, pd->pattern, end, &window);
        f.rule_id = dlp_vb_strdup(c->vb, rule->id, strlen(rule->id));
        f.where = dlp_vb_strdup(c->vb, c->surf->where, strlen(c->surf->where));
        f.snippet = c->e->snippets_off ? ""
                                       : make_snippet(c->vb, &f, c->surf->data + f.offset,
                                                      (size_t)(end - f.offset));
        if (!f.rule_id || !f.where || !f.snippet)
            return DLP_ENOMEM;
        *dlp_vb_finding(c->vb, keep++) = f;
        if (c->in && c->in->explain)
            c->in->explain(c->in->explain_arg, &f, c->surf->data, c->surf->len);
    }
    while (v->n_findings > keep)
        dlp_vb_drop_last_finding(c->vb);
    return DLP_OK;
}

static int scan_surface(scan_ctx_t *c, const dlp_surface_t *surf)
{
    c->surf = surf;
    c->s->n_cand = 0;
    for (size_t r = 0; r < c->e->rules.n_rules; r++)
        c->s->pend[r].finding = -1;
    size_t first = dlp_vb_verdict(c->vb)->n_findings;
    hs_error_t err = hs_scan(c->e->hs.db, (const char *)surf->data, (unsigned)surf->len, 0,
                             c->s->scratch, on_match, c);
    if (c->oom)
        return DLP_ENOMEM;
    if (err != HS_SUCCESS && err != HS_SCAN_TERMINATED)
        return DLP_EHS;
    int rc = confirm_candidates(c);
    return rc ? rc : finish_surface(c, first);
}

/* Copies an address into the verdict, '?' for bytes that are not UTF-8 safe. */
static const char *safe_address(dlp_vb_t *vb, const char *a)
{
    size_t n = strnlen(a, 320);
    char buf[321];
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)a[i] >= 0x20 && (uint8_t)a[i] < 0x7f ? a[i] : '?';
    return dlp_vb_strdup(vb, buf, n);
}

static int add_recipient(scan_ctx_t *c, const char *addr, dlp_source_t src)
{
    dlp_verdict_t *v = dlp_vb_verdict(c->vb);
    for (size_t i = 0; i < v->n_recipients; i++)
        if (strcasecmp(v->recipients[i].address, addr) == 0)
            return DLP_OK; /* listed already, e.g. RCPT TO and To: */
    dlp_recipient_t *r = dlp_vb_add_recipient(c->vb);
    if (!r || !(r->address = safe_address(c->vb, addr)))
        return DLP_ENOMEM;
    dlp_domain_class_t dc = dlp_domains_classify(c->e->domains, addr);
    r->source = src;
    r->cls = dc.cls;
    r->lookalike_of =
        dc.lookalike_of ? dlp_vb_strdup(c->vb, dc.lookalike_of, strlen(dc.lookalike_of)) : NULL;
    r->technique = dc.technique;
    return DLP_OK;
}

static int classify_recipients(scan_ctx_t *c, const dlp_scan_input_t *in, const dlp_message_t *m)
{
    for (size_t i = 0; i < in->envelope.n_rcpt; i++)
        if (in->envelope.rcpt_to[i] &&
            add_recipient(c, in->envelope.rcpt_to[i], DLP_SOURCE_ENVELOPE))
            return DLP_ENOMEM;
    const dlp_addr_t *addrs;
    size_t n = m ? dlp_message_recipients(m, &addrs) : 0;
    for (size_t i = 0; i < n; i++)
        if (add_recipient(c, addrs[i].address, addrs[i].source))
            return DLP_ENOMEM;
    return DLP_OK;
}

static const char *vb_dup(dlp_vb_t *vb, const char *s)
{
    return s ? dlp_vb_strdup(vb, s, strlen(s)) : NULL;
}

/*
 * What an attachment is can be a finding in itself: an encrypted file could
 * not be inspected, a DICOM file is a medical image, a photo's EXIF data can
 * give away where it was taken. The snippet is the file's type, never data.
 */
/* Findings about the attachment itself, within the message's findings limit. */
static int attachment_findings(dlp_vb_t *vb, const dlp_attachment_t *a, uint64_t max_findings)
{
    static const struct {
        uint32_t flag;
        const char *rule;
        dlp_category_t category;
        dlp_severity_t severity;
    } facts[] = {
        {DLP_ATT_ENCRYPTED, "attachment.encrypted", DLP_CAT_ATTACHMENT, DLP_SEV_MEDIUM},
        {DLP_ATT_MEDICAL_IMAGE, "medical.dicom_image", DLP_CAT_MEDICAL, DLP_SEV_HIGH},
        {DLP_ATT_GPS, "location.exif_gps", DLP_CAT_LOCATION, DLP_SEV_MEDIUM},
    };
    for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
        if (!(a->flags & facts[i].flag))
            continue;
        int oom = 0;
        dlp_finding_t *f = add_finding(vb, max_findings, &oom);
        if (!f)
            return oom ? DLP_ENOMEM : DLP_OK;
        f->rule_id = facts[i].rule;
        f->category = facts[i].category;
        f->severity = facts[i].severity;
        f->part = DLP_PART_ATTACHMENT;
        f->where = a->where;
        f->count = 1;
        f->snippet = a->detected_type;
    }
    return DLP_OK;
}

static int copy_attachments(dlp_vb_t *vb, const dlp_message_t *m, uint64_t max_findings)
{
    const dlp_msg_attachment_t *a;
    size_t n = dlp_message_attachments(m, &a);
    for (size_t i = 0; i < n; i++) {
        dlp_attachment_t *o = dlp_vb_add_attachment(vb);
        if (!o)
            return DLP_ENOMEM;
        o->where = vb_dup(vb, a[i].where);
        o->filename = vb_dup(vb, a[i].filename);
        o->declared_type = vb_dup(vb, a[i].declared_type);
        o->detected_type = vb_dup(vb, a[i].detected_type);
        o->size = a[i].size;
        o->flags = a[i].flags;
        o->width = a[i].width;
        o->height = a[i].height;
        if (attachment_findings(vb, o, max_findings))
            return DLP_ENOMEM;
    }
    return DLP_OK;
}

static uint64_t scan_deadline(const dlp_engine_t *e, const dlp_scan_input_t *in, uint64_t start)
{
    uint64_t d = start + e->limits.v[DLP_LIMIT_SCAN_TIME] * 1000000ull;
    return in->deadline_ns && in->deadline_ns < d ? in->deadline_ns : d;
}

static int scan_message(scan_ctx_t *c, const dlp_scan_input_t *in, dlp_message_t **m)
{
    dlp_verdict_t *v = dlp_vb_verdict(c->vb);
    dlp_read_ctx_t rc_ctx = {&c->e->limits, c->deadline_ns, c->s->magic, c->s->pdf};
    int rc = dlp_message_parse(in->message, in->message_len, &rc_ctx, m, &v->incomplete);
    if (rc)
        return rc;
    const dlp_surface_t *surf;
    size_t n = dlp_message_surfaces(*m, &surf);
    for (size_t i = 0; i < n && rc == DLP_OK; i++) {
        if (dlp_now_ns() > c->deadline_ns)
            c->timed_out = 1;
        if (c->timed_out)
            break;
        rc = scan_surface(c, &surf[i]);
    }
    if (c->timed_out)
        v->incomplete |= 1u << DLP_LIMIT_SCAN_TIME;
    return rc ? rc : copy_attachments(c->vb, *m, c->e->limits.v[DLP_LIMIT_FINDINGS]);
}

/* Hands the verdict out with its rules version and time, or frees it on error. */
static int finish(dlp_vb_t *vb, const dlp_engine_t *e, int rc, uint64_t start, dlp_verdict_t **out)
{
    dlp_verdict_t *v = dlp_vb_verdict(vb);
    if (rc == DLP_OK && !(v->rules_version = dlp_vb_strdup(vb, e->version, strlen(e->version))))
        rc = DLP_ENOMEM;
    if (rc != DLP_OK) {
        dlp_verdict_free(v);
        return rc;
    }
    v->scan_us = (dlp_now_ns() - start) / 1000;
    *out = v;
    return DLP_OK;
}

int dlp_scan(dlp_scanner_t *s, dlp_engine_t *e, const dlp_scan_input_t *in, dlp_verdict_t **out)
{
    *out = NULL;
    uint64_t start = dlp_now_ns();
    if (in->deadline_ns && start > in->deadline_ns)
        return DLP_ETIMEDOUT;
    int rc = fit_scratch(s, e);
    if (rc)
        return rc;
    dlp_vb_t *vb = dlp_vb_new();
    if (!vb)
        return DLP_ENOMEM;
    scan_ctx_t c = {.in = in, .s = s, .e = e, .vb = vb, .deadline_ns = scan_deadline(e, in, start)};
    dlp_message_t *m = NULL;
    rc = scan_message(&c, in, &m);
    if (rc == DLP_OK && c.timed_out && in->deadline_ns && dlp_now_ns() >= in->deadline_ns)
        rc = DLP_ETIMEDOUT; /* the caller's deadline, not our own time limit */
    if (rc == DLP_OK)
        rc = classify_recipients(&c, in, m);
    dlp_message_free(m);
    if (rc == DLP_OK)
        rc = dlp_policy_apply(e->policy, in->profile, in->envelope.mail_from, vb);
    return finish(vb, e, rc, start, out);
}

int dlp_scan_text(dlp_scanner_t *s, dlp_engine_t *e, dlp_part_t part, const uint8_t *text,
                  size_t len, dlp_verdict_t **out)
{
    *out = NULL;
    if ((size_t)part >= DLP_PART__COUNT || len > UINT32_MAX)
        return DLP_EINVAL;
    int rc = fit_scratch(s, e);
    if (rc)
        return rc;
    dlp_vb_t *vb = dlp_vb_new();
    if (!vb)
        return DLP_ENOMEM;
    uint64_t start = dlp_now_ns();
    scan_ctx_t c = {.s = s, .e = e, .vb = vb, .deadline_ns = start + 60ull * 1000000000ull};
    dlp_surface_t surf = {part, dlp_part_name(part), text, len};
    rc = scan_surface(&c, &surf);
    if (rc == DLP_OK)
        rc = dlp_policy_apply(e->policy, NULL, NULL, vb);
    return finish(vb, e, rc, start, out);
}
