/*
 * workers - dlpd's scan thread pool: a bounded job queue (mutex + condvar)
 * served by N pthreads, each owning its dlp_scanner_t, with completions
 * handed back to the libuv loop through a uv_async_t.
 *
 * The pool knows nothing of the protocol: a job is any struct embedding a
 * dlpd_work_t. 'run' is called on a worker thread with that thread's scanner;
 * 'done' is called later on the loop thread, in completion order. Scanning
 * never happens on the loop and this pool is not libuv's shared threadpool,
 * so DNS or fs work elsewhere can never starve scans (or the reverse).
 *
 * Thread use: dlpd_pool_new/submit/free are loop-thread only.
 */
#ifndef DLPD_WORKERS_H
#define DLPD_WORKERS_H

#include <stddef.h>

#include <uv.h>

#include "dlp/dlp.h"

typedef struct dlpd_work {
    struct dlpd_work *next; /* private to the pool */
} dlpd_work_t;

typedef void (*dlpd_work_run_cb)(dlpd_work_t *w, dlp_scanner_t *scanner, void *arg);
typedef void (*dlpd_work_done_cb)(dlpd_work_t *w, void *arg);

typedef struct dlpd_pool dlpd_pool_t;

/*
 * Starts 'nthreads' workers (each with its own scanner) serving a queue of
 * at most 'max_queue' waiting jobs. Returns 0 or a negative dlp_err; on
 * failure nothing is left running.
 */
int dlpd_pool_new(uv_loop_t *loop, unsigned nthreads, size_t max_queue, dlpd_work_run_cb run,
                  dlpd_work_done_cb done, void *arg, dlpd_pool_t **out);

/* Queues a job. Returns 0, or UV_EAGAIN when the queue is full (the caller
 * still owns w and answers OVERLOADED), or UV_ECANCELED when stopping. */
int dlpd_pool_submit(dlpd_pool_t *p, dlpd_work_t *w);

/* Jobs submitted whose 'done' has not run yet (queued + running + finished). */
size_t dlpd_pool_pending(const dlpd_pool_t *p);

/*
 * Lets the workers finish every queued job, joins them, delivers the last
 * completions, and closes the async handle; the memory is released from its
 * close callback, so the loop must run once more. Accepts NULL.
 */
void dlpd_pool_free(dlpd_pool_t *p);

#endif
