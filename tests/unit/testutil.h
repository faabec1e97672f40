/* testutil.h - helpers for unit tests: temporary files and diagnostics. */
#ifndef DLP_TESTUTIL_H
#define DLP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/dlp.h"

/* Writes text to a new file in a fresh temporary directory; returns its path. */
static inline char *tu_write(const char *name, const char *text)
{
    static char dir[256];
    snprintf(dir, sizeof(dir), "/tmp/dlp-unit-XXXXXX");
    if (!mkdtemp(dir))
        return NULL;
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* 1 when some diagnostic, formatted, contains every given fragment. */
static inline int tu_diag_has(const dlp_diags_t *d, const char *a, const char *b)
{
    char buf[2048];
    for (size_t i = 0; i < dlp_diags_count(d); i++) {
        dlp_diags_format(d, i, buf, sizeof(buf));
        if (strstr(buf, a) && (!b || strstr(buf, b)))
            return 1;
    }
    return 0;
}

#endif
