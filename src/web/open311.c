/* open311.c: Open311 GeoReport v2 (see open311.h and /work/shared/open311.md). */
#include "web/open311.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/access.h"
#include "core/entities.h"
#include "jobs/outbox.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/auth.h"
#include "web/routes.h"

enum {
    MAX_SERVICES = 256,
    MAX_ANSWERED = 1000,       /* most requests or updates in one answer */
    WINDOW_MAX = 90 * 86400,   /* the longest start_date..end_date */
    UPDATES_DEFAULT = 86400,   /* servicerequestupdates without dates: the last day */
    MAX_IDS = 1000,
    FILE_MAX = 64 * 1024
};

#define SPEC_URL "http://wiki.open311.org/GeoReport_v2"

typedef struct {
    const service *s;
    int batch;       /* POST answers with a token */
    char *group;     /* underscores already spaces */
    char *keywords;
} o311_service;

static struct {
    o311_service items[MAX_SERVICES];
    int n;
    char *jurisdiction;
    char changeset[21]; /* when the service list was read */
} O;

/* ---- configuration ---- */

/* The next whitespace-separated word of *s (NUL-terminated in place), or NULL. */
static char *word(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return NULL;
    char *w = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return w;
}

int open311_configure(const catalogue *cat, const char *path, const char *jurisdiction, char *err, size_t errlen)
{
    open311_free();
    time_now_iso(O.changeset);
    O.jurisdiction = jurisdiction && *jurisdiction ? xstrdup(jurisdiction) : NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) {
            log_warn("open311: %s not found; no services are offered to Open311 clients", path);
            return 0;
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line;
        char *slug = word(&s);
        if (!slug || slug[0] == '#')
            continue;
        char *type = word(&s), *group = word(&s), *keywords = word(&s);
        const char *why = NULL;
        const service *sv = catalogue_find(cat, slug);
        if (!type || !group || !keywords || word(&s))
            why = "expected four words: SERVICE TYPE GROUP KEYWORDS";
        else if (!sv)
            why = "no service in services.txt has this id";
        else if (strcmp(sv->kind, "request"))
            why = "is something to enrol in, not a request";
        else if (strcmp(type, "realtime") && strcmp(type, "batch"))
            why = "TYPE must be realtime or batch";
        else if (O.n == MAX_SERVICES)
            why = "too many services";
        for (int i = 0; !why && i < O.n; i++)
            if (O.items[i].s == sv)
                why = "this service is listed twice";
        if (why) {
            snprintf(err, errlen, "%s:%d: %s: %s", path, ln, slug, why);
            fclose(f);
            open311_free();
            return -1;
        }
        o311_service *o = &O.items[O.n++];
        o->s = sv;
        o->batch = !strcmp(type, "batch");
        o->group = xstrdup(group);
        for (char *c = o->group; *c; c++)
            if (*c == '_')
                *c = ' ';
        o->keywords = xstrdup(strcmp(keywords, "-") ? keywords : "");
    }
    fclose(f);
    return 0;
}

void open311_free(void)
{
    for (int i = 0; i < O.n; i++) {
        free(O.items[i].group);
        free(O.items[i].keywords);
    }
    free(O.jurisdiction);
    O.jurisdiction = NULL;
    O.n = 0;
}

static const o311_service *find_service(const char *slug)
{
    for (int i = 0; slug && i < O.n; i++)
        if (!strcmp(O.items[i].s->slug, slug))
            return &O.items[i];
    return NULL;
}

/* ---- writing: Spark JSON, or the XML it stands for ---- */

static int wants_json(const req *q)
{
    size_t n = strlen(q->path);
    return n >= 5 && !strcmp(q->path + n - 5, ".json");
}

/* The element each member of a container is called. */
static const char *member_name(const char *container)
{
    static const char *const names[][2] = {
        {"services", "service"},   {"service_requests", "request"}, {"attributes", "attribute"},
        {"values", "value"},       {"endpoints", "endpoint"},       {"formats", "format"},
        {"errors", "error"},       {"service_request_updates", "request_update"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i][0], container))
            return names[i][1];
    return "item";
}

/* Text escaped for XML; characters XML 1.0 cannot hold are dropped. */
static void xml_text(buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            buf_puts(b, "&amp;");
        else if (c == '<')
            buf_puts(b, "&lt;");
        else if (c == '>')
            buf_puts(b, "&gt;");
        else if (c == '"')
            buf_puts(b, "&quot;");
        else if (c == '\'')
            buf_puts(b, "&apos;");
        else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
            buf_append(b, s, 1);
    }
}

static void xml_value(buf *b, const char *name, json_t *v)
{
    if (json_is_null(v) || !v) {
        buf_printf(b, "<%s/>", name);
        return;
    }
    buf_printf(b, "<%s>", name);
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach(v, k, m) xml_value(b, k, m);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) xml_value(b, member_name(name), m);
    } else if (json_is_string(v)) {
        xml_text(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        buf_printf(b, "%.10g", json_real_value(v));
    } else {
        buf_puts(b, json_is_true(v) ? "true" : "false");
    }
    buf_printf(b, "</%s>", name);
}

