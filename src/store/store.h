/* store: the only door to the database (design.md, principle 3).
 *
 * Two backends sit behind one operations table: SQLite (embedded default,
 * the reference) and PostgreSQL (shared by several app servers). Both pass
 * the same test suite (tests/unit/store/test_store.c).
 *
 * Threads: a store is shared; a store_conn belongs to one thread at a time.
 * store_conn_get() hands each thread its own connection, opened on first use
 * and closed when the thread exits or the store is closed.
 *
 * Tenancy: every call names the council; every row and every query carries
 * council_id, so the schema can be sharded by council.
 *
 * Return codes: STORE_OK (0) or one of the STORE_* below. Error text for the
 * last failure on a connection is in store_errmsg(). */
#ifndef FD_STORE_H
#define FD_STORE_H
#include "base/arena.h"
#include "core/record.h"
#include "core/search.h"

enum {
    STORE_OK = 0,
    STORE_NOTFOUND = 1,  /* no such row for this council */
    STORE_CONFLICT = 2,  /* version did not match (optimistic lock) */
    STORE_DUPLICATE = 3, /* a unique key is already taken */
    STORE_ERROR = -1     /* anything else: see store_errmsg() */
};

typedef struct store store;
typedef struct store_conn store_conn;

/* Opens a store: SQLite at path (created if missing) when pg_url is NULL,
 * else PostgreSQL at pg_url. Connects once to prove the database answers.
 * Returns NULL and writes a one-line reason into err on failure. */
store *store_open(const char *path, const char *pg_url, char *err, size_t errlen);
/* Closes every connection this store opened, then the store. */
void store_close(store *s);
/* "sqlite" or "postgresql". */
const char *store_backend(const store *s);

/* This thread's connection, opened on first use; NULL (reason in err) if the
 * database cannot be reached. Do not close it: the store owns it. */
store_conn *store_conn_get(store *s, char *err, size_t errlen);
/* This thread's connection in a read transaction (store_begin_read): one
 * kept open by store_end_read goes on if nothing was committed since. NULL
 * with err on failure. */
store_conn *store_conn_read(store *s, char *err, size_t errlen);
const char *store_errmsg(store_conn *c);

/* Applies the numbered migrations not yet applied, each in its own
 * transaction. *applied gets the count applied now (may be NULL). */
int store_migrate(store_conn *c, int *applied);
/* The highest migration applied so far (0 for an empty database). */
int store_schema_version(store_conn *c);

/* Transactions. begin starts a write transaction (SQLite: BEGIN IMMEDIATE).
 * STORE_NOTFOUND, STORE_CONFLICT and STORE_DUPLICATE leave the transaction
 * usable on both backends; after STORE_ERROR inside one, roll back
 * (PostgreSQL has already aborted it). */
int store_begin(store_conn *c);
/* A read-only transaction: one consistent view for several reads, and one
 * lock instead of one per statement. End it with store_commit, or with
 * store_end_read, which on SQLite may keep it open for the next
 * store_begin_read on this connection: that one then goes on reading in
 * it if nothing has been committed since it began, by any connection or
 * process (the WAL index's header, which every commit changes, is the same
 * as before it began), and otherwise ends it and begins anew. Either way
 * the reads see everything committed before store_begin_read; a kept one
 * only saves taking and dropping the locks. The next store_conn_get ends a
 * kept one, and so does the store's sweeper once it is idle for
 * STORE_KEEP_IDLE_MS. */
int store_begin_read(store_conn *c);
int store_end_read(store_conn *c);
enum { STORE_KEEP_IDLE_MS = 50 };
/* How long a kept read may stay idle on this store's connections (tests). */
void store_keep_idle(store *s, int ms);
/* For this connection only, commits may be lost if the machine (not the
 * process) dies before the database syncs: SQLite synchronous=NORMAL,
 * PostgreSQL synchronous_commit=off. For the read audit's batches. */
int store_relax_durability(store_conn *c);
/* A bulk load on this connection (frontdoor import), between begin and
 * end: on SQLite, its commits no longer copy the WAL into the database
 * themselves; a thread of its own (with its own connection) does, after
 * each commit, while the loader goes on with its next transaction. What is
 * committed is as durable as before; end waits for the last copy. On
 * PostgreSQL nothing changes. Outside a transaction. */
int store_bulk_begin(store_conn *c);
int store_bulk_end(store_conn *c);
/* After a bulk load (the demo borough, an import): brings the search
 * indexes and the planner's statistics up to date (SQLite: merges the
 * full-text index into one segment and runs PRAGMA optimize; PostgreSQL:
 * ANALYZE). Outside a transaction. */
