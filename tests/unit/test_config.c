/* test_config - config loading: defaults, positioned errors, limits, foreign keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

static const char *const daemon_keys[] = {"listen", "workers", NULL};

static void test_defaults(void **state)
{
    dlp_config_t *cfg;
    assert_int_equal(dlp_config_load(NULL, NULL, &cfg, NULL), DLP_OK);
    size_t n;
    const dlp_limit_info_t *tab = dlp_limit_table(&n);
    assert_int_equal(n, DLP_LIMIT__COUNT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(dlp_config_limits(cfg)->v[i], tab[i].def);
        assert_true(tab[i].min <= tab[i].def && tab[i].def <= tab[i].max);
    }
    assert_null(dlp_config_path(cfg));
    dlp_config_free(cfg);
}

static void test_unknown_key_is_positioned(void **state)
{
    char *path = tu_write("c.yaml", "rules: /x\nlisten: [unix:/tmp/s]\n  \nworkerz: 3\n");
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg;
    assert_int_equal(dlp_config_load(path, daemon_keys, &cfg, d), DLP_ECONFIG);
    assert_null(cfg);
    assert_true(tu_diag_has(d, ":4:1:", "unknown key 'workerz'"));
    dlp_diags_free(d);
    free(path);
}

static void test_yaml_syntax_error(void **state)
{
    char *path = tu_write("c.yaml", "rules: [a, b\nlisten: x\n");
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg;
    assert_int_equal(dlp_config_load(path, daemon_keys, &cfg, d), DLP_ECONFIG);
    assert_int_equal(dlp_diags_count(d), 1);
    assert_true(tu_diag_has(d, "c.yaml:", "YAML"));
    dlp_diags_free(d);
    free(path);
}

static void test_limits_parsed_and_bounded(void **state)
{
    char *path = tu_write("c.yaml", "limits:\n  message_bytes: 2M\n  mime_depth: 0\n"
                                    "  no_such_limit: 3\n");
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg;
    assert_int_equal(dlp_config_load(path, NULL, &cfg, d), DLP_ECONFIG);
    assert_true(tu_diag_has(d, ":3:15:", "mime_depth"));
    assert_true(tu_diag_has(d, ":4:3:", "unknown limit 'no_such_limit'"));
    dlp_diags_free(d);
    free(path);

    path = tu_write("c.yaml", "limits:\n  message_bytes: 2M\n  scan_time_ms: 250\n");
    assert_int_equal(dlp_config_load(path, NULL, &cfg, NULL), DLP_OK);
    assert_int_equal(dlp_config_limits(cfg)->v[DLP_LIMIT_MESSAGE_BYTES], 2u << 20);
    assert_int_equal(dlp_config_limits(cfg)->v[DLP_LIMIT_SCAN_TIME], 250);
    dlp_config_free(cfg);
    free(path);
}

static void test_foreign_keys_and_paths(void **state)
{
    char *path =
        tu_write("c.yaml", "rules: myrules\nlisten:\n  - unix:a.sock\n  - tcp:127.0.0.1:1\n"
                           "workers: 3\nprotected_domains: [MIL., '*.gov']\n");
    dlp_config_t *cfg;
    assert_int_equal(dlp_config_load(path, daemon_keys, &cfg, NULL), DLP_OK);
    const dlp_config_value_t *l = dlp_config_foreign(cfg, "listen");
    assert_non_null(l);
    assert_null(l->scalar);
    assert_int_equal(l->n_items, 2);
    assert_string_equal(l->items[1], "tcp:127.0.0.1:1");
    assert_int_equal(l->line, 3);
    assert_string_equal(dlp_config_foreign(cfg, "workers")->scalar, "3");
    assert_null(dlp_config_foreign(cfg, "log"));
    /* relative paths follow the config file */
    char *dir = strdup(path);
    *strrchr(dir, '/') = 0;
    char want[512];
    snprintf(want, sizeof(want), "%s/myrules", dir);
    assert_string_equal(dlp_config_rules_path(cfg), want);
    char *r = dlp_config_resolve(cfg, "/abs/x");
    assert_string_equal(r, "/abs/x");
    free(r);
    free(dir);
    dlp_config_free(cfg);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_unknown_key_is_positioned),
        cmocka_unit_test(test_yaml_syntax_error),
        cmocka_unit_test(test_limits_parsed_and_bounded),
        cmocka_unit_test(test_foreign_keys_and_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