/* Answers status with v (stolen): as JSON, or as XML under root. */
static int answer(req *q, resp *p, int status, const char *root, json_t *v)
{
    p->status = status;
    buf_reset(&p->body);
    if (wants_json(q)) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        buf_puts(&p->body, s ? s : "null");
        free(s);
        p->content_type = "application/json; charset=utf-8";
    } else {
        buf_puts(&p->body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        xml_value(&p->body, root, v);
        p->content_type = "text/xml; charset=utf-8";
    }
    json_decref(v);
    return 0;
}

/* The Open311 status for any HTTP error: 404 and 403 stand, the rest are 400. */
static int o311_status(int status)
{
    return status == 404 || status == 403 ? status : 400;
}

/* Answers an errors body: one error per description. */
static int fail_many(req *q, resp *p, int status, const char *const *desc, int n)
{
    status = o311_status(status);
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:i, s:s}", "code", status, "description", desc[i]));
    return answer(q, p, status, "errors", list);
}

static int fail(req *q, resp *p, int status, const char *desc)
{
    return fail_many(q, p, status, &desc, 1);
}

/* Our field names, as an Open311 client knows them. */
static const char *o311_field(req *q, const char *f)
{
    static const char *const names[][2] = {
        {"latitude", "lat"},         {"longitude", "long"},  {"address", "address_string"}, {"uprn", "address_id"},
        {"contact_email", "email"},  {"contact_phone", "phone"}, {"contact_name", "first_name"},
        {"service", "service_code"}, {"status", "status"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i][0], f))
            return names[i][1];
    if (!strncmp(f, "answers.", 8))
        return arena_printf(q->a, "attribute[%s]", f + 8);
    return f;
}

void open311_finish(req *q, resp *p)
{
    if (strncmp(q->path, "/open311/", 9) || p->status < 400 || !p->content_type ||
        strcmp(p->content_type, "application/problem+json"))
        return;
    json_t *pj = json_loads(buf_str(&p->body), 0, NULL);
    const char *desc[ERR_MAX + 1];
    int n = 0;
    json_t *errs = json_object_get(pj, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        if (n == ERR_MAX)
            break;
        const char *f = json_string_value(json_object_get(e, "field"));
        const char *m = json_string_value(json_object_get(e, "message"));
        desc[n++] = arena_printf(q->a, "%s: %s", f ? o311_field(q, f) : "request", m ? m : "is not valid");
    }
    if (!n) {
        const char *t = json_string_value(json_object_get(pj, "title")), *d = json_string_value(json_object_get(pj, "detail"));
        desc[n++] = arena_printf(q->a, "%s%s%s", t ? t : http_reason(p->status), d ? ": " : "", d ? d : "");
    }
    int status = p->status;
    fail_many(q, p, status, desc, n);
    json_decref(pj);
    /* 405's Allow stays; nothing else the refusal set applies to the new body. */
}

/* ---- checks every method makes ---- */

/* jurisdiction_id: ignored unless this server was given one; then any
 * other value is 404. 0 if fine. */
static int jurisdiction_or_fail(req *q, resp *p, const char *given)
{
    if (!O.jurisdiction || !given || !*given || !strcmp(given, O.jurisdiction))
        return 0;
    fail(q, p, 404, arena_printf(q->a, "jurisdiction_id %s is not served here (this is %s)", given, O.jurisdiction));
    return -1;
}

/* The api_key: an API token with the open311 scope, not revoked. Acts as
 * that token from here on (its council; the contact log names it). 0 if
 * good, else 403 answered. */
static int key_or_fail(req *q, resp *p, const char *key, const char *what)
{
    const char *why = arena_printf(q->a, "Invalid api_key received -- can't proceed with %s", what);
    if (!key || !*key) {
        fail(q, p, 403, arena_printf(q->a, "api_key was not given -- can't proceed with %s", what));
        return -1;
    }
    char *end;
    long long council = strtoll(key, &end, 10);
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    if (!c) {
        fail(q, p, 400, "The database cannot be reached; try again later");
        return -1;
    }
    char hash[65];
    auth_token_hash(key, hash);
    record t;
    const char *sc;
    int ok = council > 0 && *end == '.' && store_find(c, council, &api_token_def, "token_hash", hash, q->a, &t) == STORE_OK &&
             !rec_int(&t, "revoked") && (sc = rec_str(&t, "scopes")) != NULL;
    if (ok) {
        ok = 0;
        for (const char *s = sc; (s = strstr(s, "open311")) != NULL; s += 7)
            if ((s == sc || s[-1] == ' ') && (s[7] == '\0' || s[7] == ' '))
                ok = 1;
    }
    if (!ok) {
        fail(q, p, 403, why);
        return -1;
    }
    q->council = council;
    q->who.kind = AUTH_TOKEN;
    q->who.id = t.id;
    q->who.role = role_from_name(rec_str(&t, "role"));
    q->who.department = rec_str(&t, "department");
    q->who.categories = 0;
    q->who.scopes = sc;
    return 0;
}

/* Seconds since the epoch for a W3C datetime with its zone, exactly
 * YYYY-MM-DDTHH:MM:SS(Z|+HH:MM|-HH:MM); -1 if it is not one. */
