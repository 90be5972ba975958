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

int missing_out_run(store_conn *c, long long council, const catalogue *cat, const char *only, FILE *csv,
                    missing_report *out, char *err, size_t errlen)
{
    uint64_t t0 = time_mono_ns();
    memset(out, 0, sizeof *out);
    char today[11];
    time_today(today);
    arena *keep = arena_new();
    const char *pool[64];
    int npool = 0;
    pfact *P = NULL;
    hfact *H = NULL;
    prfact *PR = NULL;
    long long pcap = 0, hcap = 0, prcap = 0, maxp = 0, maxh = 0;
    int rc = STORE_OK;

    /* People. */
    for (long long after = 0; rc == STORE_OK;) {
        arena *a = arena_new();
        record *rows;
        int n;
        rc = store_list(c, council, &person_def, NULL, 0, after, PAGE, a, &rows, &n);
        for (int i = 0; rc == STORE_OK && i < n; i++) {
            long long id = rows[i].id;
            P = fit(P, &pcap, id, sizeof *P);
            pfact *p = &P[id];
            p->present = 1;
            p->age = (short)age_of(rec_str(&rows[i], "date_of_birth"), today);
            p->disabled = rec_str(&rows[i], "accessibility_needs") != NULL;
            p->digital = rec_int(&rows[i], "needs_digital_help") != 0;
            p->alive = !rec_str(&rows[i], "date_of_death") && !rec_str(&rows[i], "erased_at");
            if (csv) {
                p->given = arena_strdup(keep, rec_str(&rows[i], "given_name"));
                p->family = arena_strdup(keep, rec_str(&rows[i], "family_name"));
            }
            maxp = id > maxp ? id : maxp;
            after = id;
        }
        arena_free(a);
        if (n < PAGE)
            break;
    }
    /* Properties. */
    for (long long after = 0; rc == STORE_OK;) {
        arena *a = arena_new();
        record *rows;
        int n;
        rc = store_list(c, council, &property_def, NULL, 0, after, PAGE, a, &rows, &n);
        for (int i = 0; rc == STORE_OK && i < n; i++) {
            long long id = rows[i].id;
            PR = fit(PR, &prcap, id, sizeof *PR);
            prfact *r = &PR[id];
            r->present = 1;
            r->type = intern(keep, rec_str(&rows[i], "property_type"), pool, &npool);
            r->tenure = intern(keep, rec_str(&rows[i], "tenure"), pool, &npool);
            r->band = intern(keep, rec_str(&rows[i], "council_tax_band"), pool, &npool);
            r->postcode = csv ? arena_strdup(keep, rec_str(&rows[i], "postcode")) : NULL;
            int fi = entity_field(&property_def, "floor");
            r->floor_known = rows[i].v[fi].set && !rows[i].v[fi].null;
            r->floor = (short)rows[i].v[fi].i;
            r->has_garden = rec_int(&rows[i], "has_garden") != 0;
            after = id;
        }
        arena_free(a);
        if (n < PAGE)
            break;
    }
    /* Households. */
    for (long long after = 0; rc == STORE_OK;) {
        arena *a = arena_new();
        record *rows;
        int n;
        rc = store_list(c, council, &household_def, NULL, 0, after, PAGE, a, &rows, &n);
        for (int i = 0; rc == STORE_OK && i < n; i++) {
            long long id = rows[i].id;
            H = fit(H, &hcap, id, sizeof *H);
            H[id].property = rec_int(&rows[i], "property_id");
            maxh = id > maxh ? id : maxh;
            after = id;
        }
        arena_free(a);
        if (n < PAGE)
            break;
    }
    /* Current memberships: person -> household, household -> members. */
    long long *mp = NULL, mcap = 0, nm = 0; /* pairs (household, person) */
    for (long long after = 0; rc == STORE_OK;) {
        arena *a = arena_new();
        record *rows;
        int n;
        rc = store_list(c, council, &member_def, NULL, 0, after, PAGE, a, &rows, &n);
        for (int i = 0; rc == STORE_OK && i < n; i++) {
            after = rows[i].id;
            if (!member_current(&rows[i], today))
                continue;
            long long h = rec_int(&rows[i], "household_id"), p = rec_int(&rows[i], "person_id");
            if (p >= pcap || h >= hcap)
                continue;
            P[p].household = h;
            mp = fit(mp, &mcap, 2 * nm + 1, sizeof *mp);
            mp[2 * nm] = h;
            mp[2 * nm + 1] = p;
            nm++;
            H[h].n++;
        }
        arena_free(a);
        if (n < PAGE)
            break;
    }
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
    unsigned char *pe = xcalloc((size_t)(maxp + 1) * (size_t)ns, 1);
    unsigned char *he = xcalloc((size_t)(maxh + 1) * (size_t)ns, 1);
    for (long long after = 0; rc == STORE_OK;) {
        arena *a = arena_new();
        record *rows;
        int n;
        rc = store_list(c, council, &enrolment_def, NULL, 0, after, PAGE, a, &rows, &n);
        for (int i = 0; rc == STORE_OK && i < n; i++) {
            after = rows[i].id;
            const service *s = catalogue_find(cat, rec_str(&rows[i], "service"));
            long long p = rec_int(&rows[i], "person_id");
            if (!s || !enrolment_current(&rows[i], today) || p > maxp)
                continue;
            int si = (int)(s - cat->items);
            pe[p * ns + si] = 1;
            if (P[p].household && P[p].household <= maxh)
                he[P[p].household * ns + si] = 1;
        }
        arena_free(a);
        if (n < PAGE)
            break;
    }
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
        rules_facts f = {.age = p->age, .disabled = p->disabled, .needs_digital_help = p->digital, .receives = recv};
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
            int household_unit = !strcmp(row->s->unit, "household");
            int has = household_unit && hrow ? hrow[si] : pe[id * ns + si];
            if (!rules_holds(row->s->rule, &f))
                continue;
            row->eligible_people++;
            if (has)
                continue;
            row->missing_people++;
            /* A household counts once per service, whoever in it misses out;
             * someone with no household on record counts as their own. */
            if (!p->household)
                row->missing_households++;
            else if (!seen[(size_t)k * (size_t)(maxh + 1) + (size_t)p->household]) {
                seen[(size_t)k * (size_t)(maxh + 1) + (size_t)p->household] = 1;
                row->missing_households++;
            }
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
