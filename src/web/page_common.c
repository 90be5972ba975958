/* page_common.c: helpers shared by the pages in pages.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "web/html.h"
#include "web/pages.h"

json_t *page_call(req *q, int (*h)(req *, resp *), json_t *body, int *status)
{
    json_t *saved = q->json;
    if (body)
        q->json = body;
    resp r = {0};
    buf_init(&r.body, 16 * 1024 * 1024);
    h(q, &r);
    *status = r.status;
    json_t *j = r.body.len ? json_loadb(buf_str(&r.body), r.body.len, 0, NULL) : NULL;
    buf_free(&r.body);
    if (body) {
        json_decref(body);
        q->json = saved;
    }
    return j;
}

const char *page_urlenc(req *q, const char *s)
{
    buf enc;
    buf_init(&enc, 4096);
    for (const char *c = s ? s : ""; *c; c++)
        if (isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.')
            buf_append(&enc, c, 1);
        else
            buf_printf(&enc, "%%%02X", (unsigned char)*c);
    const char *out = arena_strdup(q->a, buf_str(&enc));
    buf_free(&enc);
    return out;
}

const char *page_problem_text(req *q, json_t *problem, const char *fallback)
{
    json_t *e0 = problem ? json_array_get(json_object_get(problem, "errors"), 0) : NULL;
    const char *msg = e0 ? json_str(e0, "message") : NULL;
    const char *field = e0 ? json_str(e0, "field") : NULL;
    if (msg && field)
        return arena_printf(q->a, "%s: %s", field, msg);
    msg = problem ? json_str(problem, "detail") : NULL;
    if (!msg && problem)
        msg = json_str(problem, "title");
    return arena_strdup(q->a, msg ? msg : fallback);
}

void page_error_summary(buf *b, json_t *problem, const char *text)
{
    html_printf(b, "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
                   "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div "
                   "class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">\n");
    json_t *errs = problem ? json_object_get(problem, "errors") : NULL;
    size_t i;
    json_t *e;
    if (json_array_size(errs))
        json_array_foreach(errs, i, e)
        {
            char id[128];
            snprintf(id, sizeof id, "%s", json_str(e, "field") ? json_str(e, "field") : "");
            for (char *c = id; *c; c++)
                if (*c == '.')
                    *c = '-';
            html_printf(b, "<li><a href=\"#%h\">%h</a></li>\n", id, json_str(e, "message"));
        }
    else
        html_printf(b, "<li>%h</li>\n", text);
    html_printf(b, "</ul></div></div></div>\n");
}

void page_success_banner(buf *b, const char *text)
{
    html_printf(b,
                "<div class=\"govuk-notification-banner govuk-notification-banner--success\" role=\"alert\" "
                "aria-labelledby=\"banner-title\" data-module=\"govuk-notification-banner\">"
                "<div class=\"govuk-notification-banner__header\"><h2 class=\"govuk-notification-banner__title\" "
                "id=\"banner-title\">Success</h2></div><div class=\"govuk-notification-banner__content\">"
                "<p class=\"govuk-notification-banner__heading\">%h</p></div></div>\n",
                text);
}

const char *page_field_error(json_t *problem, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(problem ? json_object_get(problem, "errors") : NULL, i, e)
    {
        const char *f = json_str(e, "field");
        if (f && !strcmp(f, field))
            return json_str(e, "message");
    }
    return NULL;
}
