/*
 * policy - turns findings, attachments and recipient classes into actions.
 *
 * A policy is a set of named profiles; each profile is an ordered list of
 * rules and a monitor flag. For each recipient the first rule whose
 * conditions all hold gives that recipient's action; the message's action is
 * the most severe non-drop recipient action (a message whose every recipient
 * is dropped is blocked). In monitor mode the verdict keeps what the policy
 * decided in would_action and the reasons, and every action is ALLOW.
 *
 * A dlp_policy_t is immutable once built and reference counted: the config
 * that parsed it and every engine built from that config share it, and it
 * may be read from any number of threads at once. policy_config.c builds
 * one from the `policy` and `profiles` config keys; docs/policy.md is the
 * user's view of both files.
 */
#ifndef DLP_POLICY_H
#define DLP_POLICY_H

#include <stdint.h>

#include "dlp/dlp.h"
#include "verdict.h"

/* Bounds on what a config may declare (docs/policy.md). */
#define DLP_POLICY_MAX_RULES    256 /* rules per list */
#define DLP_POLICY_MAX_PROFILES 64  /* named profiles, default included */
#define DLP_POLICY_MAX_NAME     64  /* profile and rule names */
#define DLP_POLICY_MAX_NOTICE   512 /* notice template bytes */
#define DLP_POLICY_MAX_LIST     256 /* items in one condition list */

/* Condition on the whole scan: any limit at all. */
#define DLP_POLICY_ANY_LIMIT ((1u << DLP_LIMIT__COUNT) - 1u)

/*
 * One rule. Every condition that is set must hold (AND); within a list any
 * item may match (OR). A zero field is "no condition". Strings are owned by
 * the policy (or static, for the built-in default).
 */
typedef struct dlp_prule {
    const char *name;
    uint32_t classes;    /* 1u << dlp_class_t: the recipient is one of these */
    int content;         /* some finding matches categories and min_severity */
    uint32_t categories; /* 1u << dlp_category_t; 0 = any category */
    dlp_severity_t min_severity;
    uint32_t min_score;         /* the verdict's score is at least this; 0 = no condition */
    uint32_t attachments;       /* DLP_ATT_*: some attachment has one of these flags */
    uint32_t incomplete;        /* 1u << dlp_limit_t: one of these limits was hit */
    const char *const *senders; /* mail_from patterns (policy_sender_matches) */
    size_t n_senders;
    dlp_action_t action;
    const char *notice; /* template for the sender; NULL = no notice */
} dlp_prule_t;

typedef enum {
    DLP_PRULES_BUILTIN = 0, /* the built-in default policy */
    DLP_PRULES_DEFAULT,     /* the default profile's rules, whatever they are */
    DLP_PRULES_OWN,         /* the profile's own list */
} dlp_prules_src_t;

typedef struct dlp_profile {
    const char *name;
    int monitor;
    int line; /* where the config defined it; 0 = not in the config */
    dlp_prules_src_t src;
    dlp_prule_t *rules; /* DLP_PRULES_OWN only */
    size_t n_rules;
} dlp_profile_t;

typedef struct dlp_policy dlp_policy_t;

/*
 * A policy holding only the "default" profile with the built-in rules
 * (docs/policy.md gives their reasoning). The caller owns one reference.
 */
int dlp_policy_default(dlp_policy_t **out);
dlp_policy_t *dlp_policy_ref(dlp_policy_t *p);
void dlp_policy_unref(dlp_policy_t *p); /* accepts NULL */

/* The built-in default rules, for documentation and tests. */
const dlp_prule_t *dlp_policy_builtin(size_t *n);

/*
 * Building (policy_config.c only; a policy is never changed once shared).
 * dlp_policy_add_profile appends a profile whose name is copied; it returns
 * NULL on out of memory or past DLP_POLICY_MAX_PROFILES; the pointer stays
 * valid for the policy's life. dlp_policy_profile finds one by name (NULL,
 * "" and "default" name the default profile). dlp_policy_alloc (zeroed) and
 * dlp_policy_strdup allocate in the policy's own storage, freed with it.
 */
dlp_profile_t *dlp_policy_add_profile(dlp_policy_t *p, const char *name);
const dlp_profile_t *dlp_policy_profile(const dlp_policy_t *p, const char *name);
dlp_profile_t *dlp_policy_edit_profile(dlp_policy_t *p, const char *name);
void *dlp_policy_alloc(dlp_policy_t *p, size_t size);
const char *dlp_policy_strdup(dlp_policy_t *p, const char *s);
size_t dlp_policy_profile_count(const dlp_policy_t *p);
/* The rules a profile applies, with DLP_PRULES_BUILTIN/DEFAULT resolved. */
const dlp_prule_t *dlp_policy_rules(const dlp_policy_t *p, const dlp_profile_t *pr, size_t *n);

/*
 * Notice templates: "{domain} looks like {lookalike_of}". Returns DLP_OK, or
 * DLP_EINVAL with a message in err for an unknown placeholder or an
 * unterminated brace. "{{" and "}}" stand for literal braces.
 */
int dlp_policy_check_notice(const char *tmpl, char *err, size_t errlen);

/* Attachment condition names ("encrypted", ...) to DLP_ATT_* flags. */
int dlp_policy_att_flag_from_name(const char *name, uint32_t *flag);

/*
 * 1 when mail_from matches a sender pattern: "<>" the null sender,
 * "local@domain" that address, "domain" that domain and its subdomains.
 * Patterns are lower case (the config loader folds them); mail_from may
 * carry angle brackets. A NULL mail_from (not given) matches nothing.
 */
int dlp_policy_sender_matches(const char *pattern, const char *mail_from);

/*
 * Decides the verdict in vb, whose findings, attachments, recipients and
 * incomplete bits are already set: score, reasons, recipient actions,
 * action, would_action, monitor, notice and profile. mail_from is the
 * envelope sender (NULL when not given). Returns DLP_EPROFILE for a profile
 * the policy lacks, DLP_ENOMEM.
 */
int dlp_policy_apply(const dlp_policy_t *p, const char *profile, const char *mail_from,
                     dlp_vb_t *vb);

#endif
