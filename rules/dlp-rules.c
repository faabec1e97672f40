/*
 * dlp-rules - the rule writer's tool, on the daemon's own engine (libdlp).
 *
 *   dlp-rules lint [DIR]                 load and compile; every error as file:line:col
 *   dlp-rules test [DIR]                 run every rule's match / no_match examples
 *   dlp-rules scan [-c CFG] [--rules DIR] [--explain] [--json] FILE...
 *   dlp-rules eval --labels FILE.jsonl [DIR]   precision and recall per category, hits per
 *                                        rule; --min-precision/--min-recall make it a test
 *   dlp-rules profile [DIR] FILE...      scan cost per rule over a corpus
 *   dlp-rules compile [DIR] -o FILE      a compiled bundle any config's rules: may name
 *
 * DIR defaults to the rules path of the config (-c) or the installed pack.
 * Exit status: 0 success, 1 failures found (lint errors, failing tests),
 * 2 usage or I/O error. scan exits like dlpc: 0 allow .. 3 block.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/dlp.h"
#include "dlp/rules.h"

#define EXIT_FAILURES 1
#define EXIT_USAGE    2

typedef struct opts {
    const char *config;
    const char *rules;
    const char *labels;
    double min_precision, min_recall; /* eval fails below these, per category */
    int explain, json;
} opts_t;

static void print_diags(const dlp_diags_t *d)
{
    char buf[2048];
    for (size_t i = 0; i < dlp_diags_count(d); i++) {
        dlp_diags_format(d, i, buf, sizeof(buf));
        fprintf(stderr, "%s\n", buf);
    }
}

/* Builds the engine from the config and/or a rules path; NULL after printing errors. */
static dlp_engine_t *load_engine(const opts_t *o, int use_cache)
{
    static const char *const any[] = {"*", NULL};
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg = NULL;
    dlp_engine_t *e = NULL;
    int rc = dlp_config_load(o->config, any, &cfg, d);
    if (rc == DLP_OK && o->rules)
        rc = dlp_config_set_rules_path(cfg, o->rules);
    if (rc == DLP_OK && !use_cache)
        rc = dlp_config_set_cache_dir(cfg, NULL);
    if (rc == DLP_OK)
        rc = dlp_engine_new(cfg, &e, d);
    print_diags(d);
    if (rc && !dlp_diags_count(d))
        fprintf(stderr, "dlp-rules: %s\n", dlp_strerror(rc));
    dlp_diags_free(d);
    dlp_config_free(cfg);
    return e;
}

static int cmd_lint(const opts_t *o)
{
    dlp_engine_t *e = load_engine(o, 0);
    if (!e)
        return EXIT_FAILURES;
    size_t patterns = 0;
    for (size_t i = 0; i < dlp_engine_rule_count(e); i++) {
        dlp_rule_info_t ri;
        dlp_engine_rule_info(e, i, &ri);
        patterns += ri.n_patterns;
    }
    printf("%zu rules, %zu patterns: ok (%s)\n", dlp_engine_rule_count(e), patterns,
           dlp_engine_rules_version(e));
    dlp_engine_unref(e);
    return 0;
}

static int has_finding(const dlp_verdict_t *v, const char *id)
{
    for (size_t i = 0; i < v->n_findings; i++)
        if (strcmp(v->findings[i].rule_id, id) == 0)
            return 1;
    return 0;
}

/* The part an example is scanned as: the first part in the rule's scope. */
static dlp_part_t example_part(const dlp_rule_info_t *ri)
{
    static const dlp_part_t order[] = {DLP_PART_BODY, DLP_PART_SUBJECT, DLP_PART_ATTACHMENT,
                                       DLP_PART_FILENAME, DLP_PART_HEADER};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (ri->scope & (1u << order[i]))
            return order[i];
    return DLP_PART_BODY;
}

