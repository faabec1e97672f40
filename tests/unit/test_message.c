/*
 * test_message - the message reader on GMime: headers, addresses, transfer
 * encodings, charsets, HTML, attachments, forwarded mail, and every limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <magic.h>

#include "html.h"
#include "message.h"
#include "testutil.h"

static magic_t magic;

static dlp_message_t *parse_with(const char *raw, size_t len, const dlp_limits_t *l, uint32_t *inc)
{
    dlp_message_t *m;
    *inc = 0;
    if (!magic) {
        magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
        assert_int_equal(magic_load(magic, NULL), 0);
    }
    dlp_read_ctx_t ctx = {l, 0, magic, NULL};
    assert_int_equal(dlp_message_parse((const uint8_t *)raw, len, &ctx, &m, inc), DLP_OK);
    return m;
}

static dlp_message_t *parse(const char *raw, uint32_t *inc)
{
    dlp_limits_t l;
    dlp_limits_default(&l);
    return parse_with(raw, strlen(raw), &l, inc);
}

/* The surface labelled 'where', or NULL. */
static const dlp_surface_t *at(const dlp_message_t *m, const char *where)
{
    const dlp_surface_t *s;
    size_t n = dlp_message_surfaces(m, &s);
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].where, where) == 0)
            return &s[i];
    return NULL;
}

static int text_has(const dlp_surface_t *s, const char *needle)
{
    return s && memmem(s->data, s->len, needle, strlen(needle)) != NULL;
}

static void test_headers_and_addresses(void **state)
{
    const char *raw = "From: a@x.org\r\n"
                      "To: \"Doe, John\" <John.Doe@ARMY.ML>, plain@Example.COM\r\n"
                      "Cc: grp: one@a.mil, two@b.mil;\r\n"
                      "Subject: =?UTF-8?B?VHJhdmVsIHBsYW4gZm9yIFREWQ==?=\r\n"
                      "Keywords: =?ISO-8859-1?Q?r=E9sum=E9?=\r\n"
                      "\r\n"
                      "Body text\r\n";
    uint32_t inc;
    dlp_message_t *m = parse(raw, &inc);
    const dlp_surface_t *subj = at(m, "subject");
    assert_non_null(subj);
    assert_int_equal(subj->part, DLP_PART_SUBJECT);
    assert_true(text_has(subj, "Travel plan for TDY"));
    assert_true(text_has(at(m, "header"), "r\xc3\xa9sum\xc3\xa9"));
    assert_true(text_has(at(m, "body"), "Body text"));
    const dlp_addr_t *a;
    size_t n = dlp_message_recipients(m, &a);
    assert_int_equal(n, 4);
    assert_string_equal(a[0].address, "John.Doe@army.ml"); /* local part keeps its case */
    assert_int_equal(a[0].source, DLP_SOURCE_HEADER_TO);
    assert_string_equal(a[1].address, "plain@example.com");
    assert_string_equal(a[2].address, "one@a.mil");
    assert_int_equal(a[3].source, DLP_SOURCE_HEADER_CC);
    assert_int_equal(inc, 0);
    dlp_message_free(m);
}

static void test_encodings_and_charsets(void **state)
{
    uint32_t inc;
    dlp_message_t *m = parse("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
                             "Rk9SIE9GRklDSUFMIFVTRSBPTkxZ\n",
                             &inc);
    assert_true(text_has(at(m, "body"), "FOR OFFICIAL USE ONLY"));
    dlp_message_free(m);
    m = parse("Content-Type: text/plain; charset=iso-8859-1\n"
              "Content-Transfer-Encoding: quoted-printable\n\n"
              "FOR OFFI=\nCIAL USE=20ONLY, caf=E9\n",
              &inc);
    assert_true(text_has(at(m, "body"), "FOR OFFICIAL USE ONLY, caf\xc3\xa9"));
    dlp_message_free(m);
}

static void test_html_rendered(void **state)
{
    uint32_t inc;
    dlp_message_t *m = parse("Content-Type: text/html; charset=utf-8\n\n"
                             "<html><head><style>p{}</style><script>var x='SECRETJS';</script>"
                             "</head><body><p>For&nbsp;Official <b>Use</b> Only</p>"
                             "<p>Pass&amp;word</p></body></html>\n",
                             &inc);
    const dlp_surface_t *b = at(m, "body");
    assert_non_null(b);
    assert_true(text_has(b, "Official Use Only"));
    assert_true(text_has(b, "Pass&word"));
    assert_false(text_has(b, "SECRETJS"));
    assert_false(text_has(b, "p{}"));
    dlp_message_free(m);
}

/* The body of a text/html message as rendered. */
static void html_body_has(const char *html, const char *want, const char *unwanted)
{
    char raw[4096];
    uint32_t inc;
    snprintf(raw, sizeof(raw), "Content-Type: text/html; charset=utf-8\n\n%s\n", html);
    dlp_message_t *m = parse(raw, &inc);
    const dlp_surface_t *b = at(m, "body");
    if (!text_has(b, want))
        fail_msg("rendering '%s' lacks '%s': '%.*s'", html, want, b ? (int)b->len : 0,
                 b ? (const char *)b->data : "");
    if (unwanted && text_has(b, unwanted))
        fail_msg("rendering '%s' has '%s'", html, unwanted);
    dlp_message_free(m);
}

static void test_html_edge_cases(void **state)
{
    /* A no-break space is a space, so the marking reads as written. */
    html_body_has("For&nbsp;Official&#160;Use&#xA0;Only", "For Official Use Only", NULL);
    /* Zero-width and soft-hyphen characters cannot split a marking apart. */
    html_body_has("NO&#8203;FO&shy;RN &zwj;X", "NOFORN X", NULL);
    html_body_has("caf&eacute; &euro;5 &#x263A; &bogus; a&b",
                  "caf\xc3\xa9 \xe2\x82\xac"
                  "5 "
                  "\xe2\x98\xba &bogus; a&b",
                  NULL);
    /* A '>' inside a quoted attribute does not end the tag. */
    html_body_has("<a title=\"x > y\" href='z>'>link</a> text", "link text", "y\"");
    html_body_has("<!-- hidden SECRETC --><!DOCTYPE html>shown", "shown", "SECRETC");
    html_body_has("<p>one</p><p>two</p>", "one\ntwo", NULL);
    html_body_has("<p> a  b <b> c</b>\n d </p> e", "a b c d\ne", NULL);
    html_body_has("<table><tr><td>Name</td><td>Passport</td></tr><tr><td>A</td></tr></table>",
                  "Name Passport\nA", NULL);
    html_body_has("1 < 2 and x<3", "1 < 2 and x<3", NULL);
    /* An unclosed script hides the rest, as in a browser; an uppercase close ends it. */
    html_body_has("a<SCRIPT>var s='SECRETJS'</Script>b", "ab", "SECRETJS");
    html_body_has("shown<style>p{}", "shown", "p{}");
}

/* A long HTML body stops at the scan's deadline with the text so far. */
static void test_html_deadline(void **state)
{
    static const char cell[] = "<p>quarterly figures</p>";
    size_t n = 4u << 20, cl = sizeof(cell) - 1, len, full;
    char *html = malloc(n);
    assert_non_null(html);
    for (size_t i = 0; i + cl <= n; i += cl)
        memcpy(html + i, cell, cl);
    int late;
    char *t = dlp_html_to_text((uint8_t *)html, n - n % cl, 0, &full, &late);
    assert_false(late);
    free(t);
    t = dlp_html_to_text((uint8_t *)html, n - n % cl, 1 /* long past */, &len, &late);
    assert_true(late);
    assert_true(len > 0 && len < full / 2); /* stopped after the first megabyte */
    free(t);
    free(html);
}

static const char multipart[] =
    "Subject: report\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=XX\n\n"
    "--XX\nContent-Type: text/plain\n\nsee attached\n"
    "--XX\nContent-Type: text/csv\n"
    "Content-Disposition: attachment; filename*=UTF-8''crew%20list.csv\n\n"
    "rank,name,dod id\nSGT,Smith,1234567890\n"
    "--XX\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=fwd.eml\n\n"
    "Subject: inner\nContent-Type: text/plain\n\nFOUO inside the forward\n"
    "--XX--\n";

static void test_attachments_and_forwarded_mail(void **state)
{
    uint32_t inc;
    dlp_message_t *m = parse(multipart, &inc);
    assert_true(text_has(at(m, "body"), "see attached"));
    const dlp_surface_t *fn = at(m, "crew list.csv");
    assert_non_null(fn); /* the file name surface and the content share a label */
    const dlp_surface_t *s;
    size_t n = dlp_message_surfaces(m, &s);
    int name = 0, content = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s[i].where, "crew list.csv") != 0)
            continue;
        name |= s[i].part == DLP_PART_FILENAME;
        content |= s[i].part == DLP_PART_ATTACHMENT && text_has(&s[i], "rank,name,dod id");
    }
    assert_true(name && content);
    assert_true(text_has(at(m, "fwd.eml/body"), "FOUO inside"));
    assert_true(text_has(at(m, "fwd.eml/subject"), "inner"));
    assert_int_equal(inc, 0);
    dlp_message_free(m);
}

static void test_limits(void **state)
{
    dlp_limits_t l;
    uint32_t inc;
    dlp_limits_default(&l);
    l.v[DLP_LIMIT_MIME_PARTS] = 2;
    dlp_message_t *m = parse_with(multipart, strlen(multipart), &l, &inc);
    assert_true(inc & (1u << DLP_LIMIT_MIME_PARTS));
    assert_null(at(m, "fwd.eml/body"));
    dlp_message_free(m);

    dlp_limits_default(&l);
    l.v[DLP_LIMIT_MIME_DEPTH] = 2;
    m = parse_with(multipart, strlen(multipart), &l, &inc);
    assert_true(inc & (1u << DLP_LIMIT_MIME_DEPTH));
    dlp_message_free(m);

    dlp_limits_default(&l);
    l.v[DLP_LIMIT_DECOMPRESSED_BYTES] = 1024;
    char *big = malloc(200000);
    int k = sprintf(big, "Content-Type: text/plain\n\n");
    memset(big + k, 'a', 100000);
    big[k + 100000] = 0;
    m = parse_with(big, strlen(big), &l, &inc);
    assert_true(inc & (1u << DLP_LIMIT_DECOMPRESSED_BYTES));
    assert_int_equal(at(m, "body")->len, 1024);
    dlp_message_free(m);

    dlp_limits_default(&l);
    l.v[DLP_LIMIT_MESSAGE_BYTES] = 1024;
    m = parse_with(big, strlen(big), &l, &inc);
    assert_true(inc & (1u << DLP_LIMIT_MESSAGE_BYTES));
    dlp_message_free(m);
    free(big);
}

static const dlp_msg_attachment_t *attachment(const dlp_message_t *m, const char *where)
{
    const dlp_msg_attachment_t *a;
    size_t n = dlp_message_attachments(m, &a);
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].where, where) == 0)
            return &a[i];
    return NULL;
}

static void test_attachment_types(void **state)
{
    /* a PNG declared as PNG, a zip declared as a PDF, a csv */
    const char *raw =
        "Content-Type: multipart/mixed; boundary=Q\n\n"
        "--Q\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=pic.png\n\n"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
        "RU5ErkJggg==\n"
        "--Q\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=report.pdf\n\n"
        "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\n"
        "--Q\nContent-Type: text/csv\nContent-Disposition: attachment; filename=a.csv\n\n"
        "name,rank\nSmith,SGT\n"
        "--Q--\n";
    uint32_t inc;
    dlp_message_t *m = parse(raw, &inc);
    const dlp_msg_attachment_t *png = attachment(m, "pic.png");
    assert_non_null(png);
    assert_string_equal(png->detected_type, "image/png");
    assert_int_equal(png->size, 70);
    assert_false(png->flags & DLP_ATT_TYPE_MISMATCH);
    assert_false(png->flags & DLP_ATT_EXTRACTED);
    const dlp_msg_attachment_t *pdf = attachment(m, "report.pdf");
    assert_non_null(pdf);
    assert_string_equal(pdf->declared_type, "application/pdf");
    assert_string_equal(pdf->detected_type, "application/zip");
    assert_true(pdf->flags & DLP_ATT_TYPE_MISMATCH);
    const dlp_msg_attachment_t *csv = attachment(m, "a.csv");
    assert_non_null(csv);
    assert_true(csv->flags & DLP_ATT_EXTRACTED);
    assert_false(csv->flags & DLP_ATT_TYPE_MISMATCH);
    dlp_message_free(m);
}

/* 1,000 nested multiparts: the walk stops at the depth limit and says so. */
static void test_deep_nesting(void **state)
{
    size_t cap = 1 << 20, k = 0;
    char *raw = malloc(cap);
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(raw + k, cap - k,
                              "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    k += (size_t)snprintf(raw + k, cap - k, "Content-Type: text/plain\n\nFOUO deep\n");
    for (int i = 999; i >= 0; i--)
        k += (size_t)snprintf(raw + k, cap - k, "--b%d--\n", i);
    uint32_t inc;
    dlp_limits_t l;
    dlp_limits_default(&l);
    dlp_message_t *m = parse_with(raw, k, &l, &inc);
    assert_true(inc & (1u << DLP_LIMIT_MIME_DEPTH));
    dlp_message_free(m);
    free(raw);
}

static void count_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer n)
{
    ++*(unsigned *)n;
}

static void test_broken_and_empty(void **state)
{
    uint32_t inc;
    dlp_message_t *m = parse("Subject: only headers", &inc);
    assert_non_null(at(m, "subject"));
    assert_null(at(m, "body"));
    dlp_message_free(m);
    m = parse("", &inc);
    const dlp_surface_t *s;
    dlp_message_surfaces(m, &s);
    dlp_message_free(m);
    /* No bytes at all, as an empty protobuf field arrives: no GMime critical. */
    unsigned criticals = 0;
    guint h = g_log_set_handler("gmime", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING, count_log,
                                &criticals);
    dlp_limits_t l;
    dlp_limits_default(&l);
    m = parse_with(NULL, 0, &l, &inc);
    assert_non_null(m);
    assert_int_equal(dlp_message_surfaces(m, &s), 0);
    dlp_message_free(m);
    g_log_remove_handler("gmime", h);
    assert_int_equal(criticals, 0);
    /* a multipart whose closing boundary never comes still yields its text */
    m = parse("Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n"
              "FOUO truncated",
              &inc);
    assert_true(text_has(at(m, "body"), "FOUO truncated"));
    dlp_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_and_addresses),
        cmocka_unit_test(test_encodings_and_charsets),
        cmocka_unit_test(test_html_rendered),
        cmocka_unit_test(test_html_edge_cases),
        cmocka_unit_test(test_html_deadline),
        cmocka_unit_test(test_attachments_and_forwarded_mail),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_attachment_types),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_broken_and_empty),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (magic)
        magic_close(magic);
    return rc;
}
