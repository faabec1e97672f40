/*
 * server - listeners, signals, dispatch and drain (see server.h).
 *
 * Requests answered on the loop (Hello, Ping, Stats) are cheap and bounded;
 * Scan goes to the worker pool and Reload to the reload thread, each holding
 * its connection until answered. Drain completion is re-checked after every
 * event that can end it, from a zero-delay timer so that teardown never runs
 * inside another module's callback.
 */
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "convert.h"
#include "log.h"
#include "metrics.h"
#include "privs.h"
#include "reload.h"
#include "scanjob.h"
#include "stats.h"
#include "workers.h"

#define LISTEN_BACKLOG 511
/* A client that does not read its responses stops being read past this. */
#define MAX_WRITE_BYTES (16u << 20)

typedef struct listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } u;
    struct dlpd_server *srv;
    const dlpd_addr_t *addr;
    int inited;      /* the handle exists and must be closed */
    int unlink_path; /* we created the unix socket file */
} listener_t;

struct dlpd_server {
    uv_loop_t *loop;
    dlpd_config_t cfg;
    unsigned nworkers;
    dlpd_stats_t *stats;
    dlpd_metrics_t *metrics; /* NULL unless metrics_listen is set */
    dlpd_reload_t *reload;
    dlpd_pool_t *pool;
    dlpd_conns_t *conns;
    listener_t *listeners;
    size_t n_listeners;
    dlpd_privs_t privs;
    dlpd_tls_ctx_t *tls; /* NULL without tls: listeners */
    uv_signal_t sigs[3];
    int sigs_inited;
    uv_timer_t drain_timer;  /* shutdown_timeout_ms */
    uv_timer_t settle_timer; /* re-checks the drain outside other callbacks */
    int timers_inited;
    int draining;
    int stopped; /* handles closed or closing */
    int exit_code;
};

typedef struct reload_waiter {
    dlpd_server_t *srv;
    dlpd_conn_t *conn;
    uint64_t id;
} reload_waiter_t;

static void check_drain(dlpd_server_t *s);

/* ------------------------------------------------------------- replies */

static void send_frame_or_close(dlpd_conn_t *c, int rc, uint8_t *frame, size_t len)
{
    if (rc < 0)
        dlpd_conn_close(c); /* out of memory even for an error frame */
    else
        dlpd_conn_send(c, frame, len);
}

static void reply_error(dlpd_server_t *s, dlpd_conn_t *c, uint64_t id, Dlp__V1__ErrorCode code,
                        const char *msg)
{
    uint8_t *frame = NULL;
    size_t len = 0;
    dlpd_stats_error(s->stats, code);
    int rc = dlpd_convert_error_frame(id, code, msg, &frame, &len);
    send_frame_or_close(c, rc, frame, len);
}

static void reply(dlpd_server_t *s, dlpd_conn_t *c, const Dlp__V1__Response *r)
{
    uint8_t *frame = NULL;
    size_t len = 0;
    if (dlpd_convert_pack(r, &frame, &len) < 0)
        reply_error(s, c, r->id, DLP__V1__ERROR_CODE__INTERNAL, "out of memory");
    else
        dlpd_conn_send(c, frame, len);
}

/* ------------------------------------------------------ loop requests */

static void handle_hello(dlpd_server_t *s, dlpd_conn_t *c, const Dlp__V1__Request *req)
{
    Dlp__V1__Response r = DLP__V1__RESPONSE__INIT;
    Dlp__V1__HelloReply h = DLP__V1__HELLO_REPLY__INIT;
    uint32_t v = req->hello->protocol_version;
    char msg[128];

    if (v > DLP__V1__PROTOCOL_VERSION__PROTOCOL_VERSION) {
        snprintf(msg, sizeof(msg), "protocol version %" PRIu32 " is not supported (this is %d)", v,
                 DLP__V1__PROTOCOL_VERSION__PROTOCOL_VERSION);
        reply_error(s, c, req->id, DLP__V1__ERROR_CODE__UNSUPPORTED_VERSION, msg);
        return;
    }
    dlp_engine_t *e = dlpd_reload_engine(s->reload);
    h.protocol_version = DLP__V1__PROTOCOL_VERSION__PROTOCOL_VERSION;
    h.server_version = (char *)dlp_version_string();
    h.rules_version = (char *)dlp_engine_rules_version(e);
    h.max_frame_bytes = (uint32_t)s->cfg.max_frame_bytes;
    r.id = req->id;
    r.body_case = DLP__V1__RESPONSE__BODY_HELLO;
    r.hello = &h;
    reply(s, c, &r);
    dlp_engine_unref(e);
    dlpd_log_debug("conn %" PRIu64 ": hello, protocol %" PRIu32, dlpd_conn_id(c), v);
}

