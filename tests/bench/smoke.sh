#!/usr/bin/env bash
# bench_smoke (ctest, label bench): wsinfra-bench builds and runs a tiny scenario against the real
# service over both transports. Not a timed test: it asserts that every connection opened, that the
# publish answers announced exactly the deliveries the subscriptions imply, that all of them
# arrived, and that the output is one valid JSON object.
#   smoke.sh SERVICE_BINARY BENCH_BINARY
set -euo pipefail
service=$1
bench=$2
log=$(mktemp)
out=$(mktemp)
JWT_SECRET=bench-secret WSINFRA_API_KEY=bench-api-key "$service" --port 0 --bind 127.0.0.1 >"$log" 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log" "$out"' EXIT
port=""
for _ in $(seq 600); do
    port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$log" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "the service did not start: $(cat "$log")" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "the service printed no port: $(cat "$log")" >&2; exit 1; }

check() { # jq condition, then the wsinfra-bench arguments
    local condition=$1
    shift
    if ! "$bench" --port "$port" --server-pid "$pid" --json --timeout 60 --settle-ms 100 --drain 10 "$@" >"$out"; then
        echo "wsinfra-bench $* failed: $(cat "$out")" >&2
        exit 1
    fi
    if ! jq -e "$condition" "$out" >/dev/null; then
        echo "wsinfra-bench $*: unexpected figures: $(cat "$out")" >&2
        exit 1
    fi
    echo "ok: $*: $(cat "$out")"
}

# 50 connections following 2 of 5 bills, 20 publishes round-robin over the bills: each bill gets 4
# publishes and has on average 20 followers, so the answers must announce 50 * 2 * 4 = 400 deliveries.
common='.ok == true and .connected == 50 and .failed == 0 and .publishes == 20 and .publishErrors == 0
        and .loss == 0 and .p50Ms >= 0 and .maxMs >= .p50Ms and .serverCpuSeconds >= 0'
for transport in native socketio; do
    check "$common and .expected == 400 and .received == 400 and .transport == \"$transport\"" \
        --transport "$transport" --connections 50 --bills 5 --follow 2 --publishes 20 --pipeline 4
done
check "$common and .received == .expected and .received > 0 and .dist == \"zipf\"" \
    --connections 50 --bills 20 --follow 3 --dist zipf --publishes 20 --rate 200 --payload 1000

# A bad option is a clear error, not a run.
if "$bench" --port "$port" --follow 3 --bills 2 2>"$out"; then
    echo "wsinfra-bench accepted --follow above --bills" >&2
    exit 1
fi
grep -q -- '--follow 3 is more than --bills 2' "$out"
