/* store_sqlite.c: the SQLite backend, the embedded default and reference.
 *
 * One connection per thread, WAL with synchronous=FULL (a commit that
 * returned is on disk, even after kill -9), foreign keys on. SQL for each
 * entity is generated from its entity_def (column names are the static field
 * names; every value is a bound parameter) and prepared once per connection. */
#include <ctype.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/thread.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/access.h"
#include "core/entities.h"
#include "core/match.h"
#include "store/store_int.h"

enum { OP_INSERT, OP_GET, OP_UPDATE, OP_DELETE, OP_LIST, OP_LIST_BY, OP_COUNT, OP_FIND, OP_NAME_FG, OP_NAME_GF };
enum { CACHE_MAX = 64, SQL_CACHE_MAX = 16 };

typedef struct {
    const entity_def *def;
    int op;
    const char *by; /* OP_LIST_BY: field name (static) */
    sqlite3_stmt *st;
} cached;

typedef struct {
    store_conn base;
    sqlite3 *db;
    cached cache[CACHE_MAX];
    int ncache;
    int aud;                    /* the read audit's file is attached as "aud" */
    sqlite3_stmt *aud_insert;   /* INSERT INTO aud.read_audit ... */
    struct {
        char *sql;
        sqlite3_stmt *st;
    } sql_cache[SQL_CACHE_MAX]; /* rows and exec_params, by their SQL text */
    int nsql, sql_next;
    struct sq_ckpt *ckpt;       /* bulk load: the checkpointing thread (store_bulk_begin) */
    const volatile unsigned char *shm; /* the wal-index's start, in SQLite's own map (sq_read_mark) */
    int shm_tried;                     /* attempts to map it */
} sq_conn;

static int sq_err(store_conn *c, const char *what)
{
    sq_conn *q = (sq_conn *)c;
    int code = sqlite3_extended_errcode(q->db);
    store_fail(c, "%s: %s", what, sqlite3_errmsg(q->db));
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return STORE_DUPLICATE;
    return STORE_ERROR;
}

static void sq_configure(void)
{
    /* No global memory statistics: they take a process-wide mutex on every
     * allocation, which the worker threads would fight over. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* fd_names_soundex(given, middle, family): the Soundex code of every word
 * of the names, lower-case, space-separated ("m620 w452 c636"), for the
 * search index (migration 0017). */
static void names_soundex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char out[512];
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        const char *v = (const char *)sqlite3_value_text(argv[i]);
        if (!v)
            continue;
        char word[128];
        while (*v) {
            size_t w = 0;
            while (*v && !isalpha((unsigned char)*v))
                v++;
            while (*v && isalpha((unsigned char)*v)) {
                if (w + 1 < sizeof word)
                    word[w++] = *v;
                v++;
            }
            word[w] = '\0';
            char code[5];
            match_soundex(word, code);
            if (code[0] && n + 6 < sizeof out) {
                if (n)
                    out[n++] = ' ';
                for (int k = 0; code[k]; k++)
                    out[n++] = (char)tolower((unsigned char)code[k]);
            }
        }
    }
    out[n] = '\0';
    sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
}

static store_conn *sq_connect(store *s, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    sq_conn *q = xcalloc(1, sizeof *q);
    int rc = sqlite3_open_v2(s->path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    /* Reads go through a memory map of the file (up to 2 GB, SQLite's
     * ceiling), not through a private page cache filled by pread: the
     * rendered person views alone are 500 MB, far past any one connection's
     * cache, and every commit by another connection empties that cache
     * anyway. A commit elsewhere unmaps the reader's map; measured with
     * another process committing 20, 100 and 400 times a second during a
     * burst of person views, the map still gave 10-18% more views a second
     * (in session 2, unmapping after each of the read audit's many commits
     * a second was ruinous; that audit now has a file of its own). The
     * page cache stays for what is written and what lies past the map. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(q->db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                          "PRAGMA mmap_size=2147418112; PRAGMA cache_size=-65536;"
                          "PRAGMA busy_timeout=10000;",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        /* Grow the file 64 MB at a time, not a page at every checkpoint
         * (the audit log appends all day): fewer, larger extensions. */
        int chunk = 64 << 20;
        sqlite3_file_control(q->db, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(q->db, "fd_names_soundex", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                     names_soundex, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open SQLite database %s: %s", s->path,
                 q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
        sqlite3_close(q->db);
        free(q);
        return NULL;
    }
    return &q->base;
}

static int sq_bulk_end(store_conn *c);

static void sq_disconnect(store_conn *c)
{
    sq_conn *q = (sq_conn *)c;
    sq_bulk_end(c);
    sqlite3_finalize(q->aud_insert);
    for (int i = 0; i < q->nsql; i++) {
        sqlite3_finalize(q->sql_cache[i].st);
        free(q->sql_cache[i].sql);
    }
    for (int i = 0; i < q->ncache; i++)
        sqlite3_finalize(q->cache[i].st);
    sqlite3_close(q->db); /* unmaps what q->shm points into */
    free(q);
}

static int sq_exec(store_conn *c, const char *sql)
{
    sq_conn *q = (sq_conn *)c;
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        store_fail(c, "%s", msg ? msg : "error");
        sqlite3_free(msg);
        return STORE_ERROR;
    }
    return STORE_OK;
}

static int sq_schema_version(store_conn *c)
{
    sq_conn *q = (sq_conn *)c;
    if (sq_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)") !=
        STORE_OK)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &st, NULL) !=
        SQLITE_OK) {
        sq_err(c, "schema version");
        return -1;
    }
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static int sq_set_schema_version(store_conn *c, int version)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO schema_migrations (version, applied_at) VALUES "
                           "(?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_err(c, "set schema version");
    sqlite3_bind_int(st, 1, version);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_err(c, "set schema version");
    sqlite3_finalize(st);
    return rc;
}

static sqlite3_stmt *sql_stmt(sq_conn *q, const char *sql);

/* Runs one statement without parameters, prepared once per connection
 * (BEGIN and COMMIT run on every request). */
static int sq_run(store_conn *c, const char *sql)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = sql_stmt(q, sql);
    if (!st)
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    int out = rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_err(c, sql);
    sqlite3_reset(st);
    return out;
}

static int sq_begin(store_conn *c) { return sq_run(c, "BEGIN IMMEDIATE"); }
static int sq_begin_read(store_conn *c) { return sq_run(c, "BEGIN"); }

