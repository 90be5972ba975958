#include "core/lifeevent.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

enum { MAX_PLAYBOOKS = 100, MAX_LINES = 200 };

static const char *const groups[] = {"", "all-person-services", "billed", "household-services", "all", NULL};
static const char *const households[] = {"none", "leave", "join", "move", "add_child", "partner_joins", NULL};

/* ---- dates ---- */

/* Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int lifeevent_add_days(const char *date, int days, char out[11])
{
    if (!date || !time_valid_date(date))
        return -1;
    long long y = strtol(date, NULL, 10);
    unsigned m = (unsigned)strtol(date + 5, NULL, 10), d = (unsigned)strtol(date + 8, NULL, 10);
    int ny, nm, nd;
    civil_from_days(days_from_civil(y, m, d) + days, &ny, &nm, &nd);
    if (ny < 1 || ny > 9999)
        return -1;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", ny, nm, nd);
    memcpy(out, tmp, 11);
    return 0;
}

int lifeevent_age_on(const char *dob, const char *date)
{
    if (!dob || !date || !time_valid_date(dob) || !time_valid_date(date) || strcmp(date, dob) < 0)
        return -1;
    int age = (int)(strtol(date, NULL, 10) - strtol(dob, NULL, 10));
    if (strcmp(date + 5, dob + 5) < 0)
        age--;
    return age;
}

/* ---- the file ---- */

typedef struct {
    playbook p;
    lifeevent_effect effects[MAX_LINES];
    lifeevent_task tasks[MAX_LINES];
    lifeevent_notice notices[MAX_LINES];
} draft;

static int index_of(const char *const *l, const char *s)
{
    for (int i = 0; l[i]; i++)
        if (!strcmp(l[i], s))
            return i;
    return -1;
}

static int is_department(const catalogue *cat, const char *team)
{
    for (int i = 0; i < cat->n; i++)
        if (!strcmp(cat->items[i].department, team))
            return 1;
    return 0;
}

