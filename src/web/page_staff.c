/* page_staff.c: the staff pages (GOV.UK Frontend markup, no JavaScript
 * needed). Each page renders the view model the JSON API builds: the page
 * calls the API's handler and renders what it answered (design principle
 * 1: one view, two faces). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/entities.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/api_kb.h"
#include "web/audit.h"
#include "web/auth.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/routes.h"

/* ---- sign in and out ---- */

static void sign_in_form(req *q, resp *p, const char *email, const char *error)
{
    page_begin(q, p, "Sign in");
    buf *b = &p->body;
    html_printf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n");
    if (error)
        html_printf(b,
                    "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">\n"
                    "<h2 class=\"govuk-error-summary__title\">There is a problem</h2>\n"
                    "<div class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">\n"
                    "<li><a href=\"#email\">%h</a></li></ul></div></div></div>\n",
                    error);
    html_printf(b,
                "<h1 class=\"govuk-heading-l\">Sign in</h1>\n"
                "<form method=\"post\" action=\"/staff/sign-in\" novalidate>\n"
                "<div class=\"govuk-form-group\">\n"
                "<label class=\"govuk-label\" for=\"email\">Email address</label>\n"
                "<input class=\"govuk-input\" id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" "
                "spellcheck=\"false\" value=\"%h\">\n</div>\n"
                "<div class=\"govuk-form-group\">\n"
                "<label class=\"govuk-label\" for=\"password\">Password</label>\n"
                "<input class=\"govuk-input\" id=\"password\" name=\"password\" type=\"password\" "
                "autocomplete=\"current-password\">\n</div>\n"
                "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Sign in</button>\n"
                "</form>\n<p class=\"govuk-body\">A resident without an account? <a class=\"govuk-link\" "
                "href=\"/account/sign-up\">Create one</a>. Just confirmed your email? Sign in here.</p>\n"
                "</div></div>\n",
                email ? email : "");
    page_end(q, p);
}

int page_sign_in(req *q, resp *p)
{
    sign_in_form(q, p, NULL, NULL);
    return 0;
}

int page_sign_in_post(req *q, resp *p)
{
    const char *email = req_form(q, "email"), *pw = req_form(q, "password");
    q->json = json_pack("{s:s, s:s}", "email", email ? email : "", "password", pw ? pw : "");
    resp r = {0};
    buf_init(&r.body, 65536);
    api_session_create(q, &r);
    if (r.status == 201) {
        for (int i = 0; i < r.nheaders; i++)
            if (!strcmp(r.headers[i].name, "Set-Cookie"))
                resp_header(p, "Set-Cookie", r.headers[i].value);
        /* Residents go to their account, managers to the dashboard, other staff to the search. */
        page_redirect(p, q->who.role == ROLE_RESIDENT  ? "/account"
                         : q->who.role == ROLE_MANAGER ? "/staff/dashboard"
                                                       : "/staff");
    } else {
        json_t *prob = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
        const char *detail = prob ? json_str(prob, "detail") : NULL;
        p->status = r.status == 422 ? 422 : r.status;
        sign_in_form(q, p, email, r.status == 422 ? "Enter your email address and password"
                                  : detail                ? arena_strdup(q->a, detail)
                                                          : "Sign-in failed");
        if (prob)
            json_decref(prob);
    }
    buf_free(&r.body);
    return 0;
}

