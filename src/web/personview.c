/* personview.c: the single view of a person, kept rendered (personview.h). */
#include "web/personview.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/thread.h"
#include "base/timeutil.h"
#include "core/entities.h"
#include "web/audit.h"
#include "web/jsonrec.h"

/* BATCH: views rendered per transaction; IDLE_SECONDS: how often the
 * renderer looks for cleared views when nobody wakes it. */
enum { BATCH = 256, IDLE_SECONDS = 1 };

/* Everything but CAT_SECRET: the stored view holds every category, and the
 * answer takes out what the caller may not see. */
static const unsigned ALL_CATEGORIES = CAT_HEALTH | CAT_SOCIAL_CARE | CAT_SAFEGUARDING;

static int sensitive(const field_def *f)
{
    return f->category && !(f->category & CAT_SECRET);
}

static void deps_add(personview_deps *d, arena *a, long long id)
{
    for (int i = 0; i < d->n; i++)
        if (d->ids[i] == id)
            return;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 8;
        long long *ids = arena_alloc(a, sizeof *ids * (size_t)cap);
        if (d->n)
            memcpy(ids, d->ids, sizeof *ids * (size_t)d->n);
        d->ids = ids;
        d->cap = cap;
    }
    d->ids[d->n++] = id;
}

/* Narrows the dates on which member m's being current (member_current)
 * changes, seen from today. */
static void deps_dates(personview_deps *d, arena *a, const record *m, const char *today)
{
    const char *from = rec_str(m, "from_date"), *to = rec_str(m, "to_date");
    if (from && strcmp(from, today) > 0 && (!d->changes_on || strcmp(from, d->changes_on) < 0))
        d->changes_on = arena_strdup(a, from);
    if (to && strcmp(to, today) >= 0 && (!d->valid_through || strcmp(to, d->valid_through) < 0))
        d->valid_through = arena_strdup(a, to);
}

int personview_current(const store_view *v, const char *today)
{
    return (!v->changes_on || strcmp(today, v->changes_on) < 0) &&
           (!v->valid_through || strcmp(today, v->valid_through) <= 0);
}

json_t *personview_household(store_conn *c, long long council, arena *a, unsigned cats, const record *h,
                             const record *known, const char *today, personview_deps *d)
{
    json_t *o = jsonrec_write(h, cats);
    record *ms;
    int n;
    json_t *arr = json_array();
    if (store_list(c, council, &member_def, "household_id", h->id, 0, 1000, a, &ms, &n) == STORE_OK) {
        for (int i = 0; i < n; i++) {
            json_t *m = jsonrec_write(&ms[i], cats);
            json_object_del(m, "household_id");
            json_object_set_new(m, "current", json_boolean(member_current(&ms[i], today)));
            deps_dates(d, a, &ms[i], today);
            record per;
            long long pid = rec_int(&ms[i], "person_id");
            deps_add(d, a, pid);
            if (known && known->id == pid)
                per = *known;
            if ((known && known->id == pid) || store_get(c, council, &person_def, pid, a, &per) == STORE_OK) {
                json_object_set_new(m, "given_name", json_string(rec_str(&per, "given_name")));
                json_object_set_new(m, "family_name", json_string(rec_str(&per, "family_name")));
            }
            json_array_append_new(arr, m);
        }
    }
    json_object_set_new(o, "members", arr);
    return o;
}

int personview_build(store_conn *c, long long council, long long id, arena *a, store_view *out)
{
    record per;
    int rc = store_get(c, council, &person_def, id, a, &per);
    if (rc != STORE_OK)
        return rc;
    personview_deps d = {0};
    deps_add(&d, a, per.id);
    json_t *o = jsonrec_write(&per, ALL_CATEGORIES);
    /* The sensitive fields go apart, in field order. */
    json_t *sens = json_array();
    int any = 0;
    for (int i = 0; i < person_def.nfields; i++) {
        const field_def *f = &person_def.fields[i];
        if (!sensitive(f))
            continue;
        json_t *v = json_object_get(o, f->name);
        any |= v && !json_is_null(v);
        json_array_append(sens, v ? v : json_null());
        json_object_del(o, f->name);
    }
    record *ms;
    int n;
    if ((rc = store_list(c, council, &member_def, "person_id", per.id, 0, 100, a, &ms, &n)) != STORE_OK) {
        json_decref(o);
        json_decref(sens);
        return rc;
    }
    char today[11];
    time_today(today);
    const record *cur = NULL;
    for (int i = 0; i < n; i++) {
        deps_dates(&d, a, &ms[i], today);
        if (member_current(&ms[i], today)) {
            const char *f = rec_str(&ms[i], "from_date"), *cf = cur ? rec_str(cur, "from_date") : NULL;
            if (!cur || (f && (!cf || strcmp(f, cf) > 0)))
                cur = &ms[i];
        }
    }
    json_t *hj = json_null(), *pj = json_null();
    record h, prop;
    if (cur && store_get(c, council, &household_def, rec_int(cur, "household_id"), a, &h) == STORE_OK) {
        hj = personview_household(c, council, a, ALL_CATEGORIES, &h, &per, today, &d);
        json_object_set_new(hj, "relationship", json_string(rec_str(cur, "relationship")));
        if (store_get(c, council, &property_def, rec_int(&h, "property_id"), a, &prop) == STORE_OK)
            pj = jsonrec_write(&prop, ALL_CATEGORIES);
    }
    json_object_set_new(o, "household", hj);
    json_object_set_new(o, "property", pj);
    char *body = json_dumps(o, JSON_COMPACT);
    char *sbody = any ? json_dumps(sens, JSON_COMPACT) : NULL;
    json_decref(o);
    json_decref(sens);
    if (!body) { /* only out of memory */
        free(sbody);
        return STORE_ERROR;
    }
    out->body = arena_strdup(a, body);
    out->sensitive = arena_strdup(a, sbody);
    free(body);
    free(sbody);
    out->etag = jsonrec_etag(&per, a);
    buf ids;
    buf_init(&ids, 1 << 20);
    for (int i = 0; i < d.n; i++)
        buf_printf(&ids, i ? " %lld" : "%lld", d.ids[i]);
    out->shown = arena_strdup(a, buf_str(&ids));
    buf_free(&ids);
    out->changes_on = d.changes_on;
    out->valid_through = d.valid_through;
    return STORE_OK;
}

