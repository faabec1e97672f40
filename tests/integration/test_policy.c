/*
 * test_policy - the policy through the real daemon.
 *
 * With no `policy` key each rule of the built-in default is met by a message
 * that should trigger it (look-alike, marked content, personal data, medium
 * severity, an incomplete scan, nothing at all). Then a custom policy and
 * three profiles from the config file: the custom rules replace the default
 * ones, a sender condition exempts the booking office, a profile chosen per
 * request (ScanRequest.profile) applies its own rules, drops recipients or
 * runs in monitor mode, and an unknown profile is refused INVALID_REQUEST.
 * Last, `dlpd --check` points at a mistake in a policy with its position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct daemon {
    dlpd_proc_t d;
    dlp_client_t *c;
} daemon_t;

static daemon_t *start(const char *extra_yaml)
{
    daemon_t *dm = calloc(1, sizeof(*dm));
    assert_non_null(dm);
    assert_int_equal(harness_setup(&dm->d, extra_yaml), 0);
    if (harness_start(&dm->d) != 0) {
        harness_dump_log(&dm->d);
        fail_msg("dlpd did not start");
    }
    dm->c = harness_client(&dm->d);
    assert_non_null(dm->c);
    return dm;
}

static void stop(daemon_t *dm)
{
    dlp_client_free(dm->c);
    harness_cleanup(&dm->d);
    free(dm);
}

typedef struct req {
    const char *msg;
    const char *mail_from; /* NULL: not given */
    const char *rcpt[4];   /* NULL-terminated */
    const char *profile;   /* NULL: the default profile */
} req_t;

/* Sends one scan; returns the response (caller frees) and never NULL. */
static Dlp__V1__Response *call(daemon_t *dm, const req_t *r)
{
    harness_scan_t s;
    harness_scan_init(&s, dlp_client_next_id(dm->c), (const uint8_t *)r->msg, strlen(r->msg));
    size_t n = 0;
    while (n < 4 && r->rcpt[n])
        n++;
    s.env.rcpt_to = (char **)r->rcpt;
    s.env.n_rcpt_to = n;
    if (r->mail_from)
        s.env.mail_from = (char *)r->mail_from;
    if (r->profile)
        s.scan.profile = (char *)r->profile;
    Dlp__V1__Response *resp = NULL;
    char err[256];
    if (dlp_client_call(dm->c, &s.req, HARNESS_IO_TIMEOUT_MS, &resp, err, sizeof(err)) != 0)
        fail_msg("scan: %s", err);
    return resp;
}

/* Sends one scan that must succeed; *keep holds the response to free. */
static const Dlp__V1__ScanResponse *scan(daemon_t *dm, const req_t *r, Dlp__V1__Response **keep)
{
    *keep = call(dm, r);
    if ((*keep)->error)
        fail_msg("scan error %d: %s", (*keep)->error->code, (*keep)->error->message);
    assert_non_null((*keep)->scan);
    const Dlp__V1__ScanResponse *s = (*keep)->scan;
    fprintf(stderr, "-- action %d (would %d, monitor %d), score %u, notice \"%s\"\n", s->action,
            s->would_action, s->monitor, s->score, s->notice);
    for (size_t i = 0; i < s->n_reasons; i++)
        fprintf(stderr, "   %s\n", s->reasons[i]);
    return s;
}

static int has_reason(const Dlp__V1__ScanResponse *s, const char *a, const char *b)
{
    for (size_t i = 0; i < s->n_reasons; i++)
        if (strstr(s->reasons[i], a) && (!b || strstr(s->reasons[i], b)))
            return 1;
    return 0;
}

static const Dlp__V1__RecipientResult *rcpt(const Dlp__V1__ScanResponse *s, const char *addr)
{
    for (size_t i = 0; i < s->n_recipients; i++)
        if (!strcmp(s->recipients[i]->address, addr))
            return s->recipients[i];
    fail_msg("no recipient %s in the verdict", addr);
    return NULL;
}

static const char marked_msg[] = "Subject: movement\r\n\r\nUNCLASSIFIED//FOR OFFICIAL USE ONLY\r\n"
                                 "Convoy at 0600.\r\n";
