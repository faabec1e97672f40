/*
 * dlpc - command-line client for dlpd.
 *
 * Scans files through a running daemon and prints one verdict per file
 * (human text, or one compact JSON object per line with --json), and runs
 * the admin requests ping, stats, reload and hello. Everything goes through
 * libdlpclient; scans of several files are pipelined on one connection and
 * printed in the order the files were given, whatever order the answers
 * arrive in. The exit status is the strongest verdict, so scripts can use
 * dlpc as a filter (see usage() for the codes).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlp/client.h"

#ifndef DLPC_VERSION
#define DLPC_VERSION "dev"
#endif

enum {
    EXIT_ALLOW = 0,
    EXIT_WARN = 1,
    EXIT_QUARANTINE = 2,
    EXIT_BLOCK = 3,
    EXIT_ERROR = 4,
    EXIT_USAGE = 64,
};

#define DEFAULT_SOCKET     "unix:./dlpd.sock"
#define DEFAULT_TIMEOUT_MS 30000
#define SCAN_WINDOW        64 /* scans in flight on the connection at once */

typedef struct opts {
    const char *socket;
    int timeout_ms; /* -1 = no limit */
    int json;
    const char *mail_from;
    const char **rcpt;
    size_t n_rcpt;
    const char *profile;
    int scan_opts_used;                                        /* --from/--rcpt/--profile seen */
    const char *tls_ca, *tls_cert, *tls_key, *tls_server_name; /* for tls: addresses */
} opts_t;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dlpc [--socket ADDR] [--timeout MS] COMMAND [ARGS]\n"
            "\n"
            "commands:\n"
            "  scan [--json] [--from ADDR] [--rcpt ADDR]... [--profile NAME] FILE...\n"
            "         classify each message file (\"-\" = standard input); one verdict per\n"
            "         file. Without --rcpt the daemon takes recipients from To/Cc.\n"
            "  ping   round trip to the daemon, in microseconds\n"
            "  stats [--json]  the daemon's counters, gauges and scan latency histogram\n"
            "                  (the figures of its /metrics page)\n"
            "  reload          reload configuration and rules; prints the new rules version\n"
            "  hello           protocol version, daemon version, rules version, limits\n"
            "\n"
            "options:\n"
            "  --socket ADDR   unix:PATH, tcp:HOST:PORT or tls:HOST:PORT\n"
            "                  (default $DLPD_SOCKET, else %s)\n"
            "  --timeout MS    connect and per-answer timeout (default %d; 0 = none)\n"
            "  --json          one compact JSON object per line\n"
            "  --tls-ca FILE   CA certificate(s) that verify the daemon (required for tls:)\n"
            "  --tls-cert FILE client certificate (PEM), when the daemon asks for one\n"
            "  --tls-key FILE  its private key (default: in the --tls-cert file)\n"
            "  --tls-server-name NAME\n"
            "                  name the daemon's certificate must carry (default: HOST)\n"
            "  -h, --help      this text\n"
            "\n"
            "exit status:\n"
            "  0 allow, 1 warn, 2 quarantine, 3 block  (scan: the strongest over all files)\n"
            "  4 error: cannot connect, error response from the daemon, unreadable file,\n"
            "    reload refused\n"
            "  64 usage error\n",
            DEFAULT_SOCKET, DEFAULT_TIMEOUT_MS);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dlpc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'dlpc --help'.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* ------------------------------------------------------------------ output */

/* Prints s with control characters escaped, so a snippet cannot forge lines. */
static void print_escaped(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p == '\t')
            fputs("\\t", stdout);
        else if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
}

static void upper(char *dst, const char *src, size_t size)
{
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++)
        dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
    dst[i] = '\0';
}

static void print_finding_human(const Dlp__V1__Finding *f)
{
    printf("  finding %s category=%s severity=%s part=%s where=%s offset=%llu count=%u", f->rule_id,
           f->category, dlp_client_severity_name(f->severity), f->part, f->where,
           (unsigned long long)f->offset, f->count);
    if (f->snippet[0]) {
        fputs(" snippet=\"", stdout);
        print_escaped(f->snippet);
        putchar('"');
    }
    putchar('\n');
}

