#!/usr/bin/env bash
# bench/load.sh: 256 connections for 60 s on the single view and on search,
# on both backends, in the topology each is run in.
#
#   SQLite      one app server (the embedded default: one process owns the file)
#   PostgreSQL  two app servers behind nginx (Debian) on loopback, sharing one
#               PostgreSQL 15 server; two councils, each found by its host name
#
# Both serve the demo borough (council 1, 290,000 people by default); the
# PostgreSQL deployment also holds a second, smaller council at another
# host, so the load runs on a shared, multi-council database. wrk sends
# GET /api/v1/people/{id} (bench/people.lua) and GET /api/v1/people?q=...
# (bench/search.lua, queries drawn from the demo's own residents: surname
# and given name, a misspelt given name, surname and date of birth) with an
# agent's API token. Any answer with an error status, or any socket error
# (connect, read, write, timeout), fails the run, and the run says which
# statuses the app servers answered (their /metrics, before and after) and,
# behind nginx, what nginx answered itself and why (its log of answers
# with an error status, and its error log). Figures replace the section
# "## Load: 256 connections" of bench/RESULTS.md.
#
#   bench/load.sh            after `make build`
# Knobs: BACKENDS="sqlite pg", DURATION=60s, CONNECTIONS=256, THREADS=2,
# PEOPLE=290000, APP_THREADS=2 (worker threads per app server), RESULTS=.
# Servers listen on 127.0.0.1 only; every wait is bounded.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
BIN=${FRONTDOOR:-$ROOT/build/frontdoor}
DATA=$ROOT/bench/.data
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
NGINX=${NGINX:-/usr/sbin/nginx}
BACKENDS=${BACKENDS:-sqlite pg}
DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
PEOPLE=${PEOPLE:-290000}
APP_THREADS=${APP_THREADS:-2}
APP_TIMEOUT=30 # serve's idle timeout (its default), which nginx's upstream keepalive_timeout stays under
SECTION='## Load: 256 connections'
HOST1=127.0.0.1 # names no council: the default, council 1
HOST2=second.frontdoor.test

