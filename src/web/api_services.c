/* api_services.c: the service catalogue, enrolments and offers.
 *
 * Offers: for one person, every enrolment service whose eligibility rule
 * holds for them and which they (or, for household services, their
 * household) do not receive now, each with the reasons, best first. A rule
 * that does not hold is never overridden. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/entities.h"
#include "jobs/jobs.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/routes.h"

enum { MAX_ENROL = 1000, MAX_BATCH = 50 };

/* ---- the catalogue ---- */

static json_t *words(const char *s)
{
    json_t *a = json_array();
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", s ? s : "");
    for (char *save = NULL, *t = strtok_r(tmp, " ", &save); t; t = strtok_r(NULL, " ", &save))
        json_array_append_new(a, json_string(t));
    return a;
}

static json_t *service_json(const service *s)
{
    json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:I, s:i}", "service", s->slug, "lgsl", s->lgsl, "name",
                          s->name, "department", s->department, "kind", s->kind, "promise_days", s->promise_days,
                          "cost_pence", (json_int_t)s->cost_pence, "priority", s->priority);
    json_object_set_new(o, "description", s->description ? json_string(s->description) : json_null());
    json_object_set_new(o, "unit", s->unit ? json_string(s->unit) : json_null());
    json_object_set_new(o, "channels", words(s->channels));
    json_object_set_new(o, "fields", words(s->fields));
    json_object_set_new(o, "eligible", s->rule_src ? json_string(s->rule_src) : json_null());
    return o;
}

