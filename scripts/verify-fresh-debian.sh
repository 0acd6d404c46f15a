#!/usr/bin/env bash
# Proves the README's promise on a machine that has nothing installed: builds a minimal Debian 12
# root with debootstrap, clones this repository into it and runs the CI command (.ci/run) there.
# Needs root and Debian's package mirror. Usage: scripts/verify-fresh-debian.sh [ROOT_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
root="${1:-/tmp/wsinfra-fresh-debian}"

command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
[ -d "$root/usr" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
cleanup() { umount -R "$root/dev" "$root/sys" 2>/dev/null || true; umount "$root/proc" 2>/dev/null || true; }
trap cleanup EXIT
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Certificate authorities this host trusts beyond Debian's (e.g. an egress proxy's) must be trusted
# inside too, or npm cannot reach its registry.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
rm -rf "$root/root/wsinfra"
git clone -q "$repo" "$root/root/wsinfra"
chroot "$root" /bin/bash -c '
    export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    if command -v update-ca-certificates >/dev/null; then update-ca-certificates >/dev/null 2>&1; fi
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    cd /root/wsinfra && CI=true bash .ci/run'
