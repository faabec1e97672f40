/*
 * harness.c - start/stop the real dlpd, raw frames, program runner.
 * See harness.h for the contract. Paths to the binaries and the source tree
 * come from compile definitions set in tests/integration/CMakeLists.txt.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dlp_frame.h"

#ifndef IT_DLPD_BIN
#error "IT_DLPD_BIN must name the dlpd binary"
#endif

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------- files */

uint8_t *harness_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "harness: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2 + 1);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

const char *harness_example(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", IT_EXAMPLES_DIR, name);
    return path;
}

const char *harness_write_file(const dlpd_proc_t *d, const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", d->dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "harness: cannot write %s: %s\n", path, strerror(errno));
        return NULL;
    }
    return path;
}

/* ------------------------------------------------------------------ daemon */

int harness_setup(dlpd_proc_t *d, const char *extra_yaml)
{
    memset(d, 0, sizeof(*d));
    strcpy(d->dir, "/tmp/dlpd-it-XXXXXX");
    if (!mkdtemp(d->dir)) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        d->dir[0] = '\0';
        return -1;
    }
    snprintf(d->config, sizeof(d->config), "%s/dlpd.yaml", d->dir);
    snprintf(d->log, sizeof(d->log), "%s/dlpd.log", d->dir);
    snprintf(d->address, sizeof(d->address), "unix:%s/dlpd.sock", d->dir);
    /* One compiled-rules cache for every test daemon: its key is the rules'
     * digest, and entries are renamed into place, so sharing is safe and the
     * pack is compiled once per run rather than once per daemon. */
    const char *cache = IT_CACHE_DIR;
    FILE *f = fopen(d->config, "w");
    if (!f)
        return -1;
    fprintf(f,
            "# written by tests/integration/harness.c\n"
            "listen: [\"%s\"]\n"
            "rules: \"%s\"\n"
            "cache: \"%s\"\n"
            "workers: 2\n"
            "protected_domains: [mil]\n"
            "protected_domains_files: [\"" IT_RULES_DIR "/protected/us-mil.txt\"]\n"
            "internal_domains: [example.org]\n"
            "%s",
            d->address, IT_RULES_DIR, cache, extra_yaml ? extra_yaml : "");
    return fclose(f) == 0 ? 0 : -1;
}

int harness_answers_ping(const dlpd_proc_t *d)
{
    dlp_client_t *c;
    if (dlp_client_connect(d->address, 1000, &c, NULL, 0) < 0)
        return 0;
    int ok = harness_ping(c, 1) == 0;
    dlp_client_free(c);
    return ok;
}

int harness_start(dlpd_proc_t *d)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)IT_DLPD_BIN, (char *)"-c", d->config, NULL};
    int rc = posix_spawn(&d->pid, IT_DLPD_BIN, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "harness: spawn %s: %s\n", IT_DLPD_BIN, strerror(rc));
        d->pid = 0;
        return -1;
    }
    int64_t deadline = now_ms() + HARNESS_START_TIMEOUT_MS;
    while (now_ms() < deadline) {
        if (harness_answers_ping(d))
            return 0;
        if (waitpid(d->pid, &d->exit_status, WNOHANG) == d->pid) {
            d->pid = 0;
            fprintf(stderr, "harness: dlpd exited during start-up (status 0x%x)\n", d->exit_status);
            harness_dump_log(d);
            return -1;
        }
        sleep_ms(50);
    }
    fprintf(stderr, "harness: dlpd did not answer a ping within %d ms\n", HARNESS_START_TIMEOUT_MS);
    harness_dump_log(d);
    return -1;
}

int harness_wait_exit(dlpd_proc_t *d, int timeout_ms)
{
    if (d->pid == 0)
        return d->exit_status;
    int64_t deadline = now_ms() + timeout_ms;
    do {
        pid_t r = waitpid(d->pid, &d->exit_status, WNOHANG);
        if (r == d->pid) {
            d->pid = 0;
            return d->exit_status;
        }
        if (r < 0)
            return -1;
        sleep_ms(20);
    } while (now_ms() < deadline);
    return -1;
}

int harness_alive(dlpd_proc_t *d)
{
    if (d->pid <= 0)
        return 0;
    if (waitpid(d->pid, &d->exit_status, WNOHANG) == d->pid) {
        d->pid = 0;
        return 0;
    }
    return 1;
}

void harness_dump_log(const dlpd_proc_t *d)
{
    char *text = (char *)harness_read_file(d->log, NULL);
    if (text) {
        fprintf(stderr, "---- %s ----\n%s---- end of log ----\n", d->log, text);
        free(text);
    }
}

