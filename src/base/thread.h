/* thread: small helpers for the server's own threads. */
#ifndef FD_THREAD_H
#define FD_THREAD_H

#include <pthread.h>

/* Lowers the calling thread's CPU priority (nice 10), for background work
 * that no request waits on and that holds no lock a request waits for
 * long: on a busy machine the request threads run first. */
void thread_background(void);

/* A ticker: a thread of its own that runs a job, then waits every_ms (or,
 * if that is 0, until woken) or until ticker_wake, and again, until
 * ticker_stop. The background jobs (the outbox, retention, the person
 * views, the audit settler, the event-stream hub) are each one. Set the
 * fields before ticker_start; initialise with TICKER_INIT. */
typedef struct ticker {
    void (*run)(void *arg);
    void *arg;
    long every_ms;
    int last_run;   /* run the job once more when stopped (what is left) */
    int background; /* at nice 10 (thread_background) */
    /* the ticker's own */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int running, stopping, woken;
} ticker;

#define TICKER_INIT {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER}

/* Starts the thread (its first run at once); 0, or -1 if no thread could
 * be made. */
int ticker_start(ticker *t);
/* Runs the job now rather than at the next tick (or right after the run
 * under way). */
void ticker_wake(ticker *t);
/* Whether ticker_stop has been called: a long run may end early. */
int ticker_stopping(ticker *t);
/* Waits for the run under way (and the last run if asked for) to end. */
void ticker_stop(ticker *t);

#endif
