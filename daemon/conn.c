/*
 * conn - connection I/O and lifetime (see conn.h).
 *
 * State that decides whether we read: 'input_done' (EOF, an oversized frame
 * or a fatal error: no more frames will be taken from this peer), 'inflight'
 * against max_inflight and 'write_bytes' against max_write_bytes.
 * update() recomputes it after every event and is the only place that starts
 * or stops reading, so the rules live in one function. It also notes when
 * a partial frame started ('frame_start_ms', 0 when none is being read);
 * the sweep compares that and 'last_active_ms' with the timeouts.
 */
#include "conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "convert.h"
#include "dlp_frame.h"
#include "log.h"
#include "tls.h"

struct dlpd_conns {
    dlpd_conn_limits_t limits;
    dlpd_conn_hooks_t hooks;
    void *arg;
    dlpd_stats_t *stats;
    dlpd_conn_t *head;
    size_t count;
    uint64_t next_id;
    uint64_t last_reject_log_ns;
    uv_timer_t sweep;
    int sweep_state; /* 0 not created, 1 running, 2 closed */
};

struct dlpd_conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } u;
    dlpd_conns_t *set; /* NULL once closed */
    dlpd_conn_t *prev, *next;
    unsigned refs;
    uint64_t id;
    dlp_framebuf_t fb;
    uint32_t inflight;
    size_t write_bytes;
    unsigned writes;
    uint64_t frame_start_ms; /* loop time the partial frame began; 0 = none */
    uint64_t last_active_ms; /* loop time of the last byte read or written */
    uint64_t write_wait_ms;  /* loop time writes last made progress, while any are queued */
    unsigned reading : 1;
    unsigned closing : 1;
    unsigned input_done : 1;
    unsigned close_after_write : 1;
    unsigned in_frames : 1;
    dlpd_tls_t *tls; /* NULL for plain connections */
};

typedef struct write_req {
    uv_write_t req;
    dlpd_conn_t *conn;
    uint8_t *frame;
    size_t len;
} write_req_t;

static void update(dlpd_conn_t *c);

static uint64_t loop_now(const dlpd_conn_t *c)
{
    return uv_now(c->u.handle.loop);
}

/* ------------------------------------------------------------ lifetime */

static void conn_unref(dlpd_conn_t *c)
{
    if (--c->refs == 0)
        free(c);
}

dlpd_conn_t *dlpd_conn_hold(dlpd_conn_t *c)
{
    c->refs++;
    c->inflight++;
    return c;
}

void dlpd_conn_release(dlpd_conn_t *c)
{
    c->inflight--;
    if (!c->closing) {
        c->last_active_ms = loop_now(c);
        update(c);
    }
    conn_unref(c);
}

int dlpd_conn_is_open(const dlpd_conn_t *c)
{
    return !c->closing;
}

uint64_t dlpd_conn_id(const dlpd_conn_t *c)
{
    return c->id;
}

static void on_close(uv_handle_t *h)
{
    dlpd_conn_t *c = h->data;
    dlpd_conns_t *set = c->set;

    if (c->prev)
        c->prev->next = c->next;
    else
        set->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    set->count--;
    c->set = NULL;
    dlpd_stats_dec(set->stats, DLPD_STAT_CONNECTIONS);
    dlp_framebuf_free(&c->fb);
    dlpd_tls_free(c->tls);
    dlpd_log_debug("conn %" PRIu64 ": closed", c->id);
    conn_unref(c);
    if (set->hooks.on_idle)
        set->hooks.on_idle(set->arg);
}

void dlpd_conn_close(dlpd_conn_t *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    c->input_done = 1;
    c->reading = 0;
    uv_close(&c->u.handle, on_close); /* also stops reading, cancels writes */
}

/* --------------------------------------------------------------- writes */

