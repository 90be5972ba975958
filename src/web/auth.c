#include "web/auth.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "core/entities.h"
#include "web/audit.h"
#include "web/jsonrec.h"
#include "web/routes.h"

/* ---- tokens and hashes ---- */

void auth_token_hash(const char *token, char hash[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash, 65, h, sizeof h);
}

void auth_new_token(long long council, char out[TOKEN_LEN], char hash[65])
{
    unsigned char rnd[32];
    char hex[65];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(out, TOKEN_LEN, "%lld.%s", council, hex);
    auth_token_hash(out, hash);
}

int auth_hash_password(const char *pw, char *out, size_t outlen)
{
    if (outlen < crypto_pwhash_STRBYTES)
        return -1;
    return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

/* Splits "<council>.<64 hex>" ; 0 and *council if well formed. */
static int token_council(const char *t, long long *council)
{
    char *dot;
    long long c = strtoll(t, &dot, 10);
    if (c <= 0 || dot == t || *dot != '.' || strlen(dot + 1) != 64)
        return -1;
    for (const char *p = dot + 1; *p; p++)
        if (!isxdigit((unsigned char)*p))
            return -1;
    *council = c;
    return 0;
}

/* ---- who is asking ---- */

/* API tokens checked lately by this thread, each with the database's
 * change stamp at the time (store_change_stamp): an entry is used only
 * while the stamp is the same, that is while nothing in the database has
 * changed, so a revoked token is refused at once, as without the cache. */
enum { TOKEN_CACHE = 64, CACHED_TEXT = 64 };
typedef struct {
    const store *st;
    char token[TOKEN_LEN];
    unsigned long long stamp[2];
    long long council, id;
    role role;
    char department[CACHED_TEXT], scopes[CACHED_TEXT];
} cached_token;
static _Thread_local cached_token token_cache[TOKEN_CACHE];

static cached_token *token_slot(const char *tok)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (const char *p = tok; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return &token_cache[h % TOKEN_CACHE];
}

static void token_who(req *q, long long council, long long id, role r, const char *dept, const char *scopes)
{
    q->council = council;
    q->who.kind = AUTH_TOKEN;
    q->who.id = id;
    q->who.role = r;
    q->who.department = dept;
    q->who.categories = role_categories(r, dept);
    q->who.scopes = scopes;
}

static int resolve_token(req *q, store_conn *c, const char *tok)
{
    long long council;
    char hash[65];
    if (token_council(tok, &council) != 0 || (q->host_council && council != q->host_council))
        return -1;
    unsigned long long stamp[2];
    int cacheable = store_change_stamp(c, stamp) == STORE_OK;
    cached_token *e = token_slot(tok);
    if (cacheable && e->st == q->st && e->stamp[0] == stamp[0] && e->stamp[1] == stamp[1] &&
        strcmp(e->token, tok) == 0) {
        token_who(q, e->council, e->id, e->role, e->department[0] ? arena_strdup(q->a, e->department) : NULL,
                  e->scopes[0] ? arena_strdup(q->a, e->scopes) : NULL);
        return 0;
    }
    auth_token_hash(tok, hash);
    record t;
    if (store_find(c, council, &api_token_def, "token_hash", hash, q->a, &t) != STORE_OK || rec_int(&t, "revoked"))
        return -1;
    const char *dept = rec_str(&t, "department"), *scopes = rec_str(&t, "scopes");
    token_who(q, council, t.id, role_from_name(rec_str(&t, "role")), dept, scopes);
    if (cacheable && strlen(tok) < sizeof e->token && (!dept || strlen(dept) < CACHED_TEXT) &&
        (!scopes || strlen(scopes) < CACHED_TEXT)) {
        e->st = q->st;
        memcpy(e->stamp, stamp, sizeof stamp);
        snprintf(e->token, sizeof e->token, "%s", tok);
        e->council = council;
        e->id = t.id;
        e->role = q->who.role;
        snprintf(e->department, sizeof e->department, "%s", dept ? dept : "");
        snprintf(e->scopes, sizeof e->scopes, "%s", scopes ? scopes : "");
    }
    return 0;
}

static int resolve_session(req *q, store_conn *c, const char *tok)
{
    long long council;
    char hash[65], now[21];
    if (token_council(tok, &council) != 0 || (q->host_council && council != q->host_council))
        return -1;
    auth_token_hash(tok, hash);
    record s, u;
    if (store_find(c, council, &session_def, "token_hash", hash, q->a, &s) != STORE_OK)
        return -1;
    time_now_iso(now);
    const char *exp = rec_str(&s, "expires_at");
    if (!exp || strcmp(exp, now) <= 0)
        return -1;
    if (store_get(c, council, &user_def, rec_int(&s, "user_id"), q->a, &u) != STORE_OK || rec_int(&u, "disabled"))
        return -1;
    q->council = council;
    q->who.kind = AUTH_SESSION;
    q->who.id = u.id;
    q->who.session_id = s.id;
    q->who.csrf = rec_str(&s, "csrf_token");
    q->who.role = role_from_name(rec_str(&u, "role"));
    q->who.department = rec_str(&u, "department");
    q->who.person_id = rec_int(&u, "person_id");
    q->who.categories = role_categories(q->who.role, q->who.department);
    return 0;
}

int auth_resolve(req *q)
{
    memset(&q->who, 0, sizeof q->who);
    const char *authz = req_header(q, "Authorization");
    const char *cookie = req_cookie(q, "fd_session");
    if (!authz && !cookie)
        return 0;
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    if (!c)
        return -1;
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return -1;
        return resolve_token(q, c, authz + 7);
    }
    return resolve_session(q, c, cookie);
}