/* Runs one rule's examples; returns the number that failed. */
static int test_rule(dlp_scanner_t *s, dlp_engine_t *e, const dlp_rule_info_t *ri, int *passed)
{
    int failed = 0;
    if (ri->n_tests_match == 0 || ri->n_tests_no_match == 0) {
        printf("%s:%d: [%s] needs at least one match and one no_match example\n", ri->file,
               ri->line, ri->id);
        failed++;
    }
    for (int want = 1; want >= 0; want--) {
        const char *const *ex = want ? ri->tests_match : ri->tests_no_match;
        size_t n = want ? ri->n_tests_match : ri->n_tests_no_match;
        for (size_t j = 0; j < n; j++) {
            dlp_verdict_t *v = NULL;
            int rc =
                dlp_scan_text(s, e, example_part(ri), (const uint8_t *)ex[j], strlen(ex[j]), &v);
            if (rc == DLP_OK && has_finding(v, ri->id) == want) {
                (*passed)++;
            } else {
                printf("%s:%d: [%s] %s example %s: %s\n", ri->file, ri->line, ri->id,
                       want ? "match" : "no_match", want ? "not found" : "found", ex[j]);
                failed++;
            }
            dlp_verdict_free(v);
        }
    }
    return failed;
}

static int cmd_test(const opts_t *o)
{
    dlp_engine_t *e = load_engine(o, 0);
    dlp_scanner_t *s = NULL;
    if (!e || dlp_scanner_new(&s)) {
        dlp_engine_unref(e);
        return EXIT_FAILURES;
    }
    int passed = 0, failed = 0;
    for (size_t i = 0; i < dlp_engine_rule_count(e); i++) {
        dlp_rule_info_t ri;
        dlp_engine_rule_info(e, i, &ri);
        failed += test_rule(s, e, &ri, &passed);
    }
    printf("%zu rules: %d passed, %d failed\n", dlp_engine_rule_count(e), passed, failed);
    dlp_scanner_free(s);
    dlp_engine_unref(e);
    return failed ? EXIT_FAILURES : 0;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf)
        return -1;
    *data = buf;
    *len = n;
    return 0;
}

/* --explain: the finding in its context, the match between >>> and <<<. */
static void explain(void *arg, const dlp_finding_t *f, const uint8_t *text, size_t len)
{
    size_t start = f->offset, end = start + strlen(f->snippet);
    size_t from = start > 40 ? start - 40 : 0, to = end + 40 < len ? end + 40 : len;
    printf("  %s in %s at %llu: ", f->rule_id, f->where, (unsigned long long)f->offset);
    for (size_t i = from; i < to; i++) {
        if (i == start)
            fputs(">>>", stdout);
        if (i == end)
            fputs("<<<", stdout);
        putchar(text[i] >= 0x20 && text[i] < 0x7f ? text[i] : ' ');
    }
    puts(end >= to ? "<<<" : "");
    (void)arg;
}

static void print_verdict(const char *file, const dlp_verdict_t *v, int json)
{
    if (!json) {
        printf("%s: %s (score %u)\n", file, dlp_action_name(v->action), v->score);
        for (size_t i = 0; i < v->n_findings; i++) {
            const dlp_finding_t *f = &v->findings[i];
            printf("  finding %s (%s, %s) in %s at %llu x%u: %s\n", f->rule_id,
                   dlp_category_name(f->category), dlp_severity_name(f->severity), f->where,
                   (unsigned long long)f->offset, f->count, f->snippet);
        }
        for (size_t i = 0; i < v->n_reasons; i++)
            printf("  reason: %s\n", v->reasons[i]);
        return;
    }
    json_t *o = json_pack("{s:s, s:s, s:i}", "file", file, "action", dlp_action_name(v->action),
                          "score", (int)v->score);
    json_t *fs = json_array();
    for (size_t i = 0; i < v->n_findings; i++) {
        const dlp_finding_t *f = &v->findings[i];
        json_array_append_new(fs, json_pack("{s:s, s:s, s:s, s:s, s:I, s:i}", "rule", f->rule_id,
                                            "category", dlp_category_name(f->category), "part",
                                            dlp_part_name(f->part), "where", f->where, "offset",
                                            (json_int_t)f->offset, "count", (int)f->count));
    }
    json_object_set_new(o, "findings", fs);
    char *txt = json_dumps(o, JSON_COMPACT);
    puts(txt);
    free(txt);
    json_decref(o);
}

