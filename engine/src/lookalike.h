/*
 * lookalike - finds recipient domains that imitate a protected or internal
 * one: army.ml for army.mil (TLD confusion), lockheedmartln.com (one-letter
 * typos of every kind), army-mil.com and army.mil.ml (names embedded in an
 * unrelated domain), and Unicode or ASCII homoglyphs (TR39 skeletons, ICU).
 *
 * Targets are registrable domains (public suffix list, libpsl). The index is
 * built once per engine: exact names, a one-deletion neighbourhood of every
 * name (which also catches substitutions and transpositions), joined and
 * hyphenated forms, and skeletons, all as 64-bit keys in one open-addressing
 * table, so a check costs a few hash probes whatever the number of targets.
 */
#ifndef DLP_LOOKALIKE_H
#define DLP_LOOKALIKE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dlp_lookalike dlp_lookalike_t;

typedef struct dlp_lookalike_hit {
    const char *target;    /* the imitated domain, owned by the index */
    const char *technique; /* static name, e.g. "tld_confusion", "omission" */
} dlp_lookalike_hit_t;

int dlp_lookalike_new(dlp_lookalike_t **out);
void dlp_lookalike_free(dlp_lookalike_t *l);
/* A domain to protect (any name; its registrable domain is what counts). */
int dlp_lookalike_add_target(dlp_lookalike_t *l, const char *domain);
/* A real domain that looks similar but is legitimate: never flagged. */
int dlp_lookalike_add_allowed(dlp_lookalike_t *l, const char *domain);
/* Builds the index; call once after adding every target. */
int dlp_lookalike_build(dlp_lookalike_t *l);
size_t dlp_lookalike_count(const dlp_lookalike_t *l);

/*
 * Checks a normalised domain (lowercase ASCII, IDNA A-labels, no trailing
 * dot). Returns 1 and fills *hit when it imitates a target, else 0.
 */
int dlp_lookalike_check(const dlp_lookalike_t *l, const char *domain, dlp_lookalike_hit_t *hit);

/*
 * Normalises a domain as a mail system would route it: lowercase, trailing
 * dots dropped, IDNA to A-labels (libidn2). Returns 0, or -1 when the name
 * is not a valid domain. out must hold 256 bytes.
 */
int dlp_domain_normalize(const char *in, char out[256]);

#endif
