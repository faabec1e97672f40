/*
 * test_lookalike - recipient classes and look-alike detection: hand cases for
 * every technique, recall over the project's own generator (lookalike_gen.c)
 * for the shipped protected lists and partner domains, and false positives
 * over a list of real, unrelated domains (tests/lookalike/real_domains.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domains.h"
#include "lookalike_gen.h"
#include "testutil.h"

static const char *const internal[] = {"example.org"};
static const char *const protected_[] = {"mil", "gov", "lockheedmartin.com", "boeing.com",
                                         "partner-logistics.com"};
static const char *const files[] = {DLP_SOURCE_DIR "/rules/protected/us-mil.txt",
                                    DLP_SOURCE_DIR "/rules/protected/us-gov.txt"};
static const char *const allowed[] = {"armyandnavyclub.org"};

static int setup(void **state)
{
    dlp_domain_lists_t ls = {internal, 1, protected_, 5, files, 2, allowed, 1};
    dlp_domains_t *d;
    if (dlp_domains_new(&ls, &d, NULL))
        return -1;
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    dlp_domains_free(*state);
    return 0;
}

static void expect(void **state, const char *addr, dlp_class_t cls, const char *of,
                   const char *technique)
{
    dlp_domain_class_t c = dlp_domains_classify(*state, addr);
    if (c.cls != cls || (of && (!c.lookalike_of || strcmp(c.lookalike_of, of))) ||
        (technique && (!c.technique || strcmp(c.technique, technique))))
        fail_msg("%s: got %s %s %s, want %s %s %s", addr, dlp_class_name(c.cls),
                 c.lookalike_of ? c.lookalike_of : "-", c.technique ? c.technique : "-",
                 dlp_class_name(cls), of ? of : "-", technique ? technique : "-");
}

static void test_classes(void **state)
{
    expect(state, "ops@example.org", DLP_CLASS_INTERNAL, NULL, NULL);
    expect(state, "j.smith@mail.army.mil", DLP_CLASS_PROTECTED, NULL, NULL);
    expect(state, "x@IRS.GOV.", DLP_CLASS_PROTECTED, NULL, NULL);
    expect(state, "x@lockheedmartin.com", DLP_CLASS_PROTECTED, NULL, NULL);
    expect(state, "friend@gmail.com", DLP_CLASS_EXTERNAL, NULL, NULL);
    expect(state, "x@army.com", DLP_CLASS_EXTERNAL, NULL, NULL); /* a real, unrelated site */
    expect(state, "x@irs.com", DLP_CLASS_EXTERNAL, NULL, NULL);
    expect(state, "x@armyandnavyclub.org", DLP_CLASS_EXTERNAL, NULL, NULL);
    expect(state, "x@mil.ru", DLP_CLASS_EXTERNAL, NULL, NULL);
    expect(state, "x@nzdf.mil.nz", DLP_CLASS_EXTERNAL, NULL, NULL);
    expect(state, "x@army.mil.nz", DLP_CLASS_EXTERNAL, NULL, NULL); /* New Zealand's army */
    expect(state, "x@sante.gov.ml", DLP_CLASS_EXTERNAL, NULL, NULL);
}

