/* store_pg.c: the PostgreSQL backend, for several app servers sharing one
 * database (design.md, principle 3 and Scale). It behaves as store_sqlite.c,
 * the reference; the same test suite (tests/unit/store/test_store.c) runs
 * against both.
 *
 * One libpq connection per thread. SQL for each entity is generated from its
 * entity_def (column names are the static field names; every value is a $N
 * parameter sent in text format) and prepared once per connection under a
 * generated name ("fd_<n>"). Text formats: bool "t"/"f", dates "YYYY-MM-DD"
 * (the session runs with DateStyle ISO), integers in decimal.
 *
 * Where PostgreSQL differs from SQLite and how this file hides it:
 *  - A failed statement aborts a PostgreSQL transaction, while SQLite only
 *    undoes that statement. Inserts use ON CONFLICT DO NOTHING, so a taken
 *    unique key is STORE_DUPLICATE without any error; an update inside a
 *    transaction runs under a savepoint that is rolled back if it fails. So
 *    STORE_DUPLICATE, STORE_CONFLICT and STORE_NOTFOUND leave a transaction
 *    usable, as in SQLite. After any other failure (STORE_ERROR) of an insert
 *    or delete inside a transaction, the transaction is aborted: every later
 *    statement fails and commit returns STORE_ERROR; the caller rolls back.
 *  - BEGIN or COMMIT at the wrong moment only warns in PostgreSQL; here they
 *    fail, as in SQLite. COMMIT of an aborted transaction is STORE_ERROR.
 *  - The server may go away. The call that finds out returns STORE_ERROR with
 *    libpq's reason; the next call outside a transaction reconnects (and
 *    re-prepares). Inside a transaction, calls fail until it is rolled back;
 *    rollback then succeeds, as the server has already discarded it. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/entities.h"
#include "store/store_int.h"

enum { OP_INSERT, OP_GET, OP_UPDATE, OP_DELETE, OP_LIST, OP_LIST_BY, OP_COUNT, OP_IDEM_GET, OP_IDEM_PUT, OP_FIND };
enum {
    CACHE_MAX = 64,                  /* prepared statements kept per connection */
    NAME_LEN = 16,                   /* "fd_<n>" */
    MAX_PARAMS = REC_MAX_FIELDS + 8, /* update: council, id, version, updated_at + fields */
    NUM_LEN = 24                     /* a long long in decimal, with sign and NUL */
};

/* The session settings every connection (and reconnection) starts with.
 * statement_timeout bounds any one statement (migrations lift it, see
 * pg_exec); client_min_messages keeps NOTICEs (CREATE ... IF NOT EXISTS and
 * the like) out of the log. gin_pending_list_limit at its least (64 kB):
 * a GIN index (the trigram indexes search uses) keeps new rows in a
 * pending list that every search reads in full, until the list outgrows
 * this limit (4 MB by default) or (auto)vacuum runs; 20,000 new residents
 * in it made each name search take 150-500 ms at 290,000 people, and the
 * planner gave up the index. So each writer moves the rows into the index
 * proper once 64 kB are pending (docs/operations.md). */
static const char SESSION_SQL[] = "SET statement_timeout = '30s'; SET client_min_messages = warning; "
                                  "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'; "
                                  "SET gin_pending_list_limit = '64kB'";

/* One prepared statement of this connection. */
typedef struct {
    const entity_def *def; /* NULL for the idempotency statements */
    int op;                /* OP_* */
    const char *by;        /* OP_LIST_BY: field name (static) */
    char name[NAME_LEN];   /* its name on the server */
} cached;

typedef struct {
    store_conn base;
    PGconn *pg;
    cached cache[CACHE_MAX];
    int ncache;
    unsigned next_name; /* numbers statement names, never reused on a session */
    int in_tx;          /* 1 from a successful begin until commit/rollback */
} pg_conn;

/* Parameter values for one statement, text format; NULL is SQL NULL.
 * Numbers are formatted into num[], which the values point into. */
typedef struct {
    const char *v[MAX_PARAMS];
    char num[MAX_PARAMS][NUM_LEN];
    int n;
} params;

/* Adds i as the next parameter (decimal text). */
static void p_int(params *p, long long i)
{
    snprintf(p->num[p->n], NUM_LEN, "%lld", i);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

/* Adds s (not copied; NULL is SQL NULL) as the next parameter. */
static void p_str(params *p, const char *s)
{
    p->v[p->n++] = s;
}

/* Copies src into dst (size n, truncating) on one line: each run of white
 * space (spaces, tabs, newlines) becomes one space; leading and trailing white
 * space is dropped. libpq's messages end in a newline and may span lines. */
static void one_line(char *dst, size_t n, const char *src)
{
    size_t k = 0;
    int space = 0;
    if (n == 0)
        return;
    for (const char *p = src; *p && k + 1 < n; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ') {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < n)
            dst[k++] = ' ';
        space = 0;
        dst[k++] = *p;
    }
    dst[k] = '\0';
}

/* Records why res (NULL: the connection's last error) failed in c->err as
 * "what: reason", without the DETAIL part (it can hold the row's values).
 * Returns STORE_DUPLICATE for a unique violation (SQLSTATE 23505), else
 * STORE_ERROR. */
static int res_fail(pg_conn *q, const PGresult *res, const char *what)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg || !*msg)
        msg = res ? PQresultErrorMessage(res) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(q->pg);
    if (!msg || !*msg)
        msg = "unknown error";
    char line[400];
    one_line(line, sizeof line, msg);
    store_fail(&q->base, "%s: %s", what, line);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && strcmp(state, "23505") == 0 ? STORE_DUPLICATE : STORE_ERROR;
}

