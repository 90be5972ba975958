/* routes.c: the route table, the matcher, and the API document made from them. */
#include "web/routes.h"

#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/entities.h"
#include "web/auth.h"
#include "web/api.h"
#include "web/open311.h"
#include "web/api_chat.h"
#include "web/api_kb.h"
#include "web/pages.h"

static const query_def offers_query[] = {
    {.name = "explain", .max = 5, .doc = "true: also list the services not offered, with the reasons"},
    {.name = NULL},
};

static const query_def queue_query[] = {
    {.name = "limit", .min = 1, .max = 1000, .is_int = 1, .doc = "most items in one page (default 50)"},
    {.name = "cursor", .max = 32, .doc = "next_cursor from the previous page"},
    {.name = "team", .max = 40, .doc = "only this team's queue (a department)"},
    {.name = "status", .max = 20, .doc = "only requests in this status"},
    {.name = "overdue", .max = 5, .doc = "true: only those past their promised date"},
    {.name = NULL},
};

static const query_def view_query[] = {
    {.name = "enrolled", .max = 4, .doc = "how many services were just enrolled (for the banner)"},
    {.name = "error", .max = 300, .doc = "what went wrong with the last form"},
    {.name = "ask", .max = 200, .doc = "what the caller is asking about: shows the matching article as prompts"},
    {.name = "done", .max = 300, .doc = "what the last form did (for the banner)"},
    {.name = NULL},
};

static const query_def account_query[] = {
    {.name = "reported", .max = 10, .doc = "the promised date of the report just made (for the panel)"},
    {.name = "service", .max = 60, .doc = "the service to report, chosen on its page"},
    {.name = "error", .max = 300, .doc = "what went wrong with the last form"},
    {.name = "done", .max = 300, .doc = "what the last form did (for the banner)"},
    {.name = NULL},
};

static const query_def search_query[] = {
    {.name = "q", .max = 200, .doc = "names, a date of birth, a phone number or an email"},
    {.name = NULL},
};

static const query_def people_query[] = {
    {.name = "limit", .min = 1, .max = 1000, .is_int = 1, .doc = "most items in one page (default 50; a search 20)"},
    {.name = "cursor", .max = 32, .doc = "next_cursor from the previous page"},
    {.name = "q", .max = 200,
     .doc = "search: names (typos tolerated), date of birth, phone or email, ranked best first (default the best 20)"},
    {.name = NULL},
};

static const query_def list_query[] = {
    {.name = "limit", .min = 1, .max = 1000, .is_int = 1, .doc = "most items in one page (default 50)"},
    {.name = "cursor", .max = 32, .doc = "next_cursor from the previous page"},
    {.name = NULL},
};

static const query_def life_event_query[] = {
    {.name = "preview", .max = 5, .doc = "true: show exactly what would happen, and change nothing"},
    {.name = NULL},
};

static const query_def task_query[] = {
    {.name = "limit", .min = 1, .max = 1000, .is_int = 1, .doc = "most items in one page (default 50)"},
    {.name = "cursor", .max = 32, .doc = "next_cursor from the previous page"},
    {.name = "team", .max = 40, .doc = "only this team's tasks (a department)"},
    {.name = "status", .max = 20, .doc = "only tasks in this status: open, claimed, done, cancelled"},
    {.name = "overdue", .max = 5, .doc = "true: only those past their due date and not done"},
    {.name = NULL},
};

#define TASK_WORKERS (R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN))
static const query_def outbox_query[] = {
    {.name = "limit", .min = 1, .max = 1000, .is_int = 1, .doc = "most items in one page (default 50)"},
    {.name = "cursor", .max = 32, .doc = "next_cursor from the previous page"},
    {.name = "status", .max = 20, .doc = "only messages in this status: queued, sent or failed"},
    {.name = NULL},
};

static const query_def duplicates_query[] = {
    {.name = "service", .max = 60, .doc = "the service to report (catalogue id)"},
    {.name = "uprn", .max = 12, .doc = "where: the property's UPRN"},
    {.name = "latitude", .max = 12, .doc = "where: WGS84 latitude (with longitude)"},
    {.name = "longitude", .max = 12, .doc = "where: WGS84 longitude (with latitude)"},
    {.name = NULL},
};

static const query_def o311_query[] = {
    {.name = "jurisdiction_id", .max = 100, .doc = "Open311: the jurisdiction (ignored unless the server has one)"},
    {.name = "api_key", .max = 200, .doc = "Open311: the client's key (not needed to read)"},
    {.name = NULL},
};

static const query_def o311_requests_query[] = {
    {.name = "jurisdiction_id", .max = 100, .doc = "Open311: the jurisdiction (ignored unless the server has one)"},
    {.name = "api_key", .max = 200, .doc = "Open311: the client's key (not needed to read)"},
    {.name = "service_request_id", .max = 16000, .doc = "comma list of ids; overrides every other filter"},
    {.name = "service_code", .max = 4000, .doc = "comma list of service codes (default all)"},
    {.name = "start_date", .max = 40, .doc = "W3C datetime: requested from (default 90 days before end_date)"},
    {.name = "end_date", .max = 40, .doc = "W3C datetime: requested until (default now; at most 90 days after start)"},
    {.name = "status", .max = 20, .doc = "open, closed, or open,closed (default all)"},
    {.name = NULL},
};

static const query_def o311_updates_query[] = {
    {.name = "jurisdiction_id", .max = 100, .doc = "Open311: the jurisdiction (ignored unless the server has one)"},
    {.name = "api_key", .max = 200, .doc = "Open311: the client's key (checked if given)"},
    {.name = "start_date", .max = 40, .doc = "W3C datetime: updates from (default a day before end_date)"},
    {.name = "end_date", .max = 40, .doc = "W3C datetime: updates until (default now)"},
    {.name = NULL},
};

