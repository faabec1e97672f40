/*
 * hsdb.c - Hyperscan compilation and the on-disk cache of compiled rules.
 *
 * Cache file: "DLPHSDB2", u64 pattern count, the som_ok and som_main bytes,
 * then three length-prefixed serialized databases (db, som_db, exclude_db;
 * the last two may be empty). A file that
 * is short, of another Hyperscan version or platform, or fails to deserialize
 * is ignored and rewritten: the cache can only save time, never change what
 * is scanned. Files are written to a temporary name and renamed into place.
 */
#include "hsdb.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char cache_magic[8] = {'D', 'L', 'P', 'H', 'S', 'D', 'B', '2'};

void dlp_hsdb_free(dlp_hsdb_t *h)
{
    hs_free_database(h->db);
    hs_free_database(h->som_db);
    hs_free_database(h->exclude_db);
    free(h->som_ok);
    free(h->som_main);
    memset(h, 0, sizeof(*h));
}

/*
 * Compiles pats[i] for every i with include[i] (all when NULL), adding
 * HS_FLAG_SOM_LEFTMOST where som[i] (or everywhere with all_som). On a
 * compile error *bad_index names the failing pattern.
 */
static int compile(const dlp_pattern_t *pats, size_t n, const uint8_t *include, const uint8_t *som,
                   int all_som, hs_database_t **db, size_t *bad_index, char *err, size_t errlen)
{
    size_t k = 0;
    const char **exprs = calloc(n ? n : 1, sizeof(char *));
    unsigned *flags = calloc(n ? n : 1, sizeof(unsigned));
    unsigned *ids = calloc(n ? n : 1, sizeof(unsigned));
    int rc = DLP_ENOMEM;
    if (!exprs || !flags || !ids)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (include && !include[i])
            continue;
        exprs[k] = pats[i].regex;
        flags[k] = pats[i].flags | (all_som || (som && som[i]) ? HS_FLAG_SOM_LEFTMOST : 0);
        ids[k++] = (unsigned)i;
    }
    rc = DLP_OK;
    *db = NULL;
    if (k == 0)
        goto out;
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL, db, &ce) !=
        HS_SUCCESS) {
        *bad_index = ce && ce->expression >= 0 ? ids[ce->expression] : (size_t)-1;
        snprintf(err, errlen, "%s", ce ? ce->message : "unknown error");
        hs_free_compile_error(ce);
        rc = DLP_EHS;
    }
out:
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/* 1 when pattern p compiles alone with start-of-match tracking. */
static int som_compiles(const dlp_pattern_t *p)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    int ok = hs_compile(p->regex, p->flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL, &db, &ce) ==
             HS_SUCCESS;
    hs_free_compile_error(ce);
    hs_free_database(db);
    return ok;
}

/*
 * After a multi-pattern compile failed on a pattern with SOM: clears the SOM
 * wish of every such pattern that cannot have it, probing each alone, so the
 * next compile is the last (one retry, not one per pattern).
 */
static void drop_som_failures(const dlp_ruleset_t *set, uint8_t *som)
{
    for (size_t i = 0; i < set->n_patterns; i++)
        if (som[i] && !som_compiles(&set->patterns[i]))
            som[i] = 0;
}

/* Builds som_db from every pattern that compiles with SOM; drops the others. */
static int compile_som(dlp_hsdb_t *h, const dlp_ruleset_t *set)
{
    size_t n = set->n_patterns;
    h->som_ok = malloc(n ? n : 1);
    if (!h->som_ok)
        return DLP_ENOMEM;
    memset(h->som_ok, 1, n);
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t bad = (size_t)-1;
        char err[256];
        int rc = compile(set->patterns, n, h->som_ok, NULL, 1, &h->som_db, &bad, err, sizeof(err));
        if (rc != DLP_EHS)
            return rc;
        if (bad >= n)
            break; /* not tied to one pattern: go without SOM */
        drop_som_failures(set, h->som_ok);
        h->som_ok[bad] = 0;
    }
    memset(h->som_ok, 0, n);
    h->som_db = NULL;
    return DLP_OK;
}

