/* missing_out.c: who is missing out, borough-wide. For every enrolment
 * service with a rule: how many people it holds for who do not receive it,
 * and how many households they live in; optionally a CSV of who. Reads
 * each table once, in pages, into compact arrays indexed by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/entities.h"
#include "jobs/jobs.h"

enum { PAGE = 1000 };

typedef struct {
    short age;            /* -1 unknown */
    unsigned char disabled, digital, alive, present;
    long long household;  /* current household, 0 if none */
    char *given, *family; /* only when a CSV is asked for */
} pfact;

typedef struct {
    long long property;
    int first, n;         /* members: indexes into member_of[] */
} hfact;

typedef struct {
    unsigned char present, has_garden, floor_known;
    short floor;
    const char *type, *tenure, *band, *postcode; /* interned in the run's arena */
} prfact;

/* Grows *arr (of elem bytes) to hold index i. */
static void *fit(void *arr, long long *cap, long long i, size_t elem)
{
    if (i < *cap)
        return arr;
    long long ncap = *cap ? *cap : 1024;
    while (ncap <= i)
        ncap *= 2;
    arr = xrealloc(arr, (size_t)ncap * elem);
    memset((char *)arr + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *cap = ncap;
    return arr;
}

static const char *intern(arena *a, const char *s, const char **pool, int *npool)
{
    if (!s)
        return NULL;
    for (int i = 0; i < *npool; i++)
        if (!strcmp(pool[i], s))
            return pool[i];
    const char *c = arena_strdup(a, s);
    if (*npool < 64)
        pool[(*npool)++] = c;
    return c;
}

/* A CSV field in double quotes, quotes doubled (RFC 4180). */
static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int age_of(const char *dob, const char *today)
{
    if (!dob || !time_valid_date(dob))
        return -1;
    int age = (int)strtol(today, NULL, 10) - (int)strtol(dob, NULL, 10);
    if (strcmp(today + 5, dob + 5) < 0)
        age--;
    return age < 0 ? -1 : age;
}

/* Everything the run gathers, indexed by record id. */
typedef struct {
    const catalogue *cat;
    FILE *csv;
    char today[11];
    arena *keep; /* strings kept for the whole run */
    const char *pool[64];
    int npool;
    pfact *P;
    hfact *H;
    prfact *PR;
    long long pcap, hcap, prcap, maxp, maxh;
    long long *mp, mcap, nm; /* current memberships as (household, person) pairs */
    unsigned char *pe, *he;  /* enrolled now: [person or household][service] */
    int slot[1024];          /* service index + 1 by hash of its slug (0: empty) */
} run;

static unsigned slug_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The catalogue index of slug, or -1 (open addressing over x->slot). */
static int service_index(const run *x, const char *slug)
{
    for (unsigned i = slug_hash(slug) & 1023u, n = 0; n < 1024 && x->slot[i]; i = (i + 1) & 1023u, n++)
        if (!strcmp(x->cat->items[x->slot[i] - 1].slug, slug))
            return x->slot[i] - 1;
    return -1;
}

/* Calls fn for every row of d for council, in id order, a page at a time. */
static int each(store_conn *c, long long council, const entity_def *d, void (*fn)(const record *, run *), run *x)
{
    int rc = STORE_OK;
    for (long long after = 0; rc == STORE_OK;) {
        arena *a = arena_new();
        record *rows;
        int n = 0;
        rc = store_list(c, council, d, NULL, 0, after, PAGE, a, &rows, &n);
        for (int i = 0; rc == STORE_OK && i < n; i++) {
            fn(&rows[i], x);
            after = rows[i].id;
        }
        arena_free(a);
        if (n < PAGE)
            break;
    }
    return rc;
}

static void on_person(const record *r, run *x)
{
    x->P = fit(x->P, &x->pcap, r->id, sizeof *x->P);
    pfact *p = &x->P[r->id];
    p->present = 1;
    p->age = (short)age_of(rec_str(r, "date_of_birth"), x->today);
    p->disabled = rec_str(r, "accessibility_needs") != NULL;
    p->digital = rec_int(r, "needs_digital_help") != 0;
    p->alive = !rec_str(r, "date_of_death") && !rec_str(r, "erased_at");
    if (x->csv) {
        p->given = arena_strdup(x->keep, rec_str(r, "given_name"));
        p->family = arena_strdup(x->keep, rec_str(r, "family_name"));
    }
    x->maxp = r->id > x->maxp ? r->id : x->maxp;
}

static void on_property(const record *r, run *x)
{
    x->PR = fit(x->PR, &x->prcap, r->id, sizeof *x->PR);
    prfact *p = &x->PR[r->id];
    p->present = 1;
    p->type = intern(x->keep, rec_str(r, "property_type"), x->pool, &x->npool);
    p->tenure = intern(x->keep, rec_str(r, "tenure"), x->pool, &x->npool);
    p->band = intern(x->keep, rec_str(r, "council_tax_band"), x->pool, &x->npool);
    p->postcode = x->csv ? arena_strdup(x->keep, rec_str(r, "postcode")) : NULL;
    int fi = entity_field(&property_def, "floor");
    p->floor_known = r->v[fi].set && !r->v[fi].null;
    p->floor = (short)r->v[fi].i;
    p->has_garden = rec_int(r, "has_garden") != 0;
}

static void on_household(const record *r, run *x)
{
    x->H = fit(x->H, &x->hcap, r->id, sizeof *x->H);
    x->H[r->id].property = rec_int(r, "property_id");
    x->maxh = r->id > x->maxh ? r->id : x->maxh;
}

static void on_member(const record *r, run *x)
{
    if (!member_current(r, x->today))
        return;
    long long h = rec_int(r, "household_id"), p = rec_int(r, "person_id");
    if (p >= x->pcap || h >= x->hcap)
        return;
    x->P[p].household = h;
    x->mp = fit(x->mp, &x->mcap, 2 * x->nm + 1, sizeof *x->mp);
    x->mp[2 * x->nm] = h;
    x->mp[2 * x->nm + 1] = p;
    x->nm++;
    x->H[h].n++;
}

static void on_enrolment(const record *r, run *x)
{
    int si = service_index(x, rec_str(r, "service"));
    long long p = rec_int(r, "person_id");
    int ns = x->cat->n;
    if (si < 0 || !enrolment_current(r, x->today) || p > x->maxp)
        return;
    x->pe[p * ns + si] = 1;
    if (x->P[p].household && x->P[p].household <= x->maxh)
        x->he[x->P[p].household * ns + si] = 1;
}

int missing_out_run(store_conn *c, long long council, const catalogue *cat, const char *only, FILE *csv,
                    missing_fn on_missing, void *ctx, missing_report *out, char *err, size_t errlen)
{
    uint64_t t0 = time_mono_ns();
    memset(out, 0, sizeof *out);
    run x = {.cat = cat, .csv = csv, .keep = arena_new()};
    for (int i = 0; i < cat->n && i < 1000; i++) {
        unsigned k = slug_hash(cat->items[i].slug) & 1023u;
        while (x.slot[k])
            k = (k + 1) & 1023u;
        x.slot[k] = i + 1;
    }
    time_today(x.today);
    int rc = each(c, council, &person_def, on_person, &x);
    if (rc == STORE_OK)
        rc = each(c, council, &property_def, on_property, &x);
    if (rc == STORE_OK)
        rc = each(c, council, &household_def, on_household, &x);
    if (rc == STORE_OK)
        rc = each(c, council, &member_def, on_member, &x);
    /* Aliases for the deciding part below. */
    pfact *P = x.P;
    hfact *H = x.H;
    prfact *PR = x.PR;
    long long prcap = x.prcap, maxp = x.maxp, maxh = x.maxh, nm = x.nm, hcap = x.hcap;
    long long *mp = x.mp;
    arena *keep = x.keep;
    long long *member_of = xmalloc(sizeof(long long) * (size_t)(nm + 1));
    {
        int at = 0;
        for (long long h = 0; h <= maxh && h < hcap; h++) {
            H[h].first = at;
            at += H[h].n;
            H[h].n = 0;
        }
        for (long long k = 0; k < nm; k++) {
            hfact *hf = &H[mp[2 * k]];
            member_of[hf->first + hf->n++] = mp[2 * k + 1];
        }
    }
    free(mp);
    /* Current enrolments: per person, and per household (anyone in it). */
    int ns = cat->n;
    unsigned char *pe = x.pe = xcalloc((size_t)(maxp + 1) * (size_t)ns, 1);
    unsigned char *he = x.he = xcalloc((size_t)(maxh + 1) * (size_t)ns, 1);
    if (rc == STORE_OK)
        rc = each(c, council, &enrolment_def, on_enrolment, &x);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(c));
        goto done;
    }

    /* Decide. */
    out->rows = xcalloc((size_t)(ns + 1), sizeof(missing_row));
    const char **recv = xmalloc(sizeof(char *) * (size_t)(ns + 1));
    for (int si = 0; si < ns; si++) {
        const service *s = &cat->items[si];
        if (s->rule && !strcmp(s->kind, "enrolment") && (!only || !strcmp(only, s->slug)))
            out->rows[out->n++].s = s;
    }
    unsigned char *seen = xcalloc((size_t)(out->n + 1) * (size_t)(maxh + 1), 1);
    if (csv)
        fputs("service,person_id,household_id,given_name,family_name,postcode\n", csv);
    for (long long id = 1; id <= maxp; id++) {
        pfact *p = &P[id];
        if (!p->present || !p->alive)
            continue;
        out->people++;
        rules_facts f = {.age = p->age, .disabled = p->disabled, .needs_digital_help = p->digital, .receives = recv,
                         .interned = 1};
        hfact *h = p->household && p->household <= maxh ? &H[p->household] : NULL;
        prfact *pr = h && h->property < prcap && PR[h->property].present ? &PR[h->property] : NULL;
        if (h) {
            for (int k = 0; k < h->n && f.nmembers < RULES_MAX_MEMBERS; k++) {
                pfact *m = &P[member_of[h->first + k]];
                f.member_ages[f.nmembers] = m->age;
                f.member_disabled[f.nmembers++] = m->disabled;
            }
        }
        if (pr) {
            f.has_property = 1;
            f.property_type = pr->type;
            f.tenure = pr->tenure;
            f.council_tax_band = pr->band;
            f.floor = pr->floor;
            f.floor_known = pr->floor_known;
            f.has_garden = pr->has_garden;
        }
        const unsigned char *hrow = h ? &he[p->household * ns] : NULL;
        for (int si = 0; si < ns; si++)
            if (hrow ? hrow[si] : pe[id * ns + si])
                recv[f.nreceives++] = cat->items[si].slug;
        for (int k = 0; k < out->n; k++) {
            missing_row *row = &out->rows[k];
            int si = (int)(row->s - cat->items);
            int household_unit = row->s->unit[0] == 'h'; /* "household" or "person" */
            int has = household_unit && hrow ? hrow[si] : pe[id * ns + si];
            if (!rules_holds(row->s->rule, &f))
                continue;
            row->eligible_people++;
            if (has)
                continue;
            row->missing_people++;
            /* A household counts once per service, whoever in it misses out;
             * someone with no household on record counts as their own. */
            int first = 1;
            if (!p->household)
                row->missing_households++;
            else if (!seen[(size_t)k * (size_t)(maxh + 1) + (size_t)p->household]) {
                seen[(size_t)k * (size_t)(maxh + 1) + (size_t)p->household] = 1;
                row->missing_households++;
            } else
                first = 0;
            if (on_missing)
                on_missing(ctx, row->s, id, p->household, first);
            if (csv) {
                fprintf(csv, "%s,%lld,%lld,", row->s->slug, id, p->household);
                csv_field(csv, p->given);
                fputc(',', csv);
                csv_field(csv, p->family);
                fprintf(csv, ",%s\n", pr && pr->postcode ? pr->postcode : "");
            }
        }
    }
    free(seen);
    free(recv);
    for (long long h = 1; h <= maxh; h++)
        out->households += H[h].n > 0;
