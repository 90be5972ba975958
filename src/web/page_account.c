/* page_account.c: a resident signs up online (issue #8, /account).
 *
 *   GET/POST /account/sign-up   email, password, and name, date of birth and
 *                               postcode to find their record
 *   GET /account/verify?token=  the emailed link: confirms the address
 *
 * A new account is made disabled (so it cannot sign in) with a one-time
 * link, valid for a day, queued in the outbox in the same transaction; only
 * the token's SHA-256 is stored. Following the link enables the account.
 * The account is linked to the person whose names, date of birth and
 * current home's postcode all match, if exactly one does and no other
 * account is theirs; otherwise it is left unlinked and the resident is
 * told to call or visit to link it.
 *
 * The answer never says whether an email has an account: every well-formed
 * sign-up gets the same page after the same password hashing; an address
 * that has an account is sent a note saying so instead of a link; at most
 * three emails an hour go to one account. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/timeutil.h"
#include "core/access.h"
#include "core/entities.h"
#include "jobs/outbox.h"
#include "web/api.h"
#include "web/api_int.h"
#include "web/audit.h"
#include "web/auth.h"
#include "web/html.h"
#include "web/pages.h"

enum { LINK_HOURS = 24, MAX_EMAILS_AN_HOUR = 3 };

static const struct {
    const char *name, *label, *type, *autocomplete, *hint;
} signup_fields[] = {
    {"email", "Email address", "email", "email", "We will send you a link to confirm it"},
    {"password", "Create a password", "password", "new-password", "At least 10 characters"},
    {"given_name", "First name", "text", "given-name", NULL},
    {"family_name", "Last name", "text", "family-name", NULL},
    {"date_of_birth", "Date of birth", "text", "bday", "For example, 1985-05-27"},
    {"postcode", "Postcode of your home", "text", "postal-code", "So we can find your council record"},
};
enum { NFIELDS = sizeof signup_fields / sizeof signup_fields[0] };

static void signup_form(req *q, resp *p, const errlist *errs)
{
    page_begin(q, p, errs && errs->n ? "Error: Create an account" : "Create an account");
    buf *b = &p->body;
    html_printf(b, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n");
    if (errs && errs->n) {
        html_printf(b, "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
                       "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div "
                       "class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">\n");
        for (int i = 0; i < errs->n; i++)
            html_printf(b, "<li><a href=\"#%h\">%h</a></li>\n", errs->e[i].field, errs->e[i].message);
        html_printf(b, "</ul></div></div></div>\n");
    }
    html_printf(b,
                "<h1 class=\"govuk-heading-l\">Create an account</h1>\n"
                "<p class=\"govuk-body\">With an account you can report problems, apply for services, book "
                "appointments and see how each is going, at any time.</p>\n"
                "<p class=\"govuk-body\">Already have one? <a class=\"govuk-link\" href=\"/staff/sign-in\">Sign in</a>."
                "</p>\n<form method=\"post\" action=\"/account/sign-up\" novalidate>\n");
    for (int i = 0; i < NFIELDS; i++) {
        const char *n = signup_fields[i].name, *err = NULL;
        for (int k = 0; errs && k < errs->n; k++)
            if (!strcmp(errs->e[k].field, n))
                err = errs->e[k].message;
        html_printf(b, "<div class=\"govuk-form-group%s\"><label class=\"govuk-label\" for=\"%s\">%s</label>",
                    err ? " govuk-form-group--error" : "", n, signup_fields[i].label);
        if (signup_fields[i].hint)
            html_printf(b, "<div id=\"%s-hint\" class=\"govuk-hint\">%s</div>", n, signup_fields[i].hint);
        if (err)
            html_printf(b, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">"
                           "Error:</span> %h</p>",
                        n, err);
        const char *v = strcmp(n, "password") ? req_form(q, n) : NULL;
        html_printf(b, "<input class=\"govuk-input%s\" id=\"%s\" name=\"%s\" type=\"%s\" autocomplete=\"%s\"",
                    err ? " govuk-input--error" : "", n, n, signup_fields[i].type, signup_fields[i].autocomplete);
        if (signup_fields[i].hint || err)
            html_printf(b, " aria-describedby=\"%s%s%s\"", signup_fields[i].hint ? arena_printf(q->a, "%s-hint", n) : "",
                        signup_fields[i].hint && err ? " " : "", err ? arena_printf(q->a, "%s-error", n) : "");
        html_printf(b, " value=\"%h\"></div>\n", v ? v : "");
    }
    html_printf(b, "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Create account</button>\n"
                   "</form>\n<h2 class=\"govuk-heading-m\">Other ways to reach us</h2>\n"
                   "<p class=\"govuk-body\">Call 020 7525 5000 (Monday to Friday, 9am to 5pm), or visit a "
                   "customer service centre.</p>\n</div></div>\n");
    page_end(q, p);
}

int page_signup(req *q, resp *p)
{
    signup_form(q, p, NULL);
    return 0;
}

/* The base of links in emails: this server as the browser reached it. */
static const char *site_base(req *q)
{
    const char *host = req_header(q, "Host");
    if (!host || !*host || strlen(host) > 200)
        return "http://localhost";
    for (const char *c = host; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != ':' && *c != '[' && *c != ']')
            return "http://localhost";
    return arena_printf(q->a, "http://%s", host);
}

