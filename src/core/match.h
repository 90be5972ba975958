/* match: record linkage, the Fellegi–Sunter way. Pure: records in, scored
 * pairs and the evidence for each out; no files, SQL or HTTP here.
 *
 * A schema names the fields of a record (given_name, postcode ...) and says
 * how each is compared (a person's name, free text, a code, a date) and how
 * candidate pairs are found (blocking rules, whose union is compared).
 * Comparing two records gives each field a level (exact, one edit, Jaro–
 * Winkler above a band, same sound, day and month swapped ... or different);
 * a level agreed by true matches m times as often as by random pairs u
 * weighs log2(m/u). m and u are estimated without labels: u from random
 * pairs (the exact level from value frequencies), m by expectation-
 * maximisation over the blocked candidate pairs (one session per blocking
 * rule, without the fields that rule blocks on, since its pairs agree on
 * those by construction). An exact agreement on a name weighs by how rare
 * the name is (term-frequency adjustment). A pair's score is the sum
 * of its fields' weights (a log2 Bayes factor); at or above the link
 * threshold the two records are one, between the review and link thresholds
 * a person should look, below it they are different.
 *
 * The person and property nouns map onto this by declaring a schema of
 * their own; match_schema_febrl() is the one for the FEBRL benchmark
 * columns. */
#ifndef FD_MATCH_H
#define FD_MATCH_H
#include <stddef.h>

enum {
    MATCH_MAX_FIELDS = 16,    /* fields per record */
    MATCH_MAX_LEVELS = 6,     /* comparison levels per field (not counting null) */
    MATCH_MAX_RULES = 16,     /* blocking rules per schema */
    MATCH_MAX_KEY_PARTS = 3,  /* parts of one blocking key */
    MATCH_LEVEL_NULL = -1,    /* the level of a field missing in either record */
    MATCH_MAX_THREADS = 16    /* threads a run uses at most */
};

/* The link threshold used when none is given: a log2 Bayes factor of 12,
 * i.e. the evidence makes "same person" 4096 times likelier than it was
 * before looking. Written down before the first measurement on FEBRL and
 * not changed since; the same for every data set (bench/RESULTS.md). */
#define MATCH_DEFAULT_LINK 12.0
/* The review threshold used when none is given. */
#define MATCH_DEFAULT_REVIEW 4.0

/* How a field is compared. The levels of each kind, strongest last, are
 * listed by match_level_name(). */
typedef enum {
    MATCH_NAME,  /* a person's name: different, similar (Jaro–Winkler >= 0.80 or the same
                    Soundex or NYSIIS code), jw88, near (one edit or JW >= 0.94),
                    nickname (Bill/William), exact */
    MATCH_TEXT,  /* free text (an address line, a town): different, jw80, jw90,
                    two edits, one edit, exact */
    MATCH_CODE,  /* a code or number: different, one edit, exact */
    MATCH_DATE,  /* a date as digits YYYYMMDD (punctuation ignored): different, same year,
                    two edits, one edit, day and month swapped, exact */
    MATCH_EXACT  /* agrees or not: different, exact */
} match_kind;

/* One field of a schema. */
typedef struct {
    const char *name; /* column name, e.g. "given_name" */
    match_kind kind;
    int swap;         /* index of the field its value may have been entered in instead
                         (given name and surname, two address lines), or -1 */
    int tf;           /* nonzero: weigh an exact agreement by how rare the value is
                         (term-frequency adjustment) */
    int group;        /* fields with one nonzero group are correlated (postcode, town,
                         county): when a blocking rule blocks on one, estimating m over
                         that rule's pairs leaves them all out. 0: none */
} match_field;

/* How one part of a blocking key is made from a field's value. */
typedef enum {
    MATCH_KEY_VALUE,   /* the normalised value */
    MATCH_KEY_SOUNDEX, /* its Soundex code */
    MATCH_KEY_PREFIX,  /* its first len characters (fewer if shorter) */
    MATCH_KEY_YEAR     /* the first four digits (a date's year) */
} match_key_kind;

typedef struct {
    int field;           /* index into the schema's fields */
    match_key_kind kind;
    int len;             /* MATCH_KEY_PREFIX: characters kept */
} match_key_part;

/* A blocking rule: two records are compared if their keys are equal. A
 * record has no key if a part's value is missing. A part on a field with a
 * swap partner also makes a second key with every such field replaced by
 * its partner, so records with given name and surname swapped still meet. */
