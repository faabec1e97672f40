/*
 * validate.c - match validators (see validate.h). All run in time linear in
 * the match and allocate nothing; they are called only on candidate matches.
 */
#include "validate.h"

#include <string.h>

/*
 * A match may carry its label ("Routing number: 021000021"): validators check
 * the value at its end, the longest trailing run of the characters in 'set'
 * (leading separators dropped), so label-led patterns keep their checksums.
 */
static void trailing_value(const uint8_t **s, size_t *n, const char *set, const char *seps)
{
    size_t i = *n;
    while (i > 0 && (*s)[i - 1] && strchr(set, (*s)[i - 1]))
        i--;
    while (i < *n && strchr(seps, (*s)[i]))
        i++;
    *s += i;
    *n -= i;
}

#define DIGITS_AND(seps) "0123456789" seps

/* Copies the digits of s (at most max) into d; returns how many, or -1 on other chars. */
static int digits(const uint8_t *s, size_t n, uint8_t *d, size_t max, const char *seps)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (k == max)
                return -1;
            d[k++] = (uint8_t)(s[i] - '0');
        } else if (!strchr(seps, s[i])) {
            return -1;
        }
    }
    return (int)k;
}

static int luhn_ok(const uint8_t *d, int k)
{
    int sum = 0;
    for (int i = k - 1, dbl = 0; i >= 0; i--, dbl ^= 1) {
        int v = d[i] * (dbl ? 2 : 1);
        sum += v > 9 ? v - 9 : v;
    }
    return sum % 10 == 0;
}

int dlp_valid_luhn(const uint8_t *s, size_t n)
{
    trailing_value(&s, &n, DIGITS_AND(" -"), " -");
    uint8_t d[32];
    int k = digits(s, n, d, sizeof(d), " -");
    if (k < 12 || k > 19)
        return 0;
    int same = 1;
    for (int i = 1; i < k; i++)
        same &= d[i] == d[0];
    return !same && luhn_ok(d, k);
}

int dlp_valid_npi(const uint8_t *s, size_t n)
{
    trailing_value(&s, &n, DIGITS_AND(""), "");
    uint8_t d[15] = {8, 0, 8, 4, 0}; /* the card-issuer prefix 80840 per CMS */
    int k = digits(s, n, d + 5, 10, "");
    return k == 10 && (d[5] == 1 || d[5] == 2) && luhn_ok(d, 15);
}

int dlp_valid_aba(const uint8_t *s, size_t n)
{
    trailing_value(&s, &n, DIGITS_AND(" -"), " -");
    uint8_t d[9];
    if (digits(s, n, d, 9, " -") != 9)
        return 0;
    int prefix = d[0] * 10 + d[1];
    if (!(prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) ||
          prefix == 80))
        return 0;
    int sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    return sum % 10 == 0 && !(d[0] == 0 && d[1] == 0 && d[2] == 0);
}

int dlp_valid_ssn(const uint8_t *s, size_t n)
{
    trailing_value(&s, &n, DIGITS_AND(" -"), " -");
    uint8_t d[9];
    if (digits(s, n, d, 9, " -") != 9)
        return 0;
    int area = d[0] * 100 + d[1] * 10 + d[2];
    int group = d[3] * 10 + d[4];
    int serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
    if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
        return 0;
    /* numbers printed on sample cards and in advertising, never issued to anyone */
    if ((area == 78 && group == 5 && serial == 1120) ||
        (area == 219 && group == 9 && serial == 9999))
        return 0;
    return 1;
}

int dlp_valid_iban(const uint8_t *s, size_t n)
{
    /* the value starts at the last "CCdd" (country letters, check digits) of
       the trailing run of letters, digits and spaces */
    trailing_value(&s, &n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ", " ");
    for (size_t i = 0; i + 4 <= n; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z' && s[i + 1] >= 'A' && s[i + 1] <= 'Z' && s[i + 2] >= '0' &&
            s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9' && (i == 0 || s[i - 1] == ' ')) {
            s += i;
            n -= i;
            break;
        }
    }
    char c[40];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = s[i];
        if (ch == ' ')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (uint8_t)(ch - 32);
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) || k == sizeof(c))
            return 0;
        c[k++] = (char)ch;
    }
    if (k < 15 || k > 34 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || c[2] > '9' ||
        c[3] > '9')
        return 0;
    unsigned rem = 0;
    for (size_t i = 0; i < k; i++) {
        char ch = c[(i + 4) % k]; /* country and check digits move to the end */
        if (ch >= 'A')
            rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
        else
            rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
    }
    return rem == 1;
}

/* ------------------------------------------------------------------- MRZ */

static int mrz_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A' + 10;
    return ch == '<' ? 0 : -1;
}

