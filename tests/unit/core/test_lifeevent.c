/* test_lifeevent: the life-event playbooks: the catalogue's own file,
 * every kind of mistake reported with file, line and column, and the date
 * arithmetic the playbooks use. */
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
#include "core/lifeevent.h"

static catalogue CAT;

static int setup(void **s)
{
    (void)s;
    char err[600], *text = file_read("catalogue/services.txt", 4 << 20, NULL, err, sizeof err);
    if (!text)
        return -1;
    int rc = catalogue_parse(text, "catalogue/services.txt", &CAT, err, sizeof err);
    free(text);
    return rc;
}

static int teardown(void **s)
{
    (void)s;
    catalogue_free(&CAT);
    return 0;
}

static const playbook *find(const playbooks *p, const char *type)
{
    const playbook *b = lifeevent_find(p, type);
    if (!b)
        fail_msg("no playbook %s", type);
    return b;
}

static int has_effect(const playbook *b, lifeevent_verb verb, const char *name)
{
    for (int i = 0; i < b->neffects; i++)
        if (b->effects[i].verb == verb && !strcmp(lifeevent_target_name(&b->effects[i]), name))
            return 1;
    return 0;
}

static int has_team(const playbook *b, const char *team)
{
    for (int i = 0; i < b->ntasks; i++)
        if (!strcmp(b->tasks[i].team, team))
            return 1;
    return 0;
}

