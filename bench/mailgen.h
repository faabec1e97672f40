/*
 * mailgen - building blocks for benchmark mail (see mailgen.c).
 */
#ifndef DLP_MAILGEN_H
#define DLP_MAILGEN_H

#include <stddef.h>
#include <stdint.h>

/* Ordinary business prose of about 'want' bytes, each line wrapped in start/end. */
char *mg_prose(size_t want, const char *line_start, const char *line_end, size_t *len);
/* A zip of n entries. */
uint8_t *mg_zip(const char *const *names, const char *const *data, const size_t *lens, size_t n,
                size_t *len);
/* A PDF whose pages show the lines of text. */
char *mg_pdf(const char *text, size_t *len);
/* A message whose single body is d in base64, as an attachment when filename is set. */
char *mg_mail(const char *ctype, const char *filename, const uint8_t *d, size_t n, size_t *len);

#endif
