/* match: Fellegi–Sunter record linkage (see match.h for the contract).
 *
 * A run goes: normalise every value once (lower case, letters and digits
 * only) and work out what comparisons need of it (Soundex, NYSIIS,
 * nickname groups, how common it is); block (the union of the schema's
 * rules, keys hashed to 64 bits and sorted); compare every candidate pair
 * and a sample of random pairs field by field into levels; estimate u from
 * the random pairs (the exact level from value frequencies) and m by EM
 * over the candidate pairs' level patterns; score, classify, sort. */
#include "core/match.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"

#include "base/xalloc.h"

/* ------------------------------------------------------------------ */
/* Comparators                                                          */

enum { SMALL = 64 }; /* strings up to this long are compared on the stack */

/* Where each byte value occurs in the string being compared against (bit
 * j: at position j); all zero between calls. Per thread, so the
 * comparators stay safe to call from several. */
static _Thread_local uint64_t jaro_pos[256];

/* Jaro of a[0..la) and b[0..lb) for lb <= 64, both non-empty: the same
 * greedy matching as the textbook loop, a word of bits at a time. */
static double jaro_bits(const char *a, size_t la, const char *b, size_t lb, size_t window)
{
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    for (size_t j = 0; j < lb; j++)
        jaro_pos[ub[j]] |= (uint64_t)1 << j;
    uint64_t used = 0; /* matched positions of b */
    size_t m = 0, t = 0;
    unsigned char aseq[SMALL];
    for (size_t i = 0; i < la && m < lb; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < lb ? i + window + 1 : lb;
        if (lo >= hi)
            break; /* later characters of a have no window left in b */
        uint64_t win = (hi - lo >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << (hi - lo)) - 1)) << lo;
        uint64_t c = jaro_pos[ua[i]] & ~used & win;
        if (c) {
            used |= c & -c;
            aseq[m++] = ua[i]; /* a's matched characters, in order */
        }
    }
    for (size_t j = 0; j < lb; j++)
        jaro_pos[ub[j]] = 0;
    if (m == 0)
        return 0.0;
    size_t k = 0;
    for (uint64_t bm = used; bm; bm &= bm - 1)
        t += aseq[k++] != ub[__builtin_ctzll(bm)];
    double md = (double)m;
    return (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
}

/* Jaro of a[0..la) and b[0..lb). */
static double jaro_n(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == 0 && lb == 0)
        return 1.0;
    if (la == 0 || lb == 0)
        return 0.0;
    if (lb <= SMALL && la <= 4 * SMALL) {
        size_t longer = la > lb ? la : lb;
        return jaro_bits(a, la, b, lb, longer / 2 > 0 ? longer / 2 - 1 : 0);
    }
    unsigned char fa_s[SMALL], fb_s[SMALL];
    unsigned char *fa = la <= SMALL ? fa_s : xmalloc(la);
    unsigned char *fb = lb <= SMALL ? fb_s : xmalloc(lb);
    memset(fa, 0, la);
    memset(fb, 0, lb);
    size_t longer = la > lb ? la : lb;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < lb ? i + window + 1 : lb;
        for (size_t j = lo; j < hi; j++) {
            if (!fb[j] && a[i] == b[j]) {
                fa[i] = fb[j] = 1;
                m++;
                break;
            }
        }
    }
    double r = 0.0;
    if (m > 0) {
        size_t t = 0, k = 0;
        for (size_t i = 0; i < la; i++) {
            if (!fa[i])
                continue;
            while (!fb[k])
                k++;
            if (a[i] != b[k])
                t++;
            k++;
        }
        double md = (double)m;
        r = (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
    }
    if (fa != fa_s)
        free(fa);
    if (fb != fb_s)
        free(fb);
    return r;
}

double match_jaro(const char *a, const char *b)
{
    return jaro_n(a, strlen(a), b, strlen(b));
}

/* Jaro–Winkler of a[0..la) and b[0..lb). */
static double jw_n(const char *a, size_t la, const char *b, size_t lb)
{
    double j = jaro_n(a, la, b, lb);
    if (j <= 0.7) /* Winkler's boost threshold */
        return j;
    size_t l = 0;
    while (l < 4 && l < la && l < lb && a[l] == b[l])
        l++;
    return j + (double)l * 0.1 * (1.0 - j);
}

double match_jaro_winkler(const char *a, const char *b)
{
    return jw_n(a, strlen(a), b, strlen(b));
}

/* Where each byte value occurs in a (bit i: at a[i]) while osa_bits runs;
 * all zero between calls. */
static _Thread_local uint64_t osa_peq[256];

/* The optimal string alignment distance of a[0..la) and b[0..lb) for
 * 1 <= la <= 64, capped at max + 1: Hyyrö's bit-vector algorithm (2003),
 * a column of the table a word at a time. VP and VN hold where the column
 * steps up or down by one, D0 where a cell equals the one diagonally
 * before it (a match, or a transposition: TR); the last row's value is
 * followed as the columns go. The same numbers as the table, several
 * times faster on names and dates. */
static int osa_bits(const char *a, size_t la, const char *b, size_t lb, int max)
{
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    for (size_t i = 0; i < la; i++)
        osa_peq[ua[i]] |= (uint64_t)1 << i;
    uint64_t vp = ~(uint64_t)0, vn = 0, d0 = 0, pm_prev = 0, last = (uint64_t)1 << (la - 1);
    long dist = (long)la;
    for (size_t j = 0; j < lb; j++) {
        uint64_t pm = osa_peq[ub[j]];
        uint64_t tr = ((~d0 & pm) << 1) & pm_prev;
        d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr;
        uint64_t hp = vn | ~(d0 | vp), hn = d0 & vp;
        dist += (hp & last) != 0;
        dist -= (hn & last) != 0;
        hp = (hp << 1) | 1;
        hn <<= 1;
        vp = hn | ~(d0 | hp);
        vn = hp & d0;
        pm_prev = pm;
    }
    for (size_t i = 0; i < la; i++)
        osa_peq[ua[i]] = 0;
    return dist > max ? max + 1 : (int)dist;
}

/* Damerau–Levenshtein (OSA) of a[0..la) and b[0..lb), capped at max + 1.
 * Only the band of cells within max of the diagonal is computed: any cell
 * outside it costs more than max. */
