#!/usr/bin/env bash
# Screenshots of every page of wsinfra-console against a service under synthetic load, taken under Xvfb,
# into docs/screenshots/ (the README links them). Builds the debug preset's service and console first.
#   tests/console/screenshots.sh [LANGUAGE]     e.g. fr for the French window (into docs/screenshots/fr/)
# It takes about two minutes: SCREENSHOT_DELAY (100) seconds of load come before the pictures, so that
# the charts have a history.
set -euo pipefail
cd "$(dirname "$0")/../.."
language="${1:-en}"
scripts/install-deps.sh
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
cmake --preset debug >/dev/null
cmake --build --preset debug --target wsinfra-service wsinfra-console
output=docs/screenshots
[ "$language" = en ] || output="docs/screenshots/$language"
mkdir -p "$output"
node tests/node/console-screenshots.mjs build/debug/service/wsinfra-service build/debug/console/wsinfra-console \
    "$output" "$language"