static int ieq(const char *a, const char *b) { return a && b && !strcasecmp(a, b); }

/* The one living person with these names, date of birth and current home's
 * postcode whom no account is linked to yet; 0 if none or several. */
static long long match_person(req *q, store_conn *c, const char *given, const char *family, const char *dob,
                              const char *postcode)
{
    record *ps;
    int n;
    if (store_list_text(c, q->council, &person_def, "date_of_birth", dob, 0, 1000, q->a, &ps, &n) != STORE_OK)
        return 0;
    long long found = 0;
    int count = 0;
    for (int i = 0; i < n; i++) {
        const record *per = &ps[i];
        if (!ieq(rec_str(per, "given_name"), given) || !ieq(rec_str(per, "family_name"), family) ||
            rec_str(per, "date_of_death") || rec_str(per, "erased_at") || rec_int(per, "merged_into"))
            continue;
        record *ms;
        int nm;
        if (store_list(c, q->council, &member_def, "person_id", per->id, 0, 100, q->a, &ms, &nm) != STORE_OK)
            continue;
        for (int k = 0; k < nm; k++) {
            if (rec_str(&ms[k], "to_date"))
                continue;
            record hh, prop;
            if (store_get(c, q->council, &household_def, rec_int(&ms[k], "household_id"), q->a, &hh) != STORE_OK ||
                store_get(c, q->council, &property_def, rec_int(&hh, "property_id"), q->a, &prop) != STORE_OK)
                continue;
            if (ieq(rec_str(&prop, "postcode"), postcode)) {
                found = per->id;
                count++;
                break;
            }
        }
    }
    if (count != 1)
        return 0;
    record *us;
    int nu;
    if (store_list(c, q->council, &user_def, "person_id", found, 0, 1, q->a, &us, &nu) != STORE_OK || nu)
        return 0;
    return found;
}

/* How many links or notes went to user uid in the last hour. */
static int emails_last_hour(req *q, store_conn *c, long long uid)
{
    record *vs;
    int n, recent = 0;
    char since[21];
    time_iso_from((long long)time(NULL) - 3600, since);
    if (store_list(c, q->council, &email_verification_def, "user_id", uid, 0, 1000, q->a, &vs, &n) != STORE_OK)
        return MAX_EMAILS_AN_HOUR;
    for (int i = 0; i < n; i++)
        if (strcmp(vs[i].created_at, since) >= 0)
            recent++;
    return recent;
}

