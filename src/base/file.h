/* file: reading a whole file. */
#ifndef FD_FILE_H
#define FD_FILE_H

#include <stddef.h>

/* Reads the file at path whole into a malloc'd buffer (free it), with a
 * NUL after its *len bytes (len may be NULL). NULL if it cannot: errno
 * says why (ENOENT: there is no such file; EFBIG: it is larger than max
 * bytes) and err, if not NULL, holds one line, "PATH: why". */
char *file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