int auth_scope_ok(req *q)
{
    if (q->who.kind != AUTH_TOKEN)
        return 1;
    const char *need = !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD") ? "read" : "write";
    size_t n = strlen(need);
    for (const char *s = q->who.scopes; s && (s = strstr(s, need)) != NULL; s += n) {
        int start = s == q->who.scopes || s[-1] == ' ';
        if (start && (s[n] == '\0' || s[n] == ' '))
            return 1;
    }
    return 0;
}

int auth_csrf_ok(req *q)
{
    if (q->who.kind != AUTH_SESSION || !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD"))
        return 1;
    const char *t = req_header(q, "X-CSRF-Token");
    if (!t)
        t = req_form(q, "csrf_token");
    const char *want = q->who.csrf;
    if (!t || !want || strlen(t) != strlen(want))
        return 0;
    return sodium_memcmp(t, want, strlen(want)) == 0;
}

/* ---- sign in ---- */

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void make_dummy(void)
{
    auth_hash_password("not a password anyone has", dummy_hash, sizeof dummy_hash);
}

static const char *cookie_attrs(req *q)
{
    const char *proto = req_header(q, "X-Forwarded-Proto");
    return proto && !strcasecmp(proto, "https") ? "; Path=/; HttpOnly; SameSite=Lax; Secure"
                                                : "; Path=/; HttpOnly; SameSite=Lax";
}

static json_t *me_json(req *q, const record *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u ? u->id : q->who.id));
    if (u) {
        json_object_set_new(o, "email", json_string(rec_str(u, "email")));
        json_object_set_new(o, "name", rec_str(u, "name") ? json_string(rec_str(u, "name")) : json_null());
    }
    json_object_set_new(o, "kind", json_string(q->who.kind == AUTH_TOKEN ? "token" : "user"));
    json_object_set_new(o, "role", json_string(role_name(q->who.role)));
    json_object_set_new(o, "department", q->who.department ? json_string(q->who.department) : json_null());
    json_object_set_new(o, "person_id", q->who.person_id ? json_integer(q->who.person_id) : json_null());
    return o;
}

static int bad_signin(req *q, resp *p, const char *detail)
{
    resp_problem(p, 401, "Sign-in failed", detail, NULL);
    resp_header(p, "WWW-Authenticate", "Bearer realm=\"frontdoor\"");
    (void)q;
    return 0;
}

