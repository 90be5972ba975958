/* test_demo: the synthetic borough loads, validates, repeats and looks like
 * inner London.
 *
 * Every test loads into fresh SQLite files under a temporary directory.
 * Set FD_DEMO_BIG=1 (or a number of people) to also time the full-size load
 * (290,000 people by default); it is skipped otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "core/entities.h"
#include "demo/demo.h"
#include "store/store.h"

enum { SMALL = 2000, PAGE = 1000 };

typedef struct {
    char dir[64];
    char path[3][128];
    store *s[3];
    store_conn *c[3];
} fixture;

static store_conn *open_fresh(fixture *f, int i)
{
    char err[256];
    char path[sizeof f->path[0]];
    snprintf(path, sizeof path, "%s/demo%d.db", f->dir, i);
    memcpy(f->path[i], path, sizeof path);
    f->s[i] = store_open(f->path[i], NULL, err, sizeof err);
    assert_non_null(f->s[i]);
    f->c[i] = store_conn_get(f->s[i], err, sizeof err);
    assert_non_null(f->c[i]);
    assert_int_equal(store_migrate(f->c[i], NULL), STORE_OK);
    return f->c[i];
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/fd_demo_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        store_close(f->s[i]);
        if (!f->path[i][0])
            continue;
        for (int k = 0; k < 3; k++) {
            char p[160];
            snprintf(p, sizeof p, "%s%s", f->path[i], suffix[k]);
            unlink(p);
        }
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Calls fn on every row of def for council 1, in id order. */
static void each_row(store_conn *c, const entity_def *def, void (*fn)(record *r, void *ctx), void *ctx)
{
    long long after = 0;
    for (;;) {
        arena *a = arena_new();
        record *rows;
        int n;
        assert_int_equal(store_list(c, 1, def, NULL, 0, after, PAGE, a, &rows, &n), STORE_OK);
        for (int i = 0; i < n; i++)
            fn(&rows[i], ctx);
        if (n > 0)
            after = rows[n - 1].id;
        arena_free(a);
        if (n < PAGE)
            break;
    }
}

static long long count(store_conn *c, const entity_def *def)
{
    long long n = -1;
    assert_int_equal(store_count(c, 1, def, &n), STORE_OK);
    return n;
}

/* Whole years from date a to date b (both YYYY-MM-DD). */
static int years_between(const char *a, const char *b)
{
    int ya = (int)strtol(a, NULL, 10), yb = (int)strtol(b, NULL, 10);
    int y = yb - ya;
    if (strcmp(b + 5, a + 5) < 0)
        y--;
    return y;
}

static int is_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* ------------------------------------------------------------ the survey */

typedef struct {
    long long n, invalid;
    /* people */
    char (*dob)[11]; /* by person id */
    long long max_id, under18, over75, needs, help, email, phone, lang, lang_en, bad_email, bad_phone, died;
    /* properties */
    long long council, flats, maisonettes, houses, house_garden, ground_flat_garden, floor_bad, max_floor, band_ad,
        postcode_bad, uprn_bad, house_floor_bad, town_bad;
    char (*uprn)[13];
    /* households */
    long long *hh_property; /* by household id */
    long long hh_max;
    /* members */
    long long current, past, past_bad, *current_of; /* current memberships by person id */
    long long *head_of, *size_of;                  /* by household id */
    long long child_pairs, child_gap_bad;
} survey;

/* Validates a copy of r as a create (validation may rewrite values into
 * memory from its arena, which is gone when this returns). */
static void validate(const record *r, survey *s)
{
    arena *a = arena_new();
    record copy = *r;
    errlist errs;
    errs.n = 0;
    if (record_validate(&copy, 1, a, &errs) != 0) {
        print_error("%s %lld: %s %s\n", r->def->name, r->id, errs.e[0].field, errs.e[0].message);
        s->invalid++;
    }
    arena_free(a);
}

