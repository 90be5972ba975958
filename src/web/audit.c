#include "web/audit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/thread.h"
#include "base/xalloc.h"
#include "web/routes.h"

/* SETTLE_SECONDS: how often entries written to the read audit's own file
 * are moved into audit_log (store_audit_settle). Every read of audit_log
 * settles first, so nobody sees the wait; a longer one makes each settling
 * transaction larger, and every row lands on a page of the per-person
 * index that the transaction writes once: under a burst of reads, moving
 * 5 s at a time cost about a third less CPU than 1 s at a time. */
/* GROUP: the people one queued entry may stand for (one read showing a
 * household is one entry, not one per member; settling makes them one
 * row of audit_log each). */
/* BUSY_PER_SECOND, MAX_DEFER_SECONDS: while more than BUSY_PER_SECOND
 * entries a second were appended since the last tick, the settler waits
 * (up to MAX_DEFER_SECONDS since it last settled), so that a burst of
 * reads is not slowed by moving its own entries: the move takes the main
 * database's write lock, and each of its commits makes every reader's next
 * transaction start with a cold page cache. Nothing waits on it meanwhile:
 * the entries are safe in their file, and every read of audit_log settles
 * first. */
enum {
    QUEUE_MAX = 65536,
    BATCH = 512,
    GATHER_NS = 5 * 1000 * 1000,
    SETTLE_SECONDS = 5,
    GROUP = 16,
    BUSY_PER_SECOND = 1000,
    MAX_DEFER_SECONDS = 30
};

typedef struct {
    long long council, actor_id, record_id;
    long long people[GROUP];
    int npeople; /* 0: about nobody in particular */
    int status;
    char actor_kind[12], actor_role[20], action[24], entity[40], purpose[100], ip[46], route[200];
} entry;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    ticker settler;
    store *st;
    entry *q;
    int head, n; /* ring buffer */
    int running, stopping;
    unsigned long long appended; /* entries written to the audit's file, ever (under lock) */
    unsigned long long seen;     /* appended at the settler's last tick (settler only) */
    uint64_t settled_ns;         /* when the settler last settled (settler only) */
} A = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .settler = TICKER_INIT};

static void enqueue(const entry *es, int n);
static const char *route_label(req *q);

