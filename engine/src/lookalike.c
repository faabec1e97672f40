/*
 * lookalike.c - the look-alike index and checks; see lookalike.h.
 *
 * A domain is split by the public suffix list into name and suffix
 * ("army" + "mil", "nzdf" + "mil.nz"). Techniques, in the order checked:
 *  - tld_confusion: the same name under a suffix one edit away from the
 *    target's, or a known confusion (gov: gv, go; com: co, cm, om);
 *  - subdomain_embedding: the target's labels inside an unrelated domain
 *    (army.mil.ml, mail.mil.example.com);
 *  - dot_omission / hyphenation: the target written as one label
 *    (armymil.com, army-mil.com);
 *  - one edit to the name under the target's own suffix: omission,
 *    insertion, repetition, addition, plural, transposition, vowel_swap,
 *    bitsquatting, replacement;
 *  - homoglyph / mixed_script: the same TR39 skeleton (ICU uspoof) as a target.
 * Edits are looked for only in names of four or more characters: below that
 * almost every string is one edit from a real domain.
 */
#include "lookalike.h"

#include <idn2.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uspoof.h>

#include "util.h"

#define MIN_EDIT_NAME 4

enum { K_NAME = 1, K_FULL, K_JOINED, K_DEL, K_SKEL, K_ALLOW };

typedef struct target {
    char *domain; /* registrable, ASCII */
    char *name;   /* its first label */
    const char *suffix;
} target_t;

typedef struct slot {
    uint64_t key; /* 0 = empty */
    uint32_t val;
} slot_t;

struct dlp_lookalike {
    const psl_ctx_t *psl;
    USpoofChecker *spoof;
    target_t *t;
    size_t n, cap;
    char **allowed;
    size_t n_allowed, cap_allowed;
    slot_t *slots;
    size_t mask;
    uint64_t *filter; /* one bit per key hash: most probes are for absent keys */
    size_t filter_mask;
};

static uint64_t hash_start(int kind)
{
    return 1469598103934665603ull ^ (uint64_t)kind * 0x9E3779B97F4A7C15ull;
}

