/* outbox: messages to residents, queued in the transaction of the change
 * they tell of (design: "the resident is kept informed").
 *
 * A notification row is written with status "queued" inside the caller's
 * open write transaction, so a message is never lost once the change is
 * committed, and never sent for a change that was rolled back. A worker
 * (to come: jobs/outbox.c's sender) sends queued rows by email (SMTP),
 * SMS (GOV.UK Notify-compatible API) or letter, with retries. */
#ifndef FD_OUTBOX_H
#define FD_OUTBOX_H
#include "store/store.h"

/* The channel for a person: their preferred_channel if it can be used
 * (email needs an email, sms a phone), else email if they have one, else
 * SMS if they have a phone, else a letter to their current home. Writes
 * the channel ("email", "sms", "letter") and the recipient (address,
 * number, or postal address from a) to *channel and *recipient.
 * STORE_NOTFOUND if there is no way to reach them (no email, phone, or
 * current home), else a STORE_* code. per is a loaded person record. */
int outbox_route(store_conn *c, long long council, const record *per, arena *a, const char **channel,
                 const char **recipient);

/* Queues a message to person per (loaded) about something (about:
 * "request", "life_event", "appointment" ...; about_id its id), in the
 * caller's open transaction. A person who has died or been erased gets
 * nothing (returns STORE_OK, *id = 0); so does one who cannot be reached
 * (STORE_OK, *id = 0). *id (may be NULL) gets the notification's id. */
int outbox_queue(store_conn *c, long long council, const record *per, const char *subject, const char *body,
                 const char *about, long long about_id, arena *a, long long *id);

/* Queues a message to a recipient who is not a known person (an anonymous
 * reporter who left an email address, say). channel "email", "sms" or
 * "letter". */
int outbox_queue_to(store_conn *c, long long council, const char *channel, const char *recipient,
                    const char *subject, const char *body, const char *about, long long about_id, long long *id);

/* Queues a message about request r (a loaded request_def record) to
 * whoever made it: the person, by their preferred channel (outbox_queue);
 * else the contact email, else the contact phone (SMS) a reporter who is not
 * a known person left; else nobody (STORE_OK). In the caller's open
 * transaction. */
int outbox_queue_request(store_conn *c, long long council, const record *r, const char *subject, const char *body,
                         arena *a);

/* "2026-11-25" as "Wednesday 25 November 2026" (GOV.UK style), from a;
 * the text itself if it is not a date. */
const char *outbox_date_words(const char *iso, arena *a);

/* ---- "it will be late" ----
 * A request that will probably miss its promised date: still open
 * (received, in progress or waiting) on the working day before it, when
 * nobody has started it (received) or it is on hold (waiting); or any open
 * request once the date has passed. A request made today is left alone. Its resident is told once: the request's
 * slip_warned_at is set in the same transaction as the message is queued,
 * with a version check, so two servers never both send it. Reads the open
 * requests of council by status; today is "YYYY-MM-DD"; cat is a const
 * catalogue * (for the bank holidays and service names). *warned gets how
 * many were told; ids (may be NULL, room for max) which. */
int outbox_slip_warnings(store_conn *c, long long council, const void *cat, const char *today, int *warned,
                         long long *ids, int max);

/* ---- the sender ----
 *
 * A worker thread sends what is due: each pass it reads, per council, the
 * queued rows whose next_attempt_at has come, claims each by moving its
 * next_attempt_at past a lease with an optimistic (version-checked) update
 * -- so when several app servers share PostgreSQL exactly one of them wins
 * a row, and a row whose sender died is taken again once its lease ends --
 * and then sends it: email over SMTP (libcurl), SMS through a GOV.UK
 * Notify-compatible HTTP API (POST /v2/notifications/sms, a JWT signed
 * with the API key), letters into a print spool directory. A failure
 * waits backoff * 2^(attempts-1) seconds (at most 6 hours) and is tried
 * again; after max_attempts the row is "failed". Success records sent_at
 * and the provider's reference. A channel with nothing configured is left
 * queued until it is. */
typedef struct {
    const char *smtp_url;        /* smtp://host:port or smtps://...; NULL: email waits */
    const char *smtp_user;       /* SMTP AUTH (may be NULL) */
    const char *smtp_password;
    const char *mail_from;       /* the From address */
    const char *notify_url;      /* the Notify API's base URL; NULL: SMS waits */
    const char *notify_key;      /* "name-<service id>-<secret>" (from the environment) */
    const char *notify_template; /* the SMS template id; its one placeholder is ((body)) */
    const char *letters_dir;     /* the print spool; NULL: letters wait */
    int every;                   /* seconds between passes; 0: no worker */
    int max_attempts;            /* attempts before giving up (>= 1) */
    int backoff;                 /* seconds before the first retry */
    int lease;                   /* seconds a claim lasts */
    const void *cat;             /* the catalogue (const catalogue *) for the slip warnings; may be NULL */
    int slip_every;              /* seconds between slip-warning passes; 0: none */
} outbox_opts;

typedef struct {
    int sent, retried, failed, skipped, warned;
} outbox_report;

/* One pass over every council: sends what is due. 0, or -1 with the
 * reason in err when the database failed (messages that fail to send are
 * counted, not errors). */
int outbox_send_due(store *s, const outbox_opts *o, outbox_report *rep, char *err, size_t errlen);
/* Starts the worker (copies o and its strings); outbox_stop() ends it.
 * Call curl_global_init first (main does). */
void outbox_start(store *s, const outbox_opts *o);
void outbox_stop(void);

#endif
