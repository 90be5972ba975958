# bench/views.sh: sourced by the benchmarks that serve the demo borough.
#
#   wait_views DB PID ERRFILE
#
# Waits (up to 10 minutes) until the server PID has rendered every
# person's kept view in the SQLite file DB (migration 0024; serve renders
# them in the background after start), so a benchmark measures the steady
# state. Sets VIEWS_SECS to the seconds waited; fails through die() (the
# caller's) if the server exits or time runs out.
wait_views() {
  local db=$1 pid=$2 errfile=$3 left='?' i t0
  t0=$(date +%s)
  for ((i = 0; i < 1200; i++)); do
    left=$(sqlite3 -readonly "$db" 'SELECT count(*) FROM person_view WHERE body IS NULL;' 2>/dev/null || echo '?')
    [ "$left" = 0 ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$errfile" >&2; die "frontdoor serve exited"; }
    sleep 0.5
  done
  [ "$left" = 0 ] || die "person views still to render after 10 minutes ($left left)"
  VIEWS_SECS=$(($(date +%s) - t0))
}
