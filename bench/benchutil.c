/* benchutil.c - shared helpers of the in-process benchmarks; see benchutil.h. */
#include "benchutil.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int bench_parse_opts(int argc, char **argv, int threads, bench_opts_t *o)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
    int c;
    while ((c = getopt_long(argc, argv, threads ? "c:s:t:" : "c:s:", opts, NULL)) != -1) {
        if (c == 'c')
            o->config = optarg;
        else if (c == 's')
            o->seconds = atof(optarg);
        else if (c == 't')
            o->threads = (unsigned)atoi(optarg);
        else if (c == 'j')
            o->json = 1;
        else
            return -1;
    }
    return optind;
}

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint8_t *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *d = malloc(n > 0 ? (size_t)n : 1);
    *len = n > 0 && d ? fread(d, 1, (size_t)n, f) : 0;
    fclose(f);
    return d;
}

dlp_engine_t *bench_engine(const char *config)
{
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg = NULL;
    dlp_engine_t *e = NULL;
    static const char *const any[] = {"*", NULL};
    if (dlp_config_load(config, any, &cfg, d) == DLP_OK)
        dlp_engine_new(cfg, &e, d);
    char buf[1024];
    for (size_t i = 0; i < dlp_diags_count(d); i++) {
        dlp_diags_format(d, i, buf, sizeof(buf));
        fprintf(stderr, "%s\n", buf);
    }
    dlp_config_free(cfg);
    dlp_diags_free(d);
    return e;
}
