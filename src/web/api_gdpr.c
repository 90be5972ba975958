/* api_gdpr.c: a person's rights over their data: consent per purpose, a
 * subject-access export of everything held (JSON, and the same view model
 * as a readable page), and erasure by the data-protection officer. */
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

enum { MAX_ROWS = 1000 };

/* ---- consent ---- */

/* {items: history oldest first, current: {purpose: {given, at, channel}}} */
static json_t *consents_json(req *q, store_conn *c, long long pid, int *err)
{
    record *rows;
    int n;
    *err = store_list(c, q->council, &consent_def, "person_id", pid, 0, MAX_ROWS, q->a, &rows, &n) != STORE_OK;
    json_t *o = json_object(), *items = json_array(), *cur = json_object();
    for (int i = 0; !*err && i < n; i++) {
        json_t *e = jsonrec_write(&rows[i], q->who.categories);
        json_array_append_new(items, e);
        json_object_set_new(cur, rec_str(&rows[i], "purpose"),
                            json_pack("{s:b, s:s, s:o}", "given", (int)rec_int(&rows[i], "given"), "at",
                                      rows[i].created_at, "channel",
                                      rec_str(&rows[i], "channel") ? json_string(rec_str(&rows[i], "channel"))
                                                                   : json_null()));
    }
    json_object_set_new(o, "current", cur);
    json_object_set_new(o, "items", items);
    return o;
}

