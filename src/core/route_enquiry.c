/* route_enquiry.c: BM25 over the articles, with stems, typos and phrases. */
#include "core/route_enquiry.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* Field weights: a word in the title or the keywords counts more than one
 * in the description. */
#define W_TITLE 3.0
#define W_KEYWORDS 2.0
#define W_WHAT 1.0
#define W_WHO 0.5
#define BM25_K1 1.2
#define BM25_B 0.4
#define PHRASE_BONUS 0.8 /* times the idf of the phrase's words */
#define TYPO_WEIGHT 0.9  /* a corrected word counts this much */

typedef struct {
    int doc;
    double tf; /* weighted term frequency */
} posting;

typedef struct {
    char *stem;
    char *surface; /* the first word seen with this stem (for search) */
    posting *p;
    int np, cap;
    double idf;
} term;

typedef struct {
    int *ids; /* term ids of a keyword phrase, two or more */
    int n;
} phrase;

typedef struct {
    double len; /* weighted length */
    phrase *ph;
    int nph;
} doc;

struct router {
    const kb *k;
    term *terms;
    int nterms, cap;
    int *slots; /* open addressing over terms: index + 1, 0 empty */
    int nslots;
    doc *docs;
    double avglen;
};

static const char *const stopwords[] = {
    "a", "an", "the", "i", "my", "me", "mine", "we", "our", "you", "your", "is", "are", "was", "were", "be", "been",
    "being", "to", "of", "in", "on", "at", "for", "it", "its", "and", "or", "but", "this", "that", "these", "those",
    "there", "here", "have", "has", "had", "do", "does", "did", "can", "could", "would", "should", "will", "shall",
    "may", "might", "must", "please", "hi", "hello", "hiya", "dear", "thanks", "thank", "cheers", "how", "what",
    "when", "where", "who", "whom", "why", "which", "im", "ive", "id", "ill", "am", "with", "about", "from", "by",
    "as", "just", "so", "if", "they", "them", "their", "theyre", "he", "she", "his", "her", "him", "us", "any",
    "some", "again", "still", "also", "today", "yesterday", "tomorrow", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "week", "weeks", "know", "up", "out", "into", "over", "off", "all",
    "one", "want", "wanted", "wants", "like", "get", "got", "getting", "go", "going", "im", "ok", "okay", "yes",
    "really", "very", "too", "then", "than", "now", "only", "own", "same", "such", "more", "most", "other", "anyone",
    "someone", "something", "anything", "whats", "hey", "lot", "lots", "bit", "tell", "ask", "asking", "find", "check",
    "u", "ur", "pls", "plz", "ta", "x", "need", "needs", "needed", "wondering", "wonder", "let", "let's", "lets",
    "thing", "things", "outside", "number", "re", "s", "t", "m", "d", "ll", "ve", "there's", "theres", "it's", "thats", "that's", NULL};

static const char *const negations[] = {"not", "no", "never", "didnt", "didn't", "wasnt", "wasn't", "hasnt",
                                        "hasn't", "havent", "haven't", "isnt", "isn't", "arent", "aren't", "werent",
                                        "weren't", "dont", "don't", "doesnt", "doesn't", "cant", "can't", "cannot",
                                        "wont", "won't", "nobody", "nothing", NULL};

