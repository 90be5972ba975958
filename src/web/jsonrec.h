/* jsonrec: records to and from JSON objects, driven by the entity_def. */
#ifndef FD_JSONREC_H
#define FD_JSONREC_H
#include <jansson.h>

#include "core/record.h"

/* Reads obj into out (record_init'ed for def first). Every key must be a
 * field of def or listed in extra (NULL-terminated, may be NULL); values
 * must have the field's JSON type (string, integer, boolean) or be null.
 * Error field names get prefix in front (e.g. "members[1]."), from a.
 * A value of the wrong type is reported and left unset.
 * Text is borrowed from obj: keep obj alive as long as out.
 * Returns the number of errors added to errs. */
int jsonrec_read(json_t *obj, const entity_def *def, const char *prefix, const char *const *extra, arena *a,
                 record *out, errlist *errs);
/* A new JSON object with id, version, every field, created_at, updated_at.
 * Fields of a sensitive category not in cats are left out and named in a
 * "redacted" list; CAT_SECRET fields are never written. */
json_t *jsonrec_write(const record *r, unsigned cats);
/* Adds an error for each field set in r whose category is not in cats.
 * Returns the number added. */
int jsonrec_forbidden(const record *r, unsigned cats, errlist *errs);
/* The ETag of a record version: "\"v<version>\"" from a. */
const char *jsonrec_etag(const record *r, arena *a);

#endif
