#include "jobs/outbox.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/thread.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
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

int outbox_queue_request(store_conn *c, long long council, const record *r, const char *subject, const char *body,
                         arena *a)
{
    long long pid = rec_int(r, "person_id");
    if (pid) {
        record per;
        int rc = store_get(c, council, &person_def, pid, a, &per);
        if (rc != STORE_OK)
            return rc;
        return outbox_queue(c, council, &per, subject, body, "request", r->id, a, NULL);
    }
    if (rec_str(r, "contact_email"))
        return outbox_queue_to(c, council, "email", rec_str(r, "contact_email"), subject, body, "request", r->id, NULL);
    if (rec_str(r, "contact_phone"))
        return outbox_queue_to(c, council, "sms", rec_str(r, "contact_phone"), subject, body, "request", r->id, NULL);
    return STORE_OK;
}

const char *outbox_date_words(const char *iso, arena *a)
{
    static const char *const days[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    static const char *const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
    if (!iso || !time_valid_date(iso))
        return iso;
    struct tm tm = {0};
    tm.tm_year = (int)strtol(iso, NULL, 10) - 1900;
    tm.tm_mon = (int)strtol(iso + 5, NULL, 10) - 1;
    tm.tm_mday = (int)strtol(iso + 8, NULL, 10);
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm out;
    gmtime_r(&t, &out);
    return arena_printf(a, "%s %d %s %d", days[out.tm_wday], out.tm_mday, months[out.tm_mon], out.tm_year + 1900);
}

/* ---- the sender ---- */

enum { MAX_REPLY = 64 * 1024, PAGE = 200, MAX_COUNCILS = 1024, MAX_BACKOFF = 6 * 3600 };

/* The outcome of one attempt. */
typedef struct {
    int ok;          /* 1: handed over */
    int permanent;   /* 1: trying again cannot help (the provider refused the message itself) */
    char ref[200];   /* the provider's reference */
    char error[400]; /* why it failed */
} attempt;

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    buf *b = ctx;
    return buf_append(b, data, size * n) == 0 ? size * n : 0;
}

typedef struct {
    const char *p;
    size_t left;
} reader;

static size_t feed(char *out, size_t size, size_t n, void *ctx)
{
    reader *r = ctx;
    size_t k = size * n < r->left ? size * n : r->left;
    memcpy(out, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

/* 1 if s is plain printable ASCII (a header may carry it as it is). */
static int plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

/* Appends s to b as an RFC 2047 encoded word when it is not plain ASCII. */
static void put_header_text(buf *b, const char *s)
{
    if (plain_ascii(s)) {
        buf_puts(b, s);
        return;
    }
    size_t n = strlen(s), cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *enc = xmalloc(cap);
    sodium_bin2base64(enc, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    buf_printf(b, "=?UTF-8?B?%s?=", enc);
    free(enc);
}

/* The domain of an address ("a@b.org" -> "b.org"), for Message-IDs. */
static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at && at[1] ? at + 1 : "localhost";
}

static void send_email(const outbox_opts *o, CURL *h, long long council, const record *n, attempt *out)
{
    const char *to = rec_str(n, "recipient");
    buf msg;
    buf_init(&msg, 64 * 1024);
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    snprintf(out->ref, sizeof out->ref, "<notification-%lld-%lld@%s>", council, n->id, domain_of(o->mail_from));
    buf_printf(&msg, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nMessage-ID: %s\r\nSubject: ", date, o->mail_from, to, out->ref);
    put_header_text(&msg, rec_str(n, "subject") ? rec_str(n, "subject") : "A message from the council");
    buf_puts(&msg, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n\r\n");
    for (const char *b = rec_str(n, "body"); *b; b++) {
        if (*b == '\n' && (b == rec_str(n, "body") || b[-1] != '\r'))
            buf_append(&msg, "\r", 1);
        buf_append(&msg, b, 1);
    }
    buf_puts(&msg, "\r\n");
    curl_easy_reset(h); /* keeps the connection */
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    char from[300];
    snprintf(from, sizeof from, "<%s>", o->mail_from);
    reader rd = {msg.p, msg.len};
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, o->smtp_url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, feed);
    curl_easy_setopt(h, CURLOPT_READDATA, &rd);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    if (o->smtp_user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, o->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, o->smtp_password ? o->smtp_password : "");
    }
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        out->ok = 1;
    } else {
        snprintf(out->error, sizeof out->error, "smtp: %s%s%s (last reply %ld)", curl_easy_strerror(rc),
                 *cerr ? ": " : "", cerr, code);
        /* A 5xx refusal of the message or its recipient (550 no such user)
         * is final; a 4xx, a lost connection or a refused login may pass. */
        out->permanent = code >= 500 && code <= 599 && code != 530 && code != 535 && rc != CURLE_LOGIN_DENIED;
    }
    curl_slist_free_all(rcpt);
    buf_free(&msg);
}

/* base64url without padding of n bytes into out (from a). */
static char *b64url(const void *p, size_t n, arena *a)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, cap);
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* The bearer token Notify wants: a JWT (HS256) with iss = the service id
 * and iat = now, signed with the key's secret. The key is
 * "{name}-{service id (36)}-{secret (36)}". NULL if the key is malformed. */
