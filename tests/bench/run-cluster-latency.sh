#!/usr/bin/env bash
# Cross-node latency benchmark: the latency Redis adds to a bill update. In the same run it measures
# publish -> receive on one node without Redis (single) and publish on node A -> receive on node B of
# a two-node cluster sharing a real redis-server (cluster), and prints both result lines and the
# difference (cluster - single) at p50 and p99. Loopback only. The servers (the three
# wsinfra-service nodes with one I/O thread each, and redis-server) are pinned to CPU 0, the driver
# (tests/bench/cluster-latency.mjs, npm `ws`) to CPU 1; SERVER_CPUS / DRIVER_CPUS change that.
# Builds the release preset first (the wsinfra-service target only).
#   tests/bench/run-cluster-latency.sh [SUBSCRIBERS] [PUBLISHES] [INTERVAL_MS]
# Defaults: 100 subscribers (on the receiving node), 500 updates, one every 5 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
subscribers="${1:-100}"
publishes="${2:-500}"
interval_ms="${3:-5}"
server_cpus="${SERVER_CPUS:-0}"
driver_cpus="${DRIVER_CPUS:-1}"
ulimit -n 20000 2>/dev/null || true

cmake --preset release >/dev/null
cmake --build --preset release --target wsinfra-service >/dev/null
(cd tests/node && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)
export NODE_PATH="$PWD/tests/node/node_modules"
bench_dir="$PWD/tests/bench"
ln -sfn "$PWD/tests/node/node_modules" "$bench_dir/node_modules"

redis_server=$(command -v redis-server || true)
for candidate in /usr/sbin/redis-server /usr/local/bin/redis-server; do
    [ -z "$redis_server" ] && [ -x "$candidate" ] && redis_server=$candidate
done
if [ -z "$redis_server" ]; then
    echo "redis-server not found (apt-get install redis-server)" >&2
    exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# redis-server on a free port, no persistence; a few tries in case the port was taken meanwhile.
redis_port=""
for attempt in 1 2 3; do
    port=$(free_port)
    taskset -c "$server_cpus" "$redis_server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$work" >"$work/redis-$attempt.log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do
        grep -q 'Ready to accept connections' "$work/redis-$attempt.log" && { redis_port=$port; break; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -n "$redis_port" ]; then
        pids+=("$pid")
        break
    fi
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
if [ -z "$redis_port" ]; then
    echo "redis-server did not start: $(cat "$work"/redis-*.log)" >&2
    exit 1
fi

# start_node NAME [ARGS...]: starts a wsinfra-service node, prints its port (first stdout line).
start_node() {
    local name=$1
    shift
    JWT_SECRET=bench-secret WSINFRA_API_KEY=bench-api-key WEBSOCKET_MAX_CONNECTIONS=100000 \
        taskset -c "$server_cpus" build/release/service/wsinfra-service --port 0 --bind 127.0.0.1 \
        --control-port 0 --io-threads 1 "$@" >"$work/$name.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$work/$name.pid"
    local port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/$name.log" | head -n1)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "$name did not start: $(cat "$work/$name.log")" >&2
        kill -TERM "$pid" 2>/dev/null || true
        return 1
    fi
    echo "$port"
}
# Not in a $( ) subshell for the pid bookkeeping: the pid goes through a file.
start() { # variable name, node name, args...
    local var=$1 name=$2
    shift 2
    start_node "$name" "$@" >"$work/$name.port"
    pids+=("$(cat "$work/$name.pid")")
    printf -v "$var" '%s' "$(cat "$work/$name.port")"
}
start single_port single
start a_port node-a --redis-url "redis://127.0.0.1:$redis_port"
start b_port node-b --redis-url "redis://127.0.0.1:$redis_port"

echo "redis-server $("$redis_server" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$redis_port;" \
    "nodes single :$single_port, A :$a_port, B :$b_port (CPU $server_cpus); driver on CPU $driver_cpus"
status=0
taskset -c "$driver_cpus" node "$bench_dir/cluster-latency.mjs" \
    --single "http://127.0.0.1:$single_port" --a "http://127.0.0.1:$a_port" --b "http://127.0.0.1:$b_port" \
    --subscribers "$subscribers" --publishes "$publishes" --interval-ms "$interval_ms" \
    --secret bench-secret --api-key bench-api-key || status=$?
if [ "$status" -ne 0 ]; then
    for name in node-a node-b single; do
        echo "--- $name log (tail)" >&2
        tail -n 20 "$work/$name.log" >&2
    done
fi
exit "$status"
