/* api_records.c: the JSON API of the first nouns: people, properties and
 * households (with their members).
 *
 * Every write is one transaction. POST honours Idempotency-Key: the outcome
 * is stored with the record, in the same transaction, and a retry with the
 * same key and body gets the same answer without creating anything. PATCH
 * needs If-Match with the ETag: 428 without it, 412 if the record changed. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "core/entities.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/personview.h"
#include "web/routes.h"

enum { MAX_MEMBERS = 50, IDEM_KEY_MAX = 255 };

/* ---- small helpers that answer the request themselves on failure ---- */

store_conn *api_conn_or_fail(req *q, resp *p)
{
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    if (!c)
        resp_problem(p, 503, "Database unavailable", err, NULL);
    return c;
}

int api_store_error_or_fail(resp *p, store_conn *c)
{
    resp_problem(p, 500, "Database error", store_errmsg(c), NULL);
    return 0;
}

static const entity_def *entity_by_table(const char *table)
{
    for (const entity_def *const *e = fd_entities; *e; e++)
        if (strcmp((*e)->table, table) == 0)
            return *e;
    return NULL;
}

/* Adds an error for each FT_REF field of r that names no existing record.
 * Returns -1 on a database error (c->err says why), else 0. */
static int check_refs(req *q, store_conn *c, const record *r, const char *prefix, errlist *errs)
{
    const entity_def *d = r->def;
    for (int i = 0; i < d->nfields; i++) {
        const field_def *f = &d->fields[i];
        if (f->type != FT_REF || !r->v[i].set || r->v[i].null || r->v[i].i <= 0)
            continue;
        const entity_def *to = entity_by_table(f->ref);
        if (!to || strcmp(f->name, "household_id") == 0)
            continue; /* a member's household is set by the server */
        record tmp;
        int rc = store_get(c, q->council, to, r->v[i].i, q->a, &tmp);
        if (rc == STORE_NOTFOUND)
            errlist_add(errs, prefix ? arena_printf(q->a, "%s%s", prefix, f->name) : f->name,
                        arena_printf(q->a, "no %s has id %lld", to->name, r->v[i].i));
        else if (rc != STORE_OK)
            return -1;
    }
    return 0;
}

static void set_record_headers(req *q, resp *p, const record *r)
{
    resp_header(p, "ETag", jsonrec_etag(r, q->a));
}

static void created(req *q, resp *p, const record *r, json_t *body)
{
    resp_json(p, 201, body);
    set_record_headers(q, p, r);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/%s/%lld", r->def->table, r->id));
}

/* ---- idempotent creation ---- */


static const char *request_hash(req *q)
{
    crypto_hash_sha256_state st;
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)q->method, strlen(q->method));
    crypto_hash_sha256_update(&st, (const unsigned char *)" ", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)q->path, strlen(q->path));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)q->body, q->body_len);
    crypto_hash_sha256_final(&st, out);
    char *hex = arena_alloc(q->a, sizeof out * 2 + 1);
    sodium_bin2hex(hex, sizeof out * 2 + 1, out, sizeof out);
    return hex;
}

/* Answers with a stored outcome; 422 if the key was used for another request. */
static int replay(req *q, resp *p, const char *hash, const char *stored_hash, int status, const char *body)
{
    if (strcmp(hash, stored_hash) != 0) {
        errlist errs = {.n = 0};
        errlist_add(&errs, "Idempotency-Key", "was already used for a different request");
        resp_problem(p, 422, "Idempotency-Key reused", "Use a new key for a new request.", &errs);
        return 0;
    }
    p->status = status;
    p->content_type = "application/json";
    buf_reset(&p->body);
    buf_puts(&p->body, body);
    resp_header(p, "Idempotent-Replayed", "true");
    json_t *j = json_loads(body, 0, NULL);
    if (j) {
        json_t *id = json_object_get(j, "id"), *ver = json_object_get(j, "version");
        if (json_is_integer(id)) {
            char *coll = arena_strdup(q->a, q->route->entity->table); /* life_events -> life-events */
            for (char *u = coll; *u; u++)
                *u = *u == '_' ? '-' : *u;
            resp_header(p, "Location", arena_printf(q->a, "/api/v1/%s/%lld", coll, (long long)json_integer_value(id)));
        }
        if (json_is_integer(ver))
            resp_header(p, "ETag", arena_printf(q->a, "\"v%lld\"", (long long)json_integer_value(ver)));
        json_decref(j);
    }
    return 0;
}