static long long w3c_time(const char *s)
{
    size_t n = strlen(s);
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    if (n != 20 && n != 25)
        return -1;
    for (size_t i = 0; i < 19; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return -1;
    long long off = 0;
    if (n == 20) {
        if (s[19] != 'Z')
            return -1;
    } else {
        if ((s[19] != '+' && s[19] != '-') || !isdigit((unsigned char)s[20]) || !isdigit((unsigned char)s[21]) ||
            s[22] != ':' || !isdigit((unsigned char)s[23]) || !isdigit((unsigned char)s[24]))
            return -1;
        off = ((s[20] - '0') * 10 + (s[21] - '0')) * 3600 + ((s[23] - '0') * 10 + (s[24] - '0')) * 60;
        if (s[19] == '-')
            off = -off;
    }
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    int hh = (s[11] - '0') * 10 + (s[12] - '0'), mm = (s[14] - '0') * 10 + (s[15] - '0'),
        ss = (s[17] - '0') * 10 + (s[18] - '0');
    if (!time_valid_date(date) || hh > 23 || mm > 59 || ss > 59)
        return -1;
    char iso[21];
    memcpy(iso, s, 19);
    iso[19] = 'Z';
    iso[20] = '\0';
    long long t = time_parse_iso(iso);
    return t < 0 ? -1 : t - off;
}

/* start_date and end_date into [from, to) as our ISO times. Missing ones
 * default to the `dflt` seconds before end (or now), or after start. 0, or
 * -1 having answered 400. */
static int window_or_fail(req *q, resp *p, const char *sd, const char *ed, long long dflt, char from[21], char to[21])
{
    long long now = (long long)time(NULL), s = -1, e = -1;
    const char *bad[2];
    int nb = 0;
    if (sd && *sd && (s = w3c_time(sd)) < 0)
        bad[nb++] = "start_date: must be a W3C datetime with its zone, e.g. 2026-11-01T00:00:00Z";
    if (ed && *ed && (e = w3c_time(ed)) < 0)
        bad[nb++] = "end_date: must be a W3C datetime with its zone, e.g. 2026-11-30T23:59:59Z";
    if (nb) {
        fail_many(q, p, 400, bad, nb);
        return -1;
    }
    if (e < 0)
        e = s >= 0 ? s + dflt : now;
    if (s < 0)
        s = e - dflt;
    if (e < s) {
        fail(q, p, 400, "end_date: may not be before start_date");
        return -1;
    }
    if (e - s > WINDOW_MAX) {
        fail(q, p, 400, "start_date and end_date may be at most 90 days apart");
        return -1;
    }
    time_iso_from(s, from);
    time_iso_from(e + 1, to); /* end_date is inclusive, to the second */
    return 0;
}

/* ---- how a request looks to Open311 ---- */

static int is_open(const char *status)
{
    return !strcmp(status, "received") || !strcmp(status, "in_progress") || !strcmp(status, "waiting");
}

/* A text field, or null. */
static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *number_or_null(const char *s)
{
    return s && *s ? json_real(strtod(s, NULL)) : json_null();
}

static json_t *request_o311(req *q, const record *r)
{
    const char *st = rec_str(r, "status"), *pd = rec_str(r, "promised_date");
    const service *s = catalogue_find(q->cat, rec_str(r, "service"));
    json_t *o = json_object();
    json_object_set_new(o, "service_request_id", json_string(arena_printf(q->a, "%lld", r->id)));
    json_object_set_new(o, "status", json_string(is_open(st) ? "open" : "closed"));
    json_object_set_new(o, "status_notes", str_or_null(rec_str(r, "status_reason")));
    json_object_set_new(o, "service_name", s ? json_string(s->name) : json_null());
    json_object_set_new(o, "service_code", json_string(rec_str(r, "service")));
    json_object_set_new(o, "description", str_or_null(rec_str(r, "description")));
    json_object_set_new(o, "agency_responsible", str_or_null(rec_str(r, "team")));
    json_object_set_new(o, "service_notice", json_null());
    json_object_set_new(o, "requested_datetime", json_string(r->created_at));
    json_object_set_new(o, "updated_datetime", json_string(r->updated_at));
    json_object_set_new(o, "expected_datetime", pd ? json_string(arena_printf(q->a, "%sT23:59:59Z", pd)) : json_null());
    json_object_set_new(o, "address", str_or_null(rec_str(r, "address")));
    json_object_set_new(o, "address_id", str_or_null(rec_str(r, "uprn")));
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(o, "lat", number_or_null(rec_str(r, "latitude")));
    json_object_set_new(o, "long", number_or_null(rec_str(r, "longitude")));
    json_object_set_new(o, "media_url", str_or_null(rec_str(r, "media_url")));
    return o;
}

/* FixMyStreet's lower-case extended status for ours. */
static const char *fms_status(const char *st)
{
    static const char *const m[][2] = {{"received", "open"},
                                       {"in_progress", "in_progress"},
                                       {"waiting", "action_scheduled"},
                                       {"resolved", "fixed"},
                                       {"closed", "closed"}};
    for (size_t i = 0; st && i < sizeof m / sizeof m[0]; i++)
        if (!strcmp(m[i][0], st))
            return m[i][1];
    return "open";
}

/* ---- discovery, services, definitions ---- */

static const char *base_url(req *q)
{
    const char *host = req_header(q, "Host"), *proto = req_header(q, "X-Forwarded-Proto");
    return arena_printf(q->a, "%s://%s/open311/v2", proto && !strcmp(proto, "https") ? "https" : "http",
                        host ? host : "localhost");
}

int open311_discovery(req *q, resp *p)
{
    if (jurisdiction_or_fail(q, p, req_query(q, "jurisdiction_id")) != 0)
        return 0;
    json_t *d = json_object(), *eps = json_array();
    json_object_set_new(d, "changeset", json_string(O.changeset));
    json_object_set_new(d, "contact", json_string("The council's contact centre: see /services on this site"));
    json_object_set_new(d, "key_service",
                        json_string("Ask the council for an api_key; it is made with `frontdoor open311-key create`"));
    json_t *ep = json_object();
    json_object_set_new(ep, "specification", json_string(SPEC_URL));
    json_object_set_new(ep, "url", json_string(base_url(q)));
    json_object_set_new(ep, "changeset", json_string(O.changeset));
    json_object_set_new(ep, "type", json_string("production"));
    json_object_set_new(ep, "formats", json_pack("[s, s]", "text/xml", "application/json"));
    json_array_append_new(eps, ep);
    json_object_set_new(d, "endpoints", eps);
    return answer(q, p, 200, "discovery", d);
}

/* The attributes of a service's definition: its e-form fields, but for
 * those Open311 carries itself. */
static json_t *attributes(req *q, const service *s)
{
    static const char *const carried[] = {"location", "photos", "phone", NULL};
    json_t *list = json_array();
    const char *f = s->fields ? s->fields : "";
    int order = 0;
    while (*f) {
        while (*f == ' ')
            f++;
        size_t n = strcspn(f, " ");
        if (!n)
            break;
        char *code = arena_strndup(q->a, f, n);
        f += n;
        int skip = 0;
        for (int i = 0; carried[i]; i++)
            skip |= !strcmp(carried[i], code);
        if (skip)
            continue;
        char *label = arena_strdup(q->a, code);
        for (char *c = label; *c; c++)
            if (*c == '_')
                *c = ' ';
        label[0] = (char)toupper((unsigned char)label[0]);
        int yesno = !strncmp(code, "is_", 3) || strstr(code, "_at_risk") != NULL;
        json_t *a = json_object();
        json_object_set_new(a, "variable", json_true());
        json_object_set_new(a, "code", json_string(code));
        json_object_set_new(a, "datatype", json_string(yesno ? "singlevaluelist" : "string"));
        json_object_set_new(a, "required", json_false());
        json_object_set_new(a, "datatype_description",
                            json_string(yesno ? "Yes or no" : "Text, at most 1000 characters"));
        json_object_set_new(a, "order", json_integer(++order));
        json_object_set_new(a, "description", json_string(label));
        if (yesno)
            json_object_set_new(a, "values", json_pack("[{s:s, s:s}, {s:s, s:s}]", "key", "yes", "name", "Yes", "key",
                                                       "no", "name", "No"));
        json_array_append_new(list, a);
    }
    return list;
}

int open311_services(req *q, resp *p)
{
    if (jurisdiction_or_fail(q, p, req_query(q, "jurisdiction_id")) != 0)
        return 0;
    json_t *list = json_array();
    for (int i = 0; i < O.n; i++) {
        const o311_service *o = &O.items[i];
        json_t *attrs = attributes(q, o->s);
        json_t *s = json_object();
        json_object_set_new(s, "service_code", json_string(o->s->slug));
        json_object_set_new(s, "service_name", json_string(o->s->name));
        json_object_set_new(s, "description", json_string(o->s->description ? o->s->description : o->s->name));
        json_object_set_new(s, "metadata", json_boolean(json_array_size(attrs) > 0));
        json_object_set_new(s, "type", json_string(o->batch ? "batch" : "realtime"));
        json_object_set_new(s, "keywords", json_string(o->keywords));
        json_object_set_new(s, "group", json_string(o->group));
        json_decref(attrs);
        json_array_append_new(list, s);
    }
    return answer(q, p, 200, "services", list);
}

int open311_service_definition(req *q, resp *p)
{
    if (jurisdiction_or_fail(q, p, req_query(q, "jurisdiction_id")) != 0)
        return 0;
    const o311_service *o = find_service(q->path_slug);
    if (!o)
        return fail(q, p, 404, arena_printf(q->a, "service_code %s is not a service here", q->path_slug));
    json_t *d = json_object();
    json_object_set_new(d, "service_code", json_string(o->s->slug));
    json_object_set_new(d, "attributes", attributes(q, o->s));
    return answer(q, p, 200, "service_definition", d);
}

/* ---- POST requests ---- */

/* Inside the create's transaction: a batch service's request gets its
 * token with it. */
static int create_in(req *q, resp *p, store_conn *c)
{
    api_request_create_in(q, p, c);
    const o311_service *o = find_service(json_string_value(json_object_get(q->json, "service")));
    if (p->status != 201 || !o || !o->batch)
        return 0;
    json_t *made = json_loads(buf_str(&p->body), 0, NULL);
    long long id = (long long)json_integer_value(json_object_get(made, "id"));
    json_decref(made);
    record r;
    unsigned char raw[16];
    char tok[33];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(tok, sizeof tok, raw, sizeof raw);
    if (store_get(c, q->council, &request_def, id, q->a, &r) != STORE_OK)
        return api_store_error_or_fail(p, c);
    rec_set_str(&r, "open311_token", arena_strdup(q->a, tok));
    if (store_update(c, q->council, &r, r.version) != STORE_OK)
        return api_store_error_or_fail(p, c);
    return 0;
}

/* Text with CRLF (and lone CR) line ends as LF, as we keep it. */
static const char *lf_lines(req *q, const char *s)
{
    if (!s)
        return NULL;
    char *out = arena_strdup(q->a, s), *o = out;
    for (const char *c = s; *c; c++) {
        if (*c == '\r') {
            *o++ = '\n';
            if (c[1] == '\n')
                c++;
        } else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

/* A coordinate as we keep it: six decimal places (as FixMyStreet sends). */
static const char *coordinate(req *q, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end)
        return s; /* left for the request's own check to name */
    return arena_printf(q->a, "%.6f", v);
}

int open311_request_create(req *q, resp *p)
{
    if (key_or_fail(q, p, req_form(q, "api_key"), "create_request") != 0 ||
        jurisdiction_or_fail(q, p, req_form(q, "jurisdiction_id")) != 0)
        return 0;
    const char *code = req_form(q, "service_code");
    if (!code || !*code)
        return fail(q, p, 400, "service_code: is required");
    const o311_service *o = find_service(code);
    if (!o)
        return fail(q, p, 404, arena_printf(q->a, "service_code %s is not a service here", code));
    const char *lat = req_form(q, "lat"), *lon = req_form(q, "long"), *addr = req_form(q, "address_string"),
               *aid = req_form(q, "address_id");
    lat = lat && *lat ? lat : NULL, lon = lon && *lon ? lon : NULL;
    addr = addr && *addr ? addr : NULL, aid = aid && *aid ? aid : NULL;
    if (!(lat && lon) && !addr && !aid)
        return fail(q, p, 400, "a location is required: lat and long, address_string or address_id");
    const char *bad[ERR_MAX];
    int nb = 0;
    json_t *j = json_object(), *answers = json_object();
    q->json = j; /* the server frees it */
    json_object_set_new(j, "service", json_string(code));
    json_object_set_new(j, "channel", json_string("web"));
    if (lat || lon) {
        json_object_set_new(j, "latitude", json_string(coordinate(q, lat ? lat : "")));
        json_object_set_new(j, "longitude", json_string(coordinate(q, lon ? lon : "")));
    }
    if (addr)
        json_object_set_new(j, "address", json_string(addr));
    if (aid) {
        size_t n = strlen(aid);
        int uprn = n <= 12 && strspn(aid, "0123456789") == n;
        if (uprn)
            json_object_set_new(j, "uprn", json_string(aid));
        else if (!addr)
            json_object_set_new(j, "address", json_string(aid));
    }
    const char *desc = lf_lines(q, req_form(q, "description"));
    json_object_set_new(j, "description", json_string(desc && *desc ? desc : o->s->name));
    const char *email = req_form(q, "email"), *phone = req_form(q, "phone"), *media = req_form(q, "media_url");
    if (email && *email)
        json_object_set_new(j, "contact_email", json_string(email));
    if (phone && *phone)
        json_object_set_new(j, "contact_phone", json_string(phone));
    if (media && *media)
        json_object_set_new(j, "media_url", json_string(media));
    const char *fn = req_form(q, "first_name"), *ln = req_form(q, "last_name");
    ln = ln && strcmp(ln, "-") ? ln : NULL;
    if ((fn && *fn) || (ln && *ln))
        json_object_set_new(j, "contact_name", json_string(arena_printf(q->a, "%s%s%s", fn && *fn ? fn : "",
                                                                        fn && *fn && ln && *ln ? " " : "",
                                                                        ln && *ln ? ln : "")));
    /* attribute[CODE]=v and attribute[CODE][]=v (a multivaluelist). */
    json_t *defs = attributes(q, o->s);
    for (int i = 0; i < q->nform; i++) {
        const char *k = q->form[i].name;
        if (strncmp(k, "attribute[", 10))
            continue;
        size_t n = strcspn(k + 10, "]");
        const char *rest = k + 10 + n;
        if (!n || (strcmp(rest, "]") && strcmp(rest, "][]"))) {
            if (nb < ERR_MAX)
                bad[nb++] = arena_printf(q->a, "%s: is not attribute[CODE] or attribute[CODE][]", k);
            continue;
        }
        char *acode = arena_strndup(q->a, k + 10, n);
        json_t *def = NULL, *d;
        size_t x;
        json_array_foreach(defs, x, d) if (!strcmp(json_string_value(json_object_get(d, "code")), acode)) def = d;
        if (!def) {
            if (nb < ERR_MAX)
                bad[nb++] = arena_printf(q->a, "attribute[%s]: is not an attribute of %s", acode, code);
            continue;
        }
        const char *v = q->form[i].value;
        json_t *vals = json_object_get(def, "values");
        if (vals) {
            int ok = 0;
            json_array_foreach(vals, x, d) ok |= !strcmp(json_string_value(json_object_get(d, "key")), v);
            if (!ok && nb < ERR_MAX)
                bad[nb++] = arena_printf(q->a, "attribute[%s]: must be one of the keys of its values", acode);
        }
        const char *had = json_string_value(json_object_get(answers, acode));
        json_object_set_new(answers, acode, json_string(had ? arena_printf(q->a, "%s, %s", had, v) : v));
    }
    json_decref(defs);
    json_object_set_new(j, "answers", answers);
    if (nb)
        return fail_many(q, p, 400, bad, nb);
    api_create_idempotent(q, p, create_in);
    if (p->status != 201)
        return 0; /* open311_finish words the refusal */
    json_t *made = json_loads(buf_str(&p->body), 0, NULL);
    long long id = (long long)json_integer_value(json_object_get(made, "id"));
    json_decref(made);
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c || store_get(c, q->council, &request_def, id, q->a, &r) != STORE_OK)
        return fail(q, p, 400, "The request was made but cannot be read back; ask for it by GET requests");
    p->nheaders = 0;
    json_t *one = json_object();
    if (o->batch)
        json_object_set_new(one, "token", json_string(rec_str(&r, "open311_token")));
    else
        json_object_set_new(one, "service_request_id", json_string(arena_printf(q->a, "%lld", r.id)));
    json_object_set_new(one, "service_notice",
                        json_string(arena_printf(q->a, "We will deal with it by %s.",
                                                 outbox_date_words(rec_str(&r, "promised_date"), q->a))));
    json_object_set_new(one, "account_id", json_null());
    json_t *list = json_array();
    json_array_append_new(list, one);
    return answer(q, p, 200, "service_requests", list);
}

/* ---- GET requests, one request, tokens ---- */

/* Splits a comma list into at most max parts (from q->a). */
static int split_commas(req *q, const char *s, const char **out, int max)
{
    int n = 0;
    while (s && *s && n < max) {
        size_t k = strcspn(s, ",");
        if (k)
            out[n++] = arena_strndup(q->a, s, k);
        s += k;
        if (*s == ',')
            s++;
    }
    return n;
}

static int in_list(const char *v, const char *const *list, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], v))
            return 1;
    return 0;
}

