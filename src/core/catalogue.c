#include "core/catalogue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "core/kb.h"

enum { MAX_SERVICES = 2000 };

static const char *const departments[] = {"contact_centre", "housing", "revenues_benefits", "parking", "waste",
                                          "social_care", "libraries", "environmental_health", "registration",
                                          "education", "highways", "planning", "leisure", "community", NULL};

static int listed(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (!strcmp(*l, s))
            return 1;
    return 0;
}

typedef struct {
    service s;
    int line;      /* where the block starts */
    int rule_line; /* where eligible: is, and the column its rule starts */
    int rule_col;
} block;

static int known_slug(const char *slug, void *ctx)
{
    catalogue *c = ctx;
    return catalogue_find(c, slug) != NULL;
}

static int whole(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static const char *canonical_slug(const char *slug, void *ctx)
{
    const service *s = catalogue_find(ctx, slug);
    return s ? s->slug : NULL;
}

static int check_block(const block *b, const char *file, char *err, size_t errlen)
{
    const service *s = &b->s;
    const char *missing = !s->slug ? "service" : !s->name ? "name" : !s->department ? "department"
                        : !s->kind ? "kind" : !s->channels ? "channels" : s->lgsl <= 0 ? "lgsl"
                        : s->promise_days < 0 ? "promise_days" : s->cost_pence < 0 ? "cost_pence" : NULL;
    if (missing) {
        snprintf(err, errlen, "%s:%d:1: the service starting here has no %s:", file, b->line, missing);
        return -1;
    }
    for (const char *p = s->slug; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-')) {
            snprintf(err, errlen, "%s:%d:1: service id '%s' may hold only a-z, 0-9 and -", file, b->line, s->slug);
            return -1;
        }
    if (!listed(departments, s->department)) {
        snprintf(err, errlen, "%s:%d:1: %s: unknown department '%s'", file, b->line, s->slug, s->department);
        return -1;
    }
    if (strcmp(s->kind, "enrolment") && strcmp(s->kind, "request")) {
        snprintf(err, errlen, "%s:%d:1: %s: kind must be enrolment or request", file, b->line, s->slug);
        return -1;
    }
    if (!strcmp(s->kind, "enrolment") && (!s->unit || (strcmp(s->unit, "person") && strcmp(s->unit, "household")))) {
        snprintf(err, errlen, "%s:%d:1: %s: an enrolment needs unit: person or household", file, b->line, s->slug);
        return -1;
    }
    return 0;
}

int catalogue_parse(const char *text, const char *file, catalogue *out, char *err, size_t errlen)
{
    out->a = arena_new();
    out->n = 0;
    out->life = NULL;
    out->kb = NULL;
    memset(&out->locations, 0, sizeof out->locations); /* locations.txt may be absent */
    for (int i = 0; i < CATALOGUE_CHANNELS; i++)
        out->channel_cost[i] = -1;
    block *blocks = xcalloc(MAX_SERVICES, sizeof(block));
    int nb = 0, line = 0, in_block = 0, rc = 0;
    const char *p = text;
    while (*p && rc == 0) {
        line++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *l = arena_strndup(out->a, p, len);
        p = end ? end + 1 : p + len;
        size_t k = strlen(l);
        while (k && (l[k - 1] == '\r' || l[k - 1] == ' ' || l[k - 1] == '\t'))
            l[--k] = '\0';
        const char *t = l;
        while (*t == ' ' || *t == '\t')
            t++;
        if (*t == '#')
            continue;
        if (!*t) {
            in_block = 0;
            continue;
        }
        const char *colon = strchr(t, ':');
        if (!colon) {
            snprintf(err, errlen, "%s:%d:%d: expected key: value", file, line, (int)(t - l) + 1);
            rc = -1;
            break;
        }
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)(colon - t), t);
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        int vcol = (int)(v - l) + 1;
        if (!strcmp(key, "service")) {
            if (nb == MAX_SERVICES) {
                snprintf(err, errlen, "%s:%d:1: more than %d services", file, line, MAX_SERVICES);
                rc = -1;
                break;
            }
            block *b = &blocks[nb++];
            b->line = line;
            b->s.slug = v;
            b->s.priority = 5;
            b->s.promise_days = -1;
            b->s.cost_pence = -1;
            in_block = 1;
            continue;
        }
        if (!in_block) {
            snprintf(err, errlen, "%s:%d:1: '%s:' before any service: line", file, line, key);
            rc = -1;
            break;
        }
        service *s = &blocks[nb - 1].s;
        long long num = 0;
        if (!strcmp(key, "lgsl") && whole(v, 1, 100000, &num) == 0)
            s->lgsl = (int)num;
        else if (!strcmp(key, "promise_days") && whole(v, 0, 365, &num) == 0)
            s->promise_days = (int)num;
        else if (!strcmp(key, "priority") && whole(v, 1, 9, &num) == 0)
            s->priority = (int)num;
        else if (!strcmp(key, "cost_pence") && whole(v, 0, 100000000, &num) == 0)
            s->cost_pence = num;
        else if (!strcmp(key, "name"))
            s->name = v;
        else if (!strcmp(key, "description"))
            s->description = v;
        else if (!strcmp(key, "department"))
            s->department = v;
        else if (!strcmp(key, "kind"))
            s->kind = v;
        else if (!strcmp(key, "unit"))
            s->unit = v;
        else if (!strcmp(key, "channels"))
            s->channels = v;
        else if (!strcmp(key, "fields"))
            s->fields = v;
        else if (!strcmp(key, "eligible")) {
            s->rule_src = v;
            blocks[nb - 1].rule_line = line;
            blocks[nb - 1].rule_col = vcol;
        } else {
            int isnum = !strcmp(key, "lgsl") || !strcmp(key, "promise_days") || !strcmp(key, "priority") ||
                        !strcmp(key, "cost_pence");
            snprintf(err, errlen, isnum ? "%s:%d:%d: %s must be a whole number in range" : "%s:%d:%d: unknown key '%s'",
                     file, line, isnum ? vcol : 1, key);
            rc = -1;
        }
    }
    for (int i = 0; rc == 0 && i < nb; i++) {
        rc = check_block(&blocks[i], file, err, errlen);
        for (int j = 0; rc == 0 && j < i; j++)
            if (!strcmp(blocks[j].s.slug, blocks[i].s.slug)) {
                snprintf(err, errlen, "%s:%d:1: service %s is defined twice (first on line %d)", file, blocks[i].line,
                         blocks[i].s.slug, blocks[j].line);
                rc = -1;
            }
    }
    if (rc == 0) {
        out->items = arena_alloc(out->a, sizeof(service) * (size_t)(nb ? nb : 1));
        for (int i = 0; i < nb; i++)
            out->items[i] = blocks[i].s;
        out->n = nb;
        for (int i = 0; rc == 0 && i < nb; i++) {
            service *s = &out->items[i];
            if (!s->rule_src)
                continue;
            char why[200];
            int rl, rcol;
            s->rule = rules_parse(s->rule_src, known_slug, out, out->a, why, sizeof why, &rl, &rcol);
            if (!s->rule) {
                snprintf(err, errlen, "%s:%d:%d: %s: %s", file, blocks[i].rule_line + rl - 1,
                         (rl == 1 ? blocks[i].rule_col : 1) + rcol - 1, s->slug, why);
                rc = -1;
            }
        }
    }
    for (int i = 0; rc == 0 && i < out->n; i++)
        rules_intern(out->items[i].rule, canonical_slug, out);
    free(blocks);
    if (rc != 0) {
        arena_free(out->a);
        out->a = NULL;
        out->items = NULL;
        out->n = 0;
    }
    return rc;
}

