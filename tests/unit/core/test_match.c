/* test_match: the record-linkage comparators, FEBRL parsing and a small
 * dedupe and link whose evidence is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "core/febrl.h"
#include "core/match.h"

static void jaro_winkler_known_values(void **state)
{
    (void)state;
    assert_true(fabs(match_jaro("MARTHA", "MARHTA") - 0.9444) < 0.0005);
    assert_true(fabs(match_jaro_winkler("MARTHA", "MARHTA") - 0.9611) < 0.0005);
    assert_true(fabs(match_jaro("DIXON", "DICKSONX") - 0.7667) < 0.0005);
    assert_true(fabs(match_jaro_winkler("DIXON", "DICKSONX") - 0.8133) < 0.0005);
    assert_true(fabs(match_jaro_winkler("DWAYNE", "DUANE") - 0.8400) < 0.0005);
    assert_true(fabs(match_jaro_winkler("JELLYFISH", "SMELLYFISH") - 0.8963) < 0.0005);
    assert_true(match_jaro_winkler("abc", "abc") == 1.0);
    assert_true(match_jaro_winkler("", "") == 1.0);
    assert_true(match_jaro_winkler("abc", "") == 0.0);
    assert_true(match_jaro_winkler("abc", "xyz") == 0.0);
    /* symmetric */
    assert_true(fabs(match_jaro_winkler("DICKSONX", "DIXON") - match_jaro_winkler("DIXON", "DICKSONX")) < 1e-12);
    /* long strings take the heap path */
    char a[200], b[200];
    memset(a, 'x', 150);
    a[150] = '\0';
    memcpy(b, a, 151);
    b[75] = 'y';
    assert_true(match_jaro_winkler(a, b) > 0.99 && match_jaro_winkler(a, b) < 1.0);
}

/* The optimal string alignment distance by the whole table, the
 * textbook way: the reference for the fast one. */
