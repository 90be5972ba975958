/* api_chat.c: live web chat between a resident and an agent.
 *
 * A resident opens a chat from any page (no sign-in needed: the chat's
 * random access_key, in its address, is their proof; a signed-in resident's
 * chat is on their record from the start). Agents see waiting chats, pick
 * one up, and reply; either side sees the other's messages at once over
 * Server-Sent Events (web/sse.h). An agent may send a link to an article or
 * a form. Closing logs the conversation as a web_chat contact on the
 * resident's record. */
#include "web/api_chat.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/entities.h"
#include "core/kb.h"
#include "core/route_enquiry.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/routes.h"
#include "web/sse.h"

enum { MAX_MESSAGES = 1000, MAX_TEXT = 2000, STREAM_SECONDS = 120 };

/* ---- a small limiter for the public side: new chats and messages per
 * address, in fixed one-minute windows ---- */

enum { LIMIT_SLOTS = 1024, CHATS_PER_MINUTE = 5, MESSAGES_PER_MINUTE = 30 };
static struct {
    pthread_mutex_t lock;
    struct {
        unsigned long long key;
        long long window;
        int n;
    } slot[LIMIT_SLOTS];
} L = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* 1 if ip (with what: 'c' chat, 'm' message) is still under max this minute. */
static int allowed(const char *ip, char what, int max)
{
    unsigned long long h = 1469598103934665603ull ^ (unsigned char)what;
    for (const char *c = ip ? ip : "-"; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    long long win = (long long)time(NULL) / 60;
    pthread_mutex_lock(&L.lock);
    unsigned i = (unsigned)(h % LIMIT_SLOTS);
    if (L.slot[i].key != h || L.slot[i].window != win) {
        L.slot[i].key = h;
        L.slot[i].window = win;
        L.slot[i].n = 0;
    }
    int ok = L.slot[i].n < max;
    if (ok)
        L.slot[i].n++;
    pthread_mutex_unlock(&L.lock);
    return ok;
}

static int limited_or_fail(req *q, resp *p, char what, int max)
{
    if (allowed(q->ip, what, max))
        return 0;
    resp_problem(p, 429, "Too many requests", "Wait a minute and try again.", NULL);
    resp_header(p, "Retry-After", "60");
    return -1;
}

/* ---- JSON ---- */

static json_t *message_json(const record *m, int staff)
{
    json_t *o = jsonrec_write(m, 0);
    json_object_del(o, "version");
    json_object_del(o, "updated_at");
    if (!staff)
        json_object_del(o, "author_id");
    return o;
}

/* The chat with its messages; residents do not see agent ids. */
static json_t *chat_json(req *q, store_conn *c, const record *ch, int staff, int with_messages)
{
    json_t *o = jsonrec_write(ch, staff ? q->who.categories : 0);
    if (staff) {
        json_object_del(o, "access_key");
    } else {
        json_object_del(o, "agent_id");
        json_object_del(o, "contact_id");
        json_object_del(o, "person_id");
    }
    const char *topic = rec_str(ch, "topic");
    const article *ar = topic && q->cat->kb ? kb_find(q->cat->kb, topic) : NULL;
    json_object_set_new(o, "topic_title", ar ? json_string(ar->title) : json_null());
    if (!with_messages)
        return o;
    record *ms;
    int n = 0;
    json_t *list = json_array();
    if (store_list(c, q->council, &chat_message_def, "chat_id", ch->id, 0, MAX_MESSAGES, q->a, &ms, &n) == STORE_OK)
        for (int i = 0; i < n; i++)
            json_array_append_new(list, message_json(&ms[i], staff));
    json_object_set_new(o, "messages", list);
    return o;
}

/* ---- loading a chat ---- */

/* The chat whose access_key is the path's {slug}; 404 if none. */
static int chat_by_key_or_fail(req *q, resp *p, store_conn *c, record *ch)
{
    const char *key = q->path_slug;
    int rc = key && strlen(key) == 32 ? store_find(c, q->council, &chat_def, "access_key", key, q->a, ch)
                                      : STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND) {
        resp_problem(p, 404, "Not found", "No chat has this address.", NULL);
        return -1;
    }
    if (rc != STORE_OK) {
        api_store_error_or_fail(p, c);
        return -1;
    }
    return 0;
}

