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
 *             [-n COUNT | -d SECONDS] [--rate R] [--json] FILE...
 */
#include <errno.h>
#include <getopt.h>
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
    int up, closed;
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
    uv_timer_t tick;
    int stopping;
};

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
    uv_timer_stop(&b->tick);
    for (unsigned i = 0; i < b->n_conns; i++)
        if (!b->conns[i].closed) {
            b->conns[i].closed = 1;
            uv_close((uv_handle_t *)&b->conns[i].h.s, NULL);
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

static void on_connect(uv_connect_t *req, int status)
{
    conn_t *c = req->data;
    if (status < 0) {
        fprintf(stderr, "dlp-bench: connect: %s\n", uv_strerror(status));
        exit(2);
    }
    c->up = 1;
    c->h.s.data = c;
    uv_read_start(&c->h.s, on_alloc, on_read);
    if (c->b->rate == 0)
        fill(c);
}

/* Open loop: send what the schedule says is due by now. */
static void on_tick(uv_timer_t *t)
{
    bench_t *b = t->data;
    double elapsed = (double)(now_ns() - b->start_ns) / 1e9;
    uint64_t due = (uint64_t)(elapsed * b->rate);
    while (b->sent < due && !done_sending(b)) {
        conn_t *c = &b->conns[b->next_conn++ % b->n_conns];
        if (!c->up)
            continue;
        uint64_t id = b->sent;
        b->due_ns[id] = b->start_ns + (uint64_t)((double)id / b->rate * 1e9);
        if (send_request(c, id))
            break;
    }
    maybe_stop(b);
}

static int connect_all(bench_t *b, const char *addr)
{
    for (unsigned i = 0; i < b->n_conns; i++) {
        conn_t *c = &b->conns[i];
        c->b = b;
        c->connect.data = c;
        dlp_framebuf_init(&c->fb, 256u << 20);
        if (!strncmp(addr, "unix:", 5)) {
            uv_pipe_init(b->loop, &c->h.pipe, 0);
            c->h.s.data = c;
            uv_pipe_connect(&c->connect, &c->h.pipe, addr + 5, on_connect);
        } else if (!strncmp(addr, "tcp:", 4)) {
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
            uv_tcp_connect(&c->connect, &c->h.tcp, (struct sockaddr *)&sa, on_connect);
        } else {
            return -1;
        }
    }
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
               "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f}\n",
               b->n_conns, b->depth, b->rate, el, (unsigned long long)b->answered,
               (unsigned long long)b->errors, mps, mbs, pct(b->lat_us, b->answered, 0.5),
               pct(b->lat_us, b->answered, 0.9), pct(b->lat_us, b->answered, 0.99),
               pct(b->lat_us, b->answered, 0.999));
    else
        printf("%llu answered, %llu errors in %.2f s: %.0f msgs/s, %.1f MB/s; latency ms p50 "
               "%.3f p90 %.3f p99 %.3f p99.9 %.3f\n",
               (unsigned long long)b->answered, (unsigned long long)b->errors, el, mps, mbs,
               pct(b->lat_us, b->answered, 0.5), pct(b->lat_us, b->answered, 0.9),
               pct(b->lat_us, b->answered, 0.99), pct(b->lat_us, b->answered, 0.999));
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

int main(int argc, char **argv)
{
    static bench_t b;
    const char *addr = "unix:./dlpd.sock";
    int json = 0, c;
    b.n_conns = 8;
    b.depth = 4;
    b.seconds = 5;
    static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0}};
    while ((c = getopt_long(argc, argv, "s:c:p:n:d:", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            addr = optarg;
            break;
        case 'c':
            b.n_conns = (unsigned)atoi(optarg);
            break;
        case 'p':
            b.depth = (unsigned)atoi(optarg);
            break;
        case 'n':
            b.limit = strtoull(optarg, NULL, 10);
            break;
        case 'd':
            b.seconds = atof(optarg);
            break;
        case 'r':
            b.rate = atof(optarg);
            break;
        case 'j':
            json = 1;
            break;
        default:
            return 64;
        }
    }
    b.n_msgs = (size_t)(argc - optind);
    if (!b.n_msgs || !b.n_conns || !b.depth || b.limit > MAX_REQUESTS) {
        fprintf(stderr, "usage: dlp-bench --socket ADDR [-c CONNS] [-p DEPTH] [-n COUNT | -d "
                        "SECONDS] [--rate R] [--json] FILE...\n");
        return 64;
    }
    b.msgs = calloc(b.n_msgs, sizeof(msg_t));
    for (size_t i = 0; i < b.n_msgs; i++)
        if (load(argv[optind + i], &b.msgs[i])) {
            fprintf(stderr, "%s: %s\n", argv[optind + i], strerror(errno));
            return 2;
        }
    b.due_ns = calloc(MAX_REQUESTS, sizeof(uint64_t));
    b.lat_us = calloc(MAX_REQUESTS, sizeof(uint32_t));
    b.conns = calloc(b.n_conns, sizeof(conn_t));
    b.loop = uv_default_loop();
    if (connect_all(&b, addr)) {
        fprintf(stderr, "dlp-bench: bad address %s\n", addr);
        return 64;
    }
    b.start_ns = now_ns();
    b.end_ns = b.start_ns + (uint64_t)(b.seconds * 1e9);
    uv_timer_init(b.loop, &b.tick);
    b.tick.data = &b;
    if (b.rate > 0) /* open loop: the schedule sends; closed loop: answers do */
        uv_timer_start(&b.tick, on_tick, 1, 1);
    uv_run(b.loop, UV_RUN_DEFAULT);
    if (!uv_is_closing((uv_handle_t *)&b.tick))
        uv_close((uv_handle_t *)&b.tick, NULL);
    uv_run(b.loop, UV_RUN_DEFAULT);
    report(&b, json);
    return b.errors ? 1 : 0;
}
