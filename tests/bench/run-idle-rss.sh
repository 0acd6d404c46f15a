#!/usr/bin/env bash
# Resident memory per idle connection (each subscribed to one bill), wsinfra-service against the
# Node.js `ws` peer in the same run, at 1,000 and 10,000 connections (or the counts given). The
# figure is (RSS with the clients open - RSS before them) / clients, from each server's own
# /api/stats; one publish checks that every client is live. Builds the release preset first.
#   tests/bench/run-idle-rss.sh [COUNT...]
set -euo pipefail
cd "$(dirname "$0")/../.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
for count in "${counts[@]}"; do
    echo "== $count idle connections"
    tests/bench/run-fanout.sh "$count" 1 | grep -E '^(wsinfra|node-ws|ratio)' |
        sed -E 's/.*"kbPerIdleConnection":([0-9.]+).*/&\n  -> \1 KB per idle connection/'
done