int api_session_create(req *q, resp *p)
{
    errlist errs = {.n = 0};
    const char *key;
    json_t *v;
    json_object_foreach(q->json, key, v)
    {
        if (strcmp(key, "email") && strcmp(key, "password"))
            errlist_add(&errs, arena_strdup(q->a, key), "is not a field of a sign-in");
    }
    json_t *je = json_object_get(q->json, "email"), *jp = json_object_get(q->json, "password");
    if (!json_is_string(je) || !*json_string_value(je) || json_string_length(je) > 254)
        errlist_add(&errs, "email", "is required: the email address you sign in with");
    if (!json_is_string(jp) || !*json_string_value(jp) || json_string_length(jp) > PASSWORD_MAX)
        errlist_add(&errs, "password", "is required (at most 200 characters)");
    if (errs.n) {
        resp_problem(p, 422, "Invalid fields", NULL, &errs);
        return 0;
    }
    char *email = arena_strdup(q->a, json_string_value(je));
    for (char *s = email; *s; s++)
        *s = (char)tolower((unsigned char)*s);
    const char *pw = json_string_value(jp);
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    if (!c) {
        resp_problem(p, 503, "Database unavailable", err, NULL);
        return 0;
    }
    pthread_once(&dummy_once, make_dummy);
    const char *where = "POST /api/v1/sessions";
    record u;
    int rc = store_find(c, q->council, &user_def, "email", email, q->a, &u);
    if (rc == STORE_NOTFOUND || (rc == STORE_OK && (rec_int(&u, "disabled") || !rec_str(&u, "password_hash")))) {
        /* Spend the same time as a real check, so timing tells nothing. */
        if (crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0)
            log_warn("sign-in: the dummy password matched");
        audit_event(q->st, q->council, &q->who, "sign_in_failed", q->ip, where, 401, 0);
        return bad_signin(q, p, "The email address or password is not right.");
    }
    if (rc != STORE_OK) {
        resp_problem(p, 500, "Database error", store_errmsg(c), NULL);
        return 0;
    }
    long long failed = rec_int(&u, "failed_logins");
    long long last = time_parse_iso(rec_str(&u, "last_failed_at"));
    long long now = (long long)time(NULL);
    int delay = signin_delay_seconds(failed);
    if (delay && last >= 0 && now < last + delay) {
        long long wait = last + delay - now;
        resp_problem(p, 429, failed >= LOCKOUT_AFTER ? "Account locked" : "Too many attempts",
                     arena_printf(q->a, "Too many failed sign-ins. Try again in %lld seconds.", wait), NULL);
        resp_header(p, "Retry-After", arena_printf(q->a, "%lld", wait));
        principal who = {.kind = AUTH_NONE, .id = u.id};
        audit_event(q->st, q->council, &who, "sign_in_failed", q->ip, where, 429, rec_int(&u, "person_id"));
        return 0;
    }
    principal who = {.kind = AUTH_SESSION, .id = u.id, .role = role_from_name(rec_str(&u, "role"))};
    if (crypto_pwhash_str_verify(rec_str(&u, "password_hash"), pw, strlen(pw)) != 0) {
        char ts[21];
        time_now_iso(ts);
        rec_set_int(&u, "failed_logins", failed + 1);
        rec_set_str(&u, "last_failed_at", ts);
        /* A concurrent attempt may have bumped the version: count ours too. */
        for (int i = 0; i < 3 && store_update(c, q->council, &u, u.version) == STORE_CONFLICT; i++) {
            if (store_get(c, q->council, &user_def, u.id, q->a, &u) != STORE_OK)
                break;
            rec_set_int(&u, "failed_logins", rec_int(&u, "failed_logins") + 1);
            rec_set_str(&u, "last_failed_at", ts);
        }
        audit_event(q->st, q->council, &who, "sign_in_failed", q->ip, where, 401, rec_int(&u, "person_id"));
        return bad_signin(q, p, "The email address or password is not right.");
    }
    char token[TOKEN_LEN], hash[65], expires[21];
    unsigned char rnd[32];
    char csrf[65];
    auth_new_token(q->council, token, hash);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(csrf, sizeof csrf, rnd, sizeof rnd);
    time_iso_from(now + SESSION_HOURS * 3600, expires);
    record s;
    record_init(&s, &session_def);
    rec_set_str(&s, "token_hash", hash);
    rec_set_int(&s, "user_id", u.id);
    rec_set_str(&s, "csrf_token", csrf);
    rec_set_str(&s, "expires_at", expires);
    rec_set_str(&s, "ip", q->ip);
    if (failed) {
        rec_set_int(&u, "failed_logins", 0);
        rec_set_str(&u, "last_failed_at", NULL);
    }
    rc = store_begin(c);
    if (rc == STORE_OK)
        rc = store_insert(c, q->council, &s);
    if (rc == STORE_OK && failed)
        rc = store_update(c, q->council, &u, u.version);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK) {
        store_rollback(c);
        resp_problem(p, 500, "Database error", store_errmsg(c), NULL);
        return 0;
    }
    audit_event(q->st, q->council, &who, "sign_in", q->ip, where, 201, rec_int(&u, "person_id"));
    q->who = who;
    q->who.role = role_from_name(rec_str(&u, "role"));
    q->who.department = rec_str(&u, "department");
    q->who.person_id = rec_int(&u, "person_id");
    json_t *o = json_object();
    json_object_set_new(o, "user", me_json(q, &u));
    json_object_set_new(o, "csrf_token", json_string(csrf));
    json_object_set_new(o, "expires_at", json_string(expires));
    resp_json(p, 201, o);
    json_decref(o);
    resp_header(p, "Set-Cookie",
                arena_printf(q->a, "fd_session=%s; Max-Age=%d%s", token, SESSION_HOURS * 3600, cookie_attrs(q)));
    return 0;
}

