/* rules.c: a recursive-descent parser and an evaluator that explains
 * itself. Each leaf (a comparison or a true/false fact) yields one
 * sentence describing the fact's value; and/or/not pass up the sentences
 * of the children that decided the outcome. */
#include "core/rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { N_AND, N_OR, N_NOT, N_CMP, N_FACT, N_NUM, N_STR, N_BOOL } nkind;
typedef enum { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE } cmpop;

typedef enum {
    F_AGE, F_DISABLED, F_DIGITAL, F_HH_SIZE, F_HH_ADULTS, F_HH_CHILDREN, F_HH_AGED, F_HH_DISABLED,
    F_P_TYPE, F_P_FLOOR, F_P_GARDEN, F_P_TENURE, F_P_BAND, F_RECEIVES
} factid;

struct rules_node {
    nkind kind;
    cmpop op;
    factid fact;
    long long num, arg1, arg2;
    const char *str; /* N_STR value; F_RECEIVES slug */
    rules_node *l, *r;
};

static const struct {
    const char *name;
    factid id;
    int args;    /* 0, 2 numbers, or 1 string */
    int boolean; /* usable alone as a condition */
} facts[] = {
    {"person.age", F_AGE, 0, 0},
    {"person.disabled", F_DISABLED, 0, 1},
    {"person.needs_digital_help", F_DIGITAL, 0, 1},
    {"household.size", F_HH_SIZE, 0, 0},
    {"household.adults", F_HH_ADULTS, 0, 0},
    {"household.children", F_HH_CHILDREN, 0, 0},
    {"household.people_aged", F_HH_AGED, 2, 0},
    {"household.disabled", F_HH_DISABLED, 0, 0},
    {"property.type", F_P_TYPE, 0, 0},
    {"property.floor", F_P_FLOOR, 0, 0},
    {"property.has_garden", F_P_GARDEN, 0, 1},
    {"property.tenure", F_P_TENURE, 0, 0},
    {"property.council_tax_band", F_P_BAND, 0, 0},
    {"receives", F_RECEIVES, 1, 1},
};

/* ---- parsing ---- */

typedef struct {
    const char *src, *p;
    arena *a;
    int (*known)(const char *, void *);
    void *ctx;
    char *err;
    size_t errlen;
    const char *at; /* where the error is */
    int failed;
} parser;

static void fail(parser *ps, const char *at, const char *fmt, const char *what)
{
    if (ps->failed)
        return;
    ps->failed = 1;
    ps->at = at;
    snprintf(ps->err, ps->errlen, fmt, what);
}