/* The read mark (store_begin_read): the first copy of the wal-index header,
 * the 48 bytes at the start of FILE-shm (https://sqlite.org/walformat.html).
 * Every commit, by any connection or process, writes it anew (its change
 * counter, last frame and checksums move), and so does the WAL starting
 * again from the top. It is read through the connection's own map of the
 * file (the VFS's xShmMap, region 0, which the connection mapped when it
 * opened the WAL and keeps until it closes). Not by opening the file: a
 * close() of any descriptor of it would drop every POSIX lock this process
 * holds on it, and another process would then take the file for unused and
 * truncate it under every map. */
static int sq_read_mark(store_conn *c, unsigned char mark[STORE_MARK])
{
    sq_conn *q = (sq_conn *)c;
    if (!q->shm && q->shm_tried < 100) { /* until the WAL is open: it is after the first read */
        q->shm_tried++;
        sqlite3_file *f = NULL;
        volatile void *region = NULL;
        if (sqlite3_file_control(q->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK && f && f->pMethods &&
            f->pMethods->iVersion >= 2 && f->pMethods->xShmMap &&
            f->pMethods->xShmMap(f, 0, 32768, 0, &region) == SQLITE_OK && region)
            q->shm = region;
    }
    if (!q->shm || q->aud)
        return -1;
    for (int i = 0; i < STORE_MARK; i++)
        mark[i] = q->shm[i];
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return 0;
}

/* A transaction that has only read, and only the main database (the read
 * audit's file is not attached: the mark does not cover it). */
static int sq_read_keepable(store_conn *c)
{
    sq_conn *q = (sq_conn *)c;
    return !q->aud && sqlite3_txn_state(q->db, NULL) == SQLITE_TXN_READ &&
           sqlite3_txn_state(q->db, "main") == SQLITE_TXN_READ;
}

/* PRAGMA data_version moves when another connection commits; this
 * connection's own changes move sqlite3_total_changes64. */
static int sq_change_stamp(store_conn *c, unsigned long long stamp[2])
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = sql_stmt(q, "PRAGMA main.data_version");
    if (!st)
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        stamp[0] = (unsigned long long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return sq_err(c, "data_version");
    stamp[1] = (unsigned long long)sqlite3_total_changes64(q->db);
    return STORE_OK;
}

/* NORMAL in WAL mode: a commit survives the process being killed, but may
 * be lost if the machine itself loses power before the next checkpoint. */
static int sq_relax_durability(store_conn *c) { return sq_exec(c, "PRAGMA synchronous=NORMAL"); }
static int sq_optimize(store_conn *c)
{
    return sq_exec(c, "INSERT INTO people_fts (people_fts) VALUES ('optimize'); PRAGMA optimize;");
}

/* A bulk load's checkpointer: a thread with a connection of its own that
 * copies what the loading connection committed from the WAL into the
 * database (and syncs it) while the loader goes on with its next batch,
 * instead of the loader doing it at the end of every commit. */
typedef struct sq_ckpt {
    ticker tick; /* woken after each commit */
    sqlite3 *db;
} sq_ckpt;

static void ckpt_run(void *arg)
{
    sq_ckpt *k = arg;
    /* PASSIVE: never waits for the loader, copies what it can. */
    sqlite3_wal_checkpoint_v2(k->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* sqlite3_wal_hook: after each commit of the loading connection. */
static int ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db, (void)frames;
    sq_ckpt *k = arg;
    if (strcmp(name, "main") == 0)
        ticker_wake(&k->tick);
    return SQLITE_OK;
}

static void ckpt_free(sq_ckpt *k)
{
    sqlite3_close(k->db);
    pthread_cond_destroy(&k->tick.wake);
    pthread_mutex_destroy(&k->tick.lock);
    free(k);
}

static int sq_bulk_end(store_conn *c)
{
    sq_conn *q = (sq_conn *)c;
    sq_ckpt *k = q->ckpt;
    if (!k)
        return STORE_OK;
    ticker_stop(&k->tick);
    ckpt_free(k);
    q->ckpt = NULL;
    sqlite3_wal_autocheckpoint(q->db, 1000); /* SQLite's own again */
    sqlite3_exec(q->db, "PRAGMA temp_store=DEFAULT", NULL, NULL, NULL);
    return STORE_OK;
}

static int sq_bulk_begin(store_conn *c)
{
    sq_conn *q = (sq_conn *)c;
    if (q->ckpt)
        return STORE_OK;
    const char *path = q->base.s->path;
    if (!path || !*path || !strcmp(path, ":memory:") || !strncmp(path, "file:", 5))
        return STORE_OK; /* no file to share: SQLite's own checkpoints */
    sq_ckpt *k = xcalloc(1, sizeof *k);
    pthread_mutex_init(&k->tick.lock, NULL);
    pthread_cond_init(&k->tick.wake, NULL);
    k->tick.run = ckpt_run;
    k->tick.arg = k;
    k->tick.last_run = 1;
    int rc = sqlite3_open_v2(path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(k->db, "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        store_fail(c, "bulk load: %s", k->db ? sqlite3_errmsg(k->db) : sqlite3_errstr(rc));
        ckpt_free(k);
        return STORE_ERROR;
    }
    if (ticker_start(&k->tick) != 0) {
        ckpt_free(k);
        return STORE_OK; /* no thread: SQLite's own checkpoints, as before */
    }
    q->ckpt = k;
    sqlite3_wal_hook(q->db, ckpt_hook, k);
    /* Each insert that fires triggers keeps a statement journal; once one
     * outgrows 64 KiB it is a temporary file for the rest of the
     * transaction, and every later statement writes pages to it. */
    sqlite3_exec(q->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
    return STORE_OK;
}



/* BEGIN IMMEDIATE already holds the one write lock: nothing more to take. */
static int sq_lock_migrations(store_conn *c)
{
    (void)c;
    return STORE_OK;
}
static int sq_commit(store_conn *c) { return sq_run(c, "COMMIT"); }

static int sq_rollback(store_conn *c)
{
    sq_conn *q = (sq_conn *)c;
    if (sqlite3_get_autocommit(q->db))
        return STORE_OK; /* nothing open (a failed COMMIT may already have ended it) */
    return sq_exec(c, "ROLLBACK");
}

/* Builds the SQL for (def, op). Columns: id, version, created_at,
 * updated_at, then the fields in order. */
static void build_sql(buf *b, const entity_def *d, int op, const char *by)
{
    const char *t = d->table;
    switch (op) {
    case OP_INSERT:
        buf_printf(b, "INSERT INTO %s (council_id, version, created_at, updated_at", t);
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", %s", d->fields[i].name);
        buf_puts(b, ") VALUES (?1, 1, ?2, ?2");
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", ?%d", i + 3);
        buf_puts(b, ")");
        break;
    case OP_GET:
    case OP_LIST:
    case OP_LIST_BY:
    case OP_FIND:
    case OP_NAME_FG:
    case OP_NAME_GF:
        buf_puts(b, "SELECT id, version, created_at, updated_at");
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", %s", d->fields[i].name);
        if (op == OP_NAME_FG || op == OP_NAME_GF) {
            /* People by two names, one exact and the other a prefix (the
             * indexes of migration 0021; ASCII case ignored). */
            const char *exact = op == OP_NAME_FG ? "family_name" : "given_name";
            const char *prefix = op == OP_NAME_FG ? "given_name" : "family_name";
            buf_printf(b,
                       " FROM %s WHERE council_id = ?1 AND %s = ?2 COLLATE NOCASE AND %s >= ?3 COLLATE NOCASE"
                       " AND %s < ?4 COLLATE NOCASE LIMIT ?5",
                       t, exact, prefix, prefix);
            break;
        }
        if (op == OP_FIND) {
            buf_printf(b, " FROM %s WHERE council_id = ?1 AND %s = ?2 ORDER BY id LIMIT 1", t, by);
            break;
        }
        buf_printf(b, " FROM %s WHERE council_id = ?1 AND id ", t);
        if (op == OP_GET)
            buf_puts(b, "= ?2");
        else if (op == OP_LIST)
            buf_puts(b, "> ?2 ORDER BY id LIMIT ?3");
        else
            buf_printf(b, "> ?2 AND %s = ?4 ORDER BY id LIMIT ?3", by);
        break;
    case OP_UPDATE:
        buf_printf(b, "UPDATE %s SET version = version + 1, updated_at = ?4", t);
        for (int i = 0; i < d->nfields; i++)
            buf_printf(b, ", %s = ?%d", d->fields[i].name, i + 5);
        buf_puts(b, " WHERE council_id = ?1 AND id = ?2 AND version = ?3");
        break;
    case OP_DELETE:
        buf_printf(b, "DELETE FROM %s WHERE council_id = ?1 AND id = ?2", t);
        break;
    case OP_COUNT:
        buf_printf(b, "SELECT count(*) FROM %s WHERE council_id = ?1", t);
        break;
    default:
        break;
    }
}

/* The prepared statement for (def, op, by), reset and with bindings cleared. */
static sqlite3_stmt *stmt(sq_conn *q, const entity_def *d, int op, const char *by)
{
    for (int i = 0; i < q->ncache; i++) {
        cached *k = &q->cache[i];
        if (k->def == d && k->op == op && (k->by == by || (k->by && by && strcmp(k->by, by) == 0))) {
            sqlite3_reset(k->st);
            sqlite3_clear_bindings(k->st);
            return k->st;
        }
    }
    buf b;
    buf_init(&b, 8192);
    build_sql(&b, d, op, by);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(q->db, buf_str(&b), -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sq_err(&q->base, "prepare");
        buf_free(&b);
        return NULL;
    }
    buf_free(&b);
    if (q->ncache < CACHE_MAX) {
        q->cache[q->ncache++] = (cached){d, op, by, st};
    } else {
        /* Never expected (a handful of entities); stay correct regardless. */
        sqlite3_finalize(q->cache[0].st);
        q->cache[0] = (cached){d, op, by, st};
    }
    return st;
}

static void bind_fields(sqlite3_stmt *st, const record *r, int first)
{
    const entity_def *d = r->def;
    for (int i = 0; i < d->nfields; i++) {
        const field_val *v = &r->v[i];
        int at = first + i;
        if (!v->set || v->null) {
            sqlite3_bind_null(st, at);
            continue;
        }
        switch (d->fields[i].type) {
        case FT_INT:
        case FT_BOOL:
        case FT_REF:
            sqlite3_bind_int64(st, at, v->i);
            break;
        default:
            sqlite3_bind_text(st, at, v->s, -1, SQLITE_STATIC);
            break;
        }
    }
}

/* A stored time ("YYYY-MM-DDTHH:MM:SSZ") into out, cut to fit. */
static void copy_time(char out[21], sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n > 20)
        n = 20;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

static void read_row(sqlite3_stmt *st, const entity_def *d, arena *a, record *out)
{
    record_init(out, d);
    out->id = sqlite3_column_int64(st, 0);
    out->version = sqlite3_column_int64(st, 1);
    copy_time(out->created_at, st, 2);
    copy_time(out->updated_at, st, 3);
    for (int i = 0; i < d->nfields; i++) {
        field_val *v = &out->v[i];
        int col = 4 + i;
        v->set = 1;
        if (sqlite3_column_type(st, col) == SQLITE_NULL) {
            v->null = 1;
            continue;
        }
        switch (d->fields[i].type) {
        case FT_INT:
        case FT_BOOL:
        case FT_REF:
            v->i = sqlite3_column_int64(st, col);
            break;
        default:
            v->s = arena_strndup(a, (const char *)sqlite3_column_text(st, col), (size_t)sqlite3_column_bytes(st, col));
            break;
        }
    }
}

static int sq_insert(store_conn *c, long long council, record *r)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = stmt(q, r->def, OP_INSERT, NULL);
    if (!st)
        return STORE_ERROR;
    char now[21];
    time_now_iso(now);
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    bind_fields(st, r, 3);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_err(c, r->def->table);
    r->id = sqlite3_last_insert_rowid(q->db);
    r->version = 1;
    memcpy(r->created_at, now, sizeof now);
    memcpy(r->updated_at, now, sizeof now);
    return STORE_OK;
}

