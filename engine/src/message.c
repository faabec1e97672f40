/*
 * message.c - reads a message as its recipient would, with GMime: every part
 * of the MIME tree, transfer encodings undone, charsets converted to UTF-8,
 * RFC 2047/2231 headers and file names decoded, HTML rendered to text
 * (html.c), forwarded messages read in turn. Each text becomes a surface
 * labelled with its path in the message, e.g. "fwd.eml/body".
 *
 * Limits (parts, nesting, decoded bytes, wall time) stop the walk where they
 * are hit and set their bit in the incomplete mask; nothing is an error but
 * running out of memory. The raw message is copied once into GMime's memory
 * stream; decoded text is read through GMime's filters into buffers owned
 * here and wiped when the message is freed.
 */
#include "message.h"

#include <gmime/gmime.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract.h"
#include "html.h"
#include "reader.h"
#include "util.h"

#define READ_CHUNK 65536

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
    g_mime_init();
}

void dlp_rd_hit(dlp_message_t *m, dlp_limit_t l)
{
    *m->incomplete |= 1u << l;
    m->stop = 1;
}

/* Takes ownership of p (wiped and freed with the message). */
int dlp_rd_own(dlp_message_t *m, void *p, size_t n)
{
    if (!p || DLP_GROW(m->owned, m->cap_owned, m->n_owned + 1)) {
        dlp_wipe(p, n);
        free(p);
        m->oom = 1;
        return DLP_ENOMEM;
    }
    m->owned[m->n_owned++] = (owned_t){p, n};
    return DLP_OK;
}

void dlp_rd_surface(dlp_message_t *m, dlp_part_t part, const char *where, const uint8_t *d,
                    size_t n)
{
    if (n == 0 || m->oom)
        return;
    if (DLP_GROW(m->surf, m->cap_surf, m->n_surf + 1)) {
        m->oom = 1;
        return;
    }
    m->surf[m->n_surf++] = (dlp_surface_t){part, where, d, n};
}

/* A copy of a NUL-terminated text as a surface. */
void dlp_rd_text(dlp_message_t *m, dlp_part_t part, const char *where, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *d = n ? strdup(s) : NULL;
    if (n && dlp_rd_own(m, d, n) == DLP_OK)
        dlp_rd_surface(m, part, where, (const uint8_t *)d, n);
}

/* A path label owned by the message: "body" at the top, "<prefix>/<name>" below. */
const char *dlp_rd_label(dlp_message_t *m, const char *prefix, const char *name)
{
    size_t pl = prefix ? strlen(prefix) : 0, nl = strlen(name);
    char *s = malloc(pl + nl + 2);
    if (!s) {
        m->oom = 1;
        return NULL;
    }
    if (pl) {
        memcpy(s, prefix, pl);
        s[pl++] = '/';
    }
    memcpy(s + pl, name, nl + 1);
    return dlp_rd_own(m, s, pl + nl + 1) ? NULL : s;
}

/* ------------------------------------------------------------- decoding */

static void add_filter(GMimeStream *fs, GMimeFilter *f)
{
    if (f) {
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
        g_object_unref(f);
    }
}

static int is_utf8_name(const char *cs)
{
    return !cs || !strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8") ||
           !strcasecmp(cs, "us-ascii") || !strcasecmp(cs, "ascii");
}

/*
 * Reads a part's content with its transfer encoding undone and, when charset
 * is given, converted to UTF-8, into a buffer owned by the message. Stops at
 * the per-entry and per-message decoded-byte limits and at the deadline.
 */
static long gmime_read(void *stream, uint8_t *buf, size_t n)
{
    return (long)g_mime_stream_read(stream, (char *)buf, n);
}