static void print_recipient_human(const Dlp__V1__RecipientResult *r)
{
    printf("  recipient %s source=%s class=%s", r->address, dlp_client_source_name(r->source),
           dlp_client_class_name(r->class_));
    if (r->lookalike_of[0])
        printf(" lookalike_of=%s", r->lookalike_of);
    if (r->technique[0])
        printf(" technique=%s", r->technique);
    printf(" action=%s\n", dlp_client_action_name(r->action));
}

static void print_attachment_human(const Dlp__V1__Attachment *a)
{
    printf("  attachment %s type=%s declared=%s size=%llu", a->where, a->detected_type,
           a->declared_type, (unsigned long long)a->size);
    if (a->width || a->height)
        printf(" pixels=%ux%u", a->width, a->height);
    printf("%s%s%s%s%s%s\n", a->type_mismatch ? " type-mismatch" : "",
           a->encrypted ? " encrypted" : "", a->extracted ? " extracted" : "",
           a->truncated ? " truncated" : "", a->gps ? " gps" : "",
           a->medical_image ? " medical-image" : "");
}

static void print_scan_human(const char *file, const Dlp__V1__ScanResponse *s)
{
    char act[16];
    upper(act, dlp_client_action_name(s->action), sizeof(act));
    printf("%s: %s (score %u)", file, act, s->score);
    if (s->monitor) {
        char would[16];
        upper(would, dlp_client_action_name(s->would_action), sizeof(would));
        printf(" [monitor mode: would %s]", would);
    }
    putchar('\n');
    for (size_t i = 0; i < s->n_findings; i++)
        print_finding_human(s->findings[i]);
    for (size_t i = 0; i < s->n_recipients; i++)
        print_recipient_human(s->recipients[i]);
    for (size_t i = 0; i < s->n_attachments; i++)
        print_attachment_human(s->attachments[i]);
    for (size_t i = 0; i < s->n_reasons; i++)
        printf("  reason: %s\n", s->reasons[i]);
    if (s->notice[0]) {
        fputs("  notice: ", stdout);
        print_escaped(s->notice);
        putchar('\n');
    }
    for (size_t i = 0; i < s->n_incomplete; i++)
        printf("  incomplete: %s\n", s->incomplete[i]);
}

/* "" becomes null: the JSON schema has no empty strings for optional values. */
static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

static json_t *findings_json(const Dlp__V1__ScanResponse *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_findings; i++) {
        const Dlp__V1__Finding *f = s->findings[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "rule",
                                           f->rule_id, "category", f->category, "severity",
                                           dlp_client_severity_name(f->severity), "part", f->part,
                                           "where", f->where, "offset", (json_int_t)f->offset,
                                           "count", (json_int_t)f->count, "snippet", f->snippet));
    }
    return a;
}

static json_t *recipients_json(const Dlp__V1__ScanResponse *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_recipients; i++) {
        const Dlp__V1__RecipientResult *r = s->recipients[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "address", r->address,
                                           "source", dlp_client_source_name(r->source), "class",
                                           dlp_client_class_name(r->class_), "lookalike_of",
                                           str_or_null(r->lookalike_of), "technique",
                                           str_or_null(r->technique), "action",
                                           dlp_client_action_name(r->action)));
    }
    return a;
}

static json_t *attachments_json(const Dlp__V1__ScanResponse *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_attachments; i++) {
        const Dlp__V1__Attachment *t = s->attachments[i];
        json_array_append_new(
            a, json_pack("{s:s, s:o, s:s, s:s, s:I, s:b, s:b, s:b, s:b}", "where", t->where,
                         "filename", str_or_null(t->filename), "declared_type", t->declared_type,
                         "detected_type", t->detected_type, "size", (json_int_t)t->size,
                         "type_mismatch", t->type_mismatch, "encrypted", t->encrypted, "extracted",
                         t->extracted, "truncated", t->truncated));
    }
    return a;
}

