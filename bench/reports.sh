#!/usr/bin/env bash
# bench/reports.sh: each management report over more than 5 million contacts
# (target: under 200 ms). Builds, once, the demo borough with Southwark's
# full 2009-2011 contact history (`frontdoor demo --history 100`:
# 5,454,273 contacts and their rollup) in bench/.data/reports.db, starts the
# Release server on it, and times every report, by every grouping, over the
# three years and over a range with odd days at both ends (which reads the
# daily rollup too). Replaces the section "## Management reports" of
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
BIN=${FRONTDOOR:-$ROOT/build/frontdoor}
DATA=$ROOT/bench/.data
DB=$DATA/reports.db
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
RUNS=${RUNS:-30}
SECTION='## Management reports'
say() { printf 'bench: %s\n' "$*" >&2; }
[ -x "$BIN" ] || { say "no $BIN; run 'make build' first"; exit 1; }
mkdir -p "$DATA"
if [ ! -f "$DB" ]; then
  say "creating the demo borough with 5.45 million contacts (once; a few minutes)"
  rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
  "$BIN" demo --db "$DB.tmp" --history 100 >"$DATA/reports-demo.txt"
  "$BIN" migrate --db "$DB.tmp" >/dev/null 2>&1
  sqlite3 "$DB.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  mv "$DB.tmp" "$DB"
fi
"$BIN" migrate --db "$DB" >/dev/null 2>&1
TMP=$(mktemp -d "$DATA/reports.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
CONTACTS=$(sqlite3 "$DB" 'SELECT count(*) FROM contacts')
DAILY=$(sqlite3 "$DB" 'SELECT count(*) FROM contact_daily')
MONTHLY=$(sqlite3 "$DB" 'SELECT count(*) FROM contact_monthly')
SLA_DAILY=$(sqlite3 "$DB" 'SELECT count(*) FROM request_sla_daily')
SLA_MONTHLY=$(sqlite3 "$DB" 'SELECT count(*) FROM request_sla_monthly')
TAKEUP=$(sqlite3 "$DB" 'SELECT count(*) FROM takeup_contacts')
[ "$CONTACTS" -ge 5000000 ] || { say "only $CONTACTS contacts in $DB"; exit 1; }
TOKEN=$("$BIN" token create --db "$DB" --name bench-reports --role manager --scopes read)
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --access-log off --retention-every 0 2>"$TMP/serve.log" &
PID=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$TMP/serve.log" && break; sleep 0.1; done
PORT=$(grep -oE 'listening on http://127.0.0.1:[0-9]+' "$TMP/serve.log" | grep -oE '[0-9]+$')

# Times one URL RUNS times (after WARM warm-ups), one request at a time;
# prints "p50 p99 max server" in milliseconds: round trip, and the median
# of the time the server says it spent counting (the JSON's milliseconds).
# Each of the server's threads (one per core) has its own SQLite connection
# and page cache, and a request lands on whichever thread takes it: one
# warm-up per thread and one more, or a thread's first read of the URL's
# pages is among the timed ones.
WARM=${WARM:-$(( $(nproc) * 2 ))}
time_url() {
  local url=$1 code
  for _ in $(seq 1 "$WARM"); do
    code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$url")
    [ "$code" = 200 ] || { say "$url answered $code: $(head -c 300 "$TMP/body")"; exit 1; }
  done
  : >"$TMP/server"
  for _ in $(seq 1 "$RUNS"); do
    curl -s -o "$TMP/run" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$url"
    grep -oE '"milliseconds": *[0-9.]+' "$TMP/run" | grep -oE '[0-9.]+$' >>"$TMP/server" || true
  done | sort -n | awk '{ v[NR] = $1 * 1000 } END {
    p50 = v[int((NR + 1) / 2)]; i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR;
    printf "%.1f %.1f %.1f ", p50, v[i99], v[NR] }'
  sort -n "$TMP/server" | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f\n", v[int((NR + 1) / 2)]; else print "-" }'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
rows=""
worst=0
fails=0
for report in channels cost avoidable first-contact sla take-up; do
  for range in "2009-01-01 2011-12-31" "2009-02-11 2011-10-17"; do
    set -- $range
    for by in month channel service department; do
      url="http://127.0.0.1:$PORT/api/v1/reports/$report?from=$1&to=$2&by=$by"
      read -r p50 p99 max server < <(time_url "$url")
      nrows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$TMP/body")
      ok=$(awk -v m="$p99" 'BEGIN { print (m < 200) ? "met" : "NOT met" }')
      [ "$ok" = met ] || fails=$((fails + 1))
      worst=$(awk -v a="$worst" -v b="$p99" 'BEGIN { print (b > a) ? b : a }')
      rows="$rows| $report | $by | $1 .. $2 | $nrows | $server ms | $p50 ms | $p99 ms | $max ms | $ok |
"
      say "$report by $by $1..$2: server $server ms, p50 $p50 ms, p99 $p99 ms ($nrows rows)"
    done
  done
done
# One CSV download, the largest table.
read -r cp50 cp99 cmax _ < <(time_url "http://127.0.0.1:$PORT/api/v1/reports/channels?from=2009-01-01&to=2011-12-31&by=service&format=csv")

# What the load printed: the borough's seconds, and the history's.
LOAD=$(grep -E '^(demo borough|history):' "$DATA/reports-demo.txt" | sed -E 's/^([a-z ]+):.* in ([0-9.]+ s)$/\1 \2/' | paste -sd ';' | sed 's/;/; /g')
commit=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain -- src catalogue)" ] || commit="$commit (with uncommitted changes)"
section=$(cat <<MD
$SECTION

Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores, commit \`$commit\`. Reproduce with \`bench/reports.sh\`
after \`make build\`. The database: \`frontdoor demo --history 100\` (290,000 residents and
**$CONTACTS contacts** from 2009 to 2011 following Southwark's volumes and channel mix), SQLite,
loaded once and kept in bench/.data ($LOAD). The rollup its triggers keep holds $MONTHLY monthly and
$DAILY daily rows; the requests' rollup $SLA_MONTHLY monthly and $SLA_DAILY daily rows, and take-up's
$TAKEUP contacts that can count (of $CONTACTS). A Release build serves it; each URL is asked $WARM times
to warm up (each server thread has its own SQLite page cache), then $RUNS times one after another
with curl (round trip, including JSON). The second range has odd days at both ends, so it reads
the daily rollups as well as the monthly ones. "server" is the median
of the time each answer says the server spent (\`milliseconds\` in the JSON: the queries and the
counting, without HTTP and JSON). The machine is shared: load average $LOAD_BEFORE (1, 5, 15
minutes) when the run began, $(cut -d' ' -f1-3 /proc/loadavg) when it ended, on $(nproc) cores.

| report | by | range | rows | server (median) | p50 | p99 | max | p99 under 200 ms |
|---|---|---|---:|---:|---:|---:|---:|---|
$rows
CSV download (\`channels\` by service, three years): p50 $cp50 ms, p99 $cp99 ms.

Slowest p99: **$worst ms**; target under 200 ms for every report: **$([ "$fails" = 0 ] && echo met || echo "NOT met ($fails over)")**.
MD
)
if [ -f "$RESULTS" ] && grep -qF "$SECTION" "$RESULTS"; then
  awk -v sec="$SECTION" 'BEGIN{skip=0} $0==sec{skip=1; next} skip && /^## /{skip=0} !skip' "$RESULTS" >"$TMP/r.md"
  cp "$TMP/r.md" "$RESULTS"
fi
printf '\n%s\n' "$section" >>"$RESULTS"
say "slowest p99 $worst ms over $CONTACTS contacts"
