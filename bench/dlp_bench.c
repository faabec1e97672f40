/*
 * dlp-bench - load generator for dlpd (libuv): N connections over unix or
 * tcp, each pipelining up to a depth of scan requests built from the given
 * messages, bounded by a count or a duration.
 *
 * Closed loop (default): every answer sends the next request, for maximum
 * throughput. Open loop (--rate R): requests leave on a fixed schedule of R
 * a second whatever the answers, and latency runs from when a request was
 * due, not when it went out, so a stalled server cannot hide its stall
 * (no coordinated omission).
 *
 *   dlp-bench --socket unix:PATH|tcp:HOST:PORT [-c CONNS] [-p DEPTH]
 *             [-n COUNT | -d SECONDS] [--rate R] [--idle N] [--json] FILE...
 *   dlp-bench --http tcp:HOST:PORT/PATH [-c CONNS] ...  FILE...
 *
 * --http drives an HTTP scanner the same way (the benchmark's rspamd
 * comparison: POST /checkv2). rspamd answers "Connection: close", so every
 * request is one connection and CONNS bounds the requests in flight; the
 * loopback connect costs tens of microseconds against rspamd's milliseconds.
 * --idle N opens N more connections that send nothing and holds them for
 * the whole run: every one must still be open at the end.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <time.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "dlp_frame.h"

#define MAX_REQUESTS (20u << 20)

typedef struct msg {
    uint8_t *data;
    size_t len;
} msg_t;

typedef struct bench bench_t;

/* One HTTP request in flight: its own connection, response gathered whole. */
typedef struct http_slot {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    bench_t *b;
    uint64_t id;
    char *head;
    char *resp;
    size_t resp_len, resp_cap;
    int busy;
} http_slot_t;

typedef struct conn {
    union {
        uv_stream_t s;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } h;
    uv_connect_t connect;
    bench_t *b;
    dlp_framebuf_t fb;
    unsigned inflight;
    int up, closed, idle;
    unsigned retries;
    const char *addr;
} conn_t;

struct bench {
    uv_loop_t *loop;
    conn_t *conns;
    unsigned n_conns, depth;
    msg_t *msgs;
    size_t n_msgs;
    uint64_t limit; /* requests to send; 0 = until the duration */
    double seconds, rate;
    uint64_t start_ns, end_ns;
    uint64_t sent, answered, errors, bytes;
    uint64_t *due_ns; /* per request id: when it was due (open) or sent (closed) */
    uint32_t *lat_us; /* answered latencies */
    uint64_t next_conn;
    uv_async_t pace; /* open loop: woken by the pacer thread at each due time */
    pthread_t pacer;
    atomic_int pacer_stop;
    int pacing;
    int stopping;
    http_slot_t *slots; /* --http: one per connection */
    char http_host[256], http_path[256];
    struct sockaddr_storage http_addr;
    conn_t *idle; /* --idle */
    unsigned n_idle, idle_up, idle_lost;
};

static void http_kick(bench_t *b);

static uint64_t now_ns(void)
{
    return uv_hrtime();
}

static void on_write(uv_write_t *w, int status)
{
    free(w->data);
    free(w);
}

/* Sends request id on c; the frame is packed fresh (each carries its id). */
static int send_request(conn_t *c, uint64_t id)
{
    bench_t *b = c->b;
    const msg_t *m = &b->msgs[id % b->n_msgs];
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__ScanRequest scan = DLP__V1__SCAN_REQUEST__INIT;
    Dlp__V1__Envelope env = DLP__V1__ENVELOPE__INIT;
    scan.envelope = &env;
    scan.message.data = m->data;
    scan.message.len = m->len;
    req.id = id + 1;
    req.body_case = DLP__V1__REQUEST__BODY_SCAN;
    req.scan = &scan;
    uint8_t *frame;
    size_t len;
    if (dlp_frame_pack(&req.base, &frame, &len))
        return -1;
    uv_write_t *w = malloc(sizeof(*w));
    uv_buf_t buf = uv_buf_init((char *)frame, (unsigned)len);
    w->data = frame;
    if (uv_write(w, &c->h.s, &buf, 1, on_write) != 0) {
        free(frame);
        free(w);
        return -1;
    }
    c->inflight++;
    b->sent++;
    b->bytes += m->len;
    return 0;
}

