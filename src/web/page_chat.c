/* page_chat.c: the web chat pages. A resident's /chat and /chat/{key};
 * the agent's /staff/chats and /staff/chats/{id}. Rendered from the chat
 * API's view models; forms work without JavaScript (each message reloads
 * the page); with it, /chat.js shows messages as they come (Server-Sent
 * Events) and sends without a reload. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/kb.h"
#include "web/api_chat.h"
#include "web/html.h"

/* ---- shared ---- */

static const char *status_words(const char *s, int staff)
{
    if (!s)
        return "";
    if (!strcmp(s, "waiting"))
        return staff ? "Waiting for an agent" : "Waiting for an adviser. Someone will be with you shortly.";
    if (!strcmp(s, "active"))
        return staff ? "Active" : "You are chatting with an adviser.";
    return staff ? "Closed" : "This chat has ended. Thank you.";
}

/* The messages as a list the script can add to; me is "resident" or "agent". */
static void messages(buf *b, json_t *chat, const char *events, const char *me, const char *resident_name)
{
    json_t *ms = json_object_get(chat, "messages");
    long long last = 0;
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m) last = (long long)json_integer_value(json_object_get(m, "id"));
    html_printf(b,
                "<h2 class=\"govuk-heading-m\">Messages</h2>\n"
                "<p class=\"govuk-body\" id=\"chat-status\" role=\"status\">%h</p>\n"
                "<ol class=\"govuk-list\" id=\"messages\" aria-live=\"polite\" data-events=\"%h\" data-after=\"%lld\" "
                "data-me=\"%h\" data-them=\"%h\">\n",
                status_words(json_str(chat, "status"), !strcmp(me, "agent")), events, last, me,
                resident_name ? resident_name : "Resident");
    json_array_foreach(ms, i, m)
    {
        const char *from = json_str(m, "sender");
        const char *who = !strcmp(from, "system") ? NULL
                        : !strcmp(from, me)       ? "You"
                        : !strcmp(from, "agent")  ? "Adviser"
                                                  : (resident_name ? resident_name : "Resident");
        long long id = (long long)json_integer_value(json_object_get(m, "id"));
        if (who)
            html_printf(b, "<li id=\"m-%lld\"><strong>%h:</strong> %h", id, who, json_str(m, "text"));
        else
            html_printf(b, "<li id=\"m-%lld\" class=\"govuk-hint\">%h", id, json_str(m, "text"));
        if (json_str(m, "link"))
            html_printf(b, " <a class=\"govuk-link\" href=\"%h\">%h</a>", json_str(m, "link"),
                        json_str(m, "link_title") ? json_str(m, "link_title") : json_str(m, "link"));
        html_printf(b, "</li>\n");
    }
    html_printf(b, "</ol>\n");
}

static void error_summary(buf *b, const char *msg, const char *anchor)
{
    html_printf(b,
                "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
                "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div "
                "class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">"
                "<li><a href=\"#%h\">%h</a></li></ul></div></div></div>\n",
                anchor, msg);
}

static const char *urlenc(req *q, const char *s)
{
    buf e;
    buf_init(&e, 4096);
    for (; s && *s; s++)
        isalnum((unsigned char)*s) ? buf_append(&e, s, 1) : buf_printf(&e, "%%%02X", (unsigned char)*s);
    const char *out = arena_strdup(q->a, buf_str(&e));
    buf_free(&e);
    return out;
}

/* The first error's message from a problem answer, or detail. */
static const char *problem_text(req *q, resp *r, const char *fallback)
{
    json_t *prob = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
    json_t *e0 = prob ? json_array_get(json_object_get(prob, "errors"), 0) : NULL;
    const char *msg = e0 ? arena_printf(q->a, "%s %s", json_str(e0, "field"), json_str(e0, "message"))
                    : prob && json_str(prob, "detail") ? arena_strdup(q->a, json_str(prob, "detail"))
                                                       : fallback;
    if (prob)
        json_decref(prob);
    return msg;
}

/* Runs API handler h with body (stolen) as its JSON; r gets the answer. */
static void call(req *q, resp *r, int (*h)(req *, resp *), json_t *body)
{
    json_t *saved = q->json;
    q->json = body;
    buf_init(&r->body, 1 << 20);
    h(q, r);
    q->json = saved;
    json_decref(body);
}

