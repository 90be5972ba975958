/* page_actions.c: what an agent does from the single view, and the back
 * office's team queue. Every form posts to a page that calls the API's own
 * handler (life events, appointments, contacts, tasks), so the rules live
 * in one place; every form carries the CSRF token; nothing needs
 * JavaScript (search as you type is an enhancement: /staff/search.js).
 *
 *   /staff/people/{id}/life-events/new      the form
 *   /staff/people/{id}/life-events/preview  what would happen (changes nothing)
 *   /staff/people/{id}/life-events          confirm: apply it
 *   /staff/people/{id}/appointments/new     choose a service, then a slot
 *   /staff/people/{id}/appointments         book it
 *   /staff/people/{id}/contacts             log the contact and its outcome
 *   /staff/queue                            a team's requests and tasks
 *   /staff/tasks/{id}/claim|complete */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/lifeevent.h"
#include "core/entities.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/html.h"
#include "web/pages.h"

/* Adds a query parameter the API handler reads (the page's own route did
 * not declare it, e.g. preview=true). */
static void set_query(req *q, const char *name, const char *value)
{
    for (int i = 0; i < q->nquery; i++)
        if (!strcmp(q->query[i].name, name)) {
            q->query[i].value = value;
            return;
        }
    if (q->nquery < MAX_QUERY)
        q->query[q->nquery++] = (kv){name, value};
}

static const char *form_or(req *q, const char *name, const char *dflt)
{
    const char *v = req_form(q, name);
    return v && *v ? v : dflt;
}

/* A number if s is one, else the text (so the API names it as not an id). */
static json_t *id_or_text(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *end || end == s ? json_string(s) : json_integer(v);
}

/* ---- the single view's additions ---- */

static const char *const channels[][2] = {
    {"phone", "Phone"}, {"face_to_face", "Face to face"}, {"email", "Email"}, {"web", "Web"},
    {"web_chat", "Web chat"}, {"post", "Post"}, {"sms", "Text message"}, {"social_media", "Social media"}};

void page_person_banner(req *q, buf *b)
{
    const char *done = req_query(q, "done");
    if (done)
        page_success_banner(b, done);
}

void page_person_actions(req *q, buf *b, long long pid)
{
    int status;
    json_t *appts = page_model(q, api_person_appointments, &status);
    html_printf(b, "<h2 class=\"govuk-heading-m\">Appointments</h2>\n");
    size_t i, shown = 0;
    json_t *e;
    json_array_foreach(appts ? json_object_get(appts, "items") : NULL, i, e)
    {
        if (!shown++)
            html_printf(b, "<ul class=\"govuk-list\">\n");
        const site *l = locations_find(&q->cat->locations, json_str(e, "location"));
        html_printf(b, "<li>%h at %h: %h (%h)</li>\n", json_str(e, "starts_at"), l ? l->name : json_str(e, "location"),
                    json_str(e, "service"), json_str(e, "status"));
    }
    html_printf(b, shown ? "</ul>\n" : "<p class=\"govuk-body\">None booked.</p>\n");
    if (appts)
        json_decref(appts);
    html_printf(b,
                "<h2 class=\"govuk-heading-m\">Do something for them</h2>\n<ul class=\"govuk-list\">\n"
                "<li><a class=\"govuk-link\" href=\"/staff/people/%lld/life-events/new\">Report a life event</a> "
                "(a birth, a death, a move ...): see what it will change first</li>\n"
                "<li><a class=\"govuk-link\" href=\"/staff/people/%lld/appointments/new\">Book an appointment</a></li>\n"
                "</ul>\n",
                pid, pid);
    /* Log the contact and its outcome. */
    html_printf(b,
                "<form method=\"post\" action=\"/staff/people/%lld/contacts\" novalidate>\n"
                "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n"
                "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\">"
                "<h2 class=\"govuk-fieldset__heading\">Log this contact</h2></legend>\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"contact-channel\">How they got in "
                "touch</label><select class=\"govuk-select\" id=\"contact-channel\" name=\"channel\">",
                pid, q->who.csrf);
    for (size_t k = 0; k < sizeof channels / sizeof channels[0]; k++)
        html_printf(b, "<option value=\"%s\">%s</option>", channels[k][0], channels[k][1]);
    html_printf(b,
                "</select></div>\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"contact-type\">What it was"
                "</label><select class=\"govuk-select\" id=\"contact-type\" name=\"type\">"
                "<option value=\"interaction\">A question or conversation</option>"
                "<option value=\"transaction\">Something done for them</option>"
                "<option value=\"information\">Information given</option></select></div>\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"contact-reason\">What it was about"
                "</label><input class=\"govuk-input\" id=\"contact-reason\" name=\"reason\" type=\"text\" "
                "maxlength=\"200\"></div>\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"contact-outcome\">Outcome</label>"
                "<input class=\"govuk-input\" id=\"contact-outcome\" name=\"outcome\" type=\"text\" maxlength=\"200\">"
                "</div>\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"contact-avoidable\">Could it have "
                "been avoided?</label><select class=\"govuk-select\" id=\"contact-avoidable\" name=\"avoidable\">"
                "<option value=\"\">Not said</option><option value=\"no\">No</option>"
                "<option value=\"chasing_progress\">They were chasing progress</option>"
                "<option value=\"repeat_information\">They had to tell us again</option>"
                "<option value=\"could_be_online\">It could have been done online</option></select></div>\n"
                "<div class=\"govuk-form-group\"><div class=\"govuk-checkboxes govuk-checkboxes--small\" "
                "data-module=\"govuk-checkboxes\"><div class=\"govuk-checkboxes__item\">"
                "<input class=\"govuk-checkboxes__input\" id=\"contact-resolved\" name=\"resolved_first_contact\" "
                "type=\"checkbox\" value=\"true\"><label class=\"govuk-label govuk-checkboxes__label\" "
                "for=\"contact-resolved\">Resolved there and then</label></div></div></div>\n"
                "</fieldset>\n<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" "
                "data-module=\"govuk-button\">Log the contact</button>\n</form>\n");
}

