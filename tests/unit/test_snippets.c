/*
 * test_snippets - the `snippets` engine key: by default (`redacted`) a
 * finding's snippet shows the shape of a match but never the sensitive
 * value; with `off` findings carry no snippet at all. A tiny rule set of
 * its own keeps the engine builds fast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

static const char rules[] = "rules:\n"
                            "  - id: test.password\n"
                            "    category: credential\n"
                            "    severity: high\n"
                            "    description: a password line\n"
                            "    patterns: ['Password: [^ \\n]{6,40}']\n"
                            "    tests: {match: ['Password: hunter22'], no_match: [Password]}\n"
                            "  - id: test.fouo\n"
                            "    category: marking\n"
                            "    severity: high\n"
                            "    description: FOUO marking\n"
                            "    patterns: ['FOR OFFICIAL USE ONLY']\n"
                            "    tests: {match: ['FOR OFFICIAL USE ONLY'], no_match: [OFFICIAL]}\n";

static const char message[] = "From: a@example.org\r\nTo: b@example.com\r\nSubject: access\r\n\r\n"
                              "FOR OFFICIAL USE ONLY\r\nPassword: Tr4velSecret!2023\r\n";

/* Builds an engine whose config holds 'extra' (NULL or more keys); NULL when it does not load. */
static dlp_engine_t *engine_with(const char *extra, int *rc_out)
{
    char *rpath = tu_write("test.yaml", rules);
    char *slash = strrchr(rpath, '/');
    *slash = '\0';
    char text[1024];
    snprintf(text, sizeof(text), "rules: %s\ncache: none\n%s", rpath, extra ? extra : "");
    char *cpath = tu_write("dlpd.yaml", text);
    dlp_config_t *cfg = NULL;
    dlp_engine_t *e = NULL;
    dlp_diags_t *d = dlp_diags_new();
    int rc = dlp_config_load(cpath, NULL, &cfg, d);
    if (rc == DLP_OK)
        rc = dlp_engine_new(cfg, &e, d);
    if (rc != DLP_OK && rc_out == NULL) {
        char line[1024];
        for (size_t i = 0; i < dlp_diags_count(d); i++) {
            dlp_diags_format(d, i, line, sizeof(line));
            fprintf(stderr, "%s\n", line);
        }
    }
    if (rc_out)
        *rc_out = rc;
    dlp_config_free(cfg);
    dlp_diags_free(d);
    free(rpath);
    free(cpath);
    return e;
}

static dlp_verdict_t *scan(dlp_engine_t *e)
{
    dlp_scanner_t *s;
    dlp_verdict_t *v = NULL;
    dlp_scan_input_t in = {.message = (const uint8_t *)message, .message_len = strlen(message)};
    assert_int_equal(dlp_scanner_new(&s), DLP_OK);
    assert_int_equal(dlp_scan(s, e, &in, &v), DLP_OK);
    dlp_scanner_free(s);
    return v;
}

static const dlp_finding_t *finding(const dlp_verdict_t *v, const char *rule)
{
    for (size_t i = 0; i < v->n_findings; i++)
        if (strcmp(v->findings[i].rule_id, rule) == 0)
            return &v->findings[i];
    fail_msg("no finding %s", rule);
    return NULL;
}

/* Neither the secret nor any 3-character piece of it appears in a snippet. */
static void assert_no_secret(const char *snippet)
{
    static const char secret[] = "Tr4velSecret!2023";
    char piece[4];
    for (size_t i = 0; i + 3 <= sizeof(secret) - 1; i++) {
        memcpy(piece, secret + i, 3);
        piece[3] = '\0';
        if (strstr(snippet, piece))
            fail_msg("snippet \"%s\" shows \"%s\" of the secret", snippet, piece);
    }
}

static void test_redacted_by_default_and_by_name(void **state)
{
    const char *configs[] = {NULL, "snippets: redacted\n"};
    for (size_t i = 0; i < 2; i++) {
        dlp_engine_t *e = engine_with(configs[i], NULL);
        assert_non_null(e);
        dlp_verdict_t *v = scan(e);
        const dlp_finding_t *pw = finding(v, "test.password");
        assert_true(strlen(pw->snippet) > 0); /* the shape is still shown */
        assert_non_null(strstr(pw->snippet, "Pa"));
        assert_no_secret(pw->snippet);
        assert_string_equal(finding(v, "test.fouo")->snippet, "FOR OFFICIAL USE ONLY");
        dlp_verdict_free(v);
        dlp_engine_unref(e);
    }
}

static void test_off_emits_no_snippet(void **state)
{
    dlp_engine_t *e = engine_with("snippets: off\n", NULL);
    assert_non_null(e);
    dlp_verdict_t *v = scan(e);
    assert_int_equal(v->n_findings, 2);
    for (size_t i = 0; i < v->n_findings; i++) {
        assert_non_null(v->findings[i].snippet);
        assert_string_equal(v->findings[i].snippet, "");
    }
    assert_true(finding(v, "test.password")->offset > 0); /* still placed */
    dlp_verdict_free(v);
    dlp_engine_unref(e);
}

static void test_bad_value_refused(void **state)
{
    int rc = 0;
    assert_null(engine_with("snippets: full\n", &rc));
    assert_int_equal(rc, DLP_ECONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redacted_by_default_and_by_name),
        cmocka_unit_test(test_off_emits_no_snippet),
        cmocka_unit_test(test_bad_value_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
