/*
 * test_pdfproc - PDFs read in helper processes (pdfproc.c) through the
 * public scan API: the same text as in process, two scanners reading at
 * once in two helpers, a helper that dies, a deadline that kills a helper
 * busy on a slow document, and no process left behind.
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "pdfproc.h"
#include "testutil.h"
#include "util.h"

static dlp_engine_t *engine;

static char *fouo_mail(void)
{
    size_t n;
    char *pdf = tu_make_pdf("UNCLASSIFIED//FOR OFFICIAL USE ONLY", 1, 1, &n);
    char *m = tu_mail_with("memo.pdf", "application/pdf", (uint8_t *)pdf, n);
    free(pdf);
    return m;
}

/* The shipped rules, PDFs of any length, and 'more' limits. */
static dlp_engine_t *make_engine(const char *more)
{
    char text[512];
    snprintf(text, sizeof(text),
             "rules: %s/rules\ncache: %s/pdfproc-cache\nlimits:\n  pdf_pages: 100000\n%s",
             DLP_SOURCE_DIR, DLP_TEST_TMP, more);
    char *path = tu_write("dlpd.yaml", text);
    dlp_config_t *cfg;
    dlp_engine_t *e = NULL;
    if (dlp_config_load(path, NULL, &cfg, NULL) == DLP_OK) {
        if (dlp_engine_new(cfg, &e, NULL))
            e = NULL;
        dlp_config_free(cfg);
    }
    free(path);
    return e;
}

static dlp_verdict_t *scan_with(dlp_scanner_t *s, dlp_engine_t *e, const char *msg)
{
    dlp_scan_input_t in = {.message = (const uint8_t *)msg, .message_len = strlen(msg)};
    dlp_verdict_t *v = NULL;
    assert_int_equal(dlp_scan(s, e, &in, &v), DLP_OK);
    return v;
}

static dlp_verdict_t *scan(dlp_scanner_t *s, const char *msg)
{
    return scan_with(s, engine, msg);
}

static uint32_t pdf_flags(const dlp_verdict_t *v)
{
    for (size_t i = 0; i < v->n_attachments; i++)
        if (strstr(v->attachments[i].where, "memo.pdf"))
            return v->attachments[i].flags;
    fail_msg("no memo.pdf attachment");
    return 0;
}

/* The PDF's text was read and its marking found. */
static int read_ok(const dlp_verdict_t *v)
{
    int found = 0;
    for (size_t i = 0; i < v->n_findings; i++)
        found |= !strcmp(v->findings[i].rule_id, "marking.fouo") &&
                 v->findings[i].part == DLP_PART_ATTACHMENT;
    return found && (pdf_flags(v) & DLP_ATT_EXTRACTED) && !v->incomplete;
}

static int alive(pid_t pid)
{
    return pid > 0 && kill(pid, 0) == 0;
}

