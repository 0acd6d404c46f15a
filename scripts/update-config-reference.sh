#!/usr/bin/env bash
# Regenerates the generated region of docs/configuration.md from the configuration schema in code
# (`wsinfra-service --print-config-reference`). The CTest test config_reference_fresh fails until
# this is run after a change to service/core/configschema.cpp. Uses the service of the debug preset
# unless a path is given:  scripts/update-config-reference.sh [path/to/wsinfra-service]
set -euo pipefail
cd "$(dirname "$0")/.."

service="${1:-build/debug/service/wsinfra-service}"
if [[ $# -eq 0 ]]; then
    cmake --preset debug >/dev/null
    cmake --build --preset debug --target wsinfra-service
fi
cmake -DSERVICE="$service" -DDOC=docs/configuration.md -DUPDATE=ON -P tests/docs/check-config-reference.cmake