static void handle_ping(dlpd_server_t *s, dlpd_conn_t *c, const Dlp__V1__Request *req)
{
    Dlp__V1__Response r = DLP__V1__RESPONSE__INIT;
    Dlp__V1__Pong p = DLP__V1__PONG__INIT;
    p.payload = req->ping->payload;
    r.id = req->id;
    r.body_case = DLP__V1__RESPONSE__BODY_PING;
    r.ping = &p;
    reply(s, c, &r);
}

/* The same figures as /metrics (metrics.c builds both). */
static void handle_stats(dlpd_server_t *s, dlpd_conn_t *c, const Dlp__V1__Request *req)
{
    uint8_t *frame = NULL;
    size_t len = 0;
    dlp_engine_t *e = dlpd_reload_engine(s->reload);
    int rc = dlpd_metrics_stats_frame(s->stats, req->id, dlp_engine_rules_version(e), &frame, &len);
    dlp_engine_unref(e);
    if (rc < 0)
        reply_error(s, c, req->id, DLP__V1__ERROR_CODE__INTERNAL, "out of memory");
    else
        dlpd_conn_send(c, frame, len);
}

static void metrics_rules_version(void *arg, char *version, size_t size)
{
    dlpd_server_t *s = arg;
    dlp_engine_t *e = dlpd_reload_engine(s->reload);
    snprintf(version, size, "%s", dlp_engine_rules_version(e));
    dlp_engine_unref(e);
}

/* ---------------------------------------------------------------- reload */

static void on_reload_reply(const dlpd_reload_result_t *res, void *arg)
{
    reload_waiter_t *w = arg;
    Dlp__V1__Response r = DLP__V1__RESPONSE__INIT;
    Dlp__V1__ReloadReply rr = DLP__V1__RELOAD_REPLY__INIT;
    Dlp__V1__Error err = DLP__V1__ERROR__INIT;
    char msg[128];

    if (res && dlpd_conn_is_open(w->conn)) {
        rr.ok = res->ok != 0;
        rr.rules_version = (char *)res->rules_version;
        rr.n_errors = res->n_errors;
        rr.errors = (char **)res->errors;
        r.id = w->id;
        r.body_case = DLP__V1__RESPONSE__BODY_RELOAD;
        r.reload = &rr;
        if (!res->ok) {
            snprintf(msg, sizeof(msg), "reload failed with %zu error(s); still serving %s",
                     res->n_errors, res->rules_version);
            err.code = DLP__V1__ERROR_CODE__RELOAD_FAILED;
            err.message = msg;
            r.error = &err;
            dlpd_stats_error(w->srv->stats, err.code);
        }
        reply(w->srv, w->conn, &r);
    }
    dlpd_conn_release(w->conn);
    check_drain(w->srv);
    free(w);
}

/* After every reload (socket or SIGHUP): apply the reloadable daemon keys. */
static void on_reload_result(const dlpd_reload_result_t *res, void *arg)
{
    dlpd_server_t *s = arg;
    if (res && res->ok && res->dcfg) {
        dlpd_config_apply_reload(&s->cfg, res->dcfg);
        dlpd_log_set_level((dlpd_log_level_t)s->cfg.log_level);
    }
    check_drain(s);
}

static void handle_reload(dlpd_server_t *s, dlpd_conn_t *c, const Dlp__V1__Request *req)
{
    if (s->draining) {
        reply_error(s, c, req->id, DLP__V1__ERROR_CODE__SHUTTING_DOWN, "dlpd is shutting down");
        return;
    }
    reload_waiter_t *w = malloc(sizeof(*w));
    if (!w) {
        reply_error(s, c, req->id, DLP__V1__ERROR_CODE__INTERNAL, "out of memory");
        return;
    }
    w->srv = s;
    w->id = req->id;
    w->conn = dlpd_conn_hold(c);
    dlpd_log_info("reload requested by conn %" PRIu64, dlpd_conn_id(c));
    if (dlpd_reload_request(s->reload, on_reload_reply, w) < 0) {
        dlpd_conn_release(c);
        free(w);
        reply_error(s, c, req->id, DLP__V1__ERROR_CODE__INTERNAL, "out of memory");
    }
}

