/* api_sources.c: the master record over HTTP. Source records from
 * departmental systems in batches, a person's source records with the
 * evidence for each link, the matches to review (accept merges, reject
 * keeps apart), and merging and unmerging people (jobs/master.h). */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/entities.h"
#include "jobs/master.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/routes.h"

enum { MAX_BATCH = 1000, MAX_VALUE = 1000 };

static const char *const outcome_names[] = {"linked", "new", "review", "already", "failed"};

/* r as JSON, with its JSON-text fields given as objects. */
static json_t *with_objects(const record *r, unsigned cats, const char *const *fields)
{
    json_t *o = jsonrec_write(r, cats);
    for (const char *const *f = fields; *f; f++) {
        const char *t = rec_str(r, *f);
        json_t *v = t ? json_loads(t, 0, NULL) : NULL;
        if (v)
            json_object_set_new(o, *f, v);
    }
    return o;
}

static const char *const source_objects[] = {"fields", "match_evidence", NULL};
static const char *const match_objects[] = {"evidence", NULL};
static const char *const merge_objects[] = {"moved", NULL};

static json_t *source_json(const record *r, unsigned cats)
{
    json_t *o = with_objects(r, cats, source_objects);
    const char *sc = rec_str(r, "match_score");
    if (sc)
        json_object_set_new(o, "match_score", json_real(strtod(sc, NULL)));
    return o;
}

static json_t *match_json(const record *r, unsigned cats)
{
    json_t *o = with_objects(r, cats, match_objects);
    const char *sc = rec_str(r, "score");
    if (sc)
        json_object_set_new(o, "score", json_real(strtod(sc, NULL)));
    return o;
}

int api_source_records_create(req *q, resp *p)
{
    const source_catalogue *cat = master_sources();
    const source_system *sys = cat ? sources_find(cat, q->path_slug) : NULL;
    if (!sys) {
        resp_problem(p, 404, "No such system",
                     "The council's catalogue (sources.txt) names no system by that name.", NULL);
        return 0;
    }
    errlist errs = {.n = 0};
    const char *key;
    json_t *v;
    json_object_foreach(q->json, key, v)
    {
        if (strcmp(key, "records"))
            errlist_add(&errs, arena_strdup(q->a, key), "is not a field of a batch (send {\"records\": [...]})");
    }
    json_t *recs = json_object_get(q->json, "records");
    size_t n = json_is_array(recs) ? json_array_size(recs) : 0;
    if (!json_is_array(recs) || n == 0 || n > MAX_BATCH)
        errlist_add(&errs, "records", "is required: a list of 1 to 1000 records, each an object of column: value");
    master_in *in = arena_alloc(q->a, (n + 1) * sizeof *in);
    for (size_t i = 0; i < n && errs.n < ERR_MAX; i++) {
        json_t *r = json_array_get(recs, i);
        const char *path = arena_printf(q->a, "records[%zu]", i);
        if (!json_is_object(r)) {
            errlist_add(&errs, path, "must be an object of column: value");
            continue;
        }
        json_t *raw = json_object();
        json_object_foreach(r, key, v)
        {
            if (!json_is_string(v) && !json_is_null(v)) {
                errlist_add(&errs, arena_printf(q->a, "%s.%s", path, key), "must be a string or null");
                continue;
            }
            if (json_is_string(v) && json_string_length(v) > MAX_VALUE) {
                errlist_add(&errs, arena_printf(q->a, "%s.%s", path, key), "must be at most 1000 characters");
                continue;
            }
            json_object_set_new(raw, key, json_is_null(v) ? json_string("") : json_incref(v));
        }
        master_in *m = &in[i];
        memset(m, 0, sizeof *m);
        const char *lid = json_string_value(json_object_get(r, sys->id_col));
        if (!lid || !lid[0] || strlen(lid) > 64)
            errlist_add(&errs, arena_printf(q->a, "%s.%s", path, sys->id_col),
                        "is required: the record's id in the system (1 to 64 characters)");
        m->local_id = lid;
        for (int f = 0; f < SRC_NFIELDS; f++) {
            const char *s = sys->col[f][0] ? json_string_value(json_object_get(r, sys->col[f])) : NULL;
            m->raw[f] = s && s[0] ? s : NULL;
        }
        char *txt = json_dumps(raw, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(raw);
        m->fields_json = arena_strdup(q->a, txt ? txt : "{}");
        free(txt);
        m->origin = "api";
    }
    if (errs.n) {
        resp_problem(p, 422, "Invalid records", "Nothing was imported.", &errs);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    master_out *out = arena_alloc(q->a, (n + 1) * sizeof *out);
    master_stats st;
    char err[300];
    if (master_link(c, q->council, cat, sys, in, n, 0, out, &st, err, sizeof err) != 0) {
        resp_problem(p, 503, "Import stopped", "Some records may be written; send the batch again to finish it.",
                     NULL);
        return 0;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I, s:s, s:s}", "index", (json_int_t)i, "local_id", in[i].local_id, "outcome",
                              outcome_names[out[i].outcome]);
        if (out[i].source_record_id)
            json_object_set_new(o, "source_record_id", json_integer(out[i].source_record_id));
        if (out[i].person_id) {
            json_object_set_new(o, "person_id", json_integer(out[i].person_id));
            audit_person(q, out[i].person_id);
        }
        if (out[i].match_id)
            json_object_set_new(o, "match_id", json_integer(out[i].match_id));
        if (out[i].outcome == MASTER_LINKED || out[i].outcome == MASTER_REVIEW)
            json_object_set_new(o, "score", json_real(out[i].score));
        if (out[i].msg[0])
            json_object_set_new(o, "message", json_string(out[i].msg));
        json_array_append_new(items, o);
    }
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "system", sys->name, "linked",
                          (json_int_t)st.linked, "new", (json_int_t)st.created, "review", (json_int_t)st.review,
                          "already", (json_int_t)st.already, "failed", (json_int_t)st.failed, "items", items);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_person_sources(req *q, resp *p)
{
    record *rows;
    int n, limit;
    if (api_person_rows_or_fail(q, p, &source_record_def, &rows, &n, &limit) != 0)
        return 0;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, source_json(&rows[i], q->who.categories));
    api_page(q, p, items, rows, n, limit);
    return 0;
}

