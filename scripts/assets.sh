#!/usr/bin/env bash
# assets.sh: installs the npm packages (package-lock.json) if missing and
# copies GOV.UK Frontend's built CSS, JS, fonts and images into static/,
# which the server serves at /static/ and /assets/.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=${1:-}
if [ ! -d node_modules/govuk-frontend ] || { [ "$dev" = dev ] && [ ! -d node_modules/playwright-core ]; }; then
  if [ "$dev" = dev ]; then npm ci --no-audit --no-fund --loglevel=error; else npm ci --omit=dev --no-audit --no-fund --loglevel=error; fi
fi
src=node_modules/govuk-frontend/dist/govuk
mkdir -p static/assets
cp "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" static/
cp -r "$src/assets/." static/assets/