static int dl_n(const char *a, size_t la, const char *b, size_t lb, int max)
{
    if (max < 0)
        max = 0;
    size_t diff = la > lb ? la - lb : lb - la;
    if (diff > (size_t)max)
        return max + 1;
    if (la == 0 || lb == 0)
        return (int)(la + lb);
    if (la <= 64)
        return osa_bits(a, la, b, lb, max);
    const int inf = max + 1;
    size_t band = (size_t)max;
    int s0[SMALL + 2], s1[SMALL + 2], s2[SMALL + 2];
    int *heap = NULL, *pp, *p, *c;
    if (lb <= SMALL) {
        pp = s0, p = s1, c = s2;
    } else {
        heap = xmalloc(3 * (lb + 2) * sizeof *heap);
        pp = heap, p = heap + lb + 2, c = heap + 2 * (lb + 2);
    }
    for (size_t j = 0; j <= lb && j <= band; j++)
        p[j] = (int)j;
    if (band + 1 <= lb)
        p[band + 1] = inf;
    int prevmin = 0, result = -1;
    for (size_t i = 1; i <= la; i++) {
        size_t jlo = i > band ? i - band : 1;
        size_t jhi = i + band < lb ? i + band : lb;
        c[jlo - 1] = jlo == 1 ? (i <= band ? (int)i : inf) : inf;
        int rowmin = c[jlo - 1];
        for (size_t j = jlo; j <= jhi; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            if (v > inf)
                v = inf;
            c[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (jhi + 1 <= lb)
            c[jhi + 1] = inf;
        /* Every later cell costs at least the smaller of this row's least
         * and one more than the last row's least. */
        if (rowmin > max && prevmin >= max) {
            result = inf;
            break;
        }
        prevmin = rowmin;
        int *t = pp;
        pp = p, p = c, c = t;
    }
    if (result < 0)
        result = p[lb] > max ? inf : p[lb];
    free(heap);
    return result;
}

int match_damerau_levenshtein(const char *a, const char *b, int max)
{
    return dl_n(a, strlen(a), b, strlen(b), max);
}

static int is_letter(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static char upper(int ch)
{
    return (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
}

static char soundex_digit(char up)
{
    switch (up) {
    case 'B': case 'F': case 'P': case 'V':
        return '1';
    case 'C': case 'G': case 'J': case 'K': case 'Q': case 'S': case 'X': case 'Z':
        return '2';
    case 'D': case 'T':
        return '3';
    case 'L':
        return '4';
    case 'M': case 'N':
        return '5';
    case 'R':
        return '6';
    default:
        return '0'; /* vowels, Y, H, W */
    }
}

void match_soundex(const char *s, char out[5])
{
    const char *p = s;
    while (*p && !is_letter((unsigned char)*p))
        p++;
    if (!*p) {
        out[0] = '\0';
        return;
    }
    int n = 0;
    out[n++] = upper((unsigned char)*p);
    char last = soundex_digit(out[0]);
    for (p++; *p && n < 4; p++) {
        if (!is_letter((unsigned char)*p))
            continue;
        char up = upper((unsigned char)*p);
        char d = soundex_digit(up);
        if (up == 'H' || up == 'W')
            continue; /* H and W do not separate letters of one code */
        if (d == '0') {
            last = '0'; /* a vowel does */
            continue;
        }
        if (d != last)
            out[n++] = d;
        last = d;
    }
    while (n < 4)
        out[n++] = '0';
    out[4] = '\0';
}

static int nys_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

void match_nysiis(const char *s, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    char w[SMALL + 4];
    size_t n = 0;
    for (const char *p = s; *p && n < SMALL; p++)
        if (is_letter((unsigned char)*p))
            w[n++] = upper((unsigned char)*p);
    w[n] = '\0';
    out[0] = '\0';
    if (n == 0)
        return;
    /* 1. the start */
    if (n >= 3 && !memcmp(w, "MAC", 3))
        w[1] = 'C';
    else if (n >= 2 && !memcmp(w, "KN", 2))
        w[0] = 'N';
    else if (w[0] == 'K')
        w[0] = 'C';
    else if (n >= 2 && (!memcmp(w, "PH", 2) || !memcmp(w, "PF", 2)))
        w[0] = w[1] = 'F';
    else if (n >= 3 && !memcmp(w, "SCH", 3))
        w[1] = w[2] = 'S';
    /* 2. the end */
    if (n >= 2) {
        const char *e = w + n - 2;
        if (!memcmp(e, "EE", 2) || !memcmp(e, "IE", 2)) {
            w[n - 2] = 'Y';
            w[--n] = '\0';
        } else if (!memcmp(e, "DT", 2) || !memcmp(e, "RT", 2) || !memcmp(e, "RD", 2) || !memcmp(e, "NT", 2) ||
                   !memcmp(e, "ND", 2)) {
            w[n - 2] = 'D';
            w[--n] = '\0';
        }
    }
    /* 3-4. the first letter, then each letter translated in place */
    char key[SMALL + 4];
    size_t k = 0;
    key[k++] = w[0];
    for (size_t i = 1; i < n; i++) {
        char c = w[i];
        if (c == 'E' && i + 1 < n && w[i + 1] == 'V') {
            w[i] = 'A';
            w[i + 1] = 'F';
        } else if (nys_vowel(c)) {
            w[i] = 'A';
        } else if (c == 'Q') {
            w[i] = 'G';
        } else if (c == 'Z') {
            w[i] = 'S';
        } else if (c == 'M') {
            w[i] = 'N';
        } else if (c == 'K') {
            w[i] = (i + 1 < n && w[i + 1] == 'N') ? 'N' : 'C';
        } else if (c == 'S' && i + 2 < n && w[i + 1] == 'C' && w[i + 2] == 'H') {
            w[i + 1] = w[i + 2] = 'S';
        } else if (c == 'P' && i + 1 < n && w[i + 1] == 'H') {
            w[i] = w[i + 1] = 'F';
        } else if (c == 'H') {
            if (!nys_vowel(w[i - 1]) || (i + 1 < n && !nys_vowel(w[i + 1])) || i + 1 == n)
                w[i] = w[i - 1];
        } else if (c == 'W') {
            if (nys_vowel(w[i - 1]))
                w[i] = w[i - 1];
        }
        if (w[i] != key[k - 1])
            key[k++] = w[i];
    }
    /* 5-7. the end of the key */
    if (k > 1 && key[k - 1] == 'S')
        k--;
    if (k > 2 && key[k - 2] == 'A' && key[k - 1] == 'Y') {
        key[k - 2] = 'Y';
        k--;
    }
    if (k > 1 && key[k - 1] == 'A')
        k--;
    if (k > outlen - 1)
        k = outlen - 1;
    memcpy(out, key, k);
    out[k] = '\0';
}

/* Groups of one first name's forms; a name may be in several groups. */
static const char *const nick_groups[] = {
    "abigail abby abbie gail",
    "albert al bert bertie",
    "alexander alex alec sandy xander lex",
    "alexandra alex sandra sandy lexie alexa",
    "alfred alf alfie fred",
    "andrew andy drew",
    "angela angie",
    "anthony tony ant",
    "arthur art artie",
    "barbara barb babs barbie",
    "benjamin ben benny benji",
    "bernard bernie",
    "beatrice bea trixie",
    "bradley brad",
    "bridget bridie biddy",
    "catherine cathy cath kate katie kathryn katherine kathleen kitty cate",
    "charles charlie chuck chas chaz",
    "charlotte charlie lottie lotte",
    "christine chris chrissie christina tina",
    "christopher chris kit topher",
    "cynthia cindy",
    "daniel dan danny",
    "david dave davy davie",
    "deborah debbie deb debra",
    "dennis denny",
    "dominic dom",
    "donald don donny",
    "dorothy dot dottie dolly",
    "douglas doug",
    "edward ed eddie ted teddy ned",
    "edmund ed eddie ned",
    "eleanor ellie nell nora",
    "elizabeth liz lizzie beth betty bess bessie eliza libby lisa elsie",
    "emily em emmie",
    "eugene gene",
    "frances fran fanny frankie",
    "francis frank frankie",
    "frederick fred freddie freddy",
    "gabriel gabe",
    "geoffrey geoff jeff",
    "gerald gerry jerry",
    "gregory greg",
    "harold harry hal",
    "henry harry hank hal",
    "isabella isabel bella izzy",
    "jacob jake",
    "james jim jimmy jamie",
    "jane jenny janey",
    "jennifer jenny jen jenna",
    "jessica jess jessie",
    "john jack johnny jon",
    "jonathan jon jonny nathan",
    "joseph joe joey",
    "josephine jo josie",
    "joshua josh",
    "judith judy",
    "kenneth ken kenny",
    "lawrence larry laurie",
    "leonard len lenny leo",
    "madeline maddie maddy madeleine",
    "margaret maggie meg peggy marge madge greta maisie",
    "matilda tilly mattie",
    "matthew matt matty",
    "michael mike mick mickey mikey",
    "nathaniel nathan nate nat",
    "nicholas nick nicky",
    "pamela pam",
    "patricia pat patty trish tricia",
    "patrick pat paddy",
    "peter pete",
    "philip phil pip",
    "rebecca becky becca",
    "richard rick ricky dick rich richie",
    "robert rob bob bobby robbie bert",
    "ronald ron ronnie",
    "samantha sam sammy",
    "samuel sam sammy",
    "sarah sally sadie",
    "stephen steve stevie steven",
    "susan sue susie suzanne",
    "theodore theo ted teddy",
    "thomas tom tommy",
    "timothy tim timmy",
    "victoria vicky tori",
    "vincent vince vinny",
    "walter walt wally",
    "william bill billy will willy liam",
    "zachary zach zack",
};
enum { NICK_NGROUPS = (int)(sizeof nick_groups / sizeof nick_groups[0]), NICK_MAX = 4 };

/* Nonzero if the space-separated list contains word. */
static int list_has(const char *list, const char *word, size_t wlen)
{
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == wlen && !memcmp(p, word, l))
            return 1;
        p += l;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* The groups name is in (at most NICK_MAX), by scanning the table. */
static int nick_lookup_scan(const char *name, short out[NICK_MAX])
{
    int n = 0;
    size_t l = strlen(name);
    for (int g = 0; g < NICK_NGROUPS && n < NICK_MAX; g++)
        if (list_has(nick_groups[g], name, l))
            out[n++] = (short)g;
    return n;
}

static int nick_lookup_shared(const char *name, short out[NICK_MAX]);

int match_nickname(const char *a, const char *b)
{
    if (!*a || !*b || !strcmp(a, b))
        return 0;
    short ga[NICK_MAX], gb[NICK_MAX];
    int na = nick_lookup_shared(a, ga), nb = nick_lookup_shared(b, gb);
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (ga[i] == gb[j])
                return 1;
    return 0;
}

int match_nickname_forms(const char *name, char out[][MATCH_NAME_MAX], int max)
{
    char low[MATCH_NAME_MAX];
    size_t l = 0;
    for (; name[l] && l + 1 < sizeof low; l++)
        low[l] = (char)tolower((unsigned char)name[l]);
    low[l] = '\0';
    short g[NICK_MAX];
    int ng = *low ? nick_lookup_shared(low, g) : 0, n = 0;
    for (int i = 0; i < ng; i++)
        for (const char *p = nick_groups[g[i]]; *p && n < max;) {
            const char *e = strchr(p, ' ');
            size_t wl = e ? (size_t)(e - p) : strlen(p);
            int dup = (wl == l && !memcmp(p, low, l)) || wl >= MATCH_NAME_MAX;
            for (int k = 0; k < n && !dup; k++)
                dup = strlen(out[k]) == wl && !memcmp(out[k], p, wl);
            if (!dup) {
                memcpy(out[n], p, wl);
                out[n++][wl] = '\0';
            }
            p += wl;
            while (*p == ' ')
                p++;
        }
    return n;
}

int match_dob_swapped(const char *a, const char *b)
{
    if (strlen(a) != 8 || strlen(b) != 8 || !strcmp(a, b))
        return 0;
    return !memcmp(a, b, 4) && !memcmp(a + 4, b + 6, 2) && !memcmp(a + 6, b + 4, 2);
}

/* ------------------------------------------------------------------ */
/* Schema, options, names                                              */

enum {
    F_GIVEN, F_SURNAME, F_STREETNO, F_ADDR1, F_ADDR2, F_SUBURB, F_POSTCODE, F_STATE, F_DOB, F_SSN, F_NFEBRL
};

static const match_schema febrl_schema = {
    .nfields = F_NFEBRL,
    .field = {
        [F_GIVEN] = {"given_name", MATCH_NAME, F_SURNAME, 1, 0},
        [F_SURNAME] = {"surname", MATCH_NAME, F_GIVEN, 1, 0},
        [F_STREETNO] = {"street_number", MATCH_CODE, -1, 0, 0},
        [F_ADDR1] = {"address_1", MATCH_TEXT, F_ADDR2, 0, 0},
        [F_ADDR2] = {"address_2", MATCH_TEXT, F_ADDR1, 0, 0},
        [F_SUBURB] = {"suburb", MATCH_TEXT, -1, 0, 0},
        [F_POSTCODE] = {"postcode", MATCH_CODE, -1, 0, 0},
        [F_STATE] = {"state", MATCH_CODE, -1, 0, 0},
        [F_DOB] = {"date_of_birth", MATCH_DATE, -1, 0, 0},
        [F_SSN] = {"soc_sec_id", MATCH_CODE, -1, 0, 0},
    },
    .nrules = 7,
    .rule = {
        {"soc_sec_id", 1, {{F_SSN, MATCH_KEY_VALUE, 0}}, 0},
        {"postcode", 1, {{F_POSTCODE, MATCH_KEY_VALUE, 0}}, 0},
        {"date_of_birth", 1, {{F_DOB, MATCH_KEY_VALUE, 0}}, 0},
        {"soundex(surname)+year", 2, {{F_SURNAME, MATCH_KEY_SOUNDEX, 0}, {F_DOB, MATCH_KEY_YEAR, 0}}, 0},
        {"soundex(given_name)+soundex(surname)", 2,
         {{F_GIVEN, MATCH_KEY_SOUNDEX, 0}, {F_SURNAME, MATCH_KEY_SOUNDEX, 0}}, 0},
        {"surname[2]+suburb[3]", 2, {{F_SURNAME, MATCH_KEY_PREFIX, 2}, {F_SUBURB, MATCH_KEY_PREFIX, 3}}, 0},
        {"soundex(address_1)+street_number", 2,
         {{F_ADDR1, MATCH_KEY_SOUNDEX, 0}, {F_STREETNO, MATCH_KEY_VALUE, 0}}, 0},
    },
};

const match_schema *match_schema_febrl(void)
{
    return &febrl_schema;
}

int match_schema_field(const match_schema *s, const char *name)
{
    for (int i = 0; i < s->nfields; i++)
        if (!strcmp(s->field[i].name, name))
            return i;
    return -1;
}

void match_options_init(match_options *o)
{
    o->link = MATCH_DEFAULT_LINK;
    o->review = MATCH_DEFAULT_REVIEW;
    o->u_samples = 50000;
    o->seed = 1;
    o->em_max_iter = 200;
    o->max_block = 2000;
    o->model = NULL;
    o->best_only = 0;
    o->threads = 0;
}

static const char *const level_names[][MATCH_MAX_LEVELS] = {
    [MATCH_NAME] = {"different", "similar", "jw88", "near", "nickname", "exact"},
    [MATCH_TEXT] = {"different", "jw80", "jw90", "two_edits", "one_edit", "exact"},
    [MATCH_CODE] = {"different", "one_edit", "exact"},
    [MATCH_DATE] = {"different", "same_year", "two_edits", "one_edit", "dm_swapped", "exact"},
    [MATCH_EXACT] = {"different", "exact"},
};
static const int level_counts[] = {[MATCH_NAME] = 6, [MATCH_TEXT] = 6, [MATCH_CODE] = 3, [MATCH_DATE] = 6,
                                   [MATCH_EXACT] = 2};

int match_level_count(match_kind k)
{
    return (unsigned)k <= MATCH_EXACT ? level_counts[k] : 0;
}

const char *match_level_name(match_kind k, int level)
{
    if (level == MATCH_LEVEL_NULL)
        return "null";
    if (level < 0 || level >= match_level_count(k))
        return "?";
    return level_names[k][level];
}

const char *match_class_name(match_class c)
{
    return c == MATCH_LINK ? "link" : c == MATCH_REVIEW ? "review" : "new";
}

/* ------------------------------------------------------------------ */
/* Prepared values                                                      */

typedef struct {
    const char *s;    /* normalised (lower-case letters, digits, bytes >= 0x80); NULL if missing */
    int len;
    char sdx[5];      /* Soundex (names only) */
    char nys[12];     /* NYSIIS (names only) */
    short nick[NICK_MAX]; /* nickname groups (names only) */
    signed char nnick;
    uint64_t letters; /* bit (byte & 63) set for each byte of s: a bound on Jaro */
    double tf;        /* share of the field's non-missing values equal to this one (tf fields) */
} pval;

typedef struct {
    const char *name;
    short group;
} nick_entry;

/* One run's working state. */
typedef struct {
    const match_schema *s;
    arena *a;
    pval *v;          /* v[i * nfields + f] */
    size_t n, na;     /* records; link: the first na are set A */
    int link;
    nick_entry *nick; /* sorted by name */
    size_t nnick;
} run;

/* Writes the normalised form of in (letters lower-cased, digits and bytes
 * >= 0x80 kept, everything else dropped) into out[cap]; returns its length. */
static size_t normalise(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && n + 1 < cap; p++) {
        unsigned ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            out[n++] = (char)(ch - 'A' + 'a');
        else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80)
            out[n++] = (char)ch;
    }
    out[n] = '\0';
    return n;
}

static int nick_cmp(const void *x, const void *y)
{
    const nick_entry *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : a->group - b->group;
}

/* Builds the sorted nickname index of R from the table (in R's arena). */
static void nick_index(run *R)
{
    size_t cap = 0;
    for (int g = 0; g < NICK_NGROUPS; g++)
        for (const char *p = nick_groups[g]; *p; p++)
            cap += *p == ' ';
    cap += NICK_NGROUPS;
    R->nick = arena_alloc(R->a, cap * sizeof *R->nick);
    R->nnick = 0;
    for (int g = 0; g < NICK_NGROUPS; g++) {
        for (const char *p = nick_groups[g]; *p;) {
            const char *e = strchr(p, ' ');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            R->nick[R->nnick].name = arena_strndup(R->a, p, l);
            R->nick[R->nnick++].group = (short)g;
            p += l;
            while (*p == ' ')
                p++;
        }
    }
    qsort(R->nick, R->nnick, sizeof *R->nick, nick_cmp);
}

/* One sorted index for the whole process, built on first use, for
 * match_nickname (called per candidate by search: the scan was most of a
 * search's time). */
static run shared_nick;
static pthread_once_t shared_nick_once = PTHREAD_ONCE_INIT;

static void shared_nick_build(void)
{
    shared_nick.a = arena_new(); /* lives as long as the process */
    nick_index(&shared_nick);
}

static int nick_lookup_shared(const char *name, short out[NICK_MAX])
{
    pthread_once(&shared_nick_once, shared_nick_build);
    const run *R = &shared_nick;
    size_t lo = 0, hi = R->nnick;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(R->nick[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int n = 0;
    for (; lo < R->nnick && n < NICK_MAX && !strcmp(R->nick[lo].name, name); lo++)
        out[n++] = R->nick[lo].group;
    return n;
}

static void nick_find(const run *R, pval *v)
{
    v->nnick = 0;
    if (!R->nick) {
        v->nnick = (signed char)nick_lookup_scan(v->s, v->nick);
        return;
    }
    size_t lo = 0, hi = R->nnick;
    while (lo < hi) { /* first entry >= v->s */
        size_t mid = (lo + hi) / 2;
        if (strcmp(R->nick[mid].name, v->s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < R->nnick && v->nnick < NICK_MAX && !strcmp(R->nick[lo].name, v->s); lo++)
        v->nick[v->nnick++] = R->nick[lo].group;
}

/* Fills v from raw value in (NULL or "" is missing), the normalised string
 * stored in buf (kept by the caller for as long as v is used). */
static void prepare(const run *R, match_kind k, const char *in, pval *v, char *buf, size_t cap)
{
    memset(v, 0, sizeof *v);
    v->tf = 1.0;
    if (!in || !*in)
        return;
    size_t n = normalise(in, buf, cap);
    if (n == 0)
        return;
    v->s = buf;
    v->len = (int)n;
    for (size_t i = 0; i < n; i++)
        v->letters |= (uint64_t)1 << ((unsigned char)buf[i] & 63);
    if (k == MATCH_NAME) {
        match_soundex(buf, v->sdx);
        match_nysiis(buf, v->nys, sizeof v->nys);
        nick_find(R, v);
    }
}

/* ------------------------------------------------------------------ */
/* Comparing                                                            */

/* Nonzero if a and b are at most one edit apart (an insertion, deletion,
 * substitution or swap of two neighbours): dl_n(a, b, 1) <= 1 in one pass
 * without the table. */
static int one_edit(const char *a, size_t la, const char *b, size_t lb)
{
    if (la < lb) {
        const char *t = a;
        a = b, b = t;
        size_t tl = la;
        la = lb, lb = tl;
    }
    if (la - lb > 1)
        return 0;
    size_t i = 0;
    while (i < lb && a[i] == b[i])
        i++;
    if (la > lb) /* the one more character is a[i] */
        return !memcmp(a + i + 1, b + i, lb - i);
    if (i == la)
        return 1;
    if (!memcmp(a + i + 1, b + i + 1, la - i - 1))
        return 1; /* substituted */
    return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && !memcmp(a + i + 2, b + i + 2, la - i - 2);
}

/* match_dob_swapped on prepared values known to differ. */
static int dob_swapped(const pval *x, const pval *y)
{
    const char *a = x->s, *b = y->s;
    return x->len == 8 && y->len == 8 && !memcmp(a, b, 4) && a[4] == b[6] && a[5] == b[7] && a[6] == b[4] &&
           a[7] == b[5];
}

static int same_nick(const pval *x, const pval *y)
{
    for (int i = 0; i < x->nnick; i++)
        for (int j = 0; j < y->nnick; j++)
            if (x->nick[i] == y->nick[j])
                return 1;
    return 0;
}

/* The level of x against y for a field of kind k; jw is their Jaro–Winkler
 * similarity if the caller has it, or negative. */
static int level_of(match_kind k, const pval *x, const pval *y, double jw)
{
    if (!x->s || !y->s)
        return MATCH_LEVEL_NULL;
    int top = level_counts[k] - 1;
    if (x->len == y->len && !memcmp(x->s, y->s, (size_t)x->len))
        return top;
    switch (k) {
    case MATCH_NAME: {
        if (same_nick(x, y))
            return 4;
        if (one_edit(x->s, (size_t)x->len, y->s, (size_t)y->len))
            return 3;
        if (jw < 0)
            jw = jw_n(x->s, (size_t)x->len, y->s, (size_t)y->len);
        if (jw >= 0.94)
            return 3;
        if (jw >= 0.88)
            return 2;
        if (jw >= 0.80 || (x->sdx[0] && !strcmp(x->sdx, y->sdx)) || (x->nys[0] && !strcmp(x->nys, y->nys)))
            return 1;
        return 0;
    }
    case MATCH_TEXT: {
        int d = dl_n(x->s, (size_t)x->len, y->s, (size_t)y->len, 2);
        if (d == 1)
            return 4;
        if (d == 2 && x->len >= 5 && y->len >= 5)
            return 3;
        if (jw < 0)
            jw = jw_n(x->s, (size_t)x->len, y->s, (size_t)y->len);
        return jw >= 0.90 ? 2 : jw >= 0.80 ? 1 : 0;
    }
    case MATCH_CODE:
        return one_edit(x->s, (size_t)x->len, y->s, (size_t)y->len);
    case MATCH_DATE: {
        if (dob_swapped(x, y))
            return 4;
        int d = dl_n(x->s, (size_t)x->len, y->s, (size_t)y->len, 2);
        if (d <= 2)
            return d == 1 ? 3 : 2;
        if (x->len >= 4 && y->len >= 4 && !memcmp(x->s, y->s, 4))
            return 1;
        return 0;
    }
    case MATCH_EXACT:
        return 0;
    }
    return 0;
}

/* How alike two values look, to decide whether a pair of fields was
 * swapped: 0 if either is missing, else Jaro–Winkler. */
static double likeness(const pval *x, const pval *y)
{
    if (!x->s || !y->s)
        return 0.0;
    if (x->len == y->len && !memcmp(x->s, y->s, (size_t)x->len))
        return 1.0;
    return jw_n(x->s, (size_t)x->len, y->s, (size_t)y->len);
}

/* At least likeness(x, y), cheaply: Jaro counts as matched only
 * characters the other string has, so with m at most the smaller of the two
 * strings' counts of such characters (by x->letters, which may only
 * overcount), Jaro is at most (m/|x| + m/|y| + 1) / 3, and Winkler's boost
 * is at most the common prefix's. */
static double likeness_bound(const pval *x, const pval *y)
{
    if (!x->s || !y->s)
        return 0.0;
    size_t ma = 0, mb = 0, l = 0;
    for (int i = 0; i < x->len; i++)
        ma += (y->letters >> ((unsigned char)x->s[i] & 63)) & 1;
    for (int i = 0; i < y->len; i++)
        mb += (x->letters >> ((unsigned char)y->s[i] & 63)) & 1;
    double m = (double)(ma < mb ? ma : mb);
    if (m == 0.0)
        return 0.0;
    double j = (m / (double)x->len + m / (double)y->len + 1.0) / 3.0;
    if (j > 1.0)
        j = 1.0;
    while (l < 4 && l < (size_t)x->len && l < (size_t)y->len && x->s[l] == y->s[l])
        l++;
    return j + (double)l * 0.1 * (1.0 - j) + 1e-9;
}

/* Crosswise comparison is taken only if a crossed pair is at least this
 * alike: a swap shows as agreement, not as two fields slightly less unlike. */
#define SWAP_LIKENESS 0.85

/* Compares records x and y (nfields prepared values each) field by field:
 * lev[f] and sw[f] (whether field f of x was compared with the partner
 * field of y). Fields with a swap partner are compared crosswise when that
 * makes the two look more alike (and one crossed pair looks alike). */
static void compare(const match_schema *s, const pval *x, const pval *y, signed char *lev, unsigned char *sw)
{
    for (int f = 0; f < s->nfields; f++) {
        int g = s->field[f].swap;
        if (g < 0) {
            lev[f] = (signed char)level_of(s->field[f].kind, &x[f], &y[f], -1.0);
            sw[f] = 0;
            continue;
        }
        if (g < f)
            continue; /* done with its partner */
        double ff = likeness(&x[f], &y[f]), gg = likeness(&x[g], &y[g]), fg = 0.0, gf = 0.0;
        int cross = 0;
        /* The crossed likenesses only if they could decide: never when
         * both fields agree already, nor when neither crossed pair can
         * reach SWAP_LIKENESS or beat the straight pairs. */
        if (ff + gg + 1e-9 < 2.0) {
            double bfg = likeness_bound(&x[f], &y[g]), bgf = likeness_bound(&x[g], &y[f]);
            if (fmax(bfg, bgf) >= SWAP_LIKENESS && bfg + bgf > ff + gg + 1e-9) {
                fg = likeness(&x[f], &y[g]);
                gf = likeness(&x[g], &y[f]);
                cross = fg + gf > ff + gg + 1e-9 && fmax(fg, gf) >= SWAP_LIKENESS;
            }
        }
        lev[f] = (signed char)level_of(s->field[f].kind, &x[f], cross ? &y[g] : &y[f], cross ? fg : ff);
        lev[g] = (signed char)level_of(s->field[g].kind, &x[g], cross ? &y[f] : &y[g], cross ? gf : gg);
        sw[f] = sw[g] = (unsigned char)cross;
    }
}

/* ------------------------------------------------------------------ */
/* Blocking                                                             */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ULL;
    }
    return h;
}

typedef struct {
    uint64_t key;
    uint32_t rec;
    uint32_t lacks; /* the record lacks a field of its rule's unless */
} keyed;

/* The blocking key of record v for rule r, variant 0 (as is) or 1 (every
 * field with a swap partner replaced by it). 0 if a part is missing. */
static int block_key(const match_schema *s, const match_block_rule *r, int variant, uint64_t rule_no,
                     const pval *v, uint64_t *out)
{
    uint64_t h = fnv(14695981039346656037ULL, &rule_no, sizeof rule_no);
    for (int p = 0; p < r->nparts; p++) {
        const match_key_part *kp = &r->part[p];
        int f = kp->field;
        if (variant && s->field[f].swap >= 0)
            f = s->field[f].swap;
        const pval *x = &v[f];
        if (!x->s)
            return 0;
        char sdx[5];
        const char *str = x->s;
        size_t len = (size_t)x->len;
        switch (kp->kind) {
        case MATCH_KEY_VALUE:
            break;
        case MATCH_KEY_SOUNDEX:
            match_soundex(x->s, sdx);
            if (!sdx[0])
                return 0;
            str = sdx;
            len = 4;
            break;
        case MATCH_KEY_PREFIX:
            if (kp->len > 0 && len > (size_t)kp->len)
                len = (size_t)kp->len;
            break;
        case MATCH_KEY_YEAR:
            if (len < 4)
                return 0;
            len = 4;
            break;
        }
        h = fnv(h, str, len);
        h = fnv(h, "\x1f", 1);
    }
    *out = h;
    return 1;
}

static int rule_swaps(const match_schema *s, const match_block_rule *r)
{
    for (int p = 0; p < r->nparts; p++)
        if (s->field[r->part[p].field].swap >= 0)
            return 1;
    return 0;
}

/* A candidate pair: i << 32 | j (i < j; link: i in A, j in B) and the
 * rules that proposed it (bit r for rule r). */
typedef struct {
    uint64_t pair;
    uint32_t rules;
} cand;

typedef struct {
    cand *v;
    size_t n, cap;
} candvec;

static void cand_push(candvec *vec, uint64_t pair, uint32_t rules)
{
    if (vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 4096;
        vec->v = xrealloc(vec->v, vec->cap * sizeof *vec->v);
    }
    vec->v[vec->n++] = (cand){pair, rules};
}

/* Sorts v[0..n) by pair, ascending: LSD radix sort, 16 bits a pass,
 * skipping passes whose digit is the same everywhere. Millions of pairs
 * sort several times faster than by qsort's compare calls. */
static void cand_sort(cand *v, size_t n)
{
    if (n < 2)
        return;
    cand *tmp = xmalloc(n * sizeof *tmp);
    size_t *count = xmalloc(65536 * sizeof *count);
    cand *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].pair >> shift) & 0xffff]++;
        if (count[(src[0].pair >> shift) & 0xffff] == n)
            continue; /* one digit for all: the order stands */
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].pair >> shift) & 0xffff]++] = src[i];
        cand *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(count);
    free(tmp);
}

