/* master: linking source records to people (see master.h). */
#include "jobs/master.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/csv.h"
#include "core/entities.h"
#include "core/match.h"

enum {
    PAGE = 1000,           /* rows per store_list call */
    BATCH = 20000,         /* records per write transaction (about a second of writing: far
                              fewer index pages written again and again than in small ones) */
    MIN_ESTIMATE = 200     /* fewer records than this: use the kept model if there is one */
};

static source_catalogue *g_sources;

const source_catalogue *master_sources(void)
{
    return g_sources;
}

int master_sources_read(const char *dir, source_catalogue **out, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/sources.txt", dir);
    *out = xmalloc(sizeof **out);
    memset(*out, 0, sizeof **out);
    size_t n;
    char *text = file_read(path, 1 << 20, &n, err, errlen);
    if (!text) {
        if (errno == ENOENT)
            return 0;
        free(*out);
        *out = NULL;
        return -1;
    }
    char why[200];
    int rc = sources_parse(text, n, *out, why, sizeof why);
    free(text);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int master_sources_load(const char *dir, char *err, size_t errlen)
{
    source_catalogue *c;
    if (master_sources_read(dir, &c, err, errlen) != 0)
        return -1;
    free(g_sources);
    g_sources = c;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Everyone to compare with                                             */

typedef struct {
    long long id;                 /* person id */
    const char *v[SRC_NFIELDS];   /* normalised, from keep */
} uent;

static const char *norm_dup(arena *a, int f, const char *v)
{
    if (!v || !*v)
        return NULL;
    char tmp[512];
    sources_normalise(f, v, tmp, sizeof tmp);
    return tmp[0] ? arena_strdup(a, tmp) : NULL;
}

static int id_cmp(const void *k, const void *e)
{
    long long a = *(const long long *)k, b = ((const uent *)e)->id;
    return a < b ? -1 : a > b;
}

typedef struct {
    uent *u;          /* by id */
    size_t n, cap;
    char **seen;      /* local ids of this system already imported, sorted */
    size_t nseen, capseen;
    /* while loading */
    arena *keep;
    const source_catalogue *cat;
    char today[11];
} universe;

static int str_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A person (store_link_people: they come by id). */
static int person_row(void *ctx, long long id, const char *const *t)
{
    universe *U = ctx;
    if (U->n == U->cap) {
        U->cap = U->cap ? U->cap * 2 : 4096;
        U->u = xrealloc(U->u, U->cap * sizeof *U->u);
    }
    uent *e = &U->u[U->n++];
    memset(e, 0, sizeof *e);
    e->id = id;
    e->v[SRC_GIVEN] = norm_dup(U->keep, SRC_GIVEN, t[0]);
    e->v[SRC_FAMILY] = norm_dup(U->keep, SRC_FAMILY, t[1]);
    e->v[SRC_DOB] = norm_dup(U->keep, SRC_DOB, t[2]);
    e->v[SRC_EMAIL] = norm_dup(U->keep, SRC_EMAIL, t[3]);
    e->v[SRC_PHONE] = norm_dup(U->keep, SRC_PHONE, t[4]);
    return 0;
}

/* A membership: a current one gives its person's postcode and address
 * (the last current one by id, if several). */
static int home_row(void *ctx, long long pid, const char *const *t)
{
    universe *U = ctx;
    if ((t[2] && strcmp(t[2], U->today) > 0) || (t[3] && strcmp(t[3], U->today) < 0))
        return 0;
    uent *e = bsearch(&pid, U->u, U->n, sizeof *U->u, id_cmp);
    if (!e)
        return 0;
    e->v[SRC_POSTCODE] = norm_dup(U->keep, SRC_POSTCODE, t[0]);
    e->v[SRC_ADDRESS] = norm_dup(U->keep, SRC_ADDRESS, t[1]);
    return 0;
}

/* A local id of this system already imported. */
static int seen_row(void *ctx, long long id, const char *const *t)
{
    (void)id;
    universe *U = ctx;
    if (!t[0])
        return 0;
    if (U->nseen == U->capseen) {
        U->capseen = U->capseen ? U->capseen * 2 : 4096;
        U->seen = xrealloc(U->seen, U->capseen * sizeof *U->seen);
    }
    U->seen[U->nseen++] = arena_strdup(U->keep, t[0]);
    return 0;
}

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* Reads the JSON string at p (its opening quote) into out[cap]; returns
 * where it ends (past the closing quote), or NULL for anything but a
 * plain one that fits: \u escapes, control characters, too long. */
static const char *json_plain_string(const char *p, char *out, size_t cap)
{
    if (*p++ != '"')
        return NULL;
    size_t n = 0;
    for (;;) {
        char ch = *p++;
        if (ch == '"')
            break;
        if ((unsigned char)ch < 0x20)
            return NULL; /* the end, or a control character */
        if (ch == '\\') {
            switch (*p++) {
            case '"': ch = '"'; break;
            case '\\': ch = '\\'; break;
            case '/': ch = '/'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            default: return NULL;
            }
        }
        if (n + 1 >= cap)
            return NULL;
        out[n++] = ch;
    }
    out[n] = '\0';
    return p;
}

/* The value of member key of the flat JSON object text (a source record's
 * fields, as the import and the API write them) into out[cap]: 1 if
 * found (the last, if twice), 0 if not, -1 if text is not such an object
 * of plain strings (then ask jansson). jansson took most of the time
 * loading everyone when their source records fill what people lack. */
static int flat_json_get(const char *text, const char *key, char *out, size_t cap)
{
    char k[SRC_COL_MAX + 2], v[512];
    const char *p = json_ws(text);
    if (*p++ != '{')
        return -1;
    int found = 0;
    p = json_ws(p);
    if (*p == '}')
        return *json_ws(p + 1) ? -1 : 0;
    for (;;) {
        if (!(p = json_plain_string(p, k, sizeof k)))
            return -1;
        p = json_ws(p);
        if (*p++ != ':')
            return -1;
        p = json_ws(p);
        if (!(p = json_plain_string(p, v, sizeof v)))
            return -1;
        if (!strcmp(k, key)) {
            if (strlen(v) + 1 > cap)
                return -1;
            memcpy(out, v, strlen(v) + 1);
            found = 1;
        }
        p = json_ws(p);
        if (*p == ',') {
            p = json_ws(p + 1);
            continue;
        }
        if (*p++ != '}')
            return -1;
        return *json_ws(p) ? -1 : found;
    }
}

/* A source record: what it says fills what its person's own row lacks. */
static int source_row(void *ctx, long long pid, const char *const *t)
{
    universe *U = ctx;
    const char *sys = t[0], *fields = t[1];
    const source_system *ss = sys && pid ? sources_find(U->cat, sys) : NULL;
    uent *e = ss ? bsearch(&pid, U->u, U->n, sizeof *U->u, id_cmp) : NULL;
    if (!e || !fields)
        return 0;
    int missing = 0;
    for (int f = 0; f < SRC_NFIELDS; f++)
        missing |= !e->v[f] && ss->col[f][0];
    if (!missing)
        return 0;
    int plain = 1;
    const char *got[SRC_NFIELDS] = {0};
    char vals[SRC_NFIELDS][512];
    for (int f = 0; f < SRC_NFIELDS && plain; f++)
        if (!e->v[f] && ss->col[f][0]) {
            int r = flat_json_get(fields, ss->col[f], vals[f], sizeof vals[f]);
            plain = r >= 0;
            got[f] = r > 0 ? vals[f] : NULL;
        }
    if (plain) {
        for (int f = 0; f < SRC_NFIELDS; f++)
            if (!e->v[f] && ss->col[f][0])
                e->v[f] = norm_dup(U->keep, f, got[f]);
        return 0;
    }
    json_t *j = json_loads(fields, 0, NULL);
    if (!j)
        return 0;
    for (int f = 0; f < SRC_NFIELDS; f++)
        if (!e->v[f] && ss->col[f][0])
            e->v[f] = norm_dup(U->keep, f, json_string_value(json_object_get(j, ss->col[f])));
    json_decref(j);
    return 0;
}

/* The local ids of system already imported, sorted (inside the caller's
 * read transaction). */
static int load_seen(store_conn *c, long long council, const char *system, universe *U)
{
    int rc = store_link_imported(c, council, system, seen_row, U);
    if (rc == STORE_OK && U->nseen)
        qsort(U->seen, U->nseen, sizeof *U->seen, str_cmp);
    return rc;
}

/* Everyone of council to compare with (inside the caller's read
 * transaction): each person's names, birth date, email and phone, the
 * postcode and address of their current home, and what their source
 * records add. Strings in U->keep. */
static int load_people(store_conn *c, long long council, universe *U)
{
    time_today(U->today);
    int rc = store_link_people(c, council, person_row, U);
    if (rc == STORE_OK)
        rc = store_link_homes(c, council, home_row, U);
    if (rc == STORE_OK)
        rc = store_link_sources(c, council, source_row, U);
    return rc;
}

static void universe_free(universe *U)
{
    free(U->u);
    free(U->seen);
    memset(U, 0, sizeof *U);
}

/* ------------------------------------------------------------------ */
/* The model kept between batches                                       */

static char *model_json(const match_schema *s, const match_model *m)
{
    json_t *o = json_object(), *fields = json_object();
    json_object_set_new(o, "lambda", json_real(m->lambda));
    for (int f = 0; f < s->nfields; f++) {
        const match_field_model *fm = &m->f[f];
        json_t *lv = json_array();
        for (int l = 0; l < fm->nlevels; l++)
            json_array_append_new(lv, json_pack("{s:s, s:f, s:f, s:f}", "level", match_level_name(s->field[f].kind, l),
                                                "m", fm->m[l], "u", fm->u[l], "w", fm->w[l]));
        json_object_set_new(fields, s->field[f].name, lv);
    }
    json_object_set_new(o, "fields", fields);
    char *txt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return txt;
}

/* 0 if text is a model for s (into m), else -1. */
static int model_parse(const match_schema *s, const char *text, match_model *m)
{
    memset(m, 0, sizeof *m);
    json_t *o = json_loads(text, 0, NULL);
    if (!o)
        return -1;
    int ok = 1;
    m->lambda = json_real_value(json_object_get(o, "lambda"));
    json_t *fields = json_object_get(o, "fields");
    for (int f = 0; f < s->nfields && ok; f++) {
        json_t *lv = json_object_get(fields, s->field[f].name);
        int L = match_level_count(s->field[f].kind);
        if (!json_is_array(lv) || (int)json_array_size(lv) != L) {
            ok = 0;
            break;
        }
        m->f[f].nlevels = L;
        for (int l = 0; l < L; l++) {
            json_t *e = json_array_get(lv, (size_t)l);
            m->f[f].m[l] = json_number_value(json_object_get(e, "m"));
            m->f[f].u[l] = json_number_value(json_object_get(e, "u"));
            m->f[f].w[l] = json_number_value(json_object_get(e, "w"));
        }
    }
    json_decref(o);
    return ok ? 0 : -1;
}

/* Keeps m as the council's "people" model (inside the caller's transaction). */
static int model_save(store_conn *c, long long council, const match_schema *s, const match_model *m, size_t records,
                      arena *a)
{
    char *txt = model_json(s, m);
    record r;
    int rc = store_find(c, council, &match_model_def, "name", "people", a, &r);
    if (rc == STORE_OK) {
        long long v = r.version;
        rec_set_str(&r, "model", arena_strdup(a, txt));
        rec_set_int(&r, "records", (long long)records);
        rc = store_update(c, council, &r, v);
    } else if (rc == STORE_NOTFOUND) {
        record_init(&r, &match_model_def);
        rec_set_str(&r, "name", "people");
        rec_set_str(&r, "model", arena_strdup(a, txt));
        rec_set_int(&r, "records", (long long)records);
        rc = store_insert(c, council, &r);
    }
    free(txt);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Deciding                                                             */

/* w with two decimals ("-1.25", "14.28"), as round(w * 100) / 100 prints. */
static size_t weight_text(char *out, double w)
{
    long long c = llround(w * 100.0);
    size_t n = 0;
    if (c < 0) {
        out[n++] = '-';
        c = -c;
    }
    char digits[24];
    int k = 0;
    long long whole = c / 100;
    do {
        digits[k++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    while (k)
        out[n++] = digits[--k];
    out[n++] = '.';
    out[n++] = (char)('0' + c / 10 % 10);
    out[n++] = (char)('0' + c % 10);
    return n;
}

/* The evidence as JSON: {"given_name":{"level":"exact","weight":6.97},...}
 * with "swapped":true where a field was compared crosswise. Written by
 * hand: field and level names need no escaping, and it runs once per
 * record of an import. */
static char *evidence_json(arena *a, const match_schema *s, const match_evidence *ev)
{
    char out[MATCH_MAX_FIELDS * 128 + 2];
    size_t n = 0;
    out[n++] = '{';
    for (int f = 0; f < s->nfields; f++) {
        const char *name = s->field[f].name, *level = match_level_name(s->field[f].kind, ev[f].level);
        size_t ln = strlen(name), ll = strlen(level);
        if (ln + ll > 48)
            continue; /* no schema's names are this long */
        if (n > 1)
            out[n++] = ',';
        out[n++] = '"';
        memcpy(out + n, name, ln);
        n += ln;
        memcpy(out + n, "\":{\"level\":\"", 12);
        n += 12;
        memcpy(out + n, level, ll);
        n += ll;
        memcpy(out + n, "\",\"weight\":", 11);
        n += 11;
        n += weight_text(out + n, (double)ev[f].weight);
        if (ev[f].swapped) {
            memcpy(out + n, ",\"swapped\":true", 15);
            n += 15;
        }
        out[n++] = '}';
    }
    out[n++] = '}';
    return arena_strndup(a, out, n);
}

typedef struct {
    const char *id;
    size_t i;
} lkey;

static int lkey_cmp(const void *x, const void *y)
{
    const lkey *a = x, *b = y;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* Marks failed every record of todo[0..nt) whose local id an earlier one
 * has (the first given stands); returns how many are left in todo. */
static size_t drop_repeats(const master_in *in, master_out *out, size_t *todo, size_t nt)
{
    if (nt < 2)
        return nt;
    lkey *byid = xmalloc(nt * sizeof *byid);
    for (size_t k = 0; k < nt; k++)
        byid[k] = (lkey){in[todo[k]].local_id, todo[k]};
    qsort(byid, nt, sizeof *byid, lkey_cmp);
    for (size_t k = 1; k < nt; k++)
        if (!strcmp(byid[k].id, byid[k - 1].id)) {
            out[byid[k].i].outcome = MASTER_FAILED;
            snprintf(out[byid[k].i].msg, sizeof out[byid[k].i].msg, "local id %s given twice: the first stands",
                     byid[k].id);
        }
    free(byid);
    size_t kept = 0;
    for (size_t k = 0; k < nt; k++)
        if (out[todo[k]].outcome != MASTER_FAILED)
            todo[kept++] = todo[k];
    return kept;
}

/* Union-find over the batch. */
static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

typedef struct {
    long long person;   /* linked: the existing person (0: none) */
    double score;       /* of the best pair, link or review */
    long long candidate; /* review: the existing person to look at */
    const char *evidence;
    long long within;   /* matched to another record of the batch (index + 1), 0: no */
    double within_score;
    const char *within_evidence;
} decision;

/* Builds the new person made from in (names required; other fields kept
 * if valid). 0, or -1 with the reason in msg. */
static int new_person(const master_in *in, arena *a, record *p, char *msg, size_t msglen)
{
    static const struct {
        int f;
        const char *field;
    } map[] = {{SRC_GIVEN, "given_name"}, {SRC_FAMILY, "family_name"}, {SRC_DOB, "date_of_birth"},
               {SRC_EMAIL, "email"},     {SRC_PHONE, "phone"}};
    record_init(p, &person_def);
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
        const char *v = in->raw[map[k].f];
        if (!v || !*v)
            continue;
        char tmp[512];
        if (map[k].f == SRC_DOB)
            v = sources_normalise(SRC_DOB, v, tmp, sizeof tmp);
        /* trimmed, as given (case kept) */
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strlen(v);
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n == 0)
            continue;
        rec_set_str(p, map[k].field, arena_strndup(a, v, n));
    }
    /* Optional fields that do not validate are left out, not the record. */
    for (int round = 0; round < 8; round++) {
        errlist errs = {0};
        if (record_validate(p, 1, a, &errs) == 0)
            return 0;
        int dropped = 0;
        for (int e = 0; e < errs.n; e++) {
            const char *f = errs.e[e].field;
            if (!strcmp(f, "given_name") || !strcmp(f, "family_name")) {
                snprintf(msg, msglen, "%s %s: a new person needs it", f, errs.e[e].message);
                return -1;
            }
            int fi = entity_field(&person_def, f);
            if (fi >= 0 && p->v[fi].set) {
                p->v[fi].set = 0;
                dropped = 1;
            }
        }
        if (!dropped) {
            snprintf(msg, msglen, "%s %s", errs.e[0].field, errs.e[0].message);
            return -1;
        }
    }
    snprintf(msg, msglen, "cannot make a person from it");
    return -1;
}

/* Writes record i (its person first if it needs a new one) inside the
 * caller's transaction. *made: the new person's id (0 if none). */
static int write_one(store_conn *c, long long council, const char *system, const master_in *in,
                     const decision *d, long long person, arena *a, master_out *o, long long *made)
{
    *made = 0;
    record p;
    if (!person) {
        if (new_person(in, a, &p, o->msg, sizeof o->msg) != 0)
            return -2;
        int rc = store_insert(c, council, &p);
        if (rc != STORE_OK)
            return rc;
        person = p.id;
        *made = p.id;
    }
    record s;
    record_init(&s, &source_record_def);
    rec_set_str(&s, "system", system);
    rec_set_str(&s, "local_id", in->local_id);
    rec_set_str(&s, "fields", in->fields_json);
    rec_set_int(&s, "person_id", person);
    const char *status = *made ? (d->candidate ? "review" : "new") : "linked";
    rec_set_str(&s, "status", status);
    if (!*made || d->candidate) {
        rec_set_str(&s, "match_score", arena_printf(a, "%.2f", d->score));
        if (d->evidence)
            rec_set_str(&s, "match_evidence", d->evidence);
    }
    if (in->origin)
        rec_set_str(&s, "origin", in->origin);
    int rc = store_insert(c, council, &s);
    if (rc != STORE_OK)
        return rc;
    o->source_record_id = s.id;
    o->person_id = person;
    o->score = (!*made || d->candidate) ? d->score : 0.0;
    o->outcome = *made ? (d->candidate ? MASTER_REVIEW : MASTER_NEW) : MASTER_LINKED;
    if (*made && d->candidate) {
        record m;
        record_init(&m, &source_match_def);
        rec_set_int(&m, "source_record_id", s.id);
        rec_set_int(&m, "person_id", person);
        rec_set_int(&m, "candidate_id", d->candidate);
        rec_set_str(&m, "score", arena_printf(a, "%.2f", d->score));
        rec_set_str(&m, "evidence", d->evidence ? d->evidence : "{}");
        rec_set_str(&m, "status", "open");
        if ((rc = store_insert(c, council, &m)) != STORE_OK)
            return rc;
        o->match_id = m.id;
    }
    return STORE_OK;
}

typedef struct {
    store_conn *c;
    long long council;
    const char *system;
    const master_in *in;
    const size_t *todo;
    const size_t *order;       /* the order to write them in: indexes into todo */
    const decision *d;
    size_t *parent;
    long long *cluster_person; /* by cluster root: its person, once known */
    master_out *out;
    size_t *made;              /* roots whose person this transaction made */
} wctx;

/* Writes the records at order[k0..k1) in one transaction. 0 if
 * committed (records that cannot make a person are marked failed, nothing
 * written for them); 1 if one failed in the store: rolled back, that record
 * marked failed, the others' outcomes cleared; -1 if the transaction itself
 * failed (reason in err). */
static int write_range(wctx *W, size_t k0, size_t k1, char *err, size_t errlen)
{
    if (store_begin(W->c) != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(W->c));
        return -1;
    }
    arena *wa = arena_new();
    size_t nmade = 0;
    for (size_t j0 = k0; j0 < k1; j0++) {
        size_t k = W->order[j0];
        size_t root = uf_find(W->parent, k);
        const decision *dk = &W->d[k];
        decision use = *dk;
        long long person = dk->person;
        if (!person && W->cluster_person[root]) {
            /* one person with other records of this batch */
            person = W->cluster_person[root];
            use.candidate = 0;
            use.score = dk->within ? dk->within_score : 0.0;
            use.evidence = dk->within ? dk->within_evidence : NULL;
        }
        long long made = 0;
        master_out *o = &W->out[W->todo[k]];
        int w = write_one(W->c, W->council, W->system, &W->in[W->todo[k]], &use, person, wa, o, &made);
        if (w == -2) {
            o->outcome = MASTER_FAILED;
            continue;
        }
        if (w != STORE_OK) {
            char why[sizeof o->msg];
            snprintf(why, sizeof why, "%s", store_errmsg(W->c));
            store_rollback(W->c);
            for (size_t m = 0; m < nmade; m++)
                W->cluster_person[W->made[m]] = 0;
            for (size_t j = k0; j < k1; j++)
                memset(&W->out[W->todo[W->order[j]]], 0, sizeof W->out[W->todo[W->order[j]]]);
            o->outcome = MASTER_FAILED;
            snprintf(o->msg, sizeof o->msg, "not written: %.180s", why);
            arena_free(wa);
            return 1;
        }
        if (made) {
            W->cluster_person[root] = made;
            W->made[nmade++] = root;
        }
    }
    arena_free(wa);
    if (store_commit(W->c) != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(W->c));
        store_rollback(W->c);
        for (size_t m = 0; m < nmade; m++)
            W->cluster_person[W->made[m]] = 0;
        return -1;
    }
    return 0;
}

/* The order records are written in: by the existing person each is linked
 * to, then those with none (as given). Written in that order, each batch's
 * new rows land together in the index of source records by person, not on
 * every page of it: a third of the writing's time. */
typedef struct {
    long long person;
    size_t k;
} wkey;

static int wkey_cmp(const void *x, const void *y)
{
    const wkey *a = x, *b = y;
    if (a->person != b->person)
        return a->person < b->person ? -1 : 1;
    return (a->k > b->k) - (a->k < b->k);
}

static size_t *write_order(const decision *d, size_t nt)
{
    wkey *w = xmalloc((nt + 1) * sizeof *w);
    for (size_t k = 0; k < nt; k++)
        w[k] = (wkey){d[k].person ? d[k].person : LLONG_MAX, k};
    qsort(w, nt, sizeof *w, wkey_cmp);
    size_t *order = xmalloc((nt + 1) * sizeof *order);
    for (size_t k = 0; k < nt; k++)
        order[k] = w[k].k;
    free(w);
    return order;
}

int master_link(store_conn *c, long long council, const source_catalogue *cat, const source_system *sys,
                const master_in *in, size_t n, int estimate, master_out *out, master_stats *st, char *err,
                size_t errlen)
{
    memset(st, 0, sizeof *st);
    memset(out, 0, n * sizeof *out);
    const match_schema *s = sources_schema();
    uint64_t t0 = time_mono_ns();
    arena *keep = arena_new();
    universe U = {.keep = keep, .cat = cat};
    size_t *todo = xmalloc((n + 1) * sizeof *todo), nt = 0;
    /* One read transaction: what was imported before, and (if anything is
     * left to link) everyone to compare with. */
    int lrc = store_begin_read(c);
    if (lrc == STORE_OK)
        lrc = load_seen(c, council, sys->name, &U);
    if (lrc == STORE_OK) {
        /* Which records to link: not imported before, not repeated in this batch. */
        for (size_t i = 0; i < n; i++) {
            const char *key = in[i].local_id;
            if (U.nseen && bsearch(&key, U.seen, U.nseen, sizeof *U.seen, str_cmp)) {
                out[i].outcome = MASTER_ALREADY;
                snprintf(out[i].msg, sizeof out[i].msg, "%s %s was imported before: left as it was", sys->name,
                         in[i].local_id);
                continue;
            }
            todo[nt++] = i;
        }
        nt = drop_repeats(in, out, todo, nt);
        if (nt > 0)
            lrc = load_people(c, council, &U);
    }
    if (lrc == STORE_OK)
        lrc = store_commit(c);
    else
        store_rollback(c);
    if (lrc != STORE_OK) {
        snprintf(err, errlen, "reading people: %s", store_errmsg(c));
        free(todo);
        universe_free(&U);
        arena_free(keep);
        return -1;
    }
    st->universe = U.n;

    match_record *ra = xmalloc((U.n + 1) * sizeof *ra), *rb = xmalloc((nt + 1) * sizeof *rb);
    for (size_t i = 0; i < U.n; i++) {
        ra[i].id = NULL;
        for (int f = 0; f < SRC_NFIELDS; f++)
            ra[i].v[f] = U.u[i].v[f];
    }
    for (size_t k = 0; k < nt; k++) {
        const master_in *r = &in[todo[k]];
        rb[k].id = r->local_id;
        for (int f = 0; f < SRC_NFIELDS; f++)
            rb[k].v[f] = norm_dup(keep, f, r->raw[f]);
    }
    st->load_s = (double)(time_mono_ns() - t0) / 1e9;
    t0 = time_mono_ns();

    /* The model: this batch's, or the one kept from a larger batch. */
    match_options o;
    match_options_init(&o);
    match_model kept_model;
    int have_kept = 0;
    long long kept_records = 0;
    {
        arena *ma = arena_new();
        record mr;
        if (store_find(c, council, &match_model_def, "name", "people", ma, &mr) == STORE_OK &&
            model_parse(s, rec_str(&mr, "model"), &kept_model) == 0) {
            have_kept = 1;
            kept_records = rec_int(&mr, "records");
        }
        arena_free(ma);
        /* A kept model serves a smaller batch (or any, when told not to
         * estimate) if it came from at least as many records or enough. */
        if (have_kept && (!estimate || nt < MIN_ESTIMATE) &&
            (kept_records >= (long long)nt || kept_records >= MIN_ESTIMATE))
            o.model = &kept_model;
    }
    match_result lr = {0}, dr = {0};
    decision *d = xmalloc((nt + 1) * sizeof *d);
    memset(d, 0, (nt + 1) * sizeof *d);
    size_t *parent = xmalloc((nt + 1) * sizeof *parent);
    long long *cluster_person = xmalloc((nt + 1) * sizeof *cluster_person); /* by root: its person */
    for (size_t k = 0; k < nt; k++)
        parent[k] = k, cluster_person[k] = 0;
    if (nt > 0) {
        o.best_only = 1; /* one decision per record: its best existing person */
        if (U.n > 0 && match_link(s, ra, U.n, rb, nt, &o, &lr) != 0) {
            snprintf(err, errlen, "too many records to link");
            goto fail;
        }
        /* Without a kept model, the batch against everyone is the model. */
        if (!o.model && U.n > 0)
            o.model = &lr.model;
        st->candidates = lr.candidates;
        st->link_s = (double)(time_mono_ns() - t0) / 1e9;
    }
    /* Best existing person for each record (pairs come best first). */
    for (size_t k = 0; k < lr.npairs; k++) {
        const match_pair *p = &lr.pair[k];
        decision *x = &d[p->b];
        if (x->person || x->candidate)
            continue;
        if (p->cls == MATCH_LINK)
            x->person = U.u[p->a].id;
        else
            x->candidate = U.u[p->a].id;
        x->score = p->score;
        x->evidence = evidence_json(keep, s, p->ev);
    }
    for (size_t k = 0; k < nt; k++)
        cluster_person[k] = d[k].person;
    /* The records no existing person took, compared among themselves: the
     * same new person sent twice is one person. (Those linked already are
     * together through their person.) */
    size_t *sub = xmalloc((nt + 1) * sizeof *sub), ns = 0;
    for (size_t k = 0; k < nt; k++)
        if (!d[k].person)
            sub[ns++] = k;
    match_record *rs = xmalloc((ns + 1) * sizeof *rs);
    for (size_t j = 0; j < ns; j++)
        rs[j] = rb[sub[j]];
    o.best_only = 0;
    if (ns > 1 && match_dedupe(s, rs, ns, &o, &dr) != 0) {
        free(sub);
        free(rs);
        snprintf(err, errlen, "too many records to link");
        goto fail;
    }
    free(rs);
    st->candidates += dr.candidates;
    for (size_t k = 0; k < dr.npairs; k++) { /* back to batch indexes */
        dr.pair[k].a = sub[dr.pair[k].a];
        dr.pair[k].b = sub[dr.pair[k].b];
    }
    free(sub);
    /* Records of the batch that are one person: one cluster each (the
     * person of a record linked to an existing one is the cluster's). */
    for (size_t k = 0; k < dr.npairs; k++) {
        const match_pair *p = &dr.pair[k];
        if (p->cls != MATCH_LINK)
            continue;
        size_t x = uf_find(parent, p->a), y = uf_find(parent, p->b);
        if (x == y)
            continue;
        /* two existing people are never joined through the batch */
        if (cluster_person[x] && cluster_person[y] && cluster_person[x] != cluster_person[y])
            continue;
        long long joined = cluster_person[x] ? cluster_person[x] : cluster_person[y];
        if (x < y)
            parent[y] = x, cluster_person[x] = joined;
        else
            parent[x] = y, cluster_person[y] = joined;
        /* a record with no person of its own keeps this pair as its evidence */
        size_t ends[2] = {p->a, p->b};
        for (int e = 0; e < 2; e++) {
            decision *de = &d[ends[e]];
            if (!de->person && !de->within) {
                de->within = (long long)ends[1 - e] + 1;
                de->within_score = p->score;
                de->within_evidence = evidence_json(keep, s, p->ev);
            }
        }
    }
    st->match_s = (double)(time_mono_ns() - t0) / 1e9;
    t0 = time_mono_ns();

    /* Write, a batch per transaction; if a record fails, the batch is
     * rolled back and written a record per transaction, so that the others
     * are not lost and no record is ever half written. */
    size_t *order = write_order(d, nt);
    wctx W = {.c = c, .council = council, .system = sys->name, .in = in, .todo = todo, .order = order, .d = d,
              .parent = parent, .cluster_person = cluster_person, .out = out, .made = xmalloc((BATCH + 1) * sizeof(size_t))};
    int rc = 0;
    for (size_t b0 = 0; b0 < nt && rc == 0; b0 += BATCH) {
        size_t b1 = b0 + BATCH < nt ? b0 + BATCH : nt;
        int r = write_range(&W, b0, b1, err, errlen);
        for (size_t k = b0; r == 1 && k < b1; k++)
            if (write_range(&W, k, k + 1, err, errlen) < 0) /* 1: that record alone failed, said in out */
                r = -1;
        if (r < 0)
            rc = -1;
    }
    free(W.made);
    free(order);
    /* Keep the model of the largest batch yet, for smaller ones. */
    if (rc == 0 && o.model == &lr.model && U.n > 0 && (!have_kept || (long long)nt >= kept_records)) {
        arena *ma = arena_new();
        if (store_begin(c) == STORE_OK) {
            if (model_save(c, council, s, &lr.model, nt, ma) == STORE_OK)
                store_commit(c);
            else
                store_rollback(c);
        }
        arena_free(ma);
    }
    st->write_s = (double)(time_mono_ns() - t0) / 1e9;
    for (size_t i = 0; i < n; i++) {
        switch (out[i].outcome) {
        case MASTER_LINKED: st->linked++; break;
        case MASTER_NEW: st->created++; break;
        case MASTER_REVIEW: st->review++; break;
        case MASTER_ALREADY: st->already++; break;
        case MASTER_FAILED: st->failed++; break;
        }
    }
    free(cluster_person);
    match_result_free(&lr);
    match_result_free(&dr);
    free(d);
    free(parent);
    free(ra);
    free(rb);
    free(todo);
    universe_free(&U);
    arena_free(keep);
    return rc;
fail:
    free(cluster_person);
    match_result_free(&lr);
    match_result_free(&dr);
    free(d);
    free(parent);
    free(ra);
    free(rb);
    free(todo);
    universe_free(&U);
    arena_free(keep);
    return -1;
}

/* ------------------------------------------------------------------ */
/* frontdoor import                                                     */

static const char *usage_import =
    "usage: frontdoor import SYSTEM FILE.csv [options]\n"
    "Loads the records of one departmental system from a CSV file (RFC 4180, a header\n"
    "line naming the columns) and links each to a person: an existing one (linked),\n"
    "or a new one (new), with a match to review when the best candidate is close\n"
    "but not sure. SYSTEM's columns are mapped in catalogue/sources.txt.\n"
    "A malformed line is reported as FILE:LINE: reason on stderr and skipped; the\n"
    "rest is imported. Running the same file again resumes: records already\n"
    "imported (same system and id) are left as they are.\n"
    "Exit status: 0 all imported, 1 some lines skipped, 2 usage or unusable file.\n\n"
    "  --db FILE         SQLite database file (default frontdoor.db)\n"
    "  --pg URL          PostgreSQL instead\n"
    "  --council ID      the council (default 1)\n"
    "  --catalogue DIR   where sources.txt is (default catalogue)\n";

static int ibad(const char *msg, const char *arg)
{
    fprintf(stderr, "frontdoor import: %s%s%s (see 'frontdoor import --help')\n", msg, arg ? ": " : "",
            arg ? arg : "");
    return 2;
}

/* The length of the UTF-8 character at p (1 to 4), or 0 if there is none
 * there (a stray byte, an overlong form, a surrogate, past U+10FFFF). */
static size_t utf8_char(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* Appends s to b as a JSON string, escaped as jansson writes it (", \ and
 * control characters; other text as it is). 0, or -1 if s is not UTF-8.
 * By hand: jansson's objects were most of the time reading a file took. */
static int json_put_string(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_append(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        buf_append(b, run, (size_t)(p - run));
        if (!*p)
            break;
        if (*p >= 0x80) {
            size_t l = utf8_char(p);
            if (!l)
                return -1;
            buf_append(b, p, l);
            p += l;
            continue;
        }
        char e[6] = {'\\', 0};
        size_t el = 2;
        switch (*p) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[*p >> 4], e[5] = hex[*p & 15];
            el = 6;
        }
        buf_append(b, e, el);
        p++;
    }
    buf_append(b, "\"", 1);
    return 0;
}

int master_cmd_import(int argc, char **argv)
{
    const char *db = NULL, *pg = NULL, *dir = "catalogue", *pos[2] = {NULL, NULL};
    long long council = 1;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
            fputs(usage_import, stdout);
            return 0;
        }
        if (!strcmp(f, "--db") || !strcmp(f, "--pg") || !strcmp(f, "--council") || !strcmp(f, "--catalogue")) {
            if (i + 1 >= argc)
                return ibad("option needs a value", f);
            const char *v = argv[++i];
            if (!strcmp(f, "--db"))
                db = v;
            else if (!strcmp(f, "--pg"))
                pg = v;
            else if (!strcmp(f, "--catalogue"))
                dir = v;
            else {
                char *end;
                errno = 0;
                council = strtoll(v, &end, 10);
                if (!*v || *end || errno || council < 1)
                    return ibad("--council must be a council's id, not", v);
            }
        } else if (f[0] == '-' && f[1]) {
            return ibad("unknown option", f);
        } else if (npos < 2) {
            pos[npos++] = f;
        } else {
            return ibad("one system and one file only, got another", f);
        }
    }
    if (npos < 2)
        return ibad("give the system and the CSV file", NULL);
    if (db && pg)
        return ibad("give --db or --pg, not both", NULL);
    char err[600];
    source_catalogue *cat;
    if (master_sources_read(dir, &cat, err, sizeof err) != 0) {
        fprintf(stderr, "frontdoor import: %s\n", err);
        return 2;
    }
    const source_system *sys = sources_find(cat, pos[0]);
    if (!sys) {
        fprintf(stderr, "frontdoor import: no system '%s' in %s/sources.txt\n", pos[0], dir);
        free(cat);
        return 2;
    }
    const char *path = pos[1];
    size_t len = 0;
    char *text = file_read(path, (size_t)1 << 31, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "frontdoor import: %s\n", err);
        free(cat);
        return 2;
    }
    uint64_t t0 = time_mono_ns();
    csv_reader r;
    csv_row row;
    csv_init(&r, text, len);
    csv_status cs = csv_next(&r, &row);
    if (cs != CSV_RECORD) {
        fprintf(stderr, "frontdoor import: %s:%zu: %s\n", path, cs == CSV_BAD ? row.line : (size_t)1,
                cs == CSV_BAD ? row.msg : "empty file: expected a header line");
        csv_free(&r);
        free(text);
        free(cat);
        return 2;
    }
    int ncols = row.nfields, idcol = -1, col[SRC_NFIELDS];
    arena *a = arena_new();
    const char **names = arena_alloc(a, (size_t)ncols * sizeof *names);
    for (int i = 0; i < ncols; i++)
        names[i] = arena_strdup(a, row.field[i]);
    for (int f = -1; f < SRC_NFIELDS; f++) {
        const char *want = f < 0 ? sys->id_col : sys->col[f];
        int at = -1;
        for (int i = 0; i < ncols && want[0]; i++)
            if (!strcmp(names[i], want))
                at = i;
        if (want[0] && at < 0) {
            fprintf(stderr, "frontdoor import: %s:1: the header has no column '%s' (sources.txt maps %s to it)\n",
                    path, want, f < 0 ? "id" : src_field_names[f]);
            arena_free(a);
            csv_free(&r);
            free(text);
            free(cat);
            return 2;
        }
        if (f < 0)
            idcol = at;
        else
            col[f] = at;
    }
    size_t cap = 1024, n = 0, skipped = 0;
    master_in *in = xmalloc(cap * sizeof *in);
    buf js;
    buf_init(&js, (size_t)1 << 30);
    while ((cs = csv_next(&r, &row)) != CSV_END) {
        if (cs == CSV_BAD) {
            fprintf(stderr, "%s:%zu: %s (line skipped)\n", path, row.line, row.msg);
            skipped++;
            continue;
        }
        const char *lid = row.nfields == ncols ? row.field[idcol] : NULL;
        if (row.nfields != ncols) {
            fprintf(stderr, "%s:%zu: expected %d fields, found %d (line skipped)\n", path, row.line, ncols,
                    row.nfields);
            skipped++;
            continue;
        }
        if (!lid[0] || strlen(lid) > 64) {
            fprintf(stderr, "%s:%zu: the id column '%s' must hold 1 to 64 characters (line skipped)\n", path,
                    row.line, sys->id_col);
            skipped++;
            continue;
        }
        if (n == cap) {
            cap *= 2;
            in = xrealloc(in, cap * sizeof *in);
        }
        master_in *m = &in[n++];
        memset(m, 0, sizeof *m);
        m->local_id = arena_strdup(a, lid);
        for (int f = 0; f < SRC_NFIELDS; f++)
            m->raw[f] = col[f] >= 0 && row.field[col[f]][0] ? arena_strdup(a, row.field[col[f]]) : NULL;
        /* The line as JSON, {"column":"value",...} in the header's order. */
        buf_reset(&js);
        int utf8 = 1;
        for (int i = 0; i < ncols && utf8; i++) {
            buf_append(&js, i ? "," : "{", 1);
            utf8 = json_put_string(&js, names[i]) == 0;
            buf_append(&js, ":", 1);
            utf8 = utf8 && json_put_string(&js, row.field[i]) == 0;
        }
        buf_append(&js, "}", 1);
        if (!utf8) {
            fprintf(stderr, "%s:%zu: not UTF-8 text (line skipped)\n", path, row.line);
            skipped++;
            n--;
            continue;
        }
        m->fields_json = arena_strndup(a, buf_str(&js), js.len);
        m->origin = arena_printf(a, "%.280s:%zu", path, row.line);
    }
    buf_free(&js);
    csv_free(&r);
    free(text);
    double read_s = (double)(time_mono_ns() - t0) / 1e9;

    store *s = store_open(pg ? NULL : (db ? db : "frontdoor.db"), pg, err, sizeof err);
    store_conn *c = s ? store_conn_get(s, err, sizeof err) : NULL;
    int applied = 0;
    if (!c || store_migrate(c, &applied) != STORE_OK) {
        fprintf(stderr, "frontdoor import: %s\n", c ? store_errmsg(c) : err);
        if (s)
            store_close(s);
        free(in);
        arena_free(a);
        free(cat);
        return 2;
    }
    /* This connection is the import's own: a commit may be lost if the
     * machine (not the process) dies before the file syncs, which costs a
     * rerun (resume), never a half-written record. */
    store_relax_durability(c);
    store_bulk_begin(c);
    master_out *out = xmalloc((n + 1) * sizeof *out);
    master_stats st;
    int rc = master_link(c, council, cat, sys, in, n, 1, out, &st, err, sizeof err);
    uint64_t t1 = time_mono_ns();
    store_bulk_end(c); /* waits for the last batch to be copied into the database */
    st.write_s += (double)(time_mono_ns() - t1) / 1e9;
    for (size_t i = 0; i < n; i++)
        if (out[i].outcome == MASTER_FAILED) {
            fprintf(stderr, "%s: %s (line skipped)\n", in[i].origin, out[i].msg);
            skipped++;
        }
    if (rc != 0)
        fprintf(stderr, "frontdoor import: stopped: %s (run it again to resume)\n", err);
    printf("import %s %s: %zu records: %zu linked, %zu new, %zu for review, %zu already imported, %zu lines skipped; "
           "%zu people compared, %zu candidate pairs; %.1f s (read %.1f, load %.1f, match %.1f of which %.1f against "
           "everyone, write %.1f)\n",
           sys->name, path, n, st.linked, st.created, st.review, st.already, skipped, st.universe, st.candidates,
           read_s + st.load_s + st.match_s + st.write_s, read_s, st.load_s, st.match_s, st.link_s, st.write_s);
    if (skipped)
        printf("%zu lines were skipped: see the messages above\n", skipped);
    free(out);
    free(in);
    arena_free(a);
    free(cat);
    store_close(s);
    return rc != 0 ? 1 : skipped ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Merge and unmerge                                                    */