typedef struct {
    const char *name; /* for reports, e.g. "soundex(surname)+year" */
    int nparts;
    match_key_part part[MATCH_MAX_KEY_PARTS];
    unsigned unless;  /* bit f set for field f: the rule pairs two records only if
                         one of them lacks one of these fields (a rule for records
                         the other rules cannot find); 0: every pair of a block */
} match_block_rule;

typedef struct {
    int nfields;
    match_field field[MATCH_MAX_FIELDS];
    int nrules;
    match_block_rule rule[MATCH_MAX_RULES];
} match_schema;

/* One record: an id for reports and a value per schema field (NULL or ""
 * is missing). The matcher reads these and keeps no pointer to them after
 * returning. */
typedef struct {
    const char *id;
    const char *v[MATCH_MAX_FIELDS];
} match_record;

typedef enum {
    MATCH_NEW = 0,   /* below the review threshold: different people */
    MATCH_REVIEW,    /* between: a person should decide */
    MATCH_LINK       /* at or above the link threshold: the same */
} match_class;

typedef struct {
    double link;          /* link at or above this score (default MATCH_DEFAULT_LINK) */
    double review;        /* review at or above this, below link (default MATCH_DEFAULT_REVIEW);
                             pairs below it are not returned */
    size_t u_samples;     /* random pairs drawn to estimate u (default 50000) */
    unsigned long long seed; /* for those draws (default 1): same seed, same answer */
    int em_max_iter;      /* EM iterations at most, per session (default 200) */
    size_t max_block;     /* a block with more records than this is skipped (default 2000) */
    const struct match_model *model; /* not NULL: score with this model (estimated before, e.g. on a
                                        larger batch) instead of estimating one; term frequencies
                                        are still this run's (default NULL) */
    int best_only;        /* match_link: keep only the best pair of each record of the second
                             set (the highest score; of equal ones, the lowest index into the
                             first set), the pair a caller deciding per record would take
                             first (default 0: every pair at or above review) */
    int threads;          /* threads to compare and score on; 0: one per CPU this process may
                             run on (sched_getaffinity, so `taskset -c 0` means one), at most
                             MATCH_MAX_THREADS (default 0). The answer is the same whatever
                             the number. */
} match_options;

/* The estimated model of one field, for reports. */
typedef struct {
    int nlevels;                  /* levels 0 .. nlevels-1 */
    double m[MATCH_MAX_LEVELS];   /* P(level | same), by EM */
    double u[MATCH_MAX_LEVELS];   /* P(level | random pair) */
    double w[MATCH_MAX_LEVELS];   /* log2(m/u), put in order: w[0] ("different")
                                     at most 0, the exact level at least 0, the
                                     levels between within those two; the exact
                                     level of a tf field weighs log2(m/share of
                                     the value) instead (at least 0) */
} match_field_model;

typedef struct match_model {
    match_field_model f[MATCH_MAX_FIELDS];
    double lambda;        /* share of candidate pairs that match, fitted with m and u fixed */
    int em_iterations;    /* EM iterations run, all sessions together */
} match_model;

/* Why a field of a pair weighs what it does. */
typedef struct {
    signed char level;     /* MATCH_LEVEL_NULL or 0 .. nlevels-1 */
    unsigned char swapped; /* compared with the other record's swap-partner field */
    float weight;          /* log2(m/u) (term-frequency adjusted); 0 for null */
} match_evidence;

typedef struct {
    size_t a, b;          /* dedupe: indexes into the records, a < b; link: a into the
                             first set, b into the second */
    double score;         /* sum of the evidence weights */
    match_class cls;      /* MATCH_LINK or MATCH_REVIEW */
    match_evidence ev[MATCH_MAX_FIELDS];
} match_pair;

typedef struct {
    match_pair *pair;     /* pairs scoring at least the review threshold, best first
                             (ties by a, then b); xmalloc'd */
    size_t npairs;
    size_t nlink;         /* how many of them are MATCH_LINK */
    size_t candidates;    /* distinct pairs the blocking rules proposed */
    size_t skipped_blocks; /* blocks over max_block, not compared */
    match_model model;
} match_result;