static int add_message(req *q, store_conn *c, long long chat, const char *sender, const char *text,
                       const char *link, const char *link_title, record *out)
{
    record_init(out, &chat_message_def);
    rec_set_int(out, "chat_id", chat);
    rec_set_str(out, "sender", sender);
    rec_set_str(out, "text", text);
    if (link)
        rec_set_str(out, "link", link);
    if (link_title)
        rec_set_str(out, "link_title", link_title);
    out->v[entity_field(&chat_message_def, "author_id")] =
        (field_val){.set = 1, .i = strcmp(sender, "agent") ? 0 : q->who.id};
    return store_insert(c, q->council, out);
}

static const char *text_or_error(req *q, errlist *errs, const char *field)
{
    json_t *t = json_object_get(q->json, field);
    const char *s = json_string_value(t);
    if (!s || !*s || strlen(s) > MAX_TEXT) {
        errlist_add(errs, field, "is required, at most 2000 characters");
        return NULL;
    }
    return s;
}

static void unknown_fields(req *q, errlist *errs, const char *const *known, const char *what)
{
    const char *k;
    json_t *v;
    json_object_foreach(q->json, k, v)
    {
        int ok = 0;
        for (const char *const *x = known; *x; x++)
            ok |= !strcmp(*x, k);
        if (!ok)
            errlist_add(errs, arena_strdup(q->a, k), arena_printf(q->a, "is not a field of %s", what));
    }
}

/* ---- the resident's side ---- */

/* POST /api/v1/chats {text, name?, email?}: opens a chat with its first
 * message, routed to a topic so the agent sees what it is about. */
