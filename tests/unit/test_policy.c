/*
 * test_policy - the policy module on hand-made verdicts: the built-in
 * default rule by rule, every condition, first-match order, drop, monitor
 * mode, profiles, notice templates and config errors with their positions.
 * No rules are compiled: findings, recipients and attachments are written
 * into a verdict under construction and the policy decides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config.h"
#include "policy.h"
#include "testutil.h"
#include "verdict.h"

/* ---------------------------------------------------------------- helpers */

static dlp_vb_t *vb_new(void)
{
    dlp_vb_t *vb = dlp_vb_new();
    assert_non_null(vb);
    return vb;
}

static void add_finding(dlp_vb_t *vb, const char *rule, dlp_category_t cat, dlp_severity_t sev)
{
    dlp_finding_t *f = dlp_vb_add_finding(vb);
    assert_non_null(f);
    f->rule_id = rule;
    f->category = cat;
    f->severity = sev;
    f->part = DLP_PART_BODY;
    f->where = "body";
    f->count = 1;
    f->snippet = "";
}

static void add_rcpt(dlp_vb_t *vb, const char *addr, dlp_class_t cls, const char *lookalike_of)
{
    dlp_recipient_t *r = dlp_vb_add_recipient(vb);
    assert_non_null(r);
    r->address = addr;
    r->cls = cls;
    r->lookalike_of = lookalike_of;
    r->technique = lookalike_of ? "tld-swap" : NULL;
    r->action = DLP_ACTION_ALLOW;
}

static void add_attachment(dlp_vb_t *vb, uint32_t flags)
{
    dlp_attachment_t *a = dlp_vb_add_attachment(vb);
    assert_non_null(a);
    a->where = "a.zip";
    a->flags = flags;
}

static dlp_verdict_t *apply(const dlp_policy_t *p, const char *profile, const char *mail_from,
                            dlp_vb_t *vb)
{
    assert_int_equal(dlp_policy_apply(p, profile, mail_from, vb), DLP_OK);
    return dlp_vb_verdict(vb);
}

static int has_reason(const dlp_verdict_t *v, const char *a, const char *b)
{
    for (size_t i = 0; i < v->n_reasons; i++)
        if (strstr(v->reasons[i], a) && (!b || strstr(v->reasons[i], b)))
            return 1;
    return 0;
}

/* Loads a config text; returns its policy (a reference the caller drops). */
static dlp_policy_t *load_policy(const char *yaml)
{
    char *path = tu_write("dlpd.yaml", yaml);
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg = NULL;
    int rc = dlp_config_load(path, NULL, &cfg, d);
    for (size_t i = 0; i < dlp_diags_count(d); i++) {
        char buf[1024];
        dlp_diags_format(d, i, buf, sizeof(buf));
        fprintf(stderr, "%s\n", buf);
    }
    assert_int_equal(rc, DLP_OK);
    assert_non_null(cfg->policy);
    dlp_policy_t *p = dlp_policy_ref(cfg->policy);
    dlp_config_free(cfg);
    dlp_diags_free(d);
    free(path);
    return p;
}

/* Loads a config text that must fail; returns its diagnostics. */
static dlp_diags_t *load_errors(const char *yaml)
{
    char *path = tu_write("dlpd.yaml", yaml);
    dlp_diags_t *d = dlp_diags_new();
    dlp_config_t *cfg = NULL;
    assert_int_equal(dlp_config_load(path, NULL, &cfg, d), DLP_ECONFIG);
    assert_null(cfg);
    free(path);
    return d;
}

static dlp_policy_t *builtin(void)
{
    dlp_policy_t *p;
    assert_int_equal(dlp_policy_default(&p), DLP_OK);
    return p;
}

/* ------------------------------------------------------- the default policy */

