/*
 * test_hostile - hostile clients against the real daemon.
 *
 * Each case starts its own dlpd (with the config it needs) and a bystander:
 * a well-behaved client scanning the examples/ messages in a loop (bystander.h).
 * Whatever the hostile client does, the bystander must keep getting correct
 * verdicts in normal time (p99 under BYSTANDER_P99_MS, no errors), the
 * daemon must stay up, and its resident memory must stay within a bound
 * stated by the case (VmRSS and VmHWM from /proc, before and after):
 *
 *   huge_frame    declared lengths of 4 GiB - 1 (the most a u32 header can
 *                 say), 2 GiB and max+1: FRAME_TOO_LARGE and a close, nothing
 *                 of the declared size allocated
 *   garbage       random bytes, random payloads in valid frames (exactly one
 *                 answer per frame), truncated headers and payloads
 *   slowloris     one byte a second of a frame: cut off by frame_timeout_ms;
 *                 idle connections closed by idle_timeout_ms, busy ones not
 *   connections   5,000 concurrent connections, each answered; dlpd raises
 *                 its own open-files limit; bytes per connection reported
 *   never_reads   a client that pipelines and never reads: the daemon stops
 *                 reading it at max_write_bytes, memory stays bounded
 *   write_timeout the same client is dropped after write_timeout_ms, its
 *                 unsent answers with it
 *   overloaded    workers=1, a tiny queue, a flood from many connections:
 *                 some OVERLOADED, every request answered exactly once
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bystander.h"
#include "dlp_frame.h"

#define MiB_KB 1024u /* kB in a MiB, for the memory bounds */

typedef struct fx {
    dlpd_proc_t d;
    bystander_t *b;
    uint64_t rss0, hwm0; /* kB, with the bystander running */
} fx_t;

static fx_t *fx_start(const char *extra_yaml, int allow_overloaded)
{
    fx_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(harness_setup(&f->d, extra_yaml), 0);
    assert_int_equal(harness_start(&f->d), 0);
    f->b = bystander_start(&f->d, allow_overloaded);
    assert_non_null(f->b);
    it_sleep_ms(300); /* the bystander's working set is in place */
    f->rss0 = it_proc_kb(f->d.pid, "VmRSS");
    f->hwm0 = it_proc_kb(f->d.pid, "VmHWM");
    assert_true(f->rss0 > 0);
    return f;
}

/* The checks every case shares; max_growth_kb bounds RSS and peak growth. */
static void fx_finish(fx_t *f, const char *label, uint64_t max_growth_kb)
{
    bystander_report_t r;
    uint64_t rss = it_proc_kb(f->d.pid, "VmRSS"), hwm = it_proc_kb(f->d.pid, "VmHWM");
    bystander_stop(f->b, label, &r);
    uint64_t grew = rss > f->rss0 ? rss - f->rss0 : 0;
    uint64_t peak = hwm > f->hwm0 ? hwm - f->hwm0 : 0;
    fprintf(stderr,
            "%s: dlpd VmRSS %llu -> %llu kB (+%llu), VmHWM %llu -> %llu kB (+%llu), "
            "bound +%llu kB\n",
            label, (unsigned long long)f->rss0, (unsigned long long)rss, (unsigned long long)grew,
            (unsigned long long)f->hwm0, (unsigned long long)hwm, (unsigned long long)peak,
            (unsigned long long)max_growth_kb);
    assert_true(harness_alive(&f->d));
    assert_true(r.scans > 0);
    assert_int_equal(r.errors, 0);
    assert_true(r.p99_ms < BYSTANDER_P99_MS);
    assert_true(grew < max_growth_kb + IT_MEM_SLOP);
    assert_true(peak < max_growth_kb + IT_MEM_SLOP);
    harness_cleanup(&f->d);
    free(f);
}

/* Waits until the daemon's open connections are down to 'want' (the Stats
 * connection counts itself). */
