#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md in one command: builds the release preset, then runs each
# scenario against wsinfra-service (native protocol and Socket.IO over WebSocket) and against the
# Node.js peers (tests/bench/peers: `ws` and `socket.io`) in the same run, each server on a fresh
# start pinned to CPU 0, the load tool wsinfra-bench pinned to CPU 1, loopback only. Prints a table
# with the ratios wsinfra/peer and writes every run's JSON to build/bench/.
#   tests/bench/run-bench.sh [SCENARIO...]     scenarios: open fanout rate5 1k5k (default: all)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(open fanout rate5 1k5k)

scenario_args() {
    case $1 in
    # 10,000 connections opened and idle: open time, connect rate, KB per idle connection.
    open) echo "--connections 10000 --publishes 1" ;;
    # 10,000 followers of one bill, 100 publishes flat out (8 pipelined requests in flight).
    fanout) echo "--connections 10000 --publishes 100 --pipeline 8" ;;
    # 10,000 followers of one bill, 5 updates/s for 10 s: 50,000 deliveries/s.
    rate5) echo "--connections 10000 --rate 5 --publishes 50" ;;
    # 1,000 connections following 10 of 100 bills, 50 publishes/s for 10 s: about 5,000 deliveries/s.
    1k5k) echo "--connections 1000 --bills 100 --follow 10 --rate 50 --publishes 500" ;;
    *)
        echo "unknown scenario '$1' (open fanout rate5 1k5k)" >&2
        return 1
        ;;
    esac
}
for scenario in "${scenarios[@]}"; do scenario_args "$scenario" >/dev/null; done

flock /tmp/wsinfra-build.lock cmake --preset release >/dev/null
nice -n 10 flock /tmp/wsinfra-build.lock cmake --build build/release -j2 --target wsinfra-service wsinfra-bench >/dev/null
peers="$root/tests/bench/peers"
if [ ! -f "$peers/node_modules/.package-lock.json" ] || [ "$peers/package-lock.json" -nt "$peers/node_modules/.package-lock.json" ]; then
    (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error)
fi
ulimit -n "$(ulimit -Hn)"

service="$root/build/release/service/wsinfra-service"
bench="$root/build/release/tests/bench/wsinfra-bench"
out_dir="$root/build/bench"
mkdir -p "$out_dir"
results="$out_dir/bench-$(date +%Y%m%d-%H%M%S).json"
lines=$(mktemp)
server_log=$(mktemp)
server_pid=""
trap '[ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true; rm -f "$lines" "$server_log"' EXIT

start_server() { # target; sets server_pid and server_port
    case $1 in
    wsinfra-*)
        JWT_SECRET=bench-secret WSINFRA_API_KEY=bench-api-key WEBSOCKET_MAX_CONNECTIONS=100000 \
            taskset -c 0 "$service" --port 0 --bind 127.0.0.1 --io-threads 1 >"$server_log" 2>&1 &
        ;;
    node-ws) JWT_SECRET=bench-secret WSINFRA_API_KEY=bench-api-key \
        taskset -c 0 node "$peers/peer-ws-server.mjs" 0 >"$server_log" 2>&1 & ;;
    node-socketio) JWT_SECRET=bench-secret WSINFRA_API_KEY=bench-api-key \
        taskset -c 0 node "$peers/peer-socketio-server.mjs" 0 >"$server_log" 2>&1 & ;;
    esac
    server_pid=$!
    server_port=""
    for _ in $(seq 200); do
        server_port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$server_log" | head -n1)
        [ -n "$server_port" ] && return 0
        sleep 0.05
    done
    echo "$1 did not start: $(cat "$server_log")" >&2
    return 1
}

stop_server() {
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

for scenario in "${scenarios[@]}"; do
    for target in wsinfra-native node-ws wsinfra-socketio node-socketio; do
        transport=native
        case $target in *socketio) transport=socketio ;; esac
        start_server "$target"
        # shellcheck disable=SC2046 # the scenario's arguments are words
        result=$(taskset -c 1 "$bench" --port "$server_port" --server-pid "$server_pid" --transport "$transport" \
            --json $(scenario_args "$scenario")) || true
        stop_server
        [ -n "$result" ] || result='{"ok":false}'
        echo "$result" | jq -c --arg scenario "$scenario" --arg target "$target" \
            '{scenario: $scenario, target: $target} + .' >>"$lines"
        echo "$scenario $target: $(echo "$result" | jq -r '"\(.deliveriesPerSecond) deliveries/s, loss \(.loss), ok \(.ok)"')" >&2
    done
done
jq -s --arg date "$(date -Iseconds)" --arg host "$(hostname)" '{date: $date, host: $host, runs: .}' "$lines" >"$results"

# The table: one row per run, then per scenario the ratios wsinfra/peer for each transport.
jq -r '
  def r(a; b): if (a // 0) > 0 and (b // 0) > 0 then (a / b * 100 | round / 100 | tostring) else "-" end;
  def row(x): [x.scenario, x.target, (x.connected | tostring), (x.loss | tostring), (x.deliveriesPerSecond | tostring),
               (x.p50Ms | tostring), (x.p99Ms | tostring), (x.p999Ms | tostring), (x.cpuUsPerDelivery | tostring),
               (x.kbPerIdleConnection | tostring), (x.openSeconds | tostring), (x.connectsPerSecond | tostring)];
  def ratio(s; name; a; b): [s, name, "", "", r(a.deliveriesPerSecond; b.deliveriesPerSecond), r(a.p50Ms; b.p50Ms),
               r(a.p99Ms; b.p99Ms), r(a.p999Ms; b.p999Ms), r(a.cpuUsPerDelivery; b.cpuUsPerDelivery),
               r(a.kbPerIdleConnection; b.kbPerIdleConnection), r(a.openSeconds; b.openSeconds),
               r(a.connectsPerSecond; b.connectsPerSecond)];
  (["scenario", "server", "open", "loss", "deliv/s", "p50 ms", "p99 ms", "p999 ms", "CPU us/deliv", "KB/idle conn",
    "open s", "conn/s"] | @tsv),
  (.runs | group_by(.scenario)[] | . as $g | (map(row(.))[] | @tsv),
     (($g | map(select(.target == "wsinfra-native"))[0]) as $a | ($g | map(select(.target == "node-ws"))[0]) as $b
        | ratio($g[0].scenario; "ratio native/ws"; $a; $b) | @tsv),
     (($g | map(select(.target == "wsinfra-socketio"))[0]) as $a | ($g | map(select(.target == "node-socketio"))[0]) as $b
        | ratio($g[0].scenario; "ratio sio/socket.io"; $a; $b) | @tsv))
' "$results" | column -t -s $'\t'
echo "JSON: $results"
