/* lifeevent: the life-event playbooks, read from catalogue/life_events.txt
 * (format in catalogue/README.md). Pure: text and the service catalogue in,
 * playbooks out; the web layer (web/api_life_events.c) applies them.
 *
 * A playbook says, for one kind of event (a death, a birth, a move ...),
 * what to record about the person, how their household changes, which
 * services end, change, carry over, start or are re-checked, which are
 * offered and to whom, which team gets a task due in how many working
 * days, and what the household is told. */
#ifndef FD_LIFEEVENT_H
#define FD_LIFEEVENT_H
#include <stddef.h>

#include "core/catalogue.h"

/* What a service line does. */
typedef enum {
    LE_END,    /* stop it: the subject's (person service) or, if the subject applied for it, their household's */
    LE_CHANGE, /* a household service the subject applied for passes to another adult of the household */
    LE_CARRY,  /* a whole household moving: it moves to the new home if its rule still holds there */
    LE_REVIEW, /* re-check its rule for the household after the event; stop it if it no longer holds */
    LE_START,  /* start it for the subject (person) or their household (household) */
    LE_OFFER   /* offer it: a rule decides (with reasons); a one-off request is always offered */
} lifeevent_verb;

/* Groups a service line may name instead of one service. */
typedef enum {
    LG_ONE = 0,         /* one service (slug) */
    LG_PERSON_SERVICES, /* "all-person-services": every person service the subject receives */
    LG_BILLED,          /* "billed": every service the subject applied for that costs money */
    LG_HOUSEHOLD,       /* "household-services": every household service the household receives */
    LG_ALL              /* "all": every service with a rule (offers only) */
} lifeevent_group;

/* To whom an offer or a message goes. */
typedef enum {
    LT_SUBJECT,  /* the person the event happened to (never a person who died) */
    LT_HOUSEHOLD, /* the adults living with the subject after the event (for a move: in the new home) */
    LT_LEFT       /* the adults still living in the household the subject left (death, moving out or away) */
} lifeevent_target;

/* How the household changes. */
typedef enum {
    LH_NONE,
    LH_LEAVE,        /* the subject (or, with details.whole_household, everyone) leaves it */
    LH_JOIN,         /* arriving: a new household at details.property_id, or joining details.household_id */
    LH_MOVE,         /* to details.property_id: the whole household, or (whole_household false) the subject alone */
    LH_ADD_CHILD,    /* a birth: the child (details.child or details.child_id) joins the subject's household */
    LH_PARTNER_JOINS /* a marriage or civil partnership: details.partner_id joins the subject's household */
} lifeevent_household;

typedef struct {
    lifeevent_verb verb;
    lifeevent_group group;
    lifeevent_target target; /* LE_OFFER only */
    const service *s;        /* LG_ONE: the service */
    int line;
} lifeevent_effect;

typedef struct {
    const char *team; /* a department */
    int days;         /* due this many working days after the report */
    const char *title;
} lifeevent_task;

typedef struct {
    lifeevent_target target;
    const char *subject, *body;
} lifeevent_notice;

typedef struct {
    const char *type;        /* "death": the id, as the API names it */
    const char *name;        /* "A death" */
    const char *description; /* may be NULL */
    const char *record;      /* NULL, "date_of_death" or "accessibility_needs" */
    lifeevent_household household;
    int age;                 /* -1, or the age the subject must be on the event date */
    lifeevent_effect *effects;
    int neffects;
    lifeevent_task *tasks;
    int ntasks;
    lifeevent_notice *notices;
    int nnotices;
    int line;                /* where its block starts */
} playbook;

struct playbooks {
    playbook *items;
    int n;
};
typedef struct playbooks playbooks;

/* Parses text (named file in messages) into out, checking every service
 * against cat (which must outlive out) and every team against the
 * departments cat's services belong to. Memory comes from a. Returns 0, or
 * -1 with "FILE:LINE:COLUMN: message" in err; out is then empty. */
int lifeevent_parse(const char *text, const char *file, const catalogue *cat, arena *a, playbooks *out, char *err,
                    size_t errlen);
/* The playbook for type, or NULL. */
const playbook *lifeevent_find(const playbooks *p, const char *type);
/* "all-person-services", "billed" ... or the service's slug. */
const char *lifeevent_target_name(const lifeevent_effect *e);

/* Writes the date `days` calendar days after date (days may be negative)
 * to out. 0, or -1 if date is not a date. */
int lifeevent_add_days(const char *date, int days, char out[11]);
/* Whole years from dob to date (both YYYY-MM-DD); -1 if either is not a
 * date or date is before dob. */
int lifeevent_age_on(const char *dob, const char *date);

#endif