static void see_person(record *r, void *ctx)
{
    survey *s = ctx;
    validate(r, s);
    s->n++;
    assert_true(r->id <= s->max_id);
    const char *dob = rec_str(r, "date_of_birth");
    assert_non_null(dob);
    snprintf(s->dob[r->id], sizeof s->dob[r->id], "%s", dob);
    int age = years_between(dob, DEMO_AS_OF);
    s->under18 += age < 18;
    s->over75 += age >= 75;
    s->needs += rec_str(r, "accessibility_needs") != NULL;
    s->help += rec_int(r, "needs_digital_help") == 1;
    s->died += rec_str(r, "date_of_death") != NULL;
    const char *email = rec_str(r, "email"), *phone = rec_str(r, "phone"), *lang = rec_str(r, "preferred_language");
    if (email) {
        s->email++;
        const char *at = strchr(email, '@');
        if (!at || (strcmp(at, "@example.org") != 0 && strcmp(at, "@example.com") != 0))
            s->bad_email++;
    }
    if (phone) {
        s->phone++;
        /* Ofcom's drama range only: 07700 900000 to 07700 900999. */
        if (strlen(phone) != 12 || strncmp(phone, "07700 900", 9) != 0 || !is_digits(phone + 9, 3))
            s->bad_phone++;
    }
    if (lang) {
        s->lang++;
        s->lang_en += strcmp(lang, "en") == 0;
    }
}

static void see_property(record *r, void *ctx)
{
    survey *s = ctx;
    validate(r, s);
    const char *type = rec_str(r, "property_type"), *pc = rec_str(r, "postcode"), *uprn = rec_str(r, "uprn");
    long long floor = rec_int(r, "floor"), garden = rec_int(r, "has_garden");
    char norm[9];
    if (postcode_normalise(pc, norm) != 0 || strcmp(norm, pc) != 0)
        s->postcode_bad++;
    if (!is_digits(uprn, 12))
        s->uprn_bad++;
    snprintf(s->uprn[s->n], sizeof s->uprn[s->n], "%s", uprn);
    s->n++;
    if (floor < 0 || floor > 20)
        s->floor_bad++;
    if (floor > s->max_floor)
        s->max_floor = floor;
    if (strcmp(type, "house") == 0) {
        s->houses++;
        s->house_garden += garden;
        s->house_floor_bad += floor != 0;
    } else if (strcmp(type, "flat") == 0) {
        s->flats++;
        s->ground_flat_garden += floor == 0 && garden;
    } else if (strcmp(type, "maisonette") == 0) {
        s->maisonettes++;
    }
    s->council += strcmp(rec_str(r, "tenure"), "council_rent") == 0;
    s->band_ad += strchr("ABCD", rec_str(r, "council_tax_band")[0]) != NULL;
    s->town_bad += strcmp(rec_str(r, "town"), "London") != 0;
}

static void see_household(record *r, void *ctx)
{
    survey *s = ctx;
    validate(r, s);
    s->n++;
    assert_true(r->id <= s->hh_max);
    s->hh_property[r->id] = rec_int(r, "property_id");
}

static void see_member(record *r, void *ctx)
{
    survey *s = ctx;
    validate(r, s);
    s->n++;
    long long hh = rec_int(r, "household_id"), person = rec_int(r, "person_id");
    assert_true(hh <= s->hh_max && person <= s->max_id);
    const char *from = rec_str(r, "from_date"), *to = rec_str(r, "to_date");
    assert_non_null(from);
    if (to) {
        s->past++;
        if (strcmp(to, from) < 0 || strcmp(to, DEMO_AS_OF) > 0)
            s->past_bad++;
        return;
    }
    s->current++;
    s->current_of[person]++;
    s->size_of[hh]++;
    if (strcmp(rec_str(r, "relationship"), "head") == 0) {
        assert_int_equal(s->head_of[hh], 0);
        s->head_of[hh] = person;
    }
}

