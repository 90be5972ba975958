#include "core/locations.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

enum { MAX_LOCATIONS = 200, MAX_SERVICES_AT = 100, MINUTES_PER_DAY = 1440 };

static const char *const weekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* Days since 1970-01-01 of y-m-d (H. Hinnant). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "HH:MM" to minutes; -1 if malformed. */
static int hhmm(const char *s, size_t n)
{
    if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h > 24 || m > 59 || (h == 24 && m) ? -1 : h * 60 + m;
}

/* A date "YYYY-MM-DD" to days since the epoch, or -1 (a date before 1970
 * is not a slot date). */
static long day_of(const char *s)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    long z = days_from_civil(y, m, d);
    int y2, m2, d2;
    civil_from_days(z, &y2, &m2, &d2);
    return y2 == y && m2 == m && d2 == d && z >= 0 ? z : -1;
}

static int holiday(const holidays *h, long day)
{
    for (int i = 0; h && i < h->n; i++)
        if (h->day[i] == day)
            return 1;
    return 0;
}

typedef struct {
    char *err;
    size_t errlen;
    const char *file;
} ctx_t;

static int failf(ctx_t *x, int line, const char *fmt, const char *a, const char *b)
{
    char msg[300];
    snprintf(msg, sizeof msg, fmt, a, b ? b : "");
    snprintf(x->err, x->errlen, "%s:%d:1: %s", x->file, line, msg);
    return -1;
}

/* "mon 09:00-17:00; sat 10:00-13:00" */
static int parse_hours(ctx_t *x, int line, char *v, site *l)
{
    for (char *part = v; part && *part;) {
        char *semi = strchr(part, ';');
        if (semi)
            *semi = '\0';
        while (*part == ' ')
            part++;
        char day[8], span[16], extra[2];
        if (sscanf(part, "%7s %15s %1s", day, span, extra) != 2)
            return failf(x, line, "hours: '%s' is not \"DAY HH:MM-HH:MM\"", part, NULL);
        int k = 0;
        while (k < 7 && strcmp(weekdays[k], day))
            k++;
        char *dash = strchr(span, '-');
        int o = dash ? hhmm(span, (size_t)(dash - span)) : -1, c = dash ? hhmm(dash + 1, strlen(dash + 1)) : -1;
        if (k == 7)
            return failf(x, line, "hours: unknown day '%s' (sun, mon, tue, wed, thu, fri, sat)", day, NULL);
        if (o < 0 || c < 0 || c <= o)
            return failf(x, line, "hours: '%s' is not an opening time before a closing time (HH:MM-HH:MM)", span,
                         NULL);
        if (l->open[k] >= 0)
            return failf(x, line, "hours: %s is given twice", day, NULL);
        l->open[k] = o;
        l->close[k] = c;
        part = semi ? semi + 1 : NULL;
    }
    return 0;
}

/* "housing-register 30 2; council-tax-account 15 3" */
static int parse_slots(ctx_t *x, int line, char *v, site *l, int (*known)(const char *, void *), void *kctx,
                       location_service *pool, int *used)
{
    l->services = pool + *used;
    for (char *part = v; part && *part;) {
        char *semi = strchr(part, ';');
        if (semi)
            *semi = '\0';
        while (*part == ' ')
            part++;
        char svc[64], extra[2];
        int minutes, cap;
        if (sscanf(part, "%63s %d %d %1s", svc, &minutes, &cap, extra) != 3)
            return failf(x, line, "slots: '%s' is not \"SERVICE MINUTES CAPACITY\"", part, NULL);
        if (known && !known(svc, kctx))
            return failf(x, line, "slots: no service '%s' in services.txt", svc, NULL);
        if (minutes < 5 || minutes > 480 || cap < 1 || cap > 50)
            return failf(x, line, "slots: %s: minutes must be 5 to 480 and capacity 1 to 50", svc, NULL);
        if (*used >= MAX_LOCATIONS * 4 || l->nservices >= MAX_SERVICES_AT)
            return failf(x, line, "slots: too many services%s", "", NULL);
        for (int i = 0; i < l->nservices; i++)
            if (!strcmp(l->services[i].service, svc))
                return failf(x, line, "slots: %s is given twice", svc, NULL);
        l->services[l->nservices++] = (location_service){xstrdup(svc), minutes, cap};
        (*used)++;
        part = semi ? semi + 1 : NULL;
    }
    return 0;
}

typedef struct {
    site items[MAX_LOCATIONS];
    location_service pool[MAX_LOCATIONS * 4];
    char *text;
} mem;

void locations_free(location_set *s)
{
    mem *m = s->mem;
    if (m) {
        for (int i = 0; i < s->n; i++)
            for (int k = 0; k < m->items[i].nservices; k++)
                free((char *)(uintptr_t)m->items[i].services[k].service);
        free(m->text);
        free(m);
    }
    memset(s, 0, sizeof *s);
}