static uint8_t *decode_part(dlp_message_t *m, GMimePart *part, const char *charset, size_t *len)
{
    *len = 0;
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
    if (!raw)
        return NULL;
    g_mime_stream_reset(raw);
    GMimeStream *fs = g_mime_stream_filter_new(raw);
    GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
    if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        enc == GMIME_CONTENT_ENCODING_UUENCODE)
        add_filter(fs, g_mime_filter_basic_new(enc, FALSE));
    if (charset && !is_utf8_name(charset))
        add_filter(fs, g_mime_filter_charset_new(charset, "UTF-8"));
    uint32_t flags = 0;
    uint8_t *buf = dlp_rd_read(m, gmime_read, NULL, fs, len, &flags);
    g_object_unref(fs);
    return buf;
}

/* ------------------------------------------------------------------ walk */

static void walk(dlp_message_t *m, GMimeObject *obj, const char *path, unsigned depth);

static int is_textual(GMimeContentType *ct)
{
    return g_mime_content_type_is_type(ct, "text", "*") ||
           g_mime_content_type_is_type(ct, "application", "json") ||
           g_mime_content_type_is_type(ct, "application", "xml") ||
           g_mime_content_type_is_type(ct, "application", "csv");
}

int dlp_rd_text_bytes(dlp_message_t *m, int html, const uint8_t *d, size_t n, dlp_part_t kind,
                      const char *where)
{
    if (!d || n == 0 || !where)
        return 0;
    if (!html) {
        dlp_rd_surface(m, kind, where, d, n);
        return 1;
    }
    size_t tn = 0;
    int late;
    char *text = dlp_html_to_text(d, n, m->deadline_ns, &tn, &late);
    if (!text) {
        m->oom = 1;
        return 0;
    }
    if (late)
        dlp_rd_hit(m, DLP_LIMIT_SCAN_TIME);
    if (dlp_rd_own(m, text, tn + 1) == DLP_OK)
        dlp_rd_surface(m, kind, where, (const uint8_t *)text, tn);
    return 1;
}

static int is_html(GMimeContentType *ct)
{
    return g_mime_content_type_is_type(ct, "text", "html");
}

char *dlp_rd_strdup(dlp_message_t *m, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && dlp_rd_own(m, d, strlen(s) + 1))
        return NULL;
    return d;
}

/*
 * Content and declared types disagree when their top-level types differ, or
 * both are application/ types with different subtypes. The generic
 * application/octet-stream declares nothing, and text content of a declared
 * text type agrees whatever the subtype.
 */
static int type_mismatch(const char *declared, const char *detected)
{
    if (!declared || !detected || !strcasecmp(declared, detected) ||
        !strcasecmp(declared, "application/octet-stream") ||
        !strcasecmp(detected, "application/octet-stream"))
        return 0;
    const char *ds = strchr(declared, '/'), *ts = strchr(detected, '/');
    if (!ds || !ts)
        return 0;
    size_t dl = (size_t)(ds - declared), tl = (size_t)(ts - detected);
    if (dl != tl || strncasecmp(declared, detected, dl) != 0)
        return !(dl == 4 && !strncasecmp(declared, "text", 4) && tl == 11 &&
                 !strncasecmp(detected, "application", 11) && strstr(detected, "json"));
    return strncasecmp(declared, "application", dl) == 0 && strcasecmp(ds, ts) != 0 &&
           !(strstr(ds, "zip") && strstr(detected, "openxmlformats"));
}

long dlp_rd_attachment(dlp_message_t *m, const char *where, const char *filename,
                       const char *declared, const char *detected, uint64_t size)
{
    if (DLP_GROW(m->att, m->cap_att, m->n_att + 1)) {
        m->oom = 1;
        return -1;
    }
    dlp_msg_attachment_t *a = &m->att[m->n_att];
    memset(a, 0, sizeof(*a));
    a->where = where;
    a->filename = dlp_rd_strdup(m, filename);
    a->declared_type = dlp_rd_strdup(m, declared ? declared : "");
    a->detected_type = dlp_rd_strdup(m, detected ? detected : "application/octet-stream");
    a->size = size;
    if (type_mismatch(declared, detected))
        a->flags |= DLP_ATT_TYPE_MISMATCH;
    return (long)m->n_att++;
}