static const query_def report_query[] = {
    {.name = "from", .max = 10, .doc = "first day, YYYY-MM-DD (default: a year before to)"},
    {.name = "to", .max = 10, .doc = "last day, YYYY-MM-DD (default: today)"},
    {.name = "by", .max = 12, .doc = "one row per month (default), channel, service or department"},
    {.name = "format", .max = 4, .doc = "json (default) or csv; Accept: text/csv also gives CSV"},
    {.name = "source", .max = 6,
     .doc = "rollup (default) or raw, counting the contacts, requests and enrolments themselves (slow; for checking)"},
    {.name = NULL},
};

static const query_def dashboard_query[] = {
    {.name = "from", .max = 10, .doc = "first day, YYYY-MM-DD (default: a year before to)"},
    {.name = "to", .max = 10, .doc = "last day, YYYY-MM-DD (default: today)"},
    {.name = "by", .max = 12, .doc = "one row per month (default), channel, service or department"},
    {.name = NULL},
};

static const query_def pick_slot_query[] = {
    {.name = "service", .max = 60, .doc = "the service to be seen about"},
    {.name = "from", .max = 10, .doc = "first day of the times shown, YYYY-MM-DD (default: today)"},
    {.name = "error", .max = 300, .doc = "what went wrong with the last form"},
    {.name = NULL},
};

static const query_def account_appointments_query[] = {
    {.name = "service", .max = 60, .doc = "the service to be seen about"},
    {.name = "from", .max = 10, .doc = "first day of the times shown, YYYY-MM-DD (default: today)"},
    {.name = "error", .max = 300, .doc = "what went wrong with the last form"},
    {.name = "done", .max = 300, .doc = "what the last form did (for the banner)"},
    {.name = NULL},
};

static const query_def review_page_query[] = {
    {.name = "done", .max = 300, .doc = "what the last form did (for the banner)"},
    {.name = "error", .max = 300, .doc = "what went wrong with the last form"},
    {.name = NULL},
};

static const query_def team_queue_query[] = {
    {.name = "team", .max = 40, .doc = "the team (a department; default: the user's own)"},
    {.name = "done", .max = 300, .doc = "what the last form did (for the banner)"},
    {.name = "error", .max = 300, .doc = "what went wrong with the last form"},
    {.name = NULL},
};

static const query_def verify_query[] = {
    {.name = "token", .max = 64, .doc = "the token from the emailed link"},
    {.name = NULL},
};

static const query_def slots_query[] = {
    {.name = "service", .max = 60, .doc = "the service to be seen about (required)"},
    {.name = "location", .max = 60, .doc = "one location (default: every location that sees the service)"},
    {.name = "from", .max = 10, .doc = "first day, YYYY-MM-DD (default: today)"},
    {.name = "to", .max = 10, .doc = "last day, YYYY-MM-DD (default: 13 days after from; at most 91)"},
    {.name = NULL},
};

static const query_def articles_query[] = {
    {.name = "q", .max = 200, .doc = "words to search for (typos tolerated), best first, with the routed suggestion"},
    {.name = NULL},
};

static const query_def events_query[] = {
    {.name = "after", .max = 20, .doc = "send messages after this id (as Last-Event-ID does)"},
    {.name = NULL},
};

static const query_def chats_query[] = {
    {.name = "status", .max = 10, .doc = "waiting, active or closed (default: waiting and active)"},
    {.name = NULL},
};

static const query_def chat_page_query[] = {
    {.name = "error", .max = 300, .doc = "what went wrong with the last form"},
    {.name = NULL},
};

#define PUBLIC 0u
#define REPORT_READERS (R(ROLE_MANAGER) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN))
#define ANY_SIGNED_IN (STAFF_READERS | R(ROLE_MANAGER) | R(ROLE_RESIDENT))

