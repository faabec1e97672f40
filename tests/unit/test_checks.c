/*
 * test_checks - per-match checks of a rule: validators, context words,
 * excludes and min_count, through a small rule set written by the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

static const char rules[] = "rules:\n"
                            "  - id: t.card\n"
                            "    category: financial\n"
                            "    severity: high\n"
                            "    description: card numbers\n"
                            "    patterns: ['\\b\\d{4}(?:[ -]?\\d{4}){3}\\b']\n"
                            "    validate: luhn\n"
                            "    exclude: ['4111[ -]?1111[ -]?1111[ -]?1111']\n"
                            "  - id: t.passport\n"
                            "    category: passport\n"
                            "    severity: high\n"
                            "    description: passport numbers near the word\n"
                            "    patterns: ['\\b[0-9]{9}\\b']\n"
                            "    context: {words: [passport, 'passport no'], window: 30}\n"
                            "  - id: t.rank\n"
                            "    category: personnel\n"
                            "    severity: medium\n"
                            "    description: many ranks\n"
                            "    patterns: ['\\b(?:SGT|CPL|PVT)\\b']\n"
                            "    min_count: 3\n"
                            "  - id: t.pw\n"
                            "    category: credential\n"
                            "    severity: high\n"
                            "    description: password lines\n"
                            "    patterns: ['password:\\s*[^\\s]{4,}']\n"
                            "    flags: [caseless]\n";

static int setup(void **state)
{
    char *path = tu_write("r.yaml", rules);
    dlp_config_t *cfg;
    dlp_engine_t *e = NULL;
    dlp_diags_t *d = dlp_diags_new();
    if (dlp_config_load(NULL, NULL, &cfg, NULL) || dlp_config_set_rules_path(cfg, path) ||
        dlp_config_set_cache_dir(cfg, NULL))
        return -1;
    int rc = dlp_engine_new(cfg, &e, d);
    char buf[1024];
    for (size_t i = 0; i < dlp_diags_count(d); i++) {
        dlp_diags_format(d, i, buf, sizeof(buf));
        print_error("%s\n", buf);
    }
    dlp_diags_free(d);
    dlp_config_free(cfg);
    free(path);
    *state = e;
    return rc;
}

static int teardown(void **state)
{
    dlp_engine_unref(*state);
    return 0;
}

static const dlp_finding_t *scan_for(void **state, const char *body, const char *rule,
                                     dlp_verdict_t **vout)
{
    dlp_scanner_t *s;
    assert_int_equal(dlp_scanner_new(&s), DLP_OK);
    char msg[4096];
    snprintf(msg, sizeof(msg), "Subject: t\n\n%s", body);
    dlp_scan_input_t in = {.message = (const uint8_t *)msg, .message_len = strlen(msg)};
    assert_int_equal(dlp_scan(s, *state, &in, vout), DLP_OK);
    dlp_scanner_free(s);
    for (size_t i = 0; i < (*vout)->n_findings; i++)
        if (strcmp((*vout)->findings[i].rule_id, rule) == 0)
            return &(*vout)->findings[i];
    return NULL;
}

static void test_validator_confirms_each_match(void **state)
{
    dlp_verdict_t *v;
    /* one valid card, one failing Luhn, one excluded test card */
    const dlp_finding_t *f = scan_for(
        state, "a 5500 0000 0000 0004 b 5500 0000 0000 0005 c 4111 1111 1111 1111\n", "t.card", &v);
    assert_non_null(f);
    assert_int_equal(f->count, 1);
    assert_int_equal(f->offset, 2);
    assert_string_equal(f->snippet, "55** **** **** ****");
    dlp_verdict_free(v);
    assert_null(scan_for(state, "card 4111-1111-1111-1111 only\n", "t.card", &v));
    dlp_verdict_free(v);
    assert_null(scan_for(state, "order 1234 5678 9012 3456\n", "t.card", &v));
    dlp_verdict_free(v);
}

static void test_context_window(void **state)
{
    dlp_verdict_t *v;
    const dlp_finding_t *f = scan_for(state, "Passport No: 123456789\n", "t.passport", &v);
    assert_non_null(f);
    assert_int_equal(f->offset, strlen("Passport No: "));
    dlp_verdict_free(v);
    /* the same number with no supporting word nearby is not a finding */
    assert_null(scan_for(state, "Invoice 123456789 is due.\n", "t.passport", &v));
    dlp_verdict_free(v);
    /* a word outside the window does not count */
    assert_null(scan_for(state,
                         "passport renewal was discussed at length in the meeting today and "
                         "then invoice 123456789\n",
                         "t.passport", &v));
    dlp_verdict_free(v);
    /* a word embedded in another word does not count */
    assert_null(scan_for(state, "passports123456789\n", "t.passport", &v));
    dlp_verdict_free(v);
}

static void test_min_count(void **state)
{
    dlp_verdict_t *v;
    assert_null(scan_for(state, "SGT Smith and CPL Jones\n", "t.rank", &v));
    dlp_verdict_free(v);
    const dlp_finding_t *f = scan_for(state, "SGT Smith, CPL Jones, PVT Brown\n", "t.rank", &v);
    assert_non_null(f);
    assert_int_equal(f->count, 3);
    dlp_verdict_free(v);
}

static void test_snippet_masks_the_whole_match(void **state)
{
    dlp_verdict_t *v;
    const dlp_finding_t *f = scan_for(state, "Hi,\nPassword: Tr4velSecret!2023\nBye\n", "t.pw", &v);
    assert_non_null(f);
    assert_int_equal(f->count, 1); /* one long match, reported at each end, counts once */
    assert_int_equal(f->offset, 4);
    assert_string_equal(f->snippet, "Pa******: *****************");
    dlp_verdict_free(v);
}

static void test_findings_limit(void **state)
{
    /* the same rules with room for one finding: the rest is reported as cut */
    dlp_config_t *cfg;
    dlp_engine_t *e;
    char *path = tu_write("r.yaml", rules);
    assert_int_equal(dlp_config_load(NULL, NULL, &cfg, NULL), DLP_OK);
    dlp_config_set_rules_path(cfg, path);
    dlp_config_set_cache_dir(cfg, NULL);
    dlp_config_set_limit(cfg, DLP_LIMIT_FINDINGS, 1);
    assert_int_equal(dlp_engine_new(cfg, &e, NULL), DLP_OK);
    void *st = e;
    dlp_verdict_t *v;
    scan_for(&st, "SGT A, CPL B, PVT C\nPassword: hunter22\n", "t.rank", &v);
    assert_int_equal(v->n_findings, 1);
    assert_true(v->incomplete & (1u << DLP_LIMIT_FINDINGS));
    dlp_verdict_free(v);
    dlp_engine_unref(e);
    dlp_config_free(cfg);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validator_confirms_each_match),
        cmocka_unit_test(test_context_window),
        cmocka_unit_test(test_min_count),
        cmocka_unit_test(test_snippet_masks_the_whole_match),
        cmocka_unit_test(test_findings_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
