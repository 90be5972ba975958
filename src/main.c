/* main.c: the `frontdoor` command.
 *
 *   frontdoor serve   [--db FILE | --pg URL] [--listen HOST:PORT] [--threads N] ...
 *   frontdoor demo    [--db FILE | --pg URL] [--people N] [--seed N] [--history PERCENT]
 *   frontdoor migrate [--db FILE | --pg URL]
 *
 * A bad flag or an unreachable database is one line on stderr and exit
 * code 2; success is 0. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/file.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/catalogue.h"
#include "core/lifeevent.h"
#include "core/kb.h"
#include "core/route_enquiry.h"
#include "jobs/route_cmd.h"
#include "web/api_kb.h"
#include "core/entities.h"
#include "demo/demo.h"
#include "jobs/jobs.h"
#include "jobs/linkage.h"
#include "jobs/outbox.h"
#include "jobs/master.h"
#include "store/store.h"
#include "web/auth.h"
#include "web/server.h"
#include "web/open311.h"

typedef struct {
    const char *db, *pg, *listen, *access_log;
    const char *email, *name, *role, *department, *scopes, *rules, *as_of, *catalogue_dir, *service, *csv, *static_dir;
    const char *host;
    long long person, retention_every, council;
    const char *smtp, *mail_from, *notify_url, *notify_template, *letters;
    const char *jurisdiction;
    long long outbox_every, outbox_attempts, outbox_backoff, slip_every;
    long long threads, people, seed, max_body, timeout;
    long long history; /* demo: percent of Southwark's 2009-2011 contacts */
    int help;
} opts;

static const char *usage_main =
    "usage: frontdoor COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  serve     serve the web application and the JSON API\n"
    "  demo      create a synthetic borough (people, households, properties)\n"
    "  migrate   bring the database schema up to date\n"
    "  retention apply the retention periods now (serve does it hourly)\n"
    "  offers --all  who is missing out on which service, borough-wide\n"
    "  link      link two FEBRL CSV files (pairs with scores, CSV)\n"
    "  dedupe    find duplicate records in a FEBRL CSV file\n"
    "  import    load a departmental system's records (CSV) and link each to a person\n"
    "  user add  add a staff user or a resident's account (password on stdin)\n"
    "  token create  make an API token for a system (printed once)\n"
    "  council add   add a council to a shared deployment; council list: the councils\n"
    "  open311-key create  make an Open311 client's api_key (printed once)\n"
    "  route-enquiry route a free-text enquiry to a service or signpost; --eval FILE measures it\n"
    "\n"
    "Run 'frontdoor COMMAND --help' for a command's options.\n";

static const char *usage_db = "  --db FILE         SQLite database file (default frontdoor.db)\n"
                              "  --pg URL          PostgreSQL instead, e.g. postgresql://user@127.0.0.1/frontdoor\n";
static const char *usage_council_opt = "  --council ID      the council (default 1; see 'frontdoor council list')\n";

static const char *usage_serve =
    "usage: frontdoor serve [options]\n"
    "Serves HTTP until SIGTERM or SIGINT; requests in flight finish first.\n"
    "Applies pending migrations at start.\n\n"
    "%s"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --threads N       worker threads (default: one per core)\n"
    "  --max-body BYTES  largest request body accepted (default 1048576)\n"
    "  --timeout SECS    idle connection timeout (default 30)\n"
    "  --access-log FILE append access log lines to FILE; '-' stdout (default), 'off' none\n"
    "  --retention FILE  retention periods (default catalogue/retention.tsv)\n"
    "  --retention-every SECS  apply them every SECS seconds (default 3600; 0 = never)\n"
    "  --catalogue DIR   the council's catalogue: services.txt (default catalogue)\n"
    "  --static DIR      GOV.UK Frontend's built files, served at /static/ and /assets/ (default static)\n"
    "  --council ID      the council for requests whose Host names no council (default 1)\n"
    "  --smtp URL        send email through this SMTP server, e.g. smtp://127.0.0.1:25 (smtps:// for TLS;\n"
    "                    FD_SMTP_USER and FD_SMTP_PASSWORD from the environment for AUTH)\n"
    "  --mail-from ADDR  the From address of email (default frontdoor@localhost)\n"
    "  --notify-url URL  send SMS through this GOV.UK Notify-compatible API, e.g.\n"
    "                    https://api.notifications.service.gov.uk (key: FD_NOTIFY_API_KEY in the environment)\n"
    "  --notify-template ID  the Notify SMS template, whose one placeholder is ((body))\n"
    "  --letters DIR     put letters in this print spool directory\n"
    "  --outbox-every SECS   send what is due every SECS seconds (default 2; 0 = never)\n"
    "  --outbox-attempts N   attempts before a message is marked failed (default 8)\n"
    "  --outbox-backoff SECS wait before the first retry, doubling each time (default 30)\n"
    "  --slip-every SECS tell residents when a request will be late, every SECS seconds (default 3600; 0 = never)\n"
    "  --jurisdiction ID the Open311 jurisdiction_id this server answers for (e.g. lambeth.gov.uk);\n"
    "                    without it jurisdiction_id is ignored. Open311 services: CATALOGUE/open311.txt\n";

