/*
 * log - graded logging to stderr or syslog (LOG_MAIL). See log.h.
 *
 * Lines longer than the line buffer are truncated rather than split, so a
 * line is always written whole even when several threads log at once.
 */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static _Atomic int log_level = DLPD_LOG_INFO;
static _Atomic int log_target = DLPD_LOG_STDERR;

static const char *const level_names[] = {"error", "warn", "info", "debug"};
static const int level_prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

void dlpd_log_open(dlpd_log_target_t target, dlpd_log_level_t level)
{
    if (target == DLPD_LOG_SYSLOG && atomic_load(&log_target) != DLPD_LOG_SYSLOG)
        openlog("dlpd", LOG_PID | LOG_NDELAY, LOG_MAIL);
    atomic_store(&log_target, target);
    atomic_store(&log_level, level);
}

void dlpd_log_set_level(dlpd_log_level_t level)
{
    atomic_store(&log_level, level);
}

int dlpd_log_enabled(dlpd_log_level_t level)
{
    return (int)level <= atomic_load(&log_level);
}

void dlpd_log_close(void)
{
    if (atomic_exchange(&log_target, DLPD_LOG_STDERR) == DLPD_LOG_SYSLOG)
        closelog();
}

/* "2024-05-01T12:34:56.789Z dlpd[123]: info: " */
static size_t format_prefix(char *buf, size_t size, dlpd_log_level_t level)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    int m = snprintf(buf + n, size - n, ".%03ldZ dlpd[%ld]: %s: ", ts.tv_nsec / 1000000L,
                     (long)getpid(), level_names[level]);
    return m > 0 ? n + (size_t)m : n;
}

void dlpd_log(dlpd_log_level_t level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;

    if (!dlpd_log_enabled(level))
        return;
    int syslog_target = atomic_load(&log_target) == DLPD_LOG_SYSLOG;
    size_t n = syslog_target ? 0 : format_prefix(line, sizeof(line), level);
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += (size_t)m;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    if (syslog_target) {
        syslog(level_prio[level], "%s", line);
        return;
    }
    line[n++] = '\n';
    fwrite(line, 1, n, stderr);
}
