/* retention: how long each kind of record is kept, read from a council's
 * catalogue file (catalogue/retention.tsv). Pure: text in, rules out. */
#ifndef FD_RETENTION_H
#define FD_RETENTION_H
#include <stddef.h>

typedef enum {
    RET_SESSIONS,        /* sessions, counted from when they expired */
    RET_IDEMPOTENCY,     /* stored answers to retried POSTs */
    RET_DECEASED,        /* people, counted from their date of death: erased */
    RET_AUDIT,           /* audit entries */
    RET_KIND_COUNT
} retention_kind;

typedef struct {
    int days[RET_KIND_COUNT]; /* 0 = not set: kept for ever */
} retention_rules;

/* The file's name for kind ("sessions", ...). */
const char *retention_kind_name(retention_kind k);
/* Parses text (lines "KIND DAYS", '#' comments, blank lines). Returns 0, or
 * -1 with "line N: ..." in err for the first bad line (unknown kind, days
 * not a whole number from 1 to 36500, a kind given twice). */
int retention_parse(const char *text, retention_rules *out, char *err, size_t errlen);
/* The date (YYYY-MM-DD, into out[11]) and time (out_time[21]) `days`
 * before as_of (seconds since the epoch). */
void retention_cutoff(long long as_of, int days, char out_date[11], char out_time[21]);

#endif
