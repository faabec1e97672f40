/*
 * test_validate - match validators, with the public MRZ test vectors from
 * the shared corpus (ICAO 9303 specimens collected by other projects).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"
#include "validate.h"

#define V(fn, s) fn((const uint8_t *)(s), strlen(s))

static void test_luhn(void **state)
{
    assert_true(V(dlp_valid_luhn, "4111 1111 1111 1111"));
    assert_true(V(dlp_valid_luhn, "5500-0000-0000-0004"));
    assert_true(V(dlp_valid_luhn, "378282246310005"));
    assert_false(V(dlp_valid_luhn, "4111 1111 1111 1112"));
    assert_false(V(dlp_valid_luhn, "0000 0000 0000 0000")); /* one digit repeated */
    assert_false(V(dlp_valid_luhn, "79927398713"));         /* valid Luhn, too short */
    assert_false(V(dlp_valid_luhn, "4111x1111 1111 1111"));
}

static void test_ssn(void **state)
{
    assert_true(V(dlp_valid_ssn, "123-45-6789"));
    assert_true(V(dlp_valid_ssn, "123456789"));
    assert_false(V(dlp_valid_ssn, "000-45-6789"));
    assert_false(V(dlp_valid_ssn, "666-45-6789"));
    assert_false(V(dlp_valid_ssn, "912-45-6789"));
    assert_false(V(dlp_valid_ssn, "123-00-6789"));
    assert_false(V(dlp_valid_ssn, "123-45-0000"));
    assert_false(V(dlp_valid_ssn, "078-05-1120"));
    assert_false(V(dlp_valid_ssn, "123-45-678"));
}

static void test_iban(void **state)
{
    assert_true(V(dlp_valid_iban, "GB82 WEST 1234 5698 7654 32"));
    assert_true(V(dlp_valid_iban, "DE89370400440532013000"));
    assert_false(V(dlp_valid_iban, "GB82 WEST 1234 5698 7654 33"));
    assert_false(V(dlp_valid_iban, "DE8937040044053201300"));
    assert_false(V(dlp_valid_iban, "1289370400440532013000"));
}

static void test_aba_and_npi(void **state)
{
    assert_true(V(dlp_valid_aba, "021000021"));
    assert_true(V(dlp_valid_aba, "011000015"));
    assert_false(V(dlp_valid_aba, "021000022"));
    assert_false(V(dlp_valid_aba, "991000016")); /* no such Federal Reserve prefix */
    assert_true(V(dlp_valid_npi, "1234567893"));
    assert_false(V(dlp_valid_npi, "1234567890"));
    assert_false(V(dlp_valid_npi, "3234567893"));
}

static void test_labelled_values(void **state)
{
    assert_true(V(dlp_valid_aba, "Routing number: 021000021"));
    assert_false(V(dlp_valid_aba, "Routing number: 021000022"));
    assert_true(V(dlp_valid_iban, "IBAN: GB82 WEST 1234 5698 7654 32"));
    assert_true(V(dlp_valid_iban, "iban DE89370400440532013000"));
    assert_false(V(dlp_valid_iban, "IBAN: GB82 WEST 1234 5698 7654 33"));
    assert_true(V(dlp_valid_luhn, "Visa: 4000056655665556"));
    assert_false(V(dlp_valid_luhn, "Visa: 4000056655665557"));
    assert_true(V(dlp_valid_ssn, "SSN 123-45-6789"));
}

static void test_mrz_hand_cases(void **state)
{
    /* ICAO 9303 part 4 specimen (Anna Maria Eriksson, Utopia) */
    const char *td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                      "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    assert_true(V(dlp_valid_mrz, td3));
    assert_true(V(dlp_valid_mrz, "L898902C36UTO7408122F1204159ZE184226B<<<<<10"));
    assert_false(V(dlp_valid_mrz, "L898902C36UTO7408122F1204159ZE184226B<<<<<11"));
    assert_false(V(dlp_valid_mrz, "L898902C37UTO7408122F1204159ZE184226B<<<<<10"));
    assert_false(V(dlp_valid_mrz, "L898902C36UTO7408122F1204159ZE184226B<<<<<1"));
    assert_false(V(dlp_valid_mrz, "l898902c36uto7408122f1204159ze184226b<<<<<10"));
}

static void test_mrz_corpus_vectors(void **state)
{
    const char *path = DLP_SOURCE_DIR "/../shared/corpus/mrz-testvectors/mrz_vectors.jsonl";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    int tested = 0, wrong = 0;
    while (fgets(line, sizeof(line), f)) {
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        const char *fmt = json_string_value(json_object_get(o, "format"));
        json_t *lines = json_object_get(o, "lines");
        int want = json_is_true(json_object_get(o, "all_check_digits_valid"));
        if (fmt && (!strcmp(fmt, "TD1") || !strcmp(fmt, "TD2") || !strcmp(fmt, "TD3"))) {
            char block[256] = "";
            for (size_t i = 0; i < json_array_size(lines); i++) {
                strcat(block, json_string_value(json_array_get(lines, i)));
                strcat(block, "\n");
            }
            if (V(dlp_valid_mrz, block) != want) {
                print_error("vector %lld (%s): want %d\n",
                            (long long)json_integer_value(json_object_get(o, "id")), fmt, want);
                wrong++;
            }
            tested++;
        }
        json_decref(o);
    }
    fclose(f);
    assert_true(tested >= 30);
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_ssn),
        cmocka_unit_test(test_iban),
        cmocka_unit_test(test_aba_and_npi),
        cmocka_unit_test(test_labelled_values),
        cmocka_unit_test(test_mrz_hand_cases),
        cmocka_unit_test(test_mrz_corpus_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
