#include "core/search.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/timeutil.h"
#include "core/match.h"

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* 1 if buf[i] lies inside a date written YYYY-MM-DD (not a phone number
 * written with dashes). */
static int in_date(const char *buf, size_t i)
{
    size_t start = i;
    while (start > 0 && buf[start - 1] != ' ')
        start--;
    char word[11];
    size_t n = strcspn(buf + start, " ");
    if (n != 10)
        return 0;
    memcpy(word, buf + start, 10);
    word[10] = '\0';
    return time_valid_date(word);
}

int search_terms(const char *q, search_term *out)
{
    int n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", q ? q : "");
    /* A phone number may be written with spaces: join runs of digits. */
    char joined[512];
    size_t j = 0;
    for (size_t i = 0; buf[i] && j + 1 < sizeof joined; i++) {
        if ((buf[i] == ' ' || buf[i] == '-') && i > 0 && isdigit((unsigned char)buf[i - 1]) &&
            isdigit((unsigned char)buf[i + 1]) && !strchr(buf, '/') && !in_date(buf, i))
            continue;
        joined[j++] = buf[i];
    }
    joined[j] = '\0';
    for (char *save = NULL, *t = strtok_r(joined, " ,;\t", &save); t && n < SEARCH_MAX_TERMS;
         t = strtok_r(NULL, " ,;\t", &save)) {
        search_term *o = &out[n];
        size_t len = strlen(t);
        if (len == 0 || len >= sizeof o->text)
            continue;
        int d, m, y;
        char dmy[40];
        if (strchr(t, '@')) {
            o->kind = TERM_EMAIL;
            snprintf(o->text, sizeof o->text, "%s", t);
        } else if (time_valid_date(t)) {
            o->kind = TERM_DATE;
            snprintf(o->text, sizeof o->text, "%s", t);
        } else if (sscanf(t, "%d/%d/%d", &d, &m, &y) == 3 && y > 1800 &&
                   (snprintf(dmy, sizeof dmy, "%04d-%02d-%02d", y, m, d), time_valid_date(dmy))) {
            o->kind = TERM_DATE;
            snprintf(o->text, sizeof o->text, "%s", dmy);
        } else {
            size_t digits = 0, other = 0;
            for (const char *c = t; *c; c++)
                isdigit((unsigned char)*c) ? digits++ : (*c == '+' ? 0 : other++);
            if (digits >= 6 && other == 0) {
                size_t k = 0;
                for (const char *c = t; *c; c++)
                    if (isdigit((unsigned char)*c))
                        o->text[k++] = *c;
                o->text[k] = '\0';
                o->kind = TERM_PHONE;
            } else {
                o->kind = TERM_NAME;
                snprintf(o->text, sizeof o->text, "%s", t);
            }
        }
        lower(o->text);
        n++;
    }
    return n;
}

/* The best similarity of term against any word of the person's names. */
static double name_score(const record *p, const char *term)
{
    double best = 0;
    static const char *const fields[] = {"given_name", "middle_names", "family_name"};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        const char *v = rec_str(p, fields[f]);
        if (!v)
            continue;
        char words[256];
        snprintf(words, sizeof words, "%s", v);
        lower(words);
        for (char *save = NULL, *w = strtok_r(words, " -'", &save); w; w = strtok_r(NULL, " -'", &save)) {
            double s = !strcmp(w, term) ? 1.0 : match_nickname(w, term) ? 0.9 : match_jaro_winkler(w, term);
            if (s > best)
                best = s;
        }
    }
    return best;
}

double search_score(const record *p, const search_term *t, int n)
{
    double score = 0;
    for (int i = 0; i < n; i++) {
        switch (t[i].kind) {
        case TERM_NAME: {
            double s = name_score(p, t[i].text);
            if (s < 0.8)
                return 0;
            score += s;
            break;
        }
        case TERM_DATE: {
            const char *dob = rec_str(p, "date_of_birth");
            if (dob && !strcmp(dob, t[i].text))
                score += 2.0;
            else if (dob && strlen(dob) == 10) {
                char a[9], b[9];
                snprintf(a, sizeof a, "%.4s%.2s%.2s", dob, dob + 5, dob + 8);
                snprintf(b, sizeof b, "%.4s%.2s%.2s", t[i].text, t[i].text + 5, t[i].text + 8);
                if (match_dob_swapped(a, b))
                    score += 1.0;
            }
            break;
        }
        case TERM_PHONE: {
            const char *ph = rec_str(p, "phone");
            char digits[32];
            size_t k = 0;
            for (const char *c = ph; c && *c && k + 1 < sizeof digits; c++)
                if (isdigit((unsigned char)*c))
                    digits[k++] = *c;
            digits[k] = '\0';
            if (k && (strstr(digits, t[i].text) || strstr(t[i].text, digits)))
                score += 3.0;
            break;
        }
        case TERM_EMAIL: {
            const char *em = rec_str(p, "email");
            if (em && !strcasecmp(em, t[i].text))
                score += 3.0;
            break;
        }
        }
    }
    return score;
}
