#include "jobs/outbox.h"

#include <string.h>

#include "base/timeutil.h"
#include "core/entities.h"

/* The postal address of per's current home, or NULL. */
static const char *home_address(store_conn *c, long long council, const record *per, arena *a)
{
    record *ms;
    int n;
    char today[11];
    time_today(today);
    if (store_list(c, council, &member_def, "person_id", per->id, 0, 100, a, &ms, &n) != STORE_OK)
        return NULL;
    for (int i = 0; i < n; i++) {
        if (!member_current(&ms[i], today))
            continue;
        record h, p;
        if (store_get(c, council, &household_def, rec_int(&ms[i], "household_id"), a, &h) != STORE_OK ||
            store_get(c, council, &property_def, rec_int(&h, "property_id"), a, &p) != STORE_OK)
            continue;
        const char *parts[] = {rec_str(&p, "address_line_1"), rec_str(&p, "address_line_2"),
                               rec_str(&p, "address_line_3"), rec_str(&p, "town"), rec_str(&p, "postcode")};
        size_t len = 1;
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
            len += parts[k] ? strlen(parts[k]) + 2 : 0;
        char *out = arena_alloc(a, len), *o = out;
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            if (!parts[k] || !*parts[k])
                continue;
            if (o != out) {
                memcpy(o, ", ", 2);
                o += 2;
            }
            size_t l = strlen(parts[k]);
            memcpy(o, parts[k], l);
            o += l;
        }
        *o = 0;
        return out;
    }
    return NULL;
}

int outbox_route(store_conn *c, long long council, const record *per, arena *a, const char **channel,
                 const char **recipient)
{
    const char *pref = rec_str(per, "preferred_channel");
    const char *email = rec_str(per, "email"), *phone = rec_str(per, "phone");
    if (pref && !strcmp(pref, "email") && email) {
        *channel = "email", *recipient = email;
        return STORE_OK;
    }
    if (pref && !strcmp(pref, "sms") && phone) {
        *channel = "sms", *recipient = phone;
        return STORE_OK;
    }
    if (pref && !strcmp(pref, "post")) {
        const char *addr = home_address(c, council, per, a);
        if (addr) {
            *channel = "letter", *recipient = addr;
            return STORE_OK;
        }
    }
    if (email) {
        *channel = "email", *recipient = email;
        return STORE_OK;
    }
    if (phone) {
        *channel = "sms", *recipient = phone;
        return STORE_OK;
    }
    const char *addr = home_address(c, council, per, a);
    if (addr) {
        *channel = "letter", *recipient = addr;
        return STORE_OK;
    }
    return STORE_NOTFOUND;
}

static int queue(store_conn *c, long long council, long long person_id, const char *channel, const char *recipient,
                 const char *subject, const char *body, const char *about, long long about_id, long long *id)
{
    record r;
    char now[21];
    time_now_iso(now);
    record_init(&r, &notification_def);
    if (person_id)
        rec_set_int(&r, "person_id", person_id);
    rec_set_str(&r, "channel", channel);
    rec_set_str(&r, "recipient", recipient);
    if (subject)
        rec_set_str(&r, "subject", subject);
    rec_set_str(&r, "body", body);
    if (about)
        rec_set_str(&r, "about", about);
    if (about_id)
        rec_set_int(&r, "about_id", about_id);
    rec_set_str(&r, "status", "queued");
    rec_set_int(&r, "attempts", 0);
    rec_set_str(&r, "next_attempt_at", now);
    int rc = store_insert(c, council, &r);
    if (id)
        *id = rc == STORE_OK ? r.id : 0;
    return rc;
}

int outbox_queue_to(store_conn *c, long long council, const char *channel, const char *recipient,
                    const char *subject, const char *body, const char *about, long long about_id, long long *id)
{
    return queue(c, council, 0, channel, recipient, subject, body, about, about_id, id);
}

int outbox_queue(store_conn *c, long long council, const record *per, const char *subject, const char *body,
                 const char *about, long long about_id, arena *a, long long *id)
{
    if (id)
        *id = 0;
    if (rec_str(per, "date_of_death") || rec_str(per, "erased_at"))
        return STORE_OK;
    const char *channel, *recipient;
    int rc = outbox_route(c, council, per, a, &channel, &recipient);
    if (rc == STORE_NOTFOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    return queue(c, council, per->id, channel, recipient, subject, body, about, about_id, id);
}
