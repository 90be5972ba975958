/* workdays: working days in England and Wales (no weekends, no bank
 * holidays), for the dates a council promises. Pure. */
#ifndef FD_WORKDAYS_H
#define FD_WORKDAYS_H
#include <stddef.h>

enum { WORKDAYS_MAX_HOLIDAYS = 512 };

typedef struct {
    long long day[WORKDAYS_MAX_HOLIDAYS]; /* days since the epoch, ascending */
    int n;
} holidays;

/* Parses lines "YYYY-MM-DD" ('#' comments) into h. 0, or -1 with
 * "FILE:LINE: ..." in err. */
int holidays_parse(const char *text, const char *file, holidays *h, char *err, size_t errlen);
/* The date `days` working days after date (a working day or not): day 1
 * is the next working day; 0 gives date itself. Writes YYYY-MM-DD to out.
 * 0, or -1 if date is not a date. */
int workdays_add(const holidays *h, const char *date, int days, char out[11]);
/* 1 if date (YYYY-MM-DD) is a working day. */
int workdays_is_working(const holidays *h, const char *date);

#endif