/* Back to the single view with a banner (done) or an error. */
static void back_to_person(req *q, resp *p, long long pid, const char *done, const char *error)
{
    page_redirect(p, arena_printf(q->a, "/staff/people/%lld?%s=%s", pid, done ? "done" : "error",
                                  page_urlenc(q, done ? done : error)));
}

int page_person_contact(req *q, resp *p)
{
    long long pid = q->path_id[0];
    json_t *body = json_pack("{s:s, s:s, s:I}", "channel", form_or(q, "channel", ""), "type",
                             form_or(q, "type", ""), "person_id", (json_int_t)pid);
    static const char *const texts[] = {"reason", "outcome", "avoidable", NULL};
    for (int i = 0; texts[i]; i++)
        if (form_or(q, texts[i], NULL))
            json_object_set_new(body, texts[i], json_string(req_form(q, texts[i])));
    json_object_set_new(body, "resolved_first_contact", json_boolean(form_or(q, "resolved_first_contact", NULL) != NULL));
    int status;
    json_t *m = page_call(q, api_contact_create, body, &status);
    if (status == 201)
        back_to_person(q, p, pid, "Contact logged", NULL);
    else
        back_to_person(q, p, pid, NULL, page_problem_text(q, m, "The contact was not logged"));
    if (m)
        json_decref(m);
    return 0;
}

/* ---- life events ---- */

typedef struct {
    const char *name, *label, *hint, *types; /* types: the events it is for, space-separated */
} detail_field;

static const detail_field details[] = {
    {"details.child.given_name", "Baby's first name", "A birth", "birth"},
    {"details.child.family_name", "Baby's last name", "A birth (default: the parent's)", "birth"},
    {"details.partner_id", "Partner's record number", "A marriage or civil partnership", "marriage"},
    {"details.property_id", "New home's property number", "Moving in, or moving within the borough",
     "move_in move_within"},
    {"details.household_id", "Household number they join", "Moving in to join a household already on record",
     "move_in"},
    {"details.forwarding_address", "Forwarding address", "Moving out of the borough", "move_out"},
    {"details.accessibility_needs", "Their needs now", "Becoming disabled", "becoming_disabled"},
    {"details.cared_for_id", "Record number of the person they care for", "Becoming a carer", "becoming_carer"},
    {"details.note", "Note", "A death: anything the teams should know", "death"},
};
enum { NDETAILS = sizeof details / sizeof details[0] };

static int for_type(const detail_field *d, const char *type)
{
    size_t n = strlen(type);
    for (const char *s = d->types; (s = strstr(s, type)); s += n)
        if ((s == d->types || s[-1] == ' ') && (s[n] == 0 || s[n] == ' '))
            return 1;
    return 0;
}

/* "details.child.given_name" -> "details-child-given_name": the field's id. */
static const char *field_id(req *q, const char *name)
{
    char *s = arena_strdup(q->a, name);
    for (char *c = s; *c; c++)
        if (*c == '.')
            *c = '-';
    return s;
}

/* The report as the API takes it, from the form: only the details the
 * event uses. */
static json_t *life_event_body(req *q, long long pid)
{
    const char *type = form_or(q, "type", "");
    json_t *body = json_pack("{s:I, s:s, s:s, s:s}", "person_id", (json_int_t)pid, "type", type, "event_date",
                             form_or(q, "event_date", ""), "channel",
                             q->who.role == ROLE_RESIDENT ? "web" : form_or(q, "channel", "phone"));
    json_t *det = json_object();
    for (int i = 0; i < NDETAILS; i++) {
        const char *v = form_or(q, details[i].name, NULL);
        if (!v || !for_type(&details[i], type))
            continue;
        const char *k = details[i].name + 8;
        if (!strncmp(k, "child.", 6)) {
            json_t *child = json_object_get(det, "child");
            if (!child)
                json_object_set_new(det, "child", child = json_object());
            json_object_set_new(child, k + 6, json_string(v));
        } else if (strstr(k, "_id")) {
            json_object_set_new(det, k, id_or_text(v));
        } else {
            json_object_set_new(det, k, json_string(v));
        }
    }
    const char *whole = form_or(q, "details.whole_household", NULL);
    if (whole && (!strcmp(type, "move_out") || !strcmp(type, "move_within")))
        json_object_set_new(det, "whole_household", json_boolean(!strcmp(whole, "true")));
    json_object_set_new(body, "details", det);
    return body;
}

/* Where the life-event pages live: under the single view for staff, under
 * /account for a resident. */
static const char *le_base(req *q, long long pid)
{
    return q->who.role == ROLE_RESIDENT ? "/account" : arena_printf(q->a, "/staff/people/%lld", pid);
}

/* Whom the report is about: the single view's person; for a resident,
 * whom they chose (the API checks it is someone in their household). */
static long long le_person(req *q)
{
    if (q->who.role != ROLE_RESIDENT)
        return q->path_id[0];
    const char *v = req_form(q, "person_id");
    char *end;
    long long id = v ? strtoll(v, &end, 10) : 0;
    return id > 0 && !*end ? id : q->who.person_id;
}

