/* page_dashboard.c: /staff/dashboard, the management reports for managers,
 * team leaders and admins. Each report is the API's own answer
 * (GET /api/v1/reports/...) for the range asked: drawn as an inline SVG
 * bar chart (role="img", named by its title and description), with every
 * figure in a table beneath and a link to the same report as CSV. No
 * JavaScript. Aggregates only, so not audited, like the reports. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "web/api.h"
#include "web/html.h"
#include "web/pages.h"

typedef struct {
    const char *slug, *title, *measure, *column;
    int (*h)(req *, resp *);
} report_def;

/* Each report's chart shows one measure per row (the channels report: the
 * contacts per channel over the whole range, since that is its point). */
static const report_def reports[] = {
    {"channels", "Contacts by channel", "contacts per channel", "contacts", api_report_channels},
    {"cost", "What contacts cost", "cost of contacts in pounds", "cost_pence", api_report_cost},
    {"avoidable", "Avoidable contacts", "avoidable-contact rate", "avoidable_rate", api_report_avoidable},
    {"first-contact", "Resolved at first contact", "first-contact resolution rate", "first_contact_rate",
     api_report_first_contact},
    {"sla", "Requests done by their promised date", "on-time rate", "on_time_rate", api_report_sla},
    {"take-up", "Residents who took up other services", "residents who took up two or more other services",
     "residents", api_report_takeup},
};
enum { NREPORTS = sizeof reports / sizeof reports[0], MAX_BARS = 40 };

static int is_rate(const char *col)
{
    size_t n = strlen(col);
    return !strcmp(col, "share") || !strcmp(col, "previous_share") || !strcmp(col, "shift") ||
           (n > 5 && !strcmp(col + n - 5, "_rate"));
}

static int is_pence(const char *col)
{
    size_t n = strlen(col);
    return n > 6 && !strcmp(col + n - 6, "_pence");
}

/* One figure as people read it: 12.5%, £1,234.50, 1,234. */
static void figure(char *out, size_t n, const char *col, json_t *v)
{
    if (json_is_null(v) || !v) {
        snprintf(out, n, "none");
        return;
    }
    if (json_is_string(v)) {
        snprintf(out, n, "%s", json_string_value(v));
        return;
    }
    double d = json_number_value(v);
    if (is_rate(col)) {
        snprintf(out, n, "%.1f%%", d * 100.0);
        return;
    }
    if (is_pence(col)) {
        snprintf(out, n, "£%.2f", d / 100.0);
        return;
    }
    snprintf(out, n, "%.0f", d);
}

/* "first_contact_rate" -> "First contact rate"; the key column "month"
 * -> "Month". */
static const char *heading(req *q, const char *col)
{
    char *h = arena_strdup(q->a, col);
    for (char *c = h; *c; c++)
        if (*c == '_')
            *c = ' ';
    if (*h >= 'a' && *h <= 'z')
        *h = (char)(*h - 'a' + 'A');
    size_t n = strlen(h);
    if (n > 6 && !strcmp(h + n - 6, " pence"))
        h[n - 6] = 0;
    return h;
}

typedef struct {
    const char *label;
    double value;
    int none; /* a rate of nothing: no bar, "none" */
} bar;

/* A horizontal bar chart. Text inside an image is hidden from screen
 * readers: the title and description name it, the table has the figures. */
