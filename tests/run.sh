#!/usr/bin/env bash
# run.sh BUILD_DIR — runs every test: the unit tests (cmocka) on SQLite, the
# black-box HTTP tests against the real binary on SQLite, then the store
# suite and the HTTP tests again on a throwaway PostgreSQL 15 server.
# Ends with the line "N passed, N failed"; exits non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build-asan}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export FD_BIN="$PWD/$BUILD/frontdoor"
passed=0 failed=0
tmp=$(mktemp -d)
chmod 755 "$tmp" # the postgres user runs the test server below it
trap 'scripts/pg-test-server.sh stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)"
unit() {
  local label=$1; shift
  local out="$tmp/unit.out"
  "$@" >"$out" 2>&1
  local rc=$? p f
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
  f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed, or a sanitizer stopped it
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then cat "$out"; fi
  printf '%-40s %4d passed, %d failed\n' "$label" "$p" "$f"
}

# node --test (TAP): "# pass N" / "# fail N"
httptests() {
  local label=$1
  local out="$tmp/http.out"
  node --test --test-reporter=tap tests/http/ >"$out" 2>&1
  local rc=$? p f
  p=$(grep -E '^# pass [0-9]+' "$out" | awk '{print $3}' | tail -1)
  f=$(grep -E '^# fail [0-9]+' "$out" | awk '{print $3}' | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then grep -vE '^ *(duration_ms|\.\.\.|---)' "$out" | grep -B2 -A30 '^not ok\|^ *not ok' | head -150; fi
  printf '%-40s %4d passed, %d failed\n' "$label" "$p" "$f"
}

for t in "$BUILD"/test_*; do
  [ -x "$t" ] || continue
  unit "unit $(basename "$t") (sqlite)" env -u FD_TEST_PG_URL "$t"
done
httptests "http (sqlite)"

# Fuzzing: each target runs a bounded time; one test each.
fuzzout="$tmp/fuzz.out"
tests/fuzz/run.sh "${FUZZ_SECONDS:-20}" >"$fuzzout" 2>&1
fp=$(grep -c ', ok$' "$fuzzout"); ff=$(grep -cE 'FAILED|does not build' "$fuzzout")
passed=$((passed + fp)); failed=$((failed + ff))
[ "$ff" -ne 0 ] && cat "$fuzzout"
printf '%-40s %4d passed, %d failed\n' "fuzz (libFuzzer)" "$fp" "$ff"

# The staff pages in Chromium, with axe (once: the pages do not depend on the backend).
bout="$tmp/browser.out"
node --test --test-reporter=tap tests/browser/ >"$bout" 2>&1
brc=$?
bp=$(grep -E '^# pass [0-9]+' "$bout" | awk '{print $3}' | tail -1); bf=$(grep -E '^# fail [0-9]+' "$bout" | awk '{print $3}' | tail -1)
bp=${bp:-0}; bf=${bf:-0}
if [ "$brc" -ne 0 ] && [ "$bf" -eq 0 ]; then bf=1; fi
passed=$((passed + bp)); failed=$((failed + bf))
[ "$bf" -ne 0 ] && grep -B2 -A20 'not ok' "$bout" | head -80
printf '%-40s %4d passed, %d failed\n' "browser (chromium, axe)" "$bp" "$bf"

if url=$(scripts/pg-test-server.sh start "$tmp/pg" | tail -1) && [ -n "$url" ]; then
  export FD_TEST_PG_URL="$url"
  unit "unit test_store (postgresql)" "$BUILD/test_store"
  httptests "http (postgresql)"
else
  echo "could not start PostgreSQL for the tests"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
