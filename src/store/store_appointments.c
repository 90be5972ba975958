/* store_appointments.c: how full each appointment slot is. */
#include <stdio.h>

#include "store/store_int.h"

typedef struct {
    int (*fn)(void *ctx, const char *starts_at, long long booked);
    void *ctx;
} counts_ctx;

static int row(void *ctx, const char *const *text, const long long *ints)
{
    counts_ctx *k = ctx;
    return k->fn(k->ctx, text[0], ints[0]);
}

int store_appointment_counts(store_conn *c, long long council, const char *location, const char *service,
                             const char *from, const char *to,
                             int (*fn)(void *ctx, const char *starts_at, long long booked), void *ctx)
{
    static const char *const sql =
        "SELECT starts_at, count(*) FROM appointments WHERE council_id = ?1 AND location = ?2 AND service = ?3 "
        "AND starts_at >= ?4 AND starts_at < ?5 AND seat IS NOT NULL GROUP BY starts_at ORDER BY starts_at";
    char cid[24];
    snprintf(cid, sizeof cid, "%lld", council);
    const char *params[] = {cid, location, service, from, to};
    counts_ctx k = {fn, ctx};
    return c->ops->rows(c, sql, params, 5, 1, 1, row, &k);
}
