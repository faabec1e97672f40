/*
 * bystander.c - the well-behaved client and the measurements (bystander.h).
 */
#include "bystander.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const examples[] = {
    "benign.eml",         "crew-list-attachment.eml", "cui-memo-internal.eml",
    "fouo-to-ml.eml",     "itinerary-passport.eml",   "newsletter.eml",
    "password-reset.eml",
};
#define N_EXAMPLES (sizeof(examples) / sizeof(examples[0]))
#define PAUSE_MS   10

struct bystander {
    const dlpd_proc_t *d;
    dlp_client_t *c;
    pthread_t thread;
    atomic_int stop;
    int allow_overloaded;
    uint8_t *msg[N_EXAMPLES];
    size_t len[N_EXAMPLES];
    Dlp__V1__Action expect[N_EXAMPLES];
    double *lat_ms; /* thread-owned until joined */
    size_t n_lat, cap_lat;
    size_t errors, overloaded;
};

int64_t it_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void it_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static double now_ms_f(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One scan: 1 verdict (action in *act), 0 OVERLOADED, -1 anything else. */
static int scan_once(bystander_t *b, size_t i, Dlp__V1__Action *act)
{
    harness_scan_t s;
    char err[256];
    Dlp__V1__Response *r = NULL;
    harness_scan_init(&s, dlp_client_next_id(b->c), b->msg[i], b->len[i]);
    if (dlp_client_call(b->c, &s.req, HARNESS_IO_TIMEOUT_MS, &r, err, sizeof(err)) != 0) {
        fprintf(stderr, "bystander: %s: %s\n", examples[i], err);
        return -1;
    }
    int rc = -1;
    if (r->error && r->error->code == DLP__V1__ERROR_CODE__OVERLOADED) {
        rc = 0;
    } else if (!r->error && r->scan) {
        *act = r->scan->action;
        rc = 1;
    } else {
        fprintf(stderr, "bystander: %s: error %s\n", examples[i],
                r->error ? dlp_client_error_code_name(r->error->code) : "no body");
    }
    dlp_client_response_free(r);
    return rc;
}

static void record(bystander_t *b, double ms)
{
    if (b->n_lat == b->cap_lat) {
        size_t ncap = b->cap_lat ? b->cap_lat * 2 : 1024;
        double *nl = realloc(b->lat_ms, ncap * sizeof(*nl));
        if (!nl)
            return;
        b->lat_ms = nl;
        b->cap_lat = ncap;
    }
    b->lat_ms[b->n_lat++] = ms;
}

static void *run(void *arg)
{
    bystander_t *b = arg;
    for (size_t n = 0; !atomic_load(&b->stop); n++) {
        size_t i = n % N_EXAMPLES;
        Dlp__V1__Action act = 0;
        double t0 = now_ms_f();
        int rc = scan_once(b, i, &act);
        double ms = now_ms_f() - t0;
        if (rc == 1 && act == b->expect[i]) {
            record(b, ms);
        } else if (rc == 0) {
            b->overloaded++;
            b->errors += !b->allow_overloaded;
        } else {
            if (rc == 1)
                fprintf(stderr, "bystander: %s: action %d, expected %d\n", examples[i], act,
                        b->expect[i]);
            b->errors++;
        }
        if (rc < 0) {
            /* A broken connection is an error already counted; go on with a new one. */
            dlp_client_free(b->c);
            b->c = harness_client(b->d);
            if (!b->c)
                break;
        }
        it_sleep_ms(PAUSE_MS);
    }
    return NULL;
}

static void free_b(bystander_t *b)
{
    for (size_t i = 0; i < N_EXAMPLES; i++)
        free(b->msg[i]);
    dlp_client_free(b->c);
    free(b->lat_ms);
    free(b);
}

bystander_t *bystander_start(const dlpd_proc_t *d, int allow_overloaded)
{
    bystander_t *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->d = d;
    b->allow_overloaded = allow_overloaded;
    if (!(b->c = harness_client(d)))
        goto fail;
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        if (!(b->msg[i] = harness_read_file(harness_example(examples[i]), &b->len[i])))
            goto fail;
        if (scan_once(b, i, &b->expect[i]) != 1)
            goto fail;
    }
    if (pthread_create(&b->thread, NULL, run, b) != 0)
        goto fail;
    return b;
fail:
    fprintf(stderr, "bystander: cannot start\n");
    free_b(b);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

void bystander_stop(bystander_t *b, const char *label, bystander_report_t *out)
{
    atomic_store(&b->stop, 1);
    pthread_join(b->thread, NULL);
    qsort(b->lat_ms, b->n_lat, sizeof(double), cmp_double);
    memset(out, 0, sizeof(*out));
    out->scans = b->n_lat;
    out->errors = b->errors;
    out->overloaded = b->overloaded;
    out->p50_ms = quantile(b->lat_ms, b->n_lat, 0.50);
    out->p99_ms = quantile(b->lat_ms, b->n_lat, 0.99);
    out->max_ms = b->n_lat ? b->lat_ms[b->n_lat - 1] : 0;
    fprintf(stderr,
            "%s: bystander %zu scans, %zu errors, %zu overloaded, p50 %.1f ms, p99 %.1f ms, "
            "max %.1f ms\n",
            label, out->scans, out->errors, out->overloaded, out->p50_ms, out->p99_ms, out->max_ms);
    free_b(b);
}

void it_sanitizer_env(void)
{
#if defined(__SANITIZE_ADDRESS__)
    char opts[1024];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=16", old ? old : "",
             old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
#endif
}

uint64_t it_proc_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    size_t flen = strlen(field);
    uint64_t kb = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
            kb = strtoull(line + flen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

uint64_t it_stat(const dlpd_proc_t *d, const char *name)
{
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__StatsRequest sr = DLP__V1__STATS_REQUEST__INIT;
    Dlp__V1__Response *r = NULL;
    uint64_t v = UINT64_MAX;
    dlp_client_t *c = harness_client(d);
    if (!c)
        return v;
    req.id = 1;
    req.body_case = DLP__V1__REQUEST__BODY_STATS;
    req.stats = &sr;
    if (dlp_client_call(c, &req, HARNESS_IO_TIMEOUT_MS, &r, NULL, 0) == 0 && r->stats) {
        for (size_t i = 0; i < r->stats->n_counters; i++)
            if (strcmp(r->stats->counters[i]->name, name) == 0)
                v = r->stats->counters[i]->value;
    }
    dlp_client_response_free(r);
    dlp_client_free(c);
    return v;
}