/* A new link for user uid, queued to email in the open transaction. */
static int send_link(req *q, store_conn *c, long long uid, const char *email)
{
    unsigned char rnd[32];
    char token[65], hash[65], expires[21];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(token, sizeof token, rnd, sizeof rnd);
    auth_token_hash(token, hash);
    time_iso_from((long long)time(NULL) + LINK_HOURS * 3600, expires);
    record v;
    record_init(&v, &email_verification_def);
    rec_set_int(&v, "user_id", uid);
    rec_set_str(&v, "token_hash", hash);
    rec_set_str(&v, "expires_at", expires);
    int rc = store_insert(c, q->council, &v);
    if (rc != STORE_OK)
        return rc;
    const char *body = arena_printf(q->a,
                                    "Confirm your email address to finish creating your council account.\n\n"
                                    "Open this link within %d hours:\n%s/account/verify?token=%s\n\n"
                                    "If you did not ask for an account, ignore this email: nothing will happen.\n",
                                    LINK_HOURS, site_base(q), token);
    sodium_memzero(token, sizeof token);
    return outbox_queue_to(c, q->council, "email", email, "Confirm your email address", body, "account", uid, NULL);
}

int page_signup_post(req *q, resp *p)
{
    errlist errs = {.n = 0};
    const char *f[NFIELDS];
    for (int i = 0; i < NFIELDS; i++) {
        f[i] = req_form(q, signup_fields[i].name);
        if (!f[i] || !*f[i])
            errlist_add(&errs, signup_fields[i].name, arena_printf(q->a, "Enter your %s",
                                                                   i == 1 ? "password" : signup_fields[i].label));
    }
    const char *email = f[0], *pw = f[1], *given = f[2], *family = f[3], *dob = f[4];
    char *lower = arena_strdup(q->a, email ? email : "");
    for (char *x = lower; *x; x++)
        *x = (char)tolower((unsigned char)*x);
    record u;
    record_init(&u, &user_def);
    rec_set_str(&u, "email", lower);
    rec_set_str(&u, "role", "resident");
    if (email && *email) {
        errlist ue = {.n = 0};
        record_validate(&u, 1, q->a, &ue);
        if (ue.n)
            errlist_add(&errs, "email", "Enter an email address like name@example.com");
    }
    const char *pp = pw && *pw ? password_problem(pw) : NULL;
    if (pp)
        errlist_add(&errs, "password", arena_printf(q->a, "Your password %s", pp));
    if (dob && *dob && !time_valid_date(dob))
        errlist_add(&errs, "date_of_birth", "Enter your date of birth like 1985-05-27");
    char pc[9] = "";
    if (f[5] && *f[5] && postcode_normalise(f[5], pc) != 0)
        errlist_add(&errs, "postcode", "Enter a UK postcode, like SE1 2QH");
    if (errs.n) {
        p->status = 422;
        signup_form(q, p, &errs);
        return 0;
    }
    /* Hash first, whatever happens next: the time taken says nothing. */
    char hash[crypto_pwhash_STRBYTES];
    if (auth_hash_password(pw, hash, sizeof hash) != 0) {
        p->status = 503;
        page_begin(q, p, "Sorry, there is a problem");
        html_printf(&p->body, "<h1 class=\"govuk-heading-l\">Sorry, there is a problem</h1><p class=\"govuk-body\">"
                              "Try again in a few minutes.</p>\n");
        page_end(q, p);
        return 0;
    }
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    int rc = store_begin(c);
    long long linked = 0;
    record old;
    int have = rc == STORE_OK ? store_find(c, q->council, &user_def, "email", lower, q->a, &old) : rc;
    if (have == STORE_OK) {
        /* An account already: a fresh link if it was never confirmed, else a
         * note saying so; the page is the same either way. */
        int pending = rec_int(&old, "disabled") && !strcmp(rec_str(&old, "role"), "resident");
        if (pending) {
            record *vs;
            int nv;
            pending = store_list(c, q->council, &email_verification_def, "user_id", old.id, 0, 1, q->a, &vs, &nv) ==
                          STORE_OK && nv > 0;
        }
        if (emails_last_hour(q, c, old.id) >= MAX_EMAILS_AN_HOUR)
            rc = STORE_OK;
        else if (pending)
            rc = send_link(q, c, old.id, lower);
        else {
            /* Counted against the hour's emails like a link, but never usable. */
            record v;
            unsigned char rnd[32];
            char hex[65];
            randombytes_buf(rnd, sizeof rnd);
            sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
            record_init(&v, &email_verification_def);
            rec_set_int(&v, "user_id", old.id);
            rec_set_str(&v, "token_hash", hex);
            rec_set_str(&v, "expires_at", old.created_at);
            rec_set_str(&v, "used_at", old.created_at);
            rc = store_insert(c, q->council, &v);
            if (rc == STORE_OK)
                rc = outbox_queue_to(
                    c, q->council, "email", lower, "You already have an account",
                    arena_printf(q->a,
                                 "Someone asked to create a council account with this email address, but it "
                                 "already has one.\n\nSign in at %s/staff/sign-in\n\nIf this was not you, you "
                                 "need do nothing.\n",
                                 site_base(q)),
                    "account", old.id, NULL);
        }
    } else if (have == STORE_NOTFOUND) {
        linked = match_person(q, c, given, family, dob, pc);
        rec_set_str(&u, "name", arena_printf(q->a, "%s %s", given, family));
        rec_set_str(&u, "password_hash", hash);
        rec_set_int(&u, "failed_logins", 0);
        rec_set_int(&u, "disabled", 1);
        if (linked)
            rec_set_int(&u, "person_id", linked);
        rc = store_insert(c, q->council, &u);
        if (rc == STORE_OK)
            rc = send_link(q, c, u.id, lower);
    } else {
        rc = have;
    }
    sodium_memzero(hash, sizeof hash);
    if (rc == STORE_OK)
        rc = store_commit(c);
    if (rc != STORE_OK) {
        store_rollback(c);
        p->status = rc == STORE_DUPLICATE ? 409 : 500;
        page_begin(q, p, "Sorry, there is a problem");
        html_printf(&p->body, "<h1 class=\"govuk-heading-l\">Sorry, there is a problem</h1><p class=\"govuk-body\">"
                              "Nothing was saved. Try again in a few minutes.</p>\n");
        page_end(q, p);
        return 0;
    }
    if (linked) {
        principal who = {.kind = AUTH_NONE, .id = u.id, .role = ROLE_RESIDENT};
        audit_event(q->st, q->council, &who, "account_linked", q->ip, "POST /account/sign-up", 200, linked);
    }
    page_begin(q, p, "Check your email");
    html_printf(&p->body,
                "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n"
                "<h1 class=\"govuk-heading-l\">Check your email</h1>\n"
                "<p class=\"govuk-body\">If you can create an account with <strong>%h</strong>, we have sent a link "
                "to it. Open the link within %d hours to confirm your address, then sign in.</p>\n"
                "<p class=\"govuk-body\">No email? Check your spam folder, or call 020 7525 5000.</p>\n"
                "</div></div>\n",
                lower, LINK_HOURS);
    page_end(q, p);
    return 0;
}