static void skip(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static int word_is(parser *ps, const char *w)
{
    skip(ps);
    size_t n = strlen(w);
    if (strncmp(ps->p, w, n) == 0 && !isalnum((unsigned char)ps->p[n]) && ps->p[n] != '_' && ps->p[n] != '.') {
        ps->p += n;
        return 1;
    }
    return 0;
}

static int punct(parser *ps, const char *s)
{
    skip(ps);
    size_t n = strlen(s);
    if (strncmp(ps->p, s, n) == 0) {
        ps->p += n;
        return 1;
    }
    return 0;
}

static rules_node *node(parser *ps, nkind k)
{
    rules_node *n = arena_alloc(ps->a, sizeof *n);
    n->kind = k;
    return n;
}

static rules_node *parse_or(parser *ps);

static long long parse_int(parser *ps)
{
    skip(ps);
    const char *start = ps->p;
    char *end;
    long long v = strtoll(ps->p, &end, 10);
    if (end == ps->p || !(isdigit((unsigned char)*start) || *start == '-')) {
        fail(ps, start, "expected a whole number%s", "");
        return 0;
    }
    ps->p = end;
    return v;
}

static const char *parse_string(parser *ps)
{
    skip(ps);
    const char *start = ps->p;
    if (*ps->p != '"') {
        fail(ps, start, "expected a \"quoted\" string%s", "");
        return "";
    }
    ps->p++;
    const char *b = ps->p;
    while (*ps->p && *ps->p != '"' && *ps->p != '\n')
        ps->p++;
    if (*ps->p != '"') {
        fail(ps, start, "this string has no closing quote%s", "");
        return "";
    }
    const char *s = arena_strndup(ps->a, b, (size_t)(ps->p - b));
    ps->p++;
    return s;
}

/* A value: number, string, true/false, or a fact. */
static rules_node *parse_value(parser *ps)
{
    skip(ps);
    const char *start = ps->p;
    if (isdigit((unsigned char)*ps->p) || (*ps->p == '-' && isdigit((unsigned char)ps->p[1]))) {
        rules_node *n = node(ps, N_NUM);
        n->num = parse_int(ps);
        return n;
    }
    if (*ps->p == '"') {
        rules_node *n = node(ps, N_STR);
        n->str = parse_string(ps);
        return n;
    }
    if (word_is(ps, "true") || word_is(ps, "false")) {
        rules_node *n = node(ps, N_BOOL);
        n->num = start[0] == 't';
        return n;
    }
    const char *b = ps->p;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '.')
        ps->p++;
    if (ps->p == b) {
        fail(ps, start, *start ? "expected a fact, a number or a string%s" : "the rule ends too soon%s", "");
        return NULL;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(ps->p - b), b);
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        if (strcmp(facts[i].name, name) != 0)
            continue;
        rules_node *n = node(ps, N_FACT);
        n->fact = facts[i].id;
        if (facts[i].args) {
            if (!punct(ps, "(")) {
                fail(ps, ps->p, "%s needs its arguments in ( )", facts[i].name);
                return NULL;
            }
            if (facts[i].args == 2) {
                n->arg1 = parse_int(ps);
                if (!punct(ps, ","))
                    fail(ps, ps->p, "expected , between the two ages%s", "");
                n->arg2 = parse_int(ps);
                if (!ps->failed && (n->arg1 < 0 || n->arg2 < n->arg1 || n->arg2 > 150))
                    fail(ps, start, "%s wants two ages, the lower first, from 0 to 150", facts[i].name);
            } else {
                skip(ps);
                const char *sat = ps->p;
                n->str = parse_string(ps);
                if (!ps->failed && ps->known && !ps->known(n->str, ps->ctx))
                    fail(ps, sat, "receives(\"%s\"): no service has this id", n->str);
            }
            if (!ps->failed && !punct(ps, ")"))
                fail(ps, ps->p, "expected ) after the arguments of %s", facts[i].name);
        }
        return n;
    }
    fail(ps, b, "unknown fact '%s' (see catalogue/README.md for the facts there are)", name);
    return NULL;
}

static int fact_boolean(const rules_node *n)
{
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
        if (facts[i].id == n->fact)
            return facts[i].boolean;
    return 0;
}

static rules_node *parse_cmp(parser *ps)
{
    skip(ps);
    const char *start = ps->p;
    if (punct(ps, "(")) {
        rules_node *e = parse_or(ps);
        if (!ps->failed && !punct(ps, ")"))
            fail(ps, ps->p, "expected ) to close the ( at this rule's column%s", "");
        return e;
    }
    rules_node *l = parse_value(ps);
    if (ps->failed)
        return NULL;
    static const struct {
        const char *s;
        cmpop op;
    } ops[] = {{"<=", OP_LE}, {">=", OP_GE}, {"!=", OP_NE}, {"<", OP_LT}, {">", OP_GT}, {"=", OP_EQ}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (punct(ps, ops[i].s)) {
            rules_node *n = node(ps, N_CMP);
            n->op = ops[i].op;
            n->l = l;
            n->r = parse_value(ps);
            if (!ps->failed && n->l->kind != N_FACT && n->r->kind != N_FACT)
                fail(ps, start, "a comparison needs a fact on one side%s", "");
            return n;
        }
    }
    if (l->kind == N_BOOL)
        return l;
    if (l->kind != N_FACT || !fact_boolean(l))
        fail(ps, start, "this is a value, not a condition: compare it (e.g. >= 1)%s", "");
    return l;
}

