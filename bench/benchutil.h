/*
 * benchutil - what the in-process benchmarks share: the monotonic clock,
 * reading a message file whole, and building an engine from a config with
 * its diagnostics printed.
 */
#ifndef DLP_BENCHUTIL_H
#define DLP_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dlp.h"

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);
/* The whole file, malloc'd (never NULL for an empty file); NULL with errno on error. */
uint8_t *bench_read_file(const char *path, size_t *len);
/* An engine from 'config' (NULL: built-in defaults); diagnostics go to stderr. */
dlp_engine_t *bench_engine(const char *config);

#endif
