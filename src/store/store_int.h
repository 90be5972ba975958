/* store_int: what a backend implements. Not for use outside src/store/. */
#ifndef FD_STORE_INT_H
#define FD_STORE_INT_H
#include <pthread.h>

#include "store/store.h"

/* The size of a read mark (store_ops.read_mark): SQLite's wal-index header. */
enum { STORE_MARK = 48 };

/* One row of store_ops.rows: text columns, then integer columns. */
typedef int (*store_row_fn)(void *ctx, const char *const *text, const long long *ints);

typedef struct store_ops {
    const char *name;
    /* Opens a new connection for s; NULL with a reason in err. */
    store_conn *(*connect)(store *s, char *err, size_t errlen);
    void (*disconnect)(store_conn *c);
    int (*exec_script)(store_conn *c, const char *sql); /* many statements, no parameters */
    int (*schema_version)(store_conn *c);
    int (*set_schema_version)(store_conn *c, int version);
    /* Inside a transaction: waits until no one else is migrating. */
    int (*lock_migrations)(store_conn *c);
    int (*begin)(store_conn *c);
    int (*begin_read)(store_conn *c);
    /* Optional (NULL: every read transaction is new). A mark of the
     * database's last commit (by any connection or process), taken without
     * a transaction: while it is the same, a read transaction begun before
     * it was taken still sees everything committed. 0 if given. */
    int (*read_mark)(store_conn *c, unsigned char mark[STORE_MARK]);
    /* With read_mark: 1 if the transaction open on c has read and written
     * nothing but the main database, which the mark covers. */
    int (*read_keepable)(store_conn *c);
    int (*relax_durability)(store_conn *c);
    /* Optional (NULL: nothing to do). */
    int (*bulk_begin)(store_conn *c);
    int (*bulk_end)(store_conn *c);
    int (*optimize)(store_conn *c);
    /* Optional (NULL: inserts into audit_log; nothing to settle). */
    int (*audit_append)(store_conn *c, const long long *councils, record *rows, const char *const *people, int n);
    int (*audit_settle)(store_conn *c);
    int (*commit)(store_conn *c);
    int (*rollback)(store_conn *c);
    int (*insert)(store_conn *c, long long council, record *r);
    int (*get)(store_conn *c, long long council, const entity_def *def, long long id, arena *a, record *out);
    int (*update)(store_conn *c, long long council, record *r, long long expected_version);
    int (*del)(store_conn *c, long long council, const entity_def *def, long long id);
    int (*list)(store_conn *c, long long council, const entity_def *def, const char *by_field, long long by_value,
                long long after_id, int limit, arena *a, record **out, int *n);
    int (*list_text)(store_conn *c, long long council, const entity_def *def, const char *by, const char *value,
                     long long after_id, int limit, arena *a, record **out, int *n);
    int (*search_people)(store_conn *c, long long council, const search_term *t, int nterms, int limit, arena *a,
                         record **out, int *n);
    int (*count)(store_conn *c, long long council, const entity_def *def, long long *n);
    /* words are already cleaned to [a-z0-9]+, 1..16 of them. */
    int (*search_articles)(store_conn *c, long long council, const char *const *words, int nwords, int limit,
                           arena *a, char ***out, int *n);
    int (*find)(store_conn *c, long long council, const entity_def *def, const char *field, const char *value,
                arena *a, record *out);
    int (*councils)(store_conn *c, long long *ids, int max, int *n);
    int (*council_list)(store_conn *c, arena *a, council_row *out, int max, int *n);
    int (*council_add)(store_conn *c, const char *name, const char *host, long long *id);
    int (*purge)(store_conn *c, long long council, const char *table, const char *field, const char *cutoff,
                 long long *deleted);
    int (*idem_get)(store_conn *c, long long council, const char *key, arena *a, char **req_hash, int *status,
                    char **body);
    int (*idem_put)(store_conn *c, long long council, const char *key, const char *req_hash, int status,
                    const char *body);
    /* Rows whose field is in [from, to) (from NULL: before to), in id order. */
    int (*list_between)(store_conn *c, long long council, const entity_def *def, const char *field, const char *from,
                        const char *to, long long after_id, int limit, arena *a, record **out, int *n);
    /* Runs one read-only query written for SQLite (?1, ?2 ... placeholders;
     * the PostgreSQL backend writes them $1, $2 ...) with text parameters,
     * calling fn for each row: its first ntext columns as text (NULL for
     * NULL), the next nint as integers (0 for NULL). A non-zero return from
     * fn stops the rows and is returned. */
    int (*rows)(store_conn *c, const char *sql, const char *const *params, int nparams, int ntext, int nint,
                store_row_fn fn, void *ctx);
    /* Runs one statement that changes rows, written as for rows (text
     * parameters; a NULL parameter is SQL NULL); *changes (if not NULL)
     * gets the number of rows it changed. */
    int (*exec_params)(store_conn *c, const char *sql, const char *const *params, int nparams, long long *changes);
    /* Optional (store.h, store_change_stamp). */
    int (*change_stamp)(store_conn *c, unsigned long long stamp[2]);
} store_ops;

/* Every backend's connection starts with this header. */
struct store_conn {
    const store_ops *ops;
    store *s;
    struct store_conn *next_all; /* the store's list of open connections */
    char err[512];
    /* A read transaction kept open by store_end_read for the next
     * store_begin_read on this connection (store.c). kept and kept_ns are
     * guarded by keep_lock: the store's sweeper ends one left idle. */
    pthread_mutex_t keep_lock;
    int kept;                         /* read with __atomic: checked on every store_conn_get */
    int marked;                       /* mark holds the mark taken before the open read began */
    unsigned long long kept_ns;
    unsigned char mark[STORE_MARK];
};

struct store {
    const store_ops *ops;
    char *path;   /* SQLite file, or NULL */
    char *pg_url; /* PostgreSQL URL, or NULL */
    pthread_key_t key;
    pthread_mutex_t lock;
    store_conn *all; /* every connection opened, closed by store_close */
    /* The sweeper (store.c): ends read transactions kept and left idle. */
    pthread_t sweeper;
    pthread_cond_t sweep_wake;
    int sweeping, sweep_stop;
    int keep_idle_ms; /* STORE_KEEP_IDLE_MS unless store_keep_idle said otherwise */
};

/* A migration: its number and its SQL text for one backend. */
typedef struct {
    int version;
    const char *name;
    const char *sql;
} store_migration;

extern const store_ops store_sqlite_ops;
extern const store_ops store_pg_ops;
/* Generated at build time from src/store/{sqlite,pg}/NNNN_*.sql. */
extern const store_migration store_sqlite_migrations[];
extern const store_migration store_pg_migrations[];

/* Sets c->err from a format; returns STORE_ERROR. */
int store_fail(store_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* store_audit_append's way without a file of its own: rows inserted once
 * per person in the JSON array ids, or once when ids is NULL (store.c). */
int store_insert_each_person(store_conn *c, long long council, record *r, const char *ids);

#endif
