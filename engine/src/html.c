/* html.c - HTML to text in one forward pass; see html.h. */
#include "html.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

typedef struct html {
    const uint8_t *p, *end;
    dlp_textbuf_t *o;
} html_t;

/* Separates words: at most one space or line break in a row. */
static void sep(dlp_textbuf_t *o, char c)
{
    if (o->n == 0)
        return;
    char last = o->p[o->n - 1];
    if (last == '\n' || (last == ' ' && c == ' '))
        return;
    if (last == ' ' && c == '\n')
        o->p[o->n - 1] = '\n';
    else
        dlp_textbuf_put(o, &c, 1);
}

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

static int is_alpha(uint8_t c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_alnum(uint8_t c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* ---- character references ---------------------------------------------- */

/* Latin-1 names, U+00A0 to U+00FF in order. */
static const char *const latin1[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",
    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn",
    "sup2",   "sup3",   "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",
    "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde",
    "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave",
    "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde",
    "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",   "eth",
    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

static const struct {
    const char *name;
    unsigned cp;
} named[] = {{"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
             {"apos", '\''},     {"euro", 0x20ac},   {"ndash", 0x2013},  {"mdash", 0x2014},
             {"lsquo", 0x2018},  {"rsquo", 0x2019},  {"sbquo", 0x201a},  {"ldquo", 0x201c},
             {"rdquo", 0x201d},  {"bdquo", 0x201e},  {"hellip", 0x2026}, {"bull", 0x2022},
             {"trade", 0x2122},  {"dagger", 0x2020}, {"Dagger", 0x2021}, {"permil", 0x2030},
             {"lsaquo", 0x2039}, {"rsaquo", 0x203a}, {"ensp", 0x2002},   {"emsp", 0x2003},
             {"thinsp", 0x2009}, {"zwnj", 0x200c},   {"zwj", 0x200d},    {"lrm", 0x200e},
             {"rlm", 0x200f},    {"OElig", 0x152},   {"oelig", 0x153},   {"Scaron", 0x160},
             {"scaron", 0x161},  {"Yuml", 0x178},    {"fnof", 0x192},    {"circ", 0x2c6},
             {"tilde", 0x2dc},   {"minus", 0x2212},  {"larr", 0x2190},   {"rarr", 0x2192}};

static unsigned lookup_named(const char *name)
{
    for (size_t i = 0; i < sizeof(latin1) / sizeof(latin1[0]); i++)
        if (!strcmp(name, latin1[i]))
            return 0xa0 + (unsigned)i;
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (!strcmp(name, named[i].name))
            return named[i].cp;
    return 0;
}

/* Appends a code point: spaces become a word break, invisible format
 * characters (soft hyphen, zero-width, direction marks) are dropped so
 * they cannot split a marking or a number apart. */
static void put_cp(dlp_textbuf_t *o, unsigned cp)
{
    if (cp == 0xa0 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x3000) {
        sep(o, ' ');
        return;
    }
    if (cp == 0xad || (cp >= 0x200b && cp <= 0x200f) || cp == 0x2060 || cp == 0xfeff)
        return;
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = 0xfffd;
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    }
    dlp_textbuf_put(o, b, n);
}

/* At '&': decodes a reference, or writes the '&' as text when it is none. */
static void reference(html_t *h)
{
    const uint8_t *p = h->p + 1;
    unsigned cp = 0;
    if (p < h->end && *p == '#') {
        int hex = p + 1 < h->end && (p[1] | 0x20) == 'x';
        const uint8_t *d = p + 1 + hex, *start = d;
        while (d < h->end && d - start < 8 && (hex ? is_alnum(*d) : (*d >= '0' && *d <= '9')))
            d++;
        char digits[9];
        memcpy(digits, start, (size_t)(d - start));
        digits[d - start] = 0;
        char *bad;
        unsigned long v = strtoul(digits, &bad, hex ? 16 : 10);
        if (d > start && !*bad) {
            cp = v > 0x10ffff ? 0xfffd : (unsigned)v;
            p = d;
        }
    } else {
        const uint8_t *d = p;
        while (d < h->end && d - p < 8 && is_alnum(*d))
            d++;
        char name[9];
        memcpy(name, p, (size_t)(d - p));
        name[d - p] = 0;
        if ((cp = lookup_named(name)))
            p = d;
    }
    if (!cp && p == h->p + 1) {
        dlp_textbuf_put(h->o, "&", 1);
        h->p++;
        return;
    }
    if (p < h->end && *p == ';')
        p++;
    put_cp(h->o, cp ? cp : 0xfffd);
    h->p = p;
}

/* ---- tags ------------------------------------------------------------ */

static int name_is(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(name, list[i]))
            return 1;
    return 0;
}

static const char *const raw_text[] = {"script", "style", "noscript", "template", NULL};
static const char *const line_breaks[] = {
    "p",      "div",    "br",      "tr",    "li",         "h1",      "h2",
    "h3",     "h4",     "h5",      "h6",    "table",      "ul",      "ol",
    "dl",     "dt",     "dd",      "pre",   "hr",         "section", "article",
    "header", "footer", "address", "title", "blockquote", "caption", NULL};
static const char *const cell_breaks[] = {"td", "th", NULL};

/* Skips to just past the first case-insensitive "</name" and its '>'. */
static void skip_raw_text(html_t *h, const char *name)
{
    size_t n = strlen(name);
    for (const uint8_t *p = h->p; p + 2 + n <= h->end; p++) {
        p = memchr(p, '<', (size_t)(h->end - p));
        if (!p || p + 2 + n > h->end)
            break;
        if (p[1] == '/' && !strncasecmp((const char *)p + 2, name, n)) {
            const uint8_t *gt = memchr(p, '>', (size_t)(h->end - p));
            h->p = gt ? gt + 1 : h->end;
            return;
        }
    }
    h->p = h->end;
}

/* Skips a tag's attributes to just past its '>'. Quotes count only where
 * an attribute value starts, as in a browser. */
static void skip_attributes(html_t *h)
{
    const uint8_t *p = h->p;
    while (p < h->end && *p != '>') {
        if (*p == '=') {
            p++;
            while (p < h->end && is_space(*p))
                p++;
            if (p < h->end && (*p == '"' || *p == '\'')) {
                const uint8_t *q = memchr(p + 1, *p, (size_t)(h->end - p - 1));
                p = q ? q + 1 : h->end;
                continue;
            }
        } else {
            p++;
        }
    }
    h->p = p < h->end ? p + 1 : h->end;
}

/* At '<'. Comments, doctypes and processing instructions are dropped. */
static void tag(html_t *h)
{
    const uint8_t *p = h->p + 1;
    if (p + 2 < h->end && p[0] == '!' && p[1] == '-' && p[2] == '-') {
        const uint8_t *e = memmem(p + 3, (size_t)(h->end - p - 3), "-->", 3);
        h->p = e ? e + 3 : h->end;
        return;
    }
    if (p < h->end && (*p == '!' || *p == '?')) {
        const uint8_t *e = memchr(p, '>', (size_t)(h->end - p));
        h->p = e ? e + 1 : h->end;
        return;
    }
    int closing = p < h->end && *p == '/';
    p += closing;
    if (p >= h->end || !is_alpha(*p)) { /* not a tag: a literal '<' */
        dlp_textbuf_put(h->o, "<", 1);
        h->p++;
        return;
    }
    char name[16];
    size_t n = 0;
    for (; p < h->end && (is_alnum(*p) || *p == '-' || *p == ':'); p++)
        if (n + 1 < sizeof(name))
            name[n++] = (char)(*p | 0x20);
    name[n] = 0;
    h->p = p;
    skip_attributes(h);
    if (!closing && name_is(name, raw_text))
        skip_raw_text(h, name);
    else if (name_is(name, line_breaks))
        sep(h->o, '\n');
    else if (name_is(name, cell_breaks))
        sep(h->o, ' ');
}

/* Whether text copied as is stops here: at markup, at a NUL, or at white
 * space other than one plain space between words. A run never starts with
 * white space, so collapsing is left to sep(). */
static int run_ends(const html_t *h)
{
    uint8_t c = *h->p;
    if (c == '<' || c == '&' || c == 0)
        return 1;
    if (!is_space(c))
        return 0;
    return c != ' ' || h->p + 1 >= h->end || is_space(h->p[1]) || h->p[1] == 0;
}

#define HTML_CHECK_BYTES (1u << 20)

char *dlp_html_to_text(const uint8_t *html, size_t len, uint64_t deadline_ns, size_t *out_len,
                       int *late)
{
    dlp_textbuf_t o = {0};
    html_t h = {html, html + len, &o};
    const uint8_t *check = html + HTML_CHECK_BYTES;
    *late = 0;
    while (h.p < h.end && !o.oom) {
        if (deadline_ns && h.p >= check) {
            if (dlp_now_ns() > deadline_ns) {
                *late = 1;
                break;
            }
            check = h.p + HTML_CHECK_BYTES;
        }
        const uint8_t *run = h.p;
        while (h.p < h.end && !run_ends(&h) && (h.p > run || !is_space(*h.p)))
            h.p++;
        if (h.p > run)
            dlp_textbuf_put(&o, (const char *)run, (size_t)(h.p - run));
        if (h.p >= h.end)
            break;
        if (*h.p == '<') {
            tag(&h);
        } else if (*h.p == '&') {
            reference(&h);
        } else { /* white space (or a NUL, which no text holds) */
            sep(&o, ' ');
            h.p++;
        }
    }
    return dlp_textbuf_finish(&o, out_len);
}