/* A form field, or NULL if missing or blank. */
static const char *field(req *q, const char *name)
{
    const char *v = req_form(q, name);
    if (!v)
        return NULL;
    for (const char *c = v; *c; c++)
        if (!isspace((unsigned char)*c))
            return v;
    return NULL;
}

/* ---- the resident ---- */

static void start_form(req *q, resp *p, const char *text, const char *name, const char *error)
{
    page_begin(q, p, "Chat with an adviser");
    buf *b = &p->body;
    html_printf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n");
    if (error)
        error_summary(b, error, "text");
    html_printf(b,
                "<h1 class=\"govuk-heading-l\">Chat with an adviser</h1>\n"
                "<p class=\"govuk-body\">An adviser will answer here, usually within a few minutes, 9am to 5pm, "
                "Monday to Friday. For an emergency call 999.</p>\n"
                "<form method=\"post\" action=\"/chat\" novalidate>\n"
                "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"name\">Your name (optional)</label>\n"
                "<input class=\"govuk-input govuk-input--width-20\" id=\"name\" name=\"name\" type=\"text\" "
                "autocomplete=\"name\" value=\"%h\"></div>\n"
                "<div class=\"govuk-form-group%s\"><label class=\"govuk-label\" for=\"text\">How can we help?</label>\n"
                "<textarea class=\"govuk-textarea\" id=\"text\" name=\"text\" rows=\"4\">%h</textarea></div>\n"
                "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Start chat</button>\n"
                "</form>\n</div></div>\n",
                name ? name : "", error ? " govuk-form-group--error" : "", text ? text : "");
    page_end(q, p);
}

int page_chat_start(req *q, resp *p)
{
    start_form(q, p, NULL, NULL, NULL);
    return 0;
}

int page_chat_open(req *q, resp *p)
{
    const char *text = field(q, "text"), *name = field(q, "name");
    json_t *body = json_pack("{s:s}", "text", text ? text : "");
    if (name)
        json_object_set_new(body, "name", json_string(name));
    resp r = {0};
    call(q, &r, api_chat_create, body);
    if (r.status == 201) {
        json_t *made = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
        const char *key = made ? json_str(made, "access_key") : NULL;
        page_redirect(p, arena_printf(q->a, "/chat/%s", key ? key : ""));
        if (made)
            json_decref(made);
    } else {
        p->status = r.status;
        start_form(q, p, text, name, r.status == 422 ? "Say how we can help" : problem_text(q, &r, "Try again"));
    }
    buf_free(&r.body);
    return 0;
}

static void chat_page(req *q, resp *p, const char *error)
{
    int status;
    json_t *ch = page_model(q, api_webchat_get, &status);
    if (!ch) {
        p->status = status == 404 ? 404 : 500;
        page_begin(q, p, "Chat not found");
        html_printf(&p->body, "<h1 class=\"govuk-heading-l\">This chat was not found</h1>\n"
                              "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/chat\">Start a new chat</a></p>\n");
        page_end(q, p);
        return;
    }
    page_begin(q, p, "Chat with an adviser");
    buf *b = &p->body;
    if (error)
        error_summary(b, error, "text");
    html_printf(b, "<h1 class=\"govuk-heading-l\">Chat with an adviser</h1>\n");
    messages(b, ch, arena_printf(q->a, "/api/v1/webchat/%s/events", q->path_slug), "resident", NULL);
    if (strcmp(json_str(ch, "status"), "closed"))
        html_printf(b,
                    "<form method=\"post\" action=\"/chat/%h\" id=\"chat-form\" novalidate>\n"
                    "<div class=\"govuk-form-group%s\"><label class=\"govuk-label\" for=\"text\">Your message</label>\n"
                    "<textarea class=\"govuk-textarea\" id=\"text\" name=\"text\" rows=\"3\"></textarea></div>\n"
                    "<div class=\"govuk-button-group\"><button type=\"submit\" class=\"govuk-button\" "
                    "data-module=\"govuk-button\">Send</button>\n"
                    "<a class=\"govuk-link\" href=\"/chat/%h\">Check for new messages</a></div>\n</form>\n",
                    q->path_slug, error ? " govuk-form-group--error" : "", q->path_slug);
    else
        html_printf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/chat\">Start a new chat</a></p>\n");
    html_printf(b, "<script src=\"/chat.js\" defer></script>\n");
    page_end(q, p);
    json_decref(ch);
}

int page_chat(req *q, resp *p)
{
    chat_page(q, p, NULL);
    return 0;
}

