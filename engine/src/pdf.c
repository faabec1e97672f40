/* pdf.c - PDF text with poppler-glib; see pdf.h. */
#include "pdf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef DLP_HAVE_PDF
#include <poppler.h>

static pthread_mutex_t pdf_lock = PTHREAD_MUTEX_INITIALIZER;

int dlp_pdf_available(void)
{
    return 1;
}

/* Objects declared in the file ("N G obj"), counted before poppler parses it. */
static uint64_t count_objects(const uint8_t *d, size_t n, uint64_t stop)
{
    uint64_t k = 0;
    for (const uint8_t *p = d, *end = d + n; p < end && k <= stop;) {
        const uint8_t *hit = memmem(p, (size_t)(end - p), " obj", 4);
        if (!hit)
            break;
        k++;
        p = hit + 4;
    }
    return k;
}

static int append(dlp_pdf_result_t *r, size_t *cap, const char *s, size_t n, uint64_t max)
{
    if (r->len + n > max) {
        n = (size_t)(max - r->len);
        r->limits |= 1u << DLP_LIMIT_ENTRY_BYTES;
    }
    if (dlp_grow((void **)&r->text, cap, r->len + n + 2, 1))
        return DLP_ENOMEM;
    memcpy(r->text + r->len, s, n);
    r->len += n;
    r->text[r->len++] = '\f';
    r->text[r->len] = 0;
    return DLP_OK;
}

int dlp_pdf_text(const uint8_t *d, size_t n, uint64_t max_pages, uint64_t max_objects,
                 uint64_t max_bytes, dlp_pdf_result_t *r)
{
    memset(r, 0, sizeof(*r));
    if (count_objects(d, n, max_objects) > max_objects) {
        r->limits |= 1u << DLP_LIMIT_PDF_OBJECTS;
        return DLP_OK;
    }
    GBytes *bytes = g_bytes_new_static(d, n);
    GError *err = NULL;
    int rc = DLP_OK;
    size_t cap = 0;
    pthread_mutex_lock(&pdf_lock);
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    if (!doc) {
        r->encrypted = err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED;
    } else {
        int pages = poppler_document_get_n_pages(doc);
        if ((uint64_t)pages > max_pages) {
            r->limits |= 1u << DLP_LIMIT_PDF_PAGES;
            pages = (int)max_pages;
        }
        for (int i = 0; i < pages && rc == DLP_OK && r->len < max_bytes; i++) {
            PopplerPage *page = poppler_document_get_page(doc, i);
            char *t = page ? poppler_page_get_text(page) : NULL;
            if (t)
                rc = append(r, &cap, t, strlen(t), max_bytes);
            if (t) {
                dlp_wipe(t, strlen(t));
                g_free(t);
            }
            if (page)
                g_object_unref(page);
        }
        g_object_unref(doc);
    }
    pthread_mutex_unlock(&pdf_lock);
    if (err)
        g_error_free(err);
    g_bytes_unref(bytes);
    if (rc) {
        dlp_wipe(r->text, cap);
        free(r->text);
        memset(r, 0, sizeof(*r));
    }
    return rc;
}

#else

int dlp_pdf_available(void)
{
    return 0;
}

int dlp_pdf_text(const uint8_t *d, size_t n, uint64_t max_pages, uint64_t max_objects,
                 uint64_t max_bytes, dlp_pdf_result_t *r)
{
    memset(r, 0, sizeof(*r));
    return DLP_OK;
}

#endif
