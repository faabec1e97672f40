/*
 * test_metrics - the daemon's stats module and the two views built from it:
 * the Prometheus text (exact lines, one HELP/TYPE per family, label
 * escaping, histogram buckets at their bounds, a well-formed page) and the
 * StatsReply (the same figures as the text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "proto/dlp.pb-c.h"
#include "stats.h"

static const dlp_finding_t findings[] = {
    {.rule_id = "a", .category = DLP_CAT_PASSPORT},
    {.rule_id = "b", .category = DLP_CAT_PASSPORT},
    {.rule_id = "c", .category = DLP_CAT_MARKING},
};

/* Two verdicts, three latencies (one exactly on a bound, one just past it), one error. */
static dlpd_stats_t *filled(void)
{
    dlpd_stats_t *st = dlpd_stats_new();
    assert_non_null(st);
    dlp_verdict_t v = {.action = DLP_ACTION_BLOCK, .findings = findings, .n_findings = 3};
    dlpd_stats_verdict(st, &v);
    dlp_verdict_t w = {.action = DLP_ACTION_WARN,
                       .incomplete = (1u << DLP_LIMIT_MIME_PARTS) | (1u << DLP_LIMIT_PDF_PAGES)};
    dlpd_stats_verdict(st, &w);
    dlpd_stats_latency(st, 1000000);      /* le 0.001 */
    dlpd_stats_latency(st, 1000001);      /* le 0.0025 */
    dlpd_stats_latency(st, 60000000000u); /* +Inf only */
    dlpd_stats_error(st, DLP__V1__ERROR_CODE__OVERLOADED);
    dlpd_stats_add(st, DLPD_STAT_WORKERS, 4);
    return st;
}