static void on_write(uv_write_t *req, int status)
{
    write_req_t *w = (write_req_t *)req;
    dlpd_conn_t *c = w->conn;

    c->writes--;
    c->write_bytes -= w->len;
    free(w->frame);
    free(w);
    if (status < 0 && status != UV_ECANCELED) {
        dlpd_log_debug("conn %" PRIu64 ": write failed: %s", c->id, uv_strerror(status));
        dlpd_conn_close(c);
    }
    if (!c->closing) {
        c->last_active_ms = c->write_wait_ms = loop_now(c);
        update(c);
    }
    if (c->set && c->set->hooks.on_idle)
        c->set->hooks.on_idle(c->set->arg);
}

/* Queues bytes for the socket as they are (for TLS: already encrypted). */
static void send_raw(dlpd_conn_t *c, uint8_t *frame, size_t len)
{
    if (c->closing) {
        free(frame);
        return;
    }
    write_req_t *w = malloc(sizeof(*w));
    if (!w) {
        free(frame);
        dlpd_log_error("conn %" PRIu64 ": out of memory queueing a response", c->id);
        dlpd_conn_close(c);
        return;
    }
    w->conn = c;
    w->frame = frame;
    w->len = len;
    uv_buf_t b = uv_buf_init((char *)frame, (unsigned)len);
    int rc = uv_write(&w->req, &c->u.stream, &b, 1, on_write);
    if (rc < 0) {
        free(frame);
        free(w);
        dlpd_log_debug("conn %" PRIu64 ": write failed: %s", c->id, uv_strerror(rc));
        dlpd_conn_close(c);
        return;
    }
    if (c->writes++ == 0)
        c->write_wait_ms = loop_now(c);
    c->write_bytes += len;
    update(c);
}

void dlpd_conn_send(dlpd_conn_t *c, uint8_t *frame, size_t len)
{
    if (c->tls && !c->closing) {
        int rc = dlpd_tls_write(c->tls, frame, len);
        free(frame);
        len = rc < 0 ? 0 : dlpd_tls_take_output(c->tls, &frame);
        if (len == 0) {
            dlpd_conn_close(c);
            return;
        }
    }
    send_raw(c, frame, len);
}

void dlpd_conn_send_and_close(dlpd_conn_t *c, uint8_t *frame, size_t len)
{
    c->input_done = 1;
    c->close_after_write = 1;
    dlpd_conn_send(c, frame, len);
}

/* ---------------------------------------------------------------- reads */

static int may_take_frames(const dlpd_conn_t *c)
{
    const dlpd_conn_limits_t *l = &c->set->limits;
    return !c->closing && !c->close_after_write && c->inflight < l->max_inflight &&
           c->write_bytes <= l->max_write_bytes;
}

static void frame_too_large(dlpd_conn_t *c, uint32_t len)
{
    char msg[128];
    uint8_t *frame;
    size_t flen;

    snprintf(msg, sizeof(msg), "frame of %" PRIu32 " bytes exceeds the maximum %" PRIu32, len,
             c->set->limits.max_frame_bytes);
    dlpd_log_warn("conn %" PRIu64 ": %s; closing", c->id, msg);
    dlpd_stats_error(c->set->stats, DLP__V1__ERROR_CODE__FRAME_TOO_LARGE);
    if (dlpd_convert_error_frame(0, DLP__V1__ERROR_CODE__FRAME_TOO_LARGE, msg, &frame, &flen) < 0) {
        dlpd_conn_close(c);
        return;
    }
    dlpd_conn_send_and_close(c, frame, flen);
}

/* Hands buffered frames to the hook while backpressure allows. */
static void take_frames(dlpd_conn_t *c)
{
    const uint8_t *payload;
    uint32_t len;

    if (c->in_frames)
        return; /* re-entered from a hook that answered synchronously */
    c->in_frames = 1;
    while (may_take_frames(c)) {
        dlp_frame_status_t st = dlp_framebuf_next(&c->fb, &payload, &len);
        if (st == DLP_FRAME_READY) {
            c->frame_start_ms = 0;
            c->set->hooks.on_frame(c, payload, len, c->set->arg);
            continue;
        }
        if (st == DLP_FRAME_TOO_LARGE)
            frame_too_large(c, len);
        break;
    }
    c->in_frames = 0;
}