static void test_default_policy_rule_by_rule(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        dlp_class_t cls;
        int has_finding;
        dlp_category_t cat;
        dlp_severity_t sev;
        uint32_t incomplete;
        dlp_action_t want;
        const char *rule; /* expected in the reasons; NULL: no rule matched */
    } cases[] = {
        {"look-alike, benign", DLP_CLASS_LOOKALIKE, 0, 0, 0, 0, DLP_ACTION_BLOCK,
         "lookalike-recipient"},
        {"marking to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_MARKING, DLP_SEV_LOW, 0,
         DLP_ACTION_BLOCK, "marked-content-outside"},
        {"marking to internal", DLP_CLASS_INTERNAL, 1, DLP_CAT_MARKING, DLP_SEV_HIGH, 0,
         DLP_ACTION_ALLOW, NULL},
        {"marking to protected", DLP_CLASS_PROTECTED, 1, DLP_CAT_MARKING, DLP_SEV_HIGH, 0,
         DLP_ACTION_ALLOW, NULL},
        {"passport high to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_PASSPORT, DLP_SEV_HIGH, 0,
         DLP_ACTION_QUARANTINE, "personal-data-external"},
        {"credential critical to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_CREDENTIAL,
         DLP_SEV_CRITICAL, 0, DLP_ACTION_QUARANTINE, "personal-data-external"},
        {"medical high to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_MEDICAL, DLP_SEV_HIGH, 0,
         DLP_ACTION_QUARANTINE, "personal-data-external"},
        {"identity medium to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_IDENTITY, DLP_SEV_MEDIUM, 0,
         DLP_ACTION_WARN, "sensitive-external"},
        {"financial high to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_FINANCIAL, DLP_SEV_HIGH, 0,
         DLP_ACTION_WARN, "sensitive-external"},
        {"low to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_LOCATION, DLP_SEV_LOW, 0,
         DLP_ACTION_ALLOW, NULL},
        {"incomplete to internal", DLP_CLASS_INTERNAL, 0, 0, 0, 1u << DLP_LIMIT_MIME_DEPTH,
         DLP_ACTION_WARN, "incomplete-scan"},
        {"incomplete, passport to external", DLP_CLASS_EXTERNAL, 1, DLP_CAT_PASSPORT, DLP_SEV_HIGH,
         1u << DLP_LIMIT_SCAN_TIME, DLP_ACTION_QUARANTINE, "personal-data-external"},
        {"benign to external", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, DLP_ACTION_ALLOW, NULL},
    };
    dlp_policy_t *p = builtin();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dlp_vb_t *vb = vb_new();
        if (cases[i].has_finding)
            add_finding(vb, "test.rule", cases[i].cat, cases[i].sev);
        add_rcpt(vb, "someone@dest.example", cases[i].cls,
                 cases[i].cls == DLP_CLASS_LOOKALIKE ? "army.mil" : NULL);
        dlp_vb_verdict(vb)->incomplete = cases[i].incomplete;
        dlp_verdict_t *v = apply(p, NULL, NULL, vb);
        if (v->action != cases[i].want)
            fail_msg("%s: %s, want %s", cases[i].what, dlp_action_name(v->action),
                     dlp_action_name(cases[i].want));
        assert_int_equal(v->recipients[0].action, cases[i].want);
        assert_int_equal(v->would_action, cases[i].want);
        assert_false(v->monitor);
        assert_string_equal(v->profile, "default");
        if (cases[i].rule && !has_reason(v, "by policy rule", cases[i].rule))
            fail_msg("%s: no reason names %s", cases[i].what, cases[i].rule);
        if (!cases[i].rule)
            assert_false(has_reason(v, "by policy rule", NULL));
        assert_true((cases[i].want == DLP_ACTION_ALLOW) == (v->notice == NULL));
        dlp_verdict_free(v);
    }
    dlp_policy_unref(p);
}

static void test_default_lookalike_notice_and_score(void **state)
{
    (void)state;
    dlp_policy_t *p = builtin();
    dlp_vb_t *vb = vb_new();
    add_finding(vb, "marking.fouo", DLP_CAT_MARKING, DLP_SEV_HIGH);
    add_rcpt(vb, "ops@gmail.com", DLP_CLASS_EXTERNAL, NULL);
    add_rcpt(vb, "john.smith@army.ml", DLP_CLASS_LOOKALIKE, "army.mil");
    dlp_vb_verdict(vb)->incomplete = 1u << DLP_LIMIT_PDF_PAGES;
    dlp_verdict_t *v = apply(p, "", NULL, vb);
    assert_int_equal(v->action, DLP_ACTION_BLOCK);
    /* Both are blocked; the notice comes from the rule listed first. */
    assert_string_equal(v->notice, "army.ml looks like army.mil \xe2\x80\x94 check the address");
    /* 35 (high) + 50 (look-alike) + 10 (incomplete), each term a reason. */
    assert_int_equal(v->score, 95);
    assert_true(has_reason(v, "+35 marking.fouo", NULL));
    assert_true(has_reason(v, "+50 look-alike recipient: army.ml looks like army.mil", NULL));
    assert_true(has_reason(v, "+10 incomplete scan", "pdf_pages"));
    assert_true(has_reason(v, "recipient ops@gmail.com (external): block", "(marking.fouo)"));
    dlp_verdict_free(v);

    /* Nobody known: judged as one external recipient. */
    vb = vb_new();
    add_finding(vb, "passport.number", DLP_CAT_PASSPORT, DLP_SEV_HIGH);
    v = apply(p, "default", NULL, vb);
    assert_int_equal(v->action, DLP_ACTION_QUARANTINE);
    assert_true(has_reason(v, "no recipient known", "personal-data-external"));
    assert_non_null(strstr(v->notice, "an unknown recipient"));
    dlp_verdict_free(v);
    dlp_policy_unref(p);
}

/* ------------------------------------------------------------- conditions */

