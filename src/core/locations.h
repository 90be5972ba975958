/* locations: where residents book to see someone (catalogue/locations.txt,
 * format in catalogue/README.md): opening hours by weekday, and for each
 * service seen there, the slot length and how many can be seen at once.
 * Pure: text in, locations out; slots from hours, dates and bank holidays. */
#ifndef FD_LOCATIONS_H
#define FD_LOCATIONS_H
#include <stddef.h>

#include "core/workdays.h"

typedef struct {
    const char *service; /* a catalogue slug */
    int minutes;         /* slot length, 5 to 480 */
    int capacity;        /* residents seen at once, 1 to 50 */
} location_service;

typedef struct {
    const char *slug, *name, *address;
    int open[7], close[7]; /* minutes after midnight, by weekday (0 Sunday); open -1: closed */
    location_service *services;
    int nservices;
    int line; /* where its block starts */
} site;

typedef struct {
    site *items;
    int n;
    void *mem; /* everything above lives here; freed by locations_free */
} location_set;

/* Parses text (named file in messages) into out. known(slug, ctx) says if a
 * service exists (NULL: any). 0, or -1 with "FILE:LINE:1: message" in err
 * and out empty. */
int locations_parse(const char *text, const char *file, int (*known)(const char *slug, void *ctx), void *ctx,
                    location_set *out, char *err, size_t errlen);
void locations_free(location_set *s);
const site *locations_find(const location_set *s, const char *slug);
/* The slot settings for service at l, or NULL if l does not see it. */
const location_service *location_service_find(const site *l, const char *service);

/* Is start ("YYYY-MM-DDTHH:MM", local time at the location) the start of
 * one of ls's slots at l: a working day (h: bank holidays) on which l is
 * open, on the slot grid counted from opening, ending by closing? NULL if
 * so, else why not (a static string). */
const char *location_slot_problem(const site *l, const location_service *ls, const holidays *h,
                                  const char *start);
/* Calls fn(start, end, ctx) for every slot of ls at l from day from to day
 * to (YYYY-MM-DD, inclusive), in time order; start and end are
 * "YYYY-MM-DDTHH:MM". Stops early if fn returns non-zero. */
void location_slots(const site *l, const location_service *ls, const holidays *h, const char *from,
                    const char *to, int (*fn)(const char *start, const char *end, void *ctx), void *ctx);
/* end of the slot that starts at start ("YYYY-MM-DDTHH:MM") into out. */
void location_slot_end(const location_service *ls, const char *start, char out[17]);

#endif
