/*
 * metrics - Prometheus text and StatsReply from the stats module, and the
 * minimal HTTP responder for /metrics (see metrics.h).
 *
 * A client's life: accepted (or closed at once past METRICS_MAX_CLIENTS),
 * read into a fixed buffer until the blank line ending the request head,
 * answered, then shut down for writing and drained until the peer closes or
 * the linger timer fires. Draining instead of closing straight away lets a
 * client that is still sending (an oversized request) read the answer
 * rather than a reset. One timer per client bounds every phase. A client
 * is freed when both its handles have closed.
 */
#include "metrics.h"

#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "dconfig.h"
#include "log.h"

#define PREFIX         "dlpd_"
#define LATENCY_FAMILY "scan_duration_seconds"
#define LATENCY_HELP   "Time from receipt of a scan request to its answer being ready."
#define RULES_MAX      256

/* ------------------------------------------------------------ text page */

typedef struct textbuf {
    char *p;
    size_t len, cap;
    int oom;
} textbuf_t;

__attribute__((format(printf, 2, 3))) static void put(textbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    for (int tries = 0; tries < 2 && !b->oom; tries++) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
        } else if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        } else {
            size_t cap = (b->cap + (size_t)n + 1) * 2;
            char *p = realloc(b->p, cap);
            if (!p)
                b->oom = 1;
            else
                b->p = p, b->cap = cap;
        }
    }
}

/* A label value with \, " and newline escaped, as the format requires. */
static void put_label_value(textbuf_t *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            put(b, "\\%c", *v);
        else if (*v == '\n')
            put(b, "\\n");
        else
            put(b, "%c", *v);
    }
}

static void put_head(textbuf_t *b, const char *name, const char *help, const char *type)
{
    put(b, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name, help, name, type);
}

static void put_info(textbuf_t *b, const char *name, const char *help, const char *version)
{
    put_head(b, name, help, "gauge");
    put(b, PREFIX "%s{version=\"", name);
    put_label_value(b, version);
    put(b, "\"} 1\n");
}

static void put_samples(textbuf_t *b, const dlpd_stats_t *st)
{
    dlpd_sample_t s[DLPD_STATS_SAMPLES_MAX];
    size_t n = dlpd_stats_samples(st, s);
    for (size_t i = 0; i < n; i++) {
        const char *name = dlpd_family_name(s[i].family);
        if (i == 0 || s[i].family != s[i - 1].family)
            put_head(b, name, dlpd_family_help(s[i].family),
                     dlpd_family_kind(s[i].family) == DLPD_STAT_GAUGE ? "gauge" : "counter");
        if (s[i].label_value) {
            put(b, PREFIX "%s{%s=\"", name, dlpd_family_label(s[i].family));
            put_label_value(b, s[i].label_value);
            put(b, "\"} %" PRIu64 "\n", s[i].value);
        } else {
            put(b, PREFIX "%s %" PRIu64 "\n", name, s[i].value);
        }
    }
}

static void put_histogram(textbuf_t *b, const dlpd_stats_t *st)
{
    dlpd_histogram_t h;
    dlpd_stats_histogram(st, &h);
    put_head(b, LATENCY_FAMILY, LATENCY_HELP, "histogram");
    for (size_t i = 0; i < DLPD_LATENCY_SLOTS; i++)
        put(b, PREFIX LATENCY_FAMILY "_bucket{le=\"%s\"} %" PRIu64 "\n", dlpd_latency_le(i),
            h.cumulative[i]);
    /* Exact decimal seconds from the nanosecond sum: no float rounding. */
    put(b, PREFIX LATENCY_FAMILY "_sum %" PRIu64 ".%09" PRIu64 "\n", h.sum_ns / 1000000000u,
        h.sum_ns % 1000000000u);
    put(b, PREFIX LATENCY_FAMILY "_count %" PRIu64 "\n", h.count);
}