static const char conditions_yaml[] =
    "policy:\n"
    "  - name: all-together\n"
    "    when: {recipient: external, category: financial, min_severity: high, min_score: 35,\n"
    "           attachment: truncated, incomplete: true, sender: example.org}\n"
    "    action: block\n"
    "  - name: by-class\n"
    "    when: {recipient: [protected]}\n"
    "    action: warn\n"
    "  - name: by-category\n"
    "    when: {category: [legal, personnel]}\n"
    "    action: quarantine\n"
    "  - name: by-severity\n"
    "    when: {min_severity: critical}\n"
    "    action: block\n"
    "  - name: by-score\n"
    "    when: {min_score: 30}\n"
    "    action: quarantine\n"
    "  - name: by-attachment\n"
    "    when: {attachment: [encrypted, type_mismatch]}\n"
    "    action: block\n"
    "  - name: by-limit\n"
    "    when: {incomplete: [mime_depth, archive_depth]}\n"
    "    action: quarantine\n"
    "  - name: by-sender\n"
    "    when: {sender: [boss@example.org, travel.example.org, \"<>\"]}\n"
    "    action: warn\n";

typedef struct ccase {
    const char *what;
    dlp_class_t cls;
    int has_finding;
    dlp_category_t cat;
    dlp_severity_t sev;
    uint32_t att_flags;
    uint32_t incomplete;
    const char *mail_from;
    const char *rule; /* the rule that must decide; NULL for none */
} ccase_t;

static void test_each_condition(void **state)
{
    (void)state;
    static const ccase_t cases[] = {
        {"class holds", DLP_CLASS_PROTECTED, 0, 0, 0, 0, 0, NULL, "by-class"},
        {"class fails", DLP_CLASS_INTERNAL, 0, 0, 0, 0, 0, NULL, NULL},
        {"category holds", DLP_CLASS_EXTERNAL, 1, DLP_CAT_PERSONNEL, DLP_SEV_LOW, 0, 0, NULL,
         "by-category"},
        {"category fails", DLP_CLASS_EXTERNAL, 1, DLP_CAT_LOCATION, DLP_SEV_LOW, 0, 0, NULL, NULL},
        {"severity holds", DLP_CLASS_EXTERNAL, 1, DLP_CAT_FINANCIAL, DLP_SEV_CRITICAL, 0, 0, NULL,
         "by-severity"},
        /* high = 35 points: below critical, but the score rule takes it */
        {"severity fails, score holds", DLP_CLASS_EXTERNAL, 1, DLP_CAT_FINANCIAL, DLP_SEV_HIGH, 0,
         0, NULL, "by-score"},
        /* medium 15 + incomplete 10 = 25 < 30 */
        {"score fails", DLP_CLASS_EXTERNAL, 1, DLP_CAT_FINANCIAL, DLP_SEV_MEDIUM, 0,
         1u << DLP_LIMIT_PDF_PAGES, NULL, NULL},
        {"attachment holds", DLP_CLASS_EXTERNAL, 0, 0, 0, DLP_ATT_TYPE_MISMATCH, 0, NULL,
         "by-attachment"},
        {"attachment fails", DLP_CLASS_EXTERNAL, 0, 0, 0, DLP_ATT_EXTRACTED | DLP_ATT_GPS, 0, NULL,
         NULL},
        {"limit holds", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 1u << DLP_LIMIT_ARCHIVE_DEPTH, NULL,
         "by-limit"},
        {"limit fails", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 1u << DLP_LIMIT_PDF_PAGES, NULL, NULL},
        {"sender address", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 0, "<Boss@Example.ORG>", "by-sender"},
        {"sender subdomain", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 0, "a@desk.travel.example.org",
         "by-sender"},
        {"null sender", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 0, "", "by-sender"},
        {"other sender", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 0, "x@eviltravel.example.org", NULL},
        {"other address", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 0, "boss2@example.org", NULL},
        {"sender not given", DLP_CLASS_EXTERNAL, 0, 0, 0, 0, 0, NULL, NULL},
        /* every condition of the first rule holds; each case above misses one */
        {"all together", DLP_CLASS_EXTERNAL, 1, DLP_CAT_FINANCIAL, DLP_SEV_HIGH, DLP_ATT_TRUNCATED,
         1u << DLP_LIMIT_FINDINGS, "pay@hr.example.org", "all-together"},
    };
    dlp_policy_t *p = load_policy(conditions_yaml);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const ccase_t *c = &cases[i];
        dlp_vb_t *vb = vb_new();
        if (c->has_finding)
            add_finding(vb, "test.rule", c->cat, c->sev);
        if (c->att_flags)
            add_attachment(vb, c->att_flags);
        add_rcpt(vb, "r@dest.example", c->cls, NULL);
        dlp_vb_verdict(vb)->incomplete = c->incomplete;
        dlp_verdict_t *v = apply(p, NULL, c->mail_from, vb);
        int ok = c->rule ? has_reason(v, "by policy rule", c->rule)
                         : !has_reason(v, "by policy rule", NULL) && v->action == DLP_ACTION_ALLOW;
        if (!ok)
            fail_msg("%s: expected %s; action %s, %zu reasons, last \"%s\"", c->what,
                     c->rule ? c->rule : "no rule", dlp_action_name(v->action), v->n_reasons,
                     v->n_reasons ? v->reasons[v->n_reasons - 1] : "");
        dlp_verdict_free(v);
    }
    dlp_policy_unref(p);
}