/* The schema for FEBRL's columns: given_name, surname (names, swappable,
 * tf), street_number (code), address_1, address_2 (text, swappable),
 * suburb (text), postcode (code), state (code), date_of_birth (date),
 * soc_sec_id (code), with seven blocking rules: soc_sec_id; postcode; date
 * of birth; Soundex(surname) + year of birth; Soundex of both names; the
 * surname's first 2 letters + the suburb's first 3; Soundex(address_1) +
 * street number (the name and address rules also keyed swapped). Static;
 * never freed. */
const match_schema *match_schema_febrl(void);
/* The index of the field called name in s, or -1. */
int match_schema_field(const match_schema *s, const char *name);
/* Sets every option to its default. */
void match_options_init(match_options *o);

/* Finds the duplicate pairs among r[0..n-1]: blocks, estimates the model,
 * scores every candidate pair and keeps those at or above o->review
 * (o NULL: the defaults). Fills out (allocates out->pair: release with
 * match_result_free). Returns 0, or -1 (out then empty) if n is over 2^31
 * or the schema has more than MATCH_MAX_FIELDS fields or MATCH_MAX_RULES
 * rules. Deterministic: the same input and options give the same output. */
int match_dedupe(const match_schema *s, const match_record *r, size_t n, const match_options *o,
                 match_result *out);
/* The same for pairs across two sets: a[i] with b[j], never two of one set.
 * Returns 0, or -1 if na + nb is over 2^31. */
int match_link(const match_schema *s, const match_record *a, size_t na, const match_record *b, size_t nb,
               const match_options *o, match_result *out);
/* Releases out->pair and empties *r. NULL is a no-op. */
void match_result_free(match_result *r);

/* Scores one pair with a model estimated before (e.g. out->model of a
 * batch run), filling ev[0..s->nfields-1]. No term-frequency adjustment
 * (there is no population to count values in): the exact level weighs its
 * average. Returns the score. Allocates nothing. */
double match_score_pair(const match_schema *s, const match_model *m, const match_record *a,
                        const match_record *b, match_evidence ev[MATCH_MAX_FIELDS]);

/* The name of a level of kind k ("exact", "jw90", "dm_swapped" ...;
 * "null" for MATCH_LEVEL_NULL, "?" if out of range). Static string. */
const char *match_level_name(match_kind k, int level);
/* Levels kind k has (not counting null). */
int match_level_count(match_kind k);
/* "link", "review" or "new". */
const char *match_class_name(match_class c);

/* ---- Comparators, usable on their own. Bytes are compared as given (callers
 * normalise case); none allocates for strings under 64 bytes. ---- */

/* Jaro similarity of a and b, from 0 (nothing in common) to 1 (equal);
 * two empty strings give 1. */
double match_jaro(const char *a, const char *b);
/* Jaro–Winkler: Jaro boosted by the common prefix (up to 4 characters,
 * scale 0.1). MARTHA/MARHTA gives 0.9611, DIXON/DICKSONX 0.8133. */
double match_jaro_winkler(const char *a, const char *b);
/* Damerau–Levenshtein distance (the optimal string alignment form: an
 * insertion, deletion, substitution or swap of two adjacent characters
 * costs one; no substring is edited twice). Stops counting above max:
 * returns min(distance, max + 1). */
int match_damerau_levenshtein(const char *a, const char *b, int max);
/* The Soundex code of s (letter and three digits, e.g. "R163" for Robert)
 * into out[5]; non-letters are skipped; "" if s has no letter. */
void match_soundex(const char *s, char out[5]);
/* The NYSIIS code of s (New York State Identification and Intelligence
 * System, untruncated up to outlen-1 characters, upper case) into out;
 * non-letters are skipped; "" if s has no letter. */
void match_nysiis(const char *s, char *out, size_t outlen);
/* Nonzero if a and b (lower case) are different forms of one first name
 * in the built-in table (bill/william, peggy/margaret, jack/john ...). */
int match_nickname(const char *a, const char *b);
enum { MATCH_NAME_MAX = 24 };
/* The other forms of first name name (any case) in the built-in table, in
 * lower case, at most max of them (william: bill, will, billy ...); 0 if
 * it has none. */
int match_nickname_forms(const char *name, char out[][MATCH_NAME_MAX], int max);
/* Nonzero if dates a and b (YYYYMMDD digits) differ only by day and month
 * being swapped (19560409 / 19560904). */
int match_dob_swapped(const char *a, const char *b);

#endif