static char *page_of(const dlpd_stats_t *st, const char *rules)
{
    size_t len = 0;
    char *text = dlpd_metrics_format(st, rules, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    return text;
}

static void has_line(const char *page, const char *line)
{
    char want[512];
    snprintf(want, sizeof(want), "\n%s\n", line);
    if (!strstr(page, want))
        fail_msg("missing line: %s", line);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_exact_lines(void **state)
{
    dlpd_stats_t *st = filled();
    char *page = page_of(st, "7 rules, sha256:abc");
    has_line(page, "dlpd_rules_info{version=\"7 rules, sha256:abc\"} 1");
    has_line(page, "dlpd_scans_total{action=\"block\"} 1");
    has_line(page, "dlpd_scans_total{action=\"warn\"} 1");
    has_line(page, "dlpd_scans_total{action=\"allow\"} 0");
    has_line(page, "dlpd_findings_total{category=\"passport\"} 2");
    has_line(page, "dlpd_findings_total{category=\"marking\"} 1");
    has_line(page, "dlpd_findings_total{category=\"medical\"} 0");
    has_line(page, "dlpd_scans_incomplete_total{limit=\"mime_parts\"} 1");
    has_line(page, "dlpd_scans_incomplete_total{limit=\"pdf_pages\"} 1");
    has_line(page, "dlpd_scans_incomplete_total{limit=\"message_bytes\"} 0");
    has_line(page, "dlpd_incomplete_verdicts_total 1");
    has_line(page, "dlpd_errors_total{code=\"overloaded\"} 1");
    has_line(page, "dlpd_errors_total{code=\"internal\"} 0");
    has_line(page, "dlpd_workers 4");
    has_line(page, "# TYPE dlpd_workers gauge");
    has_line(page, "# TYPE dlpd_scans_total counter");
    /* The family total of findings is no sample of its own on the page. */
    assert_null(strstr(page, "\ndlpd_findings_total "));
    free(page);
    dlpd_stats_free(st);
}

static void test_histogram(void **state)
{
    dlpd_stats_t *st = filled();
    char *page = page_of(st, "r");
    has_line(page, "# TYPE dlpd_scan_duration_seconds histogram");
    has_line(page, "dlpd_scan_duration_seconds_bucket{le=\"0.001\"} 1");
    has_line(page, "dlpd_scan_duration_seconds_bucket{le=\"0.0025\"} 2");
    has_line(page, "dlpd_scan_duration_seconds_bucket{le=\"30\"} 2");
    has_line(page, "dlpd_scan_duration_seconds_bucket{le=\"+Inf\"} 3");
    has_line(page, "dlpd_scan_duration_seconds_sum 60.002000001");
    has_line(page, "dlpd_scan_duration_seconds_count 3");
    free(page);
    dlpd_stats_free(st);
}

static void test_label_escaping(void **state)
{
    dlpd_stats_t *st = dlpd_stats_new();
    char *page = page_of(st, "a\"b\\c\nd");
    has_line(page, "dlpd_rules_info{version=\"a\\\"b\\\\c\\nd\"} 1");
    free(page);
    dlpd_stats_free(st);
}

/* Every line is a comment or "name[{labels}] value"; every family has exactly one
 * HELP and one TYPE, before its first sample. */
static void test_well_formed(void **state)
{
    dlpd_stats_t *st = filled();
    char *page = page_of(st, "r");
    assert_true(page[strlen(page) - 1] == '\n');
    char *save = NULL, *copy = strdup(page), typed[128] = "";
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char name[128];
        if (strncmp(l, "# HELP ", 7) == 0)
            continue;
        if (sscanf(l, "# TYPE %127s", typed) == 1) {
            char help[160];
            snprintf(help, sizeof(help), "# HELP %s ", typed);
            assert_int_equal(count(page, help), 1);
            continue;
        }
        assert_int_equal(sscanf(l, "%127[a-z_]", name), 1);
        size_t n = strlen(typed);
        if (strncmp(name, typed, n) != 0 ||
            (name[n] && strcmp(name + n, "_bucket") && strcmp(name + n, "_sum") &&
             strcmp(name + n, "_count")))
            fail_msg("sample %s not under its TYPE line (%s)", l, typed);
        const char *val = strrchr(l, ' ');
        assert_non_null(val);
        char *end;
        strtod(val + 1, &end);
        assert_true(*end == '\0' && end > val + 1);
    }
    free(copy);
    free(page);
    dlpd_stats_free(st);
}

static const Dlp__V1__Metric *find(const Dlp__V1__StatsReply *s, const char *name,
                                   const char *value)
{
    for (size_t i = 0; i < s->n_metrics; i++)
        if (!strcmp(s->metrics[i]->name, name) && !strcmp(s->metrics[i]->label_value, value))
            return s->metrics[i];
    return NULL;
}

static void test_stats_reply_same_figures(void **state)
{
    dlpd_stats_t *st = filled();
    uint8_t *frame;
    size_t len;
    assert_int_equal(dlpd_metrics_stats_frame(st, 9, "r", &frame, &len), 0);
    Dlp__V1__Response *r = dlp__v1__response__unpack(NULL, len - 4, frame + 4);
    assert_non_null(r);
    assert_int_equal(r->id, 9);
    const Dlp__V1__StatsReply *s = r->stats;
    assert_non_null(s);
    assert_string_equal(s->rules_version, "r");
    const Dlp__V1__Metric *m = find(s, "scans_total", "block");
    assert_non_null(m);
    assert_string_equal(m->label, "action");
    assert_int_equal(m->value, 1);
    assert_int_equal(find(s, "findings_total", "passport")->value, 2);
    assert_int_equal(find(s, "scans_incomplete_total", "pdf_pages")->value, 1);
    assert_true(find(s, "workers", "")->gauge);
    assert_false(find(s, "requests_total", "")->gauge);
    assert_int_equal(s->n_histograms, 1);
    assert_string_equal(s->histograms[0]->name, "scan_duration_seconds");
    assert_int_equal(s->histograms[0]->count, 3);
    assert_int_equal(s->histograms[0]->n_buckets, DLPD_LATENCY_SLOTS);
    assert_string_equal(s->histograms[0]->buckets[1]->le, "0.0025");
    assert_int_equal(s->histograms[0]->buckets[1]->count, 2);
    /* The flat list of older replies is still complete. */
    assert_int_equal(s->n_counters, DLPD_STAT__COUNT);
    assert_string_equal(s->counters[DLPD_STAT_ACTION_BLOCK]->name, "scans_block_total");
    assert_int_equal(s->counters[DLPD_STAT_ACTION_BLOCK]->value, 1);
    /* Every sample of the text is a Metric with the same value, and back. */
    char *page = page_of(st, "r");
    for (size_t i = 0; i < s->n_metrics; i++) {
        char line[256];
        const Dlp__V1__Metric *x = s->metrics[i];
        if (x->label[0])
            snprintf(line, sizeof(line), "dlpd_%s{%s=\"%s\"} %llu", x->name, x->label,
                     x->label_value, (unsigned long long)x->value);
        else if (strcmp(x->name, "uptime_seconds") != 0)
            snprintf(line, sizeof(line), "dlpd_%s %llu", x->name, (unsigned long long)x->value);
        else
            continue;
        has_line(page, line);
    }
    int samples = 0;
    for (const char *p = strstr(page, "\ndlpd_"); p; p = strstr(p + 1, "\ndlpd_"))
        samples++;
    /* + build_info and rules_info, + the histogram's buckets, sum and count */
    assert_int_equal(samples, (int)s->n_metrics + 2 + DLPD_LATENCY_SLOTS + 2);
    free(page);
    dlp__v1__response__free_unpacked(r, NULL);
    free(frame);
    dlpd_stats_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_lines),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_stats_reply_same_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
