/*
 * message.c - the current message reader (see message.h for its place).
 * It never modifies the raw message; decoded or unfolded text lives in
 * buffers owned by the message, which are wiped when it is freed.
 */
#include "message.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define MAX_SURFACES 64

typedef struct owned {
    uint8_t *p;
    size_t n;
} owned_t;

struct dlp_message {
    dlp_surface_t surf[MAX_SURFACES];
    size_t n_surf;
    dlp_addr_t *addrs;
    size_t n_addrs, cap_addrs;
    owned_t *owned;
    size_t n_owned, cap_owned;
    char *cte, *ctype; /* top-level Content-Transfer-Encoding / Content-Type */
};

static uint8_t *own(dlp_message_t *m, size_t n)
{
    if (DLP_GROW(m->owned, m->cap_owned, m->n_owned + 1))
        return NULL;
    uint8_t *p = malloc(n ? n : 1);
    if (p)
        m->owned[m->n_owned++] = (owned_t){p, n};
    return p;
}

static void add_surface(dlp_message_t *m, dlp_part_t part, const char *where, const uint8_t *d,
                        size_t n)
{
    if (m->n_surf < MAX_SURFACES && n > 0)
        m->surf[m->n_surf++] = (dlp_surface_t){part, where, d, n};
}

/* ---------------------------------------------------------------- headers */

/* Length of the header block, not counting the blank line; *body at the body. */
static size_t header_block(const uint8_t *raw, size_t len, size_t *body)
{
    for (size_t i = 0; i < len; i++) {
        if (raw[i] != '\n')
            continue;
        if (i + 1 < len && raw[i + 1] == '\n') {
            *body = i + 2;
            return i + 1;
        }
        if (i + 2 < len && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
            *body = i + 3;
            return i + 1;
        }
    }
    *body = len;
    return len;
}

/* Unfolds a header value (continuation lines joined by one space). */
static char *unfold(dlp_message_t *m, const uint8_t *v, size_t n, size_t *outlen)
{
    char *o = (char *)own(m, n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\r' || v[i] == '\n') {
            while (i + 1 < n && (v[i + 1] == '\r' || v[i + 1] == '\n'))
                i++;
            if (k && o[k - 1] != ' ')
                o[k++] = ' ';
            while (i + 1 < n && (v[i + 1] == ' ' || v[i + 1] == '\t'))
                i++;
            continue;
        }
        o[k++] = (char)v[i];
    }
    while (k && (o[k - 1] == ' ' || o[k - 1] == '\t'))
        k--;
    o[k] = 0;
    *outlen = k;
    return o;
}

static const char *const free_text_headers[] = {"comments", "keywords", "content-description",
                                                "thread-topic", NULL};

static int is_free_text(const char *name, size_t n)
{
    for (size_t i = 0; free_text_headers[i]; i++)
        if (strlen(free_text_headers[i]) == n && strncasecmp(free_text_headers[i], name, n) == 0)
            return 1;
    return 0;
}

static int handle_header(dlp_message_t *m, const uint8_t *name, size_t nlen, const uint8_t *val,
                         size_t vlen)
{
    while (vlen && (*val == ' ' || *val == '\t'))
        val++, vlen--;
    size_t ulen;
    char *u = unfold(m, val, vlen, &ulen);
    if (!u)
        return DLP_ENOMEM;
#define IS(h) (nlen == sizeof(h) - 1 && strncasecmp((const char *)name, h, nlen) == 0)
    if (IS("subject"))
        add_surface(m, DLP_PART_SUBJECT, "subject", (uint8_t *)u, ulen);
    else if (IS("to") || IS("cc"))
        return dlp_parse_address_list(u, ulen,
                                      IS("to") ? DLP_SOURCE_HEADER_TO : DLP_SOURCE_HEADER_CC,
                                      &m->addrs, &m->n_addrs, &m->cap_addrs);
    else if (IS("content-transfer-encoding") && !m->cte)
        m->cte = u;
    else if (IS("content-type") && !m->ctype)
        m->ctype = u;
    else if (is_free_text((const char *)name, nlen))
        add_surface(m, DLP_PART_HEADER, "header", (uint8_t *)u, ulen);
#undef IS
    return DLP_OK;
}

static int parse_headers(dlp_message_t *m, const uint8_t *h, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i, colon = 0;
        /* A header runs to the next line that does not start with white space. */
        while (i < n) {
            if (!colon && h[i] == ':')
                colon = i;
            if (h[i] == '\n' && (i + 1 >= n || (h[i + 1] != ' ' && h[i + 1] != '\t'))) {
                i++;
                break;
            }
            i++;
        }
        if (colon > start) {
            int rc = handle_header(m, h + start, colon - start, h + colon + 1, i - colon - 1);
            if (rc)
                return rc;
        }
    }
    return DLP_OK;
}

/* ---------------------------------------------------------------- addresses */

static int push_addr(const char *s, size_t n, dlp_source_t src, dlp_addr_t **list, size_t *cnt,
                     size_t *cap)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '<' || *s == '"'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '>' || s[n - 1] == '.'))
        n--;
    const char *at = memrchr(s, '@', n);
    if (!at || at == s || at == s + n - 1 || n > 320)
        return DLP_OK;
    if (dlp_grow((void **)list, cap, *cnt + 1, sizeof(**list)))
        return DLP_ENOMEM;
    char *a = malloc(n + 1);
    if (!a)
        return DLP_ENOMEM;
    size_t local = (size_t)(at - s);
    memcpy(a, s, local);
    for (size_t i = local; i < n; i++)
        a[i] = dlp_lower(s[i]);
    a[n] = 0;
    (*list)[(*cnt)++] = (dlp_addr_t){a, src};
    return DLP_OK;
}