/* Between frames a small read will do: most requests are small, and an
 * idle pooled connection should not pin a full-size buffer. */
#define FIRST_READ 4096

/* TLS reads land here and are decrypted into the frame buffer at once, so
 * one buffer serves every connection (the loop is single-threaded). */
static uint8_t tls_rbuf[16384 + 512];

/* Sends what the TLS session produced (handshake, alerts). */
static void tls_flush(dlpd_conn_t *c)
{
    uint8_t *out;
    size_t n = dlpd_tls_take_output(c->tls, &out);
    if (n)
        send_raw(c, out, n);
}

/* Ciphertext in, plaintext into the frame buffer. -1: the session failed
 * and the connection is closing (after its alert is written). */
static int tls_input(dlpd_conn_t *c, const uint8_t *in, size_t n)
{
    if (dlpd_tls_feed(c->tls, in, n) < 0) {
        dlpd_conn_close(c);
        return -1;
    }
    for (;;) {
        size_t avail = 0;
        uint8_t *p = dlp_framebuf_space(&c->fb, sizeof(tls_rbuf), &avail);
        long r = p ? dlpd_tls_read(c->tls, p, avail) : -1;
        if (r > 0) {
            dlp_framebuf_commit(&c->fb, (size_t)r);
            continue;
        }
        if (r == 0)
            break;
        c->input_done = 1;
        if (r == -2)
            break; /* close_notify: answer what came, then close */
        c->close_after_write = 1;
        tls_flush(c);
        if (!c->writes)
            dlpd_conn_close(c);
        return -1;
    }
    tls_flush(c);
    return 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    dlpd_conn_t *c = h->data;
    if (c->tls) {
        *buf = uv_buf_init((char *)tls_rbuf, sizeof(tls_rbuf));
        return;
    }
    size_t avail = 0;
    size_t want = dlp_framebuf_pending(&c->fb) ? 0 : FIRST_READ;
    uint8_t *p = dlp_framebuf_space(&c->fb, want, &avail);
    if (avail > UINT32_MAX)
        avail = UINT32_MAX;
    *buf = uv_buf_init((char *)p, p ? (unsigned)avail : 0);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    dlpd_conn_t *c = s->data;

    if (nread > 0) {
        if (!c->tls)
            dlp_framebuf_commit(&c->fb, (size_t)nread);
        else if (tls_input(c, (const uint8_t *)buf->base, (size_t)nread) < 0)
            return;
        c->last_active_ms = loop_now(c);
    } else if (nread == UV_EOF) {
        /* Half-close: still answer what was sent, then close. */
        c->input_done = 1;
    } else if (nread < 0) {
        if (nread == UV_ENOBUFS)
            dlpd_log_error("conn %" PRIu64 ": out of memory for the read buffer", c->id);
        else
            dlpd_log_debug("conn %" PRIu64 ": read failed: %s", c->id, uv_strerror((int)nread));
        dlpd_conn_close(c);
        return;
    }
    update(c);
}

/* The single place that decides to read, stop reading, or close. */
static void update(dlpd_conn_t *c)
{
    if (c->closing)
        return;
    take_frames(c);
    if (c->closing)
        return;
    int idle = c->writes == 0 && c->inflight == 0;
    if (c->close_after_write && c->writes == 0) {
        dlpd_conn_close(c);
        return;
    }
    if (c->input_done && idle) {
        /* EOF and all answered; a partial frame left can never complete. */
        dlpd_conn_close(c);
        return;
    }
    int want = !c->input_done && may_take_frames(c);
    if (want && !c->reading) {
        int rc = uv_read_start(&c->u.stream, on_alloc, on_read);
        if (rc < 0) {
            dlpd_log_error("conn %" PRIu64 ": cannot read: %s", c->id, uv_strerror(rc));
            dlpd_conn_close(c);
            return;
        }
        c->reading = 1;
    } else if (!want && c->reading) {
        uv_read_stop(&c->u.stream);
        c->reading = 0;
    }
    /* Reading with bytes left after take_frames(): a frame is under way.
     * Time spent paused by backpressure is ours, not the client's. */
    if (!c->reading || dlp_framebuf_pending(&c->fb) == 0)
        c->frame_start_ms = 0;
    else if (c->frame_start_ms == 0)
        c->frame_start_ms = loop_now(c);
}

