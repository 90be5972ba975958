#!/usr/bin/env bash
# bench/queries.sh DB OUT: search queries drawn from the residents of a
# demo borough (SQLite file DB), one a line, URL-encoded, for
# bench/search.lua: 2,000 people, three kinds of query in turn: surname and
# given name; a given name with one letter dropped, and the surname; the
# surname and the date of birth.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DB OUT" >&2; exit 2; }
sqlite3 -separator ' ' "$1" \
  "SELECT given_name, family_name, coalesce(date_of_birth, '') FROM people WHERE council_id = 1 AND id % 145 = 7 ORDER BY id LIMIT 2000" |
  awk 'BEGIN { srand(7) }
       { k = NR % 3
         if (k == 0) q = $2 " " $1
         else if (k == 1) { g = $1; i = 2 + int(rand() * (length(g) - 2)); q = substr(g, 1, i - 1) substr(g, i + 1) " " $2 }
         else q = $2 " " ($3 != "" ? $3 : $1)
         gsub(/ /, "+", q); print q }' >"$2"
[ "$(wc -l <"$2")" -ge 100 ] || { echo "queries.sh: too few people in $1" >&2; exit 1; }
