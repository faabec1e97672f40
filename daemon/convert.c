/*
 * convert - verdict -> ScanResponse and Response packing (see convert.h).
 *
 * Engine enums start at 0; the protocol's start at 1 because 0 is always
 * "unspecified" on the wire. Every mapping is therefore engine + 1, checked
 * at compile time for the values whose names are stable.
 */
#include "convert.h"

#include <stdlib.h>

#include "dlp_frame.h"

_Static_assert(DLP_ACTION_ALLOW + 1 == DLP__V1__ACTION__ALLOW, "action mapping");
_Static_assert(DLP_ACTION_BLOCK + 1 == DLP__V1__ACTION__BLOCK, "action mapping");
_Static_assert(DLP_ACTION_DROP + 1 == DLP__V1__ACTION__DROP, "action mapping");
_Static_assert(DLP_SEV_LOW + 1 == DLP__V1__SEVERITY__LOW, "severity mapping");
_Static_assert(DLP_SEV_CRITICAL + 1 == DLP__V1__SEVERITY__CRITICAL, "severity mapping");
_Static_assert(DLP_SOURCE_ENVELOPE + 1 == DLP__V1__RECIPIENT_SOURCE__SOURCE_ENVELOPE,
               "source mapping");
_Static_assert(DLP_SOURCE_HEADER_CC + 1 == DLP__V1__RECIPIENT_SOURCE__SOURCE_HEADER_CC,
               "source mapping");
_Static_assert(DLP_CLASS_EXTERNAL + 1 == DLP__V1__RECIPIENT_CLASS__CLASS_EXTERNAL, "class mapping");

/* protobuf-c wants char * for strings it only reads while packing. */
static char *str(const char *s)
{
    return (char *)(s ? s : "");
}

Dlp__V1__Action dlpd_convert_action(dlp_action_t a)
{
    return (Dlp__V1__Action)(a + 1);
}

const char *dlpd_convert_error_name(Dlp__V1__ErrorCode code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&dlp__v1__error_code__descriptor, code);
    return v ? v->name : "UNKNOWN";
}

int dlpd_convert_pack(const Dlp__V1__Response *r, uint8_t **frame, size_t *len)
{
    return dlp_frame_pack((const ProtobufCMessage *)r, frame, len) < 0 ? -1 : 0;
}

int dlpd_convert_error_frame(uint64_t id, Dlp__V1__ErrorCode code, const char *message,
                             uint8_t **frame, size_t *len)
{
    Dlp__V1__Response r = DLP__V1__RESPONSE__INIT;
    Dlp__V1__Error e = DLP__V1__ERROR__INIT;
    e.code = code;
    e.message = str(message);
    r.id = id;
    r.error = &e;
    return dlpd_convert_pack(&r, frame, len);
}

static void fill_finding(Dlp__V1__Finding *out, const dlp_finding_t *f)
{
    dlp__v1__finding__init(out);
    out->rule_id = str(f->rule_id);
    out->category = str(dlp_category_name(f->category));
    out->severity = (Dlp__V1__Severity)(f->severity + 1);
    out->part = str(dlp_part_name(f->part));
    out->where = str(f->where);
    out->offset = f->offset;
    out->count = f->count;
    out->snippet = str(f->snippet);
}

static void fill_recipient(Dlp__V1__RecipientResult *out, const dlp_recipient_t *r)
{
    dlp__v1__recipient_result__init(out);
    out->address = str(r->address);
    out->class_ = (Dlp__V1__RecipientClass)(r->cls + 1);
    out->lookalike_of = str(r->lookalike_of);
    out->technique = str(r->technique);
    out->action = dlpd_convert_action(r->action);
    out->source = (Dlp__V1__RecipientSource)(r->source + 1);
}

