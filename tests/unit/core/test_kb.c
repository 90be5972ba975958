/* test_kb: the articles file and the enquiry router. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "core/catalogue.h"
#include "core/kb.h"
#include "core/route_enquiry.h"

static catalogue CAT;

static int setup(void **s)
{
    (void)s;
    char err[300], *t = file_read("catalogue/services.txt", 4 << 20, NULL, err, sizeof err);
    int rc = t ? catalogue_parse(t, "services.txt", &CAT, err, sizeof err) : -1;
    free(t);
    if (rc)
        return -1;
    t = file_read("catalogue/articles.txt", 4 << 20, NULL, err, sizeof err);
    rc = t ? kb_parse(t, "articles.txt", &CAT, &CAT.kb, err, sizeof err) : -1;
    if (rc)
        fprintf(stderr, "%s\n", err);
    free(t);
    return rc;
}

static int teardown(void **s)
{
    (void)s;
    catalogue_free(&CAT);
    return 0;
}

static void every_service_has_an_article(void **state)
{
    (void)state;
    for (int i = 0; i < CAT.n; i++) {
        const article *a = kb_find(CAT.kb, CAT.items[i].slug);
        if (!a)
            fail_msg("no article for %s", CAT.items[i].slug);
        assert_int_equal(a->kind, ARTICLE_SERVICE);
        assert_ptr_equal(a->service, &CAT.items[i]);
        assert_non_null(a->who);
        assert_non_null(a->how);
        assert_non_null(a->when);
    }
    int signposts = 0;
    for (int i = 0; i < CAT.kb->n; i++)
        if (CAT.kb->items[i].kind == ARTICLE_SIGNPOST) {
            signposts++;
            assert_true(CAT.kb->items[i].phone || CAT.kb->items[i].url);
        }
    assert_true(signposts >= 10);
    assert_string_equal(kb_find(CAT.kb, "gas-emergency")->phone, "0800 111 999");
}

static void bad(const char *text, const char *want)
{
    kb *k = (kb *)1;
    char err[300] = "";
    assert_int_equal(kb_parse(text, "a.txt", &CAT, &k, err, sizeof err), -1);
    assert_null(k);
    if (!strstr(err, want))
        fail_msg("error '%s' does not contain '%s'", err, want);
}

static void bad_files_name_the_line(void **state)
{
    (void)state;
    bad("article: no-such-service\ntitle: x\n", "a.txt:1: article no-such-service: no service");
    bad("# c\n\narticle: pothole\ntitle: Potholes\nkeywords: hole\nwhat: x\nwho: y\nhow: z\n", "a.txt:3: article pothole has no when:");
    bad("article: pothole\ncolour: red\n", "a.txt:2: pothole: unknown key 'colour'");
    bad("title: x\n", "a.txt:1: 'title:' comes before any article");
    bad("signpost: police\ntitle: Police\nkeywords: crime\nwhat: call\n", "has no phone or url");
    bad("signpost: Police\n", "a.txt:1: id 'Police' may hold only");
    bad("signpost: p\ntitle: P\ntitle: Q\n", "a.txt:3: p: 'title:' given twice");
    bad("signpost: p\ntitle: P\nkeywords: k\nwhat: w\nurl: u\n\nsignpost: p\n", "a.txt:7: p is already described");
    bad("signpost: p\ntitle: P\nkeywords: k\nwhat: w\nurl: u\nsignpost: q\n", "without a blank line");
    bad("signpost: p\nwhat\n", "a.txt:2: expected 'key: value'");
}

static const char *top(const char *text, double *conf)
{
    route_hit h[3];
    int n = route_enquiry(CAT.kb->router, text, h, 3);
    if (conf)
        *conf = n ? h[0].confidence : 0;
    return n ? h[0].article->slug : "(none)";
}

static void enquiries_reach_their_service(void **state)
{
    (void)state;
    double c;
    assert_string_equal(top("my bin wasn't collected on tuesday", &c), "missed-bin");
    assert_true(c > 0.8);
    assert_string_equal(top("I need a parking permit for my new car", NULL), "parking-permit-resident");
    assert_string_equal(top("wen is my bin day", NULL), "bin-collection-day");
    /* a typo: one edit away */
    assert_string_equal(top("potholle", NULL), "pothole");
    /* what the council does not do */
    assert_string_equal(top("I can smell gas in the hallway", NULL), "gas-emergency");
    assert_string_equal(top("there's a power cut on our road", NULL), "power-cut");
    /* nothing known: no answer, no confidence */
    assert_string_equal(top("hello there", &c), "(none)");
    assert_true(c == 0);
    /* hits come best first, confidences within 0..1 */
    route_hit h[ROUTE_MAX_HITS];
    int n = route_enquiry(CAT.kb->router, "bin collection", h, ROUTE_MAX_HITS);
    assert_true(n >= 3);
    for (int i = 0; i < n; i++) {
        assert_true(h[i].confidence >= 0 && h[i].confidence <= 1);
        if (i)
            assert_true(h[i].score <= h[i - 1].score);
    }
}

static void stems_and_search_words(void **state)
{
    (void)state;
    char s[ROUTE_WORD];
    router_stem("collected", s);
    char t[ROUTE_WORD];
    router_stem("collection", t);
    assert_string_equal(s, t);
    router_stem("potholes", s);
    assert_string_equal(s, "pothole");
    router_stem("emptied", s);
    assert_string_equal(s, "empty");
    char w[8][ROUTE_WORD];
    int n = router_search_words(CAT.kb->router, "the potholle on my road", w, 8);
    assert_int_equal(n, 2);
    assert_string_equal(w[0], "pothole");
    assert_string_equal(w[1], "road");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_service_has_an_article),
        cmocka_unit_test(bad_files_name_the_line),
        cmocka_unit_test(enquiries_reach_their_service),
        cmocka_unit_test(stems_and_search_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
