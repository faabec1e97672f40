/*
 * test_shutdown - SIGTERM drains: no request the daemon has taken is lost.
 *
 * One connection pipelines N scans and then a ping. Requests on a connection
 * are read in order, so once the pong is back every scan before it has been
 * taken by the daemon; SIGTERM is sent right then, with most scans still
 * queued or running. Each of those must still get a verdict. More scans
 * sent after the signal may be answered with a verdict or SHUTTING_DOWN, or
 * not at all if the daemon closed first, but never twice and never with
 * another error. Finally dlpd must exit with status 0.
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

#include "harness.h"

#define N_BEFORE 200
#define N_AFTER  20
#define PING_ID  100000
#define AFTER_ID 1000 /* ids AFTER_ID + 1 .. AFTER_ID + N_AFTER */

typedef struct tally {
    int seen[N_BEFORE + 1];
    int seen_after[N_AFTER + 1];
    int verdicts, shutting_down, unexpected;
} tally_t;

/* Counts one response by id: taken before SIGTERM, sent after it, or neither. */
static void record(tally_t *t, const Dlp__V1__Response *r)
{
    int verdict = !r->error && r->body_case == DLP__V1__RESPONSE__BODY_SCAN;
    if (r->id >= 1 && r->id <= N_BEFORE) {
        t->seen[r->id]++;
        if (verdict)
            t->verdicts++;
        else
            t->unexpected++;
        if (!verdict)
            fprintf(stderr, "request %llu taken before SIGTERM got %s\n", (unsigned long long)r->id,
                    r->error ? dlp_client_error_code_name(r->error->code) : "no verdict");
    } else if (r->id > AFTER_ID && r->id <= AFTER_ID + N_AFTER) {
        t->seen_after[r->id - AFTER_ID]++;
        if (r->error && r->error->code == DLP__V1__ERROR_CODE__SHUTTING_DOWN)
            t->shutting_down++;
        else if (!verdict)
            t->unexpected++;
    } else {
        fprintf(stderr, "unexpected response id %llu\n", (unsigned long long)r->id);
        t->unexpected++;
    }
}

static void test_sigterm_answers_everything_taken(void **state)
{
    dlpd_proc_t *d = *state;
    size_t len;
    uint8_t *msg = harness_read_file(harness_example("newsletter.eml"), &len);
    assert_non_null(msg);
    dlp_client_t *c = harness_client(d);
    assert_non_null(c);
    tally_t *t = calloc(1, sizeof(*t));
    harness_scan_t s;
    for (uint64_t id = 1; id <= N_BEFORE; id++) {
        harness_scan_init(&s, id, msg, len);
        assert_int_equal(dlp_client_send(c, &s.req, NULL, 0), 0);
    }
    /* The barrier: its pong proves every scan before it was read. */
    assert_int_equal(harness_ping(c, PING_ID), 0);
    assert_int_equal(kill(d->pid, SIGTERM), 0);

    for (uint64_t i = 1; i <= N_AFTER; i++) {
        harness_scan_init(&s, AFTER_ID + i, msg, len);
        if (dlp_client_send(c, &s.req, NULL, 0) < 0)
            break; /* the daemon may already have closed: fine */
    }
    /* Read until the daemon closes the connection. */
    char err[256];
    Dlp__V1__Response *r;
    int rc;
    while ((rc = dlp_client_recv(c, HARNESS_IO_TIMEOUT_MS, &r, err, sizeof(err))) == 0) {
        record(t, r);
        dlp_client_response_free(r);
    }
    assert_true(rc == DLP_CLIENT_ECLOSED || rc == DLP_CLIENT_EIO);
    dlp_client_free(c);

    for (int id = 1; id <= N_BEFORE; id++) {
        if (t->seen[id] != 1)
            fprintf(stderr, "request %d answered %d times\n", id, t->seen[id]);
        assert_int_equal(t->seen[id], 1);
    }
    for (int i = 1; i <= N_AFTER; i++)
        assert_true(t->seen_after[i] <= 1);
    assert_int_equal(t->verdicts, N_BEFORE);
    assert_int_equal(t->unexpected, 0);
    free(t);
    free(msg);

    int status = harness_wait_exit(d, HARNESS_EXIT_TIMEOUT_MS);
    assert_true(status >= 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int setup(void **state)
{
    /*
     * A drain deadline far beyond what the scans need (the test is about loss,
     * not time), and max_inflight_per_conn over N_BEFORE so the daemon reads
     * the ping while most scans still wait for a worker: small messages are
     * read much faster than they are scanned.
     */
    return harness_group_start(state, "shutdown_timeout_ms: 600000\n"
                                      "max_inflight_per_conn: 1000\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_answers_everything_taken),
    };
    return cmocka_run_group_tests(tests, setup, harness_group_stop);
}
