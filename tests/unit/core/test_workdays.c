/* test_workdays: promised dates skip weekends and bank holidays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/file.h"
#include "core/workdays.h"

static holidays H;

static int setup(void **s)
{
    (void)s;
    char err[200], *text = file_read("catalogue/bank_holidays.txt", 8192, NULL, err, sizeof err);
    int rc = text && holidays_parse(text, "bank_holidays.txt", &H, err, sizeof err) == 0 ? 0 : -1;
    free(text);
    return rc;
}

static void adds(const char *from, int days, const char *want)
{
    char out[11];
    assert_int_equal(workdays_add(&H, from, days, out), 0);
    if (strcmp(out, want))
        fail_msg("%s + %d working days: got %s, want %s", from, days, out, want);
}

static void weekends_and_holidays_are_skipped(void **state)
{
    (void)state;
    adds("2026-11-23", 0, "2026-11-23"); /* Monday */
    adds("2026-11-23", 1, "2026-11-24");
    adds("2026-11-27", 1, "2026-11-30"); /* Friday -> Monday */
    adds("2026-11-28", 1, "2026-11-30"); /* from a Saturday */
    adds("2026-12-24", 1, "2026-12-29"); /* Christmas Friday, Boxing Day substitute Monday */
    adds("2026-04-02", 1, "2026-04-07"); /* Good Friday and Easter Monday */
    adds("2026-11-23", 10, "2026-12-07");
    adds("2027-12-24", 2, "2027-12-30"); /* two substitute days */
    adds("2024-02-28", 2, "2024-03-01"); /* a leap day is a working day */
    adds("2026-12-31", 1, "2027-01-04");
    assert_true(workdays_is_working(&H, "2026-11-23"));
    assert_false(workdays_is_working(&H, "2026-12-25"));
    assert_false(workdays_is_working(&H, "2026-11-29"));
    char out[11];
    assert_int_equal(workdays_add(&H, "2026-02-30", 1, out), -1);
}

static void bad_files_name_the_line(void **state)
{
    (void)state;
    holidays h;
    char err[200];
    assert_int_equal(holidays_parse("2026-01-01\n# x\n2026-13-01\n", "b.txt", &h, err, sizeof err), -1);
    assert_string_equal(err, "b.txt:3: expected a date written YYYY-MM-DD (at most 512)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weekends_and_holidays_are_skipped),
        cmocka_unit_test(bad_files_name_the_line),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
