/* api_life_events.c: tell us once. A birth, a death, a move ... is reported
 * once and its playbook (catalogue/life_events.txt, core/lifeevent.h) is
 * applied everywhere in one transaction: the person and household records
 * change, services end, change hands, move home, start or are re-checked,
 * offers are listed with their reasons, each team gets a task with a due
 * date, one contact is logged and the household is told.
 *
 * Every change is written to the life event's effects list, so a preview
 * (the same work, rolled back) shows exactly what will happen, and a
 * reversal (the wrong person reported dead) knows exactly what to undo and
 * which parts need a person to put right. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/entities.h"
#include "core/lifeevent.h"
#include "jobs/outbox.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/auth.h"
#include "web/jsonrec.h"
#include "web/routes.h"

enum { MAX_ROWS = 1000, MAX_PEOPLE = 64, MAX_EFFECTS_TEXT = 200000 };

static const char *const CANCELLED_DEATH = "cancelled: the person has died";
static const char *const CANCELLED_REVERSED = "cancelled: the life event was reversed";

/* One report being applied. */
typedef struct {
    req *q;
    store_conn *c;
    const playbook *pb;
    record per;            /* the subject, as loaded (then as updated) */
    const char *date;      /* event date */
    char before[11];       /* the day before it: the last day in a home left by moving */
    char today[11];
    json_t *details;       /* borrowed from the request */
    long long event_id;
    long long old_hh;      /* the subject's household before the event (0: none) */
    long long new_hh;      /* after it (0: none) */
    long long left_hh;     /* the household they left, if anyone still lives there */
    long long movers[MAX_PEOPLE]; /* who left old_hh (the subject; everyone for a whole household) */
    int nmovers;
    int whole;             /* the whole household moved or left */
    int died;
    json_t *effects;       /* what was done, in order */
    json_t *offered;       /* "household_id/slug" or "person_id/slug" already offered */
    /* Enrolments whose rule held before the event: a review ends only
     * these (a rule is a proxy; one that never described someone's
     * entitlement is not this event's business). */
    long long held[MAX_ROWS];
    int nheld;
    /* Facts per person, read once between two changes. */
    long long fact_ids[MAX_PEOPLE];
    person_facts *facts[MAX_PEOPLE];
    int nfacts;
    const char *on;        /* set while reading how things stood before the event (the day before) */
} run;

/* ---- small helpers ---- */

static int is_mover(const run *r, long long pid)
{
    for (int i = 0; i < r->nmovers; i++)
        if (r->movers[i] == pid)
            return 1;
    return 0;
}

/* How effects name a person: by id, never by name, so that the stored
 * effects hold nothing an erasure would have to find ("person 12"). */
static const char *person_name(arena *a, const record *p)
{
    return arena_printf(a, "person %lld", p->id);
}

static void decref(void *j)
{
    json_decref(j);
}

static json_t *effect(run *r, const char *kind, const char *text)
{
    r->nfacts = 0; /* something changed: read the facts again */
    json_t *e = json_pack("{s:s, s:s}", "kind", kind, "description", text);
    json_array_append_new(r->effects, e);
    return e;
}

static json_t *reasons_json(const char **reasons, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(reasons[i]));
    return a;
}

static const char *joined(arena *a, const char **reasons, int n)
{
    const char *s = "";
    for (int i = 0; i < n; i++)
        s = arena_printf(a, "%s%s%s", s, i ? "; " : "", reasons[i]);
    return s;
}

/* The current membership rows of household hh (living people only when living). */
static int members_now(run *r, long long hh, int living, record **out, int *n)
{
    record *ms;
    int k;
    *n = 0;
    if (store_list(r->c, r->q->council, &member_def, "household_id", hh, 0, MAX_ROWS, r->q->a, &ms, &k) != STORE_OK)
        return -1;
    *out = arena_alloc(r->q->a, sizeof(record) * (size_t)(k + 1));
    for (int i = 0; i < k; i++) {
        if (!member_current(&ms[i], r->on ? r->on : r->today))
            continue;
        if (living) {
            record p;
            if (store_get(r->c, r->q->council, &person_def, rec_int(&ms[i], "person_id"), r->q->a, &p) != STORE_OK)
                return -1;
            if (rec_str(&p, "date_of_death"))
                continue;
        }
        (*out)[(*n)++] = ms[i];
    }
    return 0;
}

/* The person's membership current on the event date, if any (0 found, 1 none, -1 error). */
static int membership_of(run *r, long long pid, record *out)
{
    record *ms;
    int n;
    if (store_list(r->c, r->q->council, &member_def, "person_id", pid, 0, MAX_ROWS, r->q->a, &ms, &n) != STORE_OK)
        return -1;
    for (int i = n - 1; i >= 0; i--)
        if (member_current(&ms[i], r->date) && member_current(&ms[i], r->today)) {
            *out = ms[i];
            return 0;
        }
    return 1;
}

/* Adult (18 or over today, or age unknown) living members of hh, loaded. */
static int adults_of(run *r, long long hh, record *out, int max, int *n)
{
    record *ms;
    int k;
    *n = 0;
    if (!hh)
        return 0;
    if (members_now(r, hh, 1, &ms, &k) != 0)
        return -1;
    for (int i = 0; i < k && *n < max; i++) {
        record p;
        if (store_get(r->c, r->q->council, &person_def, rec_int(&ms[i], "person_id"), r->q->a, &p) != STORE_OK)
            return -1;
        int age = lifeevent_age_on(rec_str(&p, "date_of_birth"), r->today);
        if (age < 0 || age >= 18)
            out[(*n)++] = p;
    }
    return 0;
}

/* ---- record and household changes ---- */

static int set_person_field(run *r, const char *field, const char *value, int sensitive)
{
    const char *old = rec_str(&r->per, field);
    rec_set_str(&r->per, field, value);
    if (store_update(r->c, r->q->council, &r->per, r->per.version) != STORE_OK)
        return -1;
    json_t *e = effect(r, "person_recorded",
                       arena_printf(r->q->a, "Recorded %s on the record of %s", !strcmp(field, "date_of_death")
                                                                                ? arena_printf(r->q->a, "the date of death (%s)", value)
                                                                                : "what they now need",
                                    person_name(r->q->a, &r->per)));
    json_object_set_new(e, "person_id", json_integer(r->per.id));
    json_object_set_new(e, "field", json_string(field));
    json_object_set_new(e, "old", old ? json_string(old) : json_null());
    json_object_set_new(e, "new", json_string(value));
    if (sensitive)
        json_object_set_new(e, "sensitive", json_true());
    return 0;
}

/* Letters already waiting for someone who has died are not sent. */
static int cancel_notifications(run *r)
{
    record *ns;
    int n;
    if (store_list(r->c, r->q->council, &notification_def, "person_id", r->per.id, 0, MAX_ROWS, r->q->a, &ns, &n) !=
        STORE_OK)
        return -1;
    int fi = entity_field(&notification_def, "status"), ei = entity_field(&notification_def, "last_error");
    for (int i = 0; i < n; i++) {
        if (strcmp(rec_str(&ns[i], "status"), "queued"))
            continue;
        ns[i].v[fi] = (field_val){.set = 1, .s = "failed"};
        ns[i].v[ei] = (field_val){.set = 1, .s = CANCELLED_DEATH};
        if (store_update(r->c, r->q->council, &ns[i], ns[i].version) != STORE_OK)
            return -1;
        json_t *e = effect(r, "notification_cancelled",
                           arena_printf(r->q->a, "Stopped a %s waiting to be sent to them (\"%s\")",
                                        rec_str(&ns[i], "channel"), rec_str(&ns[i], "subject") ? rec_str(&ns[i], "subject") : ""));
        json_object_set_new(e, "notification_id", json_integer(ns[i].id));
    }
    return 0;
}

static int end_membership(run *r, record *m, const char *to)
{
    const char *old = rec_str(m, "to_date"), *from = rec_str(m, "from_date");
    if (from && strcmp(to, from) < 0)
        to = from;
    rec_set_str(m, "to_date", to);
    if (store_update(r->c, r->q->council, m, m->version) != STORE_OK)
        return -1;
    json_t *e = effect(r, "membership_ended",
                       arena_printf(r->q->a, "Person %lld no longer lives in household %lld (last day %s)",
                                    rec_int(m, "person_id"), rec_int(m, "household_id"), to));
    json_object_set_new(e, "member_id", json_integer(m->id));
    json_object_set_new(e, "person_id", json_integer(rec_int(m, "person_id")));
    json_object_set_new(e, "household_id", json_integer(rec_int(m, "household_id")));
    json_object_set_new(e, "to_date", json_string(to));
    json_object_set_new(e, "old_to_date", old ? json_string(old) : json_null());
    return 0;
}

static int start_membership(run *r, long long hh, long long pid, const char *rel)
{
    record m;
    record_init(&m, &member_def);
    rec_set_int(&m, "household_id", hh);
    rec_set_int(&m, "person_id", pid);
    rec_set_str(&m, "relationship", rel);
    rec_set_str(&m, "from_date", r->date);
    if (store_insert(r->c, r->q->council, &m) != STORE_OK)
        return -1;
    json_t *e = effect(r, "membership_started",
                       arena_printf(r->q->a, "Person %lld lives in household %lld from %s (%s)", pid, hh, r->date, rel));
    json_object_set_new(e, "member_id", json_integer(m.id));
    json_object_set_new(e, "person_id", json_integer(pid));
    json_object_set_new(e, "household_id", json_integer(hh));
    audit_person(r->q, pid);
    return 0;
}

static long long new_household(run *r, long long property_id)
{
    record h;
    record_init(&h, &household_def);
    rec_set_int(&h, "property_id", property_id);
    rec_set_str(&h, "name", arena_printf(r->q->a, "The %s household", rec_str(&r->per, "family_name")));
    if (store_insert(r->c, r->q->council, &h) != STORE_OK)
        return -1;
    json_t *e = effect(r, "household_created",
                       arena_printf(r->q->a, "A new household %lld at property %lld", h.id, property_id));
    json_object_set_new(e, "household_id", json_integer(h.id));
    json_object_set_new(e, "property_id", json_integer(property_id));
    return h.id;
}

