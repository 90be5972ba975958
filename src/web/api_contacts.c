/* api_contacts.c: every contact logged, on any channel, with its cost. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/entities.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/routes.h"

/* Fills what the server sets on a contact: who logged it, its cost, and
 * started_at (now) and direction (inbound) when not given. */
static void contact_defaults(req *q, record *r)
{
    if (!rec_str(r, "started_at")) {
        char *now = arena_alloc(q->a, 21);
        time_now_iso(now);
        rec_set_str(r, "started_at", now);
    }
    if (!rec_str(r, "direction"))
        rec_set_str(r, "direction", "inbound");
    int ai = entity_field(&contact_def, "agent_id");
    if (q->who.kind != AUTH_NONE)
        r->v[ai] = (field_val){.set = 1, .i = q->who.id};
    const char *ch = rec_str(r, "channel");
    for (int i = 0; ch && contact_channel_choices[i] && i < CATALOGUE_CHANNELS; i++)
        if (!strcmp(contact_channel_choices[i], ch) && q->cat->channel_cost[i] >= 0) {
            int ci = entity_field(&contact_def, "cost_pence");
            r->v[ci] = (field_val){.set = 1, .i = q->cat->channel_cost[i]};
        }
}

int api_contact_log(req *q, store_conn *c, const char *channel, const char *type, const char *slug,
                    const char *reason, long long person_id, int resolved)
{
    return api_contact_log_request(q, c, channel, type, slug, reason, person_id, resolved, 0);
}

int api_contact_log_request(req *q, store_conn *c, const char *channel, const char *type, const char *slug,
                            const char *reason, long long person_id, int resolved, long long request_id)
{
    record r;
    record_init(&r, &contact_def);
    rec_set_str(&r, "channel", channel);
    rec_set_str(&r, "type", type);
    rec_set_str(&r, "service", slug);
    rec_set_str(&r, "reason", reason);
    if (person_id)
        rec_set_int(&r, "person_id", person_id);
    rec_set_int(&r, "resolved_first_contact", resolved);
    rec_set_str(&r, "avoidable", "no");
    if (request_id)
        rec_set_int(&r, "request_id", request_id);
    contact_defaults(q, &r);
    return store_insert(c, q->council, &r);
}

static int create_contact(req *q, resp *p, store_conn *c)
{
    record r;
    errlist errs = {.n = 0};
    jsonrec_read(q->json, &contact_def, NULL, NULL, q->a, &r, &errs);
    contact_defaults(q, &r);
    record_validate(&r, 1, q->a, &errs);
    const char *svc = rec_str(&r, "service");
    if (svc && !catalogue_find(q->cat, svc))
        errlist_add(&errs, "service", "no service has this id (see /api/v1/services)");
    long long pid = rec_int(&r, "person_id");
    record per;
    if (pid && store_get(c, q->council, &person_def, pid, q->a, &per) != STORE_OK)
        errlist_add(&errs, "person_id", arena_printf(q->a, "no person has id %lld", pid));
    long long rid = rec_int(&r, "request_id");
    record rq;
    if (rid && store_get(c, q->council, &request_def, rid, q->a, &rq) != STORE_OK)
        errlist_add(&errs, "request_id", arena_printf(q->a, "no request has id %lld", rid));
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was saved.", &errs);
        return 0;
    }
    if (store_insert(c, q->council, &r) != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (pid)
        audit_person(q, pid);
    json_t *o = jsonrec_write(&r, q->who.categories);
    resp_json(p, 201, o);
    json_decref(o);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/contacts/%lld", r.id));
    return 0;
}

int api_contact_create(req *q, resp *p)
{
    return api_create_idempotent(q, p, create_contact);
}

int api_person_contacts(req *q, resp *p)
{
    record *rows;
    int n, limit;
    if (api_person_rows_or_fail(q, p, &contact_def, &rows, &n, &limit) != 0)
        return 0;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, jsonrec_write(&rows[i], q->who.categories));
    api_page(q, p, items, rows, n, limit);
    return 0;
}
