/* api_notify.c: what the outbox holds, for staff: the messages to one
 * person or about one request, and the whole outbox by status (to watch for
 * messages that failed). Every route here shows personal data: audited. */
#include <stdlib.h>
#include <string.h>

#include "core/entities.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/routes.h"

/* One notification as JSON (without the bookkeeping a reader never needs). */
static json_t *notification_json(req *q, const record *r)
{
    json_t *o = jsonrec_write(r, q->who.categories);
    json_object_del(o, "version");
    if (rec_int(r, "person_id"))
        audit_person(q, rec_int(r, "person_id"));
    return o;
}

static void page_of(req *q, resp *p, const record *rows, int n, int limit, const char *about)
{
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        if (about && (!rec_str(&rows[i], "about") || strcmp(rec_str(&rows[i], "about"), about)))
            continue;
        json_array_append_new(items, notification_json(q, &rows[i]));
    }
    api_page(q, p, items, rows, n, limit);
}

int api_person_notifications(req *q, resp *p)
{
    record *rows;
    int n, limit;
    if (api_person_rows_or_fail(q, p, &notification_def, &rows, &n, &limit) != 0)
        return 0;
    page_of(q, p, rows, n, limit, NULL);
    return 0;
}

int api_request_notifications(req *q, resp *p)
{
    long long after;
    if (api_cursor_or_fail(q, p, &after) != 0)
        return 0;
    const char *ls = req_query(q, "limit");
    int limit = ls ? (int)strtol(ls, NULL, 10) : 50;
    store_conn *c = api_conn_or_fail(q, p);
    record r, *rows;
    int n;
    if (!c || api_load_or_fail(q, p, c, &request_def, &r) != 0)
        return 0;
    if (rec_int(&r, "person_id"))
        audit_person(q, rec_int(&r, "person_id"));
    if (store_list(c, q->council, &notification_def, "about_id", r.id, after, limit, q->a, &rows, &n) != STORE_OK)
        return api_store_error_or_fail(p, c);
    page_of(q, p, rows, n, limit, "request");
    return 0;
}

int api_notifications_list(req *q, resp *p)
{
    long long after;
    if (api_cursor_or_fail(q, p, &after) != 0)
        return 0;
    const char *ls = req_query(q, "limit"), *status = req_query(q, "status");
    int limit = ls ? (int)strtol(ls, NULL, 10) : 50;
    if (status && *status) {
        int ok = 0;
        for (int i = 0; notification_status_choices[i]; i++)
            ok |= !strcmp(status, notification_status_choices[i]);
        if (!ok) {
            errlist errs = {.n = 0};
            errlist_add(&errs, "status", "must be one of: queued, sent, failed");
            resp_problem(p, 400, "Bad query parameter", NULL, &errs);
            return 0;
        }
    } else {
        status = NULL;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record *rows;
    int n, rc = status ? store_list_text(c, q->council, &notification_def, "status", status, after, limit, q->a, &rows, &n)
                       : store_list(c, q->council, &notification_def, NULL, 0, after, limit, q->a, &rows, &n);
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    page_of(q, p, rows, n, limit, NULL);
    return 0;
}