static int osa_table(const char *a, const char *b)
{
    enum { N = 80 };
    static int d[N + 1][N + 1];
    int la = (int)strlen(a), lb = (int)strlen(b);
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* Random strings over a few letters (so that swaps, repeats and near
 * misses are common), short and up to past 64 characters (where the word
 * at a time gives way to the table): the same distance as the table,
 * capped at max + 1. */
static void damerau_levenshtein_random(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    char a[80], b[80];
    for (int round = 0; round < 200000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int la = (int)(x % 12), alpha = 2 + (int)((x >> 8) % 4), max = (int)((x >> 16) % 5);
        if (round % 50 == 0)
            la = 55 + (int)((x >> 24) % 20);
        for (int i = 0; i < la; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            a[i] = (char)('a' + (int)(x % (uint64_t)alpha));
        }
        a[la] = '\0';
        /* b: a with a few random edits (or a string of its own) */
        memcpy(b, a, (size_t)la + 1);
        int lb = la, edits = (int)((x >> 30) % 4);
        for (int e = 0; e < edits; e++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            int at = lb ? (int)(x % (uint64_t)lb) : 0, kind = (int)((x >> 20) % 4);
            char ch = (char)('a' + (int)((x >> 40) % (uint64_t)alpha));
            if (kind == 0 && lb < 78) { /* insert */
                memmove(b + at + 1, b + at, (size_t)(lb - at) + 1);
                b[at] = ch;
                lb++;
            } else if (kind == 1 && lb > 0) { /* delete */
                memmove(b + at, b + at + 1, (size_t)(lb - at));
                lb--;
            } else if (kind == 2 && lb > 0) {
                b[at] = ch;
            } else if (at + 1 < lb) { /* swap neighbours */
                char t = b[at];
                b[at] = b[at + 1];
                b[at + 1] = t;
            }
        }
        if (round % 7 == 0) {
            lb = (int)((x >> 50) % 10);
            for (int i = 0; i < lb; i++)
                b[i] = (char)('a' + (i * 7 + round) % alpha);
            b[lb] = '\0';
        }
        int want = osa_table(a, b);
        if (want > max)
            want = max + 1;
        int got = match_damerau_levenshtein(a, b, max);
        if (got != want)
            fail_msg("'%s' '%s' max %d: got %d, want %d", a, b, max, got, want);
        got = match_damerau_levenshtein(b, a, max);
        if (got != want)
            fail_msg("'%s' '%s' max %d: got %d, want %d", b, a, max, got, want);
    }
}

static void damerau_levenshtein_transpositions(void **state)
{
    (void)state;
    assert_int_equal(match_damerau_levenshtein("ca", "ac", 5), 1);       /* a swap is one edit */
    assert_int_equal(match_damerau_levenshtein("marhta", "martha", 5), 1);
    assert_int_equal(match_damerau_levenshtein("8638391", "8368391", 5), 1);
    assert_int_equal(match_damerau_levenshtein("kitten", "sitting", 5), 3); /* as Levenshtein */
    assert_int_equal(match_damerau_levenshtein("ca", "abc", 5), 3);      /* optimal string alignment */
    assert_int_equal(match_damerau_levenshtein("", "abc", 5), 3);
    assert_int_equal(match_damerau_levenshtein("same", "same", 0), 0);
    assert_int_equal(match_damerau_levenshtein("rei d", "reid", 5), 1);
    /* capped: stops counting above max */
    assert_int_equal(match_damerau_levenshtein("kitten", "sitting", 1), 2);
    assert_int_equal(match_damerau_levenshtein("abcdefgh", "zyxwvuts", 2), 3);
    assert_int_equal(match_damerau_levenshtein("a", "abcdef", 2), 3);
    char a[100], b[100];
    memset(a, 'q', 80);
    a[80] = '\0';
    memcpy(b, a, 81);
    b[10] = 'r';
    b[11] = 'r';
    assert_int_equal(match_damerau_levenshtein(a, b, 5), 2);
}

static void phonetic_codes(void **state)
{
    (void)state;
    struct {
        const char *name, *soundex;
    } sx[] = {{"Robert", "R163"}, {"Rupert", "R163"}, {"Ashcraft", "A261"}, {"Tymczak", "T522"},
              {"Pfister", "P236"}, {"Honeyman", "H555"}, {"Lee", "L000"}, {"o'brien", "O165"}};
    for (size_t i = 0; i < sizeof sx / sizeof sx[0]; i++) {
        char out[5];
        match_soundex(sx[i].name, out);
        if (strcmp(out, sx[i].soundex) != 0)
            fail_msg("soundex(%s) = %s, want %s", sx[i].name, out, sx[i].soundex);
    }
    char out[5];
    match_soundex("123", out);
    assert_string_equal(out, "");

    struct {
        const char *name, *nysiis;
    } ny[] = {{"brown", "BRAN"},     {"knight", "NAGT"},       {"mitchell", "MATCAL"},
              {"bishop", "BASAP"},   {"carlson", "CARLSAN"},   {"macintosh", "MCANT"},
              {"schmidt", "SNAD"},   {"phillips", "FALAP"},   {"kelly", "CALY"}};
    for (size_t i = 0; i < sizeof ny / sizeof ny[0]; i++) {
        char code[16];
        match_nysiis(ny[i].name, code, sizeof code);
        if (strcmp(code, ny[i].nysiis) != 0)
            fail_msg("nysiis(%s) = %s, want %s", ny[i].name, code, ny[i].nysiis);
    }
    char code[4];
    match_nysiis("carlson", code, sizeof code); /* truncated to the buffer */
    assert_string_equal(code, "CAR");
    match_nysiis("", code, sizeof code);
    assert_string_equal(code, "");
    /* spelling variants share a code */
    char c1[16], c2[16];
    match_nysiis("stephen", c1, sizeof c1);
    match_nysiis("stefen", c2, sizeof c2);
    match_soundex("smith", out);
    char out2[5];
    match_soundex("smyth", out2);
    assert_string_equal(out, out2);
}

static void nicknames(void **state)
{
    (void)state;
    assert_true(match_nickname("bill", "william"));
    assert_true(match_nickname("william", "bill"));
    assert_true(match_nickname("will", "billy")); /* two forms of one name */
    assert_true(match_nickname("peggy", "margaret"));
    assert_true(match_nickname("jack", "john"));
    assert_true(match_nickname("harry", "henry"));
    assert_true(match_nickname("harry", "harold")); /* in two groups */
    assert_false(match_nickname("bill", "robert"));
    assert_false(match_nickname("william", "william")); /* the same name is exact, not a nickname */
    assert_false(match_nickname("zebedee", "bill"));
    assert_false(match_nickname("", "bill"));
    assert_false(match_nickname("bil", "bill")); /* whole names only */
}

static void dob_day_month_swapped(void **state)
{
    (void)state;
    assert_true(match_dob_swapped("19560409", "19560904"));
    assert_true(match_dob_swapped("19561204", "19560412"));
    assert_false(match_dob_swapped("19560409", "19560409")); /* equal is not swapped */
    assert_false(match_dob_swapped("19560409", "19570904")); /* other year */
    assert_false(match_dob_swapped("19560409", "19560419"));
    assert_false(match_dob_swapped("1956049", "19560904"));
}

static void level_names(void **state)
{
    (void)state;
    assert_string_equal(match_level_name(MATCH_NAME, 5), "exact");
    assert_string_equal(match_level_name(MATCH_NAME, 4), "nickname");
    assert_string_equal(match_level_name(MATCH_DATE, 4), "dm_swapped");
    assert_string_equal(match_level_name(MATCH_CODE, MATCH_LEVEL_NULL), "null");
    assert_string_equal(match_level_name(MATCH_CODE, 3), "?");
    assert_int_equal(match_level_count(MATCH_CODE), 3);
    assert_string_equal(match_class_name(MATCH_LINK), "link");
    assert_string_equal(match_class_name(MATCH_REVIEW), "review");
    const match_schema *s = match_schema_febrl();
    assert_int_equal(s->nfields, 10);
    assert_int_equal(match_schema_field(s, "soc_sec_id"), 9);
    assert_int_equal(match_schema_field(s, "rec_id"), -1);
}

/* ---- FEBRL parsing ---- */

static const char *hdr = "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, "
                         "state, date_of_birth, soc_sec_id\n";

static int parse(arena *a, const char *body, febrl_data *d, char *err)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", hdr, body);
    return febrl_parse(a, match_schema_febrl(), text, strlen(text), d, err, 200);
}