static void expect_connections(const dlpd_proc_t *d, uint64_t want)
{
    int64_t deadline = it_now_ms() + 10000 * IT_SLOW;
    uint64_t n;
    while ((n = it_stat(d, "connections")) != want && it_now_ms() < deadline)
        it_sleep_ms(50);
    if (n != want)
        fprintf(stderr, "connections: %llu, expected %llu\n", (unsigned long long)n,
                (unsigned long long)want);
    assert_int_equal(n, want);
}

static Dlp__V1__ErrorCode recv_error(int fd)
{
    int eof;
    Dlp__V1__Response *r = harness_recv_response(fd, HARNESS_IO_TIMEOUT_MS, &eof);
    assert_non_null(r);
    assert_non_null(r->error);
    Dlp__V1__ErrorCode code = r->error->code;
    dlp_client_response_free(r);
    return code;
}

/* --------------------------------------------------------------- frames */

static void test_huge_frame(void **state)
{
    fx_t *f = fx_start(NULL, 0);
    static const uint32_t lens[] = {0xFFFFFFFFu, 0x80000000u, (64u << 20) + 1};
    static uint8_t junk[64 << 10];
    memset(junk, 'A', sizeof(junk));

    for (int round = 0; round < 30; round++) {
        int fd = harness_connect_raw(&f->d);
        assert_true(fd >= 0);
        uint8_t hdr[DLP_FRAME_HEADER_BYTES];
        dlp_frame_put_header(hdr, lens[round % 3]);
        assert_int_equal(harness_write_all(fd, hdr, sizeof(hdr)), 0);
        /* Payload the daemon must not buffer; it may close before taking it. */
        (void)harness_write_all(fd, junk, sizeof(junk));
        assert_int_equal(recv_error(fd), DLP__V1__ERROR_CODE__FRAME_TOO_LARGE);
        assert_true(harness_wait_closed(fd, HARNESS_IO_TIMEOUT_MS));
        close(fd);
    }
    assert_true(it_stat(&f->d, "errors_frame_too_large_total") >= 30);
    expect_connections(&f->d, 2); /* the bystander's and the Stats request's */
    fx_finish(f, "huge_frame", 8 * MiB_KB);
}

static void write_random(int fd, unsigned *seed, size_t n)
{
    uint8_t buf[4096];
    while (n > 0) {
        size_t k = n < sizeof(buf) ? n : sizeof(buf);
        for (size_t i = 0; i < k; i++)
            buf[i] = (uint8_t)rand_r(seed);
        if (harness_write_all(fd, buf, k) < 0)
            return; /* the daemon closed on us: fine */
        n -= k;
    }
}

/* Reads until the daemon closes; returns the number of responses. */
static int count_until_closed(int fd)
{
    int n = 0, eof = 0;
    Dlp__V1__Response *r;
    while ((r = harness_recv_response(fd, HARNESS_IO_TIMEOUT_MS, &eof))) {
        n++;
        dlp_client_response_free(r);
    }
    return n;
}

/* Valid headers, random payloads: exactly one answer each, then a pong. */
static void random_payloads(const dlpd_proc_t *d, unsigned seed)
{
    enum { FRAMES = 200 };
    int fd = harness_connect_raw(d);
    assert_true(fd >= 0);
    for (int i = 0; i < FRAMES; i++) {
        uint32_t len = (uint32_t)rand_r(&seed) % 512;
        uint8_t hdr[DLP_FRAME_HEADER_BYTES];
        dlp_frame_put_header(hdr, len);
        assert_int_equal(harness_write_all(fd, hdr, sizeof(hdr)), 0);
        write_random(fd, &seed, len);
    }
    assert_int_equal(harness_send_ping(fd, 424242), 0);
    int answers = 0, pong = 0, eof;
    while (!pong) {
        Dlp__V1__Response *r = harness_recv_response(fd, HARNESS_IO_TIMEOUT_MS, &eof);
        assert_non_null(r);
        pong = r->id == 424242 && r->body_case == DLP__V1__RESPONSE__BODY_PING;
        answers++;
        dlp_client_response_free(r);
    }
    /* Random bytes may decode as a scan, answered after the pong. */
    shutdown(fd, SHUT_WR);
    answers += count_until_closed(fd);
    close(fd);
    fprintf(stderr, "random payloads: %d frames + ping, %d answers\n", FRAMES, answers);
    assert_int_equal(answers, FRAMES + 1);
}