static void chart(req *q, buf *b, const report_def *r, const bar *bars, int n, int more, const char *desc)
{
    enum { ROW = 26, LABEL = 210, WIDTH = 640, BARW = 330 };
    double max = 0;
    for (int i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    if (is_rate(r->column) && max < 1)
        max = 1;
    int height = n * ROW + 10;
    html_printf(b,
                "<svg class=\"fd-chart\" role=\"img\" aria-labelledby=\"chart-%h-title chart-%h-desc\" "
                "viewBox=\"0 0 %d %d\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\" "
                "font-family=\"GDS Transport, arial, sans-serif\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"chart-%h-title\">%h</title>\n"
                "<desc id=\"chart-%h-desc\">%h</desc>\n",
                r->slug, r->slug, WIDTH, height, r->slug, r->title, r->slug, desc);
    for (int i = 0; i < n; i++) {
        int y = 5 + i * ROW;
        int w = max > 0 ? (int)lround(bars[i].value / max * BARW) : 0;
        char fig[64];
        json_t *v = bars[i].none ? json_null() : json_real(bars[i].value);
        figure(fig, sizeof fig, r->column, v);
        json_decref(v);
        html_printf(b,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"14\" fill=\"#0b0c0c\">%h</text>"
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"#1d70b8\"></rect>"
                    "<text x=\"%d\" y=\"%d\" font-size=\"14\" fill=\"#0b0c0c\">%h</text>\n",
                    LABEL - 8, y + 14, bars[i].label, LABEL, y, w, LABEL + w + 6, y + 14, fig);
    }
    html_printf(b, "</svg>\n");
    if (more)
        html_printf(b, "<p class=\"govuk-body-s\">The chart shows the first %d rows; the table has all %d.</p>\n",
                    n, n + more);
    (void)q;
}

/* The bars for one report's answer. */
static int bars_of(req *q, const report_def *r, json_t *m, bar *bars, int *more)
{
    json_t *rows = json_object_get(m, "rows");
    const char *by = json_str(m, "by");
    int n = 0;
    *more = 0;
    size_t i;
    json_t *row;
    if (!strcmp(r->slug, "channels") && by && strcmp(by, "channel")) {
        /* Contacts per channel over the whole range. */
        json_array_foreach(rows, i, row)
        {
            const char *ch = json_str(row, "channel");
            int k = 0;
            while (k < n && strcmp(bars[k].label, ch ? ch : "none"))
                k++;
            if (k == n) {
                if (n == MAX_BARS)
                    continue;
                bars[n++] = (bar){.label = ch ? arena_strdup(q->a, ch) : "none"};
            }
            bars[k].value += json_number_value(json_object_get(row, "contacts"));
        }
        return n;
    }
    json_array_foreach(rows, i, row)
    {
        if (n == MAX_BARS) {
            (*more)++;
            continue;
        }
        const char *key = json_str(row, by);
        if (!strcmp(r->slug, "channels"))
            key = json_str(row, "channel");
        json_t *v = json_object_get(row, r->column);
        bars[n++] = (bar){.label = key ? arena_strdup(q->a, key) : "none", .value = json_number_value(v),
                          .none = !json_is_number(v)};
    }
    return n;
}

static void table(req *q, buf *b, const report_def *r, json_t *m)
{
    json_t *cols = json_object_get(m, "columns"), *rows = json_object_get(m, "rows");
    html_printf(b,
                "<div class=\"fd-table-scroll\"><table class=\"govuk-table\"><caption class=\"govuk-table__caption "
                "govuk-table__caption--s\">%h: the figures</caption>\n<thead class=\"govuk-table__head\">"
                "<tr class=\"govuk-table__row\">",
                r->title);
    size_t i, k;
    json_t *c, *row;
    json_array_foreach(cols, k, c)
        html_printf(b, "<th scope=\"col\" class=\"govuk-table__header%s\">%h</th>",
                    k ? " govuk-table__header--numeric" : "", heading(q, json_string_value(c)));
    html_printf(b, "</tr></thead>\n<tbody class=\"govuk-table__body\">\n");
    json_array_foreach(rows, i, row)
    {
        html_printf(b, "<tr class=\"govuk-table__row\">");
        json_array_foreach(cols, k, c)
        {
            const char *col = json_string_value(c);
            char fig[128];
            figure(fig, sizeof fig, col, json_object_get(row, col));
            if (!k)
                html_printf(b, "<th scope=\"row\" class=\"govuk-table__header\">%h</th>", fig);
            else if (json_is_string(json_object_get(row, col)))
                html_printf(b, "<td class=\"govuk-table__cell\">%h</td>", fig);
            else
                html_printf(b, "<td class=\"govuk-table__cell govuk-table__cell--numeric\">%h</td>", fig);
        }
        html_printf(b, "</tr>\n");
    }
    json_t *total = json_object_get(m, "total");
    if (json_is_object(total) && json_array_size(rows) > 1) {
        html_printf(b, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">Total</th>");
        json_array_foreach(cols, k, c)
        {
            if (!k)
                continue;
            char fig[128];
            figure(fig, sizeof fig, json_string_value(c), json_object_get(total, json_string_value(c)));
            html_printf(b, "<td class=\"govuk-table__cell govuk-table__cell--numeric\"><strong>%h</strong></td>", fig);
        }
        html_printf(b, "</tr>\n");
    }
    if (!json_array_size(rows))
        html_printf(b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\" colspan=\"%zu\">Nothing "
                       "recorded in this range.</td></tr>\n",
                    json_array_size(cols));
    html_printf(b, "</tbody></table></div>\n");
}

static void range_form(buf *b, json_t *problem, const char *from, const char *to, const char *by)
{
    const char *ef = page_field_error(problem, "from"), *et = page_field_error(problem, "to"),
               *eb = page_field_error(problem, "by");
    html_printf(b, "<form method=\"get\" action=\"/staff/dashboard\" novalidate>\n<div class=\"govuk-grid-row\">\n");
    const char *names[2] = {"from", "to"}, *labels[2] = {"From", "To"}, *vals[2] = {from, to}, *errs[2] = {ef, et};
    for (int i = 0; i < 2; i++) {
        html_printf(b,
                    "<div class=\"govuk-grid-column-one-third\"><div class=\"govuk-form-group%s\">"
                    "<label class=\"govuk-label\" for=\"%s\">%s</label>"
                    "<div id=\"%s-hint\" class=\"govuk-hint\">For example, 2026-01-31</div>",
                    errs[i] ? " govuk-form-group--error" : "", names[i], labels[i], names[i]);
        if (errs[i])
            html_printf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">"
                           "Error:</span> %h</p>",
                        names[i], errs[i]);
        html_printf(b,
                    "<input class=\"govuk-input govuk-input--width-10%s\" id=\"%s\" name=\"%s\" type=\"text\" "
                    "inputmode=\"numeric\" aria-describedby=\"%s-hint%s\" value=\"%h\"></div></div>\n",
                    errs[i] ? " govuk-input--error" : "", names[i], names[i], names[i],
                    errs[i] ? (i ? " to-error" : " from-error") : "", vals[i] ? vals[i] : "");
    }
    static const char *const bys[][2] = {
        {"month", "Month"}, {"channel", "Channel"}, {"service", "Service"}, {"department", "Department"}};
    html_printf(b,
                "<div class=\"govuk-grid-column-one-third\"><div class=\"govuk-form-group%s\">"
                "<label class=\"govuk-label\" for=\"by\">One row per</label>",
                eb ? " govuk-form-group--error" : "");
    if (eb)
        html_printf(b, "<p id=\"by-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">"
                       "Error:</span> %h</p>",
                    eb);
    html_printf(b, "<select class=\"govuk-select\" id=\"by\" name=\"by\">");
    for (int i = 0; i < 4; i++)
        html_printf(b, "<option value=\"%s\"%s>%s</option>", bys[i][0],
                    by && !strcmp(by, bys[i][0]) ? " selected" : "", bys[i][1]);
    html_printf(b, "</select></div></div>\n</div>\n<button type=\"submit\" class=\"govuk-button\" "
                   "data-module=\"govuk-button\">Show the reports</button>\n</form>\n");
}