/* A person for the review list: their record, or null if gone. */
static json_t *person_json(req *q, store_conn *c, long long id)
{
    record r;
    if (store_get(c, q->council, &person_def, id, q->a, &r) != STORE_OK)
        return json_null();
    audit_person(q, id);
    return jsonrec_write(&r, q->who.categories);
}

int api_matches_review(req *q, resp *p)
{
    long long after;
    if (api_cursor_or_fail(q, p, &after) != 0)
        return 0;
    const char *ls = req_query(q, "limit");
    int limit = ls ? (int)strtol(ls, NULL, 10) : 50;
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record *rows;
    int n = 0;
    if (store_list_text(c, q->council, &source_match_def, "status", "open", after, limit, q->a, &rows, &n) != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = match_json(&rows[i], q->who.categories);
        record s;
        if (store_get(c, q->council, &source_record_def, rec_int(&rows[i], "source_record_id"), q->a, &s) == STORE_OK)
            json_object_set_new(o, "source_record", source_json(&s, q->who.categories));
        json_object_set_new(o, "person", person_json(q, c, rec_int(&rows[i], "person_id")));
        json_object_set_new(o, "candidate", person_json(q, c, rec_int(&rows[i], "candidate_id")));
        json_array_append_new(items, o);
    }
    api_page(q, p, items, rows, n, limit);
    return 0;
}

/* Loads match {id}, which must be open; 404 / 409 answered otherwise. */
static int open_match_or_fail(req *q, resp *p, store_conn *c, record *m)
{
    if (api_load_or_fail(q, p, c, &source_match_def, m) != 0)
        return -1;
    const char *st = rec_str(m, "status");
    if (!st || strcmp(st, "open")) {
        resp_problem(p, 409, "Already decided", arena_printf(q->a, "This match was %s.", st ? st : "decided"), NULL);
        return -1;
    }
    return 0;
}

/* Sets the decision on match id and the status of its source record. */
static int decide(req *q, store_conn *c, long long id, const char *status, const char *source_status,
                  long long merge_id, record *out)
{
    int rc = store_get(c, q->council, &source_match_def, id, q->a, out);
    if (rc != STORE_OK)
        return rc;
    long long v = out->version;
    char *now = arena_alloc(q->a, 21);
    time_now_iso(now);
    rec_set_str(out, "status", status);
    rec_set_int(out, "decided_by", q->who.id);
    rec_set_str(out, "decided_at", now);
    if (merge_id)
        rec_set_int(out, "merge_id", merge_id);
    if ((rc = store_update(c, q->council, out, v)) != STORE_OK)
        return rc;
    record s;
    rc = store_get(c, q->council, &source_record_def, rec_int(out, "source_record_id"), q->a, &s);
    if (rc != STORE_OK)
        return rc;
    v = s.version;
    rec_set_str(&s, "status", source_status);
    return store_update(c, q->council, &s, v);
}

