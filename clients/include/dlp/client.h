/*
 * client.h - libdlpclient, the C client library for the dlpd protocol.
 *
 * Two layers:
 *
 * - dlp_client_t is one connection to a daemon (unix:PATH, tcp:HOST:PORT or,
 *   with a dlp_client_tls_t built from CA and certificate files, tls:HOST:PORT).
 *   Requests and responses are the protobuf-c structs generated from
 *   proto/dlp.proto (Dlp__V1__Request / Dlp__V1__Response); this layer only
 *   connects, frames, sends and receives. It is blocking with timeouts and
 *   has no threads or globals. A dlp_client_t is NOT thread-safe: use it
 *   from one thread at a time (one per thread, or behind the caller's lock).
 *
 * - dlp_client_pool_t is what a mail gateway wants: several endpoints (daemons
 *   or an HAProxy frontend), a set of idle connections per endpoint that are
 *   reused and re-opened as needed, round-robin load spreading, failover of a
 *   scan to the next endpoint when a connection fails, times out or the
 *   daemon answers OVERLOADED / SHUTTING_DOWN (a scan has no side effects, so
 *   repeating it is safe), endpoints marked down on failure and back up by a
 *   periodic ping from a health thread. Every dlp_client_pool_* function is
 *   safe to call from any number of threads at once: each endpoint has a
 *   mutex that guards only its idle list and state (never held during I/O),
 *   and a connection is owned by exactly one thread while a request is on it.
 *
 * Pipelining: call dlp_client_send() several times, then dlp_client_recv()
 * as often. The daemon may answer out of order, so match responses by id
 * (dlp_client_next_id() hands out fresh ids). While a send waits for the
 * socket to drain it keeps reading responses into the client's buffer, so a
 * long pipeline cannot deadlock against a daemon that stops reading until its
 * answers are consumed.
 *
 * Errors: functions return DLP_CLIENT_OK (0) or a negative dlp_client_err_t
 * and, when 'err' is not NULL, write a one-line message into err[errlen].
 * After a transport error (EIO, ECLOSED, EPROTO, ETOOBIG, ETIMEDOUT) the
 * connection is unusable and should be freed (the pool does this itself).
 *
 * Build against the installed library with `pkg-config --cflags --libs
 * dlpclient`; clients/examples/scan_one.c is a complete program.
 */
#ifndef DLP_CLIENT_H
#define DLP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/dlp.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DLP_CLIENT_ERRNO_MAP(X)                                                                    \
    X(OK, 0, "success")                                                                            \
    X(ENOMEM, -1, "out of memory")                                                                 \
    X(EINVAL, -2, "invalid argument")                                                              \
    X(ECONNECT, -3, "cannot connect")                                                              \
    X(EIO, -4, "I/O error")                                                                        \
    X(ETIMEDOUT, -5, "timed out")                                                                  \
    X(ECLOSED, -6, "connection closed by the daemon")                                              \
    X(EPROTO, -7, "protocol error")                                                                \
    X(ETOOBIG, -8, "frame over the size limit")                                                    \
    X(ENOENDPOINT, -9, "no endpoint answered")

typedef enum {
#define DLP_CLIENT_ERR_ENUM(name, code, text) DLP_CLIENT_##name = code,
    DLP_CLIENT_ERRNO_MAP(DLP_CLIENT_ERR_ENUM)
#undef DLP_CLIENT_ERR_ENUM
} dlp_client_err_t;

const char *dlp_client_strerror(int err);
const char *dlp_client_err_name(int err);

/* The largest response frame accepted unless dlp_client_set_max_frame() says otherwise. */
#define DLP_CLIENT_DEFAULT_MAX_FRAME (64u << 20)

typedef struct dlp_client dlp_client_t;

/*
 * Connects to 'address' ("unix:PATH" or "tcp:HOST:PORT"; HOST may be a name,
 * an IPv4 address or a bracketed IPv6 address) within timeout_ms (< 0: no
 * limit). tls:HOST:PORT needs dlp_client_connect_tls() (EINVAL here). timeout_ms also becomes the
 * default time a send may wait for the socket. On success *out is a new client the caller frees.
 */
int dlp_client_connect(const char *address, int timeout_ms, dlp_client_t **out, char *err,
                       size_t errlen);
