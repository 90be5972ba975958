/* history.c: three years of contacts for the demo borough (issue #7),
 * whose volumes and channel mix follow Southwark's 2009-2011 figures.
 *
 * Calendar years 2009, 2010 and 2011. Phone and face to face are
 * Southwark's own counts; web forms begin in 2011; email makes up the small
 * rest, so each year's total is the one the strategy quotes:
 *
 *   year   phone      face to face   web      email   total
 *   2009   1,680,804  193,469        -        -       1,874,273 (1.87M)
 *   2010   1,630,596  197,852        -        1,552   1,830,000 (1.83M)
 *   2011   1,472,794  181,718        93,936   1,552   1,750,000 (1.75M)
 *
 * 5,454,273 contacts at full scale. Each channel's year is spread over its
 * days by weight (no face-to-face at weekends, phones quieter on Saturday,
 * busier in April when council tax bills land and quieter in August and at
 * Christmas) with cumulative rounding, so the yearly totals are exact. A
 * contact is about a service drawn from the catalogue (a few services carry
 * most of the volume, as in any council), linked to a demo resident on most
 * assisted channels, with its cost from catalogue/contact_costs.tsv, whether
 * it was avoidable and whether it was resolved there and then (both
 * improving a little each year). One in ten transactions about a service of
 * kind request makes a request, resolved by its promised date more often
 * each year. A few residents who came about one service
 * go on to take up two or three others that year (enrolments that ended a
 * year later), so the take-up report has something to show.
 *
 * Every value comes from one splitmix64 stream seeded from seed: the same
 * seed, scale and borough give the same rows. Rows go in through the store,
 * so the rollup triggers count them as they would any contact. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/entities.h"
#include "demo/demo.h"

/* FIRST_BATCH: a small first transaction, then the planner's statistics
 * (see demo.c's FIRST_BATCH_ROWS). */
enum { YEARS = 3, FIRST_YEAR = 2009, FIRST_BATCH = 2000, BATCH = 20000, SOUTHWARK_PEOPLE = 290000 };

typedef struct {
    const char *channel;
    long long per_year[YEARS];
    int weekend_pm[2]; /* Saturday and Sunday volume, per mille of a weekday's */
    int linked_pm;     /* contacts linked to a known resident, per mille */
    int day_hours;     /* 1: office hours only */
} channel_plan;

static const channel_plan plans[] = {
    {"phone", {1680804, 1630596, 1472794}, {250, 0}, 550, 1},
    {"face_to_face", {193469, 197852, 181718}, {0, 0}, 700, 1},
    {"web", {0, 0, 93936}, {700, 600}, 800, 0},
    {"email", {0, 1552, 1552}, {400, 300}, 600, 0},
};
enum { NPLANS = (int)(sizeof plans / sizeof plans[0]) };

/* Services that carry most contacts, with their weights; the rest share
 * what is left evenly. */
static const struct {
    const char *slug;
    int weight;
} busy[] = {
    {"council-tax-account", 160}, {"housing-benefit", 120},     {"council-home-repair", 110},
    {"missed-bin", 60},           {"parking-permit-resident", 45}, {"parking-fine", 45},
    {"council-tax-reduction", 40}, {"housing-register", 40},    {"bulky-waste", 30},
    {"homelessness-help", 25},    {"single-person-discount", 25}, {"noise-complaint", 20},
    {"bin-collection-day", 20},   {"flytipping", 15},          {"pothole", 15},
    {"blue-badge", 12},           {"concessionary-travel", 12}, {"electoral-register", 12},
    {"antisocial-behaviour", 10}, {"pest-control", 10},
};
enum { NBUSY = (int)(sizeof busy / sizeof busy[0]), BUSY_SHARE_PM = 820 };

/* Busier in April (bills) and January, quieter in August and December. */
static const int month_weight[12] = {110, 100, 105, 130, 100, 95, 95, 80, 100, 105, 100, 80};

typedef struct {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(rng *r, unsigned n)
{
    return (unsigned)(((next(r) >> 32) * (uint64_t)n) >> 32);
}

static int chance_pm(rng *r, int pm)
{
    return (int)below(r, 1000) < pm;
}

/* Days since 1970-01-01 of y-m-d (H. Hinnant). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct {
    store_conn *c;
    long long council, people;
    long long *ids; /* the council's people, by id: ids are not 1..people (another council, PostgreSQL) */
    long long nids;
    const catalogue *cat;
    const service **all, **takeable;
    int nall, ntakeable;
    const service *busy_svc[NBUSY];
    int busy_w[NBUSY], busy_total;
    long long cost[NPLANS];
    rng r;
    long long rows, batch, batches, contacts, enrolments, requests;
    arena *a;
    char *err;
    size_t errlen;
} hist;

