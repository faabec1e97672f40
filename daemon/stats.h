/*
 * stats - dlpd's counters, gauges and scan latency histogram, shared by the
 * loop and the workers.
 *
 * Every statistic is an atomic 64-bit value. The scalar ones are named in
 * DLPD_STATS_MAP; findings by category and incomplete scans by limit are
 * arrays indexed by the engine's own enums (DLP_CATEGORY_MAP, DLP_LIMIT_MAP),
 * so a category or limit added to the engine shows up here by itself.
 *
 * Two readers, one source: the Stats request and the Prometheus /metrics
 * page (metrics.c) both walk dlpd_stats_samples() and dlpd_stats_histogram().
 * A sample belongs to a family (DLPD_FAMILY_MAP: the metric name without the
 * "dlpd_" prefix, its kind, its one label if any); a scalar row also keeps
 * its old flat name for the StatsReply 'counters' list.
 */
#ifndef DLPD_STATS_H
#define DLPD_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dlp.h"

typedef enum { DLPD_STAT_COUNTER, DLPD_STAT_GAUGE } dlpd_stat_kind_t;

/* X(id, name, kind, label, help): 'label' is the family's label name or NULL. */
#define DLPD_FAMILY_MAP(X)                                                                         \
    X(REQUESTS, "requests_total", COUNTER, NULL, "Requests received, of every kind.")              \
    X(SCAN_REQUESTS, "scan_requests_total", COUNTER, NULL, "Scan requests received.")              \
    X(SCANS, "scans_total", COUNTER, "action", "Scans answered with a verdict, by action.")        \
    X(FINDINGS, "findings_total", COUNTER, "category", "Findings in verdicts, by category.")       \
    X(INCOMPLETE, "scans_incomplete_total", COUNTER, "limit",                                      \
      "Verdicts that hit a limit, by limit (a scan may hit several).")                             \
    X(INCOMPLETE_ANY, "incomplete_verdicts_total", COUNTER, NULL,                                  \
      "Verdicts that hit at least one limit.")                                                     \
    X(ERRORS, "errors_total", COUNTER, "code", "Error answers, by protocol error code.")           \
    X(RELOADS, "reloads_total", COUNTER, "result", "Rule reloads, by result.")                     \
    X(CONNECTIONS_ACCEPTED, "connections_accepted_total", COUNTER, NULL,                           \
      "Protocol connections accepted.")                                                            \
    X(CONNECTIONS_REJECTED, "connections_rejected_total", COUNTER, NULL,                           \
      "Protocol connections closed at once because max_connections was reached.")                  \
    X(CONNECTIONS, "connections", GAUGE, NULL, "Open protocol connections.")                       \
    X(QUEUE_DEPTH, "queue_depth", GAUGE, NULL, "Scans waiting for a worker.")                      \
    X(WORKERS_BUSY, "workers_busy", GAUGE, NULL, "Workers running a scan.")                        \
    X(WORKERS, "workers", GAUGE, NULL, "Scan worker threads.")                                     \
    X(UPTIME, "uptime_seconds", GAUGE, NULL, "Seconds since dlpd started.")

typedef enum {
#define DLPD_FAMILY_ENUM(id, name, kind, label, help) DLPD_FAM_##id,
    DLPD_FAMILY_MAP(DLPD_FAMILY_ENUM)
#undef DLPD_FAMILY_ENUM
        DLPD_FAM__COUNT
} dlpd_family_t;

/*
 * X(id, name, family, label value, help). 'name' is the flat name in the
 * StatsReply 'counters' list (kept as it was for older clients). A row of a
 * labelled family without a label value (FINDINGS) is that family's total:
 * it is listed in 'counters' but is no sample of its own. The ERR_ rows
 * follow the Dlp__V1__ErrorCode order (1..9).
 */