/* ---------------------------------------------------------------- sweep */

#define SWEEP_MAX_MS 1000u
#define SWEEP_MIN_MS 10u

/* A quarter of the shortest timeout, so a limit is enforced within 25%. */
static uint64_t sweep_interval(const dlpd_conn_limits_t *l)
{
    uint64_t t = SWEEP_MAX_MS * 4;
    if (l->frame_timeout_ms && l->frame_timeout_ms < t)
        t = l->frame_timeout_ms;
    if (l->idle_timeout_ms && l->idle_timeout_ms < t)
        t = l->idle_timeout_ms;
    if (l->write_timeout_ms && l->write_timeout_ms < t)
        t = l->write_timeout_ms;
    t /= 4;
    return t < SWEEP_MIN_MS ? SWEEP_MIN_MS : t;
}

/* Closes a connection past a timeout; 1 when it did. */
static int timed_out(dlpd_conn_t *c, const dlpd_conn_limits_t *l, uint64_t now)
{
    if (l->frame_timeout_ms && c->frame_start_ms &&
        now - c->frame_start_ms >= l->frame_timeout_ms) {
        dlpd_log_info("conn %" PRIu64 ": frame incomplete after %" PRIu64 " ms; closing", c->id,
                      now - c->frame_start_ms);
        dlpd_conn_close(c);
        return 1;
    }
    if (l->write_timeout_ms && c->writes > 0 && now - c->write_wait_ms >= l->write_timeout_ms) {
        dlpd_log_info("conn %" PRIu64 ": %zu bytes of answers unread for %" PRIu64 " ms; closing",
                      c->id, c->write_bytes, now - c->write_wait_ms);
        dlpd_conn_close(c);
        return 1;
    }
    if (l->idle_timeout_ms && c->inflight == 0 && c->writes == 0 &&
        now - c->last_active_ms >= l->idle_timeout_ms) {
        dlpd_log_debug("conn %" PRIu64 ": idle for %" PRIu64 " ms; closing", c->id,
                       now - c->last_active_ms);
        dlpd_conn_close(c);
        return 1;
    }
    return 0;
}

static void on_sweep(uv_timer_t *t)
{
    dlpd_conns_t *set = t->data;
    uint64_t now = uv_now(t->loop);

    /* Closing unlinks a connection only in its close callback: safe to walk. */
    for (dlpd_conn_t *c = set->head; c; c = c->next) {
        if (c->closing || timed_out(c, &set->limits, now))
            continue;
        /* Quiet with nothing buffered: give the read buffer back. */
        if (dlp_framebuf_pending(&c->fb) == 0 && now - c->last_active_ms >= SWEEP_MAX_MS) {
            dlp_framebuf_free(&c->fb);
            dlp_framebuf_init(&c->fb, set->limits.max_frame_bytes);
        }
    }
}

/* Created with the first connection: only then is the loop known. */
static void start_sweep(dlpd_conns_t *set, uv_loop_t *loop)
{
    if (set->sweep_state != 0)
        return;
    if (uv_timer_init(loop, &set->sweep) < 0) {
        dlpd_log_error("connection timeouts: cannot create a timer");
        return; /* tried again at the next accept */
    }
    uint64_t every = sweep_interval(&set->limits);
    set->sweep.data = set;
    uv_timer_start(&set->sweep, on_sweep, every, every);
    uv_unref((uv_handle_t *)&set->sweep); /* never what keeps the loop alive */
    set->sweep_state = 1;
}

/* ------------------------------------------------------------------ set */

dlpd_conns_t *dlpd_conns_new(const dlpd_conn_limits_t *limits, const dlpd_conn_hooks_t *hooks,
                             void *arg, dlpd_stats_t *stats)
{
    dlpd_conns_t *set = calloc(1, sizeof(*set));
    if (!set)
        return NULL;
    set->limits = *limits;
    set->hooks = *hooks;
    set->arg = arg;
    set->stats = stats;
    return set;
}