static const char *notify_jwt(const char *key, arena *a)
{
    size_t n = key ? strlen(key) : 0;
    if (n < 74 || key[n - 37] != '-')
        return NULL;
    char iss[37];
    memcpy(iss, key + n - 73, 36);
    iss[36] = 0;
    const char *secret = key + n - 36;
    const char *header = b64url("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", 27, a);
    const char *claims_json = arena_printf(a, "{\"iss\":\"%s\",\"iat\":%lld}", iss, (long long)time(NULL));
    const char *claims = b64url(claims_json, strlen(claims_json), a);
    const char *signing = arena_printf(a, "%s.%s", header, claims);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, 36);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)signing, strlen(signing));
    crypto_auth_hmacsha256_final(&st, mac);
    return arena_printf(a, "%s.%s", signing, b64url(mac, sizeof mac, a));
}

static void send_sms(const outbox_opts *o, CURL *h, const record *n, arena *a, attempt *out)
{
    const char *jwt = notify_jwt(o->notify_key, a);
    if (!jwt) {
        snprintf(out->error, sizeof out->error,
                 "sms: the Notify API key (FD_NOTIFY_API_KEY) is missing or not name-serviceid-secret");
        return;
    }
    json_t *req = json_pack("{s:s, s:s, s:{s:s}, s:s}", "phone_number", rec_str(n, "recipient"), "template_id",
                            o->notify_template ? o->notify_template : "", "personalisation", "body",
                            rec_str(n, "body"), "reference", arena_printf(a, "notification-%lld", n->id));
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    const char *url = arena_printf(a, "%s%s/v2/notifications/sms", o->notify_url,
                                   o->notify_url[strlen(o->notify_url) - 1] == '/' ? "." : "");
    curl_easy_reset(h); /* keeps the connection */
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    hd = curl_slist_append(hd, arena_printf(a, "Authorization: Bearer %s", jwt));
    hd = curl_slist_append(hd, "User-Agent: frontdoor");
    buf reply;
    buf_init(&reply, MAX_REPLY);
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    json_t *ans = rc == CURLE_OK ? json_loads(buf_str(&reply), 0, NULL) : NULL;
    if (rc != CURLE_OK) {
        snprintf(out->error, sizeof out->error, "sms: %s%s%s", curl_easy_strerror(rc), *cerr ? ": " : "", cerr);
    } else if (code == 201 || code == 200) {
        const char *id = json_string_value(json_object_get(ans, "id"));
        if (id) {
            out->ok = 1;
            snprintf(out->ref, sizeof out->ref, "%s", id);
        } else {
            snprintf(out->error, sizeof out->error, "sms: HTTP %ld without a notification id", code);
        }
    } else {
        /* Notify's errors: {"errors": [{"error": "...", "message": "..."}]}. */
        json_t *e0 = json_array_get(json_object_get(ans, "errors"), 0);
        const char *why = json_string_value(json_object_get(e0, "message"));
        snprintf(out->error, sizeof out->error, "sms: HTTP %ld%s%.300s", code, why ? ": " : "", why ? why : "");
        /* 400: the message itself is refused (a bad number, say); 403 (the
         * key), 429 (the rate limit) and 5xx may pass. */
        out->permanent = code == 400;
    }
    json_decref(ans);
    free(body);
    buf_free(&reply);
    curl_slist_free_all(hd);
}

/* A letter goes to the print spool: DIR/letter-<council>-<id>.txt, written
 * to a temporary name and renamed, so the print run never sees half a
 * letter. */
