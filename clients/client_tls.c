/*
 * client_tls.c - libdlpclient's TLS: the shared settings (dlp_client_tls_t)
 * and one OpenSSL session per connection (see client_tls.h).
 *
 * Settings are one SSL_CTX, built and checked once (CA, client certificate,
 * TLS 1.2 minimum, peer verification) and then only read, so connections in
 * any number of threads share it; a pool holds a reference of its own.
 *
 * A session talks to its socket through a small BIO of ours rather than
 * SSL_set_fd(): OpenSSL's socket BIO writes with write(), which raises
 * SIGPIPE when the daemon has gone, and a library must neither kill its
 * program nor touch its signal handling. Ours sends with MSG_NOSIGNAL, as
 * the plaintext path does. The socket stays non-blocking: OpenSSL says what
 * it wants (WANT_READ / WANT_WRITE) and the caller polls against its own
 * deadline, so the handshake, reads and writes all honour the timeouts.
 *
 * An EOF without close_notify counts as an orderly close (ECLOSED, like a
 * plaintext close): every frame carries its length, so a cut answer is
 * caught by the framing anyway. OpenSSL's error queue is per thread; each
 * entry point clears it first and leaves it empty.
 */
#include "client_tls.h"
#include "client_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef BIO_FLAGS_IN_EOF
#define BIO_FLAGS_IN_EOF 0x800 /* what OpenSSL's own socket BIO sets on EOF */
#endif

struct dlp_client_tls {
    SSL_CTX *ctx;
    char *server_name; /* NULL: each address's HOST */
    atomic_int refs;
};

struct dlpcl_tls_conn {
    SSL *ssl;
    int broken; /* a fatal error happened: no close_notify on close */
};

/* ------------------------------------------------------------- socket BIO */

static BIO_METHOD *g_bio_method; /* made once, lives as long as the program */
static pthread_once_t g_bio_once = PTHREAD_ONCE_INIT;

static int bio_fd(BIO *b)
{
    return (int)(intptr_t)BIO_get_data(b);
}

static int bio_write(BIO *b, const char *buf, int len)
{
    ssize_t n;
    BIO_clear_retry_flags(b);
    do
        n = send(bio_fd(b), buf, (size_t)len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        BIO_set_retry_write(b);
    return (int)n;
}

static int bio_read(BIO *b, char *buf, int len)
{
    ssize_t n;
    BIO_clear_retry_flags(b);
    do
        n = recv(bio_fd(b), buf, (size_t)len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        BIO_set_retry_read(b);
    if (n == 0)
        BIO_set_flags(b, BIO_FLAGS_IN_EOF);
    return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    if (cmd == BIO_CTRL_FLUSH)
        return 1;
    if (cmd == BIO_CTRL_EOF)
        return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
    return 0;
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void bio_method_init(void)
{
    int index = BIO_get_new_index();
    BIO_METHOD *m =
        index < 0 ? NULL : BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "dlpclient socket");
    if (m && (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
              !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create))) {
        BIO_meth_free(m);
        m = NULL;
    }
    g_bio_method = m;
}

/* ----------------------------------------------------------------- errors */

/* Fails with code and "tls: <what>: <OpenSSL's reason>"; empties the error queue. */
static int ssl_fail(int code, char *err, size_t errlen, const char *what, const char *arg)
{
    unsigned long e = ERR_get_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    char buf[256];
#ifdef ERR_SYSTEM_ERROR
    if (e && ERR_SYSTEM_ERROR(e))
        reason = strerror(ERR_GET_REASON(e)); /* e.g. a missing file */
#endif
    if (e && !reason) {
        ERR_error_string_n(e, buf, sizeof(buf));
        reason = buf;
    }
    ERR_clear_error();
    return dlpcl_fail(code, err, errlen, "tls: %s%s%s: %s", what, arg ? " " : "", arg ? arg : "",
                      reason ? reason : "unknown error");
}

/* ------------------------------------------------------------- settings */

/* Loads the CA and the client certificate into t->ctx. */
static int load_files(dlp_client_tls_t *t, const char *ca, const char *cert, const char *key,
                      char *err, size_t errlen)
{
    if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1)
        return ssl_fail(DLP_CLIENT_EINVAL, err, errlen, "cannot load CA file", ca);
    if (!cert)
        return DLP_CLIENT_OK;
    if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1)
        return ssl_fail(DLP_CLIENT_EINVAL, err, errlen, "cannot load client certificate", cert);
    if (SSL_CTX_use_PrivateKey_file(t->ctx, key ? key : cert, SSL_FILETYPE_PEM) != 1)
        return ssl_fail(DLP_CLIENT_EINVAL, err, errlen, "cannot load client key", key ? key : cert);
    if (SSL_CTX_check_private_key(t->ctx) != 1)
        return ssl_fail(DLP_CLIENT_EINVAL, err, errlen, "key does not match certificate", cert);
    return DLP_CLIENT_OK;
}