static void test_sender_patterns(void **state)
{
    (void)state;
    assert_true(dlp_policy_sender_matches("example.org", "a@example.org"));
    assert_true(dlp_policy_sender_matches("example.org", " <A@Mail.Example.Org> "));
    assert_false(dlp_policy_sender_matches("example.org", "a@badexample.org"));
    assert_false(dlp_policy_sender_matches("example.org", "example.org"));
    assert_true(dlp_policy_sender_matches("example.org", "\"a@evil.example\"@example.org"));
    assert_false(dlp_policy_sender_matches("evil.example", "\"a@evil.example\"@example.org"));
    assert_true(dlp_policy_sender_matches("a@example.org", "A@EXAMPLE.ORG"));
    assert_false(dlp_policy_sender_matches("a@example.org", "a@mail.example.org"));
    assert_true(dlp_policy_sender_matches("<>", "<>"));
    assert_true(dlp_policy_sender_matches("<>", ""));
    assert_false(dlp_policy_sender_matches("<>", "a@example.org"));
    assert_false(dlp_policy_sender_matches("<>", NULL));
    assert_false(dlp_policy_sender_matches("example.org", NULL));
}

/* ---------------------------------------------------------- order and drop */

static void test_first_match_wins(void **state)
{
    (void)state;
    static const char *const orders[] = {
        "policy:\n"
        "  - {name: warn-first, when: {category: [passport]}, action: warn}\n"
        "  - {name: block-second, when: {recipient: [external]}, action: block}\n",
        "policy:\n"
        "  - {name: block-second, when: {recipient: [external]}, action: block}\n"
        "  - {name: warn-first, when: {category: [passport]}, action: warn}\n",
    };
    for (int i = 0; i < 2; i++) {
        dlp_policy_t *p = load_policy(orders[i]);
        dlp_vb_t *vb = vb_new();
        add_finding(vb, "passport.number", DLP_CAT_PASSPORT, DLP_SEV_HIGH);
        add_rcpt(vb, "a@gmail.com", DLP_CLASS_EXTERNAL, NULL);
        add_rcpt(vb, "b@example.org", DLP_CLASS_INTERNAL, NULL);
        dlp_verdict_t *v = apply(p, NULL, NULL, vb);
        /* the external recipient gets whichever rule comes first */
        assert_int_equal(v->recipients[0].action, i == 0 ? DLP_ACTION_WARN : DLP_ACTION_BLOCK);
        /* the internal one only matches the passport rule */
        assert_int_equal(v->recipients[1].action, DLP_ACTION_WARN);
        assert_int_equal(v->action, i == 0 ? DLP_ACTION_WARN : DLP_ACTION_BLOCK);
        assert_null(v->notice); /* no rule has a notice */
        dlp_verdict_free(v);
        dlp_policy_unref(p);
    }
}

static const char drop_yaml[] =
    "policy:\n"
    "  - name: drop-outsiders\n"
    "    when: {recipient: [external], category: [passport]}\n"
    "    action: drop\n"
    "    notice: \"{recipient} was removed: {category} data may not go to {domain}\"\n"
    "  - name: warn-passport\n"
    "    when: {category: [passport]}\n"
    "    action: warn\n"
    "    notice: \"Passport data ({finding}, {severity}) went to {class} {recipient}\"\n";