/* Runs sql (no parameters; may be several statements), ignoring any rows.
 * STORE_OK, or the failure recorded as by res_fail. */
static int simple(pg_conn *q, const char *sql, const char *what)
{
    PGresult *res = PQexec(q->pg, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY ? STORE_OK
                                                                                         : res_fail(q, res, what);
    PQclear(res);
    return rc;
}

/* Sends server warnings to the log, on one line (libpq would print them to
 * stderr as they come). */
static void on_notice(void *arg, const char *message)
{
    (void)arg;
    char line[400];
    one_line(line, sizeof line, message);
    log_warn("postgresql: %s", line);
}

/* Sets in_tx from the server's view: 1 while a transaction is open (even a
 * failed one) on a live connection. */
static void sync_tx(pg_conn *q)
{
    PGTransactionStatusType t = PQtransactionStatus(q->pg);
    q->in_tx = PQstatus(q->pg) == CONNECTION_OK && (t == PQTRANS_INTRANS || t == PQTRANS_INERROR);
}

/* Makes sure the connection is usable before a call: reconnects (and forgets
 * the prepared statements, which died with the old session) if it was lost
 * outside a transaction. STORE_OK, or STORE_ERROR with the reason. */
static int ready(pg_conn *q)
{
    if (PQstatus(q->pg) == CONNECTION_OK)
        return STORE_OK;
    if (q->in_tx)
        return store_fail(&q->base, "connection to PostgreSQL lost during a transaction; roll it back");
    PQreset(q->pg);
    q->ncache = 0;
    if (PQstatus(q->pg) != CONNECTION_OK) {
        char line[400];
        one_line(line, sizeof line, PQerrorMessage(q->pg));
        return store_fail(&q->base, "cannot reconnect to PostgreSQL: %s", line);
    }
    return simple(q, SESSION_SQL, "session settings");
}

/* One statement without parameters, once the connection is ready. */
static int ready_simple(store_conn *c, const char *sql, const char *what)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    return rc != STORE_OK ? rc : simple(q, sql, what);
}

/* Opens a transaction with sql. STORE_ERROR if one is open, as in SQLite
 * (PostgreSQL itself would only warn). */
static int open_tx(store_conn *c, const char *sql)
{
    pg_conn *q = (pg_conn *)c;
    if (PQstatus(q->pg) == CONNECTION_OK && PQtransactionStatus(q->pg) != PQTRANS_IDLE)
        return store_fail(c, "begin: a transaction is already open");
    return ready_simple(c, sql, "begin");
}

/* Opens a connection to s->pg_url (a URL or key=value string; a 10 s
 * connect_timeout and application_name "frontdoor" unless it says otherwise)
 * and applies SESSION_SQL. Allocates the pg_conn (freed by pg_disconnect).
 * NULL with a one-line reason in err on failure; the URL (which may hold a
 * password) is not repeated in it. */
static store_conn *pg_connect(store *s, char *err, size_t errlen)
{
    /* Later keywords win: what the URL says overrides these defaults. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {"10", "frontdoor", s->pg_url, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: out of memory");
        return NULL;
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        char line[400];
        one_line(line, sizeof line, PQerrorMessage(pg));
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", line);
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, on_notice, NULL);
    pg_conn *q = xcalloc(1, sizeof *q);
    q->pg = pg;
    if (simple(q, SESSION_SQL, "session settings") != STORE_OK) {
        snprintf(err, errlen, "cannot set up PostgreSQL session: %s", q->base.err);
        PQfinish(pg);
        free(q);
        return NULL;
    }
    return &q->base;
}

/* Closes the connection and frees c. */
static void pg_disconnect(store_conn *c)
{
    pg_conn *q = (pg_conn *)c;
    PQfinish(q->pg); /* the session's prepared statements go with it */
    free(q);
}

/* Runs a migration script. Inside a transaction (as store_migrate does) the
 * statement timeout is lifted for that transaction only: building an index
 * on a big table may take longer than any request should. */
static int pg_exec(store_conn *c, const char *sql)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    if (PQtransactionStatus(q->pg) == PQTRANS_INTRANS &&
        (rc = simple(q, "SET LOCAL statement_timeout = 0", "script")) != STORE_OK)
        return rc;
    return simple(q, sql, "script");
}

/* The highest applied migration; creates schema_migrations when it is
 * missing (only then, so a role without CREATE can still ask). -1 on failure. */
static int pg_schema_version(store_conn *c)
{
    pg_conn *q = (pg_conn *)c;
    if (ready(q) != STORE_OK)
        return -1;
    const char *const name[] = {"schema_migrations"};
    PGresult *res = PQexecParams(q->pg, "SELECT to_regclass($1) IS NULL", 1, NULL, name, NULL, NULL, 0);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        res_fail(q, res, "schema version");
        PQclear(res);
        return -1;
    }
    int missing = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (missing && simple(q, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)",
                          "schema version") != STORE_OK)
        return -1;
    res = PQexec(q->pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        res_fail(q, res, "schema version");
        PQclear(res);
        return -1;
    }
    int v = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

/* Takes a transaction-scoped advisory lock, so two app servers starting
 * together migrate one after the other. */
