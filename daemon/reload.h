/*
 * reload - owns the current dlp_engine_t and replaces it on request.
 *
 * A reload runs on a dedicated thread (never on the loop, never on a scan
 * worker): it re-reads the same config file, validates the daemon keys, and
 * builds a complete new engine. Only when all of that succeeds is the current
 * engine pointer swapped (under a mutex) and the old one unreferenced; scans
 * that already hold a reference finish with the engine they started with. On
 * failure the old engine stays and the diagnostics are reported.
 *
 * One reload runs at a time. Requests that arrive while one is running do
 * not share its result (it may have read the file before the edit that
 * prompted them): they are coalesced into the single next reload, started as
 * soon as the running one finishes, and all share that one's result.
 *
 * Thread use: dlpd_reload_engine() from any thread; the rest on the loop.
 */
#ifndef DLPD_RELOAD_H
#define DLPD_RELOAD_H

#include <stddef.h>

#include <uv.h>

#include "dconfig.h"
#include "dlp/dlp.h"
#include "stats.h"

typedef struct dlpd_reload_result {
    int ok;
    const char *rules_version; /* of the engine in use after the reload */
    size_t rule_count;
    const char *const *errors; /* "file:line:column: message" each */
    size_t n_errors;
    const dlpd_config_t *dcfg; /* the file's daemon keys; NULL unless ok */
} dlpd_reload_result_t;

/* Called on the loop. res == NULL: the request was cancelled at shutdown. */
typedef void (*dlpd_reload_cb)(const dlpd_reload_result_t *res, void *arg);

typedef struct dlpd_reload dlpd_reload_t;

/*
 * 'engine' is the engine built at startup; the reload module takes over the
 * caller's reference. 'config_path' (NULL = built-in defaults) is copied.
 * 'on_result' is called on the loop after every reload, before the waiters.
 */
int dlpd_reload_new(uv_loop_t *loop, const char *config_path, dlp_engine_t *engine,
                    dlpd_stats_t *stats, dlpd_reload_cb on_result, void *arg, dlpd_reload_t **out);

/* A new reference to the current engine; the caller unrefs it. */
dlp_engine_t *dlpd_reload_engine(dlpd_reload_t *r);

/* Asks for a reload; cb (may be NULL, e.g. for SIGHUP) gets its result.
 * Returns 0 or DLP_ENOMEM (then cb is never called). */
int dlpd_reload_request(dlpd_reload_t *r, dlpd_reload_cb cb, void *arg);

/* Nonzero while a reload runs or is waiting to run. */
int dlpd_reload_busy(const dlpd_reload_t *r);

/* Waits for a running reload, cancels waiting ones (their cb gets NULL),
 * joins the thread, closes the async handle (memory freed on close).
 * Accepts NULL. */
void dlpd_reload_free(dlpd_reload_t *r);

#endif
