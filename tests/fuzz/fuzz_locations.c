/* fuzz_locations: libFuzzer target for catalogue/locations.txt. Any input
 * must give locations or an error naming the file and line, never a crash,
 * a leak or undefined behaviour; locations that parse must make slots and
 * judge slot times. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/locations.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known(const char *slug, void *ctx)
{
    (void)ctx;
    return slug[0] != '\0' && slug[0] != 'x';
}

static int count(const char *start, const char *end, void *ctx)
{
    (void)end;
    return ++*(int *)ctx > 500 || strlen(start) != 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    location_set ls;
    char err[300];
    holidays h = {.n = 1, .day = {20415}};
    if (locations_parse(text, "fuzz.txt", known, NULL, &ls, err, sizeof err) == 0) {
        for (int i = 0; i < ls.n; i++)
            for (int k = 0; k < ls.items[i].nservices; k++) {
                int n = 0;
                location_slots(&ls.items[i], &ls.items[i].services[k], &h, "2025-11-23", "2025-12-06", count, &n);
                location_slot_problem(&ls.items[i], &ls.items[i].services[k], &h, "2025-11-24T09:30");
                char end[17];
                location_slot_end(&ls.items[i].services[k], "2025-11-24T23:59", end);
            }
        locations_free(&ls);
    } else if (strncmp(err, "fuzz.txt:", 9) != 0) {
        abort();
    }
    free(text);
    return 0;
}
