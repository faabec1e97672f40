/*
 * html - renders HTML to the text a reader sees, in one forward pass with no
 * tree: tags, comments and the contents of script, style, noscript and
 * template dropped; character references decoded (numeric, Latin-1 and the
 * common typographic names); block elements and table rows end a line, cells
 * and white space separate words. No-break and other wide spaces become a
 * space and invisible format characters (soft hyphen, zero-width, direction
 * marks) are dropped, so neither can split a marking or a number apart.
 * Never fails on malformed input: an unclosed construct runs to the end.
 */
#ifndef DLP_HTML_H
#define DLP_HTML_H

#include <stddef.h>
#include <stdint.h>

/*
 * UTF-8 input; returns malloc'd NUL-terminated UTF-8 text, or NULL on out of
 * memory. With a deadline (CLOCK_MONOTONIC ns, 0 = none) the clock is read
 * every HTML_CHECK_BYTES of input; past it, the text so far is returned and
 * *late set.
 */
char *dlp_html_to_text(const uint8_t *html, size_t len, uint64_t deadline_ns, size_t *out_len,
                       int *late);

#endif
