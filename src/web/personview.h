/* personview: the single view of a person, GET /api/v1/people/{id}: the
 * person, their current household with its members' names, and their home.
 *
 * The view is kept rendered, one row per person (store_view_get; migration
 * 0024), so a read is one row. Triggers clear a view in the transaction of
 * any change that alters it; a background thread renders cleared views
 * again (at start, and within a second of being woken) and stores each only
 * if nothing changed since it read the data. Until then a read renders the
 * view itself, so an answer is never older than the data. Fields of
 * sensitive categories are kept apart and added per caller; everyone the
 * view shows is audited on every read. */
#ifndef FD_PERSONVIEW_H
#define FD_PERSONVIEW_H
#include "web/http.h"

/* Renders person id's view from the data (STORE_NOTFOUND if no such
 * person); out->gen is left as it was. */
int personview_build(store_conn *c, long long council, long long id, arena *a, store_view *out);
/* 1 if v holds on date today ("YYYY-MM-DD"). */
int personview_current(const store_view *v, const char *today);
/* Answers 200 with v for q's caller (their categories), and notes for the
 * audit everyone it shows. */
void personview_answer(req *q, resp *p, const store_view *v);

/* The household as JSON with its members and their names (members' dates
 * judged on today); known, if not NULL, is a member already loaded. The
 * people shown are added to ids (arena-grown; *n counts them); the dates on
 * which the JSON changes by date alone narrow *changes_on and
 * *valid_through (arena strings, NULL: none yet). */
typedef struct {
    long long *ids;
    int n, cap;
    const char *changes_on, *valid_through;
} personview_deps;
json_t *personview_household(store_conn *c, long long council, arena *a, unsigned cats, const record *h,
                             const record *known, const char *today, personview_deps *d);

/* The background renderer for store s. */
void personview_start(store *s);
void personview_stop(void);
/* Asks the renderer to look for cleared views now. */
void personview_wake(void);

#endif
