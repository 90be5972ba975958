/* catalogue: the council's services, read from catalogue/services.txt
 * (format in catalogue/README.md). Pure: text in, services out. */
#ifndef FD_CATALOGUE_H
#define FD_CATALOGUE_H
#include "base/arena.h"
#include "core/locations.h"
#include "core/rules.h"
#include "core/workdays.h"

typedef struct {
    const char *slug, *name, *description, *department, *kind, *unit, *channels, *fields;
    int lgsl, promise_days, priority;
    long long cost_pence;
    const char *rule_src; /* the eligible: line, or NULL */
    rules_node *rule;     /* parsed, or NULL */
} service;

enum { CATALOGUE_CHANNELS = 16 };

typedef struct {
    service *items;
    int n;
    arena *a; /* everything above lives here */
    /* What a contact costs, in pence, by channel (index into
     * contact_channel_choices); -1 where not known. */
    long long channel_cost[CATALOGUE_CHANNELS];
    holidays bank_holidays; /* for promised dates (bank_holidays.txt) */
    struct playbooks *life; /* life-event playbooks (life_events.txt, core/lifeevent.h), in a; NULL if none */
    location_set locations; /* where appointments are booked (locations.txt; may be empty) */
    struct kb *kb;          /* articles and signposts (articles.txt, core/kb.h), or NULL */
} catalogue;

/* Parses text (named file in messages) into out. Returns 0, or -1 with
 * "FILE:LINE:COLUMN: message" in err; out is then empty. */
int catalogue_parse(const char *text, const char *file, catalogue *out, char *err, size_t errlen);
/* Reads contact costs ("CHANNEL PENCE" lines, '#' comments) into c.
 * channels names the channels in order (NULL-terminated). 0, or -1 with
 * "FILE:LINE:COLUMN: message" in err. */
int catalogue_parse_costs(catalogue *c, const char *text, const char *file, const char *const *channels, char *err,
                          size_t errlen);
/* Releases what catalogue_parse made, and the kb if one was set. */
void catalogue_free(catalogue *c);
/* The service with this slug, or NULL. */
const service *catalogue_find(const catalogue *c, const char *slug);
/* The service with this LGSL code, or NULL. */
const service *catalogue_by_lgsl(const catalogue *c, int lgsl);

#endif
