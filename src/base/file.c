#include "base/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static char *fail(FILE *f, char *buf, int why, const char *path, size_t max, char *err, size_t errlen)
{
    if (f)
        fclose(f);
    free(buf);
    if (err && why == EFBIG)
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
    else if (err)
        snprintf(err, errlen, "%s: %s", path, strerror(why));
    errno = why;
    return NULL;
}

char *file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(NULL, NULL, errno, path, max, err, errlen);
    size_t cap = max < 65536 ? max : 65536, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (ferror(f))
            return fail(f, buf, errno ? errno : EIO, path, max, err, errlen);
        if (n < cap)
            break;
        if (cap == max) { /* full: one byte more is too many */
            if (fgetc(f) != EOF)
                return fail(f, buf, EFBIG, path, max, err, errlen);
            break;
        }
        cap = cap > max / 2 ? max : cap * 2;
        buf = xrealloc(buf, cap + 1);
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