int api_services_list(req *q, resp *p)
{
    json_t *o = json_object(), *items = json_array();
    for (int i = 0; i < q->cat->n; i++)
        json_array_append_new(items, service_json(&q->cat->items[i]));
    json_object_set_new(o, "items", items);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_service_get(req *q, resp *p)
{
    const service *s = catalogue_by_lgsl(q->cat, (int)q->path_id[0]);
    if (!s) {
        resp_problem(p, 404, "Not found", arena_printf(q->a, "No service has LGSL code %lld.", q->path_id[0]), NULL);
        return 0;
    }
    json_t *o = service_json(s);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* ---- facts about one person ---- */

/* Whole years between date of birth and today; -1 if unknown. */
static int age_on(const char *dob, const char *today)
{
    if (!dob || !time_valid_date(dob))
        return -1;
    int y = (int)strtol(dob, NULL, 10), ty = (int)strtol(today, NULL, 10);
    int age = ty - y;
    if (strcmp(today + 5, dob + 5) < 0)
        age--;
    return age < 0 ? -1 : age;
}

typedef struct person_facts {
    rules_facts f;
    long long household_id;
    const char *receives[256];
    const char *mine[256]; /* what the person themselves receives */
    int nmine;
    const catalogue *cat;
} person_facts;

static const char *service_name(const char *slug, const void *ctx)
{
    const service *s = catalogue_find(ctx, slug);
    return s ? s->name : NULL;
}

static void add_receives(person_facts *pf, const char *slug)
{
    for (int i = 0; i < pf->f.nreceives; i++)
        if (!strcmp(pf->receives[i], slug))
            return;
    if (pf->f.nreceives < 256)
        pf->receives[pf->f.nreceives++] = slug;
}

/* The current enrolments of person pid (into pf), noting those of the
 * person themselves when mine. */
static int load_enrolments(req *q, store_conn *c, long long pid, int mine, person_facts *pf, const char *today)
{
    record *es;
    int n;
    if (store_list(c, q->council, &enrolment_def, "person_id", pid, 0, MAX_ENROL, q->a, &es, &n) != STORE_OK)
        return -1;
    for (int i = 0; i < n; i++)
        if (enrolment_current(&es[i], today)) {
            add_receives(pf, rec_str(&es[i], "service"));
            if (mine && pf->nmine < 256)
                pf->mine[pf->nmine++] = rec_str(&es[i], "service");
        }
    return 0;
}

/* Everything the rules may ask about per, from the store. -1 on a database error. */
static int gather_on(req *q, store_conn *c, const record *per, person_facts *pf, const char *today);

static int gather(req *q, store_conn *c, const record *per, person_facts *pf)
{
    char today[11];
    time_today(today);
    return gather_on(q, c, per, pf, today);
}

/* The same, as things stood on date `today` (YYYY-MM-DD). */
static int gather_on(req *q, store_conn *c, const record *per, person_facts *pf, const char *today)
{
    memset(pf, 0, sizeof *pf);
    pf->cat = q->cat;
    rules_facts *f = &pf->f;
    f->age = age_on(rec_str(per, "date_of_birth"), today);
    f->disabled = rec_str(per, "accessibility_needs") != NULL;
    f->needs_digital_help = rec_int(per, "needs_digital_help") != 0;
    f->receives = pf->receives;
    f->service_name = service_name;
    f->ctx = q->cat;
    if (load_enrolments(q, c, per->id, 1, pf, today) != 0)
        return -1;
    record *ms;
    int n;
    if (store_list(c, q->council, &member_def, "person_id", per->id, 0, 100, q->a, &ms, &n) != STORE_OK)
        return -1;
    for (int i = 0; i < n; i++)
        if (member_current(&ms[i], today))
            pf->household_id = rec_int(&ms[i], "household_id");
    if (!pf->household_id)
        return 0;
    record h, prop, *all;
    if (store_get(c, q->council, &household_def, pf->household_id, q->a, &h) != STORE_OK)
        return -1;
    if (store_get(c, q->council, &property_def, rec_int(&h, "property_id"), q->a, &prop) == STORE_OK) {
        f->has_property = 1;
        f->property_type = rec_str(&prop, "property_type");
        f->tenure = rec_str(&prop, "tenure");
        f->council_tax_band = rec_str(&prop, "council_tax_band");
        int fi = entity_field(&property_def, "floor");
        f->floor_known = prop.v[fi].set && !prop.v[fi].null;
        f->floor = (int)rec_int(&prop, "floor");
        f->has_garden = rec_int(&prop, "has_garden") != 0;
    }
    if (store_list(c, q->council, &member_def, "household_id", pf->household_id, 0, 100, q->a, &all, &n) != STORE_OK)
        return -1;
    for (int i = 0; i < n && f->nmembers < RULES_MAX_MEMBERS; i++) {
        if (!member_current(&all[i], today))
            continue;
        long long mid = rec_int(&all[i], "person_id");
        record m;
        const record *mp = per;
        if (mid != per->id) {
            if (store_get(c, q->council, &person_def, mid, q->a, &m) != STORE_OK || rec_str(&m, "date_of_death"))
                continue; /* someone who has died no longer lives there */
            mp = &m;
            if (load_enrolments(q, c, mid, 0, pf, today) != 0)
                return -1;
        }
        f->member_ages[f->nmembers] = age_on(rec_str(mp, "date_of_birth"), today);
        f->member_disabled[f->nmembers] = rec_str(mp, "accessibility_needs") != NULL;
        f->nmembers++;
    }
    return 0;
}

/* 1 if this person (person services) or household (household services)
 * receives s now. */
static int already(const person_facts *pf, const service *s)
{
    const char *const *l = strcmp(s->unit, "household") ? pf->mine : pf->receives;
    int n = strcmp(s->unit, "household") ? pf->nmine : pf->f.nreceives;
    for (int i = 0; i < n; i++)
        if (!strcmp(l[i], s->slug))
            return 1;
    return 0;
}

/* ---- offers ---- */

typedef struct {
    const service *s;
    const char *reasons[RULES_MAX_REASONS];
    int n;
} offer;

static int by_rank(const void *a, const void *b)
{
    const offer *x = a, *y = b;
    if (x->s->priority != y->s->priority)
        return x->s->priority - y->s->priority;
    return strcmp(x->s->name, y->s->name);
}

static json_t *offer_json(const offer *o)
{
    json_t *j = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:I}", "service", o->s->slug, "lgsl", o->s->lgsl,
                          "name", o->s->name, "department", o->s->department, "unit", o->s->unit, "priority",
                          o->s->priority, "promise_days", o->s->promise_days, "cost_pence",
                          (json_int_t)o->s->cost_pence);
    json_object_set_new(j, "channels", words(o->s->channels));
    json_t *r = json_array();
    for (int i = 0; i < o->n; i++)
        json_array_append_new(r, json_string(o->reasons[i]));
    json_object_set_new(j, "reasons", r);
    return j;
}

