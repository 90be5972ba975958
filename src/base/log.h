/* log: one line per event on stderr, with a UTC timestamp and a level.
 * Thread-safe (each line is written with a single fputs). */
#ifndef FD_LOG_H
#define FD_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes one access-log line as given (no prefix), to stdout. */
void log_access(const char *line);
/* 1 silences log_info (for tests and bulk tools). */
void log_set_quiet(int quiet);

#endif
