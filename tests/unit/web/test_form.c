/* test_form: form bodies decoded as the server does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "web/form.h"

static void decodes_fields(void **state)
{
    (void)state;
    arena *a = arena_new();
    form_field f[8];
    const char *body = "email=ada%40example.org&password=a+b%26c&&flag&services=x&services=y&empty=";
    int n = form_parse(body, strlen(body), a, f, 8);
    assert_int_equal(n, 6);
    assert_string_equal(f[0].name, "email");
    assert_string_equal(f[0].value, "ada@example.org");
    assert_string_equal(f[1].value, "a b&c");
    assert_string_equal(f[2].name, "flag");
    assert_string_equal(f[2].value, "");
    assert_string_equal(f[3].value, "x");
    assert_string_equal(f[4].value, "y");
    assert_string_equal(f[5].name, "empty");
    assert_string_equal(f[5].value, "");
    /* A lone or bad %: kept as written. */
    n = form_parse("q=100%&r=%zz", 12, a, f, 8);
    assert_int_equal(n, 2);
    assert_string_equal(f[0].value, "100%");
    assert_string_equal(f[1].value, "%zz");
    /* Line breaks and tabs in a value are text (a textarea). */
    n = form_parse("t=a%0D%0Ab%09c", 14, a, f, 8);
    assert_int_equal(n, 1);
    assert_string_equal(f[0].value, "a\r\nb\tc");
    assert_int_equal(form_parse("", 0, a, f, 8), 0);
    arena_free(a);
}

static void refuses_what_no_form_holds(void **state)
{
    (void)state;
    arena *a = arena_new();
    form_field f[2];
    assert_int_equal(form_parse("a=1&b=2&c=3", 11, a, f, 2), -1); /* too many */
    assert_int_equal(form_parse("a=%00", 5, a, f, 2), -1);        /* NUL, encoded */
    assert_int_equal(form_parse("a=\0b", 4, a, f, 2), -1);        /* NUL, raw */
    assert_int_equal(form_parse("a=%1b[31m", 9, a, f, 2), -1);    /* escape */
    assert_int_equal(form_parse("%07=1", 5, a, f, 2), -1);        /* in a name */
    assert_int_equal(form_parse("a=%7f", 5, a, f, 2), -1);        /* DEL */
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_fields),
        cmocka_unit_test(refuses_what_no_form_holds),
    };
    return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
