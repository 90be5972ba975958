/* fuzz_kb: libFuzzer target for the articles file and the enquiry router.
 * Any input must give articles or an error naming a line, never a crash,
 * a leak or undefined behaviour; and any text (what the public may send to
 * POST /api/v1/enquiries) must route, with confidences within 0..1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/kb.h"
#include "core/route_enquiry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static catalogue CAT;
static int loaded;

static void load(void)
{
    FILE *f = fopen("catalogue/services.txt", "r"); /* run from the repository's top folder */
    static char text[1 << 20];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    char err[300];
    if (catalogue_parse(text, "services.txt", &CAT, err, sizeof err) != 0)
        abort();
    if (!(f = fopen("catalogue/articles.txt", "r")))
        abort();
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    if (kb_parse(text, "articles.txt", &CAT, &CAT.kb, err, sizeof err) != 0)
        abort();
    loaded = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loaded)
        load();
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    kb *k = NULL;
    char err[300];
    if (kb_parse(text, "a.txt", &CAT, &k, err, sizeof err) == 0) {
        route_hit h[ROUTE_MAX_HITS];
        route_enquiry(k->router, "my bin was not collected", h, ROUTE_MAX_HITS);
        kb_free(k);
    } else if (strncmp(err, "a.txt:", 6) != 0 || k) {
        abort();
    }
    route_hit h[ROUTE_MAX_HITS];
    int n = route_enquiry(CAT.kb->router, text, h, ROUTE_MAX_HITS);
    for (int i = 0; i < n; i++)
        if (!(h[i].confidence >= 0 && h[i].confidence <= 1) || !(h[i].score > 0))
            abort();
    char w[16][ROUTE_WORD];
    router_search_words(CAT.kb->router, text, w, 16);
    free(text);
    return 0;
}
