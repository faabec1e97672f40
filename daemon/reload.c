/*
 * reload - engine ownership and the reload thread (see reload.h).
 *
 * The loop hands work to the thread by setting 'kick' under 'lock' and
 * signalling 'cond'; the thread fills 'result' and wakes the loop with the
 * async handle. Waiter lists are touched only on the loop thread: 'running'
 * gets the result of the reload in progress, 'next' waits for the one after.
 */
#include "reload.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct waiter {
    dlpd_reload_cb cb;
    void *arg;
    struct waiter *next;
} waiter_t;

typedef struct result {
    int ok;
    char *rules_version;
    size_t rule_count;
    char **errors;
    size_t n_errors;
    dlpd_config_t dcfg;
} result_t;

struct dlpd_reload {
    uv_async_t async;
    char *path;
    dlpd_stats_t *stats;
    dlpd_reload_cb on_result;
    void *arg;

    pthread_mutex_t elock; /* guards 'engine' only */
    dlp_engine_t *engine;

    pthread_mutex_t lock; /* guards kick, stop, have_result, result */
    pthread_cond_t cond;
    int kick, stop, have_result;
    result_t result;
    pthread_t thread;

    /* loop thread only */
    int running;
    waiter_t *running_waiters, *next_waiters;
    int next_requested;
};

static void result_free(result_t *res)
{
    free(res->rules_version);
    for (size_t i = 0; i < res->n_errors; i++)
        free(res->errors[i]);
    free(res->errors);
    dlpd_config_free(&res->dcfg);
    memset(res, 0, sizeof(*res));
}

/* Keeps every diagnostic as a formatted line, or one line for 'rc'. */
static void collect_errors(result_t *res, dlp_diags_t *diags, int rc)
{
    size_t n = diags ? dlp_diags_count(diags) : 0;
    char line[1024];

    res->errors = calloc(n ? n : 1, sizeof(char *));
    if (!res->errors)
        return;
    for (size_t i = 0; i < n; i++) {
        dlp_diags_format(diags, i, line, sizeof(line));
        if ((res->errors[res->n_errors] = strdup(line)))
            res->n_errors++;
    }
    if (n == 0 && (res->errors[0] = strdup(dlp_strerror(rc))))
        res->n_errors = 1;
}

static void log_result(dlpd_reload_t *r, const result_t *res)
{
    if (res->ok) {
        dlpd_log_info("reload: ok, rules %s", res->rules_version ? res->rules_version : "?");
        return;
    }
    dlpd_log_error("reload: failed with %zu error(s), keeping rules %s", res->n_errors,
                   res->rules_version ? res->rules_version : "?");
    for (size_t i = 0; i < res->n_errors; i++)
        dlpd_log_error("reload: %s", res->errors[i]);
}

/* Builds a new engine; swaps it in on success. Runs on the reload thread. */
static void do_reload(dlpd_reload_t *r, result_t *res)
{
    dlp_diags_t *diags = dlp_diags_new();
    dlp_config_t *cfg = NULL;
    dlp_engine_t *fresh = NULL, *old = NULL;
    int rc = diags ? 0 : DLP_ENOMEM;

    if (rc == 0)
        rc = dlp_config_load(r->path, dlpd_config_foreign_keys(), &cfg, diags);
    if (rc == 0)
        rc = dlpd_config_read(cfg, &res->dcfg, diags);
    if (rc == 0)
        rc = dlp_engine_new(cfg, &fresh, diags);
    dlp_config_free(cfg);

    pthread_mutex_lock(&r->elock);
    if (rc == 0) {
        old = r->engine;
        r->engine = fresh;
    }
    res->rules_version = strdup(dlp_engine_rules_version(r->engine));
    res->rule_count = dlp_engine_rule_count(r->engine);
    pthread_mutex_unlock(&r->elock);
    dlp_engine_unref(old);

    res->ok = rc == 0;
    if (!res->ok)
        collect_errors(res, diags, rc);
    dlp_diags_free(diags);
    dlpd_stats_inc(r->stats, res->ok ? DLPD_STAT_RELOADS_OK : DLPD_STAT_RELOADS_FAILED);
    log_result(r, res);
}

static void *reload_main(void *p)
{
    dlpd_reload_t *r = p;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (!r->kick && !r->stop)
            pthread_cond_wait(&r->cond, &r->lock);
        if (!r->kick) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        r->kick = 0;
        pthread_mutex_unlock(&r->lock);

        result_t res = {0};
        do_reload(r, &res);

        pthread_mutex_lock(&r->lock);
        r->result = res;
        r->have_result = 1;
        pthread_mutex_unlock(&r->lock);
        uv_async_send(&r->async);
    }
}

