/*
 * test_tls - a tls: listener with client certificates. The test makes a CA,
 * a server certificate (for 127.0.0.1), a client certificate from that CA
 * and one from another CA with Debian's openssl CLI in the daemon's
 * directory, and talks to the daemon with `openssl s_client`, sending real
 * protocol frames: a scan with the right client certificate is answered
 * with its verdict; without a certificate, with one from the other CA, or in
 * plaintext there is no service; the daemon keeps serving throughout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dlp_frame.h"
#include "harness.h"

typedef struct tls_fixture {
    dlpd_proc_t d;
    uint16_t port;
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

/* CA 'ca' signs 'name' (a server certificate for 127.0.0.1 when server). */
static int make_cert(const char *ca, const char *name, int server)
{
    if (sh("openssl req -newkey rsa:2048 -nodes -keyout %s.key -out %s.csr -subj /CN=%s", name,
           name, name) != 0)
        return -1;
    if (server && sh("printf 'subjectAltName=IP:127.0.0.1\\n' > %s.ext", name) != 0)
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
    harness_dump_log(&fx.d);
    harness_cleanup(&fx.d);
    return 0;
}

/* Writes one request frame to 'file' in the daemon's directory. */
static void write_request(const char *file, const Dlp__V1__Request *req)
{
    uint8_t *frame;
    size_t len;
    char path[256];
    assert_int_equal(dlp_frame_pack(&req->base, &frame, &len), 0);
    snprintf(path, sizeof(path), "%s/%s", fx.d.dir, file);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(frame, 1, len, f), len);
    fclose(f);
    free(frame);
}

/*
 * Sends req.bin over TLS with the given client certificate ("" = none) and
 * returns the first response, or NULL when none came. stdin stays open two
 * seconds so the answer arrives before s_client closes.
 */
static Dlp__V1__Response *tls_call(const char *cert)
{
    char opts[128] = "";
    if (*cert)
        snprintf(opts, sizeof(opts), "-cert %s.pem -key %s.key", cert, cert);
    sh("(cat req.bin; sleep 2) | timeout 20 openssl s_client -quiet -no_ign_eof -connect "
       "127.0.0.1:%u "
       "-CAfile ca.pem -verify_return_error %s > resp.bin 2> s_client.err",
       fx.port, opts);
    char path[256];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/resp.bin", fx.d.dir);
    uint8_t *buf = harness_read_file(path, &len);
    Dlp__V1__Response *r = NULL;
    if (buf && len > DLP_FRAME_HEADER_BYTES &&
        dlp_frame_get_header(buf) == len - DLP_FRAME_HEADER_BYTES)
        r = dlp__v1__response__unpack(NULL, len - DLP_FRAME_HEADER_BYTES,
                                      buf + DLP_FRAME_HEADER_BYTES);
    free(buf);
    return r;
}

static void write_scan_request(void)
{
    size_t len;
    uint8_t *msg = harness_read_file(harness_example("fouo-to-ml.eml"), &len);
    assert_non_null(msg);
    harness_scan_t s;
    harness_scan_init(&s, 42, msg, len);
    write_request("req.bin", &s.req);
    free(msg);
}

static void assert_still_serving(void)
{
    assert_true(harness_alive(&fx.d));
    dlp_client_t *c = harness_client(&fx.d);
    assert_non_null(c);
    assert_int_equal(harness_ping(c, 5), 0);
    dlp_client_free(c);
}

static void test_scan_with_client_cert(void **state)
{
    write_scan_request();
    Dlp__V1__Response *r = tls_call("client");
    assert_non_null(r);
    assert_int_equal(r->id, 42);
    assert_null(r->error);
    assert_non_null(r->scan);
    assert_int_equal(r->scan->action, DLP__V1__ACTION__BLOCK);
    dlp__v1__response__free_unpacked(r, NULL);
}

static void test_no_client_cert_refused(void **state)
{
    write_scan_request();
    assert_null(tls_call(""));
    assert_still_serving();
}

static void test_other_ca_refused(void **state)
{
    write_scan_request();
    assert_null(tls_call("stranger"));
    assert_still_serving();
}

/* Plain frames to the TLS port: no pong, only a close or a TLS alert. */
static void test_plaintext_gets_no_service(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons(fx.port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(harness_send_ping(fd, 3), 0);
    int eof;
    Dlp__V1__Response *r = harness_recv_response(fd, 2000, &eof);
    if (r)
        assert_int_not_equal(r->body_case, DLP__V1__RESPONSE__BODY_PING);
    dlp__v1__response__free_unpacked(r, NULL);
    close(fd);
    assert_still_serving();
}

/* After all the refusals, a good client is still served. */
static void test_still_serves_tls(void **state)
{
    test_scan_with_client_cert(state);
    assert_still_serving();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_with_client_cert),
        cmocka_unit_test(test_no_client_cert_refused),
        cmocka_unit_test(test_other_ca_refused),
        cmocka_unit_test(test_plaintext_gets_no_service),
        cmocka_unit_test(test_still_serves_tls),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