int page_chat_send(req *q, resp *p)
{
    const char *text = field(q, "text");
    resp r = {0};
    call(q, &r, api_webchat_message, json_pack("{s:s}", "text", text ? text : ""));
    if (r.status == 201) {
        page_redirect(p, arena_printf(q->a, "/chat/%s#text", q->path_slug));
    } else {
        p->status = r.status;
        chat_page(q, p, r.status == 422 ? "Write a message" : problem_text(q, &r, "Try again"));
        p->status = r.status;
    }
    buf_free(&r.body);
    return 0;
}

/* ---- the agent ---- */

int page_staff_chats(req *q, resp *p)
{
    int status;
    json_t *m = page_model(q, api_chats_list, &status);
    page_begin(q, p, "Web chats");
    buf *b = &p->body;
    html_printf(b, "<h1 class=\"govuk-heading-l\">Web chats</h1>\n"
                   "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/staff/chats\">Refresh</a></p>\n");
    json_t *items = m ? json_object_get(m, "items") : NULL;
    if (!json_array_size(items))
        html_printf(b, "<p class=\"govuk-body\">Nobody is waiting.</p>\n");
    else {
        html_printf(b, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">"
                       "Waiting and active</caption>\n<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
                       "<th scope=\"col\" class=\"govuk-table__header\">Started</th>"
                       "<th scope=\"col\" class=\"govuk-table__header\">Who</th>"
                       "<th scope=\"col\" class=\"govuk-table__header\">About</th>"
                       "<th scope=\"col\" class=\"govuk-table__header\">Status</th>"
                       "<th scope=\"col\" class=\"govuk-table__header\">Action</th></tr></thead>\n"
                       "<tbody class=\"govuk-table__body\">\n");
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e)
        {
            long long id = (long long)json_integer_value(json_object_get(e, "id"));
            html_printf(b,
                        "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">%h</td>"
                        "<td class=\"govuk-table__cell\">%h</td><td class=\"govuk-table__cell\">%h</td>"
                        "<td class=\"govuk-table__cell\">%h</td><td class=\"govuk-table__cell\">",
                        json_str(e, "created_at"), json_str(e, "name") ? json_str(e, "name") : "Not given",
                        json_str(e, "topic_title") ? json_str(e, "topic_title") : "Not known",
                        status_words(json_str(e, "status"), 1));
            if (!strcmp(json_str(e, "status"), "waiting"))
                html_printf(b,
                            "<form method=\"post\" action=\"/staff/chats/%lld/pick-up\"><input type=\"hidden\" "
                            "name=\"csrf_token\" value=\"%h\"><button type=\"submit\" class=\"govuk-button "
                            "govuk-!-margin-bottom-0\" data-module=\"govuk-button\">Pick up<span "
                            "class=\"govuk-visually-hidden\"> chat %lld</span></button></form>",
                            id, q->who.csrf, id);
            else
                html_printf(b, "<a class=\"govuk-link\" href=\"/staff/chats/%lld\">Open<span "
                               "class=\"govuk-visually-hidden\"> chat %lld</span></a>", id, id);
            html_printf(b, "</td></tr>\n");
        }
        html_printf(b, "</tbody></table>\n");
    }
    page_end(q, p);
    if (m)
        json_decref(m);
    return 0;
}