static const char *usage_demo =
    "usage: frontdoor demo [options]\n"
    "Creates a deterministic synthetic inner-London borough in an empty database\n"
    "(migrating it first).\n\n"
    "%s"
    "  --people N        residents to create (default 290000)\n"
    "  --seed N          random seed (default 1); the same seed gives the same borough\n"
    "  --catalogue DIR   the services whose take-up is seeded (default catalogue)\n"
    "  --council ID      the council to fill (default 1; it must hold no people yet)\n"
    "  --history PERCENT contacts from 2009 to 2011 following Southwark's volumes and channel mix:\n"
    "                    this percentage of its 5.45 million (default 1; 100 for all; 0 for none),\n"
    "                    fewer in proportion for fewer than 290000 people\n";

static const char *usage_migrate = "usage: frontdoor migrate [options]\n"
                                   "Applies the schema migrations not yet applied, each in one transaction.\n\n"
                                   "%s";

static int bad(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "frontdoor %s: %s%s%s (see 'frontdoor %s --help')\n", cmd, msg, arg ? ": " : "", arg ? arg : "",
            cmd);
    return 2;
}

static int number(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses argv[2..] for cmd; allowed lists the flags this command takes. */
static int parse(const char *cmd, int argc, char **argv, const char *const *allowed, opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *f = argv[i];
        if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
            o->help = 1;
            return 0;
        }
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(*a, f))
                ok = 1;
        if (!ok)
            return bad(cmd, "unknown option", f);
        if (i + 1 >= argc)
            return bad(cmd, "option needs a value", f);
        const char *v = argv[++i];
        if (!strcmp(f, "--db"))
            o->db = v;
        else if (!strcmp(f, "--pg"))
            o->pg = v;
        else if (!strcmp(f, "--listen"))
            o->listen = v;
        else if (!strcmp(f, "--access-log"))
            o->access_log = v;
        else if (!strcmp(f, "--email"))
            o->email = v;
        else if (!strcmp(f, "--name"))
            o->name = v;
        else if (!strcmp(f, "--role"))
            o->role = v;
        else if (!strcmp(f, "--department"))
            o->department = v;
        else if (!strcmp(f, "--scopes"))
            o->scopes = v;
        else if (!strcmp(f, "--retention") || !strcmp(f, "--rules"))
            o->rules = v;
        else if (!strcmp(f, "--as-of"))
            o->as_of = v;
        else if (!strcmp(f, "--catalogue"))
            o->catalogue_dir = v;
        else if (!strcmp(f, "--service"))
            o->service = v;
        else if (!strcmp(f, "--static"))
            o->static_dir = v;
        else if (!strcmp(f, "--csv"))
            o->csv = v;
        else if (!strcmp(f, "--host"))
            o->host = v;
        else if (!strcmp(f, "--council") && number(v, 1, (long long)1 << 62, &o->council) != 0)
            return bad(cmd, "--council must be a council's id (see 'frontdoor council list'), not", v);
        else if (!strcmp(f, "--smtp"))
            o->smtp = v;
        else if (!strcmp(f, "--mail-from"))
            o->mail_from = v;
        else if (!strcmp(f, "--notify-url"))
            o->notify_url = v;
        else if (!strcmp(f, "--notify-template"))
            o->notify_template = v;
        else if (!strcmp(f, "--letters"))
            o->letters = v;
        else if (!strcmp(f, "--jurisdiction"))
            o->jurisdiction = v;
        else if (!strcmp(f, "--outbox-every") && number(v, 0, 3600, &o->outbox_every) != 0)
            return bad(cmd, "--outbox-every must be from 0 (off) to 3600 seconds, not", v);
        else if (!strcmp(f, "--outbox-attempts") && number(v, 1, 100, &o->outbox_attempts) != 0)
            return bad(cmd, "--outbox-attempts must be from 1 to 100, not", v);
        else if (!strcmp(f, "--outbox-backoff") && number(v, 1, 86400, &o->outbox_backoff) != 0)
            return bad(cmd, "--outbox-backoff must be from 1 to 86400 seconds, not", v);
        else if (!strcmp(f, "--slip-every") && number(v, 0, 7 * 86400, &o->slip_every) != 0)
            return bad(cmd, "--slip-every must be from 0 (off) to 604800 seconds, not", v);
        else if (!strcmp(f, "--retention-every") && number(v, 0, 7 * 86400, &o->retention_every) != 0)
            return bad(cmd, "--retention-every must be from 0 (off) to 604800 seconds, not", v);
        else if (!strcmp(f, "--person") && number(v, 1, (long long)1 << 62, &o->person) != 0)
            return bad(cmd, "--person must be a person's id, not", v);
        else if (!strcmp(f, "--threads") && number(v, 1, 256, &o->threads) != 0)
            return bad(cmd, "--threads must be a whole number from 1 to 256, not", v);
        else if (!strcmp(f, "--people") && number(v, 1, 10000000, &o->people) != 0)
            return bad(cmd, "--people must be a whole number from 1 to 10000000, not", v);
        else if (!strcmp(f, "--history") && number(v, 0, 100, &o->history) != 0)
            return bad(cmd, "--history must be a percentage from 0 to 100, not", v);
        else if (!strcmp(f, "--seed") && number(v, 0, (long long)1 << 62, &o->seed) != 0)
            return bad(cmd, "--seed must be a non-negative whole number, not", v);
        else if (!strcmp(f, "--max-body") && number(v, 1024, 64LL << 20, &o->max_body) != 0)
            return bad(cmd, "--max-body must be from 1024 to 67108864 bytes, not", v);
        else if (!strcmp(f, "--timeout") && number(v, 1, 3600, &o->timeout) != 0)
            return bad(cmd, "--timeout must be from 1 to 3600 seconds, not", v);
    }
    if (o->db && o->pg)
        return bad(cmd, "give --db or --pg, not both", NULL);
    return 0;
}