/* Second pass over members: children under 18 against the head's age. */
static void see_child(record *r, void *ctx)
{
    survey *s = ctx;
    if (rec_str(r, "to_date") || strcmp(rec_str(r, "relationship"), "child") != 0)
        return;
    long long hh = rec_int(r, "household_id"), child = rec_int(r, "person_id"), head = s->head_of[hh];
    assert_true(head > 0);
    s->child_pairs++;
    int gap = years_between(s->dob[head], s->dob[child]);
    if (gap < 18 || gap > 45) {
        print_error("household %lld: head born %s, child born %s\n", hh, s->dob[head], s->dob[child]);
        s->child_gap_bad++;
    }
}

static int by_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int by_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static double share(long long part, long long whole)
{
    return whole ? (double)part / (double)whole : 0.0;
}

/* Checks everything the generator promises about a loaded borough. */
static void check_borough(store_conn *c, long long people, const demo_stats *st)
{
    long long np = count(c, &person_def), nprop = count(c, &property_def), nhh = count(c, &household_def),
              nm = count(c, &member_def);
    assert_int_equal(st->people, people);
    assert_int_equal(np, st->people);
    assert_int_equal(nprop, st->properties);
    assert_int_equal(nhh, st->households);
    assert_int_equal(nm, st->members);
    assert_true(nhh >= people * 10 / 26 && nhh <= people / 2); /* about people / 2.3 */
    assert_true(nprop >= nhh && nprop <= nhh * 110 / 100);   /* one each, a few vacant */

    survey s;
    memset(&s, 0, sizeof s);
    s.max_id = np; /* fresh file: ids run 1..n */
    s.hh_max = nhh;
    s.dob = calloc((size_t)np + 1, sizeof *s.dob);
    s.uprn = calloc((size_t)nprop, sizeof *s.uprn);
    s.hh_property = calloc((size_t)nhh + 1, sizeof *s.hh_property);
    s.current_of = calloc((size_t)np + 1, sizeof *s.current_of);
    s.head_of = calloc((size_t)nhh + 1, sizeof *s.head_of);
    s.size_of = calloc((size_t)nhh + 1, sizeof *s.size_of);

    each_row(c, &person_def, see_person, &s);
    assert_int_equal(s.n, np);
    s.n = 0;
    each_row(c, &property_def, see_property, &s);
    assert_int_equal(s.n, nprop);
    s.n = 0;
    each_row(c, &household_def, see_household, &s);
    s.n = 0;
    each_row(c, &member_def, see_member, &s);
    each_row(c, &member_def, see_child, &s);
    assert_int_equal(s.invalid, 0);

    /* People. */
    assert_int_equal(s.bad_email, 0);
    assert_int_equal(s.bad_phone, 0);
    assert_true(s.email > np / 3);
    assert_true(s.phone > np / 2);
    assert_true(s.under18 > np / 10);
    assert_true(s.over75 > 0);
    assert_true(s.needs > 0 && s.needs < np / 5);
    assert_true(s.help > 0);
    assert_true(s.lang_en > s.lang * 7 / 10 && s.lang_en < s.lang);
    assert_int_equal(s.died, 0);

    /* Properties: unique 12-digit UPRNs, normalised postcodes, the mix. */
    assert_int_equal(s.uprn_bad, 0);
    assert_int_equal(s.postcode_bad, 0);
    assert_int_equal(s.town_bad, 0);
    qsort(s.uprn, (size_t)nprop, sizeof *s.uprn, by_str);
    for (long long i = 1; i < nprop; i++)
        assert_string_not_equal(s.uprn[i - 1], s.uprn[i]);
    assert_int_equal(s.floor_bad, 0);
    assert_int_equal(s.house_floor_bad, 0);
    double council = share(s.council, nprop);
    assert_true(council >= 0.35 && council <= 0.45);
    assert_true(s.flats + s.maisonettes > nprop / 2);
    assert_true(s.houses > 0 && s.houses < nprop / 4);
    assert_true(s.house_garden > s.houses / 2);
    assert_true(s.ground_flat_garden > 0);
    assert_true(s.band_ad > nprop * 3 / 4);

    /* Households: each at its own property; every person in exactly one. */
    long long singles = 0;
    qsort(s.hh_property + 1, (size_t)nhh, sizeof *s.hh_property, by_ll);
    for (long long h = 2; h <= nhh; h++)
        assert_true(s.hh_property[h] > s.hh_property[h - 1]);
    for (long long h = 1; h <= nhh; h++) {
        assert_true(s.head_of[h] > 0);
        singles += s.size_of[h] == 1;
    }
    for (long long p = 1; p <= np; p++)
        assert_int_equal(s.current_of[p], 1);
    assert_int_equal(s.current, np);
    assert_int_equal(s.past_bad, 0);
    assert_true(singles > nhh / 5);
    assert_true(s.child_pairs > 0);
    assert_int_equal(s.child_gap_bad, 0);

    print_message("%lld people, %lld households (%.2f each, %.0f%% single), %lld properties, %lld members "
                  "(%lld past)\n",
                  np, nhh, (double)np / (double)nhh, 100 * share(singles, nhh), nprop, nm, s.past);
    print_message("tenure council_rent %.1f%%; flats %.1f%%, maisonettes %.1f%%, houses %.1f%% (%.0f%% with garden); "
                  "max floor %lld; bands A-D %.1f%%\n",
                  100 * council, 100 * share(s.flats, nprop), 100 * share(s.maisonettes, nprop),
                  100 * share(s.houses, nprop), 100 * share(s.house_garden, s.houses), s.max_floor,
                  100 * share(s.band_ad, nprop));
    print_message("under 18 %.1f%%, 75+ %.1f%%, accessibility needs %.1f%%, digital help %.1f%%, email %.1f%%, "
                  "phone %.1f%%, language not en %.1f%%\n",
                  100 * share(s.under18, np), 100 * share(s.over75, np), 100 * share(s.needs, np),
                  100 * share(s.help, np), 100 * share(s.email, np), 100 * share(s.phone, np),
                  100 * share(s.lang - s.lang_en, s.lang));

    free(s.dob);
    free(s.uprn);
    free(s.hh_property);
    free(s.current_of);
    free(s.head_of);
    free(s.size_of);
}

