/* master: the master record. Records from departmental systems (source
 * records) are linked to people: each is compared, the Fellegi–Sunter way
 * (core/match.h, schema core/sources.h), with every person of the council
 * (their names, date of birth, contact details, current home, and what
 * their other source records say), and
 *
 *   - at or above the link threshold: linked to that person (status linked);
 *   - else a new person is made from it (status new), and if the best
 *     candidate scored at least the review threshold an open match asks a
 *     person to decide (status review; accepting it merges the two);
 *   - records of one batch that match each other (and nobody else) make one
 *     new person between them.
 *
 * Each record keeps its system, local id, raw fields, score and the evidence
 * per field. A record is written whole or not at all; one already imported
 * (same system and local id) is left as it is, so an interrupted import is
 * resumed by running it again.
 *
 *   frontdoor import SYSTEM FILE.csv [--db FILE | --pg URL] [--council N] [--catalogue DIR]
 */
#ifndef FD_MASTER_H
#define FD_MASTER_H
#include <stddef.h>

#include "core/sources.h"
#include "store/store.h"

/* One record to link. Strings are the caller's; they must outlive the call. */
typedef struct {
    const char *local_id;
    const char *raw[SRC_NFIELDS]; /* mapped values as received (NULL: missing) */
    const char *fields_json;      /* every column as received, a JSON object */
    const char *origin;           /* "FILE:LINE", or "api" */
} master_in;

typedef enum {
    MASTER_LINKED = 0, /* linked to an existing person (or one made for an earlier record of the batch) */
    MASTER_NEW,        /* a new person was made */
    MASTER_REVIEW,     /* a new person was made, and a match opened for review */
    MASTER_ALREADY,    /* imported before: left as it was */
    MASTER_FAILED      /* not written: why in msg */
} master_outcome;

typedef struct {
    master_outcome outcome;
    long long source_record_id, person_id, match_id; /* 0 when none */
    double score;                                    /* the link's or the review's; 0 for new */
    char msg[200];
} master_out;

typedef struct {
    size_t linked, created, review, already, failed;
    size_t universe;       /* people compared against */
    size_t candidates;     /* pairs compared */
    double load_s, match_s, write_s;
    double link_s;         /* of match_s: against everyone (the rest: the batch within itself) */
} master_stats;

/* The systems of catalogue/sources.txt, read once at start-up by serve
 * (NULL until master_sources_load succeeds). */
const source_catalogue *master_sources(void);
/* Reads DIR/sources.txt into the process-wide catalogue. A missing file
 * means no systems (0); a bad one is -1 with "PATH: line N: reason" in err. */
int master_sources_load(const char *dir, char *err, size_t errlen);
/* Reads DIR/sources.txt into out (xmalloc'd; free it). As above. */
int master_sources_read(const char *dir, source_catalogue **out, char *err, size_t errlen);

/* Links in[0..n-1], records of system sys, for council: compares them with
 * everyone, decides and writes (in transactions of up to 20000 records,
 * each record whole or not at all). estimate: 1 to estimate the model from
 * this batch unless it is small (under 200 records) and a model kept from a
 * larger one exists; 0 to use the kept model whenever it came from at least
 * as many records (or 200). A model estimated here is kept for later
 * batches when it came from more records than the one kept. out[i] gets each
 * record's outcome. Returns 0, or -1 with a reason in err if the store
 * failed outside a single record (what was committed stays). */
int master_link(store_conn *c, long long council, const source_catalogue *cat, const source_system *sys,
                const master_in *in, size_t n, int estimate, master_out *out, master_stats *st, char *err,
                size_t errlen);

/* Merges person merged into person kept, inside the caller's transaction:
 * every row of every entity whose person_id is merged (memberships,
 * consents, enrolments, contacts, requests, notifications, source records,
 * matches) is re-pointed at kept, and merged is marked merged_into = kept;
 * nothing is deleted. A person_merge row lists what moved, so that
 * master_unmerge restores exactly. by: the staff user or token. *merge_id
 * gets the new merge's id. STORE_NOTFOUND if either person is missing;
 * STORE_CONFLICT if they are one, or either is merged already; else a
 * STORE_* code. */
int master_merge(store_conn *c, long long council, long long kept, long long merged, long long by, arena *a,
                 long long *merge_id);
/* Reverses merge id inside the caller's transaction: every row it moved
 * that still points at the kept person goes back, the merged person is no
 * longer merged_into, a match accepted with it is open again (its source
 * record back in review). *kept and *merged get the two people.
 * STORE_NOTFOUND if there is no such merge, STORE_CONFLICT if it was
 * reversed already. */
int master_unmerge(store_conn *c, long long council, long long id, long long by, arena *a, long long *kept,
                   long long *merged);

/* `frontdoor import`: argv[0] is "import". Exit codes: 0 all imported (or
 * already), 1 some lines skipped (each reported as FILE:LINE: reason on
 * stderr), 2 usage, unreadable file or unusable header. */
int master_cmd_import(int argc, char **argv);

#endif
