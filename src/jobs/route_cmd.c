/* route_cmd.c: `frontdoor route-enquiry`: route one enquiry, or measure
 * the router over a labelled file (tests/data/enquiries.tsv). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "core/route_enquiry.h"
#include "jobs/route_cmd.h"

enum { MAX_LINE = 2048, MAX_CONFUSIONS = 4096 };

typedef struct {
    const char *want, *got;
    int n;
} confusion;

typedef struct {
    double s1, s2;
    int right;
} sample;

static int by_count(const void *a, const void *b)
{
    const confusion *x = a, *y = b;
    return y->n - x->n;
}

/* Fits p(right) = 1 / (1 + exp(-(a + b ln s1 + c margin))) by gradient
 * descent on the log loss; prints the three numbers. */
static void fit(const sample *s, int n)
{
    double a = 0, b = 0, c = 0, lr = 0.05;
    for (int it = 0; it < 50000; it++) {
        double ga = 0, gb = 0, gc = 0;
        for (int i = 0; i < n; i++) {
            double m = s[i].s1 > 0 ? (s[i].s1 - s[i].s2) / s[i].s1 : 0;
            double l = s[i].s1 > 0 ? log(s[i].s1) : 0;
            double p = 1 / (1 + exp(-(a + b * l + c * m)));
            double e = p - s[i].right;
            ga += e;
            gb += e * l;
            gc += e * m;
        }
        a -= lr * ga / n;
        b -= lr * gb / n;
        c -= lr * gc / n;
    }
    printf("fit: CONF_A %.2f CONF_B %.3f CONF_C %.2f\n", a, b, c);
}

/* Evaluates the lines of file whose split is split ("all" for every one):
 * "SPLIT<TAB>LABEL<TAB>TEXT", '#' comments. */
static int eval(const kb *k, const char *file, const char *split, int do_fit, int verbose)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "frontdoor route-enquiry: %s: cannot open\n", file);
        return 2;
    }
    char line[MAX_LINE];
    int n = 0, top1 = 0, top3 = 0, lineno = 0, nconf = 0, cap = 256;
    confusion *conf = xcalloc(MAX_CONFUSIONS, sizeof *conf);
    sample *smp = xmalloc((size_t)cap * sizeof *smp);
    int bucket_n[5] = {0}, bucket_right[5] = {0};
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2) {
            fprintf(stderr, "frontdoor route-enquiry: %s:%d: expected SPLIT<TAB>LABEL<TAB>TEXT\n", file, lineno);
            fclose(f);
            free(conf);
            free(smp);
            return 2;
        }
        *t1 = *t2 = '\0';
        const char *sp = line, *label = t1 + 1, *text = t2 + 1;
        if (!kb_find(k, label)) {
            fprintf(stderr, "frontdoor route-enquiry: %s:%d: no article or signpost is '%s'\n", file, lineno, label);
            fclose(f);
            free(conf);
            free(smp);
            return 2;
        }
        if (strcmp(split, "all") && strcmp(split, sp))
            continue;
        route_hit h[3];
        int got = route_enquiry(k->router, text, h, 3);
        const char *first = got ? h[0].article->slug : "(none)";
        int right = !strcmp(first, label);
        n++;
        top1 += right;
        for (int i = 0; i < got; i++)
            if (!strcmp(h[i].article->slug, label)) {
                top3++;
                break;
            }
        if (n == cap) {
            cap *= 2;
            smp = xrealloc(smp, (size_t)cap * sizeof *smp);
        }
        smp[n - 1] = (sample){got ? h[0].score : 0, got > 1 ? h[1].score : 0, right};
        double c = got ? h[0].confidence : 0;
        int b = c >= 0.9 ? 4 : c >= 0.75 ? 3 : c >= 0.5 ? 2 : c >= 0.25 ? 1 : 0;
        bucket_n[b]++;
        bucket_right[b] += right;
        if (!right) {
            if (verbose)
                printf("miss\t%s\t%s\t%.2f\t%s\n", label, first, c, text);
            int i = 0;
            for (; i < nconf; i++)
                if (!strcmp(conf[i].want, label) && !strcmp(conf[i].got, first))
                    break;
            if (i == nconf && nconf < MAX_CONFUSIONS) {
                conf[nconf++] = (confusion){kb_find(k, label)->slug, got ? h[0].article->slug : "(none)", 0};
            }
            if (i < nconf)
                conf[i].n++;
        }
    }
    fclose(f);
    printf("split %s: %d enquiries, top-1 %.1f%% (%d), top-3 %.1f%% (%d)\n", split, n, n ? 100.0 * top1 / n : 0, top1,
           n ? 100.0 * top3 / n : 0, top3);
    qsort(conf, (size_t)nconf, sizeof *conf, by_count);
    printf("confusions (labelled -> routed to: count):\n");
    for (int i = 0; i < nconf && i < 15; i++)
        printf("  %s -> %s: %d\n", conf[i].want, conf[i].got, conf[i].n);
    static const char *const names[] = {"under 0.25", "0.25 to 0.5", "0.5 to 0.75", "0.75 to 0.9", "0.9 and over"};
    printf("calibration (confidence: enquiries, share right):\n");
    for (int b = 0; b < 5; b++)
        printf("  %s: %d, %.0f%%\n", names[b], bucket_n[b], bucket_n[b] ? 100.0 * bucket_right[b] / bucket_n[b] : 0);
    if (do_fit && n)
        fit(smp, n);
    free(conf);
    free(smp);
    return 0;
}

int route_cmd(const kb *k, const char *text, const char *eval_file, const char *split, int do_fit, int verbose)
{
    if (eval_file)
        return eval(k, eval_file, split ? split : "all", do_fit, verbose);
    route_hit h[ROUTE_MAX_HITS];
    int got = route_enquiry(k->router, text, h, 5);
    if (!got) {
        printf("no match\n");
        return 1;
    }
    for (int i = 0; i < got; i++)
        printf("%s\t%s\t%.2f\t%.2f\t%s\n", article_kind_name(h[i].article->kind), h[i].article->slug,
               h[i].confidence, h[i].score, h[i].article->title);
    return 0;
}
