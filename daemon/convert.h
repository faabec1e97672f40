/*
 * convert - builds and packs dlpd's Response frames.
 *
 * dlpd_convert_scan_frame() turns an engine verdict into a ScanResponse and
 * packs the whole Response frame at once. It runs on the worker thread so
 * the loop only writes bytes; the protobuf tree borrows the verdict's strings
 * and is gone before the function returns, so the caller frees the verdict
 * right after. All functions return 0 or -1 (out of memory) and on success
 * hand the caller a malloc'd frame (4-byte length + payload).
 */
#ifndef DLPD_CONVERT_H
#define DLPD_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dlp.h"
#include "proto/dlp.pb-c.h"

int dlpd_convert_scan_frame(uint64_t id, const dlp_verdict_t *v, uint8_t **frame, size_t *len);

/* Response{id, error{code, message}}; 'code' is a Dlp__V1__ErrorCode. */
int dlpd_convert_error_frame(uint64_t id, Dlp__V1__ErrorCode code, const char *message,
                             uint8_t **frame, size_t *len);

/* Packs any Response. */
int dlpd_convert_pack(const Dlp__V1__Response *r, uint8_t **frame, size_t *len);

Dlp__V1__Action dlpd_convert_action(dlp_action_t a);
/* The wire name of an error code, for logs ("OVERLOADED"). */
const char *dlpd_convert_error_name(Dlp__V1__ErrorCode code);

#endif
