/*
 * test_faults - faults around the daemon while it serves.
 *
 *   sighup_storm   50 SIGHUPs in quick succession while three clients scan:
 *                  every scan gets the right verdict, reloads are counted and
 *                  none fails, memory does not grow with each engine swapped
 *                  out, and the daemon still exits 0 on SIGTERM (under ASan
 *                  that exit status also says LeakSanitizer found nothing)
 *   sigterm        what test_shutdown does not cover: SIGTERM with several
 *                  pipelining connections, an idle one and one half-way
 *                  through a frame; every scan taken is answered and the idle
 *                  and half-sent connections do not hold the drain up
 *                  (test_shutdown: one connection, and scans sent after TERM)
 *   slow_message   one worker, a message that takes the engine about a second:
 *                  the request's deadline_ms gives DEADLINE_EXCEEDED, the
 *                  engine's scan_time_ms gives a verdict marked incomplete,
 *                  and in both cases the worker is free again at once
 *   too_big        a frame declaring max_frame_bytes is buffered as it
 *                  arrives, not allocated up front; a message over the
 *                  engine's message_bytes gets a verdict naming that limit
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bystander.h"
#include "dlp_frame.h"

static void start(dlpd_proc_t *d, const char *extra_yaml)
{
    assert_int_equal(harness_setup(d, extra_yaml), 0);
    assert_int_equal(harness_start(d), 0);
}

static void expect_clean_exit(dlpd_proc_t *d)
{
    assert_int_equal(kill(d->pid, SIGTERM), 0);
    int status = harness_wait_exit(d, HARNESS_EXIT_TIMEOUT_MS);
    assert_true(status >= 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        harness_dump_log(d);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void expect_bystander_ok(const bystander_report_t *r)
{
    assert_true(r->scans > 0);
    assert_int_equal(r->errors, 0);
    assert_true(r->p99_ms < BYSTANDER_P99_MS);
}

/* A reload request; its answer comes after every reload asked before it. */
static void reload_and_wait(const dlpd_proc_t *d)
{
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__ReloadRequest rr = DLP__V1__RELOAD_REQUEST__INIT;
    Dlp__V1__Response *r = NULL;
    dlp_client_t *c = harness_client(d);
    assert_non_null(c);
    req.id = 1;
    req.body_case = DLP__V1__REQUEST__BODY_RELOAD;
    req.reload = &rr;
    assert_int_equal(dlp_client_call(c, &req, HARNESS_IO_TIMEOUT_MS, &r, NULL, 0), 0);
    assert_null(r->error);
    assert_non_null(r->reload);
    assert_true(r->reload->ok);
    dlp_client_response_free(r);
    dlp_client_free(c);
}

/* --------------------------------------------------------------- SIGHUP */

#define SCANNERS 3
#define HUPS     50

static void test_sighup_storm(void **state)
{
    dlpd_proc_t d;
    bystander_t *b[SCANNERS];
    start(&d, NULL);
    for (int i = 0; i < SCANNERS; i++)
        assert_non_null(b[i] = bystander_start(&d, 0));
    it_sleep_ms(300);
    uint64_t ok0 = it_stat(&d, "reloads_ok_total");
    uint64_t rss0 = it_proc_kb(d.pid, "VmRSS");

    for (int i = 0; i < HUPS; i++) {
        assert_int_equal(kill(d.pid, SIGHUP), 0);
        it_sleep_ms(5);
    }
    reload_and_wait(&d);
    it_sleep_ms(300); /* scans on the old engines finish and drop them */
    uint64_t ok = it_stat(&d, "reloads_ok_total") - ok0;
    uint64_t failed = it_stat(&d, "reloads_failed_total");
    uint64_t rss = it_proc_kb(d.pid, "VmRSS");
    fprintf(stderr,
            "sighup_storm: %d SIGHUPs gave %llu reloads (coalesced), %llu failed; "
            "VmRSS %llu -> %llu kB\n",
            HUPS, (unsigned long long)ok, (unsigned long long)failed, (unsigned long long)rss0,
            (unsigned long long)rss);
    for (int i = 0; i < SCANNERS; i++) {
        bystander_report_t r;
        bystander_stop(b[i], "sighup_storm", &r);
        expect_bystander_ok(&r);
    }
    /* At least the storm's first and the request's; one per signal at most. */
    assert_true(ok >= 2 && ok <= HUPS + 1);
    assert_int_equal(failed, 0);
    /* Old engines are freed: growth well under one engine per reload. */
    assert_true(rss < rss0 + 48 * 1024 + IT_MEM_SLOP);
    expect_clean_exit(&d);
    harness_cleanup(&d);
}

/* -------------------------------------------------------------- SIGTERM */

#define PIPELINERS 3
#define PIPELINED  60

