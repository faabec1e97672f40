/*
 * scanjob - one Scan request's trip through the worker pool.
 *
 * The loop creates a job from the unpacked request (the job owns it; the
 * message bytes live in the unpacked protobuf) and queues it. A worker runs
 * it with the engine it referenced at dequeue time: deadline check, dlp_scan,
 * conversion and packing of the Response frame, the per-scan log line (its
 * us= is the time from receipt to answer, queueing included), and freeing
 * the request and verdict. The loop then writes the frame (or drops
 * it when the peer has gone) and releases the connection.
 */
#ifndef DLPD_SCANJOB_H
#define DLPD_SCANJOB_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "dlp/dlp.h"
#include "proto/dlp.pb-c.h"
#include "stats.h"
#include "workers.h"

typedef struct dlpd_scanjob {
    dlpd_work_t work;      /* the pool's link */
    dlpd_conn_t *conn;     /* held until dlpd_scanjob_finish() */
    Dlp__V1__Request *req; /* owned; freed by the worker once answered */
    uint64_t id;           /* the request id, kept after req is freed */
    uint64_t recv_ns;      /* CLOCK_MONOTONIC at receipt */
    uint64_t deadline_ns;  /* absolute; 0 = none */
    uint8_t *frame;        /* the packed Response; NULL when even that failed */
    size_t frame_len;
} dlpd_scanjob_t;

/* Takes ownership of req (a Scan request) only on success; NULL on ENOMEM. */
dlpd_scanjob_t *dlpd_scanjob_new(dlpd_conn_t *c, Dlp__V1__Request *req, uint64_t recv_ns);

/* Worker thread. 'e' may be NULL only by a bug (answered INTERNAL). */
void dlpd_scanjob_run(dlpd_scanjob_t *j, dlp_scanner_t *s, dlp_engine_t *e, dlpd_stats_t *st);

/* Loop thread: delivers the frame, releases the connection, frees the job. */
void dlpd_scanjob_finish(dlpd_scanjob_t *j);

/* Frees a job that was never queued (the request too). */
void dlpd_scanjob_free(dlpd_scanjob_t *j);
/* Frees an unpacked request, wiping the message it carries first. */
void dlpd_scanjob_free_request(Dlp__V1__Request *req);

/* The one log line of a scan that ended in an error, on any thread. */
void dlpd_scanjob_log_error(const Dlp__V1__Request *req, Dlp__V1__ErrorCode code, uint64_t recv_ns);

#endif