/* Opens and migrates the store; one line and NULL on failure. */
static store *open_store(const char *cmd, const opts *o)
{
    char err[512];
    store *s = store_open(o->pg ? NULL : (o->db ? o->db : "frontdoor.db"), o->pg, err, sizeof err);
    if (!s) {
        fprintf(stderr, "frontdoor %s: %s\n", cmd, err);
        return NULL;
    }
    store_conn *c = store_conn_get(s, err, sizeof err);
    int applied = 0;
    if (!c || store_migrate(c, &applied) != STORE_OK) {
        fprintf(stderr, "frontdoor %s: %s\n", cmd, c ? store_errmsg(c) : err);
        store_close(s);
        return NULL;
    }
    if (applied)
        log_info("applied %d migration(s); schema at version %d", applied, store_schema_version(c));
    return s;
}

/* A host name as a Host header carries it: letters, digits, '-' and '.'. */
static int host_ok(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
            return 0;
    return 1;
}

/* 0 if council id exists; else one line and -1. */
static int council_exists_or_say(const char *cmd, store_conn *c, long long id)
{
    long long ids[1000];
    int n = 0;
    if (!c || store_councils(c, ids, 1000, &n) != STORE_OK) {
        fprintf(stderr, "frontdoor %s: %s\n", cmd, c ? store_errmsg(c) : "no database connection");
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 0;
    fprintf(stderr, "frontdoor %s: there is no council %lld (see 'frontdoor council list')\n", cmd, id);
    return -1;
}

/* The catalogue's files, each parsed into the catalogue by a parser of
 * one shape. */
typedef int (*catalogue_parser)(const char *text, const char *path, catalogue *c, char *err, size_t errlen);

static int parse_holidays(const char *text, const char *path, catalogue *c, char *err, size_t errlen)
{
    return holidays_parse(text, path, &c->bank_holidays, err, errlen);
}

static int known_service(const char *slug, void *ctx)
{
    return catalogue_find(ctx, slug) != NULL;
}

static int parse_locations(const char *text, const char *path, catalogue *c, char *err, size_t errlen)
{
    return locations_parse(text, path, known_service, c, &c->locations, err, errlen);
}

static int parse_costs(const char *text, const char *path, catalogue *c, char *err, size_t errlen)
{
    return catalogue_parse_costs(c, text, path, contact_channel_choices, err, errlen);
}

static int parse_articles(const char *text, const char *path, catalogue *c, char *err, size_t errlen)
{
    return kb_parse(text, path, c, &c->kb, err, errlen);
}

static int parse_playbooks(const char *text, const char *path, catalogue *c, char *err, size_t errlen)
{
    /* The playbooks point into the text: keep it in the catalogue's arena. */
    char *kept = arena_strdup(c->a, text);
    playbooks *pb = arena_alloc(c->a, sizeof *pb);
    if (lifeevent_parse(kept, path, c, c->a, pb, err, errlen) != 0)
        return -1;
    c->life = pb;
    return 0;
}

/* Reads the catalogue from dir (--catalogue). A missing or bad file is one
 * line naming file, line and column, and stops start-up. */
static int load_catalogue(const char *cmd, const char *dir, catalogue *out)
{
    static const struct {
        const char *name;
        size_t max;
        int optional;
        catalogue_parser parse;
    } files[] = {
        {"services.txt", 4 << 20, 0, catalogue_parse},
        {"bank_holidays.txt", 32 << 10, 0, parse_holidays}, /* promised dates skip them */
        {"locations.txt", 4 << 20, 1, parse_locations},    /* where appointments are booked; else no slots */
        {"contact_costs.tsv", 16 << 10, 1, parse_costs},    /* what contacts cost; else no cost is recorded */
        {"articles.txt", 4 << 20, 1, parse_articles},       /* articles and signposts */
        {"life_events.txt", 1 << 20, 1, parse_playbooks},   /* else no life event can be reported */
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024], err[1200];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        char *text = file_read(path, files[i].max, NULL, err, sizeof err);
        if (!text && files[i].optional && errno == ENOENT)
            continue;
        int missing = !text && errno == ENOENT;
        int rc = text ? files[i].parse(text, path, out, err, sizeof err) : -1;
        free(text);
        if (rc != 0) {
            fprintf(stderr, "frontdoor %s: %s%s\n", cmd, err, missing ? " (see --catalogue)" : "");
            if (i > 0) /* services.txt parsed: the catalogue holds memory */
                catalogue_free(out);
            return -1;
        }
    }
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    static const char *const allowed[] = {"--db",         "--pg",        "--listen",          "--threads",
                                          "--max-body",   "--timeout",   "--access-log",      "--retention",
                                          "--retention-every", "--catalogue", "--static", "--council",
                                          "--smtp", "--mail-from", "--notify-url", "--notify-template", "--letters",
                                          "--outbox-every", "--outbox-attempts", "--outbox-backoff", "--slip-every",
                                          "--jurisdiction", NULL};
    opts o = {.council = 1, .listen = "127.0.0.1:8080", .access_log = "-", .max_body = 1 << 20, .timeout = 30,
              .rules = "catalogue/retention.tsv", .retention_every = 3600, .catalogue_dir = "catalogue",
              .static_dir = "static"};
    o.outbox_every = 2, o.outbox_attempts = 8, o.outbox_backoff = 30, o.slip_every = 3600;
    int rc = parse("serve", argc, argv, allowed, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf(usage_serve, usage_db);
        return 0;
    }
    catalogue cat;
    if (load_catalogue("serve", o.catalogue_dir, &cat) != 0)
        return 2;
    {
        char path[1024], err[1200];
        snprintf(path, sizeof path, "%s/open311.txt", o.catalogue_dir);
        int bad_cat = open311_configure(&cat, path, o.jurisdiction, err, sizeof err) != 0 ||
                      master_sources_load(o.catalogue_dir, err, sizeof err) != 0;
        if (bad_cat) {
            fprintf(stderr, "frontdoor serve: %s\n", err);
            catalogue_free(&cat);
            return 2;
        }
    }
    store *s = open_store("serve", &o);
    if (!s) {
        open311_free();
        catalogue_free(&cat);
        return 2;
    }
    server_opts so = {.listen = o.listen, .threads = (int)o.threads, .max_body = (size_t)o.max_body,
                      .timeout_s = (int)o.timeout, .access_log = o.access_log, .cat = &cat,
                      .static_dir = o.static_dir, .default_council = o.council};
    kb_sync(s, cat.kb); /* search runs over the database's copy */
    retention_start(s, o.rules, (int)o.retention_every);
    outbox_opts ob = {.smtp_url = o.smtp, .smtp_user = getenv("FD_SMTP_USER"),
                      .smtp_password = getenv("FD_SMTP_PASSWORD"), .mail_from = o.mail_from,
                      .notify_url = o.notify_url, .notify_key = getenv("FD_NOTIFY_API_KEY"),
                      .notify_template = o.notify_template, .letters_dir = o.letters, .every = (int)o.outbox_every,
                      .max_attempts = (int)o.outbox_attempts, .backoff = (int)o.outbox_backoff, .lease = 120,
                      .cat = &cat, .slip_every = (int)o.slip_every};
    outbox_start(s, &ob);
    rc = server_run(s, &so);
    outbox_stop();
    retention_stop();
    open311_free();
    store_close(s);
    catalogue_free(&cat);
    return rc;
}