static int check(ctx_t *x, site *l)
{
    const char *missing = !l->name ? "name" : !l->address ? "address" : !l->nservices ? "slots" : NULL;
    int open = 0;
    for (int k = 0; k < 7; k++)
        open |= l->open[k] >= 0;
    if (!missing && !open)
        missing = "hours";
    if (missing)
        return failf(x, l->line, "location %s has no %s:", l->slug, missing);
    for (const char *p = l->slug; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
            return failf(x, l->line, "location id '%s' may hold only a-z, 0-9 and -", l->slug, NULL);
    return 0;
}

int locations_parse(const char *text, const char *file, int (*known)(const char *slug, void *ctx), void *kctx,
                    location_set *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    mem *m = xcalloc(1, sizeof *m);
    m->text = xstrdup(text);
    out->mem = m;
    out->items = m->items;
    ctx_t x = {err, errlen, file};
    int used = 0, lineno = 0, rc = 0;
    site *cur = NULL;
    for (char *line = m->text, *next; rc == 0 && line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len || line[0] == '#') {
            if (!len && cur) {
                rc = check(&x, cur);
                cur = NULL;
            }
            continue;
        }
        char *colon = strchr(line, ':');
        if (!colon || colon[1] != ' ') {
            rc = failf(&x, lineno, "expected \"key: value\"%s", "", NULL);
            break;
        }
        *colon = '\0';
        char *v = colon + 2;
        if (!strcmp(line, "location")) {
            if (cur)
                rc = check(&x, cur);
            if (rc)
                break;
            if (out->n == MAX_LOCATIONS) {
                rc = failf(&x, lineno, "more than 200 locations%s", "", NULL);
                break;
            }
            if (locations_find(out, v)) {
                rc = failf(&x, lineno, "location %s is given twice", v, NULL);
                break;
            }
            cur = &m->items[out->n++];
            cur->slug = v;
            cur->line = lineno;
            for (int k = 0; k < 7; k++)
                cur->open[k] = cur->close[k] = -1;
            continue;
        }
        if (!cur) {
            rc = failf(&x, lineno, "a block starts with \"location: ID\", not %s:", line, NULL);
            break;
        }
        if (!strcmp(line, "name"))
            cur->name = v;
        else if (!strcmp(line, "address"))
            cur->address = v;
        else if (!strcmp(line, "hours"))
            rc = parse_hours(&x, lineno, v, cur);
        else if (!strcmp(line, "slots"))
            rc = cur->nservices ? failf(&x, lineno, "slots: given twice%s", "", NULL)
                                : parse_slots(&x, lineno, v, cur, known, kctx, m->pool, &used);
        else
            rc = failf(&x, lineno, "unknown key %s: (location, name, address, hours, slots)", line, NULL);
    }
    if (rc == 0 && cur)
        rc = check(&x, cur);
    if (rc != 0)
        locations_free(out);
    return rc;
}

const site *locations_find(const location_set *s, const char *slug)
{
    for (int i = 0; slug && i < s->n; i++)
        if (!strcmp(s->items[i].slug, slug))
            return &s->items[i];
    return NULL;
}

const location_service *location_service_find(const site *l, const char *service)
{
    for (int i = 0; service && i < l->nservices; i++)
        if (!strcmp(l->services[i].service, service))
            return &l->services[i];
    return NULL;
}

static void write_time(long day, int minute, char out[17])
{
    int y, mo, d;
    civil_from_days(day + minute / MINUTES_PER_DAY, &y, &mo, &d);
    unsigned mm = (unsigned)minute % MINUTES_PER_DAY;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04u-%02u-%02uT%02u:%02u", (unsigned)y % 10000u, (unsigned)mo % 100u, (unsigned)d % 100u,
             mm / 60u, mm % 60u);
    snprintf(out, 17, "%.16s", tmp);
}

const char *location_slot_problem(const site *l, const location_service *ls, const holidays *h,
                                  const char *start)
{
    long day = day_of(start);
    if (day < 0 || strlen(start) != 16 || start[10] != 'T')
        return "must be a local time written YYYY-MM-DDTHH:MM";
    int minute = hhmm(start + 11, 5);
    if (minute < 0)
        return "must be a local time written YYYY-MM-DDTHH:MM";
    int wd = (int)((day + 4) % 7);
    if (l->open[wd] < 0 || holiday(h, day))
        return "the location is closed that day";
    if (minute < l->open[wd] || minute + ls->minutes > l->close[wd])
        return "the location is not open for the whole slot then";
    if ((minute - l->open[wd]) % ls->minutes)
        return "is not the start of a slot (slots run from opening, one after another)";
    return NULL;
}

void location_slots(const site *l, const location_service *ls, const holidays *h, const char *from,
                    const char *to, int (*fn)(const char *start, const char *end, void *ctx), void *ctx)
{
    long a = day_of(from), b = day_of(to);
    if (a < 0 || b < 0)
        return;
    for (long day = a; day <= b; day++) {
        int wd = (int)((day + 4) % 7);
        if (l->open[wd] < 0 || holiday(h, day))
            continue;
        for (int t = l->open[wd]; t + ls->minutes <= l->close[wd]; t += ls->minutes) {
            char s[17], e[17];
            write_time(day, t, s);
            write_time(day, t + ls->minutes, e);
            if (fn(s, e, ctx))
                return;
        }
    }
}

void location_slot_end(const location_service *ls, const char *start, char out[17])
{
    long day = day_of(start);
    int minute = strlen(start) >= 16 ? hhmm(start + 11, 5) : -1;
    if (day < 0 || minute < 0) {
        out[0] = '\0';
        return;
    }
    write_time(day, minute + ls->minutes, out);
}
