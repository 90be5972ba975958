/* form: application/x-www-form-urlencoded bodies, decoded. Pure: no HTTP
 * library, so it is fuzzed on its own (tests/fuzz/fuzz_form.c). */
#ifndef FD_FORM_H
#define FD_FORM_H
#include <stddef.h>

#include "base/arena.h"

typedef struct {
    const char *name;
    const char *value;
} form_field;

/* Splits body (len bytes, not NUL-terminated) into at most max fields,
 * %XX and '+' decoded, strings from a. Returns the number of fields, or
 * -1 if there are more than max, or the body or a decoded name or value
 * holds a NUL or a control character other than tab, CR and LF. */
int form_parse(const char *body, size_t len, arena *a, form_field *out, int max);

#endif