static int cmd_demo(int argc, char **argv)
{
    static const char *const allowed[] = {"--db",      "--pg",      "--people", "--seed",
                                          "--catalogue", "--council", "--history", NULL};
    opts o = {.council = 1, .people = 290000, .seed = 1, .catalogue_dir = "catalogue", .history = 1};
    int rc = parse("demo", argc, argv, allowed, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf(usage_demo, usage_db);
        return 0;
    }
    store *s = open_store("demo", &o);
    if (!s)
        return 2;
    char err[512];
    store_conn *c = store_conn_get(s, err, sizeof err);
    long long have = 0;
    if (council_exists_or_say("demo", c, o.council) != 0) {
        store_close(s);
        return 2;
    }
    if (store_count(c, o.council, &person_def, &have) != STORE_OK || have > 0) {
        fprintf(stderr, "frontdoor demo: %s\n",
                have > 0 ? "the database already holds people; give --db a new file" : store_errmsg(c));
        store_close(s);
        return 2;
    }
    demo_stats st;
    /* A demo is made again if the machine dies while loading it. */
    store_relax_durability(c);
    store_bulk_begin(c);
    rc = demo_load(c, o.council, o.people, (unsigned long long)o.seed, &st, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "frontdoor demo: %s\n", err);
        store_close(s);
        return 1;
    }
    printf("demo borough: %lld people, %lld households, %lld properties, %lld memberships in %.1f s\n", st.people,
           st.households, st.properties, st.members, st.seconds);
    catalogue cat;
    long long made = 0;
    if (load_catalogue("demo", o.catalogue_dir, &cat) != 0) {
        store_close(s);
        return 2;
    }
    /* Twice: some services (free school meals) open up once others
     * (housing benefit) are received. */
    long long more = 0;
    uint64_t takeup_t0 = time_mono_ns();
    rc = demo_takeup(c, o.council, &cat, (unsigned long long)o.seed, DEMO_AS_OF "T00:00:00Z", &made, err, sizeof err);
    if (rc == 0)
        rc = demo_takeup(c, o.council, &cat, (unsigned long long)o.seed + 1, DEMO_AS_OF "T00:00:00Z", &more, err, sizeof err);
    made += more;
    demo_history_stats hs = {0};
    if (rc == 0) {
        printf("take-up: %lld enrolments in services the rules say they are entitled to, in %.1f s\n", made,
               (double)(time_mono_ns() - takeup_t0) / 1e9);
        if (o.history > 0)
            rc = demo_history(c, o.council, &cat, (int)o.history, st.people, (unsigned long long)o.seed, &hs, err,
                              sizeof err);
    }
    catalogue_free(&cat);
    store_bulk_end(c);
    if (rc == 0 && store_optimize(c) != STORE_OK) {
        snprintf(err, sizeof err, "cannot optimise the indexes after loading: %s", store_errmsg(c));
        rc = -1;
    }
    if (rc != 0) {
        fprintf(stderr, "frontdoor demo: %s\n", err);
        store_close(s);
        return 1;
    }
    if (o.history > 0)
        printf("history: %lld contacts from 2009 to 2011 (%lld%% of Southwark's), %lld requests, %lld enrolments "
               "taken up after them, in %.1f s\n",
               hs.contacts, o.history, hs.requests, hs.enrolments, hs.seconds);
    if (auth_demo_accounts(s, o.council, stdout) != 0) {
        store_close(s);
        return 1;
    }
    store_close(s);
    return 0;
}

