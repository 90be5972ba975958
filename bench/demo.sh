#!/usr/bin/env bash
# bench/demo.sh: how long `frontdoor demo` takes to generate and load the
# demo borough at the reference scale (290,000 people), the whole command
# from start to exit: the borough, the take-up of services, 1% of
# Southwark's contact history, the indexes optimised and the demo accounts.
# Target: under 60 s. Each run loads a new SQLite file (the embedded
# default); BACKENDS="sqlite pg" also loads a throwaway PostgreSQL 15 server
# (scripts/pg-test-server.sh: fsync off, so its figure is not one for a
# real server). Replaces the section "## Demo borough: generated and
# loaded" of bench/RESULTS.md.
#
#   bench/demo.sh            after `make build`
# Knobs: RUNS=3 (on SQLite), PG_RUNS=1, PEOPLE=290000, BACKENDS=sqlite, RESULTS=.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
BIN=${FRONTDOOR:-$ROOT/build/frontdoor}
DATA=$ROOT/bench/.data
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
RUNS=${RUNS:-3}
PG_RUNS=${PG_RUNS:-1}
PEOPLE=${PEOPLE:-290000}
BACKENDS=${BACKENDS:-sqlite}
SECTION='## Demo borough: generated and loaded'
say() { printf 'bench: %s\n' "$*" >&2; }
[ -x "$BIN" ] || { say "no $BIN; run 'make build' first"; exit 1; }
mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/demo.XXXXXX")
PG_DIR=""
cleanup() {
  [ -n "$PG_DIR" ] && "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

# run LABEL DBFLAGS...: one `frontdoor demo`; appends a table row to $TMP/rows
# and the wall time to $TMP/LABEL.walls.
run() {
  local label=$1
  shift
  local out=$TMP/out.txt wall user sys
  TIMEFORMAT='%R %U %S'
  { time "$BIN" demo "$@" --people "$PEOPLE" >"$out" 2>"$TMP/err.txt"; } 2>"$TMP/time.txt" ||
    { say "frontdoor demo failed:"; cat "$TMP/err.txt" >&2; exit 1; }
  read -r wall user sys <"$TMP/time.txt"
  local borough takeup history people
  people=$(grep -oE '^demo borough: [0-9]+ people' "$out" | grep -oE '[0-9]+')
  borough=$(grep '^demo borough:' "$out" | grep -oE '[0-9.]+ s$' | cut -d' ' -f1)
  takeup=$(grep '^take-up:' "$out" | grep -oE '[0-9.]+ s$' | cut -d' ' -f1)
  history=$(grep '^history:' "$out" | grep -oE '[0-9.]+ s$' | cut -d' ' -f1)
  [ "$people" = "$PEOPLE" ] || { say "expected $PEOPLE people, the demo said: $(head -3 "$out")"; exit 1; }
  echo "$wall" >>"$TMP/$label.walls"
  printf '| %s | %s s | %s s | %s s | %s s | %s s | %s s |\n' "$label" "$wall" "$borough" "$takeup" "$history" \
    "$user" "$sys" >>"$TMP/rows"
  say "$label: $wall s (borough $borough s, take-up $takeup s, history $history s)"
}

for b in $BACKENDS; do
  n=$RUNS
  [ "$b" = pg ] && n=$PG_RUNS
  for i in $(seq 1 "$n"); do
    case $b in
      sqlite)
        rm -f "$TMP/d.db" "$TMP/d.db-wal" "$TMP/d.db-shm" "$TMP/d.db-audit"*
        run sqlite --db "$TMP/d.db"
        SIZE=$(du -m "$TMP/d.db" | cut -f1)
        ;;
      pg)
        PG_DIR=$(mktemp -d /tmp/fd-demo-pg.XXXXXX) # the postgres user must reach it
        chmod 755 "$PG_DIR"
        PG=$("$ROOT/scripts/pg-test-server.sh" start "$PG_DIR" | tail -n1)
        run pg --pg "$PG"
        "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" >/dev/null
        PG_DIR=""
        ;;
      *) say "unknown backend $b (sqlite, pg)"; exit 1 ;;
    esac
  done
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
summary=""
verdict="met"
for b in $BACKENDS; do
  m=$(median "$TMP/$b.walls")
  summary="$summary| $b | **$m s** | $(paste -sd' ' "$TMP/$b.walls") | under 60 s: $(awk -v m="$m" 'BEGIN{print (m < 60) ? "met" : "NOT met"}') |
"
  [ "$b" = sqlite ] && ! awk -v m="$m" 'BEGIN{exit !(m < 60)}' && verdict="NOT met"
done

commit=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain -- src)" ] || commit="$commit (with uncommitted changes)"
section=$(cat <<MD
$SECTION

Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores, commit \`$commit\`, load average
$(cut -d' ' -f1-3 /proc/loadavg) when it ended. Reproduce with \`bench/demo.sh\` after \`make build\`
(\`BACKENDS="sqlite pg"\` adds PostgreSQL).

\`frontdoor demo --people $PEOPLE\` into a new database, timed from start to exit ($RUNS runs on
SQLite, $PG_RUNS on PostgreSQL if listed): the borough (people, households, properties, memberships), the take-up of the services
the rules say each is entitled to, 1% of Southwark's 2009-2011 contacts with their requests, the
indexes optimised, the demo accounts. SQLite file afterwards: ${SIZE:-?} MB.

| backend | wall, median | each run | target |
|---|---:|---|---|
${summary}
| run | wall | borough | take-up | history | user CPU | system CPU |
|---|---:|---:|---:|---:|---:|---:|
$(cat "$TMP/rows")

Target (the borough generated and loaded in under 60 s, the whole command on SQLite): **$verdict**.
The load is one bulk load: durability relaxed to WAL's NORMAL (a demo that dies half-way is made
again), a thread of its own checkpointing the WAL behind the loader, 50,000 rows a transaction, and
statement journals kept in memory (they were temporary files, written a page at a time).
MD
)
if [ -f "$RESULTS" ] && grep -qF "$SECTION" "$RESULTS"; then
  awk -v sec="$SECTION" 'BEGIN{skip=0} $0==sec{skip=1; next} skip && /^## /{skip=0} !skip' "$RESULTS" >"$TMP/r.md"
  cp "$TMP/r.md" "$RESULTS"
fi
printf '\n%s\n' "$section" >>"$RESULTS"
say "demo: $(echo "$summary" | tr '\n' ' ')"
