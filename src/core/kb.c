/* kb.c: catalogue/articles.txt into articles (format: catalogue/README.md). */
#include "core/kb.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "core/route_enquiry.h"

static const char *const service_keys[] = {"title", "keywords", "what", "who", "how", "when", NULL};
static const char *const signpost_keys[] = {"title", "keywords", "what", "phone", "url", NULL};

static int listed(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (!strcmp(*l, s))
            return 1;
    return 0;
}

static const char **slot(article *ar, const char *key)
{
    if (!strcmp(key, "title"))
        return &ar->title;
    if (!strcmp(key, "keywords"))
        return &ar->keywords;
    if (!strcmp(key, "what"))
        return &ar->what;
    if (!strcmp(key, "who"))
        return &ar->who;
    if (!strcmp(key, "how"))
        return &ar->how;
    if (!strcmp(key, "when"))
        return &ar->when;
    if (!strcmp(key, "phone"))
        return &ar->phone;
    if (!strcmp(key, "url"))
        return &ar->url;
    return NULL;
}

/* The finished block: everything required is there. */
static int check(article *ar, const char *file, char *err, size_t errlen)
{
    const char *missing = NULL;
    if (ar->kind == ARTICLE_SERVICE) {
        for (const char *const *k = service_keys; *k && !missing; k++)
            if (!*slot(ar, *k))
                missing = *k;
    } else {
        missing = !ar->title ? "title" : !ar->keywords ? "keywords" : !ar->what ? "what"
                : !ar->phone && !ar->url ? "phone or url" : NULL;
    }
    if (missing) {
        snprintf(err, errlen, "%s:%d: %s %s has no %s:", file, ar->line, article_kind_name(ar->kind), ar->slug,
                 missing);
        return -1;
    }
    return 0;
}

int kb_parse(const char *text, const char *file, const catalogue *cat, kb **out, char *err, size_t errlen)
{
    *out = NULL;
    kb *k = xcalloc(1, sizeof *k);
    k->a = arena_new();
    int cap = 64;
    k->items = xmalloc((size_t)cap * sizeof *k->items);
    article *cur = NULL;
    int line = 0;
    const char *p = text;
    while (*p) {
        line++;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *l = arena_strndup(k->a, p, len);
        p = eol ? eol + 1 : p + len;
        while (*l && isspace((unsigned char)l[strlen(l) - 1]))
            l[strlen(l) - 1] = '\0';
        if (!*l) { /* a blank line ends a block */
            if (cur && check(cur, file, err, errlen) != 0)
                goto fail;
            cur = NULL;
            continue;
        }
        if (l[0] == '#')
            continue;
        char *colon = strchr(l, ':');
        if (!colon || colon == l) {
            snprintf(err, errlen, "%s:%d: expected 'key: value'", file, line);
            goto fail;
        }
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (!strcmp(l, "article") || !strcmp(l, "signpost")) {
            if (cur) {
                snprintf(err, errlen, "%s:%d: a new block starts without a blank line before it", file, line);
                goto fail;
            }
            for (const char *c = v; *c; c++)
                if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-')) {
                    snprintf(err, errlen, "%s:%d: id '%s' may hold only a-z, 0-9 and -", file, line, v);
                    goto fail;
                }
            if (!*v || strlen(v) > 60) {
                snprintf(err, errlen, "%s:%d: an id is 1 to 60 characters", file, line);
                goto fail;
            }
            if (kb_find(k, v)) {
                snprintf(err, errlen, "%s:%d: %s is already described above", file, line, v);
                goto fail;
            }
            if (k->n == KB_MAX_ARTICLES) {
                snprintf(err, errlen, "%s:%d: more than %d articles", file, line, KB_MAX_ARTICLES);
                goto fail;
            }
            if (k->n == cap) {
                cap *= 2;
                k->items = xrealloc(k->items, (size_t)cap * sizeof *k->items);
            }
            cur = &k->items[k->n++];
            memset(cur, 0, sizeof *cur);
            cur->slug = v;
            cur->line = line;
            cur->kind = !strcmp(l, "article") ? ARTICLE_SERVICE : ARTICLE_SIGNPOST;
            if (cur->kind == ARTICLE_SERVICE) {
                cur->service = cat ? catalogue_find(cat, v) : NULL;
                if (!cur->service) {
                    snprintf(err, errlen, "%s:%d: article %s: no service has this id in services.txt", file, line, v);
                    goto fail;
                }
            } else if (cat && catalogue_find(cat, v)) {
                snprintf(err, errlen, "%s:%d: signpost %s has a service's id; use article:", file, line, v);
                goto fail;
            }
            continue;
        }
        if (!cur) {
            snprintf(err, errlen, "%s:%d: '%s:' comes before any article: or signpost: line", file, line, l);
            goto fail;
        }
        if (!listed(cur->kind == ARTICLE_SERVICE ? service_keys : signpost_keys, l)) {
            snprintf(err, errlen, "%s:%d: %s: unknown key '%s' for %s", file, line, cur->slug, l,
                     cur->kind == ARTICLE_SERVICE ? "an article (title keywords what who how when)"
                                                  : "a signpost (title keywords what phone url)");
            goto fail;
        }
        const char **s = slot(cur, l);
        if (*s) {
            snprintf(err, errlen, "%s:%d: %s: '%s:' given twice", file, line, cur->slug, l);
            goto fail;
        }
        if (!*v) {
            snprintf(err, errlen, "%s:%d: %s: '%s:' is empty", file, line, cur->slug, l);
            goto fail;
        }
        if (strlen(v) > 2000) {
            snprintf(err, errlen, "%s:%d: %s: '%s:' is longer than 2000 characters", file, line, cur->slug, l);
            goto fail;
        }
        *s = v;
    }
    if (cur && check(cur, file, err, errlen) != 0)
        goto fail;
    k->router = router_build(k);
    *out = k;
    return 0;
fail:
    kb_free(k);
    return -1;
}

void kb_free(kb *k)
{
    if (!k)
        return;
    router_free(k->router);
    free(k->items);
    arena_free(k->a);
    free(k);
}

const article *kb_find(const kb *k, const char *slug)
{
    for (int i = 0; k && i < k->n; i++)
        if (!strcmp(k->items[i].slug, slug))
            return &k->items[i];
    return NULL;
}

const char *article_kind_name(article_kind k)
{
    return k == ARTICLE_SERVICE ? "article" : "signpost";
}
