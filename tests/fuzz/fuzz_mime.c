/*
 * fuzz_mime - the whole engine on an arbitrary message: each input is a raw
 * RFC 5322 message scanned with dlp_scan, so the fuzzer reaches the MIME
 * reader, charsets, HTML, archives, OOXML/ODF, PDF, RTF, images, the rule
 * scan, recipients and the policy. Every string of the verdict must be
 * valid UTF-8, and the verdict then goes through dlpd's response conversion
 * and must unpack again as a Response.
 *
 * The engine is built once, from tests/fuzz/fuzz.yaml: the shipped rules and
 * protected domains with small limits, so that one input stays quick.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "dlp/dlp.h"
#include "dlp_frame.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dlp_engine_t *engine;
static dlp_scanner_t *scanner;

static void die_diags(const char *what, int rc, dlp_diags_t *d)
{
    char line[1024];
    fprintf(stderr, "fuzz_mime: %s: %s\n", what, dlp_strerror(rc));
    for (size_t i = 0; d && i < dlp_diags_count(d); i++)
        if (dlp_diags_format(d, i, line, sizeof(line)) >= 0)
            fprintf(stderr, "  %s\n", line);
    exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg = NULL;
    int rc = dlp_config_load(FUZZ_SOURCE_DIR "/tests/fuzz/fuzz.yaml", NULL, &cfg, d);
    if (rc == DLP_OK)
        rc = dlp_config_set_cache_dir(cfg, FUZZ_BINARY_DIR "/cache");
    if (rc != DLP_OK)
        die_diags("config", rc, d);
    if ((rc = dlp_engine_new(cfg, &engine, d)) != DLP_OK)
        die_diags("engine", rc, d);
    if ((rc = dlp_scanner_new(&scanner)) != DLP_OK)
        die_diags("scanner", rc, NULL);
    dlp_config_free(cfg);
    dlp_diags_free(d);
    return 0;
}

/* Reads every byte of a surface's text, so ASan checks its bounds. */
static void explain(void *arg, const dlp_finding_t *f, const uint8_t *text, size_t len)
{
    size_t *sum = arg;
    for (size_t i = 0; i < len; i++)
        *sum += text[i];
    if (f->offset > len)
        abort(); /* a finding lies inside the text it was found in */
}

/* 1 when s is NULL or valid UTF-8 (protobuf string fields must be). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        size_t len = *p < 0x80   ? 1
                     : *p < 0xc2 ? 0
                     : *p < 0xe0 ? 2
                     : *p < 0xf0 ? 3
                     : *p < 0xf5 ? 4
                                 : 0;
        for (size_t i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        if (len == 0 || (p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
            (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
            return 0;
        p += len;
    }
    return 1;
}

/* Every string a verdict carries goes into a protobuf string field. */
static void check_strings(const dlp_verdict_t *v)
{
    int ok = utf8_ok(v->notice) && utf8_ok(v->profile) && utf8_ok(v->rules_version);
    for (size_t i = 0; ok && i < v->n_findings; i++)
        ok = utf8_ok(v->findings[i].rule_id) && utf8_ok(v->findings[i].where) &&
             utf8_ok(v->findings[i].snippet);
    for (size_t i = 0; ok && i < v->n_recipients; i++)
        ok = utf8_ok(v->recipients[i].address) && utf8_ok(v->recipients[i].lookalike_of);
    for (size_t i = 0; ok && i < v->n_reasons; i++)
        ok = utf8_ok(v->reasons[i]);
    for (size_t i = 0; ok && i < v->n_attachments; i++)
        ok = utf8_ok(v->attachments[i].where) && utf8_ok(v->attachments[i].filename) &&
             utf8_ok(v->attachments[i].declared_type) && utf8_ok(v->attachments[i].detected_type);
    if (!ok)
        abort();
}

/* The daemon's answer for this verdict must be a frame a client can read. */
static void check_response(const dlp_verdict_t *v)
{
    uint8_t *frame = NULL;
    size_t len = 0;
    if (dlpd_convert_scan_frame(7, v, &frame, &len) != 0)
        return;
    if (len < DLP_FRAME_HEADER_BYTES || dlp_frame_get_header(frame) != len - DLP_FRAME_HEADER_BYTES)
        abort();
    Dlp__V1__Response *r = dlp__v1__response__unpack(NULL, len - DLP_FRAME_HEADER_BYTES,
                                                     frame + DLP_FRAME_HEADER_BYTES);
    if (!r || !r->scan || r->scan->n_findings != v->n_findings ||
        r->scan->n_recipients != v->n_recipients || r->scan->n_attachments != v->n_attachments)
        abort();
    dlp__v1__response__free_unpacked(r, NULL);
    free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const rcpt[] = {"ops@army.mil", "someone@army.ml", "friend@example.com"};
    size_t sum = 0;
    dlp_scan_input_t in = {
        .envelope = {.mail_from = "sender@example.org", .rcpt_to = rcpt, .n_rcpt = 3},
        .message = data,
        .message_len = size,
        .explain = explain,
        .explain_arg = &sum,
    };
    dlp_verdict_t *v = NULL;
    if (dlp_scan(scanner, engine, &in, &v) == DLP_OK) {
        check_strings(v);
        check_response(v);
    }
    dlp_verdict_free(v);
    return 0;
}
