/* store_reports.c: the queries behind the management reports, one SQL text
 * for both backends (run through store_ops.rows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/store_int.h"

/* day + delta days, both "YYYY-MM-DD" (out holds 11 bytes). */
static void day_add(const char *day, long long delta, char out[11])
{
    char iso[21];
    snprintf(iso, sizeof iso, "%.10sT00:00:00Z", day);
    time_iso_from(time_parse_iso(iso) + delta * 86400, iso);
    memcpy(out, iso, 10);
    out[10] = '\0';
}

/* 1 if day is the last of its month. */
static int month_end(const char *day)
{
    char next[11];
    day_add(day, 1, next);
    return strcmp(next + 8, "01") == 0;
}

typedef struct {
    contact_counts_fn fn;
    void *ctx;
} counts_ctx;

static int counts_row(void *ctx, const char *const *text, const long long *ints)
{
    counts_ctx *k = ctx;
    contact_counts r = {.period = text[0], .channel = text[1], .service = text[2] ? text[2] : ""};
    memcpy(r.n, ints, sizeof r.n);
    return k->fn(k->ctx, &r);
}

#define COUNT_COLS                                                                                                  \
    "contacts, inbound, cost_pence, avoidable_known, avoidable_chasing, avoidable_repeat, avoidable_online, "         \
    "fcr_known, fcr_yes"

/* The parts of the days [from, to] a daily and monthly rollup answer:
 * whole months [m1, m2] from the monthly table, the days before m1 and
 * after m2 from the daily one. part(ctx, monthly, lo, hi) is called for
 * each ("YYYY-MM" bounds when monthly, "YYYY-MM-DD" when not). */
typedef int (*part_fn)(void *ctx, int monthly, const char *lo, const char *hi);

static int by_parts(const char *from, const char *to, part_fn part, void *ctx)
{
    if (strcmp(from, to) > 0)
        return STORE_OK;
    char m1[11], m2[11];
    if (strcmp(from + 8, "01") == 0)
        memcpy(m1, from, 11);
    else {
        snprintf(m1, sizeof m1, "%.7s-28", from);
        while (strcmp(m1 + 8, "01") != 0)
            day_add(m1, 1, m1);
    }
    if (month_end(to))
        memcpy(m2, to, 11);
    else {
        snprintf(m2, sizeof m2, "%.7s-01", to);
        day_add(m2, -1, m2);
    }
    if (strcmp(m1, m2) > 0)
        return part(ctx, 0, from, to);
    int rc = STORE_OK;
    if (strcmp(from, m1) < 0) {
        char before[11];
        day_add(m1, -1, before);
        rc = part(ctx, 0, from, before);
    }
    if (rc == STORE_OK) {
        char lo[8], hi[8];
        snprintf(lo, sizeof lo, "%.7s", m1);
        snprintf(hi, sizeof hi, "%.7s", m2);
        rc = part(ctx, 1, lo, hi);
    }
    if (rc == STORE_OK && strcmp(m2, to) < 0) {
        char after[11];
        day_add(m2, 1, after);
        rc = part(ctx, 0, after, to);
    }
    return rc;
}

typedef struct {
    store_conn *c;
    const char *council;
    counts_ctx *k;
} contact_parts;

static int contact_part(void *ctx, int monthly, const char *lo, const char *hi)
{
    static const char *const sql[2] = {
        "SELECT day, channel, service, " COUNT_COLS " FROM contact_daily "
        "WHERE council_id = ?1 AND day >= ?2 AND day <= ?3 AND contacts <> 0",
        "SELECT month, channel, service, " COUNT_COLS " FROM contact_monthly "
        "WHERE council_id = ?1 AND month >= ?2 AND month <= ?3 AND contacts <> 0",
    };
    contact_parts *cp = ctx;
    const char *params[] = {cp->council, lo, hi};
    return cp->c->ops->rows(cp->c, sql[monthly], params, 3, 3, CC_N, counts_row, cp->k);
}

