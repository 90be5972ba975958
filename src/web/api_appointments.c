/* api_appointments.c: appointments instead of drop-in (issue #7).
 *
 * Locations, their opening hours and, per service, the slot length and how
 * many residents can be seen at once come from catalogue/locations.txt.
 * A booking takes one seat of its slot: seats 1..capacity, kept unique by
 * the database (appointments_seat), so a slot is never overbooked however
 * many bookings race for it, on either backend. Each booking queues a
 * confirmation and a reminder (due at 09:00 the day before) in the outbox,
 * in the booking's transaction; a move reschedules the reminder, a cancel
 * withdraws it. Times are local wall-clock times at the location,
 * "YYYY-MM-DDTHH:MM". */
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

enum { MAX_SLOT_DAYS = 92 };

/* ---- slots ---- */

typedef struct {
    const char *start;
    long long booked;
} slot_count;

typedef struct {
    req *q;
    slot_count *counts;
    int n, cap;
} counts;

static int add_count(void *ctx, const char *starts_at, long long booked)
{
    counts *k = ctx;
    if (k->n == k->cap) {
        int ncap = k->cap ? k->cap * 2 : 64;
        slot_count *m = arena_alloc(k->q->a, sizeof *m * (size_t)ncap);
        if (k->n)
            memcpy(m, k->counts, sizeof *m * (size_t)k->n);
        k->counts = m;
        k->cap = ncap;
    }
    k->counts[k->n++] = (slot_count){arena_strdup(k->q->a, starts_at), booked};
    return 0;
}

typedef struct {
    const site *l;
    const location_service *ls;
    counts *k;
    int next; /* counts are in time order, as the slots are */
    json_t *out;
} slot_walk;

static int add_slot(const char *start, const char *end, void *ctx)
{
    slot_walk *w = ctx;
    long long booked = 0;
    while (w->next < w->k->n && strcmp(w->k->counts[w->next].start, start) < 0)
        w->next++;
    if (w->next < w->k->n && !strcmp(w->k->counts[w->next].start, start))
        booked = w->k->counts[w->next].booked;
    long long cap = w->ls->capacity, left = cap > booked ? cap - booked : 0;
    json_array_append_new(w->out, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "location", w->l->slug, "starts_at",
                                            start, "ends_at", end, "capacity", (json_int_t)cap, "booked",
                                            (json_int_t)booked, "available", (json_int_t)left));
    return 0;
}

static long long day_number(const char *date)
{
    char iso[21];
    snprintf(iso, sizeof iso, "%.10sT00:00:00Z", date);
    return time_parse_iso(iso) / 86400;
}