static json_t *strings_json(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* Prints one compact JSON line; returns -1 when jansson could not build it. */
static int print_json_line(json_t *o)
{
    if (!o)
        return -1;
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    if (!text)
        return -1;
    puts(text);
    free(text);
    return 0;
}

static int print_scan_json(const char *file, const Dlp__V1__ScanResponse *s)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:I}", "file", file,
                          "action", dlp_client_action_name(s->action), "score",
                          (json_int_t)s->score, "findings", findings_json(s), "recipients",
                          recipients_json(s), "attachments", attachments_json(s), "reasons",
                          strings_json(s->reasons, s->n_reasons), "notice", str_or_null(s->notice),
                          "incomplete", strings_json(s->incomplete, s->n_incomplete),
                          "rules_version", s->rules_version, "scan_us", (json_int_t)s->scan_us);
    return print_json_line(o);
}

/* Exit status for a verdict; EXIT_ERROR for an action a message cannot have. */
static int exit_for_action(Dlp__V1__Action a)
{
    switch (a) {
    case DLP__V1__ACTION__ALLOW:
        return EXIT_ALLOW;
    case DLP__V1__ACTION__WARN:
        return EXIT_WARN;
    case DLP__V1__ACTION__QUARANTINE:
        return EXIT_QUARANTINE;
    case DLP__V1__ACTION__BLOCK:
        return EXIT_BLOCK;
    default:
        return EXIT_ERROR;
    }
}

/* Reports an error response on stderr. Returns EXIT_ERROR. */
static int report_error_response(const char *what, const Dlp__V1__Response *r)
{
    fprintf(stderr, "dlpc: %s: %s: %s\n", what, dlp_client_error_code_name(r->error->code),
            r->error->message);
    return EXIT_ERROR;
}

/* ------------------------------------------------------------------- input */

