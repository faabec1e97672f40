/*
 * pdfproc.c - PDF text in helper processes; see pdfproc.h.
 *
 * Three kinds of process take part:
 *
 *   scanning process --SOCK_SEQPACKET--> zygote --fork--> helper, helper...
 *         ^                                                  |
 *         +------------ SOCK_STREAM, one per helper ---------+
 *
 * The zygote is forked once, while the scanning process is single-threaded,
 * so it and everything it forks may use malloc, GLib and poppler freely. It
 * closes every descriptor but its socket, ignores the signals meant for the
 * daemon (a helper or the zygote ends by its socket closing or by SIGKILL),
 * and exits when the scanning process closes its end, killing and reaping
 * the helpers left. Its requests, one packet each: SPAWN (fork a helper
 * running as the given uid/gid; the reply carries the helper's socket by
 * SCM_RIGHTS) and END (SIGKILL one of its helpers and reap it). One mutex
 * guards the scanning side of that socket.
 *
 * A helper serves requests one at a time: a header and the PDF's bytes in,
 * a header and the text out. The scanning side treats the helper as
 * untrusted (it parses hostile input): replies are checked, a bad one ends
 * the helper like a crash does.
 */
#include "pdfproc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1 /* ASan reserves terabytes of address space: no RLIMIT_AS */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define HELPER_AS_MAX                                                                              \
    (16ull << 30)                  /* hard address-space limit of a helper; each                   \
                                       request sets the soft one (pdf_memory_bytes) */
#define ZMAGIC        0x7a796730u  /* "zyg0" */
#define HMAGIC        0x70646630u  /* "pdf0" */
#define MAX_PDF_BYTES (4ull << 30) /* no larger request is read */

enum { ZOP_SPAWN = 1, ZOP_END = 2 };

typedef struct zreq {
    uint32_t magic, op;
    int32_t pid;       /* END */
    uint32_t uid, gid; /* SPAWN: whom the helper runs as */
} zreq_t;

typedef struct zrep {
    int32_t rc, pid;
} zrep_t;

typedef struct hreq {
    uint32_t magic, pad;
    uint64_t len, max_pages, max_objects, max_bytes, max_memory;
} hreq_t;

typedef struct hrep {
    uint32_t magic;
    int32_t rc;
    uint32_t encrypted, limits;
    uint64_t len;
} hrep_t;

struct dlp_pdfproc {
    int fd; /* the helper's socket, non-blocking; -1 when there is none */
    pid_t pid;
};

void (*dlp_pdfproc_test_sent)(pid_t helper);

static pthread_mutex_t zlock = PTHREAD_MUTEX_INITIALIZER;
static int zstate; /* 0 not tried, 1 running, -1 none */
static pid_t zpid;

#ifdef DLP_HAVE_PDF

static int zstart_rc; /* what the first dlp_pdfproc_start returned */
static int zfd = -1;

/* ------------------------------------------------ child side (zygote, helper) */

/* Blocking I/O: 0 when all n bytes moved, -1 otherwise (EOF included). */
static int read_all(int fd, void *buf, size_t n)
{
    for (uint8_t *p = buf; n;) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
    for (const uint8_t *p = buf; n;) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Keeps only 'keep' (as descriptor 3) and /dev/null on 0-2 (2 stays under
 * sanitizers, for their reports). Returns 3, or -1. */
static int child_fds(int keep)
{
    if (keep < 3 && (keep = fcntl(keep, F_DUPFD, 3)) < 0)
        return -1;
    int nul = open("/dev/null", O_RDWR);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || (!SANITIZED && dup2(nul, 2) < 0))
        return -1;
    if (keep != 3 && dup2(keep, 3) < 0)
        return -1;
    if (close_range(4, ~0u, 0) < 0) {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = 4; fd < (max > 0 ? max : 65536); fd++)
            close((int)fd);
    }
    return 3;
}

