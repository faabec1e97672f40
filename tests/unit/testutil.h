/* testutil.h - helpers for unit tests: temporary files, diagnostics, PDFs, mail. */
#ifndef DLP_TESTUTIL_H
#define DLP_TESTUTIL_H

#include <stdint.h>
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

/* A PDF of 'pages' pages, each with 'lines' lines showing 'text' (1-point
 * type, so many lines fit), with a correct cross-reference table. */
static inline char *tu_make_pdf(const char *text, int pages, int lines, size_t *len)
{
    size_t line = strlen(text) + 32, nobj = 3 + 2 * (size_t)pages;
    char *stream = malloc(line * (size_t)lines + 64);
    char *p = malloc(4096 + (size_t)pages * (300 + line * (size_t)lines) + nobj * 24);
    size_t *off = calloc(nobj + 1, sizeof(size_t)), k = 0, sl = 0;
    sl += (size_t)sprintf(stream, "BT /F1 1 Tf 72 740 Td 1 TL\n");
    for (int i = 0; i < lines; i++)
        sl += (size_t)sprintf(stream + sl, "0 0 Td (%s) Tj\n", text);
    sl += (size_t)sprintf(stream + sl, "ET\n");
    k += (size_t)sprintf(p + k, "%%PDF-1.4\n");
    off[1] = k;
    k += (size_t)sprintf(p + k, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    off[2] = k;
    k += (size_t)sprintf(p + k, "2 0 obj << /Type /Pages /Count %d /Kids [", pages);
    for (int i = 0; i < pages; i++)
        k += (size_t)sprintf(p + k, "%d 0 R ", 4 + 2 * i);
    k += (size_t)sprintf(p + k, "] >> endobj\n");
    off[3] = k;
    k += (size_t)sprintf(p + k,
                         "3 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n");
    for (int i = 0; i < pages; i++) {
        off[4 + 2 * i] = k;
        k += (size_t)sprintf(p + k,
                             "%d 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                             "/Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >> endobj\n",
                             4 + 2 * i, 5 + 2 * i);
        off[5 + 2 * i] = k;
        k += (size_t)sprintf(p + k, "%d 0 obj << /Length %zu >> stream\n%sendstream endobj\n",
                             5 + 2 * i, sl, stream);
    }
    size_t xref = k;
    k += (size_t)sprintf(p + k, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
    for (size_t i = 1; i <= nobj; i++)
        k += (size_t)sprintf(p + k, "%010zu 00000 n \n", off[i]);
    k += (size_t)sprintf(p + k, "trailer << /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                         nobj + 1, xref);
    free(stream);
    free(off);
    *len = k;
    return p;
}

/* Base64 in 76-column lines, NUL-terminated. */
static inline char *tu_base64(const uint8_t *d, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = malloc(n * 4 / 3 + n / 57 + 8), *p = o;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        *p++ = t[v >> 18 & 63];
        *p++ = t[v >> 12 & 63];
        *p++ = i + 1 < n ? t[v >> 6 & 63] : '=';
        *p++ = i + 2 < n ? t[v & 63] : '=';
        if ((i / 3) % 19 == 18)
            *p++ = '\n';
    }
    *p = 0;
    return o;
}

/* A message with a short text part and one base64 attachment. */
static inline char *tu_mail_with(const char *filename, const char *type, const uint8_t *d, size_t n)
{
    char *b = tu_base64(d, n);
    size_t len = strlen(b) + 1024;
    char *m = malloc(len);
    snprintf(m, len,
             "Subject: files\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=Z\n\n"
             "--Z\nContent-Type: text/plain\n\nattached\n--Z\nContent-Type: %s\n"
             "Content-Transfer-Encoding: base64\n"
             "Content-Disposition: attachment; filename=\"%s\"\n\n%s\n--Z--\n",
             type, filename, b);
    free(b);
    return m;
}

#endif
