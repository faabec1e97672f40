/*
 * raw_bench - the ceiling dlpd is measured against: the same compiled rules
 * run by Hyperscan straight over each message's decoded text, in process,
 * with no sockets, no MIME walk and no verdict.
 *
 * Each message is decoded once up front (the engine's own MIME and
 * attachment reader), then timed in stages so the cost of every layer shows:
 *   decode     the reader alone (MIME, transfer encodings, attachments), 1 thread
 *   hyperscan  hs_scan of the rule database over every decoded surface,
 *              1 thread and THREADS threads (the "raw engine")
 *   rules      dlp_scan_text per surface: Hyperscan plus validators, context
 *              and placement, 1 thread
 *   full       dlp_scan of the raw message, what a dlpd worker runs, 1 thread
 *
 *   dlp-raw-bench -c CONFIG [-t THREADS] [-s SECONDS] [--json] FILE...
 *
 * Links the static engine for its internals (the compiled database and the
 * message reader); nothing here is part of the public API.
 */
#include <errno.h>
#include <hs/hs.h>
#include <magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "dlp/dlp.h"
#include "dlp/rules.h"
#include "engine.h"
#include "message.h"

typedef struct surface {
    dlp_part_t part;
    uint8_t *data;
    size_t len;
} surface_t;

typedef struct msg {
    uint8_t *raw;
    size_t raw_len;
    surface_t *surf;
    size_t n_surf;
    size_t text_len; /* decoded bytes over all surfaces */
} msg_t;

typedef struct corpus {
    msg_t *m;
    size_t n;
    dlp_engine_t *e;
} corpus_t;

typedef struct result {
    uint64_t msgs, raw_bytes, text_bytes, ns;
} result_t;

typedef struct worker {
    const corpus_t *c;
    hs_scratch_t *scratch;
    double seconds;
    size_t first;
    result_t r;
} worker_t;

/* Decodes one message into owned copies of its surfaces. */
static int decode(const dlp_engine_t *e, magic_t magic, msg_t *m)
{
    dlp_read_ctx_t ctx = {&e->limits, 0, magic, NULL};
    dlp_message_t *dm;
    uint32_t incomplete = 0;
    if (dlp_message_parse(m->raw, m->raw_len, &ctx, &dm, &incomplete) != DLP_OK)
        return -1;
    const dlp_surface_t *s;
    size_t n = dlp_message_surfaces(dm, &s);
    m->surf = calloc(n ? n : 1, sizeof(surface_t));
    for (size_t i = 0; m->surf && i < n; i++) {
        m->surf[i].part = s[i].part;
        m->surf[i].len = s[i].len;
        m->surf[i].data = malloc(s[i].len ? s[i].len : 1);
        memcpy(m->surf[i].data, s[i].data, s[i].len);
        m->text_len += s[i].len;
    }
    m->n_surf = n;
    dlp_message_free(dm);
    return m->surf ? 0 : -1;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (*(uint64_t *)ctx)++;
    return 0;
}

static void *hs_worker(void *arg)
{
    worker_t *w = arg;
    const corpus_t *c = w->c;
    uint64_t start = bench_now_ns(), end = start + (uint64_t)(w->seconds * 1e9), hits = 0;
    for (size_t i = w->first; bench_now_ns() < end; i++) {
        const msg_t *m = &c->m[i % c->n];
        for (size_t k = 0; k < m->n_surf; k++)
            hs_scan(c->e->hs.db, (const char *)m->surf[k].data, (unsigned)m->surf[k].len, 0,
                    w->scratch, on_match, &hits);
        w->r.msgs++;
        w->r.raw_bytes += m->raw_len;
        w->r.text_bytes += m->text_len;
    }
    w->r.ns = bench_now_ns() - start;
    return NULL;
}

/* Hyperscan alone on 'threads' threads; the sums of their counts. */
static int run_hyperscan(const corpus_t *c, unsigned threads, double seconds, result_t *out)
{
    worker_t *w = calloc(threads, sizeof(*w));
    pthread_t *t = calloc(threads, sizeof(*t));
    hs_scratch_t *proto = NULL;
    if (!w || !t || hs_alloc_scratch(c->e->hs.db, &proto) != HS_SUCCESS)
        return -1;
    for (unsigned i = 0; i < threads; i++) {
        w[i] = (worker_t){.c = c, .seconds = seconds, .first = i * c->n / threads};
        hs_clone_scratch(proto, &w[i].scratch);
        pthread_create(&t[i], NULL, hs_worker, &w[i]);
    }
    *out = (result_t){0};
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        out->msgs += w[i].r.msgs;
        out->raw_bytes += w[i].r.raw_bytes;
        out->text_bytes += w[i].r.text_bytes;
        out->ns = w[i].r.ns > out->ns ? w[i].r.ns : out->ns;
        hs_free_scratch(w[i].scratch);
    }
    hs_free_scratch(proto);
    free(w);
    free(t);
    return 0;
}

typedef enum { STAGE_DECODE, STAGE_RULES, STAGE_FULL } stage_t;

