/*
 * policy_config - reads the `policy` and `profiles` config keys into a
 * dlp_policy_t (policy.h), with a file:line:column error for every mistake.
 * The schema is documented in docs/policy.md.
 *
 * Both functions create *policy (the built-in default, one "default"
 * profile) on first use, so the two keys may come in either order; a
 * profile's `rules: default` is resolved when the policy is applied, not
 * here. On error they keep parsing to report every mistake and return
 * DLP_ECONFIG (DLP_ENOMEM stops at once); *policy is then only fit to be
 * freed with dlp_policy_unref().
 */
#ifndef DLP_POLICY_CONFIG_H
#define DLP_POLICY_CONFIG_H

#include "policy.h"
#include "yamlutil.h"

/* `policy:` - the default profile's rules, replacing the built-in ones. */
int dlp_policy_config_rules(dlp_yaml_t *y, yaml_node_t *v, dlp_policy_t **policy);
/* `profiles:` - named profiles: monitor flag and rules. */
int dlp_policy_config_profiles(dlp_yaml_t *y, yaml_node_t *v, dlp_policy_t **policy);

#endif
