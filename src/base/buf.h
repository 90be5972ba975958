/* buf: a growable byte buffer that carries its length and a maximum.
 *
 * Appends past `max` fail with -1 and leave the buffer as it was, so an
 * over-long input can never grow memory without bound (style.md rule 5).
 * The content is always NUL-terminated. Memory is malloc'd; buf_free()
 * releases it. */
#ifndef FD_BUF_H
#define FD_BUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *p;     /* content, NUL-terminated; NULL until the first append */
    size_t len;  /* bytes of content, not counting the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* the most content this buffer may hold */
} buf;

void buf_init(buf *b, size_t max);
void buf_free(buf *b);
void buf_reset(buf *b);
/* 0 on success, -1 if the result would exceed max (buffer unchanged). */
int buf_append(buf *b, const void *data, size_t n);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s escaped for HTML text and attribute values. */
int buf_put_html(buf *b, const char *s);
/* The content as a string ("" if empty); valid until the next change. */
const char *buf_str(const buf *b);

#endif
