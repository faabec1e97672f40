/*
 * metrics - the two views of dlpd's statistics: the Prometheus text page
 * (GET /metrics on its own listener, exposition format 0.0.4) and the
 * protocol's StatsReply. Both are built from the same reads of the stats
 * module (dlpd_stats_samples, dlpd_stats_histogram), so `dlpc stats` and a
 * scrape show the same families, names and labels.
 *
 * The HTTP side is a deliberately small HTTP/1.x responder on the daemon's
 * loop: one request per connection, answered and closed. Only GET /metrics
 * answers 200; other paths get 404, other methods 405, a request head over
 * METRICS_MAX_REQUEST bytes 431, a malformed one 400. A connection must send
 * its request head within METRICS_READ_TIMEOUT_MS and is closed after at
 * most METRICS_LINGER_MS more; at most METRICS_MAX_CLIENTS are open at once
 * (further ones are closed at once). The page holds counts and names only,
 * never message content; it listens where metrics_listen says (loopback by
 * default) and has no authentication of its own.
 */
#ifndef DLPD_METRICS_H
#define DLPD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "stats.h"

#define METRICS_MAX_REQUEST     8192
#define METRICS_READ_TIMEOUT_MS 5000
#define METRICS_LINGER_MS       5000
#define METRICS_MAX_CLIENTS     32

typedef struct dlpd_metrics dlpd_metrics_t;

/* Fills in the version of the rule set being served (on the loop thread). */
typedef void (*dlpd_metrics_rules_fn)(void *arg, char *version, size_t size);

/*
 * The exposition text for 'st' plus dlpd_build_info and dlpd_rules_info
 * {version=rules_version}. Returns a malloc'd NUL-terminated string (its
 * length in *len) or NULL on out of memory.
 */
char *dlpd_metrics_format(const dlpd_stats_t *st, const char *rules_version, size_t *len);

/* Packs Response{id, stats: StatsReply} for 'st'. 0, or -1 on out of memory. */
int dlpd_metrics_stats_frame(const dlpd_stats_t *st, uint64_t id, const char *rules_version,
                             uint8_t **frame, size_t *len);

/*
 * Prepares a responder for 'listen' (tcp:HOST:PORT, as validated by dconfig)
 * reading 'st' and asking 'rules' for the rule set version. Nothing is bound
 * yet. Returns 0, DLP_EINVAL (bad address) or DLP_ENOMEM.
 */
int dlpd_metrics_new(uv_loop_t *loop, const char *listen, dlpd_stats_t *st,
                     dlpd_metrics_rules_fn rules, void *arg, dlpd_metrics_t **out);
/* Binds and listens. Returns 0 or a negative libuv error (already logged). */
int dlpd_metrics_start(dlpd_metrics_t *m);
/* Closes the listener and every open client. Idempotent; accepts NULL. */
void dlpd_metrics_close(dlpd_metrics_t *m);
/* Frees m once the loop has run the close callbacks. Accepts NULL. */
void dlpd_metrics_free(dlpd_metrics_t *m);

#endif