static const char *usage_retention =
    "usage: frontdoor retention [options]\n"
    "Applies the retention periods now: deletes expired sessions, old\n"
    "idempotency keys and old audit entries, and erases people who died\n"
    "longer ago than their period (serve does this every hour).\n\n"
    "%s"
    "  --rules FILE      retention periods (default catalogue/retention.tsv)\n"
    "  --as-of DATE      apply as if today were DATE (YYYY-MM-DD), e.g. to check a change\n";

static int cmd_retention(int argc, char **argv)
{
    static const char *const allowed[] = {"--db", "--pg", "--rules", "--as-of", NULL};
    opts o = {.rules = "catalogue/retention.tsv"};
    int rc = parse("retention", argc, argv, allowed, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf(usage_retention, usage_db);
        return 0;
    }
    long long as_of = (long long)time(NULL);
    if (o.as_of) {
        char iso[32];
        snprintf(iso, sizeof iso, "%.10sT00:00:00Z", o.as_of);
        as_of = strlen(o.as_of) == 10 ? time_parse_iso(iso) : -1;
        if (as_of < 0)
            return bad("retention", "--as-of must be a date written YYYY-MM-DD, not", o.as_of);
    }
    retention_rules rules;
    char err[512];
    if (retention_load(o.rules, &rules, err, sizeof err) != 0) {
        fprintf(stderr, "frontdoor retention: %s\n", err);
        return 2;
    }
    store *s = open_store("retention", &o);
    if (!s)
        return 2;
    retention_report rep;
    rc = retention_run(s, &rules, as_of, &rep, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "frontdoor retention: %s\n", err);
    else
        printf("retention: %lld sessions, %lld idempotency keys, %lld audit entries deleted; %lld people erased "
               "(%d councils)\n",
               rep.deleted[RET_SESSIONS], rep.deleted[RET_IDEMPOTENCY], rep.deleted[RET_AUDIT],
               rep.deleted[RET_DECEASED], rep.councils);
    store_close(s);
    return rc ? 1 : 0;
}

