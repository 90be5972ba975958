/* server.c: libmicrohttpd glue. Everything a route declares is enforced
 * here, before its handler runs: method, path ids, query parameters and
 * their limits, body size, content type and JSON shape. Then the handler
 * fills a resp, which is sent, logged and counted. */
#include "web/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <sys/stat.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "web/audit.h"
#include "web/personview.h"
#include "web/form.h"
#include "web/auth.h"
#include "web/metrics.h"
#include "web/routes.h"
#include "web/open311.h"
#include "web/sse.h"
#include "core/entities.h"

enum { MAX_RESPONSE = 16 * 1024 * 1024, MAX_WORKERS = 256, MAX_CONNECTIONS = 10000, LISTEN_BACKLOG = 1024 };

typedef struct {
    store *st;
    const server_opts *o;
    int log_fd; /* -1 when off */
    unsigned long in_flight;
} server;

/* ---- which council a Host names ----
 * councils.host, read at start and again when a Host is not in the map
 * (at most every HOSTS_RELOAD_NS), so a council added while serving is
 * found within seconds. */
enum { MAX_HOSTS = 1000 };
#define HOSTS_RELOAD_NS (10ULL * 1000 * 1000 * 1000)

typedef struct {
    char host[254];
    long long id;
} host_entry;

static struct {
    pthread_rwlock_t lock;
    host_entry e[MAX_HOSTS];
    int n;
    uint64_t loaded_ns;
} H = {.lock = PTHREAD_RWLOCK_INITIALIZER};

static void hosts_load(store *st)
{
    char err[256];
    store_conn *c = store_conn_get(st, err, sizeof err);
    if (!c)
        return;
    arena *a = arena_new();
    council_row *rows = arena_alloc(a, sizeof(council_row) * MAX_HOSTS);
    int n = 0;
    if (store_council_list(c, a, rows, MAX_HOSTS, &n) == STORE_OK) {
        pthread_rwlock_wrlock(&H.lock);
        H.n = 0;
        for (int i = 0; i < n; i++)
            if (rows[i].host && strlen(rows[i].host) < sizeof H.e[0].host) {
                snprintf(H.e[H.n].host, sizeof H.e[0].host, "%s", rows[i].host);
                H.e[H.n++].id = rows[i].id;
            }
        H.loaded_ns = time_mono_ns();
        pthread_rwlock_unlock(&H.lock);
    } else {
        log_warn("councils: cannot read the host names (%s)", store_errmsg(c));
    }
    arena_free(a);
}

static long long hosts_find(const char *host)
{
    long long id = 0;
    pthread_rwlock_rdlock(&H.lock);
    for (int i = 0; i < H.n && !id; i++)
        if (!strcmp(H.e[i].host, host))
            id = H.e[i].id;
    pthread_rwlock_unlock(&H.lock);
    return id;
}

/* The council the Host header names, or 0. */
static long long host_council(store *st, const char *hdr)
{
    char host[254];
    size_t n = 0;
    if (!hdr)
        return 0;
    if (hdr[0] == '[') /* an IPv6 literal names no council */
        return 0;
    for (; hdr[n] && hdr[n] != ':' && n + 1 < sizeof host; n++)
        host[n] = (char)tolower((unsigned char)hdr[n]);
    host[n] = '\0';
    if (n && host[n - 1] == '.')
        host[--n] = '\0';
    if (!n)
        return 0;
    long long id = hosts_find(host);
    if (!id) {
        pthread_rwlock_rdlock(&H.lock);
        int stale = time_mono_ns() - H.loaded_ns > HOSTS_RELOAD_NS;
        pthread_rwlock_unlock(&H.lock);
        if (stale) {
            hosts_load(st);
            id = hosts_find(host);
        }
    }
    return id;
}

/* Per request; lives from the first callback to "completed". */
typedef struct {
    arena *a;
    buf body;
    int too_large;
    uint64_t t0;
    int route;
    int status;
    size_t sent;
    const char *method, *url;
} rctx;

const char *req_header(req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_COOKIE_KIND, name);
}