/* Reads a whole file ("-" = stdin) into a malloc'd buffer. */
static int read_input(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = !buf || ferror(f);
    int e = bad && buf ? EIO : errno;
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        errno = e;
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* -------------------------------------------------------------------- scan */

typedef struct job {
    const char *path;
    Dlp__V1__Response *resp;
    int done;
    char *error; /* set when the file never got a verdict */
} job_t;

typedef struct scan_run {
    const opts_t *o;
    dlp_client_t *c;
    job_t *jobs;
    size_t n, next_send, next_print, inflight;
    int status;
} scan_run_t;

static void job_fail(job_t *j, const char *msg)
{
    if (!j->error)
        j->error = strdup(msg);
    j->done = 1;
}

static void merge_status(scan_run_t *r, int st)
{
    if (st > r->status)
        r->status = st;
}

/* Reads file i and sends its scan request (id i + 1). Returns -1 when the connection failed. */
static int send_scan(scan_run_t *r, size_t i)
{
    job_t *j = &r->jobs[i];
    uint8_t *msg;
    size_t len;
    if (read_input(j->path, &msg, &len) < 0) {
        char buf[512];
        snprintf(buf, sizeof(buf), "cannot read: %s", strerror(errno));
        job_fail(j, buf);
        return 0;
    }
    Dlp__V1__Envelope env = DLP__V1__ENVELOPE__INIT;
    env.mail_from = (char *)(r->o->mail_from ? r->o->mail_from : "");
    env.rcpt_to = (char **)r->o->rcpt;
    env.n_rcpt_to = r->o->n_rcpt;
    Dlp__V1__ScanRequest scan = DLP__V1__SCAN_REQUEST__INIT;
    scan.envelope = &env;
    scan.message.data = msg;
    scan.message.len = len;
    scan.profile = (char *)(r->o->profile ? r->o->profile : "");
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    req.id = i + 1;
    req.body_case = DLP__V1__REQUEST__BODY_SCAN;
    req.scan = &scan;
    char err[512];
    int rc = dlp_client_send(r->c, &req, err, sizeof(err));
    free(msg);
    if (rc < 0) {
        job_fail(j, err);
        return -1;
    }
    r->inflight++;
    return 0;
}

static void print_job(scan_run_t *r, job_t *j)
{
    if (j->error) {
        fprintf(stderr, "dlpc: %s: %s\n", j->path, j->error);
        merge_status(r, EXIT_ERROR);
        return;
    }
    const Dlp__V1__Response *resp = j->resp;
    if (resp->error) {
        report_error_response(j->path, resp);
        merge_status(r, EXIT_ERROR);
        return;
    }
    if (resp->body_case != DLP__V1__RESPONSE__BODY_SCAN) {
        fprintf(stderr, "dlpc: %s: response without a scan result\n", j->path);
        merge_status(r, EXIT_ERROR);
        return;
    }
    int st = exit_for_action(resp->scan->action);
    if (!r->o->json) {
        print_scan_human(j->path, resp->scan);
    } else if (print_scan_json(j->path, resp->scan) < 0) {
        fprintf(stderr, "dlpc: %s: cannot format JSON\n", j->path);
        st = EXIT_ERROR;
    }
    if (st == EXIT_ERROR)
        fprintf(stderr, "dlpc: %s: verdict has no valid action\n", j->path);
    merge_status(r, st);
}

/* Prints finished jobs in file order. */
static void flush_jobs(scan_run_t *r)
{
    while (r->next_print < r->n && r->jobs[r->next_print].done) {
        print_job(r, &r->jobs[r->next_print]);
        r->next_print++;
    }
    fflush(stdout);
}

/* Receives one response and files it under its job. Returns -1 on a connection failure. */
static int recv_scan(scan_run_t *r, char *err, size_t errlen)
{
    Dlp__V1__Response *resp;
    int rc = dlp_client_recv(r->c, r->o->timeout_ms, &resp, err, errlen);
    if (rc < 0)
        return -1;
    uint64_t id = resp->id;
    if (id == 0 && resp->error) {
        /* The daemon could not even read a request: nothing left to match. */
        snprintf(err, errlen, "%s: %s", dlp_client_error_code_name(resp->error->code),
                 resp->error->message);
        dlp_client_response_free(resp);
        return -1;
    }
    if (id < 1 || id > r->n || r->jobs[id - 1].done) {
        snprintf(err, errlen, "protocol error: unexpected response id %llu",
                 (unsigned long long)id);
        dlp_client_response_free(resp);
        return -1;
    }
    r->jobs[id - 1].resp = resp;
    r->jobs[id - 1].done = 1;
    r->inflight--;
    return 0;
}

/* Fails every file that has no answer yet, after the connection broke. */
static void fail_remaining(scan_run_t *r, const char *err)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->jobs[i].done)
            job_fail(&r->jobs[i], err);
}

static int scan_loop(scan_run_t *r)
{
    char err[512];
    while (r->next_print < r->n) {
        while (r->next_send < r->n && r->inflight < SCAN_WINDOW) {
            size_t i = r->next_send++;
            if (send_scan(r, i) < 0) {
                fail_remaining(r, r->jobs[i].error);
                break;
            }
        }
        flush_jobs(r);
        if (r->inflight == 0)
            continue;
        if (recv_scan(r, err, sizeof(err)) < 0) {
            fail_remaining(r, err);
            r->inflight = 0;
        }
    }
    return r->status;
}

static int cmd_scan(const opts_t *o, dlp_client_t *c, char **files, size_t n)
{
    scan_run_t r = {.o = o, .c = c, .n = n};
    r.jobs = calloc(n, sizeof(*r.jobs));
    if (!r.jobs) {
        fprintf(stderr, "dlpc: out of memory\n");
        return EXIT_ERROR;
    }
    for (size_t i = 0; i < n; i++)
        r.jobs[i].path = files[i];
    int st = scan_loop(&r);
    for (size_t i = 0; i < n; i++) {
        dlp_client_response_free(r.jobs[i].resp);
        free(r.jobs[i].error);
    }
    free(r.jobs);
    return st;
}

