/*
 * fuzz_frame - the wire path of a request: dlp_framebuf reassembling an
 * arbitrary byte stream that arrives in arbitrary pieces, then protobuf-c
 * unpacking each frame as a Request, as dlpd's connections do.
 *
 * Input: byte 0 seeds the chunk sizes, byte 1 picks the frame maximum (so
 * that FRAME_TOO_LARGE is reachable), the rest is the stream. A Request that
 * unpacks is packed again; if the copy unpacks, it must say the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlp_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every Request that unpacks must survive a pack/unpack round trip. */
static void check_request(const uint8_t *payload, uint32_t len)
{
    Dlp__V1__Request *req = dlp__v1__request__unpack(NULL, len, payload);
    if (!req)
        return;
    uint8_t *frame = NULL;
    size_t frame_len = 0;
    if (dlp_frame_pack(&req->base, &frame, &frame_len) == 0) {
        Dlp__V1__Request *again = dlp__v1__request__unpack(NULL, frame_len - DLP_FRAME_HEADER_BYTES,
                                                           frame + DLP_FRAME_HEADER_BYTES);
        /* protobuf-c keeps unknown fields as read, and accepts a non-minimal
         * tag of field 0 that it refuses in its minimal form: such a copy
         * may not unpack. One that does must say the same. */
        if (again && (again->id != req->id || again->body_case != req->body_case))
            abort();
        if (again)
            dlp__v1__request__free_unpacked(again, NULL);
        free(frame);
    }
    dlp__v1__request__free_unpacked(req, NULL);
}

/* Drains every complete frame; returns 0 when the stream must be closed. */
static int drain(dlp_framebuf_t *fb)
{
    for (;;) {
        const uint8_t *payload = NULL;
        uint32_t len = 0;
        dlp_frame_status_t st = dlp_framebuf_next(fb, &payload, &len);
        if (st == DLP_FRAME_NEED_MORE)
            return 1;
        if (st != DLP_FRAME_READY)
            return 0;
        check_request(payload, len);
    }
}

/* Feeds one chunk, alternating between append and in-place receive. */
static int feed(dlp_framebuf_t *fb, const uint8_t *p, size_t n, int in_place)
{
    if (!in_place)
        return dlp_framebuf_append(fb, p, n);
    size_t avail = 0;
    uint8_t *dst = dlp_framebuf_space(fb, n, &avail);
    if (!dst || avail < n)
        return -1;
    memcpy(dst, p, n);
    dlp_framebuf_commit(fb, n);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint32_t rng = data[0] * 2654435761u + 1;
    uint32_t max = data[1] & 1 ? 1u << 20 : (uint32_t)data[1] * 8;
    data += 2;
    size -= 2;

    dlp_framebuf_t fb;
    dlp_framebuf_init(&fb, max);
    size_t off = 0;
    while (off < size) {
        rng = rng * 1103515245u + 12345u;
        size_t n = 1 + (rng >> 16) % 300;
        if (n > size - off)
            n = size - off;
        if (feed(&fb, data + off, n, (rng >> 8) & 1) != 0 || !drain(&fb))
            break;
        off += n;
        /* Whatever waits is less than one frame of at most max bytes. */
        if (dlp_framebuf_pending(&fb) >= (size_t)max + DLP_FRAME_HEADER_BYTES)
            abort();
    }
    dlp_framebuf_free(&fb);
    return 0;
}