static int pg_lock_migrations(store_conn *c)
{
    return ready_simple(c, "SELECT pg_advisory_xact_lock(7340117)", "migration lock");
}

/* Records migration version as applied now (inside the migration's
 * transaction). */
static int pg_set_schema_version(store_conn *c, int version)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    char now[21];
    time_now_iso(now);
    params p;
    p.n = 0;
    p_int(&p, version);
    p_str(&p, now);
    PGresult *res = PQexecParams(q->pg, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", p.n,
                                 NULL, p.v, NULL, NULL, 0);
    rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? STORE_OK : res_fail(q, res, "set schema version");
    PQclear(res);
    return rc;
}

/* A read-only transaction (several reads, one snapshot). */
static int pg_begin_read(store_conn *c)
{
    return open_tx(c, "BEGIN READ ONLY");
}

/* Commits of this connection no longer wait for the WAL flush. */
static int pg_relax_durability(store_conn *c)
{
    return ready_simple(c, "SET synchronous_commit = off", "durability");
}

static int pg_optimize(store_conn *c)
{
    return ready_simple(c, "ANALYZE", "optimize");
}

/* Starts a transaction (READ COMMITTED). */
static int pg_begin(store_conn *c)
{
    int rc = open_tx(c, "BEGIN ISOLATION LEVEL READ COMMITTED");
    sync_tx((pg_conn *)c);
    return rc;
}

/* Commits. STORE_ERROR if none is open, if the connection was lost, or if
 * the transaction had failed (PostgreSQL then rolls it back and says
 * "ROLLBACK" without an error). The transaction is over either way. */
static int pg_commit(store_conn *c)
{
    pg_conn *q = (pg_conn *)c;
    if (PQstatus(q->pg) != CONNECTION_OK) {
        int was = q->in_tx;
        q->in_tx = 0;
        return store_fail(c, was ? "commit: connection to PostgreSQL lost; the transaction was not committed"
                                 : "commit: no transaction is open");
    }
    if (PQtransactionStatus(q->pg) == PQTRANS_IDLE)
        return store_fail(c, "commit: no transaction is open");
    PGresult *res = PQexec(q->pg, "COMMIT");
    int rc;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = res_fail(q, res, "commit");
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        rc = store_fail(c, "commit: a statement in the transaction had failed, so it was rolled back");
    else
        rc = STORE_OK;
    PQclear(res);
    sync_tx(q);
    return rc;
}

/* Rolls back; STORE_OK when nothing is open or the connection is gone (the
 * server discarded the transaction with the session). */
static int pg_rollback(store_conn *c)
{
    pg_conn *q = (pg_conn *)c;
    if (PQstatus(q->pg) != CONNECTION_OK || PQtransactionStatus(q->pg) == PQTRANS_IDLE) {
        q->in_tx = 0; /* nothing open, or the server discarded it with the session */
        return STORE_OK;
    }
    int rc = simple(q, "ROLLBACK", "rollback");
    sync_tx(q);
    return rc;
}

/* Builds the SQL for (def, op). Columns: id, version, created_at,
 * updated_at, then the fields in order. Parameters as in store_sqlite.c. */
static void build_sql(buf *b, const entity_def *d, int op, const char *by)
{
    switch (op) {
    case OP_INSERT:
        buf_printf(b, "INSERT INTO %s (council_id, version, created_at, updated_at", d->table);
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", %s", d->fields[i].name);
        buf_puts(b, ") VALUES ($1, 1, $2, $2");
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", $%d", i + 3);
        /* A taken unique key gives no row instead of an error, which would
         * abort the caller's transaction. */
        buf_puts(b, ") ON CONFLICT DO NOTHING RETURNING id");
        break;
    case OP_GET:
    case OP_LIST:
    case OP_LIST_BY:
    case OP_FIND:
        buf_puts(b, "SELECT id, version, created_at, updated_at");
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", %s", d->fields[i].name);
        if (op == OP_FIND) {
            buf_printf(b, " FROM %s WHERE council_id = $1 AND %s = $2 ORDER BY id LIMIT 1", d->table, by);
            break;
        }
        buf_printf(b, " FROM %s WHERE council_id = $1 AND id ", d->table);
        if (op == OP_GET)
            buf_puts(b, "= $2");
        else if (op == OP_LIST)
            buf_puts(b, "> $2 ORDER BY id LIMIT $3");
        else
            buf_printf(b, "> $2 AND %s = $4 ORDER BY id LIMIT $3", by);
        break;
    case OP_UPDATE:
        buf_printf(b, "UPDATE %s SET version = version + 1, updated_at = $4", d->table);
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", %s = $%d", d->fields[i].name, i + 5);
        buf_puts(b, " WHERE council_id = $1 AND id = $2 AND version = $3");
        break;
    case OP_DELETE:
        buf_printf(b, "DELETE FROM %s WHERE council_id = $1 AND id = $2", d->table);
        break;
    case OP_COUNT:
        buf_printf(b, "SELECT count(*) FROM %s WHERE council_id = $1", d->table);
        break;
    case OP_IDEM_GET:
        buf_puts(b, "SELECT request_hash, status, body FROM idempotency_keys WHERE council_id = $1 AND key = $2");
        break;
    case OP_IDEM_PUT:
        buf_puts(b, "INSERT INTO idempotency_keys (council_id, key, request_hash, status, body, created_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
        break;
    default:
        break;
    }
}

