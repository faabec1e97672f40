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
