/* store.c: backend-neutral parts of the store: opening, per-thread
 * connections, migrations, and dispatch to the backend's operations. */
#include "store/store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"

int store_fail(store_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return STORE_ERROR;
}

static void forget(store *s, store_conn *c)
{
    pthread_mutex_lock(&s->lock);
    for (store_conn **p = &s->all; *p; p = &(*p)->next_all)
        if (*p == c) {
            *p = c->next_all;
            break;
        }
    pthread_mutex_unlock(&s->lock);
}

static unsigned long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* Ends c's kept read transaction, if any. By c's thread, or by the
 * sweeper while c's thread is not using it (kept set). */
static void unkeep(store_conn *c)
{
    pthread_mutex_lock(&c->keep_lock);
    if (c->kept) {
        __atomic_store_n(&c->kept, 0, __ATOMIC_RELEASE);
        c->ops->commit(c);
    }
    pthread_mutex_unlock(&c->keep_lock);
}

void store_keep_idle(store *s, int ms)
{
    pthread_mutex_lock(&s->lock);
    __atomic_store_n(&s->keep_idle_ms, ms > 0 ? ms : 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&s->sweep_wake);
    pthread_mutex_unlock(&s->lock);
}

/* The sweeper: every STORE_KEEP_IDLE_MS (at most a second), ends the read
 * transactions kept open longer than that. An open one holds back the WAL: the checkpoint
 * cannot copy past it, and the WAL cannot start again from the top. */
static void *sweeper(void *arg)
{
    store *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->sweep_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long ms = s->keep_idle_ms < 1000 ? s->keep_idle_ms : 1000;
        until.tv_nsec += ms * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->sweep_wake, &s->lock, &until);
        unsigned long long now = mono_ns();
        for (store_conn *c = s->all; c && !s->sweep_stop; c = c->next_all) {
            if (!__atomic_load_n(&c->kept, __ATOMIC_ACQUIRE) || pthread_mutex_trylock(&c->keep_lock) != 0)
                continue;
            if (c->kept && now - c->kept_ns >= (unsigned long long)s->keep_idle_ms * 1000000ULL) {
                __atomic_store_n(&c->kept, 0, __ATOMIC_RELEASE);
                c->ops->commit(c);
            }
            pthread_mutex_unlock(&c->keep_lock);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int store_begin_read(store_conn *c)
{
    if (!c->ops->read_mark)
        return c->ops->begin_read(c);
    unsigned char now[STORE_MARK];
    int marked = c->ops->read_mark(c, now) == 0;
    if (__atomic_load_n(&c->kept, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&c->keep_lock);
        if (c->kept && marked && c->marked && memcmp(now, c->mark, STORE_MARK) == 0) {
            /* Nothing committed since it began: go on reading in it. */
            __atomic_store_n(&c->kept, 0, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&c->keep_lock);
            return STORE_OK;
        }
        if (c->kept) {
            __atomic_store_n(&c->kept, 0, __ATOMIC_RELEASE);
            c->ops->commit(c);
        }
        pthread_mutex_unlock(&c->keep_lock);
    }
    /* The mark is taken before the transaction's first read: a commit in
     * between makes it differ next time, which only costs a new one. */
    c->marked = marked;
    if (marked)
        memcpy(c->mark, now, STORE_MARK);
    return c->ops->begin_read(c);
}

int store_end_read(store_conn *c)
{
    if (!c->ops->read_mark || !c->marked || !c->ops->read_keepable(c))
        return c->ops->commit(c);
    store *s = c->s;
    pthread_mutex_lock(&c->keep_lock);
    c->kept_ns = mono_ns();
    __atomic_store_n(&c->kept, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&c->keep_lock);
    if (!__atomic_load_n(&s->sweeping, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&s->lock);
        if (!s->sweeping && !s->sweep_stop && pthread_create(&s->sweeper, NULL, sweeper, s) == 0)
            __atomic_store_n(&s->sweeping, 1, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&s->lock);
    }
    return STORE_OK;
}

static void thread_exit(void *p)
{
    store_conn *c = p;
    forget(c->s, c);
    pthread_mutex_destroy(&c->keep_lock);
    c->ops->disconnect(c);
}

store *store_open(const char *path, const char *pg_url, char *err, size_t errlen)
{
    store *s = xcalloc(1, sizeof *s);
    s->ops = pg_url ? &store_pg_ops : &store_sqlite_ops;
    s->path = path ? xstrdup(path) : NULL;
    s->pg_url = pg_url ? xstrdup(pg_url) : NULL;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->sweep_wake, NULL);
    s->keep_idle_ms = STORE_KEEP_IDLE_MS;
    pthread_key_create(&s->key, thread_exit);
    if (!store_conn_get(s, err, errlen)) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    if (!s)
        return;
    pthread_key_delete(s->key);
    pthread_mutex_lock(&s->lock);
    s->sweep_stop = 1;
    pthread_cond_broadcast(&s->sweep_wake);
    pthread_mutex_unlock(&s->lock);
    if (s->sweeping)
        pthread_join(s->sweeper, NULL);
    while (s->all) {
        store_conn *c = s->all;
        s->all = c->next_all;
        pthread_mutex_destroy(&c->keep_lock);
        c->ops->disconnect(c);
    }
    pthread_cond_destroy(&s->sweep_wake);
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s->pg_url);
    free(s);
}

