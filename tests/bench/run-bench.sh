#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md in one command: builds the release preset, then runs each
# scenario against wsinfra-service (native protocol and Socket.IO over WebSocket) and against the
# Node.js peers (tests/bench/peers: `ws` and `socket.io`) in the same run, each server on a fresh
# start pinned to CPU 0, the load tool wsinfra-bench pinned to CPU 1, loopback only. Prints a table
# with the ratios wsinfra/peer and writes every run's JSON to build/bench/. Two scenarios have their
# own loop and table and run only when named: `sweep` (latency against delivered rate, four targets,
# rising rates; plots docs/images/latency-vs-rate.png with wsinfra-bench-plot) and `shards` (wsinfra
# native fan-out with one I/O thread, then two).
#   tests/bench/run-bench.sh [SCENARIO...]     scenarios: open fanout rate5 1k5k sweep shards
#                                              (default: open fanout rate5 1k5k)
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
    # Their own loops: run_sweep and run_shards below.
    sweep | shards) ;;
    *)
        echo "unknown scenario '$1' (open fanout rate5 1k5k sweep shards)" >&2
        return 1
        ;;
    esac
}
for scenario in "${scenarios[@]}"; do scenario_args "$scenario" >/dev/null; done

flock /tmp/wsinfra-build.lock cmake --preset release >/dev/null
nice -n 10 flock /tmp/wsinfra-build.lock cmake --build build/release -j2 --target wsinfra-service wsinfra-bench \
    wsinfra-bench-plot >/dev/null
peers="$root/tests/bench/peers"
if [ ! -f "$peers/node_modules/.package-lock.json" ] || [ "$peers/package-lock.json" -nt "$peers/node_modules/.package-lock.json" ]; then
    (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error)
fi
ulimit -n "$(ulimit -Hn)"

service="$root/build/release/service/wsinfra-service"
bench="$root/build/release/tests/bench/wsinfra-bench"
plot="$root/build/release/tests/bench/wsinfra-bench-plot"
out_dir="$root/build/bench"
mkdir -p "$out_dir"
stamp=$(date +%Y%m%d-%H%M%S)
results="$out_dir/bench-$stamp.json"
sweep_results="$out_dir/sweep-$stamp.json"
lines=$(mktemp)
sweep_lines=$(mktemp)
server_log=$(mktemp)
server_pid=""
trap '[ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true; rm -f "$lines" "$sweep_lines" "$server_log"' EXIT

start_server() { # target [io-threads [CPU list of wsinfra-service]]; sets server_pid and server_port
    # Emptied here, not only by the server's redirection, which may happen after the first look below:
    # the previous server's "listening on" line would give a closed port.
    : >"$server_log"
    case $1 in
    wsinfra-*)
        JWT_SECRET=bench-secret WSINFRA_API_KEY=bench-api-key WEBSOCKET_MAX_CONNECTIONS=100000 \
            taskset -c "${3:-0}" "$service" --port 0 --bind 127.0.0.1 --io-threads "${2:-1}" >"$server_log" 2>&1 &
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

