/* entities: the first nouns of the master record (design.md, Domain).
 *
 * person, property, household and household_member are declared as data in
 * entities.c; this header names them and the value lists they use. */
#ifndef FD_ENTITIES_H
#define FD_ENTITIES_H
#include "core/record.h"

extern const entity_def person_def;
extern const entity_def property_def;
extern const entity_def household_def;
extern const entity_def member_def; /* a person's membership of a household */
extern const entity_def enrolment_def; /* a person or household receiving a service; rows are history */
extern const entity_def request_def;        /* a case: what was asked, where, by when */
extern const entity_def request_update_def; /* a request's timeline: status changes and notes */
extern const entity_def contact_def;   /* one interaction on any channel */
extern const entity_def notification_def; /* the outbox: a message to a resident, queued in the change's transaction */
extern const entity_def appointment_def; /* a resident booked to be seen at a location (catalogue/locations.txt) */
extern const entity_def article_def;      /* the knowledge base, copied from catalogue/articles.txt */
extern const entity_def chat_def;         /* a resident's web chat with an agent */
extern const entity_def chat_message_def; /* one message of a chat */
extern const entity_def consent_def; /* consent given or withdrawn, per purpose; rows are history */
extern const entity_def life_event_def; /* a birth, death, move ... told once, with the effects applied */
extern const entity_def task_def;       /* work for a team, with a due date (from a life event's playbook) */
extern const entity_def source_record_def; /* a record from a departmental system, linked to a person */
extern const entity_def source_match_def;  /* a candidate match a person should decide */
extern const entity_def person_merge_def;  /* two people made one; reversible */
extern const entity_def match_model_def;   /* the linkage model last estimated (m, u, weights) */
extern const char *const source_status_choices[];
extern const char *const match_status_choices[];

/* Every entity the store keeps, NULL-terminated. */
extern const entity_def *const fd_entities[];

extern const char *const channel_choices[];
extern const char *const property_type_choices[];
extern const char *const tenure_choices[];
extern const char *const tax_band_choices[];
extern const char *const relationship_choices[];
extern const char *const consent_purpose_choices[];
extern const char *const contact_channel_choices[];
extern const char *const request_status_choices[];
extern const char *const notification_channel_choices[];
extern const char *const notification_status_choices[];
extern const char *const life_event_status_choices[];
extern const char *const task_status_choices[];
extern const char *const article_kind_choices[];
extern const char *const chat_status_choices[];
extern const char *const chat_sender_choices[];

/* 1 if membership m (a member_def record) is current on date (YYYY-MM-DD):
 * from_date <= date (or unset) and to_date >= date (or unset). */
int member_current(const record *m, const char *date);

/* 1 if enrolment e runs on date (YYYY-MM-DD). */
int enrolment_current(const record *e, const char *date);

/* 1 if a request may go from status `from` to `to`: received ->
 * in_progress | waiting | resolved | closed; in_progress -> waiting |
 * resolved | closed; waiting -> in_progress | resolved | closed; resolved ->
 * closed | in_progress (reopened); closed is final. */
int request_transition_ok(const char *from, const char *to);

#endif
