/*
 * message - turns a raw RFC 5322 message into the surfaces the scanner reads
 * (subject, free-text headers, body text, attachment names and contents) and
 * the recipients named in its To/Cc headers.
 *
 * This is the seam for MIME decoding: the scanner only sees dlp_surface_t and
 * dlp_addr_t. The reader (message.c, on GMime) walks the whole MIME tree;
 * attachment extraction plugs in below it without the scanner changing.
 */
#ifndef DLP_MESSAGE_H
#define DLP_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dlp.h"

typedef struct dlp_surface {
    dlp_part_t part;
    const char *where; /* its path in the message: "subject", "body", "fwd.eml/a.txt" */
    const uint8_t *data;
    size_t len;
} dlp_surface_t;

typedef struct dlp_addr {
    char *address; /* local@domain, domain lowercased */
    dlp_source_t source;
} dlp_addr_t;

/* What the reader learnt about one attachment; strings owned by the message. */
typedef struct dlp_msg_attachment {
    const char *where, *filename, *declared_type, *detected_type;
    uint64_t size;
    uint32_t flags; /* DLP_ATT_* */
    uint32_t width, height;
} dlp_msg_attachment_t;

/* What a read needs besides the bytes. magic is the caller's (per thread). */
typedef struct dlp_read_ctx {
    const dlp_limits_t *limits;
    uint64_t deadline_ns;    /* CLOCK_MONOTONIC, 0 = none */
    void *magic;             /* a libmagic handle loaded with MAGIC_MIME_TYPE, or NULL */
    struct dlp_pdfproc *pdf; /* the caller's PDF helper (pdfproc.h); NULL reads in process */
} dlp_read_ctx_t;

typedef struct dlp_message dlp_message_t;

/*
 * Parses raw (not retained). Limits that are hit, including the deadline as
 * scan_time_ms, set their bit in *incomplete and stop the walk there.
 * Returns DLP_OK or DLP_ENOMEM.
 */
int dlp_message_parse(const uint8_t *raw, size_t len, const dlp_read_ctx_t *ctx,
                      dlp_message_t **out, uint32_t *incomplete);
size_t dlp_message_attachments(const dlp_message_t *m, const dlp_msg_attachment_t **out);
size_t dlp_message_surfaces(const dlp_message_t *m, const dlp_surface_t **out);
size_t dlp_message_recipients(const dlp_message_t *m, const dlp_addr_t **out);
/* Frees the message and wipes every buffer that held decoded text. */
void dlp_message_free(dlp_message_t *m);

#endif