say() { printf 'load: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$BIN" ] || die "no $BIN; run 'make build' first"
if ! command -v wrk >/dev/null 2>&1 || [ ! -x "$NGINX" ]; then "$ROOT/scripts/deps.sh" bench; fi
for t in wrk curl sqlite3; do command -v $t >/dev/null 2>&1 || die "$t is not installed (scripts/deps.sh bench)"; done

mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/load.XXXXXX")
PIDS=()
PG_DIR=""
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  [ -n "$PG_DIR" ] && "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" >/dev/null 2>&1
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# serve ARGS... : starts an app server on a free port; sets PORT (runs in
# this shell, not a subshell, so PIDS keeps the pid for the cleanup).
serve() {
  local log=$TMP/serve-$RANDOM.err port="" i
  "$BIN" serve "$@" --listen 127.0.0.1:0 --threads "$APP_THREADS" --timeout "$APP_TIMEOUT" --access-log off \
    >/dev/null 2>"$log" &
  local pid=$!
  PIDS+=("$pid")
  for ((i = 0; i < 600; i++)); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$log" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "frontdoor serve exited"; }
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$log" >&2; die "frontdoor did not start"; }
  PORT=$port
}

# --- the demo borough on SQLite (made once, copied per run) ---------------
DEMO=$DATA/demo.db
if [ ! -f "$DEMO" ]; then
  say "creating the demo borough in $DEMO"
  "$BIN" demo --db "$DEMO" --people "$PEOPLE" >/dev/null
fi
N=$(sqlite3 "$DEMO" "SELECT count(*) FROM people WHERE council_id = 1")
# Queries from the residents themselves (bench/queries.sh).
"$ROOT/bench/queries.sh" "$DEMO" "$TMP/queries.txt"

to_secs() { case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac; }
field() { local kv; for kv in $1; do [ "${kv%%=*}" = "$2" ] && { echo "${kv#*=}"; return; }; done; echo ""; }
# answered PORT... : "STATUS COUNT" lines, the answers the app servers on
# these ports have given so far (all routes), from their /metrics.
answered() {
  local p
  for p in "$@"; do curl -fsS --max-time 10 "http://127.0.0.1:$p/metrics" || echo "# :$p did not answer /metrics"; done |
    sed -n 's/^frontdoor_http_requests_total{.*status="\([0-9]*\)"} \([0-9]*\)$/\1 \2/p' |
    awk '{ n[$1] += $2 } END { for (s in n) print s, n[s] }' | sort
}
# statuses BEFORE AFTER: "200=N 503=M ..." answered between the two.
statuses() {
  awk 'FILENAME == ARGV[1] { was[$1] = $2; next }
    { d = $2 - was[$1]; if (d) { printf "%s%s=%d", sep, $1, d; sep = " " } }' "$1" "$2"
}
# load NAME URL HOST LUA ARGS... -> BENCH fields. APP_PORTS: the app
# servers behind URL; NGINX_LOGS: nginx's log directory, if nginx is in front.
load() {
  local name=$1 url=$2 host=$3 lua=$4 out
  shift 4
  out=$TMP/wrk-$name.txt
  answered $APP_PORTS >"$TMP/answered-$name.0"
  echo "$name $(cut -d' ' -f1 /proc/loadavg)" >>"$TMP/loadavg" # how busy the machine was as the run began
  timeout $(($(to_secs "$DURATION") + 60)) wrk "-t$THREADS" "-c$CONNECTIONS" -d "$DURATION" --latency --timeout 10s \
    -H "Host: $host" -H "Authorization: Bearer $TOKEN" -s "$lua" "$url" -- "$@" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk ($name) failed"; }
  answered $APP_PORTS >"$TMP/answered-$name.1"
  local line seen
  seen=$(statuses "$TMP/answered-$name.0" "$TMP/answered-$name.1")
  say "  $name: the app servers answered ${seen:-nothing}"
  line=$(grep '^BENCH ' "$out" | tail -n1)
  [ -n "$line" ] || { cat "$out" >&2; die "no BENCH line ($name)"; }
  line=${line#BENCH }
  if [ "$(field "$line" requests)" -eq 0 ] || [ "$(field "$line" status_err)" != 0 ] ||
    [ "$(field "$line" sockerr)" != 0 ]; then
    cat "$out" >&2
    if [ -n "${NGINX_LOGS:-}" ]; then
      say "  nginx's answers with an error status (status, upstream status): "
      awk '{ print $1, $2 }' "$NGINX_LOGS/failed.log" | sort | uniq -c | sort -rn | head -n 10 >&2
      say "  nginx's error log, by kind:"
      sed 's/^[0-9/]* [0-9:]* //; s/#[0-9]*: \*[0-9]* / /; s/, client:.*//' "$NGINX_LOGS/error.log" |
        sort | uniq -c | sort -rn | head -n 10 >&2
    fi
    [ "$(field "$line" requests)" -gt 0 ] || die "$name: no answers"
    [ "$(field "$line" status_err)" = 0 ] || die "$name: $(field "$line" status_err) answers had an error status"
    die "$name: $(field "$line" sockerr) socket errors"
  fi
  echo "$line"
}
ROWS=()
row() { # backend topology route fields
  local f=$4
  ROWS+=("| $1 | $2 | $3 | $(awk -v r="$(field "$f" rps)" 'BEGIN { printf "%.0f", r }') |\
 $(awk -v u="$(field "$f" p50_us)" 'BEGIN { printf "%.1f ms", u / 1000 }') |\
 $(awk -v u="$(field "$f" p99_us)" 'BEGIN { printf "%.1f ms", u / 1000 }') | $(field "$f" requests) | 0 |")
}

for backend in $BACKENDS; do
  case $backend in
  sqlite)
    cp "$DEMO" "$TMP/serve.db"
    TOKEN=$("$BIN" token create --db "$TMP/serve.db" --name load --role agent --scopes read)
    serve --db "$TMP/serve.db"
    URL=http://127.0.0.1:$PORT
    APP_PORTS=$PORT NGINX_LOGS=""
    say "sqlite: one app server on $URL; $DURATION per route"
    f=$(load sqlite-view "$URL" "$HOST1" "$ROOT/bench/people.lua" "$N" /api/v1/people/)
    row SQLite "1 app server" "GET /api/v1/people/{id}" "$f"
    say "  view: $f"
    f=$(load sqlite-search "$URL" "$HOST1" "$ROOT/bench/search.lua" "$TMP/queries.txt")
    row SQLite "1 app server" "GET /api/v1/people?q=" "$f"
    say "  search: $f"
    curl -fsS -o /dev/null --max-time 5 "$URL/healthz" || die "sqlite: /healthz fails after the load"
    stop_pid "${PIDS[-1]}"
    ;;
  pg)
    PG_DIR=$(mktemp -d /tmp/fd-load-pg.XXXXXX) # the postgres user must reach it
    chmod 755 "$PG_DIR"
    rmdir "$PG_DIR"
    PG=$("$ROOT/scripts/pg-test-server.sh" start "$PG_DIR" | tail -n1)
    say "pg: loading the demo borough into $PG"
    "$BIN" migrate --pg "$PG" >/dev/null
    C1=1
    "$BIN" demo --pg "$PG" --people "$PEOPLE" >/dev/null
    C2=$("$BIN" council add --pg "$PG" --name "Second Borough" --host "$HOST2")
    "$BIN" demo --pg "$PG" --council "$C2" --people 20000 --seed 2 >/dev/null
    psql_n() { "$BIN" council list --pg "$PG" | wc -l; }
    [ "$(psql_n)" -ge 2 ] || die "pg: the second council is missing"
    TOKEN=$("$BIN" token create --pg "$PG" --council "$C1" --name load --role agent --scopes read)
    serve --pg "$PG"
    P1=$PORT
    serve --pg "$PG"
    P2=$PORT
    mkdir -p "$TMP/nginx/logs" "$TMP/nginx/tmp"
    NG_PORT=""
    for ((try = 0; try < 10; try++)); do
      [ -n "$NG_PORT" ] && break
      p=$((20000 + (RANDOM << 15 | RANDOM) % 40000))
      cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 2048; }
