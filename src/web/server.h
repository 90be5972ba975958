/* server: HTTP on libmicrohttpd, one route table, graceful shutdown. */
#ifndef FD_SERVER_H
#define FD_SERVER_H
#include <stddef.h>

#include "core/catalogue.h"
#include "store/store.h"

typedef struct {
    const char *listen;     /* "HOST:PORT" (IPv4 or [IPv6]); port 0 picks a free one */
    int threads;            /* worker threads, one listening socket each; 0 = one per core */
    size_t max_body;        /* request body limit in bytes (413 above it) */
    int timeout_s;          /* idle connection timeout */
    const char *access_log; /* file to append to, "-" for stdout, "off" for none */
    const catalogue *cat;   /* the services, loaded at start-up */
    const char *static_dir; /* where /static/ and /assets/ files are (GOV.UK Frontend) */
    long long default_council; /* for a Host that names no council (0 = 1) */
} server_opts;

/* Serves until SIGTERM or SIGINT, then stops taking new connections, lets
 * requests in flight finish (up to 30 s) and returns 0. Returns 2 with a
 * one-line message on stderr if it cannot listen. Prints
 * "listening on http://HOST:PORT" to stderr once it accepts connections. */
int server_run(store *st, const server_opts *o);

#endif