static int done_sending(const bench_t *b)
{
    if (b->stopping || b->sent >= MAX_REQUESTS)
        return 1;
    if (b->limit)
        return b->sent >= b->limit;
    return now_ns() >= b->end_ns;
}

/* Closed loop: keep the connection's pipeline full. */
static void fill(conn_t *c)
{
    bench_t *b = c->b;
    while (c->up && c->inflight < b->depth && !done_sending(b)) {
        uint64_t id = b->sent;
        b->due_ns[id] = now_ns();
        if (send_request(c, id))
            break;
    }
}

static void maybe_stop(bench_t *b)
{
    if (!done_sending(b) || b->answered + b->errors < b->sent)
        return;
    b->stopping = 1;
    if (b->pacing) {
        atomic_store(&b->pacer_stop, 1);
        pthread_join(b->pacer, NULL);
        uv_close((uv_handle_t *)&b->pace, NULL);
        b->pacing = 0;
    }
    for (unsigned i = 0; b->conns && i < b->n_conns; i++)
        if (!b->conns[i].closed) {
            b->conns[i].closed = 1;
            uv_close((uv_handle_t *)&b->conns[i].h.s, NULL);
        }
    for (unsigned i = 0; i < b->n_idle; i++)
        if (!b->idle[i].closed) {
            b->idle[i].closed = 1;
            uv_close((uv_handle_t *)&b->idle[i].h.s, NULL);
        }
}

