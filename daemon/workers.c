/*
 * workers - the scan thread pool (see workers.h).
 *
 * Two singly linked FIFO lists, each under its own mutex: 'queue' (loop ->
 * workers, bounded, with a condvar) and 'done' (workers -> loop, drained by
 * the async callback). uv_async_send coalesces wake-ups, so the callback
 * always takes the whole 'done' list.
 */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct worker {
    pthread_t thread;
    dlp_scanner_t *scanner;
    struct dlpd_pool *pool;
    int started;
} worker_t;

typedef struct worklist {
    dlpd_work_t *head, *tail;
    size_t len;
} worklist_t;

struct dlpd_pool {
    uv_async_t async;
    dlpd_work_run_cb run;
    dlpd_work_done_cb done;
    void *arg;
    size_t max_queue;
    size_t pending; /* loop thread only */

    pthread_mutex_t qlock;
    pthread_cond_t qcond;
    worklist_t queue;
    int stopping;

    pthread_mutex_t dlock;
    worklist_t finished;

    unsigned nworkers;
    worker_t *workers;
};

static void list_push(worklist_t *l, dlpd_work_t *w)
{
    w->next = NULL;
    if (l->tail)
        l->tail->next = w;
    else
        l->head = w;
    l->tail = w;
    l->len++;
}

static dlpd_work_t *list_pop(worklist_t *l)
{
    dlpd_work_t *w = l->head;
    if (w) {
        l->head = w->next;
        if (!l->head)
            l->tail = NULL;
        l->len--;
    }
    return w;
}

static void *worker_main(void *p)
{
    worker_t *self = p;
    struct dlpd_pool *pool = self->pool;

    for (;;) {
        pthread_mutex_lock(&pool->qlock);
        while (!pool->queue.head && !pool->stopping)
            pthread_cond_wait(&pool->qcond, &pool->qlock);
        dlpd_work_t *w = list_pop(&pool->queue);
        pthread_mutex_unlock(&pool->qlock);
        if (!w)
            break; /* stopping and the queue is empty */

        pool->run(w, self->scanner, pool->arg);

        pthread_mutex_lock(&pool->dlock);
        list_push(&pool->finished, w);
        pthread_mutex_unlock(&pool->dlock);
        uv_async_send(&pool->async);
    }
    return NULL;
}

static void deliver(dlpd_pool_t *p)
{
    pthread_mutex_lock(&p->dlock);
    worklist_t l = p->finished;
    p->finished = (worklist_t){0};
    pthread_mutex_unlock(&p->dlock);

    dlpd_work_t *w;
    while ((w = list_pop(&l))) {
        p->pending--;
        p->done(w, p->arg);
    }
}

static void on_async(uv_async_t *h)
{
    deliver(h->data);
}

/* Stops and joins the started workers, frees the scanners. */
static void stop_workers(dlpd_pool_t *p)
{
    pthread_mutex_lock(&p->qlock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->qcond);
    pthread_mutex_unlock(&p->qlock);
    for (unsigned i = 0; i < p->nworkers; i++) {
        if (p->workers[i].started)
            pthread_join(p->workers[i].thread, NULL);
        p->workers[i].started = 0;
        dlp_scanner_free(p->workers[i].scanner);
        p->workers[i].scanner = NULL;
    }
}

static void on_close(uv_handle_t *h)
{
    dlpd_pool_t *p = h->data;
    pthread_mutex_destroy(&p->qlock);
    pthread_cond_destroy(&p->qcond);
    pthread_mutex_destroy(&p->dlock);
    free(p->workers);
    free(p);
}

static int start_workers(dlpd_pool_t *p)
{
    for (unsigned i = 0; i < p->nworkers; i++) {
        worker_t *w = &p->workers[i];
        w->pool = p;
        int rc = dlp_scanner_new(&w->scanner);
        if (rc < 0)
            return rc;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            return DLP_ENOMEM;
        w->started = 1;
    }
    return 0;
}

int dlpd_pool_new(uv_loop_t *loop, unsigned nthreads, size_t max_queue, dlpd_work_run_cb run,
                  dlpd_work_done_cb done, void *arg, dlpd_pool_t **out)
{
    int rc = DLP_ENOMEM;
    dlpd_pool_t *p = calloc(1, sizeof(*p));
    if (!p)
        goto fail_alloc;
    p->workers = calloc(nthreads, sizeof(*p->workers));
    if (!p->workers)
        goto fail_workers;
    p->nworkers = nthreads;
    p->run = run;
    p->done = done;
    p->arg = arg;
    p->max_queue = max_queue;
    if (pthread_mutex_init(&p->qlock, NULL) != 0)
        goto fail_qlock;
    if (pthread_cond_init(&p->qcond, NULL) != 0)
        goto fail_qcond;
    if (pthread_mutex_init(&p->dlock, NULL) != 0)
        goto fail_dlock;
    if (uv_async_init(loop, &p->async, on_async) < 0) {
        rc = DLP_EIO;
        goto fail_async;
    }
    p->async.data = p;
    rc = start_workers(p);
    if (rc < 0) {
        stop_workers(p);
        uv_close((uv_handle_t *)&p->async, on_close); /* frees p */
        return rc;
    }
    *out = p;
    return 0;

fail_async:
    pthread_mutex_destroy(&p->dlock);
fail_dlock:
    pthread_cond_destroy(&p->qcond);
fail_qcond:
    pthread_mutex_destroy(&p->qlock);
fail_qlock:
    free(p->workers);
fail_workers:
    free(p);
fail_alloc:
    return rc;
}

int dlpd_pool_submit(dlpd_pool_t *p, dlpd_work_t *w)
{
    int rc = 0;
    pthread_mutex_lock(&p->qlock);
    if (p->stopping)
        rc = UV_ECANCELED;
    else if (p->queue.len >= p->max_queue)
        rc = UV_EAGAIN;
    else
        list_push(&p->queue, w);
    if (rc == 0)
        pthread_cond_signal(&p->qcond);
    pthread_mutex_unlock(&p->qlock);
    if (rc == 0)
        p->pending++;
    return rc;
}

size_t dlpd_pool_pending(const dlpd_pool_t *p)
{
    return p->pending;
}

void dlpd_pool_free(dlpd_pool_t *p)
{
    if (!p)
        return;
    stop_workers(p);
    deliver(p);
    uv_close((uv_handle_t *)&p->async, on_close);
}