/* Number of $N parameters build_sql gives (def, op). */
static int nparams(const entity_def *d, int op)
{
    switch (op) {
    case OP_INSERT: return 2 + d->nfields;
    case OP_UPDATE: return 4 + d->nfields;
    case OP_LIST: return 3;
    case OP_LIST_BY: return 4;
    case OP_COUNT: return 1;
    case OP_IDEM_PUT: return 6;
    default: return 2; /* get, delete, idempotency get */
    }
}

/* Writes into name the server-side name of the statement for (def, op, by),
 * preparing it on this connection the first time. STORE_OK, or STORE_ERROR
 * with the reason. Allocates nothing that outlives the call. */
static int stmt(pg_conn *q, const entity_def *d, int op, const char *by, char name[NAME_LEN])
{
    for (int i = 0; i < q->ncache; i++) {
        const cached *k = &q->cache[i];
        if (k->def == d && k->op == op && (k->by == by || (k->by && by && strcmp(k->by, by) == 0))) {
            memcpy(name, k->name, NAME_LEN);
            return STORE_OK;
        }
    }
    cached k = {.def = d, .op = op, .by = by};
    snprintf(k.name, sizeof k.name, "fd_%u", q->next_name++);
    buf b;
    buf_init(&b, 16384);
    build_sql(&b, d, op, by);
    PGresult *res = PQprepare(q->pg, k.name, buf_str(&b), nparams(d, op), NULL);
    buf_free(&b);
    int rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? STORE_OK : res_fail(q, res, "prepare");
    PQclear(res);
    if (rc != STORE_OK)
        return STORE_ERROR;
    if (q->ncache == CACHE_MAX) {
        /* Never expected (a handful of entities); stay correct regardless.
         * The name is ours ("fd_<n>"), not a value. If this fails (say in a
         * failed transaction) the statement merely lingers on the session. */
        char sql[NAME_LEN + 16];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", q->cache[0].name);
        PQclear(PQexec(q->pg, sql));
        memmove(&q->cache[0], &q->cache[1], sizeof q->cache[0] * (CACHE_MAX - 1));
        q->ncache--;
    }
    q->cache[q->ncache++] = k;
    memcpy(name, k.name, NAME_LEN);
    return STORE_OK;
}

/* Runs prepared statement name with p and returns its result (the caller
 * PQclear()s it) if its status is want; else NULL, with *rc set as by
 * res_fail(what). */
static PGresult *run(pg_conn *q, const char *name, const params *p, ExecStatusType want, const char *what, int *rc)
{
    PGresult *res = PQexecPrepared(q->pg, name, p->n, p->v, NULL, NULL, 0);
    if (res && PQresultStatus(res) == want) {
        *rc = STORE_OK;
        return res;
    }
    *rc = res_fail(q, res, what);
    PQclear(res);
    return NULL;
}

/* Adds r's fields to p: unset or null fields as NULL. */
static void bind_fields(params *p, const record *r)
{
    const entity_def *d = r->def;
    for (int i = 0; i < d->nfields; i++) {
        const field_val *v = &r->v[i];
        if (!v->set || v->null) {
            p_str(p, NULL);
            continue;
        }
        switch (d->fields[i].type) {
        case FT_INT:
        case FT_REF:
            p_int(p, v->i);
            break;
        case FT_BOOL:
            p_str(p, v->i ? "t" : "f");
            break;
        default:
            p_str(p, v->s);
            break;
        }
    }
}

/* The integer in a non-null text cell. */
static long long num(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Fills out (record_init'ed for d, every field set) from row of res; text
 * is copied into a. */
static void read_row(const PGresult *res, int row, const entity_def *d, arena *a, record *out)
{
    record_init(out, d);
    out->id = num(res, row, 0);
    out->version = num(res, row, 1);
    snprintf(out->created_at, sizeof out->created_at, "%s", PQgetvalue(res, row, 2));
    snprintf(out->updated_at, sizeof out->updated_at, "%s", PQgetvalue(res, row, 3));
    for (int i = 0; i < d->nfields; i++) {
        field_val *v = &out->v[i];
        int col = 4 + i;
        v->set = 1;
        if (PQgetisnull(res, row, col)) {
            v->null = 1;
            continue;
        }
        switch (d->fields[i].type) {
        case FT_INT:
        case FT_REF:
            v->i = num(res, row, col);
            break;
        case FT_BOOL:
            v->i = PQgetvalue(res, row, col)[0] == 't';
            break;
        default:
            v->s = arena_strndup(a, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
            break;
        }
    }
}

/* store_insert: one INSERT ... RETURNING id; a taken unique key returns no
 * row and is STORE_DUPLICATE. */
static int pg_insert(store_conn *c, long long council, record *r)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK || (rc = stmt(q, r->def, OP_INSERT, NULL, name)) != STORE_OK)
        return rc;
    char now[21];
    time_now_iso(now);
    params p;
    p.n = 0;
    p_int(&p, council);
    p_str(&p, now);
    bind_fields(&p, r);
    PGresult *res = run(q, name, &p, PGRES_TUPLES_OK, r->def->table, &rc);
    if (!res)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        store_fail(c, "%s: a unique key (e.g. uprn) is already taken", r->def->table);
        return STORE_DUPLICATE;
    }
    r->id = num(res, 0, 0);
    PQclear(res);
    r->version = 1;
    memcpy(r->created_at, now, sizeof now);
    memcpy(r->updated_at, now, sizeof now);
    return STORE_OK;
}

