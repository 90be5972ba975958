/* api_kb.c: the knowledge base over HTTP. Articles (public: it is public
 * information), search over them, and enquiries routed to the right
 * service, article or signpost, raising a request when asked and sure. */
#include "web/api_kb.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/entities.h"
#include "core/kb.h"
#include "core/route_enquiry.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/auth.h"
#include "web/routes.h"

enum { MAX_ENQUIRY = 2000, SEARCH_LIMIT = 20 };

/* resp_json, with confidences written as 0.929 rather than 0.92900000000000005. */
static void answer(resp *p, int status, const json_t *o)
{
    char *t = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (!t) {
        resp_json(p, status, o);
        return;
    }
    p->status = status;
    p->content_type = "application/json";
    buf_reset(&p->body);
    if (buf_append(&p->body, t, strlen(t)) != 0)
        resp_problem(p, 500, "Response too large", "The answer exceeded the response size limit.", NULL);
    free(t);
}

/* ---- copying the articles into the database ---- */

static const char *body_of(arena *a, const article *ar)
{
    if (ar->kind == ARTICLE_SERVICE)
        return arena_printf(a, "%s\n%s\n%s\n%s", ar->what, ar->who, ar->how, ar->when);
    return arena_printf(a, "%s\n%s\n%s", ar->what, ar->phone ? ar->phone : "", ar->url ? ar->url : "");
}

static int sync_council(store_conn *c, long long council, const kb *k, arena *a)
{
    int rc = store_begin(c);
    long long after = 0;
    while (rc == STORE_OK) {
        record *rows;
        int n;
        rc = store_list(c, council, &article_def, NULL, 0, after, 1000, a, &rows, &n);
        for (int i = 0; i < n && rc == STORE_OK; i++)
            rc = store_delete(c, council, &article_def, rows[i].id);
        if (rc != STORE_OK || n < 1000)
            break;
        after = rows[n - 1].id;
    }
    for (int i = 0; i < k->n && rc == STORE_OK; i++) {
        const article *ar = &k->items[i];
        record r;
        record_init(&r, &article_def);
        rec_set_str(&r, "slug", ar->slug);
        rec_set_str(&r, "kind", ar->kind == ARTICLE_SERVICE ? "service" : "signpost");
        rec_set_str(&r, "title", ar->title);
        rec_set_str(&r, "keywords", ar->keywords);
        rec_set_str(&r, "body", body_of(a, ar));
        rc = store_insert(c, council, &r);
    }
    if (rc == STORE_OK)
        return store_commit(c);
    store_rollback(c);
    return rc;
}

int kb_sync(store *s, const kb *k)
{
    if (!k)
        return 0;
    char err[256];
    store_conn *c = store_conn_get(s, err, sizeof err);
    if (!c) {
        log_error("articles: %s", err);
        return -1;
    }
    long long ids[1000];
    int n = 0;
    if (store_councils(c, ids, 1000, &n) != STORE_OK) {
        log_error("articles: %s", store_errmsg(c));
        return -1;
    }
    arena *a = arena_new();
    int bad = 0;
    for (int i = 0; i < n; i++)
        if (sync_council(c, ids[i], k, a) != STORE_OK) {
            /* Another server starting at the same moment may have won. */
            log_error("articles for council %lld not copied: %s", ids[i], store_errmsg(c));
            bad = 1;
        }
    arena_free(a);
    return bad ? -1 : 0;
}

/* ---- articles as JSON ---- */

json_t *kb_article_json(const article *ar, int full)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "slug", ar->slug, "kind", ar->kind == ARTICLE_SERVICE ? "service" : "signpost",
                          "title", ar->title);
    json_object_set_new(o, "what", json_string(ar->what));
    if (ar->kind == ARTICLE_SERVICE) {
        json_object_set_new(o, "page", json_sprintf("/services/%s", ar->slug));
        if (!strcmp(ar->service->kind, "request"))
            json_object_set_new(o, "form", json_sprintf("/account?service=%s", ar->slug));
        else
            json_object_set_new(o, "form", json_null());
    } else {
        json_object_set_new(o, "phone", ar->phone ? json_string(ar->phone) : json_null());
        json_object_set_new(o, "url", ar->url ? json_string(ar->url) : json_null());
    }
    if (!full)
        return o;
    json_object_set_new(o, "keywords", json_string(ar->keywords));
    if (ar->kind == ARTICLE_SERVICE) {
        const service *s = ar->service;
        json_object_set_new(o, "who", json_string(ar->who));
        json_object_set_new(o, "how", json_string(ar->how));
        json_object_set_new(o, "when", json_string(ar->when));
        json_object_set_new(o, "service",
                            json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:I}", "slug", s->slug, "lgsl", s->lgsl, "name",
                                      s->name, "department", s->department, "kind", s->kind, "promise_days",
                                      s->promise_days, "cost_pence", (json_int_t)s->cost_pence));
    }
    return o;
}

