/*
 * test_failover - scale-out: two dlpd on TCP loopback, libdlpclient's pool
 * and Debian's HAProxy in front of them, one daemon SIGKILLed under load.
 *
 * Two runs, each THREADS threads x PER_THREAD scans through one
 * dlp_client_pool_t, with one daemon killed once KILL_AFTER scans are done:
 *
 *   direct   the pool holds both daemons as endpoints. Before the kill both
 *            must have answered some scans; after it every scan must still
 *            be answered (the pool retries on the survivor). The killed
 *            daemon is then restarted and the pool's health thread must mark
 *            it up again and send it work.
 *   haproxy  the pool holds one endpoint, an HAProxy frontend (mode tcp,
 *            round robin, a protocol-level ping as tcp-check) over both
 *            daemons. Both daemons' scans_total must grow before the kill;
 *            every scan must be answered after it.
 *
 * Every answer must carry the verdict its message gets alone. Loopback
 * only; ports come from binding port 0. HAProxy is required: without it the
 * test fails and says how to install it (scripts/deps.sh --test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define THREADS         4
#define PER_THREAD      300
#define KILL_AFTER      200 /* scans answered before the kill */
#define SCAN_TIMEOUT_MS 10000

extern char **environ;

static const char *const haproxy_paths[] = {"/usr/sbin/haproxy", "/usr/bin/haproxy",
                                            "/usr/local/sbin/haproxy"};

static const char *const examples[] = {"benign.eml", "fouo-to-ml.eml"};
#define N_MSG (sizeof(examples) / sizeof(examples[0]))

typedef struct world {
    dlpd_proc_t d[2];
    int port[2];
    int front_port;
    pid_t haproxy;
    char haproxy_log[160];
    uint8_t *msg[N_MSG];
    size_t len[N_MSG];
    Dlp__V1__Action expected[N_MSG];
} world_t;

typedef struct load {
    dlp_client_pool_t *pool;
    const world_t *w;
    atomic_int done, failed, wrong;
} load_t;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* A loopback port nobody listens on now (the kernel's choice for port 0). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* Rewrites the harness config so the daemon also listens on tcp:127.0.0.1:port. */
static int listen_tcp_too(dlpd_proc_t *d, int port)
{
    char *cfg = (char *)harness_read_file(d->config, NULL);
    if (!cfg)
        return -1;
    char *line = strstr(cfg, "\nlisten: [");
    char *end = line ? strchr(line + 1, '\n') : NULL;
    if (!end) {
        free(cfg);
        return -1;
    }
    *line = '\0';
    char *text;
    int n =
        asprintf(&text, "%s\nlisten: [\"%s\", \"tcp:127.0.0.1:%d\"]%s", cfg, d->address, port, end);
    free(cfg);
    if (n < 0)
        return -1;
    const char *path = harness_write_file(d, "dlpd-tcp.yaml", text);
    free(text);
    if (!path)
        return -1;
    snprintf(d->config, sizeof(d->config), "%s", path);
    return 0;
}

static const char *find_haproxy(void)
{
    for (size_t i = 0; i < sizeof(haproxy_paths) / sizeof(haproxy_paths[0]); i++)
        if (access(haproxy_paths[i], X_OK) == 0)
            return haproxy_paths[i];
    return NULL;
}

/* scans_total of one daemon, through its unix socket; -1 on error. */
static long long scans_total(const dlpd_proc_t *d)
{
    dlp_client_t *c = harness_client(d);
    if (!c)
        return -1;
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__StatsRequest sr = DLP__V1__STATS_REQUEST__INIT;
    req.id = dlp_client_next_id(c);
    req.body_case = DLP__V1__REQUEST__BODY_STATS;
    req.stats = &sr;
    Dlp__V1__Response *resp;
    long long v = -1;
    if (dlp_client_call(c, &req, HARNESS_IO_TIMEOUT_MS, &resp, NULL, 0) == 0) {
        if (resp->body_case == DLP__V1__RESPONSE__BODY_STATS)
            for (size_t i = 0; i < resp->stats->n_counters; i++)
                if (strcmp(resp->stats->counters[i]->name, "scans_total") == 0)
                    v = (long long)resp->stats->counters[i]->value;
        dlp_client_response_free(resp);
    }
    dlp_client_free(c);
    return v;
}

/* ------------------------------------------------------------------ load */

static void *load_thread(void *arg)
{
    load_t *l = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        size_t m = (size_t)i % N_MSG;
        Dlp__V1__ScanRequest scan = DLP__V1__SCAN_REQUEST__INIT;
        scan.message.data = l->w->msg[m];
        scan.message.len = l->w->len[m];
        Dlp__V1__Response *resp;
        char err[256];
        if (dlp_client_pool_scan(l->pool, &scan, SCAN_TIMEOUT_MS, &resp, err, sizeof(err)) < 0) {
            fprintf(stderr, "failover: scan failed after retries: %s\n", err);
            atomic_fetch_add(&l->failed, 1);
        } else {
            if (resp->error) {
                fprintf(stderr, "failover: answered %s: %s\n",
                        dlp_client_error_code_name(resp->error->code), resp->error->message);
                atomic_fetch_add(&l->failed, 1);
            } else if (resp->scan->action != l->w->expected[m]) {
                atomic_fetch_add(&l->wrong, 1);
            }
            dlp_client_response_free(resp);
        }
        atomic_fetch_add(&l->done, 1);
    }
    return NULL;
}

