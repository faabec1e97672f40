/*
 * test_metrics - the Prometheus /metrics page and `dlpc stats` of a real
 * dlpd with metrics_listen on a free loopback port.
 *
 * One daemon for the program, fresh, so counters are exact: a FOUO message
 * (blocked), a benign one (allowed) and one over message_bytes (incomplete)
 * are scanned, then /metrics is fetched over a real socket and every action,
 * category and limit count is checked against what the three verdicts said,
 * as is the latency histogram. `dlpc stats --json` must show the same
 * figures. Then the responder's refusals: 404, 405, 400, an oversized head
 * (431), a silent client (closed after the read timeout), a crowd of
 * clients; none may disturb the daemon or its counters. Config errors in
 * metrics_listen are caught by dlpd --check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "dlp/dlp.h"
#include "harness.h"

#define MAX_CLIENTS     32   /* METRICS_MAX_CLIENTS in daemon/metrics.h */
#define READ_TIMEOUT_MS 5000 /* METRICS_READ_TIMEOUT_MS */
#define MESSAGE_BYTES   1024 /* limits.message_bytes below: the examples fit */
#define SCANS           3

static uint16_t metrics_port;
static char *scan_rules_version;

/* -------------------------------------------------------------- helpers */

/* A loopback port nobody listens on right now. */
static uint16_t free_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    close(fd);
    return ntohs(sa.sin_port);
}