/* GET /account/verify?token=: a button that confirms. Following the link
 * changes nothing by itself (mail scanners open links too); and a GET runs
 * in a read transaction. */
int page_verify(req *q, resp *p)
{
    const char *token = req_query(q, "token");
    page_begin(q, p, "Confirm your email address");
    html_printf(&p->body,
                "<h1 class=\"govuk-heading-l\">Confirm your email address</h1>\n"
                "<form method=\"post\" action=\"/account/verify\" novalidate>\n"
                "<input type=\"hidden\" name=\"token\" value=\"%h\">\n"
                "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Confirm</button>\n"
                "</form>\n",
                token ? token : "");
    page_end(q, p);
    return 0;
}

/* POST /account/verify: the token from the link enables its account, once. */
int page_verify_post(req *q, resp *p)
{
    const char *token = req_form(q, "token");
    int ok = 0, linked = 0;
    store_conn *c = api_conn_or_fail(q, p);
    if (!c)
        return 0;
    if (token && strlen(token) == 64) {
        char hash[65], now[21];
        auth_token_hash(token, hash);
        time_now_iso(now);
        record v, u;
        int rc = store_begin(c);
        if (rc == STORE_OK && store_find(c, q->council, &email_verification_def, "token_hash", hash, q->a, &v) ==
                                  STORE_OK &&
            !rec_str(&v, "used_at") && strcmp(rec_str(&v, "expires_at"), now) > 0 &&
            store_get(c, q->council, &user_def, rec_int(&v, "user_id"), q->a, &u) == STORE_OK) {
            rec_set_str(&v, "used_at", now);
            rec_set_int(&u, "disabled", 0);
            rc = store_update(c, q->council, &v, v.version);
            if (rc == STORE_OK)
                rc = store_update(c, q->council, &u, u.version);
            ok = rc == STORE_OK;
            linked = rec_int(&u, "person_id") != 0;
        }
        if (ok && store_commit(c) != STORE_OK)
            ok = 0;
        if (!ok)
            store_rollback(c);
    }
    if (!ok)
        p->status = 400;
    page_begin(q, p, ok ? "Email address confirmed" : "This link does not work");
    buf *b = &p->body;
    if (ok) {
        html_printf(b, "<div class=\"govuk-panel govuk-panel--confirmation\"><h1 class=\"govuk-panel__title\">Email "
                       "address confirmed</h1><div class=\"govuk-panel__body\">Your account is ready</div></div>\n");
        if (!linked)
            html_printf(b, "<p class=\"govuk-body\">We could not match you to our records from your name, date of "
                           "birth and postcode, so you will not see your services yet. Call 020 7525 5000 or visit a "
                           "customer service centre and we will link your account.</p>\n");
        html_printf(b, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/staff/sign-in\">Sign in</a></p>\n");
    } else {
        html_printf(b, "<h1 class=\"govuk-heading-l\">This link does not work</h1>\n<p class=\"govuk-body\">It may "
                       "have expired (links last %d hours) or been used already. You can "
                       "<a class=\"govuk-link\" href=\"/account/sign-up\">sign up again</a> for a new link, or "
                       "<a class=\"govuk-link\" href=\"/staff/sign-in\">sign in</a> if you have confirmed your "
                       "address.</p>\n",
                    LINK_HOURS);
    }
    page_end(q, p);
    return 0;
}

