/* lookalike_gen.c - look-alike permutations by technique; see lookalike_gen.h. */
#include "lookalike_gen.h"

#include <stdio.h>
#include <string.h>

static const char *const keyboard[] = {
    "qwsz",   "vghn",  "xdfv", "erfcxs", "wrsd", "rtgvcd", "tyhbvf", "yujnbg", "uojk",
    "uikmnh", "iolmj", "opk",  "njk",    "bhjm", "iplk",   "ol",     "wa",     "etfd",
    "wedxza", "ryfg",  "yihj", "cfgb",   "qeas", "zsdc",   "tugh",   "asx"};

static int valid(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

static void out(lag_emit_fn emit, void *arg, const char *name, const char *suffix,
                const char *technique)
{
    char d[300];
    snprintf(d, sizeof(d), "%s.%s", name, suffix);
    if (valid(d) && name[0] && name[0] != '-')
        emit(arg, d, technique);
}

static void name_edits(const char *name, const char *suffix, lag_emit_fn emit, void *arg)
{
    size_t n = strlen(name);
    char b[128];
    for (size_t i = 0; i < n; i++) { /* omission */
        snprintf(b, sizeof(b), "%.*s%s", (int)i, name, name + i + 1);
        out(emit, arg, b, suffix, "omission");
    }
    for (size_t i = 0; i < n; i++) { /* repetition */
        snprintf(b, sizeof(b), "%.*s%c%s", (int)i + 1, name, name[i], name + i + 1);
        out(emit, arg, b, suffix, "repetition");
    }
    for (size_t i = 0; i + 1 < n; i++) { /* transposition */
        if (name[i] == name[i + 1])
            continue;
        snprintf(b, sizeof(b), "%s", name);
        b[i] = name[i + 1], b[i + 1] = name[i];
        out(emit, arg, b, suffix, "transposition");
    }
    for (size_t i = 0; i < n; i++) { /* keyboard replacement and insertion */
        if (name[i] < 'a' || name[i] > 'z')
            continue;
        for (const char *k = keyboard[name[i] - 'a']; *k; k++) {
            snprintf(b, sizeof(b), "%s", name);
            b[i] = *k;
            out(emit, arg, b, suffix, "replacement");
            snprintf(b, sizeof(b), "%.*s%c%s", (int)i + 1, name, *k, name + i + 1);
            out(emit, arg, b, suffix, "insertion");
        }
    }
    static const char vowels[] = "aeiou";
    for (size_t i = 0; i < n; i++) { /* vowel swap */
        if (!strchr(vowels, name[i]))
            continue;
        for (const char *v = vowels; *v; v++) {
            if (*v == name[i])
                continue;
            snprintf(b, sizeof(b), "%s", name);
            b[i] = *v;
            out(emit, arg, b, suffix, "vowel_swap");
        }
    }
    for (size_t i = 0; i < n; i++) /* bitsquatting */
        for (int bit = 0; bit < 8; bit++) {
            snprintf(b, sizeof(b), "%s", name);
            b[i] = (char)(b[i] ^ (1 << bit));
            if ((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9'))
                out(emit, arg, b, suffix, "bitsquatting");
        }
    snprintf(b, sizeof(b), "%ss", name);
    out(emit, arg, b, suffix, "plural");
    for (char c = 'a'; c <= 'z'; c++) {
        snprintf(b, sizeof(b), "%s%c", name, c);
        out(emit, arg, b, suffix, "addition");
    }
    static const char *const glyphs[][2] = {{"o", "0"}, {"l", "1"}, {"i", "1"}, {"m", "rn"}};
    for (size_t g = 0; g < 4; g++) { /* ASCII homoglyphs */
        const char *p = strstr(name, glyphs[g][0]);
        if (!p)
            continue;
        snprintf(b, sizeof(b), "%.*s%s%s", (int)(p - name), name, glyphs[g][1], p + 1);
        out(emit, arg, b, suffix, "homoglyph");
    }
    static const char *const cyr[][2] = {{"a", "\xd0\xb0"}, {"o", "\xd0\xbe"}, {"e", "\xd0\xb5"}};
    for (size_t g = 0; g < 3; g++) { /* one Cyrillic letter: mixed script */
        const char *p = strchr(name, cyr[g][0][0]);
        if (!p)
            continue;
        char d[300];
        snprintf(d, sizeof(d), "%.*s%s%s.%s", (int)(p - name), name, cyr[g][1], p + 1, suffix);
        emit(arg, d, "mixed_script");
    }
}

static void suffix_edits(const char *name, const char *suffix, lag_emit_fn emit, void *arg)
{
    size_t n = strlen(suffix);
    char b[64];
    if (strchr(suffix, '.'))
        return;
    for (size_t i = 0; i < n; i++) {
        snprintf(b, sizeof(b), "%.*s%s", (int)i, suffix, suffix + i + 1);
        if (b[0])
            out(emit, arg, name, b, "tld_confusion");
        snprintf(b, sizeof(b), "%.*s%c%s", (int)i + 1, suffix, suffix[i], suffix + i + 1);
        out(emit, arg, name, b, "tld_confusion");
    }
    for (size_t i = 0; i + 1 < n; i++) {
        snprintf(b, sizeof(b), "%s", suffix);
        b[i] = suffix[i + 1], b[i + 1] = suffix[i];
        out(emit, arg, name, b, "tld_confusion");
    }
    if (!strcmp(suffix, "gov")) {
        out(emit, arg, name, "gv", "tld_confusion");
        out(emit, arg, name, "go", "tld_confusion");
    }
    if (!strcmp(suffix, "com")) {
        out(emit, arg, name, "co", "tld_confusion");
        out(emit, arg, name, "cm", "tld_confusion");
        out(emit, arg, name, "om", "tld_confusion");
    }
}

void lag_generate(const char *target, int edits, lag_emit_fn emit, void *arg)
{
    const char *dot = strchr(target, '.');
    if (!dot)
        return;
    char name[128], d[300];
    snprintf(name, sizeof(name), "%.*s", (int)(dot - target), target);
    const char *suffix = dot + 1;
    suffix_edits(name, suffix, emit, arg);
    snprintf(d, sizeof(d), "%s-%s.com", name, suffix);
    for (char *p = d; *p && p < d + strlen(d) - 4; p++)
        if (*p == '.')
            *p = '-';
    emit(arg, d, "hyphenation");
    size_t k = 0;
    for (const char *p = target; *p; p++)
        if (*p != '.')
            d[k++] = *p;
    snprintf(d + k, sizeof(d) - k, ".com");
    emit(arg, d, "dot_omission");
    /* "irs.gov.ml" is not generated: gov.ml is Mali's own government zone
       (a public suffix), as mil.nz is New Zealand's; army.mil.ml is in the
       hand-written cases */
    snprintf(d, sizeof(d), "%s.secure-mail.ml", target);
    emit(arg, d, "subdomain_embedding");
    snprintf(d, sizeof(d), "mail.%s.example.com", target);
    emit(arg, d, "subdomain_embedding");
    if (edits && strlen(name) >= 4)
        name_edits(name, suffix, emit, arg);
}