static void test_drop_semantics(void **state)
{
    (void)state;
    dlp_policy_t *p = load_policy(drop_yaml);

    /* One dropped, one warned: the message warns, the drop stays per recipient. */
    dlp_vb_t *vb = vb_new();
    add_finding(vb, "passport.number", DLP_CAT_PASSPORT, DLP_SEV_HIGH);
    add_rcpt(vb, "ops@example.org", DLP_CLASS_INTERNAL, NULL);
    add_rcpt(vb, "agent@gmail.com", DLP_CLASS_EXTERNAL, NULL);
    dlp_verdict_t *v = apply(p, NULL, NULL, vb);
    assert_int_equal(v->recipients[0].action, DLP_ACTION_WARN);
    assert_int_equal(v->recipients[1].action, DLP_ACTION_DROP);
    assert_int_equal(v->action, DLP_ACTION_WARN);
    /* A drop outranks a warn for the notice: the sender must learn of it. */
    assert_string_equal(v->notice,
                        "agent@gmail.com was removed: passport data may not go to gmail.com");
    assert_true(has_reason(v, "recipient agent@gmail.com (external): drop", "drop-outsiders"));
    dlp_verdict_free(v);

    /* Only the dropped recipient and an allowed one: the message is allowed. */
    vb = vb_new();
    add_finding(vb, "passport.number", DLP_CAT_PASSPORT, DLP_SEV_HIGH);
    add_rcpt(vb, "agent@gmail.com", DLP_CLASS_EXTERNAL, NULL);
    dlp_policy_t *p2 = load_policy("policy:\n"
                                   "  - {when: {recipient: external}, action: drop}\n"
                                   "  - {action: allow}\n");
    add_rcpt(vb, "ops@example.org", DLP_CLASS_INTERNAL, NULL);
    v = apply(p2, NULL, NULL, vb);
    assert_int_equal(v->recipients[0].action, DLP_ACTION_DROP);
    assert_int_equal(v->recipients[1].action, DLP_ACTION_ALLOW);
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    assert_true(has_reason(v, "drop by policy rule policy#1", NULL)); /* unnamed rule */
    assert_true(has_reason(v, "allow by policy rule policy#2", NULL));
    dlp_verdict_free(v);
    dlp_policy_unref(p2);

    /* Every recipient dropped: nothing would be left, so the message is blocked. */
    vb = vb_new();
    add_finding(vb, "passport.number", DLP_CAT_PASSPORT, DLP_SEV_HIGH);
    add_rcpt(vb, "a@gmail.com", DLP_CLASS_EXTERNAL, NULL);
    add_rcpt(vb, "b@yahoo.example", DLP_CLASS_EXTERNAL, NULL);
    v = apply(p, NULL, NULL, vb);
    assert_int_equal(v->recipients[0].action, DLP_ACTION_DROP);
    assert_int_equal(v->recipients[1].action, DLP_ACTION_DROP);
    assert_int_equal(v->action, DLP_ACTION_BLOCK);
    assert_true(has_reason(v, "every recipient was dropped", NULL));
    assert_non_null(strstr(v->notice, "a@gmail.com was removed"));
    dlp_verdict_free(v);

    /* No recipient known and the stand-in is dropped: blocked as well. */
    vb = vb_new();
    add_finding(vb, "passport.number", DLP_CAT_PASSPORT, DLP_SEV_HIGH);
    v = apply(p, NULL, NULL, vb);
    assert_int_equal(v->action, DLP_ACTION_BLOCK);
    dlp_verdict_free(v);
    dlp_policy_unref(p);
}

/* ------------------------------------------------------ profiles, monitor */

static const char profiles_yaml[] =
    "profiles:\n" /* before `policy`: references resolve either way */
    "  watch:\n"
    "    monitor: true\n"
    "  watch-builtin:\n"
    "    monitor: yes\n"
    "    rules: builtin\n"
    "  same:\n"
    "    rules: default\n"
    "  travel-desk:\n"
    "    rules:\n"
    "      - when: {recipient: [external], category: [passport, itinerary], min_severity: high}\n"
    "        action: drop\n"
    "policy:\n"
    "  - name: block-passports\n"
    "    when: {recipient: [external], category: [passport]}\n"
    "    action: block\n"
    "    notice: \"no passports to {domain}\"\n";

static dlp_verdict_t *passport_to_gmail(const dlp_policy_t *p, const char *profile)
{
    dlp_vb_t *vb = vb_new();
    add_finding(vb, "passport.number", DLP_CAT_PASSPORT, DLP_SEV_HIGH);
    add_rcpt(vb, "agent@gmail.com", DLP_CLASS_EXTERNAL, NULL);
    add_rcpt(vb, "ops@example.org", DLP_CLASS_INTERNAL, NULL);
    return apply(p, profile, NULL, vb);
}

static void test_profiles(void **state)
{
    (void)state;
    dlp_policy_t *p = load_policy(profiles_yaml);
    dlp_verdict_t *v = passport_to_gmail(p, NULL);
    assert_int_equal(v->action, DLP_ACTION_BLOCK);
    assert_string_equal(v->profile, "default");
    assert_string_equal(v->notice, "no passports to gmail.com");
    dlp_verdict_free(v);

    v = passport_to_gmail(p, "same");
    assert_int_equal(v->action, DLP_ACTION_BLOCK);
    assert_string_equal(v->profile, "same");
    dlp_verdict_free(v);

    v = passport_to_gmail(p, "travel-desk");
    assert_int_equal(v->recipients[0].action, DLP_ACTION_DROP);
    assert_int_equal(v->recipients[1].action, DLP_ACTION_ALLOW);
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    assert_true(has_reason(v, "drop by policy rule travel-desk#1", NULL));
    dlp_verdict_free(v);

    dlp_vb_t *vb = vb_new();
    assert_int_equal(dlp_policy_apply(p, "no-such-profile", NULL, vb), DLP_EPROFILE);
    dlp_verdict_free(dlp_vb_verdict(vb));
    vb = vb_new();
    assert_int_equal(dlp_policy_apply(p, "Default", NULL, vb), DLP_EPROFILE); /* exact names */
    dlp_verdict_free(dlp_vb_verdict(vb));
    dlp_policy_unref(p);

    /* The built-in policy knows only "default". */
    p = builtin();
    vb = vb_new();
    assert_int_equal(dlp_policy_apply(p, "watch", NULL, vb), DLP_EPROFILE);
    dlp_verdict_free(dlp_vb_verdict(vb));
    dlp_policy_unref(p);
}

