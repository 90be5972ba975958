/* test_store: the store test suite, run against every backend (store.h).
 *
 * The same tests run as one cmocka group per backend:
 *   - "sqlite" always, on a fresh database file in a new directory under
 *     $TMPDIR (or /tmp), removed afterwards;
 *   - "postgresql" when FD_TEST_PG_URL is set (e.g. from
 *     scripts/pg-test-server.sh start DIR), in a fresh schema made for this run
 *     (the store's connections get it as their search_path) and dropped
 *     afterwards, so leftovers in the database do not matter.
 * A third group, "store_open", checks what opening reports when the database
 * cannot be reached; it needs no server.
 *
 * Each group's setup opens the store, checks the database is empty, migrates
 * it and adds a second council (id 2) with raw SQL (there is no store call for
 * that), so council isolation can be tested from both sides. Tests share the
 * group's store and make their own rows; none depends on another's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "core/access.h"
#include "core/entities.h"
#include "store/store.h"

/* The state of one backend's group. */
typedef struct {
    int pg;              /* 1: PostgreSQL, 0: SQLite */
    store *s;
    int applied;         /* migrations the setup applied */
    char dir[PATH_MAX - 64]; /* SQLite: the temporary directory */
    char path[PATH_MAX]; /* SQLite: the database file in it */
    PGconn *raw;         /* PostgreSQL: our own connection, for setup and teardown */
    char schema[64];     /* PostgreSQL: this run's schema */
    char url[4096];      /* PostgreSQL: FD_TEST_PG_URL with search_path set to schema */
} fixture;

enum { OTHER_COUNCIL = 2, MISSING_ID = 987654321 };

static long long uniq = 0; /* makes uprns and keys unique within a run */

static long long next_uniq(void)
{
    return __atomic_add_fetch(&uniq, 1, __ATOMIC_SEQ_CST);
}

/* This thread's connection; fails the test if there is none. */
static store_conn *conn_of(fixture *f)
{
    char err[512];
    store_conn *c = store_conn_get(f->s, err, sizeof err);
    if (!c)
        fail_msg("store_conn_get: %s", err);
    return c;
}

/* Fails with the store's message unless rc is want. */
static void expect_rc(store_conn *c, int rc, int want, const char *what)
{
    if (rc != want)
        fail_msg("%s: got %d, want %d (%s)", what, rc, want, store_errmsg(c));
}

/* ---- setup and teardown ---------------------------------------------- */

/* Opens f->s, checks the database is empty, migrates it. 0 on success. */
static int open_and_migrate(fixture *f, const char *path, const char *url)
{
    char err[512];
    f->s = store_open(path, url, err, sizeof err);
    if (!f->s) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    store_conn *c = store_conn_get(f->s, err, sizeof err);
    if (!c || store_schema_version(c) != 0) {
        fprintf(stderr, "the test database is not empty (or unreachable)\n");
        return -1;
    }
    if (store_migrate(c, &f->applied) != STORE_OK) {
        fprintf(stderr, "migrate: %s\n", store_errmsg(c));
        return -1;
    }
    return 0;
}