static const entity_def *entity_by_table(const char *table)
{
    for (const entity_def *const *d = fd_entities; *d; d++)
        if (!strcmp((*d)->table, table))
            return *d;
    return NULL;
}

int master_merge(store_conn *c, long long council, long long kept, long long merged, long long by, arena *a,
                 long long *merge_id)
{
    record pk, pm;
    int rc = store_get(c, council, &person_def, kept, a, &pk);
    if (rc == STORE_OK)
        rc = store_get(c, council, &person_def, merged, a, &pm);
    if (rc != STORE_OK)
        return rc;
    if (kept == merged || rec_int(&pk, "merged_into") || rec_int(&pm, "merged_into"))
        return STORE_CONFLICT;
    json_t *moved = json_array();
    for (const entity_def *const *d = fd_entities; *d && rc == STORE_OK; d++) {
        int fi = entity_field(*d, "person_id");
        if (fi < 0 || (*d)->fields[fi].type != FT_REF)
            continue;
        for (;;) { /* rows leave the list as they move: always the first page */
            record *rows;
            int n = 0;
            rc = store_list(c, council, *d, "person_id", merged, 0, PAGE, a, &rows, &n);
            if (rc != STORE_OK || n == 0)
                break;
            for (int i = 0; i < n && rc == STORE_OK; i++) {
                long long v = rows[i].version;
                rec_set_int(&rows[i], "person_id", kept);
                rc = store_update(c, council, &rows[i], v);
                json_array_append_new(moved, json_pack("{s:s, s:I}", "table", (*d)->table, "id",
                                                       (json_int_t)rows[i].id));
            }
        }
    }
    if (rc == STORE_OK) {
        long long v = pm.version;
        rec_set_int(&pm, "merged_into", kept);
        rc = store_update(c, council, &pm, v);
    }
    if (rc == STORE_OK) {
        char *txt = json_dumps(moved, JSON_COMPACT);
        record m;
        record_init(&m, &person_merge_def);
        rec_set_int(&m, "kept_id", kept);
        rec_set_int(&m, "merged_id", merged);
        rec_set_str(&m, "moved", arena_strdup(a, txt));
        rec_set_int(&m, "merged_by", by);
        free(txt);
        rc = store_insert(c, council, &m);
        *merge_id = m.id;
    }
    json_decref(moved);
    return rc;
}