static void add_common_headers(struct MHD_Response *r, const char *ctype, int cacheable)
{
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    /* Pages load only our own styles, fonts and images; answers of the
     * API load nothing. Nobody may frame either. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            strncmp(ctype, "text/html", 9) == 0
                                ? "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
                                : "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "Cache-Control", cacheable ? "public, max-age=86400" : "no-store");
}

/* Static files under /static/ and /assets/ (GOV.UK Frontend's CSS, fonts,
 * images): only plain names, never "..". 0 if answered. */
static int static_file(struct MHD_Connection *conn, rctx *x, const char *dir, enum MHD_Result *ok)
{
    const char *rel = NULL;
    if (!strncmp(x->url, "/static/", 8))
        rel = x->url + 8;
    else if (!strncmp(x->url, "/assets/", 8))
        rel = x->url + 1; /* static/assets/... */
    if (!rel || strcmp(x->method, "GET"))
        return -1;
    for (const char *c = rel; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '-' || *c == '_' || *c == '/') ||
            (c[0] == '.' && c[1] == '.'))
            return -1;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    static const char *const types[][2] = {{".css", "text/css"},       {".js", "text/javascript"},
                                           {".woff2", "font/woff2"},   {".woff", "font/woff"},
                                           {".png", "image/png"},      {".svg", "image/svg+xml"},
                                           {".ico", "image/x-icon"},   {".json", "application/json"}};
    const char *type = "application/octet-stream";
    const char *dot = strrchr(rel, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i][0]))
            type = types[i][1];
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    add_common_headers(r, type, 1);
    x->status = 200;
    x->sent = (size_t)st.st_size;
    *ok = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return 0;
}

/* Splits an urlencoded body into q->form. -1 if it has too many fields or
 * a NUL or control character. */
static int parse_form(req *q)
{
    form_field f[MAX_FORM];
    int n = form_parse(q->body, q->body_len, q->a, f, MAX_FORM);
    for (int i = 0; i < n; i++)
        q->form[i] = (kv){f[i].name, f[i].value};
    q->nform = n > 0 ? n : 0;
    return n < 0 ? -1 : 0;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, rctx *x, resp *p)
{
    if (!p->status)
        resp_problem(p, 500, "No answer", "The handler gave no answer.", NULL);
    if (p->stream && p->status == 200) {
        /* An event stream: sent by web/sse.c as events come. */
        struct MHD_Response *sr = sse_response(p->stream, conn);
        p->stream = NULL;
        add_common_headers(sr, "text/event-stream", 0);
        MHD_add_response_header(sr, "X-Accel-Buffering", "no");
        x->status = 200;
        enum MHD_Result sok = MHD_queue_response(conn, 200, sr);
        MHD_destroy_response(sr);
        return sok;
    }
    x->sent = p->body.len;
    /* The body's memory passes to libmicrohttpd, which frees it: no copy. */
    struct MHD_Response *r =
        p->body.p ? MHD_create_response_from_buffer(p->body.len, p->body.p, MHD_RESPMEM_MUST_FREE)
                  : MHD_create_response_from_buffer(0, (void *)(uintptr_t) "", MHD_RESPMEM_PERSISTENT);
    p->body.p = NULL;
    p->body.len = p->body.cap = 0;
    add_common_headers(r, p->content_type ? p->content_type : "application/json", 0);
    for (int i = 0; i < p->nheaders; i++)
        MHD_add_response_header(r, p->headers[i].name, p->headers[i].value);
    x->status = p->status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)p->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* The client's address as text into host. */
static void client_ip(struct MHD_Connection *conn, char host[INET6_ADDRSTRLEN])
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(host, INET6_ADDRSTRLEN, "-");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) {
            /* By hand: inet_ntop formats through sprintf, on every request. */
            const unsigned char *b = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
            char *o = host;
            for (int i = 0; i < 4; i++) {
                unsigned v = b[i];
                if (v >= 100)
                    *o++ = (char)('0' + v / 100);
                if (v >= 10)
                    *o++ = (char)('0' + v / 10 % 10);
                *o++ = (char)('0' + v % 10);
                *o++ = i < 3 ? '.' : '\0';
            }
        } else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, host, INET6_ADDRSTRLEN);
    }
}

