#include "web/http.h"

#include <string.h>
#include <strings.h>

const char *req_query(req *q, const char *name)
{
    for (int i = 0; i < q->nquery; i++)
        if (strcmp(q->query[i].name, name) == 0)
            return q->query[i].value;
    return NULL;
}

const char *req_form(req *q, const char *name)
{
    for (int i = 0; i < q->nform; i++)
        if (strcmp(q->form[i].name, name) == 0)
            return q->form[i].value;
    return NULL;
}

void resp_header(resp *p, const char *name, const char *value)
{
    if (p->nheaders < MAX_RESP_HEADERS)
        p->headers[p->nheaders++] = (kv){name, value};
}

static int append_json(const char *s, size_t n, void *b)
{
    return buf_append(b, s, n);
}

void resp_json(resp *p, int status, const json_t *json)
{
    p->status = status;
    p->content_type = "application/json";
    buf_reset(&p->body);
    if (json_dump_callback(json, append_json, &p->body, JSON_COMPACT) != 0) {
        resp_problem(p, 500, "Response too large", "The answer exceeded the response size limit.", NULL);
        return;
    }
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

void resp_problem(resp *p, int status, const char *title, const char *detail, const errlist *errs)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("about:blank"));
    json_object_set_new(o, "title", json_string(title ? title : http_reason(status)));
    json_object_set_new(o, "status", json_integer(status));
    if (detail)
        json_object_set_new(o, "detail", json_string(detail));
    json_t *list = json_array();
    for (int i = 0; errs && i < errs->n; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "field", json_string(errs->e[i].field));
        json_object_set_new(e, "message", json_string(errs->e[i].message));
        json_array_append_new(list, e);
    }
    json_object_set_new(o, "errors", list);
    p->status = status;
    buf_reset(&p->body);
    char *s = json_dumps(o, JSON_COMPACT);
    buf_puts(&p->body, s ? s : "{}");
    free(s);
    json_decref(o);
    p->content_type = "application/problem+json";
}
