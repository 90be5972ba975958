/* test_rules: the eligibility language: parsing, errors with line and
 * column, decisions and their reasons, and the catalogue file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/xalloc.h"
#include "core/catalogue.h"
#include "core/rules.h"

static arena *A;
static int setup(void **s) { (void)s; A = arena_new(); return 0; }
static int teardown(void **s) { (void)s; arena_free(A); return 0; }

static int known(const char *slug, void *ctx)
{
    (void)ctx;
    return !strcmp(slug, "housing-benefit") || !strcmp(slug, "council-tax-reduction") || !strcmp(slug, "garden-waste");
}

static const char *name_of(const char *slug, const void *ctx)
{
    (void)ctx;
    return !strcmp(slug, "housing-benefit") ? "Housing Benefit" : NULL;
}

static rules_node *parse_ok(const char *src)
{
    char err[200];
    int line, col;
    rules_node *r = rules_parse(src, known, NULL, A, err, sizeof err, &line, &col);
    if (!r)
        fail_msg("'%s': %d:%d %s", src, line, col, err);
    return r;
}

static int has(const char **rs, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(rs[i], s))
            return 1;
    return 0;
}

/* A mother on housing benefit with children of 7 and 2, in a third-floor council flat. */
static rules_facts mother(void)
{
    static const char *const recv[] = {"housing-benefit"};
    rules_facts f = {.age = 34, .nmembers = 3, .has_property = 1, .property_type = "flat", .tenure = "council_rent",
                     .council_tax_band = "B", .floor = 3, .floor_known = 1, .has_garden = 0, .receives = recv,
                     .nreceives = 1, .service_name = name_of};
    f.member_ages[0] = 34;
    f.member_ages[1] = 7;
    f.member_ages[2] = 2;
    return f;
}

static void decisions_come_with_reasons(void **state)
{
    (void)state;
    rules_facts f = mother();
    const char *rs[RULES_MAX_REASONS];
    int n;
    rules_node *fsm = parse_ok("household.people_aged(4, 16) >= 1 and (receives(\"housing-benefit\") or "
                               "receives(\"council-tax-reduction\"))");
    assert_true(rules_eval(fsm, &f, A, rs, &n));
    assert_true(has(rs, n, "the household has 1 person aged 4 to 16"));
    assert_true(has(rs, n, "the household receives Housing Benefit"));
    assert_int_equal(n, 2); /* the false branch of the or is no reason */

    rules_node *garden = parse_ok("property.has_garden and property.floor = 0");
    assert_false(rules_eval(garden, &f, A, rs, &n));
    assert_true(has(rs, n, "the home has no garden"));
    assert_true(has(rs, n, "the home is on floor 3"));

    rules_node *single = parse_ok("household.adults = 1 and not receives(\"garden-waste\")");
    assert_true(rules_eval(single, &f, A, rs, &n));
    assert_true(has(rs, n, "the household has 1 adult"));
    assert_true(has(rs, n, "no one in the household receives garden-waste"));

    rules_node *all_old = parse_ok("household.people_aged(66, 130) = household.adults");
    assert_false(rules_eval(all_old, &f, A, rs, &n));
    assert_true(has(rs, n, "the household has 0 people aged 66 to 130"));
    assert_true(has(rs, n, "the household has 1 adult"));

    rules_node *band = parse_ok("property.council_tax_band <= \"C\" and property.tenure = \"council_rent\"");
    assert_true(rules_eval(band, &f, A, rs, &n));
    assert_true(has(rs, n, "the home is rented from the council"));
}

static void unknowns_are_false(void **state)
{
    (void)state;
    rules_facts f = {.age = -1};
    const char *rs[RULES_MAX_REASONS];
    int n;
    assert_false(rules_eval(parse_ok("person.age >= 66"), &f, A, rs, &n));
    assert_string_equal(rs[0], "their date of birth is not recorded");
    assert_false(rules_eval(parse_ok("property.floor = 0"), &f, A, rs, &n));
    assert_string_equal(rs[0], "no home is recorded for them");
    assert_false(rules_eval(parse_ok("not (property.floor >= 1) and property.has_garden"), &f, A, rs, &n));
    assert_true(rules_eval(parse_ok("household.size = 1"), &f, A, rs, &n)); /* alone */
    assert_string_equal(rs[0], "lives alone");
}