static void test_monitor_mode(void **state)
{
    (void)state;
    dlp_policy_t *p = load_policy(profiles_yaml);
    dlp_verdict_t *v = passport_to_gmail(p, "watch");
    assert_true(v->monitor);
    assert_string_equal(v->profile, "watch");
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    assert_int_equal(v->would_action, DLP_ACTION_BLOCK);
    for (size_t i = 0; i < v->n_recipients; i++)
        assert_int_equal(v->recipients[i].action, DLP_ACTION_ALLOW);
    /* what was decided stays visible */
    assert_true(has_reason(v, "recipient agent@gmail.com (external): block", "block-passports"));
    assert_true(has_reason(v, "monitor mode (profile watch): the policy decided block", NULL));
    assert_null(v->notice);
    assert_true(has_reason(v, "sender notice withheld: no passports to gmail.com", NULL));
    dlp_verdict_free(v);

    /* monitor with the built-in rules: passport high to external quarantines */
    v = passport_to_gmail(p, "watch-builtin");
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    assert_int_equal(v->would_action, DLP_ACTION_QUARANTINE);
    assert_true(has_reason(v, "by policy rule personal-data-external", NULL));
    dlp_verdict_free(v);
    dlp_policy_unref(p);

    /* The default profile itself in monitor mode, with the built-in rules. */
    p = load_policy("profiles:\n  default: {monitor: true}\n");
    v = passport_to_gmail(p, NULL);
    assert_true(v->monitor);
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    assert_int_equal(v->would_action, DLP_ACTION_QUARANTINE);
    dlp_verdict_free(v);
    dlp_policy_unref(p);
}

/* ----------------------------------------------------------------- notices */

static void test_notice_templates(void **state)
{
    (void)state;
    dlp_policy_t *p = load_policy(
        "policy:\n"
        "  - name: la\n"
        "    when: {recipient: lookalike}\n"
        "    action: block\n"
        "    notice: \"{domain} looks like {lookalike_of} ({technique}) - check {recipient}; "
        "{{rule}} = {rule}, {action}, {class}, limits [{limits}] {{{finding}}}\"\n");
    dlp_vb_t *vb = vb_new();
    add_rcpt(vb, "john@army.ml", DLP_CLASS_LOOKALIKE, "army.mil");
    dlp_vb_verdict(vb)->incomplete = (1u << DLP_LIMIT_MIME_PARTS) | (1u << DLP_LIMIT_FINDINGS);
    dlp_verdict_t *v = apply(p, NULL, NULL, vb);
    assert_string_equal(v->notice, "army.ml looks like army.mil (tld-swap) - check john@army.ml; "
                                   "{rule} = la, block, lookalike, limits [mime_parts, findings] "
                                   "{}");
    dlp_verdict_free(v);
    dlp_policy_unref(p);

    char err[256];
    assert_int_equal(dlp_policy_check_notice("plain } text {{ok}}", err, sizeof(err)), DLP_OK);
    assert_int_equal(dlp_policy_check_notice("{domain", err, sizeof(err)), DLP_EINVAL);
    assert_non_null(strstr(err, "unterminated"));
    assert_int_equal(dlp_policy_check_notice("{subject}", err, sizeof(err)), DLP_EINVAL);
    assert_non_null(strstr(err, "{subject}"));

    /* Every built-in template is valid. */
    size_t n;
    const dlp_prule_t *b = dlp_policy_builtin(&n);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        assert_true(!b[i].notice || dlp_policy_check_notice(b[i].notice, err, 256) == DLP_OK);
}

static void test_notice_rank(void **state)
{
    (void)state;
    dlp_policy_t *p =
        load_policy("policy:\n"
                    "  - {name: w, when: {recipient: internal}, action: warn,\n"
                    "     notice: \"warn {recipient}\"}\n"
                    "  - {name: q, when: {recipient: protected}, action: quarantine,\n"
                    "     notice: \"quarantine {recipient}\"}\n"
                    "  - {name: b, when: {recipient: external}, action: block}\n");
    dlp_vb_t *vb = vb_new();
    add_rcpt(vb, "a@example.org", DLP_CLASS_INTERNAL, NULL);
    add_rcpt(vb, "b@army.mil", DLP_CLASS_PROTECTED, NULL);
    add_rcpt(vb, "c@gmail.com", DLP_CLASS_EXTERNAL, NULL);
    dlp_verdict_t *v = apply(p, NULL, NULL, vb);
    assert_int_equal(v->action, DLP_ACTION_BLOCK);
    /* the blocking rule has no notice: the most severe one that has one speaks */
    assert_string_equal(v->notice, "quarantine b@army.mil");
    dlp_verdict_free(v);
    dlp_policy_unref(p);
}

