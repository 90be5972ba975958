#!/usr/bin/env bash
# bench/run.sh: GET /api/v1/people/{id} at demo scale, beside nginx.
#
# frontdoor (Release build, build/frontdoor) serves a copy of the demo
# borough, created once in bench/.data/demo.db (git-ignored), with an API
# token it mints for the run; nginx (Debian's) answers `return 200` with a body of
# the same size as a typical person. wrk runs the same Lua script against
# both, alternately, in one run (the machine is small and noisy: only
# ratios measured side by side mean anything). The figures replace the
# section "## GET /api/v1/people/{id} vs nginx" of bench/RESULTS.md.
#
#   make bench             build, install wrk + nginx-light if missing, run
#   bench/run.sh           the same after `make build`
#
# Knobs (environment): ROUNDS=3 (pairs of runs), DURATION=10s, THREADS=2,
# CONNECTIONS=32, WARMUP=3s, PEOPLE= (demo size when the DB is created;
# default the demo's own), FRESH_DEMO=1 (create the demo DB again, e.g. after
# the demo generator changed; or rm -rf bench/.data), BENCH_AUTH= (a header
# sent with every request to both servers, e.g. "Authorization: Bearer
# TOKEN", for when the route needs credentials), NGINX=/usr/sbin/nginx,
# RESULTS=bench/RESULTS.md, FRONTDOOR=build/frontdoor (another build, for
# an A/B of a change; RESULTS.md then names it).
# Servers listen on 127.0.0.1 only; every wait is bounded.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
BIN=${FRONTDOOR:-$ROOT/build/frontdoor} # FRONTDOOR=path benchmarks another build
DATA=$ROOT/bench/.data
DB=$DATA/demo.db
LUA=$ROOT/bench/people.lua
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
NGINX=${NGINX:-/usr/sbin/nginx}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-3s}
SECTION='## GET /api/v1/people/{id} vs nginx'

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# --- 1. tools -----------------------------------------------------------
[ -x "$BIN" ] || die "no $BIN; run 'make build' first (or 'make bench')"
if ! command -v wrk >/dev/null 2>&1 || [ ! -x "$NGINX" ]; then
  "$ROOT/scripts/deps.sh" bench
fi
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (scripts/deps.sh bench)"
[ -x "$NGINX" ] || die "no nginx at $NGINX (scripts/deps.sh bench installs nginx-light)"
command -v curl >/dev/null 2>&1 || die "curl is not installed (apt-get install curl)"
command -v sqlite3 >/dev/null 2>&1 || die "the sqlite3 CLI is not installed (apt-get install sqlite3)"

