/*
 * milter_rcpt.c - the RCPT-time look-alike check (see milter_rcpt.h).
 */
#include "milter_rcpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlp/dlp.h"
#include "milter_scan.h"

struct milter_domains {
    dlp_engine_t *engine;
};

int milter_domains_load(const char *path, milter_domains_t **out)
{
    static const char *const any_foreign[] = {"*", NULL};
    *out = NULL;
    dlp_diags_t *diags = dlp_diags_new();
    dlp_config_t *cfg = NULL;
    milter_domains_t *d = calloc(1, sizeof(*d));
    if (!diags || !d)
        goto fail;
    int rc = dlp_config_load(path, any_foreign, &cfg, diags);
    if (rc == DLP_OK)
        rc = dlp_engine_new(cfg, &d->engine, diags);
    if (rc != DLP_OK) {
        fprintf(stderr, "dlp-milter: --domains %s: %s\n", path, dlp_strerror(rc));
        for (size_t i = 0; i < dlp_diags_count(diags); i++) {
            char line[512];
            dlp_diags_format(diags, i, line, sizeof(line));
            fprintf(stderr, "  %s\n", line);
        }
        goto fail;
    }
    dlp_config_free(cfg);
    dlp_diags_free(diags);
    *out = d;
    return 0;
fail:
    if (!diags || !d)
        fprintf(stderr, "dlp-milter: out of memory\n");
    dlp_config_free(cfg);
    dlp_diags_free(diags);
    milter_domains_free(d);
    return -1;
}

void milter_domains_free(milter_domains_t *d)
{
    if (!d)
        return;
    dlp_engine_unref(d->engine);
    free(d);
}

static void make_notice(const char *address, const char *lookalike_of, char *notice, size_t size)
{
    const char *at = strrchr(address, '@');
    const char *domain = at ? at + 1 : address;
    if (lookalike_of && *lookalike_of)
        snprintf(notice, size, "%s looks like %s \xe2\x80\x94 check the address", domain,
                 lookalike_of);
    else
        snprintf(notice, size, "%s looks like a protected domain \xe2\x80\x94 check the address",
                 domain);
}

milter_rcpt_class_t milter_rcpt_classify(const milter_domains_t *d, milter_conn_t *c,
                                         const milter_opts_t *o, const char *address, char *notice,
                                         size_t size)
{
    if (d) {
        const char *of = NULL;
        if (dlp_engine_classify(d->engine, address, &of, NULL) != DLP_CLASS_LOOKALIKE)
            return MILTER_RCPT_OK;
        make_notice(address, of, notice, size);
        return MILTER_RCPT_LOOKALIKE;
    }
    Dlp__V1__Response *r;
    char err[256];
    const char *one[1] = {address};
    if (milter_scan(c, o, NULL, one, 1, 1, &r, err, sizeof(err)) < 0)
        return MILTER_RCPT_UNKNOWN;
    milter_rcpt_class_t cls = MILTER_RCPT_OK;
    for (size_t i = 0; i < r->scan->n_recipients; i++) {
        const Dlp__V1__RecipientResult *rr = r->scan->recipients[i];
        if (rr->class_ == DLP__V1__RECIPIENT_CLASS__CLASS_LOOKALIKE) {
            make_notice(address, rr->lookalike_of, notice, size);
            cls = MILTER_RCPT_LOOKALIKE;
        }
    }
    dlp_client_response_free(r);
    return cls;
}