static int connect_metrics(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons(metrics_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        return fd;
    fprintf(stderr, "connect 127.0.0.1:%u: %s\n", metrics_port, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Reads until the peer closes (or the harness I/O bound); malloc'd, NUL-terminated. */
static char *read_all(int fd)
{
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap + 1);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (buf && poll(&p, 1, HARNESS_IO_TIMEOUT_MS) == 1) {
        if (len == cap && !(buf = realloc(buf, (cap *= 2) + 1)))
            break;
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* Sends 'request' as is and returns the whole answer (head and body). */
static char *http_raw(const char *request, size_t len)
{
    int fd = connect_metrics();
    if (fd < 0)
        return NULL;
    /* A write cut short by the daemon's close still leaves its answer to read. */
    harness_write_all(fd, request, len);
    shutdown(fd, SHUT_WR);
    char *resp = read_all(fd);
    close(fd);
    return resp;
}

static int http_status(const char *resp)
{
    int code = -1;
    if (resp && sscanf(resp, "HTTP/1.%*d %d ", &code) != 1)
        code = -1;
    return code;
}

/* GET /metrics: the body of a 200 answer, else NULL. */
static char *scrape(void)
{
    static const char req[] = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n";
    char *resp = http_raw(req, sizeof(req) - 1);
    char *body = resp ? strstr(resp, "\r\n\r\n") : NULL;
    if (http_status(resp) != 200 || !body ||
        !strstr(resp, "Content-Type: text/plain; version=0.0.4")) {
        fprintf(stderr, "scrape failed: %.200s\n", resp ? resp : "(no answer)");
        free(resp);
        return NULL;
    }
    memmove(resp, body + 4, strlen(body + 4) + 1);
    return resp;
}

/* The value of the sample line "<series> <value>"; -1 when there is none. */
static double sample(const char *page, const char *series)
{
    size_t n = strlen(series);
    for (const char *l = page; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, series, n) == 0 && l[n] == ' ')
            return strtod(l + n + 1, NULL);
    return -1;
}

static double labelled(const char *page, const char *family, const char *label, const char *value)
{
    char series[256];
    snprintf(series, sizeof(series), "dlpd_%s{%s=\"%s\"}", family, label, value);
    return sample(page, series);
}

/* A scan through libdlpclient; the response or NULL. */
static Dlp__V1__Response *scan(const dlpd_proc_t *d, const uint8_t *msg, size_t len)
{
    dlp_client_t *c = harness_client(d);
    Dlp__V1__Response *r = NULL;
    harness_scan_t s;
    char err[256];
    if (!c)
        return NULL;
    harness_scan_init(&s, dlp_client_next_id(c), msg, len);
    if (dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, &r, err, sizeof(err)) != 0) {
        fprintf(stderr, "scan: %s\n", err);
        r = NULL;
    }
    dlp_client_free(c);
    return r;
}

static Dlp__V1__Response *scan_example(const dlpd_proc_t *d, const char *name)
{
    size_t len;
    uint8_t *msg = harness_read_file(harness_example(name), &len);
    assert_non_null(msg);
    assert_true(len < MESSAGE_BYTES);
    Dlp__V1__Response *r = scan(d, msg, len);
    free(msg);
    return r;
}

/* A benign message three times the message_bytes limit. */
static Dlp__V1__Response *scan_oversized(const dlpd_proc_t *d)
{
    static const char head[] =
        "From: a@example.org\r\nTo: b@example.com\r\nSubject: minutes\r\n\r\n";
    char msg[3 * MESSAGE_BYTES];
    size_t n = sizeof(head) - 1;
    memcpy(msg, head, n);
    while (n + 40 < sizeof(msg))
        n += (size_t)snprintf(msg + n, sizeof(msg) - n, "nothing to report on line %04zu\r\n", n);
    return scan(d, (const uint8_t *)msg, n);
}

/* ----------------------------------------------------------- the scans */

typedef struct expected {
    int action[5]; /* by Dlp__V1__Action */
    int category[DLP_CAT__COUNT];
    int limit[DLP_LIMIT__COUNT];
} expected_t;

static void expect_verdict(expected_t *e, const Dlp__V1__ScanResponse *s)
{
    e->action[s->action]++;
    for (size_t i = 0; i < s->n_findings; i++) {
        dlp_category_t c;
        assert_int_equal(dlp_category_from_name(s->findings[i]->category, &c), 0);
        e->category[c]++;
    }
    for (size_t i = 0; i < s->n_incomplete; i++)
        for (int l = 0; l < DLP_LIMIT__COUNT; l++)
            if (strcmp(s->incomplete[i], dlp_limit_name((dlp_limit_t)l)) == 0)
                e->limit[l]++;
}

static const char *const action_label[] = {NULL, "allow", "warn", "quarantine", "block"};

static void check_page(const char *page, const expected_t *e)
{
    for (int a = 1; a <= 4; a++)
        assert_int_equal(labelled(page, "scans_total", "action", action_label[a]), e->action[a]);
    for (int c = 0; c < DLP_CAT__COUNT; c++)
        assert_int_equal(
            labelled(page, "findings_total", "category", dlp_category_name((dlp_category_t)c)),
            e->category[c]);
    for (int l = 0; l < DLP_LIMIT__COUNT; l++)
        assert_int_equal(
            labelled(page, "scans_incomplete_total", "limit", dlp_limit_name((dlp_limit_t)l)),
            e->limit[l]);
    assert_int_equal(sample(page, "dlpd_scan_requests_total"), SCANS);
    assert_int_equal(sample(page, "dlpd_incomplete_verdicts_total"), 1);
    assert_int_equal(sample(page, "dlpd_queue_depth"), 0);
    assert_int_equal(sample(page, "dlpd_workers_busy"), 0);
    assert_int_equal(sample(page, "dlpd_workers"), 2);
    assert_int_equal(labelled(page, "errors_total", "code", "decode_error"), 0);
    assert_true(sample(page, "dlpd_uptime_seconds") >= 0);
    assert_true(sample(page, "dlpd_connections_accepted_total") >= SCANS);
}

static void check_histogram(const char *page)
{
    assert_int_equal(sample(page, "dlpd_scan_duration_seconds_count"), SCANS);
    assert_int_equal(labelled(page, "scan_duration_seconds_bucket", "le", "+Inf"), SCANS);
    assert_true(sample(page, "dlpd_scan_duration_seconds_sum") > 0);
    /* Cumulative: never decreasing, in the order printed. */
    double last = 0;
    int buckets = 0;
    for (const char *l = strstr(page, "dlpd_scan_duration_seconds_bucket{"); l;
         l = strstr(l + 1, "dlpd_scan_duration_seconds_bucket{")) {
        double v = strtod(strchr(l, ' ') + 1, NULL);
        assert_true(v >= last);
        last = v;
        buckets++;
    }
    assert_true(buckets >= 2);
    assert_non_null(strstr(page, "# TYPE dlpd_scan_duration_seconds histogram\n"));
}

static void test_counters_move(void **state)
{
    dlpd_proc_t *d = *state;
    expected_t e = {0};
    Dlp__V1__Response *r[SCANS] = {scan_example(d, "fouo-to-ml.eml"), scan_example(d, "benign.eml"),
                                   scan_oversized(d)};
    for (int i = 0; i < SCANS; i++) {
        assert_non_null(r[i]);
        assert_null(r[i]->error);
        assert_non_null(r[i]->scan);
        expect_verdict(&e, r[i]->scan);
    }
    assert_int_equal(r[0]->scan->action, DLP__V1__ACTION__BLOCK);
    assert_int_equal(r[1]->scan->action, DLP__V1__ACTION__ALLOW);
    assert_int_equal(r[2]->scan->n_incomplete, 1);
    assert_string_equal(r[2]->scan->incomplete[0], "message_bytes");
    assert_true(e.category[DLP_CAT_MARKING] >= 1);
    scan_rules_version = strdup(r[0]->scan->rules_version);
    for (int i = 0; i < SCANS; i++)
        dlp_client_response_free(r[i]);

    char *page = scrape();
    assert_non_null(page);
    check_page(page, &e);
    check_histogram(page);
    char info[512];
    snprintf(info, sizeof(info), "dlpd_rules_info{version=\"%s\"} 1\n", scan_rules_version);
    assert_non_null(strstr(page, info));
    assert_non_null(strstr(page, "# TYPE dlpd_scans_total counter\n"));
    assert_non_null(strstr(page, "# TYPE dlpd_queue_depth gauge\n"));
    free(page);
}

/* ------------------------------------------------------ dlpc stats --json */

/* Every figure of the JSON 'metrics' object is on the page with the same value. */
static void compare_json_metrics(const char *page, json_t *metrics)
{
    const char *fam;
    json_t *v;
    int compared = 0;
    json_object_foreach(metrics, fam, v)
    {
        char series[256];
        /* Moved by the Stats request itself, or by the clock. */
        if (!strcmp(fam, "requests_total") || !strncmp(fam, "connections", 11) ||
            !strcmp(fam, "uptime_seconds"))
            continue;
        if (json_is_integer(v)) {
            snprintf(series, sizeof(series), "dlpd_%s", fam);
            assert_int_equal(sample(page, series), json_integer_value(v));
            compared++;
            continue;
        }
        const char *label_value;
        json_t *n;
        json_object_foreach(v, label_value, n)
        {
            /* The label's name is the one on the page: find "dlpd_fam{*="value"} ". */
            snprintf(series, sizeof(series), "=\"%s\"} %lld\n", label_value,
                     (long long)json_integer_value(n));
            char prefix[128];
            snprintf(prefix, sizeof(prefix), "\ndlpd_%s{", fam);
            const char *l = strstr(page, prefix);
            int found = 0;
            for (; l && !found; l = strstr(l + 1, prefix)) {
                const char *eol = strchr(l + 1, '\n');
                const char *hit = strstr(l, series);
                found = hit && eol && hit < eol + 1 && hit + strlen(series) == eol + 1;
            }
            if (!found)
                fprintf(stderr, "not on the page: %s%s\n", prefix + 1, series);
            assert_true(found);
            compared++;
        }
    }
    assert_true(compared >= 40);
}

static void test_dlpc_stats_json_matches(void **state)
{
    dlpd_proc_t *d = *state;
    char *page = scrape();
    assert_non_null(page);
    char *argv[] = {(char *)IT_DLPC_BIN, (char *)"--socket", d->address,
                    (char *)"stats",     (char *)"--json",   NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(harness_run(argv, &out, &err), 0);
    json_error_t jerr;
    json_t *o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    json_t *m = json_object_get(o, "metrics");
    assert_true(json_is_object(m));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(m, "scans_total"), "block")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(m, "scans_total"), "allow")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "scans_incomplete_total"), "message_bytes")),
                     1);
    compare_json_metrics(page, m);
    /* The Stats request is one more request than the page counted. */
    assert_int_equal(json_integer_value(json_object_get(m, "requests_total")),
                     sample(page, "dlpd_requests_total") + 1);
    json_t *h = json_object_get(json_object_get(o, "histograms"), "scan_duration_seconds");
    assert_int_equal(json_integer_value(json_object_get(h, "count")), SCANS);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "buckets"), "+Inf")),
                     SCANS);
    assert_string_equal(json_string_value(json_object_get(o, "rules_version")), scan_rules_version);
    /* Older clients' flat list is still there. */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(o, "counters"), "scans_block_total")),
        1);
    json_decref(o);
    free(out);
    free(err);
    free(page);
}