static rules_node *parse_not(parser *ps)
{
    if (word_is(ps, "not")) {
        rules_node *n = node(ps, N_NOT);
        n->l = parse_not(ps);
        return n;
    }
    return parse_cmp(ps);
}

static rules_node *parse_and(parser *ps)
{
    rules_node *l = parse_not(ps);
    while (!ps->failed && word_is(ps, "and")) {
        rules_node *n = node(ps, N_AND);
        n->l = l;
        n->r = parse_not(ps);
        l = n;
    }
    return l;
}

static rules_node *parse_or(parser *ps)
{
    rules_node *l = parse_and(ps);
    while (!ps->failed && word_is(ps, "or")) {
        rules_node *n = node(ps, N_OR);
        n->l = l;
        n->r = parse_and(ps);
        l = n;
    }
    return l;
}

rules_node *rules_parse(const char *src, int (*known)(const char *, void *), void *ctx, arena *a, char *err,
                        size_t errlen, int *line, int *col)
{
    parser ps = {.src = src, .p = src, .a = a, .known = known, .ctx = ctx, .err = err, .errlen = errlen};
    rules_node *r = parse_or(&ps);
    skip(&ps);
    if (!ps.failed && *ps.p)
        fail(&ps, ps.p, "unexpected '%.20s' (expected and, or, or the end of the rule)", ps.p);
    if (!ps.failed)
        return r;
    *line = 1;
    *col = 1;
    for (const char *q = src; q < ps.at && *q; q++) {
        if (*q == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
    return NULL;
}

/* ---- evaluation ---- */

typedef enum { V_UNKNOWN, V_NUM, V_STR, V_BOOL } vkind;
typedef struct {
    vkind kind;
    long long num;
    const char *str;
} value;

static int count_aged(const rules_facts *f, long long lo, long long hi)
{
    if (f->nmembers == 0)
        return f->age >= lo && f->age <= hi;
    int n = 0;
    for (int i = 0; i < f->nmembers; i++)
        if (f->member_ages[i] >= lo && f->member_ages[i] <= hi)
            n++;
    return n;
}

static int receives(const rules_facts *f, const char *slug)
{
    for (int i = 0; i < f->nreceives; i++)
        if (f->receives[i] == slug || (!f->interned && strcmp(f->receives[i], slug) == 0))
            return 1;
    return 0;
}

static value fact_value(const rules_node *n, const rules_facts *f)
{
    value v = {V_UNKNOWN, 0, NULL};
    int members = f->nmembers ? f->nmembers : 1;
    switch (n->fact) {
    case F_AGE:
        if (f->age >= 0)
            v = (value){V_NUM, f->age, NULL};
        break;
    case F_DISABLED: v = (value){V_BOOL, f->disabled, NULL}; break;
    case F_DIGITAL: v = (value){V_BOOL, f->needs_digital_help, NULL}; break;
    case F_HH_SIZE: v = (value){V_NUM, members, NULL}; break;
    case F_HH_ADULTS: v = (value){V_NUM, count_aged(f, 18, 200), NULL}; break;
    case F_HH_CHILDREN: v = (value){V_NUM, count_aged(f, 0, 17), NULL}; break;
    case F_HH_AGED: v = (value){V_NUM, count_aged(f, n->arg1, n->arg2), NULL}; break;
    case F_HH_DISABLED: {
        int d = 0;
        for (int i = 0; i < f->nmembers; i++)
            d += f->member_disabled[i] != 0;
        v = (value){V_NUM, f->nmembers ? d : f->disabled, NULL};
        break;
    }
    case F_P_TYPE:
        if (f->has_property && f->property_type)
            v = (value){V_STR, 0, f->property_type};
        break;
    case F_P_FLOOR:
        if (f->has_property && f->floor_known)
            v = (value){V_NUM, f->floor, NULL};
        break;
    case F_P_GARDEN:
        if (f->has_property)
            v = (value){V_BOOL, f->has_garden, NULL};
        break;
    case F_P_TENURE:
        if (f->has_property && f->tenure)
            v = (value){V_STR, 0, f->tenure};
        break;
    case F_P_BAND:
        if (f->has_property && f->council_tax_band)
            v = (value){V_STR, 0, f->council_tax_band};
        break;
    case F_RECEIVES: v = (value){V_BOOL, receives(f, n->str), NULL}; break;
    }
    return v;
}

static const char *plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static const char *tenure_words(const char *t)
{
    if (!strcmp(t, "council_rent")) return "rented from the council";
    if (!strcmp(t, "housing_association")) return "rented from a housing association";
    if (!strcmp(t, "private_rent")) return "privately rented";
    if (!strcmp(t, "owner_occupied")) return "owned by the people who live there";
    if (!strcmp(t, "leasehold")) return "leasehold";
    return t;
}

/* One sentence saying what the fact is for this person. */
static const char *wording(const rules_node *n, const rules_facts *f, arena *a)
{
    value v = fact_value(n, f);
    const char *nohome = "no home is recorded for them";
    switch (n->fact) {
    case F_AGE:
        return v.kind == V_UNKNOWN ? "their date of birth is not recorded" : arena_printf(a, "is %lld years old", v.num);
    case F_DISABLED: return v.num ? "has recorded accessibility needs" : "has no recorded accessibility needs";
    case F_DIGITAL: return v.num ? "needs help to use online services" : "uses online services without help";
    case F_HH_SIZE:
        return v.num == 1 ? "lives alone" : arena_printf(a, "the household has %lld people", v.num);
    case F_HH_ADULTS: return arena_printf(a, "the household has %lld %s", v.num, plural(v.num, "adult", "adults"));
    case F_HH_CHILDREN:
        return v.num ? arena_printf(a, "the household has %lld %s under 18", v.num, plural(v.num, "child", "children"))
                     : "the household has no children under 18";
    case F_HH_AGED:
        return arena_printf(a, "the household has %lld %s aged %lld to %lld", v.num, plural(v.num, "person", "people"),
                            n->arg1, n->arg2);
    case F_HH_DISABLED:
        return v.num ? arena_printf(a, "the household has %lld %s with accessibility needs", v.num,
                                    plural(v.num, "person", "people"))
                     : "no one in the household has recorded accessibility needs";
    case F_P_TYPE: return v.kind == V_UNKNOWN ? nohome : arena_printf(a, "the home is a %s", v.str);
    case F_P_FLOOR:
        if (v.kind == V_UNKNOWN)
            return f->has_property ? "the home's floor is not recorded" : nohome;
        return v.num == 0 ? "the home's front door is on the ground floor"
                          : arena_printf(a, "the home is on floor %lld", v.num);
    case F_P_GARDEN:
        return v.kind == V_UNKNOWN ? nohome : v.num ? "the home has a garden" : "the home has no garden";
    case F_P_TENURE: return v.kind == V_UNKNOWN ? nohome : arena_printf(a, "the home is %s", tenure_words(v.str));
    case F_P_BAND:
        return v.kind == V_UNKNOWN ? nohome : arena_printf(a, "the home is in council tax band %s", v.str);
    case F_RECEIVES: {
        const char *name = f->service_name ? f->service_name(n->str, f->ctx) : NULL;
        name = name ? name : n->str;
        return v.num ? arena_printf(a, "the household receives %s", name)
                     : arena_printf(a, "no one in the household receives %s", name);
    }
    }
    return "";
}

static int compare(cmpop op, value a, value b)
{
    if (a.kind == V_UNKNOWN || b.kind == V_UNKNOWN)
        return 0;
    int c;
    if (a.kind == V_STR || b.kind == V_STR) {
        if (a.kind != V_STR || b.kind != V_STR)
            return 0;
        c = strcmp(a.str, b.str);
    } else {
        c = a.num < b.num ? -1 : a.num > b.num;
    }
    switch (op) {
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    }
    return 0;
}

static value const_value(const rules_node *n)
{
    if (n->kind == N_NUM)
        return (value){V_NUM, n->num, NULL};
    if (n->kind == N_STR)
        return (value){V_STR, 0, n->str};
    return (value){V_BOOL, n->num, NULL};
}

typedef struct {
    const char *r[RULES_MAX_REASONS];
    int n;
} reasons;

static void add(reasons *rs, const char *s)
{
    for (int i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i], s) == 0)
            return;
    if (rs->n < RULES_MAX_REASONS)
        rs->r[rs->n++] = s;
}