static void cache_key(const dlp_ruleset_t *set, char out[65])
{
    hs_platform_info_t plat;
    memset(&plat, 0, sizeof(plat));
    hs_populate_platform(&plat);
    unsigned char md[32];
    unsigned mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        EVP_DigestUpdate(ctx, cache_magic, sizeof(cache_magic));
        EVP_DigestUpdate(ctx, set->digest, sizeof(set->digest));
        EVP_DigestUpdate(ctx, hs_version(), strlen(hs_version()));
        EVP_DigestUpdate(ctx, &plat, sizeof(plat));
        EVP_DigestFinal_ex(ctx, md, &mdlen);
    }
    EVP_MD_CTX_free(ctx);
    out[0] = 0;
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static char *cache_path(const char *dir, const dlp_ruleset_t *set)
{
    char key[65];
    cache_key(set, key);
    size_t n = strlen(dir) + sizeof(key) + 16;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s.hsdb", dir, key);
    return p;
}

static int read_all(const char *path, uint8_t **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (1ll << 31) ||
        !(buf = malloc((size_t)st.st_size))) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    if (got != (size_t)st.st_size) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = got;
    return 0;
}

/* Deserializes one length-prefixed blob at *off; an empty blob gives NULL. */
static int take_db(const uint8_t *d, size_t len, size_t *off, hs_database_t **db)
{
    uint64_t n;
    if (len - *off < sizeof(n))
        return -1;
    memcpy(&n, d + *off, sizeof(n));
    *off += sizeof(n);
    if (n > len - *off)
        return -1;
    *db = NULL;
    if (n == 0)
        return 0;
    char *info = NULL;
    const char *blob = (const char *)d + *off;
    if (hs_serialized_database_info(blob, n, &info) != HS_SUCCESS)
        return -1;
    /* hs_version() is "5.4.0 <date>"; the info string names "Version: 5.4.0". */
    const char *ver = hs_version();
    size_t vlen = strcspn(ver, " ");
    const char *at = info ? strstr(info, "Version: ") : NULL;
    int ok = at && strncmp(at + 9, ver, vlen) == 0 && (at[9 + vlen] == ' ' || !at[9 + vlen]);
    free(info);
    if (!ok || hs_deserialize_database(blob, n, db) != HS_SUCCESS)
        return -1;
    *off += n;
    return 0;
}

int dlp_hsdb_load(dlp_hsdb_t *h, const dlp_ruleset_t *set, const uint8_t *d, size_t len)
{
    memset(h, 0, sizeof(*h));
    size_t off = sizeof(cache_magic) + sizeof(uint64_t);
    uint64_t n;
    if (len < off || memcmp(d, cache_magic, sizeof(cache_magic)) != 0)
        return DLP_ECACHE;
    memcpy(&n, d + sizeof(cache_magic), sizeof(n));
    if (n != set->n_patterns || (len - off) / 2 < n)
        return DLP_ECACHE;
    if (!(h->som_ok = malloc(n ? n : 1)) || !(h->som_main = malloc(n ? n : 1)))
        goto fail;
    memcpy(h->som_ok, d + off, n);
    memcpy(h->som_main, d + off + n, n);
    off += 2 * n;
    if (take_db(d, len, &off, &h->db) != 0 || !h->db || take_db(d, len, &off, &h->som_db) != 0 ||
        take_db(d, len, &off, &h->exclude_db) != 0 || off != len ||
        (set->n_excludes && !h->exclude_db))
        goto fail;
    return DLP_OK;
fail:
    dlp_hsdb_free(h);
    return DLP_ECACHE;
}

static int cache_load(dlp_hsdb_t *h, const dlp_ruleset_t *set, const char *path)
{
    uint8_t *d;
    size_t len;
    if (read_all(path, &d, &len) != 0)
        return -1;
    int rc = dlp_hsdb_load(h, set, d, len);
    free(d);
    return rc;
}

static int write_blob(FILE *f, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t n = 0;
    if (db && hs_serialize_database(db, &bytes, &n) != HS_SUCCESS)
        return -1;
    uint64_t len = n;
    int ok = fwrite(&len, sizeof(len), 1, f) == 1 && (n == 0 || fwrite(bytes, n, 1, f) == 1);
    free(bytes);
    return ok ? 0 : -1;
}

int dlp_hsdb_serialize(const dlp_hsdb_t *h, const dlp_ruleset_t *set, uint8_t **out, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return DLP_ENOMEM;
    uint64_t n = set->n_patterns;
    int ok = fwrite(cache_magic, sizeof(cache_magic), 1, f) == 1 &&
             fwrite(&n, sizeof(n), 1, f) == 1 && (n == 0 || fwrite(h->som_ok, n, 1, f) == 1) &&
             (n == 0 || fwrite(h->som_main, n, 1, f) == 1) && write_blob(f, h->db) == 0 &&
             write_blob(f, h->som_db) == 0 && write_blob(f, h->exclude_db) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        free(buf);
        return DLP_ENOMEM;
    }
    *out = (uint8_t *)buf;
    *len = size;
    return DLP_OK;
}