/* ------------------------------------------------------------ refusals */

static void test_wrong_path_method_and_garbage(void **state)
{
    static const char nope[] = "GET /nope HTTP/1.1\r\n\r\n";
    static const char post[] = "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
    static const char head[] = "HEAD /metrics HTTP/1.0\r\n\r\n";
    static const char junk[] = "HELLO\r\n\r\n";
    static const char lf_only[] = "GET /metrics?x=1 HTTP/1.0\n\n";
    char *r;
    (void)state;

    assert_int_equal(http_status(r = http_raw(nope, sizeof(nope) - 1)), 404);
    free(r);
    assert_int_equal(http_status(r = http_raw(post, sizeof(post) - 1)), 405);
    assert_non_null(strstr(r, "\r\nAllow: GET\r\n"));
    free(r);
    assert_int_equal(http_status(r = http_raw(head, sizeof(head) - 1)), 405);
    free(r);
    assert_int_equal(http_status(r = http_raw(junk, sizeof(junk) - 1)), 400);
    free(r);
    assert_int_equal(http_status(r = http_raw(lf_only, sizeof(lf_only) - 1)), 200);
    assert_non_null(strstr(r, "\nConnection: close\r\n"));
    free(r);
}

/* A head that never ends within the bound is refused, the connection closed. */
static void test_oversized_request(void **state)
{
    dlpd_proc_t *d = *state;
    size_t len = 64 * 1024;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'a', len);
    memcpy(big, "GET /metrics HTTP/1.1\r\nX-Pad: ", 30);
    char *r = http_raw(big, len);
    assert_int_equal(http_status(r), 431);
    free(r);
    free(big);
    assert_true(harness_alive(d));
    dlp_client_t *c = harness_client(d);
    assert_non_null(c);
    assert_int_equal(harness_ping(c, 7), 0);
    dlp_client_free(c);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A client that sends half a request is closed after the read timeout; others are served meanwhile.
 */
