/*
 * harness - shared helpers for the integration tests.
 *
 * Every integration test runs the real dlpd binary: harness_setup() makes a
 * private temporary directory with a config file in it, harness_start()
 * fork/execs the daemon on a unix socket there and waits until it answers a
 * ping, and harness_cleanup() kills it (if still running) and removes the
 * directory. The raw frame helpers speak the wire protocol byte by byte for
 * tests that must send what a well-behaved client never would; everything
 * else goes through libdlpclient. harness_run() runs a program (dlpc, dlpd
 * --check) and captures what it prints.
 *
 * Helpers return -1 / NULL on failure after printing why on stderr, so a
 * test can assert on the return value and still leave a useful log.
 */
#ifndef DLP_IT_HARNESS_H
#define DLP_IT_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dlp/client.h"

/* Bound on waiting for the daemon to come up or to exit. */
#define HARNESS_START_TIMEOUT_MS 90000 /* a cold start compiles the pack */
#define HARNESS_EXIT_TIMEOUT_MS  60000
/* Bound on any single response; generous, only there so a hang fails. */
#define HARNESS_IO_TIMEOUT_MS 60000

typedef struct dlpd_proc {
    pid_t pid;         /* 0 when not running */
    int exit_status;   /* wait status once reaped */
    char dir[64];      /* the private temporary directory */
    char config[128];  /* dir/dlpd.yaml */
    char log[128];     /* dir/dlpd.log: the daemon's stdout and stderr */
    char address[160]; /* unix:dir/dlpd.sock */
} dlpd_proc_t;

/*
 * Creates the temporary directory and writes the standard test config (the
 * source tree's rules, a private cache, two workers, protected mil (with
 * rules/protected/us-mil.txt), internal example.org) followed by 'extra_yaml' (NULL or more
 * top-level keys).
 */
int harness_setup(dlpd_proc_t *d, const char *extra_yaml);
/* Starts dlpd -c <config> and waits until it answers a ping. */
int harness_start(dlpd_proc_t *d);
/* Waits up to timeout_ms for the daemon to exit; returns its wait status, -1 on timeout. */
int harness_wait_exit(dlpd_proc_t *d, int timeout_ms);
/* 1 while the daemon runs (it has not exited, crashed or been reaped). */
int harness_alive(dlpd_proc_t *d);
/* Kills the daemon if it still runs, keeps the directory's *.log files in
 * IT_LOG_DIR (for tests/check_logs.sh), removes the directory. Safe to call twice. */
void harness_cleanup(dlpd_proc_t *d);
/* Prints the daemon's log to stderr (for failed tests). */
void harness_dump_log(const dlpd_proc_t *d);

/*
 * cmocka group fixture: one daemon for a whole test program, with the
 * standard config plus extra_yaml; *state is its dlpd_proc_t. The stop
 * side prints the log (ctest shows it only when a test failed) and cleans up.
 */
int harness_group_start(void **state, const char *extra_yaml);
int harness_group_stop(void **state);

/* A path in the source tree's examples/ directory (static buffer). */
const char *harness_example(const char *name);
/* Reads a whole file into a malloc'd buffer (NUL-terminated for convenience). */
uint8_t *harness_read_file(const char *path, size_t *len);
/* Writes a file in the daemon's directory; returns its path (static buffer). */
const char *harness_write_file(const dlpd_proc_t *d, const char *name, const char *text);

/* ----------------------------------------------------- libdlpclient helpers */

dlp_client_t *harness_client(const dlpd_proc_t *d);
/* A scan request for 'msg' with no envelope recipients; fields point into the caller's storage. */
typedef struct harness_scan {
    Dlp__V1__Request req;
    Dlp__V1__ScanRequest scan;
    Dlp__V1__Envelope env;
} harness_scan_t;
void harness_scan_init(harness_scan_t *s, uint64_t id, const uint8_t *msg, size_t len);
/* Sends a ping with this id and returns 0 when the matching pong came back. */
int harness_ping(dlp_client_t *c, uint64_t id);

/* ------------------------------------------------------ raw frame helpers */

/* A blocking unix socket connected to the daemon, or -1. */
int harness_connect_raw(const dlpd_proc_t *d);
int harness_write_all(int fd, const void *buf, size_t len);
/* 1 when the daemon answers a ping within a second (used while it starts). */
int harness_answers_ping(const dlpd_proc_t *d);
/* Sends one milter frame (4-byte big-endian length, command byte, data), as
 * an MTA does. 0, or -1 on a write error. */
int harness_milter_send(int fd, char cmd, const void *data, size_t len);
/* Reads one milter frame within timeout_ms: its command in *cmd, its data
 * NUL-terminated in data (*len bytes, less than size). 0, or -1 on EOF, a
 * timeout or a frame too large for data. */
int harness_milter_recv(int fd, char *cmd, char *data, size_t size, size_t *len, int timeout_ms);
/* Packs and sends one Request. */
int harness_send_request(int fd, const Dlp__V1__Request *req);
/* Sends a ping request with this id. */
int harness_send_ping(int fd, uint64_t id);
/*
 * Reads one Response frame within timeout_ms. Returns NULL on EOF (*eof = 1),
 * timeout, error or an undecodable frame (*eof = 0).
 */
Dlp__V1__Response *harness_recv_response(int fd, int timeout_ms, int *eof);
/* 1 when the daemon closes the connection (recv returns 0 or ECONNRESET) within timeout_ms. */
int harness_wait_closed(int fd, int timeout_ms);

/* ---------------------------------------------------------------- programs */

/*
 * Runs argv[0] (a path) with argv, stdin from /dev/null, and captures stdout
 * and stderr into malloc'd NUL-terminated strings (either pointer may be
 * NULL). Returns the exit status (0..255), or -1 when it did not exit
 * normally or could not be run.
 */
int harness_run(char *const argv[], char **out, char **err);

#endif
