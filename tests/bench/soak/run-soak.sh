#!/usr/bin/env bash
# Soak test (docs/development.md, "Soak test"): builds the release preset, then runs soak.mjs against
# build/release/service/wsinfra-service: two nodes and a redis-server, churning native and Socket.IO
# clients, a steady publisher and a Redis restart at mid-run. Prints the summary; the JSON report
# goes to build/release/soak-report.json. Exit code non-zero when a check fails.
#   tests/bench/soak/run-soak.sh [SECONDS] [soak.mjs options...]     (default 3600 s)
set -euo pipefail
cd "$(dirname "$0")/../../.."
seconds="${1:-3600}"
shift || true
ulimit -n 20000 2>/dev/null || true

cmake --preset release >/dev/null
cmake --build --preset release --target wsinfra-service >/dev/null
(cd tests/node && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)

# More clients and publishes than the 2-minute CI run: the release build has the headroom.
exec node tests/bench/soak/soak.mjs --binary build/release/service/wsinfra-service --duration "$seconds" \
    --clients 200 --rate 50 --bills 20 --json build/release/soak-report.json "$@" >/dev/null