int open311_requests(req *q, resp *p)
{
    if (jurisdiction_or_fail(q, p, req_query(q, "jurisdiction_id")) != 0)
        return 0;
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    json_t *list = json_array();
    const char *ids_s = req_query(q, "service_request_id");
    if (ids_s && *ids_s) {
        /* It overrides every other filter. */
        const char **ids = arena_alloc(q->a, sizeof *ids * MAX_IDS);
        int n = split_commas(q, ids_s, ids, MAX_IDS);
        for (int i = 0; i < n; i++) {
            char *end;
            long long id = strtoll(ids[i], &end, 10);
            if (*end || id <= 0) {
                json_decref(list);
                return fail(q, p, 400, arena_printf(q->a, "service_request_id: %s is not a request id", ids[i]));
            }
            record r;
            if (store_get(c, q->council, &request_def, id, q->a, &r) == STORE_OK && find_service(rec_str(&r, "service")))
                json_array_append_new(list, request_o311(q, &r));
        }
        return answer(q, p, 200, "service_requests", list);
    }
    const char *codes[MAX_SERVICES], *sts[8];
    int nc = split_commas(q, req_query(q, "service_code"), codes, MAX_SERVICES);
    int ns = split_commas(q, req_query(q, "status"), sts, 8);
    const char *bad[ERR_MAX];
    int nb = 0;
    for (int i = 0; i < nc && nb < ERR_MAX; i++)
        if (!find_service(codes[i]))
            bad[nb++] = arena_printf(q->a, "service_code: %s is not a service here", codes[i]);
    for (int i = 0; i < ns && nb < ERR_MAX; i++)
        if (strcmp(sts[i], "open") && strcmp(sts[i], "closed"))
            bad[nb++] = arena_printf(q->a, "status: %s is not open or closed", sts[i]);
    if (nb) {
        json_decref(list);
        return fail_many(q, p, 400, bad, nb);
    }
    char from[21], to[21];
    if (window_or_fail(q, p, req_query(q, "start_date"), req_query(q, "end_date"), WINDOW_MAX, from, to) != 0) {
        json_decref(list);
        return 0;
    }
    /* The newest MAX_ANSWERED that match, newest first. */
    json_t **ring = arena_alloc(q->a, sizeof *ring * MAX_ANSWERED);
    long long seen = 0, after = 0;
    for (;;) {
        record *rows;
        int n;
        if (store_list_between(c, q->council, &request_def, "created_at", from, to, after, 1000, q->a, &rows, &n) !=
            STORE_OK) {
            for (long long i = seen > MAX_ANSWERED ? seen - MAX_ANSWERED : 0; i < seen; i++)
                json_decref(ring[i % MAX_ANSWERED]);
            json_decref(list);
            return fail(q, p, 400, "The requests cannot be read now; try again later");
        }
        for (int i = 0; i < n; i++) {
            const record *r = &rows[i];
            const char *svc = rec_str(r, "service");
            if (!find_service(svc) || (nc && !in_list(svc, codes, nc)) ||
                (ns && !in_list(is_open(rec_str(r, "status")) ? "open" : "closed", sts, ns)))
                continue;
            if (seen >= MAX_ANSWERED)
                json_decref(ring[seen % MAX_ANSWERED]);
            ring[seen % MAX_ANSWERED] = request_o311(q, r);
            seen++;
        }
        if (n < 1000)
            break;
        after = rows[n - 1].id;
    }
    for (long long i = seen - 1; i >= 0 && i >= seen - MAX_ANSWERED; i--)
        json_array_append_new(list, ring[i % MAX_ANSWERED]);
    return answer(q, p, 200, "service_requests", list);
}