/* ------------------------------------------------------------------ scan */

/* Takes ownership of req. */
static void handle_scan(dlpd_server_t *s, dlpd_conn_t *c, Dlp__V1__Request *req, uint64_t recv)
{
    Dlp__V1__ErrorCode code = DLP__V1__ERROR_CODE__INTERNAL;
    const char *msg = "out of memory";
    dlpd_scanjob_t *j = NULL;

    dlpd_stats_inc(s->stats, DLPD_STAT_SCANS);
    if (s->draining) {
        code = DLP__V1__ERROR_CODE__SHUTTING_DOWN;
        msg = "dlpd is shutting down";
        goto refuse;
    }
    if (!(j = dlpd_scanjob_new(c, req, recv)))
        goto refuse;
    int rc = dlpd_pool_submit(s->pool, &j->work);
    if (rc == 0) {
        dlpd_stats_inc(s->stats, DLPD_STAT_QUEUE_DEPTH);
        return;
    }
    code = rc == UV_EAGAIN ? DLP__V1__ERROR_CODE__OVERLOADED : DLP__V1__ERROR_CODE__SHUTTING_DOWN;
    msg = rc == UV_EAGAIN ? "scan queue full" : "dlpd is shutting down";
refuse:
    dlpd_scanjob_log_error(req, code, recv);
    reply_error(s, c, req->id, code, msg);
    if (j)
        dlpd_scanjob_free(j); /* frees req too */
    else
        dlpd_scanjob_free_request(req);
}

/* Worker thread: the engine is referenced at dequeue time. */
static void run_job(dlpd_work_t *w, dlp_scanner_t *scanner, void *arg)
{
    dlpd_server_t *s = arg;
    dlpd_scanjob_t *j = (dlpd_scanjob_t *)w;

    dlpd_stats_dec(s->stats, DLPD_STAT_QUEUE_DEPTH);
    dlpd_stats_inc(s->stats, DLPD_STAT_SCANS_IN_FLIGHT);
    dlp_engine_t *e = dlpd_reload_engine(s->reload);
    dlpd_scanjob_run(j, scanner, e, s->stats);
    dlp_engine_unref(e);
    dlpd_stats_dec(s->stats, DLPD_STAT_SCANS_IN_FLIGHT);
}

static void job_done(dlpd_work_t *w, void *arg)
{
    dlpd_scanjob_finish((dlpd_scanjob_t *)w);
    check_drain(arg);
}

/* -------------------------------------------------------------- dispatch */

static void *pb_alloc(void *data, size_t size)
{
    void *p = malloc(size);
    if (!p)
        *(int *)data = 1;
    return p;
}

static void pb_free(void *data, void *p)
{
    free(p);
}

static void on_frame(dlpd_conn_t *c, const uint8_t *payload, size_t len, void *arg)
{
    dlpd_server_t *s = arg;
    uint64_t recv = dlpd_now_ns();
    int oom = 0;
    ProtobufCAllocator alloc = {pb_alloc, pb_free, &oom};

    dlpd_stats_inc(s->stats, DLPD_STAT_REQUESTS);
    /* Allocated with malloc, so dlp__v1__request__free_unpacked(r, NULL) frees it. */
    Dlp__V1__Request *req = dlp__v1__request__unpack(&alloc, len, payload);
    if (!req) {
        if (oom)
            reply_error(s, c, 0, DLP__V1__ERROR_CODE__INTERNAL, "out of memory");
        else
            reply_error(s, c, 0, DLP__V1__ERROR_CODE__DECODE_ERROR,
                        "frame does not hold a valid Request");
        return;
    }
    switch (req->body_case) {
    case DLP__V1__REQUEST__BODY_SCAN:
        handle_scan(s, c, req, recv);
        return;
    case DLP__V1__REQUEST__BODY_HELLO:
        handle_hello(s, c, req);
        break;
    case DLP__V1__REQUEST__BODY_PING:
        handle_ping(s, c, req);
        break;
    case DLP__V1__REQUEST__BODY_STATS:
        handle_stats(s, c, req);
        break;
    case DLP__V1__REQUEST__BODY_RELOAD:
        handle_reload(s, c, req);
        break;
    default:
        reply_error(s, c, req->id, DLP__V1__ERROR_CODE__INVALID_REQUEST,
                    "request has no known body");
        break;
    }
    dlp__v1__request__free_unpacked(req, NULL);
}

