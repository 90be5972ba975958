/* linkage: `frontdoor link` and `frontdoor dedupe` (see linkage.h). */
#include "jobs/linkage.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/arena.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/febrl.h"
#include "core/match.h"

enum { MAX_FILE = 1 << 30 }; /* bytes read from one file at most */

static const char *usage_link =
    "usage: frontdoor link [options] A.csv B.csv\n"
    "Links the records of two FEBRL-format CSV files (header rec_id, given_name, ...):\n"
    "prints each pair across them scoring at least the review threshold, best first.\n";
static const char *usage_dedupe =
    "usage: frontdoor dedupe [options] FILE.csv\n"
    "Finds the records of one FEBRL-format CSV file (header rec_id, given_name, ...)\n"
    "that are the same person: prints each pair scoring at least the review threshold,\n"
    "best first.\n";
static const char *usage_opts =
    "\n"
    "  --threshold X   link pairs scoring at least X (log2 Bayes factor; default %.1f)\n"
    "  --review X      print pairs scoring at least X for clerical review (default %.1f,\n"
    "                  or X of --threshold if lower)\n"
    "  --verbose       counts, timing and the estimated model (m, u, weight per level) on stderr\n"
    "\n"
    "Output (CSV on stdout): rec_id_a,rec_id_b,score,match_class (link or review), then\n"
    "FIELD_level,FIELD_weight for each field: the evidence for the score.\n"
    "Malformed lines are reported as FILE:LINE on stderr and skipped.\n";

typedef struct {
    double link, review;
    int have_review, verbose, help;
    const char *file[2];
    int nfiles;
} args;

static int bad(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "frontdoor %s: %s%s%s (see 'frontdoor %s --help')\n", cmd, msg, arg ? ": " : "",
            arg ? arg : "", cmd);
    return 2;
}

static int real_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Parses argv (argv[0] the command) expecting want files. 0, or 2 after
 * one line on stderr. */
static int parse_args(const char *cmd, int argc, char **argv, int want, args *a)
{
    memset(a, 0, sizeof *a);
    a->link = MATCH_DEFAULT_LINK;
    a->review = MATCH_DEFAULT_REVIEW;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
            a->help = 1;
            return 0;
        }
        if (!strcmp(f, "--verbose")) {
            a->verbose = 1;
        } else if (!strcmp(f, "--threshold") || !strcmp(f, "--review")) {
            if (i + 1 >= argc)
                return bad(cmd, "option needs a value", f);
            double v;
            if (real_number(argv[++i], &v) != 0)
                return bad(cmd, !strcmp(f, "--review") ? "--review must be a number, not"
                                                        : "--threshold must be a number, not",
                           argv[i]);
            if (!strcmp(f, "--review")) {
                a->review = v;
                a->have_review = 1;
            } else {
                a->link = v;
            }
        } else if (f[0] == '-' && f[1] != '\0') {
            return bad(cmd, "unknown option", f);
        } else {
            if (a->nfiles >= want)
                return bad(cmd, want == 1 ? "one file only, got another" : "two files only, got another", f);
            a->file[a->nfiles++] = f;
        }
    }
    if (a->nfiles < want)
        return bad(cmd, want == 1 ? "give the CSV file to deduplicate" : "give two CSV files to link", NULL);
    if (!a->have_review && a->review > a->link)
        a->review = a->link;
    if (a->review > a->link)
        return bad(cmd, "--review must not be above --threshold", NULL);
    return 0;
}

/* Reads and parses one file into d (allocated from a), reporting skipped
 * lines on stderr. 0, or 2 after one line on stderr. */
static int load(const char *cmd, const char *path, arena *a, febrl_data *d)
{
    size_t len;
    char err[1200];
    char *text = file_read(path, MAX_FILE, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "frontdoor %s: %s\n", cmd, err);
        return 2;
    }
    int rc = febrl_parse(a, match_schema_febrl(), text, len, d, err, sizeof err);
    free(text);
    if (rc != 0) {
        fprintf(stderr, "frontdoor %s: %s: %s\n", cmd, path, err);
        return 2;
    }
    for (size_t i = 0; i < d->nproblems; i++)
        fprintf(stderr, "frontdoor %s: %s:%zu: %s (line skipped)\n", cmd, path, d->problem[i].line,
                d->problem[i].msg);
    if (d->nskipped > d->nproblems)
        fprintf(stderr, "frontdoor %s: %s: %zu more lines skipped\n", cmd, path, d->nskipped - d->nproblems);
    return 0;
}

