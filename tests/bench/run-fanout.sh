#!/usr/bin/env bash
# Fan-out benchmark: wsinfra-service and the Node.js `ws` peer measured in the same run, each
# server pinned to CPU 0 and the load driver to CPU 1 (loopback only). Prints both result lines
# and the ratios. Builds the release preset first.
#   tests/bench/run-fanout.sh [CONNECTIONS] [PUBLISHES]
set -euo pipefail
cd "$(dirname "$0")/../.."
connections="${1:-2000}"
publishes="${2:-100}"
ulimit -n 20000 2>/dev/null || true

cmake --preset release >/dev/null
cmake --build --preset release --target wsinfra-service >/dev/null
(cd tests/node && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)
export NODE_PATH="$PWD/tests/node/node_modules"
bench_dir="$PWD/tests/bench"
ln -sfn "$PWD/tests/node/node_modules" "$bench_dir/node_modules"

run() { # name, server command...
    local name=$1
    shift
    local log
    log=$(mktemp)
    "$@" >"$log" 2>&1 &
    local server_pid=$!
    local port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$log" | head -n1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "$name did not start: $(cat "$log")" >&2
        kill -TERM "$server_pid" 2>/dev/null || true
        return 1
    fi
    local result
    result=$(taskset -c 1 node "$bench_dir/fanout.mjs" --url "http://127.0.0.1:$port" \
        --connections "$connections" --publishes "$publishes" --secret bench-secret --api-key bench-api-key || true)
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -f "$log"
    echo "$name $result"
}

ours=$(JWT_SECRET=bench-secret WSINFRA_API_KEY=bench-api-key WEBSOCKET_MAX_CONNECTIONS=100000 \
    run wsinfra taskset -c 0 build/release/service/wsinfra-service --port 0 --bind 127.0.0.1 --io-threads 1)
peer=$(run node-ws taskset -c 0 node "$bench_dir/peer-ws-server.mjs" 0)
echo "$ours"
echo "$peer"
node -e '
const [ours, peer] = process.argv.slice(1).map((line) => JSON.parse(line.slice(line.indexOf(" ") + 1) || "{}"));
const ratio = (key) => (ours[key] && peer[key]) ? (ours[key] / peer[key]).toFixed(2) : "n/a";
console.log(`ratio wsinfra/node-ws: deliveries/s ${ratio("deliveriesPerSecond")}, p50 ${ratio("p50Ms")}, p99 ${ratio("p99Ms")}, KB/idle conn ${ratio("kbPerIdleConnection")}, open time ${ratio("openSeconds")}`);
' "$ours" "$peer"