/* ICAO 9303 check digit over s[0..n): weights 7, 3, 1. */
static int mrz_check(const char *s, size_t n)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += mrz_value(s[i]) * w[i % 3];
    return sum % 10;
}

/* Field s[0..n) followed by its check digit; '<' stands for 0 on an empty field. */
static int field_ok(const char *s, size_t n)
{
    char cd = s[n];
    if (cd == '<') {
        for (size_t i = 0; i < n; i++)
            if (s[i] != '<')
                return 0;
        return 1;
    }
    return cd >= '0' && cd <= '9' && mrz_check(s, n) == cd - '0';
}

static int composite_ok(const char *parts[], const size_t lens[], int count, char cd)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0, pos = 0;
    for (int p = 0; p < count; p++)
        for (size_t i = 0; i < lens[p]; i++, pos++)
            sum += mrz_value(parts[p][i]) * w[pos % 3];
    return cd >= '0' && cd <= '9' && sum % 10 == cd - '0';
}

/*
 * A document number of 9 characters at s, its check digit at s[9]. A longer
 * number has '<' there and continues in the optional data at opt, ending in
 * its check digit just before the next filler (ICAO 9303 parts 5 and 6).
 */
static int docnum_ok(const char *s, const char *opt, size_t optlen)
{
    if (s[9] != '<' || s[8] == '<')
        return field_ok(s, 9);
    size_t k = 0;
    while (k < optlen && opt[k] != '<')
        k++;
    if (k < 2)
        return 0;
    /* Issuers differ on whether the check covers the '<' at s[9]: accept both. */
    char with[48], without[48];
    memcpy(with, s, 10);
    memcpy(with + 10, opt, k - 1);
    memcpy(without, s, 9);
    memcpy(without + 9, opt, k - 1);
    int cd = opt[k - 1] - '0';
    return cd >= 0 && cd <= 9 &&
           (mrz_check(with, 10 + k - 1) == cd || mrz_check(without, 9 + k - 1) == cd);
}

/* Line 2 of a TD3 (44) or TD2 (36) document. */
static int mrz_td23_line2(const char *l, size_t len)
{
    size_t opt_end = len - 2; /* TD3: personal number + its check; TD2: optional data */
    int long_ok = len == 36 && docnum_ok(l, l + 28, 7);
    if (!(long_ok || field_ok(l, 9)) || !field_ok(l + 13, 6) || !field_ok(l + 21, 6))
        return 0;
    if (len == 44 && !field_ok(l + 28, 14))
        return 0;
    const char *parts[] = {l, l + 13, l + 21};
    const size_t lens[] = {10, 7, opt_end + 1 - 21};
    return composite_ok(parts, lens, 3, l[len - 1]);
}

static int mrz_td1(const char *a, const char *b)
{
    if (!docnum_ok(a + 5, a + 15, 15) || !field_ok(b, 6) || !field_ok(b + 8, 6))
        return 0;
    const char *parts[] = {a + 5, b, b + 8, b + 18};
    const size_t lens[] = {25, 7, 7, 11};
    return composite_ok(parts, lens, 4, b[29]);
}

/*
 * Accepts the MRZ as matched: TD3 or TD2 line 2 alone, or the whole block
 * of 2 (TD3, TD2) or 3 (TD1) lines with any line breaks or spaces between.
 */
int dlp_valid_mrz(const uint8_t *s, size_t n)
{
    char c[96];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n' || s[i] == ' ')
            continue;
        if (k == sizeof(c) || mrz_value((char)s[i]) < 0)
            return 0;
        c[k++] = (char)s[i];
    }
    switch (k) {
    case 44: /* TD3 line 2 */
    case 36: /* TD2 line 2 */
        return mrz_td23_line2(c, k);
    case 88:
        return mrz_td23_line2(c + 44, 44);
    case 72:
        return mrz_td23_line2(c + 36, 36);
    case 90:
        return mrz_td1(c, c + 30);
    case 60: /* TD1 lines 1 and 2 */
        return mrz_td1(c, c + 30);
    }
    return 0;
}

static const struct {
    const char *name;
    dlp_validator_fn fn;
} validators[] = {
    {"luhn", dlp_valid_luhn}, {"mrz", dlp_valid_mrz}, {"ssn", dlp_valid_ssn},
    {"iban", dlp_valid_iban}, {"aba", dlp_valid_aba}, {"npi", dlp_valid_npi},
};

dlp_validator_fn dlp_validator_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(validators) / sizeof(validators[0]); i++)
        if (strcmp(validators[i].name, name) == 0)
            return validators[i].fn;
    return NULL;
}

const char *dlp_validator_names(void)
{
    return "luhn, mrz, ssn, iban, aba, npi";
}
