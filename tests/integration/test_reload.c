/*
 * test_reload - reloading rules under load. Two clients keep scanning while
 * the rule set is replaced, first by a good set that adds a rule, then by a
 * broken one. No scan may fail; the broken set is refused with file:line;
 * a verdict shows the new rule only once the good reload was asked for, and
 * every scan sent after it answered shows the new rule, also after the broken
 * reload was refused.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define SCANNERS            2
#define MIN_SCANS_PER_PHASE 25

enum { BEFORE, GOOD_ASKED, GOOD_DONE, BROKEN_ASKED, BROKEN_DONE, PHASES };

static const char alpha_rules[] = "rules:\n"
                                  "  - id: test.alpha\n"
                                  "    category: marking\n"
                                  "    severity: high\n"
                                  "    description: alpha marker\n"
                                  "    patterns: ['ZEBRA-7']\n"
                                  "    tests: {match: [ZEBRA-7], no_match: [ZEBRA]}\n";

static const char beta_rules[] = "rules:\n"
                                 "  - id: test.beta\n"
                                 "    category: credential\n"
                                 "    severity: high\n"
                                 "    description: beta marker\n"
                                 "    patterns: ['YAK-9']\n"
                                 "    tests: {match: [YAK-9], no_match: [YAK]}\n";

/* line 6 holds a pattern Hyperscan refuses */
static const char broken_rules[] = "rules:\n"
                                   "  - id: test.beta\n"
                                   "    category: credential\n"
                                   "    severity: high\n"
                                   "    description: beta marker, broken\n"
                                   "    patterns: ['YAK-(9']\n";

static const char message[] = "From: a@example.org\r\nTo: b@example.com\r\nSubject: load\r\n\r\n"
                              "ZEBRA-7 and YAK-9 in one body\r\n";

typedef struct shared {
    dlpd_proc_t d;
    atomic_int phase;
    atomic_int stop;
    atomic_int scans[PHASES];
    atomic_int beta_seen[PHASES];
    atomic_int failures;
    atomic_int beta_too_early; /* answered before the reload was asked for, with the new rule */
} shared_t;

static int has_rule(const Dlp__V1__ScanResponse *s, const char *id)
{
    for (size_t i = 0; i < s->n_findings; i++)
        if (strcmp(s->findings[i]->rule_id, id) == 0)
            return 1;
    return 0;
}

static void *scanner(void *arg)
{
    shared_t *sh = arg;
    dlp_client_t *c = harness_client(&sh->d);
    if (!c) {
        atomic_fetch_add(&sh->failures, 1);
        return NULL;
    }
    while (!atomic_load(&sh->stop)) {
        int phase = atomic_load(&sh->phase);
        harness_scan_t s;
        harness_scan_init(&s, dlp_client_next_id(c), (const uint8_t *)message, sizeof(message) - 1);
        Dlp__V1__Response *r = NULL;
        char err[256];
        if (dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, &r, err, sizeof(err)) != 0 ||
            r->error || !r->scan || !has_rule(r->scan, "test.alpha")) {
            fprintf(stderr, "scan failed in phase %d: %s\n", phase,
                    r && r->error ? r->error->message : err);
            atomic_fetch_add(&sh->failures, 1);
        } else {
            /*
             * A scan counts for the phase it was sent in. One sent before the
             * reload may be answered by either rule set, so "before" checks
             * only scans answered before the reload was even asked for.
             */
            int answered = atomic_load(&sh->phase);
            int beta = has_rule(r->scan, "test.beta");
            atomic_fetch_add(&sh->scans[phase], 1);
            if (beta)
                atomic_fetch_add(&sh->beta_seen[phase], 1);
            if (answered == BEFORE && beta)
                atomic_fetch_add(&sh->beta_too_early, 1);
        }
        dlp_client_response_free(r);
    }
    dlp_client_free(c);
    return NULL;
}

/* Waits until every scanner has had the chance to scan in this phase. */
static void settle(shared_t *sh, int phase)
{
    for (int i = 0; i < 6000 && atomic_load(&sh->scans[phase]) < MIN_SCANS_PER_PHASE; i++)
        usleep(5000);
}

