/*
 * log - dlpd's graded logger: stderr lines with an ISO 8601 time and a level,
 * or syslog with the LOG_MAIL facility.
 *
 * The logger is process-wide state (like stderr and syslog themselves), safe
 * to call from any thread: each line is formatted into one buffer and written
 * with a single call. Callers never pass message content, subjects, snippets
 * or addresses: only ids, sizes, rule ids and counts.
 */
#ifndef DLPD_LOG_H
#define DLPD_LOG_H

typedef enum {
    DLPD_LOG_ERROR = 0,
    DLPD_LOG_WARN,
    DLPD_LOG_INFO,
    DLPD_LOG_DEBUG,
} dlpd_log_level_t;

typedef enum {
    DLPD_LOG_STDERR = 0,
    DLPD_LOG_SYSLOG,
} dlpd_log_target_t;

/* Selects the target and level; may be called again (e.g. after a reload). */
void dlpd_log_open(dlpd_log_target_t target, dlpd_log_level_t level);
void dlpd_log_set_level(dlpd_log_level_t level);
/* Nonzero when lines of this level are written (to skip costly formatting). */
int dlpd_log_enabled(dlpd_log_level_t level);
void dlpd_log_close(void);

void dlpd_log(dlpd_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define dlpd_log_error(...) dlpd_log(DLPD_LOG_ERROR, __VA_ARGS__)
#define dlpd_log_warn(...)  dlpd_log(DLPD_LOG_WARN, __VA_ARGS__)
#define dlpd_log_info(...)  dlpd_log(DLPD_LOG_INFO, __VA_ARGS__)
#define dlpd_log_debug(...) dlpd_log(DLPD_LOG_DEBUG, __VA_ARGS__)

#endif