void personview_answer(req *q, resp *p, const store_view *v)
{
    for (const char *s = v->shown; s && *s;) {
        char *end;
        long long id = strtoll(s, &end, 10);
        if (end == s)
            break;
        audit_person(q, id);
        s = end;
        while (*s == ' ')
            s++;
    }
    p->status = 200;
    p->content_type = "application/json";
    buf_reset(&p->body);
    size_t len = strlen(v->body);
    int bad = len < 2 || v->body[len - 1] != '}' || buf_append(&p->body, v->body, len - 1) != 0;
    json_t *sens = v->sensitive ? json_loads(v->sensitive, 0, NULL) : NULL;
    const char *redacted[8];
    int nred = 0, k = 0;
    for (int i = 0; i < person_def.nfields && !bad; i++) {
        const field_def *f = &person_def.fields[i];
        if (!sensitive(f))
            continue;
        json_t *val = json_array_get(sens, (size_t)k++);
        if (f->category & ~q->who.categories) {
            if (nred < (int)(sizeof redacted / sizeof redacted[0]))
                redacted[nred++] = f->name;
            continue;
        }
        char *s = val && !json_is_null(val) ? json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        bad |= buf_printf(&p->body, ",\"%s\":%s", f->name, s ? s : "null") != 0;
        free(s);
    }
    json_decref(sens);
    for (int i = 0; i < nred && !bad; i++)
        bad |= buf_printf(&p->body, i ? ",\"%s\"" : ",\"redacted\":[\"%s\"", redacted[i]) != 0;
    if (nred && !bad)
        bad |= buf_puts(&p->body, "]") != 0;
    if (bad || buf_puts(&p->body, "}") != 0) {
        resp_problem(p, 500, "Response too large", "The answer exceeded the response size limit.", NULL);
        return;
    }
    resp_header(p, "ETag", v->etag);
}

/* ---- the renderer ---- */

static struct {
    ticker tick;
    store *st;
    char day[11]; /* the date views were last expired for */
    int relaxed;
} V = {.tick = TICKER_INIT};

/* Renders one batch of cleared views after (*ac, *ap) and stores them; *n
 * gets how many were found. */
static int render_batch(store_conn *c, long long *ac, long long *ap, int *n)
{
    long long cs[BATCH], ps[BATCH], gs[BATCH];
    arena *a = arena_new();
    store_view *vs = arena_alloc(a, sizeof *vs * BATCH);
    int ok[BATCH];
    int rc = store_begin_read(c);
    if (rc == STORE_OK)
        rc = store_view_stale(c, *ac, *ap, BATCH, cs, ps, gs, n);
    for (int i = 0; rc == STORE_OK && i < *n; i++) {
        vs[i].gen = gs[i];
        int r = personview_build(c, cs[i], ps[i], a, &vs[i]);
        ok[i] = r == STORE_OK;
        if (r < 0) /* the next pass tries again; the others go on */
            log_error("person views: cannot render person %lld (%s)", ps[i], store_errmsg(c));
    }
    store_commit(c);
    if (rc == STORE_OK && *n > 0) {
        rc = store_begin(c);
        for (int i = 0; rc == STORE_OK && i < *n; i++)
            if (ok[i])
                rc = store_view_put(c, cs[i], ps[i], &vs[i], NULL);
        rc = rc == STORE_OK ? store_commit(c) : (store_rollback(c), rc);
        *ac = cs[*n - 1];
        *ap = ps[*n - 1];
    }
    arena_free(a);
    return rc;
}

/* One pass: expires what the date alone has changed, then renders every
 * cleared view, a batch a transaction. */
static void render_pass(void *arg)
{
    (void)arg;
    char err[256];
    store_conn *c = store_conn_get(V.st, err, sizeof err);
    /* A stored view lost with the machine is only rendered again. */
    if (c && !V.relaxed)
        V.relaxed = store_relax_durability(c) == STORE_OK;
    long long ac = 0, ap = 0;
    int n = BATCH, rc = c ? STORE_OK : STORE_ERROR;
    char today[11];
    time_today(today);
    if (rc == STORE_OK && strcmp(today, V.day) != 0) { /* views that the date alone has changed */
        rc = store_view_expire(c, today);
        if (rc == STORE_OK)
            memcpy(V.day, today, sizeof V.day);
    }
    while (rc == STORE_OK && n == BATCH && !ticker_stopping(&V.tick))
        rc = render_batch(c, &ac, &ap, &n);
    if (rc != STORE_OK)
        log_error("person views: cannot render (%s); will retry", c ? store_errmsg(c) : err);
}

void personview_start(store *s)
{
    V.st = s;
    V.day[0] = '\0';
    V.relaxed = 0;
    V.tick.run = render_pass;
    V.tick.every_ms = IDLE_SECONDS * 1000L;
    ticker_start(&V.tick);
}

void personview_stop(void)
{
    ticker_stop(&V.tick);
}

void personview_wake(void)
{
    ticker_wake(&V.tick);
}
