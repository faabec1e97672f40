/*
 * pool.c - libdlpclient's connection pool: several endpoints, reuse,
 * failover and health checks (see client.h for the contract).
 *
 * Design. Each endpoint keeps a small stack of idle dlp_client_t
 * connections and its state (up/down, counters) behind its own mutex. A
 * request pops an idle connection (or opens a new one), drops the lock, and
 * does its I/O alone on that connection; afterwards the connection goes back
 * on the stack, or is closed when it failed. No lock is ever held during
 * I/O, so a slow or dead daemon only delays the threads talking to it.
 *
 * Choosing an endpoint: a shared counter spreads first attempts round-robin
 * over the endpoints that are up; a retry moves on to the next endpoint
 * after the one that failed. When no endpoint is up the next one in turn is
 * tried anyway, so a single endpoint (e.g. an HAProxy frontend) keeps being
 * used while it recovers.
 *
 * Marking: a transport failure (connect, I/O, timeout, undecodable answer) or
 * SHUTTING_DOWN marks the endpoint down and closes its idle connections (they
 * most likely died with it). The health thread pings every endpoint on a
 * fresh connection each health_interval_ms and marks it up or down; without
 * the thread a down endpoint becomes eligible again after down_retry_ms, and
 * any answered request marks its endpoint up.
 *
 * TLS: tls: endpoints connect with the pool's dlp_client_tls_t (a reference
 * the pool holds until it is freed); health pings go over TLS too, so an
 * endpoint whose certificate stops verifying is marked down like a dead one.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlp/client.h"
#include "client_tls.h"
#include "client_util.h"

typedef struct endpoint {
    char *address;
    pthread_mutex_t mu; /* guards everything below */
    dlp_client_t **idle;
    unsigned n_idle;
    int up;
    int64_t retry_at; /* when down and without health thread: eligible again from then */
    uint64_t answered, failed, marked_down, marked_up;
} endpoint_t;

struct dlp_client_pool {
    dlp_client_opts_t o;
    dlp_client_tls_t *tls; /* our reference, or NULL */
    endpoint_t *ep;
    size_t n;
    atomic_size_t rr; /* round-robin cursor */

    int health_started;
    pthread_t health;
    pthread_mutex_t hmu; /* guards stopping, for hcv */
    pthread_cond_t hcv;
    int stopping;
};

void dlp_client_opts_init(dlp_client_opts_t *opts)
{
    *opts = (dlp_client_opts_t){
        .connect_timeout_ms = 1000,
        .max_attempts = 3,
        .health_interval_ms = 1000,
        .health_timeout_ms = 1000,
        .down_retry_ms = 5000,
        .max_idle = 16,
        .max_frame = DLP_CLIENT_DEFAULT_MAX_FRAME,
    };
}

/* ------------------------------------------------------------ endpoint state */

/* Call with ep->mu held. */
static void mark_up_locked(endpoint_t *ep)
{
    if (!ep->up) {
        ep->up = 1;
        ep->marked_up++;
    }
}

/* Marks ep down and closes its idle connections (close() does not block on a socket). */
static void mark_down(const dlp_client_pool_t *p, endpoint_t *ep)
{
    pthread_mutex_lock(&ep->mu);
    if (ep->up) {
        ep->up = 0;
        ep->marked_down++;
    }
    ep->retry_at = dlpcl_now_ms() + p->o.down_retry_ms;
    while (ep->n_idle > 0)
        dlp_client_free(ep->idle[--ep->n_idle]);
    pthread_mutex_unlock(&ep->mu);
}

static int eligible(const dlp_client_pool_t *p, endpoint_t *ep, int64_t now)
{
    pthread_mutex_lock(&ep->mu);
    int ok = ep->up || (!p->health_started && now >= ep->retry_at);
    pthread_mutex_unlock(&ep->mu);
    return ok;
}

/* The first eligible endpoint from 'start' on, or 'start' itself when none is. */
static size_t pick(const dlp_client_pool_t *p, size_t start)
{
    int64_t now = dlpcl_now_ms();
    for (size_t k = 0; k < p->n; k++) {
        size_t i = (start + k) % p->n;
        if (eligible(p, &p->ep[i], now))
            return i;
    }
    return start % p->n;
}

