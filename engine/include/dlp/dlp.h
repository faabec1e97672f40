/*
 * dlp.h - public API of libdlp, the dlpd classification engine.
 *
 * The engine turns (envelope, raw RFC 5322 message) into a verdict: findings
 * from the Hyperscan rule set, a class for every recipient, and the action the
 * policy picks. It has no sockets, no event loop and no globals; the daemon
 * (dlpd), the offline tool (dlp-rules) and the tests all use this header only,
 * so an offline scan and a daemon scan are the same code.
 *
 * Objects and lifetimes:
 *   dlp_config_t   the engine's part of a YAML config file (rules path, cache,
 *                  domains, limits, policy). Mutable until handed to an engine.
 *   dlp_engine_t   an immutable snapshot built from a config: compiled rules,
 *                  domain index, policy. Reference counted; a reload builds a
 *                  new one and in-flight scans keep the one they started with.
 *   dlp_scanner_t  per-thread scratch (Hyperscan scratch, decoders). One per
 *                  worker thread; never shared between threads at once.
 *   dlp_verdict_t  the result of one scan, owned by the caller, freed with
 *                  dlp_verdict_free().
 *
 * Errors are negative dlp_err codes (see DLP_ERRNO_MAP); functions that can
 * fail for reasons a user must fix also fill a dlp_diags_t with
 * file:line:column messages. No function exits or aborts the process.
 */
#ifndef DLP_DLP_H
#define DLP_DLP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DLP_EXPORT __attribute__((visibility("default")))
#else
#define DLP_EXPORT
#endif

/* ------------------------------------------------------------------ errors */

#define DLP_ERRNO_MAP(X)                                                                           \
    X(OK, 0, "success")                                                                            \
    X(ENOMEM, -1, "out of memory")                                                                 \
    X(EINVAL, -2, "invalid argument")                                                              \
    X(EIO, -3, "I/O error")                                                                        \
    X(ECONFIG, -4, "invalid configuration")                                                        \
    X(ERULES, -5, "invalid rule set")                                                              \
    X(EHS, -6, "Hyperscan failure")                                                                \
    X(ETIMEDOUT, -7, "deadline exceeded")                                                          \
    X(EPROFILE, -8, "unknown policy profile")                                                      \
    X(ECACHE, -9, "compiled rule cache unusable")                                                  \
    X(ETOOBIG, -10, "input over its size limit")

typedef enum {
#define DLP_ERR_ENUM(name, code, text) DLP_##name = code,
    DLP_ERRNO_MAP(DLP_ERR_ENUM)
#undef DLP_ERR_ENUM
} dlp_err_t;

DLP_EXPORT const char *dlp_strerror(int err);
DLP_EXPORT const char *dlp_err_name(int err);
DLP_EXPORT const char *dlp_version_string(void);

/* Diagnostics: errors a user must fix, with their position. */
typedef struct dlp_diag {
    const char *file;    /* may be NULL */
    int line;            /* 1-based; 0 when unknown */
    int column;          /* 1-based; 0 when unknown */
    const char *rule_id; /* may be NULL */
    const char *message;
} dlp_diag_t;

typedef struct dlp_diags dlp_diags_t;

