/* retention.c: the scheduled job that applies catalogue/retention.tsv. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/file.h"
#include "base/log.h"
#include "base/thread.h"
#include "base/xalloc.h"
#include "core/access.h"
#include "core/entities.h"
#include "jobs/jobs.h"

enum { MAX_COUNCILS = 1024, FILE_MAX = 64 * 1024 };

int retention_load(const char *path, retention_rules *out, char *err, size_t errlen)
{
    char *text = file_read(path, FILE_MAX, NULL, err, errlen);
    if (!text)
        return -1;
    /* A parse error reads "PATH line N: ...". */
    size_t k = strlen(path) + 1;
    int rc;
    if (k < errlen) {
        memcpy(err, path, k - 1);
        err[k - 1] = ' ';
        rc = retention_parse(text, out, err + k, errlen - k);
    } else {
        rc = retention_parse(text, out, err, errlen);
    }
    free(text);
    return rc;
}

/* An audit entry for something the system itself did to a person. */
static int audit_system(store_conn *c, long long council, const char *action, long long person_id)
{
    record r;
    record_init(&r, &audit_def);
    rec_set_str(&r, "actor_kind", "system");
    rec_set_str(&r, "actor_role", "retention");
    rec_set_str(&r, "action", action);
    rec_set_str(&r, "entity", "person");
    rec_set_int(&r, "record_id", person_id);
    rec_set_int(&r, "person_id", person_id);
    rec_set_str(&r, "purpose", "retention period passed");
    rec_set_str(&r, "route", "frontdoor retention");
    rec_set_int(&r, "status", 200);
    return store_insert(c, council, &r);
}

static int purge(store_conn *c, long long council, const char *what, const char *cutoff, long long *n)
{
    int rc = store_begin(c);
    if (rc == STORE_OK)
        rc = store_purge(c, council, what, cutoff, n);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK)
        store_rollback(c);
    return rc;
}

/* Erases people who died before cutoff (a date), in batches. */
static int erase_deceased(store_conn *c, long long council, const char *cutoff, long long *n)
{
    long long after = 0;
    for (;;) {
        arena *a = arena_new();
        record *rows;
        int k;
        int rc = store_list_before(c, council, &person_def, "date_of_death", cutoff, after, 200, a, &rows, &k);
        if (rc == STORE_OK)
            rc = store_begin(c);
        for (int i = 0; rc == STORE_OK && i < k; i++) {
            after = rows[i].id;
            if (rec_str(&rows[i], "erased_at"))
                continue;
            rc = gdpr_erase(c, council, &rows[i], a);
            if (rc == STORE_OK)
                rc = audit_system(c, council, "erase", rows[i].id);
            if (rc == STORE_OK)
                (*n)++;
        }
        if (rc == STORE_OK)
            rc = store_commit(c);
        if (rc != STORE_OK)
            store_rollback(c);
        arena_free(a);
        if (rc != STORE_OK)
            return rc;
        if (k < 200)
            return STORE_OK;
    }
}

int retention_run(store *s, const retention_rules *rules, long long as_of, retention_report *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof *out);
    store_conn *c = store_conn_get(s, err, errlen);
    if (!c)
        return -1;
    long long *councils = xmalloc(sizeof(long long) * MAX_COUNCILS);
    int nc = 0, rc = store_councils(c, councils, MAX_COUNCILS, &nc);
    for (int i = 0; rc == STORE_OK && i < nc; i++) {
        for (int k = 0; rc == STORE_OK && k < RET_KIND_COUNT; k++) {
            if (!rules->days[k])
                continue;
            char date[11], time_[21];
            retention_cutoff(as_of, rules->days[k], date, time_);
            long long n = 0;
            switch ((retention_kind)k) {
            case RET_SESSIONS: rc = purge(c, councils[i], "sessions", time_, &n); break;
            case RET_IDEMPOTENCY: rc = purge(c, councils[i], "idempotency_keys", time_, &n); break;
            case RET_AUDIT: rc = purge(c, councils[i], "audit_log", time_, &n); break;
            case RET_DECEASED: rc = erase_deceased(c, councils[i], date, &n); break;
            default: break;
            }
            out->deleted[k] += n;
        }
    }
    out->councils = nc;
    free(councils);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(c));
        return -1;
    }
    return 0;
}

/* ---- the schedule ---- */

static struct {
    ticker tick;
    store *s;
    char path[512];
} J = {.tick = TICKER_INIT};

static void apply(void *arg)
{
    (void)arg;
    retention_rules rules;
    retention_report rep;
    char err[512];
    if (retention_load(J.path, &rules, err, sizeof err) != 0)
        log_warn("retention: %s; nothing applied", err);
    else if (retention_run(J.s, &rules, (long long)time(NULL), &rep, err, sizeof err) != 0)
        log_error("retention: %s", err);
    else
        log_info("retention: %lld sessions, %lld idempotency keys, %lld audit entries deleted; %lld people erased",
                 rep.deleted[RET_SESSIONS], rep.deleted[RET_IDEMPOTENCY], rep.deleted[RET_AUDIT],
                 rep.deleted[RET_DECEASED]);
}

void retention_start(store *s, const char *path, int every)
{
    if (every <= 0)
        return;
    J.s = s;
    snprintf(J.path, sizeof J.path, "%s", path);
    J.tick.run = apply;
    J.tick.every_ms = every * 1000L;
    ticker_start(&J.tick);
}

void retention_stop(void)
{
    ticker_stop(&J.tick);
}
