/* store_views.c: the single view of a person kept rendered (store.h,
 * store_view_get; migration 0024). One SQL text serves both backends. */
#include <stdio.h>

#include "store/store_int.h"

typedef struct {
    arena *a;
    store_view *out;
    int found;
} get_ctx;

static int got(void *ctx, const char *const *text, const long long *ints)
{
    get_ctx *k = ctx;
    store_view *v = k->out;
    v->body = arena_strdup(k->a, text[0]);
    v->sensitive = arena_strdup(k->a, text[1]);
    v->etag = arena_strdup(k->a, text[2]);
    v->shown = arena_strdup(k->a, text[3]);
    v->changes_on = arena_strdup(k->a, text[4]);
    v->valid_through = arena_strdup(k->a, text[5]);
    v->gen = ints[0];
    k->found = 1;
    return 1; /* one row */
}

int store_view_get(store_conn *c, long long council, long long person_id, arena *a, store_view *out)
{
    static const char *const sql = "SELECT body, sensitive, etag, shown, changes_on, valid_through, gen "
                                   "FROM person_view WHERE council_id = ?1 AND person_id = ?2";
    char cid[24], pid[24];
    snprintf(cid, sizeof cid, "%lld", council);
    snprintf(pid, sizeof pid, "%lld", person_id);
    const char *params[] = {cid, pid};
    get_ctx k = {a, out, 0};
    int rc = c->ops->rows(c, sql, params, 2, 6, 1, got, &k);
    if (rc < 0)
        return rc;
    return k.found ? STORE_OK : STORE_NOTFOUND;
}

int store_view_put(store_conn *c, long long council, long long person_id, const store_view *v, int *stored)
{
    static const char *const sql =
        "UPDATE person_view SET body = ?3, sensitive = ?4, etag = ?5, shown = ?6, changes_on = ?7, "
        "valid_through = ?8 WHERE council_id = ?1 AND person_id = ?2 AND gen = ?9 AND body IS NULL";
    char cid[24], pid[24], gen[24];
    snprintf(cid, sizeof cid, "%lld", council);
    snprintf(pid, sizeof pid, "%lld", person_id);
    snprintf(gen, sizeof gen, "%lld", v->gen);
    const char *params[] = {cid, pid, v->body, v->sensitive, v->etag, v->shown, v->changes_on, v->valid_through, gen};
    long long n = 0;
    int rc = c->ops->exec_params(c, sql, params, 9, &n);
    if (stored)
        *stored = rc == STORE_OK && n > 0;
    return rc;
}

typedef struct {
    long long *councils, *persons, *gens;
    int max, n;
} stale_ctx;

static int stale_row(void *ctx, const char *const *text, const long long *ints)
{
    (void)text;
    stale_ctx *k = ctx;
    if (k->n >= k->max)
        return 1;
    k->councils[k->n] = ints[0];
    k->persons[k->n] = ints[1];
    k->gens[k->n] = ints[2];
    k->n++;
    return 0;
}

int store_view_stale(store_conn *c, long long after_council, long long after_person, int max, long long *councils,
                     long long *persons, long long *gens, int *n)
{
    static const char *const sql =
        "SELECT council_id, person_id, gen FROM person_view WHERE body IS NULL "
        "AND (council_id, person_id) > (CAST(?1 AS BIGINT), CAST(?2 AS BIGINT)) "
        "ORDER BY council_id, person_id LIMIT CAST(?3 AS BIGINT)";
    char ac[24], ap[24], lim[24];
    snprintf(ac, sizeof ac, "%lld", after_council);
    snprintf(ap, sizeof ap, "%lld", after_person);
    snprintf(lim, sizeof lim, "%d", max);
    const char *params[] = {ac, ap, lim};
    stale_ctx k = {councils, persons, gens, max, 0};
    int rc = c->ops->rows(c, sql, params, 3, 0, 3, stale_row, &k);
    *n = k.n;
    return rc < 0 ? rc : STORE_OK;
}

int store_view_expire(store_conn *c, const char *today)
{
    static const char *const sql = "UPDATE person_view SET gen = gen + 1, body = NULL WHERE body IS NOT NULL "
                                   "AND (changes_on <= ?1 OR valid_through < ?1)";
    const char *params[] = {today};
    int rc = store_begin(c);
    if (rc == STORE_OK)
        rc = c->ops->exec_params(c, sql, params, 1, NULL);
    if (rc == STORE_OK)
        return store_commit(c);
    store_rollback(c);
    return rc;
}