static int setup_sqlite_(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    *state = f;
    snprintf(f->dir, sizeof f->dir, "%s/fd-test-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        perror(f->dir);
        f->dir[0] = '\0';
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/store.db", f->dir);
    if (open_and_migrate(f, f->path, NULL) != 0)
        return -1;
    sqlite3 *db = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(f->path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          "INSERT INTO councils (id, name, created_at) VALUES (2, 'Other Borough', "
                          "'2024-01-01T00:00:00Z')",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "adding council 2: %s\n", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static int teardown_sqlite(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    store_close(f->s);
    if (f->dir[0]) {
        static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            char p[PATH_MAX + 16];
            snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
            unlink(p);
        }
        if (rmdir(f->dir) != 0)
            perror(f->dir);
    }
    free(f);
    return 0;
}

/* Runs sql on the raw connection (after SET search_path to our schema,
 * already done); 0 on success, else prints why. */
static int raw_exec(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    return ok ? 0 : -1;
}

static int setup_pg_(void **state)
{
    const char *base = getenv("FD_TEST_PG_URL");
    fixture *f = xcalloc(1, sizeof *f);
    *state = f;
    f->pg = 1;
    f->raw = PQconnectdb(base);
    if (PQstatus(f->raw) != CONNECTION_OK) {
        fprintf(stderr, "FD_TEST_PG_URL: %s", PQerrorMessage(f->raw));
        return -1;
    }
    PQclear(PQexec(f->raw, "SET client_min_messages = warning"));
    /* Digits and a prefix only: safe to write into SQL as an identifier. */
    snprintf(f->schema, sizeof f->schema, "fdtest_%ld_%ld", (long)getpid(), (long)time(NULL));
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", f->schema);
    if (raw_exec(f->raw, sql) != 0) {
        f->schema[0] = '\0';
        return -1;
    }
    snprintf(sql, sizeof sql, "SET search_path TO %s", f->schema);
    if (raw_exec(f->raw, sql) != 0)
        return -1;
    /* The store's connections use the schema too; application_name lets
     * test_server_gone find them. (Run this suite on a database without
     * pg_trgm, as tests/run.sh does: an extension lives in one schema.) */
    if (strstr(base, "://"))
        snprintf(f->url, sizeof f->url, "%s%coptions=-csearch_path%%3D%s&application_name=%s", base,
                 strchr(base, '?') ? '&' : '?', f->schema, f->schema);
    else
        snprintf(f->url, sizeof f->url, "%s options='-csearch_path=%s' application_name=%s", base, f->schema,
                 f->schema);
    if (open_and_migrate(f, NULL, f->url) != 0)
        return -1;
    return raw_exec(f->raw, "INSERT INTO councils (id, name, created_at) VALUES (2, 'Other Borough', "
                            "'2024-01-01T00:00:00Z')");
}

static int teardown_pg(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    store_close(f->s);
    if (f->schema[0]) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
        raw_exec(f->raw, sql);
    }
    PQfinish(f->raw);
    free(f);
    return 0;
}

/* Group setups: on failure they undo what they did, as cmocka then runs
 * neither the tests nor the group teardown. */
static int setup_sqlite(void **state)
{
    if (setup_sqlite_(state) == 0)
        return 0;
    teardown_sqlite(state);
    *state = NULL;
    return -1;
}

static int setup_pg(void **state)
{
    if (setup_pg_(state) == 0)
        return 0;
    teardown_pg(state);
    *state = NULL;
    return -1;
}

/* ---- records ------------------------------------------------------------- */

/* Ids of rows made so far, by table, for FT_REF fields. */
typedef struct {
    const char *table[32];
    long long id[32];
    int n;
} refs;

static long long ref_id(const refs *rf, const char *table)
{
    for (int i = 0; i < rf->n; i++)
        if (strcmp(rf->table[i], table) == 0)
            return rf->id[i];
    fail_msg("no %s row made yet", table);
    return 0;
}

static void ref_add(refs *rf, const char *table, long long id)
{
    for (int i = 0; i < rf->n; i++)
        if (strcmp(rf->table[i], table) == 0) {
            rf->id[i] = id;
            return;
        }
    assert_true(rf->n < 32);
    rf->table[rf->n] = table;
    rf->id[rf->n++] = id;
}

/* Text of exactly n bytes with quotes, backslash, percent and a dollar in
 * it: what a careless SQL or format layer would trip on. */
static const char *awkward_text(arena *a, int n)
{
    static const char pat[] = "O'Brien \"x\" \\ %s $1; ";
    char *s = arena_alloc(a, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        s[i] = pat[i % (int)(sizeof pat - 1)];
    return s;
}

/* Fills r (a new record of d) for a roundtrip. variant 0: every field set,
 * bools true, ints at their minimum, UTF-8 text; 1: every field set, bools
 * false, ints at their maximum, text at its maximum length; 2: required
 * fields only (the rest unset); 3: as 2 with the rest explicitly null. */
static void fill(record *r, const entity_def *d, int variant, const refs *rf, arena *a)
{
    record_init(r, d);
    for (int i = 0; i < d->nfields; i++) {
        const field_def *f = &d->fields[i];
        field_val *v = &r->v[i];
        if (variant >= 2 && !(f->flags & F_REQUIRED)) {
            v->set = variant == 3;
            v->null = variant == 3;
            continue;
        }
        v->set = 1;
        switch (f->type) {
        case FT_INT:
            v->i = variant == 1 ? f->max : f->min;
            break;
        case FT_BOOL:
            v->i = variant != 1;
            break;
        case FT_REF:
            v->i = ref_id(rf, f->ref);
            break;
        case FT_DATE:
            v->s = variant == 1 ? "2000-02-29" : "1999-12-31";
            break;
        case FT_ENUM: {
            int n = 0;
            while (f->choices[n])
                n++;
            v->s = f->choices[variant == 1 ? n - 1 : 0];
            break;
        }
        default:
            switch (f->check) {
            case CHECK_UPRN:
                v->s = arena_printf(a, "%lld", 100000000000LL + next_uniq());
                break;
            case CHECK_POSTCODE:
                v->s = variant == 1 ? "EC1A 1BB" : "SW1A 1AA";
                break;
            case CHECK_EMAIL:
                v->s = "resident@example.org";
                break;
            case CHECK_PHONE:
                v->s = "+44 20 7946 0000";
                break;
            default:
                if (!strcmp(f->name, "local_id") || !strcmp(f->name, "slug") || !strcmp(f->name, "access_key")) { /* unique keys */
                    v->s = arena_printf(a, "%s-%lld", variant == 1 ? "Zoë" : "id", next_uniq());
                    break;
                }
                v->s = variant == 1 ? awkward_text(a, f->max_len) : "Zoë Ó Briain";
                break;
            }
            break;
        }
    }
}

/* Fails unless got holds want's fields: every field set, unset or null ones
 * null, the rest equal. */
static void assert_same_fields(const record *want, const record *got)
{
    const entity_def *d = want->def;
    assert_ptr_equal(got->def, d);
    for (int i = 0; i < d->nfields; i++) {
        const field_def *f = &d->fields[i];
        const field_val *w = &want->v[i], *g = &got->v[i];
        if (!g->set)
            fail_msg("%s.%s: not set after loading", d->name, f->name);
        if (!w->set || w->null) {
            if (!g->null)
                fail_msg("%s.%s: want null", d->name, f->name);
            continue;
        }
        if (g->null)
            fail_msg("%s.%s: got null", d->name, f->name);
        if (f->type == FT_INT || f->type == FT_BOOL || f->type == FT_REF) {
            if (w->i != g->i)
                fail_msg("%s.%s: got %lld, want %lld", d->name, f->name, g->i, w->i);
        } else if (strcmp(w->s, g->s) != 0) {
            fail_msg("%s.%s: got '%s', want '%s'", d->name, f->name, g->s, w->s);
        }
    }
}

static void assert_iso_time(const char *t)
{
    assert_int_equal(strlen(t), 20);
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[19], 'Z');
}

/* Inserts a person for council and returns its id. */
static long long add_person(store_conn *c, long long council, const char *family)
{
    record r;
    record_init(&r, &person_def);
    rec_set_str(&r, "given_name", "Ada");
    rec_set_str(&r, "family_name", family);
    rec_set_str(&r, "email", "ada@example.org");
    expect_rc(c, store_insert(c, council, &r), STORE_OK, "insert person");
    return r.id;
}

/* Inserts a property with this uprn for council; returns the store's code
 * and the id in *id. */
static int add_property(store_conn *c, long long council, const char *uprn, long long *id)
{
    record r;
    record_init(&r, &property_def);
    rec_set_str(&r, "uprn", uprn);
    rec_set_str(&r, "address_line_1", "1 High Street");
    rec_set_str(&r, "postcode", "SW1A 1AA");
    rec_set_str(&r, "property_type", "flat");
    int rc = store_insert(c, council, &r);
    if (id)
        *id = r.id;
    return rc;
}

static long long add_household(store_conn *c, long long property_id)
{
    record r;
    record_init(&r, &household_def);
    rec_set_int(&r, "property_id", property_id);
    rec_set_str(&r, "name", "The Okafor family");
    expect_rc(c, store_insert(c, 1, &r), STORE_OK, "insert household");
    return r.id;
}

static const char *new_uprn(arena *a)
{
    return arena_printf(a, "%lld", 200000000000LL + next_uniq());
}

static long long count_of(store_conn *c, long long council, const entity_def *d)
{
    long long n = -1;
    expect_rc(c, store_count(c, council, d, &n), STORE_OK, "count");
    return n;
}

/* ---- the tests --------------------------------------------------------- */

static void test_migrate(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    int version = store_schema_version(c);
    assert_true(f->applied >= 1);
    assert_true(version >= f->applied);
    int again = -1;
    expect_rc(c, store_migrate(c, &again), STORE_OK, "second migrate");
    assert_int_equal(again, 0);
    assert_int_equal(store_schema_version(c), version);
    assert_string_equal(store_backend(f->s), f->pg ? "postgresql" : "sqlite");
}

static void test_roundtrip_every_entity(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    for (int variant = 0; variant < 4; variant++) {
        refs rf = {.n = 0};
        for (const entity_def *const *d = fd_entities; *d; d++) {
            record in, out;
            fill(&in, *d, variant, &rf, a);
            expect_rc(c, store_insert(c, 1, &in), STORE_OK, (*d)->name);
            assert_true(in.id > 0);
            assert_int_equal(in.version, 1);
            assert_iso_time(in.created_at);
            assert_string_equal(in.created_at, in.updated_at);
            ref_add(&rf, (*d)->table, in.id);

            expect_rc(c, store_get(c, 1, *d, in.id, a, &out), STORE_OK, (*d)->name);
            assert_int_equal(out.id, in.id);
            assert_int_equal(out.version, 1);
            assert_string_equal(out.created_at, in.created_at);
            assert_string_equal(out.updated_at, in.updated_at);
            assert_same_fields(&in, &out);
        }
    }
    arena_free(a);
}

static void test_get_missing(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    record out;
    for (const entity_def *const *d = fd_entities; *d; d++)
        expect_rc(c, store_get(c, 1, *d, MISSING_ID, a, &out), STORE_NOTFOUND, (*d)->name);
    arena_free(a);
}

static void test_council_isolation(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    record out;
    long long before2 = count_of(c, OTHER_COUNCIL, &person_def);
    long long id = add_person(c, 1, "Isolated");

    expect_rc(c, store_get(c, OTHER_COUNCIL, &person_def, id, a, &out), STORE_NOTFOUND, "get from council 2");
    assert_int_equal(count_of(c, OTHER_COUNCIL, &person_def), before2);
    record *rows;
    int n;
    expect_rc(c, store_list(c, OTHER_COUNCIL, &person_def, NULL, 0, id - 1, 10, a, &rows, &n), STORE_OK, "list");
    for (int i = 0; i < n; i++)
        assert_true(rows[i].id != id);

    expect_rc(c, store_get(c, 1, &person_def, id, a, &out), STORE_OK, "get");
    expect_rc(c, store_update(c, OTHER_COUNCIL, &out, 1), STORE_NOTFOUND, "update from council 2");
    expect_rc(c, store_delete(c, OTHER_COUNCIL, &person_def, id), STORE_NOTFOUND, "delete from council 2");
    expect_rc(c, store_get(c, 1, &person_def, id, a, &out), STORE_OK, "still there");
    assert_int_equal(out.version, 1);

    /* Council 2's own rows: the same uprn may be used in each council. */
    const char *uprn = new_uprn(a);
    long long p1, p2;
    expect_rc(c, add_property(c, 1, uprn, &p1), STORE_OK, "property in council 1");
    expect_rc(c, add_property(c, OTHER_COUNCIL, uprn, &p2), STORE_OK, "same uprn in council 2");
    assert_true(p1 != p2);
    expect_rc(c, store_get(c, 1, &property_def, p2, a, &out), STORE_NOTFOUND, "council 2's row from council 1");
    expect_rc(c, store_get(c, OTHER_COUNCIL, &property_def, p2, a, &out), STORE_OK, "council 2's row");
    assert_string_equal(rec_str(&out, "uprn"), uprn);

    /* A council that does not exist cannot own rows. */
    record r;
    record_init(&r, &person_def);
    rec_set_str(&r, "given_name", "No");
    rec_set_str(&r, "family_name", "Council");
    expect_rc(c, store_insert(c, 3, &r), STORE_ERROR, "insert for a missing council");
    assert_true(store_errmsg(c)[0] != '\0');
    arena_free(a);
}

/* Councils by host: added in a transaction (rolled back here, so the
 * other tests' councils stay as they are), listed, hosts unique. */
static void test_council_hosts(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    council_row rows[100];
    int n0, n;
    expect_rc(c, store_council_list(c, a, rows, 100, &n0), STORE_OK, "list");
    assert_true(n0 >= 1);
    assert_int_equal(rows[0].id, 1);
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    long long id = 0, id2 = 0;
    expect_rc(c, store_council_add(c, "Test Borough", "test-borough.example", &id), STORE_OK, "add");
    assert_true(id > rows[n0 - 1].id);
    expect_rc(c, store_council_add(c, "Again", "test-borough.example", &id2), STORE_DUPLICATE, "same host");
    expect_rc(c, store_council_add(c, "No host", NULL, &id2), STORE_OK, "no host");
    assert_int_equal(id2, id + 1);
    expect_rc(c, store_council_list(c, a, rows, 100, &n), STORE_OK, "list again");
    assert_int_equal(n, n0 + 2);
    assert_int_equal(rows[n - 2].id, id);
    assert_string_equal(rows[n - 2].name, "Test Borough");
    assert_string_equal(rows[n - 2].host, "test-borough.example");
    assert_null(rows[n - 1].host);
    expect_rc(c, store_council_add(c, "", "x.example", &id2), STORE_ERROR, "no name");
    store_rollback(c);
    expect_rc(c, store_council_list(c, a, rows, 100, &n), STORE_OK, "list after rollback");
    assert_int_equal(n, n0);
    arena_free(a);
}

static void test_update(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    record r, out;
    long long id = add_person(c, 1, "Before");
    expect_rc(c, store_get(c, 1, &person_def, id, a, &r), STORE_OK, "get");
    char created[21];
    memcpy(created, r.created_at, sizeof created);

    /* Right version: saved, version bumped; an unset field becomes NULL. */
    rec_set_str(&r, "family_name", "After");
    r.v[entity_field(&person_def, "email")].set = 0;
    rec_set_int(&r, "needs_digital_help", 1);
    rec_set_str(&r, "date_of_birth", "1970-01-01");
    expect_rc(c, store_update(c, 1, &r, 1), STORE_OK, "update");
    assert_int_equal(r.version, 2);
    assert_iso_time(r.updated_at);
    expect_rc(c, store_get(c, 1, &person_def, id, a, &out), STORE_OK, "get after update");
    assert_int_equal(out.version, 2);
    assert_string_equal(out.created_at, created);
    assert_string_equal(out.updated_at, r.updated_at);
    assert_string_equal(rec_str(&out, "family_name"), "After");
    assert_null(rec_str(&out, "email"));
    assert_int_equal(rec_int(&out, "needs_digital_help"), 1);
    assert_string_equal(rec_str(&out, "date_of_birth"), "1970-01-01");

    /* Wrong version: conflict, nothing written. */
    rec_set_str(&out, "family_name", "Lost");
    expect_rc(c, store_update(c, 1, &out, 1), STORE_CONFLICT, "stale update");
    assert_int_equal(out.version, 2);
    record again;
    expect_rc(c, store_get(c, 1, &person_def, id, a, &again), STORE_OK, "get after conflict");
    assert_int_equal(again.version, 2);
    assert_string_equal(rec_str(&again, "family_name"), "After");

    /* Missing row. */
    out.id = MISSING_ID;
    expect_rc(c, store_update(c, 1, &out, 1), STORE_NOTFOUND, "update missing");
    arena_free(a);
}

static void test_duplicate_uprn(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    const char *u1 = new_uprn(a), *u2 = new_uprn(a);
    long long p1, p2, dup = 0;
    long long before = count_of(c, 1, &property_def);
    expect_rc(c, add_property(c, 1, u1, &p1), STORE_OK, "first");
    expect_rc(c, add_property(c, 1, u1, &dup), STORE_DUPLICATE, "insert duplicate");
    assert_true(store_errmsg(c)[0] != '\0');
    assert_int_equal(count_of(c, 1, &property_def), before + 1);

    expect_rc(c, add_property(c, 1, u2, &p2), STORE_OK, "second");
    record r;
    expect_rc(c, store_get(c, 1, &property_def, p2, a, &r), STORE_OK, "get");
    rec_set_str(&r, "uprn", u1);
    expect_rc(c, store_update(c, 1, &r, 1), STORE_DUPLICATE, "update to a taken uprn");
    expect_rc(c, store_get(c, 1, &property_def, p2, a, &r), STORE_OK, "get after");
    assert_string_equal(rec_str(&r, "uprn"), u2);
    assert_int_equal(r.version, 1);
    arena_free(a);
}

static void test_delete(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    record out;
    long long id = add_person(c, 1, "Leaving");
    expect_rc(c, store_delete(c, 1, &person_def, id), STORE_OK, "delete");
    expect_rc(c, store_get(c, 1, &person_def, id, a, &out), STORE_NOTFOUND, "get deleted");
    expect_rc(c, store_delete(c, 1, &person_def, id), STORE_NOTFOUND, "delete again");

    /* A property a household still refers to cannot go. */
    long long pid;
    expect_rc(c, add_property(c, 1, new_uprn(a), &pid), STORE_OK, "property");
    long long hid = add_household(c, pid);
    expect_rc(c, store_delete(c, 1, &property_def, pid), STORE_ERROR, "delete referenced property");
    expect_rc(c, store_get(c, 1, &property_def, pid, a, &out), STORE_OK, "still there");
    expect_rc(c, store_delete(c, 1, &household_def, hid), STORE_OK, "delete household");
    expect_rc(c, store_delete(c, 1, &property_def, pid), STORE_OK, "delete property");

    /* Nor can a household refer to a missing property. */
    record h;
    record_init(&h, &household_def);
    rec_set_int(&h, "property_id", MISSING_ID);
    expect_rc(c, store_insert(c, 1, &h), STORE_ERROR, "household of a missing property");
    arena_free(a);
}

static void test_list_paging(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    long long p, q;
    expect_rc(c, add_property(c, 1, new_uprn(a), &p), STORE_OK, "property p");
    expect_rc(c, add_property(c, 1, new_uprn(a), &q), STORE_OK, "property q");
    long long ids[5];
    long long other = add_household(c, q);
    for (int i = 0; i < 5; i++)
        ids[i] = add_household(c, p);

    /* By field, two at a time: 2, 2, 1, then nothing. */
    long long after = 0;
    int seen = 0;
    static const int pages[] = {2, 2, 1, 0};
    for (int page = 0; page < 4; page++) {
        record *rows;
        int n;
        expect_rc(c, store_list(c, 1, &household_def, "property_id", p, after, 2, a, &rows, &n), STORE_OK, "list by");
        assert_int_equal(n, pages[page]);
        for (int i = 0; i < n; i++) {
            assert_int_equal(rows[i].id, ids[seen++]);
            assert_int_equal(rec_int(&rows[i], "property_id"), p);
            assert_string_equal(rec_str(&rows[i], "name"), "The Okafor family");
            assert_int_equal(rows[i].version, 1);
            assert_iso_time(rows[i].created_at);
            after = rows[i].id;
        }
    }
    assert_int_equal(seen, 5);

    /* Everything, three at a time: ascending ids, all of ours among them,
     * as many as count says. */
    long long total = count_of(c, 1, &household_def), listed = 0;
    int found = 0;
    after = 0;
    for (;;) {
        record *rows;
        int n;
        expect_rc(c, store_list(c, 1, &household_def, NULL, 0, after, 3, a, &rows, &n), STORE_OK, "list");
        if (n == 0)
            break;
        assert_true(n <= 3);
        for (int i = 0; i < n; i++) {
            assert_true(rows[i].id > after);
            after = rows[i].id;
            found += rows[i].id == other;
            for (int k = 0; k < 5; k++)
                found += rows[i].id == ids[k];
        }
        listed += n;
    }
    assert_int_equal(found, 6);
    assert_int_equal(listed, total);

    /* Members by person. */
    long long x = add_person(c, 1, "Member"), y = add_person(c, 1, "Other");
    long long pairs[3][2] = {{ids[0], x}, {ids[1], x}, {ids[2], y}};
    for (int i = 0; i < 3; i++) {
        record m;
        record_init(&m, &member_def);
        rec_set_int(&m, "household_id", pairs[i][0]);
        rec_set_int(&m, "person_id", pairs[i][1]);
        rec_set_str(&m, "relationship", "head");
        expect_rc(c, store_insert(c, 1, &m), STORE_OK, "member");
    }
    record *rows;
    int n;
    expect_rc(c, store_list(c, 1, &member_def, "person_id", x, 0, 1000, a, &rows, &n), STORE_OK, "members");
    assert_int_equal(n, 2);
    assert_int_equal(rec_int(&rows[0], "household_id"), ids[0]);
    assert_int_equal(rec_int(&rows[1], "household_id"), ids[1]);

    /* What the list call refuses. */
    expect_rc(c, store_list(c, 1, &member_def, NULL, 0, 0, 0, a, &rows, &n), STORE_ERROR, "limit 0");
    expect_rc(c, store_list(c, 1, &member_def, NULL, 0, 0, 1001, a, &rows, &n), STORE_ERROR, "limit 1001");
    expect_rc(c, store_list(c, 1, &member_def, "nope", 1, 0, 10, a, &rows, &n), STORE_ERROR, "unknown field");
    arena_free(a);
}

static void test_count(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    long long before = count_of(c, 1, &person_def), before2 = count_of(c, OTHER_COUNCIL, &person_def);
    for (int i = 0; i < 3; i++)
        add_person(c, 1, "Counted");
    assert_int_equal(count_of(c, 1, &person_def), before + 3);
    assert_int_equal(count_of(c, OTHER_COUNCIL, &person_def), before2);
    add_person(c, OTHER_COUNCIL, "Elsewhere");
    assert_int_equal(count_of(c, OTHER_COUNCIL, &person_def), before2 + 1);
    assert_int_equal(count_of(c, 1, &person_def), before + 3);
}

static void test_idempotency(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    const char *key = arena_printf(a, "key-%lld", next_uniq());
    const char *body = "{\"id\": 42, \"name\": \"Zoë O'Brien\"}\n";
    char *hash = NULL, *got = NULL;
    int status = 0;
    expect_rc(c, store_idem_get(c, 1, key, a, &hash, &status, &got), STORE_NOTFOUND, "unused key");
    expect_rc(c, store_idem_put(c, 1, key, "sha256:abc", 201, body), STORE_OK, "put");
    expect_rc(c, store_idem_get(c, 1, key, a, &hash, &status, &got), STORE_OK, "get");
    assert_string_equal(hash, "sha256:abc");
    assert_int_equal(status, 201);
    assert_string_equal(got, body);
    expect_rc(c, store_idem_put(c, 1, key, "sha256:def", 200, "{}"), STORE_DUPLICATE, "put again");
    expect_rc(c, store_idem_get(c, 1, key, a, &hash, &status, &got), STORE_OK, "get after duplicate");
    assert_string_equal(hash, "sha256:abc");

    /* Keys are per council. */
    expect_rc(c, store_idem_get(c, OTHER_COUNCIL, key, a, &hash, &status, &got), STORE_NOTFOUND, "other council");
    expect_rc(c, store_idem_put(c, OTHER_COUNCIL, key, "sha256:0", 204, ""), STORE_OK, "put other council");
    expect_rc(c, store_idem_get(c, OTHER_COUNCIL, key, a, &hash, &status, &got), STORE_OK, "get other council");
    assert_int_equal(status, 204);
    assert_string_equal(got, "");
    arena_free(a);
}

static void test_transactions(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    record r, out;

    /* Nothing open: rollback is a no-op, commit is an error. */
    expect_rc(c, store_rollback(c), STORE_OK, "rollback with nothing open");
    expect_rc(c, store_commit(c), STORE_ERROR, "commit with nothing open");

    /* Rollback really discards the insert. */
    long long before = count_of(c, 1, &person_def);
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    expect_rc(c, store_begin(c), STORE_ERROR, "begin inside a transaction");
    record_init(&r, &person_def);
    rec_set_str(&r, "given_name", "Rolled");
    rec_set_str(&r, "family_name", "Back");
    expect_rc(c, store_insert(c, 1, &r), STORE_OK, "insert in transaction");
    expect_rc(c, store_get(c, 1, &person_def, r.id, a, &out), STORE_OK, "visible inside");
    assert_int_equal(count_of(c, 1, &person_def), before + 1);
    expect_rc(c, store_rollback(c), STORE_OK, "rollback");
    expect_rc(c, store_get(c, 1, &person_def, r.id, a, &out), STORE_NOTFOUND, "gone after rollback");
    assert_int_equal(count_of(c, 1, &person_def), before);

    /* Commit keeps it. */
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    long long kept = add_person(c, 1, "Committed");
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    expect_rc(c, store_get(c, 1, &person_def, kept, a, &out), STORE_OK, "kept");

    /* Duplicate, conflict and not-found leave the transaction usable, and
     * what else it did is committed (SQLite undoes only the statement). */
    const char *u1 = new_uprn(a), *u2 = new_uprn(a);
    const char *key = arena_printf(a, "tx-%lld", next_uniq());
    long long p1, p2, pd;
    expect_rc(c, add_property(c, 1, u1, &p1), STORE_OK, "property");
    expect_rc(c, store_idem_put(c, 1, key, "h", 201, "{}"), STORE_OK, "key");
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    expect_rc(c, add_property(c, 1, u2, &p2), STORE_OK, "property in transaction");
    expect_rc(c, add_property(c, 1, u1, &pd), STORE_DUPLICATE, "duplicate insert in transaction");
    expect_rc(c, store_idem_put(c, 1, key, "h", 201, "{}"), STORE_DUPLICATE, "duplicate key in transaction");
    expect_rc(c, store_get(c, 1, &property_def, p2, a, &r), STORE_OK, "get in transaction");
    rec_set_str(&r, "uprn", u1);
    expect_rc(c, store_update(c, 1, &r, 1), STORE_DUPLICATE, "duplicate update in transaction");
    rec_set_str(&r, "uprn", u2);
    expect_rc(c, store_update(c, 1, &r, 7), STORE_CONFLICT, "stale update in transaction");
    r.id = MISSING_ID;
    expect_rc(c, store_update(c, 1, &r, 1), STORE_NOTFOUND, "missing update in transaction");
    long long later = add_person(c, 1, "Later");
    expect_rc(c, store_commit(c), STORE_OK, "commit after duplicates");
    expect_rc(c, store_get(c, 1, &property_def, p2, a, &out), STORE_OK, "property committed");
    assert_string_equal(rec_str(&out, "uprn"), u2);
    expect_rc(c, store_get(c, 1, &person_def, later, a, &out), STORE_OK, "person committed");
    arena_free(a);
}

/* What one thread of test_threads did. */
typedef struct {
    fixture *f;
    pthread_barrier_t *both; /* both threads hold their connection at once */
    store_conn *c;
    int rc;
    char err[512];
} worker;

static void *work(void *p)
{
    worker *w = p;
    arena *a = arena_new();
    w->c = store_conn_get(w->f->s, w->err, sizeof w->err);
    pthread_barrier_wait(w->both);
    if (!w->c) {
        w->rc = STORE_ERROR;
        pthread_barrier_wait(w->both);
        arena_free(a);
        return NULL;
    }
    record r, out;
    record_init(&r, &person_def);
    rec_set_str(&r, "given_name", "Thread");
    rec_set_str(&r, "family_name", "Worker");
    long long n = 0;
    w->rc = store_insert(w->c, 1, &r);
    if (w->rc == STORE_OK)
        w->rc = store_get(w->c, 1, &person_def, r.id, a, &out);
    if (w->rc == STORE_OK)
        w->rc = store_count(w->c, 1, &person_def, &n);
    if (w->rc == STORE_OK && store_conn_get(w->f->s, w->err, sizeof w->err) != w->c)
        w->rc = -100; /* the same thread must get the same connection */
    if (w->rc != STORE_OK)
        snprintf(w->err, sizeof w->err, "%s", store_errmsg(w->c));
    pthread_barrier_wait(w->both); /* neither exits (closing its connection) early */
    arena_free(a);
    return NULL;
}

static void test_threads(void **state)
{
    fixture *f = *state;
    store_conn *mine = conn_of(f);
    pthread_barrier_t both;
    pthread_barrier_init(&both, NULL, 2);
    worker w[2] = {{.f = f, .both = &both}, {.f = f, .both = &both}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&both);
    for (int i = 0; i < 2; i++) {
        if (w[i].rc != STORE_OK)
            fail_msg("thread %d: %d (%s)", i, w[i].rc, w[i].err);
        assert_non_null(w[i].c);
        assert_true(w[i].c != mine);
    }
    assert_true(w[0].c != w[1].c);
    /* Their connections closed with the threads; ours still works. */
    assert_ptr_equal(conn_of(f), mine);
    count_of(mine, 1, &person_def);
}

/* PostgreSQL only: the server drops our session. The call that finds out
 * fails with a message; outside a transaction the next call reconnects;
 * inside one, calls fail until it is rolled back. */
static void test_server_gone(void **state)
{
    fixture *f = *state;
    if (!f->pg) {
        skip();
        return;
    }
    store_conn *c = conn_of(f);
    const char *const app[] = {f->schema};
    static const char kill_sql[] = "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                                   "WHERE application_name = $1 AND pid <> pg_backend_pid()";
    for (int in_tx = 0; in_tx < 2; in_tx++) {
        long long before = count_of(c, 1, &person_def);
        if (in_tx)
            expect_rc(c, store_begin(c), STORE_OK, "begin");
        PGresult *res = PQexecParams(f->raw, kill_sql, 1, NULL, app, NULL, NULL, 0);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        assert_true(PQntuples(res) >= 1);
        PQclear(res);

        long long n = 0;
        expect_rc(c, store_count(c, 1, &person_def, &n), STORE_ERROR, "count on a dropped session");
        assert_true(store_errmsg(c)[0] != '\0');
        assert_null(strchr(store_errmsg(c), '\n'));
        if (in_tx) {
            expect_rc(c, store_count(c, 1, &person_def, &n), STORE_ERROR, "count in the lost transaction");
            expect_rc(c, store_commit(c), STORE_ERROR, "commit of the lost transaction");
            expect_rc(c, store_rollback(c), STORE_OK, "rollback of the lost transaction");
        }
        assert_int_equal(count_of(c, 1, &person_def), before);
        add_person(c, 1, "Reconnected");
        assert_int_equal(count_of(c, 1, &person_def), before + 1);
    }
}

/* The read audit: entries appended in a batch reach audit_log once
 * settled (SQLite: from the audit's own file), each once, however often it
 * is settled. */
static void test_audit_append_settle(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    long long person = 515151, councils[3] = {1, 1, 1};
    record rows[3];
    for (int i = 0; i < 3; i++) {
        record_init(&rows[i], &audit_def);
        rec_set_str(&rows[i], "actor_kind", "token");
        rec_set_str(&rows[i], "action", "read");
        rec_set_int(&rows[i], "person_id", person);
        rec_set_int(&rows[i], "status", 200 + i);
    }
    expect_rc(c, store_audit_append(c, councils, rows, NULL, 3), STORE_OK, "append");
    expect_rc(c, store_audit_settle(c), STORE_OK, "settle");
    expect_rc(c, store_audit_settle(c), STORE_OK, "settle again");
    expect_rc(c, store_audit_append(c, councils, rows, NULL, 1), STORE_OK, "append one more");
    expect_rc(c, store_audit_settle(c), STORE_OK, "settle the one");
    record *got;
    int n = 0;
    expect_rc(c, store_list(c, 1, &audit_def, "person_id", person, 0, 100, a, &got, &n), STORE_OK, "list");
    assert_int_equal(n, 4);
    assert_int_equal(rec_int(&got[0], "status"), 200);
    assert_int_equal(rec_int(&got[2], "status"), 202);
    assert_int_equal(rec_int(&got[3], "status"), 200);
    assert_string_equal(rec_str(&got[1], "action"), "read");
    assert_true(got[0].created_at[0] != '\0');
    /* One entry for several people (a view showing a household) becomes a
     * row for each, in order; the entry beside it stays one row. */
    const char *people[2] = {"[515152,515151,515153]", NULL};
    rec_set_int(&rows[0], "status", 299);
    rec_set_int(&rows[1], "status", 298);
    expect_rc(c, store_audit_append(c, councils, rows, people, 2), STORE_OK, "append for several");
    expect_rc(c, store_audit_settle(c), STORE_OK, "settle them");
    record *mine, *other, *third;
    int nm = 0, no = 0, nt = 0;
    expect_rc(c, store_list(c, 1, &audit_def, "person_id", person, 0, 100, a, &mine, &nm), STORE_OK, "list");
    expect_rc(c, store_list(c, 1, &audit_def, "person_id", 515152, 0, 100, a, &other, &no), STORE_OK, "list");
    expect_rc(c, store_list(c, 1, &audit_def, "person_id", 515153, 0, 100, a, &third, &nt), STORE_OK, "list");
    assert_int_equal(nm, 6);
    assert_int_equal(no, 1);
    assert_int_equal(nt, 1);
    assert_int_equal(rec_int(&mine[4], "status"), 299);
    assert_int_equal(rec_int(&mine[5], "status"), 298); /* the entry for nobody else: as it was */
    assert_int_equal(rec_int(&other[0], "status"), 299);
    assert_int_equal(rec_int(&third[0], "status"), 299);
    assert_true(other[0].id < mine[4].id && mine[4].id < third[0].id && third[0].id < mine[5].id);
    assert_string_equal(rec_str(&third[0], "actor_kind"), "token");
    /* Settling inside a transaction is refused on SQLite (it would commit
     * the caller's work); on PostgreSQL there is nothing to settle. */
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    int rc = store_audit_settle(c);
    assert_true(rc == STORE_OK || rc == STORE_ERROR);
    expect_rc(c, store_rollback(c), STORE_OK, "rollback");
    arena_free(a);
}

/* The single view kept rendered (migration 0024): every person has a row;
 * a change that alters a view clears it (body NULL, gen counted up) in the
 * same transaction; a rendering is stored only for the gen it was read at. */
static int view_stored(store_conn *c, long long person, arena *a, store_view *v)
{
    expect_rc(c, store_view_get(c, 1, person, a, v), STORE_OK, "view of a person");
    return v->body != NULL;
}

static void put_view_until(store_conn *c, long long person, long long gen, const char *valid_through,
                           int want_stored)
{
    store_view v = {.gen = gen, .body = "{\"id\":1}", .etag = "\"v1\"", .shown = "1", .valid_through = valid_through};
    int stored = -1;
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    expect_rc(c, store_view_put(c, 1, person, &v, &stored), STORE_OK, "put view");
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    assert_int_equal(stored, want_stored);
}

static void put_view(store_conn *c, long long person, long long gen, int want_stored)
{
    put_view_until(c, person, gen, NULL, want_stored);
}

/* Puts person into household hh as rel; the membership's record in *m. */
static void add_member(store_conn *c, long long hh, long long person, const char *rel, record *m)
{
    record_init(m, &member_def);
    rec_set_int(m, "household_id", hh);
    rec_set_int(m, "person_id", person);
    rec_set_str(m, "relationship", rel);
    expect_rc(c, store_insert(c, 1, m), STORE_OK, "membership");
}

static void test_person_view(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    long long ada = add_person(c, 1, "Okafor"), ben = add_person(c, 1, "Okafor"), prop;
    expect_rc(c, add_property(c, 1, new_uprn(a), &prop), STORE_OK, "property");
    long long hh = add_household(c, prop);
    store_view v;
    assert_false(view_stored(c, ada, a, &v));
    expect_rc(c, store_view_get(c, OTHER_COUNCIL, ada, a, &v), STORE_NOTFOUND, "another council's person");
    long long gen0 = v.gen;
    put_view(c, ada, gen0 + 1, 0); /* read at a gen that never was */
    put_view(c, ada, gen0, 1);
    assert_true(view_stored(c, ada, a, &v));
    assert_string_equal(v.body, "{\"id\":1}");
    assert_null(v.sensitive);
    put_view(c, ada, gen0, 0); /* already stored */

    /* A stale rendering is listed, in order. */
    long long cs[8], ps[8], gs[8];
    int n = 0;
    expect_rc(c, store_view_stale(c, 1, ben - 1, 8, cs, ps, gs, &n), STORE_OK, "stale");
    assert_true(n >= 1);
    assert_int_equal(ps[0], ben);
    assert_int_equal(cs[0], 1);

    /* Ada joins a household: her view is cleared. */
    record m;
    add_member(c, hh, ada, "head", &m);
    assert_false(view_stored(c, ada, a, &v));
    assert_true(v.gen > gen0);
    /* Ben joins: Ada's view shows him, so it is cleared again. */
    put_view(c, ada, v.gen, 1);
    record m2;
    add_member(c, hh, ben, "child", &m2);
    assert_false(view_stored(c, ada, a, &v));

    /* Each kind of change that alters Ada's view clears it. */
    record r;
    for (int step = 0; step < 5; step++) {
        put_view(c, ada, v.gen, 1);
        assert_true(view_stored(c, ada, a, &v));
        switch (step) {
        case 0: /* Ben's name */
            expect_rc(c, store_get(c, 1, &person_def, ben, a, &r), STORE_OK, "ben");
            rec_set_str(&r, "given_name", "Benjamin");
            expect_rc(c, store_update(c, 1, &r, r.version), STORE_OK, "rename ben");
            break;
        case 1: /* her own record */
            expect_rc(c, store_get(c, 1, &person_def, ada, a, &r), STORE_OK, "ada");
            rec_set_str(&r, "phone", "020 7946 0000");
            expect_rc(c, store_update(c, 1, &r, r.version), STORE_OK, "ada's phone");
            break;
        case 2: /* the household */
            expect_rc(c, store_get(c, 1, &household_def, hh, a, &r), STORE_OK, "household");
            rec_set_str(&r, "name", "The Okafors");
            expect_rc(c, store_update(c, 1, &r, r.version), STORE_OK, "household name");
            break;
        case 3: /* the home */
            expect_rc(c, store_get(c, 1, &property_def, prop, a, &r), STORE_OK, "property");
            rec_set_int(&r, "floor", 3);
            expect_rc(c, store_update(c, 1, &r, r.version), STORE_OK, "floor");
            break;
        case 4: /* Ben leaves */
            expect_rc(c, store_delete(c, 1, &member_def, m2.id), STORE_OK, "ben leaves");
            break;
        }
        assert_false(view_stored(c, ada, a, &v));
    }
    /* Ben's own view is cleared when he leaves too. */
    assert_false(view_stored(c, ben, a, &v));

    /* A membership that moves to Ada's household clears her view; a change
     * to someone her view does not show leaves it. */
    long long hh2 = add_household(c, prop), cy = add_person(c, 1, "Stranger");
    record m3;
    add_member(c, hh2, ben, "head", &m3);
    expect_rc(c, store_view_get(c, 1, ada, a, &v), STORE_OK, "ada");
    put_view(c, ada, v.gen, 1);
    expect_rc(c, store_get(c, 1, &person_def, cy, a, &r), STORE_OK, "stranger");
    rec_set_str(&r, "given_name", "Cy");
    expect_rc(c, store_update(c, 1, &r, r.version), STORE_OK, "rename stranger");
    assert_true(view_stored(c, ada, a, &v));
    expect_rc(c, store_get(c, 1, &member_def, m3.id, a, &r), STORE_OK, "membership");
    rec_set_int(&r, "household_id", hh);
    expect_rc(c, store_update(c, 1, &r, r.version), STORE_OK, "move membership");
    assert_false(view_stored(c, ada, a, &v));

    /* A view that no longer holds by date is cleared by expire; one with
     * no dates holds for ever. */
    put_view_until(c, ben, store_view_get(c, 1, ben, a, &v) == STORE_OK ? v.gen : -1, "2000-01-01", 1);
    expect_rc(c, store_view_get(c, 1, ada, a, &v), STORE_OK, "ada");
    put_view(c, ada, v.gen, 1);
    expect_rc(c, store_view_expire(c, "2000-01-02"), STORE_OK, "expire");
    assert_false(view_stored(c, ben, a, &v));
    assert_true(view_stored(c, ada, a, &v));
    arena_free(a);
}

static void *add_elsewhere(void *arg)
{
    fixture *f = arg;
    add_person(conn_of(f), 1, "Elsewhere");
    return NULL;
}

/* The change stamp moves when another connection commits, and when this
 * one does; not otherwise. PostgreSQL has none. */
static void test_change_stamp(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    unsigned long long s1[2], s2[2], s3[2];
    expect_rc(c, store_begin_read(c), STORE_OK, "begin read");
    int rc = store_change_stamp(c, s1);
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    if (rc != STORE_OK)
        return; /* PostgreSQL: callers cache nothing */
    expect_rc(c, store_begin_read(c), STORE_OK, "begin read");
    expect_rc(c, store_change_stamp(c, s2), STORE_OK, "stamp");
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    assert_true(s1[0] == s2[0] && s1[1] == s2[1]);
    add_person(c, 1, "Stamp"); /* this connection */
    expect_rc(c, store_begin_read(c), STORE_OK, "begin read");
    expect_rc(c, store_change_stamp(c, s3), STORE_OK, "stamp");
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    assert_false(s3[0] == s2[0] && s3[1] == s2[1]);
    pthread_t t; /* another connection: each thread has its own */
    assert_int_equal(pthread_create(&t, NULL, add_elsewhere, f), 0);
    pthread_join(t, NULL);
    expect_rc(c, store_begin_read(c), STORE_OK, "begin read");
    expect_rc(c, store_change_stamp(c, s1), STORE_OK, "stamp");
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    assert_false(s1[0] == s3[0] && s1[1] == s3[1]);
}

/* store_end_read may keep a read transaction open for the next
 * store_conn_read on the connection (SQLite). The next read sees what
 * another connection committed meanwhile; a kept one ends before anything
 * else uses the connection, and by itself once idle. On PostgreSQL it is a
 * commit, and the same holds. A store of its own, so that its connection
 * is this test's alone (no read audit attached, which is never kept). */

/* SQLite: a checkpoint that copies the whole WAL and empties it, without
 * waiting: SQLITE_BUSY while another connection has a read open. */
static int checkpoint(const fixture *f)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    /* A first read, so that the connection knows the file is in WAL mode. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode", NULL, NULL, NULL), SQLITE_OK);
    int log = -1, copied = -1;
    int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, &log, &copied);
    if (rc == SQLITE_OK)
        assert_true(log == 0 && copied == 0); /* the WAL emptied */
    sqlite3_close(db);
    return rc;
}

