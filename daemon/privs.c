/*
 * privs - core dumps off, socket ownership, dropping root (see privs.h).
 *
 * A user or group may be given by name or by number; a number need not
 * exist in /etc/passwd (containers often run as bare uids), a name must.
 */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"

int dlpd_privs_no_dumps(int allow)
{
    if (prctl(PR_SET_DUMPABLE, allow ? 1 : 0, 0, 0, 0) < 0) {
        dlpd_log_error("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* A decimal id, or -1 when s is not one. */
static long parse_id(const char *s)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v >= (unsigned long)(uid_t)-1)
        return -1;
    return (long)v;
}

static int resolve_group(const char *key, const char *s, gid_t *out)
{
    long id = parse_id(s);
    if (id >= 0) {
        *out = (gid_t)id;
        return 0;
    }
    const struct group *g = getgrnam(s);
    if (!g) {
        dlpd_log_error("%s: no group named '%s'", key, s);
        return -1;
    }
    *out = g->gr_gid;
    return 0;
}

/* Fills uid, gid (the user's primary group) and name. */
static int resolve_user(const char *s, dlpd_privs_t *p)
{
    long id = parse_id(s);
    const struct passwd *pw = id >= 0 ? getpwuid((uid_t)id) : getpwnam(s);
    if (!pw && id < 0) {
        dlpd_log_error("user: no user named '%s'", s);
        return -1;
    }
    p->uid = pw ? pw->pw_uid : (uid_t)id;
    p->gid = pw ? pw->pw_gid : (gid_t)id; /* a bare uid: its own number as group */
    snprintf(p->name, sizeof(p->name), "%s", pw ? pw->pw_name : s);
    return 0;
}

int dlpd_privs_resolve(const dlpd_config_t *cfg, dlpd_privs_t *out)
{
    memset(out, 0, sizeof(*out));
    out->uid = (uid_t)-1;
    out->gid = out->sock_gid = (gid_t)-1;
    if (cfg->socket_group && resolve_group("socket_group", cfg->socket_group, &out->sock_gid) < 0)
        return -1;
    if (!cfg->user) {
        if (cfg->group) {
            dlpd_log_error("group: only used together with user");
            return -1;
        }
        return 0;
    }
    if (resolve_user(cfg->user, out) < 0 ||
        (cfg->group && resolve_group("group", cfg->group, &out->gid) < 0))
        return -1;
    if (getuid() == out->uid && geteuid() == out->uid && getgid() == out->gid &&
        getegid() == out->gid)
        return 0; /* already that user: nothing to switch */
    if (geteuid() != 0) {
        dlpd_log_error("user: switching to '%s' needs root, and dlpd runs as uid %ld; start it "
                       "as root or remove 'user' from the config",
                       out->name, (long)geteuid());
        return -1;
    }
    out->switch_user = 1;
    return 0;
}

int dlpd_privs_own_socket(const dlpd_privs_t *p, const char *path)
{
    uid_t uid = p->switch_user ? p->uid : (uid_t)-1;
    if (uid == (uid_t)-1 && p->sock_gid == (gid_t)-1)
        return 0;
    if (chown(path, uid, p->sock_gid) < 0) {
        dlpd_log_error("unix:%s: cannot set owner/group: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int dlpd_privs_drop(const dlpd_privs_t *p, int allow_core_dumps)
{
    if (!p->switch_user)
        return 0;
    if (setgroups(1, &p->gid) < 0 || setgid(p->gid) < 0 || setuid(p->uid) < 0) {
        dlpd_log_error("cannot switch to user '%s' (uid %ld, gid %ld): %s", p->name, (long)p->uid,
                       (long)p->gid, strerror(errno));
        return -1;
    }
    /* Paranoia as in OpenSMTPD: the switch must be complete and final. */
    if (getuid() != p->uid || geteuid() != p->uid || getgid() != p->gid || getegid() != p->gid ||
        (p->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))) {
        dlpd_log_error("switching to user '%s' did not take; refusing to run", p->name);
        return -1;
    }
    if (dlpd_privs_no_dumps(allow_core_dumps) < 0)
        return -1;
    dlpd_log_info("running as user %s (uid %ld, gid %ld)", p->name, (long)p->uid, (long)p->gid);
    return 0;
}
