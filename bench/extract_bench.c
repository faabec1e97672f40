/*
 * extract_bench - extraction speed per attachment kind, in process, one
 * thread: for each kind it builds one message carrying about 1 MB of text
 * (plain, html, docx, pdf, zip of text files) and scans it repeatedly with
 * the given rules. It prints MB/s of carried text and messages a second.
 *
 *   dlp-extract-bench [-c CONFIG] [-s SECONDS_PER_KIND] [--json]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlp/dlp.h"
#include "benchutil.h"
#include "mailgen.h"

#define TEXT_BYTES (1u << 20)

typedef struct kind {
    const char *name;
    char *msg;
    size_t len, text;
} kind_t;

static kind_t kind(const char *name, const char *ctype, const char *filename, const void *d,
                   size_t n, size_t text)
{
    kind_t k = {name, NULL, 0, text};
    k.msg = mg_mail(ctype, filename, d, n, &k.len);
    return k;
}

static void build(kind_t *k)
{
    size_t n;
    char *t = mg_prose(TEXT_BYTES, "", "", &n);
    k[0] = kind("plain", "text/plain; charset=utf-8", NULL, t, n, n);
    size_t hn;
    char *h = mg_prose(TEXT_BYTES, "<p>", "</p>", &hn);
    k[1] = kind("html", "text/html; charset=utf-8", NULL, h, hn, n);
    size_t xn;
    char *x = mg_prose(TEXT_BYTES, "<w:p><w:r><w:t>", "</w:t></w:r></w:p>", &xn);
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
    uint8_t *docx = mg_zip(dn, dd, dl, 2, &zn);
    k[2] = kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "report.docx", docx, zn, n);
    size_t pn;
    char *pdf = mg_pdf(t, &pn);
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
    uint8_t *zip = mg_zip(names, data, lens, 8, &zn);
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
    bench_opts_t o = {.seconds = 2};
    if (bench_parse_opts(argc, argv, 0, &o) < 0)
        return 64;
    dlp_engine_t *e = bench_engine(o.config);
    dlp_scanner_t *s = NULL;
    if (!e || dlp_scanner_new(&s)) {
        fprintf(stderr, "dlp-extract-bench: cannot build the engine (try -c CONFIG)\n");
        return 1;
    }
    kind_t k[5];
    build(k);
    for (int i = 0; i < 5; i++) {
        dlp_scan_input_t in = {.message = (uint8_t *)k[i].msg, .message_len = k[i].len};
        uint64_t t0 = bench_now_ns(), end = t0 + (uint64_t)(o.seconds * 1e9), count = 0;
        size_t found = 0;
        while (bench_now_ns() < end || count == 0) {
            dlp_verdict_t *v;
            if (dlp_scan(s, e, &in, &v) != DLP_OK)
                return 1;
            found = v->n_attachments;
            dlp_verdict_free(v);
            count++;
        }
        double el = (double)(bench_now_ns() - t0) / 1e9;
        double mbs = (double)k[i].text * (double)count / el / 1e6;
        if (o.json)
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
    return 0;
}
