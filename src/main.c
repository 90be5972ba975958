/* main.c: the `frontdoor` command.
 *
 *   frontdoor serve   [--db FILE | --pg URL] [--listen HOST:PORT] [--threads N] ...
 *   frontdoor demo    [--db FILE | --pg URL] [--people N] [--seed N] [--history PERCENT]
 *   frontdoor migrate [--db FILE | --pg URL]
 *
 * A bad flag or an unreachable database is one line on stderr and exit
 * code 2; success is 0. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/catalogue.h"
#include "core/entities.h"
#include "demo/demo.h"
#include "jobs/jobs.h"
#include "jobs/linkage.h"
#include "store/store.h"
#include "web/auth.h"
#include "web/server.h"

typedef struct {
    const char *db, *pg, *listen, *access_log;
    const char *email, *name, *role, *department, *scopes, *rules, *as_of, *catalogue_dir, *service, *csv, *static_dir;
    long long person, retention_every;
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
    "  user add  add a staff user or a resident's account (password on stdin)\n"
    "  token create  make an API token for a system (printed once)\n"
    "\n"
    "Run 'frontdoor COMMAND --help' for a command's options.\n";

static const char *usage_db = "  --db FILE         SQLite database file (default frontdoor.db)\n"
                              "  --pg URL          PostgreSQL instead, e.g. postgresql://user@127.0.0.1/frontdoor\n";

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
    "  --static DIR      GOV.UK Frontend's built files, served at /static/ and /assets/ (default static)\n";

static const char *usage_demo =
    "usage: frontdoor demo [options]\n"
    "Creates a deterministic synthetic inner-London borough in an empty database\n"
    "(migrating it first).\n\n"
    "%s"
    "  --people N        residents to create (default 290000)\n"
    "  --seed N          random seed (default 1); the same seed gives the same borough\n"
    "  --catalogue DIR   the services whose take-up is seeded (default catalogue)\n"
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

/* Reads DIR/services.txt; a bad file is one line naming file, line and
 * column, and stops start-up. */
static int known_service(const char *slug, void *ctx)
{
    return catalogue_find(ctx, slug) != NULL;
}

static int load_catalogue(const char *cmd, const char *dir, catalogue *out)
{
    char path[1024], err[600];
    snprintf(path, sizeof path, "%s/services.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "frontdoor %s: %s: %s (see --catalogue)\n", cmd, path, strerror(errno));
        return -1;
    }
    enum { MAX = 4 << 20 };
    char *text = xmalloc(MAX + 1);
    size_t n = fread(text, 1, MAX + 1, f);
    fclose(f);
    if (n > MAX) {
        fprintf(stderr, "frontdoor %s: %s: larger than %d bytes\n", cmd, path, MAX);
        free(text);
        return -1;
    }
    text[n] = '\0';
    int rc = catalogue_parse(text, path, out, err, sizeof err);
    free(text);
    if (rc != 0) {
        fprintf(stderr, "frontdoor %s: %s\n", cmd, err);
        return rc;
    }
    /* Bank holidays: promised dates skip them. */
    snprintf(path, sizeof path, "%s/bank_holidays.txt", dir);
    if (!(f = fopen(path, "r"))) {
        fprintf(stderr, "frontdoor %s: %s: %s (see --catalogue)\n", cmd, path, strerror(errno));
        catalogue_free(out);
        return -1;
    }
    {
        char hol[32768];
        size_t k = fread(hol, 1, sizeof hol - 1, f);
        fclose(f);
        hol[k] = '\0';
        if (holidays_parse(hol, path, &out->bank_holidays, err, sizeof err) != 0) {
            fprintf(stderr, "frontdoor %s: %s\n", cmd, err);
            catalogue_free(out);
            return -1;
        }
    }
    /* Where appointments are booked: optional (without it, no slots). */
    snprintf(path, sizeof path, "%s/locations.txt", dir);
    if ((f = fopen(path, "r")) != NULL) {
        char *loc = xmalloc(MAX + 1);
        size_t k = fread(loc, 1, MAX, f);
        fclose(f);
        loc[k] = '\0';
        rc = locations_parse(loc, path, known_service, out, &out->locations, err, sizeof err);
        free(loc);
        if (rc != 0) {
            fprintf(stderr, "frontdoor %s: %s\n", cmd, err);
            catalogue_free(out);
            return rc;
        }
    }
    /* What contacts cost: optional (without it no cost is recorded). */
    snprintf(path, sizeof path, "%s/contact_costs.tsv", dir);
    if ((f = fopen(path, "r")) != NULL) {
        char costs[16384];
        size_t k = fread(costs, 1, sizeof costs - 1, f);
        fclose(f);
        costs[k] = '\0';
        if ((rc = catalogue_parse_costs(out, costs, path, contact_channel_choices, err, sizeof err)) != 0) {
            fprintf(stderr, "frontdoor %s: %s\n", cmd, err);
            catalogue_free(out);
        }
    }
    return rc;
}