static void febrl_last_line_and_empty_fields(void **state)
{
    (void)state;
    arena *a = arena_new();
    febrl_data d;
    char err[200] = "";
    assert_int_equal(parse(a,
                           "rec-1-org, mitchell, green, 7, wallaby place, delmar, cleveland, 2119, sa, 19560409, 1804974\n"
                           "rec-1-dup-0,  , green, , wallaby place, , cleveland, 2119, sa, 19560409, 1804974",
                           &d, err),
                     0);
    assert_int_equal(d.n, 2); /* the last line has no line end */
    assert_int_equal(d.nskipped, 0);
    assert_string_equal(d.rec[0].id, "rec-1-org");
    assert_string_equal(d.rec[0].v[0], "mitchell"); /* the space after the comma is not part of it */
    assert_string_equal(d.rec[0].v[9], "1804974");
    assert_string_equal(d.rec[1].id, "rec-1-dup-0");
    assert_null(d.rec[1].v[0]); /* only spaces: missing */
    assert_null(d.rec[1].v[2]);
    assert_null(d.rec[1].v[4]);
    assert_string_equal(d.rec[1].v[1], "green");
    assert_string_equal(d.rec[1].v[9], "1804974");
    assert_int_equal(d.line[1], 3);
    arena_free(a);
}

static void febrl_malformed_lines_named(void **state)
{
    (void)state;
    arena *a = arena_new();
    febrl_data d;
    char err[200] = "";
    assert_int_equal(parse(a,
                           "rec-1-org, a, b, 1, x, y, z, 2000, nsw, 19000101, 1\r\n"
                           "rec-2-org, a, b, 1, x, y, z, 2000, nsw\r\n"   /* line 3: too few */
                           "\n"                                           /* line 4: blank, ignored */
                           ", a, b, 1, x, y, z, 2000, nsw, 19000101, 3\n" /* line 5: no id */
                           "rec-1-org, c, d, 1, x, y, z, 2000, nsw, 19000101, 4\n" /* line 6: id again */
                           "rec-5-org, a, b, 1, x, y, z, 2000, nsw, 19000101, 5, extra\n" /* line 7 */
                           "rec-6-org, e, f, 1, x, y, z, 2000, nsw, 19000101, 6\n",
                           &d, err),
                     0);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.rec[0].id, "rec-1-org");
    assert_string_equal(d.rec[0].v[0], "a"); /* the first of the two rec-1-org is kept */
    assert_string_equal(d.rec[0].v[9], "1"); /* CR is not part of the value */
    assert_string_equal(d.rec[1].id, "rec-6-org");
    assert_int_equal(d.line[1], 8);
    assert_int_equal(d.nskipped, 4);
    assert_int_equal(d.nproblems, 4);
    assert_int_equal(d.problem[0].line, 3);
    assert_string_equal(d.problem[0].msg, "expected 11 fields, found 9");
    assert_int_equal(d.problem[1].line, 5);
    assert_string_equal(d.problem[1].msg, "rec_id is empty");
    assert_int_equal(d.problem[2].line, 6);
    assert_string_equal(d.problem[2].msg, "rec_id 'rec-1-org' is already on line 2");
    assert_int_equal(d.problem[3].line, 7);
    assert_string_equal(d.problem[3].msg, "expected 11 fields, found 12");
    arena_free(a);
}