static void on_response(conn_t *c, const uint8_t *p, uint32_t n)
{
    bench_t *b = c->b;
    Dlp__V1__Response *r = dlp__v1__response__unpack(NULL, n, p);
    c->inflight--;
    if (!r || r->error || !r->scan || r->id == 0 || r->id > b->sent) {
        b->errors++;
    } else {
        uint64_t us = (now_ns() - b->due_ns[r->id - 1]) / 1000;
        b->lat_us[b->answered++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    }
    if (r)
        dlp__v1__response__free_unpacked(r, NULL);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    conn_t *c = h->data;
    size_t avail;
    uint8_t *p = dlp_framebuf_space(&c->fb, 65536, &avail);
    *buf = uv_buf_init((char *)p, p ? (unsigned)avail : 0);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn_t *c = s->data;
    bench_t *b = c->b;
    if (c->idle) { /* an idle connection only ever learns that it was closed */
        if (nread < 0 && !c->closed) {
            if (!b->idle_lost)
                fprintf(stderr, "dlp-bench: idle connection closed: %s\n", uv_strerror((int)nread));
            b->idle_lost++;
            c->closed = 1;
            uv_close((uv_handle_t *)s, NULL);
        }
        return;
    }
    if (nread < 0) {
        b->errors += c->inflight; /* answers that will never come */
        c->inflight = 0;
        c->up = 0;
        if (!c->closed) {
            c->closed = 1;
            uv_close((uv_handle_t *)s, NULL);
        }
        maybe_stop(b);
        return;
    }
    dlp_framebuf_commit(&c->fb, (size_t)nread);
    const uint8_t *p;
    uint32_t n;
    while (dlp_framebuf_next(&c->fb, &p, &n) == DLP_FRAME_READY)
        on_response(c, p, n);
    if (b->rate == 0)
        fill(c);
    maybe_stop(b);
}

static int connect_one(bench_t *b, conn_t *c, const char *addr);

static void idle_retry(uv_handle_t *h)
{
    conn_t *c = h->data;
    if (connect_one(c->b, c, c->addr)) {
        c->b->idle_lost++;
        c->closed = 1;
    }
}

static void on_connect(uv_connect_t *req, int status)
{
    conn_t *c = req->data;
    if (status == UV_EAGAIN && c->idle && c->retries++ < 1000) {
        uv_close((uv_handle_t *)&c->h.s, idle_retry); /* backlog full: again */
        return;
    }
    if (status < 0 && c->idle) {
        if (!c->b->idle_lost)
            fprintf(stderr, "dlp-bench: idle connect: %s\n", uv_strerror(status));
        c->b->idle_lost++;
        c->closed = 1;
        uv_close((uv_handle_t *)&c->h.s, NULL);
        return;
    }
    if (status == UV_ECANCELED && c->b->stopping)
        return; /* closed by maybe_stop() before it was up */
    if (status < 0) {
        fprintf(stderr, "dlp-bench: connect: %s\n", uv_strerror(status));
        exit(2);
    }
    c->up = 1;
    c->h.s.data = c;
    uv_read_start(&c->h.s, on_alloc, on_read);
    if (c->idle) {
        c->b->idle_up++;
        return;
    }
    if (c->b->rate == 0)
        fill(c);
}

/* Open loop: send what the schedule says is due by now. */
static void send_due(bench_t *b)
{
    if (b->slots) {
        http_kick(b);
        maybe_stop(b);
        return;
    }
    double elapsed = (double)(now_ns() - b->start_ns) / 1e9;
    uint64_t due = (uint64_t)(elapsed * b->rate) + 1; /* request k is due at k / rate */
    for (unsigned down = 0; b->sent < due && !done_sending(b) && down < b->n_conns;) {
        conn_t *c = &b->conns[b->next_conn++ % b->n_conns];
        if (!c->up) { /* still connecting: what is due waits for the next wake-up */
            down++;
            continue;
        }
        down = 0;
        uint64_t id = b->sent;
        b->due_ns[id] = b->start_ns + (uint64_t)((double)id / b->rate * 1e9);
        if (send_request(c, id))
            break;
    }
    maybe_stop(b);
}

static void on_pace(uv_async_t *a)
{
    send_due(a->data);
}

/* The pacer: sleeps to each request's due time (k / rate after the start)
 * and wakes the loop, so requests leave on time to the microsecond rather
 * than on a millisecond timer tick. */
static void *pacer_main(void *arg)
{
    bench_t *b = arg;
    for (uint64_t k = 0; !atomic_load(&b->pacer_stop); k++) {
        uint64_t t = b->start_ns + (uint64_t)((double)k / b->rate * 1e9);
        if (t > b->end_ns || (b->limit && k >= b->limit))
            break;
        struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        uv_async_send(&b->pace);
    }
    /* One last wake-up after the end, for the loop to see it is over. */
    uint64_t t = b->end_ns + 1000000u;
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
    if (!b->limit && !atomic_load(&b->pacer_stop))
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    uv_async_send(&b->pace);
    return NULL;
}

/* --http: a complete response in s->resp? Returns its status, 0 if not yet. */
static int http_complete(const http_slot_t *s)
{
    const char *end = memmem(s->resp, s->resp_len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head_len = (size_t)(end - s->resp) + 4;
    const char *cl = memmem(s->resp, head_len, "Content-Length:", 15);
    size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
    if (s->resp_len < head_len + body)
        return 0;
    return s->resp_len > 12 ? atoi(s->resp + 9) : -1;
}

static void http_next(http_slot_t *s);

static void http_on_close(uv_handle_t *h)
{
    http_slot_t *s = h->data;
    s->busy = 0;
    s->resp_len = 0;
    free(s->head);
    s->head = NULL;
    http_next(s);
    maybe_stop(s->b);
}

static void http_finish(http_slot_t *s, int ok)
{
    bench_t *b = s->b;
    if (ok) {
        uint64_t us = (now_ns() - b->due_ns[s->id]) / 1000;
        b->lat_us[b->answered++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    } else {
        b->errors++;
    }
    s->id = UINT64_MAX; /* answered: a late close is not another error */
    if (!uv_is_closing((uv_handle_t *)&s->tcp))
        uv_close((uv_handle_t *)&s->tcp, http_on_close);
}

static void http_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    http_slot_t *s = h->data;
    if (s->resp_cap - s->resp_len < 65536) {
        s->resp_cap = s->resp_cap * 2 + 65536;
        s->resp = realloc(s->resp, s->resp_cap);
    }
    *buf = uv_buf_init(s->resp + s->resp_len, (unsigned)(s->resp_cap - s->resp_len));
}

static void http_on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    http_slot_t *s = st->data;
    if (s->id == UINT64_MAX)
        return;
    if (nread < 0) {
        http_finish(s, 0);
        return;
    }
    s->resp_len += (size_t)nread;
    int status = http_complete(s);
    if (status)
        http_finish(s, status == 200);
}

static void http_on_write(uv_write_t *w, int status)
{
    http_slot_t *s = w->data;
    if (status < 0 && s->id != UINT64_MAX)
        http_finish(s, 0);
}

static void http_on_connect(uv_connect_t *req, int status)
{
    http_slot_t *s = req->data;
    bench_t *b = s->b;
    if (status < 0) {
        http_finish(s, 0);
        return;
    }
    const msg_t *m = &b->msgs[s->id % b->n_msgs];
    if (asprintf(&s->head,
                 "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n"
                 "Content-Type: message/rfc822\r\n\r\n",
                 b->http_path, b->http_host, m->len) < 0) {
        http_finish(s, 0);
        return;
    }
    uv_buf_t bufs[2] = {uv_buf_init(s->head, (unsigned)strlen(s->head)),
                        uv_buf_init((char *)m->data, (unsigned)m->len)};
    s->write.data = s;
    uv_read_start((uv_stream_t *)&s->tcp, http_alloc, http_on_read);
    if (uv_write(&s->write, (uv_stream_t *)&s->tcp, bufs, 2, http_on_write) != 0)
        http_finish(s, 0);
}

/* Starts request id on a free slot. */
static void http_start(http_slot_t *s, uint64_t id)
{
    bench_t *b = s->b;
    s->busy = 1;
    s->id = id;
    b->sent++;
    b->bytes += b->msgs[id % b->n_msgs].len;
    uv_tcp_init(b->loop, &s->tcp);
    uv_tcp_nodelay(&s->tcp, 1);
    s->tcp.data = s;
    s->connect.data = s;
    if (uv_tcp_connect(&s->connect, &s->tcp, (struct sockaddr *)&b->http_addr, http_on_connect))
        http_finish(s, 0);
}

/* A slot came free: closed loop starts the next request, open loop the
 * oldest one that is already due. */
static void http_next(http_slot_t *s)
{
    bench_t *b = s->b;
    if (done_sending(b))
        return;
    if (b->rate == 0) {
        b->due_ns[b->sent] = now_ns();
        http_start(s, b->sent);
        return;
    }
    uint64_t due = (uint64_t)((double)(now_ns() - b->start_ns) / 1e9 * b->rate) + 1;
    if (b->sent < due) {
        b->due_ns[b->sent] = b->start_ns + (uint64_t)((double)b->sent / b->rate * 1e9);
        http_start(s, b->sent);
    }
}

static void http_kick(bench_t *b)
{
    for (unsigned i = 0; i < b->n_conns; i++)
        if (!b->slots[i].busy)
            http_next(&b->slots[i]);
}

/* --http tcp:HOST:PORT/PATH */
static int http_setup(bench_t *b, const char *url)
{
    char hostport[256];
    if (strncmp(url, "tcp:", 4) != 0)
        return -1;
    const char *slash = strchr(url + 4, '/');
    snprintf(b->http_path, sizeof(b->http_path), "%s", slash ? slash : "/checkv2");
    snprintf(hostport, sizeof(hostport), "%.*s", slash ? (int)(slash - url - 4) : 299, url + 4);
    char *colon = strrchr(hostport, ':');
    if (!colon)
        return -1;
    *colon = 0;
    snprintf(b->http_host, sizeof(b->http_host), "%s", hostport);
    if (uv_ip4_addr(hostport, atoi(colon + 1), (struct sockaddr_in *)&b->http_addr))
        return -1;
    b->slots = calloc(b->n_conns, sizeof(http_slot_t));
    for (unsigned i = 0; b->slots && i < b->n_conns; i++)
        b->slots[i].b = b;
    return b->slots ? 0 : -1;
}

static int connect_one(bench_t *b, conn_t *c, const char *addr)
{
    c->b = b;
    c->addr = addr;
    c->connect.data = c;
    if (!c->retries)
        dlp_framebuf_init(&c->fb, c->idle ? 1024 : 256u << 20);
    if (!strncmp(addr, "unix:", 5)) {
        uv_pipe_init(b->loop, &c->h.pipe, 0);
        c->h.s.data = c;
        uv_pipe_connect(&c->connect, &c->h.pipe, addr + 5, on_connect);
        return 0;
    }
    if (strncmp(addr, "tcp:", 4) != 0)
        return -1;
    char host[256];
    snprintf(host, sizeof(host), "%s", addr + 4);
    char *colon = strrchr(host, ':');
    if (!colon)
        return -1;
    *colon = 0;
    struct sockaddr_storage sa;
    if (uv_ip4_addr(host, atoi(colon + 1), (struct sockaddr_in *)&sa) &&
        uv_ip6_addr(host, atoi(colon + 1), (struct sockaddr_in6 *)&sa))
        return -1;
    uv_tcp_init(b->loop, &c->h.tcp);
    uv_tcp_nodelay(&c->h.tcp, 1);
    c->h.s.data = c;
    return uv_tcp_connect(&c->connect, &c->h.tcp, (struct sockaddr *)&sa, on_connect) ? -1 : 0;
}

/* --idle: opens them all before the measured run starts. */
static int connect_idle(bench_t *b, const char *addr)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < b->n_idle + b->n_conns + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    b->idle = calloc(b->n_idle, sizeof(conn_t));
    if (!b->idle)
        return -1;
    /* In batches: a burst larger than the listen backlog would be refused. */
    for (unsigned i = 0; i < b->n_idle; i++) {
        b->idle[i].idle = 1;
        if (connect_one(b, &b->idle[i], addr))
            return -1;
        while (b->idle_up + b->idle_lost + 64 <= i)
            uv_run(b->loop, UV_RUN_ONCE);
    }
    while (b->idle_up + b->idle_lost < b->n_idle)
        uv_run(b->loop, UV_RUN_ONCE);
    return 0;
}