static void test_techniques(void **state)
{
    dlp_class_t L = DLP_CLASS_LOOKALIKE;
    expect(state, "jordan.smith@army.ml", L, "army.mil", "tld_confusion");
    expect(state, "x@ARMY.ML.", L, "army.mil", "tld_confusion");
    expect(state, "x@army.mi", L, "army.mil", "tld_confusion");
    expect(state, "x@army.mill", L, "army.mil", "tld_confusion");
    expect(state, "x@irs.gv", L, "irs.gov", "tld_confusion");
    expect(state, "x@irs.go", L, "irs.gov", "tld_confusion");
    expect(state, "x@boeing.co", L, "boeing.com", "tld_confusion");
    expect(state, "x@boeing.om", L, "boeing.com", "tld_confusion");
    expect(state, "x@armymil.com", L, "army.mil", "dot_omission");
    expect(state, "x@army-mil.com", L, "army.mil", "hyphenation");
    expect(state, "x@army.mil.ml", L, "army.mil", "subdomain_embedding");
    expect(state, "x@mail.mil.example.com", L, "mail.mil", "subdomain_embedding");
    expect(state, "x@lockheedmartn.com", L, "lockheedmartin.com", "omission");
    expect(state, "x@lockheeedmartin.com", L, "lockheedmartin.com", "repetition");
    expect(state, "x@lockheedmartins.com", L, "lockheedmartin.com", "plural");
    expect(state, "x@lockhedemartin.com", L, "lockheedmartin.com", "transposition");
    expect(state, "x@lockheedmirtin.com", L, "lockheedmartin.com", "vowel_swap");
    expect(state, "x@lockheedmartim.com", L, "lockheedmartin.com", "replacement");
    expect(state, "x@lockheedmartin1.com", L, "lockheedmartin.com", "addition");
    expect(state, "x@lockheedmartln.com", L, "lockheedmartin.com", "homoglyph");
    expect(state, "x@boeimg.com", L, "boeing.com", "replacement");
    expect(state, "x@exarnple.org", L, "example.org", "homoglyph");
    expect(state, "x@xn--exmple-4nf.org", L, "example.org", "mixed_script"); /* Cyrillic a */
    expect(state,
           "x@b\xd0\xbe"
           "eing.com",
           L, "boeing.com", "mixed_script"); /* Cyrillic o */
}

typedef struct tally {
    void **state;
    const char *technique[32];
    unsigned total[32], found[32];
    size_t kinds;
} tally_t;

static void count(void *arg, const char *domain, const char *technique)
{
    tally_t *t = arg;
    dlp_domain_class_t c = dlp_domains_classify(*t->state, domain);
    if (c.cls == DLP_CLASS_PROTECTED || c.cls == DLP_CLASS_INTERNAL)
        return; /* the permutation landed on a real protected name */
    size_t k = 0;
    while (k < t->kinds && strcmp(t->technique[k], technique))
        k++;
    if (k == t->kinds && t->kinds < 32)
        t->technique[t->kinds++] = technique;
    t->total[k]++;
    t->found[k] += c.cls == DLP_CLASS_LOOKALIKE;
    if (c.cls != DLP_CLASS_LOOKALIKE && t->total[k] - t->found[k] <= 3)
        print_message("missed %s: %s\n", technique, domain);
}

static void generate_file(const char *path, tally_t *t)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, " \t\r\n#")] = 0;
        if (line[0])
            lag_generate(line, 0, count, t);
    }
    fclose(f);
}

static void test_recall_over_generated_permutations(void **state)
{
    tally_t t = {.state = state};
    generate_file(files[0], &t);
    generate_file(files[1], &t);
    static const char *const partners[] = {"lockheedmartin.com", "boeing.com",
                                           "partner-logistics.com", "example.org"};
    for (size_t i = 0; i < 4; i++)
        lag_generate(partners[i], 1, count, &t);
    unsigned total = 0, found = 0;
    for (size_t k = 0; k < t.kinds; k++) {
        print_message("%-20s %5u of %5u (%.1f%%)\n", t.technique[k], t.found[k], t.total[k],
                      100.0 * t.found[k] / t.total[k]);
        total += t.total[k];
        found += t.found[k];
    }
    print_message("recall: %u of %u (%.2f%%)\n", found, total, 100.0 * found / total);
    assert_true(t.kinds >= 14);
    assert_true(total > 2000);
    assert_true(found * 100 >= total * 99);
}

static void test_real_domains_not_flagged(void **state)
{
    FILE *f = fopen(DLP_SOURCE_DIR "/tests/lookalike/real_domains.txt", "r");
    assert_non_null(f);
    char line[256];
    unsigned n = 0, flagged = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, " \t\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        n++;
        dlp_domain_class_t c = dlp_domains_classify(*state, line);
        if (c.cls == DLP_CLASS_LOOKALIKE) {
            flagged++;
            print_message("flagged %s as %s of %s\n", line, c.technique, c.lookalike_of);
        }
    }
    fclose(f);
    print_message("%u of %u real domains flagged (%.2f%%)\n", flagged, n, 100.0 * flagged / n);
    assert_true(n >= 1000);
    assert_true(flagged * 1000 <= n * 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_techniques),
        cmocka_unit_test(test_recall_over_generated_permutations),
        cmocka_unit_test(test_real_domains_not_flagged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