int open311_request_get(req *q, resp *p)
{
    if (jurisdiction_or_fail(q, p, req_query(q, "jurisdiction_id")) != 0)
        return 0;
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c)
        return 0;
    if (store_get(c, q->council, &request_def, q->path_id[0], q->a, &r) != STORE_OK ||
        !find_service(rec_str(&r, "service")))
        return fail(q, p, 404, arena_printf(q->a, "service_request_id %lld was not found", q->path_id[0]));
    json_t *list = json_array();
    json_array_append_new(list, request_o311(q, &r));
    return answer(q, p, 200, "service_requests", list);
}

int open311_token_get(req *q, resp *p)
{
    if (jurisdiction_or_fail(q, p, req_query(q, "jurisdiction_id")) != 0)
        return 0;
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c)
        return 0;
    if (store_find(c, q->council, &request_def, "open311_token", q->path_slug, q->a, &r) != STORE_OK)
        return fail(q, p, 404, arena_printf(q->a, "token %s was not found", q->path_slug));
    json_t *list = json_array();
    json_array_append_new(list, json_pack("{s:s, s:s}", "service_request_id", arena_printf(q->a, "%lld", r.id), "token",
                                          q->path_slug));
    return answer(q, p, 200, "service_requests", list);
}

/* ---- FixMyStreet's servicerequestupdates ---- */