int store_optimize(store_conn *c);

/* The read audit. store_audit_append writes n entries (audit_def records,
 * entry i for council councils[i]) in one transaction of their own. An
 * entry may stand for several people: people[i] (people may be NULL, and
 * so may people[i]) is then a JSON array of their ids, and the entry
 * becomes one row of audit_log per person, in that order, each with its
 * person_id. On
 * SQLite they go to a file of their own beside the database (FILE-audit):
 * the many commits of the read audit then never change the main database,
 * whose every change makes each reader drop its page cache.
 * store_audit_settle moves what is waiting there into audit_log, in one
 * transaction that also records how far it got, so an entry is moved once
 * even if the process dies half way; call it before reading audit_log, and
 * outside a transaction. On PostgreSQL entries go straight to audit_log
 * and settling has nothing to do. */
int store_audit_append(store_conn *c, const long long *councils, record *rows, const char *const *people, int n);
int store_audit_settle(store_conn *c);
int store_commit(store_conn *c);
/* Inside a read transaction: a stamp that differs from one taken in an
 * earlier transaction on this connection if anything in the database may
 * have changed since (committed by any connection or process). For caches
 * of what was read then. STORE_ERROR if the backend cannot tell (on
 * PostgreSQL): cache nothing. */
int store_change_stamp(store_conn *c, unsigned long long stamp[2]);

/* The single view of a person (GET /api/v1/people/{id}) kept rendered, one
 * row per person (migration 0024). Triggers clear body, and count gen up,
 * in the transaction of any change that alters a view; web/personview.c
 * renders the view again and stores it with store_view_put. */
typedef struct {
    long long gen;             /* counts the changes; a render is stored only if it has not moved */
    const char *body;          /* the JSON object without the sensitive fields; NULL: to render */
    const char *sensitive;     /* JSON array of the sensitive fields' values; NULL if all are null */
    const char *etag;          /* the person's ETag */
    const char *shown;         /* ids of everyone the view shows, space-separated */
    const char *changes_on;    /* the view holds only before this date (NULL: no limit) */
    const char *valid_through; /* ... and only up to this date (NULL: no limit) */
} store_view;
/* Loads person_id's row (text from a). STORE_NOTFOUND if there is none. */
int store_view_get(store_conn *c, long long council, long long person_id, arena *a, store_view *out);
/* Stores v's rendering if the row's gen is still v->gen and its body is
 * NULL; *stored (if not NULL) is 1 if it was. Inside a write transaction. */
int store_view_put(store_conn *c, long long council, long long person_id, const store_view *v, int *stored);
/* Up to max rows waiting to be rendered, after (after_council,
 * after_person), in that order. */
int store_view_stale(store_conn *c, long long after_council, long long after_person, int max, long long *councils,
                     long long *persons, long long *gens, int *n);
/* Clears the views that no longer hold on date today (changes_on,
 * valid_through), in a transaction of its own. Reads every row. */
int store_view_expire(store_conn *c, const char *today);
int store_rollback(store_conn *c);

/* Inserts r (fields with set=1; the rest are NULL) for council. Sets r->id,
 * r->version = 1, created_at and updated_at. STORE_DUPLICATE if a unique
 * key (e.g. a property's uprn) is taken. */
int store_insert(store_conn *c, long long council, record *r);
/* Loads the row with this id into out (record_init'ed for def, all fields
 * set; text from a). STORE_NOTFOUND if there is none for this council. */
int store_get(store_conn *c, long long council, const entity_def *def, long long id, arena *a, record *out);
/* Writes every field of r (unset or null fields become NULL) to row r->id
 * if its version is still expected_version, and bumps the version. Callers
 * load the row, apply the change and validate the whole record first. STORE_NOTFOUND if the row is
 * missing, STORE_CONFLICT if its version differs, STORE_DUPLICATE as above.
 * On success r->version and r->updated_at hold the new values. */
int store_update(store_conn *c, long long council, record *r, long long expected_version);
/* Deletes row id. STORE_NOTFOUND if there was none. */
int store_delete(store_conn *c, long long council, const entity_def *def, long long id);
/* Lists rows in id order with id > after_id, at most limit (1..1000).
 * If by_field is not NULL, only rows where that FT_REF/FT_INT field equals
 * by_value. *out is an array of *n records from a. */