done:
    free(member_of);
    free(pe);
    free(he);
    free(P);
    free(H);
    free(PR);
    arena_free(keep);
    out->seconds = (double)(time_mono_ns() - t0) / 1e9;
    return rc == STORE_OK ? 0 : -1;
}

void missing_out_free(missing_report *r)
{
    free(r->rows);
    r->rows = NULL;
    r->n = 0;
}

/* ---- take-up for the demo borough ---- */

typedef struct {
    unsigned long long seed;
    long long n, cap;
    const service **svc;
    long long *person, *household;
} takeup;

static unsigned long long mix(unsigned long long x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void choose(void *ctx, const service *s, long long person, long long household, int first_in_household)
{
    takeup *t = ctx;
    int household_unit = !strcmp(s->unit, "household");
    if (household_unit && !first_in_household)
        return;
    /* Valuable services are taken up more: 65% at priority 1 down to 25% at 9. */
    unsigned long long h = mix(t->seed ^ mix((unsigned long long)(household_unit ? household : person) * 131 +
                                             (unsigned long long)s->lgsl));
    if ((int)(h % 100) >= 70 - 5 * s->priority)
        return;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4096;
        t->svc = xrealloc(t->svc, sizeof *t->svc * (size_t)t->cap);
        t->person = xrealloc(t->person, sizeof *t->person * (size_t)t->cap);
        t->household = xrealloc(t->household, sizeof *t->household * (size_t)t->cap);
    }
    t->svc[t->n] = s;
    t->person[t->n] = person;
    t->household[t->n++] = household_unit ? household : 0;
}