static void test_kept_read(void **state)
{
    fixture *f = *state;
    char err[512];
    store *s2 = store_open(f->pg ? NULL : f->path, f->pg ? f->url : NULL, err, sizeof err);
    if (!s2)
        fail_msg("store_open: %s", err);
    store_keep_idle(s2, 600000); /* no sweeping until said */
    long long before, after;
    pthread_t t;
    store_conn *c = store_conn_read(s2, err, sizeof err);
    if (!c)
        fail_msg("store_conn_read: %s", err);
    expect_rc(c, store_count(c, 1, &person_def, &before), STORE_OK, "count");
    expect_rc(c, store_end_read(c), STORE_OK, "end read");
    /* Another connection commits. On SQLite the kept read is still open:
     * the checkpoint stops short of the new frames. */
    assert_int_equal(pthread_create(&t, NULL, add_elsewhere, f), 0);
    pthread_join(t, NULL);
    if (!f->pg)
        assert_int_equal(checkpoint(f), SQLITE_BUSY);
    /* The next read sees the commit. */
    assert_ptr_equal(store_conn_read(s2, err, sizeof err), c);
    expect_rc(c, store_count(c, 1, &person_def, &after), STORE_OK, "count");
    assert_int_equal(after, before + 1);
    expect_rc(c, store_end_read(c), STORE_OK, "end read");
    /* Nothing committed since: the same. */
    assert_ptr_equal(store_conn_read(s2, err, sizeof err), c);
    expect_rc(c, store_count(c, 1, &person_def, &after), STORE_OK, "count");
    assert_int_equal(after, before + 1);
    expect_rc(c, store_end_read(c), STORE_OK, "end read");
    /* This connection writes next: store_conn_get ends the kept read, so
     * a write transaction can begin; the next read sees the write. */
    store_conn *w = store_conn_get(s2, err, sizeof err);
    assert_ptr_equal(w, c);
    add_person(w, 1, "After a kept read");
    assert_ptr_equal(store_conn_read(s2, err, sizeof err), c);
    expect_rc(c, store_count(c, 1, &person_def, &after), STORE_OK, "count");
    assert_int_equal(after, before + 2);
    expect_rc(c, store_end_read(c), STORE_OK, "end read");
    /* Left idle, the sweeper ends it: then the checkpoint reaches the end
     * of a write made after it began. */
    store_keep_idle(s2, 20);
    assert_int_equal(pthread_create(&t, NULL, add_elsewhere, f), 0);
    pthread_join(t, NULL);
    if (!f->pg) {
        int rc = SQLITE_BUSY;
        for (int i = 0; i < 100 && rc == SQLITE_BUSY; i++) { /* up to 2 s */
            struct timespec ts = {0, 20L * 1000000L};
            nanosleep(&ts, NULL);
            rc = checkpoint(f);
        }
        assert_int_equal(rc, SQLITE_OK);
    }
    store_close(s2);
}