/* Sorts ks[0..n) by key, stably (LSD radix, 16 bits a pass): keys built in
 * record order come out by key, then record. */
static void keyed_sort(keyed *v, size_t n)
{
    if (n < 2)
        return;
    keyed *tmp = xmalloc(n * sizeof *tmp);
    size_t *count = xmalloc(65536 * sizeof *count);
    keyed *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & 0xffff]++;
        if (count[(src[0].key >> shift) & 0xffff] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & 0xffff]++] = src[i];
        keyed *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(count);
    free(tmp);
}

/* Whether two records whose keys met (a and b: keyed.lacks) make a pair:
 * a rule with unless needs one of them to lack one of its fields. */
static int keep_pair(const match_block_rule *rule, uint32_t a, uint32_t b)
{
    return !rule->unless || a || b;
}

/* The distinct candidate pairs of R under every rule, sorted, each with
 * the rules that proposed it. Counts skipped blocks into *skipped. */
static candvec block(const run *R, size_t max_block, size_t *skipped)
{
    const match_schema *s = R->s;
    candvec pairs = {0};
    keyed *ks = xmalloc(2 * R->n * sizeof *ks + 1);
    for (int r = 0; r < s->nrules; r++) {
        const match_block_rule *rule = &s->rule[r];
        int variants = rule_swaps(s, rule) ? 2 : 1;
        size_t nk = 0;
        for (size_t i = 0; i < R->n; i++) {
            uint64_t k0 = 0, k1;
            const pval *v = &R->v[i * (size_t)s->nfields];
            uint32_t lacks = 0;
            for (int f = 0; f < s->nfields; f++)
                if ((rule->unless >> f & 1u) && !v[f].s)
                    lacks = 1;
            int has0 = block_key(s, rule, 0, (uint64_t)r, v, &k0);
            if (has0)
                ks[nk++] = (keyed){k0, (uint32_t)i, lacks};
            if (variants == 2 && block_key(s, rule, 1, (uint64_t)r, v, &k1) && (!has0 || k1 != k0))
                ks[nk++] = (keyed){k1, (uint32_t)i, lacks};
        }
        keyed_sort(ks, nk); /* ks was filled in record order */
        for (size_t lo = 0; lo < nk;) {
            size_t hi = lo + 1;
            while (hi < nk && ks[hi].key == ks[lo].key)
                hi++;
            if (hi - lo > max_block) {
                (*skipped)++;
            } else if (R->link) {
                /* records of A first (sorted by rec): pair each with each of B */
                size_t mid = lo;
                while (mid < hi && ks[mid].rec < R->na)
                    mid++;
                for (size_t x = lo; x < mid; x++)
                    for (size_t y = mid; y < hi; y++)
                        if (keep_pair(rule, ks[x].lacks, ks[y].lacks))
                            cand_push(&pairs, (uint64_t)ks[x].rec << 32 | ks[y].rec, 1u << r);
            } else {
                for (size_t x = lo; x < hi; x++) {
                    for (size_t y = x + 1; y < hi; y++) {
                        uint32_t i = ks[x].rec, j = ks[y].rec; /* i <= j: sorted by rec within a key */
                        if (i == j)
                            continue;
                        if (R->link && !(i < R->na && j >= R->na))
                            continue;
                        if (!keep_pair(rule, ks[x].lacks, ks[y].lacks))
                            continue;
                        cand_push(&pairs, (uint64_t)i << 32 | j, 1u << r);
                    }
                }
            }
            lo = hi;
        }
    }
    free(ks);
    if (pairs.n) {
        cand_sort(pairs.v, pairs.n);
        size_t w = 1;
        for (size_t i = 1; i < pairs.n; i++) {
            if (pairs.v[i].pair == pairs.v[w - 1].pair)
                pairs.v[w - 1].rules |= pairs.v[i].rules;
            else
                pairs.v[w++] = pairs.v[i];
        }
        pairs.n = w;
    }
    return pairs;
}