int page_sign_out(req *q, resp *p)
{
    resp r = {0};
    buf_init(&r.body, 4096);
    api_session_delete(q, &r);
    buf_free(&r.body);
    resp_header(p, "Set-Cookie", "fd_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
    page_redirect(p, "/staff/sign-in");
    return 0;
}

/* ---- find a resident ---- */

int page_staff_home(req *q, resp *p)
{
    const char *s = req_query(q, "q");
    page_begin(q, p, "Find a resident");
    buf *b = &p->body;
    html_printf(b,
                "<h1 class=\"govuk-heading-l\">Find a resident</h1>\n"
                "<form method=\"get\" action=\"/staff\" role=\"search\">\n<div class=\"govuk-form-group\">\n"
                "<label class=\"govuk-label\" for=\"q\">Name, date of birth, phone or email</label>\n"
                "<input class=\"govuk-input govuk-input--width-20\" id=\"q\" name=\"q\" type=\"search\" value=\"%h\">\n"
                "</div>\n<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Search</button>\n"
                "</form>\n<div id=\"results\" aria-live=\"polite\">\n",
                s ? s : "");
    if (s && *s) {
        /* The same search as GET /api/v1/people?q=, rendered. */
        int status;
        json_t *found = page_model(q, api_list, &status);
        json_t *items = found ? json_object_get(found, "items") : NULL;
        size_t n = json_array_size(items);
        html_printf(b, "<h2 class=\"govuk-heading-m\">%zu %s</h2>\n", n, n == 1 ? "result" : "results");
        if (n) {
            html_printf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">"
                           "Residents found</caption>\n<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
                           "<th scope=\"col\" class=\"govuk-table__header\">Name</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Date of birth</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Record</th></tr></thead>\n"
                           "<tbody class=\"govuk-table__body\">\n");
            size_t i;
            json_t *e;
            json_array_foreach(items, i, e)
            {
                long long id = (long long)json_integer_value(json_object_get(e, "id"));
                html_printf(b,
                            "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">"
                            "<a class=\"govuk-link\" href=\"/staff/people/%lld\">%h %h</a></td>"
                            "<td class=\"govuk-table__cell\">%h</td><td class=\"govuk-table__cell\">%lld</td></tr>\n",
                            id, json_str(e, "given_name"), json_str(e, "family_name"),
                            json_str(e, "date_of_birth") ? json_str(e, "date_of_birth") : "not known", id);
            }
            html_printf(b, "</tbody></table>\n");
        } else if (status == 400) {
            html_printf(b, "<p class=\"govuk-body\">Give a name, a date of birth, a phone number or an email.</p>\n");
        }
        if (found)
            json_decref(found);
    }
    html_printf(b, "</div>\n<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/staff/queue\">Team queue</a>: "
                   "requests and tasks for a team</p>\n<script src=\"/staff/search.js\" defer></script>\n");
    page_end(q, p);
    return 0;
}

/* ---- the single view ---- */

/* "What are they asking about?": the caller's words routed through the
 * enquiry API, and the article shown as prompts for the agent (not a
 * script), or who to send them to instead. */
