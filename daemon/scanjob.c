/*
 * scanjob - running a scan on a worker and finishing it on the loop (see
 * scanjob.h). The per-scan log line carries ids, the action, the score, rule
 * ids, counts and timings: never addresses, subjects or message text. The
 * client's queue_id is logged only after replacing unusual characters.
 */
#include "scanjob.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "log.h"

#define RULES_LOG_MAX    512
#define QUEUE_ID_LOG_MAX 64

dlpd_scanjob_t *dlpd_scanjob_new(dlpd_conn_t *c, Dlp__V1__Request *req, uint64_t recv_ns)
{
    dlpd_scanjob_t *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    j->req = req;
    j->id = req->id;
    j->recv_ns = recv_ns;
    if (req->scan->deadline_ms > 0)
        j->deadline_ns = recv_ns + (uint64_t)req->scan->deadline_ms * 1000000u;
    j->conn = dlpd_conn_hold(c);
    return j;
}

void dlpd_scanjob_free_request(Dlp__V1__Request *req)
{
    if (req->scan && req->scan->message.data)
        explicit_bzero(req->scan->message.data, req->scan->message.len);
    dlp__v1__request__free_unpacked(req, NULL);
}

void dlpd_scanjob_free(dlpd_scanjob_t *j)
{
    if (!j)
        return;
    if (j->req)
        dlpd_scanjob_free_request(j->req);
    if (j->conn)
        dlpd_conn_release(j->conn);
    free(j->frame);
    free(j);
}

void dlpd_scanjob_finish(dlpd_scanjob_t *j)
{
    if (j->frame) {
        dlpd_conn_send(j->conn, j->frame, j->frame_len); /* dropped if closed */
        j->frame = NULL;
    } else {
        /* Not even an error frame could be built: the peer sees a close. */
        dlpd_conn_close(j->conn);
    }
    dlpd_scanjob_free(j);
}

/* Printable, space-free, bounded: safe to put in a key=value log line. */
static void log_safe(char *out, size_t size, const char *in)
{
    size_t n = 0;
    if (!in || !*in)
        in = "-";
    for (; *in && n + 1 < size; in++)
        out[n++] = (*in > 0x20 && *in < 0x7f && *in != '=') ? *in : '?';
    out[n] = '\0';
}

static uint64_t elapsed_us(uint64_t since_ns)
{
    return (dlpd_now_ns() - since_ns) / 1000u;
}

void dlpd_scanjob_log_error(const Dlp__V1__Request *req, Dlp__V1__ErrorCode code, uint64_t recv_ns)
{
    char qid[QUEUE_ID_LOG_MAX];
    log_safe(qid, sizeof(qid), req->scan ? req->scan->queue_id : NULL);
    dlpd_log(code == DLP__V1__ERROR_CODE__INTERNAL ? DLPD_LOG_ERROR : DLPD_LOG_INFO,
             "scan id=%" PRIu64 " queue_id=%s error=%s us=%" PRIu64, req->id, qid,
             dlpd_convert_error_name(code), elapsed_us(recv_ns));
}

/* Distinct rule ids of the findings, comma-separated, "-" when none. */
static void rule_list(char *out, size_t size, const dlp_verdict_t *v)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < v->n_findings; i++) {
        const char *id = v->findings[i].rule_id ? v->findings[i].rule_id : "?";
        size_t k;
        for (k = 0; k < i; k++)
            if (v->findings[k].rule_id && strcmp(v->findings[k].rule_id, id) == 0)
                break;
        if (k < i)
            continue;
        int m = snprintf(out + n, size - n, "%s%s", n ? "," : "", id);
        if (m < 0 || (size_t)m >= size - n) {
            snprintf(out + (n < size - 4 ? n : size - 4), 4, "...");
            return;
        }
        n += (size_t)m;
    }
    if (n == 0)
        snprintf(out, size, "-");
}

static void limit_list(char *out, size_t size, uint32_t bits)
{
    size_t n = 0;
    out[0] = '\0';
    for (int l = 0; l < DLP_LIMIT__COUNT && n < size; l++) {
        if (!(bits & (1u << l)))
            continue;
        int m = snprintf(out + n, size - n, "%s%s", n ? "," : "", dlp_limit_name((dlp_limit_t)l));
        n = m < 0 ? size : n + (size_t)m;
    }
    if (out[0] == '\0')
        snprintf(out, size, "-");
}