int demo_takeup(store_conn *c, long long council, const catalogue *cat, unsigned long long seed, const char *as_of,
                long long *made, char *err, size_t errlen)
{
    takeup t = {.seed = seed};
    missing_report rep;
    *made = 0;
    int rc = missing_out_run(c, council, cat, NULL, NULL, choose, &t, &rep, err, errlen);
    missing_out_free(&rep);
    long long base = time_parse_iso(as_of);
    /* A small first transaction, then the planner's statistics (see
     * demo.c's FIRST_BATCH_ROWS), then 5,000 at a time. */
    for (long long i = 0, size = 2000; rc == 0 && i < t.n; i += size, size = 5000) {
        arena *a = arena_new();
        int src = store_begin(c);
        for (long long k = i; src == STORE_OK && k < t.n && k < i + size; k++) {
            record e;
            record_init(&e, &enrolment_def);
            rec_set_int(&e, "person_id", t.person[k]);
            if (t.household[k])
                e.v[entity_field(&enrolment_def, "household_id")] = (field_val){.set = 1, .i = t.household[k]};
            rec_set_str(&e, "service", t.svc[k]->slug);
            char when[21];
            time_iso_from(base - (long long)(mix(seed + (unsigned long long)k) % 1500) * 86400, when);
            rec_set_str(&e, "start_date", arena_strndup(a, when, 10));
            rec_set_str(&e, "channel", "phone");
            src = store_insert(c, council, &e);
        }
        if (src == STORE_OK)
            src = store_commit(c);
        if (src == STORE_OK && i == 0)
            src = store_optimize(c);
        if (src != STORE_OK) {
            store_rollback(c);
            snprintf(err, errlen, "%s", store_errmsg(c));
            rc = -1;
        } else {
            *made += (i + size < t.n ? size : t.n - i);
        }
        arena_free(a);
    }
    free(t.svc);
    free(t.person);
    free(t.household);
    return rc;
}
