/* route_enquiry: which service (or signpost) a free-text enquiry is about.
 *
 * "my bin wasn't collected on tuesday" -> missed-bin, confidence 0.9.
 * A BM25 scorer over each article's title, keywords (the words residents
 * use) and description, with a light English stemmer, negations kept as
 * one token ("wasn't" -> not), typo tolerance (a word the articles do not
 * use is read as the known word one edit away, two for long words) and a
 * bonus when a keyword phrase appears whole in the enquiry. The confidence
 * is a logistic function of the best score and its margin over the next,
 * fitted on the development half of tests/data/enquiries.tsv (see
 * bench/RESULTS.md). Pure: no database; built once over the kb. */
#ifndef FD_ROUTE_ENQUIRY_H
#define FD_ROUTE_ENQUIRY_H
#include <stddef.h>

#include "core/kb.h"

typedef struct router router;

typedef struct {
    const article *article; /* a service's article or a signpost */
    double score;           /* raw BM25 score (0 if nothing matched) */
    double confidence;      /* 0..1: how likely this is the right answer */
} route_hit;

enum { ROUTE_MAX_HITS = 8, ROUTE_MAX_WORDS = 64, ROUTE_WORD = 32 };

/* Builds the index over k's articles (kb_parse calls it). */
router *router_build(const kb *k);
void router_free(router *r);
/* The best articles for text, best first, at most max (<= ROUTE_MAX_HITS).
 * Returns how many matched at all (0: nothing in the text is known). The
 * first hit's confidence is calibrated; the others' are shares of it. */
int route_enquiry(const router *r, const char *text, route_hit *out, int max);
/* The words of text a search should look for: lower case, stop words
 * dropped, and a word the articles do not use replaced by the known word
 * one edit away (two for long words). Returns the count (at most max). */
int router_search_words(const router *r, const char *text, char out[][ROUTE_WORD], int max);
/* The stem of one lower-case word (as the index stores it) into out. */
void router_stem(const char *word, char out[ROUTE_WORD]);

#endif
