/* api_reports.c: the numbers a council manages by (issue #7).
 *
 * GET /api/v1/reports/{channels,cost,avoidable,first-contact,sla,take-up}
 * for any date range (?from, ?to), one row per month, channel, service or
 * department (?by), as JSON or CSV (?format=csv, or Accept: text/csv).
 *
 * Every report adds up a rollup that triggers keep: the contact reports the
 * contacts' daily and monthly counts (store_contact_counts), the
 * service-level report the requests' (store_request_sla), take-up the
 * contacts that can count and the days their other services started
 * (store_takeup); a few thousand rows for years of contacts. ?source=raw
 * counts the contacts, requests and enrolments themselves instead, for
 * checking: both give the same numbers. Every number is an aggregate: no
 * route here shows a person, so none is audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/entities.h"
#include "web/api.h"
#include "web/api_int.h"

typedef enum { REP_CHANNELS, REP_COST, REP_AVOIDABLE, REP_FIRST_CONTACT, REP_SLA, REP_TAKEUP } report_kind;
typedef enum { BY_MONTH, BY_CHANNEL, BY_SERVICE, BY_DEPARTMENT } report_by;

static const char *const report_names[] = {"channels", "cost", "avoidable", "first-contact", "sla", "take-up"};
static const char *const by_names[] = {"month", "channel", "service", "department", NULL};

enum { NV = 16, MAX_YEARS = 25, DEPT_MEMO = 1024 };

/* One row of a report: its key (the month, channel, service or department;
 * "" when there is none), for the channels report also the channel, and
 * its counters (which ones depends on the report). */
typedef struct group {
    const char *key, *channel;
    long long v[NV];
    struct group *next; /* hash chain */
} group;

typedef struct {
    req *q;
    report_kind kind;
    report_by by;
    int previous; /* 1 while adding the previous year's counts */
    group **slots;
    size_t nslots, n;
    group *all;       /* the channels report by channel: the totals the shares are of */
    group **list;     /* the rows in key order, filled by finish() */
    struct {
        const char *slug, *department;
    } memo[DEPT_MEMO]; /* department_of's answers so far */
    size_t nmemo;
} table;

/* Counters of the contact reports: this period's counts (CC_*), then for
 * the channels report the previous year's contacts. */
enum { V_PREV = CC_N, V_KEY_TOTAL, V_KEY_PREV_TOTAL };
/* Counters of the service-level report. */
enum { S_REQUESTS, S_RESOLVED, S_ON_TIME, S_LATE, S_OPEN_OVERDUE };
/* Counters of the take-up report. */
enum { T_RESIDENTS, T_SERVICES };

static size_t hash2(const char *a, const char *b)
{
    size_t h = 1469598103934665603ull;
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211ull;
    h = (h ^ 0x1f) * 1099511628211ull;
    for (; b && *b; b++)
        h = (h ^ (unsigned char)*b) * 1099511628211ull;
    return h;
}

/* The group for (key, channel), made on first use; channel may be NULL. */
static group *group_get(table *t, const char *key, const char *channel)
{
    if (t->n * 2 >= t->nslots) {
        size_t ns = t->nslots ? t->nslots * 2 : 256;
        group **s = arena_alloc(t->q->a, ns * sizeof *s);
        memset(s, 0, ns * sizeof *s);
        for (size_t i = 0; i < t->nslots; i++)
            for (group *g = t->slots[i], *nx; g; g = nx) {
                nx = g->next;
                size_t h = hash2(g->key, g->channel) & (ns - 1);
                g->next = s[h];
                s[h] = g;
            }
        t->slots = s;
        t->nslots = ns;
    }
    size_t h = hash2(key, channel) & (t->nslots - 1);
    for (group *g = t->slots[h]; g; g = g->next)
        if (!strcmp(g->key, key) && (channel ? g->channel && !strcmp(g->channel, channel) : !g->channel))
            return g;
    group *g = arena_alloc(t->q->a, sizeof *g);
    memset(g, 0, sizeof *g);
    g->key = arena_strdup(t->q->a, key);
    g->channel = channel ? arena_strdup(t->q->a, channel) : NULL;
    g->next = t->slots[h];
    t->slots[h] = g;
    t->n++;
    return g;
}

