/* api_int: helpers the api_*.c handlers share. Functions ending in
 * _or_fail write the error response themselves; the caller just returns. */
#ifndef FD_API_INT_H
#define FD_API_INT_H
#include "web/http.h"

/* This thread's store connection; 503 if the database cannot be reached. */
store_conn *api_conn_or_fail(req *q, resp *p);
/* Answers 500 with the connection's last error. Returns 0. */
int api_store_error_or_fail(resp *p, store_conn *c);
/* Loads record {id} of d into r; 404 if there is none. 0 if found. */
int api_load_or_fail(req *q, resp *p, store_conn *c, const entity_def *d, record *r);
/* Reads ?cursor= into *after (0 if absent); 400 if malformed. 0 if fine. */
int api_cursor_or_fail(req *q, resp *p, long long *after);

/* Loads person {id} (404 if none), notes them for the audit, and reads one
 * page (?limit, ?cursor) of def's rows whose person_id is theirs. 0, or -1
 * having answered. */
/* Before reading audit_log: ends the request's read transaction, moves
 * the read entries waiting in the audit's own file into audit_log
 * (store_audit_settle) and starts the read transaction again. */
int api_audit_settle(store_conn *c);
int api_person_rows_or_fail(req *q, resp *p, const entity_def *def, record **rows, int *n, int *limit);
/* Answers 200 with {items, next_cursor} for a page of rows (items is stolen). */
void api_page(req *q, resp *p, json_t *items, const record *rows, int n, int limit);

/* Runs fn in a transaction and writes its audit entries there; with an
 * Idempotency-Key, stores the outcome in the same transaction or replays
 * the stored one. fn fills p; any status but 201 rolls back. */
typedef int (*create_fn)(req *q, resp *p, store_conn *c);
int api_create_idempotent(req *q, resp *p, create_fn fn);

/* Logs one contact (inside the caller's transaction): who logged it and
 * its cost are filled in. A STORE_* code. */
int api_contact_log(req *q, store_conn *c, const char *channel, const char *type, const char *slug,
                    const char *reason, long long person_id, int resolved);
/* The same, linked to request request_id (0: none). */
int api_contact_log_request(req *q, store_conn *c, const char *channel, const char *type, const char *slug,
                            const char *reason, long long person_id, int resolved, long long request_id);

/* Facts about one person for the eligibility rules, read from the store as
 * it stands (inside the caller's transaction, if any): their age and needs,
 * who lives with them now (not those who have died), the home, and what
 * anyone there receives (api_services.c). NULL on a database error. */
typedef struct person_facts person_facts;
person_facts *api_facts(req *q, store_conn *c, const record *per);
/* The same as things stood on date (YYYY-MM-DD): ages, who lived there, what they received. */
person_facts *api_facts_on(req *q, store_conn *c, const record *per, const char *date);
/* 1 if service s's rule holds for them (a service without a rule: 1), with
 * the reasons (at most RULES_MAX_REASONS) in reasons[*n]. */
int api_facts_decide(req *q, const person_facts *pf, const service *s, const char **reasons, int *n);
/* 1 if they (person service) or their household (household service) receive s now. */
int api_facts_receives(const person_facts *pf, const service *s);
/* Their current household, or 0. */
long long api_facts_household(const person_facts *pf);

#endif