static int cmd_scan(const opts_t *o, int n, char **files)
{
    dlp_engine_t *e = load_engine(o, 1);
    dlp_scanner_t *s = NULL;
    if (!e || dlp_scanner_new(&s)) {
        dlp_engine_unref(e);
        return EXIT_USAGE;
    }
    int worst = 0;
    for (int i = 0; i < n; i++) {
        uint8_t *data;
        size_t len;
        if (read_file(files[i], &data, &len)) {
            fprintf(stderr, "%s: %s\n", files[i], strerror(errno));
            worst = EXIT_USAGE + 2; /* above block, like dlpc's error code */
            continue;
        }
        dlp_scan_input_t in = {.message = data, .message_len = len};
        if (o->explain) {
            printf("%s:\n", files[i]);
            in.explain = explain;
        }
        dlp_verdict_t *v = NULL;
        int rc = dlp_scan(s, e, &in, &v);
        if (rc) {
            fprintf(stderr, "%s: %s\n", files[i], dlp_strerror(rc));
            worst = EXIT_USAGE + 2;
        } else {
            print_verdict(files[i], v, o->json);
            if ((int)v->action > worst && worst < EXIT_USAGE + 2)
                worst = (int)v->action;
        }
        dlp_verdict_free(v);
        free(data);
    }
    dlp_scanner_free(s);
    dlp_engine_unref(e);
    return worst;
}

typedef struct tally {
    unsigned tp, fp, fn;
} tally_t;

/* Reads one labelled sample: {"file": PATH} or {"text": STR}, with "labels": [category...]. */
static int eval_sample(json_t *o, const char *base, dlp_scanner_t *s, dlp_engine_t *e, tally_t *cat,
                       unsigned *rule_hits)
{
    uint32_t want = 0, got = 0;
    json_t *labels = json_object_get(o, "labels"), *l;
    size_t i;
    json_array_foreach(labels, i, l)
    {
        dlp_category_t c;
        if (dlp_category_from_name(json_string_value(l), &c))
            return -1;
        want |= 1u << c;
    }
    const char *file = json_string_value(json_object_get(o, "file"));
    const char *text = json_string_value(json_object_get(o, "text"));
    uint8_t *data = NULL;
    size_t len = 0;
    dlp_verdict_t *v = NULL;
    int rc = -1;
    if (file) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", base, file);
        if (read_file(path, &data, &len) == 0) {
            dlp_scan_input_t in = {.message = data, .message_len = len};
            rc = dlp_scan(s, e, &in, &v);
        }
    } else if (text) {
        rc = dlp_scan_text(s, e, DLP_PART_BODY, (const uint8_t *)text, strlen(text), &v);
    }
    free(data);
    if (rc)
        return -1;
    for (size_t k = 0; k < v->n_findings; k++) {
        got |= 1u << v->findings[k].category;
        for (size_t r = 0; r < dlp_engine_rule_count(e); r++) {
            dlp_rule_info_t ri;
            dlp_engine_rule_info(e, r, &ri);
            rule_hits[r] += strcmp(ri.id, v->findings[k].rule_id) == 0;
        }
    }
    for (int c = 0; c < DLP_CAT__COUNT; c++) {
        int w = (want >> c) & 1, g = (got >> c) & 1;
        cat[c].tp += w && g;
        cat[c].fp += !w && g;
        cat[c].fn += w && !g;
    }
    dlp_verdict_free(v);
    return 0;
}