static void set(char *dst, size_t n, const char *src)
{
    size_t len = src ? strnlen(src, n - 1) : 0;
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

static const char *actor_kind(const principal *who)
{
    return who->kind == AUTH_SESSION ? "user" : who->kind == AUTH_TOKEN ? "token" : "anonymous";
}

static void fill(entry *e, long long council, const principal *who, const char *action, const char *entity,
                 long long record_id, long long person_id, const char *purpose, const char *ip, const char *where,
                 int status)
{
    e->council = council;
    set(e->actor_kind, sizeof e->actor_kind, actor_kind(who));
    e->actor_id = who->id;
    set(e->actor_role, sizeof e->actor_role, role_name(who->role));
    set(e->action, sizeof e->action, action);
    set(e->entity, sizeof e->entity, entity);
    e->record_id = record_id;
    e->npeople = person_id ? 1 : 0;
    e->people[0] = person_id;
    set(e->purpose, sizeof e->purpose, purpose);
    set(e->ip, sizeof e->ip, ip);
    set(e->route, sizeof e->route, where);
    e->status = status;
}

/* The entry as an audit_log record; person_id is the first person's. */
static void entry_record(const entry *e, record *r)
{
    record_init(r, &audit_def);
    rec_set_str(r, "actor_kind", e->actor_kind);
    rec_set_int(r, "actor_id", e->actor_id);
    rec_set_str(r, "actor_role", e->actor_role);
    rec_set_str(r, "action", e->action);
    rec_set_str(r, "entity", e->entity[0] ? e->entity : NULL);
    if (e->record_id)
        rec_set_int(r, "record_id", e->record_id);
    if (e->npeople)
        rec_set_int(r, "person_id", e->people[0]);
    rec_set_str(r, "purpose", e->purpose[0] ? e->purpose : NULL);
    rec_set_str(r, "ip", e->ip);
    rec_set_str(r, "route", e->route);
    rec_set_int(r, "status", e->status);
}

/* The people of an entry about more than one, as a JSON array into out
 * (store_audit_append); NULL for one or none. */
static const char *entry_people(const entry *e, char *out, size_t cap)
{
    if (e->npeople < 2)
        return NULL;
    size_t n = 0;
    out[n++] = '[';
    for (int i = 0; i < e->npeople; i++) {
        int w = snprintf(out + n, cap - n, i ? ",%lld" : "%lld", e->people[i]);
        if (w < 0 || (size_t)w >= cap - n)
            return NULL; /* cannot happen: cap holds GROUP ids */
        n += (size_t)w;
    }
    if (n + 2 > cap)
        return NULL;
    out[n++] = ']';
    out[n] = '\0';
    return out;
}

/* Writes e into audit_log in c's transaction: one row per person. */
static int write_entry(store_conn *c, const entry *e)
{
    record r;
    entry_record(e, &r);
    int rc = store_insert(c, e->council, &r);
    for (int i = 1; i < e->npeople && rc == STORE_OK; i++) {
        rec_set_int(&r, "person_id", e->people[i]);
        rc = store_insert(c, e->council, &r);
    }
    return rc;
}

static void *writer(void *arg)
{
    (void)arg;
    entry *batch = xmalloc(sizeof(entry) * BATCH);
    record *rows = xmalloc(sizeof(record) * BATCH);
    long long *councils = xmalloc(sizeof(long long) * BATCH);
    const char **people = xmalloc(sizeof(char *) * BATCH);
    char(*people_text)[GROUP * 21 + 2] = xmalloc(sizeof *people_text * BATCH);
    char err[256];
    int relaxed = 0;
    pthread_mutex_lock(&A.lock);
    for (;;) {
        while (A.n == 0 && !A.stopping)
            pthread_cond_wait(&A.wake, &A.lock);
        if (A.n == 0 && A.stopping)
            break;
        if (A.n < BATCH && !A.stopping) {
            /* Gather for a few milliseconds: one commit for many reads. */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += GATHER_NS;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&A.wake, &A.lock, &until);
        }
        int k = A.n < BATCH ? A.n : BATCH;
        for (int i = 0; i < k; i++)
            batch[i] = A.q[(A.head + i) % QUEUE_MAX];
        pthread_mutex_unlock(&A.lock);

        store_conn *c = store_conn_get(A.st, err, sizeof err);
        if (c && !relaxed) {
            /* Read entries may wait for the next sync: a killed process
             * loses none of them, only a machine that loses power might. */
            relaxed = store_relax_durability(c) == STORE_OK;
        }
        for (int i = 0; i < k; i++) {
            entry_record(&batch[i], &rows[i]);
            councils[i] = batch[i].council;
            people[i] = entry_people(&batch[i], people_text[i], sizeof people_text[i]);
        }
        int rc = c ? store_audit_append(c, councils, rows, people, k) : STORE_ERROR;

        pthread_mutex_lock(&A.lock);
        if (rc == STORE_OK) {
            A.head = (A.head + k) % QUEUE_MAX;
            A.n -= k;
            A.appended += (unsigned long long)k;
            pthread_cond_broadcast(&A.wake);
        } else {
            log_error("audit: cannot write %d entries (%s); retrying", k, c ? store_errmsg(c) : err);
            if (A.stopping) {
                log_error("audit: %d entries not written at shutdown", A.n);
                break;
            }
            pthread_mutex_unlock(&A.lock);
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
            pthread_mutex_lock(&A.lock);
        }
    }
    pthread_mutex_unlock(&A.lock);
    free(batch);
    free(rows);
    free(councils);
    free(people);
    free(people_text);
    return NULL;
}

/* The settler: moves what waits in the audit's own file into audit_log
 * (store_audit_settle) every SETTLE_SECONDS, in a ticker of its own so
 * that the writer, which request threads may wait on, only ever appends.
 * At start it moves what an earlier process left; at stop, after the
 * writer has written everything, what is left. No request waits on it:
 * entries wait safely in their file. */
static void settle(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&A.lock);
    unsigned long long appended = A.appended;
    int stopping = A.stopping;
    pthread_mutex_unlock(&A.lock);
    uint64_t now = time_mono_ns();
    int busy = appended - A.seen > (unsigned long long)BUSY_PER_SECOND * SETTLE_SECONDS;
    A.seen = appended;
    if (busy && !stopping && A.settled_ns && now - A.settled_ns < (uint64_t)MAX_DEFER_SECONDS * 1000000000ULL)
        return; /* a burst of reads: later */
    A.settled_ns = now;
    char err[256];
    store_conn *c = store_conn_get(A.st, err, sizeof err);
    if (!c || store_audit_settle(c) != STORE_OK)
        log_error("audit: cannot move read entries into audit_log (%s); will retry", c ? store_errmsg(c) : err);
}

void audit_start(store *s)
{
    A.st = s;
    A.q = xmalloc(sizeof(entry) * QUEUE_MAX);
    A.head = A.n = 0;
    A.stopping = 0;
    A.appended = A.seen = 0;
    A.settled_ns = 0;
    A.running = 1;
    pthread_create(&A.thread, NULL, writer, NULL);
    A.settler.run = settle;
    A.settler.every_ms = SETTLE_SECONDS * 1000L;
    A.settler.last_run = 1;
    A.settler.background = 1;
    ticker_start(&A.settler);
}

