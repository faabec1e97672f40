/*
 * engine.c - builds an engine snapshot from a config: rules, compiled
 * databases (from the cache when possible), the domain index and the policy.
 * A failed build returns no engine, so a reload can keep the old one.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pdfproc.h"
#include "util.h"

static atomic_uint_fast64_t next_generation = 1;

int dlp_engine_new(const dlp_config_t *cfg, dlp_engine_t **out, dlp_diags_t *diags)
{
    *out = NULL;
    /* Forks the PDF helpers' zygote while the process may still be single-
     * threaded; without it PDFs are read in process, as before. */
    dlp_pdfproc_start();
    dlp_engine_t *e = calloc(1, sizeof(*e));
    if (!e)
        return DLP_ENOMEM;
    atomic_init(&e->refs, 1);
    e->generation = atomic_fetch_add(&next_generation, 1);
    e->limits = cfg->limits;
    e->snippets_off = cfg->snippets_off;
    int rc = dlp_ruleset_load(&e->rules, cfg->rules_path, diags);
    if (rc)
        goto fail;
    if ((rc = dlp_hsdb_build(&e->hs, &e->rules, cfg->cache_dir, diags)))
        goto fail;
    dlp_domain_lists_t lists = {
        (const char *const *)cfg->internal_domains.v,  cfg->internal_domains.n,
        (const char *const *)cfg->protected_domains.v, cfg->protected_domains.n,
        (const char *const *)cfg->protected_files.v,   cfg->protected_files.n,
        (const char *const *)cfg->allowed_domains.v,   cfg->allowed_domains.n};
    rc = dlp_domains_new(&lists, &e->domains, diags);
    if (rc)
        goto fail;
    if (cfg->policy) /* immutable and shared: the config may be freed first */
        e->policy = dlp_policy_ref(cfg->policy);
    else if ((rc = dlp_policy_default(&e->policy)))
        goto fail;
    snprintf(e->version, sizeof(e->version), "%zu rules, sha256:%.12s", e->rules.n_rules,
             e->rules.digest);
    *out = e;
    return DLP_OK;
fail:
    dlp_engine_unref(e);
    return rc;
}

dlp_engine_t *dlp_engine_ref(dlp_engine_t *e)
{
    atomic_fetch_add(&e->refs, 1);
    return e;
}

void dlp_engine_unref(dlp_engine_t *e)
{
    if (!e || atomic_fetch_sub(&e->refs, 1) != 1)
        return;
    dlp_policy_unref(e->policy);
    dlp_domains_free(e->domains);
    dlp_hsdb_free(&e->hs);
    dlp_ruleset_free(&e->rules);
    free(e);
}

const char *dlp_engine_rules_version(const dlp_engine_t *e)
{
    return e->version;
}

size_t dlp_engine_rule_count(const dlp_engine_t *e)
{
    return e->rules.n_rules;
}

int dlp_engine_from_cache(const dlp_engine_t *e)
{
    return e->hs.from_cache;
}

const dlp_limits_t *dlp_engine_limits(const dlp_engine_t *e)
{
    return &e->limits;
}

dlp_class_t dlp_engine_classify(const dlp_engine_t *e, const char *address,
                                const char **lookalike_of, const char **technique)
{
    dlp_domain_class_t c = dlp_domains_classify(e->domains, address);
    if (lookalike_of)
        *lookalike_of = c.lookalike_of;
    if (technique)
        *technique = c.technique;
    return c.cls;
}
