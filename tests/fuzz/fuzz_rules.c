/* fuzz_rules: libFuzzer target for the eligibility language and the
 * catalogue file. Any input must give a rule or an error with a line and
 * column, never a crash, a leak or undefined behaviour; a rule that parses
 * must evaluate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known(const char *slug, void *ctx)
{
    (void)ctx;
    return slug[0] != '\0' && slug[0] != 'x';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    arena *a = arena_new();
    char err[256];
    int line = 0, col = 0;
    rules_node *r = rules_parse(text, known, NULL, a, err, sizeof err, &line, &col);
    if (r) {
        static const char *const recv[] = {"housing-benefit"};
        rules_facts f = {.age = 40, .nmembers = 2, .has_property = 1, .property_type = "flat", .tenure = "leasehold",
                         .council_tax_band = "C", .floor = 2, .floor_known = 1, .receives = recv, .nreceives = 1};
        f.member_ages[0] = 40;
        f.member_ages[1] = 9;
        const char *reasons[RULES_MAX_REASONS];
        int n;
        rules_eval(r, &f, a, reasons, &n);
        rules_facts none = {.age = -1};
        rules_eval(r, &none, a, reasons, &n);
    } else if (line < 1 || col < 1 || err[0] == '\0') {
        abort(); /* every error says where and what */
    }
    catalogue c;
    if (catalogue_parse(text, "fuzz.txt", &c, err, sizeof err) == 0)
        catalogue_free(&c);
    else if (strncmp(err, "fuzz.txt:", 9) != 0)
        abort();
    arena_free(a);
    free(text);
    return 0;
}
