/* sources: departmental systems and their column mappings (see sources.h). */
#include "core/sources.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/record.h"

const char *const src_field_names[SRC_NFIELDS] = {"given_name", "family_name", "date_of_birth", "postcode",
                                                  "address",    "email",       "phone",         "ni_number"};

static const match_schema person_schema = {
    .nfields = SRC_NFIELDS,
    .field = {
        [SRC_GIVEN] = {"given_name", MATCH_NAME, SRC_FAMILY, 1, 0},
        [SRC_FAMILY] = {"family_name", MATCH_NAME, SRC_GIVEN, 1, 0},
        [SRC_DOB] = {"date_of_birth", MATCH_DATE, -1, 0, 0},
        [SRC_POSTCODE] = {"postcode", MATCH_CODE, -1, 0, 1},
        [SRC_ADDRESS] = {"address", MATCH_TEXT, -1, 0, 1},
        [SRC_EMAIL] = {"email", MATCH_CODE, -1, 0, 0},
        [SRC_PHONE] = {"phone", MATCH_CODE, -1, 0, 0},
        [SRC_NI] = {"ni_number", MATCH_CODE, -1, 0, 0},
    },
    /* Not the phone number: households share one, and numbers are reused.
     * The name rules carry a third part so that common names do not make
     * blocks of hundreds. Both names alone are for the records the others
     * cannot find, those without a birth date or a postcode: a common name
     * pairs hundreds of people, and two records that both have the two
     * meet through them already. */
    .nrules = 6,
    .rule = {
        {"ni_number", 1, {{SRC_NI, MATCH_KEY_VALUE, 0}}, 0},
        {"email", 1, {{SRC_EMAIL, MATCH_KEY_VALUE, 0}}, 0},
        {"date_of_birth", 1, {{SRC_DOB, MATCH_KEY_VALUE, 0}}, 0},
        {"postcode+family_name[1]", 2, {{SRC_POSTCODE, MATCH_KEY_VALUE, 0}, {SRC_FAMILY, MATCH_KEY_PREFIX, 1}}, 0},
        {"soundex(family_name)+given_name[1]+year", 3,
         {{SRC_FAMILY, MATCH_KEY_SOUNDEX, 0}, {SRC_GIVEN, MATCH_KEY_PREFIX, 1}, {SRC_DOB, MATCH_KEY_YEAR, 0}}, 0},
        {"given_name+family_name", 2, {{SRC_GIVEN, MATCH_KEY_VALUE, 0}, {SRC_FAMILY, MATCH_KEY_VALUE, 0}},
         1u << SRC_DOB | 1u << SRC_POSTCODE},
    },
};

const match_schema *sources_schema(void)
{
    return &person_schema;
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > SRC_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int fail(char *err, size_t errlen, size_t line, const char *why, const char *word, size_t wlen)
{
    snprintf(err, errlen, "line %zu: %s%s%.*s", line, why, word ? ": " : "", (int)(word ? wlen : 0),
             word ? word : "");
    return -1;
}

int sources_parse(const char *text, size_t len, source_catalogue *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *p = text, *end = text + len;
    size_t line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *q = p;
        p = eol < end ? eol + 1 : end;
        while (q < eol && isspace((unsigned char)*q))
            q++;
        if (q == eol || *q == '#')
            continue;
        if (out->n == SRC_MAX_SYSTEMS)
            return fail(err, errlen, line, "more than 64 systems", NULL, 0);
        source_system *s = &out->sys[out->n];
        int word = 0;
        while (q < eol) {
            while (q < eol && isspace((unsigned char)*q))
                q++;
            if (q == eol)
                break;
            const char *w = q;
            while (q < eol && !isspace((unsigned char)*q))
                q++;
            size_t wl = (size_t)(q - w);
            if (word++ == 0) {
                if (!name_ok(w, wl))
                    return fail(err, errlen, line, "a system's name is 1 to 40 of a-z, 0-9 and _, not", w, wl);
                memcpy(s->name, w, wl);
                if (sources_find(out, s->name))
                    return fail(err, errlen, line, "system named twice", w, wl);
                continue;
            }
            const char *eq = memchr(w, '=', wl);
            if (!eq || eq == w || eq == w + wl - 1 || (size_t)(w + wl - eq - 1) > SRC_COL_MAX)
                return fail(err, errlen, line, "expected FIELD=COLUMN (column up to 64 characters), not", w, wl);
            size_t fl = (size_t)(eq - w);
            char *dest = NULL;
            if (fl == 2 && !memcmp(w, "id", 2))
                dest = s->id_col;
            for (int f = 0; f < SRC_NFIELDS && !dest; f++)
                if (strlen(src_field_names[f]) == fl && !memcmp(w, src_field_names[f], fl))
                    dest = s->col[f];
            if (!dest)
                return fail(err, errlen, line,
                            "unknown field (id, given_name, family_name, date_of_birth, postcode, address, email, "
                            "phone, ni_number)",
                            w, fl);
            if (dest[0])
                return fail(err, errlen, line, "field mapped twice", w, fl);
            memcpy(dest, eq + 1, (size_t)(w + wl - eq - 1));
        }
        if (!s->id_col[0])
            return fail(err, errlen, line, "id=COLUMN is required", NULL, 0);
        out->n++;
    }
    return 0;
}

const source_system *sources_find(const source_catalogue *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->sys[i].name, name))
            return &c->sys[i];
    return NULL;
}

/* Lower case, spaces squeezed and trimmed; keep is the set of punctuation kept. */
static void squeeze(const char *v, char *out, size_t outlen, int drop_spaces, int upper)
{
    size_t n = 0;
    int space = 0;
    for (const char *p = v; *p && n + 1 < outlen; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isspace(ch)) {
            space = n > 0;
            continue;
        }
        if (space && !drop_spaces && n + 2 < outlen)
            out[n++] = ' ';
        space = 0;
        out[n++] = (char)(upper ? toupper(ch) : tolower(ch));
    }
    out[n] = '\0';
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

const char *sources_normalise(int f, const char *v, char *out, size_t outlen)
{
    if (outlen == 0)
        return out;
    out[0] = '\0';
    if (!v)
        return out;
    switch (f) {
    case SRC_DOB: {
        char t[32];
        squeeze(v, t, sizeof t, 1, 0);
        if (strlen(t) == 10 && (t[2] == '/' || t[2] == '-') && t[5] == t[2] && digits(t, 2) && digits(t + 3, 2) &&
            digits(t + 6, 4))
            snprintf(out, outlen, "%.4s-%.2s-%.2s", t + 6, t + 3, t);
        else
            snprintf(out, outlen, "%s", t);
        break;
    }
    case SRC_POSTCODE: {
        char pc[9];
        if (postcode_normalise(v, pc) == 0)
            snprintf(out, outlen, "%s", pc);
        else
            squeeze(v, out, outlen, 0, 1);
        break;
    }
    case SRC_PHONE: {
        size_t n = 0;
        for (const char *p = v; *p && n + 1 < outlen; p++)
            if (isdigit((unsigned char)*p) || (*p == '+' && n == 0))
                out[n++] = *p;
        out[n] = '\0';
        break;
    }
    case SRC_NI:
        squeeze(v, out, outlen, 1, 1);
        break;
    default:
        squeeze(v, out, outlen, 0, 0);
        break;
    }
    return out;
}
