/*
 * dconfig - the daemon's own configuration keys, in one table.
 *
 * The config file is shared with the engine: dlp_config_load() owns the
 * engine's keys and keeps the daemon's (DLPD_CONFIG_MAP, passed as its
 * 'foreign' list) as parsed scalars with their file positions. This module
 * turns those into a dlpd_config_t, reporting every bad value as a
 * file:line:column diagnostic. The table is the single source for defaults,
 * bounds, reloadability and the documentation printed by `dlpd --help-config`.
 */
#ifndef DLPD_DCONFIG_H
#define DLPD_DCONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dlp/dlp.h"
#include "log.h"

typedef enum {
    DLPD_CT_UINT,   /* decimal integer in [min, max] */
    DLPD_CT_OCTAL,  /* octal string, e.g. "0660", in [min, max] */
    DLPD_CT_ENUM,   /* one of a fixed list of words; stored as its index */
    DLPD_CT_ADDRS,  /* list of listen addresses (a single scalar is a list of one) */
    DLPD_CT_BOOL,   /* true/false (yes/no, on/off); stored as 1/0 */
    DLPD_CT_STRING, /* a word such as a user name; "" = unset (NULL) */
    DLPD_CT_PATH,   /* a file, resolved against the config file's directory; "" = unset */
} dlpd_config_type_t;

/* X(id, key, type, default, min, max, reloadable, doc) */
#define DLPD_CONFIG_MAP(X)                                                                         \
    X(LISTEN, listen, ADDRS, "unix:./dlpd.sock", 0, 0, 0,                                          \
      "addresses to serve on: unix:PATH, tcp:HOST:PORT or tls:HOST:PORT (HOST defaults to "        \
      "127.0.0.1); relative unix paths are relative to the config file")                           \
    X(SOCKET_MODE, socket_mode, OCTAL, "0660", 0, 0777, 0, "permissions of unix sockets")          \
    X(WORKERS, workers, UINT, "0", 0, 1024, 0, "scan threads; 0 = one per online CPU")             \
    X(QUEUE_SIZE, queue_size, UINT, "1024", 1, 1000000, 0,                                         \
      "scans waiting for a worker, all connections together; more are answered OVERLOADED")        \
    X(METRICS_LISTEN, metrics_listen, STRING, "", 0, 0, 0,                                         \
      "address of the Prometheus page GET /metrics: tcp:HOST:PORT (HOST defaults to "              \
      "127.0.0.1); empty = no metrics listener")                                                   \
    X(MAX_INFLIGHT_PER_CONN, max_inflight_per_conn, UINT, "64", 1, 100000, 0,                      \
      "requests in flight per connection before the daemon stops reading it")                      \
    X(MAX_CONNECTIONS, max_connections, UINT, "10000", 1, 1000000, 0,                              \
      "open connections; further ones are accepted and closed at once")                            \
    X(MAX_FRAME_BYTES, max_frame_bytes, UINT, "67108864", 1024, 2147483647, 0,                     \
      "largest request frame payload; larger frames are refused and the connection closed")        \
    X(FRAME_TIMEOUT_MS, frame_timeout_ms, UINT, "30000", 0, 3600000, 0,                            \
      "a request frame, once its first byte arrived, must be complete within this; "               \
      "slower connections are closed (0 = no limit)")                                              \
    X(IDLE_TIMEOUT_MS, idle_timeout_ms, UINT, "0", 0, 86400000, 0,                                 \
      "connections with nothing in flight and no bytes for this long are closed "                  \
      "(0 = never: gateways keep pooled connections)")                                             \
    X(WRITE_TIMEOUT_MS, write_timeout_ms, UINT, "60000", 0, 3600000, 0,                            \
      "a connection whose answers have waited this long without any being taken (the client "      \
      "stopped reading) is closed and its unsent answers dropped (0 = never)")                     \
    X(SHUTDOWN_TIMEOUT_MS, shutdown_timeout_ms, UINT, "30000", 0, 3600000, 0,                      \
      "how long SIGTERM waits for queued and running scans before giving up (exit 1)")             \
    X(LOG, log, ENUM, "stderr", 0, 0, 0, "log target: stderr or syslog (facility mail)")           \
    X(LOG_LEVEL, log_level, ENUM, "info", 0, 0, 1, "error, warn, info or debug")                   \
    DLPD_CONFIG_SECURITY_MAP(X)