static void test_silent_client_times_out(void **state)
{
    (void)state;
    int fd = connect_metrics();
    assert_true(fd >= 0);
    assert_int_equal(harness_write_all(fd, "GET /metr", 9), 0);
    int64_t t0 = now_ms();
    char *page = scrape();
    assert_non_null(page);
    free(page);
    assert_int_equal(harness_wait_closed(fd, READ_TIMEOUT_MS + 5000), 1);
    int64_t waited = now_ms() - t0;
    assert_true(waited >= READ_TIMEOUT_MS - 500);
    close(fd);
}

/* Past MAX_CLIENTS open at once, newcomers are closed at once; the page comes back after. */
static void test_client_cap(void **state)
{
    (void)state;
    int fds[MAX_CLIENTS + 8], closed = 0;
    for (int i = 0; i < MAX_CLIENTS + 8; i++)
        assert_true((fds[i] = connect_metrics()) >= 0);
    for (int i = MAX_CLIENTS; i < MAX_CLIENTS + 8; i++)
        closed += harness_wait_closed(fds[i], 2000);
    assert_int_equal(closed, 8);
    assert_int_equal(harness_wait_closed(fds[0], 100), 0); /* the first ones wait for a request */
    for (int i = 0; i < MAX_CLIENTS + 8; i++)
        close(fds[i]);
    char *page = NULL;
    for (int tries = 0; tries < 50 && !page; tries++) {
        usleep(20000); /* the daemon notices the closes */
        page = scrape();
    }
    assert_non_null(page);
    free(page);
}

