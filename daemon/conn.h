/*
 * conn - client connections: framing, ordered writes, backpressure and
 * lifetime.
 *
 * Each connection receives straight into its dlp_framebuf_t (bounded by
 * max_frame_bytes) and passes every complete frame to the on_frame hook,
 * which answers with dlpd_conn_send() at once or later. Reading stops while
 * the connection has max_inflight requests held (dlpd_conn_hold) or more
 * than max_write_bytes of responses not yet written, so neither a pipelining
 * client nor one that never reads can grow our memory without bound; frames
 * already buffered are processed when reading resumes.
 *
 * Timeouts: a frame once started must be complete within frame_timeout_ms
 * (a slowloris client cannot hold a buffer and a slot for ever), and with
 * idle_timeout_ms a connection with nothing in flight, nothing to write and
 * no bytes for that long is closed; with write_timeout_ms, one whose answers
 * have gone unread that long (no write completed) is closed and the answers
 * dropped, so a client that stops reading cannot pin its buffers. One periodic sweep over the set
 * (at most once a second) enforces both and releases the read buffers of quiet connections, so
 * 10,000 pooled connections cost no timers and no buffers.
 *
 * Lifetime: a connection is reference counted. The open handle holds one
 * reference and each held request another, so a peer that disappears while
 * scans are in flight leaves a closed connection whose late results are
 * dropped; the memory goes with the last reference. Loop thread only.
 */
#ifndef DLPD_CONN_H
#define DLPD_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "stats.h"
#include "tls.h"

typedef struct dlpd_conn dlpd_conn_t;
typedef struct dlpd_conns dlpd_conns_t;

typedef struct dlpd_conn_hooks {
    /* One complete frame; 'payload' is valid only during the call. */
    void (*on_frame)(dlpd_conn_t *c, const uint8_t *payload, size_t len, void *arg);
    /* A write finished or a connection closed: a drain may be complete. */
    void (*on_idle)(void *arg);
} dlpd_conn_hooks_t;

typedef struct dlpd_conn_limits {
    uint32_t max_frame_bytes;
    uint32_t max_inflight;
    size_t max_write_bytes;
    uint32_t max_connections;
    uint64_t frame_timeout_ms; /* 0 = none */
    uint64_t idle_timeout_ms;  /* 0 = never */
    uint64_t write_timeout_ms; /* 0 = never */
} dlpd_conn_limits_t;

/* The set of open connections. NULL on out of memory. */
dlpd_conns_t *dlpd_conns_new(const dlpd_conn_limits_t *limits, const dlpd_conn_hooks_t *hooks,
                             void *arg, dlpd_stats_t *stats);
/* Accepts one pending connection on 'listener' (from its connection_cb).
 * Over max_connections it is accepted and closed at once. */
void dlpd_conns_accept(dlpd_conns_t *set, uv_stream_t *listener);
/* The same for a tls: listener: the connection speaks TLS with 'tls'. */
void dlpd_conns_accept_tls(dlpd_conns_t *set, uv_stream_t *listener, dlpd_tls_ctx_t *tls);
size_t dlpd_conns_count(const dlpd_conns_t *set);
/* Response bytes queued for writing on all open connections. */
size_t dlpd_conns_write_bytes(const dlpd_conns_t *set);
/* Closes every connection and the sweep timer now; unwritten responses are
 * dropped. The loop must run the close callbacks before dlpd_conns_free(). */
void dlpd_conns_close_all(dlpd_conns_t *set);
/* Frees the set; every connection must be closed (count == 0). */
void dlpd_conns_free(dlpd_conns_t *set);

/* Queues a frame (the connection takes ownership of the malloc'd bytes).
 * A closed connection frees it at once. */
void dlpd_conn_send(dlpd_conn_t *c, uint8_t *frame, size_t len);
/* Sends a last frame, reads nothing more, and closes once it is written. */
void dlpd_conn_send_and_close(dlpd_conn_t *c, uint8_t *frame, size_t len);

/* A request now in flight: counts against max_inflight and keeps the
 * connection's memory alive until dlpd_conn_release(). */
dlpd_conn_t *dlpd_conn_hold(dlpd_conn_t *c);
void dlpd_conn_release(dlpd_conn_t *c);

int dlpd_conn_is_open(const dlpd_conn_t *c);
uint64_t dlpd_conn_id(const dlpd_conn_t *c);
void dlpd_conn_close(dlpd_conn_t *c);

#endif
