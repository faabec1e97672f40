/*
 * main - dlpd's entry point: command line, config and engine loading,
 * --check, and handing over to the server. This is the only file that
 * decides the process exit status.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <uv.h>

#include "dconfig.h"
#include "dlp/dlp.h"
#include "log.h"
#include "privs.h"
#include "server.h"

#define MAX_CLI_LISTEN 64

typedef struct options {
    const char *config;
    int check;
    const char *listen[MAX_CLI_LISTEN];
    size_t n_listen;
    const char *workers;
} options_t;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dlpd [-c FILE] [--check] [-l ADDR]... [-w N] [--version] [-h]\n"
            "  -c, --config FILE   config file (default: built-in defaults)\n"
            "      --check         validate the config and build the rules, then exit\n"
            "  -l, --listen ADDR   unix:PATH, tcp:HOST:PORT or tls:HOST:PORT; repeatable;\n"
            "                      replaces 'listen'\n"
            "  -w, --workers N     scan threads (0 = one per CPU); replaces 'workers'\n"
            "      --help-config   describe the daemon's config keys\n"
            "      --version       print the version\n"
            "  -h, --help          this text\n"
            "The installed sample config is %s.\n",
            DLPD_SAMPLE_CONFIG);
}

/* Returns -1 to exit 0 (help, version), 1 on a usage error, 0 to go on. */
static int parse_args(int argc, char **argv, options_t *o)
{
    enum { OPT_CHECK = 256, OPT_VERSION, OPT_HELP_CONFIG };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"check", no_argument, NULL, OPT_CHECK},
        {"listen", required_argument, NULL, 'l'},
        {"workers", required_argument, NULL, 'w'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help-config", no_argument, NULL, OPT_HELP_CONFIG},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:l:w:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config = optarg;
            break;
        case OPT_CHECK:
            o->check = 1;
            break;
        case 'l':
            if (o->n_listen == MAX_CLI_LISTEN) {
                fprintf(stderr, "dlpd: at most %d -l options\n", MAX_CLI_LISTEN);
                return 1;
            }
            o->listen[o->n_listen++] = optarg;
            break;
        case 'w':
            o->workers = optarg;
            break;
        case OPT_VERSION:
            printf("dlpd %s\n", dlp_version_string());
            return -1;
        case OPT_HELP_CONFIG:
            dlpd_config_print_doc(stdout);
            return -1;
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dlpd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 1;
    }
    return 0;
}

static void print_diags(const dlp_diags_t *diags, int rc)
{
    char line[1024];
    size_t n = dlp_diags_count(diags);
    for (size_t i = 0; i < n; i++) {
        dlp_diags_format(diags, i, line, sizeof(line));
        fprintf(stderr, "%s\n", line);
    }
    if (n == 0)
        fprintf(stderr, "dlpd: %s\n", dlp_strerror(rc));
}

/* Keys that only make sense together. */
static int check_combinations(const dlp_config_t *cfg, const dlpd_config_t *dcfg,
                              dlp_diags_t *diags)
{
    const char *file = dlp_config_path(cfg);
    int tls = 0;
    for (size_t i = 0; i < dcfg->n_listen; i++)
        tls |= dcfg->listen[i].tls;
    if (tls && (!dcfg->tls_cert || !dcfg->tls_key)) {
        dlp_diags_add(diags, file, 0, 0, NULL, "a tls: listener needs tls_cert and tls_key");
        return DLP_ECONFIG;
    }
    if (dcfg->group && !dcfg->user) {
        dlp_diags_add(diags, file, 0, 0, NULL, "group: only used together with user");
        return DLP_ECONFIG;
    }
    return 0;
}

