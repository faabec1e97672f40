/*
 * test_secrets - least privilege: core dumps off, socket owner and group,
 * TCP on loopback unless told otherwise, and the switch from root to an
 * unprivileged user after binding (scans and both kinds of reload still
 * work afterwards).
 *
 * Whether a process may dump core is visible from outside: the kernel gives
 * the /proc/PID files of a non-dumpable process to root, whatever uid the
 * process runs as. So each check runs dlpd as 'nobody' (started as nobody,
 * or switching to it) and compares the owner of /proc/PID/status with the
 * uid in its Uid line; allow_core_dumps: true is the control that shows the
 * observation works. Needs root, as CI has; skipped with a message otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define NOBODY 65534

static uid_t nobody_uid;
static gid_t nobody_gid;
static gid_t mail_gid;

static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* Appends top-level keys to the daemon's config (none of the standard ones). */
static void append_config(const dlpd_proc_t *d, const char *fmt, ...)
{
    FILE *f = fopen(d->config, "a");
    assert_non_null(f);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    assert_int_equal(fclose(f), 0);
}

/* Replaces the line of a standard top-level key ("key: ...") with 'line'. */
static void replace_config(const dlpd_proc_t *d, const char *key, const char *line)
{
    char *text = (char *)harness_read_file(d->config, NULL);
    assert_non_null(text);
    FILE *f = fopen(d->config, "w");
    assert_non_null(f);
    size_t kl = strlen(key);
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
        fprintf(f, "%s\n", strncmp(l, key, kl) == 0 && l[kl] == ':' ? line : l);
    assert_int_equal(fclose(f), 0);
    free(text);
}

static int run_quiet(const char *a0, const char *a1, const char *a2, const char *a3)
{
    char *argv[] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3, NULL};
    return harness_run(argv, NULL, NULL);
}

/*
 * Lets 'nobody' work in the daemon's directory: a private copy of the
 * compiled-rules cache (so a reload as nobody needs no compile), and the
 * directory and config owned by nobody.
 */
static void hand_to_nobody(const dlpd_proc_t *d)
{
    char cache[256], line[300], owner[32];
    snprintf(cache, sizeof(cache), "%s/cache", d->dir);
    if (run_quiet("/bin/cp", "-r", IT_CACHE_DIR, cache) != 0)
        assert_int_equal(mkdir(cache, 0700), 0);
    snprintf(line, sizeof(line), "cache: \"%s\"", cache);
    replace_config(d, "cache", line);
    snprintf(owner, sizeof(owner), "%ld:%ld", (long)nobody_uid, (long)nobody_gid);
    assert_int_equal(run_quiet("/bin/chown", "-R", owner, d->dir), 0);
}

/* Like harness_start, but the daemon is started as uid:gid. */
static int start_as(dlpd_proc_t *d, uid_t uid, gid_t gid)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
            _exit(126);
        execl(IT_DLPD_BIN, IT_DLPD_BIN, "-c", d->config, (char *)NULL);
        _exit(127);
    }
    d->pid = pid;
    for (int i = 0; i < HARNESS_START_TIMEOUT_MS / 50; i++) {
        if (harness_answers_ping(d))
            return 0;
        if (!harness_alive(d))
            break;
        sleep_ms(50);
    }
    harness_dump_log(d);
    return -1;
}

/* The four ids of a "Uid:" or "Gid:" line of /proc/PID/status. */
static void status_ids(pid_t pid, const char *field, long ids[4])
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int found = 0;
    while (!found && fgets(line, sizeof(line), f))
        found = strncmp(line, field, strlen(field)) == 0 &&
                sscanf(line + strlen(field), "%ld %ld %ld %ld", &ids[0], &ids[1], &ids[2],
                       &ids[3]) == 4;
    fclose(f);
    assert_true(found);
}

/* The supplementary groups line, e.g. "65534" or "" (static buffer). */
static const char *status_groups(pid_t pid)
{
    static char line[512];
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "Groups:", 7) == 0) {
            fclose(f);
            char *s = line + 7;
            s += strspn(s, " \t");
            s[strcspn(s, " \t\n")] = '\0';
            return s;
        }
    }
    fclose(f);
    fail_msg("no Groups line");
    return NULL;
}

/* Owner of /proc/PID/status: root for a non-dumpable process. */
static uid_t proc_owner(pid_t pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    assert_int_equal(stat(path, &st), 0);
    return st.st_uid;
}

