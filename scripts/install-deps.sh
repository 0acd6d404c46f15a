#!/usr/bin/env bash
# Installs the Debian 12 packages wsinfra needs to build, run and test. Installs only what is
# missing, so a second run costs a few dpkg look-ups and no network.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git clang-format
    qt6-base-dev qt6-websockets-dev qt6-charts-dev qt6-httpserver-dev libgl-dev
    qt6-tools-dev qt6-l10n-tools xvfb xauth
    libhiredis-dev redis-server
    gcovr
    clang libclang-rt-14-dev
)
if ! command -v node >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# With recommends: the same set the scripts were verified with (Qt 6 CMake configs look for some).
$sudo apt-get install -y -qq "${missing[@]}"