static void field_error(buf *b, const char *id, const char *msg)
{
    if (msg)
        html_printf(b, "<p id=\"%h-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">"
                       "Error:</span> %h</p>",
                    id, msg);
}

static void life_event_form(req *q, resp *p, long long pid, json_t *problem)
{
    page_begin(q, p, problem ? "Error: Report a life event" : "Report a life event");
    buf *b = &p->body;
    if (problem)
        page_error_summary(b, problem, page_problem_text(q, problem, "The report could not be made"));
    const char *type = form_or(q, "type", "");
    const char *base = le_base(q, pid);
    html_printf(b,
                "<a class=\"govuk-back-link\" href=\"%h\">Back</a>\n"
                "<h1 class=\"govuk-heading-l\">Report a life event</h1>\n"
                "<p class=\"govuk-body\">You will see everything it changes before anything is changed.%s</p>\n"
                "<form method=\"post\" action=\"%h/life-events/preview\" novalidate>\n"
                "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n",
                base,
                q->who.role == ROLE_RESIDENT ? " Tell us once: we pass it on to every council service that needs to know."
                                             : "",
                base, q->who.csrf);
    if (q->who.role == ROLE_RESIDENT) {
        /* Whom it is about: themselves or someone living with them. */
        long long saved = q->path_id[0];
        int saved_n = q->npath, st;
        q->path_id[0] = q->who.person_id;
        q->npath = 1;
        json_t *me = page_model(q, api_person_get, &st);
        q->path_id[0] = saved;
        q->npath = saved_n;
        html_printf(b, "<div class=\"govuk-form-group\"><label class=\"govuk-label govuk-label--s\" for=\"person_id\">"
                       "Who it is about</label><select class=\"govuk-select\" id=\"person_id\" name=\"person_id\">"
                       "<option value=\"%lld\">You</option>",
                    q->who.person_id);
        json_t *hh = me ? json_object_get(me, "household") : NULL;
        size_t i;
        json_t *m;
        json_array_foreach(json_is_object(hh) ? json_object_get(hh, "members") : NULL, i, m)
        {
            long long id = (long long)json_integer_value(json_object_get(m, "person_id"));
            if (!json_is_true(json_object_get(m, "current")) || id == q->who.person_id)
                continue;
            html_printf(b, "<option value=\"%lld\"%s>%h %h</option>", id, id == pid ? " selected" : "",
                        json_str(m, "given_name"), json_str(m, "family_name"));
        }
        html_printf(b, "</select></div>\n");
        if (me)
            json_decref(me);
    }
    const char *et = page_field_error(problem, "type");
    html_printf(b, "<div class=\"govuk-form-group%s\"><label class=\"govuk-label govuk-label--s\" for=\"type\">What "
                   "happened</label>",
                et ? " govuk-form-group--error" : "");
    field_error(b, "type", et);
    html_printf(b, "<select class=\"govuk-select\" id=\"type\" name=\"type\">\n");
    for (int i = 0; q->cat->life && i < q->cat->life->n; i++) {
        const playbook *pb = &q->cat->life->items[i];
        html_printf(b, "<option value=\"%h\"%s>%h</option>\n", pb->type, !strcmp(type, pb->type) ? " selected" : "",
                    pb->name);
    }
    html_printf(b, "</select></div>\n");
    const char *ed = page_field_error(problem, "event_date");
    html_printf(b,
                "<div class=\"govuk-form-group%s\"><label class=\"govuk-label govuk-label--s\" for=\"event_date\">"
                "When</label><div id=\"event_date-hint\" class=\"govuk-hint\">For example, 2026-03-27</div>",
                ed ? " govuk-form-group--error" : "");
    field_error(b, "event_date", ed);
    html_printf(b,
                "<input class=\"govuk-input govuk-input--width-10%s\" id=\"event_date\" name=\"event_date\" "
                "type=\"text\" inputmode=\"numeric\" aria-describedby=\"event_date-hint\" value=\"%h\"></div>\n"
                "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">"
                "Details: only what this event needs</legend>\n",
                ed ? " govuk-input--error" : "", form_or(q, "event_date", ""));
    for (int i = 0; i < NDETAILS; i++) {
        const char *id = field_id(q, details[i].name);
        const char *err = page_field_error(problem, details[i].name);
        if (!err && !strncmp(details[i].name, "details.child.", 14))
            err = page_field_error(problem, "details.child");
        html_printf(b,
                    "<div class=\"govuk-form-group%s\"><label class=\"govuk-label\" for=\"%h\">%h</label>"
                    "<div id=\"%h-hint\" class=\"govuk-hint\">%h</div>",
                    err ? " govuk-form-group--error" : "", id, details[i].label, id, details[i].hint);
        field_error(b, id, err);
        html_printf(b,
                    "<input class=\"govuk-input%s\" id=\"%h\" name=\"%h\" type=\"text\" aria-describedby=\"%h-hint\" "
                    "value=\"%h\"></div>\n",
                    err ? " govuk-input--error" : "", id, details[i].name, id, form_or(q, details[i].name, ""));
    }
    const char *whole = form_or(q, "details.whole_household", "");
    html_printf(b,
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"details-whole_household\">Who "
                "moves</label><div id=\"details-whole_household-hint\" class=\"govuk-hint\">Moving out, or within "
                "the borough</div><select class=\"govuk-select\" id=\"details-whole_household\" "
                "name=\"details.whole_household\" aria-describedby=\"details-whole_household-hint\">"
                "<option value=\"\">As usual for the event (out: them alone; within: everyone)</option>"
                "<option value=\"false\"%s>Only this person</option><option value=\"true\"%s>Everyone at the "
                "address</option></select></div>\n</fieldset>\n"
                "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Preview what will "
                "change</button>\n</form>\n",
                !strcmp(whole, "false") ? " selected" : "", !strcmp(whole, "true") ? " selected" : "");
    page_end(q, p);
}