static int cmd_eval(const opts_t *o)
{
    if (!o->labels) {
        fprintf(stderr, "dlp-rules eval: --labels FILE.jsonl is required\n");
        return EXIT_USAGE;
    }
    FILE *f = fopen(o->labels, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", o->labels, strerror(errno));
        return EXIT_USAGE;
    }
    dlp_engine_t *e = load_engine(o, 1);
    dlp_scanner_t *s = NULL;
    if (!e || dlp_scanner_new(&s)) {
        fclose(f);
        dlp_engine_unref(e);
        return EXIT_USAGE;
    }
    char base[4096];
    snprintf(base, sizeof(base), "%s", o->labels);
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(base, ".");
    tally_t cat[DLP_CAT__COUNT] = {{0}};
    int below = 0;
    unsigned *hits = calloc(dlp_engine_rule_count(e) + 1, sizeof(unsigned));
    char line[1 << 16];
    int n = 0, bad = 0, lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (line[0] == '\n' || line[0] == '#')
            continue;
        json_t *obj = json_loads(line, 0, NULL);
        if (!obj || eval_sample(obj, base, s, e, cat, hits)) {
            fprintf(stderr, "%s:%d: unusable sample\n", o->labels, lineno);
            bad++;
        } else {
            n++;
        }
        json_decref(obj);
    }
    fclose(f);
    printf("%d samples\n%-12s %9s %9s %6s %6s %6s\n", n, "category", "precision", "recall", "tp",
           "fp", "fn");
    for (int c = 0; c < DLP_CAT__COUNT; c++) {
        tally_t t = cat[c];
        if (!t.tp && !t.fp && !t.fn)
            continue;
        double p = t.tp + t.fp ? (double)t.tp / (t.tp + t.fp) : 1.0;
        double r = t.tp + t.fn ? (double)t.tp / (t.tp + t.fn) : 1.0;
        int low = p < o->min_precision || r < o->min_recall;
        below += low;
        printf("%-12s %9.3f %9.3f %6u %6u %6u%s\n", dlp_category_name((dlp_category_t)c), p, r,
               t.tp, t.fp, t.fn, low ? "  below the required minimum" : "");
    }
    printf("\nhits per rule:\n");
    for (size_t r = 0; r < dlp_engine_rule_count(e); r++) {
        dlp_rule_info_t ri;
        dlp_engine_rule_info(e, r, &ri);
        printf("  %-32s %u\n", ri.id, hits[r]);
    }
    free(hits);
    dlp_scanner_free(s);
    dlp_engine_unref(e);
    return bad || below ? EXIT_FAILURES : 0;
}

typedef struct cost {
    size_t rule;
    uint64_t ns;
} cost_t;

