/* test_outbox: the outbox without a network: whom a message about a request
 * goes to, dates in words, the sender's letter spool, retries, giving up,
 * channels left waiting, and "it will be late" once only. Each test uses a
 * fresh SQLite file under a temporary directory. (Email and SMS against
 * real servers: tests/http/outbox.test.js.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/arena.h"
#include "base/timeutil.h"
#include "core/entities.h"
#include "jobs/outbox.h"
#include "store/store.h"

typedef struct {
    char dir[64];
    char spool[96];
    store *s;
    store_conn *c;
    arena *a;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/fd_outbox_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->spool, sizeof f->spool, "%s/letters", f->dir);
    mkdir(f->spool, 0700);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/t.db", f->dir);
    f->s = store_open(path, NULL, err, sizeof err);
    if (!f->s)
        return -1;
    f->c = store_conn_get(f->s, err, sizeof err);
    if (!f->c || store_migrate(f->c, NULL) != STORE_OK)
        return -1;
    f->a = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    arena_free(f->a);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static record request_with(fixture *f, const char *email, const char *phone)
{
    record r;
    record_init(&r, &request_def);
    rec_set_str(&r, "service", "pothole");
    rec_set_str(&r, "description", "hole");
    rec_set_str(&r, "address", "1 Elm Road");
    rec_set_str(&r, "status", "received");
    rec_set_str(&r, "promised_date", "2026-11-30");
    if (email)
        rec_set_str(&r, "contact_email", email);
    if (phone)
        rec_set_str(&r, "contact_phone", phone);
    assert_int_equal(store_insert(f->c, 1, &r), STORE_OK);
    return r;
}

static int count_about(fixture *f, long long id, record **rows)
{
    int n;
    assert_int_equal(store_list(f->c, 1, &notification_def, "about_id", id, 0, 100, f->a, rows, &n), STORE_OK);
    return n;
}

static void test_date_words(void **state)
{
    fixture *f = *state;
    assert_string_equal(outbox_date_words("2026-11-25", f->a), "Wednesday 25 November 2026");
    assert_string_equal(outbox_date_words("2027-01-01", f->a), "Friday 1 January 2027");
    assert_string_equal(outbox_date_words("soon", f->a), "soon");
}

/* A reporter who is not a known person: their email, else their phone, else nobody. */
static void test_queue_request_recipient(void **state)
{
    fixture *f = *state;
    record *rows;
    record a = request_with(f, "sam@example.org", "07700 900123");
    assert_int_equal(outbox_queue_request(f->c, 1, &a, "s", "b", f->a), STORE_OK);
    assert_int_equal(count_about(f, a.id, &rows), 1);
    assert_string_equal(rec_str(&rows[0], "channel"), "email");
    assert_string_equal(rec_str(&rows[0], "recipient"), "sam@example.org");
    assert_string_equal(rec_str(&rows[0], "status"), "queued");
    record b = request_with(f, NULL, "07700 900123");
    assert_int_equal(outbox_queue_request(f->c, 1, &b, "s", "b", f->a), STORE_OK);
    assert_int_equal(count_about(f, b.id, &rows), 1);
    assert_string_equal(rec_str(&rows[0], "channel"), "sms");
    record c = request_with(f, NULL, NULL);
    assert_int_equal(outbox_queue_request(f->c, 1, &c, "s", "b", f->a), STORE_OK);
    assert_int_equal(count_about(f, c.id, &rows), 0);
}

static outbox_opts opts_for(fixture *f)
{
    outbox_opts o = {.letters_dir = f->spool, .mail_from = "council@example.gov.uk", .every = 1, .max_attempts = 2,
                     .backoff = 60, .lease = 120};
    return o;
}

/* A letter goes to the spool, whole, and is recorded as sent. */
static void test_letter_spooled(void **state)
{
    fixture *f = *state;
    long long id;
    assert_int_equal(outbox_queue_to(f->c, 1, "letter", "1 Elm Road, London, SE1 1AA", "Your request", "Hello\nthere",
                                     "request", 7, &id),
                     STORE_OK);
    outbox_opts o = opts_for(f);
    outbox_report rep = {0};
    char err[256];
    assert_int_equal(outbox_send_due(f->s, &o, &rep, err, sizeof err), 0);
    assert_int_equal(rep.sent, 1);
    record n;
    assert_int_equal(store_get(f->c, 1, &notification_def, id, f->a, &n), STORE_OK);
    assert_string_equal(rec_str(&n, "status"), "sent");
    assert_int_equal(rec_int(&n, "attempts"), 1);
    assert_null(rec_str(&n, "next_attempt_at"));
    assert_non_null(rec_str(&n, "sent_at"));
    char want[64], path[200];
    snprintf(want, sizeof want, "print:letter-1-%lld.txt", id);
    assert_string_equal(rec_str(&n, "provider_ref"), want);
    snprintf(path, sizeof path, "%s/letter-1-%lld.txt", f->spool, id);
    char *text = file_read(path, 4096, NULL, err, sizeof err);
    assert_non_null(text);
    assert_non_null(strstr(text, "1 Elm Road, London, SE1 1AA\n"));
    assert_non_null(strstr(text, "Your request\n\nHello\nthere\n"));
    free(text);
    /* Sent once: the next pass has nothing to do. */
    outbox_report again = {0};
    assert_int_equal(outbox_send_due(f->s, &o, &again, err, sizeof err), 0);
    assert_int_equal(again.sent, 0);
}

