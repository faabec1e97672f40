/*
 * tools.c - the rule-writer side of the engine (dlp/rules.h): rule
 * introspection and per-rule profiling. Nothing here runs in the daemon's
 * scan path.
 */
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/rules.h"
#include "engine.h"
#include "util.h"

int dlp_engine_rule_info(const dlp_engine_t *e, size_t i, dlp_rule_info_t *out)
{
    if (i >= e->rules.n_rules)
        return DLP_EINVAL;
    const dlp_rule_t *r = &e->rules.rules[i];
    memset(out, 0, sizeof(*out));
    out->id = r->id;
    out->category = r->category;
    out->severity = r->severity;
    out->description = r->description;
    out->file = r->file;
    out->line = r->line;
    out->scope = r->scope;
    out->validate = r->validate_name;
    for (size_t p = 0; p < e->rules.n_patterns; p++)
        out->n_patterns += e->rules.patterns[p].rule == i;
    out->tests_match = (const char *const *)r->tests_match;
    out->n_tests_match = r->n_tests_match;
    out->tests_no_match = (const char *const *)r->tests_no_match;
    out->n_tests_no_match = r->n_tests_no_match;
    return DLP_OK;
}

static int count_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                       void *arg)
{
    (*(uint64_t *)arg)++;
    return 0;
}

/* Compiles rule ri's patterns alone, with the flags the main database uses. */
static int compile_rule(const dlp_engine_t *e, size_t ri, hs_database_t **db)
{
    const dlp_ruleset_t *rs = &e->rules;
    const char **ex = calloc(rs->n_patterns + 1, sizeof(char *));
    unsigned *fl = calloc(rs->n_patterns + 1, sizeof(unsigned));
    unsigned *ids = calloc(rs->n_patterns + 1, sizeof(unsigned));
    unsigned k = 0;
    int rc = DLP_ENOMEM;
    if (ex && fl && ids) {
        for (size_t p = 0; p < rs->n_patterns; p++) {
            if (rs->patterns[p].rule != ri)
                continue;
            ex[k] = rs->patterns[p].regex;
            fl[k] = rs->patterns[p].flags | (e->hs.som_main[p] ? HS_FLAG_SOM_LEFTMOST : 0);
            ids[k++] = (unsigned)p;
        }
        hs_compile_error_t *err = NULL;
        rc = hs_compile_multi(ex, fl, ids, k, HS_MODE_BLOCK, NULL, db, &err) == HS_SUCCESS
                 ? DLP_OK
                 : DLP_EHS;
        hs_free_compile_error(err);
    }
    free(ex);
    free(fl);
    free(ids);
    return rc;
}

int dlp_engine_profile(const dlp_engine_t *e, const uint8_t *const *texts, const size_t *lens,
                       size_t n_texts, unsigned rounds, uint64_t *ns_out)
{
    for (size_t ri = 0; ri < e->rules.n_rules; ri++) {
        hs_database_t *db = NULL;
        hs_scratch_t *scratch = NULL;
        int rc = compile_rule(e, ri, &db);
        if (rc == DLP_OK && hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
            rc = DLP_EHS;
        uint64_t matches = 0, t0 = dlp_now_ns();
        for (unsigned r = 0; rc == DLP_OK && r < rounds; r++)
            for (size_t t = 0; t < n_texts; t++)
                hs_scan(db, (const char *)texts[t], (unsigned)lens[t], 0, scratch, count_match,
                        &matches);
        ns_out[ri] = rounds ? (dlp_now_ns() - t0) / rounds : 0;
        hs_free_scratch(scratch);
        hs_free_database(db);
        if (rc)
            return rc;
    }
    return DLP_OK;
}

int dlp_engine_save(const dlp_engine_t *e, const char *path)
{
    uint8_t *blob;
    size_t len;
    int rc = dlp_hsdb_serialize(&e->hs, &e->rules, &blob, &len);
    if (rc)
        return rc;
    rc = dlp_ruleset_write_bundle(&e->rules, blob, len, path);
    free(blob);
    return rc;
}