static const char *usage_offers =
    "usage: frontdoor offers --all [options]\n"
    "Who is missing out, borough-wide: for each service with an eligibility rule,\n"
    "how many people it holds for do not receive it, and in how many households.\n\n"
    "%s"
    "  --catalogue DIR   the council's catalogue (default catalogue)\n"
    "  --service SLUG    only this service\n"
    "  --csv FILE        also write who, one line each ('-' for standard output)\n";

static int cmd_offers(int argc, char **argv)
{
    static const char *const allowed[] = {"--db", "--pg", "--catalogue", "--service", "--csv", "--all", NULL};
    opts o = {.catalogue_dir = "catalogue"};
    int all = 0;
    /* --all takes no value: take it out before the common parser. */
    char **args = xcalloc((size_t)argc + 1, sizeof(char *));
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i >= 2 && !strcmp(argv[i], "--all"))
            all = 1;
        else
            args[n++] = argv[i];
    }
    int rc = parse("offers", n, args, allowed, &o);
    free(args);
    if (rc)
        return rc;
    if (o.help) {
        printf(usage_offers, usage_db);
        return 0;
    }
    if (!all)
        return bad("offers", "give --all (offers for one person are at GET /api/v1/people/{id}/offers)", NULL);
    catalogue cat;
    if (load_catalogue("offers", o.catalogue_dir, &cat) != 0)
        return 2;
    if (o.service && !catalogue_find(&cat, o.service)) {
        catalogue_free(&cat);
        return bad("offers", "--service names no service in the catalogue", o.service);
    }
    FILE *csv = NULL;
    if (o.csv && !(csv = strcmp(o.csv, "-") ? fopen(o.csv, "w") : stdout)) {
        fprintf(stderr, "frontdoor offers: --csv %s: %s\n", o.csv, strerror(errno));
        catalogue_free(&cat);
        return 2;
    }
    store *s = open_store("offers", &o);
    if (!s) {
        catalogue_free(&cat);
        return 2;
    }
    char err[512];
    missing_report rep;
    rc = missing_out_run(store_conn_get(s, err, sizeof err), 1, &cat, o.service, csv, NULL, NULL, &rep, err, sizeof err);
    FILE *sum = csv == stdout ? stderr : stdout;
    if (rc != 0) {
        fprintf(stderr, "frontdoor offers: %s\n", err);
    } else {
        fprintf(sum, "%-32s %10s %10s %10s\n", "service", "eligible", "missing", "households");
        for (int i = 0; i < rep.n; i++)
            fprintf(sum, "%-32s %10lld %10lld %10lld\n", rep.rows[i].s->slug, rep.rows[i].eligible_people,
                    rep.rows[i].missing_people, rep.rows[i].missing_households);
        fprintf(sum, "%lld people in %lld households, %d services, %.2f s\n", rep.people, rep.households, rep.n,
                rep.seconds);
    }
    missing_out_free(&rep);
    if (csv && csv != stdout)
        fclose(csv);
    store_close(s);
    catalogue_free(&cat);
    return rc ? 1 : 0;
}

static int cmd_migrate(int argc, char **argv)
{
    static const char *const allowed[] = {"--db", "--pg", NULL};
    opts o = {0};
    int rc = parse("migrate", argc, argv, allowed, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf(usage_migrate, usage_db);
        return 0;
    }
    store *s = open_store("migrate", &o);
    if (!s)
        return 2;
    char err[256];
    printf("schema at version %d\n", store_schema_version(store_conn_get(s, err, sizeof err)));
    store_close(s);
    return 0;
}

static const char *usage_user =
    "usage: frontdoor user add --email EMAIL --role ROLE [options] < password\n"
    "Adds a staff user or a resident's account; the password (10 to 200\n"
    "characters) is the first line of standard input.\n\n"
    "%s"
    "  --email EMAIL     what they sign in with\n"
    "  --name NAME       full name\n"
    "  --role ROLE       agent, back_office, team_leader, manager, admin, dpo, resident\n"
    "  --department D    for back_office: housing, social_care, parking, revenues_benefits ...\n"
    "  --person ID       for a resident: their own person record\n";