int page_life_event_new(req *q, resp *p)
{
    life_event_form(q, p, le_person(q), NULL);
    return 0;
}

int page_life_event_preview(req *q, resp *p)
{
    long long pid = le_person(q);
    set_query(q, "preview", "true");
    int status;
    json_t *m = page_call(q, api_life_event_create, life_event_body(q, pid), &status);
    if (status != 200 || !m) {
        p->status = status >= 400 ? status : 500;
        life_event_form(q, p, pid, m);
        if (m)
            json_decref(m);
        return 0;
    }
    const playbook *pb = q->cat->life ? lifeevent_find(q->cat->life, form_or(q, "type", "")) : NULL;
    page_begin(q, p, "Check what will change");
    buf *b = &p->body;
    html_printf(b,
                "<a class=\"govuk-back-link\" href=\"%h/life-events/new\">Back</a>\n"
                "<span class=\"govuk-caption-l\">%h on %h</span>\n<h1 class=\"govuk-heading-l\">Check what will "
                "change</h1>\n",
                le_base(q, pid), pb ? pb->name : form_or(q, "type", ""), form_or(q, "event_date", ""));
    if (json_is_true(json_object_get(m, "already_reported")))
        html_printf(b, "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" "
                       "aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span "
                       "class=\"govuk-visually-hidden\">Warning</span> This has been reported already: confirming "
                       "changes nothing.</strong></div>\n");
    json_t *effects = json_object_get(m, "effects");
    html_printf(b, "<p class=\"govuk-body\">Nothing has changed yet. Confirming does these %zu things, in one go:</p>\n"
                   "<ol class=\"govuk-list govuk-list--number\" id=\"effects\">\n",
                json_array_size(effects));
    size_t i;
    json_t *e;
    json_array_foreach(effects, i, e) html_printf(b, "<li>%h</li>\n", json_str(e, "description"));
    html_printf(b, "</ol>\n<form method=\"post\" action=\"%h/life-events\" novalidate>\n"
                   "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n",
                le_base(q, pid), q->who.csrf);
    for (int k = 0; k < q->nform; k++)
        if (strcmp(q->form[k].name, "csrf_token"))
            html_printf(b, "<input type=\"hidden\" name=\"%h\" value=\"%h\">\n", q->form[k].name, q->form[k].value);
    html_printf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Confirm and apply"
                   "</button>\n</form>\n");
    page_end(q, p);
    json_decref(m);
    return 0;
}

int page_life_event_apply(req *q, resp *p)
{
    long long pid = le_person(q);
    int status;
    json_t *m = page_call(q, api_life_event_create, life_event_body(q, pid), &status);
    if (status == 201 || status == 200) {
        const playbook *pb = q->cat->life ? lifeevent_find(q->cat->life, form_or(q, "type", "")) : NULL;
        const char *what = pb ? pb->name : "The life event";
        const char *done = status == 200 ? arena_printf(q->a, "%s was reported already; nothing changed", what)
                                         : arena_printf(q->a, "%s is recorded: %zu changes made", what,
                                                        json_array_size(json_object_get(m, "effects")));
        if (q->who.role == ROLE_RESIDENT)
            page_redirect(p, arena_printf(q->a, "/account?done=%s", page_urlenc(q, done)));
        else
            back_to_person(q, p, pid, done, NULL);
    } else {
        p->status = status >= 400 ? status : 500;
        life_event_form(q, p, pid, m);
    }
    if (m)
        json_decref(m);
    return 0;
}

/* ---- appointments ---- */

/* Choose a service seen at some location, then a free slot. action is the
 * form's target, self the page (for "later times"). */
