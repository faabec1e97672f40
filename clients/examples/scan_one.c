/*
 * scan_one.c - the smallest complete libdlpclient program: classify one
 * message through a pool of dlpd endpoints and print the verdict.
 *
 *   dlp-scan-one FILE ENDPOINT...     e.g. dlp-scan-one msg.eml tcp:10.0.0.5:7000 tcp:10.0.0.6:7000
 *
 * Build against an installed library:
 *   cc scan_one.c $(pkg-config --cflags --libs dlpclient)
 * Exit status: 0 allow, 1 warn, 2 quarantine, 3 block (as dlpc), 4 error, 64 usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include <dlp/client.h>

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        unsigned char *nb = realloc(buf, cap *= 2);
        if (!nb)
            free(buf);
        buf = nb;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FILE ENDPOINT...\n", argv[0]);
        return 64;
    }
    size_t len;
    unsigned char *msg = read_all(argv[1], &len);
    if (!msg) {
        perror(argv[1]);
        return 4;
    }

    char err[256];
    dlp_client_opts_t opts;
    dlp_client_opts_init(&opts);
    opts.health_interval_ms = 0; /* one request: no health thread needed */
    dlp_client_pool_t *pool;
    if (dlp_client_pool_new((const char *const *)argv + 2, (size_t)argc - 2, &opts, &pool, err,
                            sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        free(msg);
        return 4;
    }

    Dlp__V1__ScanRequest scan = DLP__V1__SCAN_REQUEST__INIT;
    scan.message.data = msg;
    scan.message.len = len;
    Dlp__V1__Response *resp;
    int status = 4;
    if (dlp_client_pool_scan(pool, &scan, 30000, &resp, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
    } else if (resp->error) {
        fprintf(stderr, "%s: %s\n", dlp_client_error_code_name(resp->error->code),
                resp->error->message);
        dlp_client_response_free(resp);
    } else {
        Dlp__V1__ScanResponse *s = resp->scan;
        printf("%s: %s (score %u)\n", argv[1], dlp_client_action_name(s->action), s->score);
        for (size_t i = 0; i < s->n_reasons; i++)
            printf("  reason: %s\n", s->reasons[i]);
        status = s->action >= 1 && s->action <= 4 ? (int)s->action - 1 : 4;
        dlp_client_response_free(resp);
    }
    dlp_client_pool_free(pool);
    free(msg);
    return status;
}