static const char *usage_token =
    "usage: frontdoor token create --name NAME --role ROLE [options]\n"
    "Makes an API token (Authorization: Bearer TOKEN) and prints it once.\n\n"
    "%s"
    "  --name NAME       which system holds it\n"
    "  --role ROLE       the role it acts as (not resident)\n"
    "  --department D    for back_office\n"
    "  --scopes S        space-separated: read (GET), write (changes); default read\n";

/* `frontdoor user add` and `frontdoor token create`: argv[1] and argv[2]
 * name the command, options follow. */
static int cmd_access(int argc, char **argv, int is_user)
{
    const char *cmd = is_user ? "user add" : "token create";
    static const char *const user_flags[] = {"--db", "--pg", "--email", "--name", "--role", "--department", "--person",
                                             "--council", NULL};
    static const char *const token_flags[] = {"--db", "--pg", "--name", "--role", "--department", "--scopes",
                                              "--council", NULL};
    opts o = {.council = 1};
    int rc = parse(cmd, argc - 1, argv + 1, is_user ? user_flags : token_flags, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf(is_user ? usage_user : usage_token, usage_db);
        fputs(usage_council_opt, stdout);
        return 0;
    }
    if (is_user && (!o.email || !o.role))
        return bad(cmd, "--email and --role are required", NULL);
    if (!is_user && (!o.name || !o.role))
        return bad(cmd, "--name and --role are required", NULL);
    store *s = open_store(cmd, &o);
    if (!s)
        return 2;
    char err[512];
    store_conn *c = store_conn_get(s, err, sizeof err);
    if (council_exists_or_say(cmd, c, o.council) != 0) {
        store_close(s);
        return 2;
    }
    rc = is_user ? auth_cli_user_add(s, o.council, o.email, o.name, o.role, o.department, o.person)
                 : auth_cli_token_create(s, o.council, o.name, o.role, o.department, o.scopes ? o.scopes : "read");
    store_close(s);
    return rc;
}

static const char *usage_council =
    "usage: frontdoor council add --name NAME [--host HOST] [options]\n"
    "       frontdoor council list [options]\n"
    "Councils sharing one deployment. Each is found by the host name its\n"
    "residents and staff use (the Host header); a request to a host that\n"
    "names no council goes to serve's --council (default 1). add prints the\n"
    "new council's id.\n\n"
    "%s"
    "  --name NAME       the council's name\n"
    "  --host HOST       its host name, e.g. frontdoor.southwark.gov.uk\n";

/* `frontdoor council add` and `frontdoor council list`. */
static int cmd_council(int argc, char **argv)
{
    int add = argc > 2 && !strcmp(argv[2], "add");
    if (argc < 3 || (!add && strcmp(argv[2], "list") != 0)) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
            printf(usage_council, usage_db);
            return 0;
        }
        return bad("council", "say 'add' or 'list'", argc > 2 ? argv[2] : NULL);
    }
    static const char *const add_flags[] = {"--db", "--pg", "--name", "--host", NULL};
    static const char *const list_flags[] = {"--db", "--pg", NULL};
    const char *cmd = add ? "council add" : "council list";
    opts o = {0};
    int rc = parse(cmd, argc - 1, argv + 1, add ? add_flags : list_flags, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf(usage_council, usage_db);
        return 0;
    }
    if (add && (!o.name || !*o.name))
        return bad(cmd, "--name is required", NULL);
    if (o.host && !host_ok(o.host))
        return bad(cmd, "--host must be a host name (letters, digits, '-' and '.'), not", o.host);
    store *s = open_store(cmd, &o);
    if (!s)
        return 2;
    char err[512];
    store_conn *c = store_conn_get(s, err, sizeof err);
    rc = 0;
    if (add) {
        long long id = 0;
        char host[256] = "";
        for (size_t i = 0; o.host && o.host[i] && i + 1 < sizeof host; i++)
            host[i] = (char)tolower((unsigned char)o.host[i]);
        int src = store_begin(c);
        if (src == STORE_OK)
            src = store_council_add(c, o.name, o.host ? host : NULL, &id);
        if (src == STORE_OK)
            src = store_commit(c);
        else
            store_rollback(c);
        if (src == STORE_DUPLICATE) {
            fprintf(stderr, "frontdoor council add: another council already has the host %s\n", host);
            rc = 2;
        } else if (src != STORE_OK) {
            fprintf(stderr, "frontdoor council add: %s\n", store_errmsg(c));
            rc = 1;
        } else {
            printf("%lld\n", id);
        }
    } else {
        arena *a = arena_new();
        council_row rows[1000];
        int n;
        if (store_council_list(c, a, rows, 1000, &n) != STORE_OK) {
            fprintf(stderr, "frontdoor council list: %s\n", store_errmsg(c));
            rc = 1;
        }
        for (int i = 0; rc == 0 && i < n; i++)
            printf("%lld\t%s\t%s\n", rows[i].id, rows[i].name, rows[i].host ? rows[i].host : "-");
        arena_free(a);
    }
    store_close(s);
    return rc;
}

