#include "core/entities.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

const char *const channel_choices[] = {"phone", "email", "sms", "post", "web", "face_to_face", NULL};
const char *const property_type_choices[] = {"house", "flat", "maisonette", "bungalow", NULL};
const char *const tenure_choices[] = {"council_rent", "housing_association", "leasehold", "private_rent",
                                      "owner_occupied", NULL};
const char *const tax_band_choices[] = {"A", "B", "C", "D", "E", "F", "G", "H", NULL};
const char *const relationship_choices[] = {"head", "partner", "child", "parent", "sibling", "grandparent",
                                            "grandchild", "other_relative", "carer", "lodger", "other", NULL};

#define TEXT(n, fl, len, chk, d) {.name = n, .type = FT_TEXT, .flags = fl, .max_len = len, .check = chk, .doc = d}
#define DATE(n, fl, d) {.name = n, .type = FT_DATE, .flags = fl, .doc = d}
#define ENUM(n, fl, ch, d) {.name = n, .type = FT_ENUM, .flags = fl, .choices = ch, .doc = d}
#define BOOL(n, fl, d) {.name = n, .type = FT_BOOL, .flags = fl, .doc = d}
#define INT(n, fl, lo, hi, d) {.name = n, .type = FT_INT, .flags = fl, .min = lo, .max = hi, .doc = d}
#define REF(n, fl, to, d) {.name = n, .type = FT_REF, .flags = fl, .ref = to, .doc = d}

static const field_def person_fields[] = {
    TEXT("given_name", F_REQUIRED, 100, CHECK_NONE, "first name"),
    TEXT("middle_names", 0, 200, CHECK_NONE, "middle names, space-separated"),
    TEXT("family_name", F_REQUIRED, 100, CHECK_NONE, "surname"),
    TEXT("title", 0, 20, CHECK_NONE, "Mr, Ms, Dr, Mx ..."),
    DATE("date_of_birth", 0, "date of birth"),
    DATE("date_of_death", 0, "date of death, if the council has been told"),
    TEXT("email", 0, 254, CHECK_EMAIL, "email address"),
    TEXT("phone", 0, 30, CHECK_PHONE, "phone number"),
    ENUM("preferred_channel", 0, channel_choices, "how the resident prefers to be contacted"),
    TEXT("preferred_language", 0, 35, CHECK_NONE, "language for letters and calls (BCP 47 tag or name)"),
    BOOL("needs_digital_help", 0, "needs help to use online services (assisted digital)"),
    {.name = "accessibility_needs", .type = FT_TEXT, .max_len = 1000, .category = CAT_HEALTH,
     .doc = "what the resident needs to use council services (health: shown to roles that may see it)"},
    {.name = "social_care_notes", .type = FT_TEXT, .max_len = 4000, .category = CAT_SOCIAL_CARE,
     .doc = "social care notes (shown only to social care staff and the data-protection officer)"},
    {.name = "safeguarding_notes", .type = FT_TEXT, .max_len = 4000, .category = CAT_SAFEGUARDING,
     .doc = "safeguarding concerns (shown only to safeguarding-cleared roles)"},
    {.name = "erased_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20,
     .doc = "when the data-protection officer erased this person's data (set by the server)"},
    {.name = "merged_into", .type = FT_INT, .flags = F_READONLY, .min = 1, .max = (1LL << 62),
     .doc = "the id of the person this one was merged into (set by a merge, cleared by its unmerge)"},
};

static void person_check(const record *r, int is_create, arena *a, errlist *errs)
{
    (void)is_create;
    (void)a;
    const char *dob = rec_str(r, "date_of_birth"), *dod = rec_str(r, "date_of_death");
    char today[11];
    time_today(today);
    /* Only compare well-formed dates; malformed ones are already reported. */
    if (dob && time_valid_date(dob) && strcmp(dob, today) > 0)
        errlist_add(errs, "date_of_birth", "may not be in the future");
    if (dod && time_valid_date(dod) && strcmp(dod, today) > 0)
        errlist_add(errs, "date_of_death", "may not be in the future");
    if (dob && dod && time_valid_date(dob) && time_valid_date(dod) && strcmp(dod, dob) < 0)
        errlist_add(errs, "date_of_death", "may not be before date_of_birth");
}