static void test_sigterm_with_idle_and_partial(void **state)
{
    dlpd_proc_t d;
    start(&d, "shutdown_timeout_ms: 600000\nmax_inflight_per_conn: 1000\n");
    size_t len;
    uint8_t *msg = harness_read_file(harness_example("itinerary-passport.eml"), &len);
    assert_non_null(msg);

    int idle = harness_connect_raw(&d), partial = harness_connect_raw(&d);
    assert_true(idle >= 0 && partial >= 0);
    uint8_t hdr[DLP_FRAME_HEADER_BYTES + 3] = {0};
    dlp_frame_put_header(hdr, 1000);
    assert_int_equal(harness_write_all(partial, hdr, sizeof(hdr)), 0);

    dlp_client_t *c[PIPELINERS];
    for (int k = 0; k < PIPELINERS; k++) {
        assert_non_null(c[k] = harness_client(&d));
        for (uint64_t id = 1; id <= PIPELINED; id++) {
            harness_scan_t s;
            harness_scan_init(&s, id, msg, len);
            assert_int_equal(dlp_client_send(c[k], &s.req, NULL, 0), 0);
        }
    }
    /* Barriers: once each pong is back, every scan before it was taken. */
    for (int k = 0; k < PIPELINERS; k++)
        assert_int_equal(harness_ping(c[k], 100000), 0);
    int64_t t0 = it_now_ms();
    assert_int_equal(kill(d.pid, SIGTERM), 0);

    for (int k = 0; k < PIPELINERS; k++) {
        int seen[PIPELINED + 1] = {0}, n = 0;
        Dlp__V1__Response *r;
        while (dlp_client_recv(c[k], HARNESS_IO_TIMEOUT_MS, &r, NULL, 0) == 0) {
            assert_true(r->id >= 1 && r->id <= PIPELINED);
            assert_null(r->error);
            assert_non_null(r->scan);
            seen[r->id]++;
            n++;
            dlp_client_response_free(r);
        }
        for (int id = 1; id <= PIPELINED; id++)
            assert_int_equal(seen[id], 1);
        assert_int_equal(n, PIPELINED);
        dlp_client_free(c[k]);
    }
    int status = harness_wait_exit(&d, HARNESS_EXIT_TIMEOUT_MS);
    int64_t took = it_now_ms() - t0;
    fprintf(stderr,
            "sigterm: %d scans answered, exit after %lld ms with an idle and a "
            "half-sent connection open\n",
            PIPELINERS * PIPELINED, (long long)took);
    assert_true(status >= 0 && WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The drain waited for the scans only, not for the 600 s timeout. */
    assert_true(took < 30000 * IT_SLOW);
    assert_true(harness_wait_closed(idle, 1000));
    assert_true(harness_wait_closed(partial, 1000));
    close(idle);
    close(partial);
    free(msg);
    harness_cleanup(&d);
}

/* ---------------------------------------------------------- slow message */

/* About 16 MiB of lines that several rules match many times each: the
 * engine works through every match (in release builds ~0.5 s here),
 * checking its clock as it goes. */
static char *slow_message(size_t *len)
{
    enum { LINES = 400000 };
    size_t cap = (size_t)LINES * 48 + 256, k = 0;
    char *m = malloc(cap);
    assert_non_null(m);
    k += (size_t)snprintf(m, cap,
                          "From: a@example.org\r\nTo: b@example.com\r\nSubject: ids\r\n\r\n");
    for (int i = 0; i < LINES; i++)
        k += (size_t)snprintf(m + k, cap - k, "4111 1111 1111 %04d 123-45-%04d A%08d\n", i % 10000,
                              i % 10000, i);
    *len = k;
    return m;
}

/* Scans and returns the response and how long it took. */
static Dlp__V1__Response *timed_scan(dlp_client_t *c, const uint8_t *msg, size_t len,
                                     uint32_t deadline_ms, int64_t *ms)
{
    harness_scan_t s;
    Dlp__V1__Response *r = NULL;
    harness_scan_init(&s, dlp_client_next_id(c), msg, len);
    s.scan.deadline_ms = deadline_ms;
    int64_t t0 = it_now_ms();
    assert_int_equal(dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, &r, NULL, 0), 0);
    *ms = it_now_ms() - t0;
    return r;
}

static int has_limit(const Dlp__V1__ScanResponse *s, const char *name)
{
    for (size_t i = 0; i < s->n_incomplete; i++)
        if (strcmp(s->incomplete[i], name) == 0)
            return 1;
    return 0;
}

/* A benign scan right after: the one worker is free again. */
static void expect_prompt_scan(dlp_client_t *c, const char *label)
{
    size_t len;
    int64_t ms;
    uint8_t *msg = harness_read_file(harness_example("benign.eml"), &len);
    assert_non_null(msg);
    Dlp__V1__Response *r = timed_scan(c, msg, len, 0, &ms);
    fprintf(stderr, "%s: the next scan took %lld ms\n", label, (long long)ms);
    assert_null(r->error);
    assert_non_null(r->scan);
    assert_true(ms < BYSTANDER_P99_MS);
    dlp_client_response_free(r);
    free(msg);
}

