/* test_base: the bounded buffer, the arena and dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/timeutil.h"

static void buf_respects_its_maximum(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "12345678"), 0);
    assert_int_equal(buf_puts(&b, "9"), -1);
    assert_string_equal(buf_str(&b), "12345678");
    buf_reset(&b);
    assert_int_equal(buf_printf(&b, "%d-%s", 42, "abcdefgh"), -1);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_printf(&b, "%d", 7), 0);
    assert_string_equal(buf_str(&b), "7");
    buf_free(&b);
}

static void buf_escapes_html(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 1024);
    assert_int_equal(buf_put_html(&b, "<a href=\"x\">Tom & 'Jerry'</a>"), 0);
    assert_string_equal(buf_str(&b), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    buf_free(&b);
    buf_init(&b, 6);
    assert_int_equal(buf_put_html(&b, "a<<b"), -1); /* all or nothing */
    assert_string_equal(buf_str(&b), "");
    buf_free(&b);
}

static int cleaned;
static void cleanup(void *arg)
{
    cleaned += *(int *)arg;
}

static void arena_allocates_and_cleans_up(void **state)
{
    (void)state;
    arena *a = arena_new();
    char *s = arena_strdup(a, "hello");
    assert_string_equal(s, "hello");
    assert_string_equal(arena_printf(a, "%s %d", s, 5), "hello 5");
    void *big = arena_alloc(a, 100000); /* larger than a block */
    memset(big, 1, 100000);
    for (int i = 0; i < 1000; i++)
        assert_non_null(arena_alloc(a, 100));
    uintptr_t p = (uintptr_t)arena_alloc(a, 3);
    assert_int_equal(p % 16, 0);
    static int one = 1, two = 2;
    cleaned = 0;
    arena_on_free(a, cleanup, &one);
    arena_on_free(a, cleanup, &two);
    assert_true(arena_used(a) > 100000);
    arena_free(a);
    assert_int_equal(cleaned, 3);
    arena_free(NULL);
}

static void dates_are_checked(void **state)
{
    (void)state;
    assert_true(time_valid_date("2024-02-29"));
    assert_false(time_valid_date("2023-02-29"));
    assert_true(time_valid_date("2000-02-29"));
    assert_false(time_valid_date("1900-02-29"));
    assert_false(time_valid_date("2024-13-01"));
    assert_false(time_valid_date("2024-04-31"));
    assert_false(time_valid_date("24-04-01"));
    assert_false(time_valid_date("2024-4-01"));
    assert_false(time_valid_date("2024-04-01T"));
    char today[11], now[21];
    time_today(today);
    time_now_iso(now);
    assert_true(time_valid_date(today));
    assert_int_equal(strncmp(today, now, 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_respects_its_maximum),
        cmocka_unit_test(buf_escapes_html),
        cmocka_unit_test(arena_allocates_and_cleans_up),
        cmocka_unit_test(dates_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
