/* page_kb.c: site search (/search?q=), rendered from GET /api/v1/articles?q=
 * (design principle 1), working without JavaScript. */
#include <string.h>

#include "web/api_kb.h"
#include "web/html.h"

/* A signpost: someone else's job, said plainly, with where to go. */
static void signpost_panel(buf *b, json_t *s)
{
    html_printf(b,
                "<div class=\"govuk-inset-text\"><h2 class=\"govuk-heading-m\">%h</h2>\n"
                "<p class=\"govuk-body\">%h</p>\n",
                json_str(s, "title"), json_str(s, "what"));
    if (json_str(s, "phone"))
        html_printf(b, "<p class=\"govuk-body\">Phone: <strong>%h</strong></p>\n", json_str(s, "phone"));
    if (json_str(s, "url"))
        html_printf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"%h\" rel=\"noreferrer noopener\">%h</a></p>\n",
                    json_str(s, "url"), json_str(s, "url"));
    html_printf(b, "</div>\n");
}

int page_search(req *q, resp *p)
{
    const char *text = req_query(q, "q");
    int status = 0;
    json_t *m = text && *text ? page_model(q, api_articles_list, &status) : NULL;
    page_begin(q, p, text && *text ? "Search results" : "Search");
    buf *b = &p->body;
    html_printf(b,
                "<h1 class=\"govuk-heading-l\">Search</h1>\n"
                "<form method=\"get\" action=\"/search\" role=\"search\">\n<div class=\"govuk-form-group\">\n"
                "<label class=\"govuk-label\" for=\"q\">What do you need? Say it in your own words</label>\n"
                "<div id=\"q-hint\" class=\"govuk-hint\">For example: my bin was not collected</div>\n"
                "<input class=\"govuk-input\" id=\"q\" name=\"q\" type=\"search\" aria-describedby=\"q-hint\" "
                "value=\"%h\">\n</div>\n"
                "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Search</button>\n</form>\n",
                text ? text : "");
    if (text && *text) {
        json_t *sug = m ? json_object_get(m, "suggestion") : NULL;
        json_t *art = sug ? json_object_get(sug, "article") : NULL, *sp = sug ? json_object_get(sug, "signpost") : NULL;
        if (json_is_object(sp))
            signpost_panel(b, sp);
        else if (json_is_object(art)) {
            html_printf(b,
                        "<h2 class=\"govuk-heading-m\">Best match</h2>\n"
                        "<div class=\"govuk-inset-text\"><p class=\"govuk-body govuk-!-font-weight-bold\">"
                        "<a class=\"govuk-link\" href=\"%h\">%h</a></p>\n<p class=\"govuk-body\">%h</p>\n",
                        json_str(art, "page"), json_str(art, "title"), json_str(art, "what"));
            if (json_str(art, "form"))
                html_printf(b, "<a href=\"%h\" role=\"button\" draggable=\"false\" class=\"govuk-button\" "
                               "data-module=\"govuk-button\">Report it now</a>\n",
                            json_str(art, "form"));
            html_printf(b, "</div>\n");
        }
        json_t *items = m ? json_object_get(m, "items") : NULL;
        size_t n = json_array_size(items);
        html_printf(b, "<h2 class=\"govuk-heading-m\">%zu %s</h2>\n", n, n == 1 ? "result" : "results");
        if (n) {
            html_printf(b, "<ul class=\"govuk-list\">\n");
            size_t i;
            json_t *e;
            json_array_foreach(items, i, e)
            {
                const char *href = json_str(e, "page") ? json_str(e, "page") : json_str(e, "url");
                html_printf(b,
                            "<li><a class=\"govuk-link govuk-!-font-weight-bold\" href=\"%h\">%h</a>"
                            "<p class=\"govuk-body govuk-!-margin-top-1\">%h</p></li>\n",
                            href ? href : "/services", json_str(e, "title"), json_str(e, "what"));
            }
            html_printf(b, "</ul>\n");
        } else {
            html_printf(b, "<p class=\"govuk-body\">Nothing found. Try other words, browse "
                           "<a class=\"govuk-link\" href=\"/services\">all services</a>, or "
                           "<a class=\"govuk-link\" href=\"/chat\">chat with an adviser</a>.</p>\n");
        }
    }
    page_end(q, p);
    if (m)
        json_decref(m);
    return 0;
}
