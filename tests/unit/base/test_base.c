/* test_base: the bounded buffer, the arena, dates, reading a file and the ticker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/thread.h"
#include "base/timeutil.h"

static void buf_respects_its_maximum(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "12345678"), 0);
    assert_int_equal(buf_puts(&b, "9"), -1);
    assert_string_equal(buf_str(&b), "12345678");
    buf_reset(&b);
    assert_int_equal(buf_printf(&b, "%d-%s", 42, "abcdefgh"), -1);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_printf(&b, "%d", 7), 0);
    assert_string_equal(buf_str(&b), "7");
    buf_free(&b);
}

static void buf_escapes_html(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 1024);
    assert_int_equal(buf_put_html(&b, "<a href=\"x\">Tom & 'Jerry'</a>"), 0);
    assert_string_equal(buf_str(&b), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    buf_free(&b);
    buf_init(&b, 6);
    assert_int_equal(buf_put_html(&b, "a<<b"), -1); /* all or nothing */
    assert_string_equal(buf_str(&b), "");
    buf_free(&b);
}

static int cleaned;
static void cleanup(void *arg)
{
    cleaned += *(int *)arg;
}

static void arena_allocates_and_cleans_up(void **state)
{
    (void)state;
    arena *a = arena_new();
    char *s = arena_strdup(a, "hello");
    assert_string_equal(s, "hello");
    assert_string_equal(arena_printf(a, "%s %d", s, 5), "hello 5");
    void *big = arena_alloc(a, 100000); /* larger than a block */
    memset(big, 1, 100000);
    for (int i = 0; i < 1000; i++)
        assert_non_null(arena_alloc(a, 100));
    uintptr_t p = (uintptr_t)arena_alloc(a, 3);
    assert_int_equal(p % 16, 0);
    static int one = 1, two = 2;
    cleaned = 0;
    arena_on_free(a, cleanup, &one);
    arena_on_free(a, cleanup, &two);
    assert_true(arena_used(a) > 100000);
    arena_free(a);
    assert_int_equal(cleaned, 3);
    arena_free(NULL);
}

static void dates_are_checked(void **state)
{
    (void)state;
    assert_true(time_valid_date("2024-02-29"));
    assert_false(time_valid_date("2023-02-29"));
    assert_true(time_valid_date("2000-02-29"));
    assert_false(time_valid_date("1900-02-29"));
    assert_false(time_valid_date("2024-13-01"));
    assert_false(time_valid_date("2024-04-31"));
    assert_false(time_valid_date("24-04-01"));
    assert_false(time_valid_date("2024-4-01"));
    assert_false(time_valid_date("2024-04-01T"));
    char today[11], now[21];
    time_today(today);
    time_now_iso(now);
    assert_true(time_valid_date(today));
    assert_int_equal(strncmp(today, now, 10), 0);
}

/* ---- reading a file ---- */

static void write_file(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc('a' + (int)(i % 26), f);
    assert_int_equal(fclose(f), 0);
}

static void a_file_is_read_whole_or_not_at_all(void **state)
{
    (void)state;
    char dir[] = "/tmp/fd-test-file-XXXXXX", path[64], err[200];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f", dir);
    size_t sizes[] = {0, 1, 65536, 65537, 300000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        write_file(path, sizes[k]);
        size_t len = 99;
        char *t = file_read(path, 300000, &len, err, sizeof err); /* exactly the most is allowed */
        assert_non_null(t);
        assert_int_equal(len, sizes[k]);
        assert_int_equal(strlen(t), sizes[k]);
        if (sizes[k])
            assert_int_equal(t[sizes[k] - 1], 'a' + (int)((sizes[k] - 1) % 26));
        free(t);
    }
    errno = 0;
    assert_null(file_read(path, 299999, NULL, err, sizeof err)); /* one byte too many */
    assert_int_equal(errno, EFBIG);
    assert_non_null(strstr(err, "larger than 299999 bytes"));
    assert_non_null(strstr(err, path));
    unlink(path);
    assert_null(file_read(path, 100, NULL, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "No such file"));
    assert_null(file_read(path, 100, NULL, NULL, 0)); /* no message wanted */
    rmdir(dir);
}

/* ---- the ticker ---- */

typedef struct {
    ticker *t;
    atomic_int runs, stopping_seen, spin; /* spin: the run waits for ticker_stopping */
} job;

static void job_run(void *arg)
{
    job *j = arg;
    atomic_fetch_add(&j->runs, 1);
    while (atomic_load(&j->spin) && !ticker_stopping(j->t)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    if (ticker_stopping(j->t))
        atomic_store(&j->stopping_seen, 1);
}

/* Waits up to 5 s for the job to have run at least n times. */
static int runs_reach(job *j, int n)
{
    for (int i = 0; i < 5000 && atomic_load(&j->runs) < n; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&j->runs) >= n;
}

/* A ticker t that runs job j. */
static void job_ticker(ticker *t, job *j)
{
    j->t = t;
    t->run = job_run;
    t->arg = j;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    nanosleep(&ts, NULL);
}

static void ticker_runs_when_woken_and_stops(void **state)
{
    (void)state;
    ticker t = TICKER_INIT;
    job j = {0};
    job_ticker(&t, &j);
    assert_int_equal(ticker_start(&t), 0);
    assert_true(runs_reach(&j, 1)); /* at once */
    pause_ms(100);
    assert_int_equal(atomic_load(&j.runs), 1); /* every_ms 0: only when woken */
    ticker_wake(&t);
    assert_true(runs_reach(&j, 2));
    ticker_stop(&t);
    int runs = atomic_load(&j.runs);
    pause_ms(50);
    assert_int_equal(atomic_load(&j.runs), runs); /* no run after stop */
    assert_false(atomic_load(&j.stopping_seen));
}

static void ticker_ticks_and_runs_last(void **state)
{
    (void)state;
    ticker t = TICKER_INIT;
    job j = {0};
    job_ticker(&t, &j);
    t.every_ms = 10;
    t.last_run = 1;
    assert_int_equal(ticker_start(&t), 0);
    assert_true(runs_reach(&j, 4)); /* unwoken */
    ticker_stop(&t);
    assert_true(atomic_load(&j.stopping_seen)); /* the last run came after stop */
}

static void ticker_stop_ends_a_long_run(void **state)
{
    (void)state;
    ticker t = TICKER_INIT;
    job j = {0};
    job_ticker(&t, &j);
    atomic_store(&j.spin, 1);
    t.every_ms = 60000;
    assert_int_equal(ticker_start(&t), 0);
    assert_true(runs_reach(&j, 1));
    ticker_stop(&t); /* returns only because the run sees ticker_stopping */
    assert_int_equal(atomic_load(&j.runs), 1);
    assert_true(atomic_load(&j.stopping_seen));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_respects_its_maximum),
        cmocka_unit_test(buf_escapes_html),
        cmocka_unit_test(arena_allocates_and_cleans_up),
        cmocka_unit_test(dates_are_checked),
        cmocka_unit_test(a_file_is_read_whole_or_not_at_all),
        cmocka_unit_test(ticker_runs_when_woken_and_stops),
        cmocka_unit_test(ticker_ticks_and_runs_last),
        cmocka_unit_test(ticker_stop_ends_a_long_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
