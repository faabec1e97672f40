/* test_frame - framing: reassembly from arbitrary pieces and the hard maximum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlp_frame.h"

static void test_reassembles_byte_by_byte(void **state)
{
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__Ping ping = DLP__V1__PING__INIT;
    req.id = 42;
    req.body_case = DLP__V1__REQUEST__BODY_PING;
    req.ping = &ping;
    uint8_t *frame;
    size_t len;
    assert_int_equal(dlp_frame_pack(&req.base, &frame, &len), 0);
    dlp_framebuf_t fb;
    dlp_framebuf_init(&fb, 1024);
    const uint8_t *payload;
    uint32_t plen;
    /* two frames back to back, fed one byte at a time */
    int ready = 0;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < len; i++) {
            assert_int_equal(dlp_framebuf_append(&fb, frame + i, 1), 0);
            dlp_frame_status_t st = dlp_framebuf_next(&fb, &payload, &plen);
            if (i + 1 < len) {
                assert_int_equal(st, DLP_FRAME_NEED_MORE);
                continue;
            }
            assert_int_equal(st, DLP_FRAME_READY);
            Dlp__V1__Request *got = dlp__v1__request__unpack(NULL, plen, payload);
            assert_non_null(got);
            assert_int_equal(got->id, 42);
            assert_int_equal(got->body_case, DLP__V1__REQUEST__BODY_PING);
            dlp__v1__request__free_unpacked(got, NULL);
            ready++;
        }
    }
    assert_int_equal(ready, 2);
    assert_int_equal(dlp_framebuf_pending(&fb), 0);
    free(frame);
    dlp_framebuf_free(&fb);
}

static void test_too_large_before_body(void **state)
{
    dlp_framebuf_t fb;
    dlp_framebuf_init(&fb, 100);
    uint8_t hdr[4];
    dlp_frame_put_header(hdr, 101);
    assert_int_equal(dlp_framebuf_append(&fb, hdr, 4), 0);
    const uint8_t *p;
    uint32_t n;
    assert_int_equal(dlp_framebuf_next(&fb, &p, &n), DLP_FRAME_TOO_LARGE);
    assert_int_equal(n, 101);
    dlp_frame_put_header(hdr, 0xffffffffu);
    dlp_framebuf_free(&fb);
    dlp_framebuf_init(&fb, 100);
    assert_int_equal(dlp_framebuf_append(&fb, hdr, 4), 0);
    assert_int_equal(dlp_framebuf_next(&fb, &p, &n), DLP_FRAME_TOO_LARGE);
    assert_int_equal(n, 0xffffffffu);
    dlp_framebuf_free(&fb);
}

static void test_exact_max_and_empty_frames(void **state)
{
    dlp_framebuf_t fb;
    dlp_framebuf_init(&fb, 8);
    uint8_t buf[4 + 8 + 4];
    dlp_frame_put_header(buf, 8);
    memset(buf + 4, 'x', 8);
    dlp_frame_put_header(buf + 12, 0);
    assert_int_equal(dlp_framebuf_append(&fb, buf, sizeof(buf)), 0);
    const uint8_t *p;
    uint32_t n;
    assert_int_equal(dlp_framebuf_next(&fb, &p, &n), DLP_FRAME_READY);
    assert_int_equal(n, 8);
    assert_memory_equal(p, "xxxxxxxx", 8);
    assert_int_equal(dlp_framebuf_next(&fb, &p, &n), DLP_FRAME_READY);
    assert_int_equal(n, 0);
    assert_int_equal(dlp_framebuf_next(&fb, &p, &n), DLP_FRAME_NEED_MORE);
    dlp_framebuf_free(&fb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reassembles_byte_by_byte),
        cmocka_unit_test(test_too_large_before_body),
        cmocka_unit_test(test_exact_max_and_empty_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
