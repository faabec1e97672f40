/*
 * milter_scan.c - dlpd calls with failover and verdict helpers (see
 * milter_scan.h).
 */
#include "milter_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Error codes after which another daemon may well answer. */
static int try_elsewhere(Dlp__V1__ErrorCode code)
{
    return code == DLP__V1__ERROR_CODE__OVERLOADED || code == DLP__V1__ERROR_CODE__SHUTTING_DOWN;
}

int milter_scan(milter_conn_t *c, const milter_opts_t *o, const char *queue_id,
                const char *const *rcpts, size_t n_rcpts, int empty_message,
                Dlp__V1__Response **resp, char *err, size_t errlen)
{
    *resp = NULL;
    Dlp__V1__Envelope env = DLP__V1__ENVELOPE__INIT;
    env.mail_from = c->mail_from ? c->mail_from : "";
    env.rcpt_to = (char **)rcpts;
    env.n_rcpt_to = n_rcpts;
    env.client_address = c->client_address ? c->client_address : "";
    env.helo = c->helo ? c->helo : "";
    Dlp__V1__ScanRequest scan = DLP__V1__SCAN_REQUEST__INIT;
    scan.envelope = &env;
    if (!empty_message) {
        scan.message.data = c->msg;
        scan.message.len = c->len;
    }
    scan.profile = (char *)(o->profile ? o->profile : "");
    scan.deadline_ms = (uint32_t)o->timeout_ms;
    scan.queue_id = (char *)(queue_id ? queue_id : "");
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    req.body_case = DLP__V1__REQUEST__BODY_SCAN;
    req.scan = &scan;

    long long deadline = now_ms() + o->timeout_ms;
    snprintf(err, errlen, "no dlpd endpoint answered");
    for (size_t tried = 0; tried < o->n_endpoints; tried++) {
        size_t ep = (c->endpoint + tried) % o->n_endpoints;
        int left = (int)(deadline - now_ms());
        if (left <= 0) {
            snprintf(err, errlen, "timed out after %d ms", o->timeout_ms);
            break;
        }
        char cerr[256];
        if (c->client && c->endpoint != ep) {
            dlp_client_free(c->client);
            c->client = NULL;
        }
        if (!c->client) {
            dlp_client_t *cl;
            if (dlp_client_connect_tls(o->endpoints[ep], left, o->tls, &cl, cerr, sizeof(cerr)) <
                0) {
                snprintf(err, errlen, "%s: %s", o->endpoints[ep], cerr);
                continue;
            }
            c->client = cl;
            c->endpoint = ep;
            left = (int)(deadline - now_ms());
            if (left <= 0)
                left = 1;
        }
        req.id = dlp_client_next_id(c->client);
        Dlp__V1__Response *r;
        int rc = dlp_client_call(c->client, &req, left, &r, cerr, sizeof(cerr));
        if (rc < 0) {
            /* The connection may hold a late answer: never reuse it. */
            dlp_client_free(c->client);
            c->client = NULL;
            snprintf(err, errlen, "%s: %s", o->endpoints[ep], cerr);
            continue;
        }
        if (r->error && r->error->code != DLP__V1__ERROR_CODE__ERROR_NONE) {
            snprintf(err, errlen, "%s: %s", o->endpoints[ep],
                     dlp_client_error_code_name(r->error->code));
            int again = try_elsewhere(r->error->code);
            dlp_client_response_free(r);
            if (again)
                continue;
            return -1;
        }
        if (r->body_case != DLP__V1__RESPONSE__BODY_SCAN || !r->scan) {
            snprintf(err, errlen, "%s: answer without a scan result", o->endpoints[ep]);
            dlp_client_response_free(r);
            continue;
        }
        *resp = r;
        return 0;
    }
    return -1;
}

void milter_reply_text(const char *text, char *out, size_t size)
{
    size_t n = 0;
    if (!size)
        return;
    for (const unsigned char *p = (const unsigned char *)text; *p && n + 2 < size; p++) {
        if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94)) {
            out[n++] = '-'; /* en or em dash */
            p += 2;
        } else if (*p >= 0x80) {
            while ((p[1] & 0xc0) == 0x80)
                p++;
            out[n++] = '?';
        } else if (*p == '%') {
            out[n++] = '%';
            out[n++] = '%';
        } else if (*p < 0x20 || *p == 0x7f) {
            out[n++] = ' ';
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n] = '\0';
}

void milter_rule_list(const Dlp__V1__ScanResponse *s, char *out, size_t size)
{
    size_t n = 0;
    if (!size)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < s->n_findings; i++) {
        const char *id = s->findings[i]->rule_id;
        if (!id || !*id)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = s->findings[j]->rule_id && strcmp(s->findings[j]->rule_id, id) == 0;
        if (seen)
            continue;
        size_t len = strlen(id);
        if (n + (n ? 1 : 0) + len + 1 > size)
            break; /* the header stays bounded; the log has the count */
        if (n)
            out[n++] = ',';
        memcpy(out + n, id, len);
        n += len;
        out[n] = '\0';
    }
}