/* ------------------------------------------------------------- connections */

static int acquire(dlp_client_pool_t *p, endpoint_t *ep, dlp_client_t **out, char *err,
                   size_t errlen)
{
    for (;;) {
        dlp_client_t *c = NULL;
        pthread_mutex_lock(&ep->mu);
        if (ep->n_idle > 0)
            c = ep->idle[--ep->n_idle];
        pthread_mutex_unlock(&ep->mu);
        if (!c)
            break;
        if (dlpcl_client_idle_ok(c)) {
            *out = c;
            return DLP_CLIENT_OK;
        }
        dlp_client_free(c);
    }
    int r = dlp_client_connect_tls(ep->address, p->o.connect_timeout_ms, p->tls, out, err, errlen);
    if (r == DLP_CLIENT_OK)
        dlp_client_set_max_frame(*out, p->o.max_frame);
    return r;
}

static void release(dlp_client_pool_t *p, endpoint_t *ep, dlp_client_t *c)
{
    pthread_mutex_lock(&ep->mu);
    if (ep->n_idle < p->o.max_idle) {
        ep->idle[ep->n_idle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&ep->mu);
    dlp_client_free(c);
}

/* ------------------------------------------------------------------- calls */

static int retryable_code(Dlp__V1__ErrorCode code)
{
    return code == DLP__V1__ERROR_CODE__OVERLOADED || code == DLP__V1__ERROR_CODE__SHUTTING_DOWN;
}

/*
 * One attempt on endpoint ep. Returns OK with *out set (possibly an error
 * response), or a negative code after marking the endpoint as needed.
 */
static int attempt(dlp_client_pool_t *p, endpoint_t *ep, Dlp__V1__Request *req, int timeout_ms,
                   Dlp__V1__Response **out, char *err, size_t errlen)
{
    dlp_client_t *c;
    int r = acquire(p, ep, &c, err, errlen);
    if (r < 0) {
        pthread_mutex_lock(&ep->mu);
        ep->failed++;
        pthread_mutex_unlock(&ep->mu);
        if (r != DLP_CLIENT_ENOMEM && r != DLP_CLIENT_EINVAL)
            mark_down(p, ep);
        return r;
    }
    dlp_client_set_timeout(c, timeout_ms);
    req->id = dlp_client_next_id(c);
    r = dlp_client_call(c, req, timeout_ms, out, err, errlen);
    if (r < 0) {
        /* The connection's state is unknown (a late answer could still come): close it. */
        dlp_client_free(c);
        pthread_mutex_lock(&ep->mu);
        ep->failed++;
        pthread_mutex_unlock(&ep->mu);
        if (r != DLP_CLIENT_ENOMEM)
            mark_down(p, ep);
        return r;
    }
    int shutting = (*out)->error && (*out)->error->code == DLP__V1__ERROR_CODE__SHUTTING_DOWN;
    if (shutting) {
        dlp_client_free(c);
        mark_down(p, ep);
    } else {
        release(p, ep, c);
    }
    pthread_mutex_lock(&ep->mu);
    if ((*out)->error && retryable_code((*out)->error->code)) {
        ep->failed++;
    } else {
        ep->answered++;
        mark_up_locked(ep);
    }
    pthread_mutex_unlock(&ep->mu);
    return DLP_CLIENT_OK;
}

int dlp_client_pool_call(dlp_client_pool_t *p, Dlp__V1__Request *req, int timeout_ms,
                         Dlp__V1__Response **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!p || !req)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "no pool or request");
    size_t i = pick(p, atomic_fetch_add_explicit(&p->rr, 1, memory_order_relaxed));
    int r = DLP_CLIENT_ENOENDPOINT;
    for (int a = 0; a < p->o.max_attempts; a++) {
        if (a > 0)
            i = pick(p, i + 1);
        Dlp__V1__Response *resp = NULL;
        r = attempt(p, &p->ep[i], req, timeout_ms, &resp, err, errlen);
        if (r < 0)
            continue;
        if (resp->error && retryable_code(resp->error->code) && a + 1 < p->o.max_attempts) {
            dlp_client_response_free(resp);
            r = dlpcl_fail(DLP_CLIENT_ENOENDPOINT, err, errlen, "%s answered %s", p->ep[i].address,
                           dlp_client_error_code_name(resp->error->code));
            continue;
        }
        *out = resp;
        return DLP_CLIENT_OK;
    }
    return r;
}