/* Runs the GET statement for (d, council, id): STORE_OK with the row in
 * out (text from a; out may be NULL to only check), STORE_NOTFOUND, or a
 * failure. */
static int get_row(pg_conn *q, long long council, const entity_def *d, long long id, arena *a, record *out)
{
    char name[NAME_LEN];
    int rc = stmt(q, d, OP_GET, NULL, name);
    if (rc != STORE_OK)
        return rc;
    params p;
    p.n = 0;
    p_int(&p, council);
    p_int(&p, id);
    PGresult *res = run(q, name, &p, PGRES_TUPLES_OK, d->table, &rc);
    if (!res)
        return rc;
    rc = PQntuples(res) == 1 ? STORE_OK : STORE_NOTFOUND;
    if (rc == STORE_OK && out)
        read_row(res, 0, d, a, out);
    PQclear(res);
    return rc;
}

/* store_get: the row into out, text from a. */
static int pg_get(store_conn *c, long long council, const entity_def *d, long long id, arena *a, record *out)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    return get_row(q, council, d, id, a, out);
}

/* store_update: UPDATE guarded by the version; when no row changed, a GET
 * tells STORE_CONFLICT (row there) from STORE_NOTFOUND, as store_sqlite.c. */
static int pg_update(store_conn *c, long long council, record *r, long long expected)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK || (rc = stmt(q, r->def, OP_UPDATE, NULL, name)) != STORE_OK)
        return rc;
    char now[21];
    time_now_iso(now);
    params p;
    p.n = 0;
    p_int(&p, council);
    p_int(&p, r->id);
    p_int(&p, expected);
    p_str(&p, now);
    bind_fields(&p, r);
    /* In a transaction, a savepoint keeps a failed update (a taken unique
     * key) from aborting the whole transaction, as in SQLite. */
    int sp = PQtransactionStatus(q->pg) == PQTRANS_INTRANS;
    if (sp && (rc = simple(q, "SAVEPOINT fd_stmt", r->def->table)) != STORE_OK)
        return rc;
    PGresult *res = run(q, name, &p, PGRES_COMMAND_OK, r->def->table, &rc);
    if (!res) {
        if (sp) /* keeps c->err: the update's failure is the one to report */
            PQclear(PQexec(q->pg, "ROLLBACK TO SAVEPOINT fd_stmt; RELEASE SAVEPOINT fd_stmt"));
        return rc;
    }
    long long changed = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    if (sp && (rc = simple(q, "RELEASE SAVEPOINT fd_stmt", r->def->table)) != STORE_OK)
        return rc;
    if (changed == 0) {
        /* Missing, or changed by someone else since it was read. */
        rc = get_row(q, council, r->def, r->id, NULL, NULL);
        if (rc == STORE_OK)
            return STORE_CONFLICT;
        return rc; /* STORE_NOTFOUND, or the failure */
    }
    r->version = expected + 1;
    memcpy(r->updated_at, now, sizeof now);
    return STORE_OK;
}

/* store_delete: STORE_NOTFOUND when no row went. A row still referred to is
 * STORE_ERROR (foreign key). */
static int pg_delete(store_conn *c, long long council, const entity_def *d, long long id)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK || (rc = stmt(q, d, OP_DELETE, NULL, name)) != STORE_OK)
        return rc;
    params p;
    p.n = 0;
    p_int(&p, council);
    p_int(&p, id);
    PGresult *res = run(q, name, &p, PGRES_COMMAND_OK, d->table, &rc);
    if (!res)
        return rc;
    long long changed = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return changed ? STORE_OK : STORE_NOTFOUND;
}

/* store_list: rows in id order after after_id, at most limit (store.c has
 * checked limit and by); *out is an array of *n records from a. */
static int list_rows(store_conn *c, long long council, const entity_def *d, const char *by, long long by_value,
                     const char *by_text, long long after_id, int limit, arena *a, record **out, int *n);

static int pg_list(store_conn *c, long long council, const entity_def *d, const char *by, long long by_value,
                   long long after_id, int limit, arena *a, record **out, int *n)
{
    return list_rows(c, council, d, by, by_value, NULL, after_id, limit, a, out, n);
}

/* store_list_text: the same statement as a list by field, given text. */
static int pg_list_text(store_conn *c, long long council, const entity_def *d, const char *by, const char *value,
                        long long after_id, int limit, arena *a, record **out, int *n)
{
    return list_rows(c, council, d, by, 0, value, after_id, limit, a, out, n);
}

static int list_rows(store_conn *c, long long council, const entity_def *d, const char *by, long long by_value,
                     const char *by_text, long long after_id, int limit, arena *a, record **out, int *n)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    rc = stmt(q, d, by ? OP_LIST_BY : OP_LIST, by ? d->fields[entity_field(d, by)].name : NULL, name);
    if (rc != STORE_OK)
        return rc;
    params p;
    p.n = 0;
    p_int(&p, council);
    p_int(&p, after_id);
    p_int(&p, limit);
    if (by && by_text)
        p_str(&p, by_text);
    else if (by)
        p_int(&p, by_value);
    PGresult *res = run(q, name, &p, PGRES_TUPLES_OK, d->table, &rc);
    if (!res)
        return rc;
    int k = PQntuples(res);
    if (k > limit)
        k = limit; /* LIMIT says so already */
    record *rows = arena_alloc(a, sizeof(record) * (size_t)(k > 0 ? k : 1));
    for (int i = 0; i < k; i++)
        read_row(res, i, d, a, &rows[i]);
    PQclear(res);
    *out = rows;
    *n = k;
    return STORE_OK;
}

