/*
 * test_milter - dlp-milter between a hand-made MTA and the real dlpd.
 *
 * The test starts dlpd (harness) and two dlp-milters on unix sockets in the
 * daemon's directory: "plain" (no RCPT check) and "refusing"
 * (--refuse-lookalike-rcpt with the daemon's own config as --domains). It
 * then speaks the milter wire protocol itself: a frame is a 4-byte
 * big-endian length, a command byte and its data. It checks that FOUO mail
 * to army.ml is refused 550 5.7.1 with the notice, that benign mail gets the
 * X-DLP headers, that a look-alike among several recipients is refused at
 * RCPT and the others carry on, and that with dlpd stopped the message is
 * tempfailed 451 4.7.1 while the look-alike is still refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define MILTER_START_TIMEOUT_MS 60000
#define MILTER_IO_TIMEOUT_MS    30000
#define HDR_LEADSPC             0x00100000u /* SMFIP_HDR_LEADSPC */

typedef struct milter_proc {
    pid_t pid;
    char sock[100]; /* fits sun_path */
    char log[192];
} milter_proc_t;

typedef struct world {
    dlpd_proc_t d;
    milter_proc_t plain, refusing;
} world_t;

static int start_milter(const dlpd_proc_t *d, milter_proc_t *m, const char *name, int refusing)
{
    if (snprintf(m->sock, sizeof(m->sock), "%s/%s.sock", d->dir, name) >= (int)sizeof(m->sock))
        return -1;
    snprintf(m->log, sizeof(m->log), "%s/%s.log", d->dir, name);
    char spec[256];
    snprintf(spec, sizeof(spec), "unix:%s", m->sock);
    m->pid = fork();
    if (m->pid < 0)
        return -1;
    if (m->pid == 0) {
        int fd = open(m->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        const char *argv[16] = {IT_MILTER_BIN, "-s", spec, "-d", d->address, "-t", "5000", "-v"};
        int n = 8;
        if (refusing) {
            argv[n++] = "--refuse-lookalike-rcpt";
            argv[n++] = "--domains";
            argv[n++] = d->config;
        }
        argv[n] = NULL;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    /* Up when its socket accepts a connection. */
    for (int waited = 0; waited < MILTER_START_TIMEOUT_MS; waited += 50) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        memcpy(sa.sun_path, m->sock, sizeof(m->sock));
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            close(fd);
            return 0;
        }
        if (fd >= 0)
            close(fd);
        if (waitpid(m->pid, NULL, WNOHANG) == m->pid) {
            m->pid = 0;
            break;
        }
        usleep(50000);
    }
    fprintf(stderr, "dlp-milter %s did not start; its log:\n", name);
    char *log = (char *)harness_read_file(m->log, NULL);
    fprintf(stderr, "%s\n", log ? log : "(none)");
    free(log);
    return -1;
}

static void stop_milter(milter_proc_t *m)
{
    if (m->pid > 0) {
        kill(m->pid, SIGTERM);
        waitpid(m->pid, NULL, 0);
        m->pid = 0;
    }
}

static int setup(void **state)
{
    world_t *w = calloc(1, sizeof(*w));
    if (!w || harness_setup(&w->d, NULL) != 0)
        return -1;
    if (harness_start(&w->d) != 0) {
        harness_dump_log(&w->d);
        return -1;
    }
    if (start_milter(&w->d, &w->plain, "plain", 0) != 0 ||
        start_milter(&w->d, &w->refusing, "refusing", 1) != 0)
        return -1;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world_t *w = *state;
    stop_milter(&w->plain);
    stop_milter(&w->refusing);
    harness_cleanup(&w->d);
    free(w);
    return 0;
}

/* ------------------------------------------------- a tiny milter client */

typedef struct mta {
    int fd;
    uint32_t protocol; /* what the milter asked for */
} mta_t;

typedef struct reply {
    char cmd;
    char data[2048];
    size_t len;
} reply_t;

static void send_cmd(mta_t *m, char cmd, const void *data, size_t len)
{
    assert_int_equal(harness_milter_send(m->fd, cmd, data, len), 0);
}

static void read_reply(mta_t *m, reply_t *r)
{
    assert_int_equal(harness_milter_recv(m->fd, &r->cmd, r->data, sizeof(r->data), &r->len,
                                         MILTER_IO_TIMEOUT_MS),
                     0);
}

