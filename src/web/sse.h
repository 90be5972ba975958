/* sse: Server-Sent Events (text/event-stream) without tying up a worker.
 *
 * A handler that answers with a stream sets resp->stream (sse_new). The
 * server sends it with libmicrohttpd's content-reader callback. Each time
 * the callback runs on a worker thread it asks the stream's poll function
 * for new events (a quick database read); if there are none it suspends
 * the connection and returns, so the worker serves other connections. A
 * hub thread resumes suspended streams when sse_notify() says something
 * happened in this process, and at least every SSE_POLL_MS anyway (for
 * changes made by another app server sharing PostgreSQL). A stream sends
 * a ": keep-alive" comment after SSE_KEEPALIVE_S quiet seconds and ends
 * after its max_seconds (the browser's EventSource reconnects, with
 * Last-Event-ID), or when poll says it is over, or at shutdown. */
#ifndef FD_SSE_H
#define FD_SSE_H
#include "base/buf.h"
#include "store/store.h"

enum { SSE_POLL_MS = 1000, SSE_KEEPALIVE_S = 15 };

typedef struct sse_stream sse_stream;

/* Appends any new events to out ("id: ..\nevent: ..\ndata: ..\n\n").
 * Returns 0 to go on, 1 when the stream is over (after what it wrote). */
typedef int (*sse_poll_fn)(void *ctx, buf *out);

/* A stream over ctx (freed with free_ctx when the connection ends), which
 * ends after max_seconds. */
sse_stream *sse_new(sse_poll_fn poll, void *ctx, void (*free_ctx)(void *), int max_seconds);
/* Something changed: wake every suspended stream now. Any thread. */
void sse_notify(void);
/* Starts the hub thread (server_run calls it). */
void sse_start(void);
/* Ends every stream (their next call ends them) and stops the hub. Call
 * before waiting for requests in flight: a suspended connection must be
 * resumed before the daemon stops. */
void sse_stop(void);

/* For server.c: the response for stream s on connection conn (a
 * struct MHD_Connection *); takes ownership of s. */
void *sse_response(sse_stream *s, void *conn);

#endif