int api_session_get(req *q, resp *p)
{
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    record u;
    int have = q->who.kind == AUTH_SESSION && c && store_get(c, q->council, &user_def, q->who.id, q->a, &u) == STORE_OK;
    json_t *o = json_object();
    json_object_set_new(o, "user", me_json(q, have ? &u : NULL));
    if (q->who.kind == AUTH_SESSION)
        json_object_set_new(o, "csrf_token", json_string(q->who.csrf));
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

static int session_only_or_fail(req *q, resp *p)
{
    if (q->who.kind == AUTH_SESSION)
        return 0;
    resp_problem(p, 400, "Not a session", "API tokens are revoked by an administrator, not signed out.", NULL);
    return -1;
}

static void clear_cookie(req *q, resp *p)
{
    resp_header(p, "Set-Cookie", arena_printf(q->a, "fd_session=; Max-Age=0%s", cookie_attrs(q)));
}

int api_session_delete(req *q, resp *p)
{
    if (session_only_or_fail(q, p) != 0)
        return 0;
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    if (!c || store_delete(c, q->council, &session_def, q->who.session_id) == STORE_ERROR) {
        resp_problem(p, 500, "Database error", c ? store_errmsg(c) : err, NULL);
        return 0;
    }
    audit_event(q->st, q->council, &q->who, "sign_out", q->ip, "DELETE /api/v1/sessions/current", 204, q->who.person_id);
    p->status = 204;
    clear_cookie(q, p);
    return 0;
}

int api_sessions_delete_all(req *q, resp *p)
{
    if (session_only_or_fail(q, p) != 0)
        return 0;
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    int rc = c ? store_begin(c) : STORE_ERROR;
    int n = 0;
    while (rc == STORE_OK) {
        record *rows;
        if ((rc = store_list(c, q->council, &session_def, "user_id", q->who.id, 0, 1000, q->a, &rows, &n)) != STORE_OK ||
            n == 0)
            break;
        for (int i = 0; i < n && rc == STORE_OK; i++)
            rc = store_delete(c, q->council, &session_def, rows[i].id);
    }
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK) {
        if (c)
            store_rollback(c);
        resp_problem(p, 500, "Database error", c ? store_errmsg(c) : err, NULL);
        return 0;
    }
    audit_event(q->st, q->council, &q->who, "sign_out_everywhere", q->ip, "DELETE /api/v1/sessions", 204,
                q->who.person_id);
    p->status = 204;
    clear_cookie(q, p);
    return 0;
}

/* ---- command line ---- */

static int cli_fail(const char *what, const errlist *e)
{
    fprintf(stderr, "frontdoor %s:", what);
    for (int i = 0; i < e->n; i++)
        fprintf(stderr, " %s %s%s", e->e[i].field, e->e[i].message, i + 1 < e->n ? ";" : "");
    fputc('\n', stderr);
    return 2;
}