static const service *pick_service(hist *h)
{
    if (h->busy_total && chance_pm(&h->r, BUSY_SHARE_PM)) {
        int x = (int)below(&h->r, (unsigned)h->busy_total);
        for (int i = 0; i < NBUSY; i++) {
            if (x < h->busy_w[i])
                return h->busy_svc[i];
            x -= h->busy_w[i];
        }
    }
    return h->all[below(&h->r, (unsigned)h->nall)];
}

static int fail(hist *h, const char *what)
{
    snprintf(h->err, h->errlen, "demo history: cannot insert %s: %s", what, store_errmsg(h->c));
    return -1;
}

/* Commits the open batch and opens the next every BATCH rows
 * (FIRST_BATCH the first time, and then the planner's statistics). */
static int counted(hist *h)
{
    if (++h->batch < (h->batches ? BATCH : FIRST_BATCH))
        return 0;
    h->batch = 0;
    arena_free(h->a);
    h->a = arena_new();
    if (store_commit(h->c) != STORE_OK || (h->batches++ == 0 && store_optimize(h->c) != STORE_OK) ||
        store_begin(h->c) != STORE_OK) {
        snprintf(h->err, h->errlen, "demo history: cannot commit: %s", store_errmsg(h->c));
        return -1;
    }
    return 0;
}

/* A resident who came about svc on day goes on to take up two or three
 * other services in the following weeks, each for a year. */
static int take_up(hist *h, long long person, const service *svc, long day)
{
    int n = 2 + (int)below(&h->r, 2);
    const service *done[3] = {svc, NULL, NULL};
    for (int k = 0, tries = 0; k < n && tries < 20; tries++) {
        const service *s = h->takeable[below(&h->r, (unsigned)h->ntakeable)];
        int dup = s == done[0] || (k > 0 && s == done[1]) || (k > 1 && s == done[2]);
        if (dup)
            continue;
        if (k + 1 < 3)
            done[k + 1] = s;
        long start = day + (long)below(&h->r, 21);
        char from[21], to[21];
        time_iso_from((long long)start * 86400, from);
        time_iso_from((long long)(start + 364) * 86400, to);
        record e;
        record_init(&e, &enrolment_def);
        rec_set_int(&e, "person_id", person);
        rec_set_str(&e, "service", s->slug);
        rec_set_str(&e, "start_date", arena_strndup(h->a, from, 10));
        rec_set_str(&e, "end_date", arena_strndup(h->a, to, 10));
        rec_set_str(&e, "channel", "face_to_face");
        if (store_insert(h->c, h->council, &e) != STORE_OK)
            return fail(h, "an enrolment");
        h->enrolments++;
        k++;
        if (counted(h) != 0)
            return -1;
    }
    return 0;
}

/* A request made by this contact: due by the service's promise in working
 * days, resolved on time more often each year (80%, 84%, 88%), late by up
 * to three weeks otherwise. The store stamps created_at with the load's
 * time, so the service-level report reads history by promised date. */
static int make_request(hist *h, const service *svc, const char *channel, long long person, long day, int year_index,
                        long long *id)
{
    rng *r = &h->r;
    char today[21], promised[11], resolved[21];
    time_iso_from((long long)day * 86400, today);
    today[10] = '\0';
    if (workdays_add(&h->cat->bank_holidays, today, svc->promise_days, promised) != 0)
        memcpy(promised, today, 11);
    char iso[21];
    snprintf(iso, sizeof iso, "%sT00:00:00Z", promised);
    long due = (long)(time_parse_iso(iso) / 86400);
    long took = chance_pm(r, 800 + 40 * year_index) ? day + (long)below(r, (unsigned)(due - day + 1))
                                                     : due + 1 + (long)below(r, 21);
    time_iso_from((long long)took * 86400 + 9 * 3600 + below(r, 8 * 3600), resolved);
    record q;
    record_init(&q, &request_def);
    rec_set_str(&q, "service", svc->slug);
    if (person)
        rec_set_int(&q, "person_id", person);
    else
        rec_set_str(&q, "address", "reported without an address (demo history)");
    rec_set_str(&q, "description", arena_printf(h->a, "%s, reported by %s", svc->name, channel));
    rec_set_str(&q, "channel", channel);
    rec_set_str(&q, "status", "resolved");
    rec_set_str(&q, "team", svc->department);
    rec_set_str(&q, "promised_date", arena_strdup(h->a, promised));
    rec_set_str(&q, "resolved_at", arena_strdup(h->a, resolved));
    if (store_insert(h->c, h->council, &q) != STORE_OK)
        return fail(h, "a request");
    *id = q.id;
    h->requests++;
    return counted(h);
}

