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

#endif