/* GET /api/v1/appointments/slots?service=&location=&from=&to= */
int api_appointment_slots(req *q, resp *p)
{
    errlist errs = {.n = 0};
    const char *svc = req_query(q, "service"), *loc = req_query(q, "location");
    const char *from = req_query(q, "from"), *to = req_query(q, "to");
    char today[11], from_d[11], to_d[11];
    time_today(today);
    if (!svc)
        errlist_add(&errs, "service", "is required: the service to be seen about");
    else if (!catalogue_find(q->cat, svc))
        errlist_add(&errs, "service", "no service has this id (see /api/v1/services)");
    const site *only = NULL;
    if (loc && !(only = locations_find(&q->cat->locations, loc)))
        errlist_add(&errs, "location", "no location has this id (catalogue/locations.txt)");
    else if (only && svc && !location_service_find(only, svc))
        errlist_add(&errs, "location", "this location does not see residents about this service");
    if (from && !time_valid_date(from))
        errlist_add(&errs, "from", "must be a date written YYYY-MM-DD");
    if (to && !time_valid_date(to))
        errlist_add(&errs, "to", "must be a date written YYYY-MM-DD");
    snprintf(from_d, sizeof from_d, "%s", from && time_valid_date(from) ? from : today);
    if (to && time_valid_date(to))
        snprintf(to_d, sizeof to_d, "%s", to);
    else {
        char iso[21];
        time_iso_from((day_number(from_d) + 13) * 86400, iso);
        snprintf(to_d, sizeof to_d, "%.10s", iso);
    }
    if (!errs.n && strcmp(from_d, to_d) > 0)
        errlist_add(&errs, "from", "must not be after to");
    else if (!errs.n && day_number(to_d) - day_number(from_d) >= MAX_SLOT_DAYS)
        errlist_add(&errs, "to", arena_printf(q->a, "at most %d days from from", MAX_SLOT_DAYS));
    if (!errs.n && !only) {
        int any = 0;
        for (int i = 0; i < q->cat->locations.n; i++)
            any |= location_service_find(&q->cat->locations.items[i], svc) != NULL;
        if (!any)
            errlist_add(&errs, "service", "no location books appointments for this service");
    }
    if (errs.n) {
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    char end_bound[17];
    {
        char iso[21];
        time_iso_from((day_number(to_d) + 1) * 86400, iso);
        snprintf(end_bound, sizeof end_bound, "%.10sT00:00", iso);
    }
    json_t *slots = json_array();
    for (int i = 0; i < q->cat->locations.n; i++) {
        const site *l = &q->cat->locations.items[i];
        const location_service *ls = location_service_find(l, svc);
        if (!ls || (only && l != only))
            continue;
        counts k = {.q = q};
        if (store_appointment_counts(c, q->council, l->slug, svc, from_d, end_bound, add_count, &k) != STORE_OK) {
            json_decref(slots);
            return api_store_error_or_fail(p, c);
        }
        slot_walk w = {l, ls, &k, 0, slots};
        location_slots(l, ls, &q->cat->bank_holidays, from_d, to_d, add_slot, &w);
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "service", svc, "from", from_d, "to", to_d, "slots", slots);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* ---- booking, moving, cancelling ---- */

/* Checks that (location, service, starts_at) of r is a bookable slot in
 * the future; adds what is wrong to errs. *ls gets the slot settings. */
static void check_slot(req *q, const record *r, errlist *errs, const site **lp, const location_service **ls)
{
    const char *svc = rec_str(r, "service"), *loc = rec_str(r, "location"), *start = rec_str(r, "starts_at");
    *lp = NULL;
    *ls = NULL;
    if (svc && !catalogue_find(q->cat, svc)) {
        errlist_add(errs, "service", "no service has this id (see /api/v1/services)");
        return;
    }
    const site *l = loc ? locations_find(&q->cat->locations, loc) : NULL;
    if (loc && !l) {
        errlist_add(errs, "location", "no location has this id (catalogue/locations.txt)");
        return;
    }
    if (!l || !svc || !start)
        return;
    if (!(*ls = location_service_find(l, svc))) {
        errlist_add(errs, "location", "this location does not see residents about this service");
        return;
    }
    *lp = l;
    const char *why = location_slot_problem(l, *ls, &q->cat->bank_holidays, start);
    if (why) {
        errlist_add(errs, "starts_at", why);
        return;
    }
    char now[21];
    time_now_iso(now);
    if (strncmp(start, now, 16) <= 0)
        errlist_add(errs, "starts_at", "is in the past");
}

/* Takes the first free seat of r's slot: writes r (insert when is_new,
 * else update from expected) with seat 1, 2 ... until the database takes
 * one. STORE_DUPLICATE when every seat is taken. */
static int take_seat(store_conn *c, long long council, record *r, const location_service *ls, int is_new,
                     long long expected)
{
    int si = entity_field(&appointment_def, "seat");
    for (int seat = 1; seat <= ls->capacity; seat++) {
        r->v[si] = (field_val){.set = 1, .i = seat};
        int rc = is_new ? store_insert(c, council, r) : store_update(c, council, r, expected);
        if (rc != STORE_DUPLICATE)
            return rc;
    }
    return STORE_DUPLICATE;
}

/* "on Tuesday 2 December 2026 at 10:30" style words for a message. */
static const char *when_words(req *q, const char *start)
{
    static const char *const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
    int m = (int)strtol(start + 5, NULL, 10);
    return arena_printf(q->a, "%d %s %.4s at %.5s", (int)strtol(start + 8, NULL, 10),
                        m >= 1 && m <= 12 ? months[m - 1] : "?", start, start + 11);
}

static const char *where_words(req *q, const record *r)
{
    const site *l = locations_find(&q->cat->locations, rec_str(r, "location"));
    const service *s = catalogue_find(q->cat, rec_str(r, "service"));
    return arena_printf(q->a, "about %s at %s, %s, on %s", s ? s->name : rec_str(r, "service"),
                        l ? l->name : rec_str(r, "location"), l ? l->address : "", when_words(q, rec_str(r, "starts_at")));
}

/* When the reminder is due: 09:00 the day before, or now if that has passed. */
static const char *reminder_due(req *q, const char *start)
{
    char now[21], due[21];
    time_now_iso(now);
    time_iso_from((day_number(start) - 1) * 86400 + 9 * 3600, due);
    return arena_strdup(q->a, strcmp(due, now) > 0 ? due : now);
}

/* Points the queued reminder rem_id at r's slot, or withdraws it (cancel):
 * a reminder already sent or failed is left alone. */
static int update_reminder(req *q, store_conn *c, const record *r, int cancel)
{
    long long rid = rec_int(r, "reminder_id");
    record n;
    if (!rid)
        return STORE_OK;
    int rc = store_get(c, q->council, &notification_def, rid, q->a, &n);
    if (rc == STORE_NOTFOUND)
        return STORE_OK;
    if (rc != STORE_OK || strcmp(rec_str(&n, "status"), "queued"))
        return rc;
    long long v = n.version;
    if (cancel) {
        rec_set_str(&n, "status", "failed");
        rec_set_str(&n, "last_error", "not sent: the appointment was cancelled");
    } else {
        rec_set_str(&n, "body", arena_printf(q->a, "A reminder: you have an appointment %s.", where_words(q, r)));
        rec_set_str(&n, "next_attempt_at", reminder_due(q, rec_str(r, "starts_at")));
    }
    return store_update(c, q->council, &n, v);
}

/* Queues a message about appointment r to its person, in the open
 * transaction. reminder: the one due the day before, whose id goes into r
 * (the caller then writes r). */
static int tell(req *q, store_conn *c, record *r, const char *subject, const char *body, int reminder)
{
    record per;
    int rc = store_get(c, q->council, &person_def, rec_int(r, "person_id"), q->a, &per);
    long long id = 0;
    if (rc == STORE_OK)
        rc = outbox_queue(c, q->council, &per, subject, body, "appointment", r->id, q->a, &id);
    if (rc != STORE_OK || !reminder || !id)
        return rc;
    record n;
    if ((rc = store_get(c, q->council, &notification_def, id, q->a, &n)) != STORE_OK)
        return rc;
    rec_set_str(&n, "next_attempt_at", reminder_due(q, rec_str(r, "starts_at")));
    if ((rc = store_update(c, q->council, &n, n.version)) != STORE_OK)
        return rc;
    rec_set_int(r, "reminder_id", id);
    return STORE_OK;
}

static void slot_full(resp *p)
{
    resp_problem(p, 409, "Slot full", "Every place in this slot is taken; choose another (see /api/v1/appointments/slots).",
                 NULL);
}

static int book(req *q, resp *p, store_conn *c)
{
    record r;
    errlist errs = {.n = 0};
    jsonrec_read(q->json, &appointment_def, NULL, NULL, q->a, &r, &errs);
    rec_set_str(&r, "status", "booked");
    record_validate(&r, 1, q->a, &errs);
    const site *l;
    const location_service *ls;
    check_slot(q, &r, &errs, &l, &ls);
    long long pid = rec_int(&r, "person_id");
    record per;
    if (pid && store_get(c, q->council, &person_def, pid, q->a, &per) != STORE_OK)
        errlist_add(&errs, "person_id", arena_printf(q->a, "no person has id %lld", pid));
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was booked.", &errs);
        return 0;
    }
    if (q->who.role == ROLE_RESIDENT && pid != q->who.person_id) {
        resp_problem(p, 403, "Forbidden", "A resident books appointments for themselves.", NULL);
        return 0;
    }
    char end[17];
    location_slot_end(ls, rec_str(&r, "starts_at"), end);
    rec_set_str(&r, "ends_at", arena_strdup(q->a, end));
    int rc = take_seat(c, q->council, &r, ls, 1, 0);
    if (rc == STORE_DUPLICATE) {
        slot_full(p);
        return 0;
    }
    const char *where = where_words(q, &r);
    if (rc == STORE_OK)
        rc = tell(q, c, &r, "Your appointment is booked", arena_printf(q->a, "Your appointment is booked: %s.", where),
                  0);
    if (rc == STORE_OK)
        rc = tell(q, c, &r, "Appointment reminder",
                  arena_printf(q->a, "A reminder: you have an appointment %s.", where), 1);
    if (rc == STORE_OK && rec_int(&r, "reminder_id"))
        rc = store_update(c, q->council, &r, r.version);
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    audit_person(q, pid);
    json_t *o = jsonrec_write(&r, q->who.categories);
    resp_json(p, 201, o);
    json_decref(o);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/appointments/%lld", r.id));
    return 0;
}

int api_appointment_book(req *q, resp *p)
{
    return api_create_idempotent(q, p, book);
}

int api_appointment_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c || api_load_or_fail(q, p, c, &appointment_def, &r) != 0)
        return 0;
    audit_person(q, rec_int(&r, "person_id"));
    json_t *o = jsonrec_write(&r, q->who.categories);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_person_appointments(req *q, resp *p)
{
    record *rows;
    int n, limit;
    if (api_person_rows_or_fail(q, p, &appointment_def, &rows, &n, &limit) != 0)
        return 0;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, jsonrec_write(&rows[i], q->who.categories));
    api_page(q, p, items, rows, n, limit);
    return 0;
}