static void test_slow_message(void **state)
{
    dlpd_proc_t d;
    size_t len;
    int64_t full, cut, lim;
    char *msg = slow_message(&len);

    /* Unlimited, to know how slow it is; then under a deadline of a tenth. */
    start(&d, "workers: 1\nlimits:\n  scan_time_ms: 600000\n");
    dlp_client_t *c = harness_client(&d);
    assert_non_null(c);
    Dlp__V1__Response *r = timed_scan(c, (uint8_t *)msg, len, 0, &full);
    assert_non_null(r->scan);
    dlp_client_response_free(r);
    uint32_t deadline = (uint32_t)(full / 10 > 20 ? full / 10 : 20);
    r = timed_scan(c, (uint8_t *)msg, len, deadline, &cut);
    fprintf(stderr, "slow_message: %zu bytes take %lld ms; with deadline_ms %u: %s after %lld ms\n",
            len, (long long)full, deadline,
            r->error ? dlp_client_error_code_name(r->error->code) : "a verdict", (long long)cut);
    assert_non_null(r->error);
    assert_int_equal(r->error->code, DLP__V1__ERROR_CODE__DEADLINE_EXCEEDED);
    assert_true(cut < full * 3 / 4 + 100);
    dlp_client_response_free(r);
    expect_prompt_scan(c, "slow_message deadline");
    dlp_client_free(c);
    expect_clean_exit(&d);
    harness_cleanup(&d);

    /* The engine's own time limit: a verdict that says it saw less. */
    char yaml[96];
    snprintf(yaml, sizeof(yaml), "workers: 1\nlimits:\n  scan_time_ms: %u\n", deadline);
    start(&d, yaml);
    assert_non_null(c = harness_client(&d));
    r = timed_scan(c, (uint8_t *)msg, len, 0, &lim);
    fprintf(stderr, "slow_message: with scan_time_ms %u: %s after %lld ms\n", deadline,
            r->scan ? "a verdict" : "an error", (long long)lim);
    assert_null(r->error);
    assert_non_null(r->scan);
    assert_true(has_limit(r->scan, "scan_time_ms"));
    assert_true(r->scan->action >= DLP__V1__ACTION__WARN);
    assert_true(lim < full * 3 / 4 + 100);
    dlp_client_response_free(r);
    expect_prompt_scan(c, "slow_message scan_time_ms");
    dlp_client_free(c);
    harness_cleanup(&d);
    free(msg);
}

/* -------------------------------------------------------------- too big */

static void test_too_big(void **state)
{
    dlpd_proc_t d;
    start(&d, "limits:\n  message_bytes: 64K\n");
    uint64_t rss0 = it_proc_kb(d.pid, "VmRSS");

    /* The largest frame allowed (64 MiB), of which 1 MiB arrives. */
    int fd = harness_connect_raw(&d);
    assert_true(fd >= 0);
    static uint8_t chunk[1 << 20];
    uint8_t hdr[DLP_FRAME_HEADER_BYTES];
    dlp_frame_put_header(hdr, 64u << 20);
    assert_int_equal(harness_write_all(fd, hdr, sizeof(hdr)), 0);
    assert_int_equal(harness_write_all(fd, chunk, sizeof(chunk)), 0);
    it_sleep_ms(300);
    uint64_t rss = it_proc_kb(d.pid, "VmRSS");
    fprintf(stderr, "too_big: 1 MiB of a 64 MiB frame buffered: VmRSS +%lld kB\n",
            (long long)rss - (long long)rss0);
    assert_true(rss < rss0 + 8 * 1024 + IT_MEM_SLOP);
    close(fd);

    /* A 1 MiB message over message_bytes (64K): scanned no further, and said so. */
    size_t len = 1u << 20;
    char *msg = malloc(len);
    assert_non_null(msg);
    int k = snprintf(msg, len, "From: a@example.org\r\nTo: b@example.com\r\nSubject: x\r\n\r\n");
    memset(msg + k, 'x', len - (size_t)k);
    dlp_client_t *c = harness_client(&d);
    assert_non_null(c);
    int64_t ms;
    Dlp__V1__Response *r = timed_scan(c, (uint8_t *)msg, len, 0, &ms);
    assert_null(r->error);
    assert_non_null(r->scan);
    fprintf(stderr, "too_big: 1 MiB message, message_bytes 64K: action %d, %zu limit(s), %lld ms\n",
            r->scan->action, r->scan->n_incomplete, (long long)ms);
    assert_true(has_limit(r->scan, "message_bytes"));
    assert_true(r->scan->action >= DLP__V1__ACTION__WARN);
    dlp_client_response_free(r);
    dlp_client_free(c);
    free(msg);
    harness_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sighup_storm),
        cmocka_unit_test(test_sigterm_with_idle_and_partial),
        cmocka_unit_test(test_slow_message),
        cmocka_unit_test(test_too_big),
    };
    it_sanitizer_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
