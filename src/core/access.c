#include "core/access.h"

#include <string.h>

const char *const role_choices[] = {"agent", "back_office", "team_leader", "manager",
                                    "admin", "dpo",         "resident",    NULL};
const char *const department_choices[] = {"contact_centre", "housing",   "revenues_benefits", "parking",
                                          "waste",          "social_care", "libraries",       "environmental_health",
                                          "registration",   "education",   NULL};
static const char *const actor_choices[] = {"user", "token", "system", "anonymous", NULL};
static const char *const action_choices[] = {"read",    "create",  "update",  "delete",         "export",
                                             "erase",   "denied",  "sign_in", "sign_in_failed", "sign_out",
                                             "sign_out_everywhere", "merge", "unmerge", NULL};

role role_from_name(const char *name)
{
    for (int i = 0; role_choices[i]; i++)
        if (strcmp(role_choices[i], name) == 0)
            return (role)(i + 1);
    return ROLE_NONE;
}

const char *role_name(role r)
{
    return r > ROLE_NONE && r < ROLE_COUNT_ ? role_choices[r - 1] : "none";
}

unsigned role_categories(role r, const char *dept)
{
    switch (r) {
    case ROLE_AGENT:
    case ROLE_RESIDENT:
        return CAT_HEALTH;
    case ROLE_TEAM_LEADER:
        return CAT_HEALTH | CAT_SAFEGUARDING;
    case ROLE_DPO:
        return CAT_HEALTH | CAT_SOCIAL_CARE | CAT_SAFEGUARDING;
    case ROLE_BACK_OFFICE:
        if (dept && strcmp(dept, "social_care") == 0)
            return CAT_HEALTH | CAT_SOCIAL_CARE | CAT_SAFEGUARDING;
        if (dept && strcmp(dept, "housing") == 0)
            return CAT_HEALTH | CAT_SAFEGUARDING;
        return CAT_NONE;
    default:
        return CAT_NONE;
    }
}

const char *password_problem(const char *pw)
{
    size_t n = strlen(pw);
    if (n < PASSWORD_MIN)
        return "must be at least 10 characters";
    if (n > PASSWORD_MAX)
        return "must be at most 200 characters";
    return NULL;
}

int signin_delay_seconds(long long failed)
{
    if (failed < 3)
        return 0;
    if (failed >= LOCKOUT_AFTER)
        return LOCKOUT_SECONDS;
    int d = 1 << (failed - 3);
    return d > 60 ? 60 : d;
}

#define TEXT(n, fl, len, d) {.name = n, .type = FT_TEXT, .flags = fl, .max_len = len, .doc = d}
#define SECRET(n, len, d) {.name = n, .type = FT_TEXT, .max_len = len, .category = CAT_SECRET, .doc = d}

static const field_def user_fields[] = {
    {.name = "email", .type = FT_TEXT, .flags = F_REQUIRED, .max_len = 254, .check = CHECK_EMAIL,
     .doc = "sign-in name"},
    TEXT("name", 0, 100, "full name"),
    {.name = "role", .type = FT_ENUM, .flags = F_REQUIRED, .choices = role_choices, .doc = "what they may do"},
    {.name = "department", .type = FT_ENUM, .choices = department_choices, .doc = "back office: whose records"},
    {.name = "person_id", .type = FT_REF, .ref = "people", .doc = "a resident's own person record"},
    SECRET("password_hash", 255, "argon2id hash (libsodium)"),
    {.name = "failed_logins", .type = FT_INT, .min = 0, .max = 1000000000, .doc = "failures since the last success"},
    TEXT("last_failed_at", 0, 20, "time of the last failure"),
    {.name = "disabled", .type = FT_BOOL, .doc = "may not sign in"},
};

const entity_def user_def = {.name = "user", .table = "users", .fields = user_fields,
                             .nfields = (int)(sizeof user_fields / sizeof user_fields[0])};

static const field_def session_fields[] = {
    {.name = "token_hash", .type = FT_TEXT, .flags = F_REQUIRED, .max_len = 64, .category = CAT_SECRET,
     .doc = "SHA-256 of the cookie's token"},
    {.name = "user_id", .type = FT_REF, .flags = F_REQUIRED, .ref = "users", .doc = "who"},
    SECRET("csrf_token", 64, "the token every form and unsafe request must carry"),
    TEXT("expires_at", F_REQUIRED, 20, "when it ends"),
    TEXT("ip", 0, 45, "where it signed in from"),
};

const entity_def session_def = {.name = "session", .table = "sessions", .fields = session_fields,
                                .nfields = (int)(sizeof session_fields / sizeof session_fields[0])};

/* A resident's sign-up waiting for them to confirm their email: the link's
 * token is kept only as its SHA-256 (migration 0018). */
static const field_def email_verification_fields[] = {
    {.name = "user_id", .type = FT_REF, .flags = F_REQUIRED, .ref = "users", .doc = "the account to confirm"},
    {.name = "token_hash", .type = FT_TEXT, .flags = F_REQUIRED, .max_len = 64, .category = CAT_SECRET,
     .doc = "SHA-256 of the link's token"},
    TEXT("expires_at", F_REQUIRED, 20, "when the link stops working"),
    TEXT("used_at", 0, 20, "when it was followed"),
};

const entity_def email_verification_def = {
    .name = "email_verification", .table = "email_verifications", .fields = email_verification_fields,
    .nfields = (int)(sizeof email_verification_fields / sizeof email_verification_fields[0])};

static const field_def token_fields[] = {
    TEXT("name", F_REQUIRED, 100, "which system holds it"),
    {.name = "token_hash", .type = FT_TEXT, .flags = F_REQUIRED, .max_len = 64, .category = CAT_SECRET,
     .doc = "SHA-256 of the token"},
    {.name = "role", .type = FT_ENUM, .flags = F_REQUIRED, .choices = role_choices, .doc = "acts as this role"},
    {.name = "department", .type = FT_ENUM, .choices = department_choices, .doc = "for a back-office role"},
    TEXT("scopes", 0, 200, "space-separated: read write open311 import"),
    {.name = "revoked", .type = FT_BOOL, .doc = "no longer accepted"},
};

const entity_def api_token_def = {.name = "api_token", .table = "api_tokens", .fields = token_fields,
                                  .nfields = (int)(sizeof token_fields / sizeof token_fields[0])};

static const field_def audit_fields[] = {
    {.name = "actor_kind", .type = FT_ENUM, .flags = F_REQUIRED, .choices = actor_choices, .doc = "who acted"},
    {.name = "actor_id", .type = FT_INT, .min = 0, .max = (1LL << 62), .doc = "user or token id"},
    TEXT("actor_role", 0, 20, "their role then"),
    {.name = "action", .type = FT_ENUM, .flags = F_REQUIRED, .choices = action_choices, .doc = "what they did"},
    TEXT("entity", 0, 40, "kind of record"),
    {.name = "record_id", .type = FT_INT, .min = 0, .max = (1LL << 62), .doc = "which record"},
    {.name = "person_id", .type = FT_INT, .min = 0, .max = (1LL << 62), .doc = "whose personal data"},
    TEXT("purpose", 0, 100, "why"),
    TEXT("ip", 0, 45, "from where"),
    TEXT("route", 0, 200, "method and path"),
    {.name = "status", .type = FT_INT, .min = 0, .max = 999, .doc = "HTTP status of the answer"},
};

const entity_def audit_def = {.name = "audit_entry", .table = "audit_log", .fields = audit_fields,
                              .nfields = (int)(sizeof audit_fields / sizeof audit_fields[0])};
