/* test_search: a caller's words split into terms, and candidates scored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/entities.h"
#include "core/search.h"

static void splits_terms(void **state)
{
    (void)state;
    search_term t[SEARCH_MAX_TERMS];
    int n = search_terms("Carter 2002-05-19", t);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].kind, TERM_NAME);
    assert_string_equal(t[0].text, "carter");
    assert_int_equal(t[1].kind, TERM_DATE); /* not a phone number "20020519" */
    assert_string_equal(t[1].text, "2002-05-19");
    n = search_terms("19/05/2002 mark", t);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].kind, TERM_DATE);
    assert_string_equal(t[0].text, "2002-05-19");
    n = search_terms("07700 900958", t); /* a phone number written with a space */
    assert_int_equal(n, 1);
    assert_int_equal(t[0].kind, TERM_PHONE);
    assert_string_equal(t[0].text, "07700900958");
    n = search_terms("020-7525-5000 Okafor", t);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].kind, TERM_PHONE);
    assert_string_equal(t[0].text, "02075255000");
    n = search_terms("Mark.Carter@Example.org", t);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].kind, TERM_EMAIL);
    assert_string_equal(t[0].text, "mark.carter@example.org");
    assert_int_equal(search_terms("   ", t), 0);
}

static void scores_candidates(void **state)
{
    (void)state;
    record p;
    record_init(&p, &person_def);
    rec_set_str(&p, "given_name", "Mark");
    rec_set_str(&p, "family_name", "Carter");
    rec_set_str(&p, "date_of_birth", "2002-05-19");
    search_term t[SEARCH_MAX_TERMS];
    int n = search_terms("Carter 2002-05-19", t);
    double exact = search_score(&p, t, n);
    n = search_terms("Carter 2002-05-18", t);
    double other_day = search_score(&p, t, n);
    assert_true(exact > other_day);
    assert_true(exact >= 3.0);
    n = search_terms("Mrak Carter", t); /* a typo */
    assert_true(search_score(&p, t, n) > 1.5);
    n = search_terms("Jones", t);
    assert_true(search_score(&p, t, n) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(splits_terms),
        cmocka_unit_test(scores_candidates),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
