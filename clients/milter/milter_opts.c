/*
 * milter_opts.c - parses dlp-milter's command line (see milter_opts.h).
 */
#include "milter_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DLP_MILTER_VERSION
#define DLP_MILTER_VERSION "0.0.0"
#endif

/* Named limits: default, minimum, maximum. */
#define TIMEOUT_MS_DEF     10000
#define TIMEOUT_MS_MIN     100
#define TIMEOUT_MS_MAX     600000
#define MILTER_TIMEOUT_DEF 300
#define MILTER_TIMEOUT_MIN 1
#define MILTER_TIMEOUT_MAX 7200
#define MAX_MESSAGE_DEF    (50u << 20) /* the engine's default message_bytes */
#define MAX_MESSAGE_MIN    1024u
#define MAX_MESSAGE_MAX    (1u << 30)

enum {
    OPT_ON_ERROR = 256,
    OPT_REFUSE_LOOKALIKE,
    OPT_DOMAINS,
    OPT_MAX_MESSAGE,
    OPT_PROFILE,
    OPT_MILTER_TIMEOUT,
    OPT_TLS_CA,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_TLS_SERVER_NAME,
    OPT_HELP,
    OPT_VERSION,
};

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: dlp-milter -s MILTER_SOCKET -d DLPD_ADDR [-d DLPD_ADDR]... [options]\n"
        "  -s SPEC                 milter socket: unix:/path or inet:PORT@HOST\n"
        "  -d ADDR                 dlpd address, unix:PATH, tcp:HOST:PORT or tls:HOST:PORT;\n"
        "                          repeat for failover (tried in order, up to %d)\n"
        "  -t MS                   budget for one dlpd call (default %d, %d..%d)\n"
        "  --on-error ACTION       dlpd unreachable or failing: tempfail (default, 451 4.7.1),\n"
        "                          accept (deliver, X-DLP-Action: unscanned) or reject (550 "
        "5.7.1)\n"
        "  --refuse-lookalike-rcpt refuse a look-alike recipient at RCPT TO (550 5.1.1)\n"
        "  --domains FILE          YAML file with internal_domains, protected_domains,\n"
        "                          protected_domains_files, lookalike_allowlist (dlpd.yaml\n"
        "                          itself will do): the local RCPT check, which works\n"
        "                          while dlpd is down\n"
        "  --max-message-bytes N   bytes of a message sent to dlpd (default %u, %u..%u)\n"
        "  --profile NAME          dlpd policy profile (default: the daemon's default)\n"
        "  --milter-timeout S      MTA I/O timeout, smfi_settimeout (default %d, %d..%d)\n"
        "  -v                      log every verdict (default: only non-allow ones)\n"
        "  --tls-ca FILE           CA certificate(s) that verify dlpd (required for tls:)\n"
        "  --tls-cert FILE         client certificate (PEM) for a dlpd with tls_client_ca\n"
        "  --tls-key FILE          its private key (default: in the --tls-cert file)\n"
        "  --tls-server-name NAME  name dlpd's certificate must carry (default: HOST)\n"
        "  --help, --version\n",
        MILTER_MAX_ENDPOINTS, TIMEOUT_MS_DEF, TIMEOUT_MS_MIN, TIMEOUT_MS_MAX, MAX_MESSAGE_DEF,
        MAX_MESSAGE_MIN, MAX_MESSAGE_MAX, MILTER_TIMEOUT_DEF, MILTER_TIMEOUT_MIN,
        MILTER_TIMEOUT_MAX);
}

