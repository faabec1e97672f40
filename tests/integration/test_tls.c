/*
 * test_tls - a tls: listener with client certificates, driven by
 * libdlpclient, dlpc and dlp-milter. The test makes a CA, a server
 * certificate (for 127.0.0.1 and dlpd.test), a client certificate from that
 * CA and one from another CA with Debian's openssl CLI in the daemon's
 * directory. A scan with the right client certificate is answered with its
 * verdict (through a connection, a pool, dlpc and dlp-milter); a client that
 * does not trust the daemon's certificate or finds the wrong name in it
 * refuses to talk, with a message saying why; the daemon refuses a client
 * without a certificate, with one from the other CA, or in plaintext; it
 * keeps serving throughout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define IO_MS 10000 /* per connection and answer; a hang fails, a refusal is quick */

typedef struct tls_fixture {
    dlpd_proc_t d;
    uint16_t port;
    char tls_addr[64]; /* tls:127.0.0.1:PORT */
    char tcp_addr[64]; /* tcp:127.0.0.1:PORT, the same port in plaintext */
    pid_t milter;
    char milter_sock[100];
} tls_fixture_t;

static tls_fixture_t fx;

/* Runs a shell command line in the daemon's directory; its exit status. */
static int sh(const char *fmt, ...)
{
    char cmd[2048], line[2200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    snprintf(line, sizeof(line), "cd '%s' && %s", fx.d.dir, cmd);
    char *argv[] = {(char *)"/bin/sh", (char *)"-c", line, NULL};
    char *err = NULL;
    int rc = harness_run(argv, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "test_tls: '%s' exited %d: %s\n", cmd, rc, err ? err : "");
    free(err);
    return rc;
}

/* A path in the daemon's directory (eight rotating static buffers: fine within one call). */
static const char *in_dir(const char *name)
{
    static char paths[8][192];
    static unsigned next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", fx.d.dir, name);
    return p;
}

/* CA 'ca' signs 'name' (a server certificate for 127.0.0.1 and dlpd.test when server). */
static int make_cert(const char *ca, const char *name, int server)
{
    if (sh("openssl req -newkey rsa:2048 -nodes -keyout %s.key -out %s.csr -subj /CN=%s", name,
           name, name) != 0)
        return -1;
    if (server && sh("printf 'subjectAltName=IP:127.0.0.1,DNS:dlpd.test\\n' > %s.ext", name) != 0)
        return -1;
    return sh("openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key -CAcreateserial -out %s.pem "
              "-days 2 %s%s%s",
              name, ca, ca, name, server ? "-extfile " : "", server ? name : "",
              server ? ".ext" : "");
}

static int make_pki(void)
{
    const char *ca = "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s.key -out %s.pem "
                     "-days 2 -subj /CN=%s";
    if (sh(ca, "ca", "ca", "ca") || sh(ca, "other", "other", "other"))
        return -1;
    if (make_cert("ca", "server", 1) || make_cert("ca", "client", 0) ||
        make_cert("other", "stranger", 0))
        return -1;
    return 0;
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
        return 0;
    close(fd);
    return ntohs(sa.sin_port);
}

static int group_setup(void **state)
{
    if (harness_setup(&fx.d, NULL) < 0 || make_pki() < 0 || !(fx.port = free_port()))
        return -1;
    snprintf(fx.tls_addr, sizeof(fx.tls_addr), "tls:127.0.0.1:%u", fx.port);
    snprintf(fx.tcp_addr, sizeof(fx.tcp_addr), "tcp:127.0.0.1:%u", fx.port);
    /* The standard listen line is replaced: the first 'listen' key counts. */
    if (sh("sed -i '/^listen:/d' dlpd.yaml && printf '%%s\\n' "
           "'listen: [\"%s\", \"tls:127.0.0.1:%u\"]' 'tls_cert: server.pem' "
           "'tls_key: server.key' 'tls_client_ca: ca.pem' >> dlpd.yaml",
           fx.d.address, fx.port) != 0)
        return -1;
    if (harness_start(&fx.d) < 0)
        return -1;
    *state = &fx;
    return 0;
}

static int group_teardown(void **state)
{
    if (fx.milter > 0) {
        kill(fx.milter, SIGTERM);
        waitpid(fx.milter, NULL, 0);
    }
    harness_dump_log(&fx.d);
    harness_cleanup(&fx.d);
    return 0;
}

/* ------------------------------------------------------------- helpers */

/* TLS settings from files in the daemon's directory ("" or NULL = none). */
static dlp_client_tls_t *settings(const char *ca, const char *cert, const char *server_name)
{
    char err[512] = "";
    char certfile[64], keyfile[64];
    dlp_client_tls_t *t = NULL;
    snprintf(certfile, sizeof(certfile), "%s.pem", cert ? cert : "");
    snprintf(keyfile, sizeof(keyfile), "%s.key", cert ? cert : "");
    int r = dlp_client_tls_new(in_dir(ca), cert ? in_dir(certfile) : NULL,
                               cert ? in_dir(keyfile) : NULL, server_name, &t, err, sizeof(err));
    if (r != 0)
        fprintf(stderr, "test_tls: %s\n", err);
    assert_int_equal(r, DLP_CLIENT_OK);
    return t;
}

static void scan_request(harness_scan_t *s, uint8_t **msg)
{
    size_t len;
    *msg = harness_read_file(harness_example("fouo-to-ml.eml"), &len);
    assert_non_null(*msg);
    harness_scan_init(s, 42, *msg, len);
}

/*
 * Connects to 'address' with these settings and scans fouo-to-ml.eml. Returns
 * the library's code (connect or call) and the message in err; a response
 * is checked to be the BLOCK verdict.
 */
static int tls_scan(const char *address, dlp_client_tls_t *t, char *err, size_t errlen)
{
    dlp_client_t *c;
    err[0] = '\0';
    int r = dlp_client_connect_tls(address, IO_MS, t, &c, err, errlen);
    if (r != DLP_CLIENT_OK)
        return r;
    harness_scan_t s;
    uint8_t *msg;
    scan_request(&s, &msg);
    Dlp__V1__Response *resp = NULL;
    r = dlp_client_call(c, &s.req, IO_MS, &resp, err, errlen);
    if (r == DLP_CLIENT_OK) {
        assert_int_equal(resp->id, 42);
        assert_null(resp->error);
        assert_non_null(resp->scan);
        assert_int_equal(resp->scan->action, DLP__V1__ACTION__BLOCK);
    }
    dlp_client_response_free(resp);
    dlp_client_free(c);
    free(msg);
    return r;
}

static void assert_still_serving(void)
{
    assert_true(harness_alive(&fx.d));
    dlp_client_t *c = harness_client(&fx.d);
    assert_non_null(c);
    assert_int_equal(harness_ping(c, 5), 0);
    dlp_client_free(c);
}

/* Runs dlpc with these arguments; its exit status, output in *out / *err. */
static int dlpc(char **out, char **err, const char *const *args)
{
    char *argv[24];
    size_t n = 0;
    argv[n++] = (char *)IT_DLPC_BIN;
    for (; *args && n + 1 < sizeof(argv) / sizeof(argv[0]); args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    return harness_run(argv, out, err);
}

/* --------------------------------------------------------- libdlpclient */

static void test_scan_with_client_cert(void **state)
{
    char err[512];
    dlp_client_tls_t *t = settings("ca.pem", "client", NULL);
    int r = tls_scan(fx.tls_addr, t, err, sizeof(err));
    if (r != DLP_CLIENT_OK)
        fprintf(stderr, "test_tls: %s\n", err);
    assert_int_equal(r, DLP_CLIENT_OK);
    dlp_client_tls_free(t);
}

/* The certificate names dlpd.test too: asking for that name works, another does not. */
static void test_server_name(void **state)
{
    char err[512];
    dlp_client_tls_t *t = settings("ca.pem", "client", "dlpd.test");
    assert_int_equal(tls_scan(fx.tls_addr, t, err, sizeof(err)), DLP_CLIENT_OK);
    dlp_client_tls_free(t);

    t = settings("ca.pem", "client", "mail.example.org");
    assert_int_equal(tls_scan(fx.tls_addr, t, err, sizeof(err)), DLP_CLIENT_ECONNECT);
    assert_non_null(strstr(err, "tls: certificate verify failed: hostname mismatch"));
    assert_non_null(strstr(err, "mail.example.org"));
    dlp_client_tls_free(t);
    assert_still_serving();
}

/* A CA that did not sign the daemon's certificate: the client refuses the daemon. */
static void test_untrusted_server(void **state)
{
    char err[512];
    dlp_client_tls_t *t = settings("other.pem", "client", NULL);
    assert_int_equal(tls_scan(fx.tls_addr, t, err, sizeof(err)), DLP_CLIENT_ECONNECT);
    assert_non_null(strstr(err, "tls: certificate verify failed: "));
    dlp_client_tls_free(t);
    assert_still_serving();
}

/* The daemon wants a client certificate: without one there is no answer. */
static void test_no_client_cert_refused(void **state)
{
    char err[512];
    dlp_client_tls_t *t = settings("ca.pem", NULL, NULL);
    int r = tls_scan(fx.tls_addr, t, err, sizeof(err));
    assert_true(r < 0);
    assert_non_null(strstr(err, "tls: read: tlsv13 alert certificate required"));
    dlp_client_tls_free(t);
    assert_still_serving();
}

static void test_other_ca_client_cert_refused(void **state)
{
    char err[512];
    dlp_client_tls_t *t = settings("ca.pem", "stranger", NULL);
    int r = tls_scan(fx.tls_addr, t, err, sizeof(err));
    assert_true(r < 0);
    assert_non_null(strstr(err, "alert unknown ca"));
    dlp_client_tls_free(t);
    assert_still_serving();
}

/* Plain frames to the TLS port get no pong, only a close or a TLS alert. */
static void test_plaintext_gets_no_service(void **state)
{
    char err[512];
    dlp_client_t *c;
    assert_int_equal(dlp_client_connect(fx.tcp_addr, IO_MS, &c, err, sizeof(err)), 0);
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__Ping ping = DLP__V1__PING__INIT;
    req.id = 3;
    req.body_case = DLP__V1__REQUEST__BODY_PING;
    req.ping = &ping;
    Dlp__V1__Response *resp = NULL;
    int r = dlp_client_call(c, &req, 3000, &resp, err, sizeof(err));
    if (r == DLP_CLIENT_OK)
        assert_int_not_equal(resp->body_case, DLP__V1__RESPONSE__BODY_PING);
    dlp_client_response_free(resp);
    dlp_client_free(c);
    assert_still_serving();
}

/* Settings that cannot work are refused when made, not at the first scan. */
static void test_bad_settings(void **state)
{
    char err[512];
    dlp_client_tls_t *t = NULL;
    dlp_client_t *c = NULL;
    assert_int_equal(dlp_client_tls_new(NULL, NULL, NULL, NULL, &t, err, sizeof(err)),
                     DLP_CLIENT_EINVAL);
    assert_int_equal(
        dlp_client_tls_new(in_dir("missing.pem"), NULL, NULL, NULL, &t, err, sizeof(err)),
        DLP_CLIENT_EINVAL);
    assert_non_null(strstr(err, "tls: cannot load CA file"));
    assert_non_null(strstr(err, "missing.pem: No such file or directory"));
    assert_int_equal(dlp_client_tls_new(in_dir("ca.pem"), in_dir("client.pem"),
                                        in_dir("stranger.key"), NULL, &t, err, sizeof(err)),
                     DLP_CLIENT_EINVAL);
    assert_non_null(strstr(err, "tls: cannot load client key"));
    assert_null(t);
    /* A tls: address without settings. */
    assert_int_equal(dlp_client_connect(fx.tls_addr, IO_MS, &c, err, sizeof(err)),
                     DLP_CLIENT_EINVAL);
    const char *eps[] = {fx.tls_addr};
    dlp_client_pool_t *p = NULL;
    assert_int_equal(dlp_client_pool_new(eps, 1, NULL, &p, err, sizeof(err)), DLP_CLIENT_EINVAL);
    assert_null(p);
}

/*
 * A pool over the tls: endpoint with a busy health thread (its pings go over
 * TLS too): every scan is answered and the endpoint is never marked down.
 */
static void test_pool_over_tls(void **state)
{
    char err[512];
    dlp_client_tls_t *t = settings("ca.pem", "client", NULL);
    dlp_client_opts_t o;
    dlp_client_opts_init(&o);
    o.health_interval_ms = 100;
    const char *eps[] = {fx.tls_addr};
    dlp_client_pool_t *p;
    assert_int_equal(dlp_client_pool_new_tls(eps, 1, &o, t, &p, err, sizeof(err)), 0);
    dlp_client_tls_free(t); /* the pool keeps its own reference */
    harness_scan_t s;
    uint8_t *msg;
    scan_request(&s, &msg);
    for (int i = 0; i < 3; i++) {
        Dlp__V1__Response *resp;
        int r = dlp_client_pool_scan(p, &s.scan, IO_MS, &resp, err, sizeof(err));
        if (r != 0)
            fprintf(stderr, "test_tls: pool: %s\n", err);
        assert_int_equal(r, 0);
        assert_non_null(resp->scan);
        assert_int_equal(resp->scan->action, DLP__V1__ACTION__BLOCK);
        dlp_client_response_free(resp);
        usleep(150 * 1000); /* let a health ping or two pass */
    }
    dlp_client_endpoint_stats_t st;
    assert_int_equal(dlp_client_pool_endpoint(p, 0, &st), 0);
    assert_int_equal(st.answered, 3);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.marked_down, 0);
    assert_int_equal(st.up, 1);
    dlp_client_pool_free(p);
    free(msg);
}

/*
 * Eight 1 MB scans pipelined on one TLS connection: sends fill the socket
 * and must keep reading answers while they wait (TLS records both ways).
 */
static void test_pipelined_large_scans(void **state)
{
    enum { N = 8, SIZE = 1 << 20 };
    char err[512];
    dlp_client_tls_t *t = settings("ca.pem", "client", NULL);
    dlp_client_t *c;
    assert_int_equal(dlp_client_connect_tls(fx.tls_addr, IO_MS, t, &c, err, sizeof(err)), 0);
    dlp_client_tls_free(t);
    static const char head[] = "From: a@example.org\r\nTo: b@example.com\r\nSubject: notes\r\n\r\n";
    uint8_t *msg = malloc(SIZE);
    assert_non_null(msg);
    memcpy(msg, head, sizeof(head) - 1);
    for (size_t i = sizeof(head) - 1; i < SIZE; i++)
        msg[i] = (i % 64 == 63) ? '\n' : (uint8_t)('a' + i % 26);
    for (int i = 0; i < N; i++) {
        harness_scan_t s;
        harness_scan_init(&s, 100 + (uint64_t)i, msg, SIZE);
        assert_int_equal(dlp_client_send(c, &s.req, err, sizeof(err)), 0);
    }
    unsigned seen = 0;
    for (int i = 0; i < N; i++) {
        Dlp__V1__Response *resp;
        int r = dlp_client_recv(c, 4 * IO_MS, &resp, err, sizeof(err));
        if (r != 0)
            fprintf(stderr, "test_tls: pipeline: %s\n", err);
        assert_int_equal(r, 0);
        assert_true(resp->id >= 100 && resp->id < 100 + N);
        assert_null(resp->error);
        seen |= 1u << (resp->id - 100);
        dlp_client_response_free(resp);
    }
    assert_int_equal(seen, (1u << N) - 1);
    dlp_client_free(c);
    free(msg);
}

/* ---------------------------------------------------------------- dlpc */

static void test_dlpc_over_tls(void **state)
{
    char *out = NULL, *err = NULL;
    const char *ok[] = {"--socket",   fx.tls_addr,
                        "--tls-ca",   in_dir("ca.pem"),
                        "--tls-cert", in_dir("client.pem"),
                        "--tls-key",  in_dir("client.key"),
                        "scan",       harness_example("fouo-to-ml.eml"),
                        NULL};
    assert_int_equal(dlpc(&out, &err, ok), 3); /* block */
    assert_non_null(strstr(out, ": BLOCK"));
    free(out);
    free(err);

    const char *named[] = {
        "--socket",          fx.tls_addr,          "--tls-ca",  in_dir("ca.pem"),
        "--tls-cert",        in_dir("client.pem"), "--tls-key", in_dir("client.key"),
        "--tls-server-name", "wrong.test",         "ping",      NULL};
    assert_int_equal(dlpc(&out, &err, named), 4);
    assert_non_null(strstr(err, "certificate verify failed: hostname mismatch"));
    free(out);
    free(err);

    const char *untrusted[] = {"--socket",   fx.tls_addr,
                               "--tls-ca",   in_dir("other.pem"),
                               "--tls-cert", in_dir("client.pem"),
                               "--tls-key",  in_dir("client.key"),
                               "ping",       NULL};
    assert_int_equal(dlpc(&out, &err, untrusted), 4);
    assert_non_null(strstr(err, "dlpc: cannot connect: tls: certificate verify failed: "));
    free(out);
    free(err);

    const char *no_ca[] = {"--socket", fx.tls_addr, "ping", NULL};
    assert_int_equal(dlpc(&out, &err, no_ca), 64);
    assert_non_null(strstr(err, "--tls-ca"));
    free(out);
    free(err);
    assert_still_serving();
}

/* ----------------------------------------------------------- dlp-milter */

/* Reads one reply frame: its command, data NUL-terminated in buf. */
static char milter_reply(int fd, char *buf, size_t size)
{
    char cmd;
    size_t len;
    assert_int_equal(harness_milter_recv(fd, &cmd, buf, size, &len, 2 * IO_MS), 0);
    return cmd;
}

static int start_milter(void)
{
    snprintf(fx.milter_sock, sizeof(fx.milter_sock), "%s/milter.sock", fx.d.dir);
    char spec[128];
    snprintf(spec, sizeof(spec), "unix:%s", fx.milter_sock);
    fx.milter = fork();
    if (fx.milter < 0)
        return -1;
    if (fx.milter == 0) {
        int fd = open(in_dir("milter.log"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        /* No --domains: the RCPT look-alike check asks dlpd, over TLS. */
        const char *argv[] = {IT_MILTER_BIN,
                              "-s",
                              spec,
                              "-d",
                              fx.tls_addr,
                              "-t",
                              "5000",
                              "--tls-ca",
                              in_dir("ca.pem"),
                              "--tls-cert",
                              in_dir("client.pem"),
                              "--tls-key",
                              in_dir("client.key"),
                              "--refuse-lookalike-rcpt",
                              NULL};
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int waited = 0; waited < 30000; waited += 50) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        memcpy(sa.sun_path, fx.milter_sock, sizeof(fx.milter_sock));
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        if (waitpid(fx.milter, NULL, WNOHANG) == fx.milter) {
            fx.milter = 0;
            break;
        }
        usleep(50000);
    }
    return -1;
}

/*
 * dlp-milter with a tls: endpoint and no local domain list refuses a
 * look-alike recipient at RCPT: only dlpd, reached over TLS, can say so.
 */
static void test_milter_over_tls(void **state)
{
    int fd = start_milter();
    if (fd < 0) {
        char *log = (char *)harness_read_file(in_dir("milter.log"), NULL);
        fprintf(stderr, "dlp-milter did not start; its log:\n%s\n", log ? log : "(none)");
        free(log);
    }
    assert_true(fd >= 0);
    char buf[2048];
    const uint8_t opt[12] = {0, 0, 0, 6, 0, 0, 0x01, 0xff, 0, 0x1f, 0xff, 0xff};
    assert_int_equal(harness_milter_send(fd, 'O', opt, sizeof(opt)), 0);
    assert_int_equal(milter_reply(fd, buf, sizeof(buf)), 'O');
    static const char conn[] = "client.example.org\0"
                               "4\x00\x19"
                               "192.0.2.10";
    assert_int_equal(harness_milter_send(fd, 'C', conn, sizeof(conn)), 0);
    assert_int_equal(milter_reply(fd, buf, sizeof(buf)), 'c');
    assert_int_equal(
        harness_milter_send(fd, 'M', "<sender@example.org>", sizeof("<sender@example.org>")), 0);
    assert_int_equal(milter_reply(fd, buf, sizeof(buf)), 'c');
    assert_int_equal(
        harness_milter_send(fd, 'R', "<jordan.smith@army.ml>", sizeof("<jordan.smith@army.ml>")),
        0);
    assert_int_equal(milter_reply(fd, buf, sizeof(buf)), 'y');
    assert_non_null(strstr(buf, "550 5.1.1"));
    assert_int_equal(harness_milter_send(fd, 'Q', NULL, 0), 0);
    close(fd);

    /* A tls: address without a CA is a usage error. */
    char *argv[] = {(char *)IT_MILTER_BIN, (char *)"-s", (char *)"unix:/nonexistent/m.sock",
                    (char *)"-d",          fx.tls_addr,  NULL};
    char *err = NULL;
    assert_int_equal(harness_run(argv, NULL, &err), 64);
    assert_non_null(strstr(err, "--tls-ca"));
    free(err);
}

/* After all the refusals, a good client is still served. */
static void test_still_serves_tls(void **state)
{
    test_scan_with_client_cert(state);
    assert_still_serving();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_with_client_cert),
        cmocka_unit_test(test_server_name),
        cmocka_unit_test(test_untrusted_server),
        cmocka_unit_test(test_no_client_cert_refused),
        cmocka_unit_test(test_other_ca_client_cert_refused),
        cmocka_unit_test(test_plaintext_gets_no_service),
        cmocka_unit_test(test_bad_settings),
        cmocka_unit_test(test_pool_over_tls),
        cmocka_unit_test(test_pipelined_large_scans),
        cmocka_unit_test(test_dlpc_over_tls),
        cmocka_unit_test(test_milter_over_tls),
        cmocka_unit_test(test_still_serves_tls),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