/* PostgreSQL only: people written through the store reach the trigram
 * indexes search uses, not a long GIN pending list that every search
 * would read through (each connection sets gin_pending_list_limit to
 * 64 kB; PostgreSQL's default of 4 MB would keep all 2,000 pending).
 * Needs pgstattuple (PostgreSQL's contrib) to look. */
static void test_search_index_pending(void **state)
{
    fixture *f = *state;
    if (!f->pg) {
        skip();
        return;
    }
    PGresult *res = PQexec(f->raw, "CREATE EXTENSION IF NOT EXISTS pgstattuple");
    int have = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!have) {
        fprintf(stderr, "test_search_index_pending: no pgstattuple (%s)", PQerrorMessage(f->raw));
        skip();
        return;
    }
    store_conn *c = conn_of(f);
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    for (int i = 0; i < 2000; i++) {
        char family[32];
        snprintf(family, sizeof family, "Pendleton%04d", i);
        add_person(c, 1, family);
    }
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    static const char *const idx[] = {"people_given_trgm", "people_family_trgm"};
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        const char *const arg[] = {idx[i]};
        res = PQexecParams(f->raw, "SELECT pending_tuples FROM pgstatginindex($1::regclass)", 1, NULL, arg, NULL,
                           NULL, 0);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        long pending = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        if (pending >= 1000)
            fail_msg("%s: %ld rows pending after 2000 inserts", idx[i], pending);
    }
}

