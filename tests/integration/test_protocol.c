/*
 * test_protocol - the daemon's handling of hostile or broken frames.
 *
 * A frame whose payload is not a Request gets DECODE_ERROR and the
 * connection stays usable; a frame declaring more than max_frame_bytes gets
 * FRAME_TOO_LARGE and the connection is closed (the stream cannot be
 * resynchronised). In both cases other connections are served meanwhile.
 * The daemon runs with max_frame_bytes: 1 MiB so the limit can be probed
 * exactly: max is accepted, max + 1 is not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlp_frame.h"
#include "harness.h"

#define MAX_FRAME (1u << 20)

/* Asserts that the next response on fd is the pong for 'id'. */
static void expect_pong(int fd, uint64_t id)
{
    int eof;
    Dlp__V1__Response *r = harness_recv_response(fd, HARNESS_IO_TIMEOUT_MS, &eof);
    assert_non_null(r);
    assert_null(r->error);
    assert_int_equal(r->id, id);
    assert_int_equal(r->body_case, DLP__V1__RESPONSE__BODY_PING);
    dlp_client_response_free(r);
}

static void expect_error(int fd, Dlp__V1__ErrorCode code)
{
    int eof;
    Dlp__V1__Response *r = harness_recv_response(fd, HARNESS_IO_TIMEOUT_MS, &eof);
    assert_non_null(r);
    assert_non_null(r->error);
    assert_int_equal(r->error->code, code);
    assert_int_equal(r->body_case, DLP__V1__RESPONSE__BODY__NOT_SET);
    dlp_client_response_free(r);
}

static void test_garbage_payload_is_decode_error(void **state)
{
    dlpd_proc_t *d = *state;
    int bad = harness_connect_raw(d), good = harness_connect_raw(d);
    assert_true(bad >= 0 && good >= 0);

    uint8_t frame[DLP_FRAME_HEADER_BYTES + 16];
    dlp_frame_put_header(frame, 16);
    memset(frame + DLP_FRAME_HEADER_BYTES, 0xff, 16);
    assert_int_equal(harness_write_all(bad, frame, sizeof(frame)), 0);

    /* The other connection is served while the bad one is being answered. */
    assert_int_equal(harness_send_ping(good, 11), 0);
    expect_pong(good, 11);

    expect_error(bad, DLP__V1__ERROR_CODE__DECODE_ERROR);
    /* The stream is still in sync: the same connection answers a ping. */
    assert_int_equal(harness_send_ping(bad, 12), 0);
    expect_pong(bad, 12);

    /* And a real scan on the other connection still gets a verdict. */
    size_t len;
    uint8_t *msg = harness_read_file(harness_example("benign.eml"), &len);
    assert_non_null(msg);
    harness_scan_t s;
    harness_scan_init(&s, 13, msg, len);
    assert_int_equal(harness_send_request(good, &s.req), 0);
    int eof;
    Dlp__V1__Response *r = harness_recv_response(good, HARNESS_IO_TIMEOUT_MS, &eof);
    assert_non_null(r);
    assert_null(r->error);
    assert_int_equal(r->id, 13);
    assert_int_equal(r->body_case, DLP__V1__RESPONSE__BODY_SCAN);
    assert_int_equal(r->scan->action, DLP__V1__ACTION__ALLOW);
    dlp_client_response_free(r);
    free(msg);
    close(bad);
    close(good);
    assert_true(harness_alive(*state));
}

/* A request that packs to 'bytes' of payload, exactly. */
static uint8_t *padded_request(uint32_t bytes, size_t *frame_len)
{
    static const char head[] = "From: a@example.org\r\nTo: b@example.org\r\n"
                               "Subject: padding\r\n\r\n";
    uint8_t *msg = malloc(bytes);
    if (!msg)
        return NULL;
    memset(msg, 'a', bytes);
    memcpy(msg, head, sizeof(head) - 1);
    for (size_t i = 100; i < bytes; i += 72)
        msg[i] = '\n';
    harness_scan_t s;
    size_t len = bytes;
    for (;;) {
        harness_scan_init(&s, 21, msg, len);
        size_t packed = dlp__v1__request__get_packed_size(&s.req);
        if (packed == bytes)
            break;
        if (packed < bytes || len == 0) {
            free(msg);
            return NULL;
        }
        len -= packed - bytes < len ? packed - bytes : len;
    }
    uint8_t *frame;
    int r = dlp_frame_pack(&s.req.base, &frame, frame_len);
    free(msg);
    return r == 0 ? frame : NULL;
}

static void test_max_frame_is_accepted(void **state)
{
    const dlpd_proc_t *d = *state;
    size_t len;
    uint8_t *frame = padded_request(MAX_FRAME, &len);
    assert_non_null(frame);
    assert_int_equal(dlp_frame_get_header(frame), MAX_FRAME);
    int fd = harness_connect_raw(d);
    assert_true(fd >= 0);
    assert_int_equal(harness_write_all(fd, frame, len), 0);
    int eof;
    Dlp__V1__Response *r = harness_recv_response(fd, HARNESS_IO_TIMEOUT_MS, &eof);
    assert_non_null(r);
    assert_null(r->error);
    assert_int_equal(r->id, 21);
    assert_int_equal(r->body_case, DLP__V1__RESPONSE__BODY_SCAN);
    dlp_client_response_free(r);
    free(frame);
    close(fd);
}

/* Declares 'declared' bytes, sends only the header, expects FRAME_TOO_LARGE then a close. */
static void too_large(dlpd_proc_t *d, uint32_t declared)
{
    int bad = harness_connect_raw(d), good = harness_connect_raw(d);
    assert_true(bad >= 0 && good >= 0);
    uint8_t hdr[DLP_FRAME_HEADER_BYTES];
    dlp_frame_put_header(hdr, declared);
    assert_int_equal(harness_write_all(bad, hdr, sizeof(hdr)), 0);
    expect_error(bad, DLP__V1__ERROR_CODE__FRAME_TOO_LARGE);
    assert_int_equal(harness_wait_closed(bad, HARNESS_IO_TIMEOUT_MS), 1);

    /* An existing connection and a new one are still served. */
    assert_int_equal(harness_send_ping(good, 31), 0);
    expect_pong(good, 31);
    int fresh = harness_connect_raw(d);
    assert_true(fresh >= 0);
    assert_int_equal(harness_send_ping(fresh, 32), 0);
    expect_pong(fresh, 32);
    close(bad);
    close(good);
    close(fresh);
    assert_true(harness_alive(d));
}

static void test_length_ffffffff_is_too_large(void **state)
{
    too_large(*state, 0xFFFFFFFFu);
}

static void test_max_plus_one_is_too_large(void **state)
{
    too_large(*state, MAX_FRAME + 1);
}

static int setup(void **state)
{
    return harness_group_start(state, "max_frame_bytes: 1048576\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage_payload_is_decode_error),
        cmocka_unit_test(test_max_frame_is_accepted),
        cmocka_unit_test(test_length_ffffffff_is_too_large),
        cmocka_unit_test(test_max_plus_one_is_too_large),
    };
    return cmocka_run_group_tests(tests, setup, harness_group_stop);
}
