/*
 * server - the daemon's context: listeners, signals, request dispatch, and
 * the drain on shutdown. It wires together the connection set (conn), the
 * worker pool (workers + scanjob), the engine owner (reload) and the
 * counters (stats); everything runs on one libuv loop thread except scans
 * and reloads, which have threads of their own.
 *
 * Shutdown (SIGTERM/SIGINT): listeners close at once; scans arriving on open
 * connections get SHUTTING_DOWN; every queued and running scan finishes and
 * its response is written; then connections, workers and handles close and
 * the loop ends. Past shutdown_timeout_ms the server gives up (exit 1).
 */
#ifndef DLPD_SERVER_H
#define DLPD_SERVER_H

#include <uv.h>

#include "dconfig.h"
#include "dlp/dlp.h"

typedef struct dlpd_server dlpd_server_t;

/*
 * Takes over *cfg (its members; *cfg is zeroed) and the caller's reference
 * to 'engine'. 'config_path' (NULL = defaults) is what a reload re-reads.
 * Returns 0 or a negative error; on error nothing was taken over.
 */
int dlpd_server_new(uv_loop_t *loop, dlpd_config_t *cfg, const char *config_path,
                    dlp_engine_t *engine, dlpd_server_t **out);

/* Binds the listeners, starts the workers and the signal handlers, and logs
 * the start line. Returns 0 or a negative error (already logged). */
int dlpd_server_start(dlpd_server_t *s);

/*
 * Runs the loop until the server stops. Returns 0 after a clean drain, 1
 * when the shutdown timed out: scans may still be running on worker threads,
 * so the caller must then exit at once without freeing anything.
 */
int dlpd_server_run(dlpd_server_t *s);

/* Closes whatever is still open, runs the loop until every handle is
 * closed, and frees the server. Accepts NULL. */
void dlpd_server_free(dlpd_server_t *s);

#endif
