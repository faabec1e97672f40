/*
 * extract.c - opens attachments whose text is not on their surface:
 * archives (zip, tar, gzip, bzip2, xz, 7z) through libarchive, office
 * documents (OOXML docx/xlsx/pptx, ODF odt/ods/odp) through libarchive and
 * libxml2, PDF through poppler (pdf.c), RTF (rtf.c), images (image.c: type,
 * size, EXIF GPS; DICOM), and forwarded mail through the message reader.
 *
 * Every archive entry is an attachment of its own (typed by libmagic,
 * labelled "outer.zip/inner/name") and is opened in turn, up to the archive
 * depth limit. Decoded bytes count against the per-entry and per-message
 * limits, and an entry that inflates beyond the compression-ratio limit
 * (a zip bomb) stops the read. Encrypted entries are reported, not guessed.
 */
#include "extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <string.h>
#include <strings.h>

#include "image.h"
#include "pdfproc.h"
#include "reader.h"
#include "rtf.h"
#include "util.h"

#define CHUNK       65536
#define RATIO_FLOOR 65536 /* compressed bytes below this count as this many */

static int has_prefix(const char *s, const char *p)
{
    return s && strncmp(s, p, strlen(p)) == 0;
}

static int is_archive(const char *t)
{
    static const char *const types[] = {"application/zip",
                                        "application/x-tar",
                                        "application/gzip",
                                        "application/x-gzip",
                                        "application/x-bzip2",
                                        "application/x-xz",
                                        "application/x-7z-compressed",
                                        NULL};
    for (size_t i = 0; types[i]; i++)
        if (t && !strcmp(t, types[i]))
            return 1;
    return 0;
}

static int is_office(const char *t)
{
    return has_prefix(t, "application/vnd.openxmlformats-officedocument.") ||
           has_prefix(t, "application/vnd.oasis.opendocument.");
}

