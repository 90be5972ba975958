/* febrl: reading FEBRL CSV text into match records. Pure: takes the text,
 * not a file.
 *
 * The format (../shared/data/febrl/README.md): a header line naming the
 * columns ("rec_id, given_name, surname, ..."), then one record a line;
 * fields separated by a comma and usually a space; spaces around a value are
 * not part of it; an empty field is a missing value; lines may end in LF or
 * CRLF and the last may have no line end at all. No quoting: a value cannot
 * hold a comma. */
#ifndef FD_FEBRL_H
#define FD_FEBRL_H
#include <stddef.h>

#include "base/arena.h"
#include "core/match.h"

/* A line that was skipped, and why. */
typedef struct {
    size_t line;   /* 1-based line number in the text (the header is line 1) */
    char msg[160]; /* e.g. "expected 11 fields, found 9" */
} febrl_problem;

enum { FEBRL_MAX_PROBLEMS = 100 }; /* problems kept; more are only counted */

typedef struct {
    match_record *rec;      /* the good lines' records, in order; id is rec_id */
    size_t n;
    size_t *line;           /* line[i]: the line rec[i] came from */
    febrl_problem *problem; /* the first FEBRL_MAX_PROBLEMS skipped lines, by line number */
    size_t nproblems;       /* how many are kept in problem[] */
    size_t nskipped;        /* lines skipped in all (may exceed nproblems) */
} febrl_data;

/* Parses text[0..len) (need not be NUL-terminated) against schema s: the
 * header's first column must be rec_id; every other column must be a field
 * of s, at most once (fields of s the header lacks are missing in every
 * record). Each later line becomes a record unless it is malformed (wrong
 * number of fields, empty rec_id, a rec_id already used, a NUL byte): then it
 * is skipped and reported with its line number. Blank lines are ignored.
 * Everything in out is allocated from a (valid until arena_free).
 * Returns 0, or -1 with a one-line reason in err if the header is not
 * usable (the text is then not read further). */
int febrl_parse(arena *a, const match_schema *s, const char *text, size_t len, febrl_data *out, char *err,
                size_t errlen);

#endif