static int init_handle(uv_stream_t *listener, dlpd_conn_t *c)
{
    if (listener->type == UV_TCP)
        return uv_tcp_init(listener->loop, &c->u.tcp);
    return uv_pipe_init(listener->loop, &c->u.pipe, 0);
}

static void free_on_close(uv_handle_t *h)
{
    free(h->data);
}

/* Over max_connections: accept (so the peer sees a close, not a hang). */
static void reject(dlpd_conns_t *set, uv_stream_t *listener)
{
    dlpd_conn_t *c = calloc(1, sizeof(*c));
    uint64_t now = dlpd_now_ns();

    if (!c || init_handle(listener, c) < 0) {
        free(c);
        return;
    }
    c->u.handle.data = c;
    uv_accept(listener, &c->u.stream);
    uv_close(&c->u.handle, free_on_close);
    dlpd_stats_inc(set->stats, DLPD_STAT_CONNECTIONS_REJECTED);
    if (now - set->last_reject_log_ns >= 1000000000u || set->last_reject_log_ns == 0) {
        set->last_reject_log_ns = now;
        dlpd_log_warn("max_connections (%" PRIu32 ") reached; closing new connections",
                      set->limits.max_connections);
    }
}

void dlpd_conns_accept(dlpd_conns_t *set, uv_stream_t *listener)
{
    dlpd_conns_accept_tls(set, listener, NULL);
}

void dlpd_conns_accept_tls(dlpd_conns_t *set, uv_stream_t *listener, dlpd_tls_ctx_t *tls)
{
    if (set->count >= set->limits.max_connections) {
        reject(set, listener);
        return;
    }
    dlpd_conn_t *c = calloc(1, sizeof(*c));
    if (!c || init_handle(listener, c) < 0) {
        free(c);
        dlpd_log_error("out of memory accepting a connection");
        return;
    }
    start_sweep(set, listener->loop);
    c->u.handle.data = c;
    c->last_active_ms = uv_now(listener->loop);
    c->refs = 1; /* the open handle's */
    c->set = set;
    dlp_framebuf_init(&c->fb, set->limits.max_frame_bytes);
    c->next = set->head;
    if (set->head)
        set->head->prev = c;
    set->head = c;
    set->count++;
    c->id = ++set->next_id;
    dlpd_stats_inc(set->stats, DLPD_STAT_CONNECTIONS);
    dlpd_stats_inc(set->stats, DLPD_STAT_CONNECTIONS_ACCEPTED);
    int rc = uv_accept(listener, &c->u.stream);
    if (rc < 0) {
        dlpd_log_warn("accept failed: %s", uv_strerror(rc));
        dlpd_conn_close(c);
        return;
    }
    if (listener->type == UV_TCP)
        uv_tcp_nodelay(&c->u.tcp, 1);
    if (tls && !(c->tls = dlpd_tls_new(tls, c->id))) {
        dlpd_log_error("conn %" PRIu64 ": out of memory for TLS", c->id);
        dlpd_conn_close(c);
        return;
    }
    dlpd_log_debug("conn %" PRIu64 ": accepted", c->id);
    update(c);
}

size_t dlpd_conns_count(const dlpd_conns_t *set)
{
    return set->count;
}

size_t dlpd_conns_write_bytes(const dlpd_conns_t *set)
{
    size_t n = 0;
    for (const dlpd_conn_t *c = set->head; c; c = c->next)
        n += c->write_bytes;
    return n;
}

void dlpd_conns_close_all(dlpd_conns_t *set)
{
    for (dlpd_conn_t *c = set->head; c; c = c->next)
        dlpd_conn_close(c);
    if (set->sweep_state == 1)
        uv_close((uv_handle_t *)&set->sweep, NULL);
    set->sweep_state = 2;
}

void dlpd_conns_free(dlpd_conns_t *set)
{
    free(set);
}
