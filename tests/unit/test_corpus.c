/*
 * test_corpus - every message of the shared corpus's MIME collections (real
 * mail written by other projects, much of it broken on purpose) through the
 * engine with the shipped rules. Each must give a verdict: no crash, no error,
 * no hang (ctest's timeout), no leak (the ASan build in CI).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#define CORPUS DLP_SOURCE_DIR "/../shared/corpus"

static dlp_engine_t *engine;
static dlp_scanner_t *scanner;
static size_t scanned, failed, findings;

static int not_a_message(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return !strncmp(base, "LICENSE", 7) || !strcmp(base, "NOTICE") || !strcmp(base, "SOURCES.md");
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    if (type != FTW_F || not_a_message(path) || !strstr(path, "/mime-"))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t *data = malloc((size_t)st->st_size + 1);
    size_t n = data ? fread(data, 1, (size_t)st->st_size, f) : 0;
    fclose(f);
    const char *const rcpt[] = {"someone@army.ml"};
    dlp_scan_input_t in = {
        .envelope = {.rcpt_to = rcpt, .n_rcpt = 1}, .message = data, .message_len = n};
    dlp_verdict_t *v = NULL;
    int rc = dlp_scan(scanner, engine, &in, &v);
    if (rc != DLP_OK) {
        print_error("%s: %s\n", path, dlp_strerror(rc));
        failed++;
    } else {
        findings += v->n_findings;
    }
    scanned++;
    dlp_verdict_free(v);
    free(data);
    return 0;
}

static void test_every_corpus_message(void **state)
{
    dlp_config_t *cfg;
    assert_int_equal(dlp_config_load(NULL, NULL, &cfg, NULL), DLP_OK);
    assert_int_equal(dlp_config_set_rules_path(cfg, DLP_SOURCE_DIR "/rules"), DLP_OK);
    assert_int_equal(dlp_config_set_cache_dir(cfg, DLP_TEST_TMP "/corpus-cache"), DLP_OK);
    assert_int_equal(dlp_engine_new(cfg, &engine, NULL), DLP_OK);
    assert_int_equal(dlp_scanner_new(&scanner), DLP_OK);
    assert_int_equal(nftw(CORPUS, visit, 16, FTW_PHYS), 0);
    print_message("%zu corpus files scanned, %zu findings\n", scanned, findings);
    assert_true(scanned >= 1000);
    assert_int_equal(failed, 0);
    dlp_scanner_free(scanner);
    dlp_engine_unref(engine);
    dlp_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_corpus_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
