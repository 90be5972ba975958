#include "core/record.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"

void record_init(record *r, const entity_def *def)
{
    memset(r, 0, sizeof *r);
    r->def = def;
}

int entity_field(const entity_def *def, const char *name)
{
    /* Callers mostly pass string literals: remember (def, name pointer) ->
     * index per thread, so hot loops do not compare names again. */
    static __thread struct {
        const entity_def *def;
        const char *name;
        int index;
    } memo[128];
    unsigned h = (unsigned)((((uintptr_t)def >> 4) ^ ((uintptr_t)name >> 2)) & 127u);
    /* The same pointer may hold another name later (a freed JSON key):
     * one comparison confirms a remembered hit. */
    if (memo[h].def == def && memo[h].name == name && memo[h].index >= 0 &&
        strcmp(def->fields[memo[h].index].name, name) == 0)
        return memo[h].index;
    int found = -1;
    for (int i = 0; i < def->nfields && found < 0; i++)
        if (strcmp(def->fields[i].name, name) == 0)
            found = i;
    memo[h].def = def;
    memo[h].name = name;
    memo[h].index = found;
    return found;
}

void errlist_add(errlist *errs, const char *field, const char *message)
{
    for (int i = 0; i < errs->n; i++)
        if (strcmp(errs->e[i].field, field) == 0)
            return; /* one message per field: the first is the most basic */
    if (errs->n < ERR_MAX) {
        errs->e[errs->n].field = field;
        errs->e[errs->n].message = message;
        errs->n++;
    }
}

int postcode_normalise(const char *in, char out[9])
{
    char c[8];
    int n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ')
            continue;
        if (!isalnum((unsigned char)*p) || n == 7)
            return -1;
        c[n++] = (char)toupper((unsigned char)*p);
    }
    if (n < 5)
        return -1;
    /* Inward code: digit letter letter. Outward: letter, then 1-3 of A-Z0-9
     * with the second character a letter or digit ("A9", "A99", "AA9",
     * "AA99", "A9A", "AA9A"). */
    const char *inw = c + n - 3;
    if (!isdigit((unsigned char)inw[0]) || !isalpha((unsigned char)inw[1]) || !isalpha((unsigned char)inw[2]))
        return -1;
    int outlen = n - 3;
    if (!isalpha((unsigned char)c[0]))
        return -1;
    int has_digit = 0;
    for (int i = 1; i < outlen; i++)
        if (isdigit((unsigned char)c[i]))
            has_digit = 1;
    if (!has_digit)
        return -1;
    memcpy(out, c, (size_t)outlen);
    out[outlen] = ' ';
    memcpy(out + outlen + 1, inw, 3);
    out[outlen + 4] = '\0';
    return 0;
}

static int valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return 0;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return 0;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20)
            return 0;
    return 1;
}

static int valid_phone(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!(*p == ' ' || (*p == '+' && p == s)))
            return 0;
    }
    return digits >= 10 && digits <= 15;
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x80) {
            if (*p < 0x20 && *p != '\t' && *p != '\n')
                return 0; /* control characters have no place in a record */
            p++;
            continue;
        }
        int n = (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && *p < 0xC2))
            return 0;
        for (int i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

static int in_choices(const char *const *choices, const char *s)
{
    for (; *choices; choices++)
        if (strcmp(*choices, s) == 0)
            return 1;
    return 0;
}

static const char *choices_msg(const field_def *f, arena *a)
{
    buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "must be one of: ");
    for (const char *const *c = f->choices; *c; c++)
        buf_printf(&b, "%s%s", c == f->choices ? "" : ", ", *c);
    const char *m = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return m;
}

