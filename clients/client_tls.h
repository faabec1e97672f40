/*
 * client_tls.h - libdlpclient's TLS layer (internal): the shared settings
 * (dlp_client_tls_t, public in client.h) and one OpenSSL session on a
 * connected non-blocking socket, for client.c.
 *
 * Reads and writes follow the socket's conventions: a positive byte count,
 * 0 when OpenSSL would block (*want then holds the poll() events to wait
 * for: a read may need to write and the reverse), or a negative
 * dlp_client_err_t with err written. An orderly close by the daemon is
 * DLP_CLIENT_ECLOSED with err left alone, as recv() returning 0.
 */
#ifndef DLP_CLIENT_TLS_H
#define DLP_CLIENT_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/client.h"

typedef struct dlpcl_tls_conn dlpcl_tls_conn_t;

/* Another reference to t, for a pool; dlp_client_tls_free() drops one. */
dlp_client_tls_t *dlpcl_tls_ref(const dlp_client_tls_t *t);

/*
 * Runs the client handshake on fd (connected, non-blocking) until deadline
 * (< 0: none), verifying the daemon's certificate for t's server name or,
 * without one, for 'host'. On success *out owns the session, not the fd.
 * Errors: ECONNECT (handshake or verification failed), ETIMEDOUT, ENOMEM.
 */
int dlpcl_tls_connect(const dlp_client_tls_t *t, int fd, const char *host, int64_t deadline,
                      dlpcl_tls_conn_t **out, char *err, size_t errlen);
long dlpcl_tls_read(dlpcl_tls_conn_t *s, void *buf, size_t n, short *want, char *err,
                    size_t errlen);
long dlpcl_tls_write(dlpcl_tls_conn_t *s, const void *buf, size_t n, short *want, char *err,
                     size_t errlen);
/* Sends close_notify when the session is still sound (never waits), frees. Accepts NULL. */
void dlpcl_tls_close(dlpcl_tls_conn_t *s);

#endif