/* `frontdoor open311-key create --name NAME`: one client's api_key. */
static int cmd_open311_key(int argc, char **argv)
{
    static const char *const allowed[] = {"--db", "--pg", "--name", NULL};
    opts o = {0};
    int rc = parse("open311-key create", argc - 1, argv + 1, allowed, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf("usage: frontdoor open311-key create --name NAME [options]\n"
               "Makes an api_key for one Open311 client (FixMyStreet, say) and prints it once.\n"
               "It may report problems and post updates through /open311/v2/, and nothing else.\n\n"
               "%s"
               "  --name NAME       which client holds it\n",
               usage_db);
        return 0;
    }
    if (!o.name)
        return bad("open311-key create", "--name is required", NULL);
    store *s = open_store("open311-key create", &o);
    if (!s)
        return 2;
    rc = open311_cli_key_create(s, 1, o.name);
    store_close(s);
    return rc;
}

static const char *usage_route =
    "usage: frontdoor route-enquiry [--catalogue DIR] TEXT\n"
    "       frontdoor route-enquiry [--catalogue DIR] --eval FILE [--split dev|test|all] [--fit] [--verbose]\n"
    "Routes an enquiry to the best articles (kind, slug, confidence, score, title), or\n"
    "measures top-1 accuracy over a labelled file (SPLIT<TAB>LABEL<TAB>TEXT lines).\n";

static int cmd_route_enquiry(int argc, char **argv)
{
    const char *dir = "catalogue", *file = NULL, *split = NULL, *text = NULL;
    int do_fit = 0, verbose = 0;
    for (int i = 2; i < argc; i++) {
        const char *f = argv[i];
        if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
            fputs(usage_route, stdout);
            return 0;
        }
        if (!strcmp(f, "--fit"))
            do_fit = 1;
        else if (!strcmp(f, "--verbose"))
            verbose = 1;
        else if ((!strcmp(f, "--catalogue") || !strcmp(f, "--eval") || !strcmp(f, "--split")) && i + 1 < argc) {
            const char *v = argv[++i];
            *(!strcmp(f, "--catalogue") ? &dir : !strcmp(f, "--eval") ? &file : &split) = v;
        } else if (f[0] == '-' && f[1] == '-')
            return bad("route-enquiry", "unknown option, or it needs a value", f);
        else if (!text)
            text = f;
        else
            return bad("route-enquiry", "give the enquiry as one argument (quote it)", f);
    }
    if (!file && !text)
        return bad("route-enquiry", "give an enquiry, or --eval FILE", NULL);
    catalogue cat;
    if (load_catalogue("route-enquiry", dir, &cat) != 0)
        return 2;
    if (!cat.kb) {
        catalogue_free(&cat);
        return bad("route-enquiry", "the catalogue has no articles.txt", dir);
    }
    int rc = route_cmd(cat.kb, text, file, split, do_fit, verbose);
    catalogue_free(&cat);
    return rc;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fputs("frontdoor: libsodium failed to start\n", stderr);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: the outbox's sender uses libcurl */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "serve"))
        return cmd_serve(argc, argv);
    if (!strcmp(argv[1], "demo"))
        return cmd_demo(argc, argv);
    if (!strcmp(argv[1], "migrate"))
        return cmd_migrate(argc, argv);
    if (!strcmp(argv[1], "retention"))
        return cmd_retention(argc, argv);
    if (!strcmp(argv[1], "offers"))
        return cmd_offers(argc, argv);
    if (!strcmp(argv[1], "route-enquiry"))
        return cmd_route_enquiry(argc, argv);
    if (!strcmp(argv[1], "link"))
        return linkage_cmd_link(argc - 1, argv + 1);
    if (!strcmp(argv[1], "dedupe"))
        return linkage_cmd_dedupe(argc - 1, argv + 1);
    if (!strcmp(argv[1], "import"))
        return master_cmd_import(argc - 1, argv + 1);
    if (!strcmp(argv[1], "user") && argc > 2 && !strcmp(argv[2], "add"))
        return cmd_access(argc, argv, 1);
    if (!strcmp(argv[1], "token") && argc > 2 && !strcmp(argv[2], "create"))
        return cmd_access(argc, argv, 0);
    if (!strcmp(argv[1], "council"))
        return cmd_council(argc, argv);
    if (!strcmp(argv[1], "open311-key") && argc > 2 && !strcmp(argv[2], "create"))
        return cmd_open311_key(argc, argv);
    fprintf(stderr, "frontdoor: unknown command '%s' (see 'frontdoor --help')\n", argv[1]);
    return 2;
}
