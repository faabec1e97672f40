/*
 * gen_corpus - a seeded corpus of realistic outbound mail for the benchmark.
 *
 * Sizes follow a log-normal law with a median of 15 KB and sigma 1.1 (about
 * 10% over 60 KB, a long tail to the 4 MB cap): the shape commonly reported
 * for enterprise mail, where most messages are short text and the tail is
 * attachments. The parameters are chosen to match that description, not
 * fitted to a measured data set. Mix: 45% text/plain (8bit or
 * quoted-printable), 20% text/html, 15% multipart/alternative, 20% with an
 * attachment (txt, csv, docx, xlsx, pdf, zip; base64). About 3% carry
 * sensitive content (a marking, an MRZ, a password line, a card number).
 *
 *   dlp-gen-corpus [-n COUNT] [-s SEED] -o DIR
 * writes DIR/NNNNNN.eml and DIR/labels.jsonl ({"file":..., "sensitive":bool}).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mailgen.h"

static unsigned seed;

static double uniform(void)
{
    return (rand_r(&seed) + 1.0) / ((double)RAND_MAX + 2.0);
}

static size_t lognormal_size(void)
{
    double z = sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
    double s = 15000 * exp(1.1 * z);
    return s < 1000 ? 1000 : s > 4e6 ? 4000000 : (size_t)s;
}

static const char *const secrets[] = {
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY\n",
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n",
    "Your temporary password is Tr4vel!2023 - change it at first login.\n",
    "Card: 4532 7155 2134 8872 exp 09/27\n"};

/* Prose of about n bytes, with a secret line in the middle when asked. */
static char *text(size_t n, int sensitive, const char *ls, const char *le, size_t *len)
{
    char *t = mg_prose(n, ls, le, len);
    if (!sensitive)
        return t;
    const char *s = secrets[rand_r(&seed) % 4];
    size_t sl = strlen(s), mid = *len / 2;
    while (mid < *len && t[mid] != '\n')
        mid++;
    char *o = malloc(*len + sl + 1);
    memcpy(o, t, mid + 1);
    memcpy(o + mid + 1, s, sl);
    memcpy(o + mid + 1 + sl, t + mid + 1, *len - mid);
    *len += sl;
    free(t);
    return o;
}

static void b64(FILE *f, const uint8_t *d, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        char q[4] = {t[v >> 18 & 63], t[v >> 12 & 63], i + 1 < n ? t[v >> 6 & 63] : '=',
                     i + 2 < n ? t[v & 63] : '='};
        fwrite(q, 1, 4, f);
        if ((i / 3) % 19 == 18)
            fputc('\n', f);
    }
    fputc('\n', f);
}

/* Quoted-printable: '=' escaped, soft breaks before 76 columns. */
static void qp(FILE *f, const char *s, size_t n)
{
    int col = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            fputc('\n', f);
            col = 0;
            continue;
        }
        if (col >= 72) {
            fputs("=\n", f);
            col = 0;
        }
        if (s[i] == '=')
            col += fprintf(f, "=3D");
        else
            fputc(s[i], f), col++;
    }
}

static void headers(FILE *f, size_t i)
{
    static const char *const to[] = {"agent@travel-partner.example", "j.doe@gmail.com",
                                     "ops@example.org", "planning@army.mil",
                                     "billing@vendor.example"};
    fprintf(f,
            "From: Staff %zu <staff%zu@example.org>\nTo: %s\nSubject: Weekly update %zu\n"
            "Date: Mon, 13 May 2024 09:%02zu:00 -0400\nMessage-ID: <%zu@example.org>\n"
            "MIME-Version: 1.0\n",
            i % 97, i % 97, to[i % 5], i, i % 60, i);
}

