/*
 * pdf - text of a PDF with poppler-glib (an optional build feature: without
 * it, PDFs are typed and reported but not read). Poppler keeps process-wide
 * state, so documents are opened one at a time in a process; the engine
 * runs this in helper processes (pdfproc.h) to read several at once.
 */
#ifndef DLP_PDF_H
#define DLP_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dlp.h"

typedef struct dlp_pdf_result {
    char *text; /* malloc'd UTF-8, pages separated by form feeds; NULL when none */
    size_t len;
    int encrypted;   /* needs a password: could not be inspected */
    uint32_t limits; /* bits of DLP_LIMIT_PDF_PAGES / _PDF_OBJECTS / byte limits hit */
} dlp_pdf_result_t;

/* 1 when PDF support is built in. */
int dlp_pdf_available(void);
/* Reads up to max_pages pages and max_bytes of text; refuses more than max_objects objects. */
int dlp_pdf_text(const uint8_t *d, size_t n, uint64_t max_pages, uint64_t max_objects,
                 uint64_t max_bytes, dlp_pdf_result_t *out);

#endif