/* Runs fn in a transaction; with an Idempotency-Key, stores its outcome in
 * the same transaction, or replays the stored one. fn fills p; anything but
 * 201 from fn rolls back. */
int api_create_idempotent(req *q, resp *p, create_fn fn)
{
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    const char *key = req_header(q, "Idempotency-Key");
    const char *hash = NULL;
    if (key) {
        size_t n = strlen(key);
        if (n == 0 || n > IDEM_KEY_MAX) {
            errlist errs = {.n = 0};
            errlist_add(&errs, "Idempotency-Key", "must be 1 to 255 characters");
            resp_problem(p, 400, "Bad Idempotency-Key", NULL, &errs);
            return 0;
        }
        hash = request_hash(q);
        char *sh, *sb;
        int ss;
        int rc = store_idem_get(c, q->council, key, q->a, &sh, &ss, &sb);
        if (rc == STORE_OK)
            return replay(q, p, hash, sh, ss, sb);
        if (rc != STORE_NOTFOUND)
            return api_store_error_or_fail(p, c);
    }
    if (store_begin(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    fn(q, p, c);
    if (p->status != 201) {
        store_rollback(c);
        return 0;
    }
    if (key) {
        int rc = store_idem_put(c, q->council, key, hash, p->status, buf_str(&p->body));
        if (rc == STORE_DUPLICATE) {
            /* A concurrent retry won the race: its record stands, ours goes. */
            store_rollback(c);
            char *sh, *sb;
            int ss;
            p->nheaders = 0;
            if (store_idem_get(c, q->council, key, q->a, &sh, &ss, &sb) != STORE_OK)
                return api_store_error_or_fail(p, c);
            return replay(q, p, hash, sh, ss, sb);
        }
        if (rc != STORE_OK) {
            store_rollback(c);
            p->nheaders = 0;
            return api_store_error_or_fail(p, c);
        }
    }
    if (q->route->audited && audit_write_tx(q, c, "create", p->status) != STORE_OK) {
        store_rollback(c);
        p->nheaders = 0;
        return api_store_error_or_fail(p, c);
    }
    if (store_commit(c) != STORE_OK) {
        store_rollback(c);
        p->nheaders = 0;
        return api_store_error_or_fail(p, c);
    }
    return 0;
}

/* ---- generic collection handlers (people, properties) ---- */

int api_cursor_or_fail(req *q, resp *p, long long *after)
{
    const char *cur = req_query(q, "cursor");
    *after = 0;
    if (!cur)
        return 0;
    char *end;
    long long v = strtoll(cur, &end, 10);
    if (*cur == '\0' || *end != '\0' || v < 0) {
        errlist errs = {.n = 0};
        errlist_add(&errs, "cursor", "must be a next_cursor value from an earlier page");
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return -1;
    }
    *after = v;
    return 0;
}

/* GET /api/v1/people?q=...: candidates from the store, ranked best first. */
static int search_people(req *q, resp *p, const char *text, int limit)
{
    search_term t[SEARCH_MAX_TERMS];
    int nt = search_terms(text, t);
    if (nt == 0) {
        errlist errs = {.n = 0};
        errlist_add(&errs, "q", "give a name, a date of birth, a phone number or an email");
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record *rows;
    int n;
    if (store_search_people(c, q->council, t, nt, 200, q->a, &rows, &n) != STORE_OK)
        return api_store_error_or_fail(p, c);
    double *score = arena_alloc(q->a, sizeof(double) * (size_t)(n + 1));
    int *order = arena_alloc(q->a, sizeof(int) * (size_t)(n + 1)), k = 0;
    for (int i = 0; i < n; i++) {
        score[i] = search_score(&rows[i], t, nt);
        if (score[i] > 0)
            order[k++] = i;
    }
    /* Best first; ties by id. Insertion sort: a few hundred at most. */
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && (score[order[j]] > score[order[j - 1]] ||
                                  (score[order[j]] == score[order[j - 1]] && rows[order[j]].id < rows[order[j - 1]].id));
             j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    json_t *o = json_object(), *items = json_array();
    for (int i = 0; i < k && i < limit; i++) {
        record *r = &rows[order[i]];
        if (r->version == 0) { /* a candidate from the index alone: read the whole record */
            int rc = store_get(c, q->council, &person_def, r->id, q->a, r);
            if (rc == STORE_NOTFOUND) {
                limit++; /* gone since it was indexed: show the next instead */
                continue;
            }
            if (rc != STORE_OK) {
                json_decref(items);
                json_decref(o);
                return api_store_error_or_fail(p, c);
            }
        }
        if (rec_int(r, "merged_into")) { /* one of two records now merged: the kept one is shown */
            limit++;
            continue;
        }
        json_t *j = jsonrec_write(r, q->who.categories);
        json_object_set_new(j, "score", json_real(score[order[i]]));
        json_array_append_new(items, j);
        audit_person(q, rows[order[i]].id);
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "next_cursor", json_null());
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_list(req *q, resp *p)
{
    const entity_def *d = q->route->entity;
    const char *text = req_query(q, "q");
    if (text && d == &person_def) {
        const char *ls = req_query(q, "limit");
        return search_people(q, p, text, ls ? (int)strtol(ls, NULL, 10) : 20); /* best first: the first 20 */
    }
    long long after;
    if (api_cursor_or_fail(q, p, &after) != 0)
        return 0;
    const char *ls = req_query(q, "limit");
    int limit = ls ? (int)strtol(ls, NULL, 10) : 50; /* range checked by the route table */
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record *rows;
    int n;
    if (store_list(c, q->council, d, NULL, 0, after, limit, q->a, &rows, &n) != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(items, jsonrec_write(&rows[i], q->who.categories));
        if (d == &person_def)
            audit_person(q, rows[i].id);
    }
    api_page(q, p, items, rows, n, limit);
    return 0;
}

static int create_plain(req *q, resp *p, store_conn *c)
{
    record r;
    errlist errs = {.n = 0};
    jsonrec_read(q->json, q->route->entity, NULL, NULL, q->a, &r, &errs);
    if (jsonrec_forbidden(&r, q->who.categories, &errs)) {
        resp_problem(p, 403, "Not allowed", "Your role may not write these fields; nothing was saved.", &errs);
        return 0;
    }
    record_validate(&r, 1, q->a, &errs);
    if (errs.n == 0 && check_refs(q, c, &r, NULL, &errs) != 0)
        return api_store_error_or_fail(p, c);
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was saved.", &errs);
        return 0;
    }
    int rc = store_insert(c, q->council, &r);
    if (rc == STORE_DUPLICATE) {
        errlist_add(&errs, strcmp(r.def->name, "property") == 0 ? "uprn" : "id",
                    "is already held by another record");
        resp_problem(p, 409, "Already exists", "Nothing was saved.", &errs);
        return 0;
    }
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    if (r.def == &person_def)
        audit_person(q, r.id);
    json_t *o = jsonrec_write(&r, q->who.categories);
    created(q, p, &r, o);
    json_decref(o);
    return 0;
}

int api_create(req *q, resp *p)
{
    return api_create_idempotent(q, p, create_plain);
}

/* Loads the route's record {id}; answers 404 itself. 0 if found. */
int api_load_or_fail(req *q, resp *p, store_conn *c, const entity_def *d, record *r)
{
    int rc = store_get(c, q->council, d, q->path_id[0], q->a, r);
    if (rc == STORE_NOTFOUND) {
        resp_problem(p, 404, "Not found", arena_printf(q->a, "No %s has id %lld.", d->name, q->path_id[0]), NULL);
        return -1;
    }
    if (rc != STORE_OK) {
        api_store_error_or_fail(p, c);
        return -1;
    }
    return 0;
}

int api_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c || api_load_or_fail(q, p, c, q->route->entity, &r) != 0)
        return 0;
    json_t *o = jsonrec_write(&r, q->who.categories);
    resp_json(p, 200, o);
    json_decref(o);
    set_record_headers(q, p, &r);
    return 0;
}

/* Checks If-Match against r; answers 428/412 itself. 0 if it matches. */
static int if_match_or_fail(req *q, resp *p, const record *r)
{
    const char *im = req_header(q, "If-Match");
    if (!im) {
        resp_problem(p, 428, "If-Match required",
                     "Send If-Match with the ETag from your last GET, so no one else's change is overwritten.", NULL);
        return -1;
    }
    const char *etag = jsonrec_etag(r, q->a);
    if (strcmp(im, "*") == 0)
        return 0;
    /* A list of tags: "a", "b" (weak tags never match for If-Match). */
    size_t el = strlen(etag);
    for (const char *s = im; (s = strstr(s, etag)) != NULL; s += el) {
        int start = s == im || s[-1] == ' ' || s[-1] == ',';
        int end = s[el] == '\0' || s[el] == ',' || s[el] == ' ';
        if (start && end && !(s >= im + 2 && s[-1] == '/' && s[-2] == 'W'))
            return 0;
    }
    resp_problem(p, 412, "Record has changed",
                 arena_printf(q->a, "The record is now at version %lld; GET it again and reapply your change.",
                              r->version),
                 NULL);
    resp_header(p, "ETag", etag);
    return -1;
}

/* Copies the fields set in in onto r; immutable ones may not change. */
static void merge(record *r, const record *in, errlist *errs)
{
    const entity_def *d = r->def;
    for (int i = 0; i < d->nfields; i++) {
        const field_val *v = &in->v[i];
        if (!v->set)
            continue;
        if (d->fields[i].flags & F_IMMUTABLE) {
            const field_val *o = &r->v[i];
            int same = o->null == v->null &&
                       (v->null || (d->fields[i].type == FT_TEXT || d->fields[i].type == FT_DATE ||
                                            d->fields[i].type == FT_ENUM
                                        ? strcmp(o->s, v->s) == 0
                                        : o->i == v->i));
            if (!same) {
                errlist_add(errs, d->fields[i].name, "cannot be changed once set");
                continue;
            }
        }
        r->v[i] = *v;
    }
}

/* The PATCH flow shared by plain records and households: load, check
 * If-Match, merge, validate, then call write (in a transaction) and answer
 * with the stored record. extra names body keys write handles itself. */
typedef int (*patch_extra_fn)(req *q, resp *p, store_conn *c, record *r, errlist *errs);
typedef json_t *(*render_fn)(req *q, store_conn *c, const record *r);

static int patch_flow(req *q, resp *p, const char *const *extra, patch_extra_fn more, render_fn render)
{
    const entity_def *d = q->route->entity;
    store_conn *c = api_conn_or_fail(q, p);
    record r, in;
    if (!c || api_load_or_fail(q, p, c, d, &r) != 0 || if_match_or_fail(q, p, &r) != 0)
        return 0;
    if (rec_str(&r, "erased_at")) {
        resp_problem(p, 409, "Erased", "This person's data was erased; the record cannot be changed.", NULL);
        return 0;
    }
    errlist errs = {.n = 0};
    jsonrec_read(q->json, d, NULL, extra, q->a, &in, &errs);
    if (jsonrec_forbidden(&in, q->who.categories, &errs)) {
        resp_problem(p, 403, "Not allowed", "Your role may not change these fields; nothing was changed.", &errs);
        return 0;
    }
    if (errs.n == 0)
        merge(&r, &in, &errs);
    if (errs.n == 0)
        record_validate(&r, 0, q->a, &errs);
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    if (store_begin(c) != STORE_OK)
        return api_store_error_or_fail(p, c);
    long long expected = r.version;
    int rc = check_refs(q, c, &r, NULL, &errs);
    if (rc == 0 && errs.n == 0 && more)
        rc = more(q, p, c, &r, &errs);
    if (rc != 0) {
        store_rollback(c);
        return api_store_error_or_fail(p, c);
    }
    if (errs.n) {
        store_rollback(c);
        resp_problem(p, 422, "Invalid fields", "Nothing was changed.", &errs);
        return 0;
    }
    rc = store_update(c, q->council, &r, expected);
    if (d == &person_def)
        audit_person(q, r.id);
    else if (entity_field(d, "person_id") >= 0)
        audit_person(q, rec_int(&r, "person_id"));
    if (rc == STORE_OK && q->route->audited)
        rc = audit_write_tx(q, c, "update", 200);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK) {
        store_rollback(c);
        if (rc == STORE_CONFLICT)
            resp_problem(p, 412, "Record has changed", "Someone else changed it first; GET it again.", NULL);
        else if (rc == STORE_DUPLICATE) {
            errlist_add(&errs, "uprn", "is already held by another record");
            resp_problem(p, 409, "Already exists", "Nothing was changed.", &errs);
        } else if (rc == STORE_NOTFOUND)
            resp_problem(p, 404, "Not found", NULL, NULL);
        else
            api_store_error_or_fail(p, c);
        return 0;
    }
    json_t *o = render ? render(q, c, &r) : jsonrec_write(&r, q->who.categories);
    resp_json(p, 200, o);
    json_decref(o);
    set_record_headers(q, p, &r);
    return 0;
}

