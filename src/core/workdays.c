#include "core/workdays.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

/* Days since 1970-01-01 for a valid YYYY-MM-DD (civil calendar). */
static long long day_number(const char *d)
{
    long long y = strtol(d, NULL, 10), m = strtol(d + 5, NULL, 10), dd = strtol(d + 8, NULL, 10);
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void day_string(long long z, char out[11])
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04lld-%02lld-%02lld", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int holidays_parse(const char *text, const char *file, holidays *h, char *err, size_t errlen)
{
    h->n = 0;
    int line = 0;
    for (const char *p = text; *p;) {
        line++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char l[128], date[32];
        snprintf(l, sizeof l, "%.*s", (int)(len < sizeof l ? len : sizeof l - 1), p);
        p = end ? end + 1 : p + len;
        char *hash = strchr(l, '#');
        if (hash)
            *hash = '\0';
        if (sscanf(l, "%31s", date) != 1)
            continue;
        if (!time_valid_date(date) || h->n == WORKDAYS_MAX_HOLIDAYS) {
            snprintf(err, errlen, "%s:%d: expected a date written YYYY-MM-DD (at most %d)", file, line,
                     WORKDAYS_MAX_HOLIDAYS);
            return -1;
        }
        h->day[h->n++] = day_number(date);
    }
    qsort(h->day, (size_t)h->n, sizeof h->day[0], cmp_ll);
    return 0;
}

static int working(const holidays *h, long long z)
{
    long long dow = ((z % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: 0 = Monday */
    if (dow >= 5)
        return 0;
    return !bsearch(&z, h->day, (size_t)h->n, sizeof h->day[0], cmp_ll);
}

int workdays_is_working(const holidays *h, const char *date)
{
    return time_valid_date(date) && working(h, day_number(date));
}

int workdays_add(const holidays *h, const char *date, int days, char out[11])
{
    if (!time_valid_date(date))
        return -1;
    long long z = day_number(date);
    for (int left = days; left > 0;) {
        z++;
        if (working(h, z))
            left--;
    }
    day_string(z, out);
    return 0;
}
