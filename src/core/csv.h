/* csv: reading CSV text (RFC 4180) one record at a time. Pure: takes the
 * text, not a file.
 *
 * Fields are separated by commas; a field may be quoted with double quotes,
 * and then holds commas, line ends and quotes written twice (""). Lines end
 * in LF or CRLF; the last may have no line end. Spaces are part of a value.
 * A record whose quoting is broken (a quote inside an unquoted field,
 * anything but a comma or line end after a closing quote, a quote never
 * closed), or that holds a NUL byte or is longer than CSV_MAX_RECORD bytes,
 * is reported with the line it starts on and skipped: reading goes on at
 * the next line. Blank lines are skipped silently. */
#ifndef FD_CSV_H
#define FD_CSV_H
#include <stddef.h>

enum {
    CSV_MAX_FIELDS = 64,      /* fields in one record at most */
    CSV_MAX_RECORD = 1 << 16  /* bytes in one record at most (quotes and all) */
};

typedef struct {
    const char *p, *end;   /* what is left to read */
    size_t line;           /* the line p starts on (1-based) */
    char *buf;             /* the current record's values, NUL-terminated; xmalloc'd */
    size_t cap;
} csv_reader;

typedef enum {
    CSV_RECORD = 0, /* a record: nfields values in field[] */
    CSV_BAD,        /* a malformed record, skipped: why in msg */
    CSV_END         /* no more text */
} csv_status;

typedef struct {
    size_t line;                       /* the line the record starts on */
    int nfields;
    const char *field[CSV_MAX_FIELDS]; /* valid until the next csv_next or csv_free */
    char msg[120];                     /* CSV_BAD: e.g. "a quoted field is never closed" */
} csv_row;

/* Starts reading text[0..len) (need not be NUL-terminated; must outlive
 * the reader). */
void csv_init(csv_reader *r, const char *text, size_t len);
/* Reads the next record into row. */
csv_status csv_next(csv_reader *r, csv_row *row);
/* Releases the reader's buffer. */
void csv_free(csv_reader *r);

#endif