static void febrl_headers(void **state)
{
    (void)state;
    arena *a = arena_new();
    febrl_data d;
    char err[200] = "";
    const match_schema *s = match_schema_febrl();
    const char *t1 = "id, given_name\nx, y\n";
    assert_int_equal(febrl_parse(a, s, t1, strlen(t1), &d, err, sizeof err), -1);
    assert_string_equal(err, "line 1: the first column must be rec_id, not 'id'");
    const char *t2 = "rec_id, given_name, shoe_size\n";
    assert_int_equal(febrl_parse(a, s, t2, strlen(t2), &d, err, sizeof err), -1);
    assert_string_equal(err, "line 1: unknown column 'shoe_size'");
    const char *t3 = "rec_id,surname,surname\n";
    assert_int_equal(febrl_parse(a, s, t3, strlen(t3), &d, err, sizeof err), -1);
    assert_string_equal(err, "line 1: column 'surname' given twice");
    /* a subset of the columns, in any order, no spaces, a byte order mark, CRLF */
    const char *t4 = "\xEF\xBB\xBFrec_id,surname,given_name\r\nr1,smith,john\r\nr2,,jo";
    assert_int_equal(febrl_parse(a, s, t4, strlen(t4), &d, err, sizeof err), 0);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.rec[0].v[1], "smith");
    assert_string_equal(d.rec[0].v[0], "john");
    assert_null(d.rec[0].v[9]);
    assert_null(d.rec[1].v[1]);
    assert_string_equal(d.rec[1].v[0], "jo");
    /* the header alone, or nothing after it */
    const char *t5 = "rec_id, surname";
    assert_int_equal(febrl_parse(a, s, t5, strlen(t5), &d, err, sizeof err), 0);
    assert_int_equal(d.n, 0);
    /* a NUL byte inside a line (the length, not the NUL, ends the text) */
    const char t6[] = "rec_id, surname\nr1, sm\0th\nr2, jones\n";
    assert_int_equal(febrl_parse(a, s, t6, sizeof t6 - 1, &d, err, sizeof err), 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.problem[0].line, 2);
    assert_string_equal(d.rec[0].v[1], "jones");
    arena_free(a);
}

/* ---- a small population ---- */

static const char *given[] = {"oliver", "amelia", "george", "isla",   "harry",  "ava",    "noah",
                              "mia",    "jack",   "ivy",    "leo",    "grace",  "oscar",  "freya",
                              "charlie", "lily",  "arthur", "sophia", "muhammad", "evie"};
static const char *surname[] = {"smith",  "jones",  "taylor", "brown",  "williams", "wilson", "johnson",
                                "davies", "patel",  "robinson", "wright", "thompson", "evans", "walker",
                                "white",  "roberts", "green", "hall",   "wood",    "jackson"};
static const char *street[] = {"wallaby place", "hoseason street", "gundulu place", "halford crescent",
                               "ashburton circuit", "mortimer lewis drive", "bednall place", "launceston street",
                               "roper place", "aurora close", "tuthill place", "sanford place"};
static const char *suburb[] = {"cleveland", "marsden", "granville", "utakarra", "nollamara", "ryde",
                               "salisbury east", "port lincoln", "coonamble", "hahndorf", "annandale"};
