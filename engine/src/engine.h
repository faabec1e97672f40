/*
 * engine.h - the internals of dlp_engine_t, an immutable snapshot of
 * everything a scan needs. Built by engine.c, read by scan.c.
 */
#ifndef DLP_ENGINE_H
#define DLP_ENGINE_H

#include <stdatomic.h>

#include "domains.h"
#include "hsdb.h"
#include "policy.h"
#include "rules.h"

struct dlp_engine {
    atomic_uint refs;
    uint64_t generation; /* unique per engine: scanners re-fit scratch when it changes */
    dlp_ruleset_t rules;
    dlp_hsdb_t hs;
    dlp_domains_t *domains;
    dlp_policy_t *policy;
    dlp_limits_t limits;
    int snippets_off; /* from the config: findings get an empty snippet */
    char version[96];
};

#endif
