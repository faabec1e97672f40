/*
 * tls - OpenSSL sessions over memory BIOs (see tls.h).
 *
 * Each session has two memory BIOs: 'in' holds ciphertext read from the
 * socket, 'out' ciphertext OpenSSL wants sent. Failures are logged once per
 * connection at info level with OpenSSL's reason (never any payload).
 */
#include "tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include "log.h"

struct dlpd_tls_ctx {
    SSL_CTX *ssl;
};

struct dlpd_tls {
    SSL *ssl;
    BIO *in, *out; /* owned by ssl */
    uint64_t conn_id;
    int failed;
};

static void log_ssl_error(const char *what, const char *file)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    dlpd_log_error("tls: %s %s: %s", what, file ? file : "", e ? buf : "unknown error");
    ERR_clear_error();
}

int dlpd_tls_ctx_new(const char *cert, const char *key, const char *client_ca, dlpd_tls_ctx_t **out)
{
    dlpd_tls_ctx_t *c = calloc(1, sizeof(*c));
    *out = NULL;
    if (!c || !(c->ssl = SSL_CTX_new(TLS_server_method()))) {
        dlpd_log_error("tls: out of memory");
        free(c);
        return -1;
    }
    SSL_CTX_set_min_proto_version(c->ssl, TLS1_2_VERSION);
    SSL_CTX_set_options(c->ssl, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(c->ssl, cert) != 1) {
        log_ssl_error("cannot load certificate", cert);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(c->ssl, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c->ssl) != 1) {
        log_ssl_error("cannot load the key for the certificate", key);
        goto fail;
    }
    if (client_ca) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(client_ca);
        if (SSL_CTX_load_verify_locations(c->ssl, client_ca, NULL) != 1 || !names) {
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            log_ssl_error("cannot load client CA", client_ca);
            goto fail;
        }
        SSL_CTX_set_client_CA_list(c->ssl, names);
        SSL_CTX_set_verify(c->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    *out = c;
    return 0;
fail:
    dlpd_tls_ctx_free(c);
    return -1;
}

void dlpd_tls_ctx_free(dlpd_tls_ctx_t *ctx)
{
    if (!ctx)
        return;
    SSL_CTX_free(ctx->ssl);
    free(ctx);
}

dlpd_tls_t *dlpd_tls_new(dlpd_tls_ctx_t *ctx, uint64_t conn_id)
{
    dlpd_tls_t *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->conn_id = conn_id;
    t->ssl = SSL_new(ctx->ssl);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out) {
        BIO_free(t->in);
        BIO_free(t->out);
        SSL_free(t->ssl);
        free(t);
        return NULL;
    }
    BIO_set_mem_eof_return(t->in, -1); /* empty = "want more", not EOF */
    SSL_set_bio(t->ssl, t->in, t->out);
    SSL_set_accept_state(t->ssl);
    return t;
}

void dlpd_tls_free(dlpd_tls_t *t)
{
    if (!t)
        return;
    SSL_free(t->ssl); /* frees both BIOs */
    free(t);
}

int dlpd_tls_feed(dlpd_tls_t *t, const uint8_t *in, size_t n)
{
    while (n > 0) {
        int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
        int w = BIO_write(t->in, in, chunk);
        if (w <= 0)
            return -1;
        in += w;
        n -= (size_t)w;
    }
    return 0;
}

long dlpd_tls_read(dlpd_tls_t *t, uint8_t *out, size_t cap)
{
    if (t->failed)
        return -1;
    int r = SSL_read(t->ssl, out, cap > INT32_MAX ? INT32_MAX : (int)cap);
    if (r > 0)
        return r;
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    t->failed = 1;
    if (e == SSL_ERROR_ZERO_RETURN) {
        dlpd_log_debug("conn %llu: tls: closed by the peer", (unsigned long long)t->conn_id);
        return -2;
    } else {
        char buf[256];
        unsigned long err = ERR_get_error();
        ERR_error_string_n(err, buf, sizeof(buf));
        dlpd_log_info("conn %llu: tls: %s", (unsigned long long)t->conn_id,
                      err ? buf : "connection failed");
    }
    ERR_clear_error();
    return -1;
}

int dlpd_tls_write(dlpd_tls_t *t, const uint8_t *in, size_t n)
{
    while (n > 0 && !t->failed) {
        int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
        /* Memory BIOs never block: a write either completes or fails. */
        int w = SSL_write(t->ssl, in, chunk);
        if (w <= 0) {
            t->failed = 1;
            ERR_clear_error();
            return -1;
        }
        in += w;
        n -= (size_t)w;
    }
    return t->failed ? -1 : 0;
}

size_t dlpd_tls_take_output(dlpd_tls_t *t, uint8_t **out)
{
    size_t n = (size_t)BIO_ctrl_pending(t->out);
    *out = NULL;
    if (n == 0 || !(*out = malloc(n)))
        return 0;
    int r = BIO_read(t->out, *out, (int)n);
    if (r <= 0) {
        free(*out);
        *out = NULL;
        return 0;
    }
    return (size_t)r;
}
