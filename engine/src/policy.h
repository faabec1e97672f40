/*
 * policy - turns findings and recipient classes into actions. A policy is an
 * ordered list of rules; for each recipient the first rule whose conditions
 * hold gives that recipient's action, and the message's action is the most
 * severe of them. The score (0..100) and the reasons explain the result.
 */
#ifndef DLP_POLICY_H
#define DLP_POLICY_H

#include "dlp/dlp.h"
#include "verdict.h"

typedef struct dlp_policy dlp_policy_t;

/* The built-in default policy (docs/policy.md gives its reasoning). */
int dlp_policy_default(dlp_policy_t **out);
void dlp_policy_free(dlp_policy_t *p);

/*
 * Decides the verdict in vb, whose findings, recipients and incomplete bits
 * are already set. Returns DLP_EPROFILE for a profile the policy lacks.
 */
int dlp_policy_apply(const dlp_policy_t *p, const char *profile, dlp_vb_t *vb);

#endif