/* Only the named keys may be in the body; each must be a string of at
 * most max characters. */
static void body_strings(req *q, errlist *errs, const char *const *keys, size_t max)
{
    const char *k;
    json_t *v;
    json_object_foreach(q->json, k, v)
    {
        int known = 0;
        for (int i = 0; keys[i]; i++)
            known |= !strcmp(keys[i], k);
        if (!known)
            errlist_add(errs, arena_strdup(q->a, k), "is not a field here");
        else if (!json_is_string(v) || strlen(json_string_value(v)) > max)
            errlist_add(errs, arena_strdup(q->a, k), arena_printf(q->a, "must be text of at most %zu characters", max));
    }
}

/* Loads appointment {id} for a change: 404 if none, 409 if cancelled. */
static int load_booked_or_fail(req *q, resp *p, store_conn *c, record *r)
{
    if (api_load_or_fail(q, p, c, &appointment_def, r) != 0)
        return -1;
    if (strcmp(rec_str(r, "status"), "booked")) {
        resp_problem(p, 409, "Cancelled", "This appointment was cancelled; book a new one.", NULL);
        return -1;
    }
    return 0;
}

/* Commits a change to r with its audit entry and answers 200 with r. */
static int finish_change(req *q, resp *p, store_conn *c, record *r, int rc)
{
    if (rc == STORE_OK) {
        audit_person(q, rec_int(r, "person_id"));
        rc = audit_write_tx(q, c, "update", 200);
    }
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK) {
        store_rollback(c);
        if (rc == STORE_DUPLICATE) {
            slot_full(p);
            return 0;
        }
        if (rc == STORE_CONFLICT) {
            resp_problem(p, 409, "Changed meanwhile", "Someone changed this appointment at the same time; try again.",
                         NULL);
            return 0;
        }
        return api_store_error_or_fail(p, c);
    }
    json_t *o = jsonrec_write(r, q->who.categories);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* POST /api/v1/appointments/{id}/move {starts_at, location?} */