int master_unmerge(store_conn *c, long long council, long long id, long long by, arena *a, long long *kept,
                   long long *merged)
{
    record m;
    int rc = store_get(c, council, &person_merge_def, id, a, &m);
    if (rc != STORE_OK)
        return rc;
    if (rec_str(&m, "reversed_at"))
        return STORE_CONFLICT;
    *kept = rec_int(&m, "kept_id");
    *merged = rec_int(&m, "merged_id");
    json_t *moved = json_loads(rec_str(&m, "moved"), 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(moved, i, e)
    {
        const entity_def *d = entity_by_table(json_string_value(json_object_get(e, "table")));
        if (!d)
            continue;
        record r;
        int g = store_get(c, council, d, (long long)json_integer_value(json_object_get(e, "id")), a, &r);
        if (g == STORE_NOTFOUND)
            continue; /* gone since (retention): nothing to restore */
        if (g != STORE_OK) {
            rc = g;
            break;
        }
        if (rec_int(&r, "person_id") != *kept)
            continue; /* moved on since by someone else: theirs stands */
        long long v = r.version;
        rec_set_int(&r, "person_id", *merged);
        if ((rc = store_update(c, council, &r, v)) != STORE_OK)
            break;
    }
    json_decref(moved);
    record pm;
    if (rc == STORE_OK)
        rc = store_get(c, council, &person_def, *merged, a, &pm);
    if (rc == STORE_OK) {
        long long v = pm.version;
        int fi = entity_field(&person_def, "merged_into");
        pm.v[fi].set = 1;
        pm.v[fi].null = 1;
        rc = store_update(c, council, &pm, v);
    }
    /* A match accepted with this merge is open again. */
    record *rows = NULL;
    int n = 0;
    if (rc == STORE_OK)
        rc = store_list(c, council, &source_match_def, "merge_id", id, 0, PAGE, a, &rows, &n);
    for (int k = 0; k < n && rc == STORE_OK; k++) {
        long long v = rows[k].version;
        rec_set_str(&rows[k], "status", "open");
        int fi = entity_field(&source_match_def, "decided_at");
        rows[k].v[fi].null = 1;
        fi = entity_field(&source_match_def, "decided_by");
        rows[k].v[fi].null = 1;
        fi = entity_field(&source_match_def, "merge_id");
        rows[k].v[fi].null = 1;
        rc = store_update(c, council, &rows[k], v);
        record s;
        if (rc == STORE_OK)
            rc = store_get(c, council, &source_record_def, rec_int(&rows[k], "source_record_id"), a, &s);
        if (rc == STORE_OK) {
            long long sv = s.version;
            rec_set_str(&s, "status", "review");
            rc = store_update(c, council, &s, sv);
        }
    }
    if (rc == STORE_OK) {
        long long v = m.version;
        char now[21];
        time_now_iso(now);
        rec_set_str(&m, "reversed_at", arena_strdup(a, now));
        rec_set_int(&m, "reversed_by", by);
        rc = store_update(c, council, &m, v);
    }
    return rc;
}