/* The daemon's signals are not ours; the parent ends us by SIGKILL or EOF. */
static void child_signals(void)
{
    static const int ignored[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        signal(ignored[i], SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
}

static int child_setup(int fd, const char *name)
{
    struct rlimit core = {0, 0};
    prctl(PR_SET_NAME, name, 0, 0, 0);
    child_signals();
    if (setrlimit(RLIMIT_CORE, &core) < 0)
        return -1;
    return child_fds(fd);
}

/* Runs as the scanning process does now (it may have dropped root since). */
static int become(uid_t uid, gid_t gid)
{
    if (geteuid() == uid && getegid() == gid)
        return 0;
    if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
        return -1;
    return geteuid() == uid && getegid() == gid ? 0 : -1;
}

static int helper_request(int fd)
{
    hreq_t q;
    if (read_all(fd, &q, sizeof(q)) < 0)
        return -1; /* the scanner closed its end: done */
    if (q.magic != HMAGIC || q.len > MAX_PDF_BYTES)
        return -1;
    uint8_t *d = malloc(q.len ? q.len : 1);
    if (!d || read_all(fd, d, q.len) < 0) {
        free(d);
        return -1;
    }
    struct rlimit as = {q.max_memory < HELPER_AS_MAX ? q.max_memory : HELPER_AS_MAX, HELPER_AS_MAX};
    if (!SANITIZED && setrlimit(RLIMIT_AS, &as) < 0) {
        dlp_wipe(d, q.len);
        free(d);
        return -1;
    }
    dlp_pdf_result_t r;
    int rc = dlp_pdf_text(d, q.len, q.max_pages, q.max_objects, q.max_bytes, &r);
    dlp_wipe(d, q.len);
    free(d);
    hrep_t a = {HMAGIC, rc, (uint32_t)r.encrypted, r.limits, r.len};
    int w = write_all(fd, &a, sizeof(a));
    if (w == 0 && r.len)
        w = write_all(fd, r.text, r.len);
    if (r.text) {
        dlp_wipe(r.text, r.len);
        free(r.text);
    }
    return w;
}

static void helper_main(int fd, pid_t zygote, const zreq_t *q)
{
    struct rlimit as = {HELPER_AS_MAX, HELPER_AS_MAX};
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != zygote)
        _exit(1);
    if ((fd = child_setup(fd, "dlp-pdf-helper")) < 0 || become(q->uid, q->gid) < 0)
        _exit(1);
    if (!SANITIZED && setrlimit(RLIMIT_AS, &as) < 0)
        _exit(1);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    while (helper_request(fd) == 0)
        ;
    _exit(0);
}

typedef struct kids {
    pid_t *v;
    size_t n, cap;
} kids_t;

/* Forks a helper; *give is the scanner's end of its socket. */
static int zygote_spawn(int zfd_child, kids_t *k, const zreq_t *q, int *give, pid_t *pid)
{
    int sv[2];
    if (DLP_GROW(k->v, k->cap, k->n + 1))
        return DLP_ENOMEM;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return DLP_EIO;
    pid_t self = getpid();
    *pid = fork();
    if (*pid == 0) {
        close(zfd_child);
        close(sv[0]);
        helper_main(sv[1], self, q);
    }
    close(sv[1]);
    if (*pid < 0) {
        close(sv[0]);
        return DLP_EIO;
    }
    k->v[k->n++] = *pid;
    *give = sv[0];
    return DLP_OK;
}

/* Kills and reaps one of our helpers (only ours: a pid is never guessed). */
static int zygote_end(kids_t *k, pid_t pid)
{
    for (size_t i = 0; i < k->n; i++) {
        if (k->v[i] != pid)
            continue;
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        k->v[i] = k->v[--k->n];
        return DLP_OK;
    }
    return DLP_EINVAL;
}

static int zygote_reply(int fd, const zrep_t *a, int give)
{
    struct iovec iov = {(void *)a, sizeof(*a)};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } c;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (give >= 0) {
        memset(&c, 0, sizeof(c));
        mh.msg_control = c.buf;
        mh.msg_controllen = sizeof(c.buf);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &give, sizeof(int));
    }
    ssize_t w;
    while ((w = sendmsg(fd, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    return w == (ssize_t)sizeof(*a) ? 0 : -1;
}

static void zygote_main(int fd)
{
    kids_t k = {0};
    if ((fd = child_setup(fd, "dlp-pdf-zygote")) < 0)
        _exit(1);
    for (;;) {
        zreq_t q;
        ssize_t r = recv(fd, &q, sizeof(q), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != (ssize_t)sizeof(q) || q.magic != ZMAGIC)
            break; /* closed: the scanning process is gone */
        zrep_t a = {DLP_EINVAL, 0};
        int give = -1;
        if (q.op == ZOP_SPAWN)
            a.rc = zygote_spawn(fd, &k, &q, &give, &a.pid);
        else if (q.op == ZOP_END)
            a.rc = zygote_end(&k, q.pid);
        int w = zygote_reply(fd, &a, give);
        if (give >= 0)
            close(give);
        if (w < 0)
            break;
    }
    while (k.n)
        zygote_end(&k, k.v[k.n - 1]);
    _exit(0);
}

/* ------------------------------------------------------ scanning side */

/* Threads of this process; -1 when /proc cannot tell. */
static long thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    long n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int fork_zygote(void)
{
    int sv[2];
    if (thread_count() != 1)
        return DLP_EINVAL;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return DLP_EIO;
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        zygote_main(sv[1]);
    }
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return DLP_EIO;
    }
    zfd = sv[0];
    zpid = pid;
    return DLP_OK;
}

