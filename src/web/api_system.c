/* api_system.c: health, metrics and the API document. */
#include "web/api.h"
#include "web/metrics.h"
#include "web/routes.h"

int api_healthz(req *q, resp *p)
{
    char err[256];
    store_conn *c = store_conn_get(q->st, err, sizeof err);
    int version = c ? store_schema_version(c) : -1;
    if (version < 0) {
        resp_problem(p, 503, "Database unavailable", c ? store_errmsg(c) : err, NULL);
        return 0;
    }
    json_t *o = json_pack("{s:s, s:s, s:i}", "status", "ok", "database", store_backend(q->st), "schema_version",
                          version);
    resp_json(p, 200, o);
    json_decref(o);
    return 0;
}

int api_metrics(req *q, resp *p)
{
    (void)q;
    p->status = 200;
    p->content_type = "text/plain; version=0.0.4";
    if (metrics_render(&p->body) != 0)
        resp_problem(p, 500, "Metrics too large", NULL, NULL);
    return 0;
}

int api_openapi(req *q, resp *p)
{
    (void)q;
    json_t *doc = routes_openapi();
    resp_json(p, 200, doc);
    json_decref(doc);
    return 0;
}
