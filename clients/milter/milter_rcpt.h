/*
 * milter_rcpt.h - the RCPT-time look-alike check.
 *
 * It must be cheap and must work while dlpd is down, so it is local: at
 * startup dlp-milter builds a libdlp engine from the --domains file (the same
 * domain keys dlpd reads) and asks dlp_engine_classify() for each recipient.
 * The engine is immutable and shared by every callback thread.
 *
 * Without --domains the check falls back to dlpd: a scan with no message and
 * the single recipient. When dlpd does not answer, the recipient is unknown
 * and accepted here (the end-of-message scan still sees it).
 */
#ifndef DLP_MILTER_RCPT_H
#define DLP_MILTER_RCPT_H

#include <stddef.h>

#include "milter_msg.h"
#include "milter_opts.h"

typedef struct milter_domains milter_domains_t;

/* Loads the domain file and builds the engine; -1 after printing why on stderr. */
int milter_domains_load(const char *path, milter_domains_t **out);
void milter_domains_free(milter_domains_t *d); /* accepts NULL */

typedef enum {
    MILTER_RCPT_UNKNOWN = 0, /* not classified (no domain list and dlpd down) */
    MILTER_RCPT_OK,          /* internal, protected or external */
    MILTER_RCPT_LOOKALIKE,
} milter_rcpt_class_t;

/*
 * Classifies 'address' (no angle brackets). For a look-alike, writes the
 * sender notice ("army.ml looks like army.mil — check the address") into
 * notice[size]. 'd' may be NULL (then dlpd is asked, through c's client).
 */
milter_rcpt_class_t milter_rcpt_classify(const milter_domains_t *d, milter_conn_t *c,
                                         const milter_opts_t *o, const char *address, char *notice,
                                         size_t size);

#endif