int api_appointment_move(req *q, resp *p)
{
    static const char *const keys[] = {"starts_at", "location", NULL};
    errlist errs = {.n = 0};
    body_strings(q, &errs, keys, 60);
    const char *start = json_string_value(json_object_get(q->json, "starts_at"));
    const char *loc = json_string_value(json_object_get(q->json, "location"));
    if (!json_object_get(q->json, "starts_at"))
        errlist_add(&errs, "starts_at", "is required: the new slot's start");
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c)
        return 0;
    if (store_begin(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (load_booked_or_fail(q, p, c, &r) != 0) {
        store_rollback(c);
        return 0;
    }
    const char *old_loc = rec_str(&r, "location"), *old_start = rec_str(&r, "starts_at");
    if (start && !errs.n) {
        rec_set_str(&r, "starts_at", start);
        if (loc)
            rec_set_str(&r, "location", loc);
        const site *l;
        const location_service *ls;
        check_slot(q, &r, &errs, &l, &ls);
        if (!errs.n && !strcmp(old_loc, rec_str(&r, "location")) && !strcmp(old_start, start))
            errlist_add(&errs, "starts_at", "is the slot it already has");
        if (!errs.n) {
            char end[17];
            location_slot_end(ls, start, end);
            rec_set_str(&r, "ends_at", arena_strdup(q->a, end));
            int rc = take_seat(c, q->council, &r, ls, 0, r.version);
            if (rc == STORE_OK)
                rc = update_reminder(q, c, &r, 0);
            if (rc == STORE_OK)
                rc = tell(q, c, &r, "Your appointment has moved",
                          arena_printf(q->a, "Your appointment has moved: it is now %s.", where_words(q, &r)), 0);
            return finish_change(q, p, c, &r, rc);
        }
    }
    store_rollback(c);
    resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
    return 0;
}

/* POST /api/v1/appointments/{id}/cancel {reason?} */
int api_appointment_cancel(req *q, resp *p)
{
    static const char *const keys[] = {"reason", NULL};
    errlist errs = {.n = 0};
    body_strings(q, &errs, keys, 200);
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    const char *reason = json_string_value(json_object_get(q->json, "reason"));
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c)
        return 0;
    if (store_begin(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (load_booked_or_fail(q, p, c, &r) != 0) {
        store_rollback(c);
        return 0;
    }
    rec_set_str(&r, "status", "cancelled");
    if (reason)
        rec_set_str(&r, "cancel_reason", arena_strdup(q->a, reason));
    r.v[entity_field(&appointment_def, "seat")] = (field_val){.set = 1, .null = 1};
    int rc = store_update(c, q->council, &r, r.version);
    if (rc == STORE_OK)
        rc = update_reminder(q, c, &r, 1);
    if (rc == STORE_OK)
        rc = tell(q, c, &r, "Your appointment is cancelled",
                  arena_printf(q->a, "Your appointment %s is cancelled.", where_words(q, &r)), 0);
    return finish_change(q, p, c, &r, rc);
}
