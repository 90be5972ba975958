/* test_csv: the RFC 4180 reader, good records and each kind of bad one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/csv.h"

static void reads_quoted_fields(void **state)
{
    (void)state;
    const char *t = "id,name,note\r\n"
                    "1,\"Smith, Ann\",\"she said \"\"hi\"\"\"\r\n"
                    "\n"
                    "2,Bob,\"two\nlines\"\n"
                    "3,,\n"
                    "4, spaced ,\"\"";
    csv_reader r;
    csv_row row;
    csv_init(&r, t, strlen(t));
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 1);
    assert_int_equal(row.nfields, 3);
    assert_string_equal(row.field[2], "note");
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.field[1], "Smith, Ann");
    assert_string_equal(row.field[2], "she said \"hi\"");
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 4); /* the blank line 3 is skipped */
    assert_string_equal(row.field[2], "two\nlines");
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 6); /* the quoted line end counted */
    assert_int_equal(row.nfields, 3);
    assert_string_equal(row.field[1], "");
    assert_string_equal(row.field[2], "");
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 7);
    assert_string_equal(row.field[1], " spaced ");
    assert_string_equal(row.field[2], "");
    assert_int_equal(csv_next(&r, &row), CSV_END);
    assert_int_equal(csv_next(&r, &row), CSV_END);
    csv_free(&r);
}

static void reports_bad_lines_and_goes_on(void **state)
{
    (void)state;
    const char *t = "1,ok\n"
                    "2,Ann \"Nan\" Smith\n"   /* quote in an unquoted field */
                    "3,\"closed\"junk\n"      /* text after the closing quote */
                    "4,fine\n"
                    "5,\"never closed\n"      /* runs to the end: skipped alone */
                    "6,after\n";
    csv_reader r;
    csv_row row;
    csv_init(&r, t, strlen(t));
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(csv_next(&r, &row), CSV_BAD);
    assert_int_equal(row.line, 2);
    assert_non_null(strstr(row.msg, "quote inside an unquoted field"));
    assert_int_equal(csv_next(&r, &row), CSV_BAD);
    assert_int_equal(row.line, 3);
    assert_string_equal(row.msg, "text after a closing quote");
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 4);
    assert_string_equal(row.field[1], "fine");
    assert_int_equal(csv_next(&r, &row), CSV_BAD);
    assert_int_equal(row.line, 5);
    assert_string_equal(row.msg, "a quoted field is never closed");
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 6);
    assert_string_equal(row.field[1], "after");
    assert_int_equal(csv_next(&r, &row), CSV_END);
    csv_free(&r);

    const char nul[] = "1,a\0b\n2,c\n";
    csv_init(&r, nul, sizeof nul - 1);
    assert_int_equal(csv_next(&r, &row), CSV_BAD);
    assert_string_equal(row.msg, "a NUL byte");
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 2);
    csv_free(&r);
}

static void bounds_records(void **state)
{
    (void)state;
    static char big[CSV_MAX_RECORD + 100];
    memset(big, 'x', sizeof big);
    big[sizeof big - 5] = '\n';
    memcpy(big + sizeof big - 4, "a,b\n", 4);
    csv_reader r;
    csv_row row;
    csv_init(&r, big, sizeof big);
    assert_int_equal(csv_next(&r, &row), CSV_BAD);
    assert_int_equal(row.line, 1);
    assert_int_equal(csv_next(&r, &row), CSV_RECORD);
    assert_int_equal(row.line, 2);
    assert_int_equal(row.nfields, 2);
    csv_free(&r);

    char many[CSV_MAX_FIELDS * 2 + 8];
    size_t n = 0;
    for (int i = 0; i <= CSV_MAX_FIELDS; i++) {
        many[n++] = 'a';
        many[n++] = ',';
    }
    many[n++] = '\n';
    csv_init(&r, many, n);
    assert_int_equal(csv_next(&r, &row), CSV_BAD);
    assert_string_equal(row.msg, "more than 64 fields");
    assert_int_equal(csv_next(&r, &row), CSV_END);
    csv_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_quoted_fields),
        cmocka_unit_test(reports_bad_lines_and_goes_on),
        cmocka_unit_test(bounds_records),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
