/* record: the shape of every noun the store keeps, described as data.
 *
 * An entity_def lists an entity's fields with their types and limits; a
 * record holds one row of it. Validation, JSON rendering, SQL and the
 * OpenAPI document are all driven from these definitions, so a field is
 * declared once. Pure: no HTTP, SQL or files here. */
#ifndef FD_RECORD_H
#define FD_RECORD_H
#include "base/arena.h"

typedef enum {
    FT_TEXT, /* UTF-8 string, max_len bytes at most */
    FT_INT,  /* integer in [min, max] */
    FT_BOOL, /* true/false (stored 0/1) */
    FT_DATE, /* calendar date "YYYY-MM-DD" */
    FT_ENUM, /* one of choices */
    FT_REF   /* id of another entity (ref names it) */
} field_type;

enum {
    F_REQUIRED = 1 << 0, /* must be given on create, may not be set to null */
    F_IMMUTABLE = 1 << 1, /* set on create only; PATCH may not change it */
    F_READONLY = 1 << 2   /* set by the server only (e.g. erased_at); no request may write it */
};

typedef enum {
    CHECK_NONE,
    CHECK_POSTCODE, /* UK postcode, normalised to "SW1A 1AA" */
    CHECK_EMAIL,
    CHECK_PHONE,    /* UK phone number: digits, spaces, optional leading + */
    CHECK_UPRN,     /* 1 to 12 digits */
    CHECK_TIMESTAMP /* "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
} field_check;

/* Sensitive categories of personal data: a role sees a field of a
 * category only if core/access.c grants it (design: "a parking officer
 * sees no social-care notes"). */
typedef enum {
    CAT_NONE = 0,
    CAT_HEALTH = 1 << 0,
    CAT_SOCIAL_CARE = 1 << 1,
    CAT_SAFEGUARDING = 1 << 2,
    CAT_SECRET = 1 << 3 /* never leaves the server (password hashes, token hashes) */
} field_category;

typedef struct {
    const char *name;            /* JSON field and SQL column */
    field_type type;
    unsigned flags;              /* F_* */
    int max_len;                 /* FT_TEXT: most bytes */
    long long min, max;          /* FT_INT: range */
    const char *const *choices;  /* FT_ENUM: NULL-terminated list */
    field_check check;           /* extra format check for FT_TEXT */
    const char *ref;             /* FT_REF: the entity referred to */
    const char *doc;             /* one line for the API document */
    unsigned category;           /* field_category bits; CAT_NONE for ordinary fields */
} field_def;

typedef struct errlist errlist;
typedef struct record record;

typedef struct entity_def {
    const char *name;    /* "person" */
    const char *table;   /* "people": SQL table and URL collection */
    const field_def *fields;
    int nfields;
    /* Checks across fields (may be NULL); adds to errs. */
    void (*check)(const record *r, int is_create, arena *a, errlist *errs);
} entity_def;

enum { REC_MAX_FIELDS = 24, ERR_MAX = 32 };

/* One field's value. For FT_INT, FT_BOOL and FT_REF the value is in i; for
 * the others in s (arena or static memory, never owned by the record). */
typedef struct {
    unsigned char set;  /* 1 if given (create/patch) or loaded */
    unsigned char null; /* 1 if explicitly null */
    long long i;
    const char *s;
} field_val;

struct record {
    const entity_def *def;
    long long id;      /* 0 until stored */
    long long version; /* starts at 1, +1 on every update */
    char created_at[21], updated_at[21];
    field_val v[REC_MAX_FIELDS];
};

typedef struct {
    const char *field;   /* JSON path of the field, e.g. "members[2].person_id" */
    const char *message; /* human-readable, says what is expected */
} fd_error;

struct errlist {
    fd_error e[ERR_MAX];
    int n;
};

/* Starts r empty for def. */
void record_init(record *r, const entity_def *def);
/* Index of the field called name in def, or -1. */
int entity_field(const entity_def *def, const char *name);
/* Adds an error (both strings must outlive errs) unless the field already has
 * one; beyond ERR_MAX it is dropped. */
void errlist_add(errlist *errs, const char *field, const char *message);
/* Checks every set field against its definition and, on create, that the
 * required fields are present; then runs def->check. May rewrite values into
 * their normal form (postcode spacing and case) using memory from a.
 * Returns the number of errors added. */
int record_validate(record *r, int is_create, arena *a, errlist *errs);
/* Field value helpers: NULL / 0 when unset or null. */
const char *rec_str(const record *r, const char *field);
long long rec_int(const record *r, const char *field);
void rec_set_str(record *r, const char *field, const char *s);
void rec_set_int(record *r, const char *field, long long i);

/* Normalises a UK postcode ("sw1a1aa" -> "SW1A 1AA") into out (>= 9 bytes).
 * Returns 0 if it is a well-formed postcode, -1 if not. */
int postcode_normalise(const char *in, char out[9]);

#endif