/* ------------------------------------------------------------------- admin */

/* Sends a request with the given body and waits for its answer; NULL after reporting an error. */
static Dlp__V1__Response *call(const opts_t *o, dlp_client_t *c, Dlp__V1__Request *req)
{
    char err[512];
    Dlp__V1__Response *resp;
    req->id = dlp_client_next_id(c);
    if (dlp_client_call(c, req, o->timeout_ms, &resp, err, sizeof(err)) < 0) {
        fprintf(stderr, "dlpc: %s: %s\n", o->socket, err);
        return NULL;
    }
    if (resp->error) {
        report_error_response(o->socket, resp);
        dlp_client_response_free(resp);
        return NULL;
    }
    return resp;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmd_ping(const opts_t *o, dlp_client_t *c)
{
    static uint8_t payload[] = "dlpc-ping";
    Dlp__V1__Ping ping = DLP__V1__PING__INIT;
    ping.payload.data = payload;
    ping.payload.len = sizeof(payload) - 1;
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    req.body_case = DLP__V1__REQUEST__BODY_PING;
    req.ping = &ping;
    int64_t t0 = now_us();
    Dlp__V1__Response *resp = call(o, c, &req);
    int64_t rtt = now_us() - t0;
    if (!resp)
        return EXIT_ERROR;
    int ok = resp->body_case == DLP__V1__RESPONSE__BODY_PING &&
             resp->ping->payload.len == ping.payload.len &&
             memcmp(resp->ping->payload.data, payload, ping.payload.len) == 0;
    dlp_client_response_free(resp);
    if (!ok) {
        fprintf(stderr, "dlpc: %s: pong did not echo the ping\n", o->socket);
        return EXIT_ERROR;
    }
    printf("pong from %s: %lld us\n", o->socket, (long long)rtt);
    return EXIT_ALLOW;
}

/* Families as on /metrics without the "dlpd_" prefix, e.g. scans_total{action="block"} 3. */
static void print_stats_text(const Dlp__V1__StatsReply *s)
{
    printf("rules_version: %s\nuptime_s: %llu\n", s->rules_version,
           (unsigned long long)s->uptime_s);
    if (s->n_metrics == 0) { /* an older daemon: its flat counters */
        for (size_t i = 0; i < s->n_counters; i++)
            printf("%s: %llu\n", s->counters[i]->name, (unsigned long long)s->counters[i]->value);
        return;
    }
    for (size_t i = 0; i < s->n_metrics; i++) {
        const Dlp__V1__Metric *m = s->metrics[i];
        if (m->label[0])
            printf("%s{%s=\"%s\"} %llu\n", m->name, m->label, m->label_value,
                   (unsigned long long)m->value);
        else
            printf("%s %llu\n", m->name, (unsigned long long)m->value);
    }
    for (size_t i = 0; i < s->n_histograms; i++) {
        const Dlp__V1__Histogram *h = s->histograms[i];
        for (size_t b = 0; b < h->n_buckets; b++)
            printf("%s_bucket{le=\"%s\"} %llu\n", h->name, h->buckets[b]->le,
                   (unsigned long long)h->buckets[b]->count);
        printf("%s_sum %.6f\n%s_count %llu\n", h->name, h->sum, h->name,
               (unsigned long long)h->count);
    }
}

/* {"requests_total": 5, "scans_total": {"allow": 1, ...}, ...}: a labelled family is
 * an object keyed by its label's values. */
static json_t *metrics_json(const Dlp__V1__StatsReply *s)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < s->n_metrics; i++) {
        const Dlp__V1__Metric *m = s->metrics[i];
        if (!m->label[0]) {
            json_object_set_new(o, m->name, json_integer((json_int_t)m->value));
            continue;
        }
        json_t *fam = json_object_get(o, m->name);
        if (!json_is_object(fam)) {
            fam = json_object();
            json_object_set_new(o, m->name, fam);
        }
        json_object_set_new(fam, m->label_value, json_integer((json_int_t)m->value));
    }
    return o;
}