int store_contact_counts(store_conn *c, long long council, const char *from, const char *to, int raw,
                         contact_counts_fn fn, void *ctx)
{
    if (!time_valid_date(from) || !time_valid_date(to))
        return store_fail(c, "contact counts: dates must be YYYY-MM-DD");
    char cid[24];
    snprintf(cid, sizeof cid, "%lld", council);
    counts_ctx k = {fn, ctx};
    if (strcmp(from, to) > 0)
        return STORE_OK;
    if (raw) {
        static const char *const sql =
            "SELECT substr(coalesce(started_at, created_at), 1, 10), channel, coalesce(service, ''), count(*), "
            "sum(CASE WHEN coalesce(direction, '') <> 'outbound' THEN 1 ELSE 0 END), sum(coalesce(cost_pence, 0)), "
            "sum(CASE WHEN avoidable IS NOT NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN avoidable = 'chasing_progress' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN avoidable = 'repeat_information' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN avoidable = 'could_be_online' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN resolved_first_contact IS NOT NULL THEN 1 ELSE 0 END), "
            "sum(coalesce(CAST(resolved_first_contact AS INTEGER), 0)) "
            "FROM contacts WHERE council_id = ?1 AND coalesce(started_at, created_at) >= ?2 "
            "AND coalesce(started_at, created_at) < ?3 GROUP BY 1, 2, 3";
        char end[11];
        day_add(to, 1, end);
        const char *params[] = {cid, from, end};
        return c->ops->rows(c, sql, params, 3, 3, CC_N, counts_row, &k);
    }
    contact_parts cp = {c, cid, &k};
    return by_parts(from, to, contact_part, &cp);
}

/* The service-level report adds up its rows here, by month, channel and
 * service: the rollup's days and months, or (raw) the requests themselves,
 * read from the covering index requests_promised and counted in a hash
 * table, a few times faster than SQLite's GROUP BY over expressions. */
typedef struct {
    char month[8], channel[24], service[61];
    long long requests, resolved, on_time, late, open_overdue;
    int used;
} sla_group;

typedef struct {
    sla_group *g;
    size_t cap, n;
    const char *today;
} sla_table;

