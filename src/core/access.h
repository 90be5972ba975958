/* access: who may see what (issue "Who may see what"). Pure: roles,
 * departments, what each may see of sensitive categories, and the records
 * behind sign-in and audit (staff user, session, API token, audit entry). */
#ifndef FD_ACCESS_H
#define FD_ACCESS_H
#include "core/record.h"

typedef enum {
    ROLE_NONE = 0,     /* not signed in */
    ROLE_AGENT,        /* contact-centre agent */
    ROLE_BACK_OFFICE,  /* back-office officer of one department */
    ROLE_TEAM_LEADER,
    ROLE_MANAGER,      /* reports in aggregate, no personal detail */
    ROLE_ADMIN,        /* users, tokens, configuration */
    ROLE_DPO,          /* data-protection officer: audit, subject access, erasure */
    ROLE_RESIDENT,     /* a resident, for their own household only */
    ROLE_COUNT_
} role;

/* A set of roles, for the route table. */
#define R(x) (1u << (x))
#define STAFF_READERS (R(ROLE_AGENT) | R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN) | R(ROLE_DPO))
#define STAFF_WRITERS (R(ROLE_AGENT) | R(ROLE_BACK_OFFICE) | R(ROLE_TEAM_LEADER) | R(ROLE_ADMIN))

extern const char *const role_choices[];       /* by role value, from ROLE_AGENT; NULL-terminated */
extern const char *const department_choices[];

/* "agent" -> ROLE_AGENT; ROLE_NONE if unknown. */
role role_from_name(const char *name);
/* ROLE_AGENT -> "agent"; "none" for ROLE_NONE. */
const char *role_name(role r);
/* The sensitive categories (CAT_* bits) role r of department dept (may be
 * NULL) may see. CAT_SECRET is never granted. */
unsigned role_categories(role r, const char *dept);

extern const entity_def user_def;      /* staff users and resident accounts */
extern const entity_def session_def;   /* a signed-in browser or client */
extern const entity_def email_verification_def; /* a sign-up's emailed link, until followed (0018) */
extern const entity_def api_token_def; /* a system's API token */
extern const entity_def audit_def;     /* one look at or change of personal data */

enum { PASSWORD_MIN = 10, PASSWORD_MAX = 200 };
/* NULL if pw is acceptable, else why not (a static string). */
const char *password_problem(const char *pw);

/* Sign-in throttling. After `failed` consecutive failures, the next attempt
 * is refused until last_failed + delay seconds: 0 for the first 3, then
 * 1, 2, 4 ... up to 60 s; at LOCKOUT_AFTER failures the account locks for
 * LOCKOUT_SECONDS (an administrator or the time unlocks it). */
enum { LOCKOUT_AFTER = 10, LOCKOUT_SECONDS = 900 };
int signin_delay_seconds(long long failed);

#endif
