/*
 * verdict - builds a dlp_verdict_t. All strings of a verdict live in one
 * arena owned by it, so dlp_verdict_free() is a handful of free() calls and
 * a verdict can be handed across threads as a single pointer.
 */
#ifndef DLP_VERDICT_H
#define DLP_VERDICT_H

#include "dlp/dlp.h"

typedef struct dlp_vb dlp_vb_t; /* a verdict under construction */

dlp_vb_t *dlp_vb_new(void);
dlp_verdict_t *dlp_vb_verdict(dlp_vb_t *vb); /* the public view, filled as we go */
/* Copies into the verdict; bytes that are not valid UTF-8 become '?'. */
const char *dlp_vb_strdup(dlp_vb_t *vb, const char *s, size_t n);
const char *dlp_vb_printf(dlp_vb_t *vb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a zeroed finding / recipient; NULL on out of memory. */
dlp_finding_t *dlp_vb_add_finding(dlp_vb_t *vb);
dlp_finding_t *dlp_vb_finding(dlp_vb_t *vb, size_t i);
dlp_recipient_t *dlp_vb_add_recipient(dlp_vb_t *vb);
dlp_recipient_t *dlp_vb_recipient(dlp_vb_t *vb, size_t i);
/* Appends a zeroed attachment record; NULL on out of memory. */
dlp_attachment_t *dlp_vb_add_attachment(dlp_vb_t *vb);
int dlp_vb_add_reason(dlp_vb_t *vb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Removes the last finding (e.g. below its rule's min_count). */
void dlp_vb_drop_last_finding(dlp_vb_t *vb);

#endif