/* None of the above touched the protocol's counters. */
static void test_counters_unchanged(void **state)
{
    (void)state;
    char *page = scrape();
    assert_non_null(page);
    assert_int_equal(labelled(page, "scans_total", "action", "block"), 1);
    assert_int_equal(labelled(page, "scans_total", "action", "allow"), 1);
    assert_int_equal(sample(page, "dlpd_scan_duration_seconds_count"), SCANS);
    assert_int_equal(labelled(page, "errors_total", "code", "decode_error"), 0);
    assert_int_equal(labelled(page, "errors_total", "code", "frame_too_large"), 0);
    free(page);
}

/* ---------------------------------------------------------------- config */

static void check_bad(const char *value, const char *expect)
{
    dlpd_proc_t d;
    char extra[256];
    snprintf(extra, sizeof(extra), "metrics_listen: \"%s\"\n", value);
    assert_int_equal(harness_setup(&d, extra), 0);
    char *argv[] = {(char *)IT_DLPD_BIN, (char *)"-c", d.config, (char *)"--check", NULL};
    char *out = NULL, *err = NULL;
    int st = harness_run(argv, &out, &err);
    if (st == 0 || !strstr(err, expect))
        fprintf(stderr, "metrics_listen %s: status %d, stderr: %s\n", value, st, err);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(err, "metrics_listen"));
    assert_non_null(strstr(err, expect));
    free(out);
    free(err);
    harness_cleanup(&d);
}

static void test_bad_metrics_listen(void **state)
{
    (void)state;
    check_bad("unix:/tmp/m.sock", "expected tcp:HOST:PORT");
    check_bad("tls:127.0.0.1:9100", "expected tcp:HOST:PORT");
    check_bad("tcp:127.0.0.1:0", "metrics_listen");
    check_bad("127.0.0.1:9100", "metrics_listen");
}

/* ------------------------------------------------------------------ main */

static int setup(void **state)
{
    char extra[256];
    if (!(metrics_port = free_port()))
        return -1;
    snprintf(extra, sizeof(extra),
             "metrics_listen: tcp:127.0.0.1:%u\nlimits:\n  message_bytes: %d\n", metrics_port,
             MESSAGE_BYTES);
    return harness_group_start(state, extra);
}

static int teardown(void **state)
{
    free(scan_rules_version);
    return harness_group_stop(state);
}

int main(void)
{
    /* In order: the first two need the daemon's counters as the scans left them. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_move),
        cmocka_unit_test(test_dlpc_stats_json_matches),
        cmocka_unit_test(test_wrong_path_method_and_garbage),
        cmocka_unit_test(test_oversized_request),
        cmocka_unit_test(test_silent_client_times_out),
        cmocka_unit_test(test_client_cap),
        cmocka_unit_test(test_counters_unchanged),
        cmocka_unit_test(test_bad_metrics_listen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