static const char passport_msg[] = "Subject: trip\r\n\r\nHi, for the booking:\r\n"
                                   "Passport No.: 548213077  (USA)\r\nThanks\r\n";
static const char credential_msg[] = "Subject: access\r\n\r\nHi,\r\nPassword: Tr4velSecret!2023\r\n"
                                     "Bye\r\n";
static const char medium_msg[] = "Subject: form\r\n\r\nApplicant DOB: 11/30/1984\r\n";
static const char benign_msg[] = "Subject: lunch\r\n\r\nSee you at noon by the river.\r\n";

/* A multipart nested deeper than the default mime_depth limit (20). */
static char *deep_msg(void)
{
    size_t cap = 1 << 16, k = 0;
    char *m = malloc(cap);
    k += (size_t)snprintf(m + k, cap - k, "Subject: nested\r\n");
    for (int i = 0; i < 30; i++)
        k += (size_t)snprintf(m + k, cap - k,
                              "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
    k += (size_t)snprintf(m + k, cap - k, "Content-Type: text/plain\r\n\r\nhello\r\n");
    for (int i = 29; i >= 0; i--)
        k += (size_t)snprintf(m + k, cap - k, "--b%d--\r\n", i);
    return m;
}

/* ------------------------------------------------------ the default policy */

static void test_default_policy(void **state)
{
    (void)state;
    daemon_t *dm = start(NULL);
    Dlp__V1__Response *r;
    const Dlp__V1__ScanResponse *s;

    /* 2. marked content to an external recipient: block */
    s = scan(dm, &(req_t){marked_msg, "a@example.org", {"friend@gmail.com", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__BLOCK);
    assert_int_equal(s->would_action, DLP__V1__ACTION__BLOCK);
    assert_false(s->monitor);
    assert_string_equal(s->profile, "default");
    assert_int_equal(rcpt(s, "friend@gmail.com")->action, DLP__V1__ACTION__BLOCK);
    assert_true(has_reason(s, "friend@gmail.com (external): block", "marked-content-outside"));
    assert_non_null(strstr(s->notice, "gmail.com is outside"));
    assert_null(strstr(s->notice, "OFFICIAL USE")); /* never content */
    dlp_client_response_free(r);

    /* ... and to internal and protected recipients: allowed */
    s = scan(dm, &(req_t){marked_msg, NULL, {"ops@example.org", "j.smith@army.mil", NULL}, NULL},
             &r);
    assert_int_equal(s->action, DLP__V1__ACTION__ALLOW);
    assert_string_equal(s->notice, "");
    dlp_client_response_free(r);

    /* 3. high-severity personal data to an external recipient: quarantine */
    s = scan(dm, &(req_t){passport_msg, NULL, {"agent@travel.example", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__QUARANTINE);
    assert_true(has_reason(s, "personal-data-external", "passport.number"));
    dlp_client_response_free(r);
    s = scan(dm, &(req_t){credential_msg, NULL, {"agent@travel.example", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__QUARANTINE);
    assert_true(has_reason(s, "personal-data-external", "credential."));
    dlp_client_response_free(r);

    /* 4. medium severity to an external recipient: warn */
    s = scan(dm, &(req_t){medium_msg, NULL, {"hr@partner.example", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__WARN);
    assert_true(has_reason(s, "sensitive-external", "identity.date_of_birth"));
    dlp_client_response_free(r);

    /* 5. an incomplete scan, even to an internal recipient: warn */
    char *deep = deep_msg();
    s = scan(dm, &(req_t){deep, NULL, {"ops@example.org", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__WARN);
    assert_true(s->n_incomplete >= 1);
    assert_string_equal(s->incomplete[0], "mime_depth");
    assert_true(has_reason(s, "incomplete-scan", "mime_depth"));
    assert_string_equal(s->notice, "This message could not be fully inspected.");
    dlp_client_response_free(r);
    free(deep);

    /* 6. nothing found: allow, score 0, no notice */
    s = scan(dm, &(req_t){benign_msg, NULL, {"friend@gmail.com", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__ALLOW);
    assert_int_equal(s->score, 0);
    assert_string_equal(s->notice, "");
    dlp_client_response_free(r);

    /* An unknown profile is refused. */
    r = call(dm, &(req_t){benign_msg, NULL, {"friend@gmail.com", NULL}, "no-such-profile"});
    assert_non_null(r->error);
    assert_int_equal(r->error->code, DLP__V1__ERROR_CODE__INVALID_REQUEST);
    dlp_client_response_free(r);
    stop(dm);
}

/*
 * 1. a look-alike recipient: block, with a notice naming the domain it
 * imitates. Needs the domain code to classify army.ml as a look-alike of
 * army.mil (protected: mil).
 */
static void test_default_lookalike(void **state)
{
    (void)state;
    daemon_t *dm = start(NULL);
    Dlp__V1__Response *r;
    const Dlp__V1__ScanResponse *s =
        scan(dm, &(req_t){benign_msg, NULL, {"john.smith@army.ml", NULL}, NULL}, &r);
    const Dlp__V1__RecipientResult *rr = rcpt(s, "john.smith@army.ml");
    assert_int_equal(rr->class_, DLP__V1__RECIPIENT_CLASS__CLASS_LOOKALIKE);
    assert_string_equal(rr->lookalike_of, "army.mil");
    assert_int_equal(rr->action, DLP__V1__ACTION__BLOCK);
    assert_int_equal(s->action, DLP__V1__ACTION__BLOCK);
    assert_true(has_reason(s, "lookalike-recipient", NULL));
    assert_string_equal(s->notice, "army.ml looks like army.mil \xe2\x80\x94 check the address");
    dlp_client_response_free(r);
    stop(dm);
}

/* ------------------------------------------------- custom policy, profiles */

static const char custom_yaml[] =
    "policy:\n"
    "  - name: trusted-sender\n"
    "    when: {sender: [bookings.example.org]}\n"
    "    action: allow\n"
    "  - name: no-credentials-out\n"
    "    when: {recipient: [external], category: [credential]}\n"
    "    action: block\n"
    "    notice: \"Credentials ({finding}) may not be mailed to {domain}.\"\n"
    "  - name: medium-out\n"
    "    when: {recipient: [external], min_severity: medium}\n"
    "    action: warn\n"
    "profiles:\n"
    "  watch:\n"
    "    monitor: true\n"
    "  legacy:\n"
    "    rules: builtin\n"
    "  travel-desk:\n"
    "    rules:\n"
    "      - name: passports-stay-inside\n"
    "        when: {recipient: [external], category: [passport]}\n"
    "        action: drop\n"
    "        notice: \"{recipient} was removed: {category} data may not go to {domain}\"\n";

static void test_custom_policy_and_profiles(void **state)
{
    (void)state;
    daemon_t *dm = start(custom_yaml);
    Dlp__V1__Response *r;
    const Dlp__V1__ScanResponse *s;

    /* The custom rules decide: a credential is now blocked (built-in: quarantine). */
    s = scan(dm, &(req_t){credential_msg, "x@example.org", {"agent@gmail.com", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__BLOCK);
    assert_string_equal(s->profile, "default");
    assert_true(has_reason(s, "agent@gmail.com (external): block", "no-credentials-out"));
    assert_string_equal(s->notice,
                        "Credentials (credential.password_line) may not be mailed to gmail.com.");
    dlp_client_response_free(r);

    /* ... the sender condition exempts the booking office ... */
    s = scan(dm,
             &(req_t){credential_msg, "desk@bookings.example.org", {"agent@gmail.com", NULL}, NULL},
             &r);
    assert_int_equal(s->action, DLP__V1__ACTION__ALLOW);
    assert_true(has_reason(s, "allow by policy rule trusted-sender", NULL));
    dlp_client_response_free(r);

    /* ... and the built-in rules are gone: marked content only warns here. */
    s = scan(dm, &(req_t){marked_msg, NULL, {"agent@gmail.com", NULL}, NULL}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__WARN);
    assert_true(has_reason(s, "medium-out", "marking."));
    dlp_client_response_free(r);

    /* A profile per request: the built-in rules again. */
    s = scan(dm, &(req_t){credential_msg, NULL, {"agent@gmail.com", NULL}, "legacy"}, &r);
    assert_int_equal(s->action, DLP__V1__ACTION__QUARANTINE);
    assert_string_equal(s->profile, "legacy");
    dlp_client_response_free(r);

    /* Monitor mode: reported, not enforced. */
    s = scan(dm, &(req_t){credential_msg, NULL, {"agent@gmail.com", NULL}, "watch"}, &r);
    assert_true(s->monitor);
    assert_string_equal(s->profile, "watch");
    assert_int_equal(s->action, DLP__V1__ACTION__ALLOW);
    assert_int_equal(s->would_action, DLP__V1__ACTION__BLOCK);
    assert_int_equal(rcpt(s, "agent@gmail.com")->action, DLP__V1__ACTION__ALLOW);
    assert_true(has_reason(s, "agent@gmail.com (external): block", "no-credentials-out"));
    assert_true(has_reason(s, "monitor mode (profile watch)", "decided block"));
    assert_string_equal(s->notice, "");
    dlp_client_response_free(r);

    /* Drop: the outsider is removed, the internal recipient still gets it. */
    s = scan(
        dm,
        &(req_t){passport_msg, NULL, {"agent@gmail.com", "ops@example.org", NULL}, "travel-desk"},
        &r);
    assert_int_equal(rcpt(s, "agent@gmail.com")->action, DLP__V1__ACTION__DROP);
    assert_int_equal(rcpt(s, "ops@example.org")->action, DLP__V1__ACTION__ALLOW);
    assert_int_equal(s->action, DLP__V1__ACTION__ALLOW);
    assert_string_equal(s->notice,
                        "agent@gmail.com was removed: passport data may not go to gmail.com");
    dlp_client_response_free(r);

    /* ... and when every recipient is dropped the message is blocked. */
    s = scan(dm, &(req_t){passport_msg, NULL, {"agent@gmail.com", NULL}, "travel-desk"}, &r);
    assert_int_equal(rcpt(s, "agent@gmail.com")->action, DLP__V1__ACTION__DROP);
    assert_int_equal(s->action, DLP__V1__ACTION__BLOCK);
    assert_true(has_reason(s, "every recipient was dropped", NULL));
    dlp_client_response_free(r);

    r = call(dm, &(req_t){benign_msg, NULL, {"agent@gmail.com", NULL}, "Watch"});
    assert_non_null(r->error);
    assert_int_equal(r->error->code, DLP__V1__ERROR_CODE__INVALID_REQUEST);
    dlp_client_response_free(r);
    assert_true(harness_alive(&dm->d));
    stop(dm);
}

/* ---------------------------------------------------------- config errors */

static void test_check_locates_policy_mistakes(void **state)
{
    (void)state;
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, "policy:\n"
                                       "  - name: oops\n"
                                       "    when: {recipient: [outside]}\n"
                                       "    action: block\n"),
                     0);
    /* The line of the mistake, wherever the harness's own keys end. */
    char *text = (char *)harness_read_file(d.config, NULL);
    assert_non_null(text);
    int line = 1;
    for (const char *p = text; p < strstr(text, "recipient: [outside]"); p++)
        line += *p == '\n';
    free(text);
    char *argv[] = {(char *)IT_DLPD_BIN, (char *)"--check", (char *)"-c", d.config, NULL};
    char *out, *err;
    assert_int_not_equal(harness_run(argv, &out, &err), 0);
    char want[256];
    snprintf(want, sizeof(want), "%s:%d:24: unknown recipient class 'outside'", d.config, line);
    if (!strstr(err, want) && !strstr(out, want))
        fail_msg("want \"%s\"; stdout \"%s\" stderr \"%s\"", want, out, err);
    free(out);
    free(err);
    harness_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_policy),
        cmocka_unit_test(test_default_lookalike),
        cmocka_unit_test(test_custom_policy_and_profiles),
        cmocka_unit_test(test_check_locates_policy_mistakes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