/* store_find: the first row (by id) whose text field by equals value. */
static int pg_find(store_conn *c, long long council, const entity_def *d, const char *by, const char *value, arena *a,
                   record *out)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    if ((rc = stmt(q, d, OP_FIND, d->fields[entity_field(d, by)].name, name)) != STORE_OK)
        return rc;
    params p;
    p.n = 0;
    p_int(&p, council);
    p_str(&p, value);
    PGresult *res = run(q, name, &p, PGRES_TUPLES_OK, d->table, &rc);
    if (!res)
        return rc;
    rc = PQntuples(res) == 1 ? STORE_OK : STORE_NOTFOUND;
    if (rc == STORE_OK)
        read_row(res, 0, d, a, out);
    PQclear(res);
    return rc;
}

/* store_councils: every council id, ascending. */
static int pg_councils(store_conn *c, long long *ids, int max, int *n)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    PGresult *res = PQexec(q->pg, "SELECT id FROM councils ORDER BY id");
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = res_fail(q, res, "councils");
        PQclear(res);
        return rc;
    }
    for (int i = 0; i < PQntuples(res) && *n < max; i++)
        ids[(*n)++] = num(res, i, 0);
    PQclear(res);
    return STORE_OK;
}

static int pg_council_list(store_conn *c, arena *a, council_row *out, int max, int *n)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    PGresult *res = PQexec(q->pg, "SELECT id, name, host FROM councils ORDER BY id");
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = res_fail(q, res, "councils");
        PQclear(res);
        return rc;
    }
    for (int i = 0; i < PQntuples(res) && *n < max; i++) {
        council_row *r = &out[(*n)++];
        r->id = num(res, i, 0);
        r->name = arena_strdup(a, PQgetvalue(res, i, 1));
        r->host = PQgetisnull(res, i, 2) ? NULL : arena_strdup(a, PQgetvalue(res, i, 2));
    }
    PQclear(res);
    return STORE_OK;
}

/* The next id is max + 1 under a table lock: council 1 was inserted with
 * its id given, so the identity sequence cannot be trusted. */
static int pg_council_add(store_conn *c, const char *name, const char *host, long long *id)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    if ((rc = simple(q, "LOCK TABLE councils IN EXCLUSIVE MODE", "councils")) != STORE_OK)
        return rc;
    const char *vals[2] = {name, host};
    PGresult *res = PQexecParams(q->pg,
                                 "INSERT INTO councils (id, name, host, created_at) "
                                 "SELECT coalesce(max(id), 0) + 1, $1, $2, "
                                 "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM councils "
                                 "ON CONFLICT DO NOTHING RETURNING id",
                                 2, NULL, vals, NULL, NULL, 0);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = res_fail(q, res, "councils");
        PQclear(res);
        return rc;
    }
    if (PQntuples(res) != 1) { /* the host is taken; the transaction goes on */
        PQclear(res);
        store_fail(c, "councils: another council has the host %s", host ? host : "");
        return STORE_DUPLICATE;
    }
    if (PQntuples(res) != 1) { /* the host is taken; the transaction goes on */
        PQclear(res);
        store_fail(c, "councils: another council has the host %s", host ? host : "");
        return STORE_DUPLICATE;
    }
    *id = num(res, 0, 0);
    PQclear(res);
    return STORE_OK;
}

/* store_purge: table and field come from store_purge's fixed list. The
 * audit log's trigger lets deletes through only in a transaction that set
 * frontdoor.retention (SET LOCAL ends with the transaction). */
static int pg_purge(store_conn *c, long long council, const char *table, const char *field, const char *cutoff,
                    long long *deleted)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    if (!strcmp(table, "audit_log") && (rc = simple(q, "SET LOCAL frontdoor.retention = 'on'", "purge")) != STORE_OK)
        return rc;
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE council_id = $1 AND %s < $2", table, field);
    params p;
    p.n = 0;
    p_int(&p, council);
    p_str(&p, cutoff);
    PGresult *res = PQexecParams(q->pg, sql, p.n, NULL, p.v, NULL, NULL, 0);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = res_fail(q, res, table);
        PQclear(res);
        return rc;
    }
    *deleted = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    if (!strcmp(table, "audit_log"))
        rc = simple(q, "SET LOCAL frontdoor.retention = 'off'", "purge");
    return rc;
}

/* The columns of an entity's rows, for read_rows: "SELECT id, ..., f1, f2 ...". */
static void select_columns(buf *b, const entity_def *d)
{
    buf_puts(b, "SELECT id, version, created_at, updated_at");
    for (int i = 0; i < d->nfields; i++)
        buf_printf(b, ", %s", d->fields[i].name);
}

/* Runs sql (built in b, which it frees) with p; the rows, at most limit,
 * become *n records of d from a in *out. */
