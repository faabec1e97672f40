/*
 * test_dlpc - the dlpc binary against the real daemon: verdicts, JSON output
 * and exit codes are the interface scripts and gateways rely on.
 *
 * A FOUO-marked message to a .ml look-alike of a .mil address must be
 * blocked (exit 3, a marking.* finding); an ordinary message must be allowed
 * (exit 0, no findings). Also: several files on one connection come back in
 * file order, an unreadable file is exit 4, and ping works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_ARGS 16

/* Runs dlpc with 'args' (NULL-terminated) against the daemon; returns its exit status. */
static int run_dlpc(const dlpd_proc_t *d, const char *const *args, char **out, char **err)
{
    char *argv[MAX_ARGS + 6];
    size_t n = 0;
    argv[n++] = (char *)IT_DLPC_BIN;
    argv[n++] = (char *)"--socket";
    argv[n++] = (char *)d->address;
    argv[n++] = (char *)"--timeout";
    argv[n++] = (char *)"60000";
    for (size_t i = 0; args[i] && i < MAX_ARGS; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    int st = harness_run(argv, out, err);
    if (err && *err && (*err)[0])
        fprintf(stderr, "dlpc stderr: %s", *err);
    return st;
}

/* Parses one JSON line, failing the test when it is not an object. */
static json_t *parse_line(const char *line)
{
    json_error_t e;
    json_t *o = json_loads(line, JSON_DISABLE_EOF_CHECK, &e);
    if (!o)
        fprintf(stderr, "bad JSON (%s): %s\n", e.text, line);
    assert_non_null(o);
    assert_true(json_is_object(o));
    return o;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static int has_marking_finding(json_t *o)
{
    json_t *findings = json_object_get(o, "findings"), *f;
    size_t i;
    assert_true(json_is_array(findings));
    json_array_foreach(findings, i, f)
    {
        const char *rule = json_string_value(json_object_get(f, "rule"));
        if (rule && strncmp(rule, "marking.", 8) == 0)
            return 1;
    }
    return 0;
}

/* Every key of the documented schema is there, in order. */
static void assert_schema(json_t *o)
{
    static const char *const keys[] = {"file",       "action",        "score",   "findings",
                                       "recipients", "attachments",   "reasons", "notice",
                                       "incomplete", "rules_version", "scan_us"};
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach(o, key, v)
    {
        assert_true(i < sizeof(keys) / sizeof(keys[0]));
        assert_string_equal(key, keys[i]);
        i++;
    }
    assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
    assert_true(json_is_integer(json_object_get(o, "score")));
    assert_true(json_is_array(json_object_get(o, "recipients")));
    assert_true(json_is_array(json_object_get(o, "attachments")));
}

static void test_fouo_to_ml_is_blocked(void **state)
{
    const dlpd_proc_t *d = *state;
    const char *file = harness_example("fouo-to-ml.eml");
    char *out, *err;
    const char *args[] = {"scan", "--json", file, NULL};
    assert_int_equal(run_dlpc(d, args, &out, &err), 3);
    json_t *o = parse_line(out);
    assert_schema(o);
    assert_string_equal(str(o, "file"), file);
    assert_string_equal(str(o, "action"), "block");
    assert_true(has_marking_finding(o));
    /* The recipient came from the To: header, and it is the one blocked. */
    json_t *rcpts = json_object_get(o, "recipients"), *r;
    size_t i;
    int blocked = 0;
    json_array_foreach(rcpts, i, r)
    {
        const char *addr = json_string_value(json_object_get(r, "address"));
        const char *src = json_string_value(json_object_get(r, "source"));
        const char *act = json_string_value(json_object_get(r, "action"));
        blocked |= addr && strstr(addr, "@army.ml") && src && !strcmp(src, "to") && act &&
                   !strcmp(act, "block");
    }
    assert_true(blocked);
    json_decref(o);
    free(out);
    free(err);
}

static void test_fouo_with_envelope_rcpt_is_blocked(void **state)
{
    const dlpd_proc_t *d = *state;
    const char *file = harness_example("fouo-to-ml.eml");
    char *out, *err;
    const char *args[] = {"scan",   "--json",          "--from", "analyst@example.org",
                          "--rcpt", "j.smith@army.ml", file,     NULL};
    assert_int_equal(run_dlpc(d, args, &out, &err), 3);
    json_t *o = parse_line(out);
    assert_string_equal(str(o, "action"), "block");
    assert_true(has_marking_finding(o));
    json_decref(o);
    free(out);
    free(err);
}

static void test_fouo_human_output(void **state)
{
    const dlpd_proc_t *d = *state;
    const char *file = harness_example("fouo-to-ml.eml");
    char *out, *err;
    const char *args[] = {"scan", file, NULL};
    assert_int_equal(run_dlpc(d, args, &out, &err), 3);
    char want[4200];
    snprintf(want, sizeof(want), "%s: BLOCK (score ", file);
    assert_true(strncmp(out, want, strlen(want)) == 0);
    assert_non_null(strstr(out, "\n  finding marking."));
    free(out);
    free(err);
}

static void test_benign_is_allowed(void **state)
{
    const dlpd_proc_t *d = *state;
    const char *file = harness_example("benign.eml");
    char *out, *err;
    const char *args[] = {"scan", "--json", file, NULL};
    assert_int_equal(run_dlpc(d, args, &out, &err), 0);
    json_t *o = parse_line(out);
    assert_schema(o);
    assert_string_equal(str(o, "action"), "allow");
    assert_int_equal(json_array_size(json_object_get(o, "findings")), 0);
    json_decref(o);
    free(out);
    free(err);
}

/* Several files share one connection; lines come back in file order, status is the max. */
static void test_several_files_in_order(void **state)
{
    const dlpd_proc_t *d = *state;
    char benign[4096], fouo[4096];
    snprintf(benign, sizeof(benign), "%s", harness_example("benign.eml"));
    snprintf(fouo, sizeof(fouo), "%s", harness_example("fouo-to-ml.eml"));
    char *out, *err;
    const char *args[] = {"scan", "--json", benign, fouo, benign, NULL};
    assert_int_equal(run_dlpc(d, args, &out, &err), 3);
    const char *want[] = {benign, fouo, benign}, *action[] = {"allow", "block", "allow"};
    char *line = out;
    for (int i = 0; i < 3; i++) {
        assert_non_null(line);
        json_t *o = parse_line(line);
        assert_string_equal(str(o, "file"), want[i]);
        assert_string_equal(str(o, "action"), action[i]);
        json_decref(o);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    assert_true(line == NULL || *line == '\0');
    free(out);
    free(err);
}

static void test_unreadable_file_is_error(void **state)
{
    const dlpd_proc_t *d = *state;
    char *out, *err;
    const char *args[] = {"scan", "--json", harness_example("benign.eml"),
                          "/nonexistent/dlpc-test.eml", NULL};
    assert_int_equal(run_dlpc(d, args, &out, &err), 4);
    assert_non_null(strstr(err, "/nonexistent/dlpc-test.eml"));
    json_t *o = parse_line(out); /* the readable file still got its verdict */
    assert_string_equal(str(o, "action"), "allow");
    json_decref(o);
    free(out);
    free(err);
}

static void test_ping_and_usage(void **state)
{
    const dlpd_proc_t *d = *state;
    char *out, *err;
    const char *ping[] = {"ping", NULL};
    assert_int_equal(run_dlpc(d, ping, &out, &err), 0);
    assert_non_null(strstr(out, " us"));
    free(out);
    free(err);
    const char *bad[] = {"scan", NULL};
    assert_int_equal(run_dlpc(d, bad, &out, &err), 64);
    free(out);
    free(err);
}

static int setup(void **state)
{
    return harness_group_start(state, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fouo_to_ml_is_blocked),
        cmocka_unit_test(test_fouo_with_envelope_rcpt_is_blocked),
        cmocka_unit_test(test_fouo_human_output),
        cmocka_unit_test(test_benign_is_allowed),
        cmocka_unit_test(test_several_files_in_order),
        cmocka_unit_test(test_unreadable_file_is_error),
        cmocka_unit_test(test_ping_and_usage),
    };
    return cmocka_run_group_tests(tests, setup, harness_group_stop);
}