/* The audit log: nothing changes or removes an entry, except the
 * retention purge inside its own transaction. Also: find, councils and
 * list_before. */
static void test_audit_append_only(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    record e;
    record_init(&e, &audit_def);
    rec_set_str(&e, "actor_kind", "system");
    rec_set_str(&e, "action", "read");
    rec_set_int(&e, "person_id", 424242);
    expect_rc(c, store_insert(c, 1, &e), STORE_OK, "audit insert");
    rec_set_str(&e, "action", "update");
    expect_rc(c, store_update(c, 1, &e, e.version), STORE_ERROR, "audit update");
    expect_rc(c, store_delete(c, 1, &audit_def, e.id), STORE_ERROR, "audit delete");
    record got;
    expect_rc(c, store_get(c, 1, &audit_def, e.id, a, &got), STORE_OK, "entry still there");
    assert_string_equal(rec_str(&got, "action"), "read");

    long long n = -1;
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    expect_rc(c, store_purge(c, 1, "audit_log", "2000-01-01T00:00:00Z", &n), STORE_OK, "purge nothing old");
    assert_int_equal(n, 0);
    expect_rc(c, store_purge(c, 1, "audit_log", "9999-01-01T00:00:00Z", &n), STORE_OK, "purge all");
    assert_true(n >= 1);
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    expect_rc(c, store_get(c, 1, &audit_def, e.id, a, &got), STORE_NOTFOUND, "purged");
    /* The gate closed again with the purge. */
    record_init(&e, &audit_def);
    rec_set_str(&e, "actor_kind", "system");
    rec_set_str(&e, "action", "read");
    expect_rc(c, store_insert(c, 1, &e), STORE_OK, "audit insert");
    expect_rc(c, store_delete(c, 1, &audit_def, e.id), STORE_ERROR, "audit delete after purge");
    expect_rc(c, store_purge(c, 1, "people", "9999", &n), STORE_ERROR, "purge of something not purgeable");

    long long ids[8];
    int nc = 0;
    expect_rc(c, store_councils(c, ids, 8, &nc), STORE_OK, "councils");
    assert_true(nc >= 1);
    assert_int_equal(ids[0], 1);

    record p;
    record_init(&p, &person_def);
    rec_set_str(&p, "given_name", "Old");
    rec_set_str(&p, "family_name", arena_printf(a, "Before%lld", next_uniq()));
    rec_set_str(&p, "date_of_death", "1990-05-05");
    expect_rc(c, store_insert(c, 1, &p), STORE_OK, "person");
    record *rows;
    int k;
    expect_rc(c, store_list_before(c, 1, &person_def, "date_of_death", "1990-05-06", p.id - 1, 10, a, &rows, &k),
              STORE_OK, "list_before");
    assert_int_equal(k, 1);
    assert_int_equal(rows[0].id, p.id);
    expect_rc(c, store_list_before(c, 1, &person_def, "date_of_death", "1990-05-05", p.id - 1, 10, a, &rows, &k),
              STORE_OK, "list_before, not before");
    assert_int_equal(k, 0);
    /* list_between: from inclusive, to exclusive; created_at too. */
    expect_rc(c, store_list_between(c, 1, &person_def, "date_of_death", "1990-05-05", "1990-05-06", p.id - 1, 10, a,
                                    &rows, &k),
              STORE_OK, "list_between");
    assert_int_equal(k, 1);
    assert_int_equal(rows[0].id, p.id);
    expect_rc(c, store_list_between(c, 1, &person_def, "date_of_death", "1990-05-06", "1990-06-01", p.id - 1, 10, a,
                                    &rows, &k),
              STORE_OK, "list_between, after");
    assert_int_equal(k, 0);
    expect_rc(c, store_list_between(c, 1, &person_def, "date_of_death", "1990-01-01", "1990-05-05", p.id - 1, 10, a,
                                    &rows, &k),
              STORE_OK, "list_between, to is exclusive");
    assert_int_equal(k, 0);
    expect_rc(c, store_list_between(c, 1, &person_def, "created_at", "2000-01-01T00:00:00Z", "9999-01-01T00:00:00Z",
                                    p.id - 1, 10, a, &rows, &k),
              STORE_OK, "list_between on created_at");
    assert_int_equal(k, 1);
    expect_rc(c, store_find(c, 1, &person_def, "family_name", rec_str(&p, "family_name"), a, &got), STORE_OK, "find");
    assert_int_equal(got.id, p.id);
    expect_rc(c, store_find(c, 1, &person_def, "family_name", "No Such Name", a, &got), STORE_NOTFOUND, "find none");
    arena_free(a);
}

