/* test_sources: catalogue/sources.txt and the normal forms of values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/sources.h"

static void parses_systems(void **state)
{
    (void)state;
    const char *t = "# systems\n"
                    "\n"
                    "council_tax  id=account_ref given_name=forename family_name=surname date_of_birth=dob\n"
                    "  parking id=permit_ref\tphone=mobile\n";
    static source_catalogue c;
    char err[200];
    assert_int_equal(sources_parse(t, strlen(t), &c, err, sizeof err), 0);
    assert_int_equal(c.n, 2);
    const source_system *s = sources_find(&c, "council_tax");
    assert_non_null(s);
    assert_string_equal(s->id_col, "account_ref");
    assert_string_equal(s->col[SRC_GIVEN], "forename");
    assert_string_equal(s->col[SRC_DOB], "dob");
    assert_string_equal(s->col[SRC_POSTCODE], "");
    assert_string_equal(sources_find(&c, "parking")->col[SRC_PHONE], "mobile");
    assert_null(sources_find(&c, "housing"));
}

static void refuses_bad_lines(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"Council id=a\n", "line 1: a system's name"},
        {"ct given_name=a\n", "line 1: id=COLUMN is required"},
        {"ct id=a\nct id=b\n", "line 2: system named twice"},
        {"ct id=a shoe_size=b\n", "line 1: unknown field"},
        {"ct id=a given_name=b given_name=c\n", "line 1: field mapped twice"},
        {"ct id=a given_name\n", "line 1: expected FIELD=COLUMN"},
        {"ct id=\n", "line 1: expected FIELD=COLUMN"},
    };
    static source_catalogue c;
    char err[200];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sources_parse(bad[i].text, strlen(bad[i].text), &c, err, sizeof err), -1);
        if (strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", bad[i].text, err, bad[i].want);
    }
}

static void normalises_values(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(sources_normalise(SRC_DOB, " 03/04/1971 ", out, sizeof out), "1971-04-03");
    assert_string_equal(sources_normalise(SRC_DOB, "03-04-1971", out, sizeof out), "1971-04-03");
    assert_string_equal(sources_normalise(SRC_DOB, "1971-04-03", out, sizeof out), "1971-04-03");
    assert_string_equal(sources_normalise(SRC_DOB, "April 1971", out, sizeof out), "april1971");
    assert_string_equal(sources_normalise(SRC_POSTCODE, "se57ab", out, sizeof out), "SE5 7AB");
    assert_string_equal(sources_normalise(SRC_PHONE, "07700 900 123", out, sizeof out), "07700900123");
    assert_string_equal(sources_normalise(SRC_NI, "ab 12 34 56 c", out, sizeof out), "AB123456C");
    assert_string_equal(sources_normalise(SRC_FAMILY, "  O'Neil   SMITH ", out, sizeof out), "o'neil smith");
    assert_string_equal(sources_normalise(SRC_GIVEN, NULL, out, sizeof out), "");
    char tiny[4];
    assert_string_equal(sources_normalise(SRC_FAMILY, "Montgomery", tiny, sizeof tiny), "mon");
}

static void schema_is_consistent(void **state)
{
    (void)state;
    const match_schema *s = sources_schema();
    assert_int_equal(s->nfields, SRC_NFIELDS);
    for (int f = 0; f < SRC_NFIELDS; f++)
        assert_string_equal(s->field[f].name, src_field_names[f]);
    for (int r = 0; r < s->nrules; r++)
        for (int k = 0; k < s->rule[r].nparts; k++)
            assert_true(s->rule[r].part[k].field >= 0 && s->rule[r].part[k].field < SRC_NFIELDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_systems),
        cmocka_unit_test(refuses_bad_lines),
        cmocka_unit_test(normalises_values),
        cmocka_unit_test(schema_is_consistent),
    };
    return cmocka_run_group_tests_name("sources", tests, NULL, NULL);
}
