/* domains.c - internal/protected domain index; see domains.h. */
#include "domains.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

typedef struct slot {
    char *name;
    dlp_class_t cls;
} slot_t;

struct dlp_domains {
    slot_t *slots;
    size_t mask; /* capacity - 1, a power of two */
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

int dlp_domains_new(const char *const *internal, size_t n_internal, const char *const *protected_,
                    size_t n_protected, dlp_domains_t **out)
{
    dlp_domains_t *d = calloc(1, sizeof(*d));
    if (!d)
        return DLP_ENOMEM;
    size_t cap = 16;
    while (cap < 2 * (n_internal + n_protected) + 2)
        cap *= 2;
    d->mask = cap - 1;
    if (!(d->slots = calloc(cap, sizeof(slot_t))))
        goto fail;
    for (size_t i = 0; i < n_internal; i++)
        if (insert(d, internal[i], DLP_CLASS_INTERNAL))
            goto fail;
    for (size_t i = 0; i < n_protected; i++)
        if (insert(d, protected_[i], DLP_CLASS_PROTECTED))
            goto fail;
    *out = d;
    return DLP_OK;
fail:
    dlp_domains_free(d);
    return DLP_ENOMEM;
}

void dlp_domains_free(dlp_domains_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->slots && i <= d->mask; i++)
        free(d->slots[i].name);
    free(d->slots);
    free(d);
}

dlp_domain_class_t dlp_domains_classify(const dlp_domains_t *d, const char *address)
{
    dlp_domain_class_t r = {DLP_CLASS_EXTERNAL, NULL, NULL};
    const char *at = strrchr(address, '@');
    const char *dom = at ? at + 1 : address;
    size_t n = strlen(dom);
    while (n && dom[n - 1] == '.')
        n--;
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
    return r;
}
