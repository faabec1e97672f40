/*
 * test_check - `dlpd --check -c FILE` validates a config without serving.
 *
 * A good config (the same one the other tests run with) passes with exit 0.
 * A config with an unknown key, or with a bad value for a daemon key, fails
 * with a non-zero exit and names the offending spot as file:line:column, so
 * an operator can jump straight to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Line of the first extra key in harness_setup()'s config (after its 8 standard lines). */
#define EXTRA_LINE 9

/* Runs dlpd --check on d's config; returns the exit status, output in *text. */
static int check(const dlpd_proc_t *d, char **text)
{
    char *argv[] = {(char *)IT_DLPD_BIN, (char *)"--check", (char *)"-c", (char *)d->config, NULL};
    char *out, *err;
    int st = harness_run(argv, &out, &err);
    size_t n = strlen(out) + strlen(err) + 2;
    *text = malloc(n);
    snprintf(*text, n, "%s\n%s", out, err);
    free(out);
    free(err);
    fprintf(stderr, "dlpd --check exit %d:\n%s", st, *text);
    return st;
}

/* True when text holds "path:line:COLUMN:" with a numeric column. */
static int has_position(const char *text, const char *path, int line, int column)
{
    char prefix[256];
    snprintf(prefix, sizeof(prefix), "%s:%d:", path, line);
    for (const char *p = strstr(text, prefix); p; p = strstr(p + 1, prefix)) {
        const char *q = p + strlen(prefix);
        if (!isdigit((unsigned char)*q))
            continue;
        int col = atoi(q);
        while (isdigit((unsigned char)*q))
            q++;
        if (*q == ':' && (column == 0 || col == column))
            return 1;
    }
    return 0;
}

static void test_good_config_passes(void **state)
{
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, NULL), 0);
    char *text;
    assert_int_equal(check(&d, &text), 0);
    free(text);
    harness_cleanup(&d);
}

static void test_unknown_key_is_located(void **state)
{
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, "frobnicate_level: 3\n"), 0);
    char *text;
    assert_int_not_equal(check(&d, &text), 0);
    assert_true(has_position(text, d.config, EXTRA_LINE, 1));
    assert_non_null(strstr(text, "frobnicate_level"));
    free(text);
    harness_cleanup(&d);
}

static void test_bad_daemon_value_is_located(void **state)
{
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, "max_frame_bytes: 12\n"), 0);
    char *text;
    assert_int_not_equal(check(&d, &text), 0);
    assert_true(has_position(text, d.config, EXTRA_LINE, 0));
    assert_non_null(strstr(text, "max_frame_bytes"));
    free(text);
    harness_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_config_passes),
        cmocka_unit_test(test_unknown_key_is_located),
        cmocka_unit_test(test_bad_daemon_value_is_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
