#include "base/thread.h"

#include <sys/resource.h>
#include <unistd.h>

void thread_background(void)
{
    /* On Linux, PRIO_PROCESS with a thread id sets that thread alone. If
     * not permitted, the work runs at normal priority. */
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}
