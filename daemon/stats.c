/*
 * stats - atomic counters, gauges and the latency histogram (see stats.h).
 * Relaxed atomics are enough: the values are independent and only ever read
 * as a snapshot. Histogram buckets are stored per bucket (not cumulative) so
 * a scan costs one increment; readers add them up, and the count is that
 * sum, so _count always equals the +Inf bucket.
 */
#include "stats.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct dlpd_stats {
    _Atomic uint64_t v[DLPD_STAT__COUNT];
    _Atomic uint64_t findings[DLP_CAT__COUNT];
    _Atomic uint64_t incomplete[DLP_LIMIT__COUNT];
    _Atomic uint64_t latency[DLPD_LATENCY_SLOTS];
    _Atomic uint64_t latency_sum_ns;
    uint64_t start_ns;
};

static const struct {
    const char *name;
    dlpd_family_t family;
    const char *label_value;
    const char *help;
} stat_table[] = {
#define DLPD_STAT_ROW(id, name, family, label, help) {name, DLPD_FAM_##family, label, help},
    DLPD_STATS_MAP(DLPD_STAT_ROW)
#undef DLPD_STAT_ROW
};

static const struct {
    const char *name;
    dlpd_stat_kind_t kind;
    const char *label;
    const char *help;
} family_table[] = {
#define DLPD_FAMILY_ROW(id, name, kind, label, help) {name, DLPD_STAT_##kind, label, help},
    DLPD_FAMILY_MAP(DLPD_FAMILY_ROW)
#undef DLPD_FAMILY_ROW
};

static const uint64_t latency_bound_ns[DLPD_LATENCY_BOUNDS] = {
#define DLPD_BUCKET_NS(ns, le) ns##ull,
    DLPD_LATENCY_BUCKETS(DLPD_BUCKET_NS)
#undef DLPD_BUCKET_NS
};

static const char *const latency_le[DLPD_LATENCY_SLOTS] = {
#define DLPD_BUCKET_LE(ns, le) le,
    DLPD_LATENCY_BUCKETS(DLPD_BUCKET_LE)
#undef DLPD_BUCKET_LE
        "+Inf",
};

uint64_t dlpd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

dlpd_stats_t *dlpd_stats_new(void)
{
    /* calloc's zero bytes are a valid zero for lock-free 64-bit atomics. */
    dlpd_stats_t *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->start_ns = dlpd_now_ns();
    return st;
}

void dlpd_stats_free(dlpd_stats_t *st)
{
    free(st);
}

static void add(_Atomic uint64_t *a, uint64_t n)
{
    atomic_fetch_add_explicit(a, n, memory_order_relaxed);
}

static uint64_t load(const _Atomic uint64_t *a)
{
    return atomic_load_explicit((_Atomic uint64_t *)a, memory_order_relaxed);
}

void dlpd_stats_add(dlpd_stats_t *st, dlpd_stat_t id, uint64_t n)
{
    add(&st->v[id], n);
}

void dlpd_stats_inc(dlpd_stats_t *st, dlpd_stat_t id)
{
    add(&st->v[id], 1);
}

void dlpd_stats_dec(dlpd_stats_t *st, dlpd_stat_t id)
{
    atomic_fetch_sub_explicit(&st->v[id], 1, memory_order_relaxed);
}

uint64_t dlpd_stats_get(const dlpd_stats_t *st, dlpd_stat_t id)
{
    return load(&st->v[id]);
}

void dlpd_stats_error(dlpd_stats_t *st, int code)
{
    /* Dlp__V1__ErrorCode 1..9 map in order onto ERR_DECODE_ERROR.. */
    if (code >= 1 && code <= DLPD_STAT_ERR_RELOAD_FAILED - DLPD_STAT_ERR_DECODE_ERROR + 1)
        dlpd_stats_inc(st, (dlpd_stat_t)(DLPD_STAT_ERR_DECODE_ERROR + code - 1));
}