int page_staff_chat(req *q, resp *p)
{
    int status;
    json_t *ch = page_model(q, api_chat_get, &status);
    if (!ch) {
        p->status = status == 404 ? 404 : 500;
        page_begin(q, p, "Chat not found");
        html_printf(&p->body, "<h1 class=\"govuk-heading-l\">No chat has this number</h1>\n");
        page_end(q, p);
        return 0;
    }
    long long id = q->path_id[0];
    const char *st = json_str(ch, "status");
    page_begin(q, p, "Web chat");
    buf *b = &p->body;
    const char *err = req_query(q, "error");
    if (err)
        error_summary(b, err, "text");
    html_printf(b, "<span class=\"govuk-caption-l\">Web chat %lld</span>\n<h1 class=\"govuk-heading-l\">%h</h1>\n", id,
                json_str(ch, "name") ? json_str(ch, "name") : "Resident");
    if (json_str(ch, "topic_title"))
        html_printf(b, "<p class=\"govuk-body\">About: <a class=\"govuk-link\" href=\"/services/%h\">%h</a></p>\n",
                    json_str(ch, "topic"), json_str(ch, "topic_title"));
    json_t *pid = json_object_get(ch, "person_id");
    if (json_is_integer(pid))
        html_printf(b, "<p class=\"govuk-body\">Resident: <a class=\"govuk-link\" href=\"/staff/people/%lld\">record "
                       "%lld</a></p>\n", (long long)json_integer_value(pid), (long long)json_integer_value(pid));
    messages(b, ch, arena_printf(q->a, "/api/v1/chats/%lld/events", id), "agent", json_str(ch, "name"));
    if (!strcmp(st, "waiting"))
        html_printf(b,
                    "<form method=\"post\" action=\"/staff/chats/%lld/pick-up\"><input type=\"hidden\" "
                    "name=\"csrf_token\" value=\"%h\"><button type=\"submit\" class=\"govuk-button\" "
                    "data-module=\"govuk-button\">Pick up</button></form>\n",
                    id, q->who.csrf);
    if (!strcmp(st, "active")) {
        html_printf(b,
                    "<form method=\"post\" action=\"/staff/chats/%lld/messages\" id=\"chat-form\" novalidate>\n"
                    "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n"
                    "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"text\">Reply</label>\n"
                    "<textarea class=\"govuk-textarea\" id=\"text\" name=\"text\" rows=\"3\"></textarea></div>\n"
                    "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"article\">Send a link to an "
                    "article (optional)</label>\n<select class=\"govuk-select\" id=\"article\" name=\"article\">"
                    "<option value=\"\">None</option>\n",
                    id, q->who.csrf);
        const kb *k = q->cat->kb;
        const char *topic = json_str(ch, "topic");
        for (int i = 0; k && i < k->n; i++)
            html_printf(b, "<option value=\"%h\"%s>%h</option>\n", k->items[i].slug,
                        topic && !strcmp(topic, k->items[i].slug) ? " selected" : "", k->items[i].title);
        html_printf(b, "</select></div>\n<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"form\">Or "
                       "a link to a form (optional)</label>\n<select class=\"govuk-select\" id=\"form\" name=\"form\">"
                       "<option value=\"\">None</option>\n");
        for (int i = 0; i < q->cat->n; i++)
            if (!strcmp(q->cat->items[i].kind, "request"))
                html_printf(b, "<option value=\"%h\">%h</option>\n", q->cat->items[i].slug, q->cat->items[i].name);
        html_printf(b,
                    "</select></div>\n<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">"
                    "Send</button>\n</form>\n"
                    "<form method=\"post\" action=\"/staff/chats/%lld/close\" novalidate>\n"
                    "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n"
                    "<h2 class=\"govuk-heading-m\">End the chat</h2>\n"
                    "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"person_id\">Resident's record "
                    "number, if you found them</label>\n<input class=\"govuk-input govuk-input--width-10\" "
                    "id=\"person_id\" name=\"person_id\" type=\"text\" inputmode=\"numeric\" value=\"%s\"></div>\n"
                    "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"outcome\">Outcome "
                    "(optional)</label>\n<input class=\"govuk-input\" id=\"outcome\" name=\"outcome\" type=\"text\">"
                    "</div>\n<button type=\"submit\" class=\"govuk-button govuk-button--warning\" "
                    "data-module=\"govuk-button\">End chat and log the contact</button>\n</form>\n",
                    id, q->who.csrf,
                    json_is_integer(pid) ? arena_printf(q->a, "%lld", (long long)json_integer_value(pid)) : "");
    }
    html_printf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/staff/chats\">All chats</a></p>\n"
                   "<script src=\"/chat.js\" defer></script>\n");
    page_end(q, p);
    json_decref(ch);
    return 0;
}

/* Back to the chat, with the API's complaint if it had one. */
static void back(req *q, resp *p, resp *r, int ok_status, const char *ok_to)
{
    const char *to = arena_printf(q->a, "/staff/chats/%lld", q->path_id[0]);
    if (r->status == ok_status)
        page_redirect(p, ok_to ? ok_to : to);
    else
        page_redirect(p, arena_printf(q->a, "%s?error=%s", to, urlenc(q, problem_text(q, r, "Nothing was done"))));
    buf_free(&r->body);
}

int page_staff_chat_pick_up(req *q, resp *p)
{
    resp r = {0};
    call(q, &r, api_chat_pick_up, json_object());
    back(q, p, &r, 200, NULL);
    return 0;
}