static const kb *kb_or_fail(req *q, resp *p)
{
    const kb *k = q->cat ? q->cat->kb : NULL;
    if (!k)
        resp_problem(p, 503, "No articles", "This server was started without catalogue/articles.txt.", NULL);
    return k;
}

/* The router's answer for text: {service, article, confidence,
 * alternatives, signpost}. Hits with a confidence under 0.05 are left
 * out of the alternatives. */
static json_t *routed(const kb *k, const char *text)
{
    route_hit h[ROUTE_MAX_HITS];
    int n = route_enquiry(k->router, text, h, 4);
    json_t *o = json_object(), *alts = json_array();
    if (n && h[0].article->kind == ARTICLE_SERVICE) {
        json_object_set_new(o, "service", json_string(h[0].article->slug));
        json_object_set_new(o, "article", kb_article_json(h[0].article, 0));
        json_object_set_new(o, "signpost", json_null());
    } else {
        json_object_set_new(o, "service", json_null());
        json_object_set_new(o, "article", json_null());
        json_object_set_new(o, "signpost", n ? kb_article_json(h[0].article, 0) : json_null());
    }
    json_object_set_new(o, "confidence", json_real(n ? (double)(int)(h[0].confidence * 1000 + 0.5) / 1000 : 0));
    for (int i = 1; i < n; i++) {
        if (h[i].confidence < 0.05)
            continue;
        json_t *a = kb_article_json(h[i].article, 0);
        json_object_set_new(a, "confidence", json_real((double)(int)(h[i].confidence * 1000 + 0.5) / 1000));
        json_array_append_new(alts, a);
    }
    json_object_set_new(o, "alternatives", alts);
    return o;
}

/* GET /api/v1/articles?q=: every article (no q), or those matching q,
 * best first, with the router's suggestion. */
int api_articles_list(req *q, resp *p)
{
    const kb *k = kb_or_fail(q, p);
    if (!k)
        return 0;
    const char *text = req_query(q, "q");
    json_t *items = json_array(), *o = json_object();
    if (!text || !*text) {
        for (int i = 0; i < k->n; i++)
            json_array_append_new(items, kb_article_json(&k->items[i], 0));
        json_object_set_new(o, "items", items);
        json_object_set_new(o, "suggestion", json_null());
        resp_json(p, 200, o);
        json_decref(o);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c) {
        json_decref(items);
        json_decref(o);
        return 0;
    }
    char words[16][ROUTE_WORD];
    const char *w[16];
    int nw = router_search_words(k->router, text, words, 16);
    for (int i = 0; i < nw; i++)
        w[i] = words[i];
    char **slugs = NULL;
    int n = 0;
    if (nw && store_search_articles(c, q->council, w, nw, SEARCH_LIMIT, q->a, &slugs, &n) != STORE_OK) {
        json_decref(items);
        json_decref(o);
        return api_store_error_or_fail(p, c);
    }
    json_t *sug = routed(k, text);
    /* The suggestion first, then what full text found. */
    const json_t *top = json_object_get(sug, "article");
    if (json_is_null(top))
        top = json_object_get(sug, "signpost");
    const char *top_slug = json_is_object(top) ? json_string_value(json_object_get(top, "slug")) : NULL;
    const article *first = top_slug ? kb_find(k, top_slug) : NULL;
    if (first)
        json_array_append_new(items, kb_article_json(first, 0));
    for (int i = 0; i < n; i++) {
        const article *ar = kb_find(k, slugs[i]);
        int seen = ar == first;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(slugs[j], slugs[i]); /* two servers copying at once may leave a twin */
        if (ar && !seen)
            json_array_append_new(items, kb_article_json(ar, 0));
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "suggestion", sug);
    answer(p, 200, o);
    json_decref(o);
    return 0;
}

