/*
 * bystander - a well-behaved client, and measurements, for the hostile and
 * fault tests.
 *
 * A bystander is one thread with one connection that scans the examples/ messages
 * in turn, pausing briefly between scans as a gateway under light load
 * would, and checks each verdict against the one the same daemon gave for
 * that file before the test began. It records every latency, so a test can
 * assert that whatever else is going on, a normal client is still served
 * correctly and in normal time. Besides it: a daemon's resident memory from
 * /proc, and its counters through a Stats request.
 */
#ifndef DLP_IT_BYSTANDER_H
#define DLP_IT_BYSTANDER_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/*
 * Bounds the tests assert. They are about behaviour, not speed: generous
 * enough for a loaded 2-core CI machine, and scaled for sanitizer builds,
 * which run several times slower and keep freed memory in quarantine
 * (it_sanitizer_env() caps that at 16 MiB for the daemons a test starts).
 */
#if defined(__SANITIZE_ADDRESS__)
#define IT_SLOW     4
#define IT_MEM_SLOP (48u << 10) /* kB: ASan's quarantine, shadow and redzones */
#else
#define IT_SLOW     1
#define IT_MEM_SLOP 0u
#endif
#define BYSTANDER_P99_MS (200 * IT_SLOW)

typedef struct bystander bystander_t;

typedef struct bystander_report {
    size_t scans;      /* verdicts received */
    size_t errors;     /* transport errors, error answers, wrong verdicts */
    size_t overloaded; /* OVERLOADED answers (errors unless allowed) */
    double p50_ms, p99_ms, max_ms;
} bystander_report_t;

/* Takes reference verdicts for every example, then scans them in a loop on
 * its own thread. With allow_overloaded, OVERLOADED answers are counted but
 * are not errors (for tests that fill the queue on purpose). NULL on failure. */
bystander_t *bystander_start(const dlpd_proc_t *d, int allow_overloaded);
/* Stops the thread, fills *out, prints a one-line summary, frees b. */
void bystander_stop(bystander_t *b, const char *label, bystander_report_t *out);

/* A field of /proc/<pid>/status in kB ("VmRSS", "VmHWM"); 0 when unreadable. */
uint64_t it_proc_kb(pid_t pid, const char *field);
/* A counter or gauge from the daemon's Stats answer; UINT64_MAX on failure. */
uint64_t it_stat(const dlpd_proc_t *d, const char *name);
/* Under ASan, makes the daemons started from now on keep at most 16 MiB of
 * freed memory in quarantine, so memory bounds mean something there too. */
void it_sanitizer_env(void);
/* Milliseconds on CLOCK_MONOTONIC. */
int64_t it_now_ms(void);
void it_sleep_ms(int ms);

#endif