int api_patch(req *q, resp *p)
{
    return patch_flow(q, p, NULL, NULL, NULL);
}

/* ---- households and their members ---- */

static const char *const household_extra[] = {"members", NULL};

/* Reads and checks body "members" into rows (household_id left 0).
 * Returns the count, or -1 on a database error. */
static int read_members(req *q, store_conn *c, json_t *arr, long long household_id, record *rows, errlist *errs)
{
    if (!json_is_array(arr)) {
        errlist_add(errs, "members", "must be a list of {person_id, relationship, from_date, to_date}");
        return 0;
    }
    size_t n = json_array_size(arr);
    if (n > MAX_MEMBERS) {
        errlist_add(errs, "members", arena_printf(q->a, "may list at most %d people", MAX_MEMBERS));
        return 0;
    }
    char today[11];
    time_today(today);
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_array_get(arr, i);
        const char *prefix = arena_printf(q->a, "members[%zu].", i);
        if (!json_is_object(m)) {
            errlist_add(errs, arena_printf(q->a, "members[%zu]", i), "must be an object");
            continue;
        }
        int before = errs->n;
        if (json_object_get(m, "household_id"))
            errlist_add(errs, arena_printf(q->a, "%shousehold_id", prefix), "is set by the server");
        json_t *copy = json_copy(m); /* shallow: values stay owned by q->json */
        json_object_del(copy, "household_id");
        jsonrec_read(copy, &member_def, prefix, NULL, q->a, &rows[i], errs);
        json_decref(copy);
        rec_set_int(&rows[i], "household_id", household_id ? household_id : 1);
        int vbefore = errs->n;
        record_validate(&rows[i], 1, q->a, errs);
        for (int k = vbefore; k < errs->n; k++)
            errs->e[k].field = arena_printf(q->a, "%s%s", prefix, errs->e[k].field);
        if (errs->n != before)
            continue;
        long long pid = rec_int(&rows[i], "person_id");
        audit_person(q, pid);
        for (size_t j = 0; j < i; j++)
            if (rec_int(&rows[j], "person_id") == pid)
                errlist_add(errs, arena_printf(q->a, "%sperson_id", prefix), "lists the same person twice");
        if (check_refs(q, c, &rows[i], prefix, errs) != 0)
            return -1;
        if (errs->n != before || !member_current(&rows[i], today))
            continue;
        /* A person lives in one household at a time. */
        record *mine;
        int nm;
        if (store_list(c, q->council, &member_def, "person_id", pid, 0, 100, q->a, &mine, &nm) != STORE_OK)
            return -1;
        for (int k = 0; k < nm; k++)
            if (rec_int(&mine[k], "household_id") != household_id && member_current(&mine[k], today)) {
                errlist_add(errs, arena_printf(q->a, "%sperson_id", prefix),
                            arena_printf(q->a, "person %lld already lives in household %lld; end that first", pid,
                                         rec_int(&mine[k], "household_id")));
                break;
            }
    }
    return (int)n;
}

