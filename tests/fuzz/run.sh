#!/usr/bin/env bash
# run.sh [SECONDS] — builds each fuzz target with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs it for a
# bounded time from a seed corpus. Prints one line per target:
# "fuzz NAME: N runs, ok" or the crash; exits non-zero on any finding.
set -u
cd "$(dirname "$0")/../.."
SECS=${1:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for target in tests/fuzz/fuzz_*.c; do
  name=$(basename "$target" .c)
  bin="$out/$name"
  if ! clang -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
      "$target" src/base/*.c src/core/*.c src/web/jsonrec.c -ljansson -o "$bin" 2>"$out/$name.build"; then
    echo "fuzz $name: does not build"; cat "$out/$name.build"; status=1; continue
  fi
  corpus="$out/$name.corpus"
  mkdir -p "$corpus"
  # Seeds: every rule in the catalogue and the catalogue itself; JSON bodies.
  i=0
  grep '^eligible:' catalogue/services.txt | sed 's/^eligible: *//' | while IFS= read -r rule; do
    i=$((i + 1)); printf '%s' "$rule" >"$corpus/rule$i"
  done
  head -c 4000 catalogue/services.txt >"$corpus/catalogue"
  cp catalogue/locations.txt "$corpus/locations"
  printf '%s' '{"given_name":"Ada","family_name":"Okafor","date_of_birth":"1984-02-29","email":"a@example.org"}' >"$corpus/person.json"
  printf '%s' '{"uprn":"100023336956","address_line_1":"1 Acre Lane","postcode":"sw2 5su","property_type":"house","floor":0,"has_garden":true}' >"$corpus/property.json"
  printf '%s' '{"service":"pothole","description":"deep","latitude":"51.46","longitude":"-0.11","channel":"web"}' >"$corpus/request.json"
  if "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/" "$corpus" \
      >"$out/$name.log" 2>&1; then
    runs=$(grep -oE 'Done [0-9]+ runs' "$out/$name.log" | awk '{print $2}')
    echo "fuzz $name: ${runs:-?} runs, ok"
  else
    echo "fuzz $name: FAILED"; tail -40 "$out/$name.log"; status=1
  fi
done
exit $status