static void send_letter(const outbox_opts *o, long long council, const record *n, arena *a, attempt *out)
{
    const char *name = arena_printf(a, "letter-%lld-%lld.txt", council, n->id);
    const char *path = arena_printf(a, "%s/%s", o->letters_dir, name);
    const char *tmp = arena_printf(a, "%s/.%s.tmp", o->letters_dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(out->error, sizeof out->error, "letter: %s: %s", tmp, strerror(errno));
        return;
    }
    char today[11];
    time_today(today);
    fprintf(f, "%s\n\n%s\n\n%s\n\n%s\n", rec_str(n, "recipient"), outbox_date_words(today, a),
            rec_str(n, "subject") ? rec_str(n, "subject") : "", rec_str(n, "body"));
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        snprintf(out->error, sizeof out->error, "letter: %s: %s", path, strerror(errno));
        unlink(tmp);
        return;
    }
    out->ok = 1;
    snprintf(out->ref, sizeof out->ref, "print:%s", name);
}

/* 1 if the channel has somewhere to go. */
static int channel_ready(const outbox_opts *o, const char *ch)
{
    return (!strcmp(ch, "email") && o->smtp_url) || (!strcmp(ch, "sms") && o->notify_url) ||
           (!strcmp(ch, "letter") && o->letters_dir);
}

/* Claims, sends and records one due row. */
/* One pass's libcurl handles: kept across its messages, so the SMTP
 * server's and the Notify API's connections are reused. */
typedef struct {
    CURL *smtp, *http;
} handles;

static int send_one(store_conn *c, long long council, const outbox_opts *o, handles *hs, record *n, arena *a,
                    outbox_report *rep)
{
    char now[21], later[21];
    long long t = (long long)time(NULL);
    time_now_iso(now);
    time_iso_from(t + o->lease, later);
    long long tries = rec_int(n, "attempts") + 1;
    rec_set_str(n, "next_attempt_at", later);
    rec_set_int(n, "attempts", tries);
    int rc = store_update(c, council, n, n->version);
    if (rc == STORE_CONFLICT || rc == STORE_NOTFOUND) {
        rep->skipped++; /* another sender took it */
        return STORE_OK;
    }
    if (rc != STORE_OK)
        return rc;
    attempt at = {0};
    const char *ch = rec_str(n, "channel");
    record per;
    if (rec_int(n, "person_id") && store_get(c, council, &person_def, rec_int(n, "person_id"), a, &per) == STORE_OK &&
        (rec_str(&per, "erased_at") || rec_str(&per, "date_of_death"))) {
        /* Erased or died since it was queued: it is not sent. */
        at.permanent = 1;
        snprintf(at.error, sizeof at.error, "not sent: the person %s since it was queued",
                 rec_str(&per, "erased_at") ? "was erased" : "has died");
    } else if (!strcmp(ch, "email"))
        send_email(o, hs->smtp, council, n, &at);
    else if (!strcmp(ch, "sms"))
        send_sms(o, hs->http, n, a, &at);
    else
        send_letter(o, council, n, a, &at);
    time_now_iso(now);
    if (at.ok) {
        rec_set_str(n, "status", "sent");
        rec_set_str(n, "sent_at", now);
        rec_set_str(n, "provider_ref", arena_strdup(a, at.ref));
        rec_set_str(n, "next_attempt_at", NULL);
        rec_set_str(n, "last_error", NULL);
        rep->sent++;
    } else {
        rec_set_str(n, "last_error", arena_strdup(a, at.error));
        if (at.permanent || tries >= o->max_attempts) {
            rec_set_str(n, "status", "failed");
            rec_set_str(n, "next_attempt_at", NULL);
            rep->failed++;
            log_warn("outbox: notification %lld (%s) failed after %lld attempt(s): %s", n->id, ch, tries, at.error);
        } else {
            long long wait = o->backoff;
            for (long long k = 1; k < tries && wait < MAX_BACKOFF; k++)
                wait *= 2;
            if (wait > MAX_BACKOFF)
                wait = MAX_BACKOFF;
            time_iso_from((long long)time(NULL) + wait, later);
            rec_set_str(n, "next_attempt_at", later);
            rep->retried++;
        }
    }
    rc = store_update(c, council, n, n->version);
    if (rc == STORE_CONFLICT) {
        log_warn("outbox: notification %lld changed while it was being sent (its lease ran out?)", n->id);
        return STORE_OK;
    }
    return rc;
}

