/* fuzz_kb: libFuzzer target for the articles file and the enquiry router.
 * Any input must give articles or an error naming a line, never a crash,
 * a leak or undefined behaviour; and any text (what the public may send to
 * POST /api/v1/enquiries) must route, with confidences within 0..1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "core/catalogue.h"
#include "core/kb.h"
#include "core/route_enquiry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static catalogue CAT;
static int loaded;

static void load(void)
{
    /* run from the repository's top folder */
    char err[600], *text = file_read("catalogue/services.txt", 4 << 20, NULL, err, sizeof err);
    if (!text || catalogue_parse(text, "services.txt", &CAT, err, sizeof err) != 0)
        abort();
    free(text);
    text = file_read("catalogue/articles.txt", 4 << 20, NULL, err, sizeof err);
    if (!text || kb_parse(text, "articles.txt", &CAT, &CAT.kb, err, sizeof err) != 0)
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