/* An attachment (or a part that is not inline text): typed, recorded, its text read. */
static void walk_attachment(dlp_message_t *m, GMimePart *part, GMimeContentType *ct,
                            const char *filename, const char *path, unsigned depth)
{
    const char *where = dlp_rd_label(m, path, filename && *filename ? filename : "attachment");
    if (!where)
        return;
    int textual = is_textual(ct);
    uint32_t before = *m->incomplete;
    size_t n = 0;
    const char *cs = g_mime_content_type_get_parameter(ct, "charset");
    uint8_t *d = decode_part(m, part, textual ? cs : NULL, &n);
    char *declared = g_mime_content_type_get_mime_type(ct);
    const char *detected = d ? dlp_rd_type(m, d, n) : NULL;
    long ai = dlp_rd_attachment(m, where, filename, declared, detected, n);
    g_free(declared);
    if (ai < 0)
        return;
    if ((*m->incomplete & ~before) &
        ((1u << DLP_LIMIT_ENTRY_BYTES) | (1u << DLP_LIMIT_DECOMPRESSED_BYTES)))
        m->att[ai].flags |= DLP_ATT_TRUNCATED;
    /* text as declared is scanned as it is, unless its content is RTF markup */
    int rtf = detected && strstr(detected, "rtf") != NULL;
    if (textual && !rtf) {
        if (dlp_rd_text_bytes(m, is_html(ct), d, n, DLP_PART_ATTACHMENT, where))
            m->att[ai].flags |= DLP_ATT_EXTRACTED;
    } else if (d) {
        dlp_extract(m, ai, d, n, depth);
    }
}

static void walk_part(dlp_message_t *m, GMimePart *part, const char *path, unsigned depth)
{
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    const char *filename = g_mime_part_get_filename(part);
    int attachment = g_mime_part_is_attachment(part) || (filename && *filename);
    if (filename && *filename) {
        const char *where = dlp_rd_label(m, path, filename);
        if (where)
            dlp_rd_text(m, DLP_PART_FILENAME, where, filename);
    }
    int inline_text = g_mime_content_type_is_type(ct, "text", "plain") ||
                      g_mime_content_type_is_type(ct, "text", "html");
    if (attachment || !inline_text) {
        walk_attachment(m, part, ct, filename, path, depth);
        return;
    }
    const char *where = dlp_rd_label(m, path, "body");
    size_t n;
    uint8_t *d =
        where ? decode_part(m, part, g_mime_content_type_get_parameter(ct, "charset"), &n) : NULL;
    dlp_rd_text_bytes(m, is_html(ct), d, d ? n : 0, DLP_PART_BODY, where);
}

static const char *const free_text_headers[] = {"comments", "keywords", "content-description",
                                                "thread-topic", NULL};

static void add_free_text_headers(dlp_message_t *m, GMimeObject *obj, const char *path)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    int n = hl ? g_mime_header_list_get_count(hl) : 0;
    for (int i = 0; i < n && !m->oom; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *name = g_mime_header_get_name(h);
        for (size_t k = 0; name && free_text_headers[k]; k++) {
            if (strcasecmp(name, free_text_headers[k]) != 0)
                continue;
            char *v = g_mime_utils_header_decode_text(NULL, g_mime_header_get_raw_value(h));
            const char *where = dlp_rd_label(m, path, "header");
            if (where)
                dlp_rd_text(m, DLP_PART_HEADER, where, v);
            g_free(v);
        }
    }
}