/*
 * Splits an address list at commas outside quotes, comments and angle
 * brackets; from each element takes the <addr-spec> or else the bare token
 * that holds an '@'. Group syntax ("team: a@x, b@y;") falls out naturally.
 */
int dlp_parse_address_list(const char *v, size_t len, dlp_source_t src, dlp_addr_t **list,
                           size_t *n, size_t *cap)
{
    size_t i = 0;
    while (i < len) {
        int quote = 0, depth = 0;
        long lt = -1, gt = -1, tok = -1, tok_end = -1;
        size_t start = i;
        for (; i < len; i++) {
            char c = v[i];
            if (quote) {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    quote = 0;
            } else if (c == '"') {
                quote = 1;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth) {
                depth--;
            } else if (depth) {
                continue;
            } else if (c == '<') {
                lt = (long)i;
            } else if (c == '>' && lt >= 0) {
                gt = (long)i;
            } else if (c == ',' || c == ';') {
                break;
            }
        }
        if (lt >= 0 && gt > lt) {
            tok = lt + 1;
            tok_end = gt;
        } else {
            /* bare addr-spec: the white-space delimited token with an '@' */
            for (size_t j = start; j < i; j++) {
                if (v[j] == '@') {
                    size_t a = j, b = j;
                    while (a > start && v[a - 1] != ' ' && v[a - 1] != ':' && v[a - 1] != '\t')
                        a--;
                    while (b < i && v[b] != ' ' && v[b] != '\t' && v[b] != '(')
                        b++;
                    tok = (long)a;
                    tok_end = (long)b;
                    break;
                }
            }
        }
        if (tok >= 0 && push_addr(v + tok, (size_t)(tok_end - tok), src, list, n, cap))
            return DLP_ENOMEM;
        i++;
    }
    return DLP_OK;
}

/* ------------------------------------------------------------------- body */

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static size_t decode_base64(const uint8_t *in, size_t n, uint8_t *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val(in[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (uint8_t)(acc >> bits);
        }
    }
    return k;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (uint8_t)dlp_lower((char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static size_t decode_qp(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] != '=') {
            out[k++] = in[i];
            continue;
        }
        if (i + 1 < n && in[i + 1] == '\n') { /* soft line break */
            i += 1;
        } else if (i + 2 < n && in[i + 1] == '\r' && in[i + 2] == '\n') {
            i += 2;
        } else if (i + 2 < n && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            out[k++] = (uint8_t)(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
            i += 2;
        } else {
            out[k++] = in[i];
        }
    }
    return k;
}

static int add_body(dlp_message_t *m, const uint8_t *b, size_t n)
{
    int multipart = m->ctype && strncasecmp(m->ctype, "multipart/", 10) == 0;
    int b64 = m->cte && strncasecmp(m->cte, "base64", 6) == 0;
    int qp = m->cte && strncasecmp(m->cte, "quoted-printable", 16) == 0;
    if (multipart || (!b64 && !qp)) {
        add_surface(m, DLP_PART_BODY, "body", b, n);
        return DLP_OK;
    }
    uint8_t *out = own(m, n);
    if (!out)
        return DLP_ENOMEM;
    size_t k = b64 ? decode_base64(b, n, out) : decode_qp(b, n, out);
    add_surface(m, DLP_PART_BODY, "body", out, k);
    return DLP_OK;
}

int dlp_message_parse(const uint8_t *raw, size_t len, const dlp_limits_t *limits,
                      dlp_message_t **out, uint32_t *incomplete)
{
    *out = NULL;
    dlp_message_t *m = calloc(1, sizeof(*m));
    if (!m)
        return DLP_ENOMEM;
    if (len > limits->v[DLP_LIMIT_MESSAGE_BYTES]) {
        len = limits->v[DLP_LIMIT_MESSAGE_BYTES];
        *incomplete |= 1u << DLP_LIMIT_MESSAGE_BYTES;
    }
    size_t body;
    size_t hlen = header_block(raw, len, &body);
    int rc = parse_headers(m, raw, hlen);
    if (rc == DLP_OK && body < len)
        rc = add_body(m, raw + body, len - body);
    if (rc) {
        dlp_message_free(m);
        return rc;
    }
    *out = m;
    return DLP_OK;
}

size_t dlp_message_surfaces(const dlp_message_t *m, const dlp_surface_t **out)
{
    *out = m->surf;
    return m->n_surf;
}

size_t dlp_message_recipients(const dlp_message_t *m, const dlp_addr_t **out)
{
    *out = m->addrs;
    return m->n_addrs;
}

void dlp_message_free(dlp_message_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_owned; i++) {
        dlp_wipe(m->owned[i].p, m->owned[i].n);
        free(m->owned[i].p);
    }
    for (size_t i = 0; i < m->n_addrs; i++)
        free(m->addrs[i].address);
    free(m->addrs);
    free(m->owned);
    free(m);
}
