/* csv: RFC 4180 records one at a time (see csv.h). */
#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

enum { BUF_CAP = CSV_MAX_RECORD + CSV_MAX_FIELDS + 8 };

void csv_init(csv_reader *r, const char *text, size_t len)
{
    r->p = text;
    r->end = text + len;
    r->line = 1;
    r->cap = BUF_CAP;
    r->buf = xmalloc(r->cap);
}

void csv_free(csv_reader *r)
{
    free(r->buf);
    r->buf = NULL;
}

/* 1 if p is at a line end: LF, or CR before LF or the end of the text. */
static int at_eol(const csv_reader *r, const char *p)
{
    return p < r->end && (*p == '\n' || (*p == '\r' && (p + 1 >= r->end || p[1] == '\n')));
}

/* Moves past the line end at p (if any), counting the line. */
static const char *past_eol(const csv_reader *r, const char *p, size_t *line)
{
    if (p < r->end && *p == '\r')
        p++;
    if (p < r->end && *p == '\n') {
        p++;
        (*line)++;
    }
    return p;
}

/* Skips to just past the next LF at or after p (or the end). */
static const char *next_line(const csv_reader *r, const char *p, size_t *line)
{
    const char *nl = memchr(p, '\n', (size_t)(r->end - p));
    if (!nl)
        return r->end;
    (*line)++;
    return nl + 1;
}

csv_status csv_next(csv_reader *r, csv_row *row)
{
    while (at_eol(r, r->p))
        r->p = past_eol(r, r->p, &r->line);
    if (r->p >= r->end)
        return CSV_END;
    const char *start = r->p, *p = start;
    size_t line = r->line;
    char *o = r->buf;
    const char *why = NULL;
    int restart = 0; /* 1: resume after the record's first line; 0: after the line the error is on */
    row->line = r->line;
    row->nfields = 0;
    row->msg[0] = '\0';
    for (;;) {
        if (row->nfields == CSV_MAX_FIELDS) {
            why = "more than 64 fields";
            goto bad;
        }
        row->field[row->nfields++] = o;
        if (p < r->end && *p == '"') {
            p++;
            for (;;) {
                if (p >= r->end) {
                    why = "a quoted field is never closed";
                    restart = 1;
                    goto bad;
                }
                if ((size_t)(p - start) >= CSV_MAX_RECORD) {
                    why = "record longer than 65536 bytes";
                    restart = 1;
                    goto bad;
                }
                if (*p == '"') {
                    if (p + 1 < r->end && p[1] == '"') {
                        *o++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\0') {
                    why = "a NUL byte";
                    goto bad;
                }
                if (*p == '\n')
                    line++;
                *o++ = *p++;
            }
            *o++ = '\0';
            if (p < r->end && *p == ',') {
                p++;
                continue;
            }
            if (p >= r->end || at_eol(r, p))
                break;
            why = "text after a closing quote";
            goto bad;
        }
        while (p < r->end && *p != ',' && !at_eol(r, p)) {
            if (*p == '"') {
                why = "a quote inside an unquoted field (quote the whole field and double the quote)";
                goto bad;
            }
            if (*p == '\0') {
                why = "a NUL byte";
                goto bad;
            }
            if ((size_t)(p - start) >= CSV_MAX_RECORD) {
                why = "record longer than 65536 bytes";
                restart = 1;
                goto bad;
            }
            *o++ = *p++;
        }
        *o++ = '\0';
        if (p < r->end && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    r->p = past_eol(r, p, &line);
    r->line = line;
    return CSV_RECORD;

bad:
    snprintf(row->msg, sizeof row->msg, "%s", why);
    row->nfields = 0;
    if (restart) {
        line = row->line;
        p = start;
    }
    r->p = next_line(r, p, &line);
    r->line = line;
    return CSV_BAD;
}