int api_offers_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record per;
    if (!c || api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    audit_person(q, per.id);
    if (rec_str(&per, "erased_at") || rec_str(&per, "date_of_death")) {
        json_t *o = json_pack("{s:I, s:[], s:s}", "person_id", (json_int_t)per.id, "items", "note",
                              "no offers: this person has died or their data was erased");
        resp_json(p, 200, o);
        json_decref(o);
        return 0;
    }
    person_facts pf;
    if (gather(q, c, &per, &pf) != 0)
        return api_store_error_or_fail(p, c);
    const char *ex = req_query(q, "explain");
    int explain = ex && !strcmp(ex, "true");
    offer *yes = arena_alloc(q->a, sizeof(offer) * (size_t)(q->cat->n + 1));
    offer *no = arena_alloc(q->a, sizeof(offer) * (size_t)(q->cat->n + 1));
    int ny = 0, nn = 0;
    for (int i = 0; i < q->cat->n; i++) {
        const service *s = &q->cat->items[i];
        if (!s->rule || strcmp(s->kind, "enrolment") || already(&pf, s))
            continue;
        offer *o = &yes[ny];
        if (rules_eval(s->rule, &pf.f, q->a, o->reasons, &o->n)) {
            o->s = s;
            ny++;
        } else if (explain) {
            no[nn] = *o;
            no[nn++].s = s;
        }
    }
    qsort(yes, (size_t)ny, sizeof *yes, by_rank);
    json_t *out = json_object(), *items = json_array();
    json_object_set_new(out, "person_id", json_integer(per.id));
    json_object_set_new(out, "household_id", pf.household_id ? json_integer(pf.household_id) : json_null());
    for (int i = 0; i < ny; i++)
        json_array_append_new(items, offer_json(&yes[i]));
    json_object_set_new(out, "items", items);
    json_t *rec = json_array();
    for (int i = 0; i < pf.f.nreceives; i++)
        json_array_append_new(rec, json_string(pf.receives[i]));
    json_object_set_new(out, "household_receives", rec);
    if (explain) {
        json_t *not_offered = json_array();
        for (int i = 0; i < nn; i++)
            json_array_append_new(not_offered, offer_json(&no[i]));
        json_object_set_new(out, "not_offered", not_offered);
    }
    resp_json(p, 200, out);
    json_decref(out);
    return 0;
}

/* ---- enrolments ---- */

int api_enrolments_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record per;
    if (!c || api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    audit_person(q, per.id);
    record *es;
    int n;
    if (store_list(c, q->council, &enrolment_def, "person_id", per.id, 0, MAX_ENROL, q->a, &es, &n) != STORE_OK)
        return api_store_error_or_fail(p, c);
    char today[11];
    time_today(today);
    json_t *o = json_object(), *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *e = jsonrec_write(&es[i], q->who.categories);
        const service *s = catalogue_find(q->cat, rec_str(&es[i], "service"));
        json_object_set_new(e, "service_name", s ? json_string(s->name) : json_null());
        json_object_set_new(e, "current", json_boolean(enrolment_current(&es[i], today)));
        json_array_append_new(items, e);
    }
    json_object_set_new(o, "items", items);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

static const char *const enrol_extra[] = {NULL};

