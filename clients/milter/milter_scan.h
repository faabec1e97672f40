/*
 * milter_scan.h - asking dlpd about a message, with failover, and the
 * verdict helpers dlp-milter needs to apply the answer.
 *
 * A connection keeps one dlp_client_t (milter_conn_t.client) across its
 * messages, so callbacks of different SMTP connections never share a socket
 * and need no lock. A call tries the endpoints in order starting with the one
 * that last answered; a transport error, OVERLOADED or SHUTTING_DOWN moves on
 * to the next one. The whole call, connects included, stays within one
 * timeout.
 */
#ifndef DLP_MILTER_SCAN_H
#define DLP_MILTER_SCAN_H

#include <stddef.h>

#include "dlp/client.h"
#include "milter_msg.h"
#include "milter_opts.h"

/*
 * Scans the collected message (or, with empty_message, only the envelope
 * recipients given: the RCPT-time fallback when there is no local domain
 * list). On success returns 0 and *out is a ScanResponse inside a Response
 * the caller frees with dlp_client_response_free(*resp). On failure returns
 * -1 with a one-line reason (no message content) in err.
 */
int milter_scan(milter_conn_t *c, const milter_opts_t *o, const char *queue_id,
                const char *const *rcpts, size_t n_rcpts, int empty_message,
                Dlp__V1__Response **resp, char *err, size_t errlen);

/*
 * Makes 'text' fit an SMTP reply for smfi_setreply(): printable ASCII only
 * (an em dash becomes "-", other non-ASCII "?"), '%' doubled (libmilter
 * formats it), at most 'size' - 1 bytes.
 */
void milter_reply_text(const char *text, char *out, size_t size);

/* Unique rule ids of the findings, comma-separated, at most size - 1 bytes. */
void milter_rule_list(const Dlp__V1__ScanResponse *s, char *out, size_t size);

#endif