static json_t *histograms_json(const Dlp__V1__StatsReply *s)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < s->n_histograms; i++) {
        const Dlp__V1__Histogram *h = s->histograms[i];
        json_t *buckets = json_object();
        for (size_t b = 0; buckets && b < h->n_buckets; b++)
            json_object_set_new(buckets, h->buckets[b]->le,
                                json_integer((json_int_t)h->buckets[b]->count));
        json_object_set_new(o, h->name,
                            json_pack("{s:o, s:I, s:f}", "buckets", buckets, "count",
                                      (json_int_t)h->count, "sum", h->sum));
    }
    return o;
}

static int print_stats(const opts_t *o, const Dlp__V1__StatsReply *s)
{
    if (!o->json) {
        print_stats_text(s);
        return EXIT_ALLOW;
    }
    json_t *counters = json_object();
    for (size_t i = 0; i < s->n_counters; i++)
        json_object_set_new(counters, s->counters[i]->name,
                            json_integer((json_int_t)s->counters[i]->value));
    json_t *obj = json_pack("{s:s, s:I, s:o, s:o, s:o}", "rules_version", s->rules_version,
                            "uptime_s", (json_int_t)s->uptime_s, "counters", counters, "metrics",
                            metrics_json(s), "histograms", histograms_json(s));
    if (print_json_line(obj) < 0) {
        fprintf(stderr, "dlpc: cannot format JSON\n");
        return EXIT_ERROR;
    }
    return EXIT_ALLOW;
}

static int cmd_stats(const opts_t *o, dlp_client_t *c)
{
    Dlp__V1__StatsRequest stats = DLP__V1__STATS_REQUEST__INIT;
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    req.body_case = DLP__V1__REQUEST__BODY_STATS;
    req.stats = &stats;
    Dlp__V1__Response *resp = call(o, c, &req);
    if (!resp)
        return EXIT_ERROR;
    int st = EXIT_ERROR;
    if (resp->body_case == DLP__V1__RESPONSE__BODY_STATS)
        st = print_stats(o, resp->stats);
    else
        fprintf(stderr, "dlpc: %s: response without stats\n", o->socket);
    dlp_client_response_free(resp);
    return st;
}

/* Prints "file:line:column: message" lines of a refused reload; always EXIT_ERROR. */
static int report_reload_errors(const opts_t *o, const Dlp__V1__Response *resp)
{
    const Dlp__V1__ReloadReply *rr =
        resp->body_case == DLP__V1__RESPONSE__BODY_RELOAD ? resp->reload : NULL;
    if (resp->error)
        report_error_response(o->socket, resp);
    for (size_t i = 0; rr && i < rr->n_errors; i++)
        fprintf(stderr, "%s\n", rr->errors[i]);
    if (!resp->error && (!rr || rr->n_errors == 0))
        fprintf(stderr, "dlpc: %s: reload refused\n", o->socket);
    return EXIT_ERROR;
}

/* A refused reload carries RELOAD_FAILED and, with it, the reasons: so no call() here. */
static int cmd_reload(const opts_t *o, dlp_client_t *c)
{
    Dlp__V1__ReloadRequest reload = DLP__V1__RELOAD_REQUEST__INIT;
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    req.id = dlp_client_next_id(c);
    req.body_case = DLP__V1__REQUEST__BODY_RELOAD;
    req.reload = &reload;
    char err[512];
    Dlp__V1__Response *resp;
    if (dlp_client_call(c, &req, o->timeout_ms, &resp, err, sizeof(err)) < 0) {
        fprintf(stderr, "dlpc: %s: %s\n", o->socket, err);
        return EXIT_ERROR;
    }
    int st;
    if (!resp->error && resp->body_case == DLP__V1__RESPONSE__BODY_RELOAD && resp->reload->ok) {
        printf("ok %s\n", resp->reload->rules_version);
        st = EXIT_ALLOW;
    } else {
        st = report_reload_errors(o, resp);
    }
    dlp_client_response_free(resp);
    return st;
}

