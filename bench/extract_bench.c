/*
 * extract_bench - extraction speed per attachment kind, in process, one
 * thread: for each kind it builds one message carrying about 1 MB of text
 * (plain, html, docx, pdf, zip of text files) and scans it repeatedly with
 * the given rules. It prints MB/s of carried text and messages a second.
 *
 *   dlp-extract-bench [-c CONFIG] [-s SECONDS_PER_KIND] [--json]
 */
#include <archive.h>
#include <archive_entry.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlp/dlp.h"

#define TEXT_BYTES (1u << 20)

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Ordinary business prose with the odd number, ~1 MB, in lines of ~70. */
static char *prose(size_t want, const char *line_start, const char *line_end, size_t *len)
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

static uint8_t *zip_of(const char *const *names, const char *const *data, const size_t *lens,
                       size_t n, size_t *len)
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
static char *pdf_of(const char *text, size_t *len)
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

static char *mail(const char *ctype, const char *filename, const uint8_t *d, size_t n, size_t *len)
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

typedef struct kind {
    const char *name;
    char *msg;
    size_t len, text;
} kind_t;

static kind_t kind(const char *name, const char *ctype, const char *filename, const void *d,
                   size_t n, size_t text)
{
    kind_t k = {name, NULL, 0, text};
    k.msg = mail(ctype, filename, d, n, &k.len);
    return k;
}

static void build(kind_t *k)
{
    size_t n;
    char *t = prose(TEXT_BYTES, "", "", &n);
    k[0] = kind("plain", "text/plain; charset=utf-8", NULL, t, n, n);
    size_t hn;
    char *h = prose(TEXT_BYTES, "<p>", "</p>", &hn);
    k[1] = kind("html", "text/html; charset=utf-8", NULL, h, hn, n);
    size_t xn;
    char *x = prose(TEXT_BYTES, "<w:p><w:r><w:t>", "</w:t></w:r></w:p>", &xn);
    size_t docn;
    char *doc = malloc(xn + 512);
    docn = (size_t)sprintf(doc,
                           "<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
                           "wordprocessingml/2006/main\"><w:body>%s</w:body></w:document>",
                           x);
    static const char ct[] = "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas."
                             "openxmlformats.org/package/2006/content-types\"/>";
    const char *dn[] = {"[Content_Types].xml", "word/document.xml"};
    const char *dd[] = {ct, doc};
    size_t dl[] = {sizeof(ct) - 1, docn}, zn;
    uint8_t *docx = zip_of(dn, dd, dl, 2, &zn);
    k[2] = kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "report.docx", docx, zn, n);
    size_t pn;
    char *pdf = pdf_of(t, &pn);
    k[3] = kind("pdf", "application/pdf", "report.pdf", pdf, pn, n);
    const char *names[8];
    const char *data[8];
    size_t lens[8];
    char namebuf[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(namebuf[i], sizeof(namebuf[i]), "part%d.txt", i);
        names[i] = namebuf[i];
        data[i] = t + (size_t)i * (n / 8);
        lens[i] = n / 8;
    }
    uint8_t *zip = zip_of(names, data, lens, 8, &zn);
    k[4] = kind("zip", "application/zip", "reports.zip", zip, zn, n);
    free(t);
    free(h);
    free(x);
    free(doc);
    free(docx);
    free(pdf);
    free(zip);
}

int main(int argc, char **argv)
{
    const char *config = NULL;
    double seconds = 2;
    int json = 0, c;
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
    while ((c = getopt_long(argc, argv, "c:s:", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 's')
            seconds = atof(optarg);
        else if (c == 'j')
            json = 1;
        else
            return 64;
    }
    static const char *const any[] = {"*", NULL};
    dlp_config_t *cfg = NULL;
    dlp_engine_t *e = NULL;
    dlp_scanner_t *s = NULL;
    if (dlp_config_load(config, any, &cfg, NULL) || dlp_engine_new(cfg, &e, NULL) ||
        dlp_scanner_new(&s)) {
        fprintf(stderr, "dlp-extract-bench: cannot build the engine (try -c CONFIG)\n");
        return 1;
    }
    kind_t k[5];
    build(k);
    for (int i = 0; i < 5; i++) {
        dlp_scan_input_t in = {.message = (uint8_t *)k[i].msg, .message_len = k[i].len};
        uint64_t t0 = now_ns(), end = t0 + (uint64_t)(seconds * 1e9), count = 0;
        size_t found = 0;
        while (now_ns() < end || count == 0) {
            dlp_verdict_t *v;
            if (dlp_scan(s, e, &in, &v) != DLP_OK)
                return 1;
            found = v->n_attachments;
            dlp_verdict_free(v);
            count++;
        }
        double el = (double)(now_ns() - t0) / 1e9;
        double mbs = (double)k[i].text * (double)count / el / 1e6;
        if (json)
            printf("{\"kind\":\"%s\",\"text_mb_per_s\":%.1f,\"msgs_per_s\":%.1f,"
                   "\"message_bytes\":%zu}\n",
                   k[i].name, mbs, count / el, k[i].len);
        else
            printf("%-6s %8.1f MB/s of text  %8.1f msgs/s  (message %zu bytes, %zu "
                   "attachment%s)\n",
                   k[i].name, mbs, count / el, k[i].len, found, found == 1 ? "" : "s");
        free(k[i].msg);
    }
    dlp_scanner_free(s);
    dlp_engine_unref(e);
    dlp_config_free(cfg);
    return 0;
}