/* Closes the connection and frees everything, including unclaimed responses. Accepts NULL. */
void dlp_client_free(dlp_client_t *c);

/* The largest response frame accepted (default DLP_CLIENT_DEFAULT_MAX_FRAME). */
void dlp_client_set_max_frame(dlp_client_t *c, uint32_t max_payload);
/* How long a send may wait for the socket (< 0: no limit); set by connect. */
void dlp_client_set_timeout(dlp_client_t *c, int timeout_ms);
/* The connected socket, e.g. for poll() in an event loop. Owned by the client.
 * With TLS, readable bytes may be TLS records only and decrypted bytes may
 * already wait inside the client: poll is a hint, dlp_client_recv() decides. */
int dlp_client_fd(const dlp_client_t *c);
/* A fresh request id: 1, 2, 3, ... per client. */
uint64_t dlp_client_next_id(dlp_client_t *c);

/* Sends one request (req->id is sent as set). Does not wait for the answer. */
int dlp_client_send(dlp_client_t *c, const Dlp__V1__Request *req, char *err, size_t errlen);

/*
 * The next response, in arrival order, waiting at most timeout_ms (< 0: no
 * limit; 0: only what is already buffered or readable). On success *out is
 * a response the caller frees with dlp_client_response_free().
 */
int dlp_client_recv(dlp_client_t *c, int timeout_ms, Dlp__V1__Response **out, char *err,
                    size_t errlen);

/*
 * Sends 'req' and waits up to timeout_ms for the response with its id.
 * Responses to other (pipelined) requests that arrive meanwhile are kept and
 * returned by later dlp_client_recv() calls. A response carrying an error is
 * still a success here: check (*out)->error.
 */
int dlp_client_call(dlp_client_t *c, const Dlp__V1__Request *req, int timeout_ms,
                    Dlp__V1__Response **out, char *err, size_t errlen);

void dlp_client_response_free(Dlp__V1__Response *r); /* accepts NULL */

/* -------------------------------------------------------------------- TLS */

typedef struct dlp_client_tls dlp_client_tls_t;

/*
 * TLS settings for tls:HOST:PORT addresses (a dlpd tls: listener), built
 * once: the files are read and checked here. TLS 1.2 or later; the daemon's
 * certificate chain must verify against ca_file and must name the server:
 * server_name when given, else the HOST of each address (a DNS name, or an
 * IP address matched against the certificate's IP entries).
 *
 *   ca_file      PEM CA certificate(s) the daemon's certificate chains to (required)
 *   cert_file    PEM client certificate (chain) for a daemon with tls_client_ca; NULL: none
 *   key_file     PEM private key of cert_file; NULL: the key is in cert_file
 *   server_name  name to verify instead of each address's HOST; NULL: HOST
 *
 * The result is immutable and may be shared by any number of connections
 * and pools in any threads; they keep what they need, so it may be freed
 * as soon as they are made. Errors: EINVAL (no CA file, a key without a
 * certificate, a file that does not load, a key that does not match),
 * ENOMEM.
 */
int dlp_client_tls_new(const char *ca_file, const char *cert_file, const char *key_file,
                       const char *server_name, dlp_client_tls_t **out, char *err, size_t errlen);
void dlp_client_tls_free(dlp_client_tls_t *t); /* accepts NULL */

/*
 * dlp_client_connect() for every kind of address, with TLS settings that a
 * tls: address requires (they are ignored for unix: and tcp:). The TLS
 * handshake counts against timeout_ms. A certificate the client does not
 * trust fails with ECONNECT and a message such as "cannot connect: tls:
 * certificate verify failed: hostname mismatch". A daemon that refuses the
 * client's certificate may only say so after the handshake (TLS 1.3): the
 * first request then fails with EIO or ECLOSED, its message naming the
 * daemon's alert.
 */
int dlp_client_connect_tls(const char *address, int timeout_ms, const dlp_client_tls_t *tls,
                           dlp_client_t **out, char *err, size_t errlen);

/* ------------------------------------------------------------------ pool */

typedef struct dlp_client_pool dlp_client_pool_t;

/*
 * Pool options. Fill with dlp_client_opts_init() and change what you need;
 * passing NULL to dlp_client_pool_new() means the defaults (in brackets).
 */