static int one_contact(hist *h, int p, int year_index, long day)
{
    const channel_plan *cp = &plans[p];
    rng *r = &h->r;
    long long secs = cp->day_hours ? 8 * 3600 + below(r, 10 * 3600) : below(r, 86400);
    char at[21];
    time_iso_from((long long)day * 86400 + secs, at);
    const service *svc = pick_service(h);
    record c;
    record_init(&c, &contact_def);
    rec_set_str(&c, "channel", cp->channel);
    rec_set_str(&c, "direction", "inbound");
    int web = !strcmp(cp->channel, "web");
    const char *type = web ? (chance_pm(r, 800) ? "transaction" : "information")
                           : (const char *[]){"transaction", "interaction", "information"}[below(r, 3)];
    rec_set_str(&c, "type", type);
    rec_set_str(&c, "service", svc->slug);
    long long person = 0;
    if (h->nids && chance_pm(r, cp->linked_pm)) {
        person = h->ids[below(r, (unsigned)h->nids)];
        rec_set_int(&c, "person_id", person);
    }
    rec_set_str(&c, "started_at", at);
    /* One in ten transactions about a request-kind service makes one. */
    if (!strcmp(type, "transaction") && !strcmp(svc->kind, "request") && chance_pm(r, 100)) {
        long long rid = 0;
        if (make_request(h, svc, cp->channel, person, day, year_index, &rid) != 0)
            return -1;
        rec_set_int(&c, "request_id", rid);
    }
    /* Avoidable: per mille chasing, repeat, could be online; one point
     * fewer of each a year. Resolved first time: a little more each year. */
    int f2f = !strcmp(cp->channel, "face_to_face"), phone = !strcmp(cp->channel, "phone");
    int chase = phone ? 120 : f2f ? 80 : 40, repeat = phone ? 80 : f2f ? 50 : 20,
        online = phone ? 140 : f2f ? 200 : web ? 0 : 60;
    chase -= 10 * year_index;
    repeat -= 10 * year_index;
    online -= web ? 0 : 10 * year_index;
    int x = (int)below(r, 1000);
    rec_set_str(&c, "avoidable", x < chase                   ? "chasing_progress"
                                 : x < chase + repeat          ? "repeat_information"
                                 : x < chase + repeat + online ? "could_be_online"
                                                               : "no");
    int fcr = (phone ? 680 : f2f ? 780 : web ? 900 : 550) + 25 * year_index;
    rec_set_int(&c, "resolved_first_contact", chance_pm(r, fcr));
    if (h->cost[p] >= 0)
        c.v[entity_field(&contact_def, "cost_pence")] = (field_val){.set = 1, .i = h->cost[p]};
    if (store_insert(h->c, h->council, &c) != STORE_OK)
        return fail(h, "a contact");
    h->contacts++;
    if (counted(h) != 0)
        return -1;
    if (person && (f2f || phone) && h->ntakeable >= 4 && chance_pm(r, 3))
        return take_up(h, person, svc, day);
    return 0;
}

