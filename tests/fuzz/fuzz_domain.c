/*
 * fuzz_domain - recipient classification: domain normalisation (case,
 * trailing dots, IDNA) and the look-alike checks (typos, TLD swaps, embedded
 * names, homoglyphs) against the protected-domain index built once from
 * the rules/protected lists, as dlp_engine_classify does for every recipient.
 *
 * Input: one or more lines, each classified as an address or a bare domain.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "lookalike.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dlp_domains_t *domains;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const internal[] = {"example.org"};
    static const char *const protected_[] = {"mil", "gov"};
    static const char *const files[] = {FUZZ_SOURCE_DIR "/rules/protected/us-mil.txt",
                                        FUZZ_SOURCE_DIR "/rules/protected/us-gov.txt"};
    static const char *const allowed[] = {"army.ml.example.net"};
    dlp_domain_lists_t lists = {internal, 1, protected_, 2, files, 2, allowed, 1};
    dlp_diags_t *d = dlp_diags_new();
    int rc = dlp_domains_new(&lists, &domains, d);
    if (rc != DLP_OK || dlp_diags_count(d)) {
        fprintf(stderr, "fuzz_domain: cannot build the domain index: %s\n", dlp_strerror(rc));
        exit(1);
    }
    dlp_diags_free(d);
    return 0;
}

/* A look-alike names what it imitates and how; nothing else does. */
static void classify(const char *address)
{
    dlp_domain_class_t c = dlp_domains_classify(domains, address);
    if ((c.cls == DLP_CLASS_LOOKALIKE) != (c.lookalike_of != NULL) ||
        (c.cls == DLP_CLASS_LOOKALIKE) != (c.technique != NULL))
        abort();
    if (c.lookalike_of && strlen(c.lookalike_of) > 255)
        abort();
    char norm[256];
    if (dlp_domain_normalize(address, norm) == 0 && strlen(norm) > 255)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    /* Lines are classified one by one; a NUL ends the input early. */
    for (char *line = buf, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        classify(line);
    }
    free(buf);
    return 0;
}