/* ------------------------------------------------------------- listeners */

static void on_connection(uv_stream_t *ls, int status)
{
    listener_t *l = ls->data;
    if (status < 0) {
        dlpd_log_warn("%s: accept: %s", l->addr->text, uv_strerror(status));
        return;
    }
    if (l->addr->tls)
        dlpd_conns_accept_tls(l->srv->conns, ls, l->srv->tls);
    else
        dlpd_conns_accept(l->srv->conns, ls);
}

/* A socket file someone still accepts on must not be removed under them. */
static int unix_socket_in_use(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int in_use = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return in_use;
}

/* Each bind_* logs its own failure. */
static int bind_unix(dlpd_server_t *s, listener_t *l)
{
    const char *path = l->addr->path;
    struct stat st;
    int rc;

    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            dlpd_log_error("%s: exists and is not a socket", l->addr->text);
            return UV_EEXIST;
        }
        if (unix_socket_in_use(path)) {
            dlpd_log_error("%s: in use by another process", l->addr->text);
            return UV_EADDRINUSE;
        }
        unlink(path); /* stale, from a daemon that did not exit cleanly */
    }
    if ((rc = uv_pipe_init(s->loop, &l->u.pipe, 0)) < 0)
        goto fail;
    l->inited = 1;
    /* Created owner-only, then opened up to socket_mode: no window where
     * the umask decides who may connect. */
    mode_t old = umask(0177);
    rc = uv_pipe_bind(&l->u.pipe, path);
    umask(old);
    if (rc < 0)
        goto fail;
    l->unlink_path = 1;
    if (dlpd_privs_own_socket(&s->privs, path) < 0)
        return UV_EPERM; /* logged */
    if (chmod(path, (mode_t)s->cfg.socket_mode) < 0) {
        rc = uv_translate_sys_error(errno);
        goto fail;
    }
    return 0;
fail:
    dlpd_log_error("%s: %s", l->addr->text, uv_strerror(rc));
    return rc;
}

static int bind_tcp(dlpd_server_t *s, listener_t *l)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port[8];

    snprintf(port, sizeof(port), "%u", l->addr->port);
    int gai = getaddrinfo(l->addr->host, port, &hints, &ai);
    if (gai != 0) {
        dlpd_log_error("%s: %s", l->addr->text, gai_strerror(gai));
        return UV_EINVAL;
    }
    int rc = uv_tcp_init(s->loop, &l->u.tcp);
    if (rc == 0) {
        l->inited = 1;
        rc = uv_tcp_bind(&l->u.tcp, ai->ai_addr, 0);
    }
    freeaddrinfo(ai);
    if (rc < 0)
        dlpd_log_error("%s: %s", l->addr->text, uv_strerror(rc));
    return rc;
}

static int open_listener(dlpd_server_t *s, listener_t *l)
{
    int rc = l->addr->kind == DLPD_ADDR_UNIX ? bind_unix(s, l) : bind_tcp(s, l);
    if (rc < 0)
        return rc;
    l->u.handle.data = l;
    rc = uv_listen(&l->u.stream, LISTEN_BACKLOG, on_connection);
    if (rc < 0)
        dlpd_log_error("%s: cannot listen: %s", l->addr->text, uv_strerror(rc));
    return rc;
}

static void close_listeners(dlpd_server_t *s)
{
    dlpd_metrics_close(s->metrics);
    for (size_t i = 0; i < s->n_listeners; i++) {
        listener_t *l = &s->listeners[i];
        if (l->inited && !uv_is_closing(&l->u.handle))
            uv_close(&l->u.handle, NULL);
        if (l->unlink_path && unlink(l->addr->path) < 0 && errno != ENOENT)
            dlpd_log_warn("%s: cannot remove: %s", l->addr->text, strerror(errno));
        l->unlink_path = 0;
    }
}

/* ---------------------------------------------------------------- drain */

/* Closes every handle; workers and the reload thread are joined (both are
 * idle after a completed drain, so this does not block the loop). */