static void assert_runs_as_nobody(pid_t pid)
{
    long uid[4], gid[4];
    status_ids(pid, "Uid:", uid);
    status_ids(pid, "Gid:", gid);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(uid[i], (long)nobody_uid);
        assert_int_equal(gid[i], (long)nobody_gid);
    }
}

static int skip_unless_root(void)
{
    if (geteuid() == 0)
        return 0;
    fprintf(stderr, "test_secrets: skipped, needs root (CI runs as root)\n");
    return 1;
}

/* A scan of the FOUO look-alike example must still be blocked. */
static void assert_scan_blocks(const dlpd_proc_t *d)
{
    size_t len;
    uint8_t *msg = harness_read_file(harness_example("fouo-to-ml.eml"), &len);
    assert_non_null(msg);
    dlp_client_t *c = harness_client(d);
    assert_non_null(c);
    harness_scan_t s;
    harness_scan_init(&s, 7, msg, len);
    Dlp__V1__Response *r = NULL;
    assert_int_equal(dlp_client_call(c, &s.req, HARNESS_IO_TIMEOUT_MS, &r, NULL, 0), 0);
    assert_null(r->error);
    assert_non_null(r->scan);
    assert_int_equal(r->scan->action, DLP__V1__ACTION__BLOCK);
    dlp_client_response_free(r);
    dlp_client_free(c);
    free(msg);
}

static void assert_reload_request_ok(const dlpd_proc_t *d)
{
    dlp_client_t *c = harness_client(d);
    assert_non_null(c);
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__ReloadRequest rr = DLP__V1__RELOAD_REQUEST__INIT;
    req.id = 9;
    req.body_case = DLP__V1__REQUEST__BODY_RELOAD;
    req.reload = &rr;
    Dlp__V1__Response *r = NULL;
    assert_int_equal(dlp_client_call(c, &req, HARNESS_IO_TIMEOUT_MS, &r, NULL, 0), 0);
    assert_non_null(r->reload);
    if (!r->reload->ok)
        harness_dump_log(d);
    assert_true(r->reload->ok);
    dlp_client_response_free(r);
    dlp_client_free(c);
}

/* Counts occurrences of 'what' in the daemon's log. */
static int log_count(const dlpd_proc_t *d, const char *what)
{
    char *text = (char *)harness_read_file(d->log, NULL);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, what)); p += strlen(what))
        n++;
    free(text);
    return n;
}

static void assert_sighup_reload_ok(const dlpd_proc_t *d)
{
    int before = log_count(d, "reload: ok");
    assert_int_equal(kill(d->pid, SIGHUP), 0);
    for (int i = 0; i < 1200 && log_count(d, "reload: ok") == before; i++) {
        assert_int_equal(log_count(d, "reload: failed"), 0);
        sleep_ms(50);
    }
    assert_int_equal(log_count(d, "reload: ok"), before + 1);
}

/* ------------------------------------------------------------------ tests */

/* Started as nobody (no uid change inside dlpd): only the start-up prctl
 * can make it non-dumpable; allow_core_dumps: true leaves it dumpable. */
static void test_no_core_dumps_from_start(void **state)
{
    if (skip_unless_root())
        return;
    for (int allow = 0; allow < 2; allow++) {
        dlpd_proc_t d;
        assert_int_equal(harness_setup(&d, NULL), 0);
        append_config(&d, "allow_core_dumps: %s\nuser: nobody\n", allow ? "true" : "false");
        hand_to_nobody(&d);
        assert_int_equal(start_as(&d, nobody_uid, nobody_gid), 0);
        assert_runs_as_nobody(d.pid);
        assert_int_equal(proc_owner(d.pid), allow ? nobody_uid : 0);
        assert_scan_blocks(&d);
        harness_cleanup(&d);
    }
}

/* Root with user/group: runs as nobody:nogroup with no other groups, cannot
 * dump core, still scans, reloads by request and by SIGHUP. */
static void test_drops_to_user(void **state)
{
    if (skip_unless_root())
        return;
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, NULL), 0);
    append_config(&d, "user: nobody\ngroup: \"%ld\"\n", (long)nobody_gid);
    hand_to_nobody(&d);
    assert_int_equal(harness_start(&d), 0);
    assert_runs_as_nobody(d.pid);
    char want[16];
    snprintf(want, sizeof(want), "%ld", (long)nobody_gid);
    assert_string_equal(status_groups(d.pid), want);
    assert_int_equal(proc_owner(d.pid), 0);
    assert_scan_blocks(&d);
    assert_reload_request_ok(&d);
    assert_sighup_reload_ok(&d);
    assert_scan_blocks(&d);
    assert_true(log_count(&d, "running as user nobody") == 1);
    harness_cleanup(&d);
}

