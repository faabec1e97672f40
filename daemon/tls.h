/*
 * tls - TLS for tcp listeners (tls:HOST:PORT), OpenSSL over memory BIOs.
 *
 * The connection module keeps doing all socket I/O through libuv; a TLS
 * connection only passes what it reads through dlpd_tls_feed() /
 * dlpd_tls_read() before framing, and what it writes through
 * dlpd_tls_write() / dlpd_tls_take_output() before uv_write. OpenSSL never
 * touches the socket, so the event loop, backpressure and timeouts stay the
 * same for plain and TLS connections.
 *
 * A context is built once at start-up (before the daemon gives up root, so
 * the key may be root-only) from tls_cert, tls_key and, when set,
 * tls_client_ca: then every client must present a certificate that CA
 * signed, or the handshake fails. TLS 1.2 is the minimum. Loop thread only.
 */
#ifndef DLPD_TLS_H
#define DLPD_TLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct dlpd_tls_ctx dlpd_tls_ctx_t;
typedef struct dlpd_tls dlpd_tls_t;

/* Loads the certificate, key and optional client CA. Logs and returns -1 on error. */
int dlpd_tls_ctx_new(const char *cert, const char *key, const char *client_ca,
                     dlpd_tls_ctx_t **out);
void dlpd_tls_ctx_free(dlpd_tls_ctx_t *ctx); /* accepts NULL */

/* A server-side session for one accepted connection; NULL on out of memory. */
dlpd_tls_t *dlpd_tls_new(dlpd_tls_ctx_t *ctx, uint64_t conn_id);
void dlpd_tls_free(dlpd_tls_t *t); /* accepts NULL */

/* Hands n bytes read from the socket to the session. 0 or -1 (out of memory). */
int dlpd_tls_feed(dlpd_tls_t *t, const uint8_t *in, size_t n);

/*
 * Decrypts into out[0..cap): returns the number of bytes (> 0), 0 when more
 * input is needed (the handshake may have produced output to send), -2
 * when the peer closed the session cleanly (like EOF: answer, then close),
 * or -1 when the session failed (bad certificate, protocol error): the
 * connection should be closed.
 */
long dlpd_tls_read(dlpd_tls_t *t, uint8_t *out, size_t cap);

/* Encrypts n bytes; the result is collected with dlpd_tls_take_output(). 0 or -1. */
int dlpd_tls_write(dlpd_tls_t *t, const uint8_t *in, size_t n);

/* Bytes waiting to go to the socket (handshake or records), as a malloc'd
 * buffer the caller owns; 0 and *out = NULL when there are none. */
size_t dlpd_tls_take_output(dlpd_tls_t *t, uint8_t **out);

#endif