static void fill_attachment(Dlp__V1__Attachment *out, const dlp_attachment_t *a)
{
    dlp__v1__attachment__init(out);
    out->where = str(a->where);
    out->filename = str(a->filename);
    out->declared_type = str(a->declared_type);
    out->detected_type = str(a->detected_type);
    out->size = a->size;
    out->type_mismatch = (a->flags & DLP_ATT_TYPE_MISMATCH) != 0;
    out->encrypted = (a->flags & DLP_ATT_ENCRYPTED) != 0;
    out->extracted = (a->flags & DLP_ATT_EXTRACTED) != 0;
    out->truncated = (a->flags & DLP_ATT_TRUNCATED) != 0;
    out->width = a->width;
    out->height = a->height;
    out->gps = (a->flags & DLP_ATT_GPS) != 0;
    out->medical_image = (a->flags & DLP_ATT_MEDICAL_IMAGE) != 0;
}

/* Pointer arrays and message arrays for the repeated fields. */
typedef struct scratch {
    Dlp__V1__Finding *f;
    Dlp__V1__Finding **fp;
    Dlp__V1__RecipientResult *r;
    Dlp__V1__RecipientResult **rp;
    Dlp__V1__Attachment *a;
    Dlp__V1__Attachment **ap;
} scratch_t;

static void scratch_free(scratch_t *s)
{
    free(s->f);
    free(s->fp);
    free(s->r);
    free(s->rp);
    free(s->a);
    free(s->ap);
}

static int scratch_alloc(scratch_t *s, const dlp_verdict_t *v)
{
    size_t nf = v->n_findings ? v->n_findings : 1, nr = v->n_recipients ? v->n_recipients : 1;
    size_t na = v->n_attachments ? v->n_attachments : 1;
    s->f = calloc(nf, sizeof(*s->f));
    s->fp = calloc(nf, sizeof(*s->fp));
    s->r = calloc(nr, sizeof(*s->r));
    s->rp = calloc(nr, sizeof(*s->rp));
    s->a = calloc(na, sizeof(*s->a));
    s->ap = calloc(na, sizeof(*s->ap));
    return s->f && s->fp && s->r && s->rp && s->a && s->ap ? 0 : -1;
}

int dlpd_convert_scan_frame(uint64_t id, const dlp_verdict_t *v, uint8_t **frame, size_t *len)
{
    Dlp__V1__Response resp = DLP__V1__RESPONSE__INIT;
    Dlp__V1__ScanResponse sr = DLP__V1__SCAN_RESPONSE__INIT;
    char *incomplete[DLP_LIMIT__COUNT];
    scratch_t s = {0};
    int rc = -1;

    if (scratch_alloc(&s, v) < 0)
        goto out;
    for (size_t i = 0; i < v->n_findings; i++) {
        fill_finding(&s.f[i], &v->findings[i]);
        s.fp[i] = &s.f[i];
    }
    for (size_t i = 0; i < v->n_recipients; i++) {
        fill_recipient(&s.r[i], &v->recipients[i]);
        s.rp[i] = &s.r[i];
    }
    for (size_t i = 0; i < v->n_attachments; i++) {
        fill_attachment(&s.a[i], &v->attachments[i]);
        s.ap[i] = &s.a[i];
    }
    for (int l = 0; l < DLP_LIMIT__COUNT; l++)
        if (v->incomplete & (1u << l))
            incomplete[sr.n_incomplete++] = str(dlp_limit_name((dlp_limit_t)l));

    sr.action = dlpd_convert_action(v->action);
    sr.would_action = dlpd_convert_action(v->would_action);
    sr.monitor = v->monitor != 0;
    sr.score = v->score;
    sr.n_findings = v->n_findings;
    sr.findings = s.fp;
    sr.n_recipients = v->n_recipients;
    sr.recipients = s.rp;
    sr.n_reasons = v->n_reasons;
    sr.reasons = (char **)v->reasons;
    sr.notice = str(v->notice);
    sr.rules_version = str(v->rules_version);
    sr.scan_us = v->scan_us;
    sr.incomplete = incomplete;
    sr.profile = str(v->profile);
    sr.n_attachments = v->n_attachments;
    sr.attachments = s.ap;

    resp.id = id;
    resp.body_case = DLP__V1__RESPONSE__BODY_SCAN;
    resp.scan = &sr;
    rc = dlpd_convert_pack(&resp, frame, len);
out:
    scratch_free(&s);
    return rc;
}
