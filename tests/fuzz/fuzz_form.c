/* fuzz_form: libFuzzer target for form bodies (application/x-www-form-
 * urlencoded): any bytes decoded the way the server does. Never a crash,
 * a leak or undefined behaviour; every field decoded is a string without
 * control characters, and there are never more than asked for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    form_field f[8];
    int n = form_parse((const char *)data, size, a, f, 8);
    if (n > 8)
        abort();
    for (int i = 0; i < n; i++) {
        if (!f[i].name || !f[i].value)
            abort();
        for (const char *s = f[i].value; *s; s++)
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\r' && *s != '\n')
                abort();
        if (strlen(f[i].name) > size || strlen(f[i].value) > size)
            abort();
    }
    arena_free(a);
    return 0;
}
