/* store_linkage.c: what linking departmental records to people reads of
 * everyone (store.h, "The master record"): only the columns the matcher
 * needs, one SQL text for both backends run through store_ops.rows. */
#include <stdio.h>

#include "store/store_int.h"

typedef struct {
    link_row_fn fn;
    void *ctx;
} link_ctx;

static int link_row(void *ctx, const char *const *text, const long long *ints)
{
    link_ctx *k = ctx;
    return k->fn(k->ctx, ints[0], text);
}

/* Runs sql (?1 the council, ?2 param if not NULL), its first ntext
 * columns text and the next an id. */
static int run(store_conn *c, long long council, const char *param, const char *sql, int ntext, link_row_fn fn,
               void *ctx)
{
    char cid[24];
    snprintf(cid, sizeof cid, "%lld", council);
    const char *params[] = {cid, param};
    link_ctx k = {fn, ctx};
    return c->ops->rows(c, sql, params, param ? 2 : 1, ntext, 1, link_row, &k);
}

int store_link_people(store_conn *c, long long council, link_row_fn fn, void *ctx)
{
    static const char *const sql =
        "SELECT given_name, family_name, CAST(date_of_birth AS TEXT), email, phone, id FROM people "
        "WHERE council_id = ?1 AND merged_into IS NULL AND erased_at IS NULL ORDER BY id";
    return run(c, council, NULL, sql, 5, fn, ctx);
}

int store_link_homes(store_conn *c, long long council, link_row_fn fn, void *ctx)
{
    static const char *const sql =
        "SELECT p.postcode, p.address_line_1, CAST(m.from_date AS TEXT), CAST(m.to_date AS TEXT), m.person_id "
        "FROM household_members m "
        "JOIN households h ON h.council_id = m.council_id AND h.id = m.household_id "
        "JOIN properties p ON p.council_id = h.council_id AND p.id = h.property_id "
        "WHERE m.council_id = ?1 ORDER BY m.id";
    return run(c, council, NULL, sql, 4, fn, ctx);
}

int store_link_sources(store_conn *c, long long council, link_row_fn fn, void *ctx)
{
    static const char *const sql = "SELECT system, fields, person_id FROM source_records "
                                   "WHERE council_id = ?1 AND person_id IS NOT NULL ORDER BY id";
    return run(c, council, NULL, sql, 2, fn, ctx);
}

int store_link_imported(store_conn *c, long long council, const char *system, link_row_fn fn, void *ctx)
{
    static const char *const sql = "SELECT local_id, id FROM source_records WHERE council_id = ?1 AND system = ?2";
    return run(c, council, system, sql, 1, fn, ctx);
}