int api_chat_create(req *q, resp *p)
{
    static const char *const known[] = {"text", "name", "email", NULL};
    errlist errs = {.n = 0};
    unknown_fields(q, &errs, known, "a new chat (text, name, email)");
    const char *text = text_or_error(q, &errs, "text");
    record ch;
    record_init(&ch, &chat_def);
    json_t *jn = json_object_get(q->json, "name"), *je = json_object_get(q->json, "email");
    if (jn && !json_is_null(jn)) {
        if (!json_is_string(jn))
            errlist_add(&errs, "name", "must be text");
        else if (json_string_length(jn))
            rec_set_str(&ch, "name", json_string_value(jn));
    }
    if (je && !json_is_null(je)) {
        if (!json_is_string(je))
            errlist_add(&errs, "email", "must be text");
        else if (json_string_length(je))
            rec_set_str(&ch, "email", json_string_value(je));
    }
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char key[33];
    for (int i = 0; i < 16; i++) {
        static const char hex[] = "0123456789abcdef";
        key[2 * i] = hex[raw[i] >> 4];
        key[2 * i + 1] = hex[raw[i] & 15];
    }
    key[32] = '\0';
    ch.v[entity_field(&chat_def, "access_key")] = (field_val){.set = 1, .s = arena_strdup(q->a, key)};
    ch.v[entity_field(&chat_def, "status")] = (field_val){.set = 1, .s = "waiting"};
    if (q->who.kind != AUTH_NONE && q->who.role == ROLE_RESIDENT && q->who.person_id)
        rec_set_int(&ch, "person_id", q->who.person_id);
    route_hit h[1];
    if (text && q->cat->kb && route_enquiry(q->cat->kb->router, text, h, 1) > 0)
        ch.v[entity_field(&chat_def, "topic")] = (field_val){.set = 1, .s = h[0].article->slug};
    record_validate(&ch, 1, q->a, &errs);
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "No chat was opened.", &errs);
        return 0;
    }
    if (limited_or_fail(q, p, 'c', CHATS_PER_MINUTE) != 0)
        return 0;
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record m;
    if (store_begin(c) != STORE_OK || store_insert(c, q->council, &ch) != STORE_OK ||
        add_message(q, c, ch.id, "resident", text, NULL, NULL, &m) != STORE_OK) {
        store_rollback(c);
        return api_store_error_or_fail(p, c);
    }
    if (store_commit(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    sse_notify();
    json_t *o = chat_json(q, c, &ch, 0, 1);
    resp_json(p, 201, o);
    json_decref(o);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/webchat/%s", key));
    return 0;
}

/* GET /api/v1/webchat/{slug} */
int api_webchat_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record ch;
    if (!c || chat_by_key_or_fail(q, p, c, &ch) != 0)
        return 0;
    json_t *o = chat_json(q, c, &ch, 0, 1);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* POST /api/v1/webchat/{slug}/messages {text} */
int api_webchat_message(req *q, resp *p)
{
    static const char *const known[] = {"text", NULL};
    errlist errs = {.n = 0};
    unknown_fields(q, &errs, known, "a message (text)");
    const char *text = text_or_error(q, &errs, "text");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was sent.", &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    record ch, m;
    if (!c || chat_by_key_or_fail(q, p, c, &ch) != 0)
        return 0;
    if (!strcmp(rec_str(&ch, "status"), "closed")) {
        resp_problem(p, 409, "Chat closed", "This chat has ended; open a new one.", NULL);
        return 0;
    }
    if (limited_or_fail(q, p, 'm', MESSAGES_PER_MINUTE) != 0)
        return 0;
    if (add_message(q, c, ch.id, "resident", text, NULL, NULL, &m) != STORE_OK)
        return api_store_error_or_fail(p, c);
    sse_notify();
    json_t *o = message_json(&m, 0);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

/* ---- events ---- */

typedef struct {
    store *st;
    long long council, chat, after;
    int staff;
    char status[16];
} stream_ctx;

static void stream_free(void *p)
{
    free(p);
}

/* New messages after ctx->after, and a status event when it changes. */
static int stream_poll(void *vp, buf *out)
{
    stream_ctx *x = vp;
    char err[256];
    store_conn *c = store_conn_get(x->st, err, sizeof err);
    if (!c)
        return 0; /* try again next time */
    arena *a = arena_new();
    record ch, *ms;
    int n = 0, over = 0;
    if (store_get(c, x->council, &chat_def, x->chat, a, &ch) != STORE_OK) {
        arena_free(a);
        return 1;
    }
    if (store_list(c, x->council, &chat_message_def, "chat_id", x->chat, x->after, 100, a, &ms, &n) == STORE_OK)
        for (int i = 0; i < n; i++) {
            json_t *o = message_json(&ms[i], x->staff);
            char *s = json_dumps(o, JSON_COMPACT);
            buf_printf(out, "id: %lld\nevent: message\ndata: %s\n\n", ms[i].id, s ? s : "{}");
            free(s);
            json_decref(o);
            x->after = ms[i].id;
        }
    const char *st = rec_str(&ch, "status");
    if (st && strcmp(st, x->status)) {
        snprintf(x->status, sizeof x->status, "%s", st);
        buf_printf(out, "event: status\ndata: {\"status\":\"%s\"}\n\n", x->status);
        over = !strcmp(st, "closed");
    }
    arena_free(a);
    return over;
}

/* Answers with the event stream for chat ch, from Last-Event-ID or ?after=. */
static void stream(req *q, resp *p, const record *ch, int staff)
{
    stream_ctx *x = xcalloc(1, sizeof *x);
    x->st = q->st;
    x->council = q->council;
    x->chat = ch->id;
    x->staff = staff;
    const char *from = req_header(q, "Last-Event-ID");
    if (!from)
        from = req_query(q, "after");
    x->after = from ? strtoll(from, NULL, 10) : 0;
    if (x->after < 0)
        x->after = 0;
    p->status = 200;
    p->content_type = "text/event-stream";
    p->stream = sse_new(stream_poll, x, stream_free, STREAM_SECONDS);
}

/* GET /api/v1/webchat/{slug}/events */
int api_webchat_events(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record ch;
    if (!c || chat_by_key_or_fail(q, p, c, &ch) != 0)
        return 0;
    stream(q, p, &ch, 0);
    return 0;
}

/* ---- the agent's side ---- */

/* GET /api/v1/chats?status=: waiting first (oldest first), then the rest. */
int api_chats_list(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    const char *want = req_query(q, "status");
    if (want && strcmp(want, "waiting") && strcmp(want, "active") && strcmp(want, "closed")) {
        errlist errs = {.n = 0};
        errlist_add(&errs, "status", "must be waiting, active or closed");
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return 0;
    }
    json_t *items = json_array();
    static const char *const order[] = {"waiting", "active", "closed"};
    for (int k = 0; k < 3; k++) {
        if (want ? strcmp(want, order[k]) : k == 2)
            continue; /* closed ones only when asked for */
        record *rows;
        int n;
        if (store_list_text(c, q->council, &chat_def, "status", order[k], 0, 200, q->a, &rows, &n) != STORE_OK) {
            json_decref(items);
            return api_store_error_or_fail(p, c);
        }
        for (int i = 0; i < n; i++) {
            json_array_append_new(items, chat_json(q, c, &rows[i], 1, 0));
            if (rec_int(&rows[i], "person_id"))
                audit_person(q, rec_int(&rows[i], "person_id"));
        }
    }
    json_t *o = json_pack("{s:o}", "items", items);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* GET /api/v1/chats/{id} */
int api_chat_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record ch;
    if (!c || api_load_or_fail(q, p, c, &chat_def, &ch) != 0)
        return 0;
    if (rec_int(&ch, "person_id"))
        audit_person(q, rec_int(&ch, "person_id"));
    json_t *o = chat_json(q, c, &ch, 1, 1);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* GET /api/v1/chats/{id}/events */
int api_chat_events(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record ch;
    if (!c || api_load_or_fail(q, p, c, &chat_def, &ch) != 0)
        return 0;
    if (rec_int(&ch, "person_id"))
        audit_person(q, rec_int(&ch, "person_id"));
    stream(q, p, &ch, 1);
    return 0;
}

/* Changes the chat's status (and more) in one transaction with a system
 * message; STORE_CONFLICT if someone else changed it first. */
static int set_status(req *q, store_conn *c, record *ch, const char *status, const char *what)
{
    long long expected = ch->version;
    ch->v[entity_field(&chat_def, "status")] = (field_val){.set = 1, .s = status};
    record m;
    int rc = store_update(c, q->council, ch, expected);
    if (rc == STORE_OK)
        rc = add_message(q, c, ch->id, "system", what, NULL, NULL, &m);
    return rc;
}

/* POST /api/v1/chats/{id}/pick-up: a waiting chat becomes this agent's. */
int api_chat_pick_up(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record ch;
    if (!c)
        return 0;
    if (json_object_size(q->json)) {
        resp_problem(p, 422, "Invalid fields", "Picking up takes an empty object.", NULL);
        return 0;
    }
    if (store_begin(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (api_load_or_fail(q, p, c, &chat_def, &ch) != 0) {
        store_rollback(c);
        return 0;
    }
    if (strcmp(rec_str(&ch, "status"), "waiting")) {
        store_rollback(c);
        resp_problem(p, 409, "Already picked up",
                     arena_printf(q->a, "This chat is %s.", rec_str(&ch, "status")), NULL);
        return 0;
    }
    char now[21];
    time_now_iso(now);
    ch.v[entity_field(&chat_def, "agent_id")] = (field_val){.set = 1, .i = q->who.id};
    ch.v[entity_field(&chat_def, "picked_up_at")] = (field_val){.set = 1, .s = arena_strdup(q->a, now)};
    int rc = set_status(q, c, &ch, "active", "An adviser has joined the chat.");
    if (rc == STORE_CONFLICT) {
        store_rollback(c);
        resp_problem(p, 409, "Already picked up", "Another agent picked it up first.", NULL);
        return 0;
    }
    if (rc == STORE_OK && rec_int(&ch, "person_id"))
        audit_person(q, rec_int(&ch, "person_id"));
    if (rc != STORE_OK || audit_write_tx(q, c, "update", 200) != STORE_OK || store_commit(c) != STORE_OK) {
        store_rollback(c);
        return api_store_error_or_fail(p, c);
    }
    sse_notify();
    json_t *o = chat_json(q, c, &ch, 1, 1);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* POST /api/v1/chats/{id}/messages {text, article?, form?}: the agent's
 * reply; article (a slug) sends a link to its page, form (a service that
 * takes requests) a link to its form. */
int api_chat_message(req *q, resp *p)
{
    static const char *const known[] = {"text", "article", "form", NULL};
    errlist errs = {.n = 0};
    unknown_fields(q, &errs, known, "a message (text, article, form)");
    const char *art = json_string_value(json_object_get(q->json, "article"));
    const char *form = json_string_value(json_object_get(q->json, "form"));
    const char *text = json_string_value(json_object_get(q->json, "text"));
    const char *link = NULL, *title = NULL;
    const kb *k = q->cat->kb;
    if (json_object_get(q->json, "article") && !json_is_null(json_object_get(q->json, "article"))) {
        const article *ar = art && k ? kb_find(k, art) : NULL;
        if (!ar)
            errlist_add(&errs, "article", "no article or signpost has this id (see /api/v1/articles)");
        else if (ar->kind == ARTICLE_SERVICE) {
            link = arena_printf(q->a, "/services/%s", ar->slug);
            title = ar->title;
        } else {
            link = ar->url;
            title = ar->title;
        }
    }
    if (json_object_get(q->json, "form") && !json_is_null(json_object_get(q->json, "form"))) {
        const service *s = form ? catalogue_find(q->cat, form) : NULL;
        if (!s || strcmp(s->kind, "request"))
            errlist_add(&errs, "form", "must be a service that takes requests (see /api/v1/services)");
        else if (link)
            errlist_add(&errs, "form", "send an article or a form, not both");
        else {
            link = arena_printf(q->a, "/account?service=%s", s->slug);
            title = arena_printf(q->a, "%s: online form", s->name);
        }
    }
    if (!text && title)
        text = title;
    if (!text || !*text || strlen(text) > MAX_TEXT)
        errlist_add(&errs, "text", "is required (unless sending a link), at most 2000 characters");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was sent.", &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    record ch, m;
    if (!c || api_load_or_fail(q, p, c, &chat_def, &ch) != 0)
        return 0;
    if (strcmp(rec_str(&ch, "status"), "active")) {
        resp_problem(p, 409, "Not active",
                     arena_printf(q->a, "This chat is %s: pick it up first, or open a new one.", rec_str(&ch, "status")),
                     NULL);
        return 0;
    }
    if (store_begin(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (rec_int(&ch, "person_id"))
        audit_person(q, rec_int(&ch, "person_id"));
    if (add_message(q, c, ch.id, "agent", text, link, title, &m) != STORE_OK ||
        audit_write_tx(q, c, "create", 201) != STORE_OK || store_commit(c) != STORE_OK) {
        store_rollback(c);
        return api_store_error_or_fail(p, c);
    }
    sse_notify();
    json_t *o = message_json(&m, 1);
    resp_json(p, 201, o);
    json_decref(o);
    return 0;
}

/* POST /api/v1/chats/{id}/close {person_id?, outcome?}: ends the chat and
 * logs it as a web_chat contact on the resident's record (person_id: who
 * it was, if the agent found them and the chat did not already say). */
int api_chat_close(req *q, resp *p)
{
    static const char *const known[] = {"person_id", "outcome", NULL};
    errlist errs = {.n = 0};
    unknown_fields(q, &errs, known, "closing a chat (person_id, outcome)");
    json_t *jp = json_object_get(q->json, "person_id"), *jo = json_object_get(q->json, "outcome");
    long long pid = 0;
    if (jp && !json_is_null(jp)) {
        if (!json_is_integer(jp) || json_integer_value(jp) < 1)
            errlist_add(&errs, "person_id", "must be a person's id");
        else
            pid = json_integer_value(jp);
    }
    const char *outcome = jo && !json_is_null(jo) ? json_string_value(jo) : NULL;
    if (jo && !json_is_null(jo) && (!outcome || strlen(outcome) > 200))
        errlist_add(&errs, "outcome", "must be text of at most 200 characters");
    store_conn *c = api_conn_or_fail(q, p);
    record ch, per;
    if (!c)
        return 0;
    if (pid && store_get(c, q->council, &person_def, pid, q->a, &per) != STORE_OK)
        errlist_add(&errs, "person_id", arena_printf(q->a, "no person has id %lld", pid));
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    if (store_begin(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (api_load_or_fail(q, p, c, &chat_def, &ch) != 0) {
        store_rollback(c);
        return 0;
    }
    if (!strcmp(rec_str(&ch, "status"), "closed")) {
        store_rollback(c);
        resp_problem(p, 409, "Already closed", "This chat has already been closed.", NULL);
        return 0;
    }
    if (pid && rec_int(&ch, "person_id") && rec_int(&ch, "person_id") != pid) {
        store_rollback(c);
        errlist_add(&errs, "person_id", "the chat is already on another resident's record");
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    if (pid)
        rec_set_int(&ch, "person_id", pid);
    pid = rec_int(&ch, "person_id");
    char now[21];
    time_now_iso(now);
    ch.v[entity_field(&chat_def, "closed_at")] = (field_val){.set = 1, .s = arena_strdup(q->a, now)};
    const char *topic = rec_str(&ch, "topic");
    const service *s = topic ? catalogue_find(q->cat, topic) : NULL;
    /* The contact, then its id on the chat. */
    record con;
    record_init(&con, &contact_def);
    rec_set_str(&con, "channel", "web_chat");
    rec_set_str(&con, "type", "interaction");
    if (s)
        rec_set_str(&con, "service", s->slug);
    const article *ar = topic && q->cat->kb ? kb_find(q->cat->kb, topic) : NULL;
    rec_set_str(&con, "reason", arena_printf(q->a, "web chat%s%.150s", ar ? ": " : "", ar ? ar->title : ""));
    if (outcome)
        rec_set_str(&con, "outcome", outcome);
    if (pid)
        rec_set_int(&con, "person_id", pid);
    rec_set_str(&con, "started_at", rec_str(&ch, "created_at"));
    rec_set_str(&con, "ended_at", arena_strdup(q->a, now));
    rec_set_int(&con, "resolved_first_contact", 1);
    con.v[entity_field(&contact_def, "agent_id")] = (field_val){.set = 1, .i = q->who.id};
    for (int i = 0; contact_channel_choices[i] && i < CATALOGUE_CHANNELS; i++)
        if (!strcmp(contact_channel_choices[i], "web_chat") && q->cat->channel_cost[i] >= 0)
            con.v[entity_field(&contact_def, "cost_pence")] = (field_val){.set = 1, .i = q->cat->channel_cost[i]};
    int rc = store_insert(c, q->council, &con);
    if (rc == STORE_OK) {
        ch.v[entity_field(&chat_def, "contact_id")] = (field_val){.set = 1, .i = con.id};
        rc = set_status(q, c, &ch, "closed", "The adviser has ended the chat.");
    }
    if (rc == STORE_OK && pid)
        audit_person(q, pid);
    if (rc == STORE_OK)
        rc = audit_write_tx(q, c, "update", 200);
    if (rc != STORE_OK || store_commit(c) != STORE_OK) {
        store_rollback(c);
        if (rc == STORE_CONFLICT) {
            resp_problem(p, 409, "Changed meanwhile", "Someone else changed this chat; try again.", NULL);
            return 0;
        }
        return api_store_error_or_fail(p, c);
    }
    sse_notify();
    json_t *o = chat_json(q, c, &ch, 1, 0);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}