void dlpd_stats_verdict(dlpd_stats_t *st, const dlp_verdict_t *v)
{
    static const dlpd_stat_t by_action[] = {
        [DLP_ACTION_ALLOW] = DLPD_STAT_ACTION_ALLOW,
        [DLP_ACTION_WARN] = DLPD_STAT_ACTION_WARN,
        [DLP_ACTION_QUARANTINE] = DLPD_STAT_ACTION_QUARANTINE,
        [DLP_ACTION_BLOCK] = DLPD_STAT_ACTION_BLOCK,
    };
    if ((unsigned)v->action <= DLP_ACTION_BLOCK)
        dlpd_stats_inc(st, by_action[v->action]);
    dlpd_stats_add(st, DLPD_STAT_FINDINGS, v->n_findings);
    for (size_t i = 0; i < v->n_findings; i++)
        if ((unsigned)v->findings[i].category < DLP_CAT__COUNT)
            add(&st->findings[v->findings[i].category], 1);
    if (v->incomplete)
        dlpd_stats_inc(st, DLPD_STAT_INCOMPLETE);
    for (int l = 0; l < DLP_LIMIT__COUNT; l++)
        if (v->incomplete & (1u << l))
            add(&st->incomplete[l], 1);
}

void dlpd_stats_latency(dlpd_stats_t *st, uint64_t ns)
{
    size_t i = 0;
    while (i < DLPD_LATENCY_BOUNDS && ns > latency_bound_ns[i])
        i++;
    add(&st->latency[i], 1);
    add(&st->latency_sum_ns, ns);
}

uint64_t dlpd_stats_uptime_s(const dlpd_stats_t *st)
{
    return (dlpd_now_ns() - st->start_ns) / 1000000000u;
}

/* ---------------------------------------------------------------- readers */

static size_t family_samples(const dlpd_stats_t *st, dlpd_family_t f, dlpd_sample_t *out)
{
    size_t n = 0;
    if (f == DLPD_FAM_FINDINGS) {
        for (int c = 0; c < DLP_CAT__COUNT; c++)
            out[n++] =
                (dlpd_sample_t){f, dlp_category_name((dlp_category_t)c), load(&st->findings[c])};
        return n;
    }
    if (f == DLPD_FAM_INCOMPLETE) {
        for (int l = 0; l < DLP_LIMIT__COUNT; l++)
            out[n++] = (dlpd_sample_t){f, dlp_limit_name((dlp_limit_t)l), load(&st->incomplete[l])};
        return n;
    }
    if (f == DLPD_FAM_UPTIME) {
        out[n++] = (dlpd_sample_t){f, NULL, dlpd_stats_uptime_s(st)};
        return n;
    }
    for (int i = 0; i < DLPD_STAT__COUNT; i++) {
        if (stat_table[i].family != f)
            continue;
        if (family_table[f].label && !stat_table[i].label_value)
            continue; /* the family's total: a flat counter only */
        out[n++] = (dlpd_sample_t){f, stat_table[i].label_value, load(&st->v[i])};
    }
    return n;
}

size_t dlpd_stats_samples(const dlpd_stats_t *st, dlpd_sample_t *out)
{
    size_t n = 0;
    for (int f = 0; f < DLPD_FAM__COUNT; f++)
        n += family_samples(st, (dlpd_family_t)f, out + n);
    return n;
}

void dlpd_stats_histogram(const dlpd_stats_t *st, dlpd_histogram_t *h)
{
    uint64_t run = 0;
    for (size_t i = 0; i < DLPD_LATENCY_SLOTS; i++) {
        run += load(&st->latency[i]);
        h->cumulative[i] = run;
    }
    h->count = run;
    h->sum_ns = load(&st->latency_sum_ns);
}

/* ------------------------------------------------------------------ names */

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
    return id < DLPD_STAT__COUNT ? family_table[stat_table[id].family].kind : DLPD_STAT_COUNTER;
}

const char *dlpd_family_name(dlpd_family_t f)
{
    return f < DLPD_FAM__COUNT ? family_table[f].name : "unknown";
}

const char *dlpd_family_label(dlpd_family_t f)
{
    return f < DLPD_FAM__COUNT ? family_table[f].label : NULL;
}

const char *dlpd_family_help(dlpd_family_t f)
{
    return f < DLPD_FAM__COUNT ? family_table[f].help : "";
}

dlpd_stat_kind_t dlpd_family_kind(dlpd_family_t f)
{
    return f < DLPD_FAM__COUNT ? family_table[f].kind : DLPD_STAT_COUNTER;
}

const char *dlpd_latency_le(size_t i)
{
    return i < DLPD_LATENCY_SLOTS ? latency_le[i] : "";
}