static void ask_prompts(req *q, buf *b, long long pid)
{
    const char *ask = req_query(q, "ask");
    html_printf(b,
                "<form method=\"get\" action=\"/staff/people/%lld\"><div class=\"govuk-form-group\">"
                "<label class=\"govuk-label govuk-label--m\" for=\"ask\">What are they asking about?</label>"
                "<div id=\"ask-hint\" class=\"govuk-hint\">In their words; you get prompts, not a script</div>"
                "<input class=\"govuk-input\" id=\"ask\" name=\"ask\" type=\"text\" aria-describedby=\"ask-hint\" "
                "value=\"%h\"></div><button type=\"submit\" class=\"govuk-button govuk-button--secondary\" "
                "data-module=\"govuk-button\">Show prompts</button></form>\n",
                pid, ask ? ask : "");
    if (!ask || !*ask || !q->cat->kb)
        return;
    json_t *saved = q->json;
    q->json = json_pack("{s:s, s:s}", "text", ask, "channel", "phone");
    int status;
    json_t *m = page_model(q, api_enquiry_create, &status);
    json_decref(q->json);
    q->json = saved;
    json_t *art = m ? json_object_get(m, "article") : NULL, *sp = m ? json_object_get(m, "signpost") : NULL;
    const char *slug = json_is_object(art) ? json_str(art, "slug") : json_is_object(sp) ? json_str(sp, "slug") : NULL;
    const article *ar = slug ? kb_find(q->cat->kb, slug) : NULL;
    if (!ar) {
        html_printf(b, "<p class=\"govuk-body\">No article matches. Try other words, or search "
                       "<a class=\"govuk-link\" href=\"/search\">the site</a>.</p>\n");
    } else {
        html_printf(b,
                    "<div class=\"govuk-inset-text\" id=\"prompts\"><h3 class=\"govuk-heading-s\">%h "
                    "<span class=\"govuk-caption-s\">(%d%% sure)</span></h3>\n<ul class=\"govuk-list govuk-list--bullet\">"
                    "<li>%h</li>\n",
                    ar->title, (int)(json_real_value(json_object_get(m, "confidence")) * 100 + 0.5), ar->what);
        if (ar->kind == ARTICLE_SERVICE)
            html_printf(b, "<li>Who: %h</li>\n<li>How: %h</li>\n<li>When: %h</li>\n", ar->who, ar->how, ar->when);
        else
            html_printf(b, "<li>Not ours: give them %h%s%h</li>\n", ar->phone ? ar->phone : "",
                        ar->phone && ar->url ? " or " : "", ar->url ? ar->url : "");
        html_printf(b, "</ul>\n");
        if (ar->kind == ARTICLE_SERVICE)
            html_printf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/services/%h\">The article as "
                           "residents see it</a></p>\n", ar->slug);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(m, "alternatives"), i, e)
        {
            if (!i)
                html_printf(b, "<p class=\"govuk-body\">Or perhaps:</p><ul class=\"govuk-list\">\n");
            buf enc;
            buf_init(&enc, 1024);
            for (const char *c = json_str(e, "title"); c && *c; c++)
                isalnum((unsigned char)*c) ? buf_append(&enc, c, 1) : buf_printf(&enc, "%%%02X", (unsigned char)*c);
            html_printf(b, "<li><a class=\"govuk-link\" href=\"/staff/people/%lld?ask=%h\">%h</a></li>\n", pid,
                        buf_str(&enc), json_str(e, "title"));
            buf_free(&enc);
        }
        if (json_array_size(json_object_get(m, "alternatives")))
            html_printf(b, "</ul>\n");
        html_printf(b, "</div>\n");
    }
    if (m)
        json_decref(m);
}

static void summary_row(buf *b, const char *key, const char *value)
{
    html_printf(b,
                "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">%h</dt>"
                "<dd class=\"govuk-summary-list__value\">%h</dd></div>\n",
                key, value && *value ? value : "Not recorded");
}

