/* fuzz_febrl: libFuzzer target for the FEBRL reader and the matcher. Any
 * input must parse into records (or a header error), never crash, leak or
 * hit undefined behaviour; the records must dedupe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/febrl.h"
#include "core/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    febrl_data d;
    char err[256];
    if (febrl_parse(a, match_schema_febrl(), (const char *)data, size, &d, err, sizeof err) == 0 && d.n < 400) {
        match_options o;
        match_options_init(&o);
        o.u_samples = 500;
        match_result r;
        if (match_dedupe(match_schema_febrl(), d.rec, d.n, &o, &r) == 0) {
            for (size_t k = 0; k < r.npairs; k++)
                if (r.pair[k].a >= d.n || r.pair[k].b >= d.n || r.pair[k].a >= r.pair[k].b)
                    abort();
            match_result_free(&r);
        }
    }
    arena_free(a);
    return 0;
}
