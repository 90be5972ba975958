/* html: writing pages. Escaping lives in the formatter, never at call
 * sites: %h writes a string escaped for HTML text and attributes; %s
 * writes trusted markup as it is (only for literals and output of these
 * functions); %d, %lld and %zu write numbers; %% a percent sign. */
#ifndef FD_HTML_H
#define FD_HTML_H
#include "web/http.h"

/* Appends fmt to b with the conversions above. A NULL %h or %s writes
 * nothing. Returns 0, or -1 if b is full. */
int html_printf(buf *b, const char *fmt, ...);
/* Starts a page: doctype, head (title, GOV.UK Frontend CSS), header with
 * the service name and, for a signed-in user, a sign-out form carrying
 * the CSRF token; opens <main>. */
void page_begin(req *q, resp *p, const char *title);
/* Closes <main>, the footer and the page; sets a 200 text/html answer
 * (or keeps the status already set). */
void page_end(req *q, resp *p);
/* Runs API handler h for this request and returns the JSON it answered
 * (caller decrefs), or NULL if it did not answer 200 or 201; *status gets
 * the status. How a page gets its view model from the API (design
 * principle 1). */
json_t *page_model(req *q, int (*h)(req *, resp *), int *status);
/* The string member k of object o, or NULL. */
const char *json_str(json_t *o, const char *k);
/* Answers 303 See Other to location. */
void page_redirect(resp *p, const char *location);

#endif
