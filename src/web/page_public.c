/* page_public.c: the public service directory (/services) and the
 * resident's own account (/account): sign in, their services and requests
 * with promised dates, and reporting a problem through the service's form.
 * Rendered from the API's view models, working without JavaScript. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/entities.h"
#include "core/kb.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/auth.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/routes.h"


/* ---- /services ---- */

int page_services(req *q, resp *p)
{
    page_begin(q, p, "Council services");
    buf *b = &p->body;
    html_printf(b, "<h1 class=\"govuk-heading-l\">Council services</h1>\n"
                   "<p class=\"govuk-body-l\">Apply, report or find out online. You can also phone us or visit a "
                   "customer service centre.</p>\n");
    html_printf(b, "<form method=\"get\" action=\"/search\" role=\"search\"><div class=\"govuk-form-group\">"
                   "<label class=\"govuk-label govuk-label--s\" for=\"services-q\">Search, in your own words</label>"
                   "<input class=\"govuk-input govuk-input--width-30\" id=\"services-q\" name=\"q\" type=\"search\">"
                   "</div><button type=\"submit\" class=\"govuk-button govuk-button--secondary\" "
                   "data-module=\"govuk-button\">Search</button></form>\n");
    static const char *const depts[] = {"revenues_benefits", "housing", "education", "social_care", "waste",
                                        "highways", "parking", "libraries", "environmental_health", "registration",
                                        "planning", "leisure", "community", "contact_centre"};
    static const char *const titles[] = {"Council tax and benefits", "Housing", "Schools and education",
                                         "Care and support", "Bins and recycling", "Roads and streets", "Parking",
                                         "Libraries", "Environmental health", "Births, deaths and marriages",
                                         "Planning", "Leisure and parks", "Community", "Contact us"};
    for (size_t d = 0; d < sizeof depts / sizeof depts[0]; d++) {
        int any = 0;
        for (int i = 0; i < q->cat->n; i++) {
            const service *s = &q->cat->items[i];
            if (strcmp(s->department, depts[d]))
                continue;
            if (!any)
                html_printf(b, "<h2 class=\"govuk-heading-m\">%h</h2>\n<ul class=\"govuk-list\">\n", titles[d]);
            any = 1;
            html_printf(b, "<li><a class=\"govuk-link\" href=\"/services/%h\">%h</a></li>\n", s->slug, s->name);
        }
        if (any)
            html_printf(b, "</ul>\n");
    }
    page_end(q, p);
    return 0;
}

int page_service(req *q, resp *p)
{
    const service *s = q->path_slug ? catalogue_find(q->cat, q->path_slug) : NULL;
    if (!s) {
        p->status = 404;
        page_begin(q, p, "Page not found");
        html_printf(&p->body, "<h1 class=\"govuk-heading-l\">Page not found</h1>\n"
                              "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/services\">All services</a></p>\n");
        page_end(q, p);
        return 0;
    }
    page_begin(q, p, s->name);
    buf *b = &p->body;
    html_printf(b, "<h1 class=\"govuk-heading-l\">%h</h1>\n<p class=\"govuk-body-l\">%h</p>\n", s->name,
                s->description ? s->description : "");
    /* The knowledge article: who can get it, how, when. */
    const article *ar = q->cat->kb ? kb_find(q->cat->kb, s->slug) : NULL;
    if (ar)
        html_printf(b,
                    "<h2 class=\"govuk-heading-m\">Who can get it</h2>\n<p class=\"govuk-body\">%h</p>\n"
                    "<h2 class=\"govuk-heading-m\">How to get it</h2>\n<p class=\"govuk-body\">%h</p>\n"
                    "<h2 class=\"govuk-heading-m\">How long it takes</h2>\n<p class=\"govuk-body\">%h</p>\n",
                    ar->who, ar->how, ar->when);
    html_printf(b, "<dl class=\"govuk-summary-list\">\n");
    html_printf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">How long it takes</dt>"
                   "<dd class=\"govuk-summary-list__value\">%d working %s</dd></div>\n",
                s->promise_days, s->promise_days == 1 ? "day" : "days");
    html_printf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Cost</dt>"
                   "<dd class=\"govuk-summary-list__value\">%s</dd></div>\n",
                s->cost_pence ? arena_printf(q->a, "&pound;%lld.%02lld", s->cost_pence / 100, s->cost_pence % 100)
                              : "Free");
    html_printf(b, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">Ways to apply</dt>"
                   "<dd class=\"govuk-summary-list__value\">%h</dd></div>\n</dl>\n",
                s->channels);
    if (!strcmp(s->kind, "request"))
        html_printf(b, "<a href=\"/account?service=%h\" role=\"button\" draggable=\"false\" class=\"govuk-button "
                       "govuk-button--start\" data-module=\"govuk-button\">Start now</a>\n",
                    s->slug);
    html_printf(b, "<p class=\"govuk-body\">Prefer to talk? Phone the contact centre or visit a customer service "
                   "centre.</p>\n<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/services\">All services</a></p>\n");
    page_end(q, p);
    return 0;
}

/* ---- /account ---- */

