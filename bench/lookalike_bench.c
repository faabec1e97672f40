/*
 * lookalike_bench - the cost of classifying one recipient against 1,000 and
 * 100,000 protected domains (random names under .mil, .gov and .com), for
 * a mix of look-alikes (the project's generator) and unrelated domains.
 * Prints p50/p99/p99.9 in microseconds per recipient and the build time.
 *
 *   dlp-lookalike-bench [--json]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domains.h"
#include "lookalike_gen.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void random_name(char *b, unsigned *seed)
{
    int n = 5 + rand_r(seed) % 8;
    for (int i = 0; i < n; i++)
        b[i] = (char)('a' + rand_r(seed) % 26);
    b[n] = 0;
}

typedef struct queries {
    char **v;
    size_t n, cap;
} queries_t;

static void add_query(void *arg, const char *d, const char *technique)
{
    queries_t *q = arg;
    if (q->n < q->cap)
        q->v[q->n++] = strdup(d);
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void run(size_t n_targets, int json)
{
    static const char *const suffixes[] = {"mil", "gov", "com"};
    unsigned seed = 42;
    char **names = malloc(n_targets * sizeof(char *));
    for (size_t i = 0; i < n_targets; i++) {
        char b[32], d[48];
        random_name(b, &seed);
        snprintf(d, sizeof(d), "%s.%s", b, suffixes[i % 3]);
        names[i] = strdup(d);
    }
    static const char *const base[] = {"mil", "gov"};
    dlp_domain_lists_t ls = {NULL, 0, base, 2, NULL, 0, NULL, 0};
    ls.protected_ = (const char *const *)names;
    ls.n_protected = n_targets;
    uint64_t t0 = now_ns();
    dlp_domains_t *d;
    if (dlp_domains_new(&ls, &d, NULL)) {
        fprintf(stderr, "build failed\n");
        exit(1);
    }
    double build_ms = (now_ns() - t0) / 1e6;
    queries_t q = {calloc(200000, sizeof(char *)), 0, 200000};
    for (size_t i = 0; i < 200 && i < n_targets; i++)
        lag_generate(names[(i * 7919) % n_targets], i % 3 == 2, add_query, &q);
    while (q.n < q.cap && q.n < 100000) { /* as many unrelated ones */
        char b[32], dd[48];
        random_name(b, &seed);
        snprintf(dd, sizeof(dd), "%s.%s", b, (q.n & 1) ? "com" : "net");
        q.v[q.n++] = strdup(dd);
        if (q.n % 2 == 0 && q.n / 2 >= 50000)
            break;
    }
    uint64_t *lat = malloc(q.n * sizeof(uint64_t));
    size_t flagged = 0;
    for (size_t i = 0; i < q.n; i++) {
        uint64_t a = now_ns();
        dlp_domain_class_t c = dlp_domains_classify(d, q.v[i]);
        lat[i] = now_ns() - a;
        flagged += c.cls == DLP_CLASS_LOOKALIKE;
    }
    qsort(lat, q.n, sizeof(uint64_t), cmp);
    double p50 = lat[q.n / 2] / 1e3, p99 = lat[q.n * 99 / 100] / 1e3,
           p999 = lat[q.n * 999 / 1000] / 1e3;
    if (json)
        printf("{\"protected\":%zu,\"recipients\":%zu,\"p50_us\":%.2f,\"p99_us\":%.2f,"
               "\"p999_us\":%.2f,\"build_ms\":%.0f}\n",
               n_targets, q.n, p50, p99, p999, build_ms);
    else
        printf("%6zu protected domains: %zu recipients (%zu look-alikes), p50 %.2f us, p99 %.2f "
               "us, p99.9 %.2f us; index built in %.0f ms\n",
               n_targets, q.n, flagged, p50, p99, p999, build_ms);
    for (size_t i = 0; i < q.n; i++)
        free(q.v[i]);
    free(q.v);
    free(lat);
    dlp_domains_free(d);
    for (size_t i = 0; i < n_targets; i++)
        free(names[i]);
    free(names);
}

int main(int argc, char **argv)
{
    int json = argc > 1 && !strcmp(argv[1], "--json");
    run(1000, json);
    run(100000, json);
    return 0;
}
