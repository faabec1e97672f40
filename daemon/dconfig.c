/*
 * dconfig - parsing and validation of the daemon's config keys (dconfig.h).
 *
 * Numbers and enums are stored as uint64_t fields located through an offset
 * table generated from DLPD_CONFIG_MAP, so one parser and one comparison
 * serve every key; only listen addresses need code of their own.
 */
#include "dconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define CLI_FILE "command line"

static const dlpd_config_key_t key_table[] = {
#define DLPD_CONFIG_ROW(id, key, type, def, min, max, reload, doc)                                 \
    {#key, DLPD_CT_##type, def, min, max, reload, doc},
    DLPD_CONFIG_MAP(DLPD_CONFIG_ROW)
#undef DLPD_CONFIG_ROW
};

static const char *const foreign_keys[] = {
#define DLPD_CONFIG_NAME(id, key, type, def, min, max, reload, doc) #key,
    DLPD_CONFIG_MAP(DLPD_CONFIG_NAME)
#undef DLPD_CONFIG_NAME
        NULL,
};

/* Offsets of the numeric fields; 0 for the address list. */
static const size_t field_offset[] = {
#define DLPD_CONFIG_OFF(id, key, type, def, min, max, reload, doc)                                 \
    [DLPD_CFG_##id] = DLPD_CT_##type == DLPD_CT_ADDRS ? 0 : offsetof(dlpd_config_t, key),
    DLPD_CONFIG_MAP(DLPD_CONFIG_OFF)
#undef DLPD_CONFIG_OFF
};

static const char *const log_choices[] = {"stderr", "syslog", NULL};
static const char *const level_choices[] = {"error", "warn", "info", "debug", NULL};

static const char *const *choices_of(dlpd_config_id_t id)
{
    return id == DLPD_CFG_LOG ? log_choices : id == DLPD_CFG_LOG_LEVEL ? level_choices : NULL;
}

const dlpd_config_key_t *dlpd_config_table(size_t *count)
{
    *count = DLPD_CFG__COUNT;
    return key_table;
}

const char *const *dlpd_config_foreign_keys(void)
{
    return foreign_keys;
}

static uint64_t *num_field(dlpd_config_t *c, dlpd_config_id_t id)
{
    return (uint64_t *)((char *)c + field_offset[id]);
}

static int is_string(dlpd_config_id_t id)
{
    return key_table[id].type == DLPD_CT_STRING || key_table[id].type == DLPD_CT_PATH;
}

static char **str_field(dlpd_config_t *c, dlpd_config_id_t id)
{
    return (char **)((char *)c + field_offset[id]);
}

/* ------------------------------------------------------------ addresses */

static void addr_free(dlpd_addr_t *a)
{
    free(a->path);
    free(a->host);
    free(a->text);
    memset(a, 0, sizeof(*a));
}

static void addrs_free(dlpd_addr_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        addr_free(&v[i]);
    free(v);
}

static int parse_port(const char *s, uint16_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v == 0 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* "tcp:" or "tls:" ('scheme') already stripped. Returns an error message or NULL. */
static const char *parse_tcp(const char *scheme, const char *rest, dlpd_addr_t *a)
{
    const char *colon = strrchr(rest, ':');
    const char *port = colon ? colon + 1 : rest;
    size_t hlen = colon ? (size_t)(colon - rest) : 0;
    int bracketed = hlen >= 2 && rest[0] == '[' && rest[hlen - 1] == ']';

    if (parse_port(port, &a->port) < 0)
        return "bad TCP port (expected 1..65535)";
    if (bracketed) {
        rest++;
        hlen -= 2;
    } else if (memchr(rest, ':', hlen)) {
        return "an IPv6 address must be written in brackets, e.g. tcp:[::1]:7000";
    }
    /* No host named: loopback only, never all interfaces by accident. */
    a->host = hlen ? strndup(rest, hlen) : strdup("127.0.0.1");
    if (!a->host)
        return "out of memory";
    int v6 = strchr(a->host, ':') != NULL;
    if (asprintf(&a->text, v6 ? "%s:[%s]:%u" : "%s:%s:%u", scheme, a->host, a->port) < 0) {
        a->text = NULL;
        return "out of memory";
    }
    a->kind = DLPD_ADDR_TCP;
    return NULL;
}

/* 'cfg' resolves relative unix paths against the config file (NULL: cwd). */
static const char *parse_addr(const dlp_config_t *cfg, const char *s, dlpd_addr_t *a)
{
    memset(a, 0, sizeof(*a));
    if (strncmp(s, "tcp:", 4) == 0)
        return parse_tcp("tcp", s + 4, a);
    if (strncmp(s, "tls:", 4) == 0) {
        a->tls = 1;
        return parse_tcp("tls", s + 4, a);
    }
    if (strncmp(s, "unix:", 5) != 0)
        return "listen address must be unix:PATH, tcp:HOST:PORT or tls:HOST:PORT";
    if (s[5] == '\0')
        return "empty unix socket path";
    a->kind = DLPD_ADDR_UNIX;
    a->path = cfg ? dlp_config_resolve(cfg, s + 5) : strdup(s + 5);
    if (!a->path)
        return "out of memory";
    if (strlen(a->path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
        return "unix socket path too long (at most 107 bytes)";
    if (asprintf(&a->text, "unix:%s", a->path) < 0) {
        a->text = NULL;
        return "out of memory";
    }
    return NULL;
}

static int parse_addrs(const dlp_config_t *cfg, const char *const *items, size_t n,
                       dlpd_config_t *c, const char *file, int line, int col, dlp_diags_t *diags)
{
    int bad = 0;
    if (n == 0) {
        dlp_diags_add(diags, file, line, col, NULL, "listen: needs at least one address");
        return DLP_ECONFIG;
    }
    dlpd_addr_t *v = calloc(n, sizeof(*v));
    if (!v)
        return DLP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *err = parse_addr(cfg, items[i], &v[i]);
        if (err) {
            dlp_diags_add(diags, file, line, col, NULL, "listen: %s: '%s'", err, items[i]);
            bad = 1;
        }
    }
    if (bad) {
        addrs_free(v, n);
        return DLP_ECONFIG;
    }
    addrs_free(c->listen, c->n_listen);
    c->listen = v;
    c->n_listen = n;
    return 0;
}

const char *dlpd_addr_parse(const char *text, dlpd_addr_t *a)
{
    return parse_addr(NULL, text, a);
}

void dlpd_addr_free(dlpd_addr_t *a)
{
    addr_free(a);
}

/* metrics_listen: empty (off) or one plain tcp: address. */
static const char *check_metrics_addr(const char *s)
{
    dlpd_addr_t a;
    const char *err = *s ? parse_addr(NULL, s, &a) : NULL;
    if (*s && !err && (a.kind != DLPD_ADDR_TCP || a.tls))
        err = "expected tcp:HOST:PORT";
    if (*s)
        addr_free(&a);
    return err;
}

/* --------------------------------------------------------------- scalars */

/* A number; in base 10 a k, M or G suffix (binary: 64M is 64 MiB), as in the engine's limits. */
static int parse_number(const char *s, int base, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno)
        return -1;
    unsigned shift = 0;
    if (base == 10 && *end) {
        const char *u = strchr("kKmMgG", *end);
        if (!u)
            return -1;
        shift = (unsigned)(((u - "kKmMgG") / 2 + 1) * 10);
        end++;
        if (!strcmp(end, "i") || !strcmp(end, "iB") || !strcmp(end, "B"))
            end += strlen(end);
    }
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* Parses one scalar value of key 'id' into c; NULL or an error message. */
static const char *parse_scalar(dlpd_config_t *c, dlpd_config_id_t id, const char *s)
{
    const dlpd_config_key_t *k = &key_table[id];
    uint64_t v = 0;

    if (is_string(id)) {
        const char *err = id == DLPD_CFG_METRICS_LISTEN ? check_metrics_addr(s) : NULL;
        if (err)
            return err;
        char *d = *s ? strdup(s) : NULL;
        if (*s && !d)
            return "out of memory";
        free(*str_field(c, id));
        *str_field(c, id) = d;
        return NULL;
    }
    if (k->type == DLPD_CT_BOOL) {
        static const char *const words[] = {"false", "true", "no", "yes", "off", "on", NULL};
        for (v = 0; words[v] && strcmp(words[v], s) != 0; v++)
            ;
        if (!words[v])
            return "expected true or false";
        v &= 1;
    } else if (k->type == DLPD_CT_ENUM) {
        const char *const *ch = choices_of(id);
        for (v = 0; ch[v]; v++)
            if (strcmp(ch[v], s) == 0)
                break;
        if (!ch[v])
            return "unknown value";
    } else {
        if (parse_number(s, k->type == DLPD_CT_OCTAL ? 8 : 10, &v) < 0)
            return k->type == DLPD_CT_OCTAL ? "expected an octal number" : "expected a number";
        if (v < k->min || v > k->max)
            return "out of range";
    }
    *num_field(c, id) = v;
    return NULL;
}

static void range_diag(dlp_diags_t *diags, const char *file, int line, int col, dlpd_config_id_t id,
                       const char *value, const char *err)
{
    const dlpd_config_key_t *k = &key_table[id];
    if (k->type == DLPD_CT_BOOL || is_string(id))
        dlp_diags_add(diags, file, line, col, NULL, "%s: %s '%s'", k->key, err, value);
    else if (k->type == DLPD_CT_ENUM)
        dlp_diags_add(diags, file, line, col, NULL, "%s: %s '%s' (expected %s)", k->key, err, value,
                      id == DLPD_CFG_LOG ? "stderr or syslog" : "error, warn, info or debug");
    else if (k->type == DLPD_CT_OCTAL)
        dlp_diags_add(diags, file, line, col, NULL, "%s: %s '%s' (expected %03llo..%03llo)", k->key,
                      err, value, (unsigned long long)k->min, (unsigned long long)k->max);
    else
        dlp_diags_add(diags, file, line, col, NULL, "%s: %s '%s' (expected %llu..%llu)", k->key,
                      err, value, (unsigned long long)k->min, (unsigned long long)k->max);
}

static int set_defaults(dlpd_config_t *c)
{
    const char *def_listen = key_table[DLPD_CFG_LISTEN].def;
    memset(c, 0, sizeof(*c));
    for (int id = 0; id < DLPD_CFG__COUNT; id++)
        if (key_table[id].type != DLPD_CT_ADDRS && parse_scalar(c, id, key_table[id].def))
            return DLP_EINVAL; /* a bad default is a bug in the table */
    return parse_addrs(NULL, &def_listen, 1, c, "defaults", 0, 0, NULL);
}

/* ----------------------------------------------------------------- public */

int dlpd_config_read(const dlp_config_t *cfg, dlpd_config_t *out, dlp_diags_t *diags)
{
    int rc = set_defaults(out);
    const char *file = dlp_config_path(cfg);

    if (rc < 0)
        return rc;
    for (int id = 0; id < DLPD_CFG__COUNT; id++) {
        const dlpd_config_key_t *k = &key_table[id];
        const dlp_config_value_t *v = dlp_config_foreign(cfg, k->key);
        if (!v)
            continue;
        if (k->type == DLPD_CT_ADDRS) {
            const char *one = v->scalar;
            int r = v->scalar ? parse_addrs(cfg, &one, 1, out, file, v->line, v->column, diags)
                              : parse_addrs(cfg, v->items, v->n_items, out, file, v->line,
                                            v->column, diags);
            if (r == DLP_ENOMEM)
                return r;
            rc = r < 0 ? r : rc;
            continue;
        }
        if (!v->scalar) {
            dlp_diags_add(diags, file, v->line, v->column, NULL, "%s: expected a single value",
                          k->key);
            rc = DLP_ECONFIG;
            continue;
        }
        char *path =
            k->type == DLPD_CT_PATH && *v->scalar ? dlp_config_resolve(cfg, v->scalar) : NULL;
        const char *err = parse_scalar(out, id, path ? path : v->scalar);
        free(path);
        if (err) {
            range_diag(diags, file, v->line, v->column, id, v->scalar, err);
            rc = DLP_ECONFIG;
        }
    }
    return rc;
}

int dlpd_config_override(dlpd_config_t *c, dlpd_config_id_t id, const char *const *values, size_t n,
                         dlp_diags_t *diags)
{
    const dlpd_config_key_t *k = &key_table[id];
    int rc = 0;

    if (k->type == DLPD_CT_ADDRS) {
        rc = parse_addrs(NULL, values, n, c, CLI_FILE, 0, 0, diags);
    } else if (n != 1) {
        dlp_diags_add(diags, CLI_FILE, 0, 0, NULL, "%s: expected a single value", k->key);
        rc = DLP_ECONFIG;
    } else {
        const char *err = parse_scalar(c, id, values[0]);
        if (err) {
            range_diag(diags, CLI_FILE, 0, 0, id, values[0], err);
            rc = DLP_ECONFIG;
        }
    }
    if (rc == 0)
        c->overridden |= 1u << id;
    return rc;
}

static int addrs_equal(const dlpd_config_t *a, const dlpd_config_t *b)
{
    if (a->n_listen != b->n_listen)
        return 0;
    for (size_t i = 0; i < a->n_listen; i++)
        if (strcmp(a->listen[i].text, b->listen[i].text) != 0)
            return 0;
    return 1;
}

int dlpd_config_apply_reload(dlpd_config_t *running, const dlpd_config_t *fresh)
{
    int applied = 0;
    for (int id = 0; id < DLPD_CFG__COUNT; id++) {
        const dlpd_config_key_t *k = &key_table[id];
        if (running->overridden & (1u << id))
            continue;
        if (k->type == DLPD_CT_ADDRS) {
            if (!addrs_equal(running, fresh))
                dlpd_log_warn("config: '%s' changed; it takes effect only after a restart", k->key);
            continue;
        }
        if (is_string(id)) {
            const char *a = *str_field(running, id), *b = *str_field((dlpd_config_t *)fresh, id);
            if ((a || b) && (!a || !b || strcmp(a, b) != 0))
                dlpd_log_warn("config: '%s' changed; it takes effect only after a restart", k->key);
            continue;
        }
        uint64_t *cur = num_field(running, id);
        uint64_t nv = *num_field((dlpd_config_t *)fresh, id);
        if (*cur == nv)
            continue;
        if (!k->reloadable) {
            dlpd_log_warn("config: '%s' changed; it takes effect only after a restart", k->key);
            continue;
        }
        *cur = nv;
        applied++;
        dlpd_log_info("config: '%s' reloaded", k->key);
    }
    return applied;
}

void dlpd_config_free(dlpd_config_t *c)
{
    addrs_free(c->listen, c->n_listen);
    c->listen = NULL;
    c->n_listen = 0;
    for (int id = 0; id < DLPD_CFG__COUNT; id++) {
        if (is_string(id)) {
            free(*str_field(c, id));
            *str_field(c, id) = NULL;
        }
    }
}

void dlpd_config_print_doc(FILE *f)
{
    fprintf(f, "dlpd configuration keys (top level of the config file, next to the engine's):\n\n");
    for (int id = 0; id < DLPD_CFG__COUNT; id++) {
        const dlpd_config_key_t *k = &key_table[id];
        fprintf(f, "  %-22s default %s", k->key, *k->def ? k->def : "(none)");
        if (k->type == DLPD_CT_UINT)
            fprintf(f, ", %llu..%llu", (unsigned long long)k->min, (unsigned long long)k->max);
        fprintf(f, "%s\n      %s\n", k->reloadable ? ", reloadable" : "", k->doc);
    }
}
