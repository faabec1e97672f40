/*
 * pdfproc - PDF text read in helper processes, so that documents are read in
 * parallel, a hostile one cannot crash the process that scans, and a slow
 * one is stopped at the scan's deadline.
 *
 * The first engine made in a process forks a "zygote" while the process is
 * still single-threaded (dlp_pdfproc_start). Each scanner owns at most one
 * helper (dlp_pdfproc_t), asked of the zygote on its first PDF: the zygote
 * forks it and hands back one end of a socketpair. The helper runs pdf.c's
 * dlp_pdf_text on each request, under RLIMIT_AS, with no core dumps, as the
 * user the scanning process runs as at that time. Only the zygote reaps
 * helpers, on request, so a pid is never signalled after it was reused.
 *
 * When there is no zygote (PDF support off, the process already threaded,
 * or the zygote gone), dlp_pdfproc_text reads in process, one document at a
 * time, as pdf.c does.
 */
#ifndef DLP_PDFPROC_H
#define DLP_PDFPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pdf.h"

typedef struct dlp_pdfproc dlp_pdfproc_t;

/* Limits of one document, as for dlp_pdf_text. */
typedef struct dlp_pdf_limits {
    uint64_t max_pages, max_objects, max_bytes;
    uint64_t max_memory; /* the helper's address space while it reads this PDF */
} dlp_pdf_limits_t;

/*
 * Forks the zygote, once per process; later calls return the first call's
 * result. Refuses (DLP_EINVAL) when the process already has more than one
 * thread: fork() is then only safe before exec. DLP_EIO when the system
 * refused; DLP_OK otherwise (also when PDF support is not built in, with no
 * zygote). Without a zygote PDFs are read in process.
 */
int dlp_pdfproc_start(void);

/* A handle with no helper yet: one is made on the first PDF. */
int dlp_pdfproc_new(dlp_pdfproc_t **out);
/* Ends the helper (it is reaped before this returns) and frees p; NULL is fine. */
void dlp_pdfproc_free(dlp_pdfproc_t *p);

/*
 * Text of the PDF d[0..n) within lim, by p's helper (made when needed), or
 * in process when p is NULL or there is no zygote. deadline_ns is
 * CLOCK_MONOTONIC, 0 for none. Returns DLP_OK with *out filled (as
 * dlp_pdf_text), DLP_ETIMEDOUT when the deadline passed first, DLP_EIO when
 * the helper died (a crash, or out of its memory limit) or broke the
 * protocol, DLP_ENOMEM. After DLP_ETIMEDOUT or DLP_EIO the helper has been
 * killed and reaped, and the next call gets a fresh one.
 */
int dlp_pdfproc_text(dlp_pdfproc_t *p, const uint8_t *d, size_t n, const dlp_pdf_limits_t *lim,
                     uint64_t deadline_ns, dlp_pdf_result_t *out);

/* ---- for tests */

/* The helper's pid, 0 when p has none. */
pid_t dlp_pdfproc_pid(const dlp_pdfproc_t *p);
/* The zygote's pid, 0 when there is none. */
pid_t dlp_pdfproc_zygote_pid(void);
/* When set, called with the helper's pid once a request has been sent to it. */
extern void (*dlp_pdfproc_test_sent)(pid_t helper);

#endif
