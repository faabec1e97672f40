/*
 * milter_msg.c - per-connection and per-message state of dlp-milter (see
 * milter_msg.h).
 */
#include "milter_msg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dlp/client.h"

const char *const milter_dlp_headers[3] = {"X-DLP-Action", "X-DLP-Score", "X-DLP-Rules"};

milter_conn_t *milter_conn_new(size_t max_message_bytes)
{
    milter_conn_t *c = calloc(1, sizeof(*c));
    if (c)
        c->max = max_message_bytes;
    return c;
}

static void wipe_free(void *p, size_t n)
{
    if (!p)
        return;
    explicit_bzero(p, n);
    free(p);
}

void milter_conn_reset_message(milter_conn_t *c)
{
    free(c->mail_from);
    c->mail_from = NULL;
    for (size_t i = 0; i < c->n_rcpts; i++) {
        free(c->rcpts[i].raw);
        free(c->rcpts[i].address);
        free(c->rcpts[i].notice);
    }
    free(c->rcpts);
    c->rcpts = NULL;
    c->n_rcpts = c->cap_rcpts = 0;
    wipe_free(c->msg, c->cap);
    c->msg = NULL;
    c->len = c->cap = 0;
    c->truncated = c->body_started = 0;
    memset(c->forged_headers, 0, sizeof(c->forged_headers));
}

void milter_conn_free(milter_conn_t *c)
{
    if (!c)
        return;
    milter_conn_reset_message(c);
    free(c->client_address);
    free(c->helo);
    dlp_client_free(c->client);
    free(c);
}

int milter_conn_set(char **field, const char *value)
{
    char *s = strdup(value ? value : "");
    if (!s)
        return -1;
    free(*field);
    *field = s;
    return 0;
}

char *milter_strip_address(const char *raw)
{
    while (*raw && isspace((unsigned char)*raw))
        raw++;
    size_t n = strlen(raw);
    while (n && isspace((unsigned char)raw[n - 1]))
        n--;
    if (n >= 2 && raw[0] == '<' && raw[n - 1] == '>') {
        raw++;
        n -= 2;
    }
    return strndup(raw, n);
}

int milter_conn_add_rcpt(milter_conn_t *c, const char *raw, int lookalike, const char *notice)
{
    if (c->n_rcpts == c->cap_rcpts) {
        size_t cap = c->cap_rcpts ? c->cap_rcpts * 2 : 8;
        milter_rcpt_t *r = realloc(c->rcpts, cap * sizeof(*r));
        if (!r)
            return -1;
        c->rcpts = r;
        c->cap_rcpts = cap;
    }
    milter_rcpt_t *r = &c->rcpts[c->n_rcpts];
    memset(r, 0, sizeof(*r));
    r->raw = strdup(raw);
    r->address = milter_strip_address(raw);
    r->notice = notice ? strdup(notice) : NULL;
    r->lookalike = lookalike;
    if (!r->raw || !r->address || (notice && !r->notice)) {
        free(r->raw);
        free(r->address);
        free(r->notice);
        return -1;
    }
    c->n_rcpts++;
    return 0;
}

/* Appends up to the cap; what does not fit marks the message truncated. */
static int append(milter_conn_t *c, const void *p, size_t n)
{
    if (c->len + n > c->max) {
        c->truncated = 1;
        n = c->max - c->len;
    }
    if (n == 0)
        return 0;
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 16384;
        while (cap < c->len + n)
            cap *= 2;
        if (cap > c->max)
            cap = c->max;
        /* Not realloc: the old buffer holds content and is wiped, not just released. */
        uint8_t *m = malloc(cap);
        if (!m)
            return -1;
        if (c->len)
            memcpy(m, c->msg, c->len);
        wipe_free(c->msg, c->cap);
        c->msg = m;
        c->cap = cap;
    }
    memcpy(c->msg + c->len, p, n);
    c->len += n;
    return 0;
}

/* Appends text turning bare LF (how milters fold header lines) into CRLF. */
static int append_crlf(milter_conn_t *c, const char *s)
{
    while (*s) {
        size_t run = strcspn(s, "\r\n");
        if (append(c, s, run) < 0)
            return -1;
        s += run;
        if (*s == '\r' && s[1] == '\n')
            s++;
        if (*s) {
            if (append(c, "\r\n", 2) < 0)
                return -1;
            s++;
        }
    }
    return 0;
}

int milter_conn_add_header(milter_conn_t *c, const char *name, const char *value, int leadspc)
{
    for (size_t i = 0; i < 3; i++)
        if (strcasecmp(name, milter_dlp_headers[i]) == 0)
            c->forged_headers[i]++;
    if (append(c, name, strlen(name)) < 0 || append(c, ":", 1) < 0)
        return -1;
    /* Without SMFIP_HDR_LEADSPC the MTA strips the space after the colon. */
    if (!leadspc && *value && append(c, " ", 1) < 0)
        return -1;
    return append_crlf(c, value) < 0 || append(c, "\r\n", 2) < 0 ? -1 : 0;
}

int milter_conn_end_headers(milter_conn_t *c)
{
    if (c->body_started)
        return 0;
    c->body_started = 1;
    return append(c, "\r\n", 2);
}

int milter_conn_add_body(milter_conn_t *c, const uint8_t *chunk, size_t len)
{
    if (milter_conn_end_headers(c) < 0)
        return -1;
    return append(c, chunk, len);
}
