/*
 * fuzz_rules - the rule loader: dlp_ruleset_load on an arbitrary file, which
 * is either a YAML rule file (libyaml, then every key, pattern, flag, scope,
 * validator, context and inline test of each rule) or a compiled bundle
 * written by dlp_engine_save (its framing, then each carried source as YAML,
 * then its compiled databases through dlp_hsdb_load). A bad file must give
 * DLP_ERULES with diagnostics, never a crash.
 *
 * The input is handed over as an in-memory file (memfd), so the loader reads
 * it with the same calls as a file on disk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hsdb.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-rules", MFD_CLOEXEC);
    if (fd < 0 || write_all(fd, data, size) != 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

    dlp_diags_t *d = dlp_diags_new();
    dlp_ruleset_t set;
    int rc = dlp_ruleset_load(&set, path, d);
    if (rc == DLP_ERULES && dlp_diags_count(d) == 0)
        abort(); /* a refused file always says why */
    char line[512];
    for (size_t i = 0; i < dlp_diags_count(d); i++)
        dlp_diags_format(d, i, line, sizeof(line));
    if (rc == DLP_OK && set.compiled) {
        dlp_hsdb_t h;
        if (dlp_hsdb_load(&h, &set, set.compiled, set.compiled_len) == DLP_OK)
            dlp_hsdb_free(&h);
    }
    if (rc == DLP_OK)
        dlp_ruleset_free(&set);
    dlp_diags_free(d);
    close(fd);
    return 0;
}