static const char *states[] = {"nsw", "vic", "qld", "sa", "wa", "tas"};

enum { NPOP = 300 };

typedef struct {
    char s[11][32];
} row;

/* A pseudo-random number from i and k (splitmix64). */
static unsigned pick(int i, int k, unsigned n)
{
    uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ULL + (uint64_t)k * 0xBF58476D1CE4E5B9ULL + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (unsigned)(z % n);
}

/* Person i of a deterministic population, every field drawn on its own. */
static void person(int i, row *r)
{
    snprintf(r->s[0], 32, "rec-%d-org", i);
    snprintf(r->s[1], 32, "%s", given[pick(i, 1, 20)]);
    snprintf(r->s[2], 32, "%s", surname[pick(i, 2, 20)]);
    snprintf(r->s[3], 32, "%u", 1 + pick(i, 3, 300));
    snprintf(r->s[4], 32, "%s", street[pick(i, 4, 12)]);
    snprintf(r->s[5], 32, "%s", pick(i, 5, 3) ? "" : "rose cottage");
    snprintf(r->s[6], 32, "%s", suburb[pick(i, 6, 11)]);
    snprintf(r->s[7], 32, "%u", 2000 + pick(i, 7, 7000));
    snprintf(r->s[8], 32, "%s", states[pick(i, 8, 6)]);
    snprintf(r->s[9], 32, "19%02u%02u%02u", 20 + pick(i, 9, 80), 1 + pick(i, 10, 12), 1 + pick(i, 11, 28));
    snprintf(r->s[10], 32, "%07u", 1000000 + pick(i, 12, 8999999));
}

static void to_record(row *r, match_record *m)
{
    memset(m, 0, sizeof *m);
    m->id = r->s[0];
    for (int f = 0; f < 10; f++)
        m->v[f] = r->s[f + 1];
}

static void dedupe_finds_the_duplicate_with_evidence(void **state)
{
    (void)state;
    static row rows[NPOP + 1];
    static match_record recs[NPOP + 1];
    for (int i = 0; i < NPOP; i++) {
        person(i, &rows[i]);
        to_record(&rows[i], &recs[i]);
    }
    /* person 42 again: names swapped, a typo in the street, day and month
     * swapped, postcode digits transposed, a nickname-free given name */
    row *d = &rows[NPOP];
    *d = rows[42];
    snprintf(d->s[0], 32, "rec-42-dup-0");
    snprintf(d->s[1], 32, "%s", rows[42].s[2]);
    snprintf(d->s[2], 32, "%s", rows[42].s[1]);
    d->s[4][1] = d->s[4][1] == 'x' ? 'y' : 'x';
    memcpy(d->s[9] + 4, rows[42].s[9] + 6, 2);
    memcpy(d->s[9] + 6, rows[42].s[9] + 4, 2);
    char t = d->s[7][1];
    d->s[7][1] = d->s[7][2];
    d->s[7][2] = t;
    to_record(d, &recs[NPOP]);

    match_result r;
    assert_int_equal(match_dedupe(match_schema_febrl(), recs, NPOP + 1, NULL, &r), 0);
    assert_true(r.candidates > 0);
    assert_int_equal(r.nlink, 1);
    const match_pair *p = &r.pair[0];
    assert_int_equal(p->cls, MATCH_LINK);
    assert_int_equal(p->a, 42);
    assert_int_equal(p->b, NPOP);
    assert_true(p->score >= MATCH_DEFAULT_LINK);
    const match_schema *s = match_schema_febrl();
    int g = match_schema_field(s, "given_name"), sn = match_schema_field(s, "surname");
    assert_int_equal(p->ev[g].level, 5); /* exact, compared crosswise */
    assert_true(p->ev[g].swapped && p->ev[sn].swapped);
    assert_int_equal(p->ev[sn].level, 5);
    assert_string_equal(match_level_name(MATCH_DATE, p->ev[match_schema_field(s, "date_of_birth")].level),
                        (rows[42].s[9][4] == rows[42].s[9][6] && rows[42].s[9][5] == rows[42].s[9][7]) ? "exact"
                                                                                                       : "dm_swapped");
    assert_string_equal(match_level_name(MATCH_TEXT, p->ev[match_schema_field(s, "address_1")].level), "one_edit");
    assert_int_equal(p->ev[match_schema_field(s, "address_2")].level, rows[42].s[5][0] ? 5 : MATCH_LEVEL_NULL);
    assert_true(p->ev[match_schema_field(s, "soc_sec_id")].weight > 0);
    double sum = 0;
    for (int f = 0; f < s->nfields; f++)
        sum += p->ev[f].weight;
    assert_true(fabs(sum - p->score) < 1e-3); /* the score is the sum of its evidence */

    /* the same pair scored on its own with the estimated model */
    match_evidence ev[MATCH_MAX_FIELDS];
    double one = match_score_pair(s, &r.model, &recs[42], &recs[NPOP], ev);
    assert_true(one >= MATCH_DEFAULT_LINK);
    assert_int_equal(ev[g].level, 5);
    assert_true(ev[g].swapped);
    match_result_free(&r);
    match_result_free(NULL);

    /* a nickname is its own level */
    row a = rows[7], b = rows[7];
    snprintf(a.s[1], 32, "william");
    snprintf(b.s[1], 32, "bill");
    match_record ra, rb;
    to_record(&a, &ra);
    to_record(&b, &rb);
    match_model m;
    memset(&m, 0, sizeof m);
    for (int f = 0; f < s->nfields; f++)
        m.f[f].nlevels = match_level_count(s->field[f].kind);
    match_score_pair(s, &m, &ra, &rb, ev);
    assert_string_equal(match_level_name(MATCH_NAME, ev[g].level), "nickname");
    assert_false(ev[g].swapped);
}