/* ------------------------------------------------------------ config errors */

static const char bad_yaml[] =
    "policy:\n"                                                   /* 1 */
    "  - name: bad action\n"                                      /* 2 */
    "    action: blokk\n"                                         /* 3 */
    "  - when:\n"                                                 /* 4 */
    "      recipient: [external, martian]\n"                      /* 5 */
    "      category: []\n"                                        /* 6 */
    "      min_severity: huge\n"                                  /* 7 */
    "      min_score: 101\n"                                      /* 8 */
    "      incomplete: false\n"                                   /* 9 */
    "      sender: [\"a b@x\"]\n"                                 /* 10 */
    "      colour: red\n"                                         /* 11 */
    "    action: warn\n"                                          /* 12 */
    "    notice: \"{domain} {nope}\"\n"                           /* 13 */
    "    extra: 1\n"                                              /* 14 */
    "  - when: {attachment: [zipped], incomplete: [mime_dept]}\n" /* 15 */
    "  - name: x\n"                                               /* 16 */
    "    action: allow\n"                                         /* 17 */
    "  - name: x\n"                                               /* 18 */
    "    action: block\n"                                         /* 19 */
    "    notice: \"oops {domain\"\n"                              /* 20 */
    "profiles:\n"                                                 /* 21 */
    "  default:\n"                                                /* 22 */
    "    rules: builtin\n"                                        /* 23 */
    "  Bad Name:\n"                                               /* 24 */
    "    monitor: true\n"                                         /* 25 */
    "  strict:\n"                                                 /* 26 */
    "    monitor: maybe\n"                                        /* 27 */
    "    rules: everything\n"                                     /* 28 */
    "    colour: red\n"                                           /* 29 */
    "  empty:\n"                                                  /* 30 */
    "    rules: []\n";                                            /* 31 */

static void test_config_errors_are_positioned(void **state)
{
    (void)state;
    dlp_diags_t *d = load_errors(bad_yaml);
    static const struct {
        const char *pos, *text;
    } want[] = {
        {":2:11:", "rule name"},
        {":3:13:", "'action' must be"},
        {":5:29:", "unknown recipient class 'martian'"},
        {":6:17:", "'category' is an empty list"},
        {":7:21:", "'min_severity' must be"},
        {":8:18:", "'min_score' must be a number from 0 to 100"},
        {":9:19:", "'incomplete' must be true"},
        {":10:16:", "not a sender pattern"},
        {":11:7:", "unknown condition 'colour'"},
        {":13:13:", "unknown placeholder '{nope}'"},
        {":14:5:", "unknown rule key 'extra'"},
        {":15:25:", "unknown attachment flag 'zipped'"},
        {":15:47:", "unknown limit 'mime_dept'"},
        {":15:5:", "the rule has no 'action'"},
        {":18:5:", "a rule named 'x' comes earlier"},
        {":20:13:", "unterminated '{'"},
        {":23:5:", "the default profile's rules are the top-level 'policy' key"},
        {":24:3:", "profile name"},
        {":27:14:", "'monitor' must be true or false"},
        {":28:12:", "'rules' must be 'default', 'builtin' or a list of rules"},
        {":29:5:", "unknown profile key 'colour'"},
        {":31:12:", "empty list of rules"},
    };
    int missing = 0;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!tu_diag_has(d, want[i].pos, want[i].text)) {
            fprintf(stderr, "no diagnostic %s %s\n", want[i].pos, want[i].text);
            missing++;
        }
    if (missing)
        for (size_t i = 0; i < dlp_diags_count(d); i++) {
            char buf[1024];
            dlp_diags_format(d, i, buf, sizeof(buf));
            fprintf(stderr, "  have: %s\n", buf);
        }
    assert_int_equal(missing, 0);
    assert_int_equal(dlp_diags_count(d), sizeof(want) / sizeof(want[0]));
    dlp_diags_free(d);
}

static void test_config_shape_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *pos, *text;
    } cases[] = {
        {"policy: []\n", ":1:9:", "empty list of rules"},
        {"policy: allow\n", ":1:9:", "'policy' must be a list of rules"},
        {"policy:\n  - action: allow\npolicy:\n  - action: warn\n",
         ":4:3:", "'policy' is given twice"},
        {"policy:\n  - when: [external]\n    action: warn\n", ":2:11:", "'when' must be a mapping"},
        {"policy:\n  - warn\n", ":2:5:", "must be a mapping"},
        {"profiles: [a]\n", ":1:11:", "'profiles' must be a mapping"},
        {"profiles:\n  a:\n    monitor: true\n  a:\n    monitor: false\n",
         ":4:3:", "profile 'a' is defined twice (first at line 2)"},
        {"profiles:\n  a:\n", ":2:5:", "profile 'a' must be a mapping"},
        {"policy:\n  - when: {sender: [\"@example.org\"]}\n    action: warn\n",
         ":2:21:", "not a sender pattern"},
        {"policy:\n  - {action: warn, notice: \"line\\nbreak\"}\n",
         ":2:28:", "without control characters"},
        {"policy:\n  - {action: warn, when: {recipient: [[external]]}}\n",
         ":2:39:", "'recipient' items must be values"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dlp_diags_t *d = load_errors(cases[i].yaml);
        if (!tu_diag_has(d, cases[i].pos, cases[i].text)) {
            char buf[1024] = "(none)";
            if (dlp_diags_count(d))
                dlp_diags_format(d, 0, buf, sizeof(buf));
            fail_msg("case %zu: want %s %s, have %s", i, cases[i].pos, cases[i].text, buf);
        }
        dlp_diags_free(d);
    }
}