DLP_EXPORT dlp_diags_t *dlp_diags_new(void);
DLP_EXPORT void dlp_diags_free(dlp_diags_t *d);
DLP_EXPORT size_t dlp_diags_count(const dlp_diags_t *d);
DLP_EXPORT const dlp_diag_t *dlp_diags_get(const dlp_diags_t *d, size_t i);
/* Formats diagnostic i as "file:line:column: [rule] message" into buf. */
DLP_EXPORT int dlp_diags_format(const dlp_diags_t *d, size_t i, char *buf, size_t size);
/* Adds a diagnostic (used by callers that validate their own config keys). */
DLP_EXPORT int dlp_diags_add(dlp_diags_t *d, const char *file, int line, int column,
                             const char *rule_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ------------------------------------------------------------ enumerations */

typedef enum {
    DLP_ACTION_ALLOW = 0,
    DLP_ACTION_WARN,
    DLP_ACTION_QUARANTINE,
    DLP_ACTION_BLOCK,
    DLP_ACTION_DROP, /* per recipient: remove only this recipient */
} dlp_action_t;

typedef enum {
    DLP_SEV_LOW = 0,
    DLP_SEV_MEDIUM,
    DLP_SEV_HIGH,
    DLP_SEV_CRITICAL,
} dlp_severity_t;

#define DLP_CATEGORY_MAP(X)                                                                        \
    X(MARKING, "marking")                                                                          \
    X(PASSPORT, "passport")                                                                        \
    X(ITINERARY, "itinerary")                                                                      \
    X(CREDENTIAL, "credential")                                                                    \
    X(IDENTITY, "identity")                                                                        \
    X(MEDICAL, "medical")                                                                          \
    X(FINANCIAL, "financial")                                                                      \
    X(PERSONNEL, "personnel")                                                                      \
    X(LEGAL, "legal")                                                                              \
    X(LOCATION, "location")                                                                        \
    X(ATTACHMENT, "attachment") /* about an attachment itself: encrypted, uninspectable */

typedef enum {
#define DLP_CAT_ENUM(name, text) DLP_CAT_##name,
    DLP_CATEGORY_MAP(DLP_CAT_ENUM)
#undef DLP_CAT_ENUM
        DLP_CAT__COUNT
} dlp_category_t;

/* Where in a message a text was found. Rule scopes use the same names. */
typedef enum {
    DLP_PART_SUBJECT = 0,
    DLP_PART_HEADER,     /* other free-text headers */
    DLP_PART_BODY,       /* text/plain and rendered text/html parts */
    DLP_PART_FILENAME,   /* attachment file names */
    DLP_PART_ATTACHMENT, /* text extracted from attachment content */
    DLP_PART__COUNT
} dlp_part_t;

typedef enum {
    DLP_CLASS_INTERNAL = 0,
    DLP_CLASS_PROTECTED,
    DLP_CLASS_LOOKALIKE,
    DLP_CLASS_EXTERNAL,
} dlp_class_t;

typedef enum {
    DLP_SOURCE_ENVELOPE = 0,
    DLP_SOURCE_HEADER_TO,
    DLP_SOURCE_HEADER_CC,
} dlp_source_t;

/*
 * Every limit, by name. The table below (dlp_limit_table) gives each one's
 * config key, unit, default and bounds; a verdict names the limits it hit.
 */
#define DLP_LIMIT_MAP(X)                                                                           \
    X(MESSAGE_BYTES, message_bytes, "bytes", 50ull << 20, 1024, 1ull << 30,                        \
      "largest message scanned; larger ones are scanned up to this size")                          \
    X(MIME_PARTS, mime_parts, "parts", 1000, 1, 100000, "MIME parts read per message")             \
    X(MIME_DEPTH, mime_depth, "levels", 20, 1, 1000, "nesting of multiparts and attached mail")    \
    X(ARCHIVE_DEPTH, archive_depth, "levels", 4, 0, 64, "archives opened inside archives")         \
    X(DECOMPRESSED_BYTES, decompressed_bytes, "bytes", 200ull << 20, 1024, 4ull << 30,             \
      "bytes decoded or decompressed per message in total")                                        \
    X(ENTRY_BYTES, entry_bytes, "bytes", 50ull << 20, 1024, 4ull << 30,                            \
      "bytes decompressed from one archive entry")                                                 \
    X(COMPRESSION_RATIO, compression_ratio, "ratio", 100, 2, 100000,                               \
      "largest decompressed/compressed ratio of an archive entry")                                 \
    X(PDF_PAGES, pdf_pages, "pages", 500, 1, 100000, "PDF pages read per document")                \
    X(PDF_OBJECTS, pdf_objects, "objects", 100000, 100, 10000000, "PDF objects per document")      \
    X(PDF_MEMORY_BYTES, pdf_memory_bytes, "bytes", 1ull << 30, 64ull << 20, 16ull << 30,           \
      "address space of the process reading a PDF; a PDF whose reader needs more, or dies, "       \
      "is left unread")                                                                            \
    X(SCAN_TIME, scan_time_ms, "ms", 5000, 1, 600000, "wall time per message")                     \
    X(FINDINGS, findings, "findings", 256, 1, 100000, "findings reported per message")

typedef enum {
#define DLP_LIMIT_ENUM(id, key, unit, def, min, max, doc) DLP_LIMIT_##id,
    DLP_LIMIT_MAP(DLP_LIMIT_ENUM)
#undef DLP_LIMIT_ENUM
        DLP_LIMIT__COUNT
} dlp_limit_t;

typedef struct dlp_limit_info {
    dlp_limit_t id;
    const char *key; /* config key under "limits:" and name in verdicts */
    const char *unit;
    uint64_t def, min, max;
    const char *doc;
} dlp_limit_info_t;

/* Limit values, indexed by dlp_limit_t. */
typedef struct dlp_limits {
    uint64_t v[DLP_LIMIT__COUNT];
} dlp_limits_t;

DLP_EXPORT const dlp_limit_info_t *dlp_limit_table(size_t *count);
DLP_EXPORT void dlp_limits_default(dlp_limits_t *l);

DLP_EXPORT const char *dlp_action_name(dlp_action_t a);
DLP_EXPORT const char *dlp_severity_name(dlp_severity_t s);
DLP_EXPORT const char *dlp_category_name(dlp_category_t c);
DLP_EXPORT const char *dlp_part_name(dlp_part_t p);
DLP_EXPORT const char *dlp_class_name(dlp_class_t c);
DLP_EXPORT const char *dlp_source_name(dlp_source_t s);
DLP_EXPORT const char *dlp_limit_name(dlp_limit_t l);
/* Name lookups: return 0 and set *out, or DLP_EINVAL for an unknown name. */
DLP_EXPORT int dlp_category_from_name(const char *name, dlp_category_t *out);
DLP_EXPORT int dlp_severity_from_name(const char *name, dlp_severity_t *out);
DLP_EXPORT int dlp_action_from_name(const char *name, dlp_action_t *out);

/* ------------------------------------------------------------------ config */

typedef struct dlp_config dlp_config_t;

/*
 * Loads the engine's keys from a YAML config file. Keys listed in 'foreign'
 * (NULL-terminated; the daemon's own keys) are skipped; any other unknown key
 * is an error. Relative paths in the file are resolved against its directory.
 * A 'foreign' list of just "*" accepts every key the engine does not own:
 * offline tools use it to read the daemon's config without knowing its keys.
 * path == NULL gives the built-in defaults. Errors go to 'diags' with
 * file:line:column; the return value is DLP_OK or a negative dlp_err.
 */
DLP_EXPORT int dlp_config_load(const char *path, const char *const *foreign, dlp_config_t **out,
                               dlp_diags_t *diags);
DLP_EXPORT void dlp_config_free(dlp_config_t *cfg);

/*
 * Keys the engine does not own ('foreign', e.g. the daemon's listen, workers)
 * are kept as parsed: a scalar or a list of scalars, with their position, so
 * that the owner can validate them with file:line errors without parsing the
 * file a second time. Returns NULL when the key is absent.
 */
typedef struct dlp_config_value {
    const char *key;
    const char *scalar;       /* NULL when the value is a list */
    const char *const *items; /* the list's scalars; n_items of them */
    size_t n_items;
    int line, column;
} dlp_config_value_t;

DLP_EXPORT const dlp_config_value_t *dlp_config_foreign(const dlp_config_t *cfg, const char *key);
/* The file the config came from, or NULL for the built-in defaults. */
DLP_EXPORT const char *dlp_config_path(const dlp_config_t *cfg);
/* A path from the config resolved against the config file's directory
 * (unchanged when absolute or when there is no file). Caller frees. */
DLP_EXPORT char *dlp_config_resolve(const dlp_config_t *cfg, const char *path);

/* Overrides, e.g. from command-line flags. Strings are copied. */
DLP_EXPORT int dlp_config_set_rules_path(dlp_config_t *cfg, const char *path);
DLP_EXPORT int dlp_config_set_cache_dir(dlp_config_t *cfg, const char *dir_or_null);
DLP_EXPORT const char *dlp_config_rules_path(const dlp_config_t *cfg);
DLP_EXPORT const dlp_limits_t *dlp_config_limits(const dlp_config_t *cfg);
DLP_EXPORT void dlp_config_set_limit(dlp_config_t *cfg, dlp_limit_t l, uint64_t value);

/* ------------------------------------------------------------------ engine */

typedef struct dlp_engine dlp_engine_t;

/*
 * Builds an engine from a config: loads every *.yaml rule file under the rules
 * path, compiles all patterns into one Hyperscan database (or loads it from
 * the cache, keyed by a hash of the rules and the Hyperscan version), builds
 * the domain index and the policy. The config is not retained.
 * On failure returns a negative dlp_err with the reasons in 'diags'.
 * The first call in a process, if made before any other thread starts,
 * forks the process that PDF readers are forked from (docs/architecture.md);
 * made later, PDFs are read in process, one at a time.
 */
DLP_EXPORT int dlp_engine_new(const dlp_config_t *cfg, dlp_engine_t **out, dlp_diags_t *diags);
DLP_EXPORT dlp_engine_t *dlp_engine_ref(dlp_engine_t *e);
DLP_EXPORT void dlp_engine_unref(dlp_engine_t *e); /* accepts NULL */

/* "N rules, sha256:<12 hex>": changes whenever any rule changes. */
DLP_EXPORT const char *dlp_engine_rules_version(const dlp_engine_t *e);
DLP_EXPORT size_t dlp_engine_rule_count(const dlp_engine_t *e);
/* 1 when the compiled database came from the cache rather than the compiler. */
DLP_EXPORT int dlp_engine_from_cache(const dlp_engine_t *e);
DLP_EXPORT const dlp_limits_t *dlp_engine_limits(const dlp_engine_t *e);

/*
 * Classifies one recipient address as dlp_scan would (internal, protected,
 * look-alike, external), without a message: a cheap local check, e.g. for a
 * gateway at RCPT time. *lookalike_of and *technique (either may be NULL)
 * are set for look-alikes and point into the engine.
 */
DLP_EXPORT dlp_class_t dlp_engine_classify(const dlp_engine_t *e, const char *address,
                                           const char **lookalike_of, const char **technique);

/* ----------------------------------------------------------------- scanner */

typedef struct dlp_scanner dlp_scanner_t;

DLP_EXPORT int dlp_scanner_new(dlp_scanner_t **out);
DLP_EXPORT void dlp_scanner_free(dlp_scanner_t *s); /* accepts NULL */

typedef struct dlp_envelope {
    const char *mail_from;      /* may be NULL */
    const char *const *rcpt_to; /* n_rcpt addresses */
    size_t n_rcpt;
    const char *client_address; /* may be NULL */
    const char *helo;           /* may be NULL */
} dlp_envelope_t;

struct dlp_finding;

typedef struct dlp_scan_input {
    dlp_envelope_t envelope;
    const uint8_t *message; /* raw RFC 5322 message; not modified */
    size_t message_len;
    const char *profile;  /* NULL or "" = default profile */
    uint64_t deadline_ns; /* CLOCK_MONOTONIC; 0 = only the scan_time_ms limit */
    /*
     * Optional, for offline tools only (dlp-rules scan --explain): called once
     * per finding with the decoded text of the surface it was found in. The
     * daemon never sets it: that text is message content.
     */
    void (*explain)(void *arg, const struct dlp_finding *f, const uint8_t *text, size_t len);
    void *explain_arg;
} dlp_scan_input_t;

/* ----------------------------------------------------------------- verdict */

typedef struct dlp_finding {
    const char *rule_id;
    dlp_category_t category;
    dlp_severity_t severity;
    dlp_part_t part;
    const char *where;   /* "subject", "body", "attachment:a.zip/b.pdf", ... */
    uint64_t offset;     /* first match: byte offset in that surface's text */
    uint32_t count;      /* matches of this rule in that surface */
    const char *snippet; /* redacted context; never the sensitive text */
} dlp_finding_t;

typedef struct dlp_recipient {
    const char *address;
    dlp_source_t source;
    dlp_class_t cls;
    const char *lookalike_of; /* NULL unless cls == LOOKALIKE */
    const char *technique;    /* NULL unless cls == LOOKALIKE */
    dlp_action_t action;
} dlp_recipient_t;

/* Attachment flags. */
#define DLP_ATT_TYPE_MISMATCH 0x1u  /* content type (libmagic) differs from the declared one */
#define DLP_ATT_ENCRYPTED     0x2u  /* encrypted: its content could not be inspected */
#define DLP_ATT_EXTRACTED     0x4u  /* text was extracted from it and scanned */
#define DLP_ATT_TRUNCATED     0x8u  /* a size limit cut it short */
#define DLP_ATT_GPS           0x10u /* an image whose EXIF data holds GPS coordinates */
#define DLP_ATT_MEDICAL_IMAGE 0x20u /* a DICOM file: a medical image such as an X-ray */

typedef struct dlp_attachment {
    const char *where;         /* its path in the message, as in findings */
    const char *filename;      /* NULL when it has none */
    const char *declared_type; /* from Content-Type */
    const char *detected_type; /* from its content (libmagic) */
    uint64_t size;             /* decoded bytes */
    uint32_t flags;            /* DLP_ATT_* */
    uint32_t width, height;    /* images: pixels, from the file header; else 0 */
} dlp_attachment_t;

typedef struct dlp_verdict {
    dlp_action_t action;
    dlp_action_t would_action; /* before monitor mode; == action otherwise */
    int monitor;               /* the profile is in monitor mode */
    uint32_t score;            /* 0..100, explained by reasons */
    const dlp_finding_t *findings;
    size_t n_findings;
    const dlp_recipient_t *recipients;
    size_t n_recipients;
    const char *const *reasons;
    size_t n_reasons;
    const dlp_attachment_t *attachments;
    size_t n_attachments;
    const char *notice; /* for the sender; NULL when there is nothing to say */
    const char *profile;
    const char *rules_version;
    uint64_t scan_us;
    uint32_t incomplete; /* bit (1u << dlp_limit_t) for each limit hit */
} dlp_verdict_t;

/*
 * Scans one message. On DLP_OK *out is a verdict the caller frees. A limit
 * that is hit is not an error: the verdict is returned with its bit set in
 * 'incomplete' and the policy decides. Errors: DLP_EPROFILE (unknown profile),
 * DLP_ETIMEDOUT (deadline_ns passed before any verdict could be formed),
 * DLP_ENOMEM, DLP_EHS. Buffers holding decoded message text are wiped before
 * dlp_scan returns.
 */
DLP_EXPORT int dlp_scan(dlp_scanner_t *s, dlp_engine_t *e, const dlp_scan_input_t *in,
                        dlp_verdict_t **out);
DLP_EXPORT void dlp_verdict_free(dlp_verdict_t *v); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif
