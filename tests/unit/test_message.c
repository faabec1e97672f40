/* test_message - the message reader: headers, addresses, body decoding, size limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "message.h"
#include "testutil.h"

static const dlp_surface_t *find_part(const dlp_message_t *m, dlp_part_t part)
{
    const dlp_surface_t *s;
    size_t n = dlp_message_surfaces(m, &s);
    for (size_t i = 0; i < n; i++)
        if (s[i].part == part)
            return &s[i];
    return NULL;
}

static dlp_message_t *parse(const char *raw, uint32_t *inc)
{
    dlp_limits_t l;
    dlp_limits_default(&l);
    dlp_message_t *m;
    *inc = 0;
    assert_int_equal(dlp_message_parse((const uint8_t *)raw, strlen(raw), &l, &m, inc), DLP_OK);
    return m;
}

static void test_headers_unfolded_and_addresses(void **state)
{
    const char *raw = "From: a@x.org\r\n"
                      "To: \"Doe, John\" <John.Doe@ARMY.ML>, plain@Example.COM (Team)\r\n"
                      "Cc: undisclosed:;, grp: one@a.mil, two@b.mil;\r\n"
                      "Subject: Travel\r\n plan for\r\n\tTDY\r\n"
                      "\r\n"
                      "Body text\r\n";
    uint32_t inc;
    dlp_message_t *m = parse(raw, &inc);
    const dlp_surface_t *subj = find_part(m, DLP_PART_SUBJECT);
    assert_non_null(subj);
    assert_int_equal(subj->len, strlen("Travel plan for TDY"));
    assert_memory_equal(subj->data, "Travel plan for TDY", subj->len);
    const dlp_surface_t *body = find_part(m, DLP_PART_BODY);
    assert_memory_equal(body->data, "Body text\r\n", body->len);
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

static void test_transfer_encodings_decoded(void **state)
{
    uint32_t inc;
    dlp_message_t *m = parse("Content-Transfer-Encoding: base64\n\n"
                             "Rk9SIE9GRklDSUFMIFVTRSBPTkxZ\n",
                             &inc);
    const dlp_surface_t *b = find_part(m, DLP_PART_BODY);
    assert_int_equal(b->len, strlen("FOR OFFICIAL USE ONLY"));
    assert_memory_equal(b->data, "FOR OFFICIAL USE ONLY", b->len);
    dlp_message_free(m);

    m = parse("Content-Transfer-Encoding: quoted-printable\n\nFOR OFFI=\nCIAL USE=20ONLY=3D\n",
              &inc);
    b = find_part(m, DLP_PART_BODY);
    assert_memory_equal(b->data, "FOR OFFICIAL USE ONLY=\n", b->len);
    dlp_message_free(m);
}

static void test_message_bytes_limit(void **state)
{
    dlp_limits_t l;
    dlp_limits_default(&l);
    l.v[DLP_LIMIT_MESSAGE_BYTES] = 1024;
    char *raw = malloc(4096);
    memset(raw, 'a', 4096);
    memcpy(raw, "Subject: x\n\n", 12);
    dlp_message_t *m;
    uint32_t inc = 0;
    assert_int_equal(dlp_message_parse((uint8_t *)raw, 4096, &l, &m, &inc), DLP_OK);
    assert_true(inc & (1u << DLP_LIMIT_MESSAGE_BYTES));
    assert_int_equal(find_part(m, DLP_PART_BODY)->len, 1024 - 12);
    dlp_message_free(m);
    free(raw);
}

static void test_headers_only_and_empty(void **state)
{
    uint32_t inc;
    dlp_message_t *m = parse("Subject: only headers", &inc);
    assert_non_null(find_part(m, DLP_PART_SUBJECT));
    assert_null(find_part(m, DLP_PART_BODY));
    dlp_message_free(m);
    m = parse("", &inc);
    const dlp_surface_t *s;
    assert_int_equal(dlp_message_surfaces(m, &s), 0);
    dlp_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_unfolded_and_addresses),
        cmocka_unit_test(test_transfer_encodings_decoded),
        cmocka_unit_test(test_message_bytes_limit),
        cmocka_unit_test(test_headers_only_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
