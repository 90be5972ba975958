/* search: finding a resident from what a caller says: names (typos and
 * nicknames tolerated), a date of birth, a phone number or an email.
 * Pure: splits the query into terms and scores candidate people; the store
 * proposes the candidates (store_search). */
#ifndef FD_SEARCH_H
#define FD_SEARCH_H
#include "core/record.h"

enum { SEARCH_MAX_TERMS = 8 };

typedef enum { TERM_NAME, TERM_DATE, TERM_PHONE, TERM_EMAIL } term_kind;

typedef struct {
    term_kind kind;
    char text[64]; /* lower case; a date as YYYY-MM-DD; a phone as digits */
} search_term;

/* Splits q into at most SEARCH_MAX_TERMS terms. Dates may be written
 * YYYY-MM-DD or DD/MM/YYYY; phones are 6 or more digits (spaces and + are
 * dropped); an email has an @. Returns the count (0 if nothing usable). */
int search_terms(const char *q, search_term *out);
/* How well person p answers the terms: each name term scores its best
 * Jaro-Winkler similarity (a nickname counts 0.9) against the person's
 * names if at least 0.8; a matching date of birth (or the same with day and
 * month swapped, less), phone or email scores more. 0 if a name term
 * matches no name at all. */
double search_score(const record *p, const search_term *t, int n);

#endif
