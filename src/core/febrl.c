/* febrl: FEBRL CSV text into match records (see febrl.h). */
#include "core/febrl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

enum { MAX_COLUMNS = MATCH_MAX_FIELDS + 1 };

/* A field's bounds within its line. */
typedef struct {
    const char *p;
    size_t n;
} span;

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits [p, e) at commas into at most max spans, each trimmed of spaces
 * and tabs. Returns how many fields the line has (may exceed max: only the
 * first max are stored). */
static size_t split(const char *p, const char *e, span *out, size_t max)
{
    size_t n = 0;
    for (;;) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        const char *end = c ? c : e;
        const char *s = p, *t = end;
        while (s < t && blank(*s))
            s++;
        while (t > s && blank(t[-1]))
            t--;
        if (n < max)
            out[n] = (span){s, (size_t)(t - s)};
        n++;
        if (!c)
            return n;
        p = c + 1;
    }
}

static void problem(febrl_data *out, size_t line, const char *fmt, const char *arg)
{
    out->nskipped++;
    if (out->nproblems >= FEBRL_MAX_PROBLEMS)
        return;
    febrl_problem *pr = &out->problem[out->nproblems++];
    pr->line = line;
    snprintf(pr->msg, sizeof pr->msg, fmt, arg);
}

static int problem_cmp(const void *x, const void *y)
{
    const febrl_problem *a = x, *b = y;
    return a->line < b->line ? -1 : a->line > b->line;
}

typedef struct {
    const char *id;
    size_t idx;
} id_ref;