void page_appointment_picker(req *q, buf *b, const char *action, const char *self)
{
    const char *svc = req_query(q, "service");
    const char *err = req_query(q, "error");
    if (err)
        page_error_summary(b, NULL, err);
    html_printf(b, "<form method=\"get\" action=\"%h\" novalidate><div class=\"govuk-form-group\">"
                   "<label class=\"govuk-label govuk-label--s\" for=\"service\">What it is about</label>"
                   "<select class=\"govuk-select\" id=\"service\" name=\"service\">\n",
                self);
    const char *seen[256];
    int nseen = 0;
    for (int i = 0; i < q->cat->locations.n; i++)
        for (int k = 0; k < q->cat->locations.items[i].nservices; k++) {
            const char *s = q->cat->locations.items[i].services[k].service;
            int dup = 0;
            for (int j = 0; j < nseen; j++)
                dup |= !strcmp(seen[j], s);
            if (dup || nseen == 256)
                continue;
            seen[nseen++] = s;
            const service *sv = catalogue_find(q->cat, s);
            html_printf(b, "<option value=\"%h\"%s>%h</option>\n", s, svc && !strcmp(svc, s) ? " selected" : "",
                        sv ? sv->name : s);
        }
    html_printf(b, "</select></div><button type=\"submit\" class=\"govuk-button govuk-button--secondary\" "
                   "data-module=\"govuk-button\">Show times</button></form>\n");
    if (!svc)
        return;
    int status;
    json_t *m = page_call(q, api_appointment_slots, NULL, &status);
    if (status != 200) {
        page_error_summary(b, m, "No times could be found");
        if (m)
            json_decref(m);
        return;
    }
    enum { SHOWN = 24 };
    size_t i, n = 0;
    json_t *e;
    const char *last = NULL;
    char now[21];
    time_now_iso(now); /* as the booking compares: times already begun cannot be booked */
    json_array_foreach(json_object_get(m, "slots"), i, e)
    {
        if (json_integer_value(json_object_get(e, "available")) < 1 || n == SHOWN ||
            strncmp(json_str(e, "starts_at"), now, 16) <= 0)
            continue;
        if (!n++)
            html_printf(b,
                        "<form method=\"post\" action=\"%h\" novalidate>\n"
                        "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n"
                        "<input type=\"hidden\" name=\"service\" value=\"%h\">\n"
                        "<div class=\"govuk-form-group\"><fieldset class=\"govuk-fieldset\">"
                        "<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h2 "
                        "class=\"govuk-fieldset__heading\">Choose a time</h2></legend>\n"
                        "<div class=\"govuk-radios govuk-radios--small\" data-module=\"govuk-radios\">\n",
                        action, q->who.csrf, svc);
        const site *l = locations_find(&q->cat->locations, json_str(e, "location"));
        const char *start = json_str(e, "starts_at");
        last = start;
        html_printf(b,
                    "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"slot-%zu\" "
                    "name=\"slot\" type=\"radio\" value=\"%h|%h\"><label class=\"govuk-label govuk-radios__label\" "
                    "for=\"slot-%zu\">%h at %h, %h (%lld free)</label></div>\n",
                    n, json_str(e, "location"), start, n,
                    arena_printf(q->a, "%.10s %s", start, start + 11), l ? l->name : json_str(e, "location"),
                    l ? l->address : "", (long long)json_integer_value(json_object_get(e, "available")));
    }
    if (n)
        html_printf(b, "</div></fieldset></div>\n<button type=\"submit\" class=\"govuk-button\" "
                       "data-module=\"govuk-button\">Book this time</button>\n</form>\n");
    else
        html_printf(b, "<p class=\"govuk-body\">No free times in these two weeks.</p>\n");
    /* Later: from the day after the last time shown (or after this range). */
    char next[21];
    const char *base_day = last ? last : json_str(m, "to");
    time_iso_from(time_parse_iso(arena_printf(q->a, "%.10sT00:00:00Z", base_day)) + 86400, next);
    html_printf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"%h?service=%h&amp;from=%h\">Later "
                   "times</a></p>\n",
                self, svc, arena_printf(q->a, "%.10s", next));
    json_decref(m);
}

/* The booking body from the form: slot is "location|starts_at". */
json_t *page_appointment_body(req *q, long long pid)
{
    const char *slot = form_or(q, "slot", "");
    const char *bar = strchr(slot, '|');
    json_t *body = json_pack("{s:I, s:s}", "person_id", (json_int_t)pid, "service", form_or(q, "service", ""));
    json_object_set_new(body, "location", json_string(bar ? arena_printf(q->a, "%.*s", (int)(bar - slot), slot) : ""));
    json_object_set_new(body, "starts_at", json_string(bar ? bar + 1 : ""));
    return body;
}

int page_appointment_new(req *q, resp *p)
{
    long long pid = q->path_id[0];
    page_begin(q, p, "Book an appointment");
    buf *b = &p->body;
    html_printf(b, "<a class=\"govuk-back-link\" href=\"/staff/people/%lld\">Back to the resident</a>\n"
                   "<h1 class=\"govuk-heading-l\">Book an appointment</h1>\n",
                pid);
    page_appointment_picker(q, b, arena_printf(q->a, "/staff/people/%lld/appointments", pid),
                            arena_printf(q->a, "/staff/people/%lld/appointments/new", pid));
    page_end(q, p);
    return 0;
}

int page_appointment_book(req *q, resp *p)
{
    long long pid = q->path_id[0];
    if (!form_or(q, "slot", NULL)) {
        page_redirect(p, arena_printf(q->a, "/staff/people/%lld/appointments/new?service=%s&error=Choose+a+time", pid,
                                      page_urlenc(q, form_or(q, "service", ""))));
        return 0;
    }
    int status;
    json_t *m = page_call(q, api_appointment_book, page_appointment_body(q, pid), &status);
    if (status == 201)
        back_to_person(q, p, pid, arena_printf(q->a, "Appointment booked for %s", json_str(m, "starts_at")), NULL);
    else
        page_redirect(p, arena_printf(q->a, "/staff/people/%lld/appointments/new?service=%s&error=%s", pid,
                                      page_urlenc(q, form_or(q, "service", "")),
                                      page_urlenc(q, page_problem_text(q, m, "The appointment was not booked"))));
    if (m)
        json_decref(m);
    return 0;
}

/* ---- the team queue ---- */