/* Opening reports, on one line, why a database cannot be reached. */
static void test_open_failures(void **state)
{
    (void)state;
    char err[512] = "";
    store *s = store_open(NULL, "postgresql://postgres@127.0.0.1:1/none?connect_timeout=5", err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "PostgreSQL"));
    assert_null(strchr(err, '\n'));

    err[0] = '\0';
    s = store_open("/nonexistent-fd-dir/sub/store.db", NULL, err, sizeof err);
    assert_null(s);
    assert_true(err[0] != '\0');
    assert_null(strchr(err, '\n'));
}

/* Per-test teardown: rolls back whatever a failed test left open, so its
 * failure does not spill into the next test. */
static int end_test(void **state)
{
    fixture *f = *state;
    char err[512];
    store_conn *c = f && f->s ? store_conn_get(f->s, err, sizeof err) : NULL;
    if (c)
        store_rollback(c);
    return 0;
}

/* ---- the reports' rollups ---- */

/* A small deterministic PRNG, so a failure can be replayed. */
static unsigned long long rr_seed = 20110401;
static int rr(int n)
{
    rr_seed = rr_seed * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((rr_seed >> 33) % (unsigned long long)n);
}

/* A day of 2101..2103 ("YYYY-MM-DD"), from a. */
static const char *rr_day(arena *a)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = rr(12);
    return arena_printf(a, "%d-%02d-%02d", 2101 + rr(3), m + 1, 1 + rr(mdays[m]));
}

