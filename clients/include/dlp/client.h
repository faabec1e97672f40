/*
 * client.h - libdlpclient, a small blocking client for the dlpd protocol.
 *
 * One dlp_client_t is one connection to a daemon (unix:PATH or tcp:HOST:PORT).
 * Requests and responses are the protobuf-c structs generated from
 * proto/dlp.proto (Dlp__V1__Request / Dlp__V1__Response); this library only
 * connects, frames, sends and receives. It is blocking with timeouts and has
 * no threads or globals; use one client per thread.
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
 * After a transport error (EIO, ECLOSED, EPROTO, ETOOBIG) the connection is
 * unusable and should be freed.
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
    X(ETOOBIG, -8, "frame over the size limit")

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
 * limit). timeout_ms also becomes the default time a send may wait for the
 * socket. On success *out is a new client the caller frees.
 */
int dlp_client_connect(const char *address, int timeout_ms, dlp_client_t **out, char *err,
                       size_t errlen);
/* Closes the connection and frees everything, including unclaimed responses. Accepts NULL. */
void dlp_client_free(dlp_client_t *c);

/* The largest response frame accepted (default DLP_CLIENT_DEFAULT_MAX_FRAME). */
void dlp_client_set_max_frame(dlp_client_t *c, uint32_t max_payload);
/* The connected socket, e.g. for poll() in an event loop. Owned by the client. */
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