#define DLPD_STATS_MAP(X)                                                                          \
    X(REQUESTS, "requests_total", REQUESTS, NULL, "requests received")                             \
    X(SCANS, "scans_total", SCAN_REQUESTS, NULL, "scan requests received")                         \
    X(ACTION_ALLOW, "scans_allow_total", SCANS, "allow", "scans answered allow")                   \
    X(ACTION_WARN, "scans_warn_total", SCANS, "warn", "scans answered warn")                       \
    X(ACTION_QUARANTINE, "scans_quarantine_total", SCANS, "quarantine",                            \
      "scans answered quarantine")                                                                 \
    X(ACTION_BLOCK, "scans_block_total", SCANS, "block", "scans answered block")                   \
    X(FINDINGS, "findings_total", FINDINGS, NULL, "findings reported in verdicts")                 \
    X(INCOMPLETE, "scans_incomplete_total", INCOMPLETE_ANY, NULL, "verdicts that hit a limit")     \
    X(ERR_DECODE_ERROR, "errors_decode_error_total", ERRORS, "decode_error",                       \
      "DECODE_ERROR answers")                                                                      \
    X(ERR_FRAME_TOO_LARGE, "errors_frame_too_large_total", ERRORS, "frame_too_large",              \
      "FRAME_TOO_LARGE answers")                                                                   \
    X(ERR_OVERLOADED, "errors_overloaded_total", ERRORS, "overloaded", "OVERLOADED answers")       \
    X(ERR_DEADLINE_EXCEEDED, "errors_deadline_exceeded_total", ERRORS, "deadline_exceeded",        \
      "DEADLINE_EXCEEDED answers")                                                                 \
    X(ERR_INTERNAL, "errors_internal_total", ERRORS, "internal", "INTERNAL answers")               \
    X(ERR_UNSUPPORTED_VERSION, "errors_unsupported_version_total", ERRORS, "unsupported_version",  \
      "UNSUPPORTED_VERSION answers")                                                               \
    X(ERR_INVALID_REQUEST, "errors_invalid_request_total", ERRORS, "invalid_request",              \
      "INVALID_REQUEST answers")                                                                   \
    X(ERR_SHUTTING_DOWN, "errors_shutting_down_total", ERRORS, "shutting_down",                    \
      "SHUTTING_DOWN answers")                                                                     \
    X(ERR_RELOAD_FAILED, "errors_reload_failed_total", ERRORS, "reload_failed",                    \
      "RELOAD_FAILED answers")                                                                     \
    X(RELOADS_OK, "reloads_ok_total", RELOADS, "ok", "successful reloads")                         \
    X(RELOADS_FAILED, "reloads_failed_total", RELOADS, "failed", "failed reloads")                 \
    X(CONNECTIONS_ACCEPTED, "connections_accepted_total", CONNECTIONS_ACCEPTED, NULL,              \
      "connections accepted")                                                                      \
    X(CONNECTIONS_REJECTED, "connections_rejected_total", CONNECTIONS_REJECTED, NULL,              \
      "connections closed at once because max_connections was reached")                            \
    X(CONNECTIONS, "connections", CONNECTIONS, NULL, "open connections")                           \
    X(QUEUE_DEPTH, "queue_depth", QUEUE_DEPTH, NULL, "scans waiting for a worker")                 \
    X(SCANS_IN_FLIGHT, "scans_in_flight", WORKERS_BUSY, NULL, "scans being run by a worker")       \
    X(WORKERS, "workers", WORKERS, NULL, "scan worker threads")

typedef enum {
#define DLPD_STAT_ENUM(id, name, family, label, help) DLPD_STAT_##id,
    DLPD_STATS_MAP(DLPD_STAT_ENUM)
#undef DLPD_STAT_ENUM
        DLPD_STAT__COUNT
} dlpd_stat_t;

/* Upper bounds of the scan latency buckets: X(nanoseconds, "le" text). */
#define DLPD_LATENCY_BUCKETS(X)                                                                    \
    X(1000000, "0.001")                                                                            \
    X(2500000, "0.0025")                                                                           \
    X(5000000, "0.005")                                                                            \
    X(10000000, "0.01")                                                                            \
    X(25000000, "0.025")                                                                           \
    X(50000000, "0.05")                                                                            \
    X(100000000, "0.1")                                                                            \
    X(250000000, "0.25")                                                                           \
    X(500000000, "0.5")                                                                            \
    X(1000000000, "1")                                                                             \
    X(2500000000, "2.5")                                                                           \
    X(5000000000, "5")                                                                             \
    X(10000000000, "10")                                                                           \
    X(30000000000, "30")