/* /account for a resident whose account is not linked to a record yet. */
int page_account_unlinked(req *q, resp *p)
{
    page_begin(q, p, "Your account");
    html_printf(&p->body,
                "<h1 class=\"govuk-heading-l\">Your account</h1>\n<div class=\"govuk-inset-text\">We have not linked "
                "your account to your council record yet, so we cannot show your services, requests or "
                "appointments. Call 020 7525 5000 (Monday to Friday, 9am to 5pm) or visit a customer service centre "
                "with proof of your address, and we will link it.</div>\n"
                "<p class=\"govuk-body\">You can still <a class=\"govuk-link\" href=\"/services\">find a service</a> "
                "or <a class=\"govuk-link\" href=\"/search\">search the site</a>.</p>\n");
    page_end(q, p);
    return 0;
}

/* ---- applying through a service's e-form (/account/apply) ---- */

/* "child_date_of_birth" -> "Child date of birth". */
static const char *field_label(req *q, const char *f)
{
    char *s = arena_strdup(q->a, f);
    for (char *c = s; *c; c++)
        if (*c == '_')
            *c = ' ';
    if (*s >= 'a' && *s <= 'z')
        *s = (char)(*s - 'a' + 'A');
    return s;
}

static int has_eform(const service *s) { return s->fields && *s->fields && !strcmp(s->kind, "request"); }

int page_apply_list(req *q, resp *p)
{
    page_begin(q, p, "Apply for a service");
    buf *b = &p->body;
    html_printf(b, "<a class=\"govuk-back-link\" href=\"/account\">Your account</a>\n"
                   "<h1 class=\"govuk-heading-l\">Apply for a service</h1>\n<ul class=\"govuk-list\">\n");
    for (int i = 0; i < q->cat->n; i++)
        if (has_eform(&q->cat->items[i]))
            html_printf(b, "<li><a class=\"govuk-link\" href=\"/account/apply/%h\">%h</a></li>\n",
                        q->cat->items[i].slug, q->cat->items[i].name);
    html_printf(b, "</ul>\n<p class=\"govuk-body\">Prefer to talk? Call 020 7525 5000 or visit a customer service "
                   "centre.</p>\n");
    page_end(q, p);
    return 0;
}