/* Enrols the person in one service or a list, all or none. */
static int create_enrolments(req *q, resp *p, store_conn *c)
{
    record per;
    if (api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    errlist errs = {.n = 0};
    if (rec_str(&per, "erased_at") || rec_str(&per, "date_of_death")) {
        resp_problem(p, 409, "Cannot enrol", "This person has died or their data was erased.", NULL);
        return 0;
    }
    json_t *list = json_object_get(q->json, "enrolments");
    int batch = list != NULL;
    if (batch && (json_object_size(q->json) != 1 || !json_is_array(list) || json_array_size(list) == 0 ||
                  json_array_size(list) > MAX_BATCH)) {
        errlist_add(&errs, "enrolments", arena_printf(q->a, "must be a list of 1 to %d services (and nothing beside it)",
                                                      MAX_BATCH));
        resp_problem(p, 422, "Invalid fields", "Nothing was saved.", &errs);
        return 0;
    }
    size_t n = batch ? json_array_size(list) : 1;
    person_facts pf;
    if (gather(q, c, &per, &pf) != 0)
        return api_store_error_or_fail(p, c);
    char today[11];
    time_today(today);
    record *rows = arena_alloc(q->a, sizeof(record) * n);
    for (size_t i = 0; i < n; i++) {
        json_t *item = batch ? json_array_get(list, i) : q->json;
        const char *prefix = batch ? arena_printf(q->a, "enrolments[%zu].", i) : NULL;
#define FIELD(f) (prefix ? arena_printf(q->a, "%s%s", prefix, f) : f)
        if (!json_is_object(item)) {
            errlist_add(&errs, arena_printf(q->a, "enrolments[%zu]", i), "must be an object");
            continue;
        }
        if (json_object_get(item, "person_id")) {
            errlist_add(&errs, FIELD("person_id"), "comes from the path");
            continue;
        }
        int before = errs.n;
        jsonrec_read(item, &enrolment_def, prefix, enrol_extra, q->a, &rows[i], &errs);
        rec_set_int(&rows[i], "person_id", per.id);
        if (!rec_str(&rows[i], "start_date") && entity_field(&enrolment_def, "start_date") >= 0 &&
            !json_object_get(item, "start_date"))
            rec_set_str(&rows[i], "start_date", arena_strdup(q->a, today));
        int vb = errs.n;
        record_validate(&rows[i], 1, q->a, &errs);
        for (int k = vb; prefix && k < errs.n; k++)
            errs.e[k].field = arena_printf(q->a, "%s%s", prefix, errs.e[k].field);
        if (errs.n != before)
            continue;
        const char *slug = rec_str(&rows[i], "service");
        const service *s = catalogue_find(q->cat, slug);
        if (!s) {
            errlist_add(&errs, FIELD("service"), "no service has this id (see /api/v1/services)");
            continue;
        }
        if (strcmp(s->kind, "enrolment")) {
            errlist_add(&errs, FIELD("service"), "is a one-off request, not something to enrol in");
            continue;
        }
        if (!strcmp(s->unit, "household")) {
            if (!pf.household_id) {
                errlist_add(&errs, FIELD("service"), "is for a household, and this person lives in none on record");
                continue;
            }
            rows[i].v[entity_field(&enrolment_def, "household_id")] = (field_val){.set = 1, .i = pf.household_id};
        }
        if (enrolment_current(&rows[i], today) && already(&pf, s)) {
            errlist_add(&errs, FIELD("service"),
                        strcmp(s->unit, "household") ? "they receive this already" : "the household receives this already");
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(rec_str(&rows[j], "service"), slug))
                errlist_add(&errs, FIELD("service"), "is listed twice");
#undef FIELD
    }
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was saved.", &errs);
        return 0;
    }
    json_t *o = json_object(), *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (store_insert(c, q->council, &rows[i]) != STORE_OK) {
            json_decref(o);
            json_decref(items);
            return api_store_error_or_fail(p, c);
        }
        json_array_append_new(items, jsonrec_write(&rows[i], q->who.categories));
    }
    audit_person(q, per.id);
    /* One call, one contact: whatever was set up in it. */
    const char *ch = rec_str(&rows[0], "channel");
    const char *why = n == 1 ? arena_printf(q->a, "enrolled in %s", rec_str(&rows[0], "service"))
                             : arena_printf(q->a, "enrolled in %zu services", n);
    if (api_contact_log(q, c, ch ? ch : (q->who.role == ROLE_RESIDENT ? "web" : "phone"), "transaction",
                        rec_str(&rows[0], "service"), why, per.id, 1) != STORE_OK) {
        json_decref(o);
        json_decref(items);
        return api_store_error_or_fail(p, c);
    }
    json_object_set_new(o, "items", items);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