static int read_rows(pg_conn *q, buf *b, const params *p, const entity_def *d, const char *what, int limit, arena *a,
                     record **out, int *n)
{
    PGresult *res = PQexecParams(q->pg, buf_str(b), p->n, NULL, p->v, NULL, NULL, 0);
    buf_free(b);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        int rc = res_fail(q, res, what);
        PQclear(res);
        return rc;
    }
    int k = PQntuples(res) < limit ? PQntuples(res) : limit;
    record *rows = arena_alloc(a, sizeof(record) * (size_t)(k > 0 ? k : 1));
    for (int i = 0; i < k; i++)
        read_row(res, i, d, a, &rows[i]);
    PQclear(res);
    *out = rows;
    *n = k;
    return STORE_OK;
}

/* store_list_between: rows whose field is in [from, to) (from NULL: before
 * to), in id order. */
static int pg_list_between(store_conn *c, long long council, const entity_def *d, const char *field, const char *from,
                           const char *to, long long after_id, int limit, arena *a, record **out, int *n)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    buf b;
    buf_init(&b, 8192);
    select_columns(&b, d);
    buf_printf(&b, " FROM %s WHERE council_id = $1 AND %s < $2 AND id > $3", d->table, field);
    if (from)
        buf_printf(&b, " AND %s >= $5", field);
    buf_puts(&b, " ORDER BY id LIMIT $4");
    params p;
    p.n = 0;
    p_int(&p, council);
    p_str(&p, to);
    p_int(&p, after_id);
    p_int(&p, limit);
    if (from)
        p_str(&p, from);
    return read_rows(q, &b, &p, d, d->table, limit, a, out, n);
}

/* store_search_people: trigram similarity on names (pg_trgm's % uses the
 * GIN indexes), equality on date of birth, phone digits and email. The
 * SQL's shape depends only on the number of terms; values are bound. */
static int pg_search_people(store_conn *c, long long council, const search_term *t, int nt, int limit, arena *a,
                            record **out, int *n)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    buf b;
    buf_init(&b, 8192);
    select_columns(&b, &person_def);
    buf_puts(&b, " FROM people WHERE council_id = $1 AND (false");
    params p;
    p.n = 0;
    p_int(&p, council);
    p_int(&p, limit);
    for (int i = 0; i < nt; i++) {
        p_str(&p, t[i].text);
        int k = p.n;
        switch (t[i].kind) {
        case TERM_NAME:
            buf_printf(&b, " OR lower(given_name) %% $%d OR lower(family_name) %% $%d", k, k);
            break;
        case TERM_DATE: buf_printf(&b, " OR date_of_birth = $%d::date", k); break;
        case TERM_PHONE: buf_printf(&b, " OR regexp_replace(phone, '[^0-9]', '', 'g') = $%d", k); break;
        case TERM_EMAIL: buf_printf(&b, " OR lower(email) = $%d", k); break;
        }
    }
    buf_puts(&b, ") LIMIT $2");
    return read_rows(q, &b, &p, &person_def, "search", limit, a, out, n);
}

/* store_search_articles: full text (english, each word also a prefix,
 * any of them) ranked by ts_rank_cd, plus titles within trigram
 * similarity 0.3 of the words (for typos the C side did not correct). */
static int pg_search_articles(store_conn *c, long long council, const char *const *words, int nwords, int limit,
                              arena *a, char ***out, int *n)
{
    pg_conn *q = (pg_conn *)c;
    int rc = ready(q);
    if (rc != STORE_OK)
        return rc;
    buf tq, plain;
    buf_init(&tq, 4096);
    buf_init(&plain, 4096);
    for (int i = 0; i < nwords; i++) {
        buf_printf(&tq, "%s%s:*", i ? " | " : "", words[i]);
        buf_printf(&plain, "%s%s", i ? " " : "", words[i]);
    }
    params p;
    p.n = 0;
    p_int(&p, council);
    p_str(&p, buf_str(&tq));
    p_str(&p, buf_str(&plain));
    p_int(&p, limit);
    PGresult *res = PQexecParams(q->pg,
                                 "SELECT slug FROM articles, to_tsquery('simple', $2) tq WHERE council_id = $1 AND "
                                 "(tsv @@ to_tsquery('english', $2) OR tsv @@ tq OR similarity(lower(title), $3) > 0.3) "
                                 "ORDER BY ts_rank_cd(tsv, to_tsquery('english', $2)) + ts_rank_cd(tsv, tq) "
                                 "+ similarity(lower(title), $3) DESC, id LIMIT $4",
                                 p.n, NULL, p.v, NULL, NULL, 0);
    buf_free(&tq);
    buf_free(&plain);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = res_fail(q, res, "search articles");
        PQclear(res);
        return rc;
    }
    int k = PQntuples(res) < limit ? PQntuples(res) : limit;
    char **rows = arena_alloc(a, sizeof(char *) * (size_t)(k > 0 ? k : 1));
    for (int i = 0; i < k; i++)
        rows[i] = arena_strdup(a, PQgetvalue(res, i, 0));
    PQclear(res);
    *out = rows;
    *n = k;
    return STORE_OK;
}

/* store_count: rows of d for council into *n. */
static int pg_count(store_conn *c, long long council, const entity_def *d, long long *n)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK || (rc = stmt(q, d, OP_COUNT, NULL, name)) != STORE_OK)
        return rc;
    params p;
    p.n = 0;
    p_int(&p, council);
    PGresult *res = run(q, name, &p, PGRES_TUPLES_OK, d->table, &rc);
    if (!res)
        return rc;
    *n = num(res, 0, 0);
    PQclear(res);
    return STORE_OK;
}

