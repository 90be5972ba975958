#!/usr/bin/env bash
# bench/queries.sh DB OUT: search queries drawn from the residents of a
# demo borough (SQLite file DB), one a line, percent-encoded (names may
# have accents or apostrophes), for bench/search.lua: 2,000 people, three
# kinds of query in turn: surname and given name; a given name with one
# letter dropped, and the surname; the surname and the date of birth.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DB OUT" >&2; exit 2; }
sqlite3 -separator '|' "$1" \
  "SELECT given_name, family_name, coalesce(date_of_birth, '') FROM people WHERE council_id = 1 AND id % 145 = 7 ORDER BY id LIMIT 2000" |
  /usr/bin/python3 -c '
import random, sys, urllib.parse
random.seed(7)
for n, line in enumerate(sys.stdin.read().splitlines(), 1):
    given, family, dob = line.split("|")
    k = n % 3
    if k == 0:
        q = family + " " + given
    elif k == 1:
        i = random.randrange(1, len(given)) if len(given) > 2 else len(given)
        q = given[:i] + given[i + 1:] + " " + family
    else:
        q = family + " " + (dob or given)
    print(urllib.parse.quote_plus(q))
' >"$2"
[ "$(wc -l <"$2")" -ge 100 ] || { echo "queries.sh: too few people in $1" >&2; exit 1; }