/* Email with nothing listening: retried later, then failed after max_attempts;
 * SMS without --notify-url: left queued, untouched. */
static void test_retry_then_fail(void **state)
{
    fixture *f = *state;
    long long mail, sms;
    assert_int_equal(outbox_queue_to(f->c, 1, "email", "sam@example.org", "s", "b", "request", 1, &mail), STORE_OK);
    assert_int_equal(outbox_queue_to(f->c, 1, "sms", "07700 900123", NULL, "b", "request", 1, &sms), STORE_OK);
    outbox_opts o = opts_for(f);
    o.smtp_url = "smtp://127.0.0.1:1"; /* nothing listens on port 1 */
    outbox_report rep = {0};
    char err[256], now[21];
    assert_int_equal(outbox_send_due(f->s, &o, &rep, err, sizeof err), 0);
    assert_int_equal(rep.retried, 1);
    record n;
    assert_int_equal(store_get(f->c, 1, &notification_def, mail, f->a, &n), STORE_OK);
    assert_string_equal(rec_str(&n, "status"), "queued");
    assert_int_equal(rec_int(&n, "attempts"), 1);
    assert_non_null(strstr(rec_str(&n, "last_error"), "smtp:"));
    time_now_iso(now);
    assert_true(strcmp(rec_str(&n, "next_attempt_at"), now) > 0); /* backoff: not before a minute */
    /* Not due yet: a second pass leaves it. */
    outbox_report none = {0};
    assert_int_equal(outbox_send_due(f->s, &o, &none, err, sizeof err), 0);
    assert_int_equal(none.retried + none.failed, 0);
    /* Due again (as if the minute passed): the second failure is the last. */
    rec_set_str(&n, "next_attempt_at", "2000-01-01T00:00:00Z");
    assert_int_equal(store_update(f->c, 1, &n, n.version), STORE_OK);
    outbox_report last = {0};
    assert_int_equal(outbox_send_due(f->s, &o, &last, err, sizeof err), 0);
    assert_int_equal(last.failed, 1);
    assert_int_equal(store_get(f->c, 1, &notification_def, mail, f->a, &n), STORE_OK);
    assert_string_equal(rec_str(&n, "status"), "failed");
    assert_int_equal(rec_int(&n, "attempts"), 2);
    assert_null(rec_str(&n, "next_attempt_at"));
    assert_int_equal(store_get(f->c, 1, &notification_def, sms, f->a, &n), STORE_OK);
    assert_string_equal(rec_str(&n, "status"), "queued");
    assert_int_equal(rec_int(&n, "attempts"), 0);
}

/* "It will be late": not for a request made today, once on its day, never twice. */
static void test_slip_once(void **state)
{
    fixture *f = *state;
    char today[11];
    time_today(today);
    record r = request_with(f, "sam@example.org", NULL);
    rec_set_str(&r, "promised_date", "2099-06-10");
    assert_int_equal(store_update(f->c, 1, &r, r.version), STORE_OK);
    long long ids[4];
    int warned = -1;
    assert_int_equal(outbox_slip_warnings(f->c, 1, NULL, today, &warned, ids, 4), STORE_OK);
    assert_int_equal(warned, 0);
    assert_int_equal(outbox_slip_warnings(f->c, 1, NULL, "2099-06-01", &warned, ids, 4), STORE_OK);
    assert_int_equal(warned, 0); /* more than a working day left */
    assert_int_equal(outbox_slip_warnings(f->c, 1, NULL, "2099-06-09", &warned, ids, 4), STORE_OK);
    assert_int_equal(warned, 1);
    assert_int_equal(ids[0], r.id);
    assert_int_equal(outbox_slip_warnings(f->c, 1, NULL, "2099-06-11", &warned, ids, 4), STORE_OK);
    assert_int_equal(warned, 0);
    record *rows;
    assert_int_equal(count_about(f, r.id, &rows), 1);
    assert_non_null(strstr(rec_str(&rows[0], "body"), "will not be dealt with by Wednesday 10 June 2099"));
    record got;
    assert_int_equal(store_get(f->c, 1, &request_def, r.id, f->a, &got), STORE_OK);
    assert_non_null(rec_str(&got, "slip_warned_at"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_date_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_request_recipient, setup, teardown),
        cmocka_unit_test_setup_teardown(test_letter_spooled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_then_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slip_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
