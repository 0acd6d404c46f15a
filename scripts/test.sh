#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a passing test suite: installs what is missing,
# installs the pinned npm clients (npm ci), builds with warnings as errors under AddressSanitizer
# and UndefinedBehaviorSanitizer, runs every test with ctest, then builds and checks the .deb packages.
#   scripts/test.sh            the asan preset (what CI runs)
#   scripts/test.sh debug      another preset: debug, release, asan or coverage
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-asan}"

scripts/install-deps.sh
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" --output-on-failure
if [ "$preset" = coverage ]; then
    gcovr --root . --filter 'service/' --filter 'shared/' --exclude-unreachable-branches --print-summary \
        --html-details build/coverage/coverage.html build/coverage
fi
# Every libFuzzer target for a bounded time (docs/development.md, "Fuzzing"); a crash fails the run
# and leaves its input in tests/fuzz/corpus/ as a regression test. WSINFRA_FUZZ_SECONDS=0 skips it.
fuzz_seconds="${WSINFRA_FUZZ_SECONDS:-20}"
if [ "$fuzz_seconds" != 0 ]; then
    WSINFRA_FUZZ_SEED="${WSINFRA_FUZZ_SEED:-1}" scripts/fuzz.sh "$fuzz_seconds"
fi
# The .deb packages (docs/development.md, "Packages"): built from the package preset, inspected, run
# from a scratch root, and installed on this machine then purged (as root; WSINFRA_PACKAGE_INSTALL=0
# skips that part, WSINFRA_PACKAGES=0 the whole step).
if [ "${WSINFRA_PACKAGES:-1}" != 0 ]; then
    package_list=$(scripts/package.sh)
    mapfile -t debs <<<"$package_list"
    WSINFRA_PACKAGE_INSTALL="${WSINFRA_PACKAGE_INSTALL:-1}" tests/packaging/check-debs.sh "${debs[@]}"
fi