enum {
#define DLPD_BUCKET_COUNT(ns, le) +1
    DLPD_LATENCY_BOUNDS = 0 DLPD_LATENCY_BUCKETS(DLPD_BUCKET_COUNT),
#undef DLPD_BUCKET_COUNT
    DLPD_LATENCY_SLOTS = DLPD_LATENCY_BOUNDS + 1, /* the last is +Inf */
    /* Upper bound of what dlpd_stats_samples() writes. */
    DLPD_STATS_SAMPLES_MAX = DLPD_STAT__COUNT + DLP_CAT__COUNT + DLP_LIMIT__COUNT + 1,
};

typedef struct dlpd_stats dlpd_stats_t;

/* One value with where it belongs; the strings are static. */
typedef struct dlpd_sample {
    dlpd_family_t family;
    const char *label_value; /* NULL when the family has no label */
    uint64_t value;
} dlpd_sample_t;

/* A snapshot of the scan latency histogram; 'cumulative' as Prometheus wants it. */
typedef struct dlpd_histogram {
    uint64_t cumulative[DLPD_LATENCY_SLOTS]; /* [i] = scans taking <= bound i; last = count */
    uint64_t count;
    uint64_t sum_ns;
} dlpd_histogram_t;

/* NULL on out of memory. The start time (for uptime) is the creation time. */
dlpd_stats_t *dlpd_stats_new(void);
void dlpd_stats_free(dlpd_stats_t *st); /* accepts NULL */

void dlpd_stats_add(dlpd_stats_t *st, dlpd_stat_t id, uint64_t n);
void dlpd_stats_inc(dlpd_stats_t *st, dlpd_stat_t id);
void dlpd_stats_dec(dlpd_stats_t *st, dlpd_stat_t id); /* gauges only */
uint64_t dlpd_stats_get(const dlpd_stats_t *st, dlpd_stat_t id);
/* Counts one error answer; 'code' is a Dlp__V1__ErrorCode (1..9). */
void dlpd_stats_error(dlpd_stats_t *st, int code);
/* Counts a verdict: its action, findings by category, limits hit. */
void dlpd_stats_verdict(dlpd_stats_t *st, const dlp_verdict_t *v);
/* Records one answered scan's time from receipt to response. */
void dlpd_stats_latency(dlpd_stats_t *st, uint64_t ns);
uint64_t dlpd_stats_uptime_s(const dlpd_stats_t *st);

/*
 * Writes every sample, grouped by family in DLPD_FAMILY_MAP order, into
 * out[0..DLPD_STATS_SAMPLES_MAX) and returns how many. Each value is read
 * atomically; the set is not one instant (counters move while it is read).
 */
size_t dlpd_stats_samples(const dlpd_stats_t *st, dlpd_sample_t *out);
void dlpd_stats_histogram(const dlpd_stats_t *st, dlpd_histogram_t *h);

const char *dlpd_stat_name(dlpd_stat_t id);
const char *dlpd_stat_help(dlpd_stat_t id);
dlpd_stat_kind_t dlpd_stat_kind(dlpd_stat_t id);

const char *dlpd_family_name(dlpd_family_t f);
const char *dlpd_family_label(dlpd_family_t f); /* NULL when unlabelled */
const char *dlpd_family_help(dlpd_family_t f);
dlpd_stat_kind_t dlpd_family_kind(dlpd_family_t f);
/* The "le" text of latency bucket i (0..DLPD_LATENCY_BOUNDS; the last is "+Inf"). */
const char *dlpd_latency_le(size_t i);

/* CLOCK_MONOTONIC in nanoseconds: the clock of deadlines and uptime. */
uint64_t dlpd_now_ns(void);

#endif