static int cmd_serve(int argc, char **argv)
{
    static const char *const allowed[] = {"--db",         "--pg",        "--listen",          "--threads",
                                          "--max-body",   "--timeout",   "--access-log",      "--retention",
                                          "--retention-every", "--catalogue", "--static", NULL};
    opts o = {.listen = "127.0.0.1:8080", .access_log = "-", .max_body = 1 << 20, .timeout = 30,
              .rules = "catalogue/retention.tsv", .retention_every = 3600, .catalogue_dir = "catalogue",
              .static_dir = "static"};
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
    store *s = open_store("serve", &o);
    if (!s) {
        catalogue_free(&cat);
        return 2;
    }
    server_opts so = {.listen = o.listen, .threads = (int)o.threads, .max_body = (size_t)o.max_body,
                      .timeout_s = (int)o.timeout, .access_log = o.access_log, .cat = &cat,
                      .static_dir = o.static_dir};
    retention_start(s, o.rules, (int)o.retention_every);
    rc = server_run(s, &so);
    retention_stop();
    store_close(s);
    catalogue_free(&cat);
    return rc;
}

static int cmd_demo(int argc, char **argv)
{
    static const char *const allowed[] = {"--db", "--pg", "--people", "--seed", "--catalogue", "--history", NULL};
    opts o = {.people = 290000, .seed = 1, .catalogue_dir = "catalogue", .history = 1};
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
    if (store_count(c, 1, &person_def, &have) != STORE_OK || have > 0) {
        fprintf(stderr, "frontdoor demo: %s\n",
                have > 0 ? "the database already holds people; give --db a new file" : store_errmsg(c));
        store_close(s);
        return 2;
    }
    demo_stats st;
    rc = demo_load(c, 1, o.people, (unsigned long long)o.seed, &st, err, sizeof err);
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
    rc = demo_takeup(c, 1, &cat, (unsigned long long)o.seed, DEMO_AS_OF "T00:00:00Z", &made, err, sizeof err);
    if (rc == 0)
        rc = demo_takeup(c, 1, &cat, (unsigned long long)o.seed + 1, DEMO_AS_OF "T00:00:00Z", &more, err, sizeof err);
    made += more;
    demo_history_stats hs = {0};
    if (rc == 0) {
        printf("take-up: %lld enrolments in services the rules say they are entitled to\n", made);
        if (o.history > 0)
            rc = demo_history(c, 1, &cat, (int)o.history, st.people, (unsigned long long)o.seed, &hs, err,
                              sizeof err);
    }
    catalogue_free(&cat);
    if (rc != 0) {
        fprintf(stderr, "frontdoor demo: %s\n", err);
        store_close(s);
        return 1;
    }
    if (o.history > 0)
        printf("history: %lld contacts from 2009 to 2011 (%lld%% of Southwark's), %lld requests, %lld enrolments "
               "taken up after them, in %.1f s\n",
               hs.contacts, o.history, hs.requests, hs.enrolments, hs.seconds);
    if (auth_demo_accounts(s, 1, stdout) != 0) {
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
                                             NULL};
    static const char *const token_flags[] = {"--db", "--pg", "--name", "--role", "--department", "--scopes", NULL};
    opts o = {0};
    int rc = parse(cmd, argc - 1, argv + 1, is_user ? user_flags : token_flags, &o);
    if (rc)
        return rc;
    if (o.help) {
        printf(is_user ? usage_user : usage_token, usage_db);
        return 0;
    }
    if (is_user && (!o.email || !o.role))
        return bad(cmd, "--email and --role are required", NULL);
    if (!is_user && (!o.name || !o.role))
        return bad(cmd, "--name and --role are required", NULL);
    store *s = open_store(cmd, &o);
    if (!s)
        return 2;
    rc = is_user ? auth_cli_user_add(s, 1, o.email, o.name, o.role, o.department, o.person)
                 : auth_cli_token_create(s, 1, o.name, o.role, o.department, o.scopes ? o.scopes : "read");
    store_close(s);
    return rc;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fputs("frontdoor: libsodium failed to start\n", stderr);
        return 1;
    }
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
    if (!strcmp(argv[1], "link"))
        return linkage_cmd_link(argc - 1, argv + 1);
    if (!strcmp(argv[1], "dedupe"))
        return linkage_cmd_dedupe(argc - 1, argv + 1);
    if (!strcmp(argv[1], "user") && argc > 2 && !strcmp(argv[2], "add"))
        return cmd_access(argc, argv, 1);
    if (!strcmp(argv[1], "token") && argc > 2 && !strcmp(argv[2], "create"))
        return cmd_access(argc, argv, 0);
    fprintf(stderr, "frontdoor: unknown command '%s' (see 'frontdoor --help')\n", argv[1]);
    return 2;
}