/* store_idem_get: the stored outcome of key, strings from a. */
static int pg_idem_get(store_conn *c, long long council, const char *key, arena *a, char **req_hash, int *status,
                       char **body)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK || (rc = stmt(q, NULL, OP_IDEM_GET, NULL, name)) != STORE_OK)
        return rc;
    params p;
    p.n = 0;
    p_int(&p, council);
    p_str(&p, key);
    PGresult *res = run(q, name, &p, PGRES_TUPLES_OK, "idempotency", &rc);
    if (!res)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return STORE_NOTFOUND;
    }
    *req_hash = arena_strndup(a, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    *status = (int)strtol(PQgetvalue(res, 0, 1), NULL, 10);
    *body = arena_strndup(a, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
    PQclear(res);
    return STORE_OK;
}

/* store_idem_put: ON CONFLICT DO NOTHING, so a taken key is STORE_DUPLICATE
 * without aborting the caller's transaction. */
static int pg_idem_put(store_conn *c, long long council, const char *key, const char *req_hash, int status,
                       const char *body)
{
    pg_conn *q = (pg_conn *)c;
    char name[NAME_LEN];
    int rc = ready(q);
    if (rc != STORE_OK || (rc = stmt(q, NULL, OP_IDEM_PUT, NULL, name)) != STORE_OK)
        return rc;
    char now[21];
    time_now_iso(now);
    params p;
    p.n = 0;
    p_int(&p, council);
    p_str(&p, key);
    p_str(&p, req_hash);
    p_int(&p, status);
    p_str(&p, body);
    p_str(&p, now);
    PGresult *res = run(q, name, &p, PGRES_COMMAND_OK, "idempotency", &rc);
    if (!res)
        return rc;
    long long added = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    if (added == 0) {
        store_fail(c, "idempotency: the key is already used");
        return STORE_DUPLICATE;
    }
    return STORE_OK;
}

enum { ROWS_MAX_COLS = 32 };

/* Runs SQL written for SQLite (?N placeholders, written $N here) with text
 * parameters. NULL with *rc set if the connection is not ready; otherwise
 * the result (NULL on out of memory) with *rc STORE_OK. */
static PGresult *exec_sqlite_text(pg_conn *q, const char *sql, const char *const *values, int nparams, int *rc)
{
    if ((*rc = ready(q)) != STORE_OK)
        return NULL;
    size_t len = strlen(sql);
    char *text_sql = xmalloc(len + 1);
    for (size_t i = 0; i <= len; i++)
        text_sql[i] = sql[i] == '?' && sql[i + 1] >= '1' && sql[i + 1] <= '9' ? '$' : sql[i];
    PGresult *res = PQexecParams(q->pg, text_sql, nparams, NULL, values, NULL, NULL, 0);
    free(text_sql);
    return res;
}

/* store_ops.rows: the SQLite text with ?N written $N. */
static int pg_rows(store_conn *c, const char *sql, const char *const *values, int nparams, int ntext, int nint,
                   store_row_fn fn, void *ctx)
{
    pg_conn *q = (pg_conn *)c;
    if (ntext + nint > ROWS_MAX_COLS)
        return store_fail(c, "rows: at most %d columns", ROWS_MAX_COLS);
    int rc;
    PGresult *res = exec_sqlite_text(q, sql, values, nparams, &rc);
    if (!res && rc != STORE_OK)
        return rc;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = res_fail(q, res, "rows");
        PQclear(res);
        return rc;
    }
    const char *text[ROWS_MAX_COLS];
    long long ints[ROWS_MAX_COLS];
    int out = STORE_OK;
    for (int r = 0; r < PQntuples(res) && out == STORE_OK; r++) {
        for (int i = 0; i < ntext; i++)
            text[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
        for (int i = 0; i < nint; i++)
            ints[i] = PQgetisnull(res, r, ntext + i) ? 0 : num(res, r, ntext + i);
        out = fn(ctx, text, ints);
    }
    PQclear(res);
    return out;
}

static int pg_exec_params(store_conn *c, const char *sql, const char *const *values, int nparams, long long *changes)
{
    pg_conn *q = (pg_conn *)c;
    int rc;
    PGresult *res = exec_sqlite_text(q, sql, values, nparams, &rc);
    if (!res && rc != STORE_OK)
        return rc;
    if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)) {
        rc = res_fail(q, res, "exec");
        PQclear(res);
        return rc;
    }
    if (changes)
        *changes = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return STORE_OK;
}

const store_ops store_pg_ops = {
    .name = "postgresql",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec_script = pg_exec,
    .rows = pg_rows,
    .exec_params = pg_exec_params,
    .schema_version = pg_schema_version,
    .set_schema_version = pg_set_schema_version,
    .lock_migrations = pg_lock_migrations,
    .begin = pg_begin,
    .begin_read = pg_begin_read,
    .relax_durability = pg_relax_durability,
    .optimize = pg_optimize,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .insert = pg_insert,
    .get = pg_get,
    .update = pg_update,
    .del = pg_delete,
    .list = pg_list,
    .count = pg_count,
    .search_people = pg_search_people,
    .search_articles = pg_search_articles,
    .list_text = pg_list_text,
    .find = pg_find,
    .councils = pg_councils,
    .council_list = pg_council_list,
    .council_add = pg_council_add,
    .purge = pg_purge,
    .list_between = pg_list_between,
    .idem_get = pg_idem_get,
    .idem_put = pg_idem_put,
};
