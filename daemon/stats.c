/*
 * stats - atomic counters and gauges (see stats.h). Relaxed atomics are
 * enough: the values are independent and only ever read as a snapshot.
 */
#include "stats.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct dlpd_stats {
    _Atomic uint64_t v[DLPD_STAT__COUNT];
    uint64_t start_ns;
};

static const struct {
    const char *name;
    dlpd_stat_kind_t kind;
    const char *help;
} stat_table[] = {
#define DLPD_STAT_ROW(id, name, kind, help) {name, DLPD_STAT_##kind, help},
    DLPD_STATS_MAP(DLPD_STAT_ROW)
#undef DLPD_STAT_ROW
};

uint64_t dlpd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

dlpd_stats_t *dlpd_stats_new(void)
{
    dlpd_stats_t *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    for (size_t i = 0; i < DLPD_STAT__COUNT; i++)
        atomic_init(&st->v[i], 0);
    st->start_ns = dlpd_now_ns();
    return st;
}

void dlpd_stats_free(dlpd_stats_t *st)
{
    free(st);
}

void dlpd_stats_add(dlpd_stats_t *st, dlpd_stat_t id, uint64_t n)
{
    atomic_fetch_add_explicit(&st->v[id], n, memory_order_relaxed);
}

void dlpd_stats_inc(dlpd_stats_t *st, dlpd_stat_t id)
{
    dlpd_stats_add(st, id, 1);
}

void dlpd_stats_dec(dlpd_stats_t *st, dlpd_stat_t id)
{
    atomic_fetch_sub_explicit(&st->v[id], 1, memory_order_relaxed);
}

uint64_t dlpd_stats_get(const dlpd_stats_t *st, dlpd_stat_t id)
{
    return atomic_load_explicit(&((dlpd_stats_t *)st)->v[id], memory_order_relaxed);
}

void dlpd_stats_error(dlpd_stats_t *st, int code)
{
    /* Dlp__V1__ErrorCode 1..9 map in order onto ERR_DECODE_ERROR.. */
    if (code >= 1 && code <= DLPD_STAT_ERR_RELOAD_FAILED - DLPD_STAT_ERR_DECODE_ERROR + 1)
        dlpd_stats_inc(st, (dlpd_stat_t)(DLPD_STAT_ERR_DECODE_ERROR + code - 1));
}

uint64_t dlpd_stats_uptime_s(const dlpd_stats_t *st)
{
    return (dlpd_now_ns() - st->start_ns) / 1000000000u;
}

const char *dlpd_stat_name(dlpd_stat_t id)
{
    return id < DLPD_STAT__COUNT ? stat_table[id].name : "unknown";
}

const char *dlpd_stat_help(dlpd_stat_t id)
{
    return id < DLPD_STAT__COUNT ? stat_table[id].help : "";
}

dlpd_stat_kind_t dlpd_stat_kind(dlpd_stat_t id)
{
    return id < DLPD_STAT__COUNT ? stat_table[id].kind : DLPD_STAT_COUNTER;
}