/* ------------------------------------------------------------ the tests */

static void test_small_borough(void **state)
{
    fixture *f = *state;
    store_conn *c = open_fresh(f, 0);
    demo_stats st;
    char err[256] = "";
    assert_int_equal(demo_load(c, 1, SMALL, 20260401, &st, err, sizeof err), 0);
    assert_string_equal(err, "");
    check_borough(c, SMALL, &st);
}

/* Two rows are the same apart from the store's own timestamps. */
static void assert_same_row(const record *a, const record *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->version, b->version);
    for (int i = 0; i < a->def->nfields; i++) {
        const field_val *x = &a->v[i], *y = &b->v[i];
        assert_int_equal(x->set, y->set);
        assert_int_equal(x->null, y->null);
        if (x->null)
            continue;
        field_type t = a->def->fields[i].type;
        if (t == FT_INT || t == FT_BOOL || t == FT_REF)
            assert_int_equal(x->i, y->i);
        else
            assert_string_equal(x->s, y->s);
    }
}

/* Compares every row of def in two stores; returns the rows compared. */
static long long compare_stores(store_conn *c1, store_conn *c2, const entity_def *def)
{
    long long after = 0, total = 0;
    for (;;) {
        arena *a = arena_new();
        record *r1, *r2;
        int n1, n2;
        assert_int_equal(store_list(c1, 1, def, NULL, 0, after, PAGE, a, &r1, &n1), STORE_OK);
        assert_int_equal(store_list(c2, 1, def, NULL, 0, after, PAGE, a, &r2, &n2), STORE_OK);
        assert_int_equal(n1, n2);
        for (int i = 0; i < n1; i++)
            assert_same_row(&r1[i], &r2[i]);
        total += n1;
        if (n1 > 0)
            after = r1[n1 - 1].id;
        arena_free(a);
        if (n1 < PAGE)
            break;
    }
    return total;
}

