/* timeutil: dates and times as the API shows them (ISO 8601, UTC). */
#ifndef FD_TIMEUTIL_H
#define FD_TIMEUTIL_H
#include <stdint.h>

/* Writes now as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void time_now_iso(char out[21]);
/* Writes today's UTC date as "YYYY-MM-DD" into out (at least 11 bytes). */
void time_today(char out[11]);
/* 1 if s is a real calendar date written "YYYY-MM-DD" (years 1800-2200). */
int time_valid_date(const char *s);
/* Seconds since the epoch for "YYYY-MM-DDTHH:MM:SSZ"; -1 if malformed. */
long long time_parse_iso(const char *s);
/* Writes t (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ". */
void time_iso_from(long long t, char out[21]);
/* Monotonic clock in nanoseconds. */
uint64_t time_mono_ns(void);

#endif