static int connect_all(bench_t *b, const char *addr)
{
    for (unsigned i = 0; i < b->n_conns; i++)
        if (connect_one(b, &b->conns[i], addr))
            return -1;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(const uint32_t *v, uint64_t n, double p)
{
    return n ? v[(uint64_t)((double)(n - 1) * p)] / 1000.0 : 0; /* ms */
}

static void report(bench_t *b, int json)
{
    double el = (double)(now_ns() - b->start_ns) / 1e9;
    qsort(b->lat_us, b->answered, sizeof(uint32_t), cmp_u32);
    double mps = b->answered / el, mbs = (double)b->bytes / el / 1e6;
    if (json)
        printf("{\"connections\":%u,\"depth\":%u,\"rate\":%.0f,\"seconds\":%.3f,\"answered\":%llu,"
               "\"errors\":%llu,\"msgs_per_s\":%.1f,\"mb_per_s\":%.2f,\"p50_ms\":%.3f,"
               "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"idle\":%u,"
               "\"idle_held\":%u}\n",
               b->n_conns, b->depth, b->rate, el, (unsigned long long)b->answered,
               (unsigned long long)b->errors, mps, mbs, pct(b->lat_us, b->answered, 0.5),
               pct(b->lat_us, b->answered, 0.9), pct(b->lat_us, b->answered, 0.99),
               pct(b->lat_us, b->answered, 0.999), b->n_idle, b->n_idle - b->idle_lost);
    else
        printf("%llu answered, %llu errors in %.2f s: %.0f msgs/s, %.1f MB/s; latency ms p50 "
               "%.3f p90 %.3f p99 %.3f p99.9 %.3f\n",
               (unsigned long long)b->answered, (unsigned long long)b->errors, el, mps, mbs,
               pct(b->lat_us, b->answered, 0.5), pct(b->lat_us, b->answered, 0.9),
               pct(b->lat_us, b->answered, 0.99), pct(b->lat_us, b->answered, 0.999));
    if (b->n_idle && !json)
        printf("idle connections: %u of %u held to the end\n", b->n_idle - b->idle_lost, b->n_idle);
}

static int load(const char *path, msg_t *m)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    m->data = malloc(n > 0 ? (size_t)n : 1);
    m->len = n > 0 && m->data ? fread(m->data, 1, (size_t)n, f) : 0;
    fclose(f);
    return 0;
}