static void errors_name_line_and_column(void **state)
{
    (void)state;
    struct {
        const char *src;
        int line, col;
        const char *msg;
    } cases[] = {
        {"person.height > 3", 1, 1, "unknown fact 'person.height'"},
        {"person.age >=", 1, 14, "the rule ends too soon"},
        {"person.age >= 66 and", 1, 21, "the rule ends too soon"},
        {"person.age", 1, 1, "this is a value, not a condition"},
        {"receives(\"bogus\")", 1, 10, "receives(\"bogus\"): no service has this id"},
        {"(person.disabled", 1, 17, "expected ) to close"},
        {"household.people_aged(16, 4) > 0", 1, 1, "household.people_aged wants two ages"},
        {"person.age >= 66\n  nor person.disabled", 2, 3, "unexpected 'nor person.disabled'"},
        {"property.type = \"flat", 1, 17, "this string has no closing quote"},
        {"3 > 2", 1, 1, "a comparison needs a fact on one side"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[200] = "";
        int line = 0, col = 0;
        assert_null(rules_parse(cases[i].src, known, NULL, A, err, sizeof err, &line, &col));
        if (line != cases[i].line || col != cases[i].col || strncmp(err, cases[i].msg, strlen(cases[i].msg)))
            fail_msg("'%s': got %d:%d '%s', want %d:%d '%s...'", cases[i].src, line, col, err, cases[i].line,
                     cases[i].col, cases[i].msg);
    }
}

static void the_catalogue_parses(void **state)
{
    (void)state;
    catalogue c;
    char err[300] = "";
    char *text = file_read("catalogue/services.txt", 4 << 20, NULL, err, sizeof err);
    assert_non_null(text); /* run from the repository's top folder */
    if (catalogue_parse(text, "catalogue/services.txt", &c, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_true(c.n >= 100);
    int rules = 0;
    for (int i = 0; i < c.n; i++)
        rules += c.items[i].rule != NULL;
    assert_true(rules >= 20);
    assert_non_null(catalogue_find(&c, "free-school-meals"));
    assert_non_null(catalogue_find(&c, "garden-waste"));
    catalogue_free(&c);
    free(text);
}

static void catalogue_errors_point_into_the_file(void **state)
{
    (void)state;
    catalogue c;
    char err[300];
    const char *bad_rule = "# c\nservice: a\nlgsl: 1\nname: A\ndepartment: waste\nkind: enrolment\nunit: person\n"
                           "channels: web\npromise_days: 1\ncost_pence: 0\neligible: person.age >= 66 and wat\n";
    assert_int_equal(catalogue_parse(bad_rule, "s.txt", &c, err, sizeof err), -1);
    assert_string_equal(err, "s.txt:11:32: a: unknown fact 'wat' (see catalogue/README.md for the facts there are)");
    const char *no_name = "service: b\nlgsl: 2\ndepartment: waste\nkind: request\nchannels: web\npromise_days: 1\n"
                          "cost_pence: 0\n";
    assert_int_equal(catalogue_parse(no_name, "s.txt", &c, err, sizeof err), -1);
    assert_string_equal(err, "s.txt:1:1: the service starting here has no name:");
    const char *twice = "service: b\nlgsl: 2\nname: B\ndepartment: waste\nkind: request\nchannels: web\n"
                        "promise_days: 1\ncost_pence: 0\n\nservice: b\nlgsl: 3\nname: C\ndepartment: waste\n"
                        "kind: request\nchannels: web\npromise_days: 1\ncost_pence: 0\n";
    assert_int_equal(catalogue_parse(twice, "s.txt", &c, err, sizeof err), -1);
    assert_string_equal(err, "s.txt:10:1: service b is defined twice (first on line 1)");
    assert_int_equal(catalogue_parse("service: c\nlgsl: x\n", "s.txt", &c, err, sizeof err), -1);
    assert_string_equal(err, "s.txt:2:7: lgsl must be a whole number in range");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decisions_come_with_reasons),
        cmocka_unit_test(unknowns_are_false),
        cmocka_unit_test(errors_name_line_and_column),
        cmocka_unit_test(the_catalogue_parses),
        cmocka_unit_test(catalogue_errors_point_into_the_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