static void stop_all(dlpd_server_t *s)
{
    if (s->stopped)
        return;
    s->stopped = 1;
    close_listeners(s);
    if (s->conns)
        dlpd_conns_close_all(s->conns);
    dlpd_pool_free(s->pool);
    s->pool = NULL;
    dlpd_reload_free(s->reload);
    s->reload = NULL;
    for (int i = 0; i < s->sigs_inited; i++)
        uv_close((uv_handle_t *)&s->sigs[i], NULL);
    s->sigs_inited = 0;
    if (s->timers_inited) {
        uv_close((uv_handle_t *)&s->drain_timer, NULL);
        uv_close((uv_handle_t *)&s->settle_timer, NULL);
        s->timers_inited = 0;
    }
}

static void on_settle(uv_timer_t *t)
{
    dlpd_server_t *s = t->data;
    if (s->stopped || !s->draining)
        return;
    size_t jobs = dlpd_pool_pending(s->pool);
    if (jobs || dlpd_reload_busy(s->reload) || dlpd_conns_write_bytes(s->conns))
        return;
    dlpd_log_info("drained; stopping");
    s->exit_code = 0;
    stop_all(s);
}

static void check_drain(dlpd_server_t *s)
{
    if (s->draining && !s->stopped)
        uv_timer_start(&s->settle_timer, on_settle, 0, 0);
}

static void on_drain_timeout(uv_timer_t *t)
{
    dlpd_server_t *s = t->data;
    dlpd_log_error("shutdown timed out after %" PRIu64 " ms with %zu scan(s) unfinished; exiting",
                   s->cfg.shutdown_timeout_ms, dlpd_pool_pending(s->pool));
    close_listeners(s); /* removes the socket files */
    s->exit_code = 1;
    uv_stop(s->loop);
}

static void start_drain(dlpd_server_t *s, const char *why)
{
    s->draining = 1;
    dlpd_log_info("%s: shutting down, %zu scan(s) to finish", why, dlpd_pool_pending(s->pool));
    close_listeners(s);
    uv_timer_start(&s->drain_timer, on_drain_timeout, s->cfg.shutdown_timeout_ms, 0);
    check_drain(s);
}

