/* util.c - small internal helpers; see util.h. */
#include "util.h"

#include <errno.h>

int dlp_grow(void **v, size_t *cap, size_t need, size_t es)
{
    if (need <= *cap)
        return DLP_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    void *nv = realloc(*v, ncap * es);
    if (!nv)
        return DLP_ENOMEM;
    *v = nv;
    *cap = ncap;
    return DLP_OK;
}

char *dlp_strndup_lower(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = dlp_lower(s[i]);
    d[n] = 0;
    return d;
}

/*
 * Grows the text to hold 'need' bytes by copying and wiping: realloc would
 * leave the extracted text behind in freed memory.
 */
static int textbuf_grow(dlp_textbuf_t *t, size_t need)
{
    size_t ncap = t->cap ? t->cap : 256;
    while (ncap < need)
        ncap *= 2;
    char *np = malloc(ncap);
    if (!np)
        return DLP_ENOMEM;
    if (t->p) {
        memcpy(np, t->p, t->n + 1);
        dlp_wipe(t->p, t->cap);
        free(t->p);
    }
    t->p = np;
    t->cap = ncap;
    return DLP_OK;
}

void dlp_textbuf_put(dlp_textbuf_t *t, const char *s, size_t n)
{
    if (t->oom || n == 0)
        return;
    if (t->n + n + 1 > t->cap && textbuf_grow(t, t->n + n + 1)) {
        t->oom = 1;
        return;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = 0;
}

char *dlp_textbuf_finish(dlp_textbuf_t *t, size_t *len)
{
    if (t->oom) {
        dlp_wipe(t->p, t->cap);
        free(t->p);
        return NULL;
    }
    if (!t->p && !(t->p = calloc(1, 1)))
        return NULL;
    *len = t->n;
    return t->p;
}