/* The department of a service, remembered: a report looks up the same
 * hundred or so services for each of thousands of rollup rows, and
 * catalogue_find reads the catalogue from the top. */
static const char *department_of(table *t, const char *slug)
{
    if (!slug || !*slug)
        return "";
    size_t h = hash2(slug, NULL) & (DEPT_MEMO - 1);
    for (; t->memo[h].slug; h = (h + 1) & (DEPT_MEMO - 1))
        if (!strcmp(t->memo[h].slug, slug))
            return t->memo[h].department;
    const service *s = catalogue_find(t->q->cat, slug);
    const char *d = s && s->department ? s->department : "unknown";
    if (t->nmemo < DEPT_MEMO / 2) {
        t->memo[h].slug = arena_strdup(t->q->a, slug);
        t->memo[h].department = d;
        t->nmemo++;
    }
    return d;
}

/* The row key of something that happened on `when` (a day or a month) on
 * channel about service; a month a year back is moved to its anniversary
 * while adding the previous year. */
static const char *key_of(table *t, const char *when, const char *channel, const char *slug, char month[16])
{
    switch (t->by) {
    case BY_MONTH:
        snprintf(month, 16, "%.7s", when);
        if (t->previous) {
            int y = (int)strtol(month, NULL, 10) % 9999 + 1;
            snprintf(month, 16, "%04d-%.2s", y, when + 5);
        }
        return month;
    case BY_CHANNEL:
        return channel;
    case BY_SERVICE:
        return slug ? slug : "";
    case BY_DEPARTMENT:
        return department_of(t, slug);
    }
    return "";
}

static int add_counts(void *ctx, const contact_counts *r)
{
    table *t = ctx;
    char month[16];
    const char *key = key_of(t, r->period, r->channel, r->service, month);
    if (t->kind == REP_CHANNELS) {
        /* Rows per (key, channel), with the key's total for the share. */
        group *g = group_get(t, key, t->by == BY_CHANNEL ? NULL : r->channel);
        group *tot = group_get(t, key, "\x1f");
        if (t->previous) {
            g->v[V_PREV] += r->n[CC_CONTACTS];
            tot->v[V_KEY_PREV_TOTAL] += r->n[CC_CONTACTS];
        } else {
            g->v[CC_CONTACTS] += r->n[CC_CONTACTS];
            tot->v[V_KEY_TOTAL] += r->n[CC_CONTACTS];
        }
        return 0;
    }
    group *g = group_get(t, key, NULL);
    for (int i = 0; i < CC_N; i++)
        g->v[i] += r->n[i];
    return 0;
}

static int add_sla(void *ctx, const request_sla *r)
{
    table *t = ctx;
    char month[16];
    group *g = group_get(t, key_of(t, r->month, r->channel, r->service, month), NULL);
    g->v[S_REQUESTS] += r->requests;
    g->v[S_RESOLVED] += r->resolved;
    g->v[S_ON_TIME] += r->on_time;
    g->v[S_LATE] += r->late;
    g->v[S_OPEN_OVERDUE] += r->open_overdue;
    return 0;
}

typedef struct {
    table *t;
    long long last_person;
} takeup_state;

/* Rows come by person, earliest first: each resident counts once, for the
 * first thing they came about that led to two or more others. */
static int add_takeup(void *ctx, const takeup_row *r)
{
    takeup_state *s = ctx;
    if (r->person_id == s->last_person)
        return 0;
    s->last_person = r->person_id;
    char month[16];
    group *g = group_get(s->t, key_of(s->t, r->first_at, r->channel ? r->channel : "", r->service, month), NULL);
    g->v[T_RESIDENTS]++;
    g->v[T_SERVICES] += r->others;
    return 0;
}

