/*
 * rules - the rule set as rule writers write it (YAML files in rules/), loaded and
 * checked but not yet compiled. Every error carries file:line:column and the
 * rule id; loading continues past an error so that one run reports them all.
 * hsdb.c compiles a loaded set into Hyperscan databases.
 */
#ifndef DLP_RULES_H
#define DLP_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "dlp/dlp.h"
#include "validate.h"

typedef struct dlp_pattern {
    char *regex;
    unsigned flags;     /* HS_FLAG_* */
    uint32_t rule;      /* index into the set's rules */
    uint64_t max_width; /* from hs_expression_info; UINT64_MAX when unbounded */
    uint32_t min_width; /* from hs_expression_info; at least 1 */
    char *file;         /* borrowed from the rule */
    int line, column;
} dlp_pattern_t;

typedef struct dlp_rule {
    char *id;
    dlp_category_t category;
    dlp_severity_t severity;
    char *description;
    uint32_t scope;            /* bit (1u << dlp_part_t) per part the rule applies to */
    uint32_t min_count;        /* matches needed in one surface before it is a finding */
    dlp_validator_fn validate; /* NULL, or a check every match must pass */
    char *validate_name;
    char **context; /* words, lowercased; a match needs one within the window */
    size_t n_context;
    uint32_t context_window; /* characters either side of the match */
    int confirm;             /* validate, context or exclude: each match is checked */
    char **tests_match, **tests_no_match;
    size_t n_tests_match, n_tests_no_match;
    char *file;
    int line, column;
} dlp_rule_t;

/* A rule file as read, kept so a compiled bundle can carry its sources. */
typedef struct dlp_rulefile {
    char *name; /* the file's base name */
    uint8_t *data;
    size_t len;
} dlp_rulefile_t;

typedef struct dlp_ruleset {
    dlp_rulefile_t *sources;
    size_t n_sources, cap_sources;
    uint8_t *compiled; /* from a bundle: serialized databases (hsdb format) */
    size_t compiled_len;
    dlp_rule_t *rules;
    size_t n_rules, cap_rules;
    dlp_pattern_t *patterns;
    size_t n_patterns, cap_patterns;
    dlp_pattern_t *excludes; /* a match whose text matches one of its rule's
                                excludes in full is dropped */
    size_t n_excludes, cap_excludes;
    char digest[65]; /* sha256 hex of everything that affects scanning */
} dlp_ruleset_t;

/*
 * Loads a rule file, every *.yaml in a directory (sorted by name), or a
 * compiled bundle written by dlp_ruleset_write_bundle, into *set. Returns
 * DLP_OK, DLP_ERULES with diagnostics, or DLP_ENOMEM.
 */
int dlp_ruleset_load(dlp_ruleset_t *set, const char *path, dlp_diags_t *diags);
void dlp_ruleset_free(dlp_ruleset_t *set);

/*
 * A bundle: "DLPRULES1\n", then u32 count and each source as (u32 name
 * length, name, u64 length, bytes), then u64 length and the serialized
 * databases. Loading one parses the sources again (fast) and skips the
 * compile when the databases fit this Hyperscan and CPU.
 */
int dlp_ruleset_write_bundle(const dlp_ruleset_t *set, const uint8_t *compiled, size_t len,
                             const char *path);

#endif