typedef void (*before_kill_fn)(world_t *w, dlp_client_pool_t *pool);

/* Runs the load, calls before_kill and SIGKILLs daemon 'victim' after KILL_AFTER scans. */
static void run_load(world_t *w, dlp_client_pool_t *pool, int victim, before_kill_fn before_kill,
                     load_t *l)
{
    memset(l, 0, sizeof(*l));
    l->pool = pool;
    l->w = w;
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, load_thread, l), 0);
    while (atomic_load(&l->done) < KILL_AFTER)
        sleep_ms(1);
    before_kill(w, pool);
    int at = atomic_load(&l->done);
    kill(w->d[victim].pid, SIGKILL);
    harness_wait_exit(&w->d[victim], HARNESS_EXIT_TIMEOUT_MS);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    fprintf(stderr, "failover: daemon %d killed after %d of %d scans; %d failed, %d wrong\n",
            victim, at, THREADS * PER_THREAD, atomic_load(&l->failed), atomic_load(&l->wrong));
    assert_int_equal(atomic_load(&l->done), THREADS * PER_THREAD);
    assert_int_equal(atomic_load(&l->failed), 0);
    assert_int_equal(atomic_load(&l->wrong), 0);
}

static void print_pool(dlp_client_pool_t *pool, const char *when)
{
    for (size_t i = 0; i < dlp_client_pool_size(pool); i++) {
        dlp_client_endpoint_stats_t st;
        dlp_client_pool_endpoint(pool, i, &st);
        fprintf(stderr,
                "failover: %s: %s up=%d answered=%llu failed=%llu marked_down=%llu "
                "marked_up=%llu\n",
                when, st.address, st.up, (unsigned long long)st.answered,
                (unsigned long long)st.failed, (unsigned long long)st.marked_down,
                (unsigned long long)st.marked_up);
    }
}

/* ------------------------------------------------------------------- setup */

static int setup(void **state)
{
    world_t *w = calloc(1, sizeof(*w));
    *state = w;
    if (!w)
        return -1;
    for (size_t m = 0; m < N_MSG; m++)
        if (!(w->msg[m] = harness_read_file(harness_example(examples[m]), &w->len[m])))
            return -1;
    for (int i = 0; i < 2; i++) {
        w->port[i] = free_port();
        if (w->port[i] < 0 || harness_setup(&w->d[i], NULL) < 0 ||
            listen_tcp_too(&w->d[i], w->port[i]) < 0 || harness_start(&w->d[i]) < 0)
            return -1;
    }
    /* The verdict each message gets alone, from daemon 0. */
    dlp_client_t *c = harness_client(&w->d[0]);
    if (!c)
        return -1;
    for (size_t m = 0; m < N_MSG; m++) {
        harness_scan_t s;
        harness_scan_init(&s, m + 1, w->msg[m], w->len[m]);
        Dlp__V1__Response *resp;
        if (dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, &resp, NULL, 0) < 0 || resp->error)
            return -1;
        w->expected[m] = resp->scan->action;
        dlp_client_response_free(resp);
    }
    dlp_client_free(c);
    return 0;
}

