/*
 * test_limits - hostile messages against the real daemon: a zip bomb,
 * 1,000-deep MIME nesting, a 100 MB base64 line and a truncated multipart.
 * Each is answered with a verdict that names the limit it hit (the truncated
 * multipart hits none: it is read as far as it goes), at least WARN by the
 * default policy, while a second client keeps being answered throughout.
 */
#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

typedef struct shared {
    dlpd_proc_t d;
    atomic_int stop;
    atomic_int answered;
    atomic_int failures;
} shared_t;

static const char benign[] = "From: a@example.org\r\nTo: b@example.com\r\nSubject: lunch\r\n\r\n"
                             "See you at noon.\r\n";

/* The well-behaved client: scans a small message over and over. */
static void *bystander(void *arg)
{
    shared_t *sh = arg;
    dlp_client_t *c = harness_client(&sh->d);
    while (c && !atomic_load(&sh->stop)) {
        harness_scan_t s;
        harness_scan_init(&s, dlp_client_next_id(c), (const uint8_t *)benign, sizeof(benign) - 1);
        Dlp__V1__Response *r = NULL;
        char err[256];
        if (dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, &r, err, sizeof(err)) != 0 ||
            r->error || !r->scan)
            atomic_fetch_add(&sh->failures, 1);
        else
            atomic_fetch_add(&sh->answered, 1);
        dlp_client_response_free(r);
    }
    if (!c)
        atomic_fetch_add(&sh->failures, 1);
    dlp_client_free(c);
    return NULL;
}

static char *zip_bomb_mail(size_t *len)
{
    size_t big = 64u << 20, cap = 4u << 20, used = 0;
    uint8_t *zeros = calloc(1, big), *zip = malloc(cap);
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_open_memory(a, zip, cap, &used);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "payroll.csv");
    archive_entry_set_size(e, (la_int64_t)big);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_write_header(a, e);
    archive_write_data(a, zeros, big);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    free(zeros);
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *m = malloc(used * 2 + 1024);
    size_t k = (size_t)sprintf(m, "Subject: bomb\nMIME-Version: 1.0\nContent-Type: multipart/"
                                  "mixed; boundary=Z\n\n--Z\nContent-Type: application/zip\n"
                                  "Content-Transfer-Encoding: base64\nContent-Disposition: "
                                  "attachment; filename=bomb.zip\n\n");
    for (size_t i = 0; i < used; i += 3) {
        uint32_t v = (uint32_t)zip[i] << 16 | (i + 1 < used ? (uint32_t)zip[i + 1] << 8 : 0) |
                     (i + 2 < used ? zip[i + 2] : 0);
        m[k++] = t[v >> 18 & 63];
        m[k++] = t[v >> 12 & 63];
        m[k++] = i + 1 < used ? t[v >> 6 & 63] : '=';
        m[k++] = i + 2 < used ? t[v & 63] : '=';
        if ((i / 3) % 19 == 18)
            m[k++] = '\n';
    }
    k += (size_t)sprintf(m + k, "\n--Z--\n");
    free(zip);
    *len = k;
    return m;
}

static char *deep_mail(size_t *len)
{
    size_t cap = 1 << 20, k = 0;
    char *m = malloc(cap);
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(m + k, cap - k,
                              "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    k += (size_t)snprintf(m + k, cap - k, "Content-Type: text/plain\n\nFOUO at the bottom\n");
    for (int i = 999; i >= 0; i--)
        k += (size_t)snprintf(m + k, cap - k, "--b%d--\n", i);
    *len = k;
    return m;
}

static char *long_line_mail(size_t *len)
{
    size_t line = 100u << 20;
    char *m = malloc(line + 256);
    size_t k = (size_t)sprintf(m, "Subject: big\nContent-Type: text/plain\n"
                                  "Content-Transfer-Encoding: base64\n\n");
    memset(m + k, 'A', line);
    k += line;
    m[k++] = '\n';
    *len = k;
    return m;
}

static char *truncated_mail(size_t *len)
{
    static const char t[] = "Subject: cut\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
                            "boundary=QQ\n\n--QQ\nContent-Type: text/plain\n\n"
                            "UNCLASSIFIED//FOR OFFICIAL USE ONLY\n--QQ\nContent-Type: "
                            "application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK";
    *len = sizeof(t) - 1;
    return strdup(t);
}

static int has_limit(const Dlp__V1__ScanResponse *s, const char *name)
{
    for (size_t i = 0; i < s->n_incomplete; i++)
        if (!strcmp(s->incomplete[i], name))
            return 1;
    return 0;
}

static Dlp__V1__ScanResponse *scan(dlp_client_t *c, const char *msg, size_t len,
                                   Dlp__V1__Response **keep)
{
    harness_scan_t s;
    harness_scan_init(&s, dlp_client_next_id(c), (const uint8_t *)msg, len);
    char err[256];
    *keep = NULL;
    if (dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, keep, err, sizeof(err)) != 0) {
        fprintf(stderr, "scan: %s\n", err);
        return NULL;
    }
    if ((*keep)->error)
        fprintf(stderr, "scan error: %s\n", (*keep)->error->message);
    return (*keep)->scan;
}

static void test_hostile_messages(void **state)
{
    shared_t *sh = calloc(1, sizeof(*sh));
    assert_int_equal(harness_setup(&sh->d, "max_frame_bytes: 256M\n"), 0);
    assert_int_equal(harness_start(&sh->d), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, bystander, sh), 0);
    dlp_client_t *c = harness_client(&sh->d);
    assert_non_null(c);

    struct {
        char *(*make)(size_t *);
        const char *limit; /* NULL: no limit, but a verdict with the text found */
    } cases[] = {{zip_bomb_mail, "compression_ratio"},
                 {deep_mail, "mime_depth"},
                 {long_line_mail, "message_bytes"},
                 {truncated_mail, NULL}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        char *msg = cases[i].make(&len);
        int before = atomic_load(&sh->answered);
        Dlp__V1__Response *r;
        Dlp__V1__ScanResponse *s = scan(c, msg, len, &r);
        assert_non_null(s);
        if (cases[i].limit) {
            assert_true(has_limit(s, cases[i].limit));
            assert_true(s->action >= DLP__V1__ACTION__WARN);
        } else {
            int marked = 0;
            for (size_t f = 0; f < s->n_findings; f++)
                marked |= !strcmp(s->findings[f]->rule_id, "marking.fouo");
            assert_true(marked);
        }
        fprintf(stderr, "case %zu: action %d, %zu limits, bystander answered %d meanwhile\n", i,
                s->action, s->n_incomplete, atomic_load(&sh->answered) - before);
        dlp_client_response_free(r);
        free(msg);
    }
    atomic_store(&sh->stop, 1);
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&sh->failures), 0);
    assert_true(atomic_load(&sh->answered) > 0);
    assert_true(harness_alive(&sh->d));
    dlp_client_free(c);
    harness_cleanup(&sh->d);
    free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