static int sq_get(store_conn *c, long long council, const entity_def *d, long long id, arena *a, record *out)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = stmt(q, d, OP_GET, NULL);
    if (!st)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_row(st, d, a, out);
        sqlite3_reset(st);
        return STORE_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    return sq_err(c, d->table);
}

static int sq_update(store_conn *c, long long council, record *r, long long expected)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = stmt(q, r->def, OP_UPDATE, NULL);
    if (!st)
        return STORE_ERROR;
    char now[21];
    time_now_iso(now);
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_int64(st, 2, r->id);
    sqlite3_bind_int64(st, 3, expected);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    bind_fields(st, r, 5);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_err(c, r->def->table);
    if (sqlite3_changes(q->db) == 0) {
        /* Missing, or changed by someone else since it was read. */
        sqlite3_stmt *g = stmt(q, r->def, OP_GET, NULL);
        if (!g)
            return STORE_ERROR;
        sqlite3_bind_int64(g, 1, council);
        sqlite3_bind_int64(g, 2, r->id);
        int found = sqlite3_step(g) == SQLITE_ROW;
        sqlite3_reset(g);
        return found ? STORE_CONFLICT : STORE_NOTFOUND;
    }
    r->version = expected + 1;
    memcpy(r->updated_at, now, sizeof now);
    return STORE_OK;
}