/* Config file + command line + engine; every problem goes to diags. */
static int load(const options_t *o, dlpd_config_t *dcfg, dlp_engine_t **engine, dlp_diags_t *diags)
{
    dlp_config_t *cfg = NULL;
    int rc = dlp_config_load(o->config, dlpd_config_foreign_keys(), &cfg, diags);
    if (rc < 0)
        return rc;
    rc = dlpd_config_read(cfg, dcfg, diags);
    if (o->n_listen) {
        int r = dlpd_config_override(dcfg, DLPD_CFG_LISTEN, o->listen, o->n_listen, diags);
        rc = rc < 0 ? rc : r;
    }
    if (o->workers) {
        int r = dlpd_config_override(dcfg, DLPD_CFG_WORKERS, &o->workers, 1, diags);
        rc = rc < 0 ? rc : r;
    }
    if (rc == 0)
        rc = check_combinations(cfg, dcfg, diags);
    if (rc == 0)
        rc = dlp_engine_new(cfg, engine, diags);
    dlp_config_free(cfg);
    return rc;
}

/* Each connection is a descriptor: take the whole hard limit, and say so
 * when even that cannot hold max_connections plus listeners and workers. */
static void raise_nofile(uint64_t max_connections)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < max_connections + 64)
        dlpd_log_warn("open files limit %llu is too low for max_connections %llu",
                      (unsigned long long)rl.rlim_cur, (unsigned long long)max_connections);
}

static int serve(const options_t *o, dlpd_config_t *dcfg, dlp_engine_t *engine)
{
    uv_loop_t loop;
    dlpd_server_t *srv = NULL;

    int rc = uv_loop_init(&loop);
    if (rc < 0) {
        dlpd_log_error("event loop: %s", uv_strerror(rc));
        dlp_engine_unref(engine);
        return 1;
    }
    rc = dlpd_server_new(&loop, dcfg, o->config, engine, &srv);
    if (rc < 0) {
        dlpd_log_error("startup: %s", dlp_strerror(rc));
        dlp_engine_unref(engine);
        uv_loop_close(&loop);
        return 1;
    }
    int status = 1;
    if (dlpd_server_start(srv) == 0) {
        status = dlpd_server_run(srv);
        if (status != 0) {
            /* Shutdown timed out: workers may still be inside dlp_scan, so
             * nothing can be freed or run at exit. Leave now. */
            dlpd_log_close();
            fflush(stderr);
            _exit(status);
        }
    }
    dlpd_server_free(srv);
    rc = uv_loop_close(&loop);
    if (rc < 0)
        dlpd_log_error("event loop not closed cleanly: %s", uv_strerror(rc));
    return status;
}

int main(int argc, char **argv)
{
    options_t o = {0};
    dlpd_config_t dcfg = {0};
    dlp_engine_t *engine = NULL;

    int r = parse_args(argc, argv, &o);
    if (r != 0)
        return r < 0 ? 0 : 2;
    signal(SIGPIPE, SIG_IGN); /* write errors come back as EPIPE instead */
    /* No core dumps until the config says otherwise: a core would hold mail. */
    if (dlpd_privs_no_dumps(0) < 0)
        return 1;

    dlp_diags_t *diags = dlp_diags_new();
    if (!diags) {
        fprintf(stderr, "dlpd: out of memory\n");
        return 1;
    }
    int rc = load(&o, &dcfg, &engine, diags);
    if (rc < 0) {
        print_diags(diags, rc);
        dlp_diags_free(diags);
        dlpd_config_free(&dcfg);
        return 1;
    }
    dlp_diags_free(diags);
    if (o.check) {
        printf("%s: OK, rules %s\n", o.config ? o.config : "(defaults)",
               dlp_engine_rules_version(engine));
        dlp_engine_unref(engine);
        dlpd_config_free(&dcfg);
        return 0;
    }
    dlpd_log_open((dlpd_log_target_t)dcfg.log, (dlpd_log_level_t)dcfg.log_level);
    if (dcfg.allow_core_dumps && dlpd_privs_no_dumps(1) < 0) {
        dlpd_config_free(&dcfg);
        dlp_engine_unref(engine);
        return 1;
    }
    raise_nofile(dcfg.max_connections);
    int status = serve(&o, &dcfg, engine);
    dlpd_config_free(&dcfg); /* empty unless the server did not take it */
    dlpd_log_close();
    return status;
}
