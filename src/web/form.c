#include "web/form.h"

#include <ctype.h>
#include <string.h>

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
}

/* Decodes %XX and + in place; -1 if the result holds a NUL or a control
 * character other than tab, CR and LF. */
static int url_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        unsigned char c;
        if (*s == '+')
            c = ' ';
        else if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
            c = (unsigned char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else
            c = (unsigned char)*s;
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return -1;
        *o++ = (char)c;
    }
    *o = '\0';
    return 0;
}

int form_parse(const char *body, size_t len, arena *a, form_field *out, int max)
{
    if (memchr(body, '\0', len))
        return -1;
    char *copy = arena_strndup(a, body, len);
    int n = 0;
    for (char *p = copy; *p;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        if (*p) {
            if (n == max)
                return -1;
            char *eq = strchr(p, '=');
            if (eq)
                *eq = '\0';
            if (url_decode(p) != 0 || (eq && url_decode(eq + 1) != 0))
                return -1;
            out[n].name = p;
            out[n].value = eq ? eq + 1 : "";
            n++;
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    return n;
}