static void merge(reasons *into, const reasons *from)
{
    for (int i = 0; i < from->n; i++)
        add(into, from->r[i]);
}

static int eval(const rules_node *n, const rules_facts *f, arena *a, reasons *rs)
{
    switch (n->kind) {
    case N_AND:
    case N_OR: {
        reasons l = {.n = 0}, r = {.n = 0};
        int lv = eval(n->l, f, a, &l), rv = eval(n->r, f, a, &r);
        int v = n->kind == N_AND ? lv && rv : lv || rv;
        /* The children that decided: for and, all if true, else the false
         * ones; for or, the true ones if true, else all. */
        int want = n->kind == N_AND ? 0 : 1;
        if (v == (n->kind == N_AND)) {
            merge(rs, &l);
            merge(rs, &r);
        } else {
            if (lv == want)
                merge(rs, &l);
            if (rv == want)
                merge(rs, &r);
        }
        return v;
    }
    case N_NOT:
        return !eval(n->l, f, a, rs);
    case N_CMP: {
        value l = n->l->kind == N_FACT ? fact_value(n->l, f) : const_value(n->l);
        value r = n->r->kind == N_FACT ? fact_value(n->r, f) : const_value(n->r);
        if (n->l->kind == N_FACT)
            add(rs, wording(n->l, f, a));
        if (n->r->kind == N_FACT)
            add(rs, wording(n->r, f, a));
        return compare(n->op, l, r);
    }
    case N_FACT:
        add(rs, wording(n, f, a));
        return fact_value(n, f).num != 0 && fact_value(n, f).kind != V_UNKNOWN;
    case N_BOOL:
        return n->num != 0;
    default:
        return 0;
    }
}

