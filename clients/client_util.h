/*
 * client_util.h - helpers shared by client.c and pool.c inside libdlpclient
 * (not exported: the version script keeps only dlp_client_* and dlp__v1__*).
 */
#ifndef DLP_CLIENT_UTIL_H
#define DLP_CLIENT_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Writes "strerror: detail" into err (when given) and returns code. */
int dlpcl_fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* CLOCK_MONOTONIC in milliseconds. */
int64_t dlpcl_now_ms(void);

#endif