/* The status of request rid just after update uid (walking its timeline). */
static const char *status_at(req *q, store_conn *c, long long rid, long long uid)
{
    record *us;
    int n;
    const char *st = "received";
    if (store_list(c, q->council, &request_update_def, "request_id", rid, 0, 1000, q->a, &us, &n) != STORE_OK)
        return st;
    for (int i = 0; i < n && us[i].id <= uid; i++)
        if (rec_str(&us[i], "status"))
            st = rec_str(&us[i], "status");
    return st;
}

int open311_updates(req *q, resp *p)
{
    const char *key = req_query(q, "api_key");
    if ((key && *key && key_or_fail(q, p, key, "servicerequestupdates") != 0) ||
        jurisdiction_or_fail(q, p, req_query(q, "jurisdiction_id")) != 0)
        return 0;
    char from[21], to[21];
    if (window_or_fail(q, p, req_query(q, "start_date"), req_query(q, "end_date"), UPDATES_DEFAULT, from, to) != 0)
        return 0;
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    json_t *list = json_array();
    long long after = 0;
    int count = 0;
    for (;;) {
        record *rows;
        int n;
        if (store_list_between(c, q->council, &request_update_def, "created_at", from, to, after, 1000, q->a, &rows,
                               &n) != STORE_OK) {
            json_decref(list);
            return fail(q, p, 400, "The updates cannot be read now; try again later");
        }
        for (int i = 0; i < n && count < MAX_ANSWERED; i++) {
            const record *u = &rows[i];
            /* Internal notes stay inside; a client's own updates are not sent back to it. */
            if (!rec_int(u, "public") || rec_str(u, "external_id"))
                continue;
            record r;
            long long rid = rec_int(u, "request_id");
            if (store_get(c, q->council, &request_def, rid, q->a, &r) != STORE_OK || !find_service(rec_str(&r, "service")))
                continue;
            const char *st = rec_str(u, "status") ? rec_str(u, "status") : status_at(q, c, rid, u->id);
            const char *text = rec_str(u, "text");
            json_t *o = json_object();
            json_object_set_new(o, "update_id", json_string(arena_printf(q->a, "%lld", u->id)));
            json_object_set_new(o, "service_request_id", json_string(arena_printf(q->a, "%lld", rid)));
            json_object_set_new(o, "status", json_string(fms_status(st)));
            json_object_set_new(o, "updated_datetime", json_string(u->created_at));
            json_object_set_new(o, "description", json_string(text ? text : ""));
            json_object_set_new(o, "media_url", json_string(""));
            json_object_set_new(o, "external_status_code", json_string(st));
            json_array_append_new(list, o);
            count++;
        }
        if (n < 1000 || count >= MAX_ANSWERED)
            break;
        after = rows[n - 1].id;
    }
    return answer(q, p, 200, "service_request_updates", list);
}

