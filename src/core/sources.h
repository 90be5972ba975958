/* sources: the departmental systems whose records are linked to people
 * (catalogue/sources.txt), and how a source record is compared with a
 * person. Pure: text in, mappings and normalised values out.
 *
 * catalogue/sources.txt holds one system a line (blank lines and lines
 * starting with # are ignored):
 *
 *   council_tax  id=account_ref  given_name=forename  family_name=surname ...
 *
 * The first word is the system's name (1 to 40 of a-z, 0-9 and _); id= names
 * the CSV column holding the record's id in that system (required); every
 * other FIELD=COLUMN maps a column onto one of the person fields a record is
 * matched on (SRC_FIELD_NAMES). A field left out is missing in every record
 * of that system. Columns are matched against the CSV header exactly. */
#ifndef FD_SOURCES_H
#define FD_SOURCES_H
#include <stddef.h>

#include "core/match.h"

/* The fields a source record is matched on, in match-schema order. */
enum {
    SRC_GIVEN, SRC_FAMILY, SRC_DOB, SRC_POSTCODE, SRC_ADDRESS, SRC_EMAIL, SRC_PHONE, SRC_NI, SRC_NFIELDS
};
/* Their names: given_name family_name date_of_birth postcode address email phone ni_number. */
extern const char *const src_field_names[SRC_NFIELDS];

enum { SRC_MAX_SYSTEMS = 64, SRC_NAME_MAX = 40, SRC_COL_MAX = 64 };

typedef struct {
    char name[SRC_NAME_MAX + 1];
    char id_col[SRC_COL_MAX + 1];
    char col[SRC_NFIELDS][SRC_COL_MAX + 1]; /* "" if not mapped */
} source_system;

typedef struct {
    source_system sys[SRC_MAX_SYSTEMS];
    int n;
} source_catalogue;

/* Parses sources.txt text[0..len). 0, or -1 with "line N: reason" in err. */
int sources_parse(const char *text, size_t len, source_catalogue *out, char *err, size_t errlen);
/* The system called name, or NULL. */
const source_system *sources_find(const source_catalogue *c, const char *name);

/* The match schema over SRC_* fields: names (swappable, term-frequency
 * adjusted), date of birth, postcode, address (text), email, phone and
 * National Insurance number (codes); blocked on NI number, email, date
 * of birth, postcode + the surname's first letter, Soundex(surname) + the
 * first name's first letter + year of birth, and both names exactly (only
 * pairs where one record lacks a birth date or a postcode: the rule's
 * unless; name keys also swapped).
 * Static. */
const match_schema *sources_schema(void);

/* Normalises value v of field f into out (outlen bytes): names, address and
 * email lower case with spaces squeezed; dates to YYYY-MM-DD from
 * YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY (else kept as given); postcodes to
 * "SW1A 1AA" when they are postcodes; phone and NI number without spaces
 * (NI upper case). Returns out. */
const char *sources_normalise(int f, const char *v, char *out, size_t outlen);

#endif
