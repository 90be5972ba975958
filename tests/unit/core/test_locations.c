/* test_locations: locations.txt, its slots and what is not a slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/file.h"
#include "core/locations.h"

static const char *const ok_text = "# two places\n"
                                   "location: hall\n"
                                   "name: Town Hall\n"
                                   "address: 1 High Street\n"
                                   "hours: mon 09:00-12:00; sat 10:00-11:00\n"
                                   "slots: rent 45 2; tax 30 1\n"
                                   "\n"
                                   "location: lib\n"
                                   "name: Library\n"
                                   "address: 2 Low Road\n"
                                   "hours: wed 13:00-14:00\n"
                                   "slots: tax 60 5\n";

static int known(const char *slug, void *ctx)
{
    (void)ctx;
    return !strcmp(slug, "rent") || !strcmp(slug, "tax");
}

typedef struct {
    char got[64][40];
    int n;
} seen;

static int collect(const char *start, const char *end, void *ctx)
{
    seen *s = ctx;
    if (s->n < 64)
        snprintf(s->got[s->n++], sizeof s->got[0], "%s-%s", start, end + 11);
    return 0;
}

static void parses_and_makes_slots(void **state)
{
    (void)state;
    location_set ls;
    char err[300];
    holidays h = {.n = 0};
    assert_int_equal(locations_parse(ok_text, "l.txt", known, NULL, &ls, err, sizeof err), 0);
    assert_int_equal(ls.n, 2);
    const site *hall = locations_find(&ls, "hall");
    assert_non_null(hall);
    assert_string_equal(hall->address, "1 High Street");
    assert_int_equal(hall->open[1], 540);
    assert_int_equal(hall->close[1], 720);
    assert_int_equal(hall->open[0], -1);
    const location_service *rent = location_service_find(hall, "rent");
    assert_int_equal(rent->minutes, 45);
    assert_int_equal(rent->capacity, 2);
    assert_null(location_service_find(locations_find(&ls, "lib"), "rent"));
    /* 2026-11-23 is a Monday, 2026-11-28 a Saturday. 45-minute slots from
     * 09:00 while a whole one fits before 12:00; one 45 of the Saturday's
     * hour does not fit twice. */
    seen s = {.n = 0};
    location_slots(hall, rent, &h, "2026-11-22", "2026-11-28", collect, &s);
    assert_int_equal(s.n, 5);
    assert_string_equal(s.got[0], "2026-11-23T09:00-09:45");
    assert_string_equal(s.got[3], "2026-11-23T11:15-12:00");
    assert_string_equal(s.got[4], "2026-11-28T10:00-10:45");
    assert_null(location_slot_problem(hall, rent, &h, "2026-11-23T10:30"));
    assert_string_equal(location_slot_problem(hall, rent, &h, "2026-11-23T10:00"),
                        "is not the start of a slot (slots run from opening, one after another)");
    assert_string_equal(location_slot_problem(hall, rent, &h, "2026-11-24T09:00"), "the location is closed that day");
    assert_string_equal(location_slot_problem(hall, rent, &h, "2026-11-28T10:45"),
                        "the location is not open for the whole slot then");
    assert_string_equal(location_slot_problem(hall, rent, &h, "2026-11-23 09:00"),
                        "must be a local time written YYYY-MM-DDTHH:MM");
    assert_string_equal(location_slot_problem(hall, rent, &h, "2026-02-30T09:00"),
                        "must be a local time written YYYY-MM-DDTHH:MM");
    /* A bank holiday closes it. */
    char herr[100];
    assert_int_equal(holidays_parse("2026-11-23\n", "b.txt", &h, herr, sizeof herr), 0);
    assert_string_equal(location_slot_problem(hall, rent, &h, "2026-11-23T09:00"), "the location is closed that day");
    s.n = 0;
    location_slots(hall, rent, &h, "2026-11-23", "2026-11-23", collect, &s);
    assert_int_equal(s.n, 0);
    char end[17];
    location_slot_end(rent, "2026-11-23T23:30", end);
    assert_string_equal(end, "2026-11-24T00:15");
    locations_free(&ls);
}

static void bad_files_name_the_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"name: x\n", "l.txt:1:1: a block starts with \"location: ID\", not name:"},
        {"location: a\nname: A\naddress: x\nhours: mon 09:00-17:00\nslots: nope 30 1\n",
         "l.txt:5:1: slots: no service 'nope' in services.txt"},
        {"location: a\nname: A\naddress: x\nhours: mon 17:00-09:00\n",
         "l.txt:4:1: hours: '17:00-09:00' is not an opening time before a closing time (HH:MM-HH:MM)"},
        {"location: a\nname: A\naddress: x\nhours: funday 09:00-17:00\n",
         "l.txt:4:1: hours: unknown day 'funday' (sun, mon, tue, wed, thu, fri, sat)"},
        {"location: a\nname: A\naddress: x\nhours: mon 09:00-17:00\nslots: tax 0 1\n",
         "l.txt:5:1: slots: tax: minutes must be 5 to 480 and capacity 1 to 50"},
        {"location: a\nname: A\nhours: mon 09:00-17:00\nslots: tax 30 1\n", "l.txt:1:1: location a has no address:"},
        {"location: A b\nname: A\naddress: x\nhours: mon 09:00-17:00\nslots: tax 30 1\n",
         "l.txt:1:1: location id 'A b' may hold only a-z, 0-9 and -"},
        {"location: a\nname: A\naddress: x\nhours: mon 09:00-17:00\nslots: tax 30 1\n\nlocation: a\n",
         "l.txt:7:1: location a is given twice"},
        {"location: a\ncolour: red\n", "l.txt:2:1: unknown key colour: (location, name, address, hours, slots)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        location_set ls;
        char err[300];
        assert_int_equal(locations_parse(cases[i].text, "l.txt", known, NULL, &ls, err, sizeof err), -1);
        if (strcmp(err, cases[i].want))
            fail_msg("case %zu: got %s, want %s", i, err, cases[i].want);
        assert_int_equal(ls.n, 0);
    }
}

static void the_shipped_file_parses(void **state)
{
    (void)state;
    location_set ls;
    char err[300];
    char *text = file_read("catalogue/locations.txt", 16384, NULL, err, sizeof err);
    assert_non_null(text); /* run from the repository's top folder */
    if (locations_parse(text, "locations.txt", NULL, NULL, &ls, err, sizeof err) != 0)
        fail_msg("%s", err);
    free(text);
    assert_true(ls.n >= 3);
    locations_free(&ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_and_makes_slots),
        cmocka_unit_test(bad_files_name_the_line),
        cmocka_unit_test(the_shipped_file_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
