/* api_requests.c: requests (cases) with a promised date, a status
 * workflow, team queues and a timeline of public and internal updates.
 * "Where issues cannot be resolved at the first point of contact, we will
 * tell customers what will be done and by when." */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/entities.h"
#include "jobs/outbox.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/routes.h"

enum { MAX_ANSWER = 1000, MAX_TIMELINE = 1000 };

static const char *const request_extra[] = {"answers", NULL};

static int overdue(const record *r, const char *today)
{
    const char *st = rec_str(r, "status"), *pd = rec_str(r, "promised_date");
    return pd && st && strcmp(st, "resolved") && strcmp(st, "closed") && strcmp(pd, today) < 0;
}

/* The request as JSON: answers as an object, overdue, and (with the
 * timeline) its updates; a resident sees only the public ones. */
static json_t *request_json(req *q, store_conn *c, const record *r, int timeline)
{
    char today[11];
    time_today(today);
    json_t *o = jsonrec_write(r, q->who.categories);
    const char *ans = rec_str(r, "answers");
    json_t *aj = ans ? json_loads(ans, 0, NULL) : NULL;
    json_object_set_new(o, "answers", aj ? aj : json_object());
    json_object_set_new(o, "overdue", json_boolean(overdue(r, today)));
    const service *s = catalogue_find(q->cat, rec_str(r, "service"));
    json_object_set_new(o, "service_name", s ? json_string(s->name) : json_null());
    if (!timeline)
        return o;
    record *us;
    int n;
    json_t *tl = json_array();
    if (store_list(c, q->council, &request_update_def, "request_id", r->id, 0, MAX_TIMELINE, q->a, &us, &n) ==
        STORE_OK)
        for (int i = 0; i < n; i++) {
            if (q->who.role == ROLE_RESIDENT && !rec_int(&us[i], "public"))
                continue;
            json_t *u = jsonrec_write(&us[i], q->who.categories);
            json_object_del(u, "request_id");
            json_object_del(u, "version");
            json_object_del(u, "updated_at");
            json_array_append_new(tl, u);
        }
    json_object_set_new(o, "timeline", tl);
    return o;
}

/* Checks the e-form answers against the service's fields: an object of
 * strings, only the fields the service asks for. */