static int sq_delete(store_conn *c, long long council, const entity_def *d, long long id)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = stmt(q, d, OP_DELETE, NULL);
    if (!st)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_err(c, d->table);
    return sqlite3_changes(q->db) ? STORE_OK : STORE_NOTFOUND;
}

/* Lists rows; by filters on an integer (by_text NULL) or a text value. */
static int list_rows(store_conn *c, long long council, const entity_def *d, const char *by, long long by_value,
                     const char *by_text, long long after_id, int limit, arena *a, record **out, int *n)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = stmt(q, d, by ? OP_LIST_BY : OP_LIST, by ? d->fields[entity_field(d, by)].name : NULL);
    if (!st)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_int64(st, 2, after_id);
    sqlite3_bind_int(st, 3, limit);
    if (by && by_text)
        sqlite3_bind_text(st, 4, by_text, -1, SQLITE_STATIC);
    else if (by)
        sqlite3_bind_int64(st, 4, by_value);
    /* Grow as rows come (most lists are short; limit may be 1000). */
    int cap = limit < 8 ? limit : 8, k = 0, rc;
    record *rows = arena_alloc(a, sizeof(record) * (size_t)cap);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < limit) {
        if (k == cap) {
            int ncap = cap * 2 < limit ? cap * 2 : limit;
            record *more = arena_alloc(a, sizeof(record) * (size_t)ncap);
            memcpy(more, rows, sizeof(record) * (size_t)k);
            rows = more;
            cap = ncap;
        }
        read_row(st, d, a, &rows[k++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_err(c, d->table);
    *out = rows;
    *n = k;
    return STORE_OK;
}

static int sq_list(store_conn *c, long long council, const entity_def *d, const char *by, long long by_value,
                   long long after_id, int limit, arena *a, record **out, int *n)
{
    return list_rows(c, council, d, by, by_value, NULL, after_id, limit, a, out, n);
}

static int sq_list_text(store_conn *c, long long council, const entity_def *d, const char *by, const char *value,
                        long long after_id, int limit, arena *a, record **out, int *n)
{
    return list_rows(c, council, d, by, 0, value, after_id, limit, a, out, n);
}

/* The names of a candidate, in the order fts_candidates and
 * key_candidates select them. */
static const char *const cand_cols[] = {"given_name", "middle_names", "family_name", "date_of_birth", "phone", "email"};

/* Candidates gathered so far: grown as they come (most searches find
 * a few dozen; a block for the limit of 500 would be mapped and zeroed
 * afresh for every search). */
typedef struct {
    record *rows;
    int n, cap, limit;
} cands;

/* Room for candidate id at the end of c; NULL if c has it already. */
static record *cands_add(cands *c, long long id, arena *a)
{
    for (int i = 0; i < c->n; i++)
        if (c->rows[i].id == id)
            return NULL;
    if (c->n == c->cap) {
        int ncap = c->cap ? c->cap * 2 : 32;
        if (ncap > c->limit)
            ncap = c->limit;
        record *grown = arena_alloc(a, sizeof(record) * (size_t)ncap);
        if (c->n)
            memcpy(grown, c->rows, sizeof(record) * (size_t)c->n);
        c->rows = grown;
        c->cap = ncap;
    }
    return &c->rows[c->n++];
}

/* Appends each row of st (id, then the cand_cols, from column 0) not
 * already in c, until its limit. */
static int take_candidates(sq_conn *q, sqlite3_stmt *st, int ncols, arena *a, cands *c)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->n < c->limit) {
        long long id = sqlite3_column_int64(st, 0);
        record *r = cands_add(c, id, a);
        if (!r)
            continue;
        record_init(r, &person_def);
        r->id = id;
        for (int i = 0; i < ncols; i++)
            if (sqlite3_column_type(st, 1 + i) != SQLITE_NULL)
                rec_set_str(r, cand_cols[i], arena_strndup(a, (const char *)sqlite3_column_text(st, 1 + i),
                                                           (size_t)sqlite3_column_bytes(st, 1 + i)));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_err(&q->base, "search");
}

/* Candidates from the name index: the rows come from the index alone
 * (names only; no read of people), which is all the ranking needs. */
static int fts_candidates(sq_conn *q, long long council, const char *match, arena *a, cands *c)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT rowid, given_name, middle_names, family_name FROM people_fts "
                           "WHERE people_fts MATCH ?1 AND council_id = ?2 LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_err(&q->base, "search");
    sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, council);
    sqlite3_bind_int(st, 3, c->limit);
    return take_candidates(q, st, 3, a, c);
}

/* Candidates whose date of birth, email or phone digits is the term. */
static int key_candidates(sq_conn *q, long long council, const search_term *t, arena *a, cands *c)
{
    const char *where = t->kind == TERM_DATE    ? "date_of_birth = ?2"
                        : t->kind == TERM_EMAIL ? "lower(email) = ?2"
                                                : "replace(replace(replace(phone, ' ', ''), '+', ''), '-', '') = ?2";
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT id, given_name, middle_names, family_name, date_of_birth, phone, email FROM people "
             "WHERE council_id = ?1 AND %s LIMIT ?3",
             where);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_err(&q->base, "search");
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_text(st, 2, t->text, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, c->limit);
    return take_candidates(q, st, 6, a, c);
}

/* One name term for FTS5: a quoted string, quotes dropped. */
static void fts_term(buf *m, const char *text, size_t prefix_len)
{
    char term[64];
    snprintf(term, sizeof term, "%s", text);
    for (char *x = term; *x; x++)
        if (*x == '"')
            *x = ' ';
    if (prefix_len && strlen(term) > prefix_len)
        term[prefix_len] = '\0';
    buf_printf(m, "\"%s\"", term);
}

/* Whole people (no second read needed) whose name exact is one term and
 * whose other name starts with prefix (the first plen letters of the other
 * term; 0: all of it). fg: exact is the family name. */