char *dlpd_metrics_format(const dlpd_stats_t *st, const char *rules_version, size_t *len)
{
    textbuf_t b = {0};
    put_info(&b, "build_info", "The dlpd version running.", dlp_version_string());
    put_info(&b, "rules_info", "The rule set being served.", rules_version ? rules_version : "");
    put_samples(&b, st);
    put_histogram(&b, st);
    if (b.oom || !b.p) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

/* ------------------------------------------------------------ StatsReply */

int dlpd_metrics_stats_frame(const dlpd_stats_t *st, uint64_t id, const char *rules_version,
                             uint8_t **frame, size_t *len)
{
    Dlp__V1__Counter counters[DLPD_STAT__COUNT], *cptr[DLPD_STAT__COUNT];
    Dlp__V1__Metric metrics[DLPD_STATS_SAMPLES_MAX], *mptr[DLPD_STATS_SAMPLES_MAX];
    Dlp__V1__HistogramBucket buckets[DLPD_LATENCY_SLOTS], *bptr[DLPD_LATENCY_SLOTS];
    Dlp__V1__Histogram hist = DLP__V1__HISTOGRAM__INIT, *hptr = &hist;
    Dlp__V1__StatsReply sr = DLP__V1__STATS_REPLY__INIT;
    Dlp__V1__Response r = DLP__V1__RESPONSE__INIT;
    dlpd_sample_t s[DLPD_STATS_SAMPLES_MAX];
    dlpd_histogram_t h;

    for (int i = 0; i < DLPD_STAT__COUNT; i++) {
        dlp__v1__counter__init(&counters[i]);
        counters[i].name = (char *)dlpd_stat_name((dlpd_stat_t)i);
        counters[i].value = dlpd_stats_get(st, (dlpd_stat_t)i);
        cptr[i] = &counters[i];
    }
    size_t n = dlpd_stats_samples(st, s);
    for (size_t i = 0; i < n; i++) {
        const char *label = dlpd_family_label(s[i].family);
        dlp__v1__metric__init(&metrics[i]);
        metrics[i].name = (char *)dlpd_family_name(s[i].family);
        metrics[i].label = (char *)(label ? label : "");
        metrics[i].label_value = (char *)(s[i].label_value ? s[i].label_value : "");
        metrics[i].value = s[i].value;
        metrics[i].gauge = dlpd_family_kind(s[i].family) == DLPD_STAT_GAUGE;
        mptr[i] = &metrics[i];
    }
    dlpd_stats_histogram(st, &h);
    for (size_t i = 0; i < DLPD_LATENCY_SLOTS; i++) {
        dlp__v1__histogram_bucket__init(&buckets[i]);
        buckets[i].le = (char *)dlpd_latency_le(i);
        buckets[i].count = h.cumulative[i];
        bptr[i] = &buckets[i];
    }
    hist.name = (char *)LATENCY_FAMILY;
    hist.n_buckets = DLPD_LATENCY_SLOTS;
    hist.buckets = bptr;
    hist.count = h.count;
    hist.sum = (double)h.sum_ns / 1e9;

    sr.n_counters = DLPD_STAT__COUNT;
    sr.counters = cptr;
    sr.rules_version = (char *)(rules_version ? rules_version : "");
    sr.uptime_s = dlpd_stats_uptime_s(st);
    sr.n_metrics = n;
    sr.metrics = mptr;
    sr.n_histograms = 1;
    sr.histograms = &hptr;
    r.id = id;
    r.body_case = DLP__V1__RESPONSE__BODY_STATS;
    r.stats = &sr;
    return dlpd_convert_pack(&r, frame, len);
}

/* ------------------------------------------------------------ responder */

typedef struct client {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t wr;
    uv_shutdown_t sd;
    struct dlpd_metrics *m;
    struct client *prev, *next;
    char *resp;
    int open_handles; /* freed when this drops to 0 */
    int answered;
    int closing;
    size_t len;
    char buf[METRICS_MAX_REQUEST];
} client_t;

struct dlpd_metrics {
    uv_loop_t *loop;
    dlpd_stats_t *st;
    dlpd_metrics_rules_fn rules;
    void *arg;
    dlpd_addr_t addr;
    uv_tcp_t listener;
    int listener_inited;
    int closed;
    client_t *clients;
    size_t n_clients;
};

static void on_client_closed(uv_handle_t *h)
{
    client_t *c = h->data;
    if (--c->open_handles > 0)
        return;
    free(c->resp);
    free(c);
}

static void client_close(client_t *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    if (c->prev)
        c->prev->next = c->next;
    else
        c->m->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->m->n_clients--;
    uv_close((uv_handle_t *)&c->tcp, on_client_closed);
    uv_close((uv_handle_t *)&c->timer, on_client_closed);
}

static void on_timeout(uv_timer_t *t)
{
    client_close(t->data);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    client_t *c = h->data;
    (void)hint;
    /* Once answered, whatever else arrives is read into the buffer and dropped. */
    size_t off = c->answered ? 0 : c->len;
    *buf = uv_buf_init(c->buf + off, (unsigned)(sizeof(c->buf) - off));
}

static void on_drain_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    if (n < 0)
        client_close(s->data); /* EOF or error: the peer is done */
}