/* ------------------------------------------------------------------ */
/* Frequencies: term frequency per value and u of the exact level       */

/* For field f: sets every value's tf and returns the probability that a
 * random pair (across sets when linking) with both values present agrees
 * exactly; 0 if no such pair can be drawn. */
static double frequencies(run *R, int f, keyed *tmp)
{
    size_t nf = (size_t)R->s->nfields, m = 0, nnA = 0, nnB = 0;
    for (size_t i = 0; i < R->n; i++) {
        const pval *x = &R->v[i * nf + (size_t)f];
        if (!x->s)
            continue;
        tmp[m++] = (keyed){fnv(14695981039346656037ULL, x->s, (size_t)x->len), (uint32_t)i, 0};
        if (R->link && i >= R->na)
            nnB++;
        else
            nnA++;
    }
    keyed_sort(tmp, m); /* filled in record order: by value, then record */
    double agree = 0.0;
    for (size_t lo = 0; lo < m;) {
        size_t hi = lo + 1, cb = 0;
        while (hi < m && tmp[hi].key == tmp[lo].key)
            hi++;
        for (size_t k = lo; k < hi; k++)
            cb += R->link && tmp[k].rec >= R->na;
        size_t c = hi - lo, ca = c - cb;
        double share = (double)c / (double)m;
        for (size_t k = lo; k < hi; k++)
            R->v[tmp[k].rec * nf + (size_t)f].tf = share;
        agree += R->link ? (double)ca * (double)cb : (double)c * (double)(c - 1);
        lo = hi;
    }
    double pairs = R->link ? (double)nnA * (double)nnB : (double)nnA * (double)(nnA - (nnA > 0));
    return pairs > 0 ? agree / pairs : 0.0;
}

