/* sse.c: event streams on suspended connections, woken by a hub thread. */
#include "web/sse.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/thread.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

enum { SSE_MAX_EVENTS = 256 * 1024 };

struct sse_stream {
    sse_poll_fn poll;
    void *ctx;
    void (*free_ctx)(void *);
    struct MHD_Connection *conn;
    buf pending;        /* events not yet handed to libmicrohttpd */
    size_t sent;        /* how much of pending has been handed over */
    uint64_t deadline;  /* monotonic ns: end the stream then */
    uint64_t last_write;
    int over;           /* poll said it is finished: end once pending is sent */
    int parked;         /* guarded by H.lock: suspended, and the hub may resume it */
    int woken;          /* guarded by H.lock: something happened while it was running */
    struct sse_stream *next, *prev; /* H.all, guarded by H.lock */
};

static struct {
    pthread_mutex_t lock;
    int stopping;
    sse_stream *all;
    ticker hub; /* resumes every stream each SSE_POLL_MS */
} H = {.lock = PTHREAD_MUTEX_INITIALIZER, .hub = TICKER_INIT};

sse_stream *sse_new(sse_poll_fn poll, void *ctx, void (*free_ctx)(void *), int max_seconds)
{
    sse_stream *s = xcalloc(1, sizeof *s);
    s->poll = poll;
    s->ctx = ctx;
    s->free_ctx = free_ctx;
    buf_init(&s->pending, SSE_MAX_EVENTS);
    s->last_write = time_mono_ns();
    s->deadline = s->last_write + (uint64_t)max_seconds * 1000000000ull;
    return s;
}

/* Hands over what is pending; 0 if nothing is. */
static ssize_t drain(sse_stream *s, char *out, size_t max)
{
    size_t left = s->pending.len - s->sent;
    if (!left)
        return 0;
    size_t n = left < max ? left : max;
    memcpy(out, s->pending.p + s->sent, n);
    s->sent += n;
    if (s->sent == s->pending.len) {
        s->pending.len = 0;
        s->sent = 0;
    }
    s->last_write = time_mono_ns();
    return (ssize_t)n;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    sse_stream *s = cls;
    ssize_t n = drain(s, out, max);
    if (n)
        return n;
    pthread_mutex_lock(&H.lock);
    int stopping = H.stopping;
    pthread_mutex_unlock(&H.lock);
    uint64_t now = time_mono_ns();
    if (s->over || stopping || now >= s->deadline)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (s->poll(s->ctx, &s->pending) != 0)
        s->over = 1;
    if (!s->pending.len && now - s->last_write >= (uint64_t)SSE_KEEPALIVE_S * 1000000000ull)
        buf_puts(&s->pending, ": keep-alive\n\n");
    if ((n = drain(s, out, max)) != 0)
        return n;
    if (s->over)
        return MHD_CONTENT_READER_END_OF_STREAM;
    /* Nothing to say: give the worker back until the hub wakes us. No
     * libmicrohttpd call is made with H.lock held (it has locks of its
     * own, and calls release() under them). */
    pthread_mutex_lock(&H.lock);
    int stop = H.stopping, woken = s->woken;
    s->woken = 0;
    pthread_mutex_unlock(&H.lock);
    if (stop)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (woken)
        return 0; /* something happened meanwhile: we are called again at once */
    MHD_suspend_connection(s->conn);
    pthread_mutex_lock(&H.lock);
    woken = s->woken || H.stopping;
    s->woken = 0;
    s->parked = !woken;
    pthread_mutex_unlock(&H.lock);
    if (woken) /* woken between the poll and the suspension: go round again */
        MHD_resume_connection(s->conn);
    return 0;
}

static void release(void *cls)
{
    sse_stream *s = cls;
    pthread_mutex_lock(&H.lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        H.all = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&H.lock);
    if (s->free_ctx)
        s->free_ctx(s->ctx);
    buf_free(&s->pending);
    free(s);
}

void *sse_response(sse_stream *s, void *conn)
{
    s->conn = conn;
    /* The first bytes go at once, so the client knows the stream is open. */
    buf_puts(&s->pending, ": stream open\nretry: 2000\n\n");
    pthread_mutex_lock(&H.lock);
    s->next = H.all;
    if (H.all)
        H.all->prev = s;
    H.all = s;
    pthread_mutex_unlock(&H.lock);
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, release);
}

/* Resumes every parked stream and marks the running ones woken. Takes
 * H.lock itself, and resumes after letting go of it: a parked connection
 * cannot close, so its stream stays alive until resumed. */
static void resume_all(void)
{
    enum { BATCH = 256 };
    for (;;) {
        struct MHD_Connection *conns[BATCH];
        int n = 0, more = 0;
        pthread_mutex_lock(&H.lock);
        for (sse_stream *s = H.all; s; s = s->next) {
            if (s->parked) {
                if (n == BATCH) {
                    more = 1;
                    break;
                }
                s->parked = 0;
                conns[n++] = s->conn;
            } else {
                s->woken = 1;
            }
        }
        pthread_mutex_unlock(&H.lock);
        for (int i = 0; i < n; i++)
            MHD_resume_connection(conns[i]);
        if (!more)
            return;
    }
}

void sse_notify(void)
{
    resume_all();
}

/* The hub: each stream polls once a tick, so changes from other servers
 * show within a second. */
static void poll_all(void *arg)
{
    (void)arg;
    resume_all();
}

void sse_start(void)
{
    pthread_mutex_lock(&H.lock);
    H.stopping = 0;
    pthread_mutex_unlock(&H.lock);
    H.hub.run = poll_all;
    H.hub.every_ms = SSE_POLL_MS;
    H.hub.last_run = 1;
    ticker_start(&H.hub);
}

void sse_stop(void)
{
    pthread_mutex_lock(&H.lock);
    H.stopping = 1;
    pthread_mutex_unlock(&H.lock);
    ticker_stop(&H.hub);
    resume_all(); /* their next call ends them */
}