int store_list(store_conn *c, long long council, const entity_def *def, const char *by_field, long long by_value,
               long long after_id, int limit, arena *a, record **out, int *n);
/* The first row (lowest id) whose text field equals value, into out.
 * STORE_NOTFOUND if none. */
int store_find(store_conn *c, long long council, const entity_def *def, const char *field, const char *value, arena *a,
               record *out);
/* As store_list, filtered on a text field equal to value. */
int store_list_text(store_conn *c, long long council, const entity_def *def, const char *field, const char *value,
                    long long after_id, int limit, arena *a, record **out, int *n);
/* Candidate people for a search (core/search.h terms): anyone whose name
 * is close to a name term (SQLite: FTS5 on the first letters; PostgreSQL:
 * pg_trgm similarity), or whose date of birth, phone digits or email is
 * one of the terms. At most limit, unranked (the caller ranks). A
 * candidate may hold only its id and the searched fields (names,
 * date_of_birth, phone, email) with version 0: store_get the ones shown. */
int store_search_people(store_conn *c, long long council, const search_term *t, int nterms, int limit, arena *a,
                        record **out, int *n);
/* Articles (article_def rows) whose text has any of words, best first:
 * SQLite, FTS5 with the porter stemmer, each word also as a prefix, ranked
 * by bm25 (title over keywords over body); PostgreSQL, full text in
 * english with prefixes, ranked by ts_rank_cd, or a title within trigram
 * similarity 0.3 of the words. Words are lower-case letters and digits
 * (others are dropped). *out gets at most limit slugs (from a). */
int store_search_articles(store_conn *c, long long council, const char *const *words, int nwords, int limit,
                          arena *a, char ***out, int *n);
/* Number of rows of def for council. */
int store_count(store_conn *c, long long council, const entity_def *def, long long *n);

/* Councils: the ids of every council, ascending, at most max. */
int store_councils(store_conn *c, long long *ids, int max, int *n);

/* A council: its id, name and host name (NULL if none). */
typedef struct {
    long long id;
    const char *name, *host;
} council_row;
/* Every council, ascending by id, at most max, strings from a. */
int store_council_list(store_conn *c, arena *a, council_row *out, int max, int *n);
/* Adds a council (next free id) named name, served at host (may be NULL),
 * inside the caller's transaction. STORE_DUPLICATE if host is taken. */
int store_council_add(store_conn *c, const char *name, const char *host, long long *id);
/* Retention: deletes what has passed its period, inside the caller's
 * transaction. what is "sessions" (by expires_at), "idempotency_keys" or
 * "audit_log" (by created_at); rows with that time before cutoff (ISO
 * 8601) go. The audit log is append-only for everything but this call.
 * *deleted gets the count. */
int store_purge(store_conn *c, long long council, const char *what, const char *cutoff, long long *deleted);
/* Rows of def whose field (a date or time) is before cutoff, in id order
 * after after_id, at most limit; as store_list. */
int store_list_before(store_conn *c, long long council, const entity_def *def, const char *field, const char *cutoff,
                      long long after_id, int limit, arena *a, record **out, int *n);

/* Rows of def whose field (a date or time) is from `from` (inclusive) to
 * `to` (exclusive), in id order after after_id, at most limit; as
 * store_list. For time windows (Open311's start_date and end_date). */
int store_list_between(store_conn *c, long long council, const entity_def *def, const char *field, const char *from,
                       const char *to, long long after_id, int limit, arena *a, record **out, int *n);

/* Idempotency keys: the stored outcome of a POST, so a retry gets the same
 * answer and creates nothing. get: STORE_NOTFOUND if the key is unused, else
 * fills *req_hash, *status and *body (from a). put: STORE_DUPLICATE if the
 * key is already taken. Call put in the same transaction as the create. */
int store_idem_get(store_conn *c, long long council, const char *key, arena *a, char **req_hash, int *status,
                   char **body);
int store_idem_put(store_conn *c, long long council, const char *key, const char *req_hash, int status,
                   const char *body);

/* ---- Management information (store_reports.c) ---- */

/* What a set of contacts adds up to; indexes into contact_counts.n. */
enum {
    CC_CONTACTS,        /* how many */
    CC_INBOUND,         /* of them, not outbound */
    CC_COST,            /* cost_pence, summed */
    CC_AVOID_KNOWN,     /* avoidable was recorded (no, or a reason) */
    CC_AVOID_CHASING,   /* avoidable: chasing_progress */
    CC_AVOID_REPEAT,    /* avoidable: repeat_information */
    CC_AVOID_ONLINE,    /* avoidable: could_be_online */
    CC_FCR_KNOWN,       /* resolved_first_contact was recorded */
    CC_FCR_YES,         /* resolved_first_contact true */
    CC_N
};