/* ---- enrolments ---- */

/* 1 if enrolment e has not ended by day. */
static int running(const record *e, const char *day)
{
    const char *to = rec_str(e, "end_date");
    return !to || strcmp(to, day) > 0;
}

static int end_enrolment(run *r, record *e, const char *day, const char *why, const char **reasons, int nreasons)
{
    const char *old = rec_str(e, "end_date"), *from = rec_str(e, "start_date");
    if (from && strcmp(day, from) < 0)
        day = from;
    rec_set_str(e, "end_date", day);
    if (store_update(r->c, r->q->council, e, e->version) != STORE_OK)
        return -1;
    const service *s = catalogue_find(r->q->cat, rec_str(e, "service"));
    json_t *j = effect(r, "enrolment_ended",
                       arena_printf(r->q->a, "%s ends on %s: %s", s ? s->name : rec_str(e, "service"), day, why));
    json_object_set_new(j, "enrolment_id", json_integer(e->id));
    json_object_set_new(j, "service", json_string(rec_str(e, "service")));
    json_object_set_new(j, "person_id", json_integer(rec_int(e, "person_id")));
    json_object_set_new(j, "household_id", rec_int(e, "household_id") ? json_integer(rec_int(e, "household_id")) : json_null());
    json_object_set_new(j, "end_date", json_string(day));
    json_object_set_new(j, "old_end_date", old ? json_string(old) : json_null());
    if (nreasons)
        json_object_set_new(j, "reasons", reasons_json(reasons, nreasons));
    audit_person(r->q, rec_int(e, "person_id"));
    return 0;
}

static int start_enrolment(run *r, const service *s, long long pid, long long hh, const char *from, const char *why,
                           const char **reasons, int nreasons)
{
    record e;
    record_init(&e, &enrolment_def);
    rec_set_int(&e, "person_id", pid);
    if (hh)
        e.v[entity_field(&enrolment_def, "household_id")] = (field_val){.set = 1, .i = hh};
    rec_set_str(&e, "service", s->slug);
    rec_set_str(&e, "start_date", from);
    const char *ch = r->q->who.role == ROLE_RESIDENT ? "web" : json_string_value(json_object_get(r->q->json, "channel"));
    rec_set_str(&e, "channel", ch && strcmp(ch, "web_chat") && strcmp(ch, "social_media") && strcmp(ch, "automated_phone")
                                   ? ch : "phone");
    rec_set_str(&e, "note", arena_printf(r->q->a, "life event %lld: %s", r->event_id, r->pb->type));
    errlist errs = {.n = 0};
    if (record_validate(&e, 1, r->q->a, &errs) != 0)
        rec_set_str(&e, "channel", NULL);
    if (store_insert(r->c, r->q->council, &e) != STORE_OK)
        return -1;
    json_t *j = effect(r, "enrolment_started", arena_printf(r->q->a, "%s starts on %s: %s", s->name, from, why));
    json_object_set_new(j, "enrolment_id", json_integer(e.id));
    json_object_set_new(j, "service", json_string(s->slug));
    json_object_set_new(j, "person_id", json_integer(pid));
    json_object_set_new(j, "household_id", hh ? json_integer(hh) : json_null());
    json_object_set_new(j, "start_date", json_string(from));
    if (nreasons)
        json_object_set_new(j, "reasons", reasons_json(reasons, nreasons));
    audit_person(r->q, pid);
    return 0;
}

/* Enrolments by person or household, running on day. */
static int enrolments_of(run *r, const char *by, long long id, const char *day, record **out, int *n)
{
    record *es;
    int k;
    *n = 0;
    if (!id)
        return 0;
    if (store_list(r->c, r->q->council, &enrolment_def, by, id, 0, MAX_ROWS, r->q->a, &es, &k) != STORE_OK)
        return -1;
    *out = arena_alloc(r->q->a, sizeof(record) * (size_t)(k + 1));
    for (int i = 0; i < k; i++)
        if (running(&es[i], day))
            (*out)[(*n)++] = es[i];
    return 0;
}

static const service *svc(run *r, const record *e)
{
    return catalogue_find(r->q->cat, rec_str(e, "service"));
}

/* The day a service ends for what happened: the date of death, or the last day in the old home. */
static const char *end_day(const run *r)
{
    return r->died ? r->date : r->before;
}