int dlp_client_pool_scan(dlp_client_pool_t *p, const Dlp__V1__ScanRequest *scan, int timeout_ms,
                         Dlp__V1__Response **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!scan)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "no scan request");
    Dlp__V1__Request req;
    dlp__v1__request__init(&req);
    req.body_case = DLP__V1__REQUEST__BODY_SCAN;
    req.scan = (Dlp__V1__ScanRequest *)scan; /* only read by the packer */
    return dlp_client_pool_call(p, &req, timeout_ms, out, err, errlen);
}

/* ------------------------------------------------------------ health checks */

/* Pings ep on a fresh connection: 0 when the pong came back in time. */
static int health_ping(const dlp_client_pool_t *p, const endpoint_t *ep)
{
    static uint8_t payload[] = "dlp_client_pool";
    dlp_client_t *c;
    if (dlp_client_connect_tls(ep->address, p->o.health_timeout_ms, p->tls, &c, NULL, 0) < 0)
        return -1;
    Dlp__V1__Request req;
    Dlp__V1__Ping ping;
    dlp__v1__request__init(&req);
    dlp__v1__ping__init(&ping);
    ping.payload.data = payload;
    ping.payload.len = sizeof(payload) - 1;
    req.id = dlp_client_next_id(c);
    req.body_case = DLP__V1__REQUEST__BODY_PING;
    req.ping = &ping;
    Dlp__V1__Response *resp = NULL;
    int ok = dlp_client_call(c, &req, p->o.health_timeout_ms, &resp, NULL, 0) == DLP_CLIENT_OK &&
             !resp->error && resp->body_case == DLP__V1__RESPONSE__BODY_PING;
    dlp_client_response_free(resp);
    dlp_client_free(c);
    return ok ? 0 : -1;
}

static void *health_main(void *arg)
{
    dlp_client_pool_t *p = arg;
    pthread_mutex_lock(&p->hmu);
    while (!p->stopping) {
        pthread_mutex_unlock(&p->hmu);
        for (size_t i = 0; i < p->n; i++) {
            endpoint_t *ep = &p->ep[i];
            if (health_ping(p, ep) == 0) {
                pthread_mutex_lock(&ep->mu);
                mark_up_locked(ep);
                pthread_mutex_unlock(&ep->mu);
            } else {
                mark_down(p, ep);
            }
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += p->o.health_interval_ms / 1000;
        ts.tv_nsec += (long)(p->o.health_interval_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&p->hmu);
        while (!p->stopping && pthread_cond_timedwait(&p->hcv, &p->hmu, &ts) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&p->hmu);
    return NULL;
}

/* ---------------------------------------------------------------- lifecycle */

static int opts_valid(const dlp_client_opts_t *o)
{
    return o->max_attempts >= 1 && o->health_interval_ms >= 0 && o->down_retry_ms >= 0 &&
           o->max_frame > 0;
}

/* Every endpoint is an address the pool can connect to. */
static int endpoints_valid(const char *const *endpoints, size_t n, const dlp_client_tls_t *tls,
                           char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = endpoints[i];
        if (a && strncmp(a, "tls:", 4) == 0 && !tls)
            return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen,
                              "endpoint %zu: %s needs TLS settings (dlp_client_pool_new_tls)", i,
                              a);
        if (!a || (strncmp(a, "unix:", 5) != 0 && strncmp(a, "tcp:", 4) != 0 &&
                   strncmp(a, "tls:", 4) != 0))
            return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen,
                              "endpoint %zu: expected unix:PATH, tcp:HOST:PORT or tls:HOST:PORT",
                              i);
    }
    return DLP_CLIENT_OK;
}

int dlp_client_pool_new(const char *const *endpoints, size_t n, const dlp_client_opts_t *opts,
                        dlp_client_pool_t **out, char *err, size_t errlen)
{
    return dlp_client_pool_new_tls(endpoints, n, opts, NULL, out, err, errlen);
}

