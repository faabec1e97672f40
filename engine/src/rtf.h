/*
 * rtf - the text of an RTF document: control words and destinations that do
 * not hold readable text (font, colour and style tables, pictures, binary
 * data) are skipped; \par and \line break lines; \'hh (Windows-1252) and
 * \uN escapes become UTF-8.
 */
#ifndef DLP_RTF_H
#define DLP_RTF_H

#include <stddef.h>
#include <stdint.h>

/* Returns malloc'd NUL-terminated UTF-8, or NULL on out of memory. */
char *dlp_rtf_to_text(const uint8_t *d, size_t n, size_t *out_len);

#endif