/* Collected query parameters, checked against the route's declaration. */
typedef struct {
    req *q;
    errlist *errs;
} qctx;

static enum MHD_Result on_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    qctx *c = cls;
    const query_def *d = c->q->route->query;
    for (; d && d->name; d++)
        if (strcmp(d->name, key) == 0)
            break;
    const char *field = arena_strdup(c->q->a, key);
    if (!d || !d->name) {
        errlist_add(c->errs, field, "is not a parameter of this route");
        return MHD_YES;
    }
    value = value ? value : "";
    if (d->is_int) {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (*value == '\0' || *end != '\0' || errno || v < d->min || v > d->max) {
            errlist_add(c->errs, field, arena_printf(c->q->a, "must be a whole number from %lld to %lld", d->min, d->max));
            return MHD_YES;
        }
    } else if ((long long)strlen(value) > d->max) {
        errlist_add(c->errs, field, arena_printf(c->q->a, "must be at most %lld characters", d->max));
        return MHD_YES;
    }
    if (c->q->nquery < MAX_QUERY)
        c->q->query[c->q->nquery++] = (kv){d->name, arena_strdup(c->q->a, value)};
    return MHD_YES;
}

static int json_content_type(const char *ct)
{
    if (!ct)
        return 0;
    size_t n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ')
        n--;
    return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
           (n == 28 && strncasecmp(ct, "application/merge-patch+json", 28) == 0);
}

/* Checks the request against its route and runs the handler. */
static void dispatch_route(server *sv, struct MHD_Connection *conn, rctx *x, req *q, resp *p)
{
    const char *allow = NULL;
    int ri = routes_match(x->method, x->url, q->path_id, &q->npath, &q->path_slug, x->a, &allow);
    x->route = ri;
    if (ri == -1) {
        resp_problem(p, 404, "Not found", arena_printf(x->a, "Nothing is at %s.", x->url), NULL);
        return;
    }
    if (ri == -2) {
        resp_problem(p, 405, "Method not allowed", arena_printf(x->a, "%s takes %s.", x->url, allow), NULL);
        resp_header(p, "Allow", allow);
        return;
    }
    const route *rt = &fd_routes[ri];
    q->route = rt;
    /* A form carries its CSRF token in the body: decode it before the
     * checks (a malformed one is refused below, after them). */
    int form_rc = 0;
    const char *fct = req_header(q, "Content-Type");
    if (rt->body == BODY_FORM && fct && !strncasecmp(fct, "application/x-www-form-urlencoded", 33))
        form_rc = parse_form(q);
    int authrc = auth_resolve(q);
    if (rt->roles) {
        if (authrc != 0 || q->who.kind == AUTH_NONE) {
            resp_problem(p, 401, "Sign in first",
                         authrc ? "The session or token is not valid (expired, signed out or revoked)."
                                : "This needs a signed-in session or an API token.",
                         NULL);
            resp_header(p, "WWW-Authenticate", "Bearer realm=\"frontdoor\"");
            return;
        }
        const char *why = NULL;
        if (!(rt->roles & R(q->who.role)))
            why = arena_printf(x->a, "The %s role may not do this.", role_name(q->who.role));
        else if (!auth_scope_ok(q))
            why = arena_printf(x->a, "This API token lacks the '%s' scope.",
                               !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD") ? "read" : "write");
        else if (!auth_csrf_ok(q))
            why = "The X-CSRF-Token header is missing or does not match this session.";
        else if (q->who.role == ROLE_RESIDENT && !auth_resident_may(q, rt->own, q->npath ? q->path_id[0] : 0))
            why = "A resident may see only their own household's records.";
        if (why) {
            resp_problem(p, 403, "Not allowed", why, NULL);
            if (rt->audited) {
                if (rt->entity == &person_def && q->npath)
                    audit_person(q, q->path_id[0]);
                audit_queue(q, "denied", 403);
            }
            return;
        }
    }
    errlist errs = {.n = 0};
    qctx qc = {q, &errs};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query, &qc);
    if (errs.n) {
        resp_problem(p, 400, "Bad query parameter", NULL, &errs);
        return;
    }
    if (rt->body == BODY_JSON) {
        if (!json_content_type(req_header(q, "Content-Type"))) {
            resp_problem(p, 415, "Unsupported media type", "Send the body as Content-Type: application/json.", NULL);
            return;
        }
        json_error_t je;
        q->json = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &je);
        if (!q->json) {
            resp_problem(p, 400, "Malformed JSON",
                         arena_printf(x->a, "line %d, column %d: %s", je.line, je.column, je.text), NULL);
            return;
        }
        if (!json_is_object(q->json)) {
            resp_problem(p, 400, "Malformed JSON", "The body must be a JSON object.", NULL);
            return;
        }
    } else if (rt->body == BODY_FORM) {
        const char *ct = req_header(q, "Content-Type");
        if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
            resp_problem(p, 415, "Unsupported media type", "Send the form as application/x-www-form-urlencoded.",
                         NULL);
            return;
        }
        if (form_rc != 0) {
            resp_problem(p, 400, "Malformed form", "Too many fields, or characters a form cannot hold.", NULL);
            return;
        }
    } else if (q->body_len) {
        resp_problem(p, 400, "Unexpected body", arena_printf(x->a, "%s %s takes no body.", rt->method, rt->path), NULL);
        return;
    }
    (void)sv;
    rt->handler(q, p);
}

