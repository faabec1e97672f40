/*
 * lookalike_gen - the project's own generator of look-alike domains: for a
 * target domain it writes the permutations each technique produces, so tests
 * can measure recall per technique and bench can time the checks.
 */
#ifndef DLP_LOOKALIKE_GEN_H
#define DLP_LOOKALIKE_GEN_H

#include <stddef.h>

typedef void (*lag_emit_fn)(void *arg, const char *domain, const char *technique);

/*
 * Emits the look-alikes of target (a registrable domain "name.suffix").
 * name_edits: also one-edit typos of the name under the same suffix (only
 * meaningful when the suffix is not itself protected, e.g. a partner .com).
 */
void lag_generate(const char *target, int name_edits, lag_emit_fn emit, void *arg);

#endif
