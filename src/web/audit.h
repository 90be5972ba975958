/* audit: an append-only record of every look at and change of personal data
 * (who, when, what, which record, whose data, from where, for what purpose).
 *
 * Changes are audited inside the transaction that makes them
 * (audit_write_tx), so a change is never committed without its entry.
 * Reads are queued and written by a background thread in batches, a few
 * milliseconds later (audit_queue): the answer need not wait for a disk
 * flush, and a batch costs one commit. The queue is bounded; when it is
 * full the request writes its own entries. audit_stop() writes what is
 * queued before returning. */
#ifndef FD_AUDIT_H
#define FD_AUDIT_H
#include "web/http.h"

/* Starts the writer thread for store s. */
void audit_start(store *s);
/* Writes everything queued, then stops the writer. */
void audit_stop(void);
/* Notes that this request showed or changed person id's data. */
void audit_person(req *q, long long id);
/* The same for bulk exports: past the request's own list, the entry is
 * queued at once (a report may name many thousands of people). */
void audit_person_bulk(req *q, long long id);
/* The purpose the request declared (header "Purpose"), or a default for
 * the caller's role. */
const char *audit_purpose(req *q);
/* Writes the entries for q (action from the method, unless given) inside
 * the caller's open transaction. 0 or a STORE_* error. */
int audit_write_tx(req *q, store_conn *c, const char *action, int status);
/* Queues the entries for q for the writer thread (reads, refusals). */
void audit_queue(req *q, const char *action, int status);
/* Writes one entry not tied to a person (sign-in and the like), queued. */
void audit_event(store *s, long long council, const principal *who, const char *action, const char *ip,
                 const char *where, int status, long long person_id);

#endif
