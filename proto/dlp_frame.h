/*
 * dlp_frame - length-prefixed framing for the dlpd protocol.
 *
 * A frame is a 4-byte big-endian payload length followed by the payload, one
 * protobuf message (proto/dlp.proto). This module is shared by the daemon and
 * every client: it packs messages into frames and reassembles frames from a
 * byte stream that arrives in arbitrary pieces, enforcing a hard maximum on
 * the declared length before any of the payload is buffered.
 */
#ifndef DLP_FRAME_H
#define DLP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "proto/dlp.pb-c.h"

#define DLP_FRAME_HEADER_BYTES 4

typedef enum {
    DLP_FRAME_NEED_MORE = 0,  /* no complete frame buffered yet */
    DLP_FRAME_READY = 1,      /* *payload / *len hold one complete frame */
    DLP_FRAME_TOO_LARGE = -1, /* the next frame declares a length over max */
    DLP_FRAME_NOMEM = -2,
} dlp_frame_status_t;

/* Reassembly buffer. Fields are private; use the functions below. */
typedef struct dlp_framebuf {
    uint8_t *data;
    size_t len;   /* bytes buffered */
    size_t cap;   /* bytes allocated */
    size_t start; /* offset of the first unconsumed byte */
    uint32_t max; /* hard maximum payload length */
} dlp_framebuf_t;

void dlp_framebuf_init(dlp_framebuf_t *fb, uint32_t max_payload);
/* Wipes (the buffer may hold message data) and frees the buffer. */
void dlp_framebuf_free(dlp_framebuf_t *fb);

/*
 * Room to receive into: returns a pointer to at least 'want' writable bytes
 * (0 = a default read size), growing the buffer when needed.
 * NULL on out of memory. Call dlp_framebuf_commit() with what was written.
 */
uint8_t *dlp_framebuf_space(dlp_framebuf_t *fb, size_t want, size_t *avail);
void dlp_framebuf_commit(dlp_framebuf_t *fb, size_t n);
/* Copies n bytes in (for callers that do not receive in place). */
int dlp_framebuf_append(dlp_framebuf_t *fb, const void *p, size_t n);

/*
 * The next complete frame. On DLP_FRAME_READY, *payload points into the
 * buffer and stays valid until the next call to any framebuf function; the
 * frame is consumed. On DLP_FRAME_TOO_LARGE, *len is the declared length and
 * the stream cannot be resynchronised: the caller answers and closes.
 */
dlp_frame_status_t dlp_framebuf_next(dlp_framebuf_t *fb, const uint8_t **payload, uint32_t *len);

/* Bytes buffered but not yet returned as frames. */
size_t dlp_framebuf_pending(const dlp_framebuf_t *fb);

/* Big-endian length header helpers. */
void dlp_frame_put_header(uint8_t out[DLP_FRAME_HEADER_BYTES], uint32_t len);
uint32_t dlp_frame_get_header(const uint8_t in[DLP_FRAME_HEADER_BYTES]);

/*
 * Packs any protobuf-c message into a newly malloc'd frame (header + payload).
 * Returns 0, or -1 on out of memory or when the payload would exceed 4 GiB - 1.
 */
int dlp_frame_pack(const ProtobufCMessage *msg, uint8_t **frame, size_t *frame_len);

#endif
