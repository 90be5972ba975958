/* rules: the eligibility language of the service catalogue
 * (catalogue/README.md). Pure: a rule is parsed once into a tree; a
 * decision is the tree evaluated over facts about a person, their
 * household and their home, and comes with its reasons in plain English.
 * Nothing here allocates except from the arena it is given. */
#ifndef FD_RULES_H
#define FD_RULES_H
#include <stddef.h>

#include "base/arena.h"

typedef struct rules_node rules_node;

enum { RULES_MAX_MEMBERS = 64, RULES_MAX_REASONS = 16 };

/* What is known about one person, for deciding. Strings may be NULL
 * (unknown). The caller owns everything. */
typedef struct {
    int age;                     /* -1 if no date of birth */
    int disabled;                /* has recorded accessibility needs */
    int needs_digital_help;
    int member_ages[RULES_MAX_MEMBERS]; /* everyone living in the household now, -1 if unknown */
    int member_disabled[RULES_MAX_MEMBERS];
    int nmembers;                /* 0 if no household: then the person alone */
    int has_property;
    const char *property_type, *tenure, *council_tax_band;
    int floor, floor_known, has_garden;
    const char *const *receives; /* slugs of services anyone in the household receives now */
    int nreceives;
    int interned;                /* 1 if receives[] and the rules' slugs are the catalogue's own
                                    pointers (rules_intern): compared by address */
    /* The name of a service for wording ("Housing Benefit"); may be NULL. */
    const char *(*service_name)(const char *slug, const void *ctx);
    const void *ctx;
} rules_facts;

/* Parses src into a rule (from a). known(slug, ctx), if not NULL, says
 * whether receives("slug") names a real service. Returns NULL on error,
 * with a message in err and the 1-based line and column of the problem in
 * *line and *col (relative to src). */
rules_node *rules_parse(const char *src, int (*known)(const char *slug, void *ctx), void *ctx, arena *a,
                        char *err, size_t errlen, int *line, int *col);

/* Evaluates rule r over f. Returns 1 if it holds, 0 if not. The reasons
 * that decided it (at most RULES_MAX_REASONS, no repeats, from a) go to
 * reasons[*n]. */
int rules_eval(const rules_node *r, const rules_facts *f, arena *a, const char **reasons, int *n);
/* Replaces each receives("slug") string in r by canon(slug, ctx) (the
 * catalogue's own pointer), so facts with interned set compare addresses. */
void rules_intern(rules_node *r, const char *(*canon)(const char *slug, void *ctx), void *ctx);
/* The same decision without the reasons: allocates nothing (bulk work). */
int rules_holds(const rules_node *r, const rules_facts *f);

#endif