static int cmd_hello(const opts_t *o, dlp_client_t *c)
{
    Dlp__V1__Hello hello = DLP__V1__HELLO__INIT;
    hello.protocol_version = DLP__V1__PROTOCOL_VERSION__PROTOCOL_VERSION;
    hello.client_name = (char *)"dlpc/" DLPC_VERSION;
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    req.body_case = DLP__V1__REQUEST__BODY_HELLO;
    req.hello = &hello;
    Dlp__V1__Response *resp = call(o, c, &req);
    if (!resp)
        return EXIT_ERROR;
    int st = EXIT_ERROR;
    if (resp->body_case == DLP__V1__RESPONSE__BODY_HELLO) {
        const Dlp__V1__HelloReply *h = resp->hello;
        printf("protocol_version: %u\nserver_version: %s\nrules_version: %s\n"
               "max_frame_bytes: %u\n",
               h->protocol_version, h->server_version, h->rules_version, h->max_frame_bytes);
        st = EXIT_ALLOW;
    } else {
        fprintf(stderr, "dlpc: %s: response without a hello reply\n", o->socket);
    }
    dlp_client_response_free(resp);
    return st;
}

/* --------------------------------------------------------------- arguments */

enum {
    OPT_SOCKET = 256,
    OPT_TIMEOUT,
    OPT_JSON,
    OPT_FROM,
    OPT_RCPT,
    OPT_PROFILE,
    OPT_TLS_CA,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_TLS_SERVER_NAME,
};

static const struct option long_opts[] = {
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"from", required_argument, NULL, OPT_FROM},
    {"rcpt", required_argument, NULL, OPT_RCPT},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"tls-ca", required_argument, NULL, OPT_TLS_CA},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"tls-server-name", required_argument, NULL, OPT_TLS_SERVER_NAME},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define WANTS_HELP (-1)

/* Applies one option. Returns 0, WANTS_HELP, or EXIT_USAGE after saying why. */
static int apply_opt(opts_t *o, int ch, const char *arg)
{
    char *end;
    long v;
    switch (ch) {
    case OPT_SOCKET:
        o->socket = arg;
        return 0;
    case OPT_TIMEOUT:
        errno = 0;
        v = strtol(arg, &end, 10);
        if (errno || *end || end == arg || v < 0 || v > 86400000)
            return usage_error("bad --timeout: %s", arg);
        o->timeout_ms = v == 0 ? -1 : (int)v;
        return 0;
    case OPT_JSON:
        o->json = 1;
        return 0;
    case OPT_FROM:
        o->mail_from = arg;
        o->scan_opts_used = 1;
        return 0;
    case OPT_RCPT: {
        const char **nr = realloc(o->rcpt, (o->n_rcpt + 1) * sizeof(*nr));
        if (!nr)
            return usage_error("out of memory");
        nr[o->n_rcpt++] = arg;
        o->rcpt = nr;
        o->scan_opts_used = 1;
        return 0;
    }
    case OPT_PROFILE:
        o->profile = arg;
        o->scan_opts_used = 1;
        return 0;
    case OPT_TLS_CA:
        o->tls_ca = arg;
        return 0;
    case OPT_TLS_CERT:
        o->tls_cert = arg;
        return 0;
    case OPT_TLS_KEY:
        o->tls_key = arg;
        return 0;
    case OPT_TLS_SERVER_NAME:
        o->tls_server_name = arg;
        return 0;
    case 'h':
        return WANTS_HELP;
    default: /* getopt already printed what was wrong */
        fprintf(stderr, "Try 'dlpc --help'.\n");
        return EXIT_USAGE;
    }
}

/*
 * Parses the options in argv[1..argc), stopping at the first operand when
 * stop_early (the command name). Returns 0 with *next = the first operand,
 * WANTS_HELP after printing the help, or EXIT_USAGE.
 */
