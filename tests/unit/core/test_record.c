/* test_record: validation of the first nouns, driven by their entity_defs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/entities.h"

static arena *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

static int has_error(const errlist *e, const char *field)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->e[i].field, field) == 0)
            return 1;
    return 0;
}

static void a_valid_person_passes(void **state)
{
    (void)state;
    record r;
    record_init(&r, &person_def);
    rec_set_str(&r, "given_name", "Ada");
    rec_set_str(&r, "family_name", "Okafor");
    rec_set_str(&r, "date_of_birth", "1984-02-29");
    rec_set_str(&r, "email", "ada@example.org");
    rec_set_str(&r, "phone", "+44 7700 900123");
    rec_set_str(&r, "preferred_channel", "sms");
    errlist e = {.n = 0};
    assert_int_equal(record_validate(&r, 1, A, &e), 0);
}

static void required_fields_are_named(void **state)
{
    (void)state;
    record r;
    record_init(&r, &person_def);
    errlist e = {.n = 0};
    assert_int_equal(record_validate(&r, 1, A, &e), 2);
    assert_true(has_error(&e, "given_name"));
    assert_true(has_error(&e, "family_name"));
    /* On update, absence is fine (the stored value stands). */
    errlist u = {.n = 0};
    assert_int_equal(record_validate(&r, 0, A, &u), 0);
}

static void each_bad_value_is_named(void **state)
{
    (void)state;
    record r;
    record_init(&r, &person_def);
    rec_set_str(&r, "given_name", "Ada");
    rec_set_str(&r, "family_name", "");
    rec_set_str(&r, "date_of_birth", "2001-02-29");
    rec_set_str(&r, "email", "ada@");
    rec_set_str(&r, "phone", "123");
    rec_set_str(&r, "preferred_channel", "carrier pigeon");
    rec_set_str(&r, "title", "\xff\xfe");
    errlist e = {.n = 0};
    record_validate(&r, 1, A, &e);
    const char *bad[] = {"family_name", "date_of_birth", "email", "phone", "preferred_channel", "title"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_true(has_error(&e, bad[i]));
    assert_int_equal(e.n, 6);
}

static void cross_field_rules(void **state)
{
    (void)state;
    record r;
    record_init(&r, &person_def);
    rec_set_str(&r, "given_name", "A");
    rec_set_str(&r, "family_name", "B");
    rec_set_str(&r, "date_of_birth", "1990-01-01");
    rec_set_str(&r, "date_of_death", "1980-01-01");
    errlist e = {.n = 0};
    record_validate(&r, 1, A, &e);
    assert_true(has_error(&e, "date_of_death"));

    record p;
    record_init(&p, &property_def);
    rec_set_str(&p, "uprn", "100023336956");
    rec_set_str(&p, "address_line_1", "1 Acre Lane");
    rec_set_str(&p, "postcode", "sw2 5su");
    rec_set_str(&p, "property_type", "house");
    rec_set_int(&p, "floor", 3);
    errlist f = {.n = 0};
    record_validate(&p, 1, A, &f);
    assert_int_equal(f.n, 1);
    assert_true(has_error(&f, "floor"));
    assert_string_equal(rec_str(&p, "postcode"), "SW2 5SU");

    record m;
    record_init(&m, &member_def);
    rec_set_int(&m, "household_id", 1);
    rec_set_int(&m, "person_id", 2);
    rec_set_str(&m, "relationship", "child");
    rec_set_str(&m, "from_date", "2020-05-01");
    rec_set_str(&m, "to_date", "2020-04-30");
    errlist g = {.n = 0};
    record_validate(&m, 1, A, &g);
    assert_true(has_error(&g, "to_date"));
}

static void postcodes(void **state)
{
    (void)state;
    char out[9];
    const char *good[][2] = {{"sw1a1aa", "SW1A 1AA"}, {"SE5 7AB", "SE5 7AB"}, {"e1 6an", "E1 6AN"},
                             {"W1A 0AX", "W1A 0AX"}, {"m11ae", "M1 1AE"},     {"CR2 6XH", "CR2 6XH"}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(postcode_normalise(good[i][0], out), 0);
        assert_string_equal(out, good[i][1]);
    }
    const char *bad[] = {"", "SE5", "12345", "SE5 7A", "SE5 77B", "SW1A 1AAA", "SE5-7AB", "ABC 1DE"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(postcode_normalise(bad[i], out), -1);
}

static void one_error_per_field(void **state)
{
    (void)state;
    errlist e = {.n = 0};
    errlist_add(&e, "a", "first");
    errlist_add(&e, "a", "second");
    errlist_add(&e, "b", "third");
    assert_int_equal(e.n, 2);
    assert_string_equal(e.e[0].message, "first");
}

static void memberships_are_current_between_their_dates(void **state)
{
    (void)state;
    record m;
    record_init(&m, &member_def);
    assert_true(member_current(&m, "2024-01-01"));
    rec_set_str(&m, "from_date", "2024-01-02");
    assert_false(member_current(&m, "2024-01-01"));
    assert_true(member_current(&m, "2024-01-02"));
    rec_set_str(&m, "to_date", "2024-03-01");
    assert_true(member_current(&m, "2024-03-01"));
    assert_false(member_current(&m, "2024-03-02"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_valid_person_passes),
        cmocka_unit_test(required_fields_are_named),
        cmocka_unit_test(each_bad_value_is_named),
        cmocka_unit_test(cross_field_rules),
        cmocka_unit_test(postcodes),
        cmocka_unit_test(one_error_per_field),
        cmocka_unit_test(memberships_are_current_between_their_dates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