int page_queue(req *q, resp *p)
{
    const char *team = req_query(q, "team");
    if ((!team || !*team) && q->who.department)
        set_query(q, "team", team = q->who.department);
    int s1, s2;
    json_t *reqs = team ? page_model(q, api_requests_list, &s1) : NULL;
    json_t *tasks = team ? page_model(q, api_tasks_list, &s2) : NULL;
    page_begin(q, p, "Team queue");
    buf *b = &p->body;
    const char *done = req_query(q, "done"), *err = req_query(q, "error");
    if (done)
        page_success_banner(b, done);
    if (err)
        page_error_summary(b, NULL, err);
    html_printf(b, "<h1 class=\"govuk-heading-l\">Team queue</h1>\n"
                   "<form method=\"get\" action=\"/staff/queue\" novalidate><div class=\"govuk-form-group\">"
                   "<label class=\"govuk-label\" for=\"team\">Team</label><select class=\"govuk-select\" id=\"team\" "
                   "name=\"team\">\n");
    const char *seen[128];
    int nseen = 0;
    for (int i = 0; i < q->cat->n; i++) {
        const char *d = q->cat->items[i].department;
        int dup = 0;
        for (int j = 0; j < nseen; j++)
            dup |= !strcmp(seen[j], d);
        if (dup || nseen == 128)
            continue;
        seen[nseen++] = d;
        html_printf(b, "<option value=\"%h\"%s>%h</option>\n", d, team && !strcmp(team, d) ? " selected" : "", d);
    }
    html_printf(b, "</select></div><button type=\"submit\" class=\"govuk-button govuk-button--secondary\" "
                   "data-module=\"govuk-button\">Show the queue</button></form>\n");
    if (!team) {
        page_end(q, p);
        return 0;
    }
    html_printf(b, "<h2 class=\"govuk-heading-m\">Tasks</h2>\n");
    size_t i, n = 0;
    json_t *e;
    json_array_foreach(tasks ? json_object_get(tasks, "items") : NULL, i, e)
    {
        const char *st = json_str(e, "status");
        if (!strcmp(st, "done") || !strcmp(st, "cancelled"))
            continue;
        if (!n++)
            html_printf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">"
                           "Tasks</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
                           "<th scope=\"col\" class=\"govuk-table__header\">Task</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Due</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Status</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Action</th></tr></thead>"
                           "<tbody class=\"govuk-table__body\">\n");
        long long id = (long long)json_integer_value(json_object_get(e, "id"));
        long long person = (long long)json_integer_value(json_object_get(e, "person_id"));
        html_printf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%h", json_str(e, "title"));
        if (person)
            html_printf(b, " (<a class=\"govuk-link\" href=\"/staff/people/%lld\">resident %lld</a>)", person, person);
        html_printf(b, "</td><td class=\"govuk-table__cell\">%h%s</td><td class=\"govuk-table__cell\">%h</td>"
                       "<td class=\"govuk-table__cell\">",
                    json_str(e, "due_date"), json_is_true(json_object_get(e, "overdue")) ? " (overdue)" : "", st);
        int claimed = !strcmp(st, "claimed");
        html_printf(b,
                    "<form method=\"post\" action=\"/staff/tasks/%lld/%s\">"
                    "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\"><input type=\"hidden\" name=\"team\" "
                    "value=\"%h\"><button type=\"submit\" class=\"govuk-button govuk-button--secondary "
                    "govuk-!-margin-bottom-0\" data-module=\"govuk-button\">%s<span class=\"govuk-visually-hidden\"> "
                    "task %lld</span></button></form></td></tr>\n",
                    id, claimed ? "complete" : "claim", q->who.csrf, team, claimed ? "Mark done" : "Claim", id);
    }
    html_printf(b, n ? "</tbody></table>\n" : "<p class=\"govuk-body\">No open tasks.</p>\n");
    html_printf(b, "<h2 class=\"govuk-heading-m\">Requests</h2>\n");
    n = 0;
    json_array_foreach(reqs ? json_object_get(reqs, "items") : NULL, i, e)
    {
        if (!n++)
            html_printf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">"
                           "Requests</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
                           "<th scope=\"col\" class=\"govuk-table__header\">Request</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Service</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Status</th>"
                           "<th scope=\"col\" class=\"govuk-table__header\">Promised</th></tr></thead>"
                           "<tbody class=\"govuk-table__body\">\n");
        long long person = (long long)json_integer_value(json_object_get(e, "person_id"));
        html_printf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%lld",
                    (long long)json_integer_value(json_object_get(e, "id")));
        if (person)
            html_printf(b, " (<a class=\"govuk-link\" href=\"/staff/people/%lld\">resident %lld</a>)", person, person);
        html_printf(b, "</td><td class=\"govuk-table__cell\">%h</td><td class=\"govuk-table__cell\">%h</td>"
                       "<td class=\"govuk-table__cell\">%h%s</td></tr>\n",
                    json_str(e, "service_name") ? json_str(e, "service_name") : json_str(e, "service"),
                    json_str(e, "status"), json_str(e, "promised_date"),
                    json_is_true(json_object_get(e, "overdue")) ? " (overdue)" : "");
    }
    html_printf(b, n ? "</tbody></table>\n" : "<p class=\"govuk-body\">No requests in this queue.</p>\n");
    page_end(q, p);
    if (reqs)
        json_decref(reqs);
    if (tasks)
        json_decref(tasks);
    return 0;
}

static int task_action(req *q, resp *p, int (*h)(req *, resp *), const char *done)
{
    const char *team = form_or(q, "team", "");
    int status;
    json_t *m = page_call(q, h, json_object(), &status);
    page_redirect(p, arena_printf(q->a, "/staff/queue?team=%s&%s=%s", page_urlenc(q, team),
                                  status == 200 ? "done" : "error",
                                  page_urlenc(q, status == 200 ? done : page_problem_text(q, m, "Nothing changed"))));
    if (m)
        json_decref(m);
    return 0;
}