static int by_key(const void *a, const void *b)
{
    const group *x = *(group *const *)a, *y = *(group *const *)b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return strcmp(x->channel ? x->channel : "", y->channel ? y->channel : "");
}

/* Sorts the groups into t->list (without the channels report's totals). */
static void finish(table *t)
{
    t->list = arena_alloc(t->q->a, (t->n + 1) * sizeof *t->list);
    size_t k = 0;
    for (size_t i = 0; i < t->nslots; i++)
        for (group *g = t->slots[i]; g; g = g->next)
            if (!g->channel || strcmp(g->channel, "\x1f"))
                t->list[k++] = g;
    qsort(t->list, k, sizeof *t->list, by_key);
    t->n = k;
}

/* ---- columns ---- */

typedef enum { C_TEXT, C_INT, C_RATE } col_type;
typedef struct {
    const char *name;
    col_type type;
} column;

typedef struct {
    const char *text;
    long long i;
    double r;
    int null;
} cell;

enum { MAX_COLS = 12 };

/* num / den, or null when den is 0. */
static cell rate(long long num, long long den)
{
    return den ? (cell){.r = (double)num / (double)den} : (cell){.null = 1};
}

static cell text_cell(const char *s)
{
    return *s ? (cell){.text = s} : (cell){.null = 1};
}

static int columns_of(const table *t, column *cols)
{
    int n = 0;
    cols[n++] = (column){by_names[t->by], C_TEXT};
    switch (t->kind) {
    case REP_CHANNELS:
        if (t->by != BY_CHANNEL)
            cols[n++] = (column){"channel", C_TEXT};
        cols[n++] = (column){"contacts", C_INT};
        cols[n++] = (column){"share", C_RATE};
        cols[n++] = (column){"previous_contacts", C_INT};
        cols[n++] = (column){"previous_share", C_RATE};
        cols[n++] = (column){"shift", C_RATE};
        break;
    case REP_COST:
        cols[n++] = (column){"contacts", C_INT};
        cols[n++] = (column){"cost_pence", C_INT};
        cols[n++] = (column){"cost_per_contact_pence", C_RATE};
        break;
    case REP_AVOIDABLE:
        cols[n++] = (column){"contacts", C_INT};
        cols[n++] = (column){"recorded", C_INT};
        cols[n++] = (column){"avoidable", C_INT};
        cols[n++] = (column){"chasing_progress", C_INT};
        cols[n++] = (column){"repeat_information", C_INT};
        cols[n++] = (column){"could_be_online", C_INT};
        cols[n++] = (column){"avoidable_rate", C_RATE};
        break;
    case REP_FIRST_CONTACT:
        cols[n++] = (column){"contacts", C_INT};
        cols[n++] = (column){"recorded", C_INT};
        cols[n++] = (column){"resolved_first_contact", C_INT};
        cols[n++] = (column){"first_contact_rate", C_RATE};
        break;
    case REP_SLA:
        cols[n++] = (column){"requests", C_INT};
        cols[n++] = (column){"resolved", C_INT};
        cols[n++] = (column){"on_time", C_INT};
        cols[n++] = (column){"late", C_INT};
        cols[n++] = (column){"open_overdue", C_INT};
        cols[n++] = (column){"on_time_rate", C_RATE};
        break;
    case REP_TAKEUP:
        cols[n++] = (column){"residents", C_INT};
        cols[n++] = (column){"services_taken_up", C_INT};
        break;
    }
    return n;
}

