/*
 * mailgen - builds benchmark mail: prose, zips, PDFs and MIME messages with
 * a base64 attachment. Shared by dlp-extract-bench and dlp-gen-corpus.
 */
#include "mailgen.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ordinary business prose with the odd number, ~1 MB, in lines of ~70. */
char *mg_prose(size_t want, const char *line_start, const char *line_end, size_t *len)
{
    static const char *const words[] = {
        "the",  "quarterly", "report",  "shows",  "that",     "deliveries", "to",
        "the",  "depot",     "were",    "on",     "schedule", "and",        "invoice",
        "4471", "was",       "paid",    "on",     "time",     "please",     "review",
        "the",  "attached",  "figures", "before", "Thursday", "meeting"};
    size_t cap = want + 4096, k = 0, w = 0, col = 0;
    char *p = malloc(cap);
    k += (size_t)sprintf(p + k, "%s", line_start);
    while (k < want) {
        const char *x = words[w++ % (sizeof(words) / sizeof(words[0]))];
        k += (size_t)sprintf(p + k, "%s ", x);
        col += strlen(x) + 1;
        if (col > 68) {
            k += (size_t)sprintf(p + k, "%s\n%s", line_end, line_start);
            col = 0;
        }
    }
    k += (size_t)sprintf(p + k, "%s\n", line_end);
    *len = k;
    return p;
}

uint8_t *mg_zip(const char *const *names, const char *const *data, const size_t *lens, size_t n,
                size_t *len)
{
    size_t cap = 8u << 20;
    uint8_t *buf = malloc(cap);
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_open_memory(a, buf, cap, len);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, names[i]);
        archive_entry_set_size(e, (la_int64_t)lens[i]);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_write_header(a, e);
        archive_write_data(a, data[i], lens[i]);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return buf;
}

/* A PDF of pages of text lines, one Tj per line. */
char *mg_pdf(const char *text, size_t *len)
{
    size_t cap = strlen(text) * 2 + 65536, k = 0, nobj = 0, pages = 0;
    char *p = malloc(cap);
    size_t *off = calloc(20000, sizeof(size_t));
    k += (size_t)sprintf(p, "%%PDF-1.4\n");
    const char *t = text;
    size_t kids_first = 4; /* objects: 1 catalog, 2 pages, 3 font, then page/content pairs */
    nobj = 3;
    while (*t) {
        char stream[8192];
        size_t sl = (size_t)sprintf(stream, "BT /F1 9 Tf 40 800 Td 11 TL\n");
        for (int l = 0; l < 70 && *t; l++) {
            const char *nl = strchr(t, '\n');
            size_t ll = nl ? (size_t)(nl - t) : strlen(t);
            sl += (size_t)sprintf(stream + sl, "(%.*s) '\n", (int)(ll < 100 ? ll : 100), t);
            t += ll + (nl ? 1 : 0);
        }
        sl += (size_t)sprintf(stream + sl, "ET\n");
        off[++nobj] = k;
        k += (size_t)sprintf(p + k,
                             "%zu 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 "
                             "842] /Contents %zu 0 R /Resources << /Font << /F1 3 0 R >> "
                             ">> >> endobj\n",
                             nobj, nobj + 1);
        off[++nobj] = k;
        k += (size_t)sprintf(p + k, "%zu 0 obj << /Length %zu >> stream\n%sendstream endobj\n",
                             nobj, sl, stream);
        pages++;
    }
    off[1] = k;
    k += (size_t)sprintf(p + k, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    off[2] = k;
    k += (size_t)sprintf(p + k, "2 0 obj << /Type /Pages /Count %zu /Kids [", pages);
    for (size_t i = 0; i < pages; i++)
        k += (size_t)sprintf(p + k, "%zu 0 R ", kids_first + 2 * i);
    k += (size_t)sprintf(p + k, "] >> endobj\n");
    off[3] = k;
    k += (size_t)sprintf(p + k, "3 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> "
                                "endobj\n");
    size_t xref = k;
    k += (size_t)sprintf(p + k, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
    for (size_t i = 1; i <= nobj; i++)
        k += (size_t)sprintf(p + k, "%010zu 00000 n \n", off[i]);
    k += (size_t)sprintf(p + k, "trailer << /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                         nobj + 1, xref);
    free(off);
    *len = k;
    return p;
}

char *mg_mail(const char *ctype, const char *filename, const uint8_t *d, size_t n, size_t *len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *m = malloc(n * 2 + 1024);
    size_t k = (size_t)sprintf(m,
                               "From: a@example.org\nTo: b@example.com\nSubject: figures\n"
                               "MIME-Version: 1.0\nContent-Type: %s\n"
                               "Content-Transfer-Encoding: base64\n",
                               ctype);
    if (filename)
        k += (size_t)sprintf(m + k, "Content-Disposition: attachment; filename=%s\n", filename);
    m[k++] = '\n';
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        m[k++] = b64[v >> 18 & 63];
        m[k++] = b64[v >> 12 & 63];
        m[k++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        m[k++] = i + 2 < n ? b64[v & 63] : '=';
        if ((i / 3) % 19 == 18)
            m[k++] = '\n';
    }
    m[k++] = '\n';
    *len = k;
    return m;
}