/* Copies a word into a ROUTE_WORD slot, cut short if it is longer. */
static void copy_word(char *dst, const char *src)
{
    size_t n = strnlen(src, ROUTE_WORD - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int in_list(const char *const *l, const char *w)
{
    for (; *l; l++)
        if (!strcmp(*l, w))
            return 1;
    return 0;
}

static int ends(const char *w, size_t n, const char *suf)
{
    size_t s = strlen(suf);
    return n > s && !strcmp(w + n - s, suf);
}

void router_stem(const char *word, char out[ROUTE_WORD])
{
    copy_word(out, word);
    size_t n = strlen(out);
    if (n <= 3)
        return;
    if (ends(out, n, "ies") && n > 4) {
        out[n - 3] = 'y';
        out[n - 2] = '\0';
    } else if (ends(out, n, "ied") && n > 4) {
        out[n - 3] = 'y';
        out[n - 2] = '\0';
    } else if (ends(out, n, "sses") || ends(out, n, "xes") || ends(out, n, "ches") || ends(out, n, "shes")) {
        out[n - 2] = '\0';
    } else if (ends(out, n, "s") && !ends(out, n, "ss") && !ends(out, n, "us") && !ends(out, n, "is")) {
        out[n - 1] = '\0';
    } else if (ends(out, n, "ing") && n - 3 >= 5) {
        out[n - 3] = '\0';
    } else if (ends(out, n, "ed") && n - 2 >= 4) {
        out[n - 2] = '\0';
    } else if (ends(out, n, "tion") && n - 3 >= 5) {
        out[n - 3] = '\0'; /* collection -> collect */
    }
    n = strlen(out);
    /* emptied/empties -> empty; a doubled last consonant after -ed/-ing. */
    if (n >= 5 && out[n - 1] == out[n - 2] && strchr("bdgmnprt", out[n - 1]) && strlen(word) > n)
        out[n - 1] = '\0';
}

/* Splits text into lower-case words (letters and digits; an apostrophe
 * inside a word is dropped), at most max. */
static int words(const char *text, char out[][ROUTE_WORD], int max)
{
    int n = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p && n < max) {
        while (*p && !isalnum(*p))
            p++;
        if (!*p)
            break;
        size_t k = 0;
        while (*p && (isalnum(*p) || ((*p == '\'' || *p == 0xe2) && isalpha(p[1])))) {
            if (isalnum(*p) && k < ROUTE_WORD - 1)
                out[n][k++] = (char)tolower(*p);
            p++;
        }
        out[n][k] = '\0';
        if (k)
            n++;
    }
    return n;
}

/* Words to index terms: negations become "not", stop words go, the rest
 * are stemmed. raw (may be NULL) gets the word each term came from. */
static int terms_of(const char *text, char out[][ROUTE_WORD], char raw[][ROUTE_WORD], int max)
{
    char w[ROUTE_MAX_WORDS * 4][ROUTE_WORD];
    int nw = words(text, w, ROUTE_MAX_WORDS * 4), n = 0;
    for (int i = 0; i < nw && n < max; i++) {
        if (in_list(negations, w[i])) {
            snprintf(out[n], ROUTE_WORD, "not");
        } else if (in_list(stopwords, w[i])) {
            continue;
        } else {
            router_stem(w[i], out[n]);
        }
        if (raw)
            copy_word(raw[n], w[i]);
        n++;
    }
    return n;
}

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int find_term(const router *r, const char *stem)
{
    for (unsigned i = hash(stem) % (unsigned)r->nslots;; i = (i + 1) % (unsigned)r->nslots) {
        int t = r->slots[i];
        if (!t)
            return -1;
        if (!strcmp(r->terms[t - 1].stem, stem))
            return t - 1;
    }
}

static void rehash(router *r)
{
    free(r->slots);
    r->nslots = r->nslots ? r->nslots * 2 : 1024;
    r->slots = xcalloc((size_t)r->nslots, sizeof *r->slots);
    for (int t = 0; t < r->nterms; t++) {
        unsigned i = hash(r->terms[t].stem) % (unsigned)r->nslots;
        while (r->slots[i])
            i = (i + 1) % (unsigned)r->nslots;
        r->slots[i] = t + 1;
    }
}

static int add_term(router *r, const char *stem, const char *surface)
{
    int t = find_term(r, stem);
    if (t >= 0)
        return t;
    if (r->nterms == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 512;
        r->terms = xrealloc(r->terms, (size_t)r->cap * sizeof *r->terms);
    }
    term *x = &r->terms[r->nterms++];
    memset(x, 0, sizeof *x);
    x->stem = arena_strdup(r->k->a, stem);
    x->surface = arena_strdup(r->k->a, surface);
    if (r->nterms * 2 > r->nslots)
        rehash(r);
    else {
        unsigned i = hash(stem) % (unsigned)r->nslots;
        while (r->slots[i])
            i = (i + 1) % (unsigned)r->nslots;
        r->slots[i] = r->nterms;
    }
    return r->nterms - 1;
}

static void add_text(router *r, int d, const char *text, double w)
{
    char t[ROUTE_MAX_WORDS * 4][ROUTE_WORD], raw[ROUTE_MAX_WORDS * 4][ROUTE_WORD];
    int n = terms_of(text, t, raw, ROUTE_MAX_WORDS * 4);
    for (int i = 0; i < n; i++) {
        int id = add_term(r, t[i], raw[i]);
        term *x = &r->terms[id];
        if (x->np && x->p[x->np - 1].doc == d) {
            x->p[x->np - 1].tf += w;
        } else {
            if (x->np == x->cap) {
                x->cap = x->cap ? x->cap * 2 : 4;
                x->p = xrealloc(x->p, (size_t)x->cap * sizeof *x->p);
            }
            x->p[x->np++] = (posting){d, w};
        }
        r->docs[d].len += w;
    }
}

/* Each comma-separated keyword phrase of two or more terms, for the bonus. */
static void add_phrases(router *r, int d, const char *keywords)
{
    const char *p = keywords;
    while (*p) {
        size_t len = strcspn(p, ",");
        char *one = arena_strndup(r->k->a, p, len);
        char t[16][ROUTE_WORD];
        int n = terms_of(one, t, NULL, 16);
        if (n >= 2) {
            doc *x = &r->docs[d];
            x->ph = xrealloc(x->ph, (size_t)(x->nph + 1) * sizeof *x->ph);
            phrase *ph = &x->ph[x->nph++];
            ph->ids = arena_alloc(r->k->a, (size_t)n * sizeof(int));
            ph->n = n;
            for (int i = 0; i < n; i++)
                ph->ids[i] = add_term(r, t[i], t[i]);
        }
        p += len;
        if (*p == ',')
            p++;
    }
}

router *router_build(const kb *k)
{
    router *r = xcalloc(1, sizeof *r);
    r->k = k;
    r->docs = xcalloc((size_t)(k->n ? k->n : 1), sizeof *r->docs);
    rehash(r);
    double total = 0;
    for (int d = 0; d < k->n; d++) {
        const article *a = &k->items[d];
        add_text(r, d, a->title, W_TITLE);
        add_text(r, d, a->keywords, W_KEYWORDS);
        add_text(r, d, a->what, W_WHAT);
        if (a->who)
            add_text(r, d, a->who, W_WHO);
        add_phrases(r, d, a->keywords);
        total += r->docs[d].len;
    }
    r->avglen = k->n ? total / k->n : 1;
    for (int t = 0; t < r->nterms; t++) {
        double df = r->terms[t].np;
        r->terms[t].idf = log(1.0 + ((double)k->n - df + 0.5) / (df + 0.5));
    }
    return r;
}

void router_free(router *r)
{
    if (!r)
        return;
    for (int t = 0; t < r->nterms; t++)
        free(r->terms[t].p);
    for (int d = 0; d < r->k->n; d++)
        free(r->docs[d].ph);
    free(r->terms);
    free(r->slots);
    free(r->docs);
    free(r);
}

/* Optimal string alignment distance between a and b, giving up (returning
 * max + 1) once it must exceed max. */
static int edit_distance(const char *a, const char *b, int max)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (abs(la - lb) > max || la >= ROUTE_WORD || lb >= ROUTE_WORD)
        return max + 1;
    int d[ROUTE_WORD][ROUTE_WORD];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++) {
        int best = max + 1;
        for (int j = 1; j <= lb; j++) {
            int c = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + c < v)
                v = d[i - 1][j - 1] + c;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return d[la][lb];
}