/* Privileges, core dumps and TLS (see docs/deploy.md, "Security"). */
#define DLPD_CONFIG_SECURITY_MAP(X)                                                                \
    X(SOCKET_GROUP, socket_group, STRING, "", 0, 0, 0,                                             \
      "group (name or number) given the unix sockets; empty = the daemon's own")                   \
    X(USER, user, STRING, "", 0, 0, 0,                                                             \
      "once the sockets are bound, run as this user (name or number); needs root")                 \
    X(GROUP, group, STRING, "", 0, 0, 0, "with user: the group to run as; empty = the user's")     \
    X(ALLOW_CORE_DUMPS, allow_core_dumps, BOOL, "false", 0, 1, 0,                                  \
      "let the process dump core (a core holds the mail being scanned)")                           \
    X(TLS_CERT, tls_cert, PATH, "", 0, 0, 0, "PEM certificate chain for tls: listeners")           \
    X(TLS_KEY, tls_key, PATH, "", 0, 0, 0, "PEM private key for tls_cert")                         \
    X(TLS_CLIENT_CA, tls_client_ca, PATH, "", 0, 0, 0,                                             \
      "PEM CA certificates; when set, tls: clients must present a certificate they signed")

typedef enum {
#define DLPD_CONFIG_ENUM(id, key, type, def, min, max, reload, doc) DLPD_CFG_##id,
    DLPD_CONFIG_MAP(DLPD_CONFIG_ENUM)
#undef DLPD_CONFIG_ENUM
        DLPD_CFG__COUNT
} dlpd_config_id_t;

typedef struct dlpd_config_key {
    const char *key;
    dlpd_config_type_t type;
    const char *def;
    uint64_t min, max;
    int reloadable;
    const char *doc;
} dlpd_config_key_t;

typedef enum { DLPD_ADDR_UNIX, DLPD_ADDR_TCP } dlpd_addr_kind_t;

typedef struct dlpd_addr {
    dlpd_addr_kind_t kind;
    char *path;    /* unix: the socket path (resolved) */
    char *host;    /* tcp: numeric address or name; "127.0.0.1" when none given */
    uint16_t port; /* tcp */
    int tls;       /* tcp: a tls:HOST:PORT listener */
    char *text;    /* canonical form for logs: unix:PATH, tcp:HOST:PORT, tls:HOST:PORT */
} dlpd_addr_t;

typedef struct dlpd_config {
    dlpd_addr_t *listen;
    size_t n_listen;
    uint64_t socket_mode;
    uint64_t workers;
    uint64_t queue_size;
    char *metrics_listen; /* NULL = off */
    uint64_t max_inflight_per_conn;
    uint64_t max_connections;
    uint64_t max_frame_bytes;
    uint64_t frame_timeout_ms;
    uint64_t idle_timeout_ms;
    uint64_t write_timeout_ms;
    uint64_t shutdown_timeout_ms;
    uint64_t log;       /* dlpd_log_target_t */
    uint64_t log_level; /* dlpd_log_level_t */
    char *socket_group;
    char *user;
    char *group;
    uint64_t allow_core_dumps;
    char *tls_cert;
    char *tls_key;
    char *tls_client_ca;
    unsigned overridden; /* bit (1u << dlpd_config_id_t) for keys set on the command line */
} dlpd_config_t;

const dlpd_config_key_t *dlpd_config_table(size_t *count);
/* The daemon's keys as a NULL-terminated list, for dlp_config_load(). */
const char *const *dlpd_config_foreign_keys(void);

/*
 * Fills *out with the defaults overlaid by the daemon keys of 'cfg'. Every
 * bad value is added to 'diags' with its position. Returns 0, DLP_ECONFIG or
 * DLP_ENOMEM; *out is always safe to pass to dlpd_config_free().
 */
int dlpd_config_read(const dlp_config_t *cfg, dlpd_config_t *out, dlp_diags_t *diags);

/*
 * Sets a key from the command line (values are relative to the cwd). An
 * ADDRS key takes n values (several -l options); others take one. The key is
 * then marked overridden, so a reload does not report it as changed.
 */
int dlpd_config_override(dlpd_config_t *c, dlpd_config_id_t id, const char *const *values, size_t n,
                         dlp_diags_t *diags);

/*
 * Applies a reloaded config to the running one: reloadable keys are copied,
 * changed non-reloadable keys are logged as warnings and keep their old value.
 * Returns the number of reloadable keys that changed.
 */
int dlpd_config_apply_reload(dlpd_config_t *running, const dlpd_config_t *fresh);

void dlpd_config_free(dlpd_config_t *c); /* frees the members, not c */

/* Writes the key table as documentation. */
void dlpd_config_print_doc(FILE *f);

/* Parses one unix:/tcp:/tls: address (a relative unix path stays relative).
 * Returns NULL, or an error message with *a left for dlpd_addr_free(). */
const char *dlpd_addr_parse(const char *text, dlpd_addr_t *a);
void dlpd_addr_free(dlpd_addr_t *a);

#endif