/* The contacts of one day (period "YYYY-MM-DD") or one whole month
 * ("YYYY-MM") on one channel about one service ("" for none). */
typedef struct {
    const char *period, *channel, *service;
    long long n[CC_N];
} contact_counts;
typedef int (*contact_counts_fn)(void *ctx, const contact_counts *row);

/* Calls fn with the counts of council's contacts that started from day
 * `from` to day `to` (both "YYYY-MM-DD", inclusive). With raw = 0 they come
 * from the rollup the contacts' triggers keep (whole months from
 * contact_monthly, the days at either end from contact_daily); with raw = 1
 * they are counted from the contacts themselves, by day (slow; for
 * checking). Both give the same totals. A non-zero return from fn stops and
 * is returned. */
int store_contact_counts(store_conn *c, long long council, const char *from, const char *to, int raw,
                         contact_counts_fn fn, void *ctx);

/* Requests due in one month ("YYYY-MM": the month of their promised date)
 * that came in on one channel ("" if none) for one service: how many, how
 * many resolved, resolved on or before their promised date, resolved after
 * it, and still open past it. */
typedef struct {
    const char *month, *channel, *service;
    long long requests, resolved, on_time, late, open_overdue;
} request_sla;
typedef int (*request_sla_fn)(void *ctx, const request_sla *row);
/* Calls fn for council's requests promised from day from to day to; open
 * requests are overdue if their promised date is before today. With raw = 0
 * they come from the rollup the requests' triggers keep
 * (request_sla_monthly for whole months, request_sla_daily for the days at
 * either end and either side of today); with raw = 1 from the requests
 * themselves. Both give the same counts. */
int store_request_sla(store_conn *c, long long council, const char *from, const char *to, const char *today,
                      int raw, request_sla_fn fn, void *ctx);

/* A resident who came about service (their first contact about it in the
 * range, at first_at on channel) and then, on or after that day and by the
 * range's end, took up `others` other services (enrolments starting then).
 * Only rows with others >= 2, ordered by person_id then first_at. */
typedef struct {
    long long person_id, others;
    const char *service, *first_at, *channel;
} takeup_row;
typedef int (*takeup_fn)(void *ctx, const takeup_row *row);
/* With raw = 0 from takeup_contacts, the contacts that can count, each
 * with the days its other services started (kept by triggers on contacts
 * and enrolments); with raw = 1 from the enrolments and contacts
 * themselves. Both give the same rows. */
int store_takeup(store_conn *c, long long council, const char *from, const char *to, int raw, takeup_fn fn,
                 void *ctx);

/* ---- The master record (store_linkage.c) ---- */

/* What linking departmental records reads of everyone of a council: only
 * the columns the matcher needs, a row at a time (text is valid during the
 * call only; NULL for NULL). Run them in one store_begin_read transaction
 * for one view. A non-zero return from fn stops and is returned.
 * store_link_people: people neither merged nor erased, by id; text is
 * given_name, family_name, date_of_birth, email, phone; id the person's.
 * store_link_homes: every household membership, by its id, with its
 * home; text is postcode, address_line_1, from_date, to_date (dates
 * YYYY-MM-DD); id the member's person.
 * store_link_sources: every source record with a person, by id; text is
 * system, fields (its JSON); id its person.
 * store_link_imported: the source records of system, in no order; text is
 * local_id; id the record's. */
typedef int (*link_row_fn)(void *ctx, long long id, const char *const *text);
int store_link_people(store_conn *c, long long council, link_row_fn fn, void *ctx);
int store_link_homes(store_conn *c, long long council, link_row_fn fn, void *ctx);
int store_link_sources(store_conn *c, long long council, link_row_fn fn, void *ctx);
int store_link_imported(store_conn *c, long long council, const char *system, link_row_fn fn, void *ctx);

/* ---- Appointments (store_appointments.c) ---- */

/* Calls fn(ctx, starts_at, booked) for each slot of service at location
 * starting from `from` to before `to` (local "YYYY-MM-DDTHH:MM" text) that
 * has booked appointments, with how many. */
int store_appointment_counts(store_conn *c, long long council, const char *location, const char *service,
                             const char *from, const char *to,
                             int (*fn)(void *ctx, const char *starts_at, long long booked), void *ctx);

#endif