/* Appends every *.log in the daemon's directory (its own, and those of
 * programs a test ran beside it, such as dlp-milter) to
 * IT_LOG_DIR/<program>-<pid>.log, so that all the logs of a run can be
 * searched afterwards (tests/check_logs.sh). */
static void keep_logs(const dlpd_proc_t *d)
{
    char path[4096], src[512];
    DIR *dir = opendir(d->dir);
    if (!dir)
        return;
    mkdir(IT_LOG_DIR, 0755);
    snprintf(path, sizeof(path), "%s/%s-%d.log", IT_LOG_DIR, program_invocation_short_name,
             (int)getpid());
    FILE *f = fopen(path, "a");
    if (!f)
        fprintf(stderr, "harness: cannot keep the logs in %s: %s\n", path, strerror(errno));
    for (struct dirent *e; f && (e = readdir(dir));) {
        size_t n = strlen(e->d_name), len;
        if (n < 5 || strcmp(e->d_name + n - 4, ".log") != 0)
            continue;
        snprintf(src, sizeof(src), "%s/%s", d->dir, e->d_name);
        uint8_t *text = harness_read_file(src, &len);
        if (!text)
            continue;
        fprintf(f, "==== %s\n", src);
        fwrite(text, 1, len, f);
        free(text);
    }
    if (f)
        fclose(f);
    closedir(dir);
}

/* Removes the files the tests and the daemon leave in the directory. */
static void remove_tree(const char *path)
{
    char *argv[] = {(char *)"/bin/rm", (char *)"-rf", (char *)path, NULL};
    harness_run(argv, NULL, NULL);
}

void harness_cleanup(dlpd_proc_t *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, &d->exit_status, 0);
        d->pid = 0;
    }
    if (d->dir[0])
        keep_logs(d);
    if (d->dir[0] && strncmp(d->dir, "/tmp/dlpd-it-", 13) == 0)
        remove_tree(d->dir);
    d->dir[0] = '\0';
}

/* ----------------------------------------------------- libdlpclient helpers */

dlp_client_t *harness_client(const dlpd_proc_t *d)
{
    char err[256];
    dlp_client_t *c;
    if (dlp_client_connect(d->address, HARNESS_IO_TIMEOUT_MS, &c, err, sizeof(err)) < 0) {
        fprintf(stderr, "harness: %s\n", err);
        return NULL;
    }
    return c;
}

void harness_scan_init(harness_scan_t *s, uint64_t id, const uint8_t *msg, size_t len)
{
    dlp__v1__request__init(&s->req);
    dlp__v1__scan_request__init(&s->scan);
    dlp__v1__envelope__init(&s->env);
    s->scan.envelope = &s->env;
    s->scan.message.data = (uint8_t *)msg;
    s->scan.message.len = len;
    s->req.id = id;
    s->req.body_case = DLP__V1__REQUEST__BODY_SCAN;
    s->req.scan = &s->scan;
}

static void ping_init(Dlp__V1__Request *req, Dlp__V1__Ping *ping, uint64_t id)
{
    static uint8_t payload[] = "harness";
    dlp__v1__request__init(req);
    dlp__v1__ping__init(ping);
    ping->payload.data = payload;
    ping->payload.len = sizeof(payload) - 1;
    req->id = id;
    req->body_case = DLP__V1__REQUEST__BODY_PING;
    req->ping = ping;
}

int harness_ping(dlp_client_t *c, uint64_t id)
{
    Dlp__V1__Request req;
    Dlp__V1__Ping ping;
    ping_init(&req, &ping, id);
    Dlp__V1__Response *resp;
    if (dlp_client_call(c, &req, HARNESS_IO_TIMEOUT_MS, &resp, NULL, 0) < 0)
        return -1;
    int ok = !resp->error && resp->body_case == DLP__V1__RESPONSE__BODY_PING &&
             resp->ping->payload.len == ping.payload.len &&
             memcmp(resp->ping->payload.data, ping.payload.data, ping.payload.len) == 0;
    dlp_client_response_free(resp);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------ raw frame helpers */

int harness_connect_raw(const dlpd_proc_t *d)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->address + 5);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, "harness: connect %s: %s\n", d->address, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int harness_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int harness_send_request(int fd, const Dlp__V1__Request *req)
{
    uint8_t *frame;
    size_t len;
    if (dlp_frame_pack(&req->base, &frame, &len) < 0)
        return -1;
    int r = harness_write_all(fd, frame, len);
    free(frame);
    return r;
}