const char *store_backend(const store *s)
{
    return s->ops->name;
}

store_conn *store_conn_get(store *s, char *err, size_t errlen)
{
    store_conn *c = pthread_getspecific(s->key);
    if (c) {
        if (__atomic_load_n(&c->kept, __ATOMIC_ACQUIRE))
            unkeep(c); /* whatever comes next begins afresh */
        return c;
    }
    c = s->ops->connect(s, err, errlen);
    if (!c)
        return NULL;
    c->ops = s->ops;
    c->s = s;
    pthread_mutex_init(&c->keep_lock, NULL);
    pthread_mutex_lock(&s->lock);
    c->next_all = s->all;
    s->all = c;
    pthread_mutex_unlock(&s->lock);
    pthread_setspecific(s->key, c);
    return c;
}

store_conn *store_conn_read(store *s, char *err, size_t errlen)
{
    store_conn *c = pthread_getspecific(s->key);
    if (!c && !(c = store_conn_get(s, err, errlen)))
        return NULL;
    if (store_begin_read(c) != STORE_OK) {
        snprintf(err, errlen, "%s", c->err);
        return NULL;
    }
    return c;
}

const char *store_errmsg(store_conn *c)
{
    return c->err;
}

int store_schema_version(store_conn *c)
{
    return c->ops->schema_version(c);
}

int store_migrate(store_conn *c, int *applied)
{
    const store_migration *m = c->ops == &store_pg_ops ? store_pg_migrations : store_sqlite_migrations;
    int n = 0;
    if (applied)
        *applied = 0;
    for (; m->sql; m++) {
        /* Each migration in its own transaction, with the version read
         * again under the migration lock, so app servers that start
         * together apply each migration once. */
        int rc = c->ops->begin(c);
        if (rc == STORE_OK)
            rc = c->ops->lock_migrations(c);
        int have = rc == STORE_OK ? c->ops->schema_version(c) : -1;
        if (have < 0) {
            c->ops->rollback(c);
            return STORE_ERROR;
        }
        if (m->version <= have) {
            c->ops->rollback(c);
            continue;
        }
        rc = c->ops->exec_script(c, m->sql);
        if (rc == STORE_OK)
            rc = c->ops->set_schema_version(c, m->version);
        if (rc == STORE_OK)
            rc = c->ops->commit(c);
        if (rc != STORE_OK) {
            char why[sizeof c->err];
            snprintf(why, sizeof why, "%s", c->err);
            c->ops->rollback(c);
            return store_fail(c, "migration %04d_%s: %s", m->version, m->name, why);
        }
        n++;
    }
    if (applied)
        *applied = n;
    return STORE_OK;
}