int rules_eval(const rules_node *r, const rules_facts *f, arena *a, const char **out, int *n)
{
    reasons rs = {.n = 0};
    int v = eval(r, f, a, &rs);
    for (int i = 0; i < rs.n; i++)
        out[i] = rs.r[i];
    *n = rs.n;
    return v;
}

int rules_holds(const rules_node *n, const rules_facts *f)
{
    switch (n->kind) {
    case N_AND: return rules_holds(n->l, f) && rules_holds(n->r, f);
    case N_OR: return rules_holds(n->l, f) || rules_holds(n->r, f);
    case N_NOT: return !rules_holds(n->l, f);
    case N_CMP: {
        value l = n->l->kind == N_FACT ? fact_value(n->l, f) : const_value(n->l);
        value r = n->r->kind == N_FACT ? fact_value(n->r, f) : const_value(n->r);
        return compare(n->op, l, r);
    }
    case N_FACT: {
        value v = fact_value(n, f);
        return v.kind != V_UNKNOWN && v.num != 0;
    }
    case N_BOOL: return n->num != 0;
    default: return 0;
    }
}

void rules_intern(rules_node *r, const char *(*canon)(const char *slug, void *ctx), void *ctx)
{
    if (!r)
        return;
    if (r->kind == N_FACT && r->fact == F_RECEIVES) {
        const char *s = canon(r->str, ctx);
        if (s)
            r->str = s;
    }
    rules_intern(r->l, canon, ctx);
    rules_intern(r->r, canon, ctx);
}
