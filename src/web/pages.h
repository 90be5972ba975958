/* pages: the screens added for issue #8 (the dashboard, the single view's
 * actions, the team queue, the resident's sign-up, appointments, life
 * events and e-forms), and the small helpers they share. Like every page,
 * each renders the view model the API's own handler answers. */
#ifndef FD_PAGES_H
#define FD_PAGES_H
#include "web/http.h"

/* ---- helpers (page_common.c) ---- */

/* Runs API handler h with body (stolen; may be NULL) as q->json and
 * returns what it answered, parsed, whatever the status (a problem too),
 * or NULL if the answer was not JSON. *status gets the status. q->json is
 * restored. */
json_t *page_call(req *q, int (*h)(req *, resp *), json_t *body, int *status);
/* s percent-encoded for a query string, in q's arena. */
const char *page_urlenc(req *q, const char *s);
/* The first message of a problem answer (its first error, else its
 * detail), or fallback. In q's arena. */
const char *page_problem_text(req *q, json_t *problem, const char *fallback);
/* A GOV.UK error summary: each error of problem (field, message) as a link
 * to #field; or one line, text, when problem has none. */
void page_error_summary(buf *b, json_t *problem, const char *text);
/* A green "Success" banner saying text. */
void page_success_banner(buf *b, const char *text);
/* The message for field in problem, or NULL. */
const char *page_field_error(json_t *problem, const char *field);

/* ---- page_dashboard.c ---- */
int page_dashboard(req *q, resp *p);

/* ---- page_actions.c: the single view's actions and the team queue ---- */
/* The single view's banner (?done=) and its appointments, actions and
 * contact form (called by page_person). */
void page_person_banner(req *q, buf *b);
void page_person_actions(req *q, buf *b, long long pid);
int page_person_contact(req *q, resp *p);
int page_life_event_new(req *q, resp *p);
int page_life_event_preview(req *q, resp *p);
int page_life_event_apply(req *q, resp *p);
int page_appointment_new(req *q, resp *p);
int page_appointment_book(req *q, resp *p);
int page_queue(req *q, resp *p);
int page_task_claim(req *q, resp *p);
int page_task_complete(req *q, resp *p);
int page_search_js(req *q, resp *p);
/* The review queue for uncertain matches: compare, merge or keep apart. */
int page_review(req *q, resp *p);
int page_review_accept(req *q, resp *p);
int page_review_reject(req *q, resp *p);
/* Choosing an appointment: the service, then a free slot (?service, ?from,
 * ?error); the form posts slot ("location|starts_at") and service to
 * action. self is the page, for its own links. */
void page_appointment_picker(req *q, buf *b, const char *action, const char *self);
/* {person_id, service, location, starts_at} from that form. */
json_t *page_appointment_body(req *q, long long pid);

/* The resident's appointments: list, cancel, book (page_actions.c). */
int page_account_appointments(req *q, resp *p);
int page_account_appointment_book(req *q, resp *p);
int page_account_appointment_cancel(req *q, resp *p);

/* ---- page_account.c: signing up ---- */
int page_signup(req *q, resp *p);
int page_signup_post(req *q, resp *p);
int page_verify(req *q, resp *p);
int page_verify_post(req *q, resp *p);
/* Applying through a service's e-form (its fields in services.txt). */
int page_apply_list(req *q, resp *p);
int page_apply(req *q, resp *p);
int page_apply_post(req *q, resp *p);
/* /account for a resident whose account is linked to no record. */
int page_account_unlinked(req *q, resp *p);

#endif
