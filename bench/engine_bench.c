/*
 * engine_bench - the engine in-process, without sockets: how many messages
 * a second one thread classifies with a given config, and at what latency.
 * This is the reference the daemon's end-to-end figures are compared with.
 *
 *   dlp-engine-bench [-c CONFIG] [-s SECONDS] [--json] FILE...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "dlp/dlp.h"

typedef struct input {
    uint8_t *data;
    size_t len;
} input_t;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    bench_opts_t o = {.seconds = 3};
    int first = bench_parse_opts(argc, argv, 0, &o);
    size_t n = first < 0 ? 0 : (size_t)(argc - first);
    if (n == 0) {
        fprintf(stderr, "usage: dlp-engine-bench [-c CONFIG] [-s SECONDS] [--json] FILE...\n");
        return 64;
    }
    input_t *in = calloc(n, sizeof(*in));
    for (size_t i = 0; i < n; i++)
        if (!(in[i].data = bench_read_file(argv[first + i], &in[i].len))) {
            fprintf(stderr, "%s: %s\n", argv[first + i], strerror(errno));
            return 1;
        }
    dlp_engine_t *e = bench_engine(o.config);
    dlp_scanner_t *s = NULL;
    if (!e || dlp_scanner_new(&s))
        return 1;
    size_t cap = 1 << 20, count = 0;
    uint64_t *lat = malloc(cap * sizeof(uint64_t)), bytes = 0;
    uint64_t start = bench_now_ns(), end = start + (uint64_t)(o.seconds * 1e9);
    while (bench_now_ns() < end && count < cap) {
        const input_t *m = &in[count % n];
        dlp_scan_input_t si = {.message = m->data, .message_len = m->len};
        dlp_verdict_t *v;
        uint64_t t0 = bench_now_ns();
        if (dlp_scan(s, e, &si, &v) != DLP_OK)
            return 1;
        lat[count++] = bench_now_ns() - t0;
        bytes += m->len;
        dlp_verdict_free(v);
    }
    double el = (double)(bench_now_ns() - start) / 1e9;
    qsort(lat, count, sizeof(uint64_t), cmp_u64);
    double p50 = lat[count / 2] / 1e3, p99 = lat[count * 99 / 100] / 1e3;
    if (o.json)
        printf("{\"messages\":%zu,\"seconds\":%.3f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.2f,"
               "\"p50_us\":%.2f,\"p99_us\":%.2f}\n",
               count, el, count / el, bytes / el / 1e6, p50, p99);
    else
        printf("%zu messages in %.2f s: %.0f msgs/s, %.1f MB/s (one thread), "
               "latency p50 %.1f us, p99 %.1f us\n",
               count, el, count / el, bytes / el / 1e6, p50, p99);
    dlp_scanner_free(s);
    dlp_engine_unref(e);
    for (size_t i = 0; i < n; i++)
        free(in[i].data);
    free(in);
    free(lat);
    return 0;
}