int page_person(req *q, resp *p)
{
    int status;
    json_t *per = page_model(q, api_person_get, &status);
    if (!per) {
        p->status = status == 404 ? 404 : 500;
        page_begin(q, p, "Not found");
        html_printf(&p->body, "<h1 class=\"govuk-heading-l\">%h</h1>\n",
                    status == 404 ? "No resident has this record number" : "Something went wrong");
        page_end(q, p);
        return 0;
    }
    json_t *offers = page_model(q, api_offers_get, &status), *enrol = page_model(q, api_enrolments_get, &status);
    json_t *reqs = page_model(q, api_person_requests, &status), *contacts = page_model(q, api_person_contacts, &status);
    const char *name = arena_printf(q->a, "%s %s", json_str(per, "given_name"), json_str(per, "family_name"));
    page_begin(q, p, name);
    buf *b = &p->body;
    const char *done = req_query(q, "enrolled");
    if (done)
        html_printf(b,
                    "<div class=\"govuk-notification-banner govuk-notification-banner--success\" role=\"alert\" "
                    "aria-labelledby=\"banner-title\" data-module=\"govuk-notification-banner\">"
                    "<div class=\"govuk-notification-banner__header\"><h2 class=\"govuk-notification-banner__title\" "
                    "id=\"banner-title\">Success</h2></div><div class=\"govuk-notification-banner__content\">"
                    "<p class=\"govuk-notification-banner__heading\">Enrolled in %h %s</p></div></div>\n",
                    done, strcmp(done, "1") ? "services" : "service");
    page_person_banner(q, b);
    const char *bad = req_query(q, "error");
    if (bad)
        html_printf(b,
                    "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
                    "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div "
                    "class=\"govuk-error-summary__body\"><p class=\"govuk-body\">%h</p></div></div></div>\n",
                    bad);
    html_printf(b, "<span class=\"govuk-caption-l\">Resident %lld</span>\n<h1 class=\"govuk-heading-l\">%h</h1>\n",
                (long long)json_integer_value(json_object_get(per, "id")), name);
    html_printf(b, "<h2 class=\"govuk-heading-m\">Details</h2>\n<dl class=\"govuk-summary-list\">\n");
    summary_row(b, "Date of birth", json_str(per, "date_of_birth"));
    summary_row(b, "Phone", json_str(per, "phone"));
    summary_row(b, "Email", json_str(per, "email"));
    summary_row(b, "Prefers", json_str(per, "preferred_channel"));
    if (json_object_get(per, "accessibility_needs"))
        summary_row(b, "Accessibility needs", json_str(per, "accessibility_needs"));
    json_t *prop = json_object_get(per, "property"), *hh = json_object_get(per, "household");
    summary_row(b, "Address",
                json_is_object(prop) ? arena_printf(q->a, "%s, %s", json_str(prop, "address_line_1"), json_str(prop, "postcode"))
                                     : NULL);
    html_printf(b, "</dl>\n");
    ask_prompts(q, b, (long long)json_integer_value(json_object_get(per, "id")));

    html_printf(b, "<h2 class=\"govuk-heading-m\">Household</h2>\n");
    if (json_is_object(hh)) {
        html_printf(b, "<ul class=\"govuk-list\">\n");
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(hh, "members"), i, m)
        {
            if (!json_is_true(json_object_get(m, "current")))
                continue;
            html_printf(b, "<li><a class=\"govuk-link\" href=\"/staff/people/%lld\">%h %h</a> (%h)</li>\n",
                        (long long)json_integer_value(json_object_get(m, "person_id")), json_str(m, "given_name"),
                        json_str(m, "family_name"), json_str(m, "relationship"));
        }
        html_printf(b, "</ul>\n");
    } else {
        html_printf(b, "<p class=\"govuk-body\">No household on record.</p>\n");
    }

    html_printf(b, "<h2 class=\"govuk-heading-m\">Services they receive</h2>\n");
    int any = 0;
    size_t i;
    json_t *e;
    json_array_foreach(enrol ? json_object_get(enrol, "items") : NULL, i, e)
    {
        if (!json_is_true(json_object_get(e, "current")))
            continue;
        html_printf(b, "%s<li>%h, since %h</li>\n", any ? "" : "<ul class=\"govuk-list govuk-list--bullet\">",
                    json_str(e, "service_name") ? json_str(e, "service_name") : json_str(e, "service"), json_str(e, "start_date"));
        any = 1;
    }
    html_printf(b, any ? "</ul>\n" : "<p class=\"govuk-body\">None.</p>\n");

    /* Offers, each with its reasons, as one form: tick several, enrol once. */
    long long pid = (long long)json_integer_value(json_object_get(per, "id"));
    any = 0;
    json_array_foreach(offers ? json_object_get(offers, "items") : NULL, i, e)
    {
        if (!any)
            html_printf(b,
                        "<form method=\"post\" action=\"/staff/people/%lld/enrol\">\n"
                        "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n"
                        "<div class=\"govuk-form-group\"><fieldset class=\"govuk-fieldset\" "
                        "aria-describedby=\"offers-hint\">\n<legend class=\"govuk-fieldset__legend "
                        "govuk-fieldset__legend--m\"><h2 class=\"govuk-fieldset__heading\">Probably entitled to</h2>"
                        "</legend>\n<div id=\"offers-hint\" class=\"govuk-hint\">Tick what they want to start, "
                        "then enrol them in all of it at once.</div>\n<div class=\"govuk-checkboxes\" "
                        "data-module=\"govuk-checkboxes\">\n",
                        pid, q->who.csrf);
        any = 1;
        const char *slug = json_str(e, "service");
        html_printf(b,
                    "<div class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"offer-%h\" "
                    "name=\"service\" type=\"checkbox\" value=\"%h\" aria-describedby=\"offer-%h-why\">"
                    "<label class=\"govuk-label govuk-checkboxes__label\" for=\"offer-%h\">%h</label>"
                    "<div id=\"offer-%h-why\" class=\"govuk-hint govuk-checkboxes__hint\">",
                    slug, slug, slug, slug, json_str(e, "name"), slug);
        size_t k;
        json_t *why;
        json_array_foreach(json_object_get(e, "reasons"), k, why)
            html_printf(b, "%s%h", k ? "; " : "", json_string_value(why));
        html_printf(b, "</div></div>\n");
    }
    if (any)
        html_printf(b, "</div></fieldset></div>\n<button type=\"submit\" class=\"govuk-button\" "
                       "data-module=\"govuk-button\">Enrol in the ticked services</button>\n</form>\n");
    else
        html_printf(b, "<h2 class=\"govuk-heading-m\">Probably entitled to</h2>\n"
                       "<p class=\"govuk-body\">Nothing more to offer.</p>\n");

    html_printf(b, "<h2 class=\"govuk-heading-m\">Requests</h2>\n");
    any = 0;
    json_array_foreach(reqs ? json_object_get(reqs, "items") : NULL, i, e)
    {
        if (!any)
            html_printf(b, "<ul class=\"govuk-list\">\n");
        any = 1;
        html_printf(b, "<li>%h: %h, due %h%s</li>\n", json_str(e, "service_name"), json_str(e, "status"),
                    json_str(e, "promised_date"), json_is_true(json_object_get(e, "overdue")) ? " (overdue)" : "");
    }
    html_printf(b, any ? "</ul>\n" : "<p class=\"govuk-body\">No requests.</p>\n");

    html_printf(b, "<h2 class=\"govuk-heading-m\">Recent contacts</h2>\n");
    any = 0;
    json_array_foreach(contacts ? json_object_get(contacts, "items") : NULL, i, e)
    {
        if (!any)
            html_printf(b, "<ul class=\"govuk-list\">\n");
        any = 1;
        html_printf(b, "<li>%h by %h: %h</li>\n", json_str(e, "started_at"), json_str(e, "channel"),
                    json_str(e, "reason") ? json_str(e, "reason") : json_str(e, "type"));
    }
    html_printf(b, any ? "</ul>\n" : "<p class=\"govuk-body\">No contacts yet.</p>\n");
    page_person_actions(q, b, pid);
    page_end(q, p);
    json_decref(per);
    if (offers)
        json_decref(offers);
    if (enrol)
        json_decref(enrol);
    if (reqs)
        json_decref(reqs);
    if (contacts)
        json_decref(contacts);
    return 0;
}