/* A read (GET, HEAD) runs in one read transaction, from checking who asks
 * to the answer: one snapshot, one lock. */
static void dispatch(server *sv, struct MHD_Connection *conn, rctx *x, req *q, resp *p)
{
    char err[256];
    store_conn *rc = NULL;
    if (!strcmp(q->method, "GET") || !strcmp(q->method, "HEAD")) {
        rc = store_conn_read(q->st, err, sizeof err);
    }
    dispatch_route(sv, conn, x, q, p);
    if (rc)
        store_end_read(rc); /* SQLite: may stay open for the next read, if nothing is committed meanwhile */
    /* After the commit: with the queue full, the entries are written here. */
    if (q->route && q->route->audited && !q->audited && p->status && p->status < 400)
        audit_queue(q, NULL, p->status);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    server *sv = cls;
    rctx *x = *con_cls;
    if (!x) {
        /* First call: headers only. Answering now would make libmicrohttpd
         * 0.9.75 close the connection, so wait for the second call. */
        x = xcalloc(1, sizeof *x);
        x->a = arena_new();
        x->t0 = time_mono_ns();
        x->route = -1;
        x->method = method;
        x->url = arena_strdup(x->a, url);
        buf_init(&x->body, sv->o->max_body);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > sv->o->max_body)
            x->too_large = 1;
        __atomic_fetch_add(&sv->in_flight, 1, __ATOMIC_SEQ_CST);
        *con_cls = x;
        if (!x->too_large)
            return MHD_YES;
        /* A declared length over the limit: answer at once and read none of
         * it (libmicrohttpd then closes the connection, as it should). */
    } else if (*upload_data_size) {
        /* Chunked bodies have no declared length: keep what fits, drop the
         * rest, and answer 413 once the body has ended. */
        if (!x->too_large && buf_append(&x->body, upload_data, *upload_data_size) != 0)
            x->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    resp p = {0};
    enum MHD_Result ok_static = MHD_NO;
    buf_init(&p.body, MAX_RESPONSE);
    if (x->too_large) {
        resp_problem(&p, 413, "Request too large",
                     arena_printf(x->a, "The body may be at most %zu bytes.", sv->o->max_body), NULL);
        enum MHD_Result ok = send_resp(conn, x, &p);
        buf_free(&p.body);
        return ok;
    }
    if (static_file(conn, x, sv->o->static_dir, &ok_static) == 0) {
        buf_free(&p.body);
        return ok_static;
    }
    /* Zeroed but for the audit's list of people (8 kB), which is read only
     * up to naudit. */
    req q;
    memset(&q, 0, offsetof(req, audit_people));
    q.naudit = 0;
    q.audited = 0;
    q.method = method;
    q.path = x->url;
    q.a = x->a;
    q.st = sv->st;
    q.cat = sv->o->cat;
    q.host_council = host_council(sv->st, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host"));
    q.council = q.host_council ? q.host_council : sv->o->default_council > 0 ? sv->o->default_council : 1;
    q.body = buf_str(&x->body);
    q.body_len = x->body.len;
    q.conn = conn;
    char ip[INET6_ADDRSTRLEN];
    client_ip(conn, ip);
    q.ip = ip;
    dispatch(sv, conn, x, &q, &p);
    open311_finish(&q, &p); /* Open311's own error bodies under /open311/ */
    enum MHD_Result ok = send_resp(conn, x, &p);
    buf_free(&p.body);
    if (q.json)
        json_decref(q.json);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    server *sv = cls;
    rctx *x = *con_cls;
    if (!x)
        return;
    double secs = (double)(time_mono_ns() - x->t0) / 1e9;
    if (x->status)
        metrics_observe(x->route, x->status, secs);
    if (sv->log_fd >= 0) {
        char host[INET6_ADDRSTRLEN];
        client_ip(conn, host);
        char ts[21], line[2048];
        time_now_iso(ts);
        int n = snprintf(line, sizeof line, "%s %s \"%s %.1500s\" %d %zu %.6f\n", ts, host, x->method, x->url,
                         x->status ? x->status : 499, x->sent, secs);
        if (n > 0) {
            ssize_t w = write(sv->log_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
            (void)w;
        }
    }
    buf_free(&x->body);
    arena_free(x->a);
    free(x);
    *con_cls = NULL;
    __atomic_fetch_sub(&sv->in_flight, 1, __ATOMIC_SEQ_CST);
}

/* Parses "HOST:PORT", "[V6]:PORT" or "PORT" into ss. 0 on success. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256] = "127.0.0.1";
    const char *port = s;
    if (s[0] == '[') {
        const char *e = strchr(s, ']');
        if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, (size_t)(e - s - 1));
        host[e - s - 1] = '\0';
        port = e + 2;
    } else if (strchr(s, ':')) {
        const char *c = strrchr(s, ':');
        if ((size_t)(c - s) >= sizeof host)
            return -1;
        memcpy(host, s, (size_t)(c - s));
        host[c - s] = '\0';
        port = c + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || p < 0 || p > 65535)
        return -1;
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* A listening socket on ss, shared with the others of this process
 * (SO_REUSEPORT) when reuse is set. -1 with errno on failure. */
static int listen_on(const struct sockaddr_storage *ss, socklen_t len, int reuse)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
        bind(fd, (const struct sockaddr *)ss, len) != 0 || (reuse && listen(fd, LISTEN_BACKLOG) != 0)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)(const void *)ss)->sin_port)
                                    : ntohs(((const struct sockaddr_in6 *)(const void *)ss)->sin6_port);
}

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)(void *)ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons((uint16_t)port);
}

