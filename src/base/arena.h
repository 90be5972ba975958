/* arena: one memory pool per request (or per job), freed at once.
 *
 * Everything allocated from an arena lives until arena_free(). Cleanups
 * registered with arena_on_free() run (last registered first) when the arena
 * is freed, so a statement or cursor is released even on an early return.
 * An arena is not thread-safe: one owner at a time. */
#ifndef FD_ARENA_H
#define FD_ARENA_H
#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

/* Allocates a new, empty arena (aborts on out-of-memory). */
arena *arena_new(void);
/* Runs the cleanups, releases every block and the arena itself. NULL is a no-op. */
void arena_free(arena *a);
/* Returns n zeroed bytes, aligned for any type, valid until arena_free(). */
void *arena_alloc(arena *a, size_t n);
/* Returns a NUL-terminated copy of s (NULL gives NULL). */
char *arena_strdup(arena *a, const char *s);
/* Returns a NUL-terminated copy of the first n bytes of s. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* printf into the arena; returns the formatted string. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);
/* Registers fn(arg) to run when the arena is freed. */
void arena_on_free(arena *a, void (*fn)(void *), void *arg);
/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const arena *a);

#endif