int store_begin(store_conn *c) { return c->ops->begin(c); }
int store_relax_durability(store_conn *c) { return c->ops->relax_durability(c); }
int store_bulk_begin(store_conn *c) { return c->ops->bulk_begin ? c->ops->bulk_begin(c) : STORE_OK; }
int store_bulk_end(store_conn *c) { return c->ops->bulk_end ? c->ops->bulk_end(c) : STORE_OK; }
int store_optimize(store_conn *c) { return c->ops->optimize(c); }

/* Inserts rows[i] once per id in the JSON array ids ("[1,2,3]"), with
 * that person_id; once as it is when ids is NULL. */
int store_insert_each_person(store_conn *c, long long council, record *r, const char *ids)
{
    if (!ids)
        return store_insert(c, council, r);
    int rc = STORE_OK;
    for (const char *s = ids; *s && rc == STORE_OK;) {
        if (*s < '0' || *s > '9') {
            s++;
            continue;
        }
        char *end;
        long long id = strtoll(s, &end, 10);
        s = end;
        rec_set_int(r, "person_id", id);
        rc = store_insert(c, council, r);
    }
    return rc;
}

int store_audit_append(store_conn *c, const long long *councils, record *rows, const char *const *people, int n)
{
    if (c->ops->audit_append)
        return c->ops->audit_append(c, councils, rows, people, n);
    int rc = store_begin(c);
    for (int i = 0; i < n && rc == STORE_OK; i++)
        rc = store_insert_each_person(c, councils[i], &rows[i], people ? people[i] : NULL);
    if (rc == STORE_OK)
        return store_commit(c);
    store_rollback(c);
    return rc;
}

int store_audit_settle(store_conn *c) { return c->ops->audit_settle ? c->ops->audit_settle(c) : STORE_OK; }
int store_commit(store_conn *c) { return c->ops->commit(c); }
int store_change_stamp(store_conn *c, unsigned long long stamp[2])
{
    return c->ops->change_stamp ? c->ops->change_stamp(c, stamp) : STORE_ERROR;
}
int store_rollback(store_conn *c) { return c->ops->rollback(c); }

int store_insert(store_conn *c, long long council, record *r)
{
    return c->ops->insert(c, council, r);
}

int store_get(store_conn *c, long long council, const entity_def *def, long long id, arena *a, record *out)
{
    return c->ops->get(c, council, def, id, a, out);
}

int store_update(store_conn *c, long long council, record *r, long long expected_version)
{
    return c->ops->update(c, council, r, expected_version);
}

int store_delete(store_conn *c, long long council, const entity_def *def, long long id)
{
    return c->ops->del(c, council, def, id);
}

int store_list(store_conn *c, long long council, const entity_def *def, const char *by_field, long long by_value,
               long long after_id, int limit, arena *a, record **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (limit < 1 || limit > 1000)
        return store_fail(c, "list limit %d is outside 1..1000", limit);
    if (by_field && entity_field(def, by_field) < 0)
        return store_fail(c, "%s has no field %s", def->name, by_field);
    return c->ops->list(c, council, def, by_field, by_value, after_id, limit, a, out, n);
}

int store_find(store_conn *c, long long council, const entity_def *def, const char *field, const char *value, arena *a,
               record *out)
{
    if (entity_field(def, field) < 0)
        return store_fail(c, "%s has no field %s", def->name, field);
    return c->ops->find(c, council, def, field, value, a, out);
}

int store_list_text(store_conn *c, long long council, const entity_def *def, const char *field, const char *value,
                    long long after_id, int limit, arena *a, record **out, int *n)
{
    *out = NULL;
    *n = 0;
    int fi = entity_field(def, field);
    if (fi < 0 || limit < 1 || limit > 1000)
        return store_fail(c, "list_text: %s has no field %s, or limit %d is outside 1..1000", def->name, field, limit);
    return c->ops->list_text(c, council, def, def->fields[fi].name, value, after_id, limit, a, out, n);
}