static void test_deterministic(void **state)
{
    fixture *f = *state;
    store_conn *c1 = open_fresh(f, 0), *c2 = open_fresh(f, 1), *c3 = open_fresh(f, 2);
    demo_stats s1, s2, s3;
    char err[256];
    assert_int_equal(demo_load(c1, 1, SMALL, 7, &s1, err, sizeof err), 0);
    assert_int_equal(demo_load(c2, 1, SMALL, 7, &s2, err, sizeof err), 0);
    assert_int_equal(demo_load(c3, 1, SMALL, 8, &s3, err, sizeof err), 0);
    assert_int_equal(s1.people, s2.people);
    assert_int_equal(s1.households, s2.households);
    assert_int_equal(s1.properties, s2.properties);
    assert_int_equal(s1.members, s2.members);
    for (const entity_def *const *d = fd_entities; *d; d++) {
        long long rows = compare_stores(c1, c2, *d);
        /* The demo fills the first nouns; the others (consents) stay empty. */
        if (*d == &person_def || *d == &property_def || *d == &household_def || *d == &member_def)
            assert_true(rows > 0);
    }

    /* Another seed gives another borough. */
    arena *a = arena_new();
    record *r1, *r3;
    int n1, n3;
    assert_int_equal(store_list(c1, 1, &person_def, NULL, 0, 0, 50, a, &r1, &n1), STORE_OK);
    assert_int_equal(store_list(c3, 1, &person_def, NULL, 0, 0, 50, a, &r3, &n3), STORE_OK);
    int differ = 0;
    for (int i = 0; i < n1 && i < n3; i++)
        differ += strcmp(rec_str(&r1[i], "given_name"), rec_str(&r3[i], "given_name")) != 0;
    assert_true(differ > 10);
    arena_free(a);
}

static void test_tiny_and_bad_arguments(void **state)
{
    fixture *f = *state;
    store_conn *c = open_fresh(f, 0);
    demo_stats st;
    char err[256];
    assert_int_equal(demo_load(c, 1, 0, 1, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "people"));
    assert_int_equal(st.people, 0);
    assert_int_equal(demo_load(c, 0, 10, 1, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "council"));
    assert_int_equal(demo_load(NULL, 1, 10, 1, NULL, err, sizeof err), -1);
    assert_int_equal(count(c, &person_def), 0);

    /* One resident: one household, one property at least. */
    assert_int_equal(demo_load(c, 1, 1, 1, &st, err, sizeof err), 0);
    assert_int_equal(st.people, 1);
    assert_int_equal(st.households, 1);
    assert_int_equal(st.members, 1);
    assert_true(st.properties >= 1);
    assert_int_equal(count(c, &person_def), 1);
    long long props = count(c, &property_def);

    /* The same seed again collides on the first UPRN: the batch is rolled
     * back and nothing more is written. */
    err[0] = '\0';
    assert_int_equal(demo_load(c, 1, 500, 1, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "property"));
    assert_int_equal(st.people, 0);
    assert_int_equal(st.properties, 0);
    assert_int_equal(count(c, &person_def), 1);
    assert_int_equal(count(c, &property_def), props);
}

/* FD_DEMO_BIG=1 (or a number of people): the full-size load, timed. */
static void test_big(void **state)
{
    const char *big = getenv("FD_DEMO_BIG");
    if (!big || !*big) {
        skip();
        return;
    }
    long long people = strtoll(big, NULL, 10);
    if (people <= 1)
        people = 290000;
    fixture *f = *state;
    store_conn *c = open_fresh(f, 0);
    demo_stats st;
    char err[256];
    assert_int_equal(demo_load(c, 1, people, 20260401, &st, err, sizeof err), 0);
    print_message("demo_load %lld people: %lld households, %lld properties, %lld members in %.2f s\n", st.people,
                  st.households, st.properties, st.members, st.seconds);
    assert_int_equal(count(c, &person_def), people);
    if (people >= 290000) {
        assert_true(st.households >= 120000);
        assert_true(st.properties >= 100000);
        assert_true(st.seconds < 60);
    }
    if (getenv("FD_DEMO_BIG_CHECK"))
        check_borough(c, people, &st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_small_borough, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tiny_and_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
