/*
 * reader.h - the state of one message read (internal to message.c and the
 * extractors). message.c walks the MIME tree; extract.c opens attachments
 * (archives, office documents, forwarded mail) and hands their text back
 * through the same helpers, so every surface, limit and wiped buffer is
 * accounted for in one place.
 */
#ifndef DLP_READER_H
#define DLP_READER_H

#include <magic.h>

#include "message.h"

typedef struct owned {
    uint8_t *p;
    size_t n;
} owned_t;

struct dlp_message {
    dlp_surface_t *surf;
    size_t n_surf, cap_surf;
    dlp_addr_t *addrs;
    size_t n_addrs, cap_addrs;
    owned_t *owned;
    size_t n_owned, cap_owned;
    dlp_msg_attachment_t *att;
    size_t n_att, cap_att;
    /* the walk */
    magic_t magic;
    struct dlp_pdfproc *pdf;
    const dlp_limits_t *limits;
    uint32_t *incomplete;
    uint64_t deadline_ns;
    uint64_t parts, decoded;
    unsigned archive_depth; /* archives open around the current entry */
    int oom, stop;
};

/* Sets a limit's bit and stops the walk. */
void dlp_rd_hit(dlp_message_t *m, dlp_limit_t l);
/* Takes ownership of p: wiped and freed with the message. DLP_ENOMEM frees it. */
int dlp_rd_own(dlp_message_t *m, void *p, size_t n);
void dlp_rd_surface(dlp_message_t *m, dlp_part_t part, const char *where, const uint8_t *d,
                    size_t n);
/* A copy of a NUL-terminated text as a surface. */
void dlp_rd_text(dlp_message_t *m, dlp_part_t part, const char *where, const char *s);
/* "prefix/name" (or "name" at the top), owned by the message; NULL on out of memory. */
const char *dlp_rd_label(dlp_message_t *m, const char *prefix, const char *name);
char *dlp_rd_strdup(dlp_message_t *m, const char *s);
/* Text as a surface, HTML rendered first; 1 when a surface was added. */
int dlp_rd_text_bytes(dlp_message_t *m, int html, const uint8_t *d, size_t n, dlp_part_t kind,
                      const char *where);
/* Records an attachment; returns its index, or -1 on out of memory. */
long dlp_rd_attachment(dlp_message_t *m, const char *where, const char *filename,
                       const char *declared, const char *detected, uint64_t size);
/* Reads up to n bytes into buf: > 0 bytes read, 0 at the end, < 0 on error. */
typedef long (*dlp_rd_read_fn)(void *ctx, uint8_t *buf, size_t n);
/* Called as bytes arrive; returns 0 to stop reading (a limit of its own). */
typedef int (*dlp_rd_check_fn)(dlp_message_t *m, void *ctx, size_t total, uint32_t *flags);
/*
 * Reads a stream to its end into a buffer owned by the message, within the
 * per-entry and per-message decoded-byte limits and the deadline. A limit
 * that cuts it short sets DLP_ATT_TRUNCATED in *flags. NULL when nothing
 * could be kept (out of memory).
 */
uint8_t *dlp_rd_read(dlp_message_t *m, dlp_rd_read_fn rd, dlp_rd_check_fn check, void *ctx,
                     size_t *len, uint32_t *flags);
/* Decoded bytes still allowed for one entry (the smaller of both limits). */
uint64_t dlp_rd_entry_budget(const dlp_message_t *m, dlp_limit_t *which);
/* Reads a message held in bytes (a forwarded .eml) as if attached at 'where'. */
void dlp_rd_message_bytes(dlp_message_t *m, const uint8_t *d, size_t n, const char *where,
                          unsigned depth);
/* The content type of d by libmagic, from its first bytes (enough for every
 * type we act on; libmagic's text checks would otherwise read it all). */
const char *dlp_rd_type(dlp_message_t *m, const uint8_t *d, size_t n);
/* 1 once the deadline passed (and scan_time_ms is then marked hit). */
int dlp_rd_late(dlp_message_t *m);

#endif
