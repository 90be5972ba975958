#!/usr/bin/env bash
# bench/life_events.sh: tell us once on the demo borough. For 50 people who
# live with someone, a death is previewed, applied and reversed; for 50
# households, a move within the borough to a flat is applied. Each is one
# HTTP request timed by curl (round trip, one at a time) and by the server
# (/metrics). Uses the demo borough bench/run.sh creates (bench/.data/demo.db),
# a fresh copy each run. Replaces the section "## Life events" of
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
BIN=${FRONTDOOR:-$ROOT/build/frontdoor}
DATA=$ROOT/bench/.data
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
SECTION='## Life events'
say() { printf 'bench: %s\n' "$*" >&2; }
[ -x "$BIN" ] || { say "no $BIN; run 'make build' first"; exit 1; }
if [ ! -f "$DATA/demo.db" ]; then
  mkdir -p "$DATA"
  say "creating the demo borough (once)"
  "$BIN" demo --db "$DATA/demo.db" >"$DATA/demo.txt"
fi
TMP=$(mktemp -d "$DATA/life.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
cp "$DATA/demo.db" "$TMP/db"
"$BIN" migrate --db "$TMP/db" >/dev/null 2>&1
N=$(sqlite3 "$TMP/db" 'SELECT count(*) FROM people')
TOKEN=$("$BIN" token create --db "$TMP/db" --name bench --role team_leader --scopes "read write")
"$BIN" serve --db "$TMP/db" --listen 127.0.0.1:0 --access-log off --retention-every 0 2>"$TMP/serve.log" &
PID=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$TMP/serve.log" && break; sleep 0.1; done
PORT=$(grep -oE 'listening on http://127.0.0.1:[0-9]+' "$TMP/serve.log" | grep -oE '[0-9]+$')
URL="http://127.0.0.1:$PORT/api/v1/life-events"
DAY=$(date -u +%F)

# People who live with at least one other person now, with the most enrolments first
# among a spread of households; and flats to move to.
sqlite3 "$TMP/db" "WITH big AS (SELECT household_id FROM household_members WHERE to_date IS NULL
  GROUP BY household_id HAVING count(*) >= 2)
  SELECT m.person_id FROM household_members m JOIN big USING (household_id)
  WHERE m.to_date IS NULL AND m.relationship = 'head' ORDER BY (m.household_id * 7919) % 1009 LIMIT 100" >"$TMP/people"
sqlite3 "$TMP/db" "SELECT id FROM properties WHERE property_type = 'flat' ORDER BY (id * 104729) % 10007 LIMIT 50" >"$TMP/flats"
[ "$(wc -l <"$TMP/people")" -eq 100 ] || { say "not enough households in the demo"; exit 1; }

post() { # post URL BODY OUTFILE -> prints "STATUS SECONDS"
  curl -s -o "$3" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$2" "$1"
}
: >"$TMP/preview.t"; : >"$TMP/apply.t"; : >"$TMP/reverse.t"; : >"$TMP/move.t"; : >"$TMP/effects"
head -50 "$TMP/people" | while read -r p; do
  body="{\"person_id\":$p,\"type\":\"death\",\"event_date\":\"$DAY\"}"
  read -r st t < <(post "$URL?preview=true" "$body" "$TMP/o.json"); [ "$st" = 200 ] || { say "preview $p: $st"; cat "$TMP/o.json"; exit 1; }
  echo "$t" >>"$TMP/preview.t"
  read -r st t < <(post "$URL" "$body" "$TMP/o.json"); [ "$st" = 201 ] || { say "death $p: $st"; cat "$TMP/o.json"; exit 1; }
  echo "$t" >>"$TMP/apply.t"
  python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['effects']))" "$TMP/o.json" >>"$TMP/effects"
  id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$TMP/o.json")
  read -r st t < <(post "$URL/$id/reverse" '{"reason":"bench"}' "$TMP/o.json"); [ "$st" = 200 ] || { say "reverse $id: $st"; exit 1; }
  echo "$t" >>"$TMP/reverse.t"
done
paste <(tail -50 "$TMP/people") "$TMP/flats" | while read -r p f; do
  read -r st t < <(post "$URL" "{\"person_id\":$p,\"type\":\"move_within\",\"event_date\":\"$DAY\",\"details\":{\"property_id\":$f}}" "$TMP/o.json")
  [ "$st" = 201 ] || { say "move $p: $st"; cat "$TMP/o.json"; exit 1; }
  echo "$t" >>"$TMP/move.t"
done
ms() { sort -n "$1" | awk -v q="$2" '{a[NR]=$1} END {i=int(NR*q+0.999); if(i<1)i=1; printf "%.1f", 1000*a[i]}'; }
M=$(curl -s "http://127.0.0.1:$PORT/metrics" | grep 'route="/api/v1/life-events"')
COUNT=$(echo "$M" | awk '/_count/ {s+=$2} END {print s+0}')
SUM=$(echo "$M" | awk '/_sum/ {s+=$2} END {print s+0}')
MEAN_MS=$(awk -v s="$SUM" -v c="$COUNT" 'BEGIN { if (c) printf "%.1f", 1000 * s / c; else print "n/a" }')
EFF=$(sort -n "$TMP/effects" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " (" a[1] " to " a[NR] ")"}')

commit=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain -- src catalogue)" ] || commit="$commit (with uncommitted changes)"
section=$(cat <<MD
$SECTION

Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores, commit \`$commit\`, demo borough of $N people (SQLite),
one request at a time. Reproduce with \`bench/life_events.sh\` after \`make build\`.

| what (50 each) | p50 | p95 |
|---|---:|---:|
| death, preview (done and rolled back) | $(ms "$TMP/preview.t" 0.5) ms | $(ms "$TMP/preview.t" 0.95) ms |
| death, applied | $(ms "$TMP/apply.t" 0.5) ms | $(ms "$TMP/apply.t" 0.95) ms |
| death, reversed | $(ms "$TMP/reverse.t" 0.5) ms | $(ms "$TMP/reverse.t" 0.95) ms |
| move within the borough, whole household, applied | $(ms "$TMP/move.t" 0.5) ms | $(ms "$TMP/move.t" 0.95) ms |

Round trips by curl. Mean server time of POST /api/v1/life-events (from /metrics): $MEAN_MS ms.
Effects per death: median $EFF. Each report reads the household, its members and their
enrolments, decides the rules for everyone left, writes every change, the tasks, the messages,
one contact and the audit entries in one transaction.
MD
)
if [ -f "$RESULTS" ] && grep -qF "$SECTION" "$RESULTS"; then
  awk -v sec="$SECTION" 'BEGIN{skip=0} $0==sec{skip=1; next} skip && /^## /{skip=0} !skip' "$RESULTS" >"$TMP/r.md"
  cp "$TMP/r.md" "$RESULTS"
fi
printf '\n%s\n' "$section" >>"$RESULTS"
say "death applied p50 $(ms "$TMP/apply.t" 0.5) ms; move p50 $(ms "$TMP/move.t" 0.5) ms"
