/* api_kb: the knowledge base over HTTP (api_kb.c), its pages
 * (page_kb.c) and web chat (api_chat.c). Handlers named in routes.c. */
#ifndef FD_API_KB_H
#define FD_API_KB_H
#include "core/kb.h"
#include "web/http.h"

/* A request is raised from an enquiry only at this confidence or more. */
#define ENQUIRY_RAISE_CONFIDENCE 0.8

/* Copies the articles into every council's articles table (search runs
 * there), replacing what was there, one transaction per council. 0, or -1
 * having logged why (serving goes on: the router works from memory). */
int kb_sync(store *s, const kb *k);
/* An article as JSON: slug, kind, title, what, and page and form links
 * (service) or phone and url (signpost); full adds keywords, who, how,
 * when and the service. Caller owns it. */
json_t *kb_article_json(const article *ar, int full);

/* api_kb.c */
int api_articles_list(req *q, resp *p);  /* GET /api/v1/articles?q= */
int api_article_get(req *q, resp *p);    /* GET /api/v1/articles/{slug} */
int api_enquiry_create(req *q, resp *p); /* POST /api/v1/enquiries */

/* page_kb.c */
int page_search(req *q, resp *p); /* GET /search?q= */

#endif