static uint64_t hash_more(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t hash_end(uint64_t h)
{
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h ? h : 1;
}

static uint64_t hash(int kind, const char *s, size_t n)
{
    return hash_end(hash_more(hash_start(kind), s, n));
}

/* The deletion-neighbourhood key of name without its character at 'skip'. */
static uint64_t del_key(const char *name, size_t nl, size_t skip, const char *suffix)
{
    uint64_t h = hash_start(K_DEL);
    h = hash_more(h, name, skip < nl ? skip : nl);
    if (skip < nl)
        h = hash_more(h, name + skip + 1, nl - skip - 1);
    h = hash_more(h, ".", 1);
    return hash_end(hash_more(h, suffix, strlen(suffix)));
}

static void put(dlp_lookalike_t *l, uint64_t key, uint32_t val)
{
    uint64_t bit = (key >> 20) & l->filter_mask;
    l->filter[bit >> 6] |= 1ull << (bit & 63);
    size_t i = key & l->mask;
    while (l->slots[i].key) {
        if (l->slots[i].key == key && l->slots[i].val == val)
            return; /* already there */
        i = (i + 1) & l->mask;
    }
    l->slots[i] = (slot_t){key, val};
}

/* Calls fn for each value stored under key until it returns non-zero. */
static int each(const dlp_lookalike_t *l, uint64_t key, int (*fn)(void *, uint32_t), void *arg)
{
    if (!l->slots)
        return 0;
    uint64_t bit = (key >> 20) & l->filter_mask;
    if (!(l->filter[bit >> 6] & (1ull << (bit & 63))))
        return 0;
    for (size_t i = key & l->mask; l->slots[i].key; i = (i + 1) & l->mask)
        if (l->slots[i].key == key && fn(arg, l->slots[i].val))
            return 1;
    return 0;
}

int dlp_domain_normalize(const char *in, char out[256])
{
    size_t n = strlen(in);
    while (n && in[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return -1;
    char tmp[256];
    memcpy(tmp, in, n);
    tmp[n] = 0;
    size_t plain = 0; /* the common case: letters, digits, hyphens, dots */
    while (plain < n && (uint8_t)tmp[plain] < 0x80 && tmp[plain] != '_')
        plain++;
    if (plain == n && !strstr(tmp, "xn--")) {
        for (size_t i = 0; i <= n; i++)
            out[i] = dlp_lower(tmp[i]);
        return 0;
    }
    char *ascii = NULL;
    if (idn2_to_ascii_8z(tmp, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK) {
        /* not valid IDNA: keep a lowercase ASCII form if it is one */
        for (size_t i = 0; i < n; i++)
            if ((uint8_t)tmp[i] >= 0x80)
                return -1;
        for (size_t i = 0; i <= n; i++)
            out[i] = dlp_lower(tmp[i]);
        return 0;
    }
    size_t an = strlen(ascii);
    int rc = an < 256 ? 0 : -1;
    if (!rc)
        for (size_t i = 0; i <= an; i++)
            out[i] = dlp_lower(ascii[i]);
    idn2_free(ascii);
    return rc;
}

/* Splits a normalised domain at its registrable part: *name is its first label. */
static const char *registrable(const dlp_lookalike_t *l, const char *d)
{
    const char *r = psl_registrable_domain(l->psl, d);
    return r ? r : d;
}

/* TR39 skeleton of an ASCII (A-label) domain, in buf; NULL when it has none. */
static const char *skeleton(const dlp_lookalike_t *l, const char *ascii, char *buf, size_t cap)
{
    char *u = NULL;
    if (!l->spoof)
        return NULL;
    int idn = strstr(ascii, "xn--") != NULL; /* only A-labels need decoding */
    if (idn && idn2_to_unicode_8z8z(ascii, &u, 0) != IDN2_OK)
        return NULL;
    UErrorCode st = U_ZERO_ERROR;
    int32_t n =
        uspoof_getSkeletonUTF8(l->spoof, 0, idn ? u : ascii, -1, buf, (int32_t)cap - 1, &st);
    if (idn)
        idn2_free(u);
    if (U_FAILURE(st) || n < 0 || (size_t)n >= cap)
        return NULL;
    buf[n] = 0;
    return buf;
}

int dlp_lookalike_new(dlp_lookalike_t **out)
{
    dlp_lookalike_t *l = calloc(1, sizeof(*l));
    if (!l)
        return DLP_ENOMEM;
    l->psl = psl_builtin();
    UErrorCode st = U_ZERO_ERROR;
    l->spoof = uspoof_open(&st);
    if (U_FAILURE(st))
        l->spoof = NULL;
    if (!l->psl) {
        dlp_lookalike_free(l);
        return DLP_EIO;
    }
    *out = l;
    return DLP_OK;
}

void dlp_lookalike_free(dlp_lookalike_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->t[i].domain);
        free(l->t[i].name);
    }
    for (size_t i = 0; i < l->n_allowed; i++)
        free(l->allowed[i]);
    free(l->allowed);
    free(l->t);
    free(l->slots);
    free(l->filter);
    if (l->spoof)
        uspoof_close(l->spoof);
    free(l);
}

size_t dlp_lookalike_count(const dlp_lookalike_t *l)
{
    return l->n;
}

int dlp_lookalike_add_target(dlp_lookalike_t *l, const char *domain)
{
    char d[256];
    if (dlp_domain_normalize(domain, d))
        return DLP_EINVAL;
    const char *r = registrable(l, d);
    const char *dot = strchr(r, '.');
    if (!dot) /* a bare suffix ("mil"): it protects a class, it imitates nothing */
        return DLP_OK;
    if (DLP_GROW(l->t, l->cap, l->n + 1))
        return DLP_ENOMEM;
    target_t *t = &l->t[l->n];
    if (!(t->domain = strdup(r)) || !(t->name = strndup(r, (size_t)(dot - r)))) {
        free(t->domain);
        return DLP_ENOMEM;
    }
    t->suffix = t->domain + (dot - r) + 1;
    l->n++;
    return DLP_OK;
}

int dlp_lookalike_add_allowed(dlp_lookalike_t *l, const char *domain)
{
    char d[256];
    if (dlp_domain_normalize(domain, d))
        return DLP_EINVAL;
    if (DLP_GROW(l->allowed, l->cap_allowed, l->n_allowed + 1) ||
        !(l->allowed[l->n_allowed] = strdup(d)))
        return DLP_ENOMEM;
    l->n_allowed++;
    return DLP_OK;
}

/* ----------------------------------------------------------------- index */

static int is_allowed(const dlp_lookalike_t *l, const char *d, const char *r);

int dlp_lookalike_build(dlp_lookalike_t *l)
{
    size_t entries = l->n_allowed + 1;
    for (size_t i = 0; i < l->n; i++)
        entries += strlen(l->t[i].name) + 6;
    size_t cap = 64;
    while (cap < 2 * entries)
        cap *= 2;
    free(l->slots);
    free(l->filter);
    l->filter = calloc(cap / 8 + 1, sizeof(uint64_t)); /* 8 bits per slot */
    if (!(l->slots = calloc(cap, sizeof(slot_t))) || !l->filter)
        return DLP_ENOMEM;
    l->mask = cap - 1;
    l->filter_mask = cap * 8 - 1;
    char buf[512];
    for (size_t i = 0; i < l->n; i++) {
        const target_t *t = &l->t[i];
        uint32_t v = (uint32_t)i;
        size_t nl = strlen(t->name);
        put(l, hash(K_NAME, t->name, nl), v);
        put(l, hash(K_FULL, t->domain, strlen(t->domain)), v);
        /* the target as one label: "armymil", "army-mil" */
        int k = snprintf(buf, sizeof(buf), "%s.%s", t->name, t->suffix);
        for (char *p = buf; *p; p++)
            if (*p == '.')
                *p = '-';
        put(l, hash(K_JOINED, buf, (size_t)k), v);
        k = 0;
        for (const char *p = t->domain; *p; p++)
            if (*p != '.')
                buf[k++] = *p;
        put(l, hash(K_JOINED, buf, (size_t)k), v);
        /* the name and its one-deletion neighbourhood, under its own suffix */
        if (nl >= MIN_EDIT_NAME - 1)
            for (size_t d = 0; d <= nl; d++)
                put(l, del_key(t->name, nl, d, t->suffix), v);
        const char *sk = skeleton(l, t->domain, buf, sizeof(buf));
        if (sk)
            put(l, hash(K_SKEL, sk, strlen(sk)), v);
    }
    for (size_t i = 0; i < l->n_allowed; i++)
        put(l, hash(K_ALLOW, l->allowed[i], strlen(l->allowed[i])), 0);
    (void)is_allowed;
    return DLP_OK;
}

/* ---------------------------------------------------------------- checks */

static int is_vowel(char c)
{
    return strchr("aeiou", c) != NULL;
}

/* Neighbours on a QWERTY keyboard. */
static int adjacent(char a, char b)
{
    static const char *const near[] = {
        "qwsz",   "vghn",  "xdfv", "erfcxs", "wrsd", "rtgvcd", "tyhbvf", "yujnbg", "uojk",
        "uikmnh", "iolmj", "opk",  "njk",    "bhjm", "iplk",   "ol",     "wa",     "etfd",
        "wedxza", "ryfg",  "yihj", "cfgb",   "qeas", "zsdc",   "tugh",   "asx"};
    if (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z')
        return strchr(near[a - 'a'], b) != NULL;
    if (a >= '0' && a <= '9' && b >= '0' && b <= '9')
        return a - b == 1 || b - a == 1;
    return 0;
}

static int ascii_homoglyph(char a, char b)
{
    static const char *const pairs[] = {"0o", "1l", "1i", "li", "5s", "8b", "vu", "qg", NULL};
    for (size_t i = 0; pairs[i]; i++)
        if ((a == pairs[i][0] && b == pairs[i][1]) || (a == pairs[i][1] && b == pairs[i][0]))
            return 1;
    return 0;
}

/* The name of the one edit that turns target name t into q, or NULL. */
static const char *one_edit(const char *q, const char *t)
{
    size_t lq = strlen(q), lt = strlen(t), i = 0;
    while (i < lq && i < lt && q[i] == t[i])
        i++;
    if (lq == lt) {
        if (i == lq)
            return NULL;
        if (i + 1 < lq && q[i] == t[i + 1] && q[i + 1] == t[i] && !strcmp(q + i + 2, t + i + 2))
            return "transposition";
        if (strcmp(q + i + 1, t + i + 1))
            return NULL;
        char a = q[i], b = t[i];
        if (is_vowel(a) && is_vowel(b))
            return "vowel_swap";
        if (__builtin_popcount((unsigned)(a ^ b)) == 1)
            return "bitsquatting";
        if (ascii_homoglyph(a, b))
            return "homoglyph";
        return adjacent(a, b) ? "replacement" : NULL;
    }
    if (lq == lt + 1 && !strcmp(q + i + 1, t + i)) {
        if (i == lt)
            return q[i] == 's' ? "plural" : "addition";
        if ((i > 0 && q[i] == q[i - 1]) || q[i] == q[i + 1])
            return "repetition";
        return "insertion";
    }
    if (lq + 1 == lt && !strcmp(q + i, t + i + 1))
        return "omission";
    return NULL;
}

/* Suffixes a hurried typist or a confused sender swaps for one another. */
static int suffix_confusable(const char *s, const char *t)
{
    static const char *const known[][2] = {{"gv", "gov"}, {"go", "gov"}, {"co", "com"},
                                           {"cm", "com"}, {"om", "com"}, {NULL, NULL}};
    if (!strcmp(s, t))
        return 0;
    for (size_t i = 0; known[i][0]; i++)
        if (!strcmp(s, known[i][0]) && !strcmp(t, known[i][1]))
            return 1;
    if (strchr(t, '.') || strchr(s, '.'))
        return 0; /* multi-label suffixes (mil.nz) are whole countries' names */
    const char *e = one_edit(s, t);
    return e != NULL || (strlen(t) >= 3 && strlen(s) + 1 == strlen(t) && !strncmp(s, t, strlen(s)));
}

typedef struct probe {
    const dlp_lookalike_t *l;
    const char *name, *suffix, *reg;
    dlp_lookalike_hit_t *hit;
} probe_t;

static int on_name(void *arg, uint32_t v)
{
    probe_t *p = arg;
    const target_t *t = &p->l->t[v];
    if (strcmp(t->name, p->name) || !suffix_confusable(p->suffix, t->suffix))
        return 0;
    *p->hit = (dlp_lookalike_hit_t){t->domain, "tld_confusion"};
    return 1;
}

static int on_edit(void *arg, uint32_t v)
{
    probe_t *p = arg;
    const target_t *t = &p->l->t[v];
    const char *e = strcmp(t->suffix, p->suffix) ? NULL : one_edit(p->name, t->name);
    if (!e || strlen(t->name) < MIN_EDIT_NAME)
        return 0;
    *p->hit = (dlp_lookalike_hit_t){t->domain, e};
    return 1;
}

static int on_target(void *arg, uint32_t v)
{
    probe_t *p = arg;
    const target_t *t = &p->l->t[v];
    if (p->reg && !strcmp(t->domain, p->reg))
        return 0; /* the domain itself, not an imitation */
    p->hit->target = t->domain;
    return 1;
}

static int on_any(void *arg, uint32_t v)
{
    return 1;
}

static int is_allowed(const dlp_lookalike_t *l, const char *d, const char *r)
{
    return each(l, hash(K_ALLOW, d, strlen(d)), on_any, NULL) ||
           each(l, hash(K_ALLOW, r, strlen(r)), on_any, NULL);
}

/*
 * The target's labels inside a longer, unrelated name: army.mil.ml. The span
 * must end before the public suffix: army.mil.nz is New Zealand's army.
 */
static int embedded(probe_t *p, const char *d)
{
    const char *suffix = p->suffix; /* points into d: r is d's tail */
    for (const char *a = d; a; a = strchr(a, '.') ? strchr(a, '.') + 1 : NULL) {
        for (const char *b = strchr(a, '.'); b; b = strchr(b + 1, '.')) {
            const char *end = strchr(b + 1, '.');
            size_t n = end ? (size_t)(end - a) : strlen(a);
            if (!end || end >= suffix)
                break; /* the span must leave labels after it, outside the suffix */
            p->hit->technique = "subdomain_embedding";
            if (each(p->l, hash(K_FULL, a, n), on_target, p))
                return 1;
        }
    }
    return 0;
}

/* Any label of d is a target written as one word: armymil, army-mil. */
static int joined(probe_t *p, const char *d)
{
    for (const char *a = d; a; a = strchr(a, '.') ? strchr(a, '.') + 1 : NULL) {
        const char *end = strchr(a, '.');
        size_t n = end ? (size_t)(end - a) : strlen(a);
        p->hit->technique = memchr(a, '-', n) ? "hyphenation" : "dot_omission";
        if (each(p->l, hash(K_JOINED, a, n), on_target, p))
            return 1;
    }
    return 0;
}

static int edits(probe_t *p)
{
    size_t nl = strlen(p->name);
    if (nl < MIN_EDIT_NAME - 1 || nl > 63)
        return 0;
    for (size_t d = 0; d <= nl; d++)
        if (each(p->l, del_key(p->name, nl, d, p->suffix), on_edit, p))
            return 1;
    return 0;
}

int dlp_lookalike_check(const dlp_lookalike_t *l, const char *d, dlp_lookalike_hit_t *hit)
{
    const char *r = registrable(l, d);
    const char *dot = strchr(r, '.');
    if (!l->slots || !dot || is_allowed(l, d, r))
        return 0;
    char name[64];
    size_t nl = (size_t)(dot - r);
    if (nl >= sizeof(name))
        return 0;
    memcpy(name, r, nl);
    name[nl] = 0;
    probe_t p = {l, name, dot + 1, r, hit};
    if (each(l, hash(K_FULL, r, strlen(r)), on_any, NULL))
        return 0; /* a target itself */
    if (each(l, hash(K_NAME, name, nl), on_name, &p))
        return 1;
    if (embedded(&p, d) || joined(&p, d) || edits(&p))
        return 1;
    char buf[512];
    const char *sk = skeleton(l, r, buf, sizeof(buf));
    if (sk) {
        hit->technique = strstr(r, "xn--") ? "mixed_script" : "homoglyph";
        if (each(l, hash(K_SKEL, sk, strlen(sk)), on_target, &p))
            return 1;
    }
    return 0;
}