/* Days the rows have (enrolments' starts, contacts' days, promised
 * dates): ranges that begin or end on one test the edges. */
static const char *rr_days[512];
static int rr_ndays;

static const char *rr_keep(const char *day)
{
    if (rr_ndays < 512)
        rr_days[rr_ndays++] = day;
    return day;
}

/* A range's end: a random day, or one the rows have. */
static const char *rr_end(arena *a)
{
    return rr(2) && rr_ndays ? rr_days[rr(rr_ndays)] : rr_day(a);
}

typedef struct {
    arena *a;
    char **line;
    size_t n, cap;
} lines;

static void lines_add(lines *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->line = xrealloc(l->line, l->cap * sizeof *l->line);
    }
    l->line[l->n++] = s;
}

static int sla_line(void *ctx, const request_sla *r)
{
    lines *l = ctx;
    lines_add(l, arena_printf(l->a, "%s|%s|%s|%lld|%lld|%lld|%lld|%lld", r->month, r->channel, r->service,
                              r->requests, r->resolved, r->on_time, r->late, r->open_overdue));
    return 0;
}

static int takeup_line(void *ctx, const takeup_row *r)
{
    lines *l = ctx;
    lines_add(l, arena_printf(l->a, "%lld|%lld|%s|%s|%s", r->person_id, r->others, r->service, r->first_at,
                              r->channel ? r->channel : ""));
    return 0;
}