/* Writes s as one CSV field (quoted if it holds a comma, quote or line end). */
static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_pairs(FILE *out, const match_schema *s, const match_result *r, const match_record *ra,
                        const match_record *rb)
{
    fputs("rec_id_a,rec_id_b,score,match_class", out);
    for (int f = 0; f < s->nfields; f++)
        fprintf(out, ",%s_level,%s_weight", s->field[f].name, s->field[f].name);
    fputc('\n', out);
    for (size_t k = 0; k < r->npairs; k++) {
        const match_pair *p = &r->pair[k];
        csv_field(out, ra[p->a].id);
        fputc(',', out);
        csv_field(out, rb[p->b].id);
        fprintf(out, ",%.3f,%s", p->score, match_class_name(p->cls));
        for (int f = 0; f < s->nfields; f++) {
            const match_evidence *e = &p->ev[f];
            fprintf(out, ",%s%s,%.2f", match_level_name(s->field[f].kind, e->level), e->swapped ? "/swapped" : "",
                    (double)e->weight);
        }
        fputc('\n', out);
    }
}

static void print_model(const char *cmd, const match_schema *s, const match_result *r, double secs)
{
    fprintf(stderr, "frontdoor %s: %zu candidate pairs (%zu blocks over the limit skipped), %zu printed, %zu links; "
                    "EM %d iterations, lambda %.4f; %.3f s\n",
            cmd, r->candidates, r->skipped_blocks, r->npairs, r->nlink, r->model.em_iterations, r->model.lambda, secs);
    for (int f = 0; f < s->nfields; f++) {
        const match_field_model *fm = &r->model.f[f];
        fprintf(stderr, "  %-14s", s->field[f].name);
        for (int l = 0; l < fm->nlevels; l++)
            fprintf(stderr, " %s m=%.4f u=%.2e w=%+.2f;", match_level_name(s->field[f].kind, l), fm->m[l], fm->u[l],
                    fm->w[l]);
        fputc('\n', stderr);
    }
}

static int run(const char *cmd, int argc, char **argv, int nfiles, const char *usage)
{
    args a;
    int rc = parse_args(cmd, argc, argv, nfiles, &a);
    if (rc != 0)
        return rc;
    if (a.help) {
        fputs(usage, stdout);
        printf(usage_opts, MATCH_DEFAULT_LINK, MATCH_DEFAULT_REVIEW);
        return 0;
    }
    uint64_t t0 = time_mono_ns();
    arena *ar = arena_new();
    febrl_data d[2];
    for (int i = 0; i < nfiles; i++) {
        if (load(cmd, a.file[i], ar, &d[i]) != 0) {
            arena_free(ar);
            return 2;
        }
    }
    const match_schema *s = match_schema_febrl();
    match_options o;
    match_options_init(&o);
    o.link = a.link;
    o.review = a.review;
    match_result r;
    rc = nfiles == 1 ? match_dedupe(s, d[0].rec, d[0].n, &o, &r)
                     : match_link(s, d[0].rec, d[0].n, d[1].rec, d[1].n, &o, &r);
    if (rc != 0) {
        fprintf(stderr, "frontdoor %s: too many records\n", cmd);
        arena_free(ar);
        return 2;
    }
    print_pairs(stdout, s, &r, d[0].rec, nfiles == 1 ? d[0].rec : d[1].rec);
    fflush(stdout);
    if (a.verbose)
        print_model(cmd, s, &r, (double)(time_mono_ns() - t0) / 1e9);
    match_result_free(&r);
    arena_free(ar);
    if (ferror(stdout)) {
        fprintf(stderr, "frontdoor %s: writing the pairs failed\n", cmd);
        return 1;
    }
    return 0;
}

int linkage_cmd_link(int argc, char **argv)
{
    return run("link", argc, argv, 2, usage_link);
}

int linkage_cmd_dedupe(int argc, char **argv)
{
    return run("dedupe", argc, argv, 1, usage_dedupe);
}