int harness_send_ping(int fd, uint64_t id)
{
    Dlp__V1__Request req;
    Dlp__V1__Ping ping;
    ping_init(&req, &ping, id);
    return harness_send_request(fd, &req);
}

/* Reads exactly n bytes: 1 done, 0 EOF before any byte, -1 error or timeout. */
static int read_exact(int fd, uint8_t *buf, size_t n, int64_t deadline)
{
    size_t got = 0;
    while (got < n) {
        int left = (int)(deadline - now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return -1;
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && got == 0)
            return 0;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 1;
}

Dlp__V1__Response *harness_recv_response(int fd, int timeout_ms, int *eof)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t hdr[DLP_FRAME_HEADER_BYTES];
    *eof = 0;
    int r = read_exact(fd, hdr, sizeof(hdr), deadline);
    if (r <= 0) {
        *eof = r == 0;
        return NULL;
    }
    uint32_t len = dlp_frame_get_header(hdr);
    if (len > DLP_CLIENT_DEFAULT_MAX_FRAME)
        return NULL;
    uint8_t *payload = malloc(len ? len : 1);
    if (!payload || read_exact(fd, payload, len, deadline) != 1) {
        free(payload);
        return NULL;
    }
    Dlp__V1__Response *resp = dlp__v1__response__unpack(NULL, len, payload);
    free(payload);
    return resp;
}

int harness_wait_closed(int fd, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t buf[256];
    for (;;) {
        int left = (int)(deadline - now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return 0;
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r == 0 || (r < 0 && errno == ECONNRESET))
            return 1;
        if (r < 0 && errno != EINTR)
            return 0;
        if (r > 0)
            return 0; /* more data: the daemon did not close after its answer */
    }
}

/* ---------------------------------------------------------------- programs */

/* Reads both pipes until EOF on each. */
static int drain_pipes(int ofd, int efd, char **out, char **err)
{
    char *bufs[2] = {NULL, NULL};
    size_t lens[2] = {0, 0};
    struct pollfd p[2] = {{.fd = ofd, .events = POLLIN}, {.fd = efd, .events = POLLIN}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[4096];
            ssize_t n = read(p[i].fd, chunk, sizeof(chunk));
            if (n <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
                open_fds--;
                continue;
            }
            char *nb = realloc(bufs[i], lens[i] + (size_t)n + 1);
            if (!nb)
                return -1;
            memcpy(nb + lens[i], chunk, (size_t)n);
            lens[i] += (size_t)n;
            nb[lens[i]] = '\0';
            bufs[i] = nb;
        }
    }
    char **dst[2] = {out, err};
    for (int i = 0; i < 2; i++) {
        if (dst[i])
            *dst[i] = bufs[i] ? bufs[i] : strdup("");
        else
            free(bufs[i]);
    }
    return 0;
}

int harness_run(char *const argv[], char **out, char **err)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        fprintf(stderr, "harness: spawn %s: %s\n", argv[0], strerror(rc));
        close(po[0]);
        close(pe[0]);
        return -1;
    }
    drain_pipes(po[0], pe[0], out, err);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int harness_group_start(void **state, const char *extra_yaml)
{
    static dlpd_proc_t d;
    if (harness_setup(&d, extra_yaml) < 0 || harness_start(&d) < 0) {
        harness_cleanup(&d);
        return -1;
    }
    *state = &d;
    return 0;
}

int harness_group_stop(void **state)
{
    harness_dump_log(*state);
    harness_cleanup(*state);
    return 0;
}

int harness_milter_send(int fd, char cmd, const void *data, size_t len)
{
    uint8_t hdr[5];
    uint32_t n = (uint32_t)len + 1;
    hdr[0] = (uint8_t)(n >> 24);
    hdr[1] = (uint8_t)(n >> 16);
    hdr[2] = (uint8_t)(n >> 8);
    hdr[3] = (uint8_t)n;
    hdr[4] = (uint8_t)cmd;
    if (harness_write_all(fd, hdr, 5) != 0)
        return -1;
    return len ? harness_write_all(fd, data, len) : 0;
}

int harness_milter_recv(int fd, char *cmd, char *data, size_t size, size_t *len, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t hdr[5];
    if (read_exact(fd, hdr, sizeof(hdr), deadline) != 1)
        return -1;
    uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    if (n < 1 || n - 1 >= size)
        return -1;
    if (n > 1 && read_exact(fd, (uint8_t *)data, n - 1, deadline) != 1)
        return -1;
    data[n - 1] = '\0';
    *cmd = (char)hdr[4];
    *len = n - 1;
    return 0;
}