static void add_addresses(dlp_message_t *m, InternetAddressList *l, dlp_source_t src, int depth)
{
    int n = l && depth < 4 ? internet_address_list_length(l) : 0;
    for (int i = 0; i < n && !m->oom; i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_GROUP(a)) {
            add_addresses(m, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), src,
                          depth + 1);
            continue;
        }
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
        const char *at = addr ? strrchr(addr, '@') : NULL;
        if (!at || at == addr || !at[1] || strlen(addr) > 320)
            continue;
        char *copy = strdup(addr);
        if (!copy || DLP_GROW(m->addrs, m->cap_addrs, m->n_addrs + 1)) {
            free(copy);
            m->oom = 1;
            return;
        }
        for (char *p = copy + (at - addr); *p; p++)
            *p = dlp_lower(*p);
        m->addrs[m->n_addrs++] = (dlp_addr_t){copy, src};
    }
}

static void walk_message(dlp_message_t *m, GMimeMessage *msg, const char *path, unsigned depth)
{
    const char *subject = g_mime_message_get_subject(msg);
    if (subject) {
        const char *where = dlp_rd_label(m, path, "subject");
        if (where)
            dlp_rd_text(m, DLP_PART_SUBJECT, where, subject);
    }
    add_free_text_headers(m, GMIME_OBJECT(msg), path);
    if (depth == 0) {
        add_addresses(m, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO),
                      DLP_SOURCE_HEADER_TO, 0);
        add_addresses(m, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC),
                      DLP_SOURCE_HEADER_CC, 0);
    }
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    if (body)
        walk(m, body, path, depth + 1);
}

static void walk(dlp_message_t *m, GMimeObject *obj, const char *path, unsigned depth)
{
    if (m->stop || m->oom)
        return;
    if (depth > m->limits->v[DLP_LIMIT_MIME_DEPTH]) {
        dlp_rd_hit(m, DLP_LIMIT_MIME_DEPTH);
        return;
    }
    if (++m->parts > m->limits->v[DLP_LIMIT_MIME_PARTS]) {
        dlp_rd_hit(m, DLP_LIMIT_MIME_PARTS);
        return;
    }
    if (m->deadline_ns && dlp_now_ns() > m->deadline_ns) {
        dlp_rd_hit(m, DLP_LIMIT_SCAN_TIME);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        const char *name = g_mime_object_get_content_disposition_parameter(obj, "filename");
        const char *p = dlp_rd_label(m, path, name && *name ? name : "message.eml");
        if (inner && p)
            walk_message(m, inner, p, depth);
    } else if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n && !m->stop && !m->oom; i++)
            walk(m, g_mime_multipart_get_part(mp, i), path, depth + 1);
    } else if (GMIME_IS_PART(obj)) {
        walk_part(m, GMIME_PART(obj), path, depth);
    }
}

#define FIRST_CHUNK 4096

/*
 * Doubles a buffer of decoded text, wiping the old copy: realloc would leave
 * message data behind in freed memory.
 */
static int grow_wiped(uint8_t **buf, size_t *cap, size_t used)
{
    size_t ncap = !*cap ? FIRST_CHUNK : *cap < READ_CHUNK ? READ_CHUNK : *cap * 2;
    if (ncap > READ_CHUNK * 64 && *cap >= READ_CHUNK * 64)
        ncap = *cap + READ_CHUNK * 64; /* grow linearly past 4 MiB */
    uint8_t *nb = malloc(ncap);
    if (!nb)
        return -1;
    if (*buf) {
        memcpy(nb, *buf, used);
        dlp_wipe(*buf, used);
        free(*buf);
    }
    *buf = nb;
    *cap = ncap;
    return 0;
}

