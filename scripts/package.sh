#!/usr/bin/env bash
# Builds the Debian packages wsinfra-service and wsinfra-console from the `package` preset (the
# release build, RelWithDebInfo with -Werror, without the tests; the packages ship stripped binaries)
# and prints the paths of the .deb files, one per line, last on stdout:
#   scripts/package.sh            -> build/package/packages/wsinfra-{service,console}_<version>_<arch>.deb
# cmake/packaging.cmake says what each package holds; tests/packaging/check-debs.sh inspects them.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh >&2
cmake --preset package >/dev/null
cmake --build --preset package >&2
out=build/package/packages
rm -f "$out"/*.deb
cpack --preset package >&2
shopt -s nullglob
debs=("$out"/*.deb)
if [ ${#debs[@]} -ne 2 ]; then
    echo "package.sh: expected 2 packages in $out, found ${#debs[@]}: ${debs[*]:-none}" >&2
    exit 1
fi
printf '%s\n' "${debs[@]}"
