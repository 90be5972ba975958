/* jobs: work done on the data outside a request: erasure (shared with the
 * DPO's route) and the scheduled retention job. Uses core and store only. */
#ifndef FD_JOBS_H
#define FD_JOBS_H
#include <stdio.h>

#include "core/catalogue.h"
#include "core/retention.h"
#include "store/store.h"

/* Erases person per (loaded, current version) inside the caller's open
 * transaction: every field but the id emptied, names "[erased]",
 * erased_at set; their accounts disabled, anonymised and signed out.
 * Returns a STORE_* code (STORE_CONFLICT if per changed meanwhile). */
int gdpr_erase(store_conn *c, long long council, record *per, arena *a);

typedef struct {
    long long deleted[RET_KIND_COUNT]; /* rows deleted, or people erased, per kind */
    int councils;
} retention_report;

/* Applies rules to every council as of as_of (seconds since the epoch),
 * each kind in its own transaction. Returns 0, or -1 with a one-line
 * reason in err (what was done before the failure stays done). */
int retention_run(store *s, const retention_rules *rules, long long as_of, retention_report *out, char *err,
                  size_t errlen);

/* Starts a thread that reads the rules from path and applies them now and
 * every `every` seconds until retention_stop(). A missing or bad file is
 * logged, and tried again next time. */
void retention_start(store *s, const char *path, int every);
void retention_stop(void);
/* Reads and parses the rules file. 0, or -1 with the reason in err. */
int retention_load(const char *path, retention_rules *out, char *err, size_t errlen);

/* Who is missing out, borough-wide. */
typedef struct {
    const service *s;
    long long eligible_people; /* the rule holds for them */
    long long missing_people;  /* ... and they (or, for household services, their household) do not receive it */
    long long missing_households; /* households with at least one such person */
} missing_row;

typedef struct {
    missing_row *rows; /* one per enrolment service with a rule (or only the one asked for) */
    int n;
    long long people, households; /* alive people and occupied households considered */
    double seconds;
} missing_report;

/* Decides every rule for every living person of council, reading each table
 * once. only (may be NULL) limits it to one service; csv (may be NULL) gets
 * a line per person missing out: service,person_id,household_id,given_name,
 * family_name,postcode; on_missing (may be NULL) is called for each of them too,
 * with first_in_household set for the first of their household.
 * 0, or -1 with the reason in err. */
typedef void (*missing_fn)(void *ctx, const service *s, long long person_id, long long household_id,
                           int first_in_household);
int missing_out_run(store_conn *c, long long council, const catalogue *cat, const char *only, FILE *csv,
                    missing_fn on_missing, void *ctx, missing_report *out, char *err, size_t errlen);
void missing_out_free(missing_report *r);
/* The demo borough's take-up: of the people each rule holds for, a share
 * (65% for priority 1 services down to 25% at priority 9, chosen from seed,
 * so the same each time) are enrolled, household services once per
 * household, starting up to four years before as_of (an ISO time). */
int demo_takeup(store_conn *c, long long council, const catalogue *cat, unsigned long long seed, const char *as_of,
                long long *made, char *err, size_t errlen);

#endif
