#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for a bounded time under AddressSanitizer and
# UndefinedBehaviorSanitizer (docs/development.md, "Fuzzing").
#   scripts/fuzz.sh [SECONDS]        each target for SECONDS (default 60)
#   scripts/fuzz.sh SECONDS NAME...  only the named targets (jwt, clientmessage, ...)
# Builds the fuzz preset (clang) first. Each target runs on a scratch copy of its seed corpus, so the
# inputs libFuzzer finds are not written into the repository; a crashing input (crash-, leak-,
# timeout- or oom-<sha1>) is copied into tests/fuzz/corpus/<name>/, where ctest replays it from
# then on (the fuzz_corpus_<name> tests), and the script exits non-zero. WSINFRA_FUZZ_SEED fixes
# libFuzzer's seed (the test suite uses 1, so that a CI run can be repeated exactly); unset, each run
# explores anew.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(jwt clientmessage enginepacket socketiopacket httprequest controlmessage config websocketframe)
fi

cmake --preset fuzz >/dev/null
nice cmake --build --preset fuzz

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for name in "${targets[@]}"; do
    corpus="tests/fuzz/corpus/$name"
    mkdir -p "$scratch/$name/corpus" "$scratch/$name/artifacts"
    cp -r "$corpus/." "$scratch/$name/corpus/"
    log="$scratch/$name/log"
    status=0
    nice "build/fuzz/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -seed="${WSINFRA_FUZZ_SEED:-0}" \
        -print_final_stats=1 -artifact_prefix="$scratch/$name/artifacts/" "$scratch/$name/corpus" \
        >"$log" 2>&1 || status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    entries=$(find "$scratch/$name/corpus" -type f | wc -l)
    saved=()
    for artifact in "$scratch/$name/artifacts"/*; do
        [ -f "$artifact" ] || continue
        cp "$artifact" "$corpus/"
        saved+=("$corpus/$(basename "$artifact")")
    done
    if [ "$status" -ne 0 ] || [ ${#saved[@]} -ne 0 ]; then
        echo "fuzz: $name FAILED (exit $status) after ${executions:-?} executions; saved: ${saved[*]:-nothing}"
        tail -n 60 "$log"
        failed+=("$name")
    else
        echo "fuzz: $name ok: ${executions:-?} executions in ${seconds} s, ${coverage:-cov: ?}, corpus $entries"
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: failing targets: ${failed[*]} (the saved inputs are now regression tests: commit them)"
    exit 1
fi