int dlp_pdfproc_start(void)
{
    pthread_mutex_lock(&zlock);
    if (!zstate) {
        zstart_rc = fork_zygote();
        zstate = zstart_rc == DLP_OK ? 1 : -1;
    }
    int rc = zstart_rc;
    pthread_mutex_unlock(&zlock);
    return rc;
}

/* The zygote died or broke the protocol: read in process from now on. */
static void zygote_lost(void)
{
    close(zfd);
    zfd = -1;
    kill(zpid, SIGKILL);
    while (waitpid(zpid, NULL, 0) < 0 && errno == EINTR)
        ;
    zpid = 0;
    zstate = -1;
}

/* One request and its reply, under zlock; *fd gets a passed descriptor or -1. */
static int zygote_call(const zreq_t *q, zrep_t *a, int *fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } c;
    struct iovec iov = {a, sizeof(*a)};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf)};
    ssize_t r;
    *fd = -1;
    while ((r = send(zfd, q, sizeof(*q), MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (r == (ssize_t)sizeof(*q))
        while ((r = recvmsg(zfd, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
            ;
    if (r != (ssize_t)sizeof(*a)) {
        zygote_lost();
        return DLP_EIO;
    }
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
        memcpy(fd, CMSG_DATA(cm), sizeof(int));
    return a->rc;
}

/* A helper for p: DLP_OK, or an error with p left without one. */
static int helper_spawn(dlp_pdfproc_t *p)
{
    zreq_t q = {ZMAGIC, ZOP_SPAWN, 0, geteuid(), getegid()};
    zrep_t a;
    int fd = -1, rc = DLP_EIO;
    pthread_mutex_lock(&zlock);
    if (zstate == 1)
        rc = zygote_call(&q, &a, &fd);
    pthread_mutex_unlock(&zlock);
    if (rc == DLP_OK && (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0))
        rc = DLP_EIO;
    if (rc != DLP_OK) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    p->fd = fd;
    p->pid = a.pid;
    return DLP_OK;
}

static void helper_end(dlp_pdfproc_t *p)
{
    if (p->fd < 0)
        return;
    close(p->fd);
    zreq_t q = {ZMAGIC, ZOP_END, p->pid, 0, 0};
    zrep_t a;
    int fd;
    pthread_mutex_lock(&zlock);
    if (zstate == 1)
        zygote_call(&q, &a, &fd);
    pthread_mutex_unlock(&zlock);
    p->fd = -1;
    p->pid = 0;
}

/* Waits for fd to be ready until the deadline (0: none). */
static int wait_fd(int fd, short events, uint64_t deadline_ns)
{
    for (;;) {
        int ms = -1;
        if (deadline_ns) {
            uint64_t now = dlp_now_ns();
            if (now >= deadline_ns)
                return DLP_ETIMEDOUT;
            uint64_t left = (deadline_ns - now + 999999) / 1000000;
            ms = left > INT_MAX ? INT_MAX : (int)left;
        }
        struct pollfd pf = {fd, events, 0};
        int r = poll(&pf, 1, ms);
        if (r > 0)
            return DLP_OK; /* errors and hang-ups show in the send or recv */
        if (r < 0 && errno != EINTR)
            return DLP_EIO;
    }
}

static int send_by(int fd, const void *buf, size_t n, uint64_t deadline_ns)
{
    for (const uint8_t *p = buf; n;) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        int rc = DLP_OK;
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            rc = wait_fd(fd, POLLOUT, deadline_ns);
        } else if (!(w < 0 && errno == EINTR)) {
            rc = DLP_EIO;
        }
        if (rc)
            return rc;
    }
    return DLP_OK;
}

static int recv_by(int fd, void *buf, size_t n, uint64_t deadline_ns)
{
    for (uint8_t *p = buf; n;) {
        ssize_t r = recv(fd, p, n, MSG_DONTWAIT);
        int rc = DLP_OK;
        if (r > 0) {
            p += r;
            n -= (size_t)r;
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            rc = wait_fd(fd, POLLIN, deadline_ns);
        } else if (!(r < 0 && errno == EINTR)) {
            rc = DLP_EIO; /* EOF: the helper died */
        }
        if (rc)
            return rc;
    }
    return DLP_OK;
}

/* A helper's reply is checked like any untrusted input. */
static int reply_ok(const hrep_t *a, const dlp_pdf_limits_t *lim)
{
    const uint32_t bits =
        1u << DLP_LIMIT_PDF_PAGES | 1u << DLP_LIMIT_PDF_OBJECTS | 1u << DLP_LIMIT_ENTRY_BYTES;
    return a->magic == HMAGIC && a->rc == DLP_OK && a->encrypted <= 1 && !(a->limits & ~bits) &&
           a->len <= lim->max_bytes + 1 && a->len < SIZE_MAX;
}

static int exchange(dlp_pdfproc_t *p, const uint8_t *d, size_t n, const dlp_pdf_limits_t *lim,
                    uint64_t deadline_ns, dlp_pdf_result_t *out)
{
    hreq_t q = {HMAGIC, 0, n, lim->max_pages, lim->max_objects, lim->max_bytes, lim->max_memory};
    hrep_t a;
    int rc = send_by(p->fd, &q, sizeof(q), deadline_ns);
    if (!rc)
        rc = send_by(p->fd, d, n, deadline_ns);
    if (!rc && dlp_pdfproc_test_sent)
        dlp_pdfproc_test_sent(p->pid);
    if (!rc)
        rc = recv_by(p->fd, &a, sizeof(a), deadline_ns);
    if (rc)
        return rc;
    if (!reply_ok(&a, lim))
        return DLP_EIO;
    char *text = a.len ? malloc((size_t)a.len + 1) : NULL;
    if (a.len && !text)
        return DLP_ENOMEM;
    if (a.len && (rc = recv_by(p->fd, text, (size_t)a.len, deadline_ns))) {
        dlp_wipe(text, (size_t)a.len);
        free(text);
        return rc;
    }
    if (text)
        text[a.len] = 0;
    *out = (dlp_pdf_result_t){text, (size_t)a.len, (int)a.encrypted, a.limits};
    return DLP_OK;
}

int dlp_pdfproc_text(dlp_pdfproc_t *p, const uint8_t *d, size_t n, const dlp_pdf_limits_t *lim,
                     uint64_t deadline_ns, dlp_pdf_result_t *out)
{
    memset(out, 0, sizeof(*out));
    if (p && p->fd < 0 && helper_spawn(p) != DLP_OK) {
        pthread_mutex_lock(&zlock);
        int gone = zstate != 1;
        pthread_mutex_unlock(&zlock);
        if (!gone)
            return DLP_EIO; /* the zygote is there but could not fork */
    }
    if (!p || p->fd < 0)
        return dlp_pdf_text(d, n, lim->max_pages, lim->max_objects, lim->max_bytes, out);
    int rc = exchange(p, d, n, lim, deadline_ns, out);
    if (rc)
        helper_end(p); /* the stream is out of step, or the helper is gone */
    return rc;
}

#else /* no PDF support: nothing to fork */

int dlp_pdfproc_start(void)
{
    pthread_mutex_lock(&zlock);
    zstate = -1;
    pthread_mutex_unlock(&zlock);
    return DLP_OK;
}

static void helper_end(dlp_pdfproc_t *p)
{
    (void)p;
}

int dlp_pdfproc_text(dlp_pdfproc_t *p, const uint8_t *d, size_t n, const dlp_pdf_limits_t *lim,
                     uint64_t deadline_ns, dlp_pdf_result_t *out)
{
    (void)p;
    (void)deadline_ns;
    return dlp_pdf_text(d, n, lim->max_pages, lim->max_objects, lim->max_bytes, out);
}

#endif

int dlp_pdfproc_new(dlp_pdfproc_t **out)
{
    dlp_pdfproc_t *p = calloc(1, sizeof(*p));
    if (!p)
        return DLP_ENOMEM;
    p->fd = -1;
    *out = p;
    return DLP_OK;
}

void dlp_pdfproc_free(dlp_pdfproc_t *p)
{
    if (!p)
        return;
    helper_end(p);
    free(p);
}

pid_t dlp_pdfproc_pid(const dlp_pdfproc_t *p)
{
    return p ? p->pid : 0;
}

pid_t dlp_pdfproc_zygote_pid(void)
{
    pthread_mutex_lock(&zlock);
    pid_t pid = zpid;
    pthread_mutex_unlock(&zlock);
    return pid;
}