static int write_members(req *q, store_conn *c, long long household_id, record *rows, int n)
{
    for (int i = 0; i < n; i++) {
        rec_set_int(&rows[i], "household_id", household_id);
        if (store_insert(c, q->council, &rows[i]) != STORE_OK)
            return -1;
    }
    return 0;
}

/* The household as JSON with its members (and their names), everyone
 * shown noted for the audit. */
static json_t *household_json(req *q, store_conn *c, const record *h)
{
    char today[11];
    time_today(today);
    personview_deps d = {0};
    json_t *o = personview_household(c, q->council, q->a, q->who.categories, h, NULL, today, &d);
    for (int i = 0; i < d.n; i++)
        audit_person(q, d.ids[i]);
    return o;
}

static int create_household(req *q, resp *p, store_conn *c)
{
    record h;
    errlist errs = {.n = 0};
    record rows[MAX_MEMBERS];
    int nm = 0;
    jsonrec_read(q->json, &household_def, NULL, household_extra, q->a, &h, &errs);
    record_validate(&h, 1, q->a, &errs);
    if (check_refs(q, c, &h, NULL, &errs) != 0)
        return api_store_error_or_fail(p, c);
    json_t *members = json_object_get(q->json, "members");
    if (members && (nm = read_members(q, c, members, 0, rows, &errs)) < 0)
        return api_store_error_or_fail(p, c);
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was saved.", &errs);
        return 0;
    }
    if (store_insert(c, q->council, &h) != STORE_OK || write_members(q, c, h.id, rows, nm) != 0)
        return api_store_error_or_fail(p, c);
    json_t *o = household_json(q, c, &h);
    created(q, p, &h, o);
    json_decref(o);
    return 0;
}