/* ------------------------------------------------------------------ */
/* Estimating u and m                                                   */

static uint64_t rng_next(uint64_t *st)
{
    uint64_t x = *st;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 2685821657736338717ULL;
}

/* u per field and level: the exact level from value frequencies, the rest
 * in the shares a sample of random pairs shows (half a pair added to each,
 * so no level is impossible). */
static void estimate_u(run *R, const match_options *o, match_model *mod)
{
    const match_schema *s = R->s;
    int nf = s->nfields;
    double uexact[MATCH_MAX_FIELDS];
    keyed *tmp = xmalloc(R->n * sizeof *tmp + 1);
    for (int f = 0; f < nf; f++)
        uexact[f] = frequencies(R, f, tmp);
    free(tmp);

    double cnt[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS] = {{0}};
    size_t nb = R->link ? R->n - R->na : 0, na = R->link ? R->na : R->n;
    int can = R->link ? (na > 0 && nb > 0) : R->n >= 2;
    uint64_t st = o->seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    if (st == 0)
        st = 1;
    signed char lev[MATCH_MAX_FIELDS];
    unsigned char sw[MATCH_MAX_FIELDS];
    for (size_t k = 0; can && k < o->u_samples; k++) {
        size_t i, j;
        if (R->link) {
            i = (size_t)(rng_next(&st) % na);
            j = na + (size_t)(rng_next(&st) % nb);
        } else {
            i = (size_t)(rng_next(&st) % R->n);
            j = (size_t)(rng_next(&st) % (R->n - 1));
            if (j >= i)
                j++;
        }
        compare(s, &R->v[i * (size_t)nf], &R->v[j * (size_t)nf], lev, sw);
        for (int f = 0; f < nf; f++)
            if (lev[f] >= 0)
                cnt[f][lev[f]] += 1.0;
    }
    for (int f = 0; f < nf; f++) {
        match_field_model *fm = &mod->f[f];
        int L = level_counts[s->field[f].kind], top = L - 1;
        fm->nlevels = L;
        double ue = uexact[f];
        double floor_e = 0.5 / (double)(o->u_samples + 1);
        if (ue < floor_e)
            ue = floor_e;
        if (ue > 1.0 - 1e-3) /* (nearly) everyone has the same value */
            ue = 1.0 - 1e-3;
        double rest = 0.0;
        for (int l = 0; l < top; l++)
            rest += cnt[f][l] + 0.5;
        for (int l = 0; l < top; l++)
            fm->u[l] = (1.0 - ue) * (cnt[f][l] + 0.5) / rest;
        fm->u[top] = ue;
    }
}