static void check_field(const field_def *f, field_val *v, int is_create, arena *a, errlist *errs)
{
    if (v->null) {
        if (f->flags & F_REQUIRED)
            errlist_add(errs, f->name, "is required and may not be null");
        return;
    }
    switch (f->type) {
    case FT_TEXT: {
        size_t len = strlen(v->s);
        if (len == 0 && (f->flags & F_REQUIRED)) {
            errlist_add(errs, f->name, "may not be empty");
            return;
        }
        if (len > (size_t)f->max_len) {
            errlist_add(errs, f->name, arena_printf(a, "must be at most %d characters", f->max_len));
            return;
        }
        if (!valid_utf8(v->s)) {
            errlist_add(errs, f->name, "must be UTF-8 text without control characters");
            return;
        }
        if (len == 0)
            return;
        switch (f->check) {
        case CHECK_POSTCODE: {
            char norm[9];
            if (postcode_normalise(v->s, norm) != 0)
                errlist_add(errs, f->name, "must be a UK postcode, like SW1A 1AA");
            else
                v->s = arena_strdup(a, norm);
            break;
        }
        case CHECK_EMAIL:
            if (!valid_email(v->s))
                errlist_add(errs, f->name, "must be an email address, like name@example.org");
            break;
        case CHECK_PHONE:
            if (!valid_phone(v->s))
                errlist_add(errs, f->name, "must be a phone number of 10 to 15 digits");
            break;
        case CHECK_UPRN: {
            int ok = len <= 12;
            for (const char *p = v->s; *p; p++)
                if (!isdigit((unsigned char)*p))
                    ok = 0;
            if (!ok)
                errlist_add(errs, f->name, "must be a UPRN of 1 to 12 digits");
            break;
        }
        case CHECK_TIMESTAMP:
            if (len != 20 || time_parse_iso(v->s) < 0)
                errlist_add(errs, f->name, "must be a UTC time written YYYY-MM-DDTHH:MM:SSZ");
            break;
        case CHECK_NONE:
            break;
        }
        break;
    }
    case FT_INT:
        if (v->i < f->min || v->i > f->max)
            errlist_add(errs, f->name, arena_printf(a, "must be a whole number from %lld to %lld", f->min, f->max));
        break;
    case FT_BOOL:
        break;
    case FT_REF:
        if (v->i <= 0)
            errlist_add(errs, f->name, "must be the id of an existing record");
        break;
    case FT_DATE:
        if (!time_valid_date(v->s))
            errlist_add(errs, f->name, "must be a date written YYYY-MM-DD");
        break;
    case FT_ENUM:
        if (!in_choices(f->choices, v->s))
            errlist_add(errs, f->name, choices_msg(f, a));
        break;
    }
    (void)is_create;
}

int record_validate(record *r, int is_create, arena *a, errlist *errs)
{
    int before = errs->n;
    const entity_def *d = r->def;
    for (int i = 0; i < d->nfields; i++) {
        const field_def *f = &d->fields[i];
        field_val *v = &r->v[i];
        if (!v->set) {
            if (is_create && (f->flags & F_REQUIRED))
                errlist_add(errs, f->name, "is required");
            continue;
        }
        check_field(f, v, is_create, a, errs);
    }
    if (d->check)
        d->check(r, is_create, a, errs);
    return errs->n - before;
}

const char *rec_str(const record *r, const char *field)
{
    int i = entity_field(r->def, field);
    if (i < 0 || !r->v[i].set || r->v[i].null)
        return NULL;
    return r->v[i].s;
}

long long rec_int(const record *r, const char *field)
{
    int i = entity_field(r->def, field);
    if (i < 0 || !r->v[i].set || r->v[i].null)
        return 0;
    return r->v[i].i;
}

void rec_set_str(record *r, const char *field, const char *s)
{
    int i = entity_field(r->def, field);
    if (i < 0)
        return;
    r->v[i].set = 1;
    r->v[i].null = s == NULL;
    r->v[i].s = s;
}

void rec_set_int(record *r, const char *field, long long v)
{
    int i = entity_field(r->def, field);
    if (i < 0)
        return;
    r->v[i].set = 1;
    r->v[i].null = 0;
    r->v[i].i = v;
}