typedef struct dlp_client_opts {
    int connect_timeout_ms; /* per connection attempt [1000] */
    int max_attempts;       /* tries per scan, over endpoints in turn [3]; >= 1 */
    int health_interval_ms; /* ping every endpoint this often; 0 = no health thread [1000] */
    int health_timeout_ms;  /* a ping slower than this marks the endpoint down [1000] */
    int down_retry_ms;      /* without a health thread, retry a down endpoint after this [5000] */
    unsigned max_idle;      /* idle connections kept per endpoint [16] */
    uint32_t max_frame;     /* largest response accepted [DLP_CLIENT_DEFAULT_MAX_FRAME] */
} dlp_client_opts_t;

void dlp_client_opts_init(dlp_client_opts_t *opts);

/*
 * Creates a pool over n endpoint addresses (copied; same syntax as
 * dlp_client_connect). Does not connect: the first scan does, and the
 * health thread (when health_interval_ms > 0) starts pinging at once. On
 * success *out is a pool the caller frees with dlp_client_pool_free().
 * Errors: EINVAL (n == 0, bad address or option), ENOMEM.
 */
int dlp_client_pool_new(const char *const *endpoints, size_t n, const dlp_client_opts_t *opts,
                        dlp_client_pool_t **out, char *err, size_t errlen);
/*
 * dlp_client_pool_new() with TLS settings for the tls: endpoints (required
 * when there is one; NULL otherwise). The pool keeps its own reference.
 */
int dlp_client_pool_new_tls(const char *const *endpoints, size_t n, const dlp_client_opts_t *opts,
                            const dlp_client_tls_t *tls, dlp_client_pool_t **out, char *err,
                            size_t errlen);
/* Stops the health thread, closes every idle connection, frees. Accepts NULL.
 * No other call on this pool may be running or start. */
void dlp_client_pool_free(dlp_client_pool_t *p);

/*
 * Classifies one message. 'scan' is sent as is (the pool only wraps it in a
 * Request with a fresh id). Each attempt waits at most timeout_ms (< 0: no
 * limit) for its connection and answer; an attempt that fails on transport,
 * times out or is answered OVERLOADED or SHUTTING_DOWN is repeated on the
 * next endpoint, up to max_attempts in all, preferring endpoints that are
 * up. On success *out is the response (free with dlp_client_response_free);
 * like dlp_client_call(), a response carrying another error code is a
 * success here: check (*out)->error. When every attempt failed the result is
 * the last attempt's error code and err describes it.
 */
int dlp_client_pool_scan(dlp_client_pool_t *p, const Dlp__V1__ScanRequest *scan, int timeout_ms,
                         Dlp__V1__Response **out, char *err, size_t errlen);

/* Same failover for any request (ping, stats, hello; not reload, which is
 * per daemon): req->id is overwritten by the pool. */
int dlp_client_pool_call(dlp_client_pool_t *p, Dlp__V1__Request *req, int timeout_ms,
                         Dlp__V1__Response **out, char *err, size_t errlen);

/* A snapshot of one endpoint, for logs and tests. */
typedef struct dlp_client_endpoint_stats {
    const char *address; /* owned by the pool */
    int up;              /* 1 up, 0 marked down */
    uint64_t answered;   /* requests answered through this endpoint */
    uint64_t failed;     /* attempts that failed here (and were retried elsewhere or failed) */
    uint64_t marked_down, marked_up; /* state changes */
} dlp_client_endpoint_stats_t;

size_t dlp_client_pool_size(const dlp_client_pool_t *p);
/* Returns 0, or EINVAL when i >= dlp_client_pool_size(p). */
int dlp_client_pool_endpoint(dlp_client_pool_t *p, size_t i, dlp_client_endpoint_stats_t *out);

/* Names of protocol enum values as used by dlpc's output: "block", "high", ... */
const char *dlp_client_action_name(Dlp__V1__Action a);
const char *dlp_client_severity_name(Dlp__V1__Severity s);
const char *dlp_client_class_name(Dlp__V1__RecipientClass c);
const char *dlp_client_source_name(Dlp__V1__RecipientSource s);
/* "DECODE_ERROR", ... or "UNKNOWN" for a code this client does not know. */
const char *dlp_client_error_code_name(Dlp__V1__ErrorCode code);

#ifdef __cplusplus
}
#endif
#endif