/* The cells of one row, in columns_of's order. */
static void cells_of(table *t, const group *g, cell *c)
{
    int n = 0;
    const long long *v = g->v;
    c[n++] = text_cell(g->key);
    switch (t->kind) {
    case REP_CHANNELS: {
        const group *tot = group_get(t, g->key, "\x1f");
        if (t->by != BY_CHANNEL)
            c[n++] = text_cell(g->channel);
        long long now = t->by == BY_CHANNEL ? t->all->v[V_KEY_TOTAL] : tot->v[V_KEY_TOTAL];
        long long before = t->by == BY_CHANNEL ? t->all->v[V_KEY_PREV_TOTAL] : tot->v[V_KEY_PREV_TOTAL];
        cell share = rate(v[CC_CONTACTS], now), prev = rate(v[V_PREV], before);
        c[n++] = (cell){.i = v[CC_CONTACTS]};
        c[n++] = share;
        c[n++] = (cell){.i = v[V_PREV]};
        c[n++] = prev;
        c[n++] = share.null || prev.null ? (cell){.null = 1} : (cell){.r = share.r - prev.r};
        break;
    }
    case REP_COST:
        c[n++] = (cell){.i = v[CC_CONTACTS]};
        c[n++] = (cell){.i = v[CC_COST]};
        c[n++] = rate(v[CC_COST], v[CC_CONTACTS]);
        break;
    case REP_AVOIDABLE: {
        long long avoidable = v[CC_AVOID_CHASING] + v[CC_AVOID_REPEAT] + v[CC_AVOID_ONLINE];
        c[n++] = (cell){.i = v[CC_CONTACTS]};
        c[n++] = (cell){.i = v[CC_AVOID_KNOWN]};
        c[n++] = (cell){.i = avoidable};
        c[n++] = (cell){.i = v[CC_AVOID_CHASING]};
        c[n++] = (cell){.i = v[CC_AVOID_REPEAT]};
        c[n++] = (cell){.i = v[CC_AVOID_ONLINE]};
        c[n++] = rate(avoidable, v[CC_AVOID_KNOWN]);
        break;
    }
    case REP_FIRST_CONTACT:
        c[n++] = (cell){.i = v[CC_CONTACTS]};
        c[n++] = (cell){.i = v[CC_FCR_KNOWN]};
        c[n++] = (cell){.i = v[CC_FCR_YES]};
        c[n++] = rate(v[CC_FCR_YES], v[CC_FCR_KNOWN]);
        break;
    case REP_SLA:
        c[n++] = (cell){.i = v[S_REQUESTS]};
        c[n++] = (cell){.i = v[S_RESOLVED]};
        c[n++] = (cell){.i = v[S_ON_TIME]};
        c[n++] = (cell){.i = v[S_LATE]};
        c[n++] = (cell){.i = v[S_OPEN_OVERDUE]};
        c[n++] = rate(v[S_ON_TIME], v[S_ON_TIME] + v[S_LATE] + v[S_OPEN_OVERDUE]);
        break;
    case REP_TAKEUP:
        c[n++] = (cell){.i = v[T_RESIDENTS]};
        c[n++] = (cell){.i = v[T_SERVICES]};
        break;
    }
}

/* The same over every row: the report's total line (keyless). */
static group total_of(table *t)
{
    group g = {.key = ""};
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < NV; k++)
            g.v[k] += t->list[i]->v[k];
    return g;
}

/* ---- parameters ---- */

typedef struct {
    char from[11], to[11], prev_from[11], prev_to[11];
    report_by by;
    int csv, raw;
} params;

/* date moved back one year (29 February to the 28th). */
static void year_back(const char *date, char out[11])
{
    int y = (int)(strtol(date, NULL, 10) % 10000) - 1;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d%.6s", y, date + 4);
    if (!time_valid_date(tmp))
        snprintf(tmp, sizeof tmp, "%04d-02-28", y);
    snprintf(out, 11, "%.10s", tmp);
}