int api_household_create(req *q, resp *p)
{
    return api_create_idempotent(q, p, create_household);
}

int api_household_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record h;
    if (!c || api_load_or_fail(q, p, c, &household_def, &h) != 0)
        return 0;
    json_t *o = household_json(q, c, &h);
    resp_json(p, 200, o);
    json_decref(o);
    set_record_headers(q, p, &h);
    return 0;
}

/* PATCH members: the given list replaces the household's members. */
static int patch_members(req *q, resp *p, store_conn *c, record *h, errlist *errs)
{
    (void)p;
    json_t *members = json_object_get(q->json, "members");
    if (!members)
        return 0;
    record rows[MAX_MEMBERS];
    int nm = read_members(q, c, members, h->id, rows, errs);
    if (nm < 0)
        return -1;
    if (errs->n)
        return 0;
    record *old;
    int no;
    if (store_list(c, q->council, &member_def, "household_id", h->id, 0, 1000, q->a, &old, &no) != STORE_OK)
        return -1;
    for (int i = 0; i < no; i++) {
        audit_person(q, rec_int(&old[i], "person_id"));
        if (store_delete(c, q->council, &member_def, old[i].id) != STORE_OK)
            return -1;
    }
    return write_members(q, c, h->id, rows, nm);
}

int api_household_patch(req *q, resp *p)
{
    return patch_flow(q, p, household_extra, patch_members, household_json);
}

