/* test_retention: the retention file's language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/file.h"
#include "core/retention.h"

static void parses_the_catalogue_file(void **state)
{
    (void)state;
    retention_rules r;
    char err[200] = "";
    char *text = file_read("catalogue/retention.tsv", 8192, NULL, err, sizeof err);
    assert_non_null(text); /* run from the repository's top folder */
    assert_int_equal(retention_parse(text, &r, err, sizeof err), 0);
    free(text);
    for (int k = 0; k < RET_KIND_COUNT; k++)
        assert_true(r.days[k] > 0);
}

static void comments_blanks_and_spacing(void **state)
{
    (void)state;
    retention_rules r;
    char err[200];
    assert_int_equal(retention_parse("# only a comment\n\n  sessions\t 3 # trailing\naudit_log 10", &r, err, sizeof err), 0);
    assert_int_equal(r.days[RET_SESSIONS], 3);
    assert_int_equal(r.days[RET_AUDIT], 10);
    assert_int_equal(r.days[RET_DECEASED], 0); /* not given: kept for ever */
    assert_int_equal(retention_parse("", &r, err, sizeof err), 0);
}

static void bad_lines_are_named(void **state)
{
    (void)state;
    struct {
        const char *text, *want;
    } cases[] = {
        {"sessions 3\nforever 2\n", "line 2: unknown kind 'forever'"},
        {"sessions three\n", "line 1: days must be"},
        {"sessions 0\n", "line 1: days must be"},
        {"sessions 36501\n", "line 1: days must be"},
        {"sessions -4\n", "line 1: days must be"},
        {"sessions 3\n\nsessions 4\n", "line 3: sessions is given twice"},
        {"sessions\n", "line 1: expected KIND DAYS"},
        {"sessions 3 extra\n", "line 1: expected KIND DAYS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        retention_rules r;
        char err[200] = "";
        assert_int_equal(retention_parse(cases[i].text, &r, err, sizeof err), -1);
        if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
            fail_msg("'%s': got '%s', want '%s...'", cases[i].text, err, cases[i].want);
    }
}

static void cutoffs(void **state)
{
    (void)state;
    char d[11], t[21];
    retention_cutoff(86400LL * 365, 365, d, t); /* 1971-01-01 minus a year */
    assert_string_equal(d, "1970-01-01");
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    assert_string_equal(retention_kind_name(RET_DECEASED), "deceased_people");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_the_catalogue_file),
        cmocka_unit_test(comments_blanks_and_spacing),
        cmocka_unit_test(bad_lines_are_named),
        cmocka_unit_test(cutoffs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
