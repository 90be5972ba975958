#!/usr/bin/env bash
# run.sh [SECONDS] — builds each fuzz target with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs it for a
# bounded time from a seed corpus. Prints one line per target:
# "fuzz NAME: N runs, ok" or the crash; exits non-zero on any finding.
set -u
cd "$(dirname "$0")/../.."
SECS=${1:-20}
BUILD=${BUILD:-build-asan} # fuzz_request needs its generated migrations.c
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for target in tests/fuzz/fuzz_*.c; do
  name=$(basename "$target" .c)
  bin="$out/$name"
  # Pure targets link the pure code; fuzz_request the whole server.
  srcs=(src/base/*.c src/core/*.c src/web/jsonrec.c src/web/form.c)
  libs=(-ljansson)
  if [ "$name" = fuzz_request ]; then
    [ -f "$BUILD/migrations.c" ] || { echo "fuzz $name: does not build (no $BUILD/migrations.c: build $BUILD first)"; status=1; continue; }
    srcs=(src/base/*.c src/core/*.c src/store/*.c src/web/*.c src/demo/*.c src/jobs/*.c "$BUILD/migrations.c")
    libs=(-isystem /usr/include/postgresql -lmicrohttpd -lsqlite3 -lpq -lsodium -lcurl -ljansson -lm -lpthread)
  fi
  if ! clang -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
      "$target" "${srcs[@]}" "${libs[@]}" -o "$bin" 2>"$out/$name.build"; then
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
  cp catalogue/life_events.txt "$corpus/life_events"
  head -c 3000 catalogue/articles.txt >"$corpus/articles"
  grep -v '^#' tests/data/enquiries.tsv | cut -f3 | head -40 | while IFS= read -r e; do
    i=$((i + 1)); printf '%s' "$e" >"$corpus/enquiry$i"
  done
  cp catalogue/locations.txt "$corpus/locations"
  printf '%s' '{"given_name":"Ada","family_name":"Okafor","date_of_birth":"1984-02-29","email":"a@example.org"}' >"$corpus/person.json"
  printf '%s' '{"uprn":"100023336956","address_line_1":"1 Acre Lane","postcode":"sw2 5su","property_type":"house","floor":0,"has_garden":true}' >"$corpus/property.json"
  printf '%s' 'email=ada%40example.org&password=a+b%26c&csrf_token=0123&services=garden-waste&services=blue-badge' >"$corpus/form"
  printf 'id,forename,surname,dob\r\n1,"Smith, Ann","O""Neil",01/02/1980\n2,Bob,,\n' >"$corpus/sources.csv"
  printf '%s' '{"service":"pothole","description":"deep","latitude":"51.46","longitude":"-0.11","channel":"web"}' >"$corpus/request.json"
  if [ "$name" = fuzz_request ]; then # whole requests; @TOKEN@ becomes an admin's token
    printf 'GET /api/v1/people/7 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer @TOKEN@\r\n\r\n' >"$corpus/get"
    printf 'GET /api/v1/people?q=Smith+1980-01-02&limit=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer @TOKEN@\r\n\r\n' >"$corpus/search"
    body='{"given_name":"Ada","family_name":"Okafor","date_of_birth":"1984-02-29"}'
    printf 'POST /api/v1/people HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer @TOKEN@\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body" >"$corpus/post"
    body='{"family_name":"Okafor-Smith"}'
    printf 'PATCH /api/v1/people/3 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer @TOKEN@\r\nIf-Match: "v1"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body" >"$corpus/patch"
    body='{"service":"pothole","description":"deep","latitude":"51.46","longitude":"-0.11","channel":"web"}'
    printf 'POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer @TOKEN@\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n' "${#body}" "$body" >"$corpus/chunked"
    body='email=a%40example.org&password=x'
    printf 'POST /staff/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body" >"$corpus/form-post"
    printf 'GET /api/v1/services/garden-waste HTTP/1.1\r\nHost: x\r\n\r\nGET /services HTTP/1.1\r\nHost: x\r\n\r\n' >"$corpus/pipelined"
    printf 'GET /open311/v2/requests.xml?service_code=pothole&status=open HTTP/1.1\r\nHost: x\r\n\r\n' >"$corpus/open311"
  fi
  if "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/" "$corpus" \
      >"$out/$name.log" 2>&1; then
    runs=$(grep -oE 'Done [0-9]+ runs' "$out/$name.log" | awk '{print $2}')
    echo "fuzz $name: ${runs:-?} runs, ok"
  else
    echo "fuzz $name: FAILED"; tail -40 "$out/$name.log"; status=1
  fi
done
exit $status
