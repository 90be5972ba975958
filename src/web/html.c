#include "web/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int html_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = 0;
    const char *run = fmt;
    for (const char *f = fmt; *f && rc == 0; f++) {
        if (*f != '%')
            continue;
        rc |= buf_append(b, run, (size_t)(f - run));
        char num[32];
        if (f[1] == 'h') {
            const char *s = va_arg(ap, const char *);
            if (s)
                rc |= buf_put_html(b, s);
            f += 1;
        } else if (f[1] == 's') {
            const char *s = va_arg(ap, const char *);
            if (s)
                rc |= buf_puts(b, s);
            f += 1;
        } else if (f[1] == 'd') {
            snprintf(num, sizeof num, "%d", va_arg(ap, int));
            rc |= buf_puts(b, num);
            f += 1;
        } else if (f[1] == 'l' && f[2] == 'l' && f[3] == 'd') {
            snprintf(num, sizeof num, "%lld", va_arg(ap, long long));
            rc |= buf_puts(b, num);
            f += 3;
        } else if (f[1] == 'z' && f[2] == 'u') {
            snprintf(num, sizeof num, "%zu", va_arg(ap, size_t));
            rc |= buf_puts(b, num);
            f += 2;
        } else if (f[1] == '%') {
            rc |= buf_puts(b, "%");
            f += 1;
        } else {
            rc |= buf_puts(b, "%");
        }
        run = f + 1;
    }
    if (rc == 0)
        rc |= buf_puts(b, run);
    va_end(ap);
    return rc ? -1 : 0;
}

void page_begin(req *q, resp *p, const char *title)
{
    buf *b = &p->body;
    buf_reset(b);
    html_printf(b,
                "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<title>%h - frontdoor</title>\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">\n"
                "<link rel=\"stylesheet\" href=\"/static/govuk-frontend.min.css\">\n</head>\n"
                "<body class=\"govuk-template__body\">\n"
                "<a href=\"#main-content\" class=\"govuk-skip-link\" data-module=\"govuk-skip-link\">Skip to main "
                "content</a>\n"
                "<header class=\"govuk-header\" data-module=\"govuk-header\">\n"
                "<div class=\"govuk-header__container govuk-width-container\">\n"
                "<div class=\"govuk-header__content\">\n"
                "<a href=\"/staff\" class=\"govuk-header__link govuk-header__service-name\">frontdoor</a>\n"
                "</div>\n</div>\n</header>\n"
                "<div class=\"govuk-width-container\">\n",
                title);
    if (q->who.kind == AUTH_SESSION)
        html_printf(b,
                    "<form method=\"post\" action=\"/staff/sign-out\" class=\"govuk-!-margin-top-2\">\n"
                    "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n"
                    "<button type=\"submit\" class=\"govuk-button govuk-button--secondary govuk-!-margin-bottom-0\" "
                    "data-module=\"govuk-button\">Sign out</button>\n</form>\n",
                    q->who.csrf);
    html_printf(b, "<main class=\"govuk-main-wrapper\" id=\"main-content\">\n");
}

void page_end(req *q, resp *p)
{
    html_printf(&p->body, "</main>\n</div>\n<footer class=\"govuk-footer\">\n<div class=\"govuk-width-container\">");
    /* Help from any page: search, and a chat with an adviser (staff: the chats waiting). */
    if (q->path && !strncmp(q->path, "/staff", 6))
        html_printf(&p->body, "<p class=\"govuk-footer__meta-custom\"><a class=\"govuk-footer__link\" "
                              "href=\"/staff/chats\">Web chats</a></p>");
    else
        html_printf(&p->body, "<p class=\"govuk-footer__meta-custom\"><a class=\"govuk-footer__link\" "
                              "href=\"/search\">Search</a> &middot; <a class=\"govuk-footer__link\" "
                              "href=\"/chat\">Chat with an adviser</a></p>");
    html_printf(&p->body, "<p class=\"govuk-footer__meta-custom\">"
                          "frontdoor: one front door for the council's residents</p></div>\n</footer>\n"
                          "</body>\n</html>\n");
    if (!p->status)
        p->status = 200;
    p->content_type = "text/html; charset=utf-8";
}

void page_redirect(resp *p, const char *location)
{
    p->status = 303;
    p->content_type = "text/html; charset=utf-8";
    buf_reset(&p->body);
    resp_header(p, "Location", location);
}

json_t *page_model(req *q, int (*h)(req *, resp *), int *status)
{
    resp r = {0};
    buf_init(&r.body, 16 * 1024 * 1024);
    h(q, &r);
    *status = r.status;
    json_t *j = r.status == 200 || r.status == 201 ? json_loadb(buf_str(&r.body), r.body.len, 0, NULL) : NULL;
    buf_free(&r.body);
    return j;
}

const char *json_str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}
