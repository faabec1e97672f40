/*
 * dlp_frame - length-prefixed framing shared by dlpd and its clients.
 * See dlp_frame.h for the contract. The reassembly buffer never grows past
 * one frame's header plus its declared (and already bounds-checked) payload,
 * so a peer cannot make us allocate more than max_payload + a read's worth.
 * Message bytes only ever sit in data[0, len): compact() wipes what it moves
 * away from, so wiping that range is enough and never touches (and so never
 * faults in) the untouched rest of a large buffer.
 */
#include "dlp_frame.h"

#include <stdlib.h>
#include <string.h>

#define READ_CHUNK 65536

void dlp_frame_put_header(uint8_t out[DLP_FRAME_HEADER_BYTES], uint32_t len)
{
    out[0] = (uint8_t)(len >> 24);
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
}

uint32_t dlp_frame_get_header(const uint8_t in[DLP_FRAME_HEADER_BYTES])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

void dlp_framebuf_init(dlp_framebuf_t *fb, uint32_t max_payload)
{
    memset(fb, 0, sizeof(*fb));
    fb->max = max_payload;
}

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

void dlp_framebuf_free(dlp_framebuf_t *fb)
{
    if (fb->data) {
        wipe(fb->data, fb->len);
        free(fb->data);
    }
    memset(fb, 0, sizeof(*fb));
}

size_t dlp_framebuf_pending(const dlp_framebuf_t *fb)
{
    return fb->len - fb->start;
}

/* Moves unconsumed bytes to the front so the buffer can be reused. */
static void compact(dlp_framebuf_t *fb)
{
    if (fb->start == 0)
        return;
    size_t pending = fb->len - fb->start;
    memmove(fb->data, fb->data + fb->start, pending);
    wipe(fb->data + pending, fb->start < fb->len ? fb->start : fb->len);
    fb->len = pending;
    fb->start = 0;
}

uint8_t *dlp_framebuf_space(dlp_framebuf_t *fb, size_t want, size_t *avail)
{
    if (want == 0)
        want = READ_CHUNK;
    compact(fb);
    if (fb->cap - fb->len < want) {
        size_t ncap = fb->cap ? fb->cap : want;
        while (ncap - fb->len < want)
            ncap *= 2;
        uint8_t *nd = malloc(ncap);
        if (!nd)
            return NULL;
        if (fb->data) {
            memcpy(nd, fb->data, fb->len);
            wipe(fb->data, fb->len);
            free(fb->data);
        }
        fb->data = nd;
        fb->cap = ncap;
    }
    if (avail)
        *avail = fb->cap - fb->len;
    return fb->data + fb->len;
}

void dlp_framebuf_commit(dlp_framebuf_t *fb, size_t n)
{
    fb->len += n;
}

int dlp_framebuf_append(dlp_framebuf_t *fb, const void *p, size_t n)
{
    uint8_t *dst = dlp_framebuf_space(fb, n, NULL);
    if (!dst)
        return -1;
    memcpy(dst, p, n);
    dlp_framebuf_commit(fb, n);
    return 0;
}

dlp_frame_status_t dlp_framebuf_next(dlp_framebuf_t *fb, const uint8_t **payload, uint32_t *len)
{
    size_t pending = fb->len - fb->start;
    if (pending < DLP_FRAME_HEADER_BYTES)
        return DLP_FRAME_NEED_MORE;
    uint32_t n = dlp_frame_get_header(fb->data + fb->start);
    if (n > fb->max) {
        *len = n;
        return DLP_FRAME_TOO_LARGE;
    }
    if (pending - DLP_FRAME_HEADER_BYTES < n)
        return DLP_FRAME_NEED_MORE;
    *payload = fb->data + fb->start + DLP_FRAME_HEADER_BYTES;
    *len = n;
    fb->start += DLP_FRAME_HEADER_BYTES + (size_t)n;
    return DLP_FRAME_READY;
}

int dlp_frame_pack(const ProtobufCMessage *msg, uint8_t **frame, size_t *frame_len)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    if (n > UINT32_MAX)
        return -1;
    uint8_t *buf = malloc(DLP_FRAME_HEADER_BYTES + n);
    if (!buf)
        return -1;
    dlp_frame_put_header(buf, (uint32_t)n);
    protobuf_c_message_pack(msg, buf + DLP_FRAME_HEADER_BYTES);
    *frame = buf;
    *frame_len = DLP_FRAME_HEADER_BYTES + n;
    return 0;
}
