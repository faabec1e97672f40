/*
 * benchutil - what the in-process benchmarks share: their options, the
 * monotonic clock, reading a message file whole, and building an engine
 * from a config with its diagnostics printed.
 */
#ifndef DLP_BENCHUTIL_H
#define DLP_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dlp.h"

typedef struct bench_opts {
    const char *config; /* -c CONFIG; NULL = built-in defaults */
    double seconds;     /* -s SECONDS */
    unsigned threads;   /* -t THREADS, where the tool takes it */
    int json;           /* --json */
} bench_opts_t;

/*
 * Parses -c, -s, --json and, when 'threads' is set, -t into *o (which holds
 * the defaults). Returns the index of the first operand, or -1 on a bad
 * option.
 */
int bench_parse_opts(int argc, char **argv, int threads, bench_opts_t *o);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);
/* The whole file, malloc'd (never NULL for an empty file); NULL with errno on error. */
uint8_t *bench_read_file(const char *path, size_t *len);
/* An engine from 'config' (NULL: built-in defaults); diagnostics go to stderr. */
dlp_engine_t *bench_engine(const char *config);

#endif
