/*
 * html - renders HTML to the text a reader sees: libxml2's forgiving HTML
 * parser, scripts, styles and comments dropped, entities decoded, words kept
 * in document order with block elements separated by line breaks.
 */
#ifndef DLP_HTML_H
#define DLP_HTML_H

#include <stddef.h>
#include <stdint.h>

/* UTF-8 input; returns malloc'd NUL-terminated UTF-8 text, or NULL on out of memory. */
char *dlp_html_to_text(const uint8_t *html, size_t len, size_t *out_len);

#endif
