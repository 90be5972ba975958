/* catalogue: the council's services, read from catalogue/services.txt
 * (format in catalogue/README.md). Pure: text in, services out. */
#ifndef FD_CATALOGUE_H
#define FD_CATALOGUE_H
#include "base/arena.h"
#include "core/rules.h"

typedef struct {
    const char *slug, *name, *description, *department, *kind, *unit, *channels, *fields;
    int lgsl, promise_days, priority;
    long long cost_pence;
    const char *rule_src; /* the eligible: line, or NULL */
    rules_node *rule;     /* parsed, or NULL */
} service;

typedef struct {
    service *items;
    int n;
    arena *a; /* everything above lives here */
} catalogue;

/* Parses text (named file in messages) into out. Returns 0, or -1 with
 * "FILE:LINE:COLUMN: message" in err; out is then empty. */
int catalogue_parse(const char *text, const char *file, catalogue *out, char *err, size_t errlen);
/* Releases what catalogue_parse made. */
void catalogue_free(catalogue *c);
/* The service with this slug, or NULL. */
const service *catalogue_find(const catalogue *c, const char *slug);
/* The service with this LGSL code, or NULL. */
const service *catalogue_by_lgsl(const catalogue *c, int lgsl);

#endif