int outbox_send_due(store *s, const outbox_opts *o, outbox_report *rep, char *err, size_t errlen)
{
    store_conn *c = store_conn_get(s, err, errlen);
    if (!c)
        return -1;
    long long councils[MAX_COUNCILS];
    int nc = 0;
    if (store_councils(c, councils, MAX_COUNCILS, &nc) != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(c));
        return -1;
    }
    handles hs = {curl_easy_init(), curl_easy_init()};
    int failed = 0;
    for (int k = 0; k < nc && !failed; k++) {
        char now[21];
        time_now_iso(now);
        /* Due now: next_attempt_at up to and including this second. */
        char cutoff[21];
        time_iso_from((long long)time(NULL) + 1, cutoff);
        long long after = 0;
        for (;;) {
            arena *a = arena_new();
            record *rows;
            int n;
            int rc = store_list_before(c, councils[k], &notification_def, "next_attempt_at", cutoff, after, PAGE, a,
                                       &rows, &n);
            for (int i = 0; rc == STORE_OK && i < n; i++) {
                after = rows[i].id;
                const char *st = rec_str(&rows[i], "status");
                if (!st || strcmp(st, "queued") || !channel_ready(o, rec_str(&rows[i], "channel")))
                    continue;
                rc = send_one(c, councils[k], o, &hs, &rows[i], a, rep);
            }
            arena_free(a);
            if (rc != STORE_OK) {
                snprintf(err, errlen, "%s", store_errmsg(c));
                failed = 1;
                break;
            }
            if (n < PAGE)
                break;
        }
    }
    curl_easy_cleanup(hs.smtp);
    curl_easy_cleanup(hs.http);
    return failed ? -1 : 0;
}

static struct {
    ticker tick;
    int running;
    store *s;
    outbox_opts o;
    long long next_slip;
} W = {.tick = TICKER_INIT};

/* The slip warnings for every council, as of today. */
static void slip_pass(store *s, const void *cat)
{
    char err[256], today[11];
    store_conn *c = store_conn_get(s, err, sizeof err);
    long long councils[MAX_COUNCILS];
    int nc = 0;
    if (!c || store_councils(c, councils, MAX_COUNCILS, &nc) != STORE_OK) {
        log_error("slip warnings: %s", c ? store_errmsg(c) : err);
        return;
    }
    time_today(today);
    for (int k = 0; k < nc; k++) {
        int warned = 0;
        if (outbox_slip_warnings(c, councils[k], cat, today, &warned, NULL, 0) != STORE_OK)
            log_error("slip warnings: council %lld: %s", councils[k], store_errmsg(c));
        else if (warned)
            log_info("slip warnings: council %lld: %d resident(s) told their request will be late", councils[k],
                     warned);
    }
}

static void send_due(void *arg)
{
    (void)arg;
    outbox_report rep = {0};
    char err[512];
    if (W.o.slip_every > 0 && (long long)time(NULL) >= W.next_slip) {
        W.next_slip = (long long)time(NULL) + W.o.slip_every;
        slip_pass(W.s, W.o.cat);
    }
    if (outbox_send_due(W.s, &W.o, &rep, err, sizeof err) != 0)
        log_error("outbox: %s", err);
    else if (rep.sent || rep.retried || rep.failed)
        log_info("outbox: %d sent, %d to retry, %d failed", rep.sent, rep.retried, rep.failed);
}

static const char *keep(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void outbox_start(store *s, const outbox_opts *o)
{
    if (o->every <= 0)
        return;
    W.s = s;
    W.o = *o;
    W.o.smtp_url = keep(o->smtp_url);
    W.o.smtp_user = keep(o->smtp_user);
    W.o.smtp_password = keep(o->smtp_password);
    W.o.mail_from = keep(o->mail_from ? o->mail_from : "frontdoor@localhost");
    W.o.notify_url = keep(o->notify_url);
    W.o.notify_key = keep(o->notify_key);
    W.o.notify_template = keep(o->notify_template);
    W.o.letters_dir = keep(o->letters_dir);
    if (W.o.max_attempts < 1)
        W.o.max_attempts = 1;
    if (W.o.backoff < 1)
        W.o.backoff = 1;
    if (W.o.lease < 10)
        W.o.lease = 10;
    W.running = 1;
    W.next_slip = 0;
    log_info("outbox: email %s, SMS %s, letters %s", W.o.smtp_url ? "by SMTP" : "waiting (no --smtp)",
             W.o.notify_url ? "by Notify" : "waiting (no --notify-url)",
             W.o.letters_dir ? "to the print spool" : "waiting (no --letters)");
    W.tick.run = send_due;
    W.tick.every_ms = W.o.every * 1000L;
    ticker_start(&W.tick);
}

void outbox_stop(void)
{
    if (!W.running)
        return;
    ticker_stop(&W.tick);
    W.running = 0;
    const char **ss[] = {&W.o.smtp_url,   &W.o.smtp_user,      &W.o.smtp_password, &W.o.mail_from,
                         &W.o.notify_url, &W.o.notify_key, &W.o.notify_template, &W.o.letters_dir};
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) {
        free((void *)(uintptr_t)*ss[i]);
        *ss[i] = NULL;
    }
}
