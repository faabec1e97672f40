/*
 * hsdb - compiles a rule set into Hyperscan block-mode databases and caches
 * them on disk under a hash of the rules, the Hyperscan version and the CPU
 * platform, so that a restart or a reload of unchanged rules does not compile.
 *
 * Three databases: 'db' holds every pattern, run over every byte; only the
 * patterns of rules whose matches are checked one by one (validate, context,
 * exclude) pay for start-of-match tracking there. 'som_db' holds every
 * pattern with HS_FLAG_SOM_LEFTMOST; the scanner runs it only over the few
 * bytes before a match, to place a finding and cut its snippet. 'exclude_db'
 * holds the rules' exclude patterns, anchored, run on a candidate's text.
 */
#ifndef DLP_HSDB_H
#define DLP_HSDB_H

#include <hs/hs.h>

#include "rules.h"

typedef struct dlp_hsdb {
    hs_database_t *db;
    hs_database_t *som_db;     /* NULL when no pattern supports SOM */
    hs_database_t *exclude_db; /* NULL when no rule has excludes */
    uint8_t *som_ok;           /* per pattern: 1 when it is in som_db */
    uint8_t *som_main;         /* per pattern: 1 when db reports its start */
    int from_cache;
} dlp_hsdb_t;

int dlp_hsdb_build(dlp_hsdb_t *h, const dlp_ruleset_t *set, const char *cache_dir,
                   dlp_diags_t *diags);
void dlp_hsdb_free(dlp_hsdb_t *h);
/*
 * Rebuilds the databases of 'set' from the cache format (a cache file's
 * bytes or a bundle's compiled part). DLP_ECACHE, with *h left empty, when
 * the bytes are short, corrupt, for another rule set, Hyperscan or CPU.
 */
int dlp_hsdb_load(dlp_hsdb_t *h, const dlp_ruleset_t *set, const uint8_t *d, size_t len);
/* The databases in the cache format, for a compiled bundle. Caller frees. */
int dlp_hsdb_serialize(const dlp_hsdb_t *h, const dlp_ruleset_t *set, uint8_t **out, size_t *len);

#endif
