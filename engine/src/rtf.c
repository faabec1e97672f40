/* rtf.c - RTF to text; see rtf.h. A single pass with a bounded group stack. */
#include "rtf.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 256

static void put_cp(dlp_textbuf_t *o, uint32_t cp)
{
    char b[4];
    size_t k = 0;
    if (cp < 0x80) {
        b[k++] = (char)cp;
    } else if (cp < 0x800) {
        b[k++] = (char)(0xC0 | cp >> 6);
        b[k++] = (char)(0x80 | (cp & 0x3F));
    } else {
        if (cp >= 0xD800 && cp < 0xE000)
            cp = 0xFFFD;
        b[k++] = (char)(0xE0 | cp >> 12);
        b[k++] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[k++] = (char)(0x80 | (cp & 0x3F));
    }
    dlp_textbuf_put(o, b, k);
}

/* Destinations whose content is not text a reader sees. */
static int skipped_destination(const char *w)
{
    static const char *const names[] = {"fonttbl",
                                        "colortbl",
                                        "stylesheet",
                                        "pict",
                                        "object",
                                        "themedata",
                                        "datastore",
                                        "listtable",
                                        "listoverridetable",
                                        "rsidtbl",
                                        "generator",
                                        "xmlnstbl",
                                        "latentstyles",
                                        "colorschememapping",
                                        "filetbl",
                                        "revtbl",
                                        NULL};
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(w, names[i]))
            return 1;
    return 0;
}

/* Windows-1252 bytes 0x80..0x9F; the rest of the upper half is Latin-1. */
static const uint16_t cp1252[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static int hexv(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

char *dlp_rtf_to_text(const uint8_t *d, size_t n, size_t *out_len)
{
    dlp_textbuf_t o = {0};
    int skip[MAX_DEPTH] = {0}, depth = 0, uc_skip = 0;
    for (size_t i = 0; i < n && !o.oom;) {
        uint8_t c = d[i];
        int hidden = skip[depth];
        if (c == '{') {
            if (depth + 1 < MAX_DEPTH)
                skip[depth + 1] = hidden, depth++;
            i++;
        } else if (c == '}') {
            if (depth > 0)
                depth--;
            i++;
        } else if (c == '\\' && i + 1 < n) {
            uint8_t nx = d[i + 1];
            if (nx == '\'' && i + 3 < n && hexv(d[i + 2]) >= 0 && hexv(d[i + 3]) >= 0) {
                uint8_t b = (uint8_t)(hexv(d[i + 2]) << 4 | hexv(d[i + 3]));
                if (!hidden && !uc_skip)
                    put_cp(&o, b >= 0x80 && b < 0xA0 ? cp1252[b - 0x80] : b);
                uc_skip = uc_skip ? uc_skip - 1 : 0;
                i += 4;
            } else if (nx == '*') {
                skip[depth] = 1; /* {\*\dest ...}: an optional destination */
                i += 2;
            } else if ((nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z')) {
                char w[32];
                size_t k = 0, j = i + 1;
                while (j < n && ((d[j] >= 'a' && d[j] <= 'z') || (d[j] >= 'A' && d[j] <= 'Z'))) {
                    if (k < sizeof(w) - 1)
                        w[k++] = (char)d[j];
                    j++;
                }
                w[k] = 0;
                long arg = 0;
                int neg = j < n && d[j] == '-', has = 0;
                j += (size_t)neg;
                while (j < n && d[j] >= '0' && d[j] <= '9' && arg < 100000000)
                    arg = arg * 10 + (d[j++] - '0'), has = 1;
                if (neg)
                    arg = -arg;
                if (j < n && d[j] == ' ')
                    j++;
                if (skipped_destination(w)) {
                    skip[depth] = 1;
                } else if (!strcmp(w, "bin") && has && arg > 0) {
                    j += (size_t)arg < n - j ? (size_t)arg : n - j; /* raw bytes */
                } else if (!hidden) {
                    if (!strcmp(w, "par") || !strcmp(w, "line") || !strcmp(w, "row") ||
                        !strcmp(w, "sect") || !strcmp(w, "page"))
                        dlp_textbuf_put(&o, "\n", 1);
                    else if (!strcmp(w, "tab") || !strcmp(w, "cell"))
                        dlp_textbuf_put(&o, "\t", 1);
                    else if (!strcmp(w, "u") && has) {
                        put_cp(&o, (uint32_t)(arg < 0 ? arg + 65536 : arg));
                        uc_skip = 1; /* the ANSI fallback that follows */
                    }
                }
                i = j;
            } else {
                if (!hidden && (nx == '\\' || nx == '{' || nx == '}'))
                    dlp_textbuf_put(&o, (const char *)&d[i + 1], 1);
                i += 2;
            }
        } else {
            if (c != '\r' && c != '\n' && !hidden) {
                if (uc_skip)
                    uc_skip--;
                else
                    dlp_textbuf_put(&o, (const char *)&d[i], 1);
            }
            i++;
        }
    }
    return dlp_textbuf_finish(&o, out_len);
}