static char *answers_text(req *q, const service *s, json_t *ans, errlist *errs)
{
    if (!ans)
        return NULL;
    if (!json_is_object(ans)) {
        errlist_add(errs, "answers", "must be an object of the service's e-form fields");
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(ans, k, v)
    {
        int known = 0;
        if (s && s->fields) {
            size_t kl = strlen(k);
            for (const char *f = s->fields; (f = strstr(f, k)) != NULL; f += kl)
                if ((f == s->fields || f[-1] == ' ') && (f[kl] == '\0' || f[kl] == ' '))
                    known = 1;
        }
        const char *field = arena_printf(q->a, "answers.%s", k);
        if (!known)
            errlist_add(errs, field, s ? arena_printf(q->a, "is not a field of %s", s->name) : "is not a field");
        else if (!json_is_string(v) || json_string_length(v) > MAX_ANSWER)
            errlist_add(errs, field, "must be text of at most 1000 characters");
    }
    char *t = json_dumps(ans, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = arena_strdup(q->a, t ? t : "{}");
    free(t);
    return out;
}

/* What the resident is told a status means. */
static const char *status_words(const char *status)
{
    static const char *const w[][2] = {{"received", "We have received it"},
                                       {"in_progress", "We are working on it"},
                                       {"waiting", "It is on hold"},
                                       {"resolved", "It has been dealt with"},
                                       {"closed", "It is closed"}};
    for (size_t i = 0; status && i < sizeof w / sizeof w[0]; i++)
        if (!strcmp(w[i][0], status))
            return w[i][1];
    return status ? status : "It has changed";
}

/* The service's name for messages: its catalogue name, else its id. */
static const char *service_words(req *q, const record *r)
{
    const service *s = catalogue_find(q->cat, rec_str(r, "service"));
    return s ? s->name : rec_str(r, "service");
}

/* Queues the acknowledgement of a new request, with its promised date. */
static int inform_created(req *q, store_conn *c, const record *r)
{
    const char *svc = service_words(q, r);
    const char *subject = arena_printf(q->a, "We have your request: %s (reference %lld)", svc, r->id);
    const char *body = arena_printf(q->a,
                                    "Thank you. We have your request about %s, reference %lld.\n\n"
                                    "We will deal with it by %s. We will tell you when anything changes.",
                                    svc, r->id, outbox_date_words(rec_str(r, "promised_date"), q->a));
    return outbox_queue_request(c, q->council, r, subject, body, q->a);
}

/* Queues a message for a status change or a public note (never for an
 * internal note). */
static int inform_update(req *q, store_conn *c, const record *r, const char *kind, const char *status,
                         const char *text)
{
    if (!strcmp(kind, "internal_note"))
        return STORE_OK;
    const char *svc = service_words(q, r);
    const char *subject, *body;
    if (!strcmp(kind, "status_change")) {
        subject = arena_printf(q->a, "Your request %lld: %s", r->id, status_words(status));
        body = arena_printf(q->a, "Your request about %s (reference %lld): %s.%s%s", svc, r->id, status_words(status),
                            text ? "\n\n" : "", text ? text : "");
    } else {
        subject = arena_printf(q->a, "An update on your request %lld", r->id);
        body = arena_printf(q->a, "Your request about %s (reference %lld):\n\n%s", svc, r->id, text);
    }
    return outbox_queue_request(c, q->council, r, subject, body, q->a);
}

/* Appends one entry to a request's timeline. */
static int timeline_add(req *q, store_conn *c, long long request_id, const char *kind, const char *status,
                        const char *text, int public_)
{
    record u;
    record_init(&u, &request_update_def);
    rec_set_int(&u, "request_id", request_id);
    rec_set_str(&u, "kind", kind);
    rec_set_str(&u, "status", status);
    rec_set_str(&u, "text", text);
    rec_set_int(&u, "public", public_);
    u.v[entity_field(&request_update_def, "author_id")] = (field_val){.set = 1, .i = q->who.id};
    return store_insert(c, q->council, &u);
}

/* ---- possible duplicates ----
 * An open request (received, in progress or waiting) for the same service
 * at the same UPRN, or within DUP_METRES of the same point, is probably the
 * same problem reported twice. The open requests are read by status (the
 * requests_status index): their number is the council's open workload, not
 * every request ever made. */
enum { DUP_METRES = 50, DUP_MAX = 10, DUP_PAGES = 20 };

/* Metres between two WGS84 points (haversine, mean Earth radius). */
static double metres_between(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = 3.14159265358979323846 / 180.0, earth = 6371008.8;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * earth * asin(sqrt(h < 1 ? h : 1));
}

/* The open requests for service near (lat, lon) or at uprn, nearest
 * first, at most DUP_MAX, leaving out request except. lat/lon may be NULL,
 * uprn may be NULL. A resident is not shown where the others are. */
typedef struct {
    const record *r;
    double d; /* metres, or -1 if either has no coordinates */
    int same_uprn;
} dup_hit;

static int by_distance(const void *x, const void *y)
{
    const dup_hit *a = x, *b = y;
    double da = a->d < 0 ? 0 : a->d, db = b->d < 0 ? 0 : b->d;
    return da < db ? -1 : da > db ? 1 : (a->r->id > b->r->id) - (a->r->id < b->r->id);
}

static json_t *possible_duplicates(req *q, store_conn *c, const char *slug, const char *uprn, const char *lat,
                                   const char *lon, long long except)
{
    static const char *const open_[] = {"received", "in_progress", "waiting"};
    json_t *out = json_array();
    if (!slug || (!uprn && !(lat && lon)))
        return out;
    double la = lat ? strtod(lat, NULL) : 0, lo = lon ? strtod(lon, NULL) : 0;
    int nh = 0, cap = 16;
    dup_hit *hit = arena_alloc(q->a, sizeof *hit * (size_t)cap);
    for (size_t k = 0; k < sizeof open_ / sizeof open_[0]; k++) {
        long long after = 0;
        for (int page = 0; page < DUP_PAGES; page++) {
            record *rows;
            int n;
            if (store_list_text(c, q->council, &request_def, "status", open_[k], after, 1000, q->a, &rows, &n) !=
                STORE_OK)
                break;
            for (int i = 0; i < n; i++) {
                const record *r = &rows[i];
                if (r->id == except || strcmp(rec_str(r, "service"), slug))
                    continue;
                const char *ru = rec_str(r, "uprn"), *rla = rec_str(r, "latitude"), *rlo = rec_str(r, "longitude");
                double d = lat && lon && rla && rlo ? metres_between(la, lo, strtod(rla, NULL), strtod(rlo, NULL)) : -1;
                int same = uprn && ru && !strcmp(uprn, ru);
                if (!same && !(d >= 0 && d <= DUP_METRES))
                    continue;
                if (nh == cap) {
                    dup_hit *more = arena_alloc(q->a, sizeof *hit * (size_t)cap * 2);
                    memcpy(more, hit, sizeof *hit * (size_t)cap);
                    hit = more, cap *= 2;
                }
                hit[nh++] = (dup_hit){r, d, same};
            }
            if (n < 1000)
                break;
            after = rows[n - 1].id;
        }
    }
    qsort(hit, (size_t)nh, sizeof *hit, by_distance);
    for (int i = 0; i < nh && i < DUP_MAX; i++) {
        const record *r = hit[i].r;
        json_t *o = json_pack("{s:I, s:s, s:s?, s:b}", "id", (json_int_t)r->id, "status", rec_str(r, "status"),
                              "promised_date", rec_str(r, "promised_date"), "same_uprn", hit[i].same_uprn);
        json_object_set_new(o, "distance_m", hit[i].d >= 0 ? json_integer((json_int_t)lround(hit[i].d)) : json_null());
        if (q->who.role != ROLE_RESIDENT)
            json_object_set_new(o, "address", rec_str(r, "address") ? json_string(rec_str(r, "address")) : json_null());
        json_array_append_new(out, o);
    }
    return out;
}

/* GET /api/v1/requests/duplicates?service=&uprn=&latitude=&longitude=:
 * before reporting, whether it has been reported already. */
int api_request_duplicates(req *q, resp *p)
{
    const char *svc = req_query(q, "service"), *uprn = req_query(q, "uprn"), *lat = req_query(q, "latitude"),
               *lon = req_query(q, "longitude");
    errlist errs = {.n = 0};
    record probe;
    record_init(&probe, &request_def);
    if (!svc || !*svc)
        errlist_add(&errs, "service", "is required (a catalogue id)");
    else if (!catalogue_find(q->cat, svc))
        errlist_add(&errs, "service", "no service has this id (see /api/v1/services)");
    if (uprn && *uprn)
        rec_set_str(&probe, "uprn", uprn);
    if (lat && *lat)
        rec_set_str(&probe, "latitude", lat);
    if (lon && *lon)
        rec_set_str(&probe, "longitude", lon);
    rec_set_str(&probe, "service", svc ? svc : "x");
    rec_set_str(&probe, "description", "x");
    rec_set_str(&probe, "status", "received");
    record_validate(&probe, 0, q->a, &errs);
    if (!rec_str(&probe, "uprn") && !rec_str(&probe, "latitude"))
        errlist_add(&errs, "latitude", "say where: uprn, or latitude and longitude");
    if (errs.n) {
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    json_t *o = json_object();
    json_object_set_new(o, "items", possible_duplicates(q, c, svc, rec_str(&probe, "uprn"), rec_str(&probe, "latitude"),
                                                        rec_str(&probe, "longitude"), 0));
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_request_create_in(req *q, resp *p, store_conn *c)
{
    record r;
    errlist errs = {.n = 0};
    jsonrec_read(q->json, &request_def, NULL, request_extra, q->a, &r, &errs);
    if (q->who.role == ROLE_RESIDENT) {
        if (rec_int(&r, "person_id") && rec_int(&r, "person_id") != q->who.person_id)
            errlist_add(&errs, "person_id", "a resident reports for themselves");
        rec_set_int(&r, "person_id", q->who.person_id);
    }
    const char *slug = rec_str(&r, "service");
    const service *s = slug ? catalogue_find(q->cat, slug) : NULL;
    if (slug && !s)
        errlist_add(&errs, "service", "no service has this id (see /api/v1/services)");
    else if (s && strcmp(s->kind, "request"))
        errlist_add(&errs, "service", "is something to enrol in (POST /api/v1/people/{id}/enrolments), not a request");
    char today[11], promised[11];
    time_today(today);
    rec_set_str(&r, "status", "received");
    const char *ans = answers_text(q, s, json_object_get(q->json, "answers"), &errs);
    if (ans)
        r.v[entity_field(&request_def, "answers")] = (field_val){.set = 1, .s = ans};
    if (s) {
        workdays_add(&q->cat->bank_holidays, today, s->promise_days, promised);
        rec_set_str(&r, "promised_date", arena_strdup(q->a, promised));
        rec_set_str(&r, "team", s->department);
    }
    if (!rec_str(&r, "channel"))
        rec_set_str(&r, "channel", q->who.role == ROLE_RESIDENT ? "web" : "phone");
    record_validate(&r, 1, q->a, &errs);
    long long pid = rec_int(&r, "person_id");
    record per;
    if (pid && store_get(c, q->council, &person_def, pid, q->a, &per) != STORE_OK)
        errlist_add(&errs, "person_id", arena_printf(q->a, "no person has id %lld", pid));
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was saved.", &errs);
        return 0;
    }
    if (store_insert(c, q->council, &r) != STORE_OK ||
        timeline_add(q, c, r.id, "status_change", "received",
                     arena_printf(q->a, "Received. We will deal with it by %s.", rec_str(&r, "promised_date")), 1) !=
            STORE_OK ||
        api_contact_log_request(q, c, rec_str(&r, "channel"), "transaction", slug, "made a request", pid, 0, r.id) !=
            STORE_OK ||
        inform_created(q, c, &r) != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (pid)
        audit_person(q, pid);
    json_t *o = request_json(q, c, &r, 1);
    json_object_set_new(o, "possible_duplicates",
                        possible_duplicates(q, c, slug, rec_str(&r, "uprn"), rec_str(&r, "latitude"),
                                            rec_str(&r, "longitude"), r.id));
    resp_json(p, 201, o);
    json_decref(o);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/requests/%lld", r.id));
    resp_header(p, "ETag", jsonrec_etag(&r, q->a));
    return 0;
}

int api_request_create(req *q, resp *p)
{
    return api_create_idempotent(q, p, api_request_create_in);
}

int api_request_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c || api_load_or_fail(q, p, c, &request_def, &r) != 0)
        return 0;
    if (rec_int(&r, "person_id"))
        audit_person(q, rec_int(&r, "person_id"));
    json_t *o = request_json(q, c, &r, 1);
    resp_json(p, 200, o);
    json_decref(o);
    resp_header(p, "ETag", jsonrec_etag(&r, q->a));
    return 0;
}

static const char *const update_kinds[] = {"status_change", "public_note", "internal_note", NULL};

/* POST /api/v1/requests/{id}/updates: {kind, status?, text?}. A status
 * change must follow the workflow; waiting and closed need a reason. */
int api_request_update(req *q, resp *p)
{
    errlist errs = {.n = 0};
    const char *k;
    json_t *v;
    json_object_foreach(q->json, k, v)
    {
        if (strcmp(k, "kind") && strcmp(k, "status") && strcmp(k, "text"))
            errlist_add(&errs, arena_strdup(q->a, k), "is not a field of an update (kind, status, text)");
    }
    const char *kind = json_string_value(json_object_get(q->json, "kind"));
    const char *status = json_string_value(json_object_get(q->json, "status"));
    const char *text = json_string_value(json_object_get(q->json, "text"));
    int kind_ok = 0;
    for (int i = 0; kind && update_kinds[i]; i++)
        kind_ok |= !strcmp(kind, update_kinds[i]);
    if (!kind_ok)
        errlist_add(&errs, "kind", "must be one of: status_change, public_note, internal_note");
    if (json_object_get(q->json, "text") && (!text || strlen(text) > 2000))
        errlist_add(&errs, "text", "must be text of at most 2000 characters");
    if (kind && strcmp(kind, "status_change") && !text)
        errlist_add(&errs, "text", "a note needs its text");
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c || api_load_or_fail(q, p, c, &request_def, &r) != 0)
        return 0;
    const char *from = rec_str(&r, "status");
    if (kind && !strcmp(kind, "status_change")) {
        if (!status)
            errlist_add(&errs, "status", "is required for a status change");
        else if (!request_transition_ok(from, status))
            errlist_add(&errs, "status", arena_printf(q->a, "cannot go from %s to %s", from, status));
        else if ((!strcmp(status, "waiting") || !strcmp(status, "closed")) && !text)
            errlist_add(&errs, "text", arena_printf(q->a, "say why it is %s", status));
    } else if (status) {
        errlist_add(&errs, "status", "goes with kind status_change");
    }
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    int rc = store_begin(c);
    if (rc == STORE_OK && !strcmp(kind, "status_change")) {
        long long expected = r.version;
        rec_set_str(&r, "status", status);
        rec_set_str(&r, "status_reason", text);
        if (!strcmp(status, "resolved")) {
            char *now = arena_alloc(q->a, 21);
            time_now_iso(now);
            rec_set_str(&r, "resolved_at", now);
        }
        rc = store_update(c, q->council, &r, expected);
    }
    if (rc == STORE_OK)
        rc = timeline_add(q, c, r.id, kind, status, text, strcmp(kind, "internal_note") != 0);
    if (rc == STORE_OK)
        rc = inform_update(q, c, &r, kind, status, text);
    if (rc == STORE_OK && rec_int(&r, "person_id"))
        audit_person(q, rec_int(&r, "person_id"));
    if (rc == STORE_OK && q->route->audited)
        rc = audit_write_tx(q, c, "update", 201);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK) {
        store_rollback(c);
        if (rc == STORE_CONFLICT) {
            resp_problem(p, 409, "Changed meanwhile", "Someone updated this request at the same time; try again.",
                         NULL);
            return 0;
        }
        return api_store_error_or_fail(p, c);
    }
    json_t *o = request_json(q, c, &r, 1);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

/* GET /api/v1/requests?team=&status=&overdue=true: a team's queue. */
int api_requests_list(req *q, resp *p)
{
    long long after;
    if (api_cursor_or_fail(q, p, &after) != 0)
        return 0;
    const char *ls = req_query(q, "limit"), *team = req_query(q, "team"), *status = req_query(q, "status"),
               *od = req_query(q, "overdue");
    int limit = ls ? (int)strtol(ls, NULL, 10) : 50;
    errlist errs = {.n = 0};
    int status_ok = !status;
    for (int i = 0; status && request_status_choices[i]; i++)
        status_ok |= !strcmp(status, request_status_choices[i]);
    if (!status_ok)
        errlist_add(&errs, "status", "must be one of: received, in_progress, waiting, resolved, closed");
    if (od && strcmp(od, "true") && strcmp(od, "false"))
        errlist_add(&errs, "overdue", "must be true or false");
    if (errs.n) {
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record *rows;
    int n, rc;
    if (team)
        rc = store_list_text(c, q->council, &request_def, "team", team, after, limit, q->a, &rows, &n);
    else if (status)
        rc = store_list_text(c, q->council, &request_def, "status", status, after, limit, q->a, &rows, &n);
    else
        rc = store_list(c, q->council, &request_def, NULL, 0, after, limit, q->a, &rows, &n);
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    char today[11];
    time_today(today);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        if (team && status && strcmp(rec_str(&rows[i], "status"), status))
            continue;
        if (od && !strcmp(od, "true") && !overdue(&rows[i], today))
            continue;
        if (rec_int(&rows[i], "person_id"))
            audit_person(q, rec_int(&rows[i], "person_id"));
        json_array_append_new(items, request_json(q, c, &rows[i], 0));
    }
    api_page(q, p, items, rows, n, limit);
    return 0;
}

int api_person_requests(req *q, resp *p)
{
    record *rows;
    int n, limit;
    if (api_person_rows_or_fail(q, p, &request_def, &rows, &n, &limit) != 0)
        return 0;
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, request_json(q, c, &rows[i], 0));
    api_page(q, p, items, rows, n, limit);
    return 0;
}