# --- cleanup, whatever happens -------------------------------------------
# Scratch space under bench/.data (git-ignored), not a shared /tmp.
mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/run.XXXXXX")
FD_PID=""
NG_PID=""
stop_pid() { # pid signal: signal, then wait up to 10 s, then KILL
  local pid=$1 sig=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$FD_PID" TERM
  stop_pid "$NG_PID" TERM # nginx -s stop: master and workers
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 2. the demo borough, once --------------------------------------------
[ "${FRESH_DEMO:-0}" = 1 ] && rm -f "$DB" "$DB-wal" "$DB-shm" "$DATA/demo.txt"
if [ ! -s "$DB" ]; then
  say "creating the demo borough in ${DB#"$ROOT"/} (once; takes a while)"
  rm -f "$DB" "$DB-wal" "$DB-shm" "$DATA/demo.txt" "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
  people_flag=()
  [ -n "${PEOPLE:-}" ] && people_flag=(--people "$PEOPLE")
  if ! "$BIN" demo --db "$DB.tmp" "${people_flag[@]}" >"$DATA/demo.txt" 2>"$TMP/demo.err"; then
    cat "$TMP/demo.err" >&2
    rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
    die "frontdoor demo failed"
  fi
  # Fold the WAL in so the file stands alone, then put it in place.
  sqlite3 "$DB.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  rm -f "$DB.tmp-wal" "$DB.tmp-shm"
  mv "$DB.tmp" "$DB"
  cat "$DATA/demo.txt" >&2
fi

read -r PMIN PMAX PCOUNT < <(sqlite3 -readonly -separator ' ' "$DB" \
  'SELECT min(id), max(id), count(*) FROM people WHERE council_id = 1;')
[ "${PCOUNT:-0}" -gt 0 ] || die "no people in $DB; delete it and run again"
if [ "$PMIN" != 1 ] || [ "$PMAX" != "$PCOUNT" ]; then
  die "people ids in $DB are not 1..$PCOUNT (min $PMIN, max $PMAX); delete it and run again"
fi
N=$PCOUNT
say "demo borough: $N people"
# Serve a copy: frontdoor writes to the DB while serving (the audit log of
# every read, the token below), and the next run must start from the same
# borough. The copy also lands in the page cache, so the first round is not
# a disk benchmark.
SERVE_DB=$TMP/serve.db
sqlite3 "$DB" ".backup '$SERVE_DB'" || die "cannot copy $DB"
cat "$SERVE_DB" >/dev/null

# Credentials: GET /api/v1/people/{id} is for staff. Unless BENCH_AUTH is
# given, mint an API token for a contact-centre agent (read scope) in the
# served copy, one per run (printed once by frontdoor, kept only in memory).
AUTH_NOTE=""
if [ -z "${BENCH_AUTH:-}" ] && "$BIN" token create --help >/dev/null 2>&1; then
  TOKEN=$("$BIN" token create --db "$SERVE_DB" --name bench --role agent --scopes read 2>"$TMP/token.err") ||
    { cat "$TMP/token.err" >&2; die "frontdoor token create failed"; }
  [ -n "$TOKEN" ] || die "frontdoor token create printed no token"
  BENCH_AUTH="Authorization: Bearer $TOKEN"
  AUTH_NOTE="an agent's API token (read scope), minted by run.sh"
fi
# The same extra header, if any, on every request to either server.
AUTH=()
[ -n "${BENCH_AUTH:-}" ] && AUTH=(-H "$BENCH_AUTH")

# --- 3. frontdoor ------------------------------------------------------
"$BIN" serve --db "$SERVE_DB" --listen 127.0.0.1:0 --access-log off >"$TMP/frontdoor.out" 2>"$TMP/frontdoor.err" &
FD_PID=$!
FD_PORT=""
for ((i = 0; i < 200; i++)); do # up to 20 s
  FD_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$TMP/frontdoor.err" | head -n1)
  [ -n "$FD_PORT" ] && break
  kill -0 "$FD_PID" 2>/dev/null || { cat "$TMP/frontdoor.err" >&2; die "frontdoor serve exited"; }
  sleep 0.1
done
[ -n "$FD_PORT" ] || { cat "$TMP/frontdoor.err" >&2; die "frontdoor did not say where it listens"; }
FD=http://127.0.0.1:$FD_PORT
for ((i = 0; i < 100; i++)); do # up to 10 s
  curl -fsS -o /dev/null --max-time 2 "$FD/healthz" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null --max-time 2 "$FD/healthz" || die "frontdoor /healthz does not answer"
say "frontdoor on $FD (pid $FD_PID)"
# The person views are kept rendered (migration 0024); a copy made before
# that, or a fresh demo, has them all to render, which serve does in the
# background at start. Measure the steady state: wait until none is left.
# shellcheck source=bench/views.sh
. "$ROOT/bench/views.sh"
wait_views "$SERVE_DB" "$FD_PID" "$TMP/frontdoor.err"
RENDER_SECS=$VIEWS_SECS
say "person views rendered ($RENDER_SECS s after start)"

# --- 4. a typical body, and nginx answering one as large ------------------
# The median body size over a sample of ids spread across the population.
SIZES=()
HEADERS=()
for ((i = 0; i <= 40; i++)); do # 41 ids evenly spread over 1..N: the same each run
  id=$((1 + i * (N - 1) / 40))
  out=$(curl -sS -o /dev/null --max-time 5 -w '%{http_code} %{size_download} %{size_header}' "${AUTH[@]}" \
    "$FD/api/v1/people/$id")
  read -r code size hsize <<<"$out"
  if [ "$code" = 401 ] || [ "$code" = 403 ]; then
    die "GET /api/v1/people/$id answered $code: the route wants credentials; set BENCH_AUTH," \
      "e.g. BENCH_AUTH='Authorization: Bearer TOKEN' with a staff token for bench/.data/demo.db"
  fi
  [ "$code" = 200 ] || die "GET /api/v1/people/$id answered $code, not 200"
  SIZES+=("$size")
  HEADERS+=("$hsize")
done
FD_HDR=$(printf '%s\n' "${HEADERS[@]}" | sort -n | sed -n "$(((${#HEADERS[@]} + 1) / 2))p")
BODY=$(printf '%s\n' "${SIZES[@]}" | sort -n | sed -n "$(((${#SIZES[@]} + 1) / 2))p")
BODY_MIN=$(printf '%s\n' "${SIZES[@]}" | sort -n | head -n1)
BODY_MAX=$(printf '%s\n' "${SIZES[@]}" | sort -n | tail -n1)
[ "$BODY" -ge 16 ] || die "a person's body is only $BODY bytes; something is wrong"
say "person body: median $BODY bytes (min $BODY_MIN, max $BODY_MAX over ${#SIZES[@]} ids)"
# A JSON object of exactly BODY bytes: {"pad":"xxx..."}
PAD=$(head -c $((BODY - 10)) /dev/zero | tr '\0' x)
NG_BODY="{\"pad\":\"$PAD\"}"
[ ${#NG_BODY} -eq "$BODY" ] || die "nginx body is ${#NG_BODY} bytes, wanted $BODY"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
mkdir -p "$TMP/nginx/logs" "$TMP/nginx/tmp"
NG_PORT=""
for ((try = 0; try < 10; try++)); do
  p=$((20000 + (RANDOM << 15 | RANDOM) % 40000))
  port_in_use "$p" && continue
  cat >"$TMP/nginx/nginx.conf" <<EOF
# private nginx for bench/run.sh
daemon off;
master_process on;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$p;
        location / {
            return 200 '$NG_BODY';
        }
    }
}
EOF
  "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/logs/error.log" \
    >"$TMP/nginx/logs/stdout" 2>&1 &
  NG_PID=$!
  for ((i = 0; i < 50; i++)); do # up to 5 s
    kill -0 "$NG_PID" 2>/dev/null || break
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$p/" 2>/dev/null; then
      NG_PORT=$p
      break
    fi
    sleep 0.1
  done
  [ -n "$NG_PORT" ] && break
  stop_pid "$NG_PID" TERM
  NG_PID=""
done
[ -n "$NG_PORT" ] || { cat "$TMP/nginx/logs/"* >&2 || true; die "nginx did not start"; }
NG=http://127.0.0.1:$NG_PORT
read -r NG_SIZE NG_HDR < <(curl -sS -o /dev/null --max-time 5 -w '%{size_download} %{size_header}\n' "$NG/api/v1/people/1")
[ "$NG_SIZE" = "$BODY" ] || die "nginx answers $NG_SIZE bytes, wanted $BODY"
say "nginx on $NG (pid $NG_PID), body $NG_SIZE bytes"

# --- 5. wrk, alternately -------------------------------------------------
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
WRK=(wrk "-t$THREADS" "-c$CONNECTIONS" --latency "${AUTH[@]}" -s "$LUA")
# seconds in DURATION (e.g. 10s, 1m), to bound wrk with timeout(1)
to_secs() { case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac; }
run_wrk() { # name url duration -> the BENCH line's fields on stdout
  local name=$1 url=$2 dur=$3 out line
  out=$TMP/wrk-$name-$RANDOM.txt
  if ! timeout $(($(to_secs "$dur") + 30)) "${WRK[@]}" -d "$dur" "$url" -- "$N" /api/v1/people/ >"$out" 2>&1; then
    cat "$out" >&2
    die "wrk against $name failed"
  fi
  cat "$out" >>"$TMP/wrk.log"
  line=$(grep '^BENCH ' "$out" | tail -n1)
  [ -n "$line" ] || { cat "$out" >&2; die "no BENCH line from wrk against $name"; }
  echo "${line#BENCH }"
}
field() { # "k=v k=v" key
  local kv
  for kv in $1; do [ "${kv%%=*}" = "$2" ] && { echo "${kv#*=}"; return; }; done
  echo ""
}
check_run() { # name fields
  local requests status_err sockerr
  requests=$(field "$2" requests)
  status_err=$(field "$2" status_err)
  sockerr=$(field "$2" sockerr)
  [ "${requests:-0}" -gt 0 ] || die "$1: no answers"
  [ "${status_err:-1}" = 0 ] || die "$1: $status_err answers had a status above 399 (a benchmark of errors is worthless)"
  [ "${sockerr:-1}" = 0 ] || die "$1: $sockerr socket errors (connect/read/write/timeout)"
}

# The read audit's entries wait in SERVE_DB-audit and are moved into
# audit_log every few seconds by a thread at nice 10, which also waits
# while reads come in a burst (up to 30 s); its work on one round's reads
# would otherwise fall in the next round, nginx's. Before each nginx round,
# wait (up to 300 s) until frontdoor has moved them all.
SETTLE_WAITS=()
wait_settled() {
  local i left t0
  t0=$(date +%s%N)
  for ((i = 0; i < 3000; i++)); do
    left=$(sqlite3 -readonly "$SERVE_DB-audit" 'SELECT count(*) FROM read_audit;' 2>/dev/null || echo '?')
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  [ "$left" = 0 ] || die "frontdoor's read audit still has $left entries to move after 300 s"
  SETTLE_WAITS+=("$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')")
}

say "warm-up: $WARMUP each"
f=$(run_wrk nginx "$NG" "$WARMUP")
check_run nginx "$f"
f=$(run_wrk frontdoor "$FD" "$WARMUP")
check_run frontdoor "$f"

declare -a NG_RPS NG_P50 NG_P99 FD_RPS FD_P50 FD_P99 RATIOS
for ((r = 1; r <= ROUNDS; r++)); do
  wait_settled
  f=$(run_wrk nginx "$NG" "$DURATION")
  check_run nginx "$f"
  NG_RPS+=("$(field "$f" rps)") NG_P50+=("$(field "$f" p50_us)") NG_P99+=("$(field "$f" p99_us)")
  f=$(run_wrk frontdoor "$FD" "$DURATION")
  check_run frontdoor "$f"
  FD_RPS+=("$(field "$f" rps)") FD_P50+=("$(field "$f" p50_us)") FD_P99+=("$(field "$f" p99_us)")
  RATIOS+=("$(awk -v a="${FD_RPS[-1]}" -v b="${NG_RPS[-1]}" 'BEGIN { printf "%.3f", a / b }')")
  say "round $r/$ROUNDS: nginx ${NG_RPS[-1]} req/s p99 ${NG_P99[-1]} us;" \
    "frontdoor ${FD_RPS[-1]} req/s p99 ${FD_P99[-1]} us; ratio ${RATIOS[-1]}"
done
# frontdoor must still be alive and well after the load.
curl -fsS -o /dev/null --max-time 2 "$FD/healthz" || die "frontdoor /healthz fails after the runs"
kill -0 "$FD_PID" 2>/dev/null || die "frontdoor died during the runs"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
rps() { awk -v r="$1" 'BEGIN { printf "%.0f", r }'; }
M_NG_RPS=$(median "${NG_RPS[@]}") M_NG_P50=$(median "${NG_P50[@]}") M_NG_P99=$(median "${NG_P99[@]}")
M_FD_RPS=$(median "${FD_RPS[@]}") M_FD_P50=$(median "${FD_P50[@]}") M_FD_P99=$(median "${FD_P99[@]}")
RATIO=$(median "${RATIOS[@]}")
MET=$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.5) ? "met" : "NOT met" }')
say "median: nginx $(rps "$M_NG_RPS") req/s, frontdoor $(rps "$M_FD_RPS") req/s," \
  "ratio $RATIO (target >= 0.5: $MET), frontdoor p99 $(ms "$M_FD_P99")"