const entity_def person_def = {
    .name = "person", .table = "people", .fields = person_fields,
    .nfields = (int)(sizeof person_fields / sizeof person_fields[0]), .check = person_check,
};

static const field_def property_fields[] = {
    TEXT("uprn", F_REQUIRED | F_IMMUTABLE, 12, CHECK_UPRN, "Unique Property Reference Number"),
    TEXT("address_line_1", F_REQUIRED, 100, CHECK_NONE, "flat or house number and street"),
    TEXT("address_line_2", 0, 100, CHECK_NONE, "building or estate"),
    TEXT("address_line_3", 0, 100, CHECK_NONE, "locality"),
    TEXT("town", 0, 60, CHECK_NONE, "post town"),
    TEXT("postcode", F_REQUIRED, 8, CHECK_POSTCODE, "UK postcode, normalised to upper case with one space"),
    ENUM("property_type", F_REQUIRED, property_type_choices, "kind of home"),
    INT("floor", 0, -2, 100, "floor of the front door (0 is ground, negative is basement)"),
    BOOL("has_garden", 0, "has a private garden"),
    ENUM("tenure", 0, tenure_choices, "who owns or rents it"),
    ENUM("council_tax_band", 0, tax_band_choices, "council tax valuation band"),
};

static void property_check(const record *r, int is_create, arena *a, errlist *errs)
{
    (void)is_create;
    (void)a;
    const char *type = rec_str(r, "property_type");
    int fi = entity_field(r->def, "floor");
    if (type && (strcmp(type, "house") == 0 || strcmp(type, "bungalow") == 0) && r->v[fi].set &&
        !r->v[fi].null && r->v[fi].i > 0)
        errlist_add(errs, "floor", "a house or bungalow has its front door on floor 0");
}

const entity_def property_def = {
    .name = "property", .table = "properties", .fields = property_fields,
    .nfields = (int)(sizeof property_fields / sizeof property_fields[0]), .check = property_check,
};

static const field_def household_fields[] = {
    REF("property_id", F_REQUIRED, "properties", "the home this household lives in"),
    TEXT("name", 0, 100, CHECK_NONE, "how staff refer to the household, e.g. \"The Okafor family\""),
};

const entity_def household_def = {
    .name = "household", .table = "households", .fields = household_fields,
    .nfields = (int)(sizeof household_fields / sizeof household_fields[0]),
};

static const field_def member_fields[] = {
    REF("household_id", F_REQUIRED | F_IMMUTABLE, "households", "the household"),
    REF("person_id", F_REQUIRED, "people", "the member"),
    ENUM("relationship", F_REQUIRED, relationship_choices, "relationship to the head of the household"),
    DATE("from_date", 0, "first day living here"),
    DATE("to_date", 0, "last day living here (unset while they still do)"),
};

static void member_check(const record *r, int is_create, arena *a, errlist *errs)
{
    (void)is_create;
    (void)a;
    const char *from = rec_str(r, "from_date"), *to = rec_str(r, "to_date");
    if (from && to && time_valid_date(from) && time_valid_date(to) && strcmp(to, from) < 0)
        errlist_add(errs, "to_date", "may not be before from_date");
}

const entity_def member_def = {
    .name = "household_member", .table = "household_members", .fields = member_fields,
    .nfields = (int)(sizeof member_fields / sizeof member_fields[0]), .check = member_check,
};

const char *const consent_purpose_choices[] = {"service_updates_email", "service_updates_sms", "newsletters",
                                               "research",              "share_with_nhs",      "share_with_partners",
                                               "marketing",             NULL};

static const field_def consent_fields[] = {
    REF("person_id", F_REQUIRED | F_IMMUTABLE, "people", "whose consent"),
    ENUM("purpose", F_REQUIRED, consent_purpose_choices, "what it is for"),
    BOOL("given", F_REQUIRED, "true if given, false if refused or withdrawn"),
    ENUM("channel", 0, channel_choices, "how it was given or withdrawn"),
    TEXT("note", 0, 200, CHECK_NONE, "anything the resident said about it"),
};

