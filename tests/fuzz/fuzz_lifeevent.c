/* fuzz_lifeevent: libFuzzer target for the life-event playbook file
 * (catalogue/life_events.txt), checked against the real service catalogue.
 * Any input must give playbooks or an error naming file, line and column,
 * never a crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "core/catalogue.h"
#include "core/lifeevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static catalogue CAT;
static int loaded;

static void load(void)
{
    char err[600], *text = file_read("catalogue/services.txt", 4 << 20, NULL, err, sizeof err);
    if (!text || catalogue_parse(text, "services.txt", &CAT, err, sizeof err) != 0)
        abort();
    free(text);
    loaded = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loaded)
        load();
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    arena *a = arena_new();
    playbooks pb;
    char err[600] = "";
    if (lifeevent_parse(text, "le.txt", &CAT, a, &pb, err, sizeof err) == 0) {
        for (int i = 0; i < pb.n; i++) {
            const playbook *b = &pb.items[i];
            if (lifeevent_find(&pb, b->type) == NULL || !b->name)
                abort();
            for (int k = 0; k < b->neffects; k++)
                if (!lifeevent_target_name(&b->effects[k]))
                    abort();
        }
    } else if (strncmp(err, "le.txt:", 7) != 0) {
        abort(); /* every error names the file and line */
    }
    arena_free(a);
    free(text);
    return 0;
}