static uint32_t be32(const char *p)
{
    const uint8_t *u = (const uint8_t *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* Connects, negotiates (offering everything, as Postfix does), CONNECT and HELO. */
static void mta_open(mta_t *m, const milter_proc_t *mp)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, mp->sock, sizeof(mp->sock));
    m->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(m->fd >= 0);
    assert_int_equal(connect(m->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    const uint8_t opt[12] = {0, 0, 0, 6, 0, 0, 0x01, 0xff, 0, 0x1f, 0xff, 0xff};
    send_cmd(m, 'O', opt, sizeof(opt));
    reply_t r;
    read_reply(m, &r);
    assert_int_equal(r.cmd, 'O');
    assert_true(r.len >= 12);
    m->protocol = be32(r.data + 8);
    static const char conn[] = "client.example.org\0"
                               "4\x00\x19"
                               "192.0.2.10";
    send_cmd(m, 'C', conn, sizeof(conn));
    read_reply(m, &r);
    assert_int_equal(r.cmd, 'c');
    send_cmd(m, 'H', "client.example.org", sizeof("client.example.org"));
    read_reply(m, &r);
    assert_int_equal(r.cmd, 'c');
}

static void mta_close(mta_t *m)
{
    send_cmd(m, 'Q', NULL, 0);
    close(m->fd);
}

/* Sends a command with a NUL-terminated argument; returns the reply's command. */
static char step(mta_t *m, char cmd, const char *arg, reply_t *r)
{
    send_cmd(m, cmd, arg, strlen(arg) + 1);
    read_reply(m, r);
    return r->cmd;
}

static void header(mta_t *m, const char *name, const char *value)
{
    char buf[1024];
    int n = snprintf(buf, sizeof(buf), "%s%c%s%s", name, 0, (m->protocol & HDR_LEADSPC) ? " " : "",
                     value);
    reply_t r;
    send_cmd(m, 'L', buf, (size_t)n + 1);
    read_reply(m, &r);
    assert_int_equal(r.cmd, 'c');
}

/* What end of message brought: modifications, then the final reply. */
typedef struct eom {
    char headers[4096]; /* "Name: value\n" per added header */
    char delrcpt[1024]; /* "<a@b>\n" per removed recipient */
    char quarantine[sizeof(((reply_t *)0)->data)];
    reply_t final;
} eom_t;

static void finish(mta_t *m, const char *headers[][2], const char *body, eom_t *e)
{
    memset(e, 0, sizeof(*e));
    for (size_t i = 0; headers[i][0]; i++)
        header(m, headers[i][0], headers[i][1]);
    reply_t r;
    send_cmd(m, 'N', NULL, 0);
    read_reply(m, &r);
    assert_int_equal(r.cmd, 'c');
    send_cmd(m, 'B', body, strlen(body));
    read_reply(m, &r);
    assert_int_equal(r.cmd, 'c');
    send_cmd(m, 'E', NULL, 0);
    for (;;) {
        read_reply(m, &r);
        size_t used;
        switch (r.cmd) {
        case 'h':
            used = strlen(e->headers);
            /* as an MTA writes it: with HDR_LEADSPC the value brings its own space */
            snprintf(e->headers + used, sizeof(e->headers) - used, "%s:%s%s\n", r.data,
                     (m->protocol & HDR_LEADSPC) ? "" : " ", r.data + strlen(r.data) + 1);
            continue;
        case '-':
            used = strlen(e->delrcpt);
            snprintf(e->delrcpt + used, sizeof(e->delrcpt) - used, "%s\n", r.data);
            continue;
        case 'q':
            snprintf(e->quarantine, sizeof(e->quarantine), "%s", r.data);
            continue;
        case 'm': /* change header (removing a forged X-DLP header) */
            continue;
        default:
            e->final = r;
            return;
        }
    }
}

static const char *BENIGN_HEADERS[][2] = {
    {"From", "Sam Doe <sender@example.org>"},
    {"To", "Tom Becker <tom.becker@example.com>"},
    {"Subject", "Lunch on Friday"},
    {NULL, NULL},
};
static const char BENIGN_BODY[] =
    "Hi Tom,\r\n\r\nare we still on for lunch on Friday?\r\n\r\nSam\r\n";

/* ------------------------------------------------------------------ tests */

static void test_fouo_to_lookalike_is_blocked(void **state)
{
    world_t *w = *state;
    mta_t m;
    reply_t r;
    eom_t e;
    mta_open(&m, &w->plain);
    assert_int_equal(step(&m, 'M', "<sender@example.org>", &r), 'c');
    assert_int_equal(step(&m, 'R', "<jordan.smith@army.ml>", &r), 'c');
    const char *hdrs[][2] = {
        {"From", "Sam Doe <sender@example.org>"},
        {"To", "Jordan Smith <jordan.smith@army.ml>"},
        {"Subject", "Travel orders"},
        {NULL, NULL},
    };
    finish(&m, hdrs,
           "FOR OFFICIAL USE ONLY\r\n\r\nYour travel orders are attached.\r\n\r\n"
           "FOR OFFICIAL USE ONLY\r\n",
           &e);
    assert_int_equal(e.final.cmd, 'y');
    assert_non_null(strstr(e.final.data, "550 5.7.1"));
    assert_non_null(strstr(e.final.data, "army.ml looks like army.mil - check the address"));
    mta_close(&m);
}

static void test_benign_gets_headers(void **state)
{
    world_t *w = *state;
    mta_t m;
    reply_t r;
    eom_t e;
    mta_open(&m, &w->plain);
    assert_int_equal(step(&m, 'M', "<sender@example.org>", &r), 'c');
    assert_int_equal(step(&m, 'R', "<tom.becker@example.com>", &r), 'c');
    finish(&m, BENIGN_HEADERS, BENIGN_BODY, &e);
    assert_int_equal(e.final.cmd, 'c');
    assert_non_null(strstr(e.headers, "X-DLP-Action: allow\n"));
    assert_non_null(strstr(e.headers, "X-DLP-Score: 0\n"));
    assert_string_equal(e.delrcpt, "");
    /* A second message on the same connection reuses the dlpd connection. */
    assert_int_equal(step(&m, 'M', "<sender@example.org>", &r), 'c');
    assert_int_equal(step(&m, 'R', "<tom.becker@example.com>", &r), 'c');
    finish(&m, BENIGN_HEADERS, BENIGN_BODY, &e);
    assert_non_null(strstr(e.headers, "X-DLP-Action: allow\n"));
    mta_close(&m);
}

static void test_lookalike_refused_at_rcpt(void **state)
{
    world_t *w = *state;
    mta_t m;
    reply_t r;
    eom_t e;
    mta_open(&m, &w->refusing);
    assert_int_equal(step(&m, 'M', "<sender@example.org>", &r), 'c');
    assert_int_equal(step(&m, 'R', "<tom.becker@example.com>", &r), 'c');
    assert_int_equal(step(&m, 'R', "<jordan.smith@army.ml>", &r), 'y');
    assert_non_null(strstr(r.data, "550 5.1.1"));
    assert_non_null(strstr(r.data, "army.ml looks like army.mil - check the address"));
    assert_int_equal(step(&m, 'R', "<someone@army.mil>", &r), 'c');
    finish(&m, BENIGN_HEADERS, BENIGN_BODY, &e);
    assert_int_equal(e.final.cmd, 'c'); /* the others get it */
    assert_non_null(strstr(e.headers, "X-DLP-Action: "));
    mta_close(&m);
}

/* Last: stops dlpd. */
static void test_dlpd_down(void **state)
{
    world_t *w = *state;
    kill(w->d.pid, SIGTERM);
    assert_true(harness_wait_exit(&w->d, HARNESS_EXIT_TIMEOUT_MS) != -1);
    mta_t m;
    reply_t r;
    eom_t e;
    mta_open(&m, &w->refusing);
    assert_int_equal(step(&m, 'M', "<sender@example.org>", &r), 'c');
    assert_int_equal(step(&m, 'R', "<jordan.smith@army.ml>", &r), 'y');
    assert_non_null(strstr(r.data, "550 5.1.1"));
    assert_non_null(strstr(r.data, "army.ml looks like army.mil"));
    assert_int_equal(step(&m, 'R', "<tom.becker@example.com>", &r), 'c');
    finish(&m, BENIGN_HEADERS, BENIGN_BODY, &e);
    assert_int_equal(e.final.cmd, 'y');
    assert_non_null(strstr(e.final.data, "451 4.7.1"));
    mta_close(&m);

    /* Without the RCPT check a local look-alike still stops the message. */
    mta_open(&m, &w->plain);
    assert_int_equal(step(&m, 'M', "<sender@example.org>", &r), 'c');
    assert_int_equal(step(&m, 'R', "<tom.becker@example.com>", &r), 'c');
    finish(&m, BENIGN_HEADERS, BENIGN_BODY, &e);
    assert_int_equal(e.final.cmd, 'y');
    assert_non_null(strstr(e.final.data, "451 4.7.1"));
    mta_close(&m);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fouo_to_lookalike_is_blocked),
        cmocka_unit_test(test_benign_gets_headers),
        cmocka_unit_test(test_lookalike_refused_at_rcpt),
        cmocka_unit_test(test_dlpd_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
