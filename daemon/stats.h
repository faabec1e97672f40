/*
 * stats - dlpd's counters and gauges, shared by the loop and the workers.
 *
 * Every statistic is one atomic 64-bit value named in DLPD_STATS_MAP, so the
 * Stats request, the logs and a later Prometheus /metrics exporter all read
 * the same table. Counters only grow; gauges (kind GAUGE) go up and down.
 */
#ifndef DLPD_STATS_H
#define DLPD_STATS_H

#include <stdint.h>

typedef enum { DLPD_STAT_COUNTER, DLPD_STAT_GAUGE } dlpd_stat_kind_t;

/* X(id, name, kind, help) */
#define DLPD_STATS_MAP(X)                                                                          \
    X(REQUESTS, "requests_total", COUNTER, "requests received")                                    \
    X(SCANS, "scans_total", COUNTER, "scan requests received")                                     \
    X(ACTION_ALLOW, "scans_allow_total", COUNTER, "scans answered allow")                          \
    X(ACTION_WARN, "scans_warn_total", COUNTER, "scans answered warn")                             \
    X(ACTION_QUARANTINE, "scans_quarantine_total", COUNTER, "scans answered quarantine")           \
    X(ACTION_BLOCK, "scans_block_total", COUNTER, "scans answered block")                          \
    X(FINDINGS, "findings_total", COUNTER, "findings reported in verdicts")                        \
    X(INCOMPLETE, "scans_incomplete_total", COUNTER, "verdicts that hit a limit")                  \
    X(ERR_DECODE_ERROR, "errors_decode_error_total", COUNTER, "DECODE_ERROR answers")              \
    X(ERR_FRAME_TOO_LARGE, "errors_frame_too_large_total", COUNTER, "FRAME_TOO_LARGE answers")     \
    X(ERR_OVERLOADED, "errors_overloaded_total", COUNTER, "OVERLOADED answers")                    \
    X(ERR_DEADLINE_EXCEEDED, "errors_deadline_exceeded_total", COUNTER,                            \
      "DEADLINE_EXCEEDED answers")                                                                 \
    X(ERR_INTERNAL, "errors_internal_total", COUNTER, "INTERNAL answers")                          \
    X(ERR_UNSUPPORTED_VERSION, "errors_unsupported_version_total", COUNTER,                        \
      "UNSUPPORTED_VERSION answers")                                                               \
    X(ERR_INVALID_REQUEST, "errors_invalid_request_total", COUNTER, "INVALID_REQUEST answers")     \
    X(ERR_SHUTTING_DOWN, "errors_shutting_down_total", COUNTER, "SHUTTING_DOWN answers")           \
    X(ERR_RELOAD_FAILED, "errors_reload_failed_total", COUNTER, "RELOAD_FAILED answers")           \
    X(RELOADS_OK, "reloads_ok_total", COUNTER, "successful reloads")                               \
    X(RELOADS_FAILED, "reloads_failed_total", COUNTER, "failed reloads")                           \
    X(CONNECTIONS_ACCEPTED, "connections_accepted_total", COUNTER, "connections accepted")         \
    X(CONNECTIONS_REJECTED, "connections_rejected_total", COUNTER,                                 \
      "connections closed at once because max_connections was reached")                            \
    X(CONNECTIONS, "connections", GAUGE, "open connections")                                       \
    X(QUEUE_DEPTH, "queue_depth", GAUGE, "scans waiting for a worker")                             \
    X(SCANS_IN_FLIGHT, "scans_in_flight", GAUGE, "scans being run by a worker")

typedef enum {
#define DLPD_STAT_ENUM(id, name, kind, help) DLPD_STAT_##id,
    DLPD_STATS_MAP(DLPD_STAT_ENUM)
#undef DLPD_STAT_ENUM
        DLPD_STAT__COUNT
} dlpd_stat_t;

typedef struct dlpd_stats dlpd_stats_t;

/* NULL on out of memory. The start time (for uptime) is the creation time. */
dlpd_stats_t *dlpd_stats_new(void);
void dlpd_stats_free(dlpd_stats_t *st); /* accepts NULL */

void dlpd_stats_add(dlpd_stats_t *st, dlpd_stat_t id, uint64_t n);
void dlpd_stats_inc(dlpd_stats_t *st, dlpd_stat_t id);
void dlpd_stats_dec(dlpd_stats_t *st, dlpd_stat_t id); /* gauges only */
uint64_t dlpd_stats_get(const dlpd_stats_t *st, dlpd_stat_t id);
/* Counts one error answer; 'code' is a Dlp__V1__ErrorCode (1..9). */
void dlpd_stats_error(dlpd_stats_t *st, int code);
uint64_t dlpd_stats_uptime_s(const dlpd_stats_t *st);

const char *dlpd_stat_name(dlpd_stat_t id);
const char *dlpd_stat_help(dlpd_stat_t id);
dlpd_stat_kind_t dlpd_stat_kind(dlpd_stat_t id);

/* CLOCK_MONOTONIC in nanoseconds: the clock of deadlines and uptime. */
uint64_t dlpd_now_ns(void);

#endif