typedef struct args {
    const char *addr, *http;
    int json;
} args_t;

/* Options into b and a; returns the index of the first file, or -1. */
static int parse_args(int argc, char **argv, bench_t *b, args_t *a)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'}, {"rate", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},         {"http", required_argument, NULL, 'h'},
        {"idle", required_argument, NULL, 'i'},   {0}};
    int c;
    while ((c = getopt_long(argc, argv, "s:c:p:n:d:", opts, NULL)) != -1) {
        if (c == 's')
            a->addr = optarg;
        else if (c == 'c')
            b->n_conns = (unsigned)atoi(optarg);
        else if (c == 'p')
            b->depth = (unsigned)atoi(optarg);
        else if (c == 'n')
            b->limit = strtoull(optarg, NULL, 10);
        else if (c == 'd')
            b->seconds = atof(optarg);
        else if (c == 'r')
            b->rate = atof(optarg);
        else if (c == 'j')
            a->json = 1;
        else if (c == 'h')
            a->http = optarg;
        else if (c == 'i')
            b->n_idle = (unsigned)atoi(optarg);
        else
            return -1;
    }
    if (optind >= argc || !b->n_conns || !b->depth || b->limit > MAX_REQUESTS)
        return -1;
    return optind;
}

/* Connects everything; 0, or -1 after saying which address was bad. */
static int connect_everything(bench_t *b, const args_t *a)
{
    b->loop = uv_default_loop();
    if (a->http ? http_setup(b, a->http) : connect_idle(b, a->addr)) {
        fprintf(stderr, "dlp-bench: bad address %s\n", a->http ? a->http : a->addr);
        return -1;
    }
    if (!a->http && (!(b->conns = calloc(b->n_conns, sizeof(conn_t))) || connect_all(b, a->addr))) {
        fprintf(stderr, "dlp-bench: bad address %s\n", a->addr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static bench_t b;
    args_t a = {"unix:./dlpd.sock", NULL, 0};
    b.n_conns = 8;
    b.depth = 4;
    b.seconds = 5;
    int first = parse_args(argc, argv, &b, &a);
    if (first < 0) {
        fprintf(stderr, "usage: dlp-bench --socket ADDR [-c CONNS] [-p DEPTH] [-n COUNT | -d "
                        "SECONDS] [--rate R] [--idle N] [--json] FILE...\n"
                        "       dlp-bench --http tcp:HOST:PORT/PATH [-c CONNS] ... FILE...\n");
        return 64;
    }
    b.n_msgs = (size_t)(argc - first);
    b.msgs = calloc(b.n_msgs, sizeof(msg_t));
    for (size_t i = 0; i < b.n_msgs; i++)
        if (load(argv[first + i], &b.msgs[i])) {
            fprintf(stderr, "%s: %s\n", argv[first + i], strerror(errno));
            return 2;
        }
    b.due_ns = calloc(MAX_REQUESTS, sizeof(uint64_t));
    b.lat_us = calloc(MAX_REQUESTS, sizeof(uint32_t));
    if (connect_everything(&b, &a))
        return 64;
    b.start_ns = now_ns();
    b.end_ns = b.start_ns + (uint64_t)(b.seconds * 1e9);
    if (b.rate > 0) { /* open loop: the schedule sends; closed loop: answers do */
        uv_async_init(b.loop, &b.pace, on_pace);
        b.pace.data = &b;
        b.pacing = pthread_create(&b.pacer, NULL, pacer_main, &b) == 0;
    } else if (a.http) {
        http_kick(&b);
    }
    uv_run(b.loop, UV_RUN_DEFAULT);
    report(&b, a.json);
    return b.errors || b.idle_lost ? 1 : 0;
}