static void kick(dlpd_reload_t *r)
{
    r->running = 1;
    pthread_mutex_lock(&r->lock);
    r->kick = 1;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static void notify(waiter_t *w, const dlpd_reload_result_t *res)
{
    while (w) {
        waiter_t *next = w->next;
        w->cb(res, w->arg);
        free(w);
        w = next;
    }
}

/* Delivers a finished reload on the loop and starts the next one if asked. */
static void deliver(dlpd_reload_t *r)
{
    pthread_mutex_lock(&r->lock);
    int have = r->have_result;
    result_t res = r->result;
    r->have_result = 0;
    memset(&r->result, 0, sizeof(r->result));
    pthread_mutex_unlock(&r->lock);
    if (!have)
        return;

    dlpd_reload_result_t pub = {
        .ok = res.ok,
        .rules_version = res.rules_version ? res.rules_version : "",
        .rule_count = res.rule_count,
        .errors = (const char *const *)res.errors,
        .n_errors = res.n_errors,
        .dcfg = res.ok ? &res.dcfg : NULL,
    };
    waiter_t *ws = r->running_waiters;
    r->running_waiters = NULL;
    r->running = 0;
    if (r->on_result)
        r->on_result(&pub, r->arg);
    notify(ws, &pub);
    result_free(&res);

    if (r->next_requested && !r->stop) {
        r->running_waiters = r->next_waiters;
        r->next_waiters = NULL;
        r->next_requested = 0;
        kick(r);
    }
}

static void on_async(uv_async_t *h)
{
    deliver(h->data);
}

int dlpd_reload_new(uv_loop_t *loop, const char *config_path, dlp_engine_t *engine,
                    dlpd_stats_t *stats, dlpd_reload_cb on_result, void *arg, dlpd_reload_t **out)
{
    int rc = DLP_ENOMEM;
    dlpd_reload_t *r = calloc(1, sizeof(*r));
    if (!r)
        goto fail_alloc;
    if (config_path && !(r->path = strdup(config_path)))
        goto fail_path;
    if (pthread_mutex_init(&r->elock, NULL) != 0)
        goto fail_elock;
    if (pthread_mutex_init(&r->lock, NULL) != 0)
        goto fail_lock;
    if (pthread_cond_init(&r->cond, NULL) != 0)
        goto fail_cond;
    if (pthread_create(&r->thread, NULL, reload_main, r) != 0)
        goto fail_thread;
    /* The thread touches the async handle only after the first kick. */
    if ((rc = uv_async_init(loop, &r->async, on_async)) < 0)
        goto fail_async;
    r->async.data = r;
    r->engine = engine;
    r->stats = stats;
    r->on_result = on_result;
    r->arg = arg;
    *out = r;
    return 0;

fail_async:
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
fail_thread:
    pthread_cond_destroy(&r->cond);
fail_cond:
    pthread_mutex_destroy(&r->lock);
fail_lock:
    pthread_mutex_destroy(&r->elock);
fail_elock:
    free(r->path);
fail_path:
    free(r);
fail_alloc:
    return rc;
}

dlp_engine_t *dlpd_reload_engine(dlpd_reload_t *r)
{
    pthread_mutex_lock(&r->elock);
    dlp_engine_t *e = dlp_engine_ref(r->engine);
    pthread_mutex_unlock(&r->elock);
    return e;
}

int dlpd_reload_request(dlpd_reload_t *r, dlpd_reload_cb cb, void *arg)
{
    waiter_t *w = NULL;
    if (cb) {
        if (!(w = calloc(1, sizeof(*w))))
            return DLP_ENOMEM;
        w->cb = cb;
        w->arg = arg;
    }
    if (!r->running) {
        if (w) {
            w->next = r->running_waiters;
            r->running_waiters = w;
        }
        kick(r);
        return 0;
    }
    if (w) {
        w->next = r->next_waiters;
        r->next_waiters = w;
    }
    r->next_requested = 1;
    return 0;
}

int dlpd_reload_busy(const dlpd_reload_t *r)
{
    return r->running || r->next_requested;
}

static void on_close(uv_handle_t *h)
{
    dlpd_reload_t *r = h->data;
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    pthread_mutex_destroy(&r->elock);
    dlp_engine_unref(r->engine);
    free(r->path);
    free(r);
}

void dlpd_reload_free(dlpd_reload_t *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    deliver(r); /* a reload that finished while we were stopping */
    notify(r->running_waiters, NULL);
    notify(r->next_waiters, NULL);
    r->running_waiters = r->next_waiters = NULL;
    uv_close((uv_handle_t *)&r->async, on_close);
}
