/*
 * client_util.h - helpers shared by client.c, pool.c and client_tls.c inside
 * libdlpclient (not exported: the version script keeps only the public
 * dlp_client_* names and dlp__v1__*).
 */
#ifndef DLP_CLIENT_UTIL_H
#define DLP_CLIENT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/client.h"

/* Writes "strerror: detail" into err (when given) and returns code. */
int dlpcl_fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* CLOCK_MONOTONIC in milliseconds. */
int64_t dlpcl_now_ms(void);
/* Waits for 'events' on fd until deadline (< 0: none). Returns revents, 0 on
 * timeout, -1 on error (errno set). */
int dlpcl_wait_fd(int fd, short events, int64_t deadline);

/* An idle connection is still usable: the daemon has neither closed it nor
 * sent anything unasked (TLS session tickets are consumed, not counted). */
int dlpcl_client_idle_ok(dlp_client_t *c);

#endif