static Dlp__V1__Response *reload(dlp_client_t *c)
{
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__ReloadRequest rr = DLP__V1__RELOAD_REQUEST__INIT;
    req.id = dlp_client_next_id(c);
    req.body_case = DLP__V1__REQUEST__BODY_RELOAD;
    req.reload = &rr;
    Dlp__V1__Response *r = NULL;
    char err[256];
    if (dlp_client_call(c, &req, HARNESS_IO_TIMEOUT_MS, &r, err, sizeof(err)) != 0)
        fprintf(stderr, "reload call: %s\n", err);
    return r;
}

static void test_reload_under_load(void **state)
{
    shared_t *sh = calloc(1, sizeof(*sh));
    assert_int_equal(harness_setup(&sh->d, NULL), 0);
    char rules[256], cache[256], cfg[1024];
    snprintf(rules, sizeof(rules), "%s/rules", sh->d.dir);
    snprintf(cache, sizeof(cache), "%s/cache", sh->d.dir);
    assert_int_equal(mkdir(rules, 0700), 0);
    snprintf(cfg, sizeof(cfg), "listen: [\"%s\"]\nrules: rules\ncache: cache\nworkers: 2\n",
             sh->d.address);
    assert_non_null(harness_write_file(&sh->d, "dlpd.yaml", cfg));
    assert_non_null(harness_write_file(&sh->d, "rules/alpha.yaml", alpha_rules));
    assert_int_equal(harness_start(&sh->d), 0);

    pthread_t th[SCANNERS];
    for (int i = 0; i < SCANNERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, scanner, sh), 0);
    dlp_client_t *admin = harness_client(&sh->d);
    assert_non_null(admin);
    settle(sh, BEFORE);

    assert_non_null(harness_write_file(&sh->d, "rules/beta.yaml", beta_rules));
    atomic_store(&sh->phase, GOOD_ASKED);
    Dlp__V1__Response *r = reload(admin);
    assert_non_null(r);
    assert_null(r->error);
    assert_non_null(r->reload);
    assert_true(r->reload->ok);
    assert_non_null(strstr(r->reload->rules_version, "2 rules"));
    dlp_client_response_free(r);
    atomic_store(&sh->phase, GOOD_DONE);
    settle(sh, GOOD_DONE);

    assert_non_null(harness_write_file(&sh->d, "rules/beta.yaml", broken_rules));
    atomic_store(&sh->phase, BROKEN_ASKED);
    r = reload(admin);
    assert_non_null(r);
    assert_non_null(r->error);
    assert_int_equal(r->error->code, DLP__V1__ERROR_CODE__RELOAD_FAILED);
    assert_non_null(r->reload);
    assert_false(r->reload->ok);
    int positioned = 0;
    for (size_t i = 0; i < r->reload->n_errors; i++)
        positioned |= strstr(r->reload->errors[i], "beta.yaml:6:") != NULL;
    assert_true(positioned);
    dlp_client_response_free(r);
    atomic_store(&sh->phase, BROKEN_DONE);
    settle(sh, BROKEN_DONE);

    atomic_store(&sh->stop, 1);
    for (int i = 0; i < SCANNERS; i++)
        pthread_join(th[i], NULL);
    dlp_client_free(admin);

    for (int p = 0; p < PHASES; p++)
        fprintf(stderr, "phase %d: %d scans, %d with the new rule\n", p, atomic_load(&sh->scans[p]),
                atomic_load(&sh->beta_seen[p]));
    assert_int_equal(atomic_load(&sh->failures), 0);
    assert_true(atomic_load(&sh->scans[BEFORE]) >= MIN_SCANS_PER_PHASE);
    assert_int_equal(atomic_load(&sh->beta_too_early), 0);
    /* after the good reload answered: the new rule in every verdict, and it
       stays through the refused broken reload */
    for (int p = GOOD_DONE; p < PHASES; p++) {
        if (p == BROKEN_ASKED)
            assert_int_equal(atomic_load(&sh->beta_seen[p]), atomic_load(&sh->scans[p]));
        else {
            assert_true(atomic_load(&sh->scans[p]) >= MIN_SCANS_PER_PHASE);
            assert_int_equal(atomic_load(&sh->beta_seen[p]), atomic_load(&sh->scans[p]));
        }
    }
    assert_true(harness_alive(&sh->d));
    harness_cleanup(&sh->d);
    free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_under_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