static void eform(req *q, resp *p, const service *s, json_t *problem)
{
    page_begin(q, p, arena_printf(q->a, "%s%s", problem ? "Error: " : "", s->name));
    buf *b = &p->body;
    if (problem)
        page_error_summary(b, problem, "Your application was not sent; try again");
    html_printf(b,
                "<a class=\"govuk-back-link\" href=\"/account/apply\">Back</a>\n<h1 class=\"govuk-heading-l\">%h</h1>\n"
                "<p class=\"govuk-body\">%h</p>\n<form method=\"post\" action=\"/account/apply/%h\" novalidate>\n"
                "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">\n",
                s->name, s->description ? s->description : "", s->slug, q->who.csrf);
    const char *rest = s->fields;
    while (rest && *rest) {
        while (*rest == ' ')
            rest++;
        size_t n = strcspn(rest, " ");
        if (!n)
            break;
        const char *f = arena_printf(q->a, "%.*s", (int)n, rest);
        rest += n;
        const char *name = arena_printf(q->a, "answers.%s", f), *id = arena_printf(q->a, "answers-%s", f);
        const char *err = page_field_error(problem, name);
        html_printf(b, "<div class=\"govuk-form-group%s\"><label class=\"govuk-label\" for=\"%h\">%h</label>",
                    err ? " govuk-form-group--error" : "", id, field_label(q, f));
        if (err)
            html_printf(b, "<p id=\"%h-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">"
                           "Error:</span> %h</p>",
                        id, err);
        const char *v = req_form(q, name);
        html_printf(b, "<input class=\"govuk-input%s\" id=\"%h\" name=\"%h\" type=\"text\"%s value=\"%h\"></div>\n",
                    err ? " govuk-input--error" : "", id, name,
                    err ? arena_printf(q->a, " aria-describedby=\"%s-error\"", id) : "", v ? v : "");
    }
    const char *derr = page_field_error(problem, "description");
    const char *d = req_form(q, "description");
    html_printf(b, "<div class=\"govuk-form-group%s\"><label class=\"govuk-label\" for=\"description\">Anything else we "
                   "should know</label>",
                derr ? " govuk-form-group--error" : "");
    if (derr)
        html_printf(b, "<p id=\"description-error\" class=\"govuk-error-message\"><span "
                       "class=\"govuk-visually-hidden\">Error:</span> %h</p>",
                    derr);
    html_printf(b, "<textarea class=\"govuk-textarea\" id=\"description\" name=\"description\" rows=\"4\">%h</textarea>"
                   "</div>\n<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Send "
                   "application</button>\n</form>\n",
                d ? d : "");
    page_end(q, p);
}

static const service *eform_service(req *q, resp *p)
{
    const service *s = q->path_slug ? catalogue_find(q->cat, q->path_slug) : NULL;
    if (s && has_eform(s))
        return s;
    p->status = 404;
    page_begin(q, p, "Not found");
    html_printf(&p->body, "<h1 class=\"govuk-heading-l\">No service has an online form here</h1>\n"
                          "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/account/apply\">Services you can "
                          "apply for online</a></p>\n");
    page_end(q, p);
    return NULL;
}

int page_apply(req *q, resp *p)
{
    const service *s = eform_service(q, p);
    if (s)
        eform(q, p, s, NULL);
    return 0;
}

/* POST: the answers become a request through the request API's own
 * create, which checks them against the service's fields. */
int page_apply_post(req *q, resp *p)
{
    const service *s = eform_service(q, p);
    if (!s)
        return 0;
    json_t *ans = json_object();
    for (int i = 0; i < q->nform; i++)
        if (!strncmp(q->form[i].name, "answers.", 8) && *q->form[i].value)
            json_object_set_new(ans, q->form[i].name + 8, json_string(q->form[i].value));
    const char *d = req_form(q, "description");
    json_t *body = json_pack("{s:s, s:s, s:s, s:o}", "service", s->slug, "description",
                             d && *d ? d : arena_printf(q->a, "Application for %s", s->name), "channel", "web",
                             "answers", ans);
    int status;
    json_t *m = page_call(q, api_request_create, body, &status);
    if (status == 201) {
        page_redirect(p, arena_printf(q->a, "/account?reported=%s", json_str(m, "promised_date")));
    } else {
        p->status = status >= 400 ? status : 500;
        eform(q, p, s, m);
    }
    if (m)
        json_decref(m);
    return 0;
}