static void the_catalogue_file_parses(void **state)
{
    (void)state;
    char err[600] = "", *text = file_read("catalogue/life_events.txt", 1 << 20, NULL, err, sizeof err);
    assert_non_null(text);
    arena *a = arena_new();
    playbooks pb;
    if (lifeevent_parse(text, "catalogue/life_events.txt", &CAT, a, &pb, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_true(pb.n >= 10);
    static const char *const types[] = {"death", "birth", "move_in", "move_out", "move_within", "becoming_disabled",
                                        "becoming_carer", "marriage", "turning_18", "pension_age"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const playbook *b = find(&pb, types[i]);
        assert_non_null(b->name);
        assert_true(b->ntasks >= 1);
    }
    /* Death covers the council part of Tell Us Once. */
    const playbook *d = find(&pb, "death");
    assert_string_equal(d->record, "date_of_death");
    assert_int_equal(d->household, LH_LEAVE);
    assert_true(has_effect(d, LE_END, "all-person-services"));
    assert_true(has_effect(d, LE_END, "billed"));
    assert_true(has_effect(d, LE_END, "housing-benefit"));
    assert_true(has_effect(d, LE_END, "council-tax-reduction"));
    assert_true(has_effect(d, LE_END, "parking-permit-resident"));
    assert_true(has_effect(d, LE_CHANGE, "council-tax"));
    assert_true(has_effect(d, LE_CHANGE, "council-tenancy"));
    assert_true(has_effect(d, LE_OFFER, "single-person-discount"));
    assert_true(has_effect(d, LE_OFFER, "bereavement"));
    static const char *const teams[] = {"revenues_benefits", "registration", "libraries", "social_care",
                                        "parking", "community", "waste", "housing"};
    for (size_t i = 0; i < sizeof teams / sizeof teams[0]; i++)
        assert_true(has_team(d, teams[i]));
    assert_int_equal(find(&pb, "turning_18")->age, 18);
    assert_int_equal(find(&pb, "pension_age")->age, 66);
    assert_int_equal(find(&pb, "move_within")->household, LH_MOVE);
    assert_null(lifeevent_find(&pb, "wedding"));
    arena_free(a);
    free(text);
}

/* Parses text and checks the error message starts as want. */
static void bad(const char *text, const char *want)
{
    arena *a = arena_new();
    playbooks pb;
    char err[600] = "";
    int rc = lifeevent_parse(text, "le.txt", &CAT, a, &pb, err, sizeof err);
    arena_free(a);
    if (rc == 0)
        fail_msg("parsed, but should fail with %s:\n%s", want, text);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("got '%s', want '%s...'", err, want);
    assert_int_equal(pb.n, 0);
}

#define HEAD "event: x\nname: X\n"

static void mistakes_name_file_line_and_column(void **state)
{
    (void)state;
    bad("name: X\n", "le.txt:1:1: 'name:' before any event");
    bad("event: Death\n", "le.txt:1:8: event id 'Death'");
    bad(HEAD "colour: red\n", "le.txt:3:1: unknown key 'colour'");
    bad(HEAD "end: nonsense-service\n", "le.txt:3:6: no service has id 'nonsense-service'");
    bad(HEAD "end: blue-badge pothole\n", "le.txt:3:17: pothole is a one-off request");
    bad(HEAD "offer: subject council-tax\n", "le.txt:3:16: council-tax has no eligibility rule");
    bad(HEAD "offer: everyone blue-badge\n", "le.txt:3:8: offer: to whom?");
    bad(HEAD "review: council-tax\n", "le.txt:3:9: council-tax has no eligibility rule to re-check");
    bad(HEAD "change: blue-badge\n", "le.txt:3:9: blue-badge is a person service");
    bad(HEAD "end: all\n", "le.txt:3:6: 'all' cannot be used here");
    bad(HEAD "end: blue-badge blue-badge\n", "le.txt:3:17: 'blue-badge' is listed twice");
    bad(HEAD "end:\n", "le.txt:3:5: end: needs a value");
    bad(HEAD "task: gardening 5 Dig\n", "le.txt:3:7: no service belongs to a team called 'gardening'");
    bad(HEAD "task: waste five Dig\n", "le.txt:3:13: task: days");
    bad(HEAD "task: waste 400 Dig\n", "le.txt:3:13: task: days");
    bad(HEAD "task: waste 5\n", "le.txt:3:7: task: needs a title");
    bad(HEAD "notify: subject Hello\n", "le.txt:3:9: notify: is subject|household|left");
    bad(HEAD "notify: all Hello | there\n", "le.txt:3:9: notify: to whom?");
    bad(HEAD "record: shoe_size\n", "le.txt:3:9: record: is date_of_death or accessibility_needs");
    bad(HEAD "household: evaporate\n", "le.txt:3:12: household: is one of");
    bad(HEAD "age: old\n", "le.txt:3:6: age: is a whole number");
    bad(HEAD "carry: household-services\n", "le.txt:3:1: carry: is for a household moving home");
    bad(HEAD "\n", "le.txt:1:1: playbook x does nothing");
    bad("event: x\ntask: waste 1 Dig\n", "le.txt:1:1: playbook x has no name:");
    bad(HEAD "task: waste 1 Dig\n\nevent: x\nname: Y\ntask: waste 1 Dig\n", "le.txt:5:8: event x is defined twice (first on line 1)");
    bad(HEAD "task: waste 1 Dig\nevent: y\n", "le.txt:4:1: a new event: needs a blank line");
    bad(HEAD "just words\n", "le.txt:3:1: expected key: value");
}

static void a_small_playbook_reads_back(void **state)
{
    (void)state;
    const char *text = "# comment\n\nevent: move_x\nname: Moving\nhousehold: move\ncarry: household-services\n"
                       "offer: left single-person-discount bereavement\nstart: council-tax\n"
                       "task: revenues_benefits 3 Council tax: open the new account\n"
                       "notify: household You moved | We have your new address.\n";
    arena *a = arena_new();
    playbooks pb;
    char err[600] = "";
    if (lifeevent_parse(text, "le.txt", &CAT, a, &pb, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(pb.n, 1);
    const playbook *b = &pb.items[0];
    assert_string_equal(b->type, "move_x");
    assert_int_equal(b->age, -1);
    assert_int_equal(b->neffects, 4);
    assert_int_equal(b->effects[0].verb, LE_CARRY);
    assert_int_equal(b->effects[0].group, LG_HOUSEHOLD);
    assert_int_equal(b->effects[1].verb, LE_OFFER);
    assert_int_equal(b->effects[1].target, LT_LEFT);
    assert_string_equal(b->effects[2].s->slug, "bereavement");
    assert_string_equal(b->effects[3].s->slug, "council-tax");
    assert_int_equal(b->ntasks, 1);
    assert_string_equal(b->tasks[0].team, "revenues_benefits");
    assert_int_equal(b->tasks[0].days, 3);
    assert_string_equal(b->tasks[0].title, "Council tax: open the new account");
    assert_int_equal(b->nnotices, 1);
    assert_int_equal(b->notices[0].target, LT_HOUSEHOLD);
    assert_string_equal(b->notices[0].subject, "You moved");
    assert_string_equal(b->notices[0].body, "We have your new address.");
    arena_free(a);
}

static void dates_and_ages(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(lifeevent_add_days("2024-03-01", -1, out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(lifeevent_add_days("2023-12-31", 1, out), 0);
    assert_string_equal(out, "2024-01-01");
    assert_int_equal(lifeevent_add_days("2026-11-23", 0, out), 0);
    assert_string_equal(out, "2026-11-23");
    assert_int_equal(lifeevent_add_days("2026-02-30", 1, out), -1);
    assert_int_equal(lifeevent_add_days(NULL, 1, out), -1);
    assert_int_equal(lifeevent_age_on("2008-11-23", "2026-11-23"), 18);
    assert_int_equal(lifeevent_age_on("2008-11-24", "2026-11-23"), 17);
    assert_int_equal(lifeevent_age_on("2008-02-29", "2026-02-28"), 17);
    assert_int_equal(lifeevent_age_on("2008-02-29", "2026-03-01"), 18);
    assert_int_equal(lifeevent_age_on("2030-01-01", "2026-01-01"), -1);
    assert_int_equal(lifeevent_age_on(NULL, "2026-01-01"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_catalogue_file_parses),
        cmocka_unit_test(mistakes_name_file_line_and_column),
        cmocka_unit_test(a_small_playbook_reads_back),
        cmocka_unit_test(dates_and_ages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