static void on_signal(uv_signal_t *h, int signum)
{
    dlpd_server_t *s = h->data;
    if (signum == SIGHUP) {
        if (s->draining) {
            dlpd_log_info("SIGHUP ignored: shutting down");
            return;
        }
        dlpd_log_info("SIGHUP: reloading");
        if (dlpd_reload_request(s->reload, NULL, NULL) < 0)
            dlpd_log_error("SIGHUP: out of memory, reload not started");
        return;
    }
    if (s->draining) {
        dlpd_log_info("%s: already shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
        return;
    }
    start_drain(s, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static int start_signals(dlpd_server_t *s)
{
    static const int signums[] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++) {
        int rc = uv_signal_init(s->loop, &s->sigs[i]);
        if (rc < 0)
            return rc;
        s->sigs_inited++;
        s->sigs[i].data = s;
        if ((rc = uv_signal_start(&s->sigs[i], on_signal, signums[i])) < 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------- lifecycle */

static unsigned worker_count(const dlpd_config_t *cfg)
{
    if (cfg->workers > 0)
        return (unsigned)cfg->workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int dlpd_server_new(uv_loop_t *loop, dlpd_config_t *cfg, const char *config_path,
                    dlp_engine_t *engine, dlpd_server_t **out)
{
    dlpd_conn_hooks_t hooks = {.on_frame = on_frame, .on_idle = NULL};
    int rc = DLP_ENOMEM;
    dlpd_server_t *s = calloc(1, sizeof(*s));
    if (!s)
        goto fail_alloc;
    s->loop = loop;
    if (!(s->stats = dlpd_stats_new()))
        goto fail_stats;
    dlpd_conn_limits_t limits = {
        .max_frame_bytes = (uint32_t)cfg->max_frame_bytes,
        .max_inflight = (uint32_t)cfg->max_inflight_per_conn,
        .max_write_bytes = MAX_WRITE_BYTES,
        .max_connections = (uint32_t)cfg->max_connections,
        .frame_timeout_ms = cfg->frame_timeout_ms,
        .idle_timeout_ms = cfg->idle_timeout_ms,
        .write_timeout_ms = cfg->write_timeout_ms,
    };
    if (!(s->conns = dlpd_conns_new(&limits, &hooks, s, s->stats)))
        goto fail_conns;
    if (!(s->listeners = calloc(cfg->n_listen, sizeof(*s->listeners))))
        goto fail_listeners;
    rc = dlpd_reload_new(loop, config_path, engine, s->stats, on_reload_result, s, &s->reload);
    if (rc < 0)
        goto fail_reload;
    /* Nothing can fail from here on: take over the config. */
    s->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    s->nworkers = worker_count(&s->cfg);
    s->n_listeners = s->cfg.n_listen;
    for (size_t i = 0; i < s->n_listeners; i++) {
        s->listeners[i].srv = s;
        s->listeners[i].addr = &s->cfg.listen[i];
    }
    *out = s;
    return 0;

fail_reload:
    free(s->listeners);
fail_listeners:
    dlpd_conns_free(s->conns);
fail_conns:
    dlpd_stats_free(s->stats);
fail_stats:
    free(s);
fail_alloc:
    return rc;
}

static void log_start(dlpd_server_t *s)
{
    char addrs[1024];
    size_t n = 0;
    addrs[0] = '\0';
    for (size_t i = 0; i < s->n_listeners && n < sizeof(addrs); i++) {
        int m = snprintf(addrs + n, sizeof(addrs) - n, "%s%s", i ? " " : "",
                         s->listeners[i].addr->text);
        n = m < 0 ? sizeof(addrs) : n + (size_t)m;
    }
    dlp_engine_t *e = dlpd_reload_engine(s->reload);
    dlpd_log_info("dlpd %s started: rules %s (%s), %u workers, queue %" PRIu64 ", listening on %s",
                  dlp_version_string(), dlp_engine_rules_version(e),
                  dlp_engine_from_cache(e) ? "from cache" : "compiled", s->nworkers,
                  s->cfg.queue_size, addrs);
    dlp_engine_unref(e);
}

int dlpd_server_start(dlpd_server_t *s)
{
    int rc;
    if ((rc = uv_timer_init(s->loop, &s->drain_timer)) < 0 ||
        (rc = uv_timer_init(s->loop, &s->settle_timer)) < 0) {
        dlpd_log_error("timer: %s", uv_strerror(rc));
        return rc; /* a failed init leaves nothing to close */
    }
    s->timers_inited = 1;
    s->drain_timer.data = s->settle_timer.data = s;
    if (dlpd_privs_resolve(&s->cfg, &s->privs) < 0)
        return UV_EINVAL; /* logged */
    for (size_t i = 0; i < s->n_listeners && !s->tls; i++)
        if (s->listeners[i].addr->tls &&
            dlpd_tls_ctx_new(s->cfg.tls_cert, s->cfg.tls_key, s->cfg.tls_client_ca, &s->tls) < 0)
            return UV_EINVAL; /* logged; read before dropping root */
    for (size_t i = 0; i < s->n_listeners; i++)
        if ((rc = open_listener(s, &s->listeners[i])) < 0)
            return rc;
    if (s->cfg.metrics_listen &&
        ((rc = dlpd_metrics_new(s->loop, s->cfg.metrics_listen, s->stats, metrics_rules_version, s,
                                &s->metrics)) < 0 ||
         (rc = dlpd_metrics_start(s->metrics)) < 0))
        return rc; /* logged */
    /* Every socket is bound and no worker runs yet: give up root. */
    if (dlpd_privs_drop(&s->privs, (int)s->cfg.allow_core_dumps) < 0)
        return UV_EPERM; /* logged */
    rc = dlpd_pool_new(s->loop, s->nworkers, (size_t)s->cfg.queue_size, run_job, job_done, s,
                       &s->pool);
    if (rc < 0) {
        dlpd_log_error("cannot start %u workers: %s", s->nworkers, dlp_strerror(rc));
        return rc;
    }
    dlpd_stats_add(s->stats, DLPD_STAT_WORKERS, s->nworkers);
    if ((rc = start_signals(s)) < 0) {
        dlpd_log_error("signals: %s", uv_strerror(rc));
        return rc;
    }
    log_start(s);
    return 0;
}

int dlpd_server_run(dlpd_server_t *s)
{
    uv_run(s->loop, UV_RUN_DEFAULT);
    if (s->exit_code == 0)
        dlpd_log_info("dlpd stopped");
    return s->exit_code;
}

void dlpd_server_free(dlpd_server_t *s)
{
    if (!s)
        return;
    stop_all(s);
    uv_run(s->loop, UV_RUN_DEFAULT); /* runs the close callbacks */
    dlpd_metrics_free(s->metrics);
    dlpd_conns_free(s->conns);
    dlpd_stats_free(s->stats);
    free(s->listeners);
    dlpd_config_free(&s->cfg);
    dlpd_tls_ctx_free(s->tls);
    free(s);
}