/* setuid() makes a process non-dumpable; allow_core_dumps must survive it. */
static void test_core_dumps_allowed_after_drop(void **state)
{
    if (skip_unless_root())
        return;
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, "user: nobody\nallow_core_dumps: true\n"), 0);
    hand_to_nobody(&d);
    assert_int_equal(harness_start(&d), 0);
    assert_runs_as_nobody(d.pid);
    assert_int_equal(proc_owner(d.pid), nobody_uid);
    harness_cleanup(&d);
}

/* Not root and not that user: refuse to start, and say why. */
static void test_user_needs_root(void **state)
{
    if (skip_unless_root())
        return;
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, "user: mail\n"), 0);
    hand_to_nobody(&d);
    assert_int_equal(start_as(&d, nobody_uid, nobody_gid), -1);
    int st = harness_wait_exit(&d, HARNESS_EXIT_TIMEOUT_MS);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    assert_int_equal(log_count(&d, "needs root"), 1);
    harness_cleanup(&d);
}

/* socket_group and socket_mode on the socket file; with user, its owner. */
static void test_socket_group(void **state)
{
    if (skip_unless_root())
        return;
    for (int drop = 0; drop < 2; drop++) {
        dlpd_proc_t d;
        assert_int_equal(harness_setup(&d, "socket_group: mail\nsocket_mode: \"0660\"\n"), 0);
        if (drop) {
            append_config(&d, "user: nobody\n");
            hand_to_nobody(&d);
        }
        assert_int_equal(harness_start(&d), 0);
        struct stat st;
        assert_int_equal(stat(d.address + 5, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0660);
        assert_int_equal(st.st_gid, mail_gid);
        assert_int_equal(st.st_uid, drop ? nobody_uid : 0);
        harness_cleanup(&d);
    }
}

/* An unknown socket_group is a start-up error naming it. */
static void test_unknown_group_refused(void **state)
{
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, "socket_group: no-such-group-dlpd\n"), 0);
    assert_int_equal(harness_start(&d), -1);
    assert_int_equal(log_count(&d, "no group named 'no-such-group-dlpd'"), 1);
    harness_cleanup(&d);
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

/* The local address of the listening IPv4 socket on 'port', from
 * /proc/PID/net/tcp ("0100007F" is 127.0.0.1), or "" when none. */
static const char *listen_addr(pid_t pid, uint16_t port)
{
    static char addr[64];
    char path[64], line[512], local[64];
    unsigned p, st;
    snprintf(path, sizeof(path), "/proc/%ld/net/tcp", (long)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    addr[0] = '\0';
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, " %*u: %63[0-9A-F]:%x %*[0-9A-F]:%*x %x", local, &p, &st) == 3 &&
            p == port && st == 0x0A)
            snprintf(addr, sizeof(addr), "%s", local);
    }
    fclose(f);
    return addr;
}

/* tcp:PORT without a host listens on 127.0.0.1 only, never on all interfaces. */
static void test_tcp_defaults_to_loopback(void **state)
{
    uint16_t port = free_port();
    char line[256];
    dlpd_proc_t d;
    assert_int_equal(harness_setup(&d, NULL), 0);
    snprintf(line, sizeof(line), "listen: [\"%s\", \"tcp:%u\"]", d.address, port);
    replace_config(&d, "listen", line);
    assert_int_equal(harness_start(&d), 0);
    assert_string_equal(listen_addr(d.pid, port), "0100007F");
    char tcp[64];
    snprintf(tcp, sizeof(tcp), "tcp:127.0.0.1:%u", port);
    assert_int_equal(log_count(&d, tcp), 1); /* the start line names it */
    harness_cleanup(&d);
}

int main(void)
{
    const struct passwd *pw = getpwnam("nobody");
    const struct group *gr = getgrnam("mail");
    nobody_uid = pw ? pw->pw_uid : NOBODY;
    nobody_gid = pw ? pw->pw_gid : NOBODY;
    mail_gid = gr ? gr->gr_gid : 8;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_core_dumps_from_start),
        cmocka_unit_test(test_drops_to_user),
        cmocka_unit_test(test_core_dumps_allowed_after_drop),
        cmocka_unit_test(test_user_needs_root),
        cmocka_unit_test(test_socket_group),
        cmocka_unit_test(test_unknown_group_refused),
        cmocka_unit_test(test_tcp_defaults_to_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
