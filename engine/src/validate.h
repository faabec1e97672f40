/*
 * validate - checks run on the text of a candidate match, so that a cheap
 * pattern can find shapes and a precise check confirms them: Luhn (cards),
 * ICAO 9303 MRZ check digits, US SSN structure, IBAN mod 97, ABA routing
 * numbers and NPI. Each takes the matched bytes, checks the value at their
 * end (so a match may begin with its label, "IBAN: ..."), ignores separators
 * where the format allows them, and returns 1 when the value is valid.
 */
#ifndef DLP_VALIDATE_H
#define DLP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

typedef int (*dlp_validator_fn)(const uint8_t *s, size_t n);

/* The validator named name, or NULL. */
dlp_validator_fn dlp_validator_find(const char *name);
/* "luhn, mrz, ssn, iban, aba, npi" for error messages. */
const char *dlp_validator_names(void);

int dlp_valid_luhn(const uint8_t *s, size_t n);
int dlp_valid_mrz(const uint8_t *s, size_t n);
int dlp_valid_ssn(const uint8_t *s, size_t n);
int dlp_valid_iban(const uint8_t *s, size_t n);
int dlp_valid_aba(const uint8_t *s, size_t n);
int dlp_valid_npi(const uint8_t *s, size_t n);

#endif
