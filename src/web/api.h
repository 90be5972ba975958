/* api: the handlers named in the route table (routes.c). Each takes the
 * checked request and fills the response; see web/http.h. */
#ifndef FD_API_H
#define FD_API_H
#include "web/http.h"

/* api_records.c: people, properties, households. */
int api_list(req *q, resp *p);           /* GET collection: the route's entity, paged */
int api_create(req *q, resp *p);         /* POST collection: people, properties */
int api_get(req *q, resp *p);            /* GET item */
int api_patch(req *q, resp *p);          /* PATCH item (If-Match required) */
int api_person_get(req *q, resp *p);     /* GET a person with household and property */
int api_household_create(req *q, resp *p);
int api_household_get(req *q, resp *p);
int api_household_patch(req *q, resp *p);
int api_person_audit(req *q, resp *p);   /* GET a person's audit trail (DPO, admin) */

/* api_gdpr.c */
int api_consents_get(req *q, resp *p);    /* consent per purpose: current and history */
int api_consent_create(req *q, resp *p);  /* record consent given or withdrawn */
int api_person_export(req *q, resp *p);   /* subject access: everything held, JSON */
int page_person_export(req *q, resp *p);  /* the same, as a readable page */
int api_person_erase(req *q, resp *p);    /* erasure (DPO) */

/* api_services.c */
int api_services_list(req *q, resp *p);     /* the catalogue */
int api_service_get(req *q, resp *p);       /* one service by LGSL code */
int api_offers_get(req *q, resp *p);        /* what a person is probably entitled to, with reasons */
int api_enrolments_get(req *q, resp *p);    /* a person's enrolments, current and past */
int api_enrolments_create(req *q, resp *p); /* enrol in one service or several, all or none */
int api_missing_out(req *q, resp *p);       /* per service: eligible people who do not receive it */
int api_missing_out_csv(req *q, resp *p);   /* who, for one service, as CSV */

/* api_contacts.c */
int api_contact_create(req *q, resp *p);   /* log a contact on any channel */
int api_person_contacts(req *q, resp *p);  /* a person's contacts, oldest first, paged */

/* api_requests.c */
int api_request_create(req *q, resp *p);   /* a request with its promised date */
int api_request_get(req *q, resp *p);      /* one request with its timeline */
int api_request_update(req *q, resp *p);   /* a status change or a note */
int api_requests_list(req *q, resp *p);    /* a team's queue */
int api_person_requests(req *q, resp *p);  /* a person's requests */
int api_request_duplicates(req *q, resp *p); /* open requests for the same service close by */
int api_slip_warnings(req *q, resp *p);      /* tell residents whose requests will be late, now */
/* The create itself, from q->json, inside the caller's transaction (for
 * api_create_idempotent; Open311 makes its requests through it too). */
int api_request_create_in(req *q, resp *p, store_conn *c);

/* api_notify.c: the outbox, for staff */
int api_person_notifications(req *q, resp *p);  /* messages to one person */
int api_request_notifications(req *q, resp *p); /* messages about one request */
int api_notifications_list(req *q, resp *p);    /* the outbox, by status */

/* api_life_events.c: tell us once */
int api_life_event_create(req *q, resp *p);   /* report a life event (or preview it) and apply its playbook */
int api_life_event_get(req *q, resp *p);      /* one life event with its effects and tasks */
int api_person_life_events(req *q, resp *p);  /* the life events reported about a person, paged */
int api_life_event_reverse(req *q, resp *p);  /* undo a mistaken report */
int api_tasks_list(req *q, resp *p);          /* a team's tasks: open, claimed, done, overdue */
int api_task_claim(req *q, resp *p);          /* take a task */
int api_task_complete(req *q, resp *p);       /* mark a task done */

/* api_reports.c: management information, JSON or CSV */
int api_report_channels(req *q, resp *p);      /* contacts by channel, with the shift from a year before */
int api_report_cost(req *q, resp *p);          /* what contacts cost */
int api_report_avoidable(req *q, resp *p);     /* avoidable contacts and why */
int api_report_first_contact(req *q, resp *p); /* first-contact resolution */
int api_report_sla(req *q, resp *p);           /* requests done by their promised date */
int api_report_takeup(req *q, resp *p);        /* residents who came about one service and took up others */

/* api_appointments.c: appointments at a location instead of drop-in */
int api_appointment_slots(req *q, resp *p);   /* free and taken places, by slot */
int api_appointment_book(req *q, resp *p);    /* book one place in a slot */
int api_appointment_get(req *q, resp *p);     /* one appointment */
int api_appointment_move(req *q, resp *p);    /* to another slot */
int api_appointment_cancel(req *q, resp *p);  /* give the place up */
int api_person_appointments(req *q, resp *p); /* a person's appointments */

/* api_sources.c: the master record */
int api_source_records_create(req *q, resp *p); /* a batch of one system's records, each linked to a person */
int api_person_sources(req *q, resp *p);        /* a person's source records, with score and evidence */
int api_matches_review(req *q, resp *p);        /* open matches, with both people and the evidence */
int api_match_accept(req *q, resp *p);          /* the two are one: merge */
int api_match_reject(req *q, resp *p);          /* they are different people */
int api_person_merge(req *q, resp *p);          /* merge another person into this one */
int api_merge_unmerge(req *q, resp *p);         /* undo a merge exactly */

/* page_staff.c: staff pages (HTML) */
int page_sign_in(req *q, resp *p);
int page_sign_in_post(req *q, resp *p);
int page_sign_out(req *q, resp *p);
int page_staff_home(req *q, resp *p);
int page_person(req *q, resp *p);
int page_person_enrol(req *q, resp *p);

/* page_public.c: the public directory and the resident's account */
int page_services(req *q, resp *p);
int page_service(req *q, resp *p);
int page_account(req *q, resp *p);
int page_account_request(req *q, resp *p);

/* api_system.c */
int api_healthz(req *q, resp *p);
int api_metrics(req *q, resp *p);
int api_openapi(req *q, resp *p);

#endif