int api_enrolments_create(req *q, resp *p)
{
    return api_create_idempotent(q, p, create_enrolments);
}

/* ---- who is missing out ---- */

int api_missing_out(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    char err[512];
    missing_report rep;
    if (missing_out_run(c, q->council, q->cat, NULL, NULL, NULL, NULL, &rep, err, sizeof err) != 0) {
        resp_problem(p, 500, "Database error", err, NULL);
        return 0;
    }
    json_t *o = json_object(), *items = json_array();
    for (int i = 0; i < rep.n; i++) {
        const missing_row *r = &rep.rows[i];
        json_array_append_new(items, json_pack("{s:s, s:i, s:s, s:s, s:I, s:I, s:I}", "service", r->s->slug, "lgsl",
                                               r->s->lgsl, "name", r->s->name, "unit", r->s->unit, "eligible_people",
                                               (json_int_t)r->eligible_people, "missing_people",
                                               (json_int_t)r->missing_people, "missing_households",
                                               (json_int_t)r->missing_households));
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "people", json_integer(rep.people));
    json_object_set_new(o, "households", json_integer(rep.households));
    json_object_set_new(o, "seconds", json_real(rep.seconds));
    missing_out_free(&rep);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_missing_out_csv(req *q, resp *p)
{
    const service *s = catalogue_by_lgsl(q->cat, (int)q->path_id[0]);
    if (!s || !s->rule || strcmp(s->kind, "enrolment")) {
        resp_problem(p, 404, "Not found",
                     arena_printf(q->a, "No enrolment service with a rule has LGSL code %lld.", q->path_id[0]), NULL);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    char *text = NULL, err[512];
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    missing_report rep;
    int rc = missing_out_run(c, q->council, q->cat, s->slug, mem, NULL, NULL, &rep, err, sizeof err);
    fclose(mem);
    missing_out_free(&rep);
    if (rc != 0 || buf_append(&p->body, text, len) != 0) {
        free(text);
        resp_problem(p, rc ? 500 : 413, rc ? "Database error" : "Too large", rc ? err : "The list is too long.", NULL);
        return 0;
    }
    /* Every person listed is a look at their data: audit each. */
    for (const char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *comma = strchr(line + 1, ',');
        if (comma)
            audit_person_bulk(q, strtoll(comma + 1, NULL, 10));
    }
    free(text);
    p->status = 200;
    p->content_type = "text/csv; charset=utf-8";
    resp_header(p, "Content-Disposition", arena_printf(q->a, "attachment; filename=\"missing-out-%s.csv\"", s->slug));
    return 0;
}

/* ---- for other handlers (api_int.h) ---- */

person_facts *api_facts(req *q, store_conn *c, const record *per)
{
    person_facts *pf = arena_alloc(q->a, sizeof *pf);
    return gather(q, c, per, pf) == 0 ? pf : NULL;
}

person_facts *api_facts_on(req *q, store_conn *c, const record *per, const char *date)
{
    person_facts *pf = arena_alloc(q->a, sizeof *pf);
    return gather_on(q, c, per, pf, date) == 0 ? pf : NULL;
}

int api_facts_decide(req *q, const person_facts *pf, const service *s, const char **reasons, int *n)
{
    *n = 0;
    return s->rule ? rules_eval(s->rule, &pf->f, q->a, reasons, n) : 1;
}

int api_facts_receives(const person_facts *pf, const service *s)
{
    return s->unit && already(pf, s);
}

long long api_facts_household(const person_facts *pf)
{
    return pf->household_id;
}
