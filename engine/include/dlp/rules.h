/*
 * dlp/rules.h - what rule-writer tools need beyond scanning mail: the rules
 * of an engine with their inline examples, scanning a bare text as one part
 * of a message, and the scan cost of each rule. dlp-rules uses only this
 * header and dlp.h.
 */
#ifndef DLP_RULES_PUBLIC_H
#define DLP_RULES_PUBLIC_H

#include "dlp/dlp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlp_rule_info {
    const char *id;
    dlp_category_t category;
    dlp_severity_t severity;
    const char *description;
    const char *file;
    int line;
    uint32_t scope;       /* bit (1u << dlp_part_t) per part */
    const char *validate; /* NULL when none */
    size_t n_patterns;
    const char *const *tests_match;
    size_t n_tests_match;
    const char *const *tests_no_match;
    size_t n_tests_no_match;
} dlp_rule_info_t;

/* Rule i of the engine (0 <= i < dlp_engine_rule_count). Pointers live as long as e. */
DLP_EXPORT int dlp_engine_rule_info(const dlp_engine_t *e, size_t i, dlp_rule_info_t *out);

/*
 * Scans text as if it were one surface of a message (part, labelled where),
 * with no recipients, and returns the findings in a verdict (the policy is
 * applied as for a message with no known recipient).
 */
DLP_EXPORT int dlp_scan_text(dlp_scanner_t *s, dlp_engine_t *e, dlp_part_t part,
                             const uint8_t *text, size_t len, dlp_verdict_t **out);

/*
 * Scan cost per rule: each rule's patterns compiled alone and run over every
 * text, 'rounds' times. ns_out[i] receives rule i's nanoseconds per round.
 */
DLP_EXPORT int dlp_engine_profile(const dlp_engine_t *e, const uint8_t *const *texts,
                                  const size_t *lens, size_t n_texts, unsigned rounds,
                                  uint64_t *ns_out);

/*
 * Writes the engine's rules as a compiled bundle: the rule sources with the
 * compiled databases. Any config's `rules:` may name the bundle; loading it
 * skips the compile when the databases fit the loading machine's Hyperscan
 * and CPU, and compiles from the carried sources otherwise.
 */
DLP_EXPORT int dlp_engine_save(const dlp_engine_t *e, const char *path);

#ifdef __cplusplus
}
#endif
#endif