int api_consents_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record per;
    if (!c || api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    audit_person(q, per.id);
    int err;
    json_t *o = consents_json(q, c, per.id, &err);
    if (err) {
        json_decref(o);
        return api_store_error_or_fail(p, c);
    }
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

static int create_consent(req *q, resp *p, store_conn *c)
{
    record per, r;
    errlist errs = {.n = 0};
    if (api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    if (json_object_get(q->json, "person_id"))
        errlist_add(&errs, "person_id", "comes from the path");
    json_t *body = json_copy(q->json);
    json_object_del(body, "person_id");
    jsonrec_read(body, &consent_def, NULL, NULL, q->a, &r, &errs);
    rec_set_int(&r, "person_id", per.id);
    record_validate(&r, 1, q->a, &errs);
    if (errs.n) {
        json_decref(body);
        resp_problem(p, 422, "Invalid fields", "Nothing was saved.", &errs);
        return 0;
    }
    int rc = store_insert(c, q->council, &r);
    json_decref(body);
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    audit_person(q, per.id);
    json_t *o = jsonrec_write(&r, q->who.categories);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

int api_consent_create(req *q, resp *p)
{
    return api_create_idempotent(q, p, create_consent);
}

/* ---- subject access ---- */

/* Everything held about person pid, as one view model. NULL on a database
 * error (c says why). Shows every category: only the DPO and the person
 * themselves may ask. */
static json_t *export_model(req *q, store_conn *c, const record *per)
{
    unsigned all = CAT_HEALTH | CAT_SOCIAL_CARE | CAT_SAFEGUARDING;
    char now[21];
    time_now_iso(now);
    json_t *o = json_object();
    json_object_set_new(o, "title", json_sprintf("Everything the council holds about %s %s",
                                                 rec_str(per, "given_name"), rec_str(per, "family_name")));
    json_object_set_new(o, "generated_at", json_string(now));
    json_object_set_new(o, "person", jsonrec_write(per, all));

    record *ms;
    int n;
    if (store_list(c, q->council, &member_def, "person_id", per->id, 0, MAX_ROWS, q->a, &ms, &n) != STORE_OK)
        goto fail;
    json_t *homes = json_array();
    json_object_set_new(o, "households", homes);
    for (int i = 0; i < n; i++) {
        json_t *m = jsonrec_write(&ms[i], all);
        record h, prop;
        if (store_get(c, q->council, &household_def, rec_int(&ms[i], "household_id"), q->a, &h) == STORE_OK) {
            json_object_set_new(m, "household_name",
                                rec_str(&h, "name") ? json_string(rec_str(&h, "name")) : json_null());
            if (store_get(c, q->council, &property_def, rec_int(&h, "property_id"), q->a, &prop) == STORE_OK)
                json_object_set_new(m, "property", jsonrec_write(&prop, all));
        }
        json_array_append_new(homes, m);
    }
    int err;
    json_t *cons = consents_json(q, c, per->id, &err);
    json_object_set_new(o, "consents", cons);
    if (err)
        goto fail;

    /* What departmental systems sent about them, as they sent it. */
    record *srcs;
    if (store_list(c, q->council, &source_record_def, "person_id", per->id, 0, MAX_ROWS, q->a, &srcs, &n) !=
        STORE_OK)
        goto fail;
    json_t *from_systems = json_array();
    json_object_set_new(o, "source_records", from_systems);
    for (int i = 0; i < n; i++) {
        json_t *v = json_loads(rec_str(&srcs[i], "fields") ? rec_str(&srcs[i], "fields") : "{}", 0, NULL);
        json_array_append_new(from_systems, json_pack("{s:s, s:s, s:o}", "system", rec_str(&srcs[i], "system"),
                                                      "local_id", rec_str(&srcs[i], "local_id"), "fields",
                                                      v ? v : json_object()));
    }

    record *us;
    if (store_list(c, q->council, &user_def, "person_id", per->id, 0, MAX_ROWS, q->a, &us, &n) != STORE_OK)
        goto fail;
    json_t *accounts = json_array();
    json_object_set_new(o, "accounts", accounts);
    for (int i = 0; i < n; i++) {
        json_t *u = jsonrec_write(&us[i], all);
        json_object_del(u, "failed_logins");
        json_object_del(u, "last_failed_at");
        json_array_append_new(accounts, u);
    }

    record *au;
    api_audit_settle(c);
    if (store_list(c, q->council, &audit_def, "person_id", per->id, 0, MAX_ROWS, q->a, &au, &n) != STORE_OK)
        goto fail;
    json_t *trail = json_array();
    json_object_set_new(o, "who_looked", trail);
    for (int i = 0; i < n; i++)
        json_array_append_new(trail, json_pack("{s:s, s:s, s:s, s:s, s:s}", "at", au[i].created_at, "action",
                                               rec_str(&au[i], "action"), "by", rec_str(&au[i], "actor_role"),
                                               "purpose", rec_str(&au[i], "purpose") ? rec_str(&au[i], "purpose") : "",
                                               "route", rec_str(&au[i], "route") ? rec_str(&au[i], "route") : ""));
    if (n == MAX_ROWS)
        json_object_set_new(o, "who_looked_note", json_string("the 1,000 oldest entries; ask the DPO for the rest"));

    record *ns;
    if (store_list(c, q->council, &notification_def, "person_id", per->id, 0, MAX_ROWS, q->a, &ns, &n) != STORE_OK)
        goto fail;
    json_t *msgs = json_array();
    json_object_set_new(o, "messages", msgs); /* what the council sent them, or will */
    for (int i = 0; i < n; i++)
        json_array_append_new(msgs, jsonrec_write(&ns[i], all));
    return o;
fail:
    json_decref(o);
    return NULL;
}

int api_person_export(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record per;
    if (!c || api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    audit_person(q, per.id);
    json_t *o = export_model(q, c, &per);
    if (!o)
        return api_store_error_or_fail(p, c);
    resp_json(p, 200, o);
    json_decref(o);
    resp_header(p, "Content-Disposition",
                arena_printf(q->a, "attachment; filename=\"person-%lld-export.json\"", per.id));
    return 0;
}

/* ---- the readable page: the same view model, rendered ---- */

static void html_value(buf *b, json_t *v);

static void html_object(buf *b, json_t *o)
{
    const char *k;
    json_t *v;
    buf_puts(b, "<dl class=\"govuk-summary-list\">\n");
    json_object_foreach(o, k, v)
    {
        buf_puts(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">");
        buf_put_html(b, k);
        buf_puts(b, "</dt><dd class=\"govuk-summary-list__value\">");
        html_value(b, v);
        buf_puts(b, "</dd></div>\n");
    }
    buf_puts(b, "</dl>\n");
}

static void html_value(buf *b, json_t *v)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        html_object(b, v);
        break;
    case JSON_ARRAY: {
        size_t i;
        json_t *e;
        if (json_array_size(v) == 0) {
            buf_puts(b, "<p class=\"govuk-body\">None.</p>");
            break;
        }
        buf_puts(b, "<ol class=\"govuk-list govuk-list--number\">\n");
        json_array_foreach(v, i, e)
        {
            buf_puts(b, "<li>");
            html_value(b, e);
            buf_puts(b, "</li>\n");
        }
        buf_puts(b, "</ol>\n");
        break;
    }
    case JSON_STRING:
        buf_put_html(b, json_string_value(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        buf_puts(b, num);
        break;
    case JSON_TRUE:
        buf_puts(b, "yes");
        break;
    case JSON_FALSE:
        buf_puts(b, "no");
        break;
    default:
        buf_puts(b, "&mdash;");
        break;
    }
}

static const char *const sections[][2] = {
    {"person", "Your details"},           {"households", "Where you have lived"},
    {"consents", "What you agreed to"},   {"source_records", "What council systems hold about you"},
    {"accounts", "Your online accounts"},
    {"who_looked", "Who looked at your record, and why"},
};

int page_person_export(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record per;
    if (!c || api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    audit_person(q, per.id);
    json_t *o = export_model(q, c, &per);
    if (!o)
        return api_store_error_or_fail(p, c);
    buf *b = &p->body;
    buf_reset(b);
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    buf_put_html(b, json_string_value(json_object_get(o, "title")));
    buf_puts(b, " - frontdoor</title>\n</head>\n<body class=\"govuk-template__body\">\n"
                "<a href=\"#main\" class=\"govuk-skip-link\">Skip to main content</a>\n"
                "<main class=\"govuk-main-wrapper\" id=\"main\">\n<h1 class=\"govuk-heading-l\">");
    buf_put_html(b, json_string_value(json_object_get(o, "title")));
    buf_puts(b, "</h1>\n<p class=\"govuk-body\">Made on ");
    buf_put_html(b, json_string_value(json_object_get(o, "generated_at")));
    buf_puts(b, ". The same data, for a computer: <a class=\"govuk-link\" href=\"");
    buf_put_html(b, arena_printf(q->a, "/api/v1/people/%lld/export", per.id));
    buf_puts(b, "\">download as JSON</a>.</p>\n");
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        buf_puts(b, "<h2 class=\"govuk-heading-m\">");
        buf_put_html(b, sections[i][1]);
        buf_puts(b, "</h2>\n");
        html_value(b, json_object_get(o, sections[i][0]));
    }
    buf_puts(b, "</main>\n</body>\n</html>\n");
    json_decref(o);
    p->status = 200;
    p->content_type = "text/html; charset=utf-8";
    return 0;
}

/* ---- erasure ---- */

int api_person_erase(req *q, resp *p)
{
    errlist errs = {.n = 0};
    const char *key;
    json_t *v;
    json_object_foreach(q->json, key, v)
    {
        if (strcmp(key, "reason"))
            errlist_add(&errs, arena_strdup(q->a, key), "is not a field of an erasure");
    }
    json_t *reason = json_object_get(q->json, "reason");
    if (!json_is_string(reason) || json_string_length(reason) < 3 || json_string_length(reason) > 500)
        errlist_add(&errs, "reason", "is required: why the data is erased (3 to 500 characters)");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was erased.", &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    record per;
    if (!c || api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return 0;
    if (rec_str(&per, "erased_at")) {
        resp_problem(p, 409, "Already erased", NULL, NULL);
        return 0;
    }
    audit_person(q, per.id);
    int rc = store_begin(c);
    if (rc == STORE_OK)
        rc = gdpr_erase(c, q->council, &per, q->a);
    if (rc == STORE_OK)
        rc = audit_write_tx(q, c, "erase", 200);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK) {
        store_rollback(c);
        if (rc == STORE_CONFLICT) {
            resp_problem(p, 409, "Record has changed", "Someone changed it while it was being erased; try again.", NULL);
            return 0;
        }
        return api_store_error_or_fail(p, c);
    }
    json_t *o = jsonrec_write(&per, q->who.categories);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}
