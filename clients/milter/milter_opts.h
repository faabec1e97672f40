/*
 * milter_opts.h - dlp-milter's command line: every setting with its default
 * and bounds in one place (milter_opts_parse), so the usage text, the parser
 * and docs/milter.md describe the same options.
 *
 * The options struct is filled once at startup and then only read, by every
 * libmilter callback thread at once; nothing in it changes while serving.
 */
#ifndef DLP_MILTER_OPTS_H
#define DLP_MILTER_OPTS_H

#include <stddef.h>

#include "dlp/client.h"

#define MILTER_MAX_ENDPOINTS 8

typedef enum {
    MILTER_ON_ERROR_TEMPFAIL = 0, /* 451 4.7.1: the MTA keeps the message and retries */
    MILTER_ON_ERROR_ACCEPT,       /* deliver unscanned, marked X-DLP-Action: unscanned */
    MILTER_ON_ERROR_REJECT,       /* 550 5.7.1 */
} milter_on_error_t;

typedef struct milter_opts {
    const char *milter_socket;                   /* -s: libmilter's conn spec */
    const char *endpoints[MILTER_MAX_ENDPOINTS]; /* -d: dlpd addresses, in failover order */
    size_t n_endpoints;
    int timeout_ms;       /* -t: budget for one dlpd call, connect included */
    int milter_timeout_s; /* --milter-timeout: smfi_settimeout, MTA I/O */
    milter_on_error_t on_error;
    int refuse_lookalike_rcpt; /* --refuse-lookalike-rcpt */
    const char *domains_file;  /* --domains: YAML with the engine's domain keys */
    size_t max_message_bytes;  /* --max-message-bytes: bytes collected per message */
    const char *profile;       /* --profile: dlpd policy profile, NULL = default */
    int verbose;               /* -v: log every verdict, not only non-allow ones */
    /* --tls-ca, --tls-cert, --tls-key, --tls-server-name: for tls: endpoints */
    const char *tls_ca, *tls_cert, *tls_key, *tls_server_name;
    dlp_client_tls_t *tls; /* built from the above by main(), NULL without --tls-ca */
} milter_opts_t;

/*
 * Parses argv into *o (defaults first). Returns 0 to run, 1 when --help or
 * --version printed what was asked (exit 0), or -1 after printing a usage
 * error on stderr (exit 64).
 */
int milter_opts_parse(int argc, char **argv, milter_opts_t *o);

const char *milter_on_error_name(milter_on_error_t e);

#endif