static int is_slug(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

#define FAIL(col, ...)                                                                                                 \
    do {                                                                                                               \
        char m_[300];                                                                                                  \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                                                          \
        snprintf(err, errlen, "%s:%d:%d: %s", file, line, (int)(col), m_);                                            \
        return -1;                                                                                                     \
    } while (0)

/* One word of v starting at *pos (advanced past it and the spaces after),
 * copied into w (at most wn bytes); its column in *col. 0 if none is left. */
static int word(const char *l, const char **pos, char *w, size_t wn, int *col)
{
    const char *s = *pos;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return 0;
    const char *e = s;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    *col = (int)(s - l) + 1;
    snprintf(w, wn, "%.*s", (int)(e - s), s);
    *pos = e;
    return 1;
}

/* A service line (end:, change:, carry:, review:, start:, offer:). */
static int service_line(draft *d, lifeevent_verb verb, const char *l, const char *v, const catalogue *cat,
                        const char *file, int line, char *err, size_t errlen)
{
    const char *pos = v;
    char w[80];
    int col, any = 0;
    lifeevent_target target = LT_SUBJECT;
    if (verb == LE_OFFER) {
        if (!word(l, &pos, w, sizeof w, &col))
            FAIL((int)(v - l) + 1, "offer: needs subject, household or left, then services");
        if (!strcmp(w, "household"))
            target = LT_HOUSEHOLD;
        else if (!strcmp(w, "left"))
            target = LT_LEFT;
        else if (strcmp(w, "subject"))
            FAIL(col, "offer: to whom? expected subject, household or left, not '%s'", w);
    }
    while (word(l, &pos, w, sizeof w, &col)) {
        if (d->p.neffects == MAX_LINES)
            FAIL(col, "more than %d services in one playbook", MAX_LINES);
        lifeevent_effect *e = &d->effects[d->p.neffects];
        *e = (lifeevent_effect){.verb = verb, .target = target, .line = line};
        int g = index_of(groups, w);
        if (g > 0) {
            e->group = (lifeevent_group)g;
            int ok = (g == LG_PERSON_SERVICES && verb == LE_END) || (g == LG_BILLED && verb == LE_END) ||
                     (g == LG_HOUSEHOLD && (verb == LE_END || verb == LE_CARRY || verb == LE_REVIEW)) ||
                     (g == LG_ALL && verb == LE_OFFER);
            if (!ok)
                FAIL(col, "'%s' cannot be used here (see catalogue/README.md)", w);
        } else {
            const service *s = catalogue_find(cat, w);
            if (!s)
                FAIL(col, "no service has id '%s' (catalogue/services.txt)", w);
            int enrol = !strcmp(s->kind, "enrolment");
            if (verb != LE_OFFER && !enrol)
                FAIL(col, "%s is a one-off request: only offer: may name it", w);
            if (verb == LE_OFFER && enrol && !s->rule)
                FAIL(col, "%s has no eligibility rule to decide an offer", w);
            if (verb == LE_REVIEW && !s->rule)
                FAIL(col, "%s has no eligibility rule to re-check", w);
            if ((verb == LE_CHANGE || verb == LE_CARRY) && strcmp(s->unit, "household"))
                FAIL(col, "%s is a person service: only household services change hands or move home", w);
            e->s = s;
        }
        for (int i = 0; i < d->p.neffects; i++)
            if (d->effects[i].verb == verb && d->effects[i].group == e->group && d->effects[i].s == e->s &&
                d->effects[i].target == e->target)
                FAIL(col, "'%s' is listed twice for this verb", w);
        d->p.neffects++;
        any = 1;
    }
    if (!any)
        FAIL((int)(v - l) + 1, "name at least one service");
    return 0;
}

/* The checks on a finished block. */
static int check_draft(const draft *d, const char *file, char *err, size_t errlen)
{
    int line = d->p.line;
    if (!d->p.name)
        FAIL(1, "playbook %s has no name:", d->p.type);
    if (d->p.neffects + d->p.ntasks + d->p.nnotices == 0 && !d->p.record && d->p.household == LH_NONE)
        FAIL(1, "playbook %s does nothing: give it services, tasks or messages", d->p.type);
    for (int i = 0; i < d->p.neffects; i++) {
        const lifeevent_effect *e = &d->effects[i];
        if (e->verb == LE_CARRY && d->p.household != LH_MOVE) {
            line = e->line;
            FAIL(1, "carry: is for a household moving home (household: move)");
        }
    }
    return 0;
}

static int finish(draft *d, arena *a, playbook *out)
{
    *out = d->p;
    out->effects = arena_alloc(a, sizeof(lifeevent_effect) * (size_t)(d->p.neffects + 1));
    memcpy(out->effects, d->effects, sizeof(lifeevent_effect) * (size_t)d->p.neffects);
    out->tasks = arena_alloc(a, sizeof(lifeevent_task) * (size_t)(d->p.ntasks + 1));
    memcpy(out->tasks, d->tasks, sizeof(lifeevent_task) * (size_t)d->p.ntasks);
    out->notices = arena_alloc(a, sizeof(lifeevent_notice) * (size_t)(d->p.nnotices + 1));
    memcpy(out->notices, d->notices, sizeof(lifeevent_notice) * (size_t)d->p.nnotices);
    return 0;
}

static int parse_lines(const char *text, const char *file, const catalogue *cat, arena *a, playbook *items, int *nitems,
                       draft *d, char *err, size_t errlen)
{
    int line = 0, in_block = 0, n = 0;
    const char *p = text;
    while (*p) {
        line++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *l = arena_strndup(a, p, len);
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
            if (in_block) {
                if (check_draft(d, file, err, errlen) != 0)
                    return -1;
                finish(d, a, &items[n++]);
            }
            in_block = 0;
            continue;
        }
        const char *colon = strchr(t, ':');
        if (!colon)
            FAIL(t - l + 1, "expected key: value");
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)(colon - t), t);
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        int vcol = (int)(v - l) + 1;
        if (!strcmp(key, "event")) {
            if (in_block)
                FAIL(1, "a new event: needs a blank line before it");
            if (n == MAX_PLAYBOOKS)
                FAIL(1, "more than %d playbooks", MAX_PLAYBOOKS);
            if (!is_slug(v) || strlen(v) > 40)
                FAIL(vcol, "event id '%s' may hold only a-z, 0-9, - and _ (at most 40)", v);
            for (int i = 0; i < n; i++)
                if (!strcmp(items[i].type, v))
                    FAIL(vcol, "event %s is defined twice (first on line %d)", v, items[i].line);
            memset(&d->p, 0, sizeof d->p);
            d->p.type = v;
            d->p.line = line;
            d->p.age = -1;
            in_block = 1;
            continue;
        }
        if (!in_block)
            FAIL(1, "'%s:' before any event: line", key);
        if (!*v)
            FAIL(vcol, "%s: needs a value", key);
        if (!strcmp(key, "name"))
            d->p.name = v;
        else if (!strcmp(key, "description"))
            d->p.description = v;
        else if (!strcmp(key, "record")) {
            if (strcmp(v, "date_of_death") && strcmp(v, "accessibility_needs"))
                FAIL(vcol, "record: is date_of_death or accessibility_needs");
            if (d->p.record)
                FAIL(1, "one record: per playbook");
            d->p.record = v;
        } else if (!strcmp(key, "household")) {
            int h = index_of(households, v);
            if (h < 0)
                FAIL(vcol, "household: is one of leave, join, move, add_child, partner_joins");
            if (d->p.household != LH_NONE)
                FAIL(1, "one household: per playbook");
            d->p.household = (lifeevent_household)h;
        } else if (!strcmp(key, "age")) {
            char *e;
            long x = strtol(v, &e, 10);
            if (*e || x < 0 || x > 130)
                FAIL(vcol, "age: is a whole number from 0 to 130");
            d->p.age = (int)x;
        } else if (!strcmp(key, "end") || !strcmp(key, "change") || !strcmp(key, "carry") || !strcmp(key, "review") ||
                   !strcmp(key, "start") || !strcmp(key, "offer")) {
            lifeevent_verb verb = !strcmp(key, "end") ? LE_END : !strcmp(key, "change") ? LE_CHANGE
                                : !strcmp(key, "carry") ? LE_CARRY : !strcmp(key, "review") ? LE_REVIEW
                                : !strcmp(key, "start") ? LE_START : LE_OFFER;
            if (service_line(d, verb, l, v, cat, file, line, err, errlen) != 0)
                return -1;
        } else if (!strcmp(key, "task")) {
            const char *pos = v;
            char team[64], days[16];
            int c1, c2;
            if (!word(l, &pos, team, sizeof team, &c1) || !word(l, &pos, days, sizeof days, &c2))
                FAIL(vcol, "task: is TEAM DAYS TITLE");
            if (!is_department(cat, team))
                FAIL(c1, "no service belongs to a team called '%s'", team);
            char *e;
            long x = strtol(days, &e, 10);
            if (*e || x < 0 || x > 365)
                FAIL(c2, "task: days is a whole number of working days from 0 to 365");
            while (*pos == ' ' || *pos == '\t')
                pos++;
            if (!*pos)
                FAIL(vcol, "task: needs a title after the days");
            if (strlen(pos) > 250)
                FAIL((int)(pos - l) + 1, "task: the title is longer than 250 characters");
            if (d->p.ntasks == MAX_LINES)
                FAIL(1, "more than %d tasks", MAX_LINES);
            d->tasks[d->p.ntasks++] = (lifeevent_task){.team = arena_strdup(a, team), .days = (int)x, .title = pos};
        } else if (!strcmp(key, "notify")) {
            const char *pos = v;
            char who[32];
            int c1;
            word(l, &pos, who, sizeof who, &c1);
            lifeevent_target target = LT_SUBJECT;
            if (!strcmp(who, "household"))
                target = LT_HOUSEHOLD;
            else if (!strcmp(who, "left"))
                target = LT_LEFT;
            else if (strcmp(who, "subject"))
                FAIL(c1, "notify: to whom? expected subject, household or left, not '%s'", who);
            while (*pos == ' ' || *pos == '\t')
                pos++;
            const char *bar = strchr(pos, '|');
            if (!*pos || !bar || bar == pos || !bar[1])
                FAIL(vcol, "notify: is subject|household|left SUBJECT LINE | MESSAGE");
            const char *se = bar;
            while (se > pos && se[-1] == ' ')
                se--;
            const char *body = bar + 1;
            while (*body == ' ')
                body++;
            if (d->p.nnotices == MAX_LINES)
                FAIL(1, "more than %d messages", MAX_LINES);
            d->notices[d->p.nnotices++] =
                (lifeevent_notice){.target = target, .subject = arena_strndup(a, pos, (size_t)(se - pos)), .body = body};
        } else
            FAIL(1, "unknown key '%s'", key);
    }
    if (in_block) {
        if (check_draft(d, file, err, errlen) != 0)
            return -1;
        finish(d, a, &items[n++]);
    }
    *nitems = n;
    return 0;
}

int lifeevent_parse(const char *text, const char *file, const catalogue *cat, arena *a, playbooks *out, char *err,
                    size_t errlen)
{
    playbook *items = arena_alloc(a, sizeof(playbook) * MAX_PLAYBOOKS);
    draft *d = arena_alloc(a, sizeof(draft));
    int n = 0;
    out->items = NULL;
    out->n = 0;
    if (parse_lines(text, file, cat, a, items, &n, d, err, errlen) != 0)
        return -1;
    out->items = items;
    out->n = n;
    return 0;
}

const playbook *lifeevent_find(const playbooks *p, const char *type)
{
    for (int i = 0; p && type && i < p->n; i++)
        if (!strcmp(p->items[i].type, type))
            return &p->items[i];
    return NULL;
}

const char *lifeevent_target_name(const lifeevent_effect *e)
{
    return e->group == LG_ONE ? e->s->slug : groups[e->group];
}