static void test_garbage(void **state)
{
    fx_t *f = fx_start(NULL, 0);
    unsigned seed = 20240611;

    /* Random bytes from the first byte on: the daemon answers or closes. */
    for (int i = 0; i < 50; i++) {
        int fd = harness_connect_raw(&f->d);
        assert_true(fd >= 0);
        write_random(fd, &seed, 4096);
        shutdown(fd, SHUT_WR);
        count_until_closed(fd);
        close(fd);
    }
    for (unsigned s = 1; s <= 5; s++)
        random_payloads(&f->d, s);

    /* Truncated: a partial header, a header alone, half a payload; then EOF. */
    static const size_t sent[] = {2, DLP_FRAME_HEADER_BYTES, DLP_FRAME_HEADER_BYTES + 500};
    for (int i = 0; i < 30; i++) {
        uint8_t frame[DLP_FRAME_HEADER_BYTES + 1000] = {0};
        dlp_frame_put_header(frame, 1000);
        int fd = harness_connect_raw(&f->d);
        assert_true(fd >= 0);
        assert_int_equal(harness_write_all(fd, frame, sent[i % 3]), 0);
        if (i % 2) {
            close(fd); /* gone at once */
            continue;
        }
        shutdown(fd, SHUT_WR); /* half-closed: the daemon must close too, unanswered */
        assert_int_equal(count_until_closed(fd), 0);
        close(fd);
    }
    expect_connections(&f->d, 2);
    fx_finish(f, "garbage", 8 * MiB_KB);
}

/* ------------------------------------------------------------ slowloris */

#define FRAME_TIMEOUT_MS 1500
#define IDLE_TIMEOUT_MS  2500
#define N_SLOW           10
#define N_IDLE           5

typedef struct watched {
    int fd;
    int64_t since;  /* first byte (slow) or last answer (idle) */
    int64_t closed; /* ms after 'since', -1 while open */
} watched_t;