/* The shipped example config loads and means what docs/policy.md says. */
static void test_example_config(void **state)
{
    (void)state;
    static const char *const any[] = {"*", NULL};
    dlp_config_t *cfg = NULL;
    dlp_diags_t *d = dlp_diags_new();
    int rc = dlp_config_load(DLP_SOURCE_DIR "/examples/policy-custom.yaml", any, &cfg, d);
    for (size_t i = 0; i < dlp_diags_count(d); i++) {
        char buf[1024];
        dlp_diags_format(d, i, buf, sizeof(buf));
        fprintf(stderr, "%s\n", buf);
    }
    assert_int_equal(rc, DLP_OK);
    dlp_policy_t *p = cfg->policy;
    assert_non_null(p);
    assert_non_null(dlp_policy_profile(p, "monitor"));
    assert_non_null(dlp_policy_profile(p, "travel-desk"));

    /* travel-desk drops outsiders from a passport message */
    dlp_verdict_t *v = passport_to_gmail(p, "travel-desk");
    assert_int_equal(v->recipients[0].action, DLP_ACTION_DROP);
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    dlp_verdict_free(v);

    /* the booking office may send itineraries out */
    dlp_vb_t *vb = vb_new();
    add_finding(vb, "itinerary.record_locator", DLP_CAT_ITINERARY, DLP_SEV_HIGH);
    add_rcpt(vb, "alex@example.net", DLP_CLASS_EXTERNAL, NULL);
    v = apply(p, NULL, "bookings@travel.example.org", vb);
    assert_int_equal(v->action, DLP_ACTION_ALLOW);
    dlp_verdict_free(v);
    vb = vb_new();
    add_finding(vb, "itinerary.record_locator", DLP_CAT_ITINERARY, DLP_SEV_HIGH);
    add_rcpt(vb, "alex@example.net", DLP_CLASS_EXTERNAL, NULL);
    v = apply(p, NULL, "someone@example.org", vb);
    assert_int_equal(v->action, DLP_ACTION_WARN);
    dlp_verdict_free(v);

    /* encrypted attachments to outsiders are quarantined */
    vb = vb_new();
    add_attachment(vb, DLP_ATT_ENCRYPTED);
    add_rcpt(vb, "alex@example.net", DLP_CLASS_EXTERNAL, NULL);
    v = apply(p, NULL, NULL, vb);
    assert_int_equal(v->action, DLP_ACTION_QUARANTINE);
    dlp_verdict_free(v);

    dlp_config_free(cfg);
    dlp_diags_free(d);
}

/* Verdict strings go into protobuf string fields: always valid UTF-8. */
static void test_verdict_strings_are_utf8(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain.txt", "plain.txt"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x8e", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x8e"},
        {"a\xff"
         "b",
         "a?b"},                            /* never valid */
        {"\xc3", "?"},                      /* cut short */
        {"\xc3(x", "?(x"},                  /* bad continuation */
        {"\xc0\xaf", "??"},                 /* overlong '/' */
        {"\xed\xa0\x80", "???"},            /* UTF-16 surrogate */
        {"\xf4\x90\x80\x80", "????"},       /* past U+10FFFF */
        {"zip/\x8e\xa9.txt", "zip/??.txt"}, /* a CP437 archive name */
    };
    dlp_vb_t *vb = vb_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *s = dlp_vb_strdup(vb, cases[i].in, strlen(cases[i].in));
        assert_non_null(s);
        assert_string_equal(s, cases[i].out);
    }
    dlp_verdict_free(dlp_vb_verdict(vb));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_strings_are_utf8),
        cmocka_unit_test(test_default_policy_rule_by_rule),
        cmocka_unit_test(test_default_lookalike_notice_and_score),
        cmocka_unit_test(test_each_condition),
        cmocka_unit_test(test_sender_patterns),
        cmocka_unit_test(test_first_match_wins),
        cmocka_unit_test(test_drop_semantics),
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_monitor_mode),
        cmocka_unit_test(test_notice_templates),
        cmocka_unit_test(test_notice_rank),
        cmocka_unit_test(test_config_errors_are_positioned),
        cmocka_unit_test(test_config_shape_errors),
        cmocka_unit_test(test_example_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