static void on_shutdown(uv_shutdown_t *sd, int status)
{
    client_t *c = sd->data;
    if (status < 0 || c->closing || uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_drain_read))
        client_close(c);
}

static void on_written(uv_write_t *wr, int status)
{
    client_t *c = wr->data;
    if (c->closing)
        return;
    c->sd.data = c;
    if (status < 0 || uv_shutdown(&c->sd, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
        client_close(c);
}

static void respond(client_t *c, const char *status, const char *extra, const char *type,
                    const char *body, size_t body_len)
{
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->answered = 1;
    int n = asprintf(&c->resp,
                     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: close\r\n\r\n%.*s",
                     status, type, body_len, extra, (int)body_len, body);
    if (n < 0) {
        c->resp = NULL;
        client_close(c);
        return;
    }
    uv_buf_t b = uv_buf_init(c->resp, (unsigned)n);
    c->wr.data = c;
    uv_timer_start(&c->timer, on_timeout, METRICS_LINGER_MS, 0);
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
        client_close(c);
}

static void respond_error(client_t *c, const char *status, const char *extra)
{
    char body[96];
    int n = snprintf(body, sizeof(body), "%s\n", status);
    respond(c, status, extra, "text/plain; charset=utf-8", body, (size_t)n);
}

static void respond_metrics(client_t *c)
{
    char rules[RULES_MAX] = "";
    size_t len = 0;
    c->m->rules(c->m->arg, rules, sizeof(rules));
    char *text = dlpd_metrics_format(c->m->st, rules, &len);
    if (!text) {
        respond_error(c, "500 Internal Server Error", "");
        return;
    }
    respond(c, "200 OK", "", "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* The head is complete ('line' is its first line, NUL-terminated): route it. */
static void handle_request(client_t *c, char *line)
{
    char *method = strtok(line, " "), *target = strtok(NULL, " "), *version = strtok(NULL, " ");
    if (!method || !target || !version || strtok(NULL, " ") || strncmp(version, "HTTP/1.", 7)) {
        respond_error(c, "400 Bad Request", "");
        return;
    }
    if (strcmp(method, "GET") != 0) {
        respond_error(c, "405 Method Not Allowed", "Allow: GET\r\n");
        return;
    }
    target[strcspn(target, "?")] = '\0';
    if (strcmp(target, "/metrics") != 0) {
        respond_error(c, "404 Not Found", "");
        return;
    }
    respond_metrics(c);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    client_t *c = s->data;
    (void)buf;
    if (n < 0) {
        client_close(c);
        return;
    }
    c->len += (size_t)n;
    /* Bytes before the end of the head cannot hold a NUL: a request line never does. */
    if (memchr(c->buf, '\0', c->len)) {
        respond_error(c, "400 Bad Request", "");
        return;
    }
    char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
        end = memmem(c->buf, c->len, "\n\n", 2);
    if (end) {
        c->buf[strcspn(c->buf, "\r\n")] = '\0';
        handle_request(c, c->buf);
    } else if (c->len == sizeof(c->buf)) {
        respond_error(c, "431 Request Header Fields Too Large", "");
    }
}

static void on_connection(uv_stream_t *ls, int status)
{
    dlpd_metrics_t *m = ls->data;
    if (status < 0) {
        dlpd_log_warn("metrics %s: accept: %s", m->addr.text, uv_strerror(status));
        return;
    }
    client_t *c = calloc(1, sizeof(*c));
    if (!c || uv_tcp_init(m->loop, &c->tcp) < 0) {
        free(c);
        return; /* the pending connection stays in the backlog until it gives up */
    }
    uv_timer_init(m->loop, &c->timer); /* only fills in the struct: cannot fail */
    c->m = m;
    c->tcp.data = c->timer.data = c;
    c->open_handles = 2;
    c->next = m->clients;
    if (m->clients)
        m->clients->prev = c;
    m->clients = c;
    m->n_clients++;
    if (uv_accept(ls, (uv_stream_t *)&c->tcp) < 0 || m->n_clients > METRICS_MAX_CLIENTS ||
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        client_close(c);
        return;
    }
    uv_timer_start(&c->timer, on_timeout, METRICS_READ_TIMEOUT_MS, 0);
}

/* ------------------------------------------------------------ lifecycle */

int dlpd_metrics_new(uv_loop_t *loop, const char *listen, dlpd_stats_t *st,
                     dlpd_metrics_rules_fn rules, void *arg, dlpd_metrics_t **out)
{
    dlpd_metrics_t *m = calloc(1, sizeof(*m));
    if (!m) {
        dlpd_log_error("metrics: out of memory");
        return DLP_ENOMEM;
    }
    const char *err = dlpd_addr_parse(listen, &m->addr);
    if (err) {
        dlpd_log_error("metrics_listen: %s: '%s'", err, listen);
        dlpd_addr_free(&m->addr);
        free(m);
        return DLP_EINVAL;
    }
    m->loop = loop;
    m->st = st;
    m->rules = rules;
    m->arg = arg;
    *out = m;
    return 0;
}

static int bind_listener(dlpd_metrics_t *m)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port[8];

    snprintf(port, sizeof(port), "%u", m->addr.port);
    int gai = getaddrinfo(m->addr.host, port, &hints, &ai);
    if (gai != 0)
        return UV_EAI_NONAME;
    int rc = uv_tcp_init(m->loop, &m->listener);
    if (rc == 0) {
        m->listener_inited = 1;
        m->listener.data = m;
        rc = uv_tcp_bind(&m->listener, ai->ai_addr, 0);
    }
    freeaddrinfo(ai);
    return rc;
}

int dlpd_metrics_start(dlpd_metrics_t *m)
{
    int rc = bind_listener(m);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&m->listener, 64, on_connection);
    if (rc < 0) {
        dlpd_log_error("metrics %s: %s", m->addr.text, uv_strerror(rc));
        return rc;
    }
    dlpd_log_info("metrics on http://%s/metrics", m->addr.text + 4);
    return 0;
}

void dlpd_metrics_close(dlpd_metrics_t *m)
{
    if (!m || m->closed)
        return;
    m->closed = 1;
    if (m->listener_inited)
        uv_close((uv_handle_t *)&m->listener, NULL);
    while (m->clients)
        client_close(m->clients);
}

void dlpd_metrics_free(dlpd_metrics_t *m)
{
    if (!m)
        return;
    dlpd_addr_free(&m->addr);
    free(m);
}