http {
    # Only the answers with an error status are logged (load() reads it).
    map \$status \$fd_failed { ~^[123] 0; default 1; }
    log_format failed '\$status \$upstream_status \$upstream_addr \$request_time "\$request"';
    access_log $TMP/nginx/logs/failed.log failed if=\$fd_failed;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    upstream frontdoor {
        server 127.0.0.1:$P1;
        server 127.0.0.1:$P2;
        keepalive 64;
        # Under the app servers' idle timeout (serve --timeout $APP_TIMEOUT),
        # so nginx never sends a request on a connection the app server is
        # closing as idle (see docs/operations.md).
        keepalive_timeout 10s;
    }
    server {
        listen 127.0.0.1:$p;
        location / {
            proxy_pass http://frontdoor;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
        }
    }
}
EOF
      "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/logs/error.log" >/dev/null 2>&1 &
      PIDS+=("$!")
      for ((i = 0; i < 50; i++)); do
        if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$p/healthz" 2>/dev/null; then NG_PORT=$p; break; fi
        sleep 0.1
      done
    done
    [ -n "$NG_PORT" ] || die "nginx did not start"
    URL=http://127.0.0.1:$NG_PORT
    APP_PORTS="$P1 $P2" NGINX_LOGS=$TMP/nginx/logs
    # The council's host reaches its records; the other council's host refuses the token.
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $HOST2" -H "Authorization: Bearer $TOKEN" "$URL/api/v1/people/1")
    [ "$code" = 401 ] || die "pg: council 1's token at council 2's host answered $code, not 401"
    say "pg: nginx on $URL -> app servers :$P1 and :$P2; $DURATION per route"
    f=$(load pg-view "$URL" "$HOST1" "$ROOT/bench/people.lua" "$N" /api/v1/people/)
    row PostgreSQL "nginx + 2 app servers" "GET /api/v1/people/{id}" "$f"
    say "  view: $f"
    f=$(load pg-search "$URL" "$HOST1" "$ROOT/bench/search.lua" "$TMP/queries.txt")
    row PostgreSQL "nginx + 2 app servers" "GET /api/v1/people?q=" "$f"
    say "  search: $f"
    for p in $P1 $P2; do curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$p/healthz" || die "pg: :$p /healthz fails after the load"; done
    ;;
  *) die "unknown backend $backend (sqlite, pg)" ;;
  esac
done

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "$SECTION"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, commit \`$COMMIT\`. Reproduce with \`bench/load.sh\` after \`make build\`."
  echo
  echo "wrk \`-t$THREADS -c$CONNECTIONS -d$DURATION --timeout 10s\` with an agent's API token (read scope); every"
  echo "read is audited as in production. The single view draws ids uniformly over the $N people of"
  echo "the demo borough; search draws from 2,000 of its residents (surname and given name, a misspelt"
  echo "given name and surname, surname and date of birth). SQLite: one Release app server ($APP_THREADS"
  echo "worker threads). PostgreSQL 15 (the test server: fsync off): nginx on loopback in front of two"
  echo "Release app servers ($APP_THREADS worker threads each) sharing the database, which also holds a"
  echo "second council (20,000 people, its own host; council 1's token is refused there). wrk, nginx,"
  echo "the app servers and PostgreSQL share the same $(nproc) cores. nginx keeps up to 64 idle connections"
  echo "to the app servers per worker, each for at most 10 s, under the app servers' idle timeout of"
  echo "$APP_TIMEOUT s (docs/operations.md). Any error status or socket error fails the run: the errors column is"
  echo "what the run saw. The machine's 1-minute load average as each run began (other work included):"
  echo "$(awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' "$TMP/loadavg")."
  echo
  echo "| backend | topology | route | requests/s | p50 | p99 | requests | errors |"
  echo "|---|---|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
} >"$TMP/section.md"

if [ -f "$RESULTS" ] && grep -qF "$SECTION" "$RESULTS"; then
  awk -v sec="$SECTION" -v file="$TMP/section.md" '
    $0 == sec { while ((getline l < file) > 0) print l; skip = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }' "$RESULTS" >"$TMP/results.md"
  cp "$TMP/results.md" "$RESULTS"
else
  { [ -f "$RESULTS" ] && cat "$RESULTS" && echo; cat "$TMP/section.md"; } >"$TMP/results.md"
  cp "$TMP/results.md" "$RESULTS"
fi
say "wrote $SECTION to $RESULTS"
