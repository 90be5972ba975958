#include "web/jsonrec.h"

#include <string.h>

static int listed(const char *const *extra, const char *key)
{
    for (; extra && *extra; extra++)
        if (strcmp(*extra, key) == 0)
            return 1;
    return 0;
}

int jsonrec_read(json_t *obj, const entity_def *def, const char *prefix, const char *const *extra, arena *a,
                 record *out, errlist *errs)
{
    int before = errs->n;
    record_init(out, def);
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (listed(extra, key))
            continue;
        const char *fname = prefix ? arena_printf(a, "%s%s", prefix, key) : arena_strdup(a, key);
        int i = entity_field(def, key);
        if (i < 0) {
            if (!strcmp(key, "id") || !strcmp(key, "version") || !strcmp(key, "created_at") ||
                !strcmp(key, "updated_at"))
                errlist_add(errs, fname, "is set by the server and cannot be written");
            else
                errlist_add(errs, fname, arena_printf(a, "is not a field of %s", def->name));
            continue;
        }
        const field_def *f = &def->fields[i];
        if (f->flags & F_READONLY) {
            errlist_add(errs, fname, "is set by the server and cannot be written");
            continue;
        }
        field_val *v = &out->v[i];
        v->set = 1;
        if (json_is_null(val)) {
            v->null = 1;
            continue;
        }
        switch (f->type) {
        case FT_TEXT:
        case FT_DATE:
        case FT_ENUM:
            if (!json_is_string(val)) {
                errlist_add(errs, fname, "must be a string");
                v->set = 0;
                continue;
            }
            if (strlen(json_string_value(val)) != json_string_length(val)) {
                errlist_add(errs, fname, "may not contain NUL characters");
                v->set = 0;
                continue;
            }
            v->s = json_string_value(val);
            break;
        case FT_INT:
        case FT_REF:
            if (!json_is_integer(val)) {
                errlist_add(errs, fname, f->type == FT_REF ? "must be the id (an integer) of an existing record"
                                                           : "must be a whole number");
                v->set = 0;
                continue;
            }
            v->i = json_integer_value(val);
            break;
        case FT_BOOL:
            if (!json_is_boolean(val)) {
                errlist_add(errs, fname, "must be true or false");
                v->set = 0;
                continue;
            }
            v->i = json_is_true(val);
            break;
        }
    }
    return errs->n - before;
}

json_t *jsonrec_write(const record *r, unsigned cats)
{
    const entity_def *d = r->def;
    json_t *o = json_object(), *redacted = NULL;
    json_object_set_new(o, "id", json_integer(r->id));
    for (int i = 0; i < d->nfields; i++) {
        const field_val *v = &r->v[i];
        const char *name = d->fields[i].name;
        unsigned cat = d->fields[i].category;
        if (cat & CAT_SECRET)
            continue;
        if (cat & ~cats) {
            if (!redacted)
                redacted = json_array();
            json_array_append_new(redacted, json_string(name));
            continue;
        }
        if (!v->set || v->null) {
            json_object_set_new(o, name, json_null());
            continue;
        }
        switch (d->fields[i].type) {
        case FT_INT:
        case FT_REF:
            json_object_set_new(o, name, json_integer(v->i));
            break;
        case FT_BOOL:
            json_object_set_new(o, name, json_boolean(v->i));
            break;
        default:
            json_object_set_new(o, name, json_string(v->s));
            break;
        }
    }
    if (redacted)
        json_object_set_new(o, "redacted", redacted);
    json_object_set_new(o, "version", json_integer(r->version));
    json_object_set_new(o, "created_at", json_string(r->created_at));
    json_object_set_new(o, "updated_at", json_string(r->updated_at));
    return o;
}

const char *jsonrec_etag(const record *r, arena *a)
{
    return arena_printf(a, "\"v%lld\"", r->version);
}

int jsonrec_forbidden(const record *r, unsigned cats, errlist *errs)
{
    int n = 0;
    for (int i = 0; i < r->def->nfields; i++)
        if (r->v[i].set && (r->def->fields[i].category & ~cats)) {
            errlist_add(errs, r->def->fields[i].name, "is not yours to see or change");
            n++;
        }
    return n;
}
