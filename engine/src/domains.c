/* domains.c - internal/protected domain index; see domains.h. */
#include "domains.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lookalike.h"
#include "util.h"
#include "yamlutil.h"

typedef struct slot {
    char *name;
    dlp_class_t cls;
} slot_t;

struct dlp_domains {
    slot_t *slots;
    size_t mask; /* capacity - 1, a power of two */
    size_t used;
    dlp_lookalike_t *look;
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)dlp_lower(s[i]);
        h *= 1099511628211ull;
    }
    return h;
}

static slot_t *find(const dlp_domains_t *d, const char *s, size_t n)
{
    for (size_t i = hash(s, n) & d->mask;; i = (i + 1) & d->mask) {
        slot_t *sl = &d->slots[i];
        if (!sl->name)
            return sl;
        if (strlen(sl->name) == n && strncasecmp(sl->name, s, n) == 0)
            return sl;
    }
}

static int insert(dlp_domains_t *d, const char *name, dlp_class_t cls)
{
    size_t n = strlen(name);
    while (n && name[n - 1] == '.')
        n--;
    if (!n)
        return DLP_OK;
    slot_t *sl = find(d, name, n);
    if (sl->name) {
        if (cls == DLP_CLASS_INTERNAL) /* internal wins over protected */
            sl->cls = cls;
        return DLP_OK;
    }
    if (!(sl->name = dlp_strndup_lower(name, n)))
        return DLP_ENOMEM;
    sl->cls = cls;
    return DLP_OK;
}

static int add(dlp_domains_t *d, const char *name, dlp_class_t cls)
{
    char norm[256];
    if (dlp_domain_normalize(name, norm))
        return DLP_EINVAL;
    int rc = insert(d, norm, cls);
    if (rc == DLP_OK)
        rc = dlp_lookalike_add_target(d->look, norm);
    return rc == DLP_EINVAL ? DLP_OK : rc;
}

/* Reads a protected-domains file; counts its entries when d is NULL. */
static int read_file(dlp_domains_t *d, const char *path, size_t *count, dlp_diags_t *diags)
{
    uint8_t *data;
    size_t len;
    if (dlp_read_file(path, &data, &len, 64u << 20))
        return dlp_diags_add(diags, path, 0, 0, NULL, "cannot read protected domains"), DLP_ECONFIG;
    int rc = DLP_OK;
    char *text = (char *)data, *save = NULL;
    if (len && (text = realloc(data, len + 1))) {
        text[len] = 0;
        for (char *line = strtok_r(text, "\r\n", &save); line && rc == DLP_OK;
             line = strtok_r(NULL, "\r\n", &save)) {
            line += strspn(line, " \t");
            line[strcspn(line, " \t#")] = 0;
            if (!*line)
                continue;
            if (count)
                (*count)++;
            else
                rc = add(d, line, DLP_CLASS_PROTECTED);
        }
    } else if (len) {
        text = (char *)data;
        rc = DLP_ENOMEM;
    }
    free(text);
    return rc;
}

int dlp_domains_new(const dlp_domain_lists_t *ls, dlp_domains_t **out, dlp_diags_t *diags)
{
    dlp_domains_t *d = calloc(1, sizeof(*d));
    if (!d)
        return DLP_ENOMEM;
    size_t total = ls->n_internal + ls->n_protected;
    int rc = DLP_OK;
    for (size_t i = 0; i < ls->n_protected_files && rc == DLP_OK; i++)
        rc = read_file(NULL, ls->protected_files[i], &total, diags);
    size_t cap = 16;
    while (cap < 2 * total + 2)
        cap *= 2;
    d->mask = cap - 1;
    if (rc == DLP_OK &&
        (!(d->slots = calloc(cap, sizeof(slot_t))) || dlp_lookalike_new(&d->look) != DLP_OK))
        rc = DLP_ENOMEM;
    for (size_t i = 0; rc == DLP_OK && i < ls->n_internal; i++)
        rc = add(d, ls->internal[i], DLP_CLASS_INTERNAL);
    for (size_t i = 0; rc == DLP_OK && i < ls->n_protected; i++)
        rc = add(d, ls->protected_[i], DLP_CLASS_PROTECTED);
    for (size_t i = 0; rc == DLP_OK && i < ls->n_protected_files; i++)
        rc = read_file(d, ls->protected_files[i], NULL, diags);
    for (size_t i = 0; rc == DLP_OK && i < ls->n_allowed; i++)
        rc = dlp_lookalike_add_allowed(d->look, ls->allowed[i]) == DLP_ENOMEM ? DLP_ENOMEM : DLP_OK;
    if (rc == DLP_OK)
        rc = dlp_lookalike_build(d->look);
    if (rc) {
        dlp_domains_free(d);
        return rc;
    }
    *out = d;
    return DLP_OK;
}

void dlp_domains_free(dlp_domains_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->slots && i <= d->mask; i++)
        free(d->slots[i].name);
    free(d->slots);
    dlp_lookalike_free(d->look);
    free(d);
}

dlp_domain_class_t dlp_domains_classify(const dlp_domains_t *d, const char *address)
{
    dlp_domain_class_t r = {DLP_CLASS_EXTERNAL, NULL, NULL};
    const char *at = strrchr(address, '@');
    char dom[256];
    if (dlp_domain_normalize(at ? at + 1 : address, dom))
        return r;
    size_t n = strlen(dom);
    /* Try the whole domain, then each parent: a.b.mil, b.mil, mil. */
    for (const char *s = dom; n > 0;) {
        slot_t *sl = find(d, s, n);
        if (sl->name) {
            r.cls = sl->cls;
            return r;
        }
        const char *dot = memchr(s, '.', n);
        if (!dot)
            break;
        n -= (size_t)(dot + 1 - s);
        s = dot + 1;
    }
    dlp_lookalike_hit_t hit;
    if (dlp_lookalike_check(d->look, dom, &hit)) {
        r.cls = DLP_CLASS_LOOKALIKE;
        r.lookalike_of = hit.target;
        r.technique = hit.technique;
    }
    return r;
}
