/*
 * fuzz_hsdb - the compiled-rules loader: arbitrary bytes as a "DLPHSDB2"
 * cache file (the same format a compiled bundle carries) for the shipped
 * rule set, through dlp_hsdb_load. A short, corrupt or foreign file must be
 * refused with DLP_ECACHE, never crash; databases it accepts must scan.
 *
 * Initialisation compiles the shipped rules once with the cache directory
 * FUZZ_BINARY_DIR/hsdb-seed, so that directory holds a real cache file: the
 * fuzz.hsdb test passes it as a seed directory.
 */
#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsdb.h"
#include "rules.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dlp_ruleset_t rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    dlp_diags_t *d = dlp_diags_new();
    dlp_hsdb_t h;
    int rc = dlp_ruleset_load(&rules, FUZZ_SOURCE_DIR "/rules", d);
    if (rc == DLP_OK)
        rc = dlp_hsdb_build(&h, &rules, FUZZ_BINARY_DIR "/hsdb-seed", d);
    if (rc != DLP_OK) {
        fprintf(stderr, "fuzz_hsdb: cannot build the shipped rules: %s\n", dlp_strerror(rc));
        exit(1);
    }
    dlp_hsdb_free(&h);
    dlp_diags_free(d);
    return 0;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    if (id >= *(const size_t *)ctx)
        abort(); /* a database for this rule set only reports its own ids */
    return 0;
}

/* Runs a loaded database over a fixed text with scratch of its own. */
static void scan(const hs_database_t *db, size_t n_ids)
{
    static const char text[] = "SECRET//NOFORN passport P<USADOE<<JOHN 4111 1111 1111 1111 "
                               "AKIAIOSFODNN7EXAMPLE flight UA 123 army.mil";
    hs_scratch_t *scratch = NULL;
    if (!db || hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
        return;
    hs_scan(db, text, sizeof(text) - 1, 0, scratch, on_match, &n_ids);
    hs_free_scratch(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlp_hsdb_t h;
    int rc = dlp_hsdb_load(&h, &rules, data, size);
    if (rc != DLP_OK) {
        if (rc != DLP_ECACHE || h.db || h.som_ok)
            abort(); /* refused means empty */
        return 0;
    }
    scan(h.db, rules.n_patterns);
    scan(h.som_db, rules.n_patterns);
    scan(h.exclude_db, rules.n_excludes);
    dlp_hsdb_free(&h);
    return 0;
}