int page_task_claim(req *q, resp *p) { return task_action(q, p, api_task_claim, "Task claimed"); }
int page_task_complete(req *q, resp *p) { return task_action(q, p, api_task_complete, "Task done"); }

/* ---- search as you type ---- */

static const char search_js[] =
    "(function(){\n"
    "  var input = document.getElementById('q'), results = document.getElementById('results');\n"
    "  if (!input || !results || !window.fetch || !window.DOMParser) return;\n"
    "  var timer = null, asked = input.value;\n"
    "  input.setAttribute('autocomplete', 'off');\n"
    "  input.addEventListener('input', function(){\n"
    "    clearTimeout(timer);\n"
    "    timer = setTimeout(function(){\n"
    "      var v = input.value.trim();\n"
    "      if (v === asked || v.length < 2) return;\n"
    "      asked = v;\n"
    "      fetch('/staff?q=' + encodeURIComponent(v), {credentials: 'same-origin'}).then(function(r){\n"
    "        return r.ok ? r.text() : null;\n"
    "      }).then(function(html){\n"
    "        if (html === null || v !== asked) return;\n"
    "        var doc = new DOMParser().parseFromString(html, 'text/html');\n"
    "        var fresh = doc.getElementById('results');\n"
    "        if (fresh) results.innerHTML = fresh.innerHTML;\n"
    "        if (window.history && history.replaceState) history.replaceState(null, '', '/staff?q=' + encodeURIComponent(v));\n"
    "      }).catch(function(){});\n"
    "    }, 250);\n"
    "  });\n"
    "})();\n";

int page_search_js(req *q, resp *p)
{
    (void)q;
    p->status = 200;
    p->content_type = "text/javascript; charset=utf-8";
    buf_append(&p->body, search_js, sizeof search_js - 1);
    return 0;
}

/* ---- the resident's own appointments (/account/appointments) ---- */

int page_account_appointments(req *q, resp *p)
{
    if (!q->who.person_id)
        return page_account_unlinked(q, p);
    q->path_id[0] = q->who.person_id;
    q->npath = 1;
    int status;
    json_t *appts = page_model(q, api_person_appointments, &status);
    page_begin(q, p, "Your appointments");
    buf *b = &p->body;
    const char *done = req_query(q, "done");
    if (done)
        page_success_banner(b, done);
    html_printf(b, "<a class=\"govuk-back-link\" href=\"/account\">Your account</a>\n"
                   "<h1 class=\"govuk-heading-l\">Your appointments</h1>\n");
    size_t i, shown = 0;
    json_t *e;
    json_array_foreach(appts ? json_object_get(appts, "items") : NULL, i, e)
    {
        if (strcmp(json_str(e, "status"), "booked"))
            continue;
        if (!shown++)
            html_printf(b, "<ul class=\"govuk-list\">\n");
        const site *l = locations_find(&q->cat->locations, json_str(e, "location"));
        const service *sv = catalogue_find(q->cat, json_str(e, "service"));
        long long id = (long long)json_integer_value(json_object_get(e, "id"));
        html_printf(b,
                    "<li class=\"govuk-!-margin-bottom-4\"><strong>%h</strong> at %h, %h: %h"
                    "<form method=\"post\" action=\"/account/appointments/%lld/cancel\">"
                    "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\"><button type=\"submit\" "
                    "class=\"govuk-button govuk-button--warning govuk-!-margin-bottom-0\" data-module=\"govuk-button\">"
                    "Cancel<span class=\"govuk-visually-hidden\"> the appointment on %h</span></button></form></li>\n",
                    arena_printf(q->a, "%.10s %s", json_str(e, "starts_at"), json_str(e, "starts_at") + 11),
                    l ? l->name : json_str(e, "location"), l ? l->address : "", sv ? sv->name : json_str(e, "service"),
                    id, q->who.csrf, json_str(e, "starts_at"));
    }
    html_printf(b, shown ? "</ul>\n" : "<p class=\"govuk-body\">You have no appointments booked.</p>\n");
    if (appts)
        json_decref(appts);
    html_printf(b, "<h2 class=\"govuk-heading-m\">Book an appointment</h2>\n");
    page_appointment_picker(q, b, "/account/appointments", "/account/appointments");
    page_end(q, p);
    return 0;
}

int page_account_appointment_book(req *q, resp *p)
{
    if (!form_or(q, "slot", NULL)) {
        page_redirect(p, arena_printf(q->a, "/account/appointments?service=%s&error=Choose+a+time",
                                      page_urlenc(q, form_or(q, "service", ""))));
        return 0;
    }
    int status;
    json_t *m = page_call(q, api_appointment_book, page_appointment_body(q, q->who.person_id), &status);
    if (status == 201)
        page_redirect(p, arena_printf(q->a, "/account/appointments?done=%s",
                                      page_urlenc(q, arena_printf(q->a, "Booked: %s", json_str(m, "starts_at")))));
    else
        page_redirect(p, arena_printf(q->a, "/account/appointments?service=%s&error=%s",
                                      page_urlenc(q, form_or(q, "service", "")),
                                      page_urlenc(q, page_problem_text(q, m, "The appointment was not booked"))));
    if (m)
        json_decref(m);
    return 0;
}

/* A resident cancels their own appointment: the page checks it is theirs
 * (404 otherwise, as if there were none), then the API's cancel does it. */