/* Processes whose parent is ppid; *zombies counts those not yet reaped. */
static int children_of(pid_t ppid, int *zombies)
{
    DIR *d = opendir("/proc");
    int n = 0;
    *zombies = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[300], buf[512], state;
        int pid, parent;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t r = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[r] = 0;
        char *rp = strrchr(buf, ')'); /* the name may hold spaces */
        if (rp && sscanf(rp + 1, " %c %d", &state, &parent) == 2 && parent == ppid &&
            sscanf(buf, "%d", &pid) == 1) {
            n++;
            *zombies += state == 'Z';
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* ------------------------------------------------------------------ tests */

static void test_same_text_as_in_process(void **state)
{
    (void)state;
    size_t n;
    char *pdf = tu_make_pdf("UNCLASSIFIED//FOR OFFICIAL USE ONLY", 3, 4, &n);
    dlp_pdf_limits_t lim = {500, 100000, 1 << 20, 1ull << 30};
    dlp_pdf_result_t a, b;
    dlp_pdfproc_t *p;
    assert_int_equal(dlp_pdfproc_new(&p), DLP_OK);
    assert_int_equal(dlp_pdfproc_text(p, (uint8_t *)pdf, n, &lim, 0, &a), DLP_OK);
    assert_true(alive(dlp_pdfproc_pid(p)));
    assert_int_equal(dlp_pdf_text((uint8_t *)pdf, n, 500, 100000, 1 << 20, &b), DLP_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.text, b.text, a.len);
    assert_int_equal(a.text[a.len], 0);
    assert_int_equal(a.limits, b.limits);
    pid_t pid = dlp_pdfproc_pid(p);
    dlp_pdfproc_free(p);
    assert_false(alive(pid)); /* reaped, not a zombie: kill(0) fails */
    free(a.text);
    free(b.text);
    free(pdf);

    dlp_scanner_t *s;
    assert_int_equal(dlp_scanner_new(&s), DLP_OK);
    char *m = fouo_mail();
    dlp_verdict_t *v = scan(s, m);
    assert_true(read_ok(v));
    dlp_verdict_free(v);
    dlp_scanner_free(s);
    free(m);
}

/* Two scanners meet with a request outstanding each: two helpers at once. */
static pthread_mutex_t meet_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t meet_cond = PTHREAD_COND_INITIALIZER;
static pid_t met[2];
static int n_met, both_alive;

static void meet(pid_t helper)
{
    pthread_mutex_lock(&meet_lock);
    if (n_met < 2) {
        met[n_met++] = helper;
        if (n_met == 2) /* both requests are outstanding now */
            both_alive = alive(met[0]) && alive(met[1]);
    }
    pthread_cond_broadcast(&meet_cond);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    while (n_met < 2 && pthread_cond_timedwait(&meet_cond, &meet_lock, &until) == 0)
        ;
    pthread_mutex_unlock(&meet_lock);
}

static void *reader(void *arg)
{
    int *ok = arg;
    dlp_scanner_t *s;
    char *m = fouo_mail();
    *ok = dlp_scanner_new(&s) == DLP_OK;
    for (int i = 0; i < 4 && *ok; i++) {
        dlp_verdict_t *v = NULL;
        dlp_scan_input_t in = {.message = (const uint8_t *)m, .message_len = strlen(m)};
        *ok = dlp_scan(s, engine, &in, &v) == DLP_OK && read_ok(v);
        dlp_verdict_free(v);
    }
    dlp_scanner_free(s);
    free(m);
    return NULL;
}

static void test_two_scanners_read_at_once(void **state)
{
    (void)state;
    pthread_t t[2];
    int ok[2] = {0, 0};
    dlp_pdfproc_test_sent = meet;
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, &ok[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    dlp_pdfproc_test_sent = NULL;
    assert_true(ok[0] && ok[1]);
    assert_int_equal(n_met, 2);
    assert_int_not_equal(met[0], met[1]);
    assert_true(both_alive);
    assert_false(alive(met[0]) || alive(met[1]));
}

static pid_t victim;

static void kill_helper(pid_t helper)
{
    victim = helper;
    kill(helper, SIGKILL);
}

static void test_helper_killed(void **state)
{
    (void)state;
    dlp_scanner_t *s;
    assert_int_equal(dlp_scanner_new(&s), DLP_OK);
    char *m = fouo_mail();
    dlp_pdfproc_test_sent = kill_helper;
    dlp_verdict_t *v = scan(s, m);
    dlp_pdfproc_test_sent = NULL;
    assert_true(victim > 0);
    assert_false(alive(victim));
    uint32_t f = pdf_flags(v);
    assert_false(f & DLP_ATT_EXTRACTED);
    assert_true(f & DLP_ATT_TRUNCATED);
    assert_true(v->incomplete & (1u << DLP_LIMIT_PDF_MEMORY_BYTES));
    dlp_verdict_free(v);

    dlp_pdfproc_test_sent = meet; /* records the next helper's pid */
    n_met = 1;
    v = scan(s, m);
    dlp_pdfproc_test_sent = NULL;
    assert_true(read_ok(v));
    assert_true(met[1] > 0 && met[1] != victim);
    dlp_verdict_free(v);
    dlp_scanner_free(s);
    free(m);
}

/* The helper's soft address-space limit, from /proc, in bytes; 0 if unknown. */
static uint64_t address_space_limit(pid_t pid)
{
    char path[64], line[256];
    uint64_t soft = 0;
    snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "Max address space", 17))
            soft = strtoull(line + 26, NULL, 10);
    if (f)
        fclose(f);
    return soft;
}

/* limits: pdf_memory_bytes sets the helper's address space for each PDF. */
static void test_memory_limit_applied(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* ASan needs terabytes of address space: the helper sets no limit */
#endif
    dlp_engine_t *e = make_engine("  pdf_memory_bytes: 256M\n");
    assert_non_null(e);
    dlp_scanner_t *s;
    assert_int_equal(dlp_scanner_new(&s), DLP_OK);
    char *m = fouo_mail();
    dlp_verdict_t *v = scan_with(s, e, m);
    assert_true(read_ok(v)); /* 256 MiB is plenty for a small PDF */
    dlp_verdict_free(v);
    dlp_pdfproc_test_sent = meet;
    n_met = 1;
    v = scan_with(s, e, m);
    dlp_pdfproc_test_sent = NULL;
    dlp_verdict_free(v);
    assert_int_equal(address_space_limit(met[1]), 256ull << 20);
    dlp_scanner_free(s);
    dlp_engine_unref(e);
    free(m);
}

static void test_deadline_kills_slow_reader(void **state)
{
    (void)state;
    dlp_scanner_t *s;
    assert_int_equal(dlp_scanner_new(&s), DLP_OK);
    char *small = fouo_mail();
    dlp_pdfproc_test_sent = meet; /* the helper that reads the slow PDF */
    n_met = 1;
    dlp_verdict_t *v = scan(s, small);
    assert_true(read_ok(v));
    dlp_verdict_free(v);
    pid_t first = met[1];

    size_t n;
    char *pdf =
        tu_make_pdf("Quarterly figures 1234 5678 abcdefghij klmnopqrst uvwxyz", 300, 700, &n);
    char *big = tu_mail_with("memo.pdf", "application/pdf", (uint8_t *)pdf, n);
    dlp_engine_t *quick = make_engine("  scan_time_ms: 1000\n");
    assert_non_null(quick);
    uint64_t start = dlp_now_ns();
    v = scan_with(s, quick, big);
    uint64_t took = dlp_now_ns() - start;
    dlp_engine_unref(quick);
    dlp_pdfproc_test_sent = NULL;
    assert_true(v->incomplete & (1u << DLP_LIMIT_SCAN_TIME));
    assert_false(pdf_flags(v) & DLP_ATT_EXTRACTED);
    assert_false(alive(first));            /* killed at the deadline, and reaped */
    assert_true(took < 2500 * 1000000ull); /* reading it all takes several seconds */
    dlp_verdict_free(v);

    v = scan(s, small); /* a fresh helper */
    assert_true(read_ok(v));
    dlp_verdict_free(v);
    dlp_scanner_free(s);
    free(pdf);
    free(big);
    free(small);
}

static void test_nothing_left_behind(void **state)
{
    (void)state;
    pid_t z = dlp_pdfproc_zygote_pid();
    int zombies;
    assert_true(alive(z));
    assert_int_equal(children_of(z, &zombies), 0);        /* every helper reaped */
    assert_int_equal(children_of(getpid(), &zombies), 1); /* the zygote only */
    assert_int_equal(zombies, 0);
}

int main(void)
{
    if (!(engine = make_engine("")))
        return 1;
    if (!dlp_pdf_available() || !dlp_pdfproc_zygote_pid()) {
        printf("PDF support or its zygote unavailable: skipped\n");
        dlp_engine_unref(engine);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_text_as_in_process),
        cmocka_unit_test(test_two_scanners_read_at_once),
        cmocka_unit_test(test_helper_killed),
        cmocka_unit_test(test_memory_limit_applied),
        cmocka_unit_test(test_deadline_kills_slow_reader),
        cmocka_unit_test(test_nothing_left_behind),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    dlp_engine_unref(engine);
    return rc;
}