static int params_or_fail(req *q, resp *p, params *o)
{
    errlist errs = {.n = 0};
    const char *from = req_query(q, "from"), *to = req_query(q, "to"), *by = req_query(q, "by");
    const char *format = req_query(q, "format"), *source = req_query(q, "source");
    memset(o, 0, sizeof *o);
    if (to && !time_valid_date(to))
        errlist_add(&errs, "to", "must be a date written YYYY-MM-DD");
    if (from && !time_valid_date(from))
        errlist_add(&errs, "from", "must be a date written YYYY-MM-DD");
    if (to && time_valid_date(to))
        memcpy(o->to, to, 11);
    else
        time_today(o->to);
    if (from && time_valid_date(from))
        memcpy(o->from, from, 11);
    else {
        /* Default: the year up to and including to. */
        char back[11];
        year_back(o->to, back);
        char iso[21];
        snprintf(iso, sizeof iso, "%sT00:00:00Z", back);
        time_iso_from(time_parse_iso(iso) + 86400, iso);
        snprintf(o->from, sizeof o->from, "%.10s", iso);
    }
    if (!errs.n && strcmp(o->from, o->to) > 0)
        errlist_add(&errs, "from", "must not be after to");
    if (!errs.n && strtol(o->to, NULL, 10) - strtol(o->from, NULL, 10) > MAX_YEARS)
        errlist_add(&errs, "from", arena_printf(q->a, "the range may span at most %d years", MAX_YEARS));
    o->by = BY_MONTH;
    if (by) {
        int k = 0;
        while (by_names[k] && strcmp(by_names[k], by))
            k++;
        if (by_names[k])
            o->by = (report_by)k;
        else
            errlist_add(&errs, "by", "must be one of: month, channel, service, department");
    }
    if (format && strcmp(format, "csv") && strcmp(format, "json"))
        errlist_add(&errs, "format", "must be json or csv");
    const char *accept = req_header(q, "Accept");
    o->csv = format ? !strcmp(format, "csv") : accept && strstr(accept, "text/csv") != NULL;
    if (source && strcmp(source, "rollup") && strcmp(source, "raw"))
        errlist_add(&errs, "source", "must be rollup or raw");
    o->raw = source && !strcmp(source, "raw");
    if (errs.n) {
        resp_problem(p, 400, "Bad query parameter", "Nothing was counted.", &errs);
        return -1;
    }
    year_back(o->from, o->prev_from);
    year_back(o->to, o->prev_to);
    return 0;
}

/* ---- output ---- */

static void csv_text(buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(b, s);
        return;
    }
    buf_puts(b, "\"");
    for (; *s; s++)
        buf_append(b, s, 1 + (*s == '"'));
    buf_puts(b, "\"");
}

/* A string would overflow the buffer's maximum only past MBs of rows. */
static void csv_row(buf *b, const column *cols, const cell *c, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(b, ",");
        if (c[i].null)
            continue;
        if (cols[i].type == C_TEXT)
            csv_text(b, c[i].text);
        else if (cols[i].type == C_INT)
            buf_printf(b, "%lld", c[i].i);
        else
            buf_printf(b, "%.6f", c[i].r);
    }
    buf_puts(b, "\r\n");
}

static json_t *json_row(const column *cols, const cell *c, int n)
{
    json_t *o = json_object();
    for (int i = 0; i < n; i++) {
        json_t *v = c[i].null              ? json_null()
                    : cols[i].type == C_TEXT ? json_string(c[i].text)
                    : cols[i].type == C_INT  ? json_integer(c[i].i)
                                             : json_real((double)(long long)(c[i].r * 1e6 + (c[i].r < 0 ? -0.5 : 0.5)) / 1e6);
        json_object_set_new(o, cols[i].name, v);
    }
    return o;
}