static int id_cmp(const void *x, const void *y)
{
    const id_ref *a = x, *b = y;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

/* Skips every record whose rec_id an earlier line already used, reporting
 * each; keeps the reported problems the first FEBRL_MAX_PROBLEMS by line. */
static void drop_duplicates(febrl_data *out)
{
    if (out->n < 2)
        return;
    id_ref *ids = xmalloc(out->n * sizeof *ids);
    for (size_t i = 0; i < out->n; i++)
        ids[i] = (id_ref){out->rec[i].id, i};
    qsort(ids, out->n, sizeof *ids, id_cmp);
    unsigned char *drop = xcalloc(out->n, 1);
    int overflowed = out->nskipped > out->nproblems;
    size_t limit_line = overflowed ? out->problem[out->nproblems - 1].line : (size_t)-1;
    febrl_problem extra[FEBRL_MAX_PROBLEMS];
    size_t nextra = 0, ndup = 0;
    for (size_t k = 1; k < out->n; k++) {
        if (strcmp(ids[k].id, ids[k - 1].id) != 0)
            continue;
        size_t first = k - 1;
        while (first > 0 && !strcmp(ids[first - 1].id, ids[k].id))
            first--;
        size_t i = ids[k].idx;
        drop[i] = 1;
        ndup++;
        size_t line = out->line[i];
        if (line > limit_line)
            continue;
        febrl_problem pr = {.line = line};
        snprintf(pr.msg, sizeof pr.msg, "rec_id '%.80s' is already on line %zu", ids[k].id,
                 out->line[ids[first].idx]);
        if (nextra < FEBRL_MAX_PROBLEMS) {
            extra[nextra++] = pr;
        } else { /* keep the earliest lines */
            size_t worst = 0;
            for (size_t e = 1; e < nextra; e++)
                if (extra[e].line > extra[worst].line)
                    worst = e;
            if (extra[worst].line > pr.line)
                extra[worst] = pr;
        }
    }
    free(ids);
    if (ndup) {
        size_t w = 0;
        for (size_t i = 0; i < out->n; i++) {
            if (drop[i])
                continue;
            out->rec[w] = out->rec[i];
            out->line[w++] = out->line[i];
        }
        out->n = w;
        out->nskipped += ndup;
        febrl_problem all[2 * FEBRL_MAX_PROBLEMS];
        memcpy(all, out->problem, out->nproblems * sizeof *all);
        memcpy(all + out->nproblems, extra, nextra * sizeof *all);
        size_t nall = out->nproblems + nextra;
        qsort(all, nall, sizeof *all, problem_cmp);
        out->nproblems = nall < FEBRL_MAX_PROBLEMS ? nall : FEBRL_MAX_PROBLEMS;
        memcpy(out->problem, all, out->nproblems * sizeof *all);
    }
    free(drop);
}

int febrl_parse(arena *a, const match_schema *s, const char *text, size_t len, febrl_data *out, char *err,
                size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->problem = arena_alloc(a, FEBRL_MAX_PROBLEMS * sizeof *out->problem);
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) { /* a UTF-8 byte order mark */
        text += 3;
        len -= 3;
    }
    const char *end = text + len;
    const char *nl = memchr(text, '\n', len);
    const char *he = nl ? nl : end;
    if (he > text && he[-1] == '\r')
        he--;
    if (memchr(text, '\0', (size_t)(he - text))) {
        snprintf(err, errlen, "line 1: the header contains a NUL byte");
        return -1;
    }
    span col[MAX_COLUMNS];
    size_t ncol = split(text, he, col, MAX_COLUMNS);
    if (ncol > MAX_COLUMNS) {
        snprintf(err, errlen, "line 1: %zu columns in the header, at most %d", ncol, MAX_COLUMNS);
        return -1;
    }
    if (col[0].n != 6 || memcmp(col[0].p, "rec_id", 6) != 0) {
        snprintf(err, errlen, "line 1: the first column must be rec_id, not '%.*s'",
                 (int)(col[0].n > 60 ? 60 : col[0].n), col[0].p);
        return -1;
    }
    int map[MAX_COLUMNS]; /* column -> schema field (column 0 is rec_id) */
    int seen[MATCH_MAX_FIELDS] = {0};
    for (size_t c = 1; c < ncol; c++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(col[c].n < 63 ? col[c].n : 63), col[c].p);
        int f = match_schema_field(s, name);
        if (f < 0 || col[c].n > 63) {
            snprintf(err, errlen, "line 1: unknown column '%s'", name);
            return -1;
        }
        if (seen[f]) {
            snprintf(err, errlen, "line 1: column '%s' given twice", name);
            return -1;
        }
        seen[f] = 1;
        map[c] = f;
    }

    size_t maxrec = 1;
    for (const char *p = he; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        maxrec++;
    out->rec = arena_alloc(a, maxrec * sizeof *out->rec);
    out->line = arena_alloc(a, maxrec * sizeof *out->line);

    size_t lineno = 1;
    const char *p = nl ? nl + 1 : end;
    while (p < end) {
        lineno++;
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *next = e ? e + 1 : end;
        if (!e)
            e = end;
        if (e > p && e[-1] == '\r')
            e--;
        const char *q = p;
        while (q < e && (blank(*q)))
            q++;
        if (q == e) { /* blank line */
            p = next;
            continue;
        }
        if (memchr(p, '\0', (size_t)(e - p))) {
            problem(out, lineno, "the line contains a NUL byte%s", "");
            p = next;
            continue;
        }
        span f[MAX_COLUMNS];
        size_t nf = split(p, e, f, MAX_COLUMNS);
        if (nf != ncol) {
            char msg[80];
            snprintf(msg, sizeof msg, "expected %zu fields, found %zu", ncol, nf);
            problem(out, lineno, "%s", msg);
            p = next;
            continue;
        }
        if (f[0].n == 0) {
            problem(out, lineno, "rec_id is empty%s", "");
            p = next;
            continue;
        }
        match_record *r = &out->rec[out->n];
        r->id = arena_strndup(a, f[0].p, f[0].n);
        for (size_t c = 1; c < ncol; c++)
            r->v[map[c]] = f[c].n ? arena_strndup(a, f[c].p, f[c].n) : NULL;
        out->line[out->n++] = lineno;
        p = next;
    }
    drop_duplicates(out);
    return 0;
}