static void link_two_sets(void **state)
{
    (void)state;
    enum { NA = 200, NB = 150 };
    static row ra[NA], rb[NB];
    static match_record a[NA], b[NB];
    for (int i = 0; i < NA; i++) {
        person(i, &ra[i]);
        to_record(&ra[i], &a[i]);
    }
    /* B: people 100..249; those also in A (100..199) with a typo in the surname and no date of birth */
    for (int i = 0; i < NB; i++) {
        person(100 + i, &rb[i]);
        snprintf(rb[i].s[0], 32, "b-%d", 100 + i);
        if (100 + i < NA) {
            size_t l = strlen(rb[i].s[2]);
            rb[i].s[2][l - 1] = 'q';
            rb[i].s[9][0] = '\0';
        }
        to_record(&rb[i], &b[i]);
    }
    match_result r;
    assert_int_equal(match_link(match_schema_febrl(), a, NA, b, NB, NULL, &r), 0);
    assert_int_equal(r.nlink, 100);
    for (size_t k = 0; k < r.npairs; k++) {
        if (r.pair[k].cls != MATCH_LINK)
            continue;
        assert_int_equal(r.pair[k].a, r.pair[k].b + 100); /* a indexes A, b indexes B */
        assert_int_equal(r.pair[k].ev[8].level, MATCH_LEVEL_NULL); /* no date of birth in B */
        assert_string_equal(match_level_name(MATCH_NAME, r.pair[k].ev[1].level), "near");
    }
    match_result_free(&r);

    /* nothing to link */
    assert_int_equal(match_link(match_schema_febrl(), a, 0, b, NB, NULL, &r), 0);
    assert_int_equal(r.npairs, 0);
    match_result_free(&r);
    assert_int_equal(match_dedupe(match_schema_febrl(), a, 1, NULL, &r), 0);
    assert_int_equal(r.npairs, 0);
    match_result_free(&r);
}

/* The same answer on one thread and on four; best_only keeps each record's
 * first pair of the full answer. */