/* n listening sockets on ss's address and port, one per worker; *port is
 * the port (the kernel's choice for port 0). A port taken by anyone else,
 * another frontdoor included, is EADDRINUSE: a named port is first bound
 * alone, without SO_REUSEPORT, which fails if any socket holds it (a port
 * the kernel picks is never one held by sockets sharing it). 0 on success;
 * -1 with errno, and nothing left open, on failure. */
static int open_listeners(struct sockaddr_storage *ss, socklen_t len, int *fds, int n, unsigned *port)
{
    if (port_of(ss) != 0) {
        int probe = listen_on(ss, len, 0);
        if (probe < 0)
            return -1;
        close(probe);
    }
    for (int i = 0; i < n; i++) {
        fds[i] = listen_on(ss, len, 1);
        if (fds[i] < 0) {
            int e = errno;
            for (int j = 0; j < i; j++)
                close(fds[j]);
            errno = e;
            return -1;
        }
        if (i == 0) {
            struct sockaddr_storage got;
            socklen_t gl = sizeof got;
            if (getsockname(fds[0], (struct sockaddr *)&got, &gl) != 0) {
                int e = errno;
                close(fds[0]);
                errno = e;
                return -1;
            }
            set_port(ss, port_of(&got));
        }
    }
    *port = port_of(ss);
    return 0;
}

