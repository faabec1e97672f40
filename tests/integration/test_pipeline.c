/*
 * test_pipeline - many connections, deep pipelines, every answer exactly once.
 *
 * CONNS threads each open a connection and pipeline PER_CONN scans of a mix
 * of example messages before reading anything back. Every request must be
 * answered exactly once, with its own id and the verdict that message gets
 * when scanned alone (the FOUO message blocked, the benign one allowed), so
 * cross-talk between connections or workers, lost or duplicated answers, and
 * verdicts that depend on load all fail the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CONNS    16
#define PER_CONN 250

static const char *const examples[] = {"fouo-to-ml.eml", "benign.eml", "itinerary-passport.eml",
                                       "password-reset.eml", "cui-memo-internal.eml"};
#define N_MSG (sizeof(examples) / sizeof(examples[0]))

typedef struct corpus {
    uint8_t *msg[N_MSG];
    size_t len[N_MSG];
    Dlp__V1__Action expected[N_MSG];
} corpus_t;

typedef struct conn_run {
    const dlpd_proc_t *d;
    const corpus_t *corpus;
    int conn;
    int seen[PER_CONN + 1];
    int failures; /* transport failures, errors, wrong ids or verdicts */
    char first_failure[512];
} conn_run_t;

static void failure(conn_run_t *r, const char *what, unsigned long long id)
{
    if (r->failures++ == 0)
        snprintf(r->first_failure, sizeof(r->first_failure), "connection %d, id %llu: %s", r->conn,
                 id, what);
}

/* Which message request 'id' of connection 'conn' carries: mixed across connections. */
static size_t pick(int conn, uint64_t id)
{
    return (size_t)((uint64_t)conn + id) % N_MSG;
}

static void check(conn_run_t *r, const Dlp__V1__Response *resp)
{
    uint64_t id = resp->id;
    if (id < 1 || id > PER_CONN) {
        failure(r, "id out of range", id);
        return;
    }
    if (r->seen[id]++ > 0)
        failure(r, "answered twice", id);
    if (resp->error)
        failure(r, dlp_client_error_code_name(resp->error->code), id);
    else if (resp->body_case != DLP__V1__RESPONSE__BODY_SCAN)
        failure(r, "not a scan response", id);
    else if (resp->scan->action != r->corpus->expected[pick(r->conn, id)])
        failure(r, "verdict differs from the single scan", id);
}

static void *conn_thread(void *arg)
{
    conn_run_t *r = arg;
    char err[256];
    dlp_client_t *c = harness_client(r->d);
    if (!c) {
        failure(r, "connect", 0);
        return NULL;
    }
    harness_scan_t s;
    for (uint64_t id = 1; id <= PER_CONN; id++) {
        size_t m = pick(r->conn, id);
        harness_scan_init(&s, id, r->corpus->msg[m], r->corpus->len[m]);
        if (dlp_client_send(c, &s.req, err, sizeof(err)) < 0) {
            failure(r, err, id);
            goto out;
        }
    }
    for (int i = 0; i < PER_CONN; i++) {
        Dlp__V1__Response *resp;
        if (dlp_client_recv(c, HARNESS_IO_TIMEOUT_MS, &resp, err, sizeof(err)) < 0) {
            failure(r, err, 0);
            goto out;
        }
        check(r, resp);
        dlp_client_response_free(resp);
    }
out:
    dlp_client_free(c);
    return NULL;
}

/* Scans each message alone to learn its verdict; pins the two the issue is about. */
static void learn_expected(const dlpd_proc_t *d, corpus_t *corpus)
{
    dlp_client_t *c = harness_client(d);
    assert_non_null(c);
    for (size_t m = 0; m < N_MSG; m++) {
        corpus->msg[m] = harness_read_file(harness_example(examples[m]), &corpus->len[m]);
        assert_non_null(corpus->msg[m]);
        harness_scan_t s;
        harness_scan_init(&s, m + 1, corpus->msg[m], corpus->len[m]);
        Dlp__V1__Response *resp;
        assert_int_equal(dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, &resp, NULL, 0), 0);
        assert_null(resp->error);
        assert_int_equal(resp->body_case, DLP__V1__RESPONSE__BODY_SCAN);
        corpus->expected[m] = resp->scan->action;
        dlp_client_response_free(resp);
    }
    dlp_client_free(c);
    assert_int_equal(corpus->expected[0], DLP__V1__ACTION__BLOCK);
    assert_int_equal(corpus->expected[1], DLP__V1__ACTION__ALLOW);
}

static void test_pipelined_connections(void **state)
{
    const dlpd_proc_t *d = *state;
    corpus_t corpus;
    learn_expected(d, &corpus);

    conn_run_t *runs = calloc(CONNS, sizeof(*runs));
    pthread_t threads[CONNS];
    assert_non_null(runs);
    for (int i = 0; i < CONNS; i++) {
        runs[i].d = d;
        runs[i].corpus = &corpus;
        runs[i].conn = i;
        assert_int_equal(pthread_create(&threads[i], NULL, conn_thread, &runs[i]), 0);
    }
    for (int i = 0; i < CONNS; i++)
        pthread_join(threads[i], NULL);

    int failures = 0;
    for (int i = 0; i < CONNS; i++) {
        if (runs[i].failures)
            fprintf(stderr, "%d failures, first: %s\n", runs[i].failures, runs[i].first_failure);
        failures += runs[i].failures;
        for (int id = 1; id <= PER_CONN; id++)
            failures += runs[i].seen[id] != 1;
    }
    assert_int_equal(failures, 0);

    /* The daemon is still healthy afterwards. */
    dlp_client_t *c = harness_client(d);
    assert_non_null(c);
    assert_int_equal(harness_ping(c, 1), 0);
    dlp_client_free(c);
    for (size_t m = 0; m < N_MSG; m++)
        free(corpus.msg[m]);
    free(runs);
}

static int setup(void **state)
{
    /* Room for every pipelined scan at once, so OVERLOADED is a failure here. */
    return harness_group_start(state, "queue_size: 8192\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_connections),
    };
    return cmocka_run_group_tests(tests, setup, harness_group_stop);
}
