/*
 * hsdb - compiles a rule set into Hyperscan block-mode databases and caches
 * them on disk under a hash of the rules, the Hyperscan version and the CPU
 * platform, so that a restart or a reload of unchanged rules does not compile.
 *
 * Two databases: 'db' holds every pattern without start-of-match tracking
 * (the fast path, run over every byte), and 'som_db' holds the same patterns
 * with HS_FLAG_SOM_LEFTMOST. The scanner runs som_db only over the few bytes
 * before a match, to find where a finding starts for its snippet and checks.
 */
#ifndef DLP_HSDB_H
#define DLP_HSDB_H

#include <hs/hs.h>

#include "rules.h"

typedef struct dlp_hsdb {
    hs_database_t *db;
    hs_database_t *som_db; /* NULL when no pattern supports SOM */
    uint8_t *som_ok;       /* per pattern: 1 when it is in som_db */
    int from_cache;
} dlp_hsdb_t;

int dlp_hsdb_build(dlp_hsdb_t *h, const dlp_ruleset_t *set, const char *cache_dir,
                   dlp_diags_t *diags);
void dlp_hsdb_free(dlp_hsdb_t *h);

#endif