int dlp_client_tls_new(const char *ca_file, const char *cert_file, const char *key_file,
                       const char *server_name, dlp_client_tls_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!ca_file || !*ca_file)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen,
                          "tls: a CA file is needed to verify the daemon");
    if (key_file && !cert_file)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "tls: a key without a certificate");
    if (server_name && !*server_name)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "tls: empty server name");
    ERR_clear_error();
    dlp_client_tls_t *t = calloc(1, sizeof(*t));
    if (!t || !(t->ctx = SSL_CTX_new(TLS_client_method())) ||
        (server_name && !(t->server_name = strdup(server_name)))) {
        dlp_client_tls_free(t);
        ERR_clear_error();
        return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "tls settings");
    }
    atomic_init(&t->refs, 1);
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    int r = load_files(t, ca_file, cert_file, key_file, err, errlen);
    if (r < 0) {
        dlp_client_tls_free(t);
        return r;
    }
    *out = t;
    return DLP_CLIENT_OK;
}

void dlp_client_tls_free(dlp_client_tls_t *t)
{
    if (!t)
        return;
    /* A half-built t (from dlp_client_tls_new) still has refs == 0. */
    if (atomic_load(&t->refs) > 0 && atomic_fetch_sub(&t->refs, 1) != 1)
        return;
    SSL_CTX_free(t->ctx);
    free(t->server_name);
    free(t);
}

dlp_client_tls_t *dlpcl_tls_ref(const dlp_client_tls_t *t)
{
    /* The settings are immutable; only the count changes. */
    dlp_client_tls_t *m = (dlp_client_tls_t *)t;
    atomic_fetch_add(&m->refs, 1);
    return m;
}

/* -------------------------------------------------------------- sessions */

/* Which name the certificate must carry: an IP address or a DNS name (also sent as SNI). */
static int set_peer_name(SSL *ssl, const char *name)
{
    unsigned char ip[16];
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1)
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1;
    return SSL_set_tlsext_host_name(ssl, name) == 1 && SSL_set1_host(ssl, name) == 1;
}

/* The reason a handshake failed, certificate verification first. */
static int handshake_fail(SSL *ssl, int e, int sys_errno, const char *name, char *err,
                          size_t errlen)
{
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) {
        ERR_clear_error();
        return dlpcl_fail(DLP_CLIENT_ECONNECT, err, errlen,
                          "tls: certificate verify failed: %s (server name %s)",
                          X509_verify_cert_error_string(v), name);
    }
    if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
        return dlpcl_fail(DLP_CLIENT_ECONNECT, err, errlen, "tls: handshake: %s",
                          sys_errno ? strerror(sys_errno) : "connection closed by the daemon");
    return ssl_fail(DLP_CLIENT_ECONNECT, err, errlen, "handshake failed", NULL);
}

