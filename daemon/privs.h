/*
 * privs - least privilege for dlpd: no core dumps, the unix sockets' group,
 * and the switch from root to an unprivileged user once every socket is
 * bound (OpenSMTPD's habit: do what needs root first, then give it up for
 * good).
 *
 * Order at start-up: dlpd_privs_no_dumps() first thing in main (a core of a
 * scanning daemon is a file full of other people's mail); dlpd_privs_resolve()
 * before binding, so the unix sockets can be given their owner and group;
 * dlpd_privs_drop() after binding, before any worker thread starts. The
 * kernel resets the "dumpable" flag when the uid changes, so the drop sets it
 * again.
 *
 * What the user must still be able to do afterwards is the operator's to
 * arrange (docs/deploy.md): read the config file and the rules (a reload
 * re-reads both) and, to keep a reload from recompiling, write the cache
 * directory. Errors are logged here; functions return 0 or -1.
 */
#ifndef DLPD_PRIVS_H
#define DLPD_PRIVS_H

#include <sys/types.h>

#include "dconfig.h"

typedef struct dlpd_privs {
    int switch_user; /* user is set and differs from who we are */
    uid_t uid;       /* the user to run as; (uid_t)-1 when user is unset */
    gid_t gid;       /* its group (or 'group'); (gid_t)-1 when user is unset */
    gid_t sock_gid;  /* socket_group; (gid_t)-1 when unset */
    char name[64];   /* for logs */
} dlpd_privs_t;

/* Makes the process non-dumpable unless 'allow' (allow_core_dumps). */
int dlpd_privs_no_dumps(int allow);

/*
 * Looks up user, group and socket_group (names or numbers). Fails when a
 * name is unknown, when group is set without user, or when user is set, we
 * are not root and are not already that user.
 */
int dlpd_privs_resolve(const dlpd_config_t *cfg, dlpd_privs_t *out);

/* Gives a unix socket file the owner and group it should have (no-op when
 * neither user nor socket_group is set). */
int dlpd_privs_own_socket(const dlpd_privs_t *p, const char *path);

/*
 * Switches to the resolved user and group for good (supplementary groups
 * cleared), checks that root cannot be regained, and re-applies the core dump
 * setting. No-op when there is nothing to switch.
 */
int dlpd_privs_drop(const dlpd_privs_t *p, int allow_core_dumps);

#endif