static size_t sla_hash(const char *month, const char *channel, const char *service)
{
    size_t h = 1469598103934665603ull;
    for (const char *p = month; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = channel; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0x1f) * 1099511628211ull;
    for (const char *p = service; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

static sla_group *sla_get(sla_table *t, const char *month, const char *channel, const char *service)
{
    if (t->n * 2 >= t->cap) {
        sla_table bigger = {.cap = t->cap ? t->cap * 2 : 1024};
        bigger.g = xcalloc(bigger.cap, sizeof *bigger.g);
        for (size_t i = 0; i < t->cap; i++)
            if (t->g[i].used) {
                size_t h = sla_hash(t->g[i].month, t->g[i].channel, t->g[i].service) & (bigger.cap - 1);
                while (bigger.g[h].used)
                    h = (h + 1) & (bigger.cap - 1);
                bigger.g[h] = t->g[i];
            }
        free(t->g);
        t->g = bigger.g;
        t->cap = bigger.cap;
    }
    size_t h = sla_hash(month, channel, service) & (t->cap - 1);
    while (t->g[h].used) {
        sla_group *g = &t->g[h];
        if (!strcmp(g->month, month) && !strcmp(g->channel, channel) && !strcmp(g->service, service))
            return g;
        h = (h + 1) & (t->cap - 1);
    }
    sla_group *g = &t->g[h];
    g->used = 1;
    snprintf(g->month, sizeof g->month, "%s", month);
    snprintf(g->channel, sizeof g->channel, "%s", channel);
    snprintf(g->service, sizeof g->service, "%s", service);
    t->n++;
    return g;
}

/* Row: promised_date, channel, service, status, resolved_at. */
static int sla_row(void *ctx, const char *const *text, const long long *ints)
{
    (void)ints;
    sla_table *t = ctx;
    const char *promised = text[0] ? text[0] : "", *resolved = text[4], *status = text[3] ? text[3] : "";
    char month[8];
    snprintf(month, sizeof month, "%.7s", promised);
    sla_group *g = sla_get(t, month, text[1] ? text[1] : "", text[2] ? text[2] : "");
    g->requests++;
    if (resolved) {
        g->resolved++;
        if (strncmp(resolved, promised, 10) <= 0)
            g->on_time++;
        else
            g->late++;
    } else if (strcmp(status, "resolved") && strcmp(status, "closed") && strcmp(promised, t->today) < 0) {
        g->open_overdue++;
    }
    return 0;
}

/* The rollup's parts: those before today, whose open requests are
 * overdue, and those from today on, whose are not yet. */
typedef struct {
    store_conn *c;
    const char *council;
    sla_table *t;
    int overdue;
} sla_parts;

/* Row: day or month, channel, service; requests, resolved, on_time, late,
 * open. */
static int sla_rollup_row(void *ctx, const char *const *text, const long long *ints)
{
    sla_parts *sp = ctx;
    char month[8];
    snprintf(month, sizeof month, "%.7s", text[0] ? text[0] : "");
    sla_group *g = sla_get(sp->t, month, text[1] ? text[1] : "", text[2] ? text[2] : "");
    g->requests += ints[0];
    g->resolved += ints[1];
    g->on_time += ints[2];
    g->late += ints[3];
    if (sp->overdue)
        g->open_overdue += ints[4];
    return 0;
}

static int sla_part(void *ctx, int monthly, const char *lo, const char *hi)
{
    static const char *const sql[2] = {
        "SELECT day, channel, service, requests, resolved, on_time, late, open FROM request_sla_daily "
        "WHERE council_id = ?1 AND day >= ?2 AND day <= ?3 AND requests <> 0",
        "SELECT month, channel, service, requests, resolved, on_time, late, open FROM request_sla_monthly "
        "WHERE council_id = ?1 AND month >= ?2 AND month <= ?3 AND requests <> 0",
    };
    sla_parts *sp = ctx;
    const char *params[] = {sp->council, lo, hi};
    return sp->c->ops->rows(sp->c, sql[monthly], params, 3, 3, 5, sla_rollup_row, sp);
}

int store_request_sla(store_conn *c, long long council, const char *from, const char *to, const char *today,
                      int raw, request_sla_fn fn, void *ctx)
{
    if (!time_valid_date(from) || !time_valid_date(to) || !time_valid_date(today))
        return store_fail(c, "request sla: dates must be YYYY-MM-DD");
    char cid[24];
    snprintf(cid, sizeof cid, "%lld", council);
    sla_table t = {.today = today};
    int rc;
    if (raw) {
        static const char *const sql =
            "SELECT CAST(promised_date AS TEXT), channel, service, status, resolved_at FROM requests "
            "WHERE council_id = ?1 AND promised_date >= ?2 AND promised_date <= ?3";
        const char *params[] = {cid, from, to};
        rc = c->ops->rows(c, sql, params, 3, 5, 0, sla_row, &t);
    } else {
        /* [from, to] split at today: the days before it, then the rest. */
        char yesterday[11];
        day_add(today, -1, yesterday);
        sla_parts sp = {c, cid, &t, 1};
        rc = by_parts(from, strcmp(to, yesterday) < 0 ? to : yesterday, sla_part, &sp);
        sp.overdue = 0;
        if (rc == STORE_OK)
            rc = by_parts(strcmp(from, today) > 0 ? from : today, to, sla_part, &sp);
    }
    for (size_t i = 0; rc == STORE_OK && i < t.cap; i++)
        if (t.g[i].used) {
            const sla_group *g = &t.g[i];
            request_sla r = {.month = g->month, .channel = g->channel, .service = g->service,
                             .requests = g->requests, .resolved = g->resolved, .on_time = g->on_time,
                             .late = g->late, .open_overdue = g->open_overdue};
            rc = fn(ctx, &r);
        }
    free(t.g);
    return rc;
}

/* Take-up from the enrolments and contacts themselves (?source=raw), in two
 * ordered reads and a merge: the enrolments begun in the range, then the
 * contacts in the range of the people who began two or more (through the
 * covering index contacts_person_started). */
typedef struct {
    long long person;
    char service[61], start[11];
} enrol;

typedef struct {
    enrol *e;
    size_t n, cap;
    /* the merge */
    size_t at;          /* first enrolment of the current person */
    long long person;   /* the person whose contacts are coming, 0 before the first */
    int done;           /* this person has been counted */
    char (*seen)[61];   /* services they came about so far (first contacts) */
    size_t nseen, capseen;
    takeup_fn fn;
    void *ctx;
} takeup_state;

static int enrol_row(void *ctx, const char *const *text, const long long *ints)
{
    takeup_state *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->e = xrealloc(t->e, t->cap * sizeof *t->e);
    }
    enrol *e = &t->e[t->n++];
    e->person = ints[0];
    snprintf(e->service, sizeof e->service, "%s", text[0] ? text[0] : "");
    snprintf(e->start, sizeof e->start, "%s", text[1] ? text[1] : "");
    return 0;
}

/* Rows: person_id, then started_at, service, channel, in that order. */
static int contact_row(void *ctx, const char *const *text, const long long *ints)
{
    takeup_state *t = ctx;
    long long person = ints[0];
    const char *at = text[0], *svc = text[1], *channel = text[2];
    if (person != t->person) {
        t->person = person;
        t->done = 0;
        t->nseen = 0;
        while (t->at < t->n && t->e[t->at].person < person)
            t->at++;
    }
    if (t->done || !at || !svc)
        return 0;
    for (size_t i = 0; i < t->nseen; i++)
        if (!strcmp(t->seen[i], svc))
            return 0; /* not their first contact about it */
    if (t->nseen == t->capseen) {
        t->capseen = t->capseen ? t->capseen * 2 : 16;
        t->seen = xrealloc(t->seen, t->capseen * sizeof *t->seen);
    }
    snprintf(t->seen[t->nseen++], sizeof t->seen[0], "%s", svc);
    /* The distinct other services taken up on or after this day. */
    long long others = 0;
    for (size_t i = t->at; i < t->n && t->e[i].person == person; i++) {
        const enrol *e = &t->e[i];
        if (!strcmp(e->service, svc) || strncmp(e->start, at, 10) < 0)
            continue;
        int dup = 0;
        for (size_t k = t->at; k < i && !dup; k++)
            dup = t->e[k].person == person && !strcmp(t->e[k].service, e->service) &&
                  strncmp(t->e[k].start, at, 10) >= 0;
        others += !dup;
    }
    if (others < 2)
        return 0;
    t->done = 1;
    takeup_row r = {.person_id = person, .others = others, .service = svc, .first_at = at, .channel = channel};
    return t->fn(t->ctx, &r);
}

/* The rollup's way: each person's first contact (by started_at, service,
 * channel) among the rows of takeup_contacts that count for the range. */
typedef struct {
    long long person, others;
    char at[48], service[64], channel[32];
} takeup_best;

typedef struct {
    takeup_best *b;
    size_t cap, n;
    const char *to;
} takeup_table;

static takeup_best *best_get(takeup_table *t, long long person, int *fresh)
{
    if (t->n * 2 >= t->cap) {
        takeup_table bigger = {.cap = t->cap ? t->cap * 2 : 1024};
        bigger.b = xcalloc(bigger.cap, sizeof *bigger.b);
        for (size_t i = 0; i < t->cap; i++)
            if (t->b[i].person) {
                size_t h = (size_t)t->b[i].person * 0x9E3779B97F4A7C15ull & (bigger.cap - 1);
                while (bigger.b[h].person)
                    h = (h + 1) & (bigger.cap - 1);
                bigger.b[h] = t->b[i];
            }
        free(t->b);
        t->b = bigger.b;
        t->cap = bigger.cap;
    }
    size_t h = (size_t)person * 0x9E3779B97F4A7C15ull & (t->cap - 1);
    while (t->b[h].person && t->b[h].person != person)
        h = (h + 1) & (t->cap - 1);
    *fresh = !t->b[h].person;
    if (*fresh) {
        t->b[h].person = person;
        t->n++;
    }
    return &t->b[h];
}

/* src into dst (size bytes), cut short if need be: snprintf's "%s" costs
 * more than the rest of a row here. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Row: started_at, service, channel, starts; person_id. */
static int takeup_rollup_row(void *ctx, const char *const *text, const long long *ints)
{
    takeup_table *t = ctx;
    const char *at = text[0] ? text[0] : "", *svc = text[1] ? text[1] : "", *channel = text[2] ? text[2] : "";
    int fresh;
    takeup_best *b = best_get(t, ints[0], &fresh);
    if (!fresh) {
        int c = strcmp(at, b->at);
        if (!c)
            c = strcmp(svc, b->service);
        if (!c)
            c = strcmp(channel, b->channel);
        if (c >= 0)
            return 0;
    }
    copy_text(b->at, sizeof b->at, at);
    copy_text(b->service, sizeof b->service, svc);
    copy_text(b->channel, sizeof b->channel, channel);
    /* The other services whose first start from the contact's day is by
     * the range's end. */
    b->others = 0;
    for (const char *p = text[3] ? text[3] : ""; *p;) {
        b->others += strncmp(p, t->to, 10) <= 0;
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return 0;
}

static int by_person(const void *a, const void *b)
{
    long long x = ((const takeup_best *)a)->person, y = ((const takeup_best *)b)->person;
    return (x > y) - (x < y);
}

static int takeup_rollup(store_conn *c, const char *cid, const char *from, const char *end, const char *to,
                         takeup_fn fn, void *ctx)
{
    /* A row counts when its horizon is in [from, to] (a horizon is never
     * before its contact's day) and its contact started in the range. ?4
     * and ?5 repeat ?2 and the last day for the DATE column. */
    static const char *const sql =
        "SELECT started_at, service, channel, starts, person_id FROM takeup_contacts "
        "WHERE council_id = ?1 AND horizon >= ?4 AND horizon <= ?5 AND started_at >= ?2 AND started_at < ?3";
    takeup_table t = {.to = to};
    const char *params[] = {cid, from, end, from, to};
    int rc = c->ops->rows(c, sql, params, 5, 4, 1, takeup_rollup_row, &t);
    size_t k = 0;
    for (size_t i = 0; i < t.cap; i++)
        if (t.b[i].person)
            t.b[k++] = t.b[i];
    if (k)
        qsort(t.b, k, sizeof *t.b, by_person);
    for (size_t i = 0; rc == STORE_OK && i < k; i++) {
        const takeup_best *b = &t.b[i];
        if (b->others < 2)
            continue;
        takeup_row r = {.person_id = b->person, .others = b->others, .service = b->service, .first_at = b->at,
                        .channel = b->channel};
        rc = fn(ctx, &r);
    }
    free(t.b);
    return rc;
}

int store_takeup(store_conn *c, long long council, const char *from, const char *to, int raw, takeup_fn fn,
                 void *ctx)
{
    static const char *const enrolments_sql =
        "SELECT service, CAST(start_date AS TEXT), person_id FROM enrolments "
        "WHERE council_id = ?1 AND start_date >= ?2 AND start_date <= ?3 ORDER BY person_id, start_date, service";
    /* ?4 and ?5 repeat ?2 and ?3 for the DATE column: PostgreSQL gives a
     * parameter one type. */
    static const char *const contacts_sql =
        "SELECT started_at, service, channel, person_id FROM contacts "
        "WHERE council_id = ?1 AND person_id IN (SELECT person_id FROM enrolments "
        "  WHERE council_id = ?1 AND start_date >= ?4 AND start_date <= ?5 "
        "  GROUP BY person_id HAVING count(DISTINCT service) >= 2) "
        "AND started_at >= ?2 AND started_at < ?3 AND service IS NOT NULL "
        "ORDER BY person_id, started_at, service, channel";
    char cid[24], end[11];
    snprintf(cid, sizeof cid, "%lld", council);
    day_add(to, 1, end);
    if (!raw)
        return takeup_rollup(c, cid, from, end, to, fn, ctx);
    takeup_state *t = xcalloc(1, sizeof *t);
    t->fn = fn;
    t->ctx = ctx;
    const char *ep[] = {cid, from, to};
    int rc = c->ops->rows(c, enrolments_sql, ep, 3, 2, 1, enrol_row, t);
    if (rc == STORE_OK && t->n) {
        const char *cp[] = {cid, from, end, from, to};
        rc = c->ops->rows(c, contacts_sql, cp, 5, 3, 1, contact_row, t);
    }
    free(t->e);
    free(t->seen);
    free(t);
    return rc;
}