static void attachment(FILE *f, size_t size, int sensitive, const char *boundary)
{
    static const char *const kinds[] = {"txt", "csv", "docx", "xlsx", "pdf", "zip"};
    const char *k = kinds[rand_r(&seed) % 6];
    size_t tl;
    char *t = text(size, sensitive, "", "", &tl);
    uint8_t *data = (uint8_t *)t;
    size_t dl = tl;
    const char *ctype = "text/plain";
    if (!strcmp(k, "csv")) {
        ctype = "text/csv";
        for (size_t i = 0; i < tl; i++)
            if (t[i] == ' ')
                t[i] = ',';
    } else if (!strcmp(k, "docx") || !strcmp(k, "xlsx")) {
        int docx = !strcmp(k, "docx");
        char *x = malloc(tl + 512);
        int xl = sprintf(x, docx ? "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>"
                                 : "<sst xmlns=\"s\"><si><t>");
        memcpy(x + xl, t, tl);
        xl += (int)tl;
        xl +=
            sprintf(x + xl, docx ? "</w:t></w:r></w:p></w:body></w:document>" : "</t></si></sst>");
        static const char ct[] = "<Types/>";
        const char *names[] = {"[Content_Types].xml",
                               docx ? "word/document.xml" : "xl/sharedStrings.xml"};
        const char *d[] = {ct, x};
        size_t l[] = {sizeof(ct) - 1, (size_t)xl};
        data = mg_zip(names, d, l, 2, &dl);
        free(x);
        ctype = docx ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                     : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    } else if (!strcmp(k, "pdf")) {
        data = (uint8_t *)mg_pdf(t, &dl);
        ctype = "application/pdf";
    } else if (!strcmp(k, "zip")) {
        const char *names[] = {"report.txt"};
        const char *d[] = {t};
        size_t l[] = {tl};
        data = mg_zip(names, d, l, 1, &dl);
        ctype = "application/zip";
    }
    fprintf(f,
            "--%s\nContent-Type: %s\nContent-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=\"attachment.%s\"\n\n",
            boundary, ctype, k);
    b64(f, data, dl);
    if (data != (uint8_t *)t)
        free(data);
    free(t);
}

static void message(FILE *f, size_t i, size_t size, int sensitive)
{
    headers(f, i);
    double r = uniform();
    size_t tl;
    if (r < 0.45) {
        char *t = text(size, sensitive, "", "", &tl);
        if (rand_r(&seed) % 2) {
            fputs("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
                  "quoted-printable\n\n",
                  f);
            qp(f, t, tl);
        } else {
            fputs("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n",
                  f);
            fwrite(t, 1, tl, f);
        }
        free(t);
    } else if (r < 0.65) {
        char *t = text(size, sensitive, "<p>", "</p>", &tl);
        fputs("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: "
              "quoted-printable\n\n<html><body>\n",
              f);
        qp(f, t, tl);
        fputs("</body></html>\n", f);
        free(t);
    } else if (r < 0.80) {
        char *t = text(size / 2, sensitive, "", "", &tl), *h;
        size_t hl;
        h = text(size / 2, 0, "<p>", "</p>", &hl);
        fputs("Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\n"
              "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
              "quoted-printable\n\n",
              f);
        qp(f, t, tl);
        fputs("\n--alt\nContent-Type: text/html; charset=utf-8\n"
              "Content-Transfer-Encoding: base64\n\n",
              f);
        b64(f, (uint8_t *)h, hl);
        fputs("--alt--\n", f);
        free(t);
        free(h);
    } else {
        char *t = text(800, 0, "", "", &tl);
        fputs("Content-Type: multipart/mixed; boundary=\"mix\"\n\n--mix\n"
              "Content-Type: text/plain; charset=utf-8\n\n",
              f);
        fwrite(t, 1, tl, f);
        attachment(f, size > 1200 ? size - 800 : 400, sensitive, "mix");
        fputs("--mix--\n", f);
        free(t);
    }
}

int main(int argc, char **argv)
{
    size_t n = 1000;
    const char *dir = NULL;
    int c;
    seed = 1;
    while ((c = getopt(argc, argv, "n:s:o:")) != -1) {
        if (c == 'n')
            n = strtoul(optarg, NULL, 10);
        else if (c == 's')
            seed = (unsigned)strtoul(optarg, NULL, 10);
        else if (c == 'o')
            dir = optarg;
        else
            return 64;
    }
    if (!dir) {
        fprintf(stderr, "usage: dlp-gen-corpus [-n COUNT] [-s SEED] -o DIR\n");
        return 64;
    }
    mkdir(dir, 0755);
    char path[4096];
    snprintf(path, sizeof(path), "%s/labels.jsonl", dir);
    FILE *labels = fopen(path, "w");
    if (!labels)
        return 1;
    size_t sensitive_count = 0, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        size_t size = lognormal_size();
        int sensitive = uniform() < 0.03;
        snprintf(path, sizeof(path), "%s/%06zu.eml", dir, i);
        FILE *f = fopen(path, "w");
        if (!f)
            return 1;
        message(f, i, size, sensitive);
        bytes += (size_t)ftell(f);
        fclose(f);
        fprintf(labels, "{\"file\":\"%06zu.eml\",\"sensitive\":%s}\n", i,
                sensitive ? "true" : "false");
        sensitive_count += (size_t)sensitive;
    }
    fclose(labels);
    printf("%zu messages, %zu sensitive, %.1f MB in %s\n", n, sensitive_count, bytes / 1e6, dir);
    return 0;
}