static int name_candidates(sq_conn *q, long long council, int fg, const char *exact, const char *other, size_t plen,
                           arena *a, cands *c)
{
    char lo[64], hi[64];
    snprintf(lo, sizeof lo, "%s", other);
    if (plen && strlen(lo) > plen)
        lo[plen] = '\0';
    size_t n = strlen(lo);
    if (n == 0 || c->n >= c->limit)
        return STORE_OK;
    memcpy(hi, lo, n + 1);
    hi[n - 1] = (char)(tolower((unsigned char)hi[n - 1]) + 1); /* NOCASE compares lower case */
    sqlite3_stmt *st = stmt(q, &person_def, fg ? OP_NAME_FG : OP_NAME_GF, NULL);
    if (!st)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_text(st, 2, exact, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hi, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, c->limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->n < c->limit) {
        record *r = cands_add(c, sqlite3_column_int64(st, 0), a);
        if (r)
            read_row(st, &person_def, a, r);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_err(&q->base, "search");
}

/* Whether some candidate has every name term as the start of one of its
 * names (ASCII case ignored). */
static int someone_has_names(const cands *c, const search_term *t, int nt)
{
    for (int k = 0; k < c->n; k++) {
        int all = 1;
        for (int i = 0; i < nt && all; i++) {
            if (t[i].kind != TERM_NAME)
                continue;
            size_t len = strlen(t[i].text);
            int hit = 0;
            for (int f = 0; f < 3 && !hit; f++) {
                const char *v = rec_str(&c->rows[k], cand_cols[f]);
                hit = v && strncasecmp(v, t[i].text, len) == 0;
            }
            all = hit;
        }
        if (all)
            return 1;
    }
    return 0;
}

/* The common call: two names, given and family in either order. First as
 * typed (one name exact, the other a prefix; a given name also in its
 * other forms, Bill as William), then with one name misspelt
 * (the other exact, the misspelt one by its first two letters). Straight
 * from two indexes on people, with no full-text query; stops once a page
 * is full. */
static int two_name_candidates(sq_conn *q, long long council, const char *x, const char *y, arena *a, cands *c)
{
    const char *pair[2][2] = {{x, y}, {y, x}};
    int rc = STORE_OK;
    for (int k = 0; k < 2 && rc == STORE_OK; k++) { /* as typed: family exact, given a prefix */
        rc = name_candidates(q, council, 1, pair[k][0], pair[k][1], 0, a, c);
        char forms[8][MATCH_NAME_MAX]; /* and the given name's other forms: Bill finds William */
        int nf = match_nickname_forms(pair[k][1], forms, 8);
        for (int f = 0; f < nf && rc == STORE_OK; f++)
            rc = name_candidates(q, council, 1, pair[k][0], forms[f], 0, a, c);
    }
    for (int k = 0; k < 2 && rc == STORE_OK && c->n < 20; k++) { /* one misspelt */
        rc = name_candidates(q, council, 1, pair[k][0], pair[k][1], 2, a, c);
        if (rc == STORE_OK)
            rc = name_candidates(q, council, 0, pair[k][1], pair[k][0], 2, a, c);
    }
    return rc;
}

/* One name term in the FTS5 query: as typed (a prefix of a name), or,
 * loose, by its first plen letters or its sound (Soundex), so that a
 * letter missed, doubled or swapped still finds the name. */
static void fts_name(buf *m, const char *text, int loose, size_t plen)
{
    buf_puts(m, "({given_name middle_names family_name} : ");
    fts_term(m, text, 0);
    buf_puts(m, "*");
    if (loose) {
        buf_puts(m, " OR {given_name middle_names family_name} : ");
        fts_term(m, text, plen);
        buf_puts(m, "*");
        char code[5];
        match_soundex(text, code);
        if (code[0]) {
            for (char *x = code; *x; x++)
                *x = (char)tolower((unsigned char)*x);
            buf_printf(m, " OR sounds : \"%s\"", code);
        }
    }
    buf_puts(m, ")");
}

/* The FTS5 query over the name terms for one pass:
 *   0: every term as typed;
 *   1: one term loose, the others as typed (one misspelt name), for each
 *      term in turn: small sets, since the other names narrow them;
 *   2: every term loose (more than one misspelt);
 *   3: any one term as typed (a name the record does not have).
 * Returns the number of name terms; writes nothing for a pass that would
 * ask the same as an earlier one. */
static int fts_query(buf *m, const search_term *t, int nt, int pass)
{
    int names = 0;
    for (int i = 0; i < nt; i++)
        names += t[i].kind == TERM_NAME;
    if ((pass == 2 || pass == 3) && names < 2)
        return names; /* one name: pass 1 asked it loose already */
    int first = 1;
    for (int loose = 0; loose < (pass == 1 ? names : 1); loose++) {
        if (pass == 1)
            buf_puts(m, first ? "(" : " OR (");
        int k = 0, firstterm = 1;
        for (int i = 0; i < nt; i++) {
            if (t[i].kind != TERM_NAME)
                continue;
            buf_puts(m, firstterm ? "" : pass == 3 ? " OR " : " AND ");
            firstterm = 0;
            /* One loose term among exact ones: two letters are enough,
             * the others narrow it. Alone or all loose: three. */
            fts_name(m, t[i].text, pass == 2 || (pass == 1 && k == loose), pass == 1 && names > 1 ? 2 : 3);
            k++;
        }
        if (pass == 1)
            buf_puts(m, ")");
        first = 0;
    }
    return names;
}

/* Candidates: whoever has the date of birth, email or phone given; then
 * two names straight from the name indexes (two_name_candidates); then,
 * unless those found someone, names in up to four full-text passes (see
 * fts_query), stopping at the first pass that leaves 20 or more: a
 * misspelling would rank below what was found as typed. With a date of birth, phone or email found, the names add only
 * as many more as a page shows: they rank below those. */
static int sq_search_people(store_conn *c, long long council, const search_term *t, int nt, int limit, arena *a,
                            record **out, int *n)
{
    sq_conn *q = (sq_conn *)c;
    cands cs = {.limit = limit};
    int rc = STORE_OK;
    for (int i = 0; i < nt && rc == STORE_OK; i++)
        if (t[i].kind != TERM_NAME)
            rc = key_candidates(q, council, &t[i], a, &cs);
    if (cs.n > 0 && someone_has_names(&cs, t, nt)) {
        /* The date of birth, phone or email found who has the names too:
         * others of the same name rank below; no full-text query. */
        *out = cs.rows;
        *n = cs.n;
        return rc;
    }
    if (cs.n > 0 && cs.limit > cs.n + 20)
        cs.limit = cs.n + 20;
    const char *two[2];
    int nn = 0;
    for (int i = 0; i < nt; i++)
        if (t[i].kind == TERM_NAME && nn++ < 2)
            two[nn - 1] = t[i].text;
    if (nn == 2 && rc == STORE_OK) {
        int before = cs.n;
        rc = two_name_candidates(q, council, two[0], two[1], a, &cs);
        /* Found by both names: the full-text passes would add only
         * weaker matches (a middle name, a sound-alike), ranked below. */
        if (rc == STORE_OK && cs.n > before) {
            *out = cs.rows;
            *n = cs.n;
            return rc;
        }
    }
    for (int pass = 0; pass < 4 && rc == STORE_OK && cs.n < cs.limit; pass++) {
        if (pass > 0 && cs.n >= 20)
            break;
        buf m;
        buf_init(&m, 4096);
        int names = fts_query(&m, t, nt, pass);
        if (buf_str(&m)[0])
            rc = fts_candidates(q, council, buf_str(&m), a, &cs);
        buf_free(&m);
        if (!names)
            break;
    }
    *out = cs.rows;
    *n = cs.n;
    return rc;
}

/* Articles: each word as typed and as a prefix, any of them (FTS5 OR),
 * ranked by bm25 with the title weighted over keywords over body. */
static int sq_search_articles(store_conn *c, long long council, const char *const *words, int nwords, int limit,
                              arena *a, char ***out, int *n)
{
    sq_conn *q = (sq_conn *)c;
    buf m;
    buf_init(&m, 4096);
    for (int i = 0; i < nwords; i++)
        buf_printf(&m, "%s\"%s\"*", i ? " OR " : "", words[i]);
    sqlite3_stmt *st;
    int prc = sqlite3_prepare_v2(q->db,
                                 "SELECT a.slug FROM articles_fts f JOIN articles a ON a.id = f.rowid "
                                 "WHERE articles_fts MATCH ?1 AND a.council_id = ?2 "
                                 "ORDER BY bm25(articles_fts, 8.0, 4.0, 1.0), a.id LIMIT ?3",
                                 -1, &st, NULL);
    if (prc != SQLITE_OK) {
        buf_free(&m);
        return sq_err(c, "search articles");
    }
    sqlite3_bind_text(st, 1, buf_str(&m), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, council);
    sqlite3_bind_int(st, 3, limit);
    buf_free(&m);
    char **rows = arena_alloc(a, sizeof(char *) * (size_t)limit);
    int k = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < limit)
        rows[k++] = arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    *out = rows;
    *n = k;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_err(c, "search articles");
}

