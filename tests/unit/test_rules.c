/* test_rules - rule loading: every error positioned, digests, compile and cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hsdb.h"
#include "dlp/rules.h"
#include "rules.h"
#include "testutil.h"

static const char bad_rules[] = "rules:\n"
                                "  - id: marking.a\n"      /* 2 */
                                "    category: markng\n"   /* 3 */
                                "    severity: high\n"     /* 4 */
                                "    description: x\n"     /* 5 */
                                "    patterns: ['ab(c']\n" /* 6 */
                                "    colour: red\n"        /* 7 */
                                "  - id: marking.a\n"      /* 8 */
                                "    category: marking\n"  /* 9 */
                                "    severity: extreme\n"  /* 10 */
                                "    description: y\n"     /* 11 */
                                "    patterns: ['x', {regex: 'y', flags: [loud]}]\n"
                                "    scope: [body, elsewhere]\n"; /* 13 */

static void test_every_error_is_reported_with_position(void **state)
{
    char *path = tu_write("bad.yaml", bad_rules);
    dlp_diags_t *d = dlp_diags_new();
    dlp_ruleset_t set;
    assert_int_equal(dlp_ruleset_load(&set, path, d), DLP_ERULES);
    assert_true(tu_diag_has(d, "bad.yaml:3:15:", "unknown category 'markng'"));
    assert_true(tu_diag_has(d, "bad.yaml:6:16:", "pattern does not compile"));
    assert_true(tu_diag_has(d, "bad.yaml:7:5:", "unknown rule key 'colour'"));
    assert_true(tu_diag_has(d, "bad.yaml:8:9:", "duplicate rule id"));
    assert_true(tu_diag_has(d, "bad.yaml:10:15:", "unknown severity 'extreme'"));
    assert_true(tu_diag_has(d, "bad.yaml:12:", "unknown flag 'loud'"));
    assert_true(tu_diag_has(d, "bad.yaml:13:", "unknown scope 'elsewhere'"));
    assert_true(tu_diag_has(d, "[marking.a]", NULL));
    dlp_diags_free(d);
    free(path);
}

static void test_empty_match_and_bad_id_refused(void **state)
{
    char *path = tu_write("r.yaml", "rules:\n  - id: Bad Id\n    category: marking\n"
                                    "    severity: low\n    description: d\n    patterns: ['a*']\n"
                                    "  - id: x.y\n    category: marking\n    severity: low\n"
                                    "    description: d\n    patterns: ['a*']\n");
    dlp_diags_t *d = dlp_diags_new();
    dlp_ruleset_t set;
    assert_int_equal(dlp_ruleset_load(&set, path, d), DLP_ERULES);
    assert_true(tu_diag_has(d, "r.yaml:2:9:", "dotted lowercase"));
    assert_true(tu_diag_has(d, "r.yaml:11:", "empty string"));
    dlp_diags_free(d);
    free(path);
}

static const char good_rule[] = "rules:\n  - id: t.one\n    category: credential\n"
                                "    severity: medium\n    description: d\n"
                                "    patterns: ['%s']\n";

static void test_digest_tracks_patterns_and_cache_roundtrips(void **state)
{
    char text[512];
    snprintf(text, sizeof(text), good_rule, "alpha[0-9]+");
    char *p1 = tu_write("a.yaml", text);
    snprintf(text, sizeof(text), good_rule, "alpha[0-9]{2}");
    char *p2 = tu_write("a.yaml", text);
    dlp_ruleset_t s1, s2;
    assert_int_equal(dlp_ruleset_load(&s1, p1, NULL), DLP_OK);
    assert_int_equal(dlp_ruleset_load(&s2, p2, NULL), DLP_OK);
    assert_int_equal(strlen(s1.digest), 64);
    assert_string_not_equal(s1.digest, s2.digest);

    char cache[512];
    snprintf(cache, sizeof(cache), "%s.cache", p1);
    dlp_hsdb_t h;
    assert_int_equal(dlp_hsdb_build(&h, &s1, cache, NULL), DLP_OK);
    assert_int_equal(h.from_cache, 0);
    assert_non_null(h.db);
    dlp_hsdb_free(&h);
    assert_int_equal(dlp_hsdb_build(&h, &s1, cache, NULL), DLP_OK);
    assert_int_equal(h.from_cache, 1);
    assert_non_null(h.som_db);
    assert_int_equal(h.som_ok[0], 1);
    dlp_hsdb_free(&h);
    /* other rules: a different key, so no stale database is ever used */
    assert_int_equal(dlp_hsdb_build(&h, &s2, cache, NULL), DLP_OK);
    assert_int_equal(h.from_cache, 0);
    dlp_hsdb_free(&h);
    dlp_ruleset_free(&s1);
    dlp_ruleset_free(&s2);
    free(p1);
    free(p2);
}