static void log_verdict(const dlpd_scanjob_t *j, const dlp_verdict_t *v)
{
    char qid[QUEUE_ID_LOG_MAX], rules[RULES_LOG_MAX], limits[256];

    if (!dlpd_log_enabled(DLPD_LOG_INFO))
        return;
    log_safe(qid, sizeof(qid), j->req->scan->queue_id);
    rule_list(rules, sizeof(rules), v);
    limit_list(limits, sizeof(limits), v->incomplete);
    dlpd_log_info("scan id=%" PRIu64 " queue_id=%s action=%s score=%" PRIu32
                  " rules=%s rcpts=%zu incomplete=%s us=%" PRIu64,
                  j->id, qid, dlp_action_name(v->action), v->score, rules, v->n_recipients, limits,
                  elapsed_us(j->recv_ns));
}

/* Answers the job with an error frame (and its log line). */
static void fail(dlpd_scanjob_t *j, dlpd_stats_t *st, Dlp__V1__ErrorCode code, const char *msg)
{
    dlpd_stats_error(st, code);
    dlpd_scanjob_log_error(j->req, code, j->recv_ns);
    if (dlpd_convert_error_frame(j->id, code, msg, &j->frame, &j->frame_len) < 0)
        j->frame = NULL;
}

static void fill_input(dlp_scan_input_t *in, const dlpd_scanjob_t *j)
{
    const Dlp__V1__ScanRequest *sr = j->req->scan;
    const Dlp__V1__Envelope *env = sr->envelope;

    memset(in, 0, sizeof(*in));
    if (env) {
        in->envelope.mail_from = env->mail_from;
        in->envelope.rcpt_to = (const char *const *)env->rcpt_to;
        in->envelope.n_rcpt = env->n_rcpt_to;
        /* Empty means "not given"; an empty mail_from is the null sender. */
        in->envelope.client_address = *env->client_address ? env->client_address : NULL;
        in->envelope.helo = *env->helo ? env->helo : NULL;
    }
    in->message = sr->message.data;
    in->message_len = sr->message.len;
    in->profile = sr->profile;
    in->deadline_ns = j->deadline_ns;
}

static void scan_error(dlpd_scanjob_t *j, dlpd_stats_t *st, int rc)
{
    char msg[128];
    if (rc == DLP_ETIMEDOUT) {
        fail(j, st, DLP__V1__ERROR_CODE__DEADLINE_EXCEEDED, "deadline exceeded during the scan");
    } else if (rc == DLP_EPROFILE) {
        fail(j, st, DLP__V1__ERROR_CODE__INVALID_REQUEST, "unknown policy profile");
    } else {
        snprintf(msg, sizeof(msg), "scan failed: %s", dlp_strerror(rc));
        fail(j, st, DLP__V1__ERROR_CODE__INTERNAL, msg);
    }
}

void dlpd_scanjob_run(dlpd_scanjob_t *j, dlp_scanner_t *s, dlp_engine_t *e, dlpd_stats_t *st)
{
    dlp_scan_input_t in;
    dlp_verdict_t *v = NULL;

    if (j->deadline_ns && dlpd_now_ns() >= j->deadline_ns) {
        fail(j, st, DLP__V1__ERROR_CODE__DEADLINE_EXCEEDED, "deadline passed while queued");
    } else if (!e) {
        fail(j, st, DLP__V1__ERROR_CODE__INTERNAL, "no rule set loaded");
    } else {
        fill_input(&in, j);
        int rc = dlp_scan(s, e, &in, &v);
        if (rc != DLP_OK) {
            scan_error(j, st, rc);
        } else if (dlpd_convert_scan_frame(j->id, v, &j->frame, &j->frame_len) < 0) {
            fail(j, st, DLP__V1__ERROR_CODE__INTERNAL, "out of memory building the response");
        } else {
            dlpd_stats_verdict(st, v);
            log_verdict(j, v);
        }
        dlp_verdict_free(v);
    }
    dlpd_scanjob_free_request(j->req);
    j->req = NULL;
    dlpd_stats_latency(st, dlpd_now_ns() - j->recv_ns); /* the answer is ready */
}