static int cmp_cost(const void *a, const void *b)
{
    uint64_t x = ((const cost_t *)a)->ns, y = ((const cost_t *)b)->ns;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int cmd_profile(const opts_t *o, int n, char **files)
{
    uint8_t **texts = calloc((size_t)n + 1, sizeof(uint8_t *));
    size_t *lens = calloc((size_t)n + 1, sizeof(size_t)), total = 0;
    for (int i = 0; i < n; i++) {
        if (read_file(files[i], &texts[i], &lens[i])) {
            fprintf(stderr, "%s: %s\n", files[i], strerror(errno));
            return EXIT_USAGE;
        }
        total += lens[i];
    }
    dlp_engine_t *e = load_engine(o, 1);
    if (!e || total == 0)
        return EXIT_USAGE;
    size_t nr = dlp_engine_rule_count(e);
    uint64_t *ns = calloc(nr + 1, sizeof(uint64_t));
    cost_t *c = calloc(nr + 1, sizeof(cost_t));
    unsigned rounds = total > (64u << 20) ? 1 : (unsigned)((64u << 20) / total);
    if (dlp_engine_profile(e, (const uint8_t *const *)texts, lens, (size_t)n, rounds, ns))
        return EXIT_USAGE;
    for (size_t r = 0; r < nr; r++)
        c[r] = (cost_t){r, ns[r]};
    qsort(c, nr, sizeof(cost_t), cmp_cost);
    printf("%zu bytes, %u rounds; rules by cost (alone, one core):\n", total, rounds);
    printf("%-32s %12s %10s\n", "rule", "us/round", "MB/s");
    for (size_t r = 0; r < nr; r++) {
        dlp_rule_info_t ri;
        dlp_engine_rule_info(e, c[r].rule, &ri);
        double mbs = c[r].ns ? (double)total / ((double)c[r].ns / 1e9) / 1e6 : 0;
        printf("%-32s %12.1f %10.0f\n", ri.id, (double)c[r].ns / 1e3, mbs);
    }
    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(lens);
    free(ns);
    free(c);
    dlp_engine_unref(e);
    return 0;
}

static int cmd_compile(const opts_t *o, const char *out)
{
    dlp_engine_t *e = load_engine(o, 0);
    if (!e)
        return EXIT_FAILURES;
    int rc = dlp_engine_save(e, out);
    if (rc)
        fprintf(stderr, "%s: %s\n", out, dlp_strerror(rc));
    else
        printf("%s: %zu rules (%s)\n", out, dlp_engine_rule_count(e), dlp_engine_rules_version(e));
    dlp_engine_unref(e);
    return rc ? EXIT_USAGE : 0;
}

static void usage(FILE *f)
{
    fputs("usage: dlp-rules lint [DIR]\n"
          "       dlp-rules test [DIR]\n"
          "       dlp-rules scan [-c CONFIG] [--rules DIR] [--explain] [--json] FILE...\n"
          "       dlp-rules eval --labels FILE.jsonl [--min-precision P] [--min-recall R] [DIR]\n"
          "       dlp-rules profile [--rules DIR] FILE...\n"
          "       dlp-rules compile [DIR] -o FILE\n"
          "DIR defaults to the config's rules path (-c) or the installed pack.\n"
          "exit: 0 ok, 1 lint errors or failing tests, 2 usage or I/O error;\n"
          "scan: 0 allow, 1 warn, 2 quarantine, 3 block, 4 error.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *cmd = argv[1];
    opts_t o = {0};
    static const struct option lo[] = {{"config", required_argument, NULL, 'c'},
                                       {"rules", required_argument, NULL, 'r'},
                                       {"labels", required_argument, NULL, 'l'},
                                       {"explain", no_argument, NULL, 'x'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"min-precision", required_argument, NULL, 'P'},
                                       {"min-recall", required_argument, NULL, 'R'},
                                       {"output", required_argument, NULL, 'o'},
                                       {0}};
    int c;
    optind = 2;
    const char *output = NULL;
    while ((c = getopt_long(argc, argv, "c:r:o:", lo, NULL)) != -1) {
        switch (c) {
        case 'c':
            o.config = optarg;
            break;
        case 'r':
            o.rules = optarg;
            break;
        case 'l':
            o.labels = optarg;
            break;
        case 'x':
            o.explain = 1;
            break;
        case 'j':
            o.json = 1;
            break;
        case 'P':
            o.min_precision = atof(optarg);
            break;
        case 'R':
            o.min_recall = atof(optarg);
            break;
        case 'o':
            output = optarg;
            break;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    int rest = argc - optind;
    char **args = argv + optind;
    int dir_cmd = !strcmp(cmd, "lint") || !strcmp(cmd, "test") || !strcmp(cmd, "eval") ||
                  !strcmp(cmd, "compile");
    if (dir_cmd && rest == 1 && !o.rules)
        o.rules = args[0];
    else if (dir_cmd && rest > 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(cmd, "lint"))
        return cmd_lint(&o);
    if (!strcmp(cmd, "test"))
        return cmd_test(&o);
    if (!strcmp(cmd, "eval"))
        return cmd_eval(&o);
    if (!strcmp(cmd, "compile") && output)
        return cmd_compile(&o, output);
    if (!strcmp(cmd, "scan") && rest > 0)
        return cmd_scan(&o, rest, args);
    if (!strcmp(cmd, "profile") && rest > 0)
        return cmd_profile(&o, rest, args);
    usage(stderr);
    return EXIT_USAGE;
}