static int teardown(void **state)
{
    world_t *w = *state;
    if (!w)
        return 0;
    if (w->haproxy > 0) {
        kill(w->haproxy, SIGTERM);
        waitpid(w->haproxy, NULL, 0);
    }
    for (int i = 0; i < 2; i++)
        harness_cleanup(&w->d[i]);
    for (size_t m = 0; m < N_MSG; m++)
        free(w->msg[m]);
    free(w);
    return 0;
}

/* ----------------------------------------------------------- direct endpoints */

static void direct_before_kill(world_t *w, dlp_client_pool_t *pool)
{
    print_pool(pool, "direct, before the kill");
    for (size_t i = 0; i < 2; i++) {
        dlp_client_endpoint_stats_t st;
        assert_int_equal(dlp_client_pool_endpoint(pool, i, &st), 0);
        assert_true(st.answered > 0); /* both daemons served before the kill */
    }
}

static void test_direct_failover(void **state)
{
    world_t *w = *state;
    char a[64], b[64], err[256];
    snprintf(a, sizeof(a), "tcp:127.0.0.1:%d", w->port[0]);
    snprintf(b, sizeof(b), "tcp:127.0.0.1:%d", w->port[1]);
    const char *const eps[] = {a, b};
    dlp_client_opts_t o;
    dlp_client_opts_init(&o);
    o.health_interval_ms = 100;
    o.health_timeout_ms = 1000;
    o.connect_timeout_ms = 1000;
    dlp_client_pool_t *pool;
    assert_int_equal(dlp_client_pool_new(eps, 2, &o, &pool, err, sizeof(err)), 0);

    load_t l;
    run_load(w, pool, 1, direct_before_kill, &l);
    print_pool(pool, "direct, after the load");
    dlp_client_endpoint_stats_t st;
    dlp_client_pool_endpoint(pool, 1, &st);
    assert_true(st.marked_down >= 1);
    assert_int_equal(st.up, 0);
    uint64_t before = st.answered;

    /* Bring the killed daemon back: the health thread marks it up, it gets work again. */
    assert_int_equal(harness_start(&w->d[1]), 0);
    for (int t = 0; t < 100 && (dlp_client_pool_endpoint(pool, 1, &st), !st.up); t++)
        sleep_ms(50);
    assert_int_equal(st.up, 1);
    for (int i = 0; i < 20; i++) {
        Dlp__V1__ScanRequest scan = DLP__V1__SCAN_REQUEST__INIT;
        scan.message.data = w->msg[0];
        scan.message.len = w->len[0];
        Dlp__V1__Response *resp;
        assert_int_equal(
            dlp_client_pool_scan(pool, &scan, SCAN_TIMEOUT_MS, &resp, err, sizeof(err)), 0);
        assert_null(resp->error);
        dlp_client_response_free(resp);
    }
    dlp_client_pool_endpoint(pool, 1, &st);
    print_pool(pool, "direct, after the restart");
    assert_true(st.answered > before);
    assert_true(st.marked_up >= 1);
    dlp_client_pool_free(pool);
}

/* ------------------------------------------------------------------ haproxy */

static long long scans_before[2];