static int sq_count(store_conn *c, long long council, const entity_def *d, long long *n)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = stmt(q, d, OP_COUNT, NULL);
    if (!st)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, council);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? STORE_OK : sq_err(c, d->table);
}

static int sq_find(store_conn *c, long long council, const entity_def *d, const char *by, const char *value, arena *a,
                   record *out)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = stmt(q, d, OP_FIND, d->fields[entity_field(d, by)].name);
    if (!st)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, d, a, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOTFOUND : sq_err(c, d->table);
}

static int sq_councils(store_conn *c, long long *ids, int max, int *n)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, "SELECT id FROM councils ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return sq_err(c, "councils");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_err(c, "councils");
}

static int sq_council_list(store_conn *c, arena *a, council_row *out, int max, int *n)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, "SELECT id, name, host FROM councils ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return sq_err(c, "councils");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        council_row *r = &out[(*n)++];
        r->id = sqlite3_column_int64(st, 0);
        r->name = arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
        r->host = arena_strdup(a, (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_err(c, "councils");
}

static int sq_council_add(store_conn *c, const char *name, const char *host, long long *id)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO councils (name, host, created_at) "
                           "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_err(c, "councils");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (host)
        sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_err(c, "councils");
    *id = sqlite3_last_insert_rowid(q->db);
    return STORE_OK;
}

/* table and field are from store_purge's fixed list. The audit log's
 * delete trigger lets rows go only while audit_gate is open, which it is
 * just for this statement, inside the caller's transaction. */
static int sq_purge(store_conn *c, long long council, const char *table, const char *field, const char *cutoff,
                    long long *deleted)
{
    sq_conn *q = (sq_conn *)c;
    int audit = !strcmp(table, "audit_log");
    if (audit && sq_exec(c, "UPDATE audit_gate SET open = 1") != STORE_OK)
        return STORE_ERROR;
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE council_id = ?1 AND %s < ?2", table, field);
    sqlite3_stmt *st;
    int rc = STORE_OK;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = sq_err(c, table);
    } else {
        sqlite3_bind_int64(st, 1, council);
        sqlite3_bind_text(st, 2, cutoff, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sq_err(c, table);
        else
            *deleted = sqlite3_changes(q->db);
        sqlite3_finalize(st);
    }
    if (audit && sq_exec(c, "UPDATE audit_gate SET open = 0") != STORE_OK)
        return STORE_ERROR;
    return rc;
}

/* store_list_between: rows whose field is in [from, to) (from NULL: before
 * to), in id order. With from, "+id" keeps SQLite from walking the whole
 * table in id order: it takes the window from the field's index and sorts
 * it. Before a cutoff (what retention deletes) most rows match: walking in
 * id order finds a page at once. */
static int sq_list_between(store_conn *c, long long council, const entity_def *d, const char *field, const char *from,
                           const char *to, long long after_id, int limit, arena *a, record **out, int *n)
{
    sq_conn *q = (sq_conn *)c;
    buf b;
    buf_init(&b, 8192);
    buf_puts(&b, "SELECT id, version, created_at, updated_at");
    for (int i = 0; i < d->nfields; i++)
        buf_printf(&b, ", %s", d->fields[i].name);
    buf_printf(&b, " FROM %s WHERE council_id = ?1 AND %s < ?2", d->table, field);
    if (from)
        buf_printf(&b, " AND %s >= ?5", field);
    buf_printf(&b, " AND %sid > ?3 ORDER BY id LIMIT ?4", from ? "+" : "");
    sqlite3_stmt *st;
    int prc = sqlite3_prepare_v2(q->db, buf_str(&b), -1, &st, NULL);
    buf_free(&b);
    if (prc != SQLITE_OK)
        return sq_err(c, d->table);
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, after_id);
    sqlite3_bind_int(st, 4, limit);
    if (from)
        sqlite3_bind_text(st, 5, from, -1, SQLITE_STATIC);
    record *rows = arena_alloc(a, sizeof(record) * (size_t)limit);
    int k = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < limit)
        read_row(st, d, a, &rows[k++]);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_err(c, d->table);
    *out = rows;
    *n = k;
    return STORE_OK;
}

static int sq_idem_get(store_conn *c, long long council, const char *key, arena *a, char **req_hash, int *status,
                       char **body)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT request_hash, status, body FROM idempotency_keys WHERE council_id = ?1 AND key = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_err(c, "idempotency");
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        *req_hash = arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
        *status = sqlite3_column_int(st, 1);
        *body = arena_strdup(a, (const char *)sqlite3_column_text(st, 2));
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        ret = sq_err(c, "idempotency");
    }
    sqlite3_finalize(st);
    return ret;
}