static void test_corrupt_cache_is_ignored(void **state)
{
    char text[512];
    snprintf(text, sizeof(text), good_rule, "bravo");
    char *p = tu_write("b.yaml", text);
    dlp_ruleset_t s;
    assert_int_equal(dlp_ruleset_load(&s, p, NULL), DLP_OK);
    char cache[512], cmd[1200];
    snprintf(cache, sizeof(cache), "%s.cache", p);
    dlp_hsdb_t h;
    assert_int_equal(dlp_hsdb_build(&h, &s, cache, NULL), DLP_OK);
    dlp_hsdb_free(&h);
    /* truncate every cached file: the next build must compile again */
    snprintf(cmd, sizeof(cmd),
             "for f in '%s'/*.hsdb; do head -c 40 \"$f\" > \"$f.t\"; "
             "mv \"$f.t\" \"$f\"; done",
             cache);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(dlp_hsdb_build(&h, &s, cache, NULL), DLP_OK);
    assert_int_equal(h.from_cache, 0);
    dlp_hsdb_free(&h);
    dlp_ruleset_free(&s);
    free(p);
}

static void test_shipped_pack_loads(void **state)
{
    dlp_diags_t *d = dlp_diags_new();
    dlp_ruleset_t s;
    int rc = dlp_ruleset_load(&s, DLP_SOURCE_DIR "/rules", d);
    char buf[1024];
    for (size_t i = 0; i < dlp_diags_count(d); i++) {
        dlp_diags_format(d, i, buf, sizeof(buf));
        print_error("%s\n", buf);
    }
    assert_int_equal(rc, DLP_OK);
    assert_true(s.n_rules >= 5);
    dlp_ruleset_free(&s);
    dlp_diags_free(d);
}

static void test_compiled_bundle_roundtrip(void **state)
{
    dlp_config_t *cfg;
    dlp_engine_t *e, *e2;
    assert_int_equal(dlp_config_load(NULL, NULL, &cfg, NULL), DLP_OK);
    assert_int_equal(dlp_config_set_rules_path(cfg, DLP_SOURCE_DIR "/rules"), DLP_OK);
    assert_int_equal(dlp_config_set_cache_dir(cfg, NULL), DLP_OK);
    assert_int_equal(dlp_engine_new(cfg, &e, NULL), DLP_OK);
    assert_int_equal(dlp_engine_from_cache(e), 0);
    char *dir = tu_write("x", "");
    char path[512];
    snprintf(path, sizeof(path), "%s.dlpdb", dir);
    assert_int_equal(dlp_engine_save(e, path), DLP_OK);
    /* loading the bundle skips the compile and gives the same rules version */
    assert_int_equal(dlp_config_set_rules_path(cfg, path), DLP_OK);
    assert_int_equal(dlp_engine_new(cfg, &e2, NULL), DLP_OK);
    assert_int_equal(dlp_engine_from_cache(e2), 1);
    assert_string_equal(dlp_engine_rules_version(e), dlp_engine_rules_version(e2));
    assert_int_equal(dlp_engine_rule_count(e), dlp_engine_rule_count(e2));
    dlp_engine_unref(e2);
    /* a truncated bundle is refused with a diagnostic, not loaded half */
    char cmd[2200];
    snprintf(cmd, sizeof(cmd), "head -c 200 '%s' > '%s.t' && mv '%s.t' '%s'", path, path, path,
             path);
    assert_int_equal(system(cmd), 0);
    dlp_diags_t *d = dlp_diags_new();
    assert_int_equal(dlp_engine_new(cfg, &e2, d), DLP_ERULES);
    assert_true(dlp_diags_count(d) > 0);
    dlp_diags_free(d);
    dlp_engine_unref(e);
    dlp_config_free(cfg);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_error_is_reported_with_position),
        cmocka_unit_test(test_empty_match_and_bad_id_refused),
        cmocka_unit_test(test_digest_tracks_patterns_and_cache_roundtrips),
        cmocka_unit_test(test_corrupt_cache_is_ignored),
        cmocka_unit_test(test_shipped_pack_loads),
        cmocka_unit_test(test_compiled_bundle_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