/* The term for a word the index does not know: the closest known stem
 * within one edit (two for words of 9 letters or more), the most common
 * on a tie; words under 5 letters are not corrected. -1 if none. */
static int correct(const router *r, const char *stem, const char *rawword)
{
    size_t n = strlen(rawword);
    if (n < 5)
        return -1;
    int max = n >= 9 ? 2 : 1, best = -1, bestd = max + 1;
    for (int t = 0; t < r->nterms; t++) {
        int dd = edit_distance(stem, r->terms[t].stem, max);
        int dr = edit_distance(rawword, r->terms[t].surface, max);
        int dist = dd < dr ? dd : dr;
        if (dist < bestd || (dist == bestd && best >= 0 && r->terms[t].np > r->terms[best].np)) {
            if (dist <= max) {
                best = t;
                bestd = dist;
            }
        }
    }
    return best;
}

/* The enquiry's terms as ids (-1 unknown) with their weights. */
static int query_terms(const router *r, const char *text, int *ids, double *w, int max)
{
    char t[ROUTE_MAX_WORDS][ROUTE_WORD], raw[ROUTE_MAX_WORDS][ROUTE_WORD];
    int n = terms_of(text, t, raw, max < ROUTE_MAX_WORDS ? max : ROUTE_MAX_WORDS);
    for (int i = 0; i < n; i++) {
        ids[i] = find_term(r, t[i]);
        w[i] = 1.0;
        if (ids[i] < 0) {
            ids[i] = correct(r, t[i], raw[i]);
            w[i] = TYPO_WEIGHT;
        }
    }
    return n;
}