void catalogue_free(catalogue *c)
{
    locations_free(&c->locations);
    kb_free(c->kb);
    c->kb = NULL;
    arena_free(c->a);
    c->a = NULL;
    c->items = NULL;
    c->n = 0;
}

const service *catalogue_find(const catalogue *c, const char *slug)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->items[i].slug, slug))
            return &c->items[i];
    return NULL;
}

const service *catalogue_by_lgsl(const catalogue *c, int lgsl)
{
    for (int i = 0; i < c->n; i++)
        if (c->items[i].lgsl == lgsl)
            return &c->items[i];
    return NULL;
}

int catalogue_parse_costs(catalogue *c, const char *text, const char *file, const char *const *channels, char *err,
                          size_t errlen)
{
    int line = 0;
    for (const char *p = text; *p;) {
        line++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char l[256], name[64], pence[64], extra[8];
        snprintf(l, sizeof l, "%.*s", (int)(len < sizeof l ? len : sizeof l - 1), p);
        p = end ? end + 1 : p + len;
        char *hash = strchr(l, '#');
        if (hash)
            *hash = '\0';
        int n = sscanf(l, "%63s %63s %7s", name, pence, extra);
        if (n <= 0)
            continue;
        long long v;
        int ch = -1;
        for (int i = 0; channels[i] && i < CATALOGUE_CHANNELS; i++)
            if (!strcmp(channels[i], name))
                ch = i;
        if (n != 2 || ch < 0 || whole(pence, 0, 1000000, &v) != 0) {
            snprintf(err, errlen, "%s:%d:1: expected CHANNEL PENCE with a known channel and 0 to 1000000 pence", file,
                     line);
            return -1;
        }
        c->channel_cost[ch] = v;
    }
    return 0;
}