/* Notes connections the daemon has closed (EOF or reset). */
static void poll_closed(watched_t *w, int n, int timeout_ms)
{
    struct pollfd p[N_SLOW + N_IDLE];
    for (int i = 0; i < n; i++)
        p[i] = (struct pollfd){.fd = w[i].closed < 0 ? w[i].fd : -1, .events = POLLIN};
    if (poll(p, (nfds_t)n, timeout_ms) <= 0)
        return;
    for (int i = 0; i < n; i++) {
        uint8_t buf[256];
        if (p[i].fd < 0 || !p[i].revents)
            continue;
        ssize_t r = recv(w[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            w[i].closed = it_now_ms() - w[i].since;
    }
}

static void test_slowloris(void **state)
{
    char yaml[128];
    snprintf(yaml, sizeof(yaml), "frame_timeout_ms: %d\nidle_timeout_ms: %d\n", FRAME_TIMEOUT_MS,
             IDLE_TIMEOUT_MS);
    fx_t *f = fx_start(yaml, 0);
    watched_t w[N_SLOW + N_IDLE];
    uint8_t *ping;
    size_t ping_len;
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__Ping pg = DLP__V1__PING__INIT;
    req.id = 7;
    req.body_case = DLP__V1__REQUEST__BODY_PING;
    req.ping = &pg;
    assert_int_equal(dlp_frame_pack(&req.base, &ping, &ping_len), 0);

    for (int i = 0; i < N_SLOW + N_IDLE; i++) {
        w[i].fd = harness_connect_raw(&f->d);
        assert_true(w[i].fd >= 0);
        w[i].closed = -1;
        if (i >= N_SLOW) { /* idle: one answered ping, then nothing */
            assert_int_equal(harness_send_ping(w[i].fd, 1), 0);
            int eof;
            Dlp__V1__Response *r = harness_recv_response(w[i].fd, HARNESS_IO_TIMEOUT_MS, &eof);
            assert_non_null(r);
            dlp_client_response_free(r);
        }
        w[i].since = it_now_ms();
    }
    /* A busy client, pinging twice a second, must outlive both timeouts. */
    dlp_client_t *busy = harness_client(&f->d);
    assert_non_null(busy);

    /* One byte a second to each slow client; the frame would take ping_len s. */
    int64_t end = it_now_ms() + IDLE_TIMEOUT_MS + 2500 * IT_SLOW;
    for (size_t sent = 0; it_now_ms() < end; sent++) {
        for (int i = 0; i < N_SLOW && sent < ping_len; i++)
            if (w[i].closed < 0 && send(w[i].fd, ping + sent, 1, MSG_NOSIGNAL) < 0)
                w[i].closed = it_now_ms() - w[i].since;
        for (int k = 0; k < 2; k++) {
            int64_t t = it_now_ms() + 500;
            while (it_now_ms() < t)
                poll_closed(w, N_SLOW + N_IDLE, (int)(t - it_now_ms()));
            assert_int_equal(harness_ping(busy, dlp_client_next_id(busy)), 0);
        }
    }
    for (int i = 0; i < N_SLOW + N_IDLE; i++) {
        int limit = i < N_SLOW ? FRAME_TIMEOUT_MS : IDLE_TIMEOUT_MS;
        fprintf(stderr, "%s %d: closed after %lld ms (timeout %d ms)\n",
                i < N_SLOW ? "slow" : "idle", i, (long long)w[i].closed, limit);
        /* Not before its timeout (less the sweep's loop-time granularity), and
         * within it plus the sweep period and a loaded machine's slack. */
        assert_true(w[i].closed >= limit - 100);
        assert_true(w[i].closed <= limit + limit / 4 + 1000 * IT_SLOW);
        close(w[i].fd);
    }
    assert_true(ping_len > 5); /* the slow frame could not have completed in time */
    free(ping);
    dlp_client_free(busy);
    expect_connections(&f->d, 2);
    fx_finish(f, "slowloris", 8 * MiB_KB);
}

/* ---------------------------------------------------------- connections */

#define N_CONNS 5000

/* The daemon's soft limit on open files, from /proc/<pid>/limits. */
static long proc_nofile(pid_t pid, long *hard)
{
    char path[64], line[256];
    long soft = -1;
    snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    while (fgets(line, sizeof(line), fp))
        if (strncmp(line, "Max open files", 14) == 0 && sscanf(line + 14, "%ld %ld", &soft, hard))
            break;
    fclose(fp);
    return soft;
}

static void test_connections(void **state)
{
    struct rlimit rl, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < N_CONNS + 200) {
        fprintf(stderr, "hard open-files limit %llu is under %d: cannot run\n",
                (unsigned long long)rl.rlim_max, N_CONNS + 200);
        fail();
    }
    /* dlpd starts with a low soft limit and must raise it itself. */
    low = rl;
    low.rlim_cur = 1024;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    fx_t *f = fx_start(NULL, 0);
    rl.rlim_cur = rl.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    long hard = 0, soft = proc_nofile(f->d.pid, &hard);
    fprintf(stderr, "dlpd open files: soft %ld, hard %ld\n", soft, hard);
    assert_true(soft >= N_CONNS + 100 && soft == hard);

    int *fds = malloc(N_CONNS * sizeof(int));
    assert_non_null(fds);
    int64_t t0 = it_now_ms();
    for (int i = 0; i < N_CONNS; i++) {
        fds[i] = harness_connect_raw(&f->d);
        assert_true(fds[i] >= 0);
    }
    for (int i = 0; i < N_CONNS; i++)
        assert_int_equal(harness_send_ping(fds[i], (uint64_t)i + 1), 0);
    for (int i = 0; i < N_CONNS; i++) {
        int eof;
        Dlp__V1__Response *r = harness_recv_response(fds[i], HARNESS_IO_TIMEOUT_MS, &eof);
        assert_non_null(r);
        assert_int_equal(r->id, (uint64_t)i + 1);
        assert_int_equal(r->body_case, DLP__V1__RESPONSE__BODY_PING);
        dlp_client_response_free(r);
    }
    int64_t t1 = it_now_ms();
    assert_int_equal(it_stat(&f->d, "connections"), N_CONNS + 2);
    it_sleep_ms(1500); /* the sweep releases the read buffers of quiet connections */
    uint64_t rss = it_proc_kb(f->d.pid, "VmRSS"), hwm = it_proc_kb(f->d.pid, "VmHWM");
    uint64_t per = rss > f->rss0 ? (rss - f->rss0) * 1024 / N_CONNS : 0;
    uint64_t per_peak = hwm > f->rss0 ? (hwm - f->rss0) * 1024 / N_CONNS : 0;
    fprintf(stderr,
            "%d connections opened and pinged in %lld ms; %llu bytes/conn resident, "
            "%llu bytes/conn at the peak\n",
            N_CONNS, (long long)(t1 - t0), (unsigned long long)per, (unsigned long long)per_peak);
    assert_true(per < 16384u);
    assert_true(per_peak < 24576u);
    for (int i = 0; i < N_CONNS; i++)
        close(fds[i]);
    free(fds);
    expect_connections(&f->d, 2);
    fx_finish(f, "connections", (uint64_t)N_CONNS * 16); /* kB: 16 KiB a connection */
}

/* ---------------------------------------------------------- never reads */

#define PING_PAYLOAD   (256u << 10)
#define MAX_WRITE_MiB  16 /* server.c MAX_WRITE_BYTES */
#define SEND_STALL_SEC 2

/* A big ping, framed (answers are as big as the request). */
static uint8_t *big_ping(size_t *flen)
{
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__Ping pg = DLP__V1__PING__INIT;
    uint8_t *payload = calloc(1, PING_PAYLOAD), *frame;
    assert_non_null(payload);
    pg.payload.data = payload;
    pg.payload.len = PING_PAYLOAD;
    req.body_case = DLP__V1__REQUEST__BODY_PING;
    req.ping = &pg;
    assert_int_equal(dlp_frame_pack(&req.base, &frame, flen), 0);
    free(payload);
    return frame;
}

/* Pipelines pings on a fresh connection, never reading, until the daemon
 * stops reading and our send blocks for SEND_STALL_SEC. Returns the fd. */
static int stall_daemon(const dlpd_proc_t *d, const char *label)
{
    int fd = harness_connect_raw(d);
    assert_true(fd >= 0);
    struct timeval tv = {SEND_STALL_SEC, 0};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
    size_t flen, total = 0;
    uint8_t *frame = big_ping(&flen);
    for (;;) {
        ssize_t n = send(fd, frame + total % flen, flen - total % flen, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += (size_t)n;
        assert_true(total < (size_t)256 << 20); /* it never stopped reading */
    }
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    fprintf(stderr, "%s: the daemon stopped reading after %zu KiB (%zu pings)\n", label,
            total >> 10, total / flen);
    /* It took at least max_write_bytes of answers, and not much more. */
    assert_true(total >= (size_t)MAX_WRITE_MiB << 20);
    assert_true(total < (size_t)(MAX_WRITE_MiB + 16) << 20);
    free(frame);
    return fd;
}

static void test_never_reads(void **state)
{
    fx_t *f = fx_start(NULL, 0);
    int fd = stall_daemon(&f->d, "never_reads");
    uint64_t rss = it_proc_kb(f->d.pid, "VmRSS");
    fprintf(stderr, "never_reads: dlpd VmRSS +%lld kB while stalled\n",
            (long long)rss - (long long)f->rss0);
    it_sleep_ms(1000); /* the bystander goes on meanwhile */
    close(fd);
    expect_connections(&f->d, 2);
    /* The unread answers (16 MiB) and one frame in reassembly. */
    fx_finish(f, "never_reads", (MAX_WRITE_MiB + 24) * MiB_KB);
}

#define WRITE_TIMEOUT_MS 4000 /* longer than stall_daemon() takes to see the stall */

/* With write_timeout_ms the daemon itself drops a client that stopped
 * reading, and its unsent answers with it, while ours stays open. */
static void test_write_timeout(void **state)
{
    char yaml[64];
    snprintf(yaml, sizeof(yaml), "write_timeout_ms: %d\n", WRITE_TIMEOUT_MS);
    fx_t *f = fx_start(yaml, 0);
    int64_t t0 = it_now_ms();
    int fd = stall_daemon(&f->d, "write_timeout");
    expect_connections(&f->d, 2); /* the bystander's and the Stats one */
    int64_t closed = it_now_ms() - t0;
    fprintf(stderr, "write_timeout: closed by the daemon %lld ms after the first ping\n",
            (long long)closed);
    assert_true(closed >= WRITE_TIMEOUT_MS);
    /* What reaches us now is some answers, then the end of the stream. */
    char buf[65536];
    ssize_t n;
    size_t got = 0;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
        got += (size_t)n;
    assert_true(got < (size_t)(MAX_WRITE_MiB + 16) << 20);
    close(fd);
    fx_finish(f, "write_timeout", (MAX_WRITE_MiB + 24) * MiB_KB);
}

/* ----------------------------------------------------------- overloaded */

#define FLOOD_CONNS 16
#define FLOOD_SCANS 40

static void test_overloaded(void **state)
{
    fx_t *f = fx_start("workers: 1\nqueue_size: 4\n", 1);
    size_t len;
    uint8_t *msg = harness_read_file(harness_example("itinerary-passport.eml"), &len);
    assert_non_null(msg);
    dlp_client_t *c[FLOOD_CONNS];
    static int seen[FLOOD_CONNS][FLOOD_SCANS + 1];
    int verdicts = 0, overloaded = 0, other = 0;

    for (int k = 0; k < FLOOD_CONNS; k++) {
        assert_non_null(c[k] = harness_client(&f->d));
        for (uint64_t id = 1; id <= FLOOD_SCANS; id++) {
            harness_scan_t s;
            harness_scan_init(&s, id, msg, len);
            assert_int_equal(dlp_client_send(c[k], &s.req, NULL, 0), 0);
        }
    }
    for (int k = 0; k < FLOOD_CONNS; k++) {
        for (int i = 0; i < FLOOD_SCANS; i++) {
            Dlp__V1__Response *r;
            assert_int_equal(dlp_client_recv(c[k], HARNESS_IO_TIMEOUT_MS, &r, NULL, 0), 0);
            assert_true(r->id >= 1 && r->id <= FLOOD_SCANS);
            seen[k][r->id]++;
            if (!r->error && r->scan)
                verdicts++;
            else if (r->error && r->error->code == DLP__V1__ERROR_CODE__OVERLOADED)
                overloaded++;
            else
                other++;
            dlp_client_response_free(r);
        }
        /* Nothing more: a ping's pong is the next and last answer. */
        assert_int_equal(harness_ping(c[k], 999), 0);
        dlp_client_free(c[k]);
    }
    for (int k = 0; k < FLOOD_CONNS; k++)
        for (int id = 1; id <= FLOOD_SCANS; id++)
            assert_int_equal(seen[k][id], 1);
    fprintf(stderr, "overloaded: %d scans, %d verdicts, %d OVERLOADED, %d other\n",
            FLOOD_CONNS * FLOOD_SCANS, verdicts, overloaded, other);
    assert_true(overloaded > 0);
    assert_true(verdicts > 0);
    assert_int_equal(other, 0);
    assert_true(it_stat(&f->d, "errors_overloaded_total") >= (uint64_t)overloaded);
    free(msg);
    fx_finish(f, "overloaded", 32 * MiB_KB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_frame),  cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_slowloris),   cmocka_unit_test(test_connections),
        cmocka_unit_test(test_never_reads), cmocka_unit_test(test_write_timeout),
        cmocka_unit_test(test_overloaded),
    };
    it_sanitizer_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