/* ---- a person with where they live ---- */

int api_person_get(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    long long id = q->path_id[0];
    char today[11];
    time_today(today);
    store_view v;
    int rc = store_view_get(c, q->council, id, q->a, &v);
    if (rc < 0)
        return api_store_error_or_fail(p, c);
    if (rc == STORE_OK && v.body && personview_current(&v, today)) {
        personview_answer(q, p, &v);
        return 0;
    }
    if (rc == STORE_OK)
        personview_wake(); /* cleared: the renderer stores it again */
    rc = personview_build(c, q->council, id, q->a, &v);
    if (rc == STORE_NOTFOUND) {
        resp_problem(p, 404, "Not found", arena_printf(q->a, "No person has id %lld.", id), NULL);
        return 0;
    }
    if (rc != STORE_OK)
        return api_store_error_or_fail(p, c);
    personview_answer(q, p, &v);
    return 0;
}

/* ---- the data-protection officer's view ---- */

int api_audit_settle(store_conn *c)
{
    store_commit(c); /* the read transaction the server began, if any */
    int rc = store_audit_settle(c);
    if (rc != STORE_OK)
        log_error("audit: cannot move read entries into audit_log: %s", store_errmsg(c));
    store_begin_read(c);
    return rc;
}

int api_person_rows_or_fail(req *q, resp *p, const entity_def *def, record **rows, int *n, int *limit)
{
    long long after;
    if (api_cursor_or_fail(q, p, &after) != 0)
        return -1;
    const char *ls = req_query(q, "limit");
    *limit = ls ? (int)strtol(ls, NULL, 10) : 50; /* range checked by the route table */
    store_conn *c = api_conn_or_fail(q, p);
    record per;
    if (!c || api_load_or_fail(q, p, c, &person_def, &per) != 0)
        return -1;
    audit_person(q, per.id);
    if (def == &audit_def)
        api_audit_settle(c);
    if (store_list(c, q->council, def, "person_id", per.id, after, *limit, q->a, rows, n) != STORE_OK) {
        api_store_error_or_fail(p, c);
        return -1;
    }
    return 0;
}

void api_page(req *q, resp *p, json_t *items, const record *rows, int n, int limit)
{
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "next_cursor",
                        n == limit ? json_string(arena_printf(q->a, "%lld", rows[n - 1].id)) : json_null());
    resp_json(p, 200, o);
    json_decref(o);
}

int api_person_audit(req *q, resp *p)
{
    record *rows;
    int n, limit;
    if (api_person_rows_or_fail(q, p, &audit_def, &rows, &n, &limit) != 0)
        return 0;
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *e = jsonrec_write(&rows[i], q->who.categories);
        json_object_del(e, "version");
        json_object_del(e, "updated_at");
        json_object_set(e, "at", json_object_get(e, "created_at"));
        json_object_del(e, "created_at");
        json_array_append_new(items, e);
    }
    api_page(q, p, items, rows, n, limit);
    return 0;
}