void audit_stop(void)
{
    if (!A.running)
        return;
    pthread_mutex_lock(&A.lock);
    A.stopping = 1;
    pthread_cond_broadcast(&A.wake);
    pthread_mutex_unlock(&A.lock);
    pthread_join(A.thread, NULL);
    ticker_stop(&A.settler);
    free(A.q);
    A.q = NULL;
    A.running = 0;
}

void audit_person(req *q, long long id)
{
    for (int i = 0; i < q->naudit; i++)
        if (q->audit_people[i] == id)
            return;
    if (q->naudit < MAX_AUDIT_PEOPLE)
        q->audit_people[q->naudit++] = id;
}

void audit_person_bulk(req *q, long long id)
{
    if (q->naudit < MAX_AUDIT_PEOPLE) {
        audit_person(q, id);
        return;
    }
    entry e;
    fill(&e, q->council, &q->who, "export", q->route && q->route->entity ? q->route->entity->name : "report",
         q->npath ? q->path_id[0] : 0, id, audit_purpose(q), q->ip, route_label(q), 200);
    enqueue(&e, 1);
}

const char *audit_purpose(req *q)
{
    const char *p = req_header(q, "Purpose");
    if (p && *p)
        return p;
    switch (q->who.role) {
    case ROLE_AGENT: return "contact_centre_enquiry";
    case ROLE_BACK_OFFICE: return "service_delivery";
    case ROLE_TEAM_LEADER: return "case_supervision";
    case ROLE_DPO: return "data_protection";
    case ROLE_ADMIN: return "administration";
    case ROLE_RESIDENT: return "own_record";
    default: return "unspecified";
    }
}

static const char *method_action(const char *m)
{
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
        return "read";
    if (!strcmp(m, "POST"))
        return "create";
    if (!strcmp(m, "DELETE"))
        return "delete";
    return "update";
}

static const char *route_label(req *q)
{
    return arena_printf(q->a, "%s %s", q->method, q->path);
}

/* The entries for q: each for up to GROUP of the people shown or changed
 * (audit_log has a row per person); at least one. */
static int entries(req *q, const char *action, int status, entry *out, int max)
{
    const char *entity = q->route && q->route->entity ? q->route->entity->name : "";
    long long rec = q->npath ? q->path_id[0] : 0;
    const char *purpose = audit_purpose(q), *label = route_label(q);
    int n = 0;
    action = action ? action : method_action(q->method);
    if (q->naudit == 0)
        fill(&out[n++], q->council, &q->who, action, entity, rec, 0, purpose, q->ip, label, status);
    for (int i = 0; i < q->naudit && n < max; i += GROUP) {
        entry *e = &out[n++];
        fill(e, q->council, &q->who, action, entity, rec, q->audit_people[i], purpose, q->ip, label, status);
        for (int j = i + 1; j < q->naudit && j < i + GROUP; j++)
            e->people[e->npeople++] = q->audit_people[j];
    }
    return n;
}

/* Room for q's entries (GROUP people each, at least one). */
static int entry_count(const req *q)
{
    return q->naudit ? (q->naudit + GROUP - 1) / GROUP : 1;
}

int audit_write_tx(req *q, store_conn *c, const char *action, int status)
{
    int max = entry_count(q);
    entry *es = arena_alloc(q->a, sizeof(entry) * (size_t)max);
    int n = entries(q, action, status, es, max), rc = STORE_OK;
    for (int i = 0; i < n && rc == STORE_OK; i++)
        rc = write_entry(c, &es[i]);
    if (rc == STORE_OK)
        q->audited = 1;
    return rc;
}

static void enqueue(const entry *es, int n)
{
    pthread_mutex_lock(&A.lock);
    for (int i = 0; i < n; i++) {
        while (A.running && A.n == QUEUE_MAX && !A.stopping)
            pthread_cond_wait(&A.wake, &A.lock); /* back-pressure: wait for the writer */
        if (!A.running || A.n == QUEUE_MAX) {
            log_error("audit: queue unavailable; entry for person %lld dropped", es[i].npeople ? es[i].people[0] : 0);
            continue;
        }
        A.q[(A.head + A.n) % QUEUE_MAX] = es[i];
        A.n++;
    }
    /* Wake the writer when work arrives, and again when a batch is full;
     * in between it is gathering and needs no wake-up. */
    if (A.n == n || A.n >= BATCH)
        pthread_cond_signal(&A.wake);
    pthread_mutex_unlock(&A.lock);
}

void audit_queue(req *q, const char *action, int status)
{
    int max = entry_count(q);
    entry *es = arena_alloc(q->a, sizeof(entry) * (size_t)max);
    int n = entries(q, action, status, es, max);
    enqueue(es, n);
    q->audited = 1;
}

void audit_event(store *s, long long council, const principal *who, const char *action, const char *ip,
                 const char *where, int status, long long person_id)
{
    (void)s;
    entry e;
    fill(&e, council, who, action, "user", who->id, person_id, NULL, ip, where, status);
    enqueue(&e, 1);
}
