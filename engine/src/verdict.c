/* verdict.c - verdict construction with an arena for its strings; see verdict.h. */
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CHUNK 4096

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    char data[];
} chunk_t;

struct dlp_vb {
    dlp_verdict_t pub; /* first, so the public pointer is the builder */
    dlp_finding_t *findings;
    size_t cap_findings;
    dlp_recipient_t *recipients;
    size_t cap_recipients;
    const char **reasons;
    size_t cap_reasons;
    dlp_attachment_t *attachments;
    size_t cap_attachments;
    chunk_t *chunks;
};

dlp_vb_t *dlp_vb_new(void)
{
    return calloc(1, sizeof(dlp_vb_t));
}

dlp_verdict_t *dlp_vb_verdict(dlp_vb_t *vb)
{
    return &vb->pub;
}

void dlp_verdict_free(dlp_verdict_t *v)
{
    if (!v)
        return;
    dlp_vb_t *vb = (dlp_vb_t *)v;
    for (chunk_t *c = vb->chunks, *next; c; c = next) {
        next = c->next;
        dlp_wipe(c->data, c->used); /* snippets and addresses */
        free(c);
    }
    free(vb->findings);
    free(vb->recipients);
    free(vb->reasons);
    free(vb->attachments);
    free(vb);
}

static char *alloc(dlp_vb_t *vb, size_t n)
{
    chunk_t *c = vb->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK ? n : CHUNK;
        chunk_t *nc = malloc(sizeof(chunk_t) + size);
        if (!nc)
            return NULL;
        nc->used = 0;
        nc->size = size;
        nc->next = vb->chunks;
        vb->chunks = c = nc;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
    if (len == 0 || len > n || p[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
        return 0;
    return len;
}

/*
 * Every string of a verdict is valid UTF-8: they travel in protobuf string
 * fields, which clients may refuse otherwise, and names from archives or
 * cut snippets need not be. A byte that starts no valid sequence becomes '?'.
 */
const char *dlp_vb_strdup(dlp_vb_t *vb, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = alloc(vb, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq((const unsigned char *)p + i, n - i);
        if (len == 0) {
            p[i] = '?';
            len = 1;
        }
        i += len;
    }
    return p;
}

static const char *vb_vprintf(dlp_vb_t *vb, const char *fmt, va_list ap)
{
    char buf[1024];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return NULL;
    return dlp_vb_strdup(vb, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

const char *dlp_vb_printf(dlp_vb_t *vb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *s = vb_vprintf(vb, fmt, ap);
    va_end(ap);
    return s;
}

dlp_finding_t *dlp_vb_add_finding(dlp_vb_t *vb)
{
    if (DLP_GROW(vb->findings, vb->cap_findings, vb->pub.n_findings + 1))
        return NULL;
    vb->pub.findings = vb->findings;
    dlp_finding_t *f = &vb->findings[vb->pub.n_findings++];
    memset(f, 0, sizeof(*f));
    return f;
}

dlp_finding_t *dlp_vb_finding(dlp_vb_t *vb, size_t i)
{
    return &vb->findings[i];
}

void dlp_vb_drop_last_finding(dlp_vb_t *vb)
{
    if (vb->pub.n_findings)
        vb->pub.n_findings--;
}

dlp_recipient_t *dlp_vb_add_recipient(dlp_vb_t *vb)
{
    if (DLP_GROW(vb->recipients, vb->cap_recipients, vb->pub.n_recipients + 1))
        return NULL;
    vb->pub.recipients = vb->recipients;
    dlp_recipient_t *r = &vb->recipients[vb->pub.n_recipients++];
    memset(r, 0, sizeof(*r));
    return r;
}

dlp_recipient_t *dlp_vb_recipient(dlp_vb_t *vb, size_t i)
{
    return &vb->recipients[i];
}

dlp_attachment_t *dlp_vb_add_attachment(dlp_vb_t *vb)
{
    if (DLP_GROW(vb->attachments, vb->cap_attachments, vb->pub.n_attachments + 1))
        return NULL;
    vb->pub.attachments = vb->attachments;
    dlp_attachment_t *a = &vb->attachments[vb->pub.n_attachments++];
    memset(a, 0, sizeof(*a));
    return a;
}

int dlp_vb_add_reason(dlp_vb_t *vb, const char *fmt, ...)
{
    if (DLP_GROW(vb->reasons, vb->cap_reasons, vb->pub.n_reasons + 1))
        return DLP_ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    const char *s = vb_vprintf(vb, fmt, ap);
    va_end(ap);
    if (!s)
        return DLP_ENOMEM;
    vb->reasons[vb->pub.n_reasons++] = s;
    vb->pub.reasons = vb->reasons;
    return DLP_OK;
}