int dlp_client_pool_new_tls(const char *const *endpoints, size_t n, const dlp_client_opts_t *opts,
                            const dlp_client_tls_t *tls, dlp_client_pool_t **out, char *err,
                            size_t errlen)
{
    *out = NULL;
    if (!endpoints || n == 0)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "no endpoints");
    dlp_client_opts_t o;
    if (opts)
        o = *opts;
    else
        dlp_client_opts_init(&o);
    if (!opts_valid(&o))
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "invalid pool options");
    int r = endpoints_valid(endpoints, n, tls, err, errlen);
    if (r < 0)
        return r;

    dlp_client_pool_t *p = calloc(1, sizeof(*p));
    if (!p)
        goto fail_alloc;
    p->o = o;
    p->tls = tls ? dlpcl_tls_ref(tls) : NULL;
    p->n = n;
    atomic_init(&p->rr, 0);
    p->ep = calloc(n, sizeof(*p->ep));
    if (!p->ep)
        goto fail_ep;
    size_t made = 0;
    for (; made < n; made++) {
        endpoint_t *ep = &p->ep[made];
        ep->address = strdup(endpoints[made]);
        ep->idle = calloc(o.max_idle ? o.max_idle : 1, sizeof(*ep->idle));
        if (!ep->address || !ep->idle || pthread_mutex_init(&ep->mu, NULL) != 0) {
            free(ep->address);
            free(ep->idle);
            goto fail_endpoints;
        }
        ep->up = 1; /* optimistic until a failure or a ping says otherwise */
    }

    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        goto fail_endpoints;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int cv = pthread_cond_init(&p->hcv, &ca);
    pthread_condattr_destroy(&ca);
    if (cv != 0)
        goto fail_endpoints;
    if (pthread_mutex_init(&p->hmu, NULL) != 0)
        goto fail_cond;
    if (o.health_interval_ms > 0) {
        if (pthread_create(&p->health, NULL, health_main, p) != 0)
            goto fail_mutex;
        p->health_started = 1;
    }
    *out = p;
    return DLP_CLIENT_OK;

fail_mutex:
    pthread_mutex_destroy(&p->hmu);
fail_cond:
    pthread_cond_destroy(&p->hcv);
fail_endpoints:
    while (made-- > 0) {
        pthread_mutex_destroy(&p->ep[made].mu);
        free(p->ep[made].address);
        free(p->ep[made].idle);
    }
    free(p->ep);
fail_ep:
    dlp_client_tls_free(p->tls);
    free(p);
fail_alloc:
    return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "pool");
}

void dlp_client_pool_free(dlp_client_pool_t *p)
{
    if (!p)
        return;
    if (p->health_started) {
        pthread_mutex_lock(&p->hmu);
        p->stopping = 1;
        pthread_cond_signal(&p->hcv);
        pthread_mutex_unlock(&p->hmu);
        pthread_join(p->health, NULL);
    }
    pthread_mutex_destroy(&p->hmu);
    pthread_cond_destroy(&p->hcv);
    for (size_t i = 0; i < p->n; i++) {
        endpoint_t *ep = &p->ep[i];
        for (unsigned k = 0; k < ep->n_idle; k++)
            dlp_client_free(ep->idle[k]);
        pthread_mutex_destroy(&ep->mu);
        free(ep->idle);
        free(ep->address);
    }
    free(p->ep);
    dlp_client_tls_free(p->tls);
    free(p);
}

size_t dlp_client_pool_size(const dlp_client_pool_t *p)
{
    return p->n;
}

int dlp_client_pool_endpoint(dlp_client_pool_t *p, size_t i, dlp_client_endpoint_stats_t *out)
{
    if (!p || i >= p->n)
        return DLP_CLIENT_EINVAL;
    endpoint_t *ep = &p->ep[i];
    pthread_mutex_lock(&ep->mu);
    *out = (dlp_client_endpoint_stats_t){
        .address = ep->address,
        .up = ep->up,
        .answered = ep->answered,
        .failed = ep->failed,
        .marked_down = ep->marked_down,
        .marked_up = ep->marked_up,
    };
    pthread_mutex_unlock(&ep->mu);
    return DLP_CLIENT_OK;
}
