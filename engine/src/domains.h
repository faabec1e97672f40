/*
 * domains - classifies recipient addresses against the organisation's
 * internal domains and the protected domains mail is meant for.
 *
 * A domain list entry covers itself and every subdomain ("mil" covers
 * army.mil and mail.army.mil). Lookups walk the address's domain suffixes
 * through a hash set, so the cost does not grow with the number of domains.
 * A domain in neither list is checked against both by lookalike.c (typos,
 * TLD swaps, embedded names, homoglyphs) before it is called external.
 */
#ifndef DLP_DOMAINS_H
#define DLP_DOMAINS_H

#include <stddef.h>

#include "dlp/dlp.h"

typedef struct dlp_domains dlp_domains_t;

typedef struct dlp_domain_class {
    dlp_class_t cls;
    const char *lookalike_of; /* owned by the index; NULL unless LOOKALIKE */
    const char *technique;    /* static string; NULL unless LOOKALIKE */
} dlp_domain_class_t;

typedef struct dlp_domain_lists {
    const char *const *internal;
    size_t n_internal;
    const char *const *protected_;
    size_t n_protected;
    const char *const *protected_files; /* one domain a line; '#' comments */
    size_t n_protected_files;
    const char *const *allowed; /* never look-alikes */
    size_t n_allowed;
} dlp_domain_lists_t;

/* Errors (an unreadable file) go to diags. */
int dlp_domains_new(const dlp_domain_lists_t *lists, dlp_domains_t **out, dlp_diags_t *diags);
void dlp_domains_free(dlp_domains_t *d);

/* Classifies an address ("local@domain") or a bare domain (IDNA, case and
 * trailing dots normalised first). */
dlp_domain_class_t dlp_domains_classify(const dlp_domains_t *d, const char *address);

#endif
