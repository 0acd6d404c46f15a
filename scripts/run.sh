#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running service: installs what is missing,
# builds the release preset and starts wsinfra-service on its single-node defaults (port 3000,
# control port 3001 on loopback, no Redis). Extra arguments go to the service, e.g.
#   JWT_SECRET=change-me WSINFRA_API_KEY=backend-key scripts/run.sh --port 8080
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target wsinfra-service wsinfra-console
exec build/release/service/wsinfra-service "$@"