/* One of the single-thread stages, for 'seconds'. */
static int run_stage(const corpus_t *c, stage_t stage, double seconds, result_t *r)
{
    dlp_scanner_t *s = NULL;
    magic_t magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (dlp_scanner_new(&s) || !magic || magic_load(magic, NULL))
        return -1;
    *r = (result_t){0};
    uint64_t start = bench_now_ns(), end = start + (uint64_t)(seconds * 1e9);
    for (size_t i = 0; bench_now_ns() < end; i++) {
        const msg_t *m = &c->m[i % c->n];
        if (stage == STAGE_DECODE) {
            msg_t copy = {.raw = m->raw, .raw_len = m->raw_len};
            if (decode(c->e, magic, &copy))
                return -1;
            for (size_t k = 0; k < copy.n_surf; k++)
                free(copy.surf[k].data);
            free(copy.surf);
        }
        for (size_t k = 0; stage == STAGE_RULES && k < m->n_surf; k++) {
            dlp_verdict_t *v;
            if (dlp_scan_text(s, c->e, m->surf[k].part, m->surf[k].data, m->surf[k].len, &v))
                return -1;
            dlp_verdict_free(v);
        }
        if (stage == STAGE_FULL) {
            dlp_scan_input_t in = {.message = m->raw, .message_len = m->raw_len};
            dlp_verdict_t *v;
            if (dlp_scan(s, c->e, &in, &v))
                return -1;
            dlp_verdict_free(v);
        }
        r->msgs++;
        r->raw_bytes += m->raw_len;
        r->text_bytes += m->text_len;
    }
    r->ns = bench_now_ns() - start;
    magic_close(magic);
    dlp_scanner_free(s);
    return 0;
}

static void print_result(const char *name, unsigned threads, const result_t *r, int json, int last)
{
    double s = (double)r->ns / 1e9;
    double mps = r->msgs / s, raw = r->raw_bytes / s / 1e6, text = r->text_bytes / s / 1e6;
    if (json)
        printf("  \"%s\": {\"threads\": %u, \"msgs_per_s\": %.1f, \"mb_per_s\": %.2f, "
               "\"text_mb_per_s\": %.2f, \"text_mb_per_s_per_thread\": %.2f}%s\n",
               name, threads, mps, raw, text, text / threads, last ? "" : ",");
    else
        printf("%-16s %2u thread%s %10.0f msgs/s %8.1f MB/s of mail %8.1f MB/s of text "
               "(%.1f per thread)\n",
               name, threads, threads == 1 ? " " : "s", mps, raw, text, text / threads);
}

static int load_corpus(corpus_t *c, char **files, size_t n, size_t *raw_total, size_t *text_total)
{
    magic_t magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (!magic || magic_load(magic, NULL))
        return -1;
    c->m = calloc(n, sizeof(msg_t));
    c->n = n;
    for (size_t i = 0; c->m && i < n; i++) {
        c->m[i].raw = bench_read_file(files[i], &c->m[i].raw_len);
        if (!c->m[i].raw || decode(c->e, magic, &c->m[i])) {
            fprintf(stderr, "dlp-raw-bench: %s: %s\n", files[i],
                    c->m[i].raw ? "cannot decode" : strerror(errno));
            return -1;
        }
        *raw_total += c->m[i].raw_len;
        *text_total += c->m[i].text_len;
    }
    magic_close(magic);
    return c->m ? 0 : -1;
}

int main(int argc, char **argv)
{
    bench_opts_t o = {.seconds = 3, .threads = 1};
    int first = bench_parse_opts(argc, argv, 1, &o);
    size_t n = first < 0 ? 0 : (size_t)(argc - first);
    if (!n || !o.threads || !o.config) {
        fprintf(stderr,
                "usage: dlp-raw-bench -c CONFIG [-t THREADS] [-s SECONDS] [--json] FILE...\n");
        return 64;
    }
    corpus_t c = {0};
    size_t raw_total = 0, text_total = 0;
    if (!(c.e = bench_engine(o.config)) ||
        load_corpus(&c, argv + first, n, &raw_total, &text_total))
        return 1;
    result_t dec, hs1, hsn, rules, full;
    if (run_stage(&c, STAGE_DECODE, o.seconds, &dec) || run_hyperscan(&c, 1, o.seconds, &hs1) ||
        run_hyperscan(&c, o.threads, o.seconds, &hsn) ||
        run_stage(&c, STAGE_RULES, o.seconds, &rules) ||
        run_stage(&c, STAGE_FULL, o.seconds, &full))
        return 1;
    if (o.json)
        printf("{\n  \"messages\": %zu, \"mail_bytes\": %zu, \"text_bytes\": %zu,\n", n, raw_total,
               text_total);
    else
        printf("%zu messages, %.1f MB of mail, %.1f MB of decoded text\n", n, raw_total / 1e6,
               text_total / 1e6);
    print_result("decode", 1, &dec, o.json, 0);
    print_result("hyperscan", 1, &hs1, o.json, 0);
    print_result("hyperscan_all", o.threads, &hsn, o.json, 0);
    print_result("rules", 1, &rules, o.json, 0);
    print_result("full", 1, &full, o.json, 1);
    if (o.json)
        printf("}\n");
    for (size_t i = 0; i < c.n; i++) {
        for (size_t k = 0; k < c.m[i].n_surf; k++)
            free(c.m[i].surf[k].data);
        free(c.m[i].surf);
        free(c.m[i].raw);
    }
    free(c.m);
    dlp_engine_unref(c.e);
    return 0;
}