static int parse_opts(opts_t *o, int argc, char **argv, int stop_early, int *next)
{
    optind = 0; /* GNU: full re-initialisation, so this can run twice */
    int ch;
    while ((ch = getopt_long(argc, argv, stop_early ? "+h" : "h", long_opts, NULL)) != -1) {
        int r = apply_opt(o, ch, optarg);
        if (r == WANTS_HELP)
            usage(stdout);
        if (r != 0)
            return r;
    }
    *next = optind;
    return 0;
}

/* Connects to o->socket, with TLS settings for a tls: address; -1 after saying why. */
static int connect_daemon(const opts_t *o, dlp_client_t **c)
{
    char err[512];
    dlp_client_tls_t *tls = NULL;
    int r = 0;
    if (o->tls_ca)
        r = dlp_client_tls_new(o->tls_ca, o->tls_cert, o->tls_key, o->tls_server_name, &tls, err,
                               sizeof(err));
    if (r == 0)
        r = dlp_client_connect_tls(o->socket, o->timeout_ms, tls, c, err, sizeof(err));
    dlp_client_tls_free(tls);
    if (r < 0) {
        fprintf(stderr, "dlpc: %s\n", err);
        return -1;
    }
    return 0;
}

static int run(opts_t *o, const char *cmd, char **args, size_t n_args)
{
    int is_scan = strcmp(cmd, "scan") == 0;
    static const char *const admin[] = {"ping", "stats", "reload", "hello"};
    int known = is_scan;
    for (size_t i = 0; i < sizeof(admin) / sizeof(admin[0]); i++)
        known |= strcmp(cmd, admin[i]) == 0;
    if (!known)
        return usage_error("unknown command: %s", cmd);
    if (!is_scan && (o->scan_opts_used || n_args > 0))
        return usage_error("%s takes no --from/--rcpt/--profile or file arguments", cmd);
    if (o->json && !is_scan && strcmp(cmd, "stats") != 0)
        return usage_error("--json is for scan and stats, not %s", cmd);
    if (is_scan && n_args == 0)
        return usage_error("scan: no files given");

    int is_tls = strncmp(o->socket, "tls:", 4) == 0;
    if (is_tls && !o->tls_ca)
        return usage_error("%s: a tls: address needs --tls-ca FILE", o->socket);
    if (!is_tls && (o->tls_ca || o->tls_cert || o->tls_key || o->tls_server_name))
        return usage_error("--tls-* options are for tls:HOST:PORT addresses, not %s", o->socket);

    dlp_client_t *c;
    if (connect_daemon(o, &c) < 0)
        return EXIT_ERROR;
    int st;
    if (is_scan)
        st = cmd_scan(o, c, args, n_args);
    else if (strcmp(cmd, "ping") == 0)
        st = cmd_ping(o, c);
    else if (strcmp(cmd, "stats") == 0)
        st = cmd_stats(o, c);
    else if (strcmp(cmd, "reload") == 0)
        st = cmd_reload(o, c);
    else
        st = cmd_hello(o, c);
    dlp_client_free(c);
    return st;
}

int main(int argc, char **argv)
{
    opts_t o = {.timeout_ms = DEFAULT_TIMEOUT_MS};
    o.socket = getenv("DLPD_SOCKET");
    if (!o.socket || !o.socket[0])
        o.socket = DEFAULT_SOCKET;

    int next, st = parse_opts(&o, argc, argv, 1, &next);
    if (st == 0 && next >= argc)
        st = usage_error("no command given");
    if (st == 0) {
        /* The command's own options, e.g. "scan --json a.eml", may follow it. */
        char **sub = argv + next;
        int sub_argc = argc - next, sub_next;
        st = parse_opts(&o, sub_argc, sub, 0, &sub_next);
        if (st == 0)
            st = run(&o, sub[0], sub + sub_next, (size_t)(sub_argc - sub_next));
    }
    free(o.rcpt);
    return st == WANTS_HELP ? EXIT_ALLOW : st;
}
