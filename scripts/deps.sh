#!/usr/bin/env bash
# deps.sh run|check|bench — installs the Debian packages a target needs,
# only those missing, with apt-get (when root). Quiet when all are present.
set -euo pipefail
want=(gcc make cmake ninja-build pkg-config libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev libpq-dev nodejs npm)
want+=(libcurl4-openssl-dev) # the outbox sends email (SMTP) and SMS (HTTP) with libcurl
case "${1:-run}" in
  run) ;;
  check) want+=(libcmocka-dev postgresql-15 nodejs npm curl clang libclang-rt-14-dev chromium)
         want+=(python3-aiosmtpd) ;; # the outbox tests' SMTP server (tests/http/smtp_sink.py)
  bench) want+=(wrk nginx-light curl sqlite3) ;;
  *) echo "usage: scripts/deps.sh run|check|bench" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Any node on PATH will do for the HTTP tests (Debian's nodejs is v18).
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
read -ra missing <<<"${missing[*]:-}"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
