/* slip.c: telling residents before the promised date passes that their
 * request will be late (outbox.h, outbox_slip_warnings). */
#include <string.h>

#include "base/timeutil.h"
#include "core/catalogue.h"
#include "core/entities.h"
#include "core/workdays.h"
#include "jobs/outbox.h"

enum { PAGE = 1000 };

/* 1 if request r, open, will probably miss its promised date. */
static int will_slip(const record *r, const char *today, const char *next_working_day)
{
    const char *st = rec_str(r, "status"), *pd = rec_str(r, "promised_date");
    if (!pd || rec_str(r, "slip_warned_at"))
        return 0;
    if (strncmp(r->created_at, today, 10) >= 0)
        return 0; /* made today: it has not had a working day yet */
    if (strcmp(pd, today) < 0)
        return 1; /* already late */
    return strcmp(pd, next_working_day) <= 0 && (!strcmp(st, "received") || !strcmp(st, "waiting"));
}

/* Queues the message and marks r warned, in one transaction. */
static int warn(store_conn *c, long long council, const catalogue *cat, record *r, const char *today, arena *a)
{
    const service *s = cat ? catalogue_find(cat, rec_str(r, "service")) : NULL;
    const char *svc = s ? s->name : rec_str(r, "service");
    const char *pd = rec_str(r, "promised_date");
    int late = strcmp(pd, today) < 0;
    const char *subject = arena_printf(a, "Your request %lld will be late", r->id);
    const char *body =
        late ? arena_printf(a,
                            "We are sorry: your request about %s (reference %lld) was not dealt with by %s as we "
                            "promised. We are still working on it and will tell you when it is done.",
                            svc, r->id, outbox_date_words(pd, a))
             : arena_printf(a,
                            "We are sorry: your request about %s (reference %lld) will not be dealt with by %s as we "
                            "promised. We are still working on it and will tell you when it is done.",
                            svc, r->id, outbox_date_words(pd, a));
    char now[21];
    time_now_iso(now);
    int rc = store_begin(c);
    if (rc != STORE_OK)
        return rc;
    rec_set_str(r, "slip_warned_at", arena_strdup(a, now));
    rc = store_update(c, council, r, r->version);
    if (rc == STORE_OK)
        rc = outbox_queue_request(c, council, r, subject, body, a);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK)
        store_rollback(c);
    return rc;
}

int outbox_slip_warnings(store_conn *c, long long council, const void *catv, const char *today, int *warned,
                         long long *ids, int max)
{
    static const char *const open_[] = {"received", "in_progress", "waiting"};
    const catalogue *cat = catv;
    char next[11];
    *warned = 0;
    static const holidays none = {.n = 0};
    if (workdays_add(cat ? &cat->bank_holidays : &none, today, 1, next) != 0)
        return STORE_ERROR;
    for (size_t k = 0; k < sizeof open_ / sizeof open_[0]; k++) {
        long long after = 0;
        for (;;) {
            arena *a = arena_new();
            record *rows;
            int n;
            int rc = store_list_text(c, council, &request_def, "status", open_[k], after, PAGE, a, &rows, &n);
            for (int i = 0; rc == STORE_OK && i < n; i++) {
                after = rows[i].id;
                if (!will_slip(&rows[i], today, next))
                    continue;
                rc = warn(c, council, cat, &rows[i], today, a);
                if (rc == STORE_CONFLICT) {
                    rc = STORE_OK; /* changed meanwhile (or warned by another server): next pass decides */
                    continue;
                }
                if (rc == STORE_OK) {
                    if (ids && *warned < max)
                        ids[*warned] = rows[i].id;
                    (*warned)++;
                }
            }
            arena_free(a);
            if (rc != STORE_OK)
                return rc;
            if (n < PAGE)
                break;
        }
    }
    return STORE_OK;
}
