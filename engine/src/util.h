/*
 * util.h - small internal helpers shared by the engine's modules: clocks,
 * wiping memory that held message data, ASCII case folding, a growable
 * array macro and name lookups that are not part of the public API.
 */
#ifndef DLP_UTIL_H
#define DLP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlp/dlp.h"

static inline uint64_t dlp_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Zeroes memory in a way the compiler may not elide. */
static inline void dlp_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

static inline char dlp_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Grows *v (element size es) so that it can hold at least need elements. */
int dlp_grow(void **v, size_t *cap, size_t need, size_t es);
#define DLP_GROW(vec, cap, need) dlp_grow((void **)&(vec), &(cap), (need), sizeof(*(vec)))

char *dlp_strndup_lower(const char *s, size_t n);

/* A growing NUL-terminated text buffer for extractors; oom sticks once set. */
typedef struct dlp_textbuf {
    char *p;
    size_t n, cap;
    int oom;
} dlp_textbuf_t;

void dlp_textbuf_put(dlp_textbuf_t *t, const char *s, size_t n);
/* The text (never NULL unless out of memory, when the buffer is wiped and freed). */
char *dlp_textbuf_finish(dlp_textbuf_t *t, size_t *len);
int dlp_part_from_name(const char *name, dlp_part_t *out);

#endif
