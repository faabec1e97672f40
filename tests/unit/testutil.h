/* testutil.h - helpers for unit tests: temporary files and diagnostics. */
#ifndef DLP_TESTUTIL_H
#define DLP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dlp/dlp.h"

static char tu_root[64];

static inline void tu_cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_root);
    if (tu_root[0] && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tu_root);
}

/*
 * Writes text to a new file in a fresh directory under this process's
 * temporary root (removed at exit); returns the file's path.
 */
static inline char *tu_write(const char *name, const char *text)
{
    static char dir[128];
    static int seq;
    if (!tu_root[0]) {
        snprintf(tu_root, sizeof(tu_root), "/tmp/dlp-unit-XXXXXX");
        if (!mkdtemp(tu_root))
            return NULL;
        atexit(tu_cleanup);
    }
    snprintf(dir, sizeof(dir), "%s/%d", tu_root, seq++);
    if (mkdir(dir, 0700) != 0)
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