/* Parses a decimal in [min, max]; returns -1 after a message otherwise. */
static int parse_num(const char *opt, const char *s, unsigned long long min, unsigned long long max,
                     unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        fprintf(stderr, "dlp-milter: %s wants a number in %llu..%llu, got '%s'\n", opt, min, max,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

const char *milter_on_error_name(milter_on_error_t e)
{
    switch (e) {
    case MILTER_ON_ERROR_TEMPFAIL:
        return "tempfail";
    case MILTER_ON_ERROR_ACCEPT:
        return "accept";
    case MILTER_ON_ERROR_REJECT:
        return "reject";
    }
    return "?";
}

/* tls: endpoints need a CA; TLS files without a tls: endpoint are a mistake. */
static int check_tls(const milter_opts_t *o)
{
    int any_tls = 0;
    for (size_t i = 0; i < o->n_endpoints; i++)
        any_tls |= strncmp(o->endpoints[i], "tls:", 4) == 0;
    if (any_tls && !o->tls_ca) {
        fprintf(stderr, "dlp-milter: a tls: address needs --tls-ca FILE\n");
        return -1;
    }
    if (!any_tls && (o->tls_ca || o->tls_cert || o->tls_key || o->tls_server_name)) {
        fprintf(stderr, "dlp-milter: --tls-* options are for tls:HOST:PORT addresses\n");
        return -1;
    }
    return 0;
}

int milter_opts_parse(int argc, char **argv, milter_opts_t *o)
{
    static const struct option longopts[] = {
        {"on-error", required_argument, NULL, OPT_ON_ERROR},
        {"refuse-lookalike-rcpt", no_argument, NULL, OPT_REFUSE_LOOKALIKE},
        {"domains", required_argument, NULL, OPT_DOMAINS},
        {"max-message-bytes", required_argument, NULL, OPT_MAX_MESSAGE},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"milter-timeout", required_argument, NULL, OPT_MILTER_TIMEOUT},
        {"tls-ca", required_argument, NULL, OPT_TLS_CA},
        {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
        {"tls-key", required_argument, NULL, OPT_TLS_KEY},
        {"tls-server-name", required_argument, NULL, OPT_TLS_SERVER_NAME},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->timeout_ms = TIMEOUT_MS_DEF;
    o->milter_timeout_s = MILTER_TIMEOUT_DEF;
    o->max_message_bytes = MAX_MESSAGE_DEF;
    o->on_error = MILTER_ON_ERROR_TEMPFAIL;
    unsigned long long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:d:t:v", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->milter_socket = optarg;
            break;
        case 'd':
            if (o->n_endpoints == MILTER_MAX_ENDPOINTS) {
                fprintf(stderr, "dlp-milter: at most %d -d addresses\n", MILTER_MAX_ENDPOINTS);
                return -1;
            }
            if (strncmp(optarg, "unix:", 5) != 0 && strncmp(optarg, "tcp:", 4) != 0 &&
                strncmp(optarg, "tls:", 4) != 0) {
                fprintf(stderr,
                        "dlp-milter: -d wants unix:PATH, tcp:HOST:PORT or tls:HOST:PORT, "
                        "got '%s'\n",
                        optarg);
                return -1;
            }
            o->endpoints[o->n_endpoints++] = optarg;
            break;
        case 't':
            if (parse_num("-t", optarg, TIMEOUT_MS_MIN, TIMEOUT_MS_MAX, &v) < 0)
                return -1;
            o->timeout_ms = (int)v;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case OPT_ON_ERROR:
            if (strcmp(optarg, "tempfail") == 0)
                o->on_error = MILTER_ON_ERROR_TEMPFAIL;
            else if (strcmp(optarg, "accept") == 0)
                o->on_error = MILTER_ON_ERROR_ACCEPT;
            else if (strcmp(optarg, "reject") == 0)
                o->on_error = MILTER_ON_ERROR_REJECT;
            else {
                fprintf(stderr, "dlp-milter: --on-error wants tempfail, accept or reject\n");
                return -1;
            }
            break;
        case OPT_REFUSE_LOOKALIKE:
            o->refuse_lookalike_rcpt = 1;
            break;
        case OPT_DOMAINS:
            o->domains_file = optarg;
            break;
        case OPT_MAX_MESSAGE:
            if (parse_num("--max-message-bytes", optarg, MAX_MESSAGE_MIN, MAX_MESSAGE_MAX, &v) < 0)
                return -1;
            o->max_message_bytes = (size_t)v;
            break;
        case OPT_PROFILE:
            o->profile = optarg;
            break;
        case OPT_MILTER_TIMEOUT:
            if (parse_num("--milter-timeout", optarg, MILTER_TIMEOUT_MIN, MILTER_TIMEOUT_MAX, &v) <
                0)
                return -1;
            o->milter_timeout_s = (int)v;
            break;
        case OPT_TLS_CA:
            o->tls_ca = optarg;
            break;
        case OPT_TLS_CERT:
            o->tls_cert = optarg;
            break;
        case OPT_TLS_KEY:
            o->tls_key = optarg;
            break;
        case OPT_TLS_SERVER_NAME:
            o->tls_server_name = optarg;
            break;
        case OPT_HELP:
            usage(stdout);
            return 1;
        case OPT_VERSION:
            printf("dlp-milter %s\n", DLP_MILTER_VERSION);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dlp-milter: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->milter_socket || o->n_endpoints == 0) {
        fprintf(stderr, "dlp-milter: -s and at least one -d are required\n");
        usage(stderr);
        return -1;
    }
    return check_tls(o);
}
