/*
 * hostile - hostile traffic for the soak (bench/soak.sh): several threads
 * that, for a bounded time, keep picking one misbehaviour at random and
 * doing it to dlpd, while dlp-bench sends the valid traffic beside them.
 *
 *   garbage     random bytes, then close
 *   huge        a frame declaring 4 GiB - 1 bytes
 *   truncated   a header for 64 KB, a few bytes of it, then close
 *   bad-proto   a well-framed payload that is not a Request
 *   slow        one byte every 200 ms of a real request, for a few seconds
 *   no-read     pipelines scans and never reads an answer, then goes away
 *   churn       opens and closes 200 connections
 *   idle        holds 50 connections open doing nothing, for a few seconds
 *
 *   dlp-hostile --socket unix:PATH|tcp:HOST:PORT [-t THREADS] [-d SECONDS] FILE...
 * Prints how many of each it did. Exits 0 unless it could never connect.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dlp_frame.h"

enum { GARBAGE, HUGE, TRUNCATED, BAD_PROTO, SLOW, NO_READ, CHURN, IDLE, N_KINDS };
static const char *const kind_names[N_KINDS] = {"garbage", "huge",    "truncated", "bad-proto",
                                                "slow",    "no-read", "churn",     "idle"};

static const char *address;
static uint8_t *request; /* one framed scan request */
static size_t request_len;
static double end_time;
static atomic_ulong done[N_KINDS], connect_failures;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(void)
{
    int fd = -1;
    if (!strncmp(address, "unix:", 5)) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", address + 5);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
    } else {
        char host[128];
        snprintf(host, sizeof(host), "%s", address + 4);
        char *colon = strrchr(host, ':');
        struct sockaddr_in sa = {.sin_family = AF_INET};
        if (colon) {
            *colon = 0;
            sa.sin_port = htons((uint16_t)atoi(colon + 1));
            inet_pton(AF_INET, host, &sa.sin_addr);
        }
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
    }
    if (fd >= 0)
        close(fd);
    atomic_fetch_add(&connect_failures, 1);
    return -1;
}

static void put(int fd, const void *p, size_t n)
{
    (void)!send(fd, p, n, MSG_NOSIGNAL);
}

/* Reads until the daemon closes or 'seconds' pass. */
static void drain(int fd, double seconds)
{
    char buf[4096];
    double until = now_s() + seconds;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (now_s() < until && poll(&p, 1, 100) >= 0)
        if (p.revents && recv(fd, buf, sizeof(buf), 0) <= 0)
            break;
}

static void attack(int kind, unsigned *seed)
{
    uint8_t buf[256];
    int fd = kind == CHURN || kind == IDLE ? -2 : dial();
    if (fd == -1)
        return;
    switch (kind) {
    case GARBAGE:
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = (uint8_t)rand_r(seed);
        put(fd, buf, 16 + rand_r(seed) % 240);
        drain(fd, 0.5);
        break;
    case HUGE:
        dlp_frame_put_header(buf, 0xffffffffu);
        put(fd, buf, 4);
        drain(fd, 1);
        break;
    case TRUNCATED:
        dlp_frame_put_header(buf, 65536);
        put(fd, buf, 4 + 1 + rand_r(seed) % 64);
        break;
    case BAD_PROTO:
        dlp_frame_put_header(buf, 8);
        memcpy(buf + 4, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
        put(fd, buf, 12);
        drain(fd, 0.2);
        break;
    case SLOW:
        for (size_t i = 0; i < request_len && i < 20 && now_s() < end_time; i++) {
            put(fd, request + i, 1);
            usleep(200000);
        }
        break;
    case NO_READ:
        for (int i = 0; i < 200; i++)
            put(fd, request, request_len);
        usleep(2000000);
        break;
    case CHURN:
        for (int i = 0; i < 200; i++) {
            int c = dial();
            if (c >= 0)
                close(c);
        }
        break;
    case IDLE: {
        int held[50];
        for (int i = 0; i < 50; i++)
            held[i] = dial();
        usleep(3000000);
        for (int i = 0; i < 50; i++)
            if (held[i] >= 0)
                close(held[i]);
        break;
    }
    }
    if (fd >= 0)
        close(fd);
    atomic_fetch_add(&done[kind], 1);
}

static void *run(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (now_s() < end_time)
        attack(rand_r(&seed) % N_KINDS, &seed);
    return NULL;
}

static int build_request(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    static uint8_t msg[1 << 20];
    size_t n = fread(msg, 1, sizeof(msg), f);
    fclose(f);
    Dlp__V1__Request req = DLP__V1__REQUEST__INIT;
    Dlp__V1__ScanRequest scan = DLP__V1__SCAN_REQUEST__INIT;
    scan.message.data = msg;
    scan.message.len = n;
    req.id = 1;
    req.body_case = DLP__V1__REQUEST__BODY_SCAN;
    req.scan = &scan;
    return dlp_frame_pack(&req.base, &request, &request_len);
}

int main(int argc, char **argv)
{
    unsigned threads = 4;
    double seconds = 60;
    int c;
    static const struct option opts[] = {{"socket", required_argument, NULL, 's'}, {0}};
    while ((c = getopt_long(argc, argv, "s:t:d:", opts, NULL)) != -1) {
        if (c == 's')
            address = optarg;
        else if (c == 't')
            threads = (unsigned)atoi(optarg);
        else if (c == 'd')
            seconds = atof(optarg);
        else
            return 64;
    }
    if (!address || optind >= argc || !threads || build_request(argv[optind])) {
        fprintf(stderr, "usage: dlp-hostile --socket ADDR [-t THREADS] [-d SECONDS] FILE\n");
        return 64;
    }
    signal(SIGPIPE, SIG_IGN);
    end_time = now_s() + seconds;
    pthread_t *t = calloc(threads, sizeof(*t));
    for (unsigned i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, run, (void *)(uintptr_t)(i * 7919 + 1));
    for (unsigned i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    unsigned long total = 0;
    printf("{");
    for (int k = 0; k < N_KINDS; k++) {
        printf("\"%s\":%lu,", kind_names[k], atomic_load(&done[k]));
        total += atomic_load(&done[k]);
    }
    printf("\"connect_failures\":%lu}\n", atomic_load(&connect_failures));
    free(t);
    free(request);
    return total ? 0 : 1;
}