static void report_form(req *q, buf *b, const char *chosen, const char *error)
{
    if (error)
        html_printf(b,
                    "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
                    "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div "
                    "class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">"
                    "<li><a href=\"#description\">%h</a></li></ul></div></div></div>\n",
                    error);
    html_printf(b,
                "<h2 class=\"govuk-heading-m\">Report a problem</h2>\n"
                "<form method=\"post\" action=\"/account/requests\" novalidate>\n"
                "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"service\">What is it about?</label>\n"
                "<select class=\"govuk-select\" id=\"service\" name=\"service\">\n",
                q->who.csrf);
    for (int i = 0; i < q->cat->n; i++) {
        const service *s = &q->cat->items[i];
        if (strcmp(s->kind, "request") || (strcmp(s->department, "waste") && strcmp(s->department, "highways") &&
                                           strcmp(s->department, "environmental_health")))
            continue;
        html_printf(b, "<option value=\"%h\"%s>%h</option>\n", s->slug,
                    chosen && !strcmp(chosen, s->slug) ? " selected" : "", s->name);
    }
    html_printf(b,
                "</select></div>\n"
                "<div class=\"govuk-form-group%s\"><label class=\"govuk-label\" for=\"description\">What has "
                "happened?</label>\n<textarea class=\"govuk-textarea\" id=\"description\" name=\"description\" "
                "rows=\"4\"></textarea></div>\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"address\">Where? (leave blank for "
                "your home)</label>\n<input class=\"govuk-input\" id=\"address\" name=\"address\" type=\"text\" "
                "autocomplete=\"street-address\"></div>\n"
                "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Send report</button>\n"
                "</form>\n",
                error ? " govuk-form-group--error" : "");
}

int page_account(req *q, resp *p)
{
    if (!q->who.person_id)
        return page_account_unlinked(q, p);
    /* The resident's own record, through the API (the route checks it is theirs). */
    q->path_id[0] = q->who.person_id;
    q->npath = 1;
    int status;
    json_t *me = page_model(q, api_person_get, &status);
    json_t *enrol = page_model(q, api_enrolments_get, &status), *reqs = page_model(q, api_person_requests, &status);
    page_begin(q, p, "Your account");
    buf *b = &p->body;
    const char *made = req_query(q, "reported");
    if (made)
        html_printf(b,
                    "<div class=\"govuk-panel govuk-panel--confirmation\"><h1 class=\"govuk-panel__title\">Report "
                    "sent</h1><div class=\"govuk-panel__body\">We will deal with it by <strong>%h</strong></div></div>\n",
                    made);
    page_person_banner(q, b);
    html_printf(b, "<%s class=\"govuk-heading-l\">Your account</%s>\n", made ? "h2" : "h1", made ? "h2" : "h1");
    html_printf(b, "<ul class=\"govuk-list\"><li><a class=\"govuk-link\" href=\"/account/appointments\">Your "
                   "appointments</a>: see, book or cancel</li><li><a class=\"govuk-link\" "
                   "href=\"/account/life-events/new\">Tell us about a change</a>: a birth, a death, a move, a "
                   "marriage ...</li><li><a class=\"govuk-link\" href=\"/account/apply\">Apply for a service</a>"
                   "</li></ul>\n"
                   "<p class=\"govuk-body\">Prefer to talk? Call 020 7525 5000 or visit a customer service centre."
                   "</p>\n");
    if (me)
        html_printf(b, "<p class=\"govuk-body\">Signed in as %h %h.</p>\n", json_str(me, "given_name"),
                    json_str(me, "family_name"));
    html_printf(b, "<h2 class=\"govuk-heading-m\">Your requests</h2>\n");
    size_t i, shown = 0;
    json_t *e;
    json_array_foreach(reqs ? json_object_get(reqs, "items") : NULL, i, e)
    {
        if (!shown++)
            html_printf(b, "<ul class=\"govuk-list\">\n");
        html_printf(b, "<li>%h: %h, we will deal with it by %h</li>\n", json_str(e, "service_name"),
                    json_str(e, "status"), json_str(e, "promised_date"));
    }
    html_printf(b, shown ? "</ul>\n" : "<p class=\"govuk-body\">None yet.</p>\n");
    html_printf(b, "<h2 class=\"govuk-heading-m\">Your services</h2>\n");
    shown = 0;
    json_array_foreach(enrol ? json_object_get(enrol, "items") : NULL, i, e)
    {
        if (!json_is_true(json_object_get(e, "current")))
            continue;
        if (!shown++)
            html_printf(b, "<ul class=\"govuk-list govuk-list--bullet\">\n");
        html_printf(b, "<li>%h</li>\n", json_str(e, "service_name") ? json_str(e, "service_name") : json_str(e, "service"));
    }
    html_printf(b, shown ? "</ul>\n" : "<p class=\"govuk-body\">None on record.</p>\n");
    report_form(q, b, req_query(q, "service"), req_query(q, "error"));
    page_end(q, p);
    if (me)
        json_decref(me);
    if (enrol)
        json_decref(enrol);
    if (reqs)
        json_decref(reqs);
    return 0;
}

/* POST /account/requests: the report, made through the API's handler. */
int page_account_request(req *q, resp *p)
{
    const char *svc = req_form(q, "service"), *desc = req_form(q, "description"), *addr = req_form(q, "address");
    json_t *body = json_pack("{s:s, s:s, s:s}", "service", svc ? svc : "", "description", desc ? desc : "",
                             "channel", "web");
    if (addr && *addr)
        json_object_set_new(body, "address", json_string(addr));
    q->json = body;
    int status;
    json_t *made = page_model(q, api_request_create, &status);
    if (made) {
        page_redirect(p, arena_printf(q->a, "/account?reported=%s", json_str(made, "promised_date")));
        json_decref(made);
        return 0;
    }
    p->status = status == 422 ? 422 : status;
    page_begin(q, p, "Report a problem");
    html_printf(&p->body, "<h1 class=\"govuk-heading-l\">Report a problem</h1>\n");
    report_form(q, &p->body, svc, status == 422 ? "Say what has happened" : "Something went wrong; try again");
    page_end(q, p);
    return 0;
}
