/*
 * test_scan - the engine end to end through the public API, with the shipped
 * rule pack: verdicts, findings, snippets, recipients, limits and errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "util.h"

typedef struct fixture {
    dlp_engine_t *e;
    dlp_scanner_t *s;
} fixture_t;

static int setup(void **state)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "rules: %s/rules\ncache: none\ninternal_domains: [example.org]\n"
             "protected_domains: [mil, partner.example]\n"
             "protected_domains_files: [%s/rules/protected/us-mil.txt]\n",
             DLP_SOURCE_DIR, DLP_SOURCE_DIR);
    char *path = tu_write("dlpd.yaml", text);
    dlp_config_t *cfg;
    fixture_t *f = calloc(1, sizeof(*f));
    if (dlp_config_load(path, NULL, &cfg, NULL) || dlp_engine_new(cfg, &f->e, NULL) ||
        dlp_scanner_new(&f->s))
        return -1;
    dlp_config_free(cfg);
    free(path);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (!f)
        return 0;
    dlp_scanner_free(f->s);
    dlp_engine_unref(f->e);
    free(f);
    return 0;
}

static dlp_verdict_t *scan(fixture_t *f, const char *msg, const char *const *rcpt, size_t n)
{
    dlp_scan_input_t in = {.envelope = {.rcpt_to = rcpt, .n_rcpt = n},
                           .message = (const uint8_t *)msg,
                           .message_len = strlen(msg)};
    dlp_verdict_t *v = NULL;
    assert_int_equal(dlp_scan(f->s, f->e, &in, &v), DLP_OK);
    return v;
}

static const dlp_finding_t *finding(const dlp_verdict_t *v, const char *rule)
{
    for (size_t i = 0; i < v->n_findings; i++)
        if (strcmp(v->findings[i].rule_id, rule) == 0)
            return &v->findings[i];
    return NULL;
}

static const char fouo_msg[] = "From: a@example.org\r\nTo: Col. Smith <john.smith@army.ml>\r\n"
                               "Subject: Movement plan\r\n\r\n"
                               "UNCLASSIFIED//FOR OFFICIAL USE ONLY\r\n\r\nConvoy at 0600.\r\n"
                               "UNCLASSIFIED//FOR OFFICIAL USE ONLY\r\n";

static void test_fouo_to_external_is_blocked(void **state)
{
    dlp_verdict_t *v = scan(*state, fouo_msg, NULL, 0);
    assert_int_equal(v->action, DLP_ACTION_BLOCK);
    const dlp_finding_t *f = finding(v, "marking.fouo");
    assert_non_null(f);
    assert_int_equal(f->part, DLP_PART_BODY);
    assert_string_equal(f->where, "body");
    assert_int_equal(f->count, 2);
    assert_int_equal(f->offset, strlen("UNCLASSIFIED//")); /* start of the first match */
    assert_string_equal(f->snippet, "FOR OFFICIAL USE ONLY");
    assert_int_equal(v->n_recipients, 1);
    assert_string_equal(v->recipients[0].address, "john.smith@army.ml");
    assert_int_equal(v->recipients[0].source, DLP_SOURCE_HEADER_TO);
    assert_int_equal(v->recipients[0].cls, DLP_CLASS_LOOKALIKE);
    assert_string_equal(v->recipients[0].lookalike_of, "army.mil");
    assert_int_equal(v->recipients[0].action, DLP_ACTION_BLOCK);
    assert_non_null(v->notice);
    assert_non_null(strstr(v->notice, "army.ml"));
    assert_true(v->score > 0 && v->score <= 100);
    assert_true(v->n_reasons >= 2);
    assert_non_null(strstr(v->rules_version, "sha256:"));
    dlp_verdict_free(v);
}

static void test_fouo_to_internal_and_protected_is_allowed(void **state)
{
    const char *const rcpt[] = {"ops@example.org", "j.smith@army.mil", "x@mail.partner.example"};
    dlp_verdict_t *v = scan(*state, fouo_msg, rcpt, 3);
    /* envelope recipients plus the header's army.ml: that one is still external */
    assert_int_equal(v->n_recipients, 4);
    assert_int_equal(v->recipients[0].cls, DLP_CLASS_INTERNAL);
    assert_int_equal(v->recipients[1].cls, DLP_CLASS_PROTECTED);
    assert_int_equal(v->recipients[2].cls, DLP_CLASS_PROTECTED);
    for (int i = 0; i < 3; i++)
        assert_int_equal(v->recipients[i].action, DLP_ACTION_ALLOW);
    assert_int_equal(v->recipients[3].action, DLP_ACTION_BLOCK);
    dlp_verdict_free(v);

    const char *msg = "Subject: memo\n\nFOR OFFICIAL USE ONLY\n";
    v = scan(*state, msg, rcpt, 2);
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    assert_non_null(finding(v, "marking.fouo"));
    dlp_verdict_free(v);
}

static void test_benign_is_allowed(void **state)
{
    const char *const rcpt[] = {"friend@gmail.com"};
    dlp_verdict_t *v = scan(*state,
                            "Subject: Lunch\n\nThe official use of this room is for meetings "
                            "only. Your password must be at least 12 characters long.\n",
                            rcpt, 1);
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    assert_int_equal(v->n_findings, 0);
    assert_int_equal(v->score, 0);
    assert_null(v->notice);
    dlp_verdict_free(v);
}

static void test_credential_snippet_is_redacted(void **state)
{
    const char *const rcpt[] = {"agent@travel.example"};
    dlp_verdict_t *v =
        scan(*state, "Subject: access\n\nHi,\nPassword: Tr4velSecret!2023\nBye\n", rcpt, 1);
    const dlp_finding_t *f = finding(v, "credential.password_line");
    assert_non_null(f);
    assert_null(strstr(f->snippet, "Tr4velSecret"));
    assert_null(strstr(f->snippet, "Secret"));
    assert_int_equal(f->count, 1);
    assert_int_equal(v->action, DLP_ACTION_QUARANTINE);
    dlp_verdict_free(v);
}