/* Every route. Order matters only for documentation. */
const route fd_routes[] = {
    {"GET", "/healthz", api_healthz, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL, "Liveness and database check"},
    {"GET", "/metrics", api_metrics, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL, "Prometheus metrics (no personal data)"},
    {"GET", "/api/v1/openapi.json", api_openapi, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL, "This API, as OpenAPI 3.1"},

    {"POST", "/api/v1/sessions", api_session_create, PUBLIC, OWN_NONE, 0, NULL, BODY_JSON, NULL,
     "Sign in with email and password; sets the session cookie"},
    {"GET", "/api/v1/sessions/current", api_session_get, ANY_SIGNED_IN, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "Who is signed in, with the CSRF token"},
    {"DELETE", "/api/v1/sessions/current", api_session_delete, ANY_SIGNED_IN, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "Sign out"},
    {"DELETE", "/api/v1/sessions", api_sessions_delete_all, ANY_SIGNED_IN, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "Sign out everywhere: end every session of this user"},

    {"GET", "/api/v1/people", api_list, STAFF_READERS, OWN_NONE, 1, people_query, BODY_NONE, &person_def,
     "List people, paged; or search them with q"},
    {"POST", "/api/v1/people", api_create, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON, &person_def,
     "Create a person (honours Idempotency-Key)"},
    {"GET", "/api/v1/people/{id}", api_person_get, STAFF_READERS | R(ROLE_RESIDENT), OWN_PERSON, 1, NULL, BODY_NONE,
     &person_def, "A person, with their current household and property"},
    {"PATCH", "/api/v1/people/{id}", api_patch, STAFF_WRITERS | R(ROLE_RESIDENT), OWN_PERSON, 1, NULL, BODY_JSON,
     &person_def, "Change some fields (If-Match required)"},
    {"GET", "/api/v1/people/{id}/audit", api_person_audit, R(ROLE_DPO) | R(ROLE_ADMIN), OWN_NONE, 1, list_query,
     BODY_NONE, &audit_def, "Every look at and change of this person's data, oldest first"},

    {"GET", "/api/v1/people/{id}/consents", api_consents_get, STAFF_READERS | R(ROLE_RESIDENT), OWN_SELF, 1, NULL,
     BODY_NONE, &consent_def, "Consent per purpose: the current answer and its history"},
    {"POST", "/api/v1/people/{id}/consents", api_consent_create, STAFF_WRITERS | R(ROLE_RESIDENT), OWN_SELF, 1, NULL,
     BODY_JSON, &consent_def, "Record consent given or withdrawn for one purpose"},
    {"GET", "/staff/sign-in", page_sign_in, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL, "Staff sign-in page"},
    {"POST", "/staff/sign-in", page_sign_in_post, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM, NULL,
     "Staff sign-in form; sets the session cookie"},
    {"POST", "/staff/sign-out", page_sign_out, ANY_SIGNED_IN, OWN_NONE, 0, NULL, BODY_FORM, NULL, "Sign out"},
    {"GET", "/staff", page_staff_home, STAFF_READERS, OWN_NONE, 1, search_query, BODY_NONE, &person_def,
     "Find a resident"},
    {"GET", "/staff/people/{id}", page_person, STAFF_READERS, OWN_NONE, 1, view_query, BODY_NONE, &person_def,
     "The single view of one resident"},
    {"POST", "/staff/people/{id}/enrol", page_person_enrol, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_FORM,
     &enrolment_def, "Enrol in the ticked offers, all at once"},
    {"GET", "/services", page_services, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL, "The council's services"},
    {"GET", "/services/{slug}", page_service, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "One service: what it is, how long, cost, how to apply"},
    {"GET", "/account", page_account, R(ROLE_RESIDENT), OWN_NONE, 1, account_query, BODY_NONE, &person_def,
     "A resident's account: their requests and services, and reporting a problem"},
    {"POST", "/account/requests", page_account_request, R(ROLE_RESIDENT), OWN_NONE, 1, NULL, BODY_FORM,
     &request_def, "A resident reports a problem"},
    {"GET", "/api/v1/people/{id}/export", api_person_export, R(ROLE_DPO) | R(ROLE_RESIDENT), OWN_SELF, 1, NULL,
     BODY_NONE, &person_def, "Subject access: everything held about this person, as JSON"},
    {"GET", "/staff/people/{id}/export", page_person_export, R(ROLE_DPO) | R(ROLE_RESIDENT), OWN_SELF, 1, NULL,
     BODY_NONE, &person_def, "Subject access: the same, as a readable page"},
    {"POST", "/api/v1/people/{id}/erase", api_person_erase, R(ROLE_DPO), OWN_NONE, 1, NULL, BODY_JSON, &person_def,
     "Erase a person's data (keeps the id for the audit trail)"},

    {"GET", "/api/v1/people/{id}/enrolments", api_enrolments_get, STAFF_READERS | R(ROLE_RESIDENT), OWN_PERSON, 1,
     NULL, BODY_NONE, &enrolment_def, "Services the person receives or received, with dates"},
    {"POST", "/api/v1/people/{id}/enrolments", api_enrolments_create, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON,
     &enrolment_def, "Enrol in a service, or in a list of them ({enrolments: [...]}) all or none"},
    {"PATCH", "/api/v1/enrolments/{id}", api_patch, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON, &enrolment_def,
     "Change an enrolment's dates, e.g. end it (If-Match required)"},
    {"GET", "/api/v1/people/{id}/offers", api_offers_get, STAFF_READERS | R(ROLE_RESIDENT), OWN_PERSON, 1,
     offers_query, BODY_NONE, &person_def, "Services the person is probably entitled to and does not receive, with reasons"},
    {"GET", "/api/v1/services", api_services_list, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "The council's services"},
    {"GET", "/api/v1/services/{id}", api_service_get, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "One service, by its LGSL code"},

    {"POST", "/api/v1/requests", api_request_create, STAFF_WRITERS | R(ROLE_RESIDENT), OWN_NONE, 1, NULL, BODY_JSON,
     &request_def, "Make a request; it gets its promised date (honours Idempotency-Key)"},
    {"GET", "/api/v1/requests", api_requests_list, STAFF_READERS, OWN_NONE, 1, queue_query, BODY_NONE, &request_def,
     "A queue: requests by team, status, overdue"},
    {"GET", "/api/v1/requests/{id}", api_request_get, STAFF_READERS | R(ROLE_RESIDENT), OWN_REQUEST, 1, NULL,
     BODY_NONE, &request_def, "A request with its timeline (a resident sees the public part)"},
    {"POST", "/api/v1/requests/{id}/updates", api_request_update, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON,
     &request_update_def, "Change the status (with the workflow) or add a public or internal note"},
    {"GET", "/api/v1/people/{id}/requests", api_person_requests, STAFF_READERS | R(ROLE_RESIDENT), OWN_SELF, 1,
     list_query, BODY_NONE, &request_def, "A person's requests with their promised dates"},
    {"POST", "/api/v1/contacts", api_contact_create, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON, &contact_def,
     "Log a contact on any channel (honours Idempotency-Key)"},
    {"GET", "/api/v1/people/{id}/contacts", api_person_contacts, STAFF_READERS | R(ROLE_RESIDENT), OWN_SELF, 1,
     list_query, BODY_NONE, &contact_def, "A person's contacts on every channel, paged"},
    {"GET", "/api/v1/reports/missing-out", api_missing_out, R(ROLE_MANAGER) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN),
     OWN_NONE, 0, NULL, BODY_NONE, NULL, "Per service: how many eligible people and households do not receive it"},
    {"GET", "/api/v1/reports/missing-out/{id}", api_missing_out_csv,
     R(ROLE_TEAM_LEADER) | R(ROLE_BACK_OFFICE) | R(ROLE_ADMIN), OWN_NONE, 1, NULL, BODY_NONE, NULL,
     "Who is missing out on one service (by LGSL code), as CSV for a take-up campaign"},
    {"GET", "/api/v1/reports/channels", api_report_channels, REPORT_READERS, OWN_NONE, 0, report_query, BODY_NONE,
     NULL, "Contacts by channel, each channel's share and its shift from the same dates a year before"},
    {"GET", "/api/v1/reports/cost", api_report_cost, REPORT_READERS, OWN_NONE, 0, report_query, BODY_NONE, NULL,
     "What contacts cost (catalogue/contact_costs.tsv), in total and per contact"},
    {"GET", "/api/v1/reports/avoidable", api_report_avoidable, REPORT_READERS, OWN_NONE, 0, report_query, BODY_NONE,
     NULL, "Avoidable contacts, by reason, and the avoidable-contact rate"},
    {"GET", "/api/v1/reports/first-contact", api_report_first_contact, REPORT_READERS, OWN_NONE, 0, report_query,
     BODY_NONE, NULL, "First-contact resolution rate"},
    {"GET", "/api/v1/reports/sla", api_report_sla, REPORT_READERS, OWN_NONE, 0, report_query, BODY_NONE, NULL,
     "Requests due in the range: resolved by their promised date, late, and open past it"},
    {"GET", "/api/v1/reports/take-up", api_report_takeup, REPORT_READERS, OWN_NONE, 0, report_query, BODY_NONE, NULL,
     "Residents who came about one service and then took up two or more others"},
    {"POST", "/staff/people/{id}/contacts", page_person_contact, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_FORM,
     &contact_def, "Log a contact and its outcome (form)"},
    {"GET", "/staff/people/{id}/life-events/new", page_life_event_new, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_NONE,
     &person_def, "Report a life event: the form"},
    {"POST", "/staff/people/{id}/life-events/preview", page_life_event_preview, STAFF_WRITERS, OWN_NONE, 1, NULL,
     BODY_FORM, &life_event_def, "Report a life event: everything it would change, changing nothing (form)"},
    {"POST", "/staff/people/{id}/life-events", page_life_event_apply, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_FORM,
     &life_event_def, "Report a life event: confirm and apply it (form)"},
    {"GET", "/staff/people/{id}/appointments/new", page_appointment_new, STAFF_WRITERS, OWN_NONE, 1, pick_slot_query,
     BODY_NONE, &person_def, "Book an appointment: choose the service and a free time"},
    {"POST", "/staff/people/{id}/appointments", page_appointment_book, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_FORM,
     &appointment_def, "Book an appointment (form)"},
    {"GET", "/staff/queue", page_queue, STAFF_READERS, OWN_NONE, 1, team_queue_query, BODY_NONE, &task_def,
     "A team's queue: its open tasks (claim, mark done) and its requests"},
    {"POST", "/staff/tasks/{id}/claim", page_task_claim, TASK_WORKERS, OWN_NONE, 1, NULL, BODY_FORM, &task_def,
     "Claim a task (form)"},
    {"POST", "/staff/tasks/{id}/complete", page_task_complete, TASK_WORKERS, OWN_NONE, 1, NULL, BODY_FORM, &task_def,
     "Mark a task done (form)"},
    {"GET", "/staff/review", page_review, R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN), OWN_NONE, 1,
     review_page_query, BODY_NONE, &source_match_def,
     "The review queue: uncertain matches with both people and the evidence; merge or keep apart"},
    {"POST", "/staff/review/{id}/accept", page_review_accept, R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN),
     OWN_NONE, 1, NULL, BODY_FORM, &source_match_def, "Same person: merge (form)"},
    {"POST", "/staff/review/{id}/reject", page_review_reject, R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN),
     OWN_NONE, 1, NULL, BODY_FORM, &source_match_def, "Different people (form)"},
    {"GET", "/staff/search.js", page_search_js, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "Find a resident: results as you type when JavaScript runs"},
    {"GET", "/account/appointments", page_account_appointments, R(ROLE_RESIDENT), OWN_NONE, 1,
     account_appointments_query, BODY_NONE, &appointment_def,
     "A resident's appointments: cancel one, or choose a service and a free time to book"},
    {"POST", "/account/appointments", page_account_appointment_book, R(ROLE_RESIDENT), OWN_NONE, 1, NULL, BODY_FORM,
     &appointment_def, "A resident books an appointment for themselves (form)"},
    {"POST", "/account/appointments/{id}/cancel", page_account_appointment_cancel, R(ROLE_RESIDENT), OWN_NONE, 1, NULL,
     BODY_FORM, &appointment_def, "A resident cancels their own appointment (form)"},
    {"GET", "/account/life-events/new", page_life_event_new, R(ROLE_RESIDENT), OWN_NONE, 1, NULL, BODY_NONE,
     &person_def, "A resident reports a life event in their household: the form"},
    {"POST", "/account/life-events/preview", page_life_event_preview, R(ROLE_RESIDENT), OWN_NONE, 1, NULL, BODY_FORM,
     &life_event_def, "A resident's life event: everything it would change, changing nothing (form)"},
    {"POST", "/account/life-events", page_life_event_apply, R(ROLE_RESIDENT), OWN_NONE, 1, NULL, BODY_FORM,
     &life_event_def, "A resident's life event: confirm and apply it (form)"},
    {"GET", "/account/apply", page_apply_list, R(ROLE_RESIDENT), OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "Services a resident can apply for online"},
    {"GET", "/account/apply/{slug}", page_apply, R(ROLE_RESIDENT), OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "A service's e-form, from its fields in the catalogue"},
    {"POST", "/account/apply/{slug}", page_apply_post, R(ROLE_RESIDENT), OWN_NONE, 1, NULL, BODY_FORM, &request_def,
     "Apply through the e-form (form): a request with the answers and its promised date"},
    {"GET", "/account/sign-up", page_signup, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "Create an account: email, password, and what finds your record"},
    {"POST", "/account/sign-up", page_signup_post, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM, NULL,
     "Create an account (form): emails a link to confirm the address; the same answer whether or not the email has "
     "an account"},
    {"GET", "/account/verify", page_verify, PUBLIC, OWN_NONE, 0, verify_query, BODY_NONE, NULL,
     "The emailed link: a button to confirm the address"},
    {"POST", "/account/verify", page_verify_post, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM, NULL,
     "Confirm the address (form, with the link's token): the account can sign in; each link works once"},
    {"GET", "/staff/dashboard", page_dashboard, REPORT_READERS, OWN_NONE, 0, dashboard_query, BODY_NONE, NULL,
     "The management reports as charts, with the figures in tables and CSV downloads"},
    {"GET", "/api/v1/appointments/slots", api_appointment_slots, PUBLIC, OWN_NONE, 0, slots_query, BODY_NONE, NULL,
     "Appointment slots for a service: each location's times, with places taken and free (local times)"},
    {"POST", "/api/v1/appointments", api_appointment_book, STAFF_WRITERS | R(ROLE_RESIDENT), OWN_NONE, 1, NULL,
     BODY_JSON, &appointment_def,
     "Book a place in a slot (a resident for themselves); queues a confirmation and a reminder (honours "
     "Idempotency-Key)"},
    {"GET", "/api/v1/appointments/{id}", api_appointment_get, STAFF_READERS, OWN_NONE, 1, NULL, BODY_NONE,
     &appointment_def, "An appointment"},
    {"POST", "/api/v1/appointments/{id}/move", api_appointment_move, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON,
     NULL, "Move an appointment to another slot ({starts_at, location?}); the reminder moves with it"},
    {"POST", "/api/v1/appointments/{id}/cancel", api_appointment_cancel, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON,
     NULL, "Cancel an appointment ({reason?}); its place is freed and its reminder withdrawn"},
    {"GET", "/api/v1/people/{id}/appointments", api_person_appointments, STAFF_READERS | R(ROLE_RESIDENT), OWN_SELF,
     1, list_query, BODY_NONE, &appointment_def, "A person's appointments, booked and cancelled, paged"},

    {"POST", "/api/v1/sources/{slug}/records", api_source_records_create, R(ROLE_BACK_OFFICE) | R(ROLE_ADMIN),
     OWN_NONE, 1, NULL, BODY_JSON, &source_record_def,
     "Load a batch of one system's records ({records: [...]}, at most 1000); each is linked to a person"},
    {"GET", "/api/v1/people/{id}/sources", api_person_sources, STAFF_READERS, OWN_NONE, 1, list_query, BODY_NONE,
     &source_record_def, "A person's records from departmental systems, with the score and evidence of each link"},
    {"GET", "/api/v1/matches/review", api_matches_review,
     R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN), OWN_NONE, 1, list_query, BODY_NONE,
     &source_match_def, "Matches a person should decide, with both people and the evidence per field"},
    {"POST", "/api/v1/matches/{id}/accept", api_match_accept,
     R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN), OWN_NONE, 1, NULL, BODY_NONE, &source_match_def,
     "The two are one person: merge the record's person into the candidate (reversible)"},
    {"POST", "/api/v1/matches/{id}/reject", api_match_reject,
     R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN), OWN_NONE, 1, NULL, BODY_NONE, &source_match_def,
     "They are different people: keep them apart"},
    {"POST", "/api/v1/people/{id}/merge", api_person_merge, R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN), OWN_NONE, 1, NULL,
     BODY_JSON, &person_merge_def,
     "Merge person other_id into this one: their records move here, nothing is deleted (reversible)"},
    {"POST", "/api/v1/merges/{id}/unmerge", api_merge_unmerge, R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN) | R(ROLE_DPO),
     OWN_NONE, 1, NULL, BODY_NONE, &person_merge_def, "Undo a merge: everything that moved goes back"},

    {"GET", "/api/v1/properties", api_list, STAFF_READERS, OWN_NONE, 0, list_query, BODY_NONE, &property_def,
     "List properties, paged"},
    {"POST", "/api/v1/properties", api_create, STAFF_WRITERS, OWN_NONE, 0, NULL, BODY_JSON, &property_def,
     "Create a property (honours Idempotency-Key)"},
    {"GET", "/api/v1/properties/{id}", api_get, STAFF_READERS, OWN_NONE, 0, NULL, BODY_NONE, &property_def,
     "A property"},
    {"PATCH", "/api/v1/properties/{id}", api_patch, STAFF_WRITERS, OWN_NONE, 0, NULL, BODY_JSON, &property_def,
     "Change some fields (If-Match required)"},

    {"GET", "/api/v1/households", api_list, STAFF_READERS, OWN_NONE, 1, list_query, BODY_NONE, &household_def,
     "List households, paged"},
    {"GET", "/api/v1/articles", api_articles_list, PUBLIC, OWN_NONE, 0, articles_query, BODY_NONE, NULL,
     "Knowledge articles and signposts; with q, those matching, best first, and the routed suggestion"},
    {"GET", "/api/v1/articles/{slug}", api_article_get, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "One article (what, who, how, when) or signpost"},
    {"POST", "/api/v1/enquiries", api_enquiry_create, PUBLIC, OWN_NONE, 0, NULL, BODY_JSON, NULL,
     "Route a free-text enquiry to a service and article (or signpost) with a confidence; with raise_request "
     "(signed in), raise the request when sure"},
    {"GET", "/search", page_search, PUBLIC, OWN_NONE, 0, articles_query, BODY_NONE, NULL,
     "Site search: the best match (or who to contact instead) and matching articles"},

    {"POST", "/api/v1/chats", api_chat_create, PUBLIC, OWN_NONE, 0, NULL, BODY_JSON, NULL,
     "A resident opens a web chat with its first message; the answer holds the chat's access_key"},
    {"GET", "/api/v1/webchat/{slug}", api_webchat_get, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "The resident's view of their chat, by its access_key"},
    {"POST", "/api/v1/webchat/{slug}/messages", api_webchat_message, PUBLIC, OWN_NONE, 0, NULL, BODY_JSON, NULL,
     "The resident sends a message"},
    {"GET", "/api/v1/webchat/{slug}/events", api_webchat_events, PUBLIC, OWN_NONE, 0, events_query, BODY_NONE, NULL,
     "The resident's chat as Server-Sent Events: message and status events"},
    {"GET", "/api/v1/chats", api_chats_list, STAFF_READERS, OWN_NONE, 1, chats_query, BODY_NONE, &chat_def,
     "Web chats waiting for an agent, then active ones (or those of one status)"},
    {"GET", "/api/v1/chats/{id}", api_chat_get, STAFF_READERS, OWN_NONE, 1, NULL, BODY_NONE, &chat_def,
     "A chat with its messages"},
    {"GET", "/api/v1/chats/{id}/events", api_chat_events, STAFF_READERS, OWN_NONE, 1, events_query, BODY_NONE,
     &chat_def, "A chat as Server-Sent Events: message and status events"},
    {"POST", "/api/v1/chats/{id}/pick-up", api_chat_pick_up, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON, &chat_def,
     "An agent picks up a waiting chat"},
    {"POST", "/api/v1/chats/{id}/messages", api_chat_message, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON,
     &chat_message_def, "The agent replies, optionally with a link to an article or a form"},
    {"POST", "/api/v1/chats/{id}/close", api_chat_close, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON, &chat_def,
     "End the chat and log it as a web_chat contact on the resident's record"},
    {"GET", "/chat", page_chat_start, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL, "Start a chat with an adviser"},
    {"POST", "/chat", page_chat_open, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM, NULL, "Start a chat (form)"},
    {"GET", "/chat/{slug}", page_chat, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL, "A resident's chat"},
    {"POST", "/chat/{slug}", page_chat_send, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM, NULL, "Send a message (form)"},
    {"GET", "/chat.js", page_chat_js, PUBLIC, OWN_NONE, 0, NULL, BODY_NONE, NULL,
     "The chat pages' script: live messages when JavaScript runs"},
    {"GET", "/staff/chats", page_staff_chats, STAFF_READERS, OWN_NONE, 1, NULL, BODY_NONE, &chat_def,
     "Web chats waiting and active"},
    {"GET", "/staff/chats/{id}", page_staff_chat, STAFF_READERS, OWN_NONE, 1, chat_page_query, BODY_NONE, &chat_def,
     "One chat: messages, reply with a link to an article or form, end and log it"},
    {"POST", "/staff/chats/{id}/pick-up", page_staff_chat_pick_up, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_FORM,
     &chat_def, "Pick up a chat (form)"},
    {"POST", "/staff/chats/{id}/messages", page_staff_chat_send, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_FORM,
     &chat_message_def, "Reply (form)"},
    {"POST", "/staff/chats/{id}/close", page_staff_chat_close, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_FORM, &chat_def,
     "End the chat and log the contact (form)"},

    {"POST", "/api/v1/households", api_household_create, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON, &household_def,
     "Create a household with its members (honours Idempotency-Key)"},
    {"GET", "/api/v1/households/{id}", api_household_get, STAFF_READERS | R(ROLE_RESIDENT), OWN_HOUSEHOLD, 1, NULL,
     BODY_NONE, &household_def, "A household with its members"},
    {"PATCH", "/api/v1/households/{id}", api_household_patch, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON,
     &household_def, "Change fields; a members list replaces the members (If-Match required)"},

    {"POST", "/api/v1/life-events", api_life_event_create, STAFF_WRITERS | R(ROLE_RESIDENT), OWN_NONE, 1, life_event_query, BODY_JSON,
     &life_event_def, "Tell us once: report a birth, death, move ...; its playbook is applied everywhere in one go; "
                      "a resident reports for their own household "
                      "(preview=true shows it and changes nothing; the same report again changes nothing)"},
    {"GET", "/api/v1/life-events/{id}", api_life_event_get, STAFF_READERS, OWN_NONE, 1, NULL, BODY_NONE,
     &life_event_def, "A life event with every effect it had and its tasks"},
    {"GET", "/api/v1/people/{id}/life-events", api_person_life_events, STAFF_READERS, OWN_NONE, 1, list_query,
     BODY_NONE, &life_event_def, "The life events reported about a person, oldest first, with their effects"},
    {"POST", "/api/v1/life-events/{id}/reverse", api_life_event_reverse, STAFF_WRITERS, OWN_NONE, 1, NULL, BODY_JSON,
     &life_event_def, "Undo a mistaken report: restores what it can and lists what needs a person to put right"},
    {"GET", "/api/v1/tasks", api_tasks_list, STAFF_READERS, OWN_NONE, 1, task_query, BODY_NONE, &task_def,
     "Team tasks, by team, status and overdue"},
    {"POST", "/api/v1/tasks/{id}/claim", api_task_claim, TASK_WORKERS, OWN_NONE, 1, NULL, BODY_NONE, &task_def,
     "Take a task (back office: only their own team's)"},
    {"POST", "/api/v1/tasks/{id}/complete", api_task_complete, TASK_WORKERS, OWN_NONE, 1, NULL, BODY_JSON, &task_def,
     "Mark a task done, with an optional note"},
    {"GET", "/api/v1/people/{id}/notifications", api_person_notifications, STAFF_READERS, OWN_NONE, 1, list_query,
     BODY_NONE, &notification_def, "Messages sent or queued to this person (email, SMS, letter), with delivery"},
    {"GET", "/api/v1/requests/{id}/notifications", api_request_notifications, STAFF_READERS, OWN_NONE, 1, list_query,
     BODY_NONE, &notification_def, "Messages about this request, with delivery"},
    {"GET", "/api/v1/notifications", api_notifications_list, R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN) | R(ROLE_DPO),
     OWN_NONE, 1, outbox_query, BODY_NONE, &notification_def, "The outbox: messages by status (queued, sent, failed)"},
    {"GET", "/api/v1/requests/duplicates", api_request_duplicates, STAFF_READERS | R(ROLE_RESIDENT), OWN_NONE, 0,
     duplicates_query, BODY_NONE, NULL,
     "Before reporting: open requests for the same service within 50 m or at the same UPRN"},
    {"POST", "/api/v1/requests/slip-warnings", api_slip_warnings, R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN), OWN_NONE, 1,
     NULL, BODY_JSON, NULL, "Tell every resident whose request will miss its promised date, once (serve does it hourly)"},
    {"GET", "/open311/discovery.xml", open311_discovery, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 service discovery (XML), where clients usually look for it"},
    {"GET", "/open311/discovery.json", open311_discovery, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 service discovery (JSON), where clients usually look for it"},
    {"GET", "/open311/v2/discovery.xml", open311_discovery, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 GeoReport v2 (XML): service discovery"},
    {"GET", "/open311/v2/services.xml", open311_services, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 (XML): the services a client may report"},
    {"GET", "/open311/v2/services/{slug}.xml", open311_service_definition, PUBLIC, OWN_NONE, 0, o311_query,
     BODY_NONE, NULL, "Open311 (XML): a service definition (its e-form fields as attributes)"},
    {"POST", "/open311/v2/requests.xml", open311_request_create, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM, NULL,
     "Open311 (XML): report a problem (api_key; form-urlencoded)"},
    {"GET", "/open311/v2/requests.xml", open311_requests, PUBLIC, OWN_NONE, 0, o311_requests_query, BODY_NONE, NULL,
     "Open311 (XML): requests by id, service, status and date"},
    {"GET", "/open311/v2/requests/{id}.xml", open311_request_get, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 (XML): one request (a list of one)"},
    {"GET", "/open311/v2/tokens/{slug}.xml", open311_token_get, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 (XML): the service_request_id for a token"},
    {"GET", "/open311/v2/servicerequestupdates.xml", open311_updates, PUBLIC, OWN_NONE, 0, o311_updates_query,
     BODY_NONE, NULL, "Open311, FixMyStreet's extension (XML): public updates in a time window"},
    {"POST", "/open311/v2/servicerequestupdates.xml", open311_update_create, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM,
     NULL, "Open311, FixMyStreet's extension (XML): a reporter's update (api_key; form-urlencoded)"},
    {"GET", "/open311/v2/discovery.json", open311_discovery, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 GeoReport v2 (JSON): service discovery"},
    {"GET", "/open311/v2/services.json", open311_services, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 (JSON): the services a client may report"},
    {"GET", "/open311/v2/services/{slug}.json", open311_service_definition, PUBLIC, OWN_NONE, 0, o311_query,
     BODY_NONE, NULL, "Open311 (JSON): a service definition (its e-form fields as attributes)"},
    {"POST", "/open311/v2/requests.json", open311_request_create, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM, NULL,
     "Open311 (JSON): report a problem (api_key; form-urlencoded)"},
    {"GET", "/open311/v2/requests.json", open311_requests, PUBLIC, OWN_NONE, 0, o311_requests_query, BODY_NONE, NULL,
     "Open311 (JSON): requests by id, service, status and date"},
    {"GET", "/open311/v2/requests/{id}.json", open311_request_get, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 (JSON): one request (a list of one)"},
    {"GET", "/open311/v2/tokens/{slug}.json", open311_token_get, PUBLIC, OWN_NONE, 0, o311_query, BODY_NONE, NULL,
     "Open311 (JSON): the service_request_id for a token"},
    {"GET", "/open311/v2/servicerequestupdates.json", open311_updates, PUBLIC, OWN_NONE, 0, o311_updates_query,
     BODY_NONE, NULL, "Open311, FixMyStreet's extension (JSON): public updates in a time window"},
    {"POST", "/open311/v2/servicerequestupdates.json", open311_update_create, PUBLIC, OWN_NONE, 0, NULL, BODY_FORM,
     NULL, "Open311, FixMyStreet's extension (JSON): a reporter's update (api_key; form-urlencoded)"},
};

const int fd_nroutes = (int)(sizeof fd_routes / sizeof fd_routes[0]);

/* Matches one pattern; 1 if path fits, with the {id}s in ids and a
 * {slug} (1 to 60 of a-z, 0-9, - and _) in *slug, its length in *slen. */
static int fits(const char *pat, const char *path, long long ids[MAX_PATH_PARAMS], int *nids, const char **slug,
                size_t *slen)
{
    int n = 0;
    while (*pat && *path) {
        if (*pat == '{' && strncmp(pat, "{slug}", 6) == 0) {
            const char *s = path;
            while ((*path >= 'a' && *path <= 'z') || (*path >= '0' && *path <= '9') || *path == '-' || *path == '_')
                path++;
            if (path == s || path - s > 60)
                return 0;
            *slug = s;
            *slen = (size_t)(path - s);
            pat += 6;
            continue;
        }
        if (*pat == '{' && strncmp(pat, "{id}", 4) == 0) {
            if (*path < '1' || *path > '9' || n == MAX_PATH_PARAMS)
                return 0;
            char *end;
            long long v = strtoll(path, &end, 10);
            if (end - path > 15)
                return 0; /* longer than any id we hand out */
            ids[n++] = v;
            path = end;
            pat += 4;
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    if (*pat || *path)
        return 0;
    *nids = n;
    return 1;
}

int routes_match(const char *method, const char *path, long long ids[MAX_PATH_PARAMS], int *nids, const char **slug,
                 arena *a, const char **allow)
{
    int path_known = 0;
    char *methods = NULL;
    for (int i = 0; i < fd_nroutes; i++) {
        long long tmp[MAX_PATH_PARAMS];
        int nt = 0;
        const char *s = NULL;
        size_t sl = 0;
        if (!fits(fd_routes[i].path, path, tmp, &nt, &s, &sl))
            continue;
        if (strcmp(fd_routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(fd_routes[i].method, "GET") == 0)) {
            memcpy(ids, tmp, sizeof tmp);
            *nids = nt;
            *slug = s ? arena_strndup(a, s, sl) : NULL;
            return i;
        }
        path_known = 1;
        methods = methods ? arena_printf(a, "%s, %s", methods, fd_routes[i].method)
                          : arena_strdup(a, fd_routes[i].method);
    }
    if (path_known) {
        *allow = methods;
        return -2;
    }
    return -1;
}

/* ---- OpenAPI ---- */

static json_t *field_schema(const field_def *f)
{
    json_t *s = json_object();
    const char *t = "string";
    switch (f->type) {
    case FT_INT:
    case FT_REF:
        t = "integer";
        break;
    case FT_BOOL:
        t = "boolean";
        break;
    default:
        break;
    }
    json_t *types = json_array();
    json_array_append_new(types, json_string(t));
    if (!(f->flags & F_REQUIRED))
        json_array_append_new(types, json_string("null"));
    json_object_set_new(s, "type", types);
    if (f->type == FT_TEXT)
        json_object_set_new(s, "maxLength", json_integer(f->max_len));
    if (f->type == FT_DATE)
        json_object_set_new(s, "format", json_string("date"));
    if (f->type == FT_INT) {
        json_object_set_new(s, "minimum", json_integer(f->min));
        json_object_set_new(s, "maximum", json_integer(f->max));
    }
    if (f->type == FT_ENUM) {
        json_t *e = json_array();
        for (const char *const *c = f->choices; *c; c++)
            json_array_append_new(e, json_string(*c));
        json_object_set_new(s, "enum", e);
    }
    if (f->doc)
        json_object_set_new(s, "description", json_string(f->doc));
    return s;
}

static json_t *entity_schema(const entity_def *d)
{
    json_t *s = json_object(), *props = json_object(), *required = json_array();
    json_object_set_new(s, "type", json_string("object"));
    for (int i = 0; i < d->nfields; i++) {
        json_object_set_new(props, d->fields[i].name, field_schema(&d->fields[i]));
        if (d->fields[i].flags & F_REQUIRED)
            json_array_append_new(required, json_string(d->fields[i].name));
    }
    json_object_set_new(s, "properties", props);
    json_object_set_new(s, "required", required);
    json_object_set_new(s, "additionalProperties", json_false());
    return s;
}

json_t *routes_openapi(void)
{
    json_t *doc = json_object(), *paths = json_object(), *schemas = json_object();
    json_object_set_new(doc, "openapi", json_string("3.1.0"));
    json_object_set_new(doc, "info", json_pack("{s:s, s:s}", "title", "frontdoor", "version", "1"));
    for (int i = 0; i < fd_nroutes; i++) {
        const route *r = &fd_routes[i];
        json_t *item = json_object_get(paths, r->path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->path, item);
        }
        json_t *op = json_object();
        json_object_set_new(op, "summary", json_string(r->summary));
        json_t *roles = json_array();
        for (int k = ROLE_AGENT; k < ROLE_COUNT_; k++)
            if (r->roles & R(k))
                json_array_append_new(roles, json_string(role_name((role)k)));
        json_object_set_new(op, "x-roles", roles);
        json_object_set_new(op, "x-public", json_boolean(r->roles == 0));
        json_object_set_new(op, "x-own", json_string(r->own == OWN_PERSON ? "person" : r->own == OWN_HOUSEHOLD ? "household" : r->own == OWN_SELF ? "self" : r->own == OWN_REQUEST ? "request" : "none"));
        json_object_set_new(op, "x-audited", json_boolean(r->audited));
        if (r->roles)
            json_object_set_new(op, "security", json_pack("[{s:[]}, {s:[]}]", "session", "bearer"));
        json_t *params = json_array();
        if (strstr(r->path, "{id}"))
            json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s, s:i}}", "name", "id", "in", "path",
                                                    "required", 1, "schema", "type", "integer", "minimum", 1));
        if (strstr(r->path, "{slug}"))
            json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s, s:s}}", "name", "slug", "in", "path",
                                                    "required", 1, "schema", "type", "string", "pattern",
                                                    "^[a-z0-9_-]{1,60}$"));
        for (const query_def *qd = r->query; qd && qd->name; qd++)
            json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", qd->name, "in", "query",
                                                    "description", qd->doc, "schema", "type",
                                                    qd->is_int ? "integer" : "string"));
        json_object_set_new(op, "parameters", params);
        if (r->entity) {
            if (!json_object_get(schemas, r->entity->name))
                json_object_set_new(schemas, r->entity->name, entity_schema(r->entity));
            json_t *ref = json_pack("{s:s}", "$ref", "");
            json_object_set_new(ref, "$ref",
                                json_sprintf("#/components/schemas/%s", r->entity->name));
            if (r->body == BODY_JSON)
                json_object_set_new(op, "requestBody",
                                    json_pack("{s:{s:{s:O}}}", "content", "application/json", "schema", ref));
            json_decref(ref);
        }
        json_object_set_new(op, "responses",
                            json_pack("{s:{s:s}, s:{s:s}}", "default", "description", "see the problem+json body",
                                      "200", "description", "OK"));
        char lower[8] = {0};
        for (int k = 0; r->method[k] && k < 7; k++)
            lower[k] = (char)(r->method[k] | 0x20);
        json_object_set_new(item, lower, op);
    }
    json_object_set_new(doc, "paths", paths);
    json_object_set_new(doc, "components", json_pack("{s:o}", "schemas", schemas));
    return doc;
}
