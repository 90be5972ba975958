#include "base/thread.h"

#include <errno.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void thread_background(void)
{
    /* On Linux, PRIO_PROCESS with a thread id sets that thread alone. If
     * not permitted, the work runs at normal priority. */
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}

static void *ticker_main(void *arg)
{
    ticker *t = arg;
    if (t->background)
        thread_background();
    pthread_mutex_lock(&t->lock);
    for (;;) {
        int last = t->stopping;
        if (last && !t->last_run)
            break;
        t->woken = 0;
        pthread_mutex_unlock(&t->lock);
        t->run(t->arg);
        pthread_mutex_lock(&t->lock);
        if (last)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->every_ms / 1000;
        until.tv_nsec += t->every_ms % 1000 * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!t->stopping && !t->woken) {
            if (t->every_ms <= 0)
                pthread_cond_wait(&t->wake, &t->lock);
            else if (pthread_cond_timedwait(&t->wake, &t->lock, &until) == ETIMEDOUT)
                break;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int ticker_start(ticker *t)
{
    pthread_mutex_lock(&t->lock);
    t->stopping = t->woken = 0;
    if (!t->running && pthread_create(&t->thread, NULL, ticker_main, t) == 0)
        t->running = 1;
    int ok = t->running;
    pthread_mutex_unlock(&t->lock);
    return ok ? 0 : -1;
}

void ticker_wake(ticker *t)
{
    pthread_mutex_lock(&t->lock);
    t->woken = 1;
    pthread_cond_broadcast(&t->wake);
    pthread_mutex_unlock(&t->lock);
}

int ticker_stopping(ticker *t)
{
    pthread_mutex_lock(&t->lock);
    int s = t->stopping;
    pthread_mutex_unlock(&t->lock);
    return s;
}

void ticker_stop(ticker *t)
{
    pthread_mutex_lock(&t->lock);
    int was = t->running;
    t->stopping = 1;
    t->running = 0;
    pthread_cond_broadcast(&t->wake);
    pthread_mutex_unlock(&t->lock);
    if (was)
        pthread_join(t->thread, NULL);
}