int page_dashboard(req *q, resp *p)
{
    json_t *models[NREPORTS] = {0};
    json_t *problem = NULL;
    int bad = 0;
    for (int i = 0; i < NREPORTS && !bad; i++) {
        int status;
        models[i] = page_call(q, reports[i].h, NULL, &status);
        if (status != 200) {
            problem = models[i];
            models[i] = NULL;
            bad = status;
        }
    }
    const char *from = req_query(q, "from"), *to = req_query(q, "to"), *by = req_query(q, "by");
    if (models[0]) {
        from = json_str(models[0], "from");
        to = json_str(models[0], "to");
        by = json_str(models[0], "by");
    }
    if (bad)
        p->status = bad;
    page_begin(q, p, bad ? "Error: Dashboard" : "Dashboard");
    buf *b = &p->body;
    if (bad)
        page_error_summary(b, problem, "The reports could not be made; try again");
    html_printf(b, "<h1 class=\"govuk-heading-l\">Dashboard</h1>\n");
    if (!bad)
        html_printf(b, "<p class=\"govuk-body\">From %h to %h, one row per %h. Each chart's figures are in the table "
                       "beneath it.</p>\n",
                    from, to, by);
    range_form(b, problem, from, to, by);
    if (!bad) {
        html_printf(b, "<ul class=\"govuk-list\">");
        for (int i = 0; i < NREPORTS; i++)
            html_printf(b, "<li><a class=\"govuk-link\" href=\"#report-%s\">%s</a></li>", reports[i].slug,
                        reports[i].title);
        html_printf(b, "</ul>\n");
    }
    for (int i = 0; i < NREPORTS && !bad; i++) {
        const report_def *r = &reports[i];
        html_printf(b, "<section class=\"govuk-!-margin-bottom-9\" aria-labelledby=\"report-%s\">\n"
                       "<h2 class=\"govuk-heading-m\" id=\"report-%s\">%s</h2>\n",
                    r->slug, r->slug, r->title);
        bar bars[MAX_BARS];
        int more;
        int n = bars_of(q, r, models[i], bars, &more);
        if (n)
            chart(q, b, r, bars, n, more,
                  arena_printf(q->a, "Bar chart of the %s, from %s to %s, one bar per %s. The figures are in the "
                                     "table below.",
                               r->measure, from, to,
                               !strcmp(r->slug, "channels") ? "channel" : by));
        table(q, b, r, models[i]);
        html_printf(b,
                    "<p class=\"govuk-body\"><a class=\"govuk-link\" download href=\"/api/v1/reports/%s?from=%h&amp;"
                    "to=%h&amp;by=%h&amp;format=csv\">Download %s as CSV</a></p>\n</section>\n",
                    r->slug, from, to, by, r->title);
    }
    page_end(q, p);
    for (int i = 0; i < NREPORTS; i++)
        if (models[i])
            json_decref(models[i]);
    if (problem)
        json_decref(problem);
    return 0;
}
