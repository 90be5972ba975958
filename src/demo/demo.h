/* demo: a synthetic inner-London borough for `frontdoor demo`.
 *
 * Generates people, properties, households and household memberships that
 * look like a real inner-London council's resident record (council blocks up
 * to 20 storeys, about 40% council rent, a diverse London mix of names and
 * languages, children, older people, accessibility needs) but describe
 * nobody: emails are @example.org / @example.com, UPRNs and postcodes are
 * made up. Everything is drawn from one seeded PRNG and a fixed "as of"
 * date, so the same seed and size give the same rows, byte for byte (apart
 * from the store's own created_at / updated_at stamps). */
#ifndef FD_DEMO_H
#define FD_DEMO_H
#include <stddef.h>

#include "core/catalogue.h"
#include "store/store.h"

/* The date the synthetic borough describes: ages, "under 18" and move-in
 * dates are relative to it, never to today (that keeps loads reproducible). */
#define DEMO_AS_OF "2026-04-01"

typedef struct {
    long long people, households, properties, members; /* rows written */
    double seconds;                                   /* wall time */
} demo_stats;

/* Generates and loads a borough of `people` residents (>= 1) for council into an
 * already-migrated store, deterministically from seed (same seed and size -> same
 * rows, byte for byte). Writes in transactions of a few thousand rows. Returns 0, or
 * -1 with a one-line reason in err.
 *
 * Roughly people / 2.3 households, each at its own property, plus about 3%
 * vacant properties. Every record passes record_validate(..., is_create=1).
 * out (may be NULL) gets the rows committed and the time taken, also on
 * failure: then the open batch is rolled back but batches already committed
 * stay. A second load for the same council fails on the first duplicate
 * UPRN. Phone numbers look like real UK mobiles (07xxx xxxxxx) and may
 * belong to someone: never point a demo store at a live SMS gateway. */
int demo_load(store_conn *c, long long council, long long people, unsigned long long seed,
              demo_stats *out, char *err, size_t errlen);

typedef struct {
    long long contacts, enrolments, requests; /* rows written */
    double seconds;
} demo_history_stats;

/* Loads three years of contacts (calendar 2009-2011) whose volumes and
 * channel mix follow Southwark's figures (src/demo/history.c has the table):
 * percent (0-100) of Southwark's 5,454,273 contacts, fewer again in
 * proportion for a borough smaller than Southwark's 290,000 people. Most
 * assisted contacts are linked to one of people residents (ids 1..people; 0
 * links none); a few of those residents take up two or three other services
 * (enrolments that ended a year later); one in ten transactions about a
 * request-kind service makes a request, resolved on time or late. Deterministic from seed; writes in
 * transactions of a few thousand rows through the store, so the report
 * rollup counts every contact. 0, or -1 with a reason in err. */
int demo_history(store_conn *c, long long council, const catalogue *cat, int percent, long long people,
                 unsigned long long seed, demo_history_stats *out, char *err, size_t errlen);

#endif