/* Best effort: a cache that cannot be written only costs a compile next time. */
static void cache_store(const dlp_hsdb_t *h, const dlp_ruleset_t *set, const char *dir,
                        const char *path)
{
    uint8_t *blob;
    size_t blen;
    if (dlp_hsdb_serialize(h, set, &blob, &blen))
        return;
    mkdir(dir, 0700);
    size_t tlen = strlen(path) + 32;
    char *tmp = malloc(tlen);
    FILE *f = NULL;
    if (tmp) {
        snprintf(tmp, tlen, "%s.%ld.tmp", path, (long)getpid());
        f = fopen(tmp, "wbx");
    }
    if (f) {
        int ok = fwrite(blob, blen, 1, f) == 1;
        ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp, path) != 0)
            unlink(tmp);
    }
    free(tmp);
    free(blob);
}

static void compile_error(const dlp_ruleset_t *set, const dlp_pattern_t *p, const char *err,
                          dlp_diags_t *diags)
{
    dlp_diags_add(diags, p ? p->file : NULL, p ? p->line : 0, p ? p->column : 0,
                  p ? set->rules[p->rule].id : NULL, "Hyperscan: %s", err);
}

/*
 * The main database: start-of-match only for patterns of checked rules. A
 * pattern Hyperscan cannot track the start of goes without (the scanner
 * then finds its start with som_db); any other error is the rule writer's.
 */
static int compile_main(dlp_hsdb_t *h, const dlp_ruleset_t *set, dlp_diags_t *diags)
{
    size_t n = set->n_patterns;
    if (!(h->som_main = malloc(n ? n : 1)))
        return DLP_ENOMEM;
    for (size_t i = 0; i < n; i++)
        h->som_main[i] = (uint8_t)set->rules[set->patterns[i].rule].confirm;
    for (;;) {
        size_t bad = (size_t)-1;
        char err[512];
        int rc = compile(set->patterns, n, NULL, h->som_main, 0, &h->db, &bad, err, sizeof(err));
        if (rc == DLP_EHS && bad < n && h->som_main[bad]) {
            drop_som_failures(set, h->som_main);
            h->som_main[bad] = 0;
            continue;
        }
        if (rc == DLP_EHS) {
            compile_error(set, bad < n ? &set->patterns[bad] : NULL, err, diags);
            return DLP_ERULES;
        }
        if (rc == DLP_OK && !h->db) {
            dlp_diags_add(diags, NULL, 0, 0, NULL, "the rule set has no patterns");
            return DLP_ERULES;
        }
        return rc;
    }
}

static int compile_excludes(dlp_hsdb_t *h, const dlp_ruleset_t *set, dlp_diags_t *diags)
{
    size_t bad = (size_t)-1;
    char err[512];
    int rc = compile(set->excludes, set->n_excludes, NULL, NULL, 0, &h->exclude_db, &bad, err,
                     sizeof(err));
    if (rc == DLP_EHS) {
        compile_error(set, bad < set->n_excludes ? &set->excludes[bad] : NULL, err, diags);
        return DLP_ERULES;
    }
    return rc;
}

int dlp_hsdb_build(dlp_hsdb_t *h, const dlp_ruleset_t *set, const char *cache_dir,
                   dlp_diags_t *diags)
{
    memset(h, 0, sizeof(*h));
    if (set->compiled && dlp_hsdb_load(h, set, set->compiled, set->compiled_len) == 0) {
        h->from_cache = 1; /* a compiled bundle that fits this Hyperscan and CPU */
        return DLP_OK;
    }
    char *path = cache_dir ? cache_path(cache_dir, set) : NULL;
    if (path && cache_load(h, set, path) == 0) {
        h->from_cache = 1;
        free(path);
        return DLP_OK;
    }
    int rc = compile_main(h, set, diags);
    if (rc == DLP_OK)
        rc = compile_excludes(h, set, diags);
    if (rc == DLP_OK)
        rc = compile_som(h, set);
    if (rc == DLP_OK && path)
        cache_store(h, set, cache_dir, path);
    if (rc != DLP_OK)
        dlp_hsdb_free(h);
    free(path);
    return rc;
}
