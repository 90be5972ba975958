/* http: the request and response a handler sees, independent of the HTTP
 * library. A handler reads `req`, fills `resp` and returns 0; the server
 * has already matched the route, checked the method, limits and input,
 * and will log, count and send the answer. */
#ifndef FD_HTTP_H
#define FD_HTTP_H
#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "core/access.h"
#include "core/catalogue.h"
#include "core/record.h"
#include "store/store.h"

enum { MAX_PATH_PARAMS = 4, MAX_RESP_HEADERS = 8, MAX_QUERY = 16, MAX_FORM = 32, MAX_AUDIT_PEOPLE = 1000 };

/* Who is asking (web/auth.c fills it before the handler runs). */
typedef enum { AUTH_NONE, AUTH_SESSION, AUTH_TOKEN } auth_kind;

typedef struct {
    auth_kind kind;
    role role;
    long long id;           /* user id (session) or token id */
    const char *department; /* back office: their department */
    long long person_id;    /* a resident's own person record; 0 for staff */
    long long session_id;   /* AUTH_SESSION: the session row */
    const char *csrf;       /* AUTH_SESSION: the session's CSRF token */
    unsigned categories;    /* CAT_* bits of sensitive fields they may see */
    const char *scopes;     /* AUTH_TOKEN: space-separated scopes ("read write") */
} principal;

typedef struct route route;

typedef struct {
    const char *name;
    const char *value;
} kv;

typedef struct req {
    const char *method;
    const char *path;
    const route *route;
    arena *a;                      /* freed when the response has been sent */
    store *st;
    const catalogue *cat;          /* the council's services (read-only while serving) */
    long long council;             /* the tenant this request acts for */
    long long host_council;        /* the council its Host names, or 0: credentials of another council are refused */
    long long path_id[MAX_PATH_PARAMS]; /* {id} segments, in order */
    int npath;
    const char *path_slug;         /* the {slug} segment, or NULL */
    kv query[MAX_QUERY];           /* declared query parameters that were given */
    int nquery;
    const char *body;              /* NUL-terminated; "" if none */
    size_t body_len;
    json_t *json;                  /* parsed body if the route takes JSON; freed by the server */
    kv form[MAX_FORM];             /* decoded fields if the route takes a form */
    int nform;
    void *conn;                    /* the HTTP library's connection (for headers) */
    const char *ip;                /* the client's address */
    principal who;                 /* who is asking; kind AUTH_NONE on public routes */
    /* Audit: the people whose data this request showed or changed. Handlers
     * add them with audit_person(); the server writes the entries. */
    long long audit_people[MAX_AUDIT_PEOPLE];
    int naudit;
    int audited;                   /* 1 once written (inside the handler's transaction) */
} req;

typedef struct {
    int status;
    const char *content_type;
    buf body;
    kv headers[MAX_RESP_HEADERS];
    int nheaders;
    struct sse_stream *stream; /* if set, the answer is this event stream (web/sse.h), not body */
} resp;

/* A request header (case-insensitive name), or NULL. */
const char *req_header(req *q, const char *name);
/* A cookie's value, or NULL. */
const char *req_cookie(req *q, const char *name);
/* A form field's value (routes with BODY_FORM), or NULL. */
const char *req_form(req *q, const char *name);
/* A declared query parameter, or NULL if not given. */
const char *req_query(req *q, const char *name);
/* Adds a response header (both strings must live as long as q->a). */
void resp_header(resp *p, const char *name, const char *value);
/* Sets status and a JSON body (json is not stolen). */
void resp_json(resp *p, int status, const json_t *json);
/* Sets an application/problem+json answer (RFC 9457). errs may be NULL. */
void resp_problem(resp *p, int status, const char *title, const char *detail, const errlist *errs);
/* The standard reason phrase for status. */
const char *http_reason(int status);

#endif