/* Fitted on the development half (bench/enquiries.sh --fit): the
 * probability that the best article is right, from its score s1 and the
 * runner-up's s2. */
#define CONF_A (-0.38)
#define CONF_B 0.303
#define CONF_C 6.64

static double confidence(double s1, double s2)
{
    if (s1 <= 0)
        return 0;
    double margin = (s1 - s2) / s1;
    double z = CONF_A + CONF_B * log(s1) + CONF_C * margin;
    return 1.0 / (1.0 + exp(-z));
}

static int by_score(const void *a, const void *b)
{
    const route_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->article < y->article ? -1 : x->article > y->article; /* file order on a tie */
}

int route_enquiry(const router *r, const char *text, route_hit *out, int max)
{
    if (max > ROUTE_MAX_HITS)
        max = ROUTE_MAX_HITS;
    int ids[ROUTE_MAX_WORDS];
    double w[ROUTE_MAX_WORDS];
    int n = query_terms(r, text, ids, w, ROUTE_MAX_WORDS);
    int nd = r->k->n;
    double *score = xcalloc((size_t)(nd ? nd : 1), sizeof *score);
    for (int i = 0; i < n; i++) {
        if (ids[i] < 0)
            continue;
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= ids[j] == ids[i];
        if (dup)
            continue;
        const term *x = &r->terms[ids[i]];
        for (int k = 0; k < x->np; k++) {
            const posting *p = &x->p[k];
            double norm = BM25_K1 * (1 - BM25_B + BM25_B * r->docs[p->doc].len / r->avglen);
            score[p->doc] += w[i] * x->idf * p->tf * (BM25_K1 + 1) / (p->tf + norm);
        }
    }
    /* A keyword phrase found whole, in order, in the enquiry. */
    for (int d = 0; d < nd; d++) {
        if (score[d] <= 0)
            continue;
        const doc *x = &r->docs[d];
        for (int k = 0; k < x->nph; k++) {
            const phrase *ph = &x->ph[k];
            for (int s = 0; s + ph->n <= n; s++) {
                int m = 1;
                for (int j = 0; j < ph->n && m; j++)
                    m = ids[s + j] == ph->ids[j];
                if (m) {
                    double idf = 0;
                    for (int j = 0; j < ph->n; j++)
                        idf += r->terms[ph->ids[j]].idf;
                    score[d] += PHRASE_BONUS * idf;
                    break;
                }
            }
        }
    }
    route_hit *all = xmalloc((size_t)(nd ? nd : 1) * sizeof *all);
    int got = 0;
    for (int d = 0; d < nd; d++)
        if (score[d] > 0)
            all[got++] = (route_hit){&r->k->items[d], score[d], 0};
    qsort(all, (size_t)got, sizeof *all, by_score);
    if (got > max)
        got = max;
    memcpy(out, all, (size_t)got * sizeof *out);
    free(all);
    free(score);
    if (got) {
        out[0].confidence = confidence(out[0].score, got > 1 ? out[1].score : 0);
        for (int j = 1; j < got; j++)
            out[j].confidence = out[0].confidence * out[j].score / out[0].score * (1 - out[0].confidence);
    }
    return got;
}

int router_search_words(const router *r, const char *text, char out[][ROUTE_WORD], int max)
{
    char t[ROUTE_MAX_WORDS][ROUTE_WORD], raw[ROUTE_MAX_WORDS][ROUTE_WORD];
    int n = terms_of(text, t, raw, ROUTE_MAX_WORDS), k = 0;
    for (int i = 0; i < n && k < max; i++) {
        if (!strcmp(t[i], "not"))
            continue;
        int id = find_term(r, t[i]);
        if (id >= 0) {
            copy_word(out[k++], raw[i]);
            continue;
        }
        id = correct(r, t[i], raw[i]);
        copy_word(out[k++], id >= 0 ? r->terms[id].surface : raw[i]);
    }
    return k;
}