/* Stops what server_run started before it could serve; exit code 2. */
static int give_up(server *sv)
{
    sse_stop();
    personview_stop();
    audit_stop();
    if (sv->log_fd > STDOUT_FILENO)
        close(sv->log_fd);
    return 2;
}

int server_run(store *st, const server_opts *o)
{
    server sv = {.st = st, .o = o, .log_fd = -1};
    hosts_load(st);
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (parse_listen(o->listen, &ss, &sslen) != 0) {
        fprintf(stderr, "frontdoor: --listen %s: expected HOST:PORT with a numeric host, e.g. 127.0.0.1:8080\n",
                o->listen);
        return 2;
    }
    if (strcmp(o->access_log, "off") == 0)
        sv.log_fd = -1;
    else if (strcmp(o->access_log, "-") == 0)
        sv.log_fd = STDOUT_FILENO;
    else if ((sv.log_fd = open(o->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)) < 0) {
        fprintf(stderr, "frontdoor: --access-log %s: %s\n", o->access_log, strerror(errno));
        return 2;
    }
    int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;

    /* Signals are taken by this thread alone (sigwait below). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    audit_start(st);
    personview_start(st);
    sse_start();
    /* One libmicrohttpd daemon per worker thread, each with a listening
     * socket of its own on the same port (SO_REUSEPORT), so the kernel
     * deals new connections among the workers by their addresses. With one
     * socket watched by a pool, the worker that woke first took a burst of
     * connections (up to ten at a time) and a client that opened all its
     * connections at once could leave a core idle for as long as they lived
     * (wrk's 32: 23,000 instead of 36,000 views a second). */
    int lfds[MAX_WORKERS];
    unsigned port = 0;
    if (threads > MAX_WORKERS)
        threads = MAX_WORKERS;
    if (open_listeners(&ss, sslen, lfds, threads, &port) != 0) {
        fprintf(stderr, "frontdoor: cannot listen on %s (%s)\n", o->listen,
                errno == EADDRINUSE ? "the port is in use" : errno == EADDRNOTAVAIL ? "not an address of this machine"
                                                                                 : strerror(errno));
        return give_up(&sv);
    }
    struct MHD_Daemon *d[MAX_WORKERS];
    int nd = 0;
    for (; nd < threads; nd++) {
        d[nd] = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                MHD_ALLOW_SUSPEND_RESUME | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
            0, NULL, NULL, on_request, &sv, MHD_OPTION_LISTEN_SOCKET, lfds[nd], MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)o->timeout_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &sv, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)(MAX_CONNECTIONS / threads),
            /* Each connection's memory stays libmicrohttpd's 32 kB (headers up
             * to about 15 kB). 16 kB saved about 1% of a request (it zeroes all
             * of it after each one) but refused headers over about 7 kB, and
             * 0.9.75 sends its 431 answer's head twice, which clients cannot
             * parse. */
            MHD_OPTION_END);
        if (!d[nd])
            break;
    }
    if (nd < threads) {
        fprintf(stderr, "frontdoor: cannot start the HTTP server on %s\n", o->listen);
        for (int i = 0; i < nd; i++)
            MHD_stop_daemon(d[i]); /* closes the socket it was given */
        for (int i = nd; i < threads; i++)
            close(lfds[i]);
        return give_up(&sv);
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, host, sizeof host);
    else
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, host, sizeof host);
    fprintf(stderr, ss.ss_family == AF_INET ? "listening on http://%s:%u\n" : "listening on http://[%s]:%u\n", host,
            port);
    fflush(stderr);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: finishing requests in flight", sig);
    for (int i = 0; i < nd; i++) {
        MHD_socket lfd = MHD_quiesce_daemon(d[i]);
        if (lfd != MHD_INVALID_SOCKET)
            close(lfd);
    }
    sse_stop(); /* event streams end now; suspended ones are resumed to end */
    for (int i = 0; i < 3000 && __atomic_load_n(&sv.in_flight, __ATOMIC_SEQ_CST) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < nd; i++)
        MHD_stop_daemon(d[i]);
    personview_stop();
    audit_stop();
    if (sv.log_fd > STDOUT_FILENO)
        close(sv.log_fd);
    log_info("stopped");
    return 0;
}