uint8_t *dlp_rd_read(dlp_message_t *m, dlp_rd_read_fn rd, dlp_rd_check_fn check, void *ctx,
                     size_t *len, uint32_t *flags)
{
    dlp_limit_t which;
    uint64_t budget = dlp_rd_entry_budget(m, &which);
    size_t cap = 0, n = 0;
    uint8_t *buf = NULL;
    *len = 0;
    for (;;) {
        if (cap - n < FIRST_CHUNK && grow_wiped(&buf, &cap, n)) {
            m->oom = 1;
            break;
        }
        long r = rd(ctx, buf + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n > budget) {
            n = (size_t)budget;
            *m->incomplete |= 1u << which;
            if (which == DLP_LIMIT_DECOMPRESSED_BYTES)
                m->stop = 1;
            *flags |= DLP_ATT_TRUNCATED;
            break;
        }
        if ((check && !check(m, ctx, n, flags)) || dlp_rd_late(m))
            break;
    }
    m->decoded += n;
    if (m->oom) {
        dlp_wipe(buf, n);
        free(buf);
        return NULL;
    }
    if (dlp_rd_own(m, buf, n)) /* only the first n bytes ever held data */
        return NULL;
    *len = n;
    return buf;
}

uint64_t dlp_rd_entry_budget(const dlp_message_t *m, dlp_limit_t *which)
{
    uint64_t total = m->limits->v[DLP_LIMIT_DECOMPRESSED_BYTES];
    uint64_t budget = m->decoded < total ? total - m->decoded : 0;
    uint64_t entry = m->limits->v[DLP_LIMIT_ENTRY_BYTES];
    *which = entry < budget ? DLP_LIMIT_ENTRY_BYTES : DLP_LIMIT_DECOMPRESSED_BYTES;
    return entry < budget ? entry : budget;
}

#define TYPE_PEEK (16u << 10)

/*
 * Plain text: the first bytes are printable (or UTF-8) and do not start like
 * markup, JSON, PostScript or a mail header, whose finer types libmagic
 * gives (text/html, message/rfc822 ...). Anything else goes to libmagic.
 */
static int plain_text(const uint8_t *d, size_t n)
{
    size_t k = n < TYPE_PEEK ? n : TYPE_PEEK, i = 0;
    if (k == 0)
        return 0;
    for (size_t j = 0; j < k; j++)
        if (d[j] < 0x20 && d[j] != '\t' && d[j] != '\n' && d[j] != '\r' && d[j] != '\f')
            return 0;
    while (i < k && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (i < k && (d[i] == '<' || d[i] == '{' || d[i] == '[' || d[i] == '%'))
        return 0;
    size_t j = i; /* "Name:" at the start: perhaps a message or a header block */
    while (j < k && ((d[j] >= 'A' && d[j] <= 'Z') || (d[j] >= 'a' && d[j] <= 'z') || d[j] == '-'))
        j++;
    return !(j > i && j < k && d[j] == ':');
}

/*
 * The fixed signatures of the formats we open, named as libmagic names them.
 * libmagic's soft tests (many of them regular expressions) cost about a
 * millisecond per file; these cost nothing, and libmagic still types
 * everything else (text, mail, formats we only report).
 */
static const char *sniff(const uint8_t *d, size_t n)
{
    static const struct {
        size_t off;
        const char *sig;
        size_t len;
        const char *type;
    } sigs[] = {
        {0, "%PDF-", 5, "application/pdf"},
        {0, "\x89PNG\r\n\x1a\n", 8, "image/png"},
        {0, "\xff\xd8\xff", 3, "image/jpeg"},
        {0, "GIF87a", 6, "image/gif"},
        {0, "GIF89a", 6, "image/gif"},
        {0, "\x1f\x8b", 2, "application/gzip"},
        {0, "BZh", 3, "application/x-bzip2"},
        {0,
         "\xfd"
         "7zXZ\0",
         6, "application/x-xz"},
        {0, "7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed"},
        {0, "{\\rtf", 5, "text/rtf"},
        {128, "DICM", 4, "application/dicom"},
        {257, "ustar", 5, "application/x-tar"},
    };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if (n >= sigs[i].off + sigs[i].len && !memcmp(d + sigs[i].off, sigs[i].sig, sigs[i].len))
            return sigs[i].type;
    if (n >= 4 && !memcmp(d, "PK\x03\x04", 4)) {
        size_t head = n < TYPE_PEEK ? n : TYPE_PEEK;
        if (!memmem(d, head, "[Content_Types].xml", 19))
            return memmem(d, head, "mimetype", 8) ? NULL : "application/zip"; /* ODF: libmagic */
        if (memmem(d, n, "word/", 5))
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        if (memmem(d, n, "xl/", 3))
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        if (memmem(d, n, "ppt/", 4))
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    }
    return plain_text(d, n) ? "text/plain" : NULL;
}

const char *dlp_rd_type(dlp_message_t *m, const uint8_t *d, size_t n)
{
    const char *t = sniff(d, n);
    if (t)
        return t;
    return m->magic ? magic_buffer(m->magic, d, n < TYPE_PEEK ? n : TYPE_PEEK) : NULL;
}

int dlp_rd_late(dlp_message_t *m)
{
    if (m->deadline_ns && dlp_now_ns() > m->deadline_ns)
        dlp_rd_hit(m, DLP_LIMIT_SCAN_TIME);
    return m->stop;
}

void dlp_rd_message_bytes(dlp_message_t *m, const uint8_t *d, size_t n, const char *where,
                          unsigned depth)
{
    static const uint8_t none[1];
    /* An empty protobuf bytes field arrives as NULL: GMime wants a buffer. */
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)(d ? d : none), n);
    GMimeParser *parser = stream ? g_mime_parser_new_with_stream(stream) : NULL;
    GMimeMessage *msg = parser ? g_mime_parser_construct_message(parser, NULL) : NULL;
    if (msg) {
        walk_message(m, msg, where, depth);
        g_object_unref(msg);
    }
    if (parser)
        g_object_unref(parser);
    if (stream) {
        GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
        if (ba)
            dlp_wipe(ba->data, ba->len);
        g_object_unref(stream);
    }
}

