/*
 * test_docs - docs/config.md is checked against the code's key tables.
 *
 * Every daemon key that `dlpd --help-config` prints (generated from
 * DLPD_CONFIG_MAP) and every engine limit in dlp_limit_table() (generated
 * from DLP_LIMIT_MAP) must have a row in docs/config.md, so adding a key
 * without documenting it fails the build's tests.
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

#include "dlp/dlp.h"
#include "harness.h"

static char *config_md(void)
{
    char *text = (char *)harness_read_file(IT_DOCS_DIR "/config.md", NULL);
    assert_non_null(text);
    return text;
}

/* The doc has a table row starting "| `key` |" (and, when unit is set, "| `key` | unit |"). */
static int has_row(const char *doc, const char *key, const char *unit)
{
    char row[256];
    if (unit)
        snprintf(row, sizeof(row), "| `%s` | %s |", key, unit);
    else
        snprintf(row, sizeof(row), "| `%s` |", key);
    if (strstr(doc, row))
        return 1;
    fprintf(stderr, "docs/config.md has no row \"%s\"\n", row);
    return 0;
}

static void test_daemon_keys_documented(void **state)
{
    char *argv[] = {(char *)IT_DLPD_BIN, (char *)"--help-config", NULL};
    char *out, *err;
    assert_int_equal(harness_run(argv, &out, &err), 0);
    char *doc = config_md();
    int keys = 0, missing = 0;
    /* Key lines look like "  name   default ...": two spaces, then the key. */
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "  ", 2) != 0 || !islower((unsigned char)line[2]))
            continue;
        char key[64];
        if (sscanf(line + 2, "%63[a-z_]", key) != 1)
            continue;
        keys++;
        missing += !has_row(doc, key, NULL);
    }
    assert_true(keys >= 10); /* the parser above still understands --help-config */
    assert_int_equal(missing, 0);
    free(doc);
    free(out);
    free(err);
}

static void test_limits_documented(void **state)
{
    size_t n;
    const dlp_limit_info_t *tab = dlp_limit_table(&n);
    char *doc = config_md();
    int missing = 0;
    for (size_t i = 0; i < n; i++)
        missing += !has_row(doc, tab[i].key, tab[i].unit);
    assert_int_equal(missing, 0);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_keys_documented),
        cmocka_unit_test(test_limits_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