static int by_text(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* All of l's lines, sorted if sort, one string. */
static const char *lines_text(lines *l, int sort)
{
    if (sort && l->n)
        qsort(l->line, l->n, sizeof *l->line, by_text);
    const char *out = "";
    for (size_t i = 0; i < l->n; i++)
        out = arena_printf(l->a, "%s%s\n", out, l->line[i]);
    free(l->line);
    l->line = NULL;
    l->n = l->cap = 0;
    return out;
}

/* Over many ranges (and todays), the rollups give what the rows give. Adds
 * how many take-up and service-level rows the rollups gave. */
static void compare_rollups(store_conn *c, arena *a, long long *takeups, long long *requests)
{
    for (int i = 0; i < 60; i++) {
        const char *from = rr_end(a), *to = rr_end(a), *today = rr_end(a);
        if (strcmp(from, to) > 0) {
            const char *t = from;
            from = to;
            to = t;
        }
        if (i == 0) {
            from = "2101-01-01";
            to = "2103-12-31";
        }
        lines l = {.a = a};
        expect_rc(c, store_request_sla(c, OTHER_COUNCIL, from, to, today, 1, sla_line, &l), STORE_OK, "sla raw");
        const char *raw = lines_text(&l, 1);
        expect_rc(c, store_request_sla(c, OTHER_COUNCIL, from, to, today, 0, sla_line, &l), STORE_OK, "sla rollup");
        const char *rolled = lines_text(&l, 1);
        if (strcmp(raw, rolled))
            fail_msg("sla %s..%s today %s:\nraw:\n%s\nrollup:\n%s", from, to, today, raw, rolled);
        for (const char *p = rolled; (p = strchr(p, '\n')); p++)
            ++*requests;
        expect_rc(c, store_takeup(c, OTHER_COUNCIL, from, to, 1, takeup_line, &l), STORE_OK, "take-up raw");
        raw = lines_text(&l, 0);
        expect_rc(c, store_takeup(c, OTHER_COUNCIL, from, to, 0, takeup_line, &l), STORE_OK, "take-up rollup");
        rolled = lines_text(&l, 0);
        if (strcmp(raw, rolled))
            fail_msg("take-up %s..%s:\nraw:\n%s\nrollup:\n%s", from, to, raw, rolled);
        for (const char *p = rolled; (p = strchr(p, '\n')); p++)
            ++*takeups;
    }
}

static void test_report_rollups(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    static const char *const services[] = {"svc-a", "svc-b", "svc-c", "svc-d", "svc-e"};
    static const char *const channels[] = {"phone", "web", "face_to_face"};
    static const char *const statuses[] = {"received", "in_progress", "resolved", "closed"};
    enum { PEOPLE = 8, CONTACTS = 160, ENROLMENTS = 40, REQUESTS = 150 };
    long long people[PEOPLE], contacts[CONTACTS], enrolments[ENROLMENTS], requests[REQUESTS];
    rr_seed = 20110401;
    rr_ndays = 0;
    for (int i = 0; i < PEOPLE; i++)
        people[i] = add_person(c, OTHER_COUNCIL, "Taker");
    for (int i = 0; i < ENROLMENTS; i++) {
        record r;
        record_init(&r, &enrolment_def);
        rec_set_int(&r, "person_id", people[rr(PEOPLE)]);
        rec_set_str(&r, "service", services[rr(5)]);
        rec_set_str(&r, "start_date", rr_keep(rr_day(a)));
        expect_rc(c, store_insert(c, OTHER_COUNCIL, &r), STORE_OK, "enrolment");
        enrolments[i] = r.id;
    }
    for (int i = 0; i < CONTACTS; i++) {
        record r;
        record_init(&r, &contact_def);
        rec_set_str(&r, "channel", channels[rr(3)]);
        rec_set_str(&r, "type", "interaction");
        if (rr(6))
            rec_set_int(&r, "person_id", people[rr(PEOPLE)]);
        if (rr(6))
            rec_set_str(&r, "service", services[rr(5)]);
        rec_set_str(&r, "started_at", arena_printf(a, "%sT%02d:%02d:00Z", rr_keep(rr_day(a)), 8 + rr(10), rr(60)));
        expect_rc(c, store_insert(c, OTHER_COUNCIL, &r), STORE_OK, "contact");
        contacts[i] = r.id;
    }
    for (int i = 0; i < REQUESTS; i++) {
        record r;
        record_init(&r, &request_def);
        rec_set_str(&r, "service", services[rr(5)]);
        rec_set_str(&r, "description", "a test request");
        rec_set_str(&r, "status", statuses[rr(4)]);
        if (rr(4))
            rec_set_str(&r, "channel", channels[rr(3)]);
        if (rr(8))
            rec_set_str(&r, "promised_date", rr_keep(rr_day(a)));
        if (rr(2))
            rec_set_str(&r, "resolved_at", arena_printf(a, "%sT12:00:00Z", rr_day(a)));
        expect_rc(c, store_insert(c, OTHER_COUNCIL, &r), STORE_OK, "request");
        requests[i] = r.id;
    }
    long long takeups = 0, counted = 0;
    compare_rollups(c, a, &takeups, &counted);

    /* Changes and deletes move the rows out of their old counts. */
    for (int i = 0; i < REQUESTS; i += 3) {
        record r;
        expect_rc(c, store_get(c, OTHER_COUNCIL, &request_def, requests[i], a, &r), STORE_OK, "get request");
        if (i % 2) {
            rec_set_str(&r, "status", "resolved");
            rec_set_str(&r, "resolved_at", arena_printf(a, "%sT09:00:00Z", rr_day(a)));
        } else {
            rec_set_str(&r, "promised_date", rr_day(a));
            r.v[entity_field(&request_def, "channel")].set = 0;
        }
        expect_rc(c, store_update(c, OTHER_COUNCIL, &r, r.version), STORE_OK, "update request");
    }
    for (int i = 1; i < REQUESTS; i += 7)
        expect_rc(c, store_delete(c, OTHER_COUNCIL, &request_def, requests[i]), STORE_OK, "delete request");
    for (int i = 0; i < ENROLMENTS; i += 4) {
        record r;
        expect_rc(c, store_get(c, OTHER_COUNCIL, &enrolment_def, enrolments[i], a, &r), STORE_OK, "get enrolment");
        rec_set_str(&r, "start_date", rr_day(a));
        expect_rc(c, store_update(c, OTHER_COUNCIL, &r, r.version), STORE_OK, "update enrolment");
    }
    for (int i = 1; i < ENROLMENTS; i += 9)
        expect_rc(c, store_delete(c, OTHER_COUNCIL, &enrolment_def, enrolments[i]), STORE_OK, "delete enrolment");
    for (int i = 0; i < CONTACTS; i += 5) {
        record r;
        expect_rc(c, store_get(c, OTHER_COUNCIL, &contact_def, contacts[i], a, &r), STORE_OK, "get contact");
        rec_set_int(&r, "person_id", people[rr(PEOPLE)]);
        rec_set_str(&r, "service", services[rr(5)]);
        rec_set_str(&r, "started_at", arena_printf(a, "%sT10:00:00Z", rr_day(a)));
        expect_rc(c, store_update(c, OTHER_COUNCIL, &r, r.version), STORE_OK, "update contact");
    }
    for (int i = 2; i < CONTACTS; i += 11)
        expect_rc(c, store_delete(c, OTHER_COUNCIL, &contact_def, contacts[i]), STORE_OK, "delete contact");
    compare_rollups(c, a, &takeups, &counted);
    /* Something was counted both ways, so the comparisons could fail. */
    if (getenv("FD_TEST_VERBOSE"))
        fprintf(stderr, "rollups: %lld take-up rows, %lld service-level rows\n", takeups, counted);
    assert_true(takeups > 0);
    assert_true(counted > 0);
    arena_free(a);
}

/* A bulk load: commits go on while another thread copies them into the
 * database; every row is there after, and a store closed in the middle of
 * one stops its thread (the fixture's teardown closes this one with a bulk
 * load still on). */
static void test_bulk_load(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    long long before = count_of(c, 1, &person_def);
    expect_rc(c, store_bulk_end(c), STORE_OK, "end without begin");
    expect_rc(c, store_bulk_begin(c), STORE_OK, "bulk begin");
    expect_rc(c, store_bulk_begin(c), STORE_OK, "bulk begin again");
    for (int t = 0; t < 5; t++) {
        expect_rc(c, store_begin(c), STORE_OK, "begin");
        for (int i = 0; i < 200; i++)
            add_person(c, 1, "Bulk");
        expect_rc(c, store_commit(c), STORE_OK, "commit");
    }
    expect_rc(c, store_bulk_end(c), STORE_OK, "bulk end");
    assert_int_equal(count_of(c, 1, &person_def), before + 1000);
    expect_rc(c, store_bulk_begin(c), STORE_OK, "bulk begin, left on");
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    add_person(c, 1, "Bulk");
    expect_rc(c, store_commit(c), STORE_OK, "commit");
    assert_int_equal(count_of(c, 1, &person_def), before + 1001);
}

/* ---- what linking reads (store_link_*) ---- */

typedef struct {
    int ncols; /* text columns the call gives */
    int n;
    long long id[8];
    char text[8][5][80]; /* up to 5 columns; "(null)" for NULL */
} link_rows;

static int link_stop(void *ctx, long long id, const char *const *t)
{
    (void)ctx, (void)id, (void)t;
    return 7;
}

static int link_collect(void *ctx, long long id, const char *const *t)
{
    link_rows *r = ctx;
    if (r->n == 8)
        return 1;
    r->id[r->n] = id;
    for (int i = 0; i < r->ncols; i++)
        snprintf(r->text[r->n][i], sizeof r->text[r->n][i], "%s", t[i] ? t[i] : "(null)");
    r->n++;
    return 0;
}

static void test_link_reads(void **state)
{
    fixture *f = *state;
    store_conn *c = conn_of(f);
    arena *a = arena_new();
    /* A council of its own, so that the other tests' rows do not show. */
    long long k;
    expect_rc(c, store_begin(c), STORE_OK, "begin");
    expect_rc(c, store_council_add(c, "Linkage Borough", NULL, &k), STORE_OK, "council");
    record p[3];
    for (int i = 0; i < 3; i++) {
        record_init(&p[i], &person_def);
        rec_set_str(&p[i], "given_name", "Ada");
        rec_set_str(&p[i], "family_name", i == 0 ? "Lovelace" : "Byron");
        rec_set_str(&p[i], "date_of_birth", "1990-02-03");
        expect_rc(c, store_insert(c, k, &p[i]), STORE_OK, "person");
    }
    rec_set_int(&p[1], "merged_into", p[0].id); /* merged: not linked to */
    expect_rc(c, store_update(c, k, &p[1], 1), STORE_OK, "merge");
    rec_set_str(&p[2], "erased_at", "2024-01-01T00:00:00Z"); /* erased: neither */
    expect_rc(c, store_update(c, k, &p[2], 1), STORE_OK, "erase");
    long long props[2];
    for (int i = 0; i < 2; i++) {
        record r;
        record_init(&r, &property_def);
        rec_set_str(&r, "uprn", new_uprn(a));
        rec_set_str(&r, "address_line_1", i ? "2 Low Road" : "1 High Street");
        rec_set_str(&r, "postcode", i ? "SE1 7PB" : "SW1A 1AA");
        rec_set_str(&r, "property_type", "flat");
        expect_rc(c, store_insert(c, k, &r), STORE_OK, "property");
        props[i] = r.id;
    }
    for (int i = 0; i < 2; i++) {
        record h, m;
        record_init(&h, &household_def);
        rec_set_int(&h, "property_id", props[i]);
        expect_rc(c, store_insert(c, k, &h), STORE_OK, "household");
        record_init(&m, &member_def);
        rec_set_int(&m, "household_id", h.id);
        rec_set_int(&m, "person_id", p[0].id);
        rec_set_str(&m, "relationship", "head");
        rec_set_str(&m, "from_date", i ? "2001-01-02" : "1999-05-06");
        if (!i)
            rec_set_str(&m, "to_date", "2001-01-01");
        expect_rc(c, store_insert(c, k, &m), STORE_OK, "member");
    }
    const char *sys[] = {"council_tax", "housing", "council_tax"}, *lid[] = {"CT1", "H1", "CT2"};
    for (int i = 0; i < 3; i++) {
        record s;
        record_init(&s, &source_record_def);
        rec_set_str(&s, "system", sys[i]);
        rec_set_str(&s, "local_id", lid[i]);
        rec_set_str(&s, "fields", arena_printf(a, "{\"id\":\"%s\"}", lid[i]));
        rec_set_str(&s, "status", i == 2 ? "new" : "linked");
        if (i < 2)
            rec_set_int(&s, "person_id", p[0].id);
        expect_rc(c, store_insert(c, k, &s), STORE_OK, "source record");
    }
    expect_rc(c, store_commit(c), STORE_OK, "commit");

    link_rows r = {.ncols = 5};
    expect_rc(c, store_begin_read(c), STORE_OK, "begin read");
    expect_rc(c, store_link_people(c, k, link_collect, &r), STORE_OK, "people");
    assert_int_equal(r.n, 1);
    assert_int_equal(r.id[0], p[0].id);
    assert_string_equal(r.text[0][0], "Ada");
    assert_string_equal(r.text[0][1], "Lovelace");
    assert_string_equal(r.text[0][2], "1990-02-03");
    assert_string_equal(r.text[0][3], "(null)");

    r = (link_rows){.ncols = 4};
    expect_rc(c, store_link_homes(c, k, link_collect, &r), STORE_OK, "homes");
    assert_int_equal(r.n, 2); /* every membership, by id: the caller decides which is current */
    assert_int_equal(r.id[0], p[0].id);
    assert_string_equal(r.text[0][0], "SW1A 1AA");
    assert_string_equal(r.text[0][1], "1 High Street");
    assert_string_equal(r.text[0][2], "1999-05-06");
    assert_string_equal(r.text[0][3], "2001-01-01");
    assert_string_equal(r.text[1][0], "SE1 7PB");
    assert_string_equal(r.text[1][3], "(null)");

    r = (link_rows){.ncols = 2};
    expect_rc(c, store_link_sources(c, k, link_collect, &r), STORE_OK, "sources");
    assert_int_equal(r.n, 2); /* the ones with a person */
    assert_string_equal(r.text[0][0], "council_tax");
    assert_string_equal(r.text[0][1], "{\"id\":\"CT1\"}");
    assert_string_equal(r.text[1][0], "housing");
    assert_int_equal(r.id[1], p[0].id);

    r = (link_rows){.ncols = 1};
    expect_rc(c, store_link_imported(c, k, "council_tax", link_collect, &r), STORE_OK, "imported");
    assert_int_equal(r.n, 2);
    int ct1 = !strcmp(r.text[0][0], "CT1") || !strcmp(r.text[1][0], "CT1");
    int ct2 = !strcmp(r.text[0][0], "CT2") || !strcmp(r.text[1][0], "CT2");
    assert_true(ct1 && ct2);
    r = (link_rows){.ncols = 1};
    expect_rc(c, store_link_imported(c, 1, "council_tax", link_collect, &r), STORE_OK, "other council");
    for (int i = 0; i < r.n; i++)
        assert_true(strcmp(r.text[i][0], "CT1") != 0 && strcmp(r.text[i][0], "CT2") != 0);
    /* fn's non-zero answer stops the rows and is returned */
    expect_rc(c, store_link_imported(c, k, "council_tax", link_stop, NULL), 7, "stopped");
    expect_rc(c, store_commit(c), STORE_OK, "end read");
    arena_free(a);
}

#define backend_test(t) cmocka_unit_test_teardown(t, end_test)

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest backend_tests[] = {
        backend_test(test_migrate),
        backend_test(test_roundtrip_every_entity),
        backend_test(test_get_missing),
        backend_test(test_council_isolation),
        backend_test(test_council_hosts),
        backend_test(test_update),
        backend_test(test_duplicate_uprn),
        backend_test(test_delete),
        backend_test(test_list_paging),
        backend_test(test_count),
        backend_test(test_idempotency),
        backend_test(test_transactions),
        backend_test(test_threads),
        backend_test(test_server_gone),
        backend_test(test_search_index_pending),
        backend_test(test_audit_append_only),
        backend_test(test_audit_append_settle),
        backend_test(test_person_view),
        backend_test(test_change_stamp),
        backend_test(test_kept_read),
        backend_test(test_report_rollups),
        backend_test(test_link_reads),
        backend_test(test_bulk_load),
    };
    const struct CMUnitTest open_tests[] = {
        cmocka_unit_test(test_open_failures),
    };
    int failed = cmocka_run_group_tests_name("store_open", open_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("sqlite", backend_tests, setup_sqlite, teardown_sqlite);
    const char *url = getenv("FD_TEST_PG_URL");
    if (url && *url)
        failed += cmocka_run_group_tests_name("postgresql", backend_tests, setup_pg, teardown_pg);
    else
        printf("[ SKIPPED  ] postgresql: set FD_TEST_PG_URL (scripts/pg-test-server.sh start DIR) to run it\n");
    return failed ? 1 : 0;
}