/* ------------------------------------------------------------------ API */

int dlp_message_parse(const uint8_t *raw, size_t len, const dlp_read_ctx_t *ctx,
                      dlp_message_t **out, uint32_t *incomplete)
{
    const dlp_limits_t *limits = ctx->limits;
    *out = NULL;
    pthread_once(&gmime_once, gmime_init);
    dlp_message_t *m = calloc(1, sizeof(*m));
    if (!m)
        return DLP_ENOMEM;
    m->limits = limits;
    m->incomplete = incomplete;
    m->deadline_ns = ctx->deadline_ns;
    m->magic = ctx->magic;
    m->pdf = ctx->pdf;
    if (len > limits->v[DLP_LIMIT_MESSAGE_BYTES]) {
        len = limits->v[DLP_LIMIT_MESSAGE_BYTES];
        *incomplete |= 1u << DLP_LIMIT_MESSAGE_BYTES;
    }
    dlp_rd_message_bytes(m, raw, len, "", 0);
    m->limits = NULL;
    m->incomplete = NULL;
    m->magic = NULL;
    m->pdf = NULL;
    if (m->oom) {
        dlp_message_free(m);
        return DLP_ENOMEM;
    }
    *out = m;
    return DLP_OK;
}

size_t dlp_message_surfaces(const dlp_message_t *m, const dlp_surface_t **out)
{
    *out = m->surf;
    return m->n_surf;
}

size_t dlp_message_attachments(const dlp_message_t *m, const dlp_msg_attachment_t **out)
{
    *out = m->att;
    return m->n_att;
}

size_t dlp_message_recipients(const dlp_message_t *m, const dlp_addr_t **out)
{
    *out = m->addrs;
    return m->n_addrs;
}

void dlp_message_free(dlp_message_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_owned; i++) {
        dlp_wipe(m->owned[i].p, m->owned[i].n);
        free(m->owned[i].p);
    }
    for (size_t i = 0; i < m->n_addrs; i++)
        free(m->addrs[i].address);
    free(m->addrs);
    free(m->owned);
    free(m->surf);
    free(m->att);
    free(m);
}