# sweep: 10,000 followers of one bill at each rate for sweep_seconds, a fresh server per point. A point
# that does not keep up (a loss, delivered < 90 % of offered, or p99 > 5 s) ends its target's sweep.
# Delivered is received / the longer of the publishing window and first publish to last delivery, so
# that a server that falls behind shows below the offered rate.
sweep_connections=10000
sweep_seconds=6
sweep_rates=(1 2 5 10 20 40)
# shellcheck disable=SC2016 # a jq program, not shell
sweep_point='{scenario: "sweep", target: $target} + . + {rate: $rate, offeredPerSecond: ($rate * $connections)}
  | .p50Ms //= -1 | .p99Ms //= -1 | .p999Ms //= -1
  | .deliveredPerSecond = ((.received // 0) / ([.publishSeconds // 0, $seconds] | max) | round)
  | .keptUp = (.ok == true and .loss == 0 and .deliveredPerSecond >= 0.9 * .offeredPerSecond
               and .p99Ms >= 0 and .p99Ms <= 5000)'

run_sweep() {
    local target transport rate result point
    for target in wsinfra-native node-ws wsinfra-socketio node-socketio; do
        transport=native
        case $target in *socketio) transport=socketio ;; esac
        for rate in "${sweep_rates[@]}"; do
            start_server "$target"
            result=$(taskset -c 1 "$bench" --port "$server_port" --server-pid "$server_pid" --transport "$transport" \
                --json --connections "$sweep_connections" --rate "$rate" --publishes $((rate * sweep_seconds)) \
                --drain 3 --timeout 60) || true
            stop_server
            [ -n "$result" ] || result='{"ok":false}'
            point=$(echo "$result" | jq -c --arg target "$target" --argjson rate "$rate" \
                --argjson connections "$sweep_connections" --argjson seconds "$sweep_seconds" "$sweep_point")
            echo "$point" >>"$lines"
            echo "$point" >>"$sweep_lines"
            echo "sweep $target $rate/s: $(echo "$point" | jq -r '"\(.deliveredPerSecond) of \(.offeredPerSecond) deliveries/s, p99 \(.p99Ms) ms, loss \(.loss), kept up \(.keptUp)"')" >&2
            [ "$(echo "$point" | jq -r .keptUp)" = true ] || break
        done
    done
    jq -s --arg date "$(date -Iseconds)" --arg host "$(hostname)" --argjson connections "$sweep_connections" \
        --argjson seconds "$sweep_seconds" \
        '{date: $date, host: $host, scenario: "sweep", connections: $connections, secondsPerPoint: $seconds, runs: .}' \
        "$sweep_lines" >"$sweep_results"
    mkdir -p "$root/docs/images"
    "$plot" "$sweep_results" "$root/docs/images/latency-vs-rate.png" >&2 || echo "wsinfra-bench-plot failed: no figure" >&2
}

io_thread_cpu() { # pid: {"wsinfra-io-N": CPU seconds since start} of the service's I/O threads
    local task name stat fields
    for task in /proc/"$1"/task/*; do
        name=$(cat "$task/comm" 2>/dev/null) || continue
        case $name in wsinfra-io-*) ;; *) continue ;; esac
        stat=$(cat "$task/stat" 2>/dev/null) || continue
        # After the command name in parentheses: field 3 (state) first; utime and stime are fields 14, 15.
        read -r -a fields <<<"${stat##*) }"
        echo "$name $((fields[11] + fields[12]))"
    done | jq -Rn --argjson tick "$(getconf CLK_TCK)" '[inputs | split(" ") | {(.[0]): ((.[1] | tonumber) / $tick)}] | add // {}'
}

# shards: the fanout scenario against wsinfra native with one I/O thread (server on CPU 0, tool on CPU
# 1) and with two; two shards need both cores, so server and tool share CPUs 0 and 1. The I/O threads'
# CPU shows how the connections spread over the shards (ShardPool deals them out in turn).
run_shards() {
    local threads cpus tool_cpus result io_cpu run
    for threads in 1 2; do
        cpus=0
        tool_cpus=1
        [ "$threads" = 1 ] || { cpus=0,1; tool_cpus=0,1; }
        start_server wsinfra-native "$threads" "$cpus"
        # shellcheck disable=SC2046 # the scenario's arguments are words
        result=$(taskset -c "$tool_cpus" "$bench" --port "$server_port" --server-pid "$server_pid" --json \
            $(scenario_args fanout)) || true
        io_cpu=$(io_thread_cpu "$server_pid")
        stop_server
        [ -n "$result" ] || result='{"ok":false}'
        run=$(echo "$result" | jq -c --argjson threads "$threads" --arg cpus "$cpus" --argjson io "$io_cpu" \
            '{scenario: "shards", target: "wsinfra-native"} + . + {ioThreads: $threads, serverCpus: $cpus,
              ioThreadCpuSeconds: $io}')
        echo "$run" >>"$lines"
        echo "shards $threads: $(echo "$run" | jq -r '"\(.deliveriesPerSecond) deliveries/s, server CPU \(.serverCpuSeconds) s, loss \(.loss), ok \(.ok)"')" >&2
    done
}

for scenario in "${scenarios[@]}"; do
    case $scenario in
    sweep)
        run_sweep
        continue
        ;;
    shards)
        run_shards
        continue
        ;;
    esac
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

has_runs() { # jq condition on a run: whether some run of the results meets it
    jq -e "[.runs[] | select($1)] | length > 0" "$results" >/dev/null
}

# The table: one row per run, then per scenario the ratios wsinfra/peer for each transport.
if has_runs '.scenario != "sweep" and .scenario != "shards"'; then
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
  (.runs | map(select(.scenario != "sweep" and .scenario != "shards")) | group_by(.scenario)[] | . as $g | (map(row(.))[] | @tsv),
     (($g | map(select(.target == "wsinfra-native"))[0]) as $a | ($g | map(select(.target == "node-ws"))[0]) as $b
        | ratio($g[0].scenario; "ratio native/ws"; $a; $b) | @tsv),
     (($g | map(select(.target == "wsinfra-socketio"))[0]) as $a | ($g | map(select(.target == "node-socketio"))[0]) as $b
        | ratio($g[0].scenario; "ratio sio/socket.io"; $a; $b) | @tsv))
' "$results" | column -t -s $'\t'
fi

# The sweep: one row per point, each target's rows in rising rate up to the point that ended it.
if has_runs '.scenario == "sweep"'; then
    echo
    jq -r '
  (["sweep", "rate pub/s", "offered/s", "delivered/s", "p50 ms", "p99 ms", "p999 ms", "loss", "CPU us/deliv",
    "kept up"] | @tsv),
  (.runs[] | select(.scenario == "sweep") | [.target, .rate, .offeredPerSecond, .deliveredPerSecond, .p50Ms, .p99Ms,
    .p999Ms, .loss, .cpuUsPerDelivery, .keptUp] | map(tostring) | @tsv)
' "$results" | column -t -s $'\t'
fi

# Shards: one I/O thread against two, and the ratios two / one of deliveries per second and of deliveries
# per second of server CPU.
if has_runs '.scenario == "shards"'; then
    echo
    jq -r '
  def r(a; b): if (a // 0) > 0 and (b // 0) > 0 then (a / b * 100 | round / 100 | tostring) else "-" end;
  def percpu(x): if (x.serverCpuSeconds // 0) > 0 then (x.received / x.serverCpuSeconds | round) else null end;
  (.runs | map(select(.scenario == "shards"))) as $s
  | ($s | map(select(.ioThreads == 1))[0]) as $one | ($s | map(select(.ioThreads == 2))[0]) as $two
  | (["I/O threads", "server CPUs", "open", "loss", "deliv/s", "server CPU s", "CPU us/deliv", "deliv/CPU-s", "p99 ms",
      "I/O thread CPU s (whole run)"] | @tsv),
    ($s[] | [.ioThreads, .serverCpus, .connected, .loss, .deliveriesPerSecond, .serverCpuSeconds, .cpuUsPerDelivery,
             percpu(.), .p99Ms, (.ioThreadCpuSeconds | to_entries | map("\(.key) \(.value)") | join(", "))]
           | map(tostring) | @tsv),
    (["ratio 2/1", "", "", "", r($two.deliveriesPerSecond; $one.deliveriesPerSecond), "", "",
      r(percpu($two); percpu($one)), "", ""] | @tsv)
' "$results" | column -t -s $'\t'
fi
echo "JSON: $results"
if has_runs '.scenario == "sweep"'; then
    echo "sweep JSON: $sweep_results, figure: docs/images/latency-vs-rate.png"
fi
