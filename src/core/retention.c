#include "core/retention.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

static const char *const names[RET_KIND_COUNT] = {"sessions", "idempotency_keys", "deceased_people", "audit_log"};

const char *retention_kind_name(retention_kind k)
{
    return k < RET_KIND_COUNT ? names[k] : "?";
}

int retention_parse(const char *text, retention_rules *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int line = 0;
    const char *p = text;
    while (*p) {
        line++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char buf[256];
        if (len >= sizeof buf) {
            snprintf(err, errlen, "line %d: longer than %zu characters", line, sizeof buf - 1);
            return -1;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        p = end ? end + 1 : p + len;
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char kind[64], days[64], extra[8];
        int n = sscanf(buf, "%63s %63s %7s", kind, days, extra);
        if (n <= 0)
            continue;
        if (n != 2) {
            snprintf(err, errlen, "line %d: expected KIND DAYS", line);
            return -1;
        }
        int k = -1;
        for (int i = 0; i < RET_KIND_COUNT; i++)
            if (!strcmp(kind, names[i]))
                k = i;
        if (k < 0) {
            snprintf(err, errlen, "line %d: unknown kind '%s' (sessions, idempotency_keys, deceased_people, audit_log)",
                     line, kind);
            return -1;
        }
        char *e;
        long d = strtol(days, &e, 10);
        if (*e || d < 1 || d > 36500 || !isdigit((unsigned char)days[0])) {
            snprintf(err, errlen, "line %d: days must be a whole number from 1 to 36500, not '%s'", line, days);
            return -1;
        }
        if (out->days[k]) {
            snprintf(err, errlen, "line %d: %s is given twice", line, kind);
            return -1;
        }
        out->days[k] = (int)d;
    }
    return 0;
}

void retention_cutoff(long long as_of, int days, char out_date[11], char out_time[21])
{
    long long t = as_of - (long long)days * 86400;
    time_iso_from(t, out_time);
    memcpy(out_date, out_time, 10);
    out_date[10] = '\0';
}