int demo_history(store_conn *c, long long council, const catalogue *cat, int percent, long long people,
                 unsigned long long seed, demo_history_stats *out, char *err, size_t errlen)
{
    uint64_t t0 = time_mono_ns();
    memset(out, 0, sizeof *out);
    if (percent < 0 || percent > 100 || !cat->n) {
        snprintf(err, errlen, "demo history: percent must be 0 to 100, and the catalogue must have services");
        return -1;
    }
    hist h = {.c = c, .council = council, .people = people, .cat = cat, .r = {seed ^ 0x4849535430393131ull},
              .err = err, .errlen = errlen};
    h.all = xmalloc(sizeof *h.all * (size_t)cat->n);
    h.takeable = xmalloc(sizeof *h.takeable * (size_t)cat->n);
    for (int i = 0; i < cat->n; i++) {
        h.all[h.nall++] = &cat->items[i];
        if (!strcmp(cat->items[i].kind, "enrolment") && cat->items[i].unit && !strcmp(cat->items[i].unit, "person"))
            h.takeable[h.ntakeable++] = &cat->items[i];
    }
    for (int i = 0; i < NBUSY; i++) {
        const service *s = catalogue_find(cat, busy[i].slug);
        h.busy_svc[i] = s;
        h.busy_w[i] = s ? busy[i].weight : 0;
        h.busy_total += h.busy_w[i];
    }
    for (int p = 0; p < NPLANS; p++) {
        h.cost[p] = -1;
        for (int k = 0; contact_channel_choices[k] && k < CATALOGUE_CHANNELS; k++)
            if (!strcmp(contact_channel_choices[k], plans[p].channel))
                h.cost[p] = cat->channel_cost[k];
    }
    /* The scale: percent of Southwark's volumes, and a smaller borough
     * than Southwark's 290,000 residents in proportion. */
    double scale = percent / 100.0 * (people < SOUTHWARK_PEOPLE ? (double)people / SOUTHWARK_PEOPLE : 1.0);
    h.a = arena_new();
    /* The people contacts are linked to: the council's own, whatever their ids. */
    if (people > 0) {
        h.ids = xmalloc(sizeof *h.ids * (size_t)people);
        long long after = 0;
        for (;;) {
            arena *pa = arena_new();
            record *rows;
            int n = 0;
            if (store_list(c, council, &person_def, NULL, 0, after, 1000, pa, &rows, &n) != STORE_OK) {
                snprintf(err, errlen, "demo history: cannot list people: %s", store_errmsg(c));
                arena_free(pa);
                free(h.ids);
                free(h.all);
                free(h.takeable);
                arena_free(h.a);
                return -1;
            }
            for (int i = 0; i < n && h.nids < people; i++)
                h.ids[h.nids++] = rows[i].id;
            if (n)
                after = rows[n - 1].id;
            arena_free(pa);
            if (n < 1000 || h.nids >= people)
                break;
        }
    }
    /* A demo is made again if the machine dies while loading it. */
    store_relax_durability(c);
    int rc = store_begin(c) == STORE_OK ? 0 : -1;
    if (rc)
        snprintf(err, errlen, "demo history: cannot begin: %s", store_errmsg(c));
    for (int y = 0; rc == 0 && y < YEARS; y++) {
        long first = days_from_civil(FIRST_YEAR + y, 1, 1), last = days_from_civil(FIRST_YEAR + y, 12, 31);
        long ndays = last - first + 1;
        /* Each channel's days by weight, then cumulative rounding. */
        long long total[NPLANS], wsum[NPLANS] = {0}, wcum[NPLANS] = {0}, done[NPLANS] = {0};
        for (int p = 0; p < NPLANS; p++)
            total[p] = (long long)(plans[p].per_year[y] * scale + 0.5);
        for (int pass = 0; rc == 0 && pass < 2; pass++)
            for (long d = 0; rc == 0 && d < ndays; d++) {
                long day = first + d;
                int dow = (int)((day + 4) % 7); /* 0 Sunday .. 6 Saturday */
                int mi = 0;
                for (int m = 1; m <= 12; m++)
                    if (day >= days_from_civil(FIRST_YEAR + y, m, 1))
                        mi = m - 1;
                int in_christmas = mi == 11 && day - days_from_civil(FIRST_YEAR + y, 12, 1) >= 23;
                for (int p = 0; rc == 0 && p < NPLANS; p++) {
                    long long w = month_weight[mi] * (dow == 6   ? plans[p].weekend_pm[0]
                                                      : dow == 0 ? plans[p].weekend_pm[1]
                                                                 : 1000);
                    if (in_christmas)
                        w /= 3;
                    if (pass == 0) {
                        wsum[p] += w;
                        continue;
                    }
                    wcum[p] += w;
                    long long upto = wsum[p] ? (long long)((double)total[p] * (double)wcum[p] / (double)wsum[p] + 0.5)
                                             : 0;
                    for (; rc == 0 && done[p] < upto; done[p]++)
                        rc = one_contact(&h, p, y, day);
                }
            }
    }
    if (rc == 0 && store_commit(c) != STORE_OK) {
        snprintf(err, errlen, "demo history: cannot commit: %s", store_errmsg(c));
        rc = -1;
    }
    if (rc != 0)
        store_rollback(c);
    arena_free(h.a);
    free(h.all);
    free(h.takeable);
    free(h.ids);
    out->contacts = h.contacts;
    out->enrolments = h.enrolments;
    out->requests = h.requests;
    out->seconds = (double)(time_mono_ns() - t0) / 1e9;
    return rc;
}