static int sq_idem_put(store_conn *c, long long council, const char *key, const char *req_hash, int status,
                       const char *body)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO idempotency_keys (council_id, key, request_hash, status, body, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_err(c, "idempotency");
    sqlite3_bind_int64(st, 1, council);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, req_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, status);
    sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_err(c, "idempotency");
    sqlite3_finalize(st);
    return rc;
}

enum { ROWS_MAX_COLS = 32 };

/* The prepared statement for sql (kept per connection; when full, one no
 * caller is stepping is replaced), reset and with bindings cleared; NULL
 * with the reason in c->err on error. */
static sqlite3_stmt *sql_stmt(sq_conn *q, const char *sql)
{
    for (int i = 0; i < q->nsql; i++)
        if (strcmp(q->sql_cache[i].sql, sql) == 0) {
            sqlite3_reset(q->sql_cache[i].st);
            sqlite3_clear_bindings(q->sql_cache[i].st);
            return q->sql_cache[i].st;
        }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sq_err(&q->base, "prepare");
        return NULL;
    }
    int at = q->nsql < SQL_CACHE_MAX ? q->nsql++ : -1;
    for (int tries = 0; at < 0 && tries < SQL_CACHE_MAX; tries++) {
        int k = q->sql_next++ % SQL_CACHE_MAX;
        if (!sqlite3_stmt_busy(q->sql_cache[k].st)) /* not one a caller is still stepping */
            at = k;
    }
    if (at < 0) {
        sqlite3_finalize(st);
        store_fail(&q->base, "too many statements in progress");
        return NULL;
    }
    if (q->sql_cache[at].st) {
        sqlite3_finalize(q->sql_cache[at].st);
        free(q->sql_cache[at].sql);
    }
    q->sql_cache[at].sql = xstrdup(sql);
    q->sql_cache[at].st = st;
    return st;
}

static int sq_rows(store_conn *c, const char *sql, const char *const *params, int nparams, int ntext, int nint,
                   store_row_fn fn, void *ctx)
{
    sq_conn *q = (sq_conn *)c;
    if (ntext + nint > ROWS_MAX_COLS)
        return store_fail(c, "rows: at most %d columns", ROWS_MAX_COLS);
    sqlite3_stmt *st = sql_stmt(q, sql);
    if (!st)
        return STORE_ERROR;
    for (int i = 0; i < nparams; i++)
        sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
    const char *text[ROWS_MAX_COLS];
    long long ints[ROWS_MAX_COLS];
    int rc, out = STORE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ntext; i++)
            text[i] = (const char *)sqlite3_column_text(st, i);
        for (int i = 0; i < nint; i++)
            ints[i] = sqlite3_column_int64(st, ntext + i);
        if ((out = fn(ctx, text, ints)) != 0)
            break;
    }
    if (out == STORE_OK && rc != SQLITE_DONE)
        out = sq_err(c, "rows");
    sqlite3_reset(st); /* ends the statement's read of the database */
    return out;
}

static int sq_exec_params(store_conn *c, const char *sql, const char *const *params, int nparams, long long *changes)
{
    sq_conn *q = (sq_conn *)c;
    sqlite3_stmt *st = sql_stmt(q, sql);
    if (!st)
        return STORE_ERROR;
    for (int i = 0; i < nparams; i++)
        if (params[i])
            sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int out = rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_err(c, "exec");
    if (changes)
        *changes = sqlite3_changes64(q->db);
    sqlite3_reset(st);
    return out;
}

/* ---- the read audit's own file (store.h, store_audit_append) ---- */

/* Whether the database is a file (an in-memory one has no beside). */
static int has_file(const sq_conn *q)
{
    const char *p = q->base.s->path;
    return p && *p && strcmp(p, ":memory:") != 0 && strncmp(p, "file:", 5) != 0;
}