static const char *const fms_statuses[] = {
    "OPEN",          "CLOSED",  "FIXED",    "IN_PROGRESS", "ACTION_SCHEDULED", "INVESTIGATING", "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION", "INTERNAL_REFERRAL", "FOR_TRIAGE", "CANCELLED", "REOPEN",
    "PLANNED",       "UNCHANGED", NULL};

int open311_update_create(req *q, resp *p)
{
    if (key_or_fail(q, p, req_form(q, "api_key"), "post_service_request_update") != 0 ||
        jurisdiction_or_fail(q, p, req_form(q, "jurisdiction_id")) != 0)
        return 0;
    static const char *const required[] = {"service_request_id", "update_id", "status", "updated_datetime",
                                           "description"};
    const char *bad[ERR_MAX];
    int nb = 0;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *v = req_form(q, required[i]);
        if (!v || !*v)
            bad[nb++] = arena_printf(q->a, "%s: is required", required[i]);
    }
    const char *sid = req_form(q, "service_request_id"), *uid = req_form(q, "update_id"),
               *status = req_form(q, "status"), *when = req_form(q, "updated_datetime"),
               *text = lf_lines(q, req_form(q, "description"));
    if (status && *status) {
        int ok = 0;
        for (int i = 0; fms_statuses[i]; i++)
            ok |= !strcmp(fms_statuses[i], status);
        if (!ok)
            bad[nb++] = arena_printf(q->a, "status: %s is not an Open311 status (OPEN, CLOSED, FIXED, IN_PROGRESS ...)",
                                     status);
    }
    if (when && *when && w3c_time(when) < 0)
        bad[nb++] = "updated_datetime: must be a W3C datetime with its zone, e.g. 2026-11-01T09:30:00Z";
    if (text && strlen(text) > 2000)
        bad[nb++] = "description: must be at most 2000 characters";
    if (uid && strlen(uid) > 100)
        bad[nb++] = "update_id: must be at most 100 characters";
    if (nb)
        return fail_many(q, p, 400, bad, nb);
    char *end;
    long long rid = strtoll(sid, &end, 10);
    store_conn *c = api_conn_or_fail(q, p);
    record r;
    if (!c)
        return 0;
    if (*end || rid <= 0 || store_get(c, q->council, &request_def, rid, q->a, &r) != STORE_OK ||
        !find_service(rec_str(&r, "service")))
        return fail(q, p, 404, arena_printf(q->a, "service_request_id %s was not found", sid));
    /* The same update_id again is the same update (a client's retry). */
    record *us;
    int n;
    if (store_list(c, q->council, &request_update_def, "request_id", rid, 0, 1000, q->a, &us, &n) != STORE_OK)
        return fail(q, p, 400, "The request cannot be read now; try again later");
    long long made = 0;
    for (int i = 0; i < n; i++)
        if (!made && rec_str(&us[i], "external_id") && !strcmp(rec_str(&us[i], "external_id"), uid))
            made = us[i].id; /* the note (a reopening follows it with the same id) */
    if (!made) {
        int rc = store_begin(c);
        record u;
        record_init(&u, &request_update_def);
        rec_set_int(&u, "request_id", rid);
        rec_set_str(&u, "kind", "public_note");
        rec_set_str(&u, "text", text);
        rec_set_int(&u, "public", 1);
        rec_set_str(&u, "external_id", uid);
        u.v[entity_field(&request_update_def, "author_id")] = (field_val){.set = 1, .i = q->who.id};
        if (rc == STORE_OK)
            rc = store_insert(c, q->council, &u);
        /* The reporter says it is not fixed after all: reopened. */
        int reopen = (!strcmp(status, "REOPEN") || !strcmp(status, "OPEN")) && !strcmp(rec_str(&r, "status"), "resolved");
        if (rc == STORE_OK && reopen) {
            long long v = r.version;
            rec_set_str(&r, "status", "in_progress");
            rec_set_str(&r, "status_reason", "Reopened: the reporter says it is not fixed");
            rc = store_update(c, q->council, &r, v);
            record sc;
            record_init(&sc, &request_update_def);
            rec_set_int(&sc, "request_id", rid);
            rec_set_str(&sc, "kind", "status_change");
            rec_set_str(&sc, "status", "in_progress");
            rec_set_str(&sc, "text", "Reopened: the reporter says it is not fixed");
            rec_set_int(&sc, "public", 1);
            rec_set_str(&sc, "external_id", uid);
            sc.v[entity_field(&request_update_def, "author_id")] = (field_val){.set = 1, .i = q->who.id};
            if (rc == STORE_OK)
                rc = store_insert(c, q->council, &sc);
            /* Every status change is told to the resident, this one too. */
            const service *sv = catalogue_find(q->cat, rec_str(&r, "service"));
            if (rc == STORE_OK)
                rc = outbox_queue_request(
                    c, q->council, &r, arena_printf(q->a, "Your request %lld: We are working on it again", rid),
                    arena_printf(q->a, "Your request about %s (reference %lld) has been reopened: we were told it is "
                                       "not fixed, and we are working on it again.",
                                 sv ? sv->name : rec_str(&r, "service"), rid),
                    q->a);
        }
        if (rc == STORE_OK)
            rc = store_commit(c);
        if (rc != STORE_OK) {
            store_rollback(c);
            return fail(q, p, 400, rc == STORE_CONFLICT ? "The request changed meanwhile; send the update again"
                                                        : "The update could not be saved; send it again");
        }
        made = u.id;
    }
    json_t *list = json_array();
    json_array_append_new(list, json_pack("{s:s, s:n}", "update_id", arena_printf(q->a, "%lld", made), "account_id"));
    return answer(q, p, 200, "service_request_updates", list);
}

/* ---- the key ---- */

int open311_cli_key_create(store *s, long long council, const char *name)
{
    return auth_cli_token_create(s, council, name, "agent", NULL, "open311");
}
