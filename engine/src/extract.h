/*
 * extract - opens an attachment by its detected type (archives, office
 * documents, forwarded mail, text) and feeds what a reader would see back
 * into the message being read. See extract.c.
 */
#ifndef DLP_EXTRACT_H
#define DLP_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"

/* Opens attachment ai (its detected type already set) whose decoded bytes are d. */
void dlp_extract(dlp_message_t *m, long ai, const uint8_t *d, size_t n, unsigned depth);

#endif