/* GET /api/v1/articles/{slug} */
int api_article_get(req *q, resp *p)
{
    const kb *k = kb_or_fail(q, p);
    if (!k)
        return 0;
    const article *ar = kb_find(k, q->path_slug);
    if (!ar) {
        resp_problem(p, 404, "Not found", arena_printf(q->a, "No article or signpost is '%s'.", q->path_slug), NULL);
        return 0;
    }
    json_t *o = kb_article_json(ar, 1);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

/* ---- enquiries ---- */

static int known_channel(const char *c)
{
    for (const char *const *x = contact_channel_choices; *x; x++)
        if (!strcmp(*x, c))
            return 1;
    return 0;
}

/* POST /api/v1/enquiries {text, channel?, person_id?, address?,
 * raise_request?}: the service, article or signpost the text is about,
 * with a confidence and alternatives. Changes nothing unless
 * raise_request is true, which needs a signed-in resident (for
 * themselves) or staff who may make requests, and a confidence of at
 * least ENQUIRY_RAISE_CONFIDENCE on a service that takes requests. */
int api_enquiry_create(req *q, resp *p)
{
    const kb *k = kb_or_fail(q, p);
    if (!k)
        return 0;
    errlist errs = {.n = 0};
    const char *key;
    json_t *v;
    json_object_foreach(q->json, key, v)
    {
        if (strcmp(key, "text") && strcmp(key, "channel") && strcmp(key, "person_id") && strcmp(key, "address") &&
            strcmp(key, "raise_request"))
            errlist_add(&errs, arena_strdup(q->a, key),
                        "is not a field of an enquiry (text, channel, person_id, address, raise_request)");
    }
    json_t *jt = json_object_get(q->json, "text"), *jc = json_object_get(q->json, "channel"),
           *jp = json_object_get(q->json, "person_id"), *ja = json_object_get(q->json, "address"),
           *jr = json_object_get(q->json, "raise_request");
    const char *text = json_string_value(jt);
    if (!text || !*text || strlen(text) > MAX_ENQUIRY)
        errlist_add(&errs, "text", "is required: what the resident asked, at most 2000 characters");
    const char *channel = jc && !json_is_null(jc) ? json_string_value(jc) : "web";
    if (!channel || !known_channel(channel))
        errlist_add(&errs, "channel", "must be one of: phone, face_to_face, web, email, sms, web_chat, post, "
                                      "social_media, automated_phone");
    if (jp && !json_is_null(jp) && (!json_is_integer(jp) || json_integer_value(jp) < 1))
        errlist_add(&errs, "person_id", "must be a person's id");
    if (ja && !json_is_null(ja) && (!json_is_string(ja) || json_string_length(ja) > 200))
        errlist_add(&errs, "address", "must be text of at most 200 characters");
    if (jr && !json_is_boolean(jr))
        errlist_add(&errs, "raise_request", "must be true or false");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was done.", &errs);
        return 0;
    }
    int raise = json_is_true(jr);
    if (raise) {
        /* The route is public; raising a request is not. */
        if (q->who.kind == AUTH_NONE) {
            resp_problem(p, 401, "Sign in first", "Raising a request needs a signed-in resident or staff.", NULL);
            resp_header(p, "WWW-Authenticate", "Bearer realm=\"frontdoor\"");
            return 0;
        }
        if (!((STAFF_WRITERS | R(ROLE_RESIDENT)) & R(q->who.role)) || !auth_scope_ok(q) || !auth_csrf_ok(q)) {
            resp_problem(p, 403, "Not allowed",
                         "This role, token scope or session (without its X-CSRF-Token) may not raise requests.", NULL);
            return 0;
        }
    }
    json_t *o = routed(k, text);
    json_object_set_new(o, "channel", json_string(channel));
    json_object_set_new(o, "request", json_null());
    double conf = json_real_value(json_object_get(o, "confidence"));
    const char *slug = json_string_value(json_object_get(o, "service"));
    const article *ar = slug ? kb_find(k, slug) : NULL;
    if (!raise) {
        answer(p, 200, o);
        json_decref(o);
        return 0;
    }
    const char *why = !ar ? "it is not about a council service"
                    : strcmp(ar->service->kind, "request") ? "the service is applied for, not reported: see the article"
                    : conf < ENQUIRY_RAISE_CONFIDENCE ? "not sure enough which service it is: choose one"
                                                      : NULL;
    if (why) {
        json_object_set_new(o, "request_not_raised", json_string(why));
        answer(p, 200, o);
        json_decref(o);
        return 0;
    }
    json_t *body = json_pack("{s:s, s:s, s:s}", "service", slug, "description", text, "channel", channel);
    if (jp && json_is_integer(jp))
        json_object_set(body, "person_id", jp);
    if (ja && json_is_string(ja))
        json_object_set(body, "address", ja);
    json_t *saved = q->json;
    q->json = body;
    route as_request = *q->route;
    as_request.audited = 1;
    as_request.entity = &request_def;
    const route *was = q->route;
    q->route = &as_request;
    resp r = {0};
    buf_init(&r.body, 1 << 20);
    api_request_create(q, &r);
    q->route = was;
    q->json = saved;
    json_decref(body);
    if (r.status != 201) {
        /* The request's own problem (e.g. say where), as it is. */
        p->status = r.status;
        p->content_type = r.content_type;
        buf_append(&p->body, r.body.p ? r.body.p : "", r.body.len);
        buf_free(&r.body);
        json_decref(o);
        return 0;
    }
    json_t *made = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
    json_object_set_new(o, "request", made ? made : json_null());
    for (int i = 0; i < r.nheaders; i++)
        if (!strcmp(r.headers[i].name, "Location"))
            resp_header(p, "Location", r.headers[i].value);
    buf_free(&r.body);
    answer(p, 201, o);
    json_decref(o);
    return 0;
}