/* One level pattern of the candidate pairs and how many pairs show it. */
typedef struct {
    uint64_t code;
    double count;
} pattern;

/* A candidate pair's comparison packed in 64 bits: field f's level + 1 in
 * bits 3f..3f+2 (LEVEL_BITS), and from bit RULE_SHIFT up either whether
 * field f was compared crosswise (bit RULE_SHIFT + f, per pair) or the
 * rules that proposed it (bit RULE_SHIFT + r, for estimating m). */
enum { RULE_SHIFT = 3 * MATCH_MAX_FIELDS };
#define LEVEL_BITS ((UINT64_C(1) << RULE_SHIFT) - 1)

static uint64_t pattern_code(const signed char *lev, int nf)
{
    uint64_t c = 0;
    for (int f = 0; f < nf; f++)
        c |= (uint64_t)(lev[f] + 1) << (3 * f);
    return c;
}

static int pattern_level(uint64_t code, int f)
{
    return (int)((code >> (3 * f)) & 7) - 1;
}

/* Where EM starts m, and the Dirichlet prior it is drawn towards with
 * M_PRIOR_PAIRS pairs' worth of weight (nothing next to the thousands of
 * matches of a real file; enough to keep one or two matches from making
 * every other level impossible): matches mostly agree exactly. */
enum { M_PRIOR_PAIRS = 2 };
static void m_prior(int L, double *p)
{
    if (L == 2) {
        p[0] = 0.05, p[1] = 0.95;
        return;
    }
    p[0] = 0.05;
    p[L - 1] = 0.85;
    for (int l = 1; l < L - 1; l++)
        p[l] = 0.10 / (L - 2);
}

static int pattern_cmp(const void *x, const void *y)
{
    const pattern *a = x, *b = y;
    return a->code < b->code ? -1 : a->code > b->code;
}

/* Sorts p[0..n) by code and adds up the counts of equal codes; returns how
 * many distinct codes are left at the front. */
static size_t aggregate(pattern *p, size_t n)
{
    if (n > 1)
        qsort(p, n, sizeof *p, pattern_cmp);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        if (np && p[np - 1].code == p[i].code)
            p[np - 1].count += p[i].count;
        else
            p[np++] = p[i];
    }
    return np;
}

/* EM over patterns pat[0..np) of nf fields with u fixed: a mixture of
 * matches (m, estimated, starting from and drawn towards prior) and
 * non-matches (u). Missing fields count in neither. Fills m; returns the
 * expected number of matches and adds the iterations run to *iters.
 * With fit_m zero only the share of matches is fitted (m stays). */
static double em(const pattern *pat, size_t np, int nf, const int *nlev, double m[][MATCH_MAX_LEVELS],
                 double u[][MATCH_MAX_LEVELS], double prior[][MATCH_MAX_LEVELS], int fit_m, int max_iter,
                 int *iters, double *lambda_out)
{
    double lu[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS];
    for (int f = 0; f < nf; f++)
        for (int l = 0; l < nlev[f]; l++)
            lu[f][l] = log(u[f][l]);
    double lambda = 0.1, expected = 0.0;
    for (int it = 0; it < max_iter; it++) {
        double am[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS] = {{0}};
        double lm[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS];
        for (int f = 0; f < nf; f++)
            for (int l = 0; l < nlev[f]; l++)
                lm[f][l] = log(m[f][l]);
        double sumg = 0.0, total = 0.0;
        for (size_t p = 0; p < np; p++) {
            double a = log(lambda) - log(1.0 - lambda);
            for (int f = 0; f < nf; f++) {
                int l = pattern_level(pat[p].code, f);
                if (l >= 0)
                    a += lm[f][l] - lu[f][l];
            }
            double g = a > 40 ? 1.0 : a < -40 ? 0.0 : 1.0 / (1.0 + exp(-a));
            double c = pat[p].count;
            sumg += c * g;
            total += c;
            if (fit_m)
                for (int f = 0; f < nf; f++) {
                    int l = pattern_level(pat[p].code, f);
                    if (l >= 0)
                        am[f][l] += c * g;
                }
        }
        double change = 0.0;
        if (fit_m)
            for (int f = 0; f < nf; f++) {
                double sm = 0.0;
                for (int l = 0; l < nlev[f]; l++)
                    sm += am[f][l];
                for (int l = 0; l < nlev[f]; l++) {
                    double nm = (am[f][l] + M_PRIOR_PAIRS * prior[f][l]) / (sm + M_PRIOR_PAIRS);
                    change = fmax(change, fabs(nm - m[f][l]));
                    m[f][l] = nm;
                }
            }
        double nl = total > 0 ? sumg / total : 0.0;
        nl = fmin(fmax(nl, 1e-9), 1 - 1e-9);
        change = fmax(change, fabs(nl - lambda));
        lambda = nl;
        expected = sumg;
        (*iters)++;
        if (change < 1e-7)
            break;
    }
    if (lambda_out)
        *lambda_out = lambda;
    return expected;
}

/* m by EM over the candidate pairs, with u fixed at the random-pair
 * estimate. One EM session per blocking rule, over the pairs that rule
 * proposed, leaving out the fields the rule blocks on (with their swap
 * partners and their group): those agree by construction, not because the
 * pair matches. A field's m is the average of the sessions that saw it,
 * weighted by how many matches each found. Then the share of candidates
 * that match (lambda) is fitted over all of them with m fixed. */
static void estimate_m(const match_schema *s, const pattern *all, size_t nall, const match_options *o,
                       match_model *mod)
{
    int nf = s->nfields, nlev[MATCH_MAX_FIELDS];
    double prior[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS], u[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS];
    double acc[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS] = {{0}}, accw[MATCH_MAX_FIELDS] = {0};
    for (int f = 0; f < nf; f++) {
        nlev[f] = mod->f[f].nlevels;
        m_prior(nlev[f], prior[f]);
        for (int l = 0; l < nlev[f]; l++)
            u[f][l] = mod->f[f].u[l];
    }
    mod->em_iterations = 0;
    mod->lambda = 0.0;
    pattern *pat = xmalloc(nall * sizeof *pat + 1);
    for (int r = 0; r < s->nrules; r++) {
        uint64_t keep = 0; /* code bits of the fields this session sees */
        int seen[MATCH_MAX_FIELDS];
        for (int f = 0; f < nf; f++)
            seen[f] = 1;
        const match_block_rule *rule = &s->rule[r];
        for (int p = 0; p < rule->nparts; p++) {
            int f = rule->part[p].field;
            for (int g = 0; g < nf; g++)
                if (g == f || g == s->field[f].swap || (s->field[f].group && s->field[g].group == s->field[f].group))
                    seen[g] = 0;
        }
        for (int f = 0; f < nf; f++)
            if (seen[f])
                keep |= (uint64_t)7 << (3 * f);
        size_t n = 0;
        for (size_t k = 0; k < nall; k++)
            if (all[k].code >> RULE_SHIFT & (1u << r))
                pat[n++] = (pattern){all[k].code & keep, all[k].count};
        if (n == 0)
            continue;
        size_t np = aggregate(pat, n);
        double m[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS];
        memcpy(m, prior, sizeof m);
        double expected = em(pat, np, nf, nlev, m, u, prior, 1, o->em_max_iter, &mod->em_iterations, NULL);
        for (int f = 0; f < nf; f++) {
            if (!seen[f])
                continue;
            for (int l = 0; l < nlev[f]; l++)
                acc[f][l] += expected * m[f][l];
            accw[f] += expected;
        }
    }
    double m[MATCH_MAX_FIELDS][MATCH_MAX_LEVELS];
    for (int f = 0; f < nf; f++)
        for (int l = 0; l < nlev[f]; l++)
            m[f][l] = accw[f] > 1e-9 ? acc[f][l] / accw[f] : prior[f][l];
    if (nall) {
        for (size_t k = 0; k < nall; k++)
            pat[k] = (pattern){all[k].code & LEVEL_BITS, all[k].count};
        size_t np = aggregate(pat, nall);
        em(pat, np, nf, nlev, m, u, prior, 0, o->em_max_iter, &mod->em_iterations, &mod->lambda);
    }
    free(pat);
    for (int f = 0; f < nf; f++)
        for (int l = 0; l < nlev[f]; l++)
            mod->f[f].m[l] = m[f][l];
}

