/* thread: small helpers for the server's own threads. */
#ifndef FD_THREAD_H
#define FD_THREAD_H

/* Lowers the calling thread's CPU priority (nice 10), for background work
 * that no request waits on and that holds no lock a request waits for
 * long: on a busy machine the request threads run first. */
void thread_background(void);

#endif