# --- 6. RESULTS.md ------------------------------------------------------
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=""
[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && DIRTY=" (with uncommitted changes)"
CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
NPROC=$(nproc)
NG_VER=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
WRK_VER=$( (wrk -v 2>&1 || true) | head -n1 | awk '{ print $2 }')
{
  echo "$SECTION"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $NPROC cores (${CPU:-unknown CPU}), commit \`$COMMIT\`$DIRTY."
  echo "Reproduce with \`make bench\` (or \`bench/run.sh\` after \`make build\`)."
  if [ -n "${FRONTDOOR:-}" ]; then
    echo "Binary: \`$FRONTDOOR\` (FRONTDOOR=), not build/frontdoor."
  fi
  echo
  echo "wrk $WRK_VER \`-t$THREADS -c$CONNECTIONS -d$DURATION --latency -s bench/people.lua\`, the same"
  echo "script for both servers: GET /api/v1/people/{id} with id uniform over 1..$N (the demo"
  echo "borough on SQLite; frontdoor a Release build with one worker thread per core and the"
  echo "access log off, serving a fresh copy of the demo DB). nginx ($NG_VER, 2 workers, access"
  echo "log off) answers \`return 200\` with a JSON body of $BODY bytes, the median size of a"
  echo "person with household and property (${#SIZES[@]} ids sampled: $BODY_MIN..$BODY_MAX bytes, all 200)."
  echo "Response headers are not padded: frontdoor sends $FD_HDR header bytes, nginx $NG_HDR."
  if [ -n "${BENCH_AUTH:-}" ]; then
    echo "Every request to either server carried an \`${BENCH_AUTH%%:*}\` header${AUTH_NOTE:+: $AUTH_NOTE}."
  fi
  echo "frontdoor served each person's view from its kept rendering (migration 0024); the run began"
  echo "once the background renderer had rendered all of them, $RENDER_SECS s after the server started."
  echo "Before each nginx round the run waited until frontdoor had moved every read audit entry of"
  echo "the round before into audit_log (its settler runs at nice 10, every 5 s, and waits while reads"
  echo "come in a burst, up to 30 s), so none of that work fell in nginx's time: waits of"
  echo "${SETTLE_WAITS[*]} s."
  echo "Load average when the rounds began: ${LOADAVG:-unknown}."
  echo "$ROUNDS rounds of nginx then frontdoor, after a $WARMUP warm-up of each; medians below."
  echo "wrk and both servers share the same $NPROC cores. No answer had an error status or a"
  echo "socket error (the run fails on any)."
  echo
  echo "| server | requests/s | p50 | p99 | body bytes |"
  echo "|---|---:|---:|---:|---:|"
  echo "| nginx \`return 200\` | $(rps "$M_NG_RPS") | $(ms "$M_NG_P50") | $(ms "$M_NG_P99") | $BODY |"
  echo "| frontdoor | $(rps "$M_FD_RPS") | $(ms "$M_FD_P50") | $(ms "$M_FD_P99") | $BODY_MIN..$BODY_MAX (median $BODY) |"
  echo
  echo "**frontdoor / nginx = $RATIO** (median of the per-round ratios); target at least 0.5: **$MET**."
  echo "frontdoor p99: **$(ms "$M_FD_P99")**."
  echo
  echo "| round | nginx req/s | frontdoor req/s | ratio | nginx p99 | frontdoor p99 |"
  echo "|---:|---:|---:|---:|---:|---:|"
  for ((r = 0; r < ROUNDS; r++)); do
    echo "| $((r + 1)) | $(rps "${NG_RPS[r]}") | $(rps "${FD_RPS[r]}") | ${RATIOS[r]} | $(ms "${NG_P99[r]}") | $(ms "${FD_P99[r]}") |"
  done
} >"$TMP/section.md"

# Replace our section (up to the next "## " heading), keep every other one.
if [ -f "$RESULTS" ]; then
  awk -v sec="$SECTION" -v new="$TMP/section.md" '
    function emit(  l) { while ((getline l < new) > 0) print l; close(new); print ""; done = 1 }
    $0 == sec { emit(); skip = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }
    END { if (!done) { print ""; emit() } }
  ' "$RESULTS" >"$TMP/results.md"
else
  { echo "# Benchmarks"; echo; echo "Written by the scripts in bench/; each section by one of them."; echo
    cat "$TMP/section.md"; } >"$TMP/results.md"
fi
# Trim trailing blank lines.
sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$TMP/results.md" >"$RESULTS"
say "wrote ${RESULTS#"$ROOT"/}"
[ "$MET" = met ] || say "target NOT met: frontdoor is below half of nginx's requests per second"
