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