static int do_end(run *r, const lifeevent_effect *fx)
{
    const char *day = end_day(r);
    for (int m = 0; m < r->nmovers; m++) {
        record *es;
        int n;
        if (enrolments_of(r, "person_id", r->movers[m], day, &es, &n) != 0)
            return -1;
        for (int i = 0; i < n; i++) {
            const service *s = svc(r, &es[i]);
            if (!s || strcmp(s->kind, "enrolment"))
                continue;
            int person_unit = !strcmp(s->unit, "person");
            const char *why = NULL;
            if (fx->group == LG_PERSON_SERVICES && person_unit)
                why = r->died ? "they have died" : arena_printf(r->q->a, "after %s", r->pb->name);
            else if (fx->group == LG_BILLED && s->cost_pence > 0)
                why = r->died ? "it was billed to the person who died" : "it was billed to the person who moved";
            else if (fx->group == LG_ONE && fx->s == s &&
                     (person_unit || rec_int(&es[i], "household_id") == r->old_hh))
                why = person_unit ? "it was theirs" : "they applied for it";
            if (why && end_enrolment(r, &es[i], day, why, NULL, 0) != 0)
                return -1;
        }
    }
    if (fx->group == LG_HOUSEHOLD) {
        record *es;
        int n;
        if (enrolments_of(r, "household_id", r->old_hh, day, &es, &n) != 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (end_enrolment(r, &es[i], day, "the household's services end", NULL, 0) != 0)
                return -1;
    }
    return 0;
}

/* A household service the subject applied for passes to another adult still living there. */
static int do_change(run *r, const lifeevent_effect *fx)
{
    const char *day = end_day(r);
    record *es, *adults = arena_alloc(r->q->a, sizeof(record) * MAX_PEOPLE);
    int n, na;
    if (enrolments_of(r, "household_id", r->old_hh, day, &es, &n) != 0 ||
        adults_of(r, r->old_hh, adults, MAX_PEOPLE, &na) != 0)
        return -1;
    const record *heir = NULL;
    for (int i = 0; i < na && !heir; i++)
        if (!is_mover(r, adults[i].id))
            heir = &adults[i];
    for (int i = 0; i < n; i++) {
        if (svc(r, &es[i]) != fx->s || !is_mover(r, rec_int(&es[i], "person_id")))
            continue;
        if (!heir) {
            if (end_enrolment(r, &es[i], day, "no adult is left in the household to take it over", NULL, 0) != 0)
                return -1;
            continue;
        }
        char next[11];
        lifeevent_add_days(day, 1, next);
        const char *to = person_name(r->q->a, heir);
        if (end_enrolment(r, &es[i], day, arena_printf(r->q->a, "it passes to %s", to), NULL, 0) != 0 ||
            start_enrolment(r, fx->s, heir->id, r->old_hh, next, arena_printf(r->q->a, "now in the name of %s", to),
                            NULL, 0) != 0)
            return -1;
    }
    return 0;
}

/* The facts for person p as the store stands now (cached until the next change). */
static person_facts *facts_of(run *r, const record *p)
{
    if (r->on)
        return api_facts_on(r->q, r->c, p, r->on);
    for (int i = 0; i < r->nfacts; i++)
        if (r->fact_ids[i] == p->id)
            return r->facts[i];
    person_facts *pf = api_facts(r->q, r->c, p);
    if (pf && r->nfacts < MAX_PEOPLE) {
        r->fact_ids[r->nfacts] = p->id;
        r->facts[r->nfacts++] = pf;
    }
    return pf;
}

static int held_before(const run *r, long long enrolment_id)
{
    for (int i = 0; i < r->nheld; i++)
        if (r->held[i] == enrolment_id)
            return 1;
    return 0;
}

/* Decides service s for the household hh's living members: 1 if it holds
 * for any, with that member's reasons (or the first member's, if none). */
static int decide_household(run *r, long long hh, const service *s, const char **reasons, int *nr, long long *who)
{
    record *ms;
    int n;
    *nr = 0;
    *who = 0;
    if (members_now(r, hh, 1, &ms, &n) != 0)
        return -1;
    const char *tmp[RULES_MAX_REASONS];
    int nt;
    for (int i = 0; i < n; i++) {
        record p;
        if (store_get(r->c, r->q->council, &person_def, rec_int(&ms[i], "person_id"), r->q->a, &p) != STORE_OK)
            return -1;
        person_facts *pf = facts_of(r, &p);
        if (!pf)
            return -1;
        int holds = api_facts_decide(r->q, pf, s, tmp, &nt);
        if (holds || i == 0) {
            memcpy(reasons, tmp, sizeof(tmp[0]) * (size_t)nt);
            *nr = nt;
            *who = p.id;
        }
        if (holds)
            return 1;
    }
    return 0;
}

/* A whole household moving: each household service goes with them if it still applies in the new home. */
static int do_carry(run *r, const lifeevent_effect *fx)
{
    if (!r->whole || !r->new_hh)
        return 0;
    record *es;
    int n;
    if (enrolments_of(r, "household_id", r->old_hh, r->before, &es, &n) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        const service *s = svc(r, &es[i]);
        if (!s || (fx->group == LG_ONE && fx->s != s))
            continue;
        if (end_enrolment(r, &es[i], r->before, "the household has moved", NULL, 0) != 0)
            return -1;
        const char *reasons[RULES_MAX_REASONS];
        int nr;
        long long who;
        int holds = decide_household(r, r->new_hh, s, reasons, &nr, &who);
        if (holds < 0)
            return -1;
        if (!holds && held_before(r, es[i].id)) {
            json_t *e = effect(r, "enrolment_not_carried",
                               arena_printf(r->q->a, "%s does not apply at the new home: %s", s->name,
                                            joined(r->q->a, reasons, nr)));
            json_object_set_new(e, "service", json_string(s->slug));
            json_object_set_new(e, "reasons", reasons_json(reasons, nr));
            continue;
        }
        long long pid = rec_int(&es[i], "person_id");
        if (start_enrolment(r, s, is_mover(r, pid) ? pid : r->per.id, r->new_hh, r->date,
                            holds ? "carried to the new home" : "carried to the new home, as it was (its rule did not decide it)",
                            reasons, holds ? nr : 0) != 0)
            return -1;
    }
    return 0;
}

static int do_start(run *r, const lifeevent_effect *fx)
{
    const service *s = fx->s;
    long long hh = r->new_hh;
    if (r->died)
        return 0;
    record *es;
    int n;
    if (!strcmp(s->unit, "household")) {
        if (!hh)
            return 0;
        if (enrolments_of(r, "household_id", hh, r->date, &es, &n) != 0)
            return -1;
    } else if (enrolments_of(r, "person_id", r->per.id, r->date, &es, &n) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (svc(r, &es[i]) == s && (strcmp(s->unit, "person") || !rec_int(&es[i], "household_id") ||
                                    rec_int(&es[i], "household_id") == hh))
            return 0; /* already has it */
    return start_enrolment(r, s, r->per.id, strcmp(s->unit, "household") ? 0 : hh, r->date,
                           arena_printf(r->q->a, "%s", r->pb->name), NULL, 0);
}

/* Re-checks household services of hh after the event; a household with no one left loses them all. */
static int review_household(run *r, long long hh, const lifeevent_effect *fx)
{
    record *es, *ms;
    int n, nm;
    if (!hh || enrolments_of(r, "household_id", hh, r->date, &es, &n) != 0 || members_now(r, hh, 1, &ms, &nm) != 0)
        return hh ? -1 : 0;
    for (int i = 0; i < n; i++) {
        const service *s = svc(r, &es[i]);
        if (!s || (fx && fx->group == LG_ONE && fx->s != s) || !running(&es[i], r->date))
            continue;
        if (nm == 0) {
            if (end_enrolment(r, &es[i], end_day(r), "no one lives in the household now", NULL, 0) != 0)
                return -1;
            continue;
        }
        if (!fx || !s->rule)
            continue;
        const char *reasons[RULES_MAX_REASONS];
        int nr;
        long long who;
        int holds = decide_household(r, hh, s, reasons, &nr, &who);
        if (holds < 0)
            return -1;
        if (holds) {
            json_t *e = effect(r, "enrolment_kept",
                               arena_printf(r->q->a, "%s carries on: %s", s->name, joined(r->q->a, reasons, nr)));
            json_object_set_new(e, "service", json_string(s->slug));
            json_object_set_new(e, "household_id", json_integer(hh));
            json_object_set_new(e, "reasons", reasons_json(reasons, nr));
        } else if (held_before(r, es[i].id) &&
                   end_enrolment(r, &es[i], r->date, arena_printf(r->q->a, "no longer applies: %s",
                                                                   joined(r->q->a, reasons, nr)),
                                 reasons, nr) != 0)
            return -1;
    }
    return 0;
}

/* 1 if some review or carry line of the playbook covers service s. */
static int reviewed(const run *r, const service *s)
{
    for (int i = 0; i < r->pb->neffects; i++) {
        const lifeevent_effect *fx = &r->pb->effects[i];
        if ((fx->verb == LE_REVIEW || fx->verb == LE_CARRY) &&
            (fx->group == LG_HOUSEHOLD ? !strcmp(s->unit, "household") : fx->s == s))
            return 1;
    }
    return 0;
}

/* Notes which enrolments' rules hold before the event, in the households
 * it touches: the subject's, one they join, and their partner's. */
static int note_held_on(run *r);

static int note_held(run *r)
{
    r->on = r->before;
    int rc = note_held_on(r);
    r->on = NULL;
    return rc;
}

static int note_held_on(run *r)
{
    long long hhs[3] = {r->old_hh, 0, 0};
    if (r->pb->household == LH_JOIN)
        hhs[1] = json_integer_value(json_object_get(r->details, "household_id"));
    record m;
    json_t *partner = json_object_get(r->details, "partner_id");
    if (r->pb->household == LH_PARTNER_JOINS && json_is_integer(partner)) {
        int rc = membership_of(r, json_integer_value(partner), &m);
        if (rc < 0)
            return -1;
        hhs[2] = rc == 0 ? rec_int(&m, "household_id") : 0;
    }
    for (int h = 0; h < 3; h++) {
        record *es;
        int n;
        if (!hhs[h] || enrolments_of(r, "household_id", hhs[h], r->date, &es, &n) != 0)
            continue;
        for (int i = 0; i < n && r->nheld < MAX_ROWS; i++) {
            const service *s = svc(r, &es[i]);
            if (!s || !s->rule || !reviewed(r, s))
                continue;
            const char *reasons[RULES_MAX_REASONS];
            int nr;
            long long who;
            int holds = decide_household(r, hhs[h], s, reasons, &nr, &who);
            if (holds < 0)
                return -1;
            if (holds)
                r->held[r->nheld++] = es[i].id;
        }
    }
    record *es;
    int n;
    if (enrolments_of(r, "person_id", r->per.id, r->date, &es, &n) != 0)
        return -1;
    person_facts *pf = NULL;
    for (int i = 0; i < n && r->nheld < MAX_ROWS; i++) {
        const service *s = svc(r, &es[i]);
        if (!s || !s->rule || strcmp(s->kind, "enrolment") || strcmp(s->unit, "person") || !reviewed(r, s))
            continue;
        const char *reasons[RULES_MAX_REASONS];
        int nr;
        if (!pf && !(pf = facts_of(r, &r->per)))
            return -1;
        if (api_facts_decide(r->q, pf, s, reasons, &nr))
            r->held[r->nheld++] = es[i].id;
    }
    return 0;
}

static int do_review(run *r, const lifeevent_effect *fx)
{
    if (fx->group == LG_ONE && !strcmp(fx->s->unit, "person")) {
        if (r->died)
            return 0;
        record *es;
        int n;
        if (enrolments_of(r, "person_id", r->per.id, r->date, &es, &n) != 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if (svc(r, &es[i]) != fx->s)
                continue;
            person_facts *pf = facts_of(r, &r->per);
            const char *reasons[RULES_MAX_REASONS];
            int nr;
            if (!pf)
                return -1;
            if (!api_facts_decide(r->q, pf, fx->s, reasons, &nr) && held_before(r, es[i].id) &&
                end_enrolment(r, &es[i], r->date, "no longer applies", reasons, nr) != 0)
                return -1;
        }
        return 0;
    }
    if (r->left_hh && review_household(r, r->left_hh, fx) != 0)
        return -1;
    return r->new_hh && r->new_hh != r->left_hh ? review_household(r, r->new_hh, fx) : 0;
}

/* ---- offers ---- */

static int offer_to(run *r, const record *p, const lifeevent_effect *fx)
{
    person_facts *pf = facts_of(r, p);
    if (!pf)
        return -1;
    long long hh = api_facts_household(pf);
    for (int i = 0; i < r->q->cat->n; i++) {
        const service *s = &r->q->cat->items[i];
        if (fx->group == LG_ONE ? fx->s != s : !(s->rule && !strcmp(s->kind, "enrolment")))
            continue;
        int household_unit = s->unit && !strcmp(s->unit, "household");
        if (household_unit && !hh)
            continue;
        const char *key = arena_printf(r->q->a, "%s%lld/%s", household_unit ? "h" : "p", household_unit ? hh : p->id,
                                       s->slug);
        int seen = 0;
        for (size_t k = 0; k < json_array_size(r->offered); k++)
            seen |= !strcmp(json_string_value(json_array_get(r->offered, k)), key);
        if (seen)
            continue;
        const char *reasons[RULES_MAX_REASONS];
        int nr = 0;
        if (!strcmp(s->kind, "enrolment")) {
            if (api_facts_receives(pf, s) || !api_facts_decide(r->q, pf, s, reasons, &nr))
                continue;
        } else {
            reasons[nr++] = arena_printf(r->q->a, "after %s, this may help", r->pb->name);
        }
        json_array_append_new(r->offered, json_string(key));
        json_t *e = effect(r, "offer", arena_printf(r->q->a, "Offer %s to %s: %s", s->name, person_name(r->q->a, p),
                                                    joined(r->q->a, reasons, nr)));
        json_object_set_new(e, "service", json_string(s->slug));
        json_object_set_new(e, "name", json_string(s->name));
        json_object_set_new(e, "service_kind", json_string(s->kind));
        json_object_set_new(e, "person_id", json_integer(p->id));
        json_object_set_new(e, "household_id", household_unit ? json_integer(hh) : json_null());
        json_object_set_new(e, "reasons", reasons_json(reasons, nr));
        audit_person(r->q, p->id);
    }
    return 0;
}

/* Who an offer or a message goes to. */
static int targets(run *r, lifeevent_target t, record *out, int max, int *n)
{
    *n = 0;
    if (t == LT_SUBJECT) {
        if (!r->died)
            out[(*n)++] = r->per;
        return 0;
    }
    if (t == LT_LEFT)
        return adults_of(r, r->left_hh, out, max, n);
    if (adults_of(r, r->new_hh, out, max, n) != 0)
        return -1;
    int has_subject = 0;
    for (int i = 0; i < *n; i++)
        has_subject |= out[i].id == r->per.id;
    if (!has_subject && !r->died && *n < max)
        out[(*n)++] = r->per; /* a young subject still hears for themselves */
    return 0;
}

static int do_offer(run *r, const lifeevent_effect *fx)
{
    record *to = arena_alloc(r->q->a, sizeof(record) * MAX_PEOPLE);
    int n;
    if (targets(r, fx->target, to, MAX_PEOPLE, &n) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (offer_to(r, &to[i], fx) != 0)
            return -1;
    return 0;
}

/* ---- tasks and messages ---- */

static int make_tasks(run *r)
{
    for (int i = 0; i < r->pb->ntasks; i++) {
        const lifeevent_task *t = &r->pb->tasks[i];
        char due[11];
        workdays_add(&r->q->cat->bank_holidays, r->today, t->days, due);
        record k;
        record_init(&k, &task_def);
        rec_set_str(&k, "team", t->team);
        rec_set_str(&k, "title", t->title);
        rec_set_int(&k, "person_id", r->per.id);
        rec_set_int(&k, "life_event_id", r->event_id);
        rec_set_str(&k, "due_date", arena_strdup(r->q->a, due));
        rec_set_str(&k, "status", "open");
        if (store_insert(r->c, r->q->council, &k) != STORE_OK)
            return -1;
        json_t *e = effect(r, "task", arena_printf(r->q->a, "Task for %s, due %s: %s", t->team, due, t->title));
        json_object_set_new(e, "task_id", json_integer(k.id));
        json_object_set_new(e, "team", json_string(t->team));
        json_object_set_new(e, "title", json_string(t->title));
        json_object_set_new(e, "due_date", json_string(due));
    }
    return 0;
}

/* The offers made to household hh or person pid, for a message. */
static const char *offers_line(run *r, long long pid, long long hh)
{
    const char *s = NULL;
    for (size_t i = 0; i < json_array_size(r->effects); i++) {
        json_t *e = json_array_get(r->effects, i);
        if (strcmp(json_string_value(json_object_get(e, "kind")), "offer"))
            continue;
        json_t *h = json_object_get(e, "household_id");
        if (json_integer_value(json_object_get(e, "person_id")) != pid && !(hh && json_integer_value(h) == hh))
            continue;
        const char *name = json_string_value(json_object_get(e, "name"));
        s = s ? arena_printf(r->q->a, "%s; %s", s, name) : name;
    }
    return s;
}

static int notify(run *r)
{
    for (int i = 0; i < r->pb->nnotices; i++) {
        const lifeevent_notice *nt = &r->pb->notices[i];
        record *to = arena_alloc(r->q->a, sizeof(record) * MAX_PEOPLE);
        int n;
        if (targets(r, nt->target, to, MAX_PEOPLE, &n) != 0)
            return -1;
        for (int k = 0; k < n; k++) {
            long long hh = nt->target == LT_LEFT ? r->left_hh : nt->target == LT_HOUSEHOLD ? r->new_hh : 0;
            const char *offers = offers_line(r, to[k].id, hh);
            const char *body = offers ? arena_printf(r->q->a, "%s\n\nYou may be able to have: %s.", nt->body, offers)
                                      : nt->body;
            long long id;
            if (outbox_queue(r->c, r->q->council, &to[k], nt->subject, body, "life_event", r->event_id, r->q->a, &id) !=
                STORE_OK)
                return -1;
            if (!id)
                continue;
            json_t *e = effect(r, "notification_queued",
                               arena_printf(r->q->a, "A message to person %lld: \"%s\"", to[k].id, nt->subject));
            json_object_set_new(e, "notification_id", json_integer(id));
            json_object_set_new(e, "person_id", json_integer(to[k].id));
        }
    }
    return 0;
}

/* ---- checking the report ---- */

static int detail_known(const char *const *keys, const char *k)
{
    for (; *keys; keys++)
        if (!strcmp(*keys, k))
            return 1;
    return 0;
}

static long long detail_id(req *q, json_t *d, const char *k, int required, errlist *errs)
{
    json_t *v = json_object_get(d, k);
    if (!v) {
        if (required)
            errlist_add(errs, arena_printf(q->a, "details.%s", k), "is required for this event");
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        errlist_add(errs, arena_printf(q->a, "details.%s", k), "must be an id (a whole number from 1)");
        return 0;
    }
    return json_integer_value(v);
}

static int detail_bool(req *q, json_t *d, const char *k, int dflt, errlist *errs)
{
    json_t *v = json_object_get(d, k);
    if (!v)
        return dflt;
    if (!json_is_boolean(v)) {
        errlist_add(errs, arena_printf(q->a, "details.%s", k), "must be true or false");
        return dflt;
    }
    return json_is_true(v);
}

/* Loads person id into out; adds an error naming field if there is none (or they died). -1 on a database error. */
static int load_person(run *r, long long id, const char *field, record *out, errlist *errs)
{
    int rc = store_get(r->c, r->q->council, &person_def, id, r->q->a, out);
    if (rc == STORE_NOTFOUND) {
        errlist_add(errs, field, arena_printf(r->q->a, "no person has id %lld", id));
        return 0;
    }
    if (rc != STORE_OK)
        return -1;
    if (rec_str(out, "date_of_death") || rec_str(out, "erased_at"))
        errlist_add(errs, field, "this person has died or their data was erased");
    return 0;
}

/* The household changes: who moves, which household they leave and join. */
static int household_change(run *r, errlist *errs, int check_only)
{
    req *q = r->q;
    json_t *d = r->details;
    record mine;
    int rc = membership_of(r, r->per.id, &mine);
    if (rc < 0)
        return -1;
    r->old_hh = rc == 0 ? rec_int(&mine, "household_id") : 0;
    r->new_hh = r->old_hh;
    r->movers[0] = r->per.id;
    r->nmovers = 1;
    switch (r->pb->household) {
    case LH_NONE:
        return 0;
    case LH_LEAVE: {
        r->whole = detail_bool(q, d, "whole_household", 0, errs);
        if (r->whole && r->died)
            errlist_add(errs, "details.whole_household", "a death is one person's");
        if (!r->old_hh) {
            if (r->whole)
                errlist_add(errs, "details.whole_household", "this person lives in no household on record");
            r->new_hh = 0;
            return 0;
        }
        record *ms;
        int n;
        if (members_now(r, r->old_hh, 1, &ms, &n) != 0)
            return -1;
        if (r->whole)
            for (int i = 0; i < n && r->nmovers < MAX_PEOPLE; i++)
                if (rec_int(&ms[i], "person_id") != r->per.id)
                    r->movers[r->nmovers++] = rec_int(&ms[i], "person_id");
        if (check_only)
            return 0;
        for (int i = 0; i < n; i++)
            if (is_mover(r, rec_int(&ms[i], "person_id")) && end_membership(r, &ms[i], r->died ? r->date : r->before) != 0)
                return -1;
        r->left_hh = r->whole ? 0 : r->old_hh;
        r->new_hh = 0;
        return 0;
    }
    case LH_JOIN: {
        if (r->old_hh)
            errlist_add(errs, "person_id", arena_printf(q->a, "already lives in household %lld: report move_within or move_out", r->old_hh));
        long long prop = detail_id(q, d, "property_id", 0, errs), hh = detail_id(q, d, "household_id", 0, errs);
        if (!prop == !hh)
            errlist_add(errs, "details.property_id", "give the new home (property_id) or the household joined (household_id), not both");
        record x;
        if (prop && store_get(r->c, q->council, &property_def, prop, q->a, &x) == STORE_NOTFOUND)
            errlist_add(errs, "details.property_id", arena_printf(q->a, "no property has id %lld", prop));
        if (hh && store_get(r->c, q->council, &household_def, hh, q->a, &x) == STORE_NOTFOUND)
            errlist_add(errs, "details.household_id", arena_printf(q->a, "no household has id %lld", hh));
        json_t *members = json_object_get(d, "members");
        long long others[MAX_PEOPLE];
        const char *rels[MAX_PEOPLE];
        int no = 0;
        if (members && (!json_is_array(members) || json_array_size(members) > MAX_PEOPLE - 1 || hh))
            errlist_add(errs, "details.members", hh ? "only with property_id: they join the new household"
                                                    : "must be a list of at most 63 {person_id, relationship}");
        else
            for (size_t i = 0; members && i < json_array_size(members); i++) {
                json_t *m = json_array_get(members, i);
                const char *f = arena_printf(q->a, "details.members[%zu]", i);
                json_t *pid = json_object_get(m, "person_id");
                const char *rel = json_string_value(json_object_get(m, "relationship"));
                int rel_ok = 0;
                for (int k = 0; rel && relationship_choices[k]; k++)
                    rel_ok |= !strcmp(rel, relationship_choices[k]);
                if (!json_is_object(m) || !json_is_integer(pid) || !rel_ok || json_object_size(m) != 2) {
                    errlist_add(errs, f, "must be {person_id, relationship} with a known relationship");
                    continue;
                }
                record other, om;
                if (load_person(r, json_integer_value(pid), arena_printf(q->a, "%s.person_id", f), &other, errs) != 0)
                    return -1;
                if (membership_of(r, json_integer_value(pid), &om) == 0)
                    errlist_add(errs, arena_printf(q->a, "%s.person_id", f),
                                arena_printf(q->a, "already lives in household %lld", rec_int(&om, "household_id")));
                others[no] = json_integer_value(pid);
                rels[no++] = rel;
            }
        const char *rel = json_string_value(json_object_get(d, "relationship"));
        if (json_object_get(d, "relationship")) {
            int ok = 0;
            for (int k = 0; rel && relationship_choices[k]; k++)
                ok |= !strcmp(rel, relationship_choices[k]);
            if (!ok || !hh)
                errlist_add(errs, "details.relationship", hh ? "is not a known relationship" : "only with household_id");
        }
        if (check_only || errs->n)
            return 0;
        r->new_hh = hh ? hh : new_household(r, prop);
        if (r->new_hh < 0 || start_membership(r, r->new_hh, r->per.id, hh ? (rel ? rel : "other") : "head") != 0)
            return -1;
        for (int i = 0; i < no; i++) {
            if (start_membership(r, r->new_hh, others[i], rels[i]) != 0)
                return -1;
            r->movers[r->nmovers++] = others[i];
        }
        return 0;
    }
    case LH_MOVE: {
        long long prop = detail_id(q, d, "property_id", 1, errs);
        r->whole = detail_bool(q, d, "whole_household", 1, errs);
        if (!r->old_hh)
            errlist_add(errs, "person_id", "lives in no household on record: report move_in");
        record x;
        if (prop && store_get(r->c, q->council, &property_def, prop, q->a, &x) == STORE_NOTFOUND)
            errlist_add(errs, "details.property_id", arena_printf(q->a, "no property has id %lld", prop));
        record h;
        if (r->old_hh && prop && store_get(r->c, q->council, &household_def, r->old_hh, q->a, &h) == STORE_OK &&
            rec_int(&h, "property_id") == prop)
            errlist_add(errs, "details.property_id", "is the home they live in now");
        if (check_only || errs->n)
            return 0;
        record *ms;
        int n;
        if (members_now(r, r->old_hh, 1, &ms, &n) != 0)
            return -1;
        if (r->whole)
            for (int i = 0; i < n && r->nmovers < MAX_PEOPLE; i++)
                if (rec_int(&ms[i], "person_id") != r->per.id)
                    r->movers[r->nmovers++] = rec_int(&ms[i], "person_id");
        r->new_hh = new_household(r, prop);
        if (r->new_hh < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            long long pid = rec_int(&ms[i], "person_id");
            if (!is_mover(r, pid))
                continue;
            const char *rel = r->whole ? rec_str(&ms[i], "relationship") : "head";
            if (end_membership(r, &ms[i], r->before) != 0 || start_membership(r, r->new_hh, pid, rel) != 0)
                return -1;
        }
        r->left_hh = r->whole ? 0 : r->old_hh;
        return 0;
    }
    case LH_ADD_CHILD: {
        if (!r->old_hh)
            errlist_add(errs, "person_id", "the parent lives in no household on record: report move_in first");
        json_t *child = json_object_get(d, "child");
        long long cid = detail_id(q, d, "child_id", 0, errs);
        if (!child == !cid)
            errlist_add(errs, "details.child", "give the baby's names (child) or their record (child_id)");
        record kid;
        if (child) {
            if (!json_is_object(child)) {
                errlist_add(errs, "details.child", "must be an object: {given_name, family_name, middle_names}");
                return 0;
            }
            json_t *c2 = json_deep_copy(child);
            if (!json_object_get(c2, "family_name") && rec_str(&r->per, "family_name"))
                json_object_set_new(c2, "family_name", json_string(rec_str(&r->per, "family_name")));
            json_object_set_new(c2, "date_of_birth", json_string(r->date));
            int before = errs->n;
            static const char *const none[] = {NULL};
            jsonrec_read(c2, &person_def, "details.child.", none, q->a, &kid, errs);
            for (int i = 0; i < person_def.nfields; i++) {
                const char *f = person_def.fields[i].name;
                if (kid.v[i].set && strcmp(f, "given_name") && strcmp(f, "family_name") && strcmp(f, "middle_names") &&
                    strcmp(f, "date_of_birth"))
                    errlist_add(errs, arena_printf(q->a, "details.child.%s", f), "is not asked for here");
            }
            int vb = errs->n;
            record_validate(&kid, 1, q->a, errs);
            for (int k = vb; k < errs->n; k++)
                errs->e[k].field = arena_printf(q->a, "details.child.%s", errs->e[k].field);
            /* kid's strings live in c2: keep it until the request ends. */
            arena_on_free(q->a, decref, c2);
            if (errs->n != before)
                return 0;
        } else if (cid) {
            record om;
            if (load_person(r, cid, "details.child_id", &kid, errs) != 0)
                return -1;
            if (membership_of(r, cid, &om) == 0)
                errlist_add(errs, "details.child_id", arena_printf(q->a, "already lives in household %lld", rec_int(&om, "household_id")));
        }
        if (check_only || errs->n)
            return 0;
        if (child) {
            if (store_insert(r->c, q->council, &kid) != STORE_OK)
                return -1;
            json_t *e = effect(r, "person_created",
                               arena_printf(q->a, "A record for the baby (person %lld), born %s", kid.id, r->date));
            json_object_set_new(e, "person_id", json_integer(kid.id));
        }
        return start_membership(r, r->old_hh, kid.id, "child");
    }
    case LH_PARTNER_JOINS: {
        long long pid = detail_id(q, d, "partner_id", 1, errs);
        int moves = detail_bool(q, d, "partner_moves_in", 1, errs);
        if (!r->old_hh && moves)
            errlist_add(errs, "person_id", "lives in no household on record: report move_in first");
        if (pid == r->per.id)
            errlist_add(errs, "details.partner_id", "is the person themselves");
        record partner, pm;
        if (pid && pid != r->per.id && load_person(r, pid, "details.partner_id", &partner, errs) != 0)
            return -1;
        if (check_only || errs->n || !pid || !moves)
            return 0;
        int has = membership_of(r, pid, &pm);
        if (has < 0)
            return -1;
        if (has == 0 && rec_int(&pm, "household_id") == r->old_hh)
            return 0; /* they live together already */
        if (has == 0) {
            if (end_membership(r, &pm, r->before) != 0)
                return -1;
            r->left_hh = rec_int(&pm, "household_id");
        }
        audit_person(q, pid);
        return start_membership(r, r->old_hh, pid, "partner");
    }
    }
    return 0;
}

/* The details keys each kind of playbook reads. */
static const char *const *details_keys(const playbook *pb)
{
    static const char *const base[] = {"note", NULL};
    static const char *const disab[] = {"note", "accessibility_needs", NULL};
    static const char *const leave[] = {"note", "whole_household", "forwarding_address", NULL};
    static const char *const join[] = {"note", "property_id", "household_id", "members", "relationship", NULL};
    static const char *const move[] = {"note", "property_id", "whole_household", NULL};
    static const char *const child[] = {"note", "child", "child_id", NULL};
    static const char *const partner[] = {"note", "partner_id", "partner_moves_in", NULL};
    static const char *const carer[] = {"note", "cared_for_id", NULL};
    if (pb->record && !strcmp(pb->record, "accessibility_needs"))
        return disab;
    switch (pb->household) {
    case LH_LEAVE: return leave;
    case LH_JOIN: return join;
    case LH_MOVE: return move;
    case LH_ADD_CHILD: return child;
    case LH_PARTNER_JOINS: return partner;
    default: return !strcmp(pb->type, "becoming_carer") ? carer : base;
    }
}

/* Reads and checks the report; fills r. 0 if it is good (or errs has why), -1 on a database error. */
static int read_report(run *r, errlist *errs)
{
    req *q = r->q;
    static const char *const fields[] = {"person_id", "type", "event_date", "channel", "details", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(q->json, k, v)
    {
        if (!detail_known(fields, k))
            errlist_add(errs, arena_strdup(q->a, k), "is not a field of a life event (person_id, type, event_date, channel, details)");
    }
    json_t *pid = json_object_get(q->json, "person_id");
    const char *type = json_string_value(json_object_get(q->json, "type"));
    const char *date = json_string_value(json_object_get(q->json, "event_date"));
    json_t *ch = json_object_get(q->json, "channel");
    r->details = json_object_get(q->json, "details");
    if (!pid)
        errlist_add(errs, "person_id", "is required: whom it happened to (for a birth, a parent)");
    else if (!json_is_integer(pid) || json_integer_value(pid) < 1)
        errlist_add(errs, "person_id", "must be a person's id");
    r->pb = lifeevent_find(q->cat->life, type);
    if (!r->pb) {
        const char *known = "";
        for (int i = 0; q->cat->life && i < q->cat->life->n; i++)
            known = arena_printf(q->a, "%s%s%s", known, i ? ", " : "", q->cat->life->items[i].type);
        errlist_add(errs, "type", arena_printf(q->a, "must be one of: %s", known));
    }
    if (!date || !time_valid_date(date))
        errlist_add(errs, "event_date", "is required: the date it happened, YYYY-MM-DD");
    else if (strcmp(date, r->today) > 0)
        errlist_add(errs, "event_date", "may not be in the future: tell us on or after the day");
    if (ch) {
        int ok = 0;
        for (int i = 0; json_is_string(ch) && contact_channel_choices[i]; i++)
            ok |= !strcmp(json_string_value(ch), contact_channel_choices[i]);
        if (!ok)
            errlist_add(errs, "channel", "must be how we were told: phone, face_to_face, web, email, sms, web_chat, post ...");
    }
    if (r->details && !json_is_object(r->details))
        errlist_add(errs, "details", "must be an object");
    if (errs->n)
        return 0;
    const char *const *keys = details_keys(r->pb);
    json_object_foreach(r->details, k, v)
    {
        if (!detail_known(keys, k))
            errlist_add(errs, arena_printf(q->a, "details.%s", k), arena_printf(q->a, "is not used by the %s playbook", r->pb->type));
    }
    json_t *note = json_object_get(r->details, "note");
    if (note && (!json_is_string(note) || json_string_length(note) > 400))
        errlist_add(errs, "details.note", "must be text of at most 400 characters");
    r->date = date;
    lifeevent_add_days(date, -1, r->before);
    int rc = store_get(r->c, q->council, &person_def, json_integer_value(pid), q->a, &r->per);
    if (rc == STORE_NOTFOUND)
        errlist_add(errs, "person_id", arena_printf(q->a, "no person has id %lld", (long long)json_integer_value(pid)));
    else if (rc != STORE_OK)
        return -1;
    return 0;
}

/* The checks that need the playbook and the records, after the same
 * report has been looked for. 0 (errs says what is wrong), -1 on a database error. */
static int check_report(run *r, errlist *errs)
{
    req *q = r->q;
    const char *date = r->date;
    if (rec_str(&r->per, "date_of_death") || rec_str(&r->per, "erased_at")) {
        errlist_add(errs, "person_id", rec_str(&r->per, "erased_at") ? "this person's data was erased"
                                                                      : arena_printf(q->a, "this person died on %s", rec_str(&r->per, "date_of_death")));
        return 0;
    }
    const char *dob = rec_str(&r->per, "date_of_birth");
    if (dob && strcmp(date, dob) < 0)
        errlist_add(errs, "event_date", arena_printf(q->a, "is before the person was born (%s)", dob));
    if (r->pb->age >= 0 && lifeevent_age_on(dob, date) != r->pb->age)
        errlist_add(errs, "event_date",
                    dob ? arena_printf(q->a, "the person (born %s) is not %d on this date", dob, r->pb->age)
                        : arena_printf(q->a, "we do not know the person's date of birth, so cannot tell they are %d", r->pb->age));
    if (r->pb->record && !strcmp(r->pb->record, "accessibility_needs")) {
        json_t *need = json_object_get(r->details, "accessibility_needs");
        if (!(q->who.categories & CAT_HEALTH))
            errlist_add(errs, "details.accessibility_needs", "your role may not record health information");
        else if (!json_is_string(need) || !json_string_length(need) || json_string_length(need) > 1000)
            errlist_add(errs, "details.accessibility_needs", "is required: what the person now needs (at most 1000 characters)");
    }
    if (!strcmp(r->pb->type, "becoming_carer") && json_object_get(r->details, "cared_for_id")) {
        record cared;
        long long cid = detail_id(q, r->details, "cared_for_id", 0, errs);
        if (cid && load_person(r, cid, "details.cared_for_id", &cared, errs) != 0)
            return -1;
    }
    r->died = r->pb->record && !strcmp(r->pb->record, "date_of_death");
    return household_change(r, errs, 1);
}

/* ---- the life event as JSON ---- */

static json_t *event_json(req *q, store_conn *c, const record *ev, int with_tasks)
{
    json_t *o = jsonrec_write(ev, q->who.categories);
    const char *d = rec_str(ev, "details"), *fx = rec_str(ev, "effects");
    json_t *dj = d ? json_loads(d, 0, NULL) : NULL, *fj = fx ? json_loads(fx, 0, NULL) : NULL;
    if (!fj)
        fj = json_array();
    /* Health details are shown only to roles that may see them. */
    if (!(q->who.categories & CAT_HEALTH)) {
        if (dj)
            json_object_del(dj, "accessibility_needs");
        size_t i;
        json_t *e;
        json_array_foreach(fj, i, e)
        {
            if (json_is_true(json_object_get(e, "sensitive"))) {
                json_object_del(e, "old");
                json_object_del(e, "new");
            }
        }
    }
    json_object_set_new(o, "details", dj ? dj : json_object());
    json_object_set_new(o, "effects", fj);
    const playbook *pb = lifeevent_find(q->cat->life, rec_str(ev, "type"));
    json_object_set_new(o, "name", pb ? json_string(pb->name) : json_null());
    if (with_tasks && c) {
        record *ts;
        int n;
        json_t *tl = json_array();
        if (store_list(c, q->council, &task_def, "life_event_id", ev->id, 0, MAX_ROWS, q->a, &ts, &n) == STORE_OK)
            for (int i = 0; i < n; i++)
                json_array_append_new(tl, jsonrec_write(&ts[i], q->who.categories));
        json_object_set_new(o, "tasks", tl);
    }
    return o;
}

/* An applied report of the same person, type and date, if any (0 found, 1 none, -1 error). */
static int earlier(req *q, store_conn *c, long long pid, const char *type, const char *date, record *out)
{
    record *evs;
    int n;
    if (store_list(c, q->council, &life_event_def, "person_id", pid, 0, MAX_ROWS, q->a, &evs, &n) != STORE_OK)
        return -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(rec_str(&evs[i], "type"), type) && !strcmp(rec_str(&evs[i], "event_date"), date) &&
            !strcmp(rec_str(&evs[i], "status"), "applied")) {
            *out = evs[i];
            return 0;
        }
    return 1;
}

static void answer_earlier(req *q, resp *p, store_conn *c, const record *ev, int preview)
{
    json_t *o = event_json(q, c, ev, 1);
    json_object_set_new(o, "already_reported", json_true());
    json_object_set_new(o, "preview", json_boolean(preview));
    audit_person(q, rec_int(ev, "person_id"));
    resp_json(p, 200, o);
    json_decref(o);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/life-events/%lld", ev->id));
}

static int apply(run *r)
{
    static const lifeevent_verb order[] = {LE_END, LE_CHANGE, LE_CARRY, LE_START, LE_REVIEW, LE_OFFER};
    const playbook *pb = r->pb;
    /* What the rules said before anything changed; then the household: who
     * lives where is read before anyone is recorded as dead. */
    errlist errs = {.n = 0};
    if (note_held(r) != 0 || household_change(r, &errs, 0) != 0 || errs.n)
        return -1;
    if (pb->record) {
        const char *v = !strcmp(pb->record, "date_of_death")
                            ? r->date
                            : json_string_value(json_object_get(r->details, "accessibility_needs"));
        if (set_person_field(r, pb->record, v, strcmp(pb->record, "date_of_death") != 0) != 0)
            return -1;
        if (r->died && cancel_notifications(r) != 0)
            return -1;
    }
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
        for (int i = 0; i < pb->neffects; i++) {
            const lifeevent_effect *fx = &pb->effects[i];
            if (fx->verb != order[o])
                continue;
            int rc = fx->verb == LE_END ? do_end(r, fx) : fx->verb == LE_CHANGE ? do_change(r, fx)
                   : fx->verb == LE_CARRY ? do_carry(r, fx) : fx->verb == LE_START ? do_start(r, fx)
                   : fx->verb == LE_REVIEW ? do_review(r, fx) : do_offer(r, fx);
            if (rc != 0)
                return -1;
        }
        /* After the services that end or move: a household nobody lives in any more keeps none. */
        if (order[o] == LE_CARRY && r->old_hh && r->old_hh != r->new_hh && review_household(r, r->old_hh, NULL) != 0)
            return -1;
    }
    return make_tasks(r) || notify(r) ? -1 : 0;
}

/* A resident reports for themselves or someone in their household, and
 * names no one else in the details (a partner from elsewhere, someone
 * moving in, a household to join: they tell us by phone or face to face).
 * Answers 403 itself, naming the field. 0 if they may. */
static int resident_may_or_fail(run *r, resp *p)
{
    req *q = r->q;
    errlist errs = {.n = 0};
    if (!auth_resident_may(q, OWN_PERSON, r->per.id))
        errlist_add(&errs, "person_id", "a resident may report only for themselves or someone in their household");
    static const char *const refs[] = {"partner_id", "child_id", "cared_for_id", NULL};
    for (int i = 0; refs[i]; i++) {
        json_t *v = json_object_get(r->details, refs[i]);
        if (json_is_integer(v) && !auth_resident_may(q, OWN_PERSON, json_integer_value(v)))
            errlist_add(&errs, arena_printf(q->a, "details.%s", refs[i]), "is not someone in your household: please call us");
    }
    if (json_object_get(r->details, "household_id"))
        errlist_add(&errs, "details.household_id", "joining another household is told by phone or face to face");
    json_t *ms = json_object_get(r->details, "members");
    for (size_t i = 0; json_is_array(ms) && i < json_array_size(ms); i++) {
        json_t *v = json_object_get(json_array_get(ms, i), "person_id");
        if (json_is_integer(v) && !auth_resident_may(q, OWN_PERSON, json_integer_value(v)))
            errlist_add(&errs, arena_printf(q->a, "details.members[%zu].person_id", i),
                        "is not someone in your household: please call us");
    }
    if (!errs.n)
        return 0;
    resp_problem(p, 403, "Not allowed", "Nothing was changed.", &errs);
    audit_person(q, r->per.id);
    audit_queue(q, "denied", 403);
    return -1;
}

/* POST /api/v1/life-events[?preview=true] */
static int report(req *q, resp *p, store_conn *c)
{
    const char *pv = req_query(q, "preview");
    errlist errs = {.n = 0};
    if (pv && strcmp(pv, "true") && strcmp(pv, "false")) {
        errlist_add(&errs, "preview", "must be true or false");
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return 0;
    }
    int preview = pv && !strcmp(pv, "true");
    run *r = arena_alloc(q->a, sizeof *r);
    r->q = q;
    r->c = c;
    time_today(r->today);
    if (read_report(r, &errs) != 0)
        return api_store_error_or_fail(p, c);
    if (!errs.n && q->who.role == ROLE_RESIDENT && resident_may_or_fail(r, p) != 0)
        return 0;
    record ev;
    int rc = errs.n ? 1 : earlier(q, c, r->per.id, r->pb->type, r->date, &ev);
    if (rc < 0)
        return api_store_error_or_fail(p, c);
    if (rc == 0) {
        answer_earlier(q, p, c, &ev, preview);
        return 0;
    }
    if (!errs.n && check_report(r, &errs) != 0)
        return api_store_error_or_fail(p, c);
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    r->effects = json_array();
    r->offered = json_array();
    arena_on_free(q->a, decref, r->effects);
    arena_on_free(q->a, decref, r->offered);
    record_init(&ev, &life_event_def);
    rec_set_int(&ev, "person_id", r->per.id);
    rec_set_str(&ev, "type", r->pb->type);
    rec_set_str(&ev, "event_date", r->date);
    const char *ch = q->who.role == ROLE_RESIDENT ? "web" : json_string_value(json_object_get(q->json, "channel"));
    rec_set_str(&ev, "channel", ch ? ch : "phone");
    /* Names and health needs live on the people's records (where erasure
     * finds them), not in the stored details. */
    json_t *kept = r->details ? json_copy(r->details) : NULL;
    if (kept && json_object_get(kept, "child"))
        json_object_set_new(kept, "child", json_string("(on the baby's record)"));
    if (kept && json_object_get(kept, "accessibility_needs"))
        json_object_set_new(kept, "accessibility_needs", json_string("(on the person's record)"));
    char *dt = kept ? json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(kept);
    ev.v[entity_field(&life_event_def, "details")] = (field_val){.set = 1, .s = arena_strdup(q->a, dt ? dt : "{}")};
    free(dt);
    rec_set_str(&ev, "status", "applied");
    ev.v[entity_field(&life_event_def, "effects")] = (field_val){.set = 1, .s = "[]"};
    ev.v[entity_field(&life_event_def, "reported_by")] = (field_val){.set = 1, .i = q->who.id};
    rc = store_insert(c, q->council, &ev);
    if (rc == STORE_DUPLICATE) { /* the same report, at the same moment, won */
        if (earlier(q, c, r->per.id, r->pb->type, r->date, &ev) != 0)
            return api_store_error_or_fail(p, c);
        answer_earlier(q, p, c, &ev, preview);
        return 0;
    }
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    r->event_id = ev.id;
    audit_person(q, r->per.id);
    if (apply(r) != 0)
        return api_store_error_or_fail(p, c);
    const char *why = arena_printf(q->a, "told us of %s", r->pb->name);
    if (api_contact_log(q, c, rec_str(&ev, "channel"), "transaction", NULL, why, r->per.id, 1) != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *ce = effect(r, "contact_logged", arena_printf(q->a, "One contact logged: %s", why));
    json_object_set_new(ce, "person_id", json_integer(r->per.id));
    char *fx = json_dumps(r->effects, JSON_COMPACT);
    if (!fx || strlen(fx) > MAX_EFFECTS_TEXT) {
        free(fx);
        resp_problem(p, 413, "Too large", "This event touches too many records to apply at once.", NULL);
        return 0;
    }
    ev.v[entity_field(&life_event_def, "effects")] = (field_val){.set = 1, .s = arena_strdup(q->a, fx)};
    free(fx);
    if (store_update(c, q->council, &ev, ev.version) != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *o = event_json(q, c, &ev, 0);
    json_object_set_new(o, "preview", json_boolean(preview));
    json_object_set_new(o, "already_reported", json_false());
    if (preview) {
        /* Shown, not done: the caller's transaction is rolled back. */
        json_object_set_new(o, "id", json_null());
        json_object_set_new(o, "note", json_string("A preview: nothing has been changed. POST again without preview=true to apply it."));
        resp_json(p, 200, o);
        json_decref(o);
        audit_queue(q, "preview", 200);
        return 0;
    }
    resp_json(p, 201, o);
    json_decref(o);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/life-events/%lld", ev.id));
    return 0;
}

int api_life_event_create(req *q, resp *p)
{
    return api_create_idempotent(q, p, report);
}

int api_life_event_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record ev;
    if (!c || api_load_or_fail(q, p, c, &life_event_def, &ev) != 0)
        return 0;
    audit_person(q, rec_int(&ev, "person_id"));
    json_t *o = event_json(q, c, &ev, 1);
    resp_json(p, 200, o);
    json_decref(o);
    resp_header(p, "ETag", jsonrec_etag(&ev, q->a));
    return 0;
}

int api_person_life_events(req *q, resp *p)
{
    record *rows;
    int n, limit;
    if (api_person_rows_or_fail(q, p, &life_event_def, &rows, &n, &limit) != 0)
        return 0;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, event_json(q, NULL, &rows[i], 0));
    api_page(q, p, items, rows, n, limit);
    return 0;
}

/* ---- reversal ---- */

typedef struct {
    req *q;
    store_conn *c;
    json_t *restored, *needs;
} undo;

static void undone(undo *u, json_t *e, const char *what)
{
    json_array_append_new(u->restored, json_pack("{s:s, s:s}", "kind", json_string_value(json_object_get(e, "kind")),
                                                 "description", what));
}

static void needs_person(undo *u, json_t *e, const char *why)
{
    json_array_append_new(u->needs, json_pack("{s:s, s:s, s:s}", "kind", json_string_value(json_object_get(e, "kind")),
                                              "description", json_string_value(json_object_get(e, "description")),
                                              "why", why));
}

/* Loads row id of d; 1 if it is gone. */
static int load_row(undo *u, const entity_def *d, json_t *e, const char *key, record *out)
{
    int rc = store_get(u->c, u->q->council, d, json_integer_value(json_object_get(e, key)), u->q->a, out);
    return rc == STORE_OK ? 0 : rc == STORE_NOTFOUND ? 1 : -1;
}

static int same(const char *a, json_t *b)
{
    return json_is_null(b) || !b ? a == NULL : a && !strcmp(a, json_string_value(b));
}

/* Puts field back to old if it still holds the value set; else a person must look. */
static int restore_field(undo *u, json_t *e, record *r, const char *field, json_t *set_to, json_t *old, const char *what)
{
    if (!same(rec_str(r, field), set_to)) {
        needs_person(u, e, arena_printf(u->q->a, "%s has changed since; check it by hand", field));
        return 0;
    }
    rec_set_str(r, field, json_is_string(old) ? arena_strdup(u->q->a, json_string_value(old)) : NULL);
    if (store_update(u->c, u->q->council, r, r->version) != STORE_OK)
        return -1;
    undone(u, e, what);
    return 0;
}

static int has_rows(undo *u, const entity_def *d, const char *field, long long id)
{
    record *rows;
    int n;
    if (store_list(u->c, u->q->council, d, field, id, 0, 1, u->q->a, &rows, &n) != STORE_OK)
        return -1;
    return n > 0;
}

static int undo_one(undo *u, json_t *e)
{
    req *q = u->q;
    const char *kind = json_string_value(json_object_get(e, "kind"));
    record r;
    int rc;
    if (!strcmp(kind, "person_recorded")) {
        if ((rc = load_row(u, &person_def, e, "person_id", &r)) != 0)
            return rc < 0 ? -1 : (needs_person(u, e, "the person's record is gone"), 0);
        const char *field = json_string_value(json_object_get(e, "field"));
        audit_person(q, r.id);
        return restore_field(u, e, &r, field, json_object_get(e, "new"), json_object_get(e, "old"),
                             arena_printf(q->a, "%s put back on person %lld's record", field, r.id));
    }
    if (!strcmp(kind, "notification_cancelled") || !strcmp(kind, "notification_queued")) {
        if ((rc = load_row(u, &notification_def, e, "notification_id", &r)) != 0)
            return rc < 0 ? -1 : 0;
        int fi = entity_field(&notification_def, "status"), ei = entity_field(&notification_def, "last_error");
        int was_cancelled = !strcmp(kind, "notification_cancelled");
        const char *st = rec_str(&r, "status"), *le = rec_str(&r, "last_error");
        if (was_cancelled && !strcmp(st, "failed") && le && !strcmp(le, CANCELLED_DEATH)) {
            r.v[fi] = (field_val){.set = 1, .s = "queued"};
            r.v[ei] = (field_val){.set = 1, .null = 1};
        } else if (!was_cancelled && !strcmp(st, "queued")) {
            r.v[fi] = (field_val){.set = 1, .s = "failed"};
            r.v[ei] = (field_val){.set = 1, .s = CANCELLED_REVERSED};
        } else {
            if (!was_cancelled && !strcmp(st, "sent"))
                needs_person(u, e, "this message has already been sent: contact them to put it right");
            return 0;
        }
        if (store_update(u->c, q->council, &r, r.version) != STORE_OK)
            return -1;
        undone(u, e, was_cancelled ? arena_printf(q->a, "Message %lld will be sent after all", r.id)
                                   : arena_printf(q->a, "Message %lld will not be sent", r.id));
        return 0;
    }
    if (!strcmp(kind, "membership_ended")) {
        if ((rc = load_row(u, &member_def, e, "member_id", &r)) != 0)
            return rc < 0 ? -1 : (needs_person(u, e, "the membership is gone"), 0);
        return restore_field(u, e, &r, "to_date", json_object_get(e, "to_date"), json_object_get(e, "old_to_date"),
                             arena_printf(q->a, "Person %lld lives in household %lld again", rec_int(&r, "person_id"),
                                          rec_int(&r, "household_id")));
    }
    if (!strcmp(kind, "enrolment_ended")) {
        if ((rc = load_row(u, &enrolment_def, e, "enrolment_id", &r)) != 0)
            return rc < 0 ? -1 : (needs_person(u, e, "the enrolment is gone"), 0);
        audit_person(q, rec_int(&r, "person_id"));
        return restore_field(u, e, &r, "end_date", json_object_get(e, "end_date"), json_object_get(e, "old_end_date"),
                             arena_printf(q->a, "%s carries on as before", rec_str(&r, "service")));
    }
    if (!strcmp(kind, "enrolment_started") || !strcmp(kind, "membership_started")) {
        int enrol = !strcmp(kind, "enrolment_started");
        const entity_def *d = enrol ? &enrolment_def : &member_def;
        if ((rc = load_row(u, d, e, enrol ? "enrolment_id" : "member_id", &r)) != 0)
            return rc < 0 ? -1 : 0;
        if (store_delete(u->c, q->council, d, r.id) != STORE_OK)
            return -1;
        audit_person(q, rec_int(&r, "person_id"));
        undone(u, e, enrol ? arena_printf(q->a, "%s, started by mistake, is removed", rec_str(&r, "service"))
                           : arena_printf(q->a, "Person %lld no longer listed in household %lld", rec_int(&r, "person_id"),
                                          rec_int(&r, "household_id")));
        return 0;
    }
    if (!strcmp(kind, "household_created")) {
        long long hh = json_integer_value(json_object_get(e, "household_id"));
        int a = has_rows(u, &member_def, "household_id", hh), b = has_rows(u, &enrolment_def, "household_id", hh);
        if (a < 0 || b < 0)
            return -1;
        if (a || b) {
            needs_person(u, e, "someone else has been added to this household since: check it by hand");
            return 0;
        }
        if (store_delete(u->c, q->council, &household_def, hh) != STORE_OK)
            return -1;
        undone(u, e, arena_printf(q->a, "Household %lld, made by mistake, is removed", hh));
        return 0;
    }
    if (!strcmp(kind, "person_created")) {
        needs_person(u, e, "a record was made for the baby: if there is no such child, ask the data-protection officer to erase it");
        return 0;
    }
    if (!strcmp(kind, "task")) {
        if ((rc = load_row(u, &task_def, e, "task_id", &r)) != 0)
            return rc < 0 ? -1 : 0;
        const char *st = rec_str(&r, "status");
        if (!strcmp(st, "done")) {
            needs_person(u, e, arena_printf(q->a, "the %s team has already done this: ask them to undo it", rec_str(&r, "team")));
            return 0;
        }
        if (!strcmp(st, "cancelled"))
            return 0;
        r.v[entity_field(&task_def, "status")] = (field_val){.set = 1, .s = "cancelled"};
        if (store_update(u->c, q->council, &r, r.version) != STORE_OK)
            return -1;
        undone(u, e, arena_printf(q->a, "The %s team's task is cancelled", rec_str(&r, "team")));
        return 0;
    }
    return 0; /* offers, services kept or not carried, the contact: nothing to undo */
}

/* POST /api/v1/life-events/{id}/reverse {reason} */
static int reverse(req *q, resp *p, store_conn *c)
{
    errlist errs = {.n = 0};
    const char *k;
    json_t *v;
    json_object_foreach(q->json, k, v)
    {
        if (strcmp(k, "reason"))
            errlist_add(&errs, arena_strdup(q->a, k), "is not a field of a reversal (reason)");
    }
    const char *reason = json_string_value(json_object_get(q->json, "reason"));
    if (!reason || !*reason || json_string_length(json_object_get(q->json, "reason")) > 400)
        errlist_add(&errs, "reason", "is required: why the report was wrong (at most 400 characters)");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    record ev;
    if (api_load_or_fail(q, p, c, &life_event_def, &ev) != 0)
        return 0;
    audit_person(q, rec_int(&ev, "person_id"));
    if (strcmp(rec_str(&ev, "status"), "applied")) {
        resp_problem(p, 409, "Already reversed",
                     arena_printf(q->a, "Life event %lld was reversed at %s.", ev.id, rec_str(&ev, "reversed_at")), NULL);
        return 0;
    }
    json_t *fx = json_loads(rec_str(&ev, "effects") ? rec_str(&ev, "effects") : "[]", 0, NULL);
    if (!json_is_array(fx)) {
        json_decref(fx);
        resp_problem(p, 500, "Unreadable effects", "This life event's effects cannot be read.", NULL);
        return 0;
    }
    undo u = {.q = q, .c = c, .restored = json_array(), .needs = json_array()};
    int rc = 0;
    for (size_t i = json_array_size(fx); i-- > 0 && rc == 0;)
        rc = undo_one(&u, json_array_get(fx, i));
    json_decref(fx);
    if (rc != 0) {
        json_decref(u.restored);
        json_decref(u.needs);
        return api_store_error_or_fail(p, c);
    }
    char now[21];
    time_now_iso(now);
    ev.v[entity_field(&life_event_def, "status")] = (field_val){.set = 1, .s = "reversed"};
    ev.v[entity_field(&life_event_def, "reversed_at")] = (field_val){.set = 1, .s = arena_strdup(q->a, now)};
    ev.v[entity_field(&life_event_def, "reversal_reason")] = (field_val){.set = 1, .s = reason};
    record per;
    int ok = store_update(c, q->council, &ev, ev.version) == STORE_OK &&
             store_get(c, q->council, &person_def, rec_int(&ev, "person_id"), q->a, &per) == STORE_OK &&
             api_contact_log(q, c, "phone", "transaction", NULL,
                             arena_printf(q->a, "reversed life event %lld: %s", ev.id, reason), per.id, 1) == STORE_OK;
    const playbook *pb = lifeevent_find(q->cat->life, rec_str(&ev, "type"));
    if (ok && pb && pb->record && !strcmp(pb->record, "date_of_death") && !rec_str(&per, "date_of_death"))
        ok = outbox_queue(c, q->council, &per, "We are sorry",
                          "We were wrongly told that you had died, and we have put your council services and records "
                          "back as they were. We are sorry for the distress this may have caused. If anything is still "
                          "wrong, please call us.",
                          "life_event", ev.id, q->a, NULL) == STORE_OK;
    if (!ok) {
        json_decref(u.restored);
        json_decref(u.needs);
        return api_store_error_or_fail(p, c);
    }
    json_t *o = event_json(q, c, &ev, 1);
    json_object_set_new(o, "restored", u.restored);
    json_object_set_new(o, "needs_person", u.needs);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

int api_life_event_reverse(req *q, resp *p)
{
    int rc = api_create_idempotent(q, p, reverse);
    if (p->status == 201)
        p->status = 200; /* committed: a change to an existing event, not a new one */
    return rc;
}

/* ---- team tasks ---- */

static int task_overdue(const record *t, const char *today)
{
    const char *st = rec_str(t, "status");
    return (!strcmp(st, "open") || !strcmp(st, "claimed")) && strcmp(rec_str(t, "due_date"), today) < 0;
}

static json_t *task_json(req *q, const record *t)
{
    char today[11];
    time_today(today);
    json_t *o = jsonrec_write(t, q->who.categories);
    json_object_set_new(o, "overdue", json_boolean(task_overdue(t, today)));
    return o;
}

int api_tasks_list(req *q, resp *p)
{
    long long after;
    if (api_cursor_or_fail(q, p, &after) != 0)
        return 0;
    const char *ls = req_query(q, "limit"), *team = req_query(q, "team"), *status = req_query(q, "status"),
               *od = req_query(q, "overdue");
    int limit = ls ? (int)strtol(ls, NULL, 10) : 50;
    errlist errs = {.n = 0};
    int status_ok = !status;
    for (int i = 0; status && task_status_choices[i]; i++)
        status_ok |= !strcmp(status, task_status_choices[i]);
    if (!status_ok)
        errlist_add(&errs, "status", "must be one of: open, claimed, done, cancelled");
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
        rc = store_list_text(c, q->council, &task_def, "team", team, after, limit, q->a, &rows, &n);
    else if (status)
        rc = store_list_text(c, q->council, &task_def, "status", status, after, limit, q->a, &rows, &n);
    else
        rc = store_list(c, q->council, &task_def, NULL, 0, after, limit, q->a, &rows, &n);
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    char today[11];
    time_today(today);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        if (team && status && strcmp(rec_str(&rows[i], "status"), status))
            continue;
        if (od && (strcmp(od, "true") == 0) != task_overdue(&rows[i], today))
            continue;
        if (rec_int(&rows[i], "person_id"))
            audit_person(q, rec_int(&rows[i], "person_id"));
        json_array_append_new(items, task_json(q, &rows[i]));
    }
    api_page(q, p, items, rows, n, limit);
    return 0;
}

/* Loads task {id} for a change by the caller; answers 403/404 itself. */
static int task_for_change_or_fail(req *q, resp *p, store_conn *c, record *t)
{
    if (api_load_or_fail(q, p, c, &task_def, t) != 0)
        return -1;
    if (rec_int(t, "person_id"))
        audit_person(q, rec_int(t, "person_id"));
    if (q->who.role == ROLE_BACK_OFFICE && (!q->who.department || strcmp(q->who.department, rec_str(t, "team")))) {
        resp_problem(p, 403, "Not allowed",
                     arena_printf(q->a, "This is the %s team's task; you work in %s.", rec_str(t, "team"),
                                  q->who.department ? q->who.department : "no department"),
                     NULL);
        return -1;
    }
    return 0;
}

static int claim(req *q, resp *p, store_conn *c)
{
    record t;
    if (task_for_change_or_fail(q, p, c, &t) != 0)
        return 0;
    const char *st = rec_str(&t, "status");
    if (!strcmp(st, "claimed") && rec_int(&t, "claimed_by") == q->who.id) {
        json_t *o = task_json(q, &t);
        resp_json(p, 201, o); /* claimed already, by them: nothing changes */
        json_decref(o);
        return 0;
    }
    if (strcmp(st, "open")) {
        resp_problem(p, 409, "Cannot claim",
                     !strcmp(st, "claimed") ? arena_printf(q->a, "Task %lld is already claimed by %lld.", t.id, rec_int(&t, "claimed_by"))
                                            : arena_printf(q->a, "Task %lld is %s.", t.id, st),
                     NULL);
        return 0;
    }
    char now[21];
    time_now_iso(now);
    t.v[entity_field(&task_def, "status")] = (field_val){.set = 1, .s = "claimed"};
    t.v[entity_field(&task_def, "claimed_by")] = (field_val){.set = 1, .i = q->who.id};
    t.v[entity_field(&task_def, "claimed_at")] = (field_val){.set = 1, .s = arena_strdup(q->a, now)};
    int rc = store_update(c, q->council, &t, t.version);
    if (rc == STORE_CONFLICT) {
        resp_problem(p, 409, "Cannot claim", "Someone else changed this task just now; look again.", NULL);
        return 0;
    }
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *o = task_json(q, &t);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

int api_task_claim(req *q, resp *p)
{
    int rc = api_create_idempotent(q, p, claim);
    if (p->status == 201)
        p->status = 200;
    return rc;
}

static int complete(req *q, resp *p, store_conn *c)
{
    errlist errs = {.n = 0};
    const char *k;
    json_t *v;
    json_object_foreach(q->json, k, v)
    {
        if (strcmp(k, "note"))
            errlist_add(&errs, arena_strdup(q->a, k), "is not a field here (note)");
    }
    json_t *nj = json_object_get(q->json, "note");
    if (nj && (!json_is_string(nj) || json_string_length(nj) > 1000))
        errlist_add(&errs, "note", "must be text of at most 1000 characters");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    record t;
    if (task_for_change_or_fail(q, p, c, &t) != 0)
        return 0;
    const char *st = rec_str(&t, "status");
    if (!strcmp(st, "done") || !strcmp(st, "cancelled")) {
        resp_problem(p, 409, "Cannot complete", arena_printf(q->a, "Task %lld is already %s.", t.id, st), NULL);
        return 0;
    }
    if (!strcmp(st, "claimed") && rec_int(&t, "claimed_by") != q->who.id && q->who.role != ROLE_TEAM_LEADER &&
        q->who.role != ROLE_ADMIN) {
        resp_problem(p, 409, "Cannot complete",
                     arena_printf(q->a, "Task %lld is claimed by %lld; only they or a team leader may complete it.",
                                  t.id, rec_int(&t, "claimed_by")),
                     NULL);
        return 0;
    }
    char now[21];
    time_now_iso(now);
    t.v[entity_field(&task_def, "status")] = (field_val){.set = 1, .s = "done"};
    t.v[entity_field(&task_def, "completed_at")] = (field_val){.set = 1, .s = arena_strdup(q->a, now)};
    if (!rec_int(&t, "claimed_by")) {
        t.v[entity_field(&task_def, "claimed_by")] = (field_val){.set = 1, .i = q->who.id};
        t.v[entity_field(&task_def, "claimed_at")] = (field_val){.set = 1, .s = arena_strdup(q->a, now)};
    }
    if (nj)
        rec_set_str(&t, "note", json_string_value(nj));
    int rc = store_update(c, q->council, &t, t.version);
    if (rc == STORE_CONFLICT) {
        resp_problem(p, 409, "Cannot complete", "Someone else changed this task just now; look again.", NULL);
        return 0;
    }
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *o = task_json(q, &t);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

int api_task_complete(req *q, resp *p)
{
    int rc = api_create_idempotent(q, p, complete);
    if (p->status == 201)
        p->status = 200;
    return rc;
}
