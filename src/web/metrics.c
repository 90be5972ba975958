#include "web/metrics.h"

#include "web/routes.h"

enum { MAX_ROUTES = 128, NSTATUS = 18, NBUCKETS = 12 };

static const int statuses[NSTATUS] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                                      409, 412, 413, 415, 422, 428, 429, 500, 503};
static const double bounds[NBUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

/* One more status slot per route for "any other status". */
static unsigned long long counts[MAX_ROUTES + 1][NSTATUS + 1];
static unsigned long long buckets[MAX_ROUTES + 1][NBUCKETS + 1];
static unsigned long long sum_us[MAX_ROUTES + 1];

static int slot(int ri)
{
    return ri < 0 || ri >= fd_nroutes || ri >= MAX_ROUTES ? MAX_ROUTES : ri;
}

void metrics_observe(int ri, int status, double seconds)
{
    int r = slot(ri), s = NSTATUS;
    for (int i = 0; i < NSTATUS; i++)
        if (statuses[i] == status)
            s = i;
    __atomic_fetch_add(&counts[r][s], 1, __ATOMIC_RELAXED);
    int b = NBUCKETS;
    for (int i = 0; i < NBUCKETS; i++)
        if (seconds <= bounds[i]) {
            b = i;
            break;
        }
    __atomic_fetch_add(&buckets[r][b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&sum_us[r], (unsigned long long)(seconds * 1e6), __ATOMIC_RELAXED);
}

static void labels(int r, const char **method, const char **path)
{
    if (r == MAX_ROUTES) {
        *method = "any";
        *path = "unmatched";
    } else {
        *method = fd_routes[r].method;
        *path = fd_routes[r].path;
    }
}

int metrics_render(buf *b)
{
    int rc = 0;
    rc |= buf_puts(b, "# HELP frontdoor_http_requests_total HTTP requests answered, by route and status.\n"
                      "# TYPE frontdoor_http_requests_total counter\n");
    for (int r = 0; r <= MAX_ROUTES; r++) {
        if (r < MAX_ROUTES && r >= fd_nroutes)
            continue;
        const char *m, *p;
        labels(r, &m, &p);
        for (int s = 0; s <= NSTATUS; s++) {
            unsigned long long n = __atomic_load_n(&counts[r][s], __ATOMIC_RELAXED);
            if (!n)
                continue;
            if (s < NSTATUS)
                rc |= buf_printf(b, "frontdoor_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                                 m, p, statuses[s], n);
            else
                rc |= buf_printf(b, "frontdoor_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %llu\n",
                                 m, p, n);
        }
    }
    rc |= buf_puts(b, "# HELP frontdoor_http_request_duration_seconds Time from request to response, by route.\n"
                      "# TYPE frontdoor_http_request_duration_seconds histogram\n");
    for (int r = 0; r <= MAX_ROUTES; r++) {
        if (r < MAX_ROUTES && r >= fd_nroutes)
            continue;
        unsigned long long total = 0;
        for (int i = 0; i <= NBUCKETS; i++)
            total += __atomic_load_n(&buckets[r][i], __ATOMIC_RELAXED);
        if (!total)
            continue;
        const char *m, *p;
        labels(r, &m, &p);
        unsigned long long cum = 0;
        for (int i = 0; i < NBUCKETS; i++) {
            cum += __atomic_load_n(&buckets[r][i], __ATOMIC_RELAXED);
            rc |= buf_printf(b, "frontdoor_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
                             m, p, bounds[i], cum);
        }
        rc |= buf_printf(b, "frontdoor_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n",
                         m, p, total);
        rc |= buf_printf(b, "frontdoor_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", m, p,
                         (double)__atomic_load_n(&sum_us[r], __ATOMIC_RELAXED) / 1e6);
        rc |= buf_printf(b, "frontdoor_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n", m,
                         p, total);
    }
    return rc ? -1 : 0;
}