/* Attaches FILE-audit as "aud", creating its table. Outside a transaction. */
static int aud_attach(sq_conn *q)
{
    if (q->aud)
        return STORE_OK;
    char *sql = sqlite3_mprintf("ATTACH DATABASE '%q-audit' AS aud", q->base.s->path);
    int rc = sql ? sqlite3_exec(q->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return sq_err(&q->base, "read audit: attach");
    buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "PRAGMA aud.journal_mode=WAL; PRAGMA aud.synchronous=NORMAL;"
                 "CREATE TABLE IF NOT EXISTS aud.read_audit (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                 " council_id INTEGER NOT NULL, created_at TEXT NOT NULL");
    for (int i = 0; i < audit_def.nfields; i++)
        buf_printf(&b, ", %s %s", audit_def.fields[i].name,
                   audit_def.fields[i].type == FT_INT || audit_def.fields[i].type == FT_REF ||
                           audit_def.fields[i].type == FT_BOOL
                       ? "INTEGER"
                       : "TEXT");
    /* people: a JSON array of ids when the entry stands for several
     * people (store_audit_append); a file from before it gains it. */
    buf_puts(&b, ", people TEXT)");
    rc = sqlite3_exec(q->db, buf_str(&b), NULL, NULL, NULL);
    buf_reset(&b);
    if (rc == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        int has = 0;
        rc = sqlite3_prepare_v2(q->db, "SELECT count(*) FROM pragma_table_info('read_audit', 'aud') WHERE name = 'people'",
                                -1, &st, NULL);
        if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            has = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (rc == SQLITE_OK && !has)
            rc = sqlite3_exec(q->db, "ALTER TABLE aud.read_audit ADD COLUMN people TEXT", NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK) {
        buf_puts(&b, "INSERT INTO aud.read_audit (council_id, created_at");
        for (int i = 0; i < audit_def.nfields; i++)
            buf_printf(&b, ", %s", audit_def.fields[i].name);
        buf_puts(&b, ", people) VALUES (?1, ?2");
        for (int i = 0; i < audit_def.nfields; i++)
            buf_printf(&b, ", ?%d", i + 3);
        buf_printf(&b, ", ?%d)", audit_def.nfields + 3);
        rc = sqlite3_prepare_v3(q->db, buf_str(&b), -1, SQLITE_PREPARE_PERSISTENT, &q->aud_insert, NULL);
    }
    buf_free(&b);
    if (rc != SQLITE_OK) {
        int e = sq_err(&q->base, "read audit: create");
        sqlite3_exec(q->db, "DETACH DATABASE aud", NULL, NULL, NULL);
        return e;
    }
    q->aud = 1;
    return STORE_OK;
}

static void aud_detach(sq_conn *q)
{
    if (!q->aud)
        return;
    sqlite3_finalize(q->aud_insert);
    q->aud_insert = NULL;
    sqlite3_exec(q->db, "DETACH DATABASE aud", NULL, NULL, NULL);
    q->aud = 0;
}

static int sq_audit_append(store_conn *c, const long long *councils, record *rows, const char *const *people, int n)
{
    sq_conn *q = (sq_conn *)c;
    int rc = has_file(q) ? aud_attach(q) : STORE_OK;
    if (rc != STORE_OK)
        return rc;
    /* Deferred: only the audit file is written, so only its lock is taken. */
    if ((rc = sq_run(c, q->aud ? "BEGIN" : "BEGIN IMMEDIATE")) != STORE_OK)
        return rc;
    char now[21];
    time_now_iso(now);
    for (int i = 0; i < n && rc == STORE_OK; i++) {
        const char *ids = people ? people[i] : NULL;
        if (!q->aud) {
            rc = store_insert_each_person(c, councils[i], &rows[i], ids);
            continue;
        }
        sqlite3_stmt *st = q->aud_insert;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_int64(st, 1, councils[i]);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        bind_fields(st, &rows[i], 3);
        if (ids)
            sqlite3_bind_text(st, audit_def.nfields + 3, ids, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sq_err(c, "read audit: append");
        sqlite3_reset(st);
    }
    if (rc == STORE_OK)
        return sq_run(c, "COMMIT");
    sq_exec(c, "ROLLBACK");
    return rc;
}

/* Moves the entries waiting in the audit file into audit_log, at most
 * SETTLE_CHUNK per transaction. The rows land on random pages of the
 * per-person index, each written once per transaction, so a larger chunk
 * costs less CPU a row (10,000 entries against 2,000: about 12 µs less a
 * person view) but holds the main database's write lock longer: up to
 * about 200 ms on an idle machine, more when the settler (nice 10) is
 * starved by a burst of reads; a write waits meanwhile (busy_timeout).
 * Few entries wait at ordinary loads, and the chunk is what waits. audit_moved (migration 0022) holds the
 * last id moved, committed with the rows, so a crash between the two
 * files' commits moves nothing twice. A file that was replaced (its ids
 * behind the mark) starts the mark again. */
enum { SETTLE_CHUNK = 10000 }; /* entries; each one row of audit_log per person */
static int sq_audit_settle(store_conn *c)
{
    sq_conn *q = (sq_conn *)c;
    if (!has_file(q))
        return STORE_OK;
    if (!sqlite3_get_autocommit(q->db))
        return store_fail(c, "read audit: settle inside a transaction");
    int attached_here = !q->aud, rc = aud_attach(q);
    if (rc != STORE_OK)
        return rc;
    buf b;
    buf_init(&b, 4096);
    buf_printf(&b,
               "UPDATE main.audit_moved SET moved = 0 WHERE moved > coalesce("
               "(SELECT seq FROM aud.sqlite_sequence WHERE name = 'read_audit'), 0);"
               "CREATE TEMP TABLE IF NOT EXISTS audit_chunk (hi INTEGER);"
               "DELETE FROM temp.audit_chunk;"
               "INSERT INTO temp.audit_chunk SELECT max(id) FROM (SELECT id FROM aud.read_audit"
               " WHERE id > (SELECT moved FROM main.audit_moved) ORDER BY id LIMIT %d);"
               "INSERT INTO main.audit_log (council_id, version, created_at, updated_at",
               SETTLE_CHUNK);
    for (int i = 0; i < audit_def.nfields; i++)
        buf_printf(&b, ", %s", audit_def.fields[i].name);
    /* An entry for several people (people, a JSON array) becomes a row
     * for each, in the array's order. */
    buf_puts(&b, ") SELECT r.council_id, 1, r.created_at, r.created_at");
    for (int i = 0; i < audit_def.nfields; i++)
        buf_printf(&b, strcmp(audit_def.fields[i].name, "person_id") ? ", r.%s" : ", coalesce(p.value, r.%s)",
                   audit_def.fields[i].name);
    buf_puts(&b, " FROM aud.read_audit r LEFT JOIN json_each(r.people) p"
                 " WHERE r.id > (SELECT moved FROM main.audit_moved)"
                 " AND r.id <= (SELECT hi FROM temp.audit_chunk) ORDER BY r.id, p.key;"
                 "UPDATE main.audit_moved SET moved = (SELECT hi FROM temp.audit_chunk)"
                 " WHERE (SELECT hi FROM temp.audit_chunk) IS NOT NULL;");
    for (int more = 1; more && rc == STORE_OK;) {
        /* Deferred: the first statement takes the main database's write
         * lock; the audit file is only read (its snapshot), so the writer
         * goes on appending meanwhile, past the chunk's last id. */
        rc = sq_exec(c, "BEGIN");
        if (rc != STORE_OK)
            break;
        rc = sq_exec(c, buf_str(&b));
        more = rc == STORE_OK && sqlite3_changes(q->db) > 0; /* the mark moved: maybe more */
        if (rc == STORE_OK)
            rc = sq_exec(c, "COMMIT");
        else
            sq_exec(c, "ROLLBACK");
        if (rc == STORE_OK) /* the audit file only: what was moved can go */
            rc = sq_exec(c, "DELETE FROM aud.read_audit WHERE id <= (SELECT moved FROM main.audit_moved)");
    }
    buf_free(&b);
    if (attached_here)
        aud_detach(q);
    return rc;
}

const store_ops store_sqlite_ops = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .exec_script = sq_exec,
    .rows = sq_rows,
    .exec_params = sq_exec_params,
    .change_stamp = sq_change_stamp,
    .schema_version = sq_schema_version,
    .set_schema_version = sq_set_schema_version,
    .lock_migrations = sq_lock_migrations,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .read_mark = sq_read_mark,
    .read_keepable = sq_read_keepable,
    .relax_durability = sq_relax_durability,
    .bulk_begin = sq_bulk_begin,
    .bulk_end = sq_bulk_end,
    .optimize = sq_optimize,
    .audit_append = sq_audit_append,
    .audit_settle = sq_audit_settle,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .insert = sq_insert,
    .get = sq_get,
    .update = sq_update,
    .del = sq_delete,
    .list = sq_list,
    .count = sq_count,
    .search_people = sq_search_people,
    .search_articles = sq_search_articles,
    .list_text = sq_list_text,
    .find = sq_find,
    .councils = sq_councils,
    .council_list = sq_council_list,
    .council_add = sq_council_add,
    .purge = sq_purge,
    .list_between = sq_list_between,
    .idem_get = sq_idem_get,
    .idem_put = sq_idem_put,
};