/* POST /api/v1/requests/slip-warnings {as_of?}: tells now (rather than at
 * the next scheduled pass) every resident whose request will be late;
 * as_of (YYYY-MM-DD, default today) runs it as of another day. */
int api_slip_warnings(req *q, resp *p)
{
    errlist errs = {.n = 0};
    const char *k;
    json_t *v;
    json_object_foreach(q->json, k, v)
    {
        if (strcmp(k, "as_of"))
            errlist_add(&errs, arena_strdup(q->a, k), "is not a field (as_of)");
    }
    char today[11];
    time_today(today);
    const char *as_of = json_string_value(json_object_get(q->json, "as_of"));
    if (json_object_get(q->json, "as_of") && (!as_of || !time_valid_date(as_of)))
        errlist_add(&errs, "as_of", "must be a date, YYYY-MM-DD");
    else if (as_of && strcmp(as_of, today) < 0)
        errlist_add(&errs, "as_of", "may not be in the past");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nobody was told anything.", &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    enum { MAX_IDS = 1000 };
    long long ids[MAX_IDS];
    int warned = 0;
    if (outbox_slip_warnings(c, q->council, q->cat, as_of ? as_of : today, &warned, ids, MAX_IDS) != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *o = json_object(), *list = json_array();
    for (int i = 0; i < warned && i < MAX_IDS; i++) {
        record r;
        json_array_append_new(list, json_integer(ids[i]));
        if (store_get(c, q->council, &request_def, ids[i], q->a, &r) == STORE_OK && rec_int(&r, "person_id"))
            audit_person(q, rec_int(&r, "person_id")); /* a message was queued to them */
    }
    json_object_set_new(o, "warned", json_integer(warned));
    json_object_set_new(o, "requests", list);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}
