#!/bin/sh
# verify-unit.sh BINARY UNIT: `systemd-analyze verify` on the packaged unit, with ExecStart pointed at
# the built binary (verify insists that the executable exists). Any diagnostic fails the test except
# those that come from the build environment rather than the unit (listed below). Exit 77 (CTest's
# SKIP_RETURN_CODE) when systemd-analyze or the binary is missing.
set -u
binary=$1
unit=$2

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze is not installed"
    exit 77
fi
if [ ! -x "$binary" ]; then
    echo "SKIP: the service binary $binary has not been built"
    exit 77
fi
if [ ! -r "$unit" ]; then
    echo "FAIL: no unit file at $unit"
    exit 1
fi

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
copy="$work/wsinfra-service.service"
sed "s|^ExecStart=/usr/bin/wsinfra-service |ExecStart=$binary |" "$unit" >"$copy"
if ! grep -q "^ExecStart=$binary " "$copy"; then
    echo "FAIL: the unit has no 'ExecStart=/usr/bin/wsinfra-service ...' line to point at the build"
    exit 1
fi

# --man=no: the man page is installed by the package, not present in a build tree.
output=$(systemd-analyze verify --man=no "$copy" 2>&1)
status=$?
printf '%s\n' "$output"

# Diagnostics of the environment, not of the unit:
# - "... is not a directory/ not accessible / Failed to ... cgroup": systemd is not PID 1 here
#   (containers, CI), so the manager cannot set up cgroups or read its own state;
# - lines about other units (e.g. network-online.target's dependencies, /etc/systemd units of
#   the host) that systemd-analyze loads along with ours.
remaining=$(printf '%s\n' "$output" | grep -v '^$' |
    grep -v -e 'is not a directory' \
        -e 'Failed to .*cgroup' -e 'cgroup.*not .*mounted' -e 'No control group support' \
        -e 'System has not been booted with systemd' -e 'Failed to connect to bus' |
    grep "wsinfra-service" || true)

if [ "$status" -ne 0 ]; then
    echo "FAIL: systemd-analyze verify exited with $status"
    exit 1
fi
if [ -n "$remaining" ]; then
    echo "FAIL: systemd-analyze verify reported about the unit:"
    printf '%s\n' "$remaining"
    exit 1
fi
echo "PASS: systemd-analyze verify found nothing to report about wsinfra-service.service"