/* POST /staff/people/{id}/enrol: the ticked offers, enrolled all at once
 * through the API's own handler; back to the single view. */
int page_person_enrol(req *q, resp *p)
{
    json_t *list = json_array();
    for (int i = 0; i < q->nform; i++)
        if (!strcmp(q->form[i].name, "service"))
            json_array_append_new(list, json_pack("{s:s, s:s}", "service", q->form[i].value, "channel", "phone"));
    size_t n = json_array_size(list);
    const char *back = arena_printf(q->a, "/staff/people/%lld", q->path_id[0]);
    if (n == 0) {
        json_decref(list);
        page_redirect(p, arena_printf(q->a, "%s?error=Tick+at+least+one+service", back));
        return 0;
    }
    q->json = json_pack("{s:o}", "enrolments", list);
    resp r = {0};
    buf_init(&r.body, 65536);
    api_enrolments_create(q, &r);
    if (r.status == 201) {
        page_redirect(p, arena_printf(q->a, "%s?enrolled=%zu", back, n));
    } else {
        json_t *prob = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
        json_t *e0 = prob ? json_array_get(json_object_get(prob, "errors"), 0) : NULL;
        const char *msg = e0 ? json_str(e0, "message") : prob ? json_str(prob, "detail") : NULL;
        buf enc;
        buf_init(&enc, 1024);
        for (const char *c = msg ? msg : "Nothing was saved"; *c; c++)
            isalnum((unsigned char)*c) ? buf_append(&enc, c, 1) : buf_printf(&enc, "%%%02X", (unsigned char)*c);
        page_redirect(p, arena_printf(q->a, "%s?error=%s", back, buf_str(&enc)));
        buf_free(&enc);
        if (prob)
            json_decref(prob);
    }
    buf_free(&r.body);
    return 0;
}