static int start_haproxy(world_t *w, const char *bin)
{
    w->front_port = free_port();
    char cfg[2048];
    /* The tcp-check sends Request{id:1, ping:{payload:"hi"}} and expects the
     * Response, which is the same 12 bytes (docs/protocol.md). */
    snprintf(cfg, sizeof(cfg),
             "# written by tests/integration/test_failover.c (docs/deploy.md)\n"
             "global\n"
             "    maxconn 512\n"
             "defaults\n"
             "    mode tcp\n"
             "    timeout connect 500ms\n"
             "    timeout client 60s\n"
             "    timeout server 60s\n"
             "    retries 2\n"
             "    option redispatch\n"
             "frontend dlp\n"
             "    bind 127.0.0.1:%d\n"
             "    default_backend dlpd\n"
             "backend dlpd\n"
             "    balance roundrobin\n"
             "    option tcp-check\n"
             "    tcp-check connect\n"
             "    tcp-check send-binary 00000008080162040a026869\n"
             "    tcp-check expect binary 00000008080162040a026869\n"
             "    default-server inter 200ms fall 1 rise 2 on-marked-down shutdown-sessions\n"
             "    server dlpd0 127.0.0.1:%d check\n"
             "    server dlpd1 127.0.0.1:%d check\n",
             w->front_port, w->port[0], w->port[1]);
    const char *path = harness_write_file(&w->d[0], "haproxy.cfg", cfg);
    if (!path)
        return -1;
    char cfg_path[160];
    snprintf(cfg_path, sizeof(cfg_path), "%s", path);
    snprintf(w->haproxy_log, sizeof(w->haproxy_log), "%s/haproxy.log", w->d[0].dir);

    char *check[] = {(char *)bin, (char *)"-c", (char *)"-f", cfg_path, NULL};
    char *out = NULL, *errs = NULL;
    int rc = harness_run(check, &out, &errs);
    if (rc != 0) {
        fprintf(stderr, "failover: haproxy -c rejects %s:\n%s%s\n", cfg_path, out, errs);
        free(out);
        free(errs);
        return -1;
    }
    free(out);
    free(errs);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, w->haproxy_log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)bin, (char *)"-f", cfg_path, (char *)"-db", NULL};
    rc = posix_spawn(&w->haproxy, bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "failover: spawn %s: %s\n", bin, strerror(rc));
        w->haproxy = 0;
        return -1;
    }
    /* Up when its frontend relays a ping. */
    char front[64];
    snprintf(front, sizeof(front), "tcp:127.0.0.1:%d", w->front_port);
    for (int t = 0; t < 200; t++) {
        dlp_client_t *c;
        if (dlp_client_connect(front, 500, &c, NULL, 0) == 0) {
            int ok = harness_ping(c, 1) == 0;
            dlp_client_free(c);
            if (ok)
                return 0;
        }
        sleep_ms(50);
    }
    fprintf(stderr, "failover: haproxy does not relay a ping on %s\n", front);
    return -1;
}

static void haproxy_before_kill(world_t *w, dlp_client_pool_t *pool)
{
    for (int i = 0; i < 2; i++) {
        long long now = scans_total(&w->d[i]);
        fprintf(stderr, "failover: haproxy, before the kill: dlpd%d scanned %lld\n", i,
                now - scans_before[i]);
        assert_true(now > scans_before[i]); /* both backends served through haproxy */
    }
}

static void test_haproxy_failover(void **state)
{
    world_t *w = *state;
    const char *bin = find_haproxy();
    if (!bin)
        fail_msg("haproxy is not installed: this test needs Debian's haproxy package "
                 "(scripts/deps.sh --test, or apt-get install haproxy)");
    /* The direct test killed and restarted daemon 1; both must run now. */
    assert_true(harness_alive(&w->d[0]) && harness_alive(&w->d[1]));
    assert_int_equal(start_haproxy(w, bin), 0);

    char front[64], err[256];
    snprintf(front, sizeof(front), "tcp:127.0.0.1:%d", w->front_port);
    const char *const eps[] = {front};
    dlp_client_opts_t o;
    dlp_client_opts_init(&o);
    o.health_interval_ms = 200;
    dlp_client_pool_t *pool;
    assert_int_equal(dlp_client_pool_new(eps, 1, &o, &pool, err, sizeof(err)), 0);
    for (int i = 0; i < 2; i++)
        assert_true((scans_before[i] = scans_total(&w->d[i])) >= 0);

    load_t l;
    run_load(w, pool, 0, haproxy_before_kill, &l);
    print_pool(pool, "haproxy, after the load");
    long long survivor = scans_total(&w->d[1]) - scans_before[1];
    fprintf(stderr, "failover: haproxy: dlpd1 scanned %lld in all\n", survivor);
    assert_true(survivor > 0);
    dlp_client_pool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct_failover),
        cmocka_unit_test(test_haproxy_failover),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