const entity_def consent_def = {
    .name = "consent", .table = "consents", .fields = consent_fields,
    .nfields = (int)(sizeof consent_fields / sizeof consent_fields[0]),
};

static const field_def enrolment_fields[] = {
    REF("person_id", F_REQUIRED | F_IMMUTABLE, "people", "who applied or receives it"),
    {.name = "household_id", .type = FT_REF, .flags = F_READONLY, .ref = "households",
     .doc = "for a household service: the household enrolled (set by the server)"},
    TEXT("service", F_REQUIRED | F_IMMUTABLE, 60, CHECK_NONE, "the service's id in the catalogue"),
    DATE("start_date", F_REQUIRED, "first day of the service"),
    DATE("end_date", 0, "last day (unset while it goes on)"),
    ENUM("channel", 0, channel_choices, "how it was set up"),
    TEXT("note", 0, 200, CHECK_NONE, "anything worth knowing"),
};

static void enrolment_check(const record *r, int is_create, arena *a, errlist *errs)
{
    (void)is_create;
    (void)a;
    const char *from = rec_str(r, "start_date"), *to = rec_str(r, "end_date");
    if (from && to && time_valid_date(from) && time_valid_date(to) && strcmp(to, from) < 0)
        errlist_add(errs, "end_date", "may not be before start_date");
}

const entity_def enrolment_def = {
    .name = "enrolment", .table = "enrolments", .fields = enrolment_fields,
    .nfields = (int)(sizeof enrolment_fields / sizeof enrolment_fields[0]), .check = enrolment_check,
};

int enrolment_current(const record *e, const char *date)
{
    const char *from = rec_str(e, "start_date"), *to = rec_str(e, "end_date");
    return (!from || strcmp(from, date) <= 0) && (!to || strcmp(to, date) >= 0);
}

const char *const contact_channel_choices[] = {"phone", "face_to_face", "web", "email", "sms", "web_chat", "post",
                                               "social_media", "automated_phone", NULL};
static const char *const direction_choices[] = {"inbound", "outbound", NULL};
static const char *const contact_type_choices[] = {"transaction", "interaction", "information", NULL};
static const char *const avoidable_choices[] = {"no", "chasing_progress", "repeat_information", "could_be_online", NULL};