int page_staff_chat_send(req *q, resp *p)
{
    json_t *body = json_object();
    const char *t = field(q, "text"), *a = field(q, "article"), *f = field(q, "form");
    if (t)
        json_object_set_new(body, "text", json_string(t));
    if (a)
        json_object_set_new(body, "article", json_string(a));
    if (f)
        json_object_set_new(body, "form", json_string(f));
    resp r = {0};
    call(q, &r, api_chat_message, body);
    back(q, p, &r, 201, NULL);
    return 0;
}

int page_staff_chat_close(req *q, resp *p)
{
    json_t *body = json_object();
    const char *pid = field(q, "person_id"), *out = field(q, "outcome");
    if (pid) {
        char *end;
        long long v = strtoll(pid, &end, 10);
        json_object_set_new(body, "person_id", *end || v < 1 ? json_string(pid) : json_integer(v));
    }
    if (out)
        json_object_set_new(body, "outcome", json_string(out));
    resp r = {0};
    call(q, &r, api_chat_close, body);
    back(q, p, &r, 200, "/staff/chats");
    return 0;
}

/* ---- the script ---- */

static const char chat_js[] =
    "/* chat.js: live messages (Server-Sent Events) and sending without a reload. The page works without it. */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var list = document.getElementById('messages');\n"
    "  if (!list || !window.EventSource) return;\n"
    "  var me = list.getAttribute('data-me'), them = list.getAttribute('data-them');\n"
    "  var status = document.getElementById('chat-status'), form = document.getElementById('chat-form');\n"
    "  var words = me === 'agent'\n"
    "    ? { waiting: 'Waiting for an agent', active: 'Active', closed: 'Closed' }\n"
    "    : { waiting: 'Waiting for an adviser. Someone will be with you shortly.',\n"
    "        active: 'You are chatting with an adviser.', closed: 'This chat has ended. Thank you.' };\n"
    "  var es = new EventSource(list.getAttribute('data-events') + '?after=' + (list.getAttribute('data-after') || '0'));\n"
    "  es.addEventListener('message', function (e) {\n"
    "    var m = JSON.parse(e.data);\n"
    "    if (document.getElementById('m-' + m.id)) return;\n"
    "    var li = document.createElement('li');\n"
    "    li.id = 'm-' + m.id;\n"
    "    if (m.sender === 'system') { li.className = 'govuk-hint'; li.textContent = m.text; }\n"
    "    else {\n"
    "      var who = document.createElement('strong');\n"
    "      who.textContent = (m.sender === me ? 'You' : m.sender === 'agent' ? 'Adviser' : them) + ':';\n"
    "      li.appendChild(who);\n"
    "      li.appendChild(document.createTextNode(' ' + m.text));\n"
    "    }\n"
    "    if (m.link && (m.link.charAt(0) === '/' || m.link.indexOf('https://') === 0)) {\n"
    "      var a = document.createElement('a');\n"
    "      a.className = 'govuk-link';\n"
    "      a.href = m.link;\n"
    "      a.textContent = m.link_title || m.link;\n"
    "      li.appendChild(document.createTextNode(' '));\n"
    "      li.appendChild(a);\n"
    "    }\n"
    "    list.appendChild(li);\n"
    "  });\n"
    "  es.addEventListener('status', function (e) {\n"
    "    var s = JSON.parse(e.data).status;\n"
    "    if (status && words[s]) status.textContent = words[s];\n"
    "    if (s === 'closed') { es.close(); if (form) form.hidden = true; }\n"
    "    else if (me === 'agent' && s === 'active' && !form) window.location.reload();\n"
    "  });\n"
    "  if (form && window.fetch && window.URLSearchParams) {\n"
    "    form.addEventListener('submit', function (ev) {\n"
    "      ev.preventDefault();\n"
    "      var body = new URLSearchParams(new FormData(form));\n"
    "      fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin' }).then(function (r) {\n"
    "        if (r.ok && r.url.indexOf('error=') < 0) {\n"
    "          var t = form.querySelector('textarea');\n"
    "          if (t) { t.value = ''; t.focus(); }\n"
    "          Array.prototype.forEach.call(form.querySelectorAll('select'), function (s) { s.value = ''; });\n"
    "        } else { window.location.href = r.url; }\n"
    "      });\n"
    "    });\n"
    "  }\n"
    "})();\n";

int page_chat_js(req *q, resp *p)
{
    (void)q;
    p->status = 200;
    p->content_type = "text/javascript; charset=utf-8";
    buf_append(&p->body, chat_js, sizeof chat_js - 1);
    return 0;
}