int store_search_people(store_conn *c, long long council, const search_term *t, int nterms, int limit, arena *a,
                        record **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (nterms < 1 || nterms > SEARCH_MAX_TERMS || limit < 1 || limit > 1000)
        return store_fail(c, "search: 1 to %d terms and a limit of 1 to 1000", SEARCH_MAX_TERMS);
    return c->ops->search_people(c, council, t, nterms, limit, a, out, n);
}

int store_search_articles(store_conn *c, long long council, const char *const *words, int nwords, int limit,
                          arena *a, char ***out, int *n)
{
    *out = NULL;
    *n = 0;
    if (limit < 1 || limit > 1000)
        return store_fail(c, "search_articles: a limit of 1 to 1000");
    const char *clean[16];
    int k = 0;
    for (int i = 0; i < nwords && k < 16; i++) {
        char w[64];
        size_t m = 0;
        for (const char *p = words[i]; *p && m < sizeof w - 1; p++)
            if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
                w[m++] = *p;
            else if (*p >= 'A' && *p <= 'Z')
                w[m++] = (char)(*p - 'A' + 'a');
        w[m] = '\0';
        if (m)
            clean[k++] = arena_strdup(a, w);
    }
    if (!k)
        return STORE_OK;
    return c->ops->search_articles(c, council, clean, k, limit, a, out, n);
}

int store_count(store_conn *c, long long council, const entity_def *def, long long *n)
{
    return c->ops->count(c, council, def, n);
}

int store_councils(store_conn *c, long long *ids, int max, int *n)
{
    *n = 0;
    return c->ops->councils(c, ids, max, n);
}

int store_council_list(store_conn *c, arena *a, council_row *out, int max, int *n)
{
    *n = 0;
    return c->ops->council_list(c, a, out, max, n);
}

int store_council_add(store_conn *c, const char *name, const char *host, long long *id)
{
    if (!name || !*name)
        return store_fail(c, "council: a name is needed");
    return c->ops->council_add(c, name, host && *host ? host : NULL, id);
}

int store_purge(store_conn *c, long long council, const char *what, const char *cutoff, long long *deleted)
{
    /* Table and column names come from this list only, never from input. */
    static const char *const allowed[][2] = {
        {"sessions", "expires_at"}, {"idempotency_keys", "created_at"}, {"audit_log", "created_at"}};
    *deleted = 0;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!strcmp(what, allowed[i][0]))
            return c->ops->purge(c, council, allowed[i][0], allowed[i][1], cutoff, deleted);
    return store_fail(c, "nothing called %s is purged", what);
}

int store_list_before(store_conn *c, long long council, const entity_def *def, const char *field, const char *cutoff,
                      long long after_id, int limit, arena *a, record **out, int *n)
{
    *out = NULL;
    *n = 0;
    int fi = entity_field(def, field);
    if (fi < 0 || limit < 1 || limit > 1000)
        return store_fail(c, "list_before: %s has no field %s, or limit %d is outside 1..1000", def->name, field, limit);
    return c->ops->list_between(c, council, def, def->fields[fi].name, NULL, cutoff, after_id, limit, a, out, n);
}

int store_idem_get(store_conn *c, long long council, const char *key, arena *a, char **req_hash, int *status,
                   char **body)
{
    return c->ops->idem_get(c, council, key, a, req_hash, status, body);
}

int store_idem_put(store_conn *c, long long council, const char *key, const char *req_hash, int status,
                   const char *body)
{
    return c->ops->idem_put(c, council, key, req_hash, status, body);
}

int store_list_between(store_conn *c, long long council, const entity_def *def, const char *field, const char *from,
                       const char *to, long long after_id, int limit, arena *a, record **out, int *n)
{
    *out = NULL;
    *n = 0;
    int fi = entity_field(def, field);
    if ((fi < 0 && strcmp(field, "created_at") && strcmp(field, "updated_at")) || limit < 1 || limit > 1000)
        return store_fail(c, "list_between: %s has no field %s, or limit %d is outside 1..1000", def->name, field,
                          limit);
    return c->ops->list_between(c, council, def, fi < 0 ? (field[0] == 'c' ? "created_at" : "updated_at")
                                                        : def->fields[fi].name,
                                from, to, after_id, limit, a, out, n);
}