int page_account_appointment_cancel(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record a;
    if (!q->who.person_id || store_get(c, q->council, &appointment_def, q->path_id[0], q->a, &a) != STORE_OK ||
        rec_int(&a, "person_id") != q->who.person_id) {
        p->status = 404;
        page_begin(q, p, "Not found");
        html_printf(&p->body, "<h1 class=\"govuk-heading-l\">You have no such appointment</h1>\n");
        page_end(q, p);
        return 0;
    }
    int status;
    json_t *m = page_call(q, api_appointment_cancel, json_pack("{s:s}", "reason", "cancelled by the resident online"),
                          &status);
    page_redirect(p, arena_printf(q->a, "/account/appointments?%s=%s", status == 200 ? "done" : "error",
                                  page_urlenc(q, status == 200 ? "Appointment cancelled"
                                                               : page_problem_text(q, m, "Nothing changed"))));
    if (m)
        json_decref(m);
    return 0;
}

/* ---- the review queue for uncertain matches (/staff/review) ---- */

static void review_person(req *q, buf *b, const char *what, json_t *per)
{
    (void)q;
    if (!json_is_object(per)) {
        html_printf(b, "<p class=\"govuk-body\">%h: not found</p>\n", what);
        return;
    }
    long long id = (long long)json_integer_value(json_object_get(per, "id"));
    html_printf(b,
                "<p class=\"govuk-body\">%h: <a class=\"govuk-link\" href=\"/staff/people/%lld\">%h %h</a>, born %h "
                "(resident %lld)</p>\n",
                what, id, json_str(per, "given_name"), json_str(per, "family_name"),
                json_str(per, "date_of_birth") ? json_str(per, "date_of_birth") : "not known", id);
}

int page_review(req *q, resp *p)
{
    int status;
    json_t *m = page_model(q, api_matches_review, &status);
    page_begin(q, p, "Matches to review");
    buf *b = &p->body;
    const char *done = req_query(q, "done"), *err = req_query(q, "error");
    if (done)
        page_success_banner(b, done);
    if (err)
        page_error_summary(b, NULL, err);
    html_printf(b, "<h1 class=\"govuk-heading-l\">Matches to review</h1>\n<p class=\"govuk-body\">A departmental "
                   "record that may be someone we already know. Compare, then decide.</p>\n");
    size_t i, n = 0;
    json_t *e;
    json_array_foreach(m ? json_object_get(m, "items") : NULL, i, e)
    {
        long long id = (long long)json_integer_value(json_object_get(e, "id"));
        json_t *src = json_object_get(e, "source_record");
        n++;
        html_printf(b,
                    "<section class=\"govuk-!-margin-bottom-8\" aria-labelledby=\"match-%lld\"><h2 "
                    "class=\"govuk-heading-m\" id=\"match-%lld\">Match %lld: %h record %h</h2>\n",
                    id, id, id, json_is_object(src) ? json_str(src, "system") : "a",
                    json_is_object(src) ? json_str(src, "local_id") : "");
        review_person(q, b, "The record made", json_object_get(e, "person"));
        review_person(q, b, "May be", json_object_get(e, "candidate"));
        json_t *ev = json_object_get(e, "evidence");
        if (json_is_object(ev) && json_object_size(ev)) {
            html_printf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption "
                           "govuk-table__caption--s\">Evidence, field by field</caption><thead "
                           "class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" "
                           "class=\"govuk-table__header\">Field</th><th scope=\"col\" class=\"govuk-table__header\">"
                           "Agreement</th></tr></thead><tbody class=\"govuk-table__body\">\n");
            const char *k;
            json_t *v;
            json_object_foreach(ev, k, v)
            {
                const char *lvl = json_is_object(v) ? json_str(v, "level") : json_string_value(v);
                html_printf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">%h</th>"
                               "<td class=\"govuk-table__cell\">%h</td></tr>\n",
                            k, lvl ? lvl : "");
            }
            html_printf(b, "</tbody></table>\n");
        }
        html_printf(b,
                    "<div class=\"govuk-button-group\"><form method=\"post\" action=\"/staff/review/%lld/accept\">"
                    "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\"><button type=\"submit\" "
                    "class=\"govuk-button\" data-module=\"govuk-button\">Same person: merge<span "
                    "class=\"govuk-visually-hidden\"> match %lld</span></button></form>"
                    "<form method=\"post\" action=\"/staff/review/%lld/reject\"><input type=\"hidden\" "
                    "name=\"csrf_token\" value=\"%h\"><button type=\"submit\" class=\"govuk-button "
                    "govuk-button--secondary\" data-module=\"govuk-button\">Different people<span "
                    "class=\"govuk-visually-hidden\"> in match %lld</span></button></form></div>\n</section>\n",
                    id, q->who.csrf, id, id, q->who.csrf, id);
    }
    if (!n)
        html_printf(b, "<p class=\"govuk-body\">Nothing to review.</p>\n");
    page_end(q, p);
    if (m)
        json_decref(m);
    return 0;
}

static int review_action(req *q, resp *p, int (*h)(req *, resp *), const char *done)
{
    int status;
    json_t *m = page_call(q, h, json_object(), &status);
    page_redirect(p, arena_printf(q->a, "/staff/review?%s=%s", status == 200 ? "done" : "error",
                                  page_urlenc(q, status == 200 ? done : page_problem_text(q, m, "Nothing changed"))));
    if (m)
        json_decref(m);
    return 0;
}

int page_review_accept(req *q, resp *p) { return review_action(q, p, api_match_accept, "Merged: one person now"); }
int page_review_reject(req *q, resp *p) { return review_action(q, p, api_match_reject, "Kept apart: different people"); }
