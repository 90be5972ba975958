/* routes: the one table of every route (design.md, principle 4).
 *
 * Each route declares its method, path pattern ("{id}" matches a positive
 * integer, "{slug}" a catalogue id such as "missed-bin" or a system such as "council_tax"), handler, who may call it (roles, and for residents which
 * records), whether it is audited, its query parameters and its body.
 * The server matches, checks and parses from this table before the handler
 * runs; /api/v1/openapi.json is generated from it. */
#ifndef FD_ROUTES_H
#define FD_ROUTES_H
#include "web/http.h"

/* Resident access: a resident may call a route only for their own data. */
typedef enum {
    OWN_NONE,      /* residents may not call it (unless roles says so and there is no {id}) */
    OWN_PERSON,    /* {id} is a person: themselves or someone in their current household */
    OWN_HOUSEHOLD, /* {id} is their current household */
    OWN_SELF,      /* {id} is the resident themselves */
    OWN_REQUEST    /* {id} is a request the resident made */
} own_kind;

typedef struct {
    const char *name;
    long long min, max; /* integer parameters: range; text: max length in max */
    int is_int;
    const char *doc;
} query_def;

typedef enum {
    BODY_NONE,  /* no body accepted */
    BODY_JSON,  /* application/json object, parsed into req->json */
    BODY_FORM   /* application/x-www-form-urlencoded, decoded into req->form */
} body_kind;

typedef int (*handler_fn)(req *q, resp *p);

struct route {
    const char *method;
    const char *path;         /* pattern, e.g. "/api/v1/people/{id}" */
    handler_fn handler;
    unsigned roles;           /* R(ROLE_...) bits that may call it; 0 = public, no sign-in */
    own_kind own;             /* how a resident's access is limited */
    int audited;              /* 1 if it shows or changes personal data: every call is audited */
    const query_def *query;   /* NULL-name-terminated, or NULL for none */
    body_kind body;
    const entity_def *entity; /* what the body or answer is, for the API document */
    const char *summary;
};

extern const route fd_routes[];
extern const int fd_nroutes;

/* Finds the route for method and path. Returns its index and fills ids with
 * the {id} segments; -1 if no route has this path; -2 if some route has the
 * path but not the method (then *allow lists the methods, from a). */
int routes_match(const char *method, const char *path, long long ids[MAX_PATH_PARAMS], int *nids, const char **slug,
                 arena *a, const char **allow);

/* The API document (OpenAPI 3.1), generated from the table. Caller owns it. */
json_t *routes_openapi(void);

#endif