int auth_cli_user_add(store *s, long long council, const char *email, const char *name, const char *role_s,
                      const char *department, long long person_id)
{
    char err[256], pw[PASSWORD_MAX + 2];
    store_conn *c = store_conn_get(s, err, sizeof err);
    if (!c) {
        fprintf(stderr, "frontdoor user add: %s\n", err);
        return 2;
    }
    if (!fgets(pw, sizeof pw, stdin)) {
        fputs("frontdoor user add: give the password on standard input\n", stderr);
        return 2;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    arena *a = arena_new();
    char *lower = arena_strdup(a, email ? email : "");
    for (char *x = lower; *x; x++)
        *x = (char)tolower((unsigned char)*x);
    record u;
    record_init(&u, &user_def);
    rec_set_str(&u, "email", lower);
    rec_set_str(&u, "name", name);
    rec_set_str(&u, "role", role_s);
    rec_set_str(&u, "department", department);
    if (person_id)
        rec_set_int(&u, "person_id", person_id);
    errlist e = {.n = 0};
    record_validate(&u, 1, a, &e);
    const char *pp = password_problem(pw);
    if (pp)
        errlist_add(&e, "password", pp);
    role r = role_from_name(role_s ? role_s : "");
    if (r == ROLE_RESIDENT && !person_id)
        errlist_add(&e, "--person", "is required for a resident: their own person record");
    if (r == ROLE_BACK_OFFICE && !department)
        errlist_add(&e, "--department", "is required for back office: whose records they work on");
    record per;
    if (person_id && store_get(c, council, &person_def, person_id, a, &per) != STORE_OK)
        errlist_add(&e, "--person", "names no person");
    if (e.n) {
        int rc = cli_fail("user add", &e);
        arena_free(a);
        return rc;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (auth_hash_password(pw, hash, sizeof hash) != 0) {
        fputs("frontdoor user add: cannot hash the password (out of memory?)\n", stderr);
        arena_free(a);
        return 1;
    }
    sodium_memzero(pw, sizeof pw);
    rec_set_str(&u, "password_hash", hash);
    rec_set_int(&u, "failed_logins", 0);
    int rc = store_insert(c, council, &u);
    if (rc == STORE_OK)
        printf("user %lld created: %s (%s)\n", u.id, lower, role_s);
    else
        fprintf(stderr, "frontdoor user add: %s\n",
                rc == STORE_DUPLICATE ? "a user with this email already exists" : store_errmsg(c));
    arena_free(a);
    return rc == STORE_OK ? 0 : 2;
}

int auth_cli_token_create(store *s, long long council, const char *name, const char *role_s, const char *department,
                          const char *scopes)
{
    char err[256];
    store_conn *c = store_conn_get(s, err, sizeof err);
    if (!c) {
        fprintf(stderr, "frontdoor token create: %s\n", err);
        return 2;
    }
    arena *a = arena_new();
    char token[TOKEN_LEN], hash[65];
    auth_new_token(council, token, hash);
    record t;
    record_init(&t, &api_token_def);
    rec_set_str(&t, "name", name);
    rec_set_str(&t, "token_hash", hash);
    rec_set_str(&t, "role", role_s);
    rec_set_str(&t, "department", department);
    rec_set_str(&t, "scopes", scopes);
    errlist e = {.n = 0};
    record_validate(&t, 1, a, &e);
    if (role_from_name(role_s ? role_s : "") == ROLE_RESIDENT)
        errlist_add(&e, "--role", "a resident signs in; tokens are for systems and staff tools");
    if (e.n) {
        int rc = cli_fail("token create", &e);
        arena_free(a);
        return rc;
    }
    int rc = store_insert(c, council, &t);
    if (rc == STORE_OK)
        printf("%s\n", token);
    else
        fprintf(stderr, "frontdoor token create: %s\n", store_errmsg(c));
    arena_free(a);
    return rc == STORE_OK ? 0 : 2;
}

/* ---- a resident's own records ---- */

/* The current household of person pid, or 0. */
static long long current_household(req *q, store_conn *c, long long pid)
{
    record *ms;
    int n;
    char today[11];
    time_today(today);
    if (store_list(c, q->council, &member_def, "person_id", pid, 0, 100, q->a, &ms, &n) != STORE_OK)
        return 0;
    for (int i = 0; i < n; i++)
        if (member_current(&ms[i], today))
            return rec_int(&ms[i], "household_id");
    return 0;
}

int auth_resident_may(req *q, int own, long long id)
{
    if (own == OWN_NONE)
        return 1; /* the route's roles decide; it reaches no one else's record */
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    if (!c || !q->who.person_id)
        return 0;
    if ((own == OWN_PERSON || own == OWN_SELF) && id == q->who.person_id)
        return 1;
    if (own == OWN_REQUEST) {
        record r;
        return store_get(c, q->council, &request_def, id, q->a, &r) == STORE_OK &&
               rec_int(&r, "person_id") == q->who.person_id;
    }
    if (own == OWN_SELF)
        return 0;
    long long h = current_household(q, c, q->who.person_id);
    if (!h)
        return 0;
    if (own == OWN_HOUSEHOLD)
        return id == h;
    return own == OWN_PERSON && current_household(q, c, id) == h;
}

/* ---- the demo borough's staff ---- */

int auth_demo_accounts(store *s, long long council, FILE *out)
{
    static const struct {
        const char *role, *dept, *email;
    } who[] = {
        {"agent", NULL, "agent@demo.frontdoor.example"},
        {"back_office", "housing", "housing@demo.frontdoor.example"},
        {"back_office", "social_care", "socialcare@demo.frontdoor.example"},
        {"back_office", "parking", "parking@demo.frontdoor.example"},
        {"team_leader", NULL, "leader@demo.frontdoor.example"},
        {"manager", NULL, "manager@demo.frontdoor.example"},
        {"admin", NULL, "admin@demo.frontdoor.example"},
        {"dpo", NULL, "dpo@demo.frontdoor.example"},
        {"resident", NULL, "resident@demo.frontdoor.example"},
    };
    char err[256];
    store_conn *c = store_conn_get(s, err, sizeof err);
    if (!c) {
        fprintf(stderr, "frontdoor demo: %s\n", err);
        return -1;
    }
    /* The resident account is the first resident of this council's borough
     * (ids are not 1.. in a second council, nor always on PostgreSQL). */
    long long first_person = 0;
    {
        arena *pa = arena_new();
        record *rows;
        int n = 0;
        if (store_list(c, council, &person_def, NULL, 0, 0, 1, pa, &rows, &n) == STORE_OK && n == 1)
            first_person = rows[0].id;
        arena_free(pa);
    }
    fputs("demo accounts (passwords made now, shown once):\n", out);
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        unsigned char rnd[12];
        char pw[32], hash[crypto_pwhash_STRBYTES];
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2base64(pw, sizeof pw, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        if (auth_hash_password(pw, hash, sizeof hash) != 0)
            return -1;
        record u;
        record_init(&u, &user_def);
        rec_set_str(&u, "email", who[i].email);
        rec_set_str(&u, "role", who[i].role);
        rec_set_str(&u, "department", who[i].dept);
        rec_set_str(&u, "password_hash", hash);
        rec_set_int(&u, "failed_logins", 0);
        if (!strcmp(who[i].role, "resident") && first_person)
            rec_set_int(&u, "person_id", first_person);
        if (store_insert(c, council, &u) != STORE_OK) {
            fprintf(stderr, "frontdoor demo: %s\n", store_errmsg(c));
            return -1;
        }
        fprintf(out, "  %-36s %-24s %s\n", who[i].email, who[i].dept ? who[i].dept : who[i].role, pw);
    }
    char token[TOKEN_LEN], th[65];
    auth_new_token(council, token, th);
    record t;
    record_init(&t, &api_token_def);
    rec_set_str(&t, "name", "demo agent token");
    rec_set_str(&t, "token_hash", th);
    rec_set_str(&t, "role", "agent");
    rec_set_str(&t, "scopes", "read write");
    if (store_insert(c, council, &t) != STORE_OK) {
        fprintf(stderr, "frontdoor demo: %s\n", store_errmsg(c));
        return -1;
    }
    fprintf(out, "API token (agent, read write): %s\n", token);
    return 0;
}