static void test_subject_scanned_as_subject(void **state)
{
    dlp_verdict_t *v = scan(*state, "Subject: (U//FOUO) roster\n\nsee attached\n", NULL, 0);
    const dlp_finding_t *f = finding(v, "marking.fouo");
    assert_non_null(f);
    assert_int_equal(f->part, DLP_PART_SUBJECT);
    assert_int_equal(v->action, DLP_ACTION_BLOCK); /* no recipient known: treated as external */
    dlp_verdict_free(v);
}

/* A message with an X-ray attached: a DICOM file (128 zero bytes of preamble,
 * the "DICM" magic and a first element). The headers go in at %s. */
#define XRAY_MAIL                                                                                  \
    "%s\nMIME-Version: 1.0\n"                                                                      \
    "Content-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\n"               \
    "hi\n--Z\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"         \
    "Content-Disposition: attachment; filename=xray.dcm\n\n"                                       \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"             \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"             \
    "AAAAAAAAAABESUNNAgAAAFVMBAAAAAAAAAAAAAAAAAAAAAAA\n--Z--\n"

static void test_attachment_facts_are_findings(void **state)
{
    /* a DICOM file (an X-ray) sent outside: medical content, quarantined */
    char raw[1024];
    snprintf(raw, sizeof(raw), XRAY_MAIL, "To: clinic@example.net\nSubject: scan");
    dlp_verdict_t *v = scan(*state, raw, NULL, 0);
    const dlp_finding_t *f = finding(v, "medical.dicom_image");
    assert_non_null(f);
    assert_int_equal(f->category, DLP_CAT_MEDICAL);
    assert_string_equal(f->where, "xray.dcm");
    assert_string_equal(f->snippet, "application/dicom");
    assert_int_equal(v->n_attachments, 1);
    assert_int_equal(v->action, DLP_ACTION_QUARANTINE);
    dlp_verdict_free(v);
}

/* Findings about attachments count against the findings limit too. */
static void test_attachment_findings_capped(void **state)
{
    char text[512];
    snprintf(text, sizeof(text), "rules: %s/rules\ncache: none\n", DLP_SOURCE_DIR);
    char *path = tu_write("dlpd.yaml", text);
    dlp_config_t *cfg;
    dlp_engine_t *e;
    assert_int_equal(dlp_config_load(path, NULL, &cfg, NULL), DLP_OK);
    dlp_config_set_limit(cfg, DLP_LIMIT_FINDINGS, 1);
    assert_int_equal(dlp_engine_new(cfg, &e, NULL), DLP_OK);
    dlp_config_free(cfg);
    free(path);
    /* a marking in the subject (one finding), then an X-ray (another) */
    char raw[1024];
    snprintf(raw, sizeof(raw), XRAY_MAIL, "Subject: (U//FOUO) scan");
    dlp_scan_input_t in = {.message = (const uint8_t *)raw, .message_len = strlen(raw)};
    dlp_verdict_t *v = NULL;
    assert_int_equal(dlp_scan(((fixture_t *)*state)->s, e, &in, &v), DLP_OK);
    assert_int_equal(v->n_findings, 1);
    assert_non_null(finding(v, "marking.fouo"));
    assert_true(v->incomplete & (1u << DLP_LIMIT_FINDINGS));
    assert_int_equal(v->n_attachments, 1); /* the attachment is still reported */
    dlp_verdict_free(v);
    dlp_engine_unref(e);
}

static void test_classify_without_a_message(void **state)
{
    fixture_t *f = *state;
    const char *of = NULL, *how = NULL;
    assert_int_equal(dlp_engine_classify(f->e, "x@army.mil", &of, &how), DLP_CLASS_PROTECTED);
    assert_int_equal(dlp_engine_classify(f->e, "x@gmail.com", &of, &how), DLP_CLASS_EXTERNAL);
    assert_null(of);
    assert_int_equal(dlp_engine_classify(f->e, "x@example.org", NULL, NULL), DLP_CLASS_INTERNAL);
    assert_int_equal(dlp_engine_classify(f->e, "x@army.ml", &of, &how), DLP_CLASS_LOOKALIKE);
    assert_string_equal(of, "army.mil");
    assert_string_equal(how, "tld_confusion");
}

static void test_errors_and_limits(void **state)
{
    fixture_t *f = *state;
    dlp_scan_input_t in = {.message = (const uint8_t *)"Subject: x\n\nhello\n",
                           .message_len = 18,
                           .profile = "no-such-profile"};
    dlp_verdict_t *v = NULL;
    assert_int_equal(dlp_scan(f->s, f->e, &in, &v), DLP_EPROFILE);
    assert_null(v);
    in.profile = NULL;
    in.deadline_ns = dlp_now_ns() - 1;
    assert_int_equal(dlp_scan(f->s, f->e, &in, &v), DLP_ETIMEDOUT);
    assert_null(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fouo_to_external_is_blocked),
        cmocka_unit_test(test_fouo_to_internal_and_protected_is_allowed),
        cmocka_unit_test(test_benign_is_allowed),
        cmocka_unit_test(test_credential_snippet_is_redacted),
        cmocka_unit_test(test_subject_scanned_as_subject),
        cmocka_unit_test(test_attachment_facts_are_findings),
        cmocka_unit_test(test_attachment_findings_capped),
        cmocka_unit_test(test_classify_without_a_message),
        cmocka_unit_test(test_errors_and_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