static int handshake(dlpcl_tls_conn_t *s, int fd, const char *name, int64_t deadline, char *err,
                     size_t errlen)
{
    for (;;) {
        errno = 0;
        int rc = SSL_connect(s->ssl);
        if (rc == 1)
            return DLP_CLIENT_OK;
        int sys_errno = errno, e = SSL_get_error(s->ssl, rc);
        short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (!ev) {
            s->broken = 1;
            return handshake_fail(s->ssl, e, sys_errno, name, err, errlen);
        }
        int rev = dlpcl_wait_fd(fd, ev, deadline);
        if (rev == 0)
            return dlpcl_fail(DLP_CLIENT_ETIMEDOUT, err, errlen, "tls handshake");
        if (rev < 0)
            return dlpcl_fail(DLP_CLIENT_ECONNECT, err, errlen, "tls handshake: poll: %s",
                              strerror(errno));
    }
}

int dlpcl_tls_connect(const dlp_client_tls_t *t, int fd, const char *host, int64_t deadline,
                      dlpcl_tls_conn_t **out, char *err, size_t errlen)
{
    *out = NULL;
    pthread_once(&g_bio_once, bio_method_init);
    const char *name = t->server_name ? t->server_name : host;
    ERR_clear_error();
    dlpcl_tls_conn_t *s = calloc(1, sizeof(*s));
    BIO *b = NULL;
    if (!g_bio_method || !s || !(s->ssl = SSL_new(t->ctx)) || !(b = BIO_new(g_bio_method)) ||
        !set_peer_name(s->ssl, name)) {
        BIO_free(b);
        dlpcl_tls_close(s);
        ERR_clear_error();
        return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "tls session for %s", name);
    }
    BIO_set_data(b, (void *)(intptr_t)fd);
    SSL_set_bio(s->ssl, b, b); /* one reference, owned by the session */
    int r = handshake(s, fd, name, deadline, err, errlen);
    if (r < 0) {
        dlpcl_tls_close(s);
        return r;
    }
    *out = s;
    return DLP_CLIENT_OK;
}

/* After SSL_read/SSL_write returned rc <= 0: would block (0, *want set) or an error code. */
static long io_result(dlpcl_tls_conn_t *s, int rc, int sys_errno, const char *op, short *want,
                      char *err, size_t errlen)
{
    switch (SSL_get_error(s->ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        *want = POLLIN;
        return 0;
    case SSL_ERROR_WANT_WRITE:
        *want = POLLOUT;
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        return DLP_CLIENT_ECLOSED;
    case SSL_ERROR_SYSCALL:
        s->broken = 1;
        if (ERR_peek_error() != 0)
            break;
        if (sys_errno == 0)
            return DLP_CLIENT_ECLOSED;
        return dlpcl_fail(DLP_CLIENT_EIO, err, errlen, "tls %s: %s", op, strerror(sys_errno));
    default:
        s->broken = 1;
        break;
    }
    return ssl_fail(DLP_CLIENT_EIO, err, errlen, op, NULL);
}

long dlpcl_tls_read(dlpcl_tls_conn_t *s, void *buf, size_t n, short *want, char *err, size_t errlen)
{
    ERR_clear_error();
    errno = 0;
    int rc = SSL_read(s->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
    if (rc > 0)
        return rc;
    return io_result(s, rc, errno, "read", want, err, errlen);
}

long dlpcl_tls_write(dlpcl_tls_conn_t *s, const void *buf, size_t n, short *want, char *err,
                     size_t errlen)
{
    ERR_clear_error();
    errno = 0;
    int rc = SSL_write(s->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
    if (rc > 0)
        return rc;
    return io_result(s, rc, errno, "write", want, err, errlen);
}

void dlpcl_tls_close(dlpcl_tls_conn_t *s)
{
    if (!s)
        return;
    if (s->ssl && !s->broken && SSL_is_init_finished(s->ssl) == 1) {
        ERR_clear_error();
        (void)SSL_shutdown(s->ssl); /* queues close_notify; a full socket just drops it */
        ERR_clear_error();
    }
    SSL_free(s->ssl);
    free(s);
}