static int report(req *q, resp *p, report_kind kind)
{
    params o;
    if (params_or_fail(q, p, &o) != 0)
        return 0;
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    uint64_t t0 = time_mono_ns();
    table t = {.q = q, .kind = kind, .by = o.by};
    group everything = {.key = ""};
    t.all = &everything;
    /* The server runs a GET in one read transaction: one snapshot. */
    int rc;
    if (kind == REP_SLA) {
        char today[11];
        time_today(today);
        rc = store_request_sla(c, q->council, o.from, o.to, today, o.raw, add_sla, &t);
    } else if (kind == REP_TAKEUP) {
        takeup_state s = {.t = &t};
        rc = store_takeup(c, q->council, o.from, o.to, o.raw, add_takeup, &s);
    } else {
        rc = store_contact_counts(c, q->council, o.from, o.to, o.raw, add_counts, &t);
        if (rc == STORE_OK && kind == REP_CHANNELS) {
            t.previous = 1;
            rc = store_contact_counts(c, q->council, o.prev_from, o.prev_to, o.raw, add_counts, &t);
        }
    }
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (kind == REP_CHANNELS && o.by == BY_CHANNEL) {
        /* One key per channel: the shares are of all contacts. */
        for (size_t i = 0; i < t.nslots; i++)
            for (group *g = t.slots[i]; g; g = g->next)
                if (g->channel) {
                    everything.v[V_KEY_TOTAL] += g->v[V_KEY_TOTAL];
                    everything.v[V_KEY_PREV_TOTAL] += g->v[V_KEY_PREV_TOTAL];
                }
    }
    finish(&t);
    column cols[MAX_COLS];
    cell cells[MAX_COLS];
    int nc = columns_of(&t, cols);
    if (o.csv) {
        for (int i = 0; i < nc; i++)
            buf_printf(&p->body, "%s%s", i ? "," : "", cols[i].name);
        buf_puts(&p->body, "\r\n");
        for (size_t i = 0; i < t.n; i++) {
            cells_of(&t, t.list[i], cells);
            csv_row(&p->body, cols, cells, nc);
        }
        p->status = 200;
        p->content_type = "text/csv; charset=utf-8";
        resp_header(p, "Content-Disposition",
                    arena_printf(q->a, "attachment; filename=\"%s-%s-%s-by-%s.csv\"", report_names[kind], o.from,
                                 o.to, by_names[o.by]));
        return 0;
    }
    json_t *rows = json_array(), *cn = json_array();
    for (int i = 0; i < nc; i++)
        json_array_append_new(cn, json_string(cols[i].name));
    for (size_t i = 0; i < t.n; i++) {
        cells_of(&t, t.list[i], cells);
        json_array_append_new(rows, json_row(cols, cells, nc));
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "report", report_names[kind], "from", o.from, "to",
                            o.to, "by", by_names[o.by], "source",
                            o.raw ? "raw" : "rollup",
                            "columns", cn, "rows", rows);
    if (kind == REP_CHANNELS) {
        json_object_set_new(out, "previous_from", json_string(o.prev_from));
        json_object_set_new(out, "previous_to", json_string(o.prev_to));
    } else {
        group tot = total_of(&t);
        cells_of(&t, &tot, cells);
        json_t *total = json_row(cols, cells, nc);
        json_object_del(total, by_names[o.by]);
        json_object_set_new(out, "total", total);
    }
    json_object_set_new(out, "milliseconds", json_real((double)((time_mono_ns() - t0) / 10000) / 100.0));
    resp_json(p, 200, out);
    json_decref(out);
    return 0;
}

int api_report_channels(req *q, resp *p) { return report(q, p, REP_CHANNELS); }
int api_report_cost(req *q, resp *p) { return report(q, p, REP_COST); }
int api_report_avoidable(req *q, resp *p) { return report(q, p, REP_AVOIDABLE); }
int api_report_first_contact(req *q, resp *p) { return report(q, p, REP_FIRST_CONTACT); }
int api_report_sla(req *q, resp *p) { return report(q, p, REP_SLA); }
int api_report_takeup(req *q, resp *p) { return report(q, p, REP_TAKEUP); }
