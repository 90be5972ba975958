#!/usr/bin/env bash
# lint.sh: fails if our C code calls a banned libc function (style.md, rule 5).
set -u
cd "$(dirname "$0")/.."
banned='\b(sprintf|vsprintf|strcpy|strcat|strncat|atoi|atol|gets|strtok)[[:space:]]*\('
hits=$(grep -rnE "$banned" src tools tests/unit --include='*.c' --include='*.h' | grep -v 'lint: allow' || true)
if [ -n "$hits" ]; then
  echo "banned calls (use snprintf, buf_*, strtol):"
  echo "$hits"
  exit 1
fi