static struct archive *open_archive(const uint8_t *d, size_t n, int raw_too)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_filter_all(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_format_7zip(a);
    if (raw_too) /* a bare .gz/.bz2/.xz holds one unnamed file */
        archive_read_support_format_raw(a);
    if (archive_read_open_memory(a, d, n) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

typedef struct entry_read {
    struct archive *a;
    int64_t in0; /* compressed bytes consumed when the entry began */
} entry_read_t;

static long archive_read(void *ctx, uint8_t *buf, size_t n)
{
    return (long)archive_read_data(((entry_read_t *)ctx)->a, buf, n);
}

/* Stops an entry that inflates beyond the compression ratio (a zip bomb). */
static int ratio_ok(dlp_message_t *m, void *ctx, size_t total, uint32_t *flags)
{
    entry_read_t *er = ctx;
    uint64_t in = (uint64_t)(archive_filter_bytes(er->a, -1) - er->in0);
    if (total <= (in < RATIO_FLOOR ? RATIO_FLOOR : in) * m->limits->v[DLP_LIMIT_COMPRESSION_RATIO])
        return 1;
    dlp_rd_hit(m, DLP_LIMIT_COMPRESSION_RATIO);
    *flags |= DLP_ATT_TRUNCATED;
    return 0;
}

/*
 * Reads the current entry into a buffer owned by the message, within the
 * byte limits and the compression ratio. *flags gets DLP_ATT_TRUNCATED or
 * DLP_ATT_ENCRYPTED when they apply. NULL when nothing could be read.
 */
static uint8_t *read_entry(dlp_message_t *m, struct archive *a, size_t *len, uint32_t *flags)
{
    entry_read_t er = {a, archive_filter_bytes(a, -1)};
    uint8_t *buf = dlp_rd_read(m, archive_read, ratio_ok, &er, len, flags);
    const char *e = archive_errno(a) ? archive_error_string(a) : NULL;
    if (e && (strcasestr(e, "encrypt") || strcasestr(e, "passphrase")))
        *flags |= DLP_ATT_ENCRYPTED;
    return buf;
}

/* ------------------------------------------------------ office documents */

/* Elements after which a reader sees a break: paragraphs, cells, rows, tabs. */
static int breaks_after(const char *name)
{
    static const char *const names[] = {"p",  "h",   "br",         "tab",        "tc", "tr", "c",
                                        "si", "row", "table-cell", "line-break", "cr", NULL};
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

/* Text of an XML part in document order, iteratively. No entities, no network. */
static void xml_text(dlp_textbuf_t *t, const uint8_t *d, size_t n)
{
    if (n > INT32_MAX)
        return;
    xmlDocPtr doc = xmlReadMemory((const char *)d, (int)n, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                      XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *x = root;
    while (x && !t->oom) {
        if (x->type == XML_TEXT_NODE && x->content)
            dlp_textbuf_put(t, (const char *)x->content, strlen((const char *)x->content));
        if (x->type == XML_ELEMENT_NODE && x->children) {
            x = x->children;
            continue;
        }
        /* x is done: close it and every ancestor it was the last child of */
        for (;;) {
            if (x->type == XML_ELEMENT_NODE && breaks_after((const char *)x->name))
                dlp_textbuf_put(t, "\n", 1);
            if (x == root) {
                x = NULL;
                break;
            }
            if (x->next) {
                x = x->next;
                break;
            }
            x = x->parent;
        }
    }
    if (doc)
        xmlFreeDoc(doc);
    dlp_textbuf_put(t, "\n", 1);
}

/* The parts of a document package that hold what its reader sees. */
static int text_part(const char *name)
{
    static const char *const prefixes[] = {"word/document",    "word/header",
                                           "word/footer",      "word/footnotes",
                                           "word/endnotes",    "word/comments",
                                           "xl/sharedStrings", "xl/worksheets/",
                                           "ppt/slides/",      "ppt/notesSlides/",
                                           "docProps/core",    "content.xml",
                                           "meta.xml",         NULL};
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".xml") != 0)
        return 0;
    for (size_t i = 0; prefixes[i]; i++)
        if (has_prefix(name, prefixes[i]))
            return 1;
    return 0;
}

static void office(dlp_message_t *m, long ai, const uint8_t *d, size_t n)
{
    struct archive *a = open_archive(d, n, 0);
    if (!a)
        return;
    dlp_textbuf_t t = {0};
    struct archive_entry *e;
    while (!m->stop && !m->oom && archive_read_next_header(a, &e) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        uint32_t flags = 0;
        if (archive_entry_is_encrypted(e))
            m->att[ai].flags |= DLP_ATT_ENCRYPTED;
        if (!name || !text_part(name))
            continue;
        size_t len;
        uint8_t *x = read_entry(m, a, &len, &flags);
        m->att[ai].flags |= flags;
        if (x)
            xml_text(&t, x, len);
    }
    archive_read_free(a);
    size_t cap = t.cap, len = 0;
    char *text = dlp_textbuf_finish(&t, &len);
    if (!text) {
        m->oom = 1;
        return;
    }
    if (dlp_rd_own(m, text, cap ? cap : 1) == DLP_OK &&
        dlp_rd_text_bytes(m, 0, (const uint8_t *)text, len, DLP_PART_ATTACHMENT, m->att[ai].where))
        m->att[ai].flags |= DLP_ATT_EXTRACTED;
}

/* -------------------------------------------------------------- archives */

static void archive_entries(dlp_message_t *m, long ai, struct archive *a, unsigned depth)
{
    const char *outer = m->att[ai].where;
    struct archive_entry *e;
    int r;
    while (!m->stop && !m->oom && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        if (archive_entry_filetype(e) != AE_IFREG && archive_entry_filetype(e) != 0)
            continue;
        const char *name = archive_entry_pathname(e);
        if (!name || !*name)
            name = "data"; /* the raw format: a bare compressed file */
        if (++m->parts > m->limits->v[DLP_LIMIT_MIME_PARTS]) {
            dlp_rd_hit(m, DLP_LIMIT_MIME_PARTS);
            break;
        }
        const char *where = dlp_rd_label(m, outer, name);
        if (!where)
            break;
        dlp_rd_text(m, DLP_PART_FILENAME, where, name);
        uint32_t flags = archive_entry_is_encrypted(e) ? DLP_ATT_ENCRYPTED : 0;
        size_t len = 0;
        uint8_t *x = flags ? NULL : read_entry(m, a, &len, &flags);
        const char *type = x ? dlp_rd_type(m, x, len) : NULL;
        long ei = dlp_rd_attachment(m, where, name, NULL, type, len);
        if (ei < 0)
            break;
        m->att[ei].flags |= flags;
        if (flags & DLP_ATT_ENCRYPTED)
            m->att[ai].flags |= DLP_ATT_ENCRYPTED;
        if (x && len)
            dlp_extract(m, ei, x, len, depth + 1);
    }
    if (archive_read_has_encrypted_entries(a) > 0)
        m->att[ai].flags |= DLP_ATT_ENCRYPTED;
}

static void archive(dlp_message_t *m, long ai, const uint8_t *d, size_t n, unsigned depth)
{
    if (m->archive_depth >= m->limits->v[DLP_LIMIT_ARCHIVE_DEPTH]) {
        dlp_rd_hit(m, DLP_LIMIT_ARCHIVE_DEPTH);
        return;
    }
    const char *t = m->att[ai].detected_type;
    int compressed_only = strcmp(t, "application/zip") && strcmp(t, "application/x-tar") &&
                          strcmp(t, "application/x-7z-compressed");
    struct archive *a = open_archive(d, n, compressed_only);
    if (!a)
        return;
    m->archive_depth++;
    archive_entries(m, ai, a, depth);
    m->archive_depth--;
    archive_read_free(a);
    m->att[ai].flags |= DLP_ATT_EXTRACTED;
}

static void pdf(dlp_message_t *m, long ai, const uint8_t *d, size_t n)
{
    dlp_limit_t which;
    uint64_t budget = dlp_rd_entry_budget(m, &which);
    dlp_pdf_limits_t lim = {m->limits->v[DLP_LIMIT_PDF_PAGES], m->limits->v[DLP_LIMIT_PDF_OBJECTS],
                            budget, m->limits->v[DLP_LIMIT_PDF_MEMORY_BYTES]};
    dlp_pdf_result_t r;
    int rc = dlp_pdfproc_text(m->pdf, d, n, &lim, m->deadline_ns, &r);
    if (rc == DLP_ETIMEDOUT) {
        dlp_rd_hit(m, DLP_LIMIT_SCAN_TIME);
        return;
    }
    if (rc == DLP_EIO) {
        /* Its reader ran out of memory (or crashed): more than we read. */
        m->att[ai].flags |= DLP_ATT_TRUNCATED;
        *m->incomplete |= 1u << DLP_LIMIT_PDF_MEMORY_BYTES;
        return;
    }
    if (rc != DLP_OK) {
        m->oom = 1;
        return;
    }
    if (r.encrypted)
        m->att[ai].flags |= DLP_ATT_ENCRYPTED;
    if (r.limits & (1u << DLP_LIMIT_ENTRY_BYTES)) {
        r.limits &= ~(1u << DLP_LIMIT_ENTRY_BYTES);
        r.limits |= 1u << which;
        m->att[ai].flags |= DLP_ATT_TRUNCATED;
    }
    *m->incomplete |= r.limits;
    m->decoded += r.len;
    if (r.text && dlp_rd_own(m, r.text, r.len + 1) == DLP_OK &&
        dlp_rd_text_bytes(m, 0, (const uint8_t *)r.text, r.len, DLP_PART_ATTACHMENT,
                          m->att[ai].where))
        m->att[ai].flags |= DLP_ATT_EXTRACTED;
}

/*
 * libmagic names some generated OOXML and ODF packages just "zip"; their
 * member names are stored uncompressed, so the package is recognisable.
 */
static int zip_is_office(const uint8_t *d, size_t n)
{
    size_t head = n < 256 ? n : 256; /* ODF: a stored "mimetype" entry comes first */
    return memmem(d, n, "[Content_Types].xml", 19) != NULL ||
           (memmem(d, head, "mimetype", 8) &&
            memmem(d, head, "application/vnd.oasis.opendocument.", 35));
}

/* --------------------------------------------------------------- dispatch */

void dlp_extract(dlp_message_t *m, long ai, const uint8_t *d, size_t n, unsigned depth)
{
    if (m->stop || m->oom || dlp_rd_late(m))
        return;
    if (depth > m->limits->v[DLP_LIMIT_MIME_DEPTH]) {
        dlp_rd_hit(m, DLP_LIMIT_MIME_DEPTH);
        return;
    }
    const char *t = m->att[ai].detected_type;
    if (!strcmp(t, "text/rtf") || !strcmp(t, "application/rtf")) {
        size_t tn = 0;
        char *text = dlp_rtf_to_text(d, n, &tn);
        if (!text)
            m->oom = 1;
        else if (dlp_rd_own(m, text, tn + 1) == DLP_OK &&
                 dlp_rd_text_bytes(m, 0, (const uint8_t *)text, tn, DLP_PART_ATTACHMENT,
                                   m->att[ai].where))
            m->att[ai].flags |= DLP_ATT_EXTRACTED;
    } else if (has_prefix(t, "text/") || !strcmp(t, "application/json")) {
        if (dlp_rd_text_bytes(m, !strcmp(t, "text/html"), d, n, DLP_PART_ATTACHMENT,
                              m->att[ai].where))
            m->att[ai].flags |= DLP_ATT_EXTRACTED;
    } else if (!strcmp(t, "message/rfc822")) {
        dlp_rd_message_bytes(m, d, n, m->att[ai].where, depth + 1);
        m->att[ai].flags |= DLP_ATT_EXTRACTED;
    } else if (is_office(t) || (!strcmp(t, "application/zip") && zip_is_office(d, n))) {
        office(m, ai, d, n);
    } else if (has_prefix(t, "image/")) {
        dlp_image_t im;
        dlp_image_inspect(d, n, t, &im);
        m->att[ai].width = im.width;
        m->att[ai].height = im.height;
        if (im.gps)
            m->att[ai].flags |= DLP_ATT_GPS;
    } else if (!strcmp(t, "application/dicom")) {
        m->att[ai].flags |= DLP_ATT_MEDICAL_IMAGE;
    } else if (!strcmp(t, "application/pdf")) {
        pdf(m, ai, d, n);
    } else if (is_archive(t)) {
        archive(m, ai, d, n, depth);
    }
}
