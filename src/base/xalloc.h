/* xalloc: allocation that never returns NULL.
 *
 * frontdoor runs under a supervisor that restarts it; an allocation failure
 * aborts the process instead of threading untested NULL-recovery code through
 * every caller (style.md, rule 3). Every function here either succeeds or
 * calls abort(). Memory from these functions is released with free(). */
#ifndef FD_XALLOC_H
#define FD_XALLOC_H
#include <stddef.h>
#include <stdlib.h> /* free() releases what these return */

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a malloc'd copy of s (s must not be NULL). */
char *xstrdup(const char *s);
/* Returns a malloc'd, NUL-terminated copy of the first n bytes of s. */
char *xstrndup(const char *s, size_t n);

#endif