static const field_def contact_fields[] = {
    ENUM("channel", F_REQUIRED, contact_channel_choices, "how the resident got in touch, or was contacted"),
    ENUM("direction", 0, direction_choices, "inbound (default) or outbound"),
    ENUM("type", F_REQUIRED, contact_type_choices, "transaction (something done), interaction, or information"),
    TEXT("service", 0, 60, CHECK_NONE, "the service it was about (catalogue id)"),
    TEXT("reason", 0, 200, CHECK_NONE, "what it was about, in a few words"),
    REF("person_id", 0, "people", "who, if known"),
    {.name = "agent_id", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the staff user or token that logged it (set by the server)"},
    {.name = "started_at", .type = FT_TEXT, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when it began (default: now)"},
    {.name = "ended_at", .type = FT_TEXT, .max_len = 20, .check = CHECK_TIMESTAMP, .doc = "when it ended"},
    TEXT("outcome", 0, 200, CHECK_NONE, "what came of it"),
    BOOL("resolved_first_contact", 0, "resolved there and then"),
    ENUM("avoidable", 0, avoidable_choices, "whether it need not have happened, and why"),
    {.name = "cost_pence", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = 1000000,
     .doc = "what it cost the council, from the channel (catalogue/contact_costs.tsv)"},
    REF("request_id", F_IMMUTABLE, "requests", "the request it made or was about, if any"),
};

static void contact_check(const record *r, int is_create, arena *a, errlist *errs)
{
    (void)is_create;
    (void)a;
    const char *s = rec_str(r, "started_at"), *e = rec_str(r, "ended_at");
    if (s && e && time_parse_iso(s) >= 0 && time_parse_iso(e) >= 0 && strcmp(e, s) < 0)
        errlist_add(errs, "ended_at", "may not be before started_at");
}

const entity_def contact_def = {
    .name = "contact", .table = "contacts", .fields = contact_fields,
    .nfields = (int)(sizeof contact_fields / sizeof contact_fields[0]), .check = contact_check,
};

const char *const request_status_choices[] = {"received", "in_progress", "waiting", "resolved", "closed", NULL};
static const char *const update_kind_choices[] = {"status_change", "public_note", "internal_note", NULL};

/* A decimal number written plainly ("51.4613", "-0.1156"). */
static int decimal(const char *s, double lo, double hi)
{
    char *end;
    double v = strtod(s, &end);
    return *s && !*end && v >= lo && v <= hi && strchr("-0123456789", s[0]);
}

static const field_def request_fields[] = {
    TEXT("service", F_REQUIRED | F_IMMUTABLE, 60, CHECK_NONE, "the service asked for (catalogue id)"),
    {.name = "person_id", .type = FT_REF, .flags = F_IMMUTABLE, .ref = "people", .doc = "who asked, if known"},
    TEXT("uprn", 0, 12, CHECK_UPRN, "where: the property's UPRN"),
    TEXT("latitude", 0, 12, CHECK_NONE, "where: WGS84 latitude"),
    TEXT("longitude", 0, 12, CHECK_NONE, "where: WGS84 longitude"),
    TEXT("address", 0, 200, CHECK_NONE, "where, in words"),
    TEXT("description", F_REQUIRED, 4000, CHECK_NONE, "what is wanted, in the resident's words"),
    {.name = "answers", .type = FT_TEXT, .flags = F_READONLY, .max_len = 16000,
     .doc = "the service's e-form answers (a JSON object; sent as an object)"},
    ENUM("channel", 0, contact_channel_choices, "how it came in"),
    {.name = "status", .type = FT_ENUM, .flags = F_REQUIRED | F_READONLY, .choices = request_status_choices,
     .doc = "received, in_progress, waiting, resolved or closed"},
    {.name = "status_reason", .type = FT_TEXT, .flags = F_READONLY, .max_len = 200, .doc = "why it is in this status"},
    {.name = "team", .type = FT_TEXT, .flags = F_READONLY, .max_len = 40, .doc = "the team whose queue it is in"},
    {.name = "promised_date", .type = FT_DATE, .flags = F_READONLY,
     .doc = "when it will be done by: the service's promise in working days"},
    {.name = "resolved_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .doc = "when it was resolved"},
    TEXT("contact_name", 0, 200, CHECK_NONE, "a reporter who is not a known person: their name"),
    TEXT("contact_email", F_IMMUTABLE, 254, CHECK_EMAIL, "a reporter who is not a known person: email for updates"),
    TEXT("contact_phone", F_IMMUTABLE, 30, CHECK_PHONE, "a reporter who is not a known person: phone for SMS updates"),
    TEXT("media_url", 0, 500, CHECK_NONE, "a photo of the problem (a URL)"),
    {.name = "slip_warned_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20,
     .doc = "when the resident was told it will be late (once only)"},
    {.name = "open311_token", .type = FT_TEXT, .flags = F_READONLY, .max_len = 40,
     .doc = "the Open311 token of a request made through GeoReport v2"},
};

static void request_check(const record *r, int is_create, arena *a, errlist *errs)
{
    (void)a;
    const char *lat = rec_str(r, "latitude"), *lon = rec_str(r, "longitude");
    if (lat && !decimal(lat, -90, 90))
        errlist_add(errs, "latitude", "must be a number from -90 to 90");
    if (lon && !decimal(lon, -180, 180))
        errlist_add(errs, "longitude", "must be a number from -180 to 180");
    if (!!lat != !!lon)
        errlist_add(errs, lat ? "longitude" : "latitude", "goes with the other coordinate: give both");
    if (is_create && !rec_str(r, "uprn") && !lat && !rec_str(r, "address") && !rec_int(r, "person_id"))
        errlist_add(errs, "address", "say where (uprn, latitude and longitude, or address) or who (person_id)");
}

const entity_def request_def = {
    .name = "request", .table = "requests", .fields = request_fields,
    .nfields = (int)(sizeof request_fields / sizeof request_fields[0]), .check = request_check,
};

static const field_def update_fields[] = {
    REF("request_id", F_REQUIRED | F_IMMUTABLE, "requests", "the request"),
    ENUM("kind", F_REQUIRED, update_kind_choices, "status_change, public_note or internal_note"),
    ENUM("status", 0, request_status_choices, "the new status (status_change)"),
    TEXT("text", 0, 2000, CHECK_NONE, "what happened, or why"),
    BOOL("public", 0, "shown to the resident"),
    {.name = "author_id", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "who wrote it (0: the system)"},
    {.name = "external_id", .type = FT_TEXT, .flags = F_READONLY, .max_len = 100,
     .doc = "the client's own id for it (Open311 servicerequestupdates update_id)"},
};

const entity_def request_update_def = {
    .name = "request_update", .table = "request_updates", .fields = update_fields,
    .nfields = (int)(sizeof update_fields / sizeof update_fields[0]),
};

int request_transition_ok(const char *from, const char *to)
{
    static const char *const allowed[][2] = {
        {"received", "in_progress"}, {"received", "waiting"},  {"received", "resolved"}, {"received", "closed"},
        {"in_progress", "waiting"},  {"in_progress", "resolved"}, {"in_progress", "closed"},
        {"waiting", "in_progress"},  {"waiting", "resolved"},  {"waiting", "closed"},
        {"resolved", "closed"},      {"resolved", "in_progress"},
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!strcmp(allowed[i][0], from) && !strcmp(allowed[i][1], to))
            return 1;
    return 0;
}

const char *const notification_channel_choices[] = {"email", "sms", "letter", NULL};
const char *const notification_status_choices[] = {"queued", "sent", "failed", NULL};

static const field_def notification_fields[] = {
    REF("person_id", F_IMMUTABLE, "people", "to whom, if a known person"),
    ENUM("channel", F_REQUIRED | F_IMMUTABLE, notification_channel_choices, "email, sms or letter"),
    TEXT("recipient", F_REQUIRED | F_IMMUTABLE, 400, CHECK_NONE,
         "where it goes: email address, phone number, or postal address"),
    TEXT("subject", 0, 200, CHECK_NONE, "subject line (email and letter)"),
    TEXT("body", F_REQUIRED, 8000, CHECK_NONE, "the message"),
    TEXT("about", 0, 40, CHECK_NONE, "what it is about: request, life_event, appointment, account ..."),
    {.name = "about_id", .type = FT_INT, .min = 0, .max = (1LL << 62), .doc = "the id of what it is about"},
    {.name = "status", .type = FT_ENUM, .flags = F_REQUIRED | F_READONLY, .choices = notification_status_choices,
     .doc = "queued (not yet sent, or to be retried), sent, or failed (gave up)"},
    {.name = "attempts", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = 1000, .doc = "sending attempts so far"},
    {.name = "next_attempt_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when the worker may next try it"},
    {.name = "sent_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when it was handed over for delivery"},
    {.name = "provider_ref", .type = FT_TEXT, .flags = F_READONLY, .max_len = 200,
     .doc = "the delivery service's reference (message id)"},
    {.name = "last_error", .type = FT_TEXT, .flags = F_READONLY, .max_len = 400, .doc = "why the last attempt failed"},
};

const entity_def notification_def = {
    .name = "notification", .table = "notifications", .fields = notification_fields,
    .nfields = (int)(sizeof notification_fields / sizeof notification_fields[0]),
};

const char *const life_event_status_choices[] = {"applied", "reversed", NULL};

static const field_def life_event_fields[] = {
    REF("person_id", F_REQUIRED | F_IMMUTABLE, "people", "whom it happened to (for a birth: a parent)"),
    TEXT("type", F_REQUIRED | F_IMMUTABLE, 40, CHECK_NONE, "the playbook: death, birth, move_in ... (catalogue/life_events.txt)"),
    DATE("event_date", F_REQUIRED | F_IMMUTABLE, "when it happened"),
    ENUM("channel", 0, contact_channel_choices, "how we were told"),
    {.name = "details", .type = FT_TEXT, .flags = F_READONLY, .max_len = 8000,
     .doc = "what the playbook needs to know (a JSON object; sent as an object)"},
    {.name = "status", .type = FT_ENUM, .flags = F_REQUIRED | F_READONLY, .choices = life_event_status_choices,
     .doc = "applied, or reversed (a mistake undone)"},
    {.name = "effects", .type = FT_TEXT, .flags = F_READONLY, .max_len = 200000,
     .doc = "every change made, as a JSON list, so a reversal knows exactly what was done"},
    {.name = "reported_by", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the staff user or token that reported it"},
    {.name = "reversed_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when it was reversed"},
    {.name = "reversal_reason", .type = FT_TEXT, .flags = F_READONLY, .max_len = 400, .doc = "why it was reversed"},
};

const entity_def life_event_def = {
    .name = "life_event", .table = "life_events", .fields = life_event_fields,
    .nfields = (int)(sizeof life_event_fields / sizeof life_event_fields[0]),
};

const char *const task_status_choices[] = {"open", "claimed", "done", "cancelled", NULL};

static const field_def task_fields[] = {
    TEXT("team", F_REQUIRED | F_IMMUTABLE, 40, CHECK_NONE, "the team (a department) whose work it is"),
    TEXT("title", F_REQUIRED, 300, CHECK_NONE, "what to do"),
    REF("person_id", 0, "people", "whom it is about"),
    REF("life_event_id", 0, "life_events", "the life event that made it"),
    DATE("due_date", F_REQUIRED, "when it must be done by (working days from the report)"),
    {.name = "status", .type = FT_ENUM, .flags = F_REQUIRED | F_READONLY, .choices = task_status_choices,
     .doc = "open, claimed, done, or cancelled (its life event was reversed)"},
    {.name = "claimed_by", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the staff user or token working on it"},
    {.name = "claimed_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when it was claimed"},
    {.name = "completed_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when it was done"},
    TEXT("note", 0, 1000, CHECK_NONE, "what was done"),
};

const entity_def task_def = {
    .name = "task", .table = "tasks", .fields = task_fields,
    .nfields = (int)(sizeof task_fields / sizeof task_fields[0]),
};

const char *const appointment_status_choices[] = {"booked", "cancelled", NULL};

static const field_def appointment_fields[] = {
    REF("person_id", F_REQUIRED | F_IMMUTABLE, "people", "who is coming"),
    TEXT("service", F_REQUIRED | F_IMMUTABLE, 60, CHECK_NONE, "what about (catalogue id)"),
    TEXT("location", F_REQUIRED, 60, CHECK_NONE, "where (an id in catalogue/locations.txt)"),
    TEXT("starts_at", F_REQUIRED, 16, CHECK_NONE,
         "the slot's start, local time at the location, YYYY-MM-DDTHH:MM (see /api/v1/appointments/slots)"),
    {.name = "ends_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 16, .doc = "the slot's end, local time"},
    {.name = "status", .type = FT_ENUM, .flags = F_REQUIRED | F_READONLY, .choices = appointment_status_choices,
     .doc = "booked or cancelled"},
    {.name = "seat", .type = FT_INT, .flags = F_READONLY, .min = 1, .max = 50,
     .doc = "which of the slot's places it holds (1 to its capacity); none once cancelled"},
    TEXT("note", 0, 500, CHECK_NONE, "anything the person seeing them should know"),
    {.name = "cancel_reason", .type = FT_TEXT, .flags = F_READONLY, .max_len = 200, .doc = "why it was cancelled"},
    {.name = "reminder_id", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the reminder queued in the outbox (a notification), if the person can be reached"},
};

const entity_def appointment_def = {
    .name = "appointment", .table = "appointments", .fields = appointment_fields,
    .nfields = (int)(sizeof appointment_fields / sizeof appointment_fields[0]),
};

/* ---- the knowledge base and web chat (migration 0014) ---- */

const char *const article_kind_choices[] = {"service", "signpost", NULL};

static const field_def article_fields[] = {
    TEXT("slug", F_REQUIRED, 60, CHECK_NONE, "the service's id, or the signpost's"),
    ENUM("kind", F_REQUIRED, article_kind_choices, "service (an article about one of ours) or signpost (someone else's)"),
    TEXT("title", F_REQUIRED, 200, CHECK_NONE, "what a resident would call it"),
    TEXT("keywords", 0, 2000, CHECK_NONE, "words and phrases residents use, comma-separated"),
    TEXT("body", 0, 8000, CHECK_NONE, "what it is, who can get it, how and when, as one text for search"),
};

const entity_def article_def = {
    .name = "article", .table = "articles", .fields = article_fields,
    .nfields = (int)(sizeof article_fields / sizeof article_fields[0]),
};

const char *const chat_status_choices[] = {"waiting", "active", "closed", NULL};
const char *const chat_sender_choices[] = {"resident", "agent", "system", NULL};

static const field_def chat_fields[] = {
    {.name = "access_key", .type = FT_TEXT, .flags = F_REQUIRED | F_READONLY | F_IMMUTABLE, .max_len = 64,
     .doc = "the resident's secret for this chat (set by the server; shown only to whoever opened it)"},
    {.name = "status", .type = FT_ENUM, .flags = F_REQUIRED | F_READONLY, .choices = chat_status_choices,
     .doc = "waiting (for an agent), active (picked up) or closed"},
    REF("person_id", 0, "people", "the resident, if signed in or identified by the agent"),
    TEXT("name", 0, 100, CHECK_NONE, "what the resident asked to be called"),
    TEXT("email", 0, 254, CHECK_EMAIL, "where to send a copy, if the resident wants one"),
    {.name = "topic", .type = FT_TEXT, .flags = F_READONLY, .max_len = 60,
     .doc = "the service or signpost the first message was routed to"},
    {.name = "agent_id", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the agent who picked it up"},
    {.name = "picked_up_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when an agent picked it up"},
    {.name = "closed_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when it was closed"},
    {.name = "contact_id", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the web_chat contact logged when it closed"},
};

const entity_def chat_def = {
    .name = "chat", .table = "chats", .fields = chat_fields,
    .nfields = (int)(sizeof chat_fields / sizeof chat_fields[0]),
};

static const field_def chat_message_fields[] = {
    REF("chat_id", F_REQUIRED | F_IMMUTABLE, "chats", "the chat"),
    ENUM("sender", F_REQUIRED, chat_sender_choices, "resident, agent or system"),
    {.name = "author_id", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the agent who wrote it (0 for the resident or the system)"},
    TEXT("text", F_REQUIRED, 2000, CHECK_NONE, "the message"),
    TEXT("link", 0, 300, CHECK_NONE, "a page on this site sent with it: an article (/services/SLUG) or a form"),
    TEXT("link_title", 0, 200, CHECK_NONE, "the link's words"),
};

const entity_def chat_message_def = {
    .name = "chat_message", .table = "chat_messages", .fields = chat_message_fields,
    .nfields = (int)(sizeof chat_message_fields / sizeof chat_message_fields[0]),
};

/* In an order where every entity comes after those it refers to (a
 * contact may name its request; a task its life event). */
const entity_def *const fd_entities[] = {&person_def,  &property_def, &household_def, &member_def, &consent_def,
                                         &enrolment_def, &request_def, &request_update_def, &contact_def,
                                         &notification_def, &life_event_def, &task_def, &appointment_def,
                                         &article_def, &chat_def, &chat_message_def, &source_record_def,
                                         &person_merge_def, &source_match_def, &match_model_def, NULL};

/* ---- The master record: source records, matches, merges (migration 0016) ---- */

const char *const source_status_choices[] = {"linked", "new", "review", NULL};
const char *const match_status_choices[] = {"open", "accepted", "rejected", NULL};

static const field_def source_record_fields[] = {
    TEXT("system", F_REQUIRED | F_IMMUTABLE, 40, CHECK_NONE, "the departmental system (catalogue/sources.txt)"),
    TEXT("local_id", F_REQUIRED | F_IMMUTABLE, 64, CHECK_NONE, "the record's id in that system"),
    {.name = "fields", .type = FT_TEXT, .flags = F_REQUIRED | F_READONLY, .max_len = 16000,
     .doc = "the record's raw fields as received, by column (a JSON object)"},
    {.name = "person_id", .type = FT_REF, .flags = F_READONLY, .ref = "people", .doc = "the person it is linked to"},
    {.name = "status", .type = FT_ENUM, .flags = F_REQUIRED | F_READONLY, .choices = source_status_choices,
     .doc = "linked (to an existing person), new (made a new person) or review (a person should look)"},
    {.name = "match_score", .type = FT_TEXT, .flags = F_READONLY, .max_len = 16,
     .doc = "the link's score (log2 Bayes factor), as a decimal"},
    {.name = "match_evidence", .type = FT_TEXT, .flags = F_READONLY, .max_len = 4000,
     .doc = "why: per field, the comparison level and its weight (a JSON object)"},
    {.name = "origin", .type = FT_TEXT, .flags = F_READONLY, .max_len = 300,
     .doc = "where it came from: FILE:LINE of an import, or api"},
};

const entity_def source_record_def = {
    .name = "source_record", .table = "source_records", .fields = source_record_fields,
    .nfields = (int)(sizeof source_record_fields / sizeof source_record_fields[0]),
};

static const field_def source_match_fields[] = {
    REF("source_record_id", F_REQUIRED | F_IMMUTABLE, "source_records", "the record that prompted it"),
    REF("person_id", F_REQUIRED, "people", "the person the record was given"),
    REF("candidate_id", F_REQUIRED, "people", "the existing person it may be"),
    TEXT("score", F_REQUIRED, 16, CHECK_NONE, "the pair's score (log2 Bayes factor), as a decimal"),
    TEXT("evidence", F_REQUIRED, 4000, CHECK_NONE, "per field, the comparison level and its weight (JSON)"),
    ENUM("status", F_REQUIRED, match_status_choices, "open, accepted (merged) or rejected (different people)"),
    {.name = "decided_by", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the staff user or token that decided"},
    {.name = "decided_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when"},
    {.name = "merge_id", .type = FT_REF, .flags = F_READONLY, .ref = "person_merges",
     .doc = "accepted: the merge it made"},
};

const entity_def source_match_def = {
    .name = "source_match", .table = "source_matches", .fields = source_match_fields,
    .nfields = (int)(sizeof source_match_fields / sizeof source_match_fields[0]),
};

static const field_def person_merge_fields[] = {
    REF("kept_id", F_REQUIRED | F_IMMUTABLE, "people", "the person kept"),
    REF("merged_id", F_REQUIRED | F_IMMUTABLE, "people", "the person merged into it (kept, marked merged_into)"),
    {.name = "moved", .type = FT_TEXT, .flags = F_REQUIRED | F_READONLY, .max_len = 1 << 20,
     .doc = "what moved: the table and id of every row re-pointed (JSON), so unmerge restores exactly"},
    {.name = "merged_by", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "the staff user or token that merged"},
    {.name = "reversed_at", .type = FT_TEXT, .flags = F_READONLY, .max_len = 20, .check = CHECK_TIMESTAMP,
     .doc = "when it was unmerged"},
    {.name = "reversed_by", .type = FT_INT, .flags = F_READONLY, .min = 0, .max = (1LL << 62),
     .doc = "who unmerged it"},
};

const entity_def person_merge_def = {
    .name = "person_merge", .table = "person_merges", .fields = person_merge_fields,
    .nfields = (int)(sizeof person_merge_fields / sizeof person_merge_fields[0]),
};

static const field_def match_model_fields[] = {
    TEXT("name", F_REQUIRED | F_IMMUTABLE, 40, CHECK_NONE, "which model (\"people\")"),
    INT("records", 0, 0, (1LL << 40), "records it was estimated from"),
    {.name = "model", .type = FT_TEXT, .flags = F_REQUIRED, .max_len = 64000,
     .doc = "m, u and the weight per field and level (JSON)"},
};

const entity_def match_model_def = {
    .name = "match_model", .table = "match_models", .fields = match_model_fields,
    .nfields = (int)(sizeof match_model_fields / sizeof match_model_fields[0]),
};

int member_current(const record *m, const char *date)
{
    const char *from = rec_str(m, "from_date"), *to = rec_str(m, "to_date");
    if (from && strcmp(from, date) > 0)
        return 0;
    if (to && strcmp(to, date) < 0)
        return 0;
    return 1;
}