static void set_weights(const match_schema *s, match_model *mod)
{
    for (int f = 0; f < s->nfields; f++) {
        match_field_model *fm = &mod->f[f];
        int top = fm->nlevels - 1;
        for (int l = 0; l <= top; l++)
            fm->w[l] = log2(fm->m[l] / fm->u[l]);
        /* Order the levels, whatever sparse counts say: disagreeing is never
         * evidence for a match nor agreeing against one, and a partial
         * agreement weighs between the two (a level matches almost never
         * show, or random pairs almost never do, would otherwise weigh
         * more than either end). */
        fm->w[0] = fmin(fm->w[0], 0.0);
        fm->w[top] = fmax(fm->w[top], 0.0);
        for (int l = 1; l < top; l++)
            fm->w[l] = fmin(fmax(fm->w[l], fm->w[0]), fm->w[top]);
    }
}

/* The weight of field f at level l, for a value whose tf is given (tf < 0: none). */
static double weight_of(const match_schema *s, const match_model *mod, int f, int l, double tf)
{
    if (l < 0)
        return 0.0;
    const match_field_model *fm = &mod->f[f];
    if (tf > 0 && s->field[f].tf && l == fm->nlevels - 1) {
        double w = log2(fm->m[l] / tf);
        return w > 0.0 ? w : 0.0;
    }
    return fm->w[l];
}

/* ------------------------------------------------------------------ */
/* A run                                                                */

static int pair_cmp(const void *x, const void *y)
{
    const match_pair *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* ------------------------------------------------------------------ */
/* Work on every core                                                   */

/* CPUs this process may run on (taskset and cgroups' cpusets narrow it). */
static int cpus_allowed(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Items 0..n-1 shared out among threads CHUNK at a time, in turn, so that
 * a thread the machine lends less time to does less of the work. */
enum { CHUNK = 4096 };
typedef void (*par_fn)(void *ctx, int t, size_t lo, size_t hi);
typedef struct {
    par_fn fn;
    void *ctx;
    size_t n;
    atomic_size_t next;
} par_job;

typedef struct {
    par_job *job;
    int t;
} par_arg;

static void *par_main(void *p)
{
    par_arg *a = p;
    par_job *j = a->job;
    for (;;) {
        size_t lo = atomic_fetch_add(&j->next, (size_t)CHUNK);
        if (lo >= j->n)
            break;
        j->fn(j->ctx, a->t, lo, lo + CHUNK < j->n ? lo + CHUNK : j->n);
    }
    return NULL;
}

/* Runs fn over 0..n-1 on up to nt threads (the caller's one of them);
 * returns how many ran (thread numbers 0 .. that - 1). A thread that cannot
 * be started leaves its share to the others. */
static int par_for(int nt, size_t n, par_fn fn, void *ctx)
{
    par_job job = {.fn = fn, .ctx = ctx, .n = n};
    atomic_init(&job.next, 0);
    size_t chunks = (n + CHUNK - 1) / CHUNK;
    if ((size_t)nt > chunks)
        nt = chunks ? (int)chunks : 1;
    pthread_t th[MATCH_MAX_THREADS];
    par_arg arg[MATCH_MAX_THREADS];
    int started = 1;
    for (int t = 1; t < nt; t++) {
        arg[t] = (par_arg){&job, t};
        if (pthread_create(&th[t], NULL, par_main, &arg[t]) != 0)
            break;
        started++;
    }
    arg[0] = (par_arg){&job, 0};
    par_main(&arg[0]);
    for (int t = 1; t < started; t++)
        pthread_join(th[t], NULL);
    return started;
}

/* Pattern counts of one thread: open addressing on the code, 0 is empty
 * (no code is 0: every pair was proposed by some rule). */
typedef struct {
    pattern *slot;
    size_t cap, n;
} ptab;

static void ptab_add(ptab *t, uint64_t code, double count)
{
    if ((t->n + 1) * 2 > t->cap) {
        ptab old = *t;
        t->cap = old.cap ? old.cap * 2 : 1024;
        t->slot = xcalloc(t->cap, sizeof *t->slot);
        t->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i].code)
                ptab_add(t, old.slot[i].code, old.slot[i].count);
        free(old.slot);
    }
    size_t i = (size_t)((code * 0x9E3779B97F4A7C15ULL) >> 20) & (t->cap - 1);
    while (t->slot[i].code && t->slot[i].code != code)
        i = (i + 1) & (t->cap - 1);
    if (!t->slot[i].code) {
        t->slot[i].code = code;
        t->n++;
    }
    t->slot[i].count += count;
}

/* The best pair of one record of the second set, so far. */
typedef struct {
    double score;
    size_t k; /* the candidate; SIZE_MAX: none at or above review */
    uint32_t a;
} best;

/* One run's comparing and scoring, shared by its threads. */
typedef struct {
    const run *R;
    const cand *c;
    uint64_t *code;          /* per candidate: levels and crosswise bits */
    ptab tab[MATCH_MAX_THREADS]; /* pattern (levels | rules) counts, if estimating */
    int estimate;
    const match_model *mod;
    const match_options *o;
    best *top[MATCH_MAX_THREADS];      /* best_only: per thread, by record of the second set */
    match_result part[MATCH_MAX_THREADS]; /* else: pairs at or above review, per thread */
} work;

enum { PF_AHEAD = 16 }; /* pairs ahead to fetch the second record's values */

static void compare_range(void *ctx, int t, size_t lo, size_t hi)
{
    work *W = ctx;
    const run *R = W->R;
    const match_schema *s = R->s;
    int nf = s->nfields;
    signed char lev[MATCH_MAX_FIELDS];
    unsigned char sw[MATCH_MAX_FIELDS];
    /* Pairs come by their first record, so the second's values are
     * anywhere in memory: fetch them ahead (the values PF_AHEAD pairs on,
     * their strings half as far), or comparing waits on memory most of the
     * time. */
    size_t rec_bytes = (size_t)nf * sizeof *R->v;
    for (size_t k = lo; k < hi; k++) {
        if (k + PF_AHEAD < hi) {
            const char *p = (const char *)&R->v[(size_t)(W->c[k + PF_AHEAD].pair & 0xffffffffu) * (size_t)nf];
            for (size_t b = 0; b < rec_bytes; b += 64)
                __builtin_prefetch(p + b);
        }
        if (k + PF_AHEAD / 2 < hi) {
            const pval *y = &R->v[(size_t)(W->c[k + PF_AHEAD / 2].pair & 0xffffffffu) * (size_t)nf];
            for (int f = 0; f < nf; f++)
                if (y[f].s)
                    __builtin_prefetch(y[f].s);
        }
        size_t i = (size_t)(W->c[k].pair >> 32), j = (size_t)(W->c[k].pair & 0xffffffffu);
        compare(s, &R->v[i * (size_t)nf], &R->v[j * (size_t)nf], lev, sw);
        uint64_t code = pattern_code(lev, nf);
        if (W->estimate)
            ptab_add(&W->tab[t], code | (uint64_t)W->c[k].rules << RULE_SHIFT, 1.0);
        for (int f = 0; f < nf; f++)
            code |= (uint64_t)sw[f] << (RULE_SHIFT + f);
        W->code[k] = code;
    }
}

/* The score of candidate k and (if ev) its evidence. */
static double score_of(const work *W, size_t k, match_evidence *ev)
{
    const run *R = W->R;
    const match_schema *s = R->s;
    int nf = s->nfields;
    size_t i = (size_t)(W->c[k].pair >> 32);
    uint64_t code = W->code[k];
    double score = 0.0;
    for (int f = 0; f < nf; f++) {
        int l = pattern_level(code, f);
        double w = weight_of(s, W->mod, f, l, R->v[i * (size_t)nf + (size_t)f].tf);
        if (ev)
            ev[f] = (match_evidence){(signed char)l, (unsigned char)(code >> (RULE_SHIFT + f) & 1), (float)w};
        score += w;
    }
    return score;
}

