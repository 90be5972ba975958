/* kb: the knowledge base. One plain-English article per service (what it
 * is, who can get it, how, when) and signposts for what the council does
 * not do (the police, the water company, the gas emergency line ...), read
 * from catalogue/articles.txt (format in catalogue/README.md).
 * Pure: text in, articles out. The enquiry router (core/route_enquiry.h)
 * is built over them. */
#ifndef FD_KB_H
#define FD_KB_H
#include <stddef.h>

#include "base/arena.h"
#include "core/catalogue.h"

typedef enum { ARTICLE_SERVICE, ARTICLE_SIGNPOST } article_kind;

typedef struct {
    const char *slug;       /* the service's slug, or the signpost's id */
    article_kind kind;
    const char *title;      /* as a resident would say it */
    const char *keywords;   /* comma-separated words and phrases residents use */
    const char *what;       /* what it is (signpost: what to do instead) */
    const char *who;        /* who can get it (services only) */
    const char *how;        /* how to apply or report (services only) */
    const char *when;       /* how long it takes (services only) */
    const char *phone;      /* signposts: the number to call, or NULL */
    const char *url;        /* signposts: where to go online, or NULL */
    const service *service; /* ARTICLE_SERVICE: the catalogue entry */
    int line;               /* where its block starts in the file */
} article;

typedef struct kb {
    article *items;
    int n;
    arena *a;                  /* everything above lives here */
    struct router *router;     /* built by kb_parse over the articles */
} kb;

enum { KB_MAX_ARTICLES = 4000 };

/* Parses text (file names it in messages) into a new kb. Every article:
 * block must name a service in cat and have title, keywords, what, who,
 * how and when; every signpost: block title, keywords, what and a phone or
 * url. Returns 0, or -1 with "FILE:LINE: message" in err (*out NULL). */
int kb_parse(const char *text, const char *file, const catalogue *cat, kb **out, char *err, size_t errlen);
/* Releases what kb_parse made (NULL is fine). */
void kb_free(kb *k);
/* The article or signpost with this slug, or NULL. */
const article *kb_find(const kb *k, const char *slug);
/* "service" or "signpost". */
const char *article_kind_name(article_kind k);

#endif