static int finish_or_fail(req *q, resp *p, store_conn *c, int rc, const char *action)
{
    if (rc == STORE_OK)
        rc = audit_write_tx(q, c, action, 200);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc == STORE_OK)
        return 0;
    store_rollback(c);
    if (rc == STORE_CONFLICT) {
        resp_problem(p, 409, "Changed meanwhile",
                     "One of the two people is merged already, or someone changed them; nothing was changed.", NULL);
        return -1;
    }
    if (rc == STORE_NOTFOUND) {
        resp_problem(p, 404, "Not found", "One of the two people is gone; nothing was changed.", NULL);
        return -1;
    }
    api_store_error_or_fail(p, c);
    return -1;
}

int api_match_accept(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record m;
    if (!c || open_match_or_fail(q, p, c, &m) != 0)
        return 0;
    long long person = rec_int(&m, "person_id"), candidate = rec_int(&m, "candidate_id"), merge_id = 0;
    audit_person(q, candidate);
    audit_person(q, person);
    int rc = store_begin(c);
    if (rc == STORE_OK)
        rc = master_merge(c, q->council, candidate, person, q->who.id, q->a, &merge_id);
    if (rc == STORE_OK)
        rc = decide(q, c, m.id, "accepted", "linked", merge_id, &m);
    if (finish_or_fail(q, p, c, rc, "merge") != 0)
        return 0;
    json_t *o = match_json(&m, q->who.categories);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_match_reject(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    record m;
    if (!c || open_match_or_fail(q, p, c, &m) != 0)
        return 0;
    audit_person(q, rec_int(&m, "person_id"));
    audit_person(q, rec_int(&m, "candidate_id"));
    int rc = store_begin(c);
    if (rc == STORE_OK)
        rc = decide(q, c, m.id, "rejected", "new", 0, &m);
    if (finish_or_fail(q, p, c, rc, "update") != 0)
        return 0;
    json_t *o = match_json(&m, q->who.categories);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_person_merge(req *q, resp *p)
{
    errlist errs = {.n = 0};
    const char *key;
    json_t *v;
    json_object_foreach(q->json, key, v)
    {
        if (strcmp(key, "other_id"))
            errlist_add(&errs, arena_strdup(q->a, key), "is not a field of a merge");
    }
    json_t *other = json_object_get(q->json, "other_id");
    long long oid = json_is_integer(other) ? (long long)json_integer_value(other) : 0;
    if (oid < 1)
        errlist_add(&errs, "other_id", "is required: the id of the person to merge into this one");
    else if (oid == q->path_id[0])
        errlist_add(&errs, "other_id", "must be another person");
    store_conn *c = errs.n ? NULL : api_conn_or_fail(q, p);
    if (errs.n == 0 && !c)
        return 0;
    record kept, merged;
    if (errs.n == 0 && api_load_or_fail(q, p, c, &person_def, &kept) != 0)
        return 0;
    if (errs.n == 0 && store_get(c, q->council, &person_def, oid, q->a, &merged) != STORE_OK)
        errlist_add(&errs, "other_id", arena_printf(q->a, "no person has id %lld", oid));
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", "Nothing was merged.", &errs);
        return 0;
    }
    audit_person(q, kept.id);
    audit_person(q, oid);
    long long merge_id = 0;
    int rc = store_begin(c);
    if (rc == STORE_OK)
        rc = master_merge(c, q->council, kept.id, oid, q->who.id, q->a, &merge_id);
    if (finish_or_fail(q, p, c, rc, "merge") != 0)
        return 0;
    record m;
    if (store_get(c, q->council, &person_merge_def, merge_id, q->a, &m) != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *o = with_objects(&m, q->who.categories, merge_objects);
    resp_json(p, 201, o);
    json_decref(o);
    resp_header(p, "Location", arena_printf(q->a, "/api/v1/merges/%lld", merge_id));
    return 0;
}

int api_merge_unmerge(req *q, resp *p)
{
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    record m;
    if (api_load_or_fail(q, p, c, &person_merge_def, &m) != 0)
        return 0;
    if (rec_str(&m, "reversed_at")) {
        resp_problem(p, 409, "Already unmerged", NULL, NULL);
        return 0;
    }
    long long kept = 0, merged = 0;
    audit_person(q, rec_int(&m, "kept_id"));
    audit_person(q, rec_int(&m, "merged_id"));
    int rc = store_begin(c);
    if (rc == STORE_OK)
        rc = master_unmerge(c, q->council, m.id, q->who.id, q->a, &kept, &merged);
    if (finish_or_fail(q, p, c, rc, "unmerge") != 0)
        return 0;
    if (store_get(c, q->council, &person_merge_def, m.id, q->a, &m) != STORE_OK)
        return api_store_error_or_fail(p, c);
    json_t *o = with_objects(&m, q->who.categories, merge_objects);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}