static match_pair pair_of(const work *W, size_t k, double score)
{
    const run *R = W->R;
    size_t i = (size_t)(W->c[k].pair >> 32), j = (size_t)(W->c[k].pair & 0xffffffffu);
    match_pair p = {.a = i, .b = R->link ? j - R->na : j, .score = score};
    memset(p.ev, 0, sizeof p.ev);
    (void)score_of(W, k, p.ev);
    p.cls = score >= W->o->link ? MATCH_LINK : MATCH_REVIEW;
    return p;
}

static void score_range(void *ctx, int t, size_t lo, size_t hi)
{
    work *W = ctx;
    const run *R = W->R;
    for (size_t k = lo; k < hi; k++) {
        double score = score_of(W, k, NULL);
        if (score < W->o->review)
            continue;
        if (W->top[t]) {
            uint32_t i = (uint32_t)(W->c[k].pair >> 32);
            best *b = &W->top[t][(size_t)(W->c[k].pair & 0xffffffffu) - R->na];
            if (b->k == SIZE_MAX || score > b->score || (score == b->score && i < b->a))
                *b = (best){score, k, i};
            continue;
        }
        match_result *out = &W->part[t];
        if (out->npairs % 256 == 0)
            out->pair = xrealloc(out->pair, (out->npairs + 256) * sizeof *out->pair);
        out->pair[out->npairs++] = pair_of(W, k, score);
    }
}

static void push_pair(match_result *out, size_t *cap, match_pair p)
{
    if (out->npairs == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        out->pair = xrealloc(out->pair, *cap * sizeof *out->pair);
    }
    out->pair[out->npairs++] = p;
    out->nlink += p.cls == MATCH_LINK;
}

/* Prepares records lo..hi-1 of a run (their strings in one buffer). */
typedef struct {
    run *R;
    const match_record *ra, *rb;
    char *buf;
    const size_t *off; /* where record i's strings start in buf */
} prep;

static void prepare_range(void *ctx, int t, size_t lo, size_t hi)
{
    (void)t;
    prep *P = ctx;
    run *R = P->R;
    int nf = R->s->nfields;
    for (size_t i = lo; i < hi; i++) {
        const match_record *rec = i < R->na ? &P->ra[i] : &P->rb[i - R->na];
        char *b = P->buf + P->off[i];
        for (int f = 0; f < nf; f++) {
            const char *in = rec->v[f];
            size_t cap = in ? strlen(in) + 1 : 1;
            prepare(R, R->s->field[f].kind, in, &R->v[i * (size_t)nf + (size_t)f], b, cap);
            b += cap;
        }
    }
}

static int run_all(const match_schema *s, const match_record *ra, size_t na, const match_record *rb, size_t nb,
                   int link, const match_options *opt, match_result *out)
{
    memset(out, 0, sizeof *out);
    match_options def;
    if (!opt) {
        match_options_init(&def);
        opt = &def;
    }
    if (na + nb > ((size_t)1 << 31) || s->nfields < 0 || s->nfields > MATCH_MAX_FIELDS || s->nrules < 0 ||
        s->nrules > MATCH_MAX_RULES)
        return -1;
    int nt = opt->threads > 0 ? opt->threads : cpus_allowed();
    if (nt > MATCH_MAX_THREADS)
        nt = MATCH_MAX_THREADS;
    run R = {.s = s, .a = arena_new(), .n = na + nb, .na = na, .link = link};
    int nf = s->nfields;
    nick_index(&R);
    R.v = arena_alloc(R.a, (R.n * (size_t)nf + 1) * sizeof *R.v);
    {
        size_t *off = xmalloc((R.n + 1) * sizeof *off), total = 0;
        for (size_t i = 0; i < R.n; i++) {
            const match_record *rec = i < na ? &ra[i] : &rb[i - na];
            off[i] = total;
            for (int f = 0; f < nf; f++)
                total += rec->v[f] ? strlen(rec->v[f]) + 1 : 1;
        }
        prep P = {.R = &R, .ra = ra, .rb = rb, .buf = arena_alloc(R.a, total + 1), .off = off};
        par_for(nt, R.n, prepare_range, &P);
        free(off);
    }
    candvec cv = block(&R, opt->max_block, &out->skipped_blocks);
    out->candidates = cv.n;

    if (opt->model) {
        /* A model estimated before: only the values' frequencies are this run's. */
        keyed *tmp = xmalloc(R.n * sizeof *tmp + 1);
        for (int f = 0; f < nf; f++)
            if (s->field[f].tf)
                (void)frequencies(&R, f, tmp);
        free(tmp);
        out->model = *opt->model;
    } else {
        estimate_u(&R, opt, &out->model);
    }
    work *W = xcalloc(1, sizeof *W);
    W->R = &R;
    W->c = cv.v;
    W->code = xmalloc(cv.n * sizeof *W->code + 1);
    W->estimate = !opt->model;
    W->o = opt;
    int ran = par_for(nt, cv.n, compare_range, W);
    if (!opt->model) {
        /* The threads' pattern counts together, then m by EM over them. */
        size_t nall = 0;
        for (int t = 0; t < ran; t++)
            nall += W->tab[t].n;
        pattern *all = xmalloc(nall * sizeof *all + 1);
        nall = 0;
        for (int t = 0; t < ran; t++) {
            for (size_t i = 0; i < W->tab[t].cap; i++)
                if (W->tab[t].slot[i].code)
                    all[nall++] = W->tab[t].slot[i];
            free(W->tab[t].slot);
        }
        nall = aggregate(all, nall);
        estimate_m(s, all, nall, opt, &out->model);
        free(all);
        set_weights(s, &out->model);
    }
    W->mod = &out->model;

    int best_only = link && opt->best_only;
    size_t cap = 0;
    if (best_only) {
        size_t nbest = R.n - R.na;
        for (int t = 0; t < nt; t++) {
            W->top[t] = xmalloc((nbest + 1) * sizeof *W->top[t]);
            for (size_t j = 0; j < nbest; j++)
                W->top[t][j] = (best){0.0, SIZE_MAX, 0};
        }
        ran = par_for(nt, cv.n, score_range, W);
        for (size_t j = 0; j < nbest; j++) {
            best b = {0.0, SIZE_MAX, 0};
            for (int t = 0; t < ran; t++) {
                const best *x = &W->top[t][j];
                if (x->k != SIZE_MAX && (b.k == SIZE_MAX || x->score > b.score || (x->score == b.score && x->a < b.a)))
                    b = *x;
            }
            if (b.k != SIZE_MAX)
                push_pair(out, &cap, pair_of(W, b.k, b.score));
        }
        for (int t = 0; t < nt; t++)
            free(W->top[t]);
    } else {
        ran = par_for(nt, cv.n, score_range, W);
        for (int t = 0; t < ran; t++) {
            for (size_t k = 0; k < W->part[t].npairs; k++)
                push_pair(out, &cap, W->part[t].pair[k]);
            free(W->part[t].pair);
        }
    }
    if (out->npairs)
        qsort(out->pair, out->npairs, sizeof *out->pair, pair_cmp);
    free(W->code);
    free(W);
    free(cv.v);
    arena_free(R.a);
    return 0;
}

int match_dedupe(const match_schema *s, const match_record *r, size_t n, const match_options *o,
                 match_result *out)
{
    return run_all(s, r, n, NULL, 0, 0, o, out);
}

int match_link(const match_schema *s, const match_record *a, size_t na, const match_record *b, size_t nb,
               const match_options *o, match_result *out)
{
    return run_all(s, a, na, b, nb, 1, o, out);
}

void match_result_free(match_result *r)
{
    if (!r)
        return;
    free(r->pair);
    memset(r, 0, sizeof *r);
}

double match_score_pair(const match_schema *s, const match_model *m, const match_record *a,
                        const match_record *b, match_evidence ev[MATCH_MAX_FIELDS])
{
    enum { CAP = 256 };
    char bufs[2][MATCH_MAX_FIELDS][CAP];
    pval x[MATCH_MAX_FIELDS], y[MATCH_MAX_FIELDS];
    run R = {.s = s}; /* no arena, no nickname index: lookups scan the table */
    for (int f = 0; f < s->nfields; f++) {
        prepare(&R, s->field[f].kind, a->v[f], &x[f], bufs[0][f], CAP);
        prepare(&R, s->field[f].kind, b->v[f], &y[f], bufs[1][f], CAP);
    }
    signed char lev[MATCH_MAX_FIELDS];
    unsigned char sw[MATCH_MAX_FIELDS];
    compare(s, x, y, lev, sw);
    double score = 0.0;
    for (int f = 0; f < s->nfields; f++) {
        double w = weight_of(s, m, f, lev[f], -1.0);
        ev[f] = (match_evidence){lev[f], sw[f], (float)w};
        score += w;
    }
    return score;
}
