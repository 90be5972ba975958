/* fuzz_json: libFuzzer target for request bodies: any bytes parsed as JSON
 * the way the server does (duplicates rejected), read into every entity
 * and validated. Never a crash, a leak or undefined behaviour; every error
 * names a field. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/entities.h"
#include "web/jsonrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return 0;
    if (json_is_object(j)) {
        for (const entity_def *const *d = fd_entities; *d; d++) {
            arena *a = arena_new();
            record r;
            errlist errs = {.n = 0};
            jsonrec_read(j, *d, "x.", NULL, a, &r, &errs);
            record_validate(&r, 1, a, &errs);
            record_validate(&r, 0, a, &errs);
            for (int i = 0; i < errs.n; i++)
                if (!errs.e[i].field || !errs.e[i].message || !errs.e[i].message[0])
                    abort();
            json_t *out = jsonrec_write(&r, CAT_HEALTH);
            char *s = json_dumps(out, JSON_COMPACT);
            free(s);
            json_decref(out);
            arena_free(a);
        }
    }
    json_decref(j);
    return 0;
}