static void threads_and_best_only(void **state)
{
    (void)state;
    enum { NA = 3000, NB = 2000 };
    static row ra[NA], rb[NB];
    static match_record a[NA], b[NB];
    for (int i = 0; i < NA; i++) {
        person(i, &ra[i]);
        to_record(&ra[i], &a[i]);
    }
    for (int i = 0; i < NB; i++) { /* people 1000..2999 again, a typo in the surname, some without a birth date */
        person(1000 + i, &rb[i]);
        snprintf(rb[i].s[0], 32, "b-%d", 1000 + i);
        size_t l = strlen(rb[i].s[2]);
        rb[i].s[2][l - 1] = 'q';
        if (i % 4 == 0)
            rb[i].s[9][0] = '\0';
        to_record(&rb[i], &b[i]);
    }
    match_options o1, o4;
    match_options_init(&o1);
    match_options_init(&o4);
    o1.threads = 1;
    o4.threads = 4;
    match_result r1, r4, rb1;
    assert_int_equal(match_link(match_schema_febrl(), a, NA, b, NB, &o1, &r1), 0);
    assert_int_equal(match_link(match_schema_febrl(), a, NA, b, NB, &o4, &r4), 0);
    assert_true(r1.candidates > 4 * 4096); /* enough for every thread to take a share */
    assert_int_equal(r1.candidates, r4.candidates);
    assert_int_equal(r1.npairs, r4.npairs);
    assert_int_equal(r1.nlink, r4.nlink);
    assert_true(r1.nlink >= NB - 10);
    assert_int_equal(r1.model.em_iterations, r4.model.em_iterations);
    assert_true(r1.model.lambda == r4.model.lambda);
    for (int f = 0; f < 10; f++)
        for (int l = 0; l < r1.model.f[f].nlevels; l++)
            assert_true(r1.model.f[f].m[l] == r4.model.f[f].m[l] && r1.model.f[f].w[l] == r4.model.f[f].w[l]);
    for (size_t k = 0; k < r1.npairs; k++) {
        assert_int_equal(r1.pair[k].a, r4.pair[k].a);
        assert_int_equal(r1.pair[k].b, r4.pair[k].b);
        assert_true(r1.pair[k].score == r4.pair[k].score);
        assert_memory_equal(r1.pair[k].ev, r4.pair[k].ev, sizeof r1.pair[k].ev);
    }
    o4.best_only = 1;
    assert_int_equal(match_link(match_schema_febrl(), a, NA, b, NB, &o4, &rb1), 0);
    static char seen[NB];
    size_t first = 0;
    for (size_t k = 0; k < r1.npairs; k++) { /* the full answer's first pair of each record of B */
        if (seen[r1.pair[k].b])
            continue;
        seen[r1.pair[k].b] = 1;
        first++;
        int found = 0;
        for (size_t q = 0; q < rb1.npairs; q++)
            if (rb1.pair[q].b == r1.pair[k].b) {
                assert_int_equal(rb1.pair[q].a, r1.pair[k].a);
                assert_true(rb1.pair[q].score == r1.pair[k].score);
                assert_memory_equal(rb1.pair[q].ev, r1.pair[k].ev, sizeof r1.pair[k].ev);
                found = 1;
            }
        assert_true(found);
    }
    assert_int_equal(rb1.npairs, first);
    match_result_free(&r1);
    match_result_free(&r4);
    match_result_free(&rb1);
}

/* A rule with unless pairs two records only if one of them lacks the field. */
static void blocking_unless(void **state)
{
    (void)state;
    static const match_schema sch = {
        .nfields = 2,
        .field = {{"name", MATCH_EXACT, -1, 0, 0}, {"dob", MATCH_EXACT, -1, 0, 0}},
        .nrules = 1,
        .rule = {{"name", 1, {{0, MATCH_KEY_VALUE, 0}}, 1u << 1}},
    };
    match_record r[4] = {{"0", {"ann", "1970"}}, {"1", {"ann", ""}}, {"2", {"ann", "1971"}}, {"3", {"ann", NULL}}};
    match_result out;
    assert_int_equal(match_dedupe(&sch, r, 4, NULL, &out), 0);
    assert_int_equal(out.candidates, 5); /* every pair but 0-2, which both have a birth date */
    match_result_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jaro_winkler_known_values),
        cmocka_unit_test(damerau_levenshtein_transpositions),
        cmocka_unit_test(damerau_levenshtein_random),
        cmocka_unit_test(phonetic_codes),
        cmocka_unit_test(nicknames),
        cmocka_unit_test(dob_day_month_swapped),
        cmocka_unit_test(level_names),
        cmocka_unit_test(febrl_last_line_and_empty_fields),
        cmocka_unit_test(febrl_malformed_lines_named),
        cmocka_unit_test(febrl_headers),
        cmocka_unit_test(dedupe_finds_the_duplicate_with_evidence),
        cmocka_unit_test(link_two_sets),
        cmocka_unit_test(threads_and_best_only),
        cmocka_unit_test(blocking_unless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
