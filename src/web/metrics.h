/* metrics: request counts by route and status, and a latency histogram per
 * route, rendered in the Prometheus text format. Lock-free (atomics). */
#ifndef FD_METRICS_H
#define FD_METRICS_H
#include "base/buf.h"

/* Counts one answered request. ri is an index into fd_routes, or -1 for
 * a path that matched no route. */
void metrics_observe(int ri, int status, double seconds);
/* Appends the exposition text to b. Returns 0, or -1 if b is full. */
int metrics_render(buf *b);

#endif
