#!/usr/bin/env bash
# Inspects the .deb packages that scripts/package.sh built, then runs what they hold:
#   tests/packaging/check-debs.sh [DEB...]     default: build/package/packages/*.deb
# 1. the control fields (Package, Version = the project's, Depends on the Qt 6 and hiredis runtime
#    packages), the exact list of files with their modes, DEBIAN/conffiles, the maintainer scripts;
# 2. both packages extracted with dpkg-deb -x into a scratch root: the service's --version and
#    --check-config with the packaged /etc/wsinfra/wsinfra.json, the service started for real from
#    there (free port, loopback), GET /health, SIGTERM -> exit 0; the console's --version and --help
#    without a display; `systemd-analyze verify` of the unit with ExecStart pointing into the root;
# 3. only when WSINFRA_PACKAGE_INSTALL=1 or CI is set, as root, with dpkg usable and no wsinfra package
#    or /etc/wsinfra here already: `apt-get install` of both on this machine, --check-config and a start
#    of the installed service, a reinstall that must keep local conffile changes, then remove and purge
#    (a trap purges on failure or interruption too) and check that nothing is left.
# Every check prints "ok" or "FAIL <what is wrong>"; the script exits 1 if any failed.
set -uo pipefail
args=()
for arg in "$@"; do args+=("$(realpath -- "$arg")"); done
cd "$(dirname "$0")/../.." || exit 1

passed=0
failed=0
ok() {
    echo "  ok    $*"
    passed=$((passed + 1))
}
fail() {
    echo "  FAIL  $*"
    failed=$((failed + 1))
}
# check DESCRIPTION COMMAND...: ok when the command succeeds, else FAIL with its output.
check() {
    local what="$1" output
    shift
    if output=$("$@" 2>&1); then
        ok "$what"
    else
        fail "$what: $(printf '%s' "$output" | tail -n 5)"
    fi
}
section() {
    echo "== $*"
}

scratch=$(mktemp -d /tmp/wsinfra-check-debs.XXXXXX)
service_pid=""
installed_here=0
cleanup() {
    if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
        kill -KILL "$service_pid" 2>/dev/null
    fi
    if [ "$installed_here" = 1 ]; then
        echo "== cleanup: purging the packages this check installed"
        DEBIAN_FRONTEND=noninteractive dpkg --purge wsinfra-service wsinfra-console >/dev/null 2>&1 || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The service's environment: nothing from the caller's shell (a WSINFRA_* or JWT_SECRET there would
# change what is checked), and no display for the console.
clean_env=(env -i "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "HOME=$scratch" "LANG=C.UTF-8")

# --- the packages ---------------------------------------------------------------------------------

if [ ${#args[@]} -gt 0 ]; then
    debs=("${args[@]}")
else
    shopt -s nullglob
    debs=(build/package/packages/*.deb)
    shopt -u nullglob
fi
service_deb=""
console_deb=""
for deb in "${debs[@]}"; do
    case "$(dpkg-deb --field "$deb" Package 2>/dev/null)" in
    wsinfra-service) service_deb="$deb" ;;
    wsinfra-console) console_deb="$deb" ;;
    *) echo "check-debs: $deb is not a wsinfra package" ;;
    esac
done
if [ -z "$service_deb" ] || [ -z "$console_deb" ]; then
    echo "check-debs: FAIL need the wsinfra-service and wsinfra-console .deb files (run scripts/package.sh);" \
        "got: ${debs[*]:-none}"
    exit 1
fi

version=$(sed -n 's/^project(wsinfra VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)

# --- 1. control fields ----------------------------------------------------------------------------

# check_fields DEB PACKAGE REQUIRED_DEPENDS FORBIDDEN_DEPENDS
check_fields() {
    local deb="$1" package="$2" required="$3" forbidden="$4" field value depends name
    section "$package: control fields ($(basename "$deb"))"
    for field in Maintainer Section Priority Description; do
        value=$(dpkg-deb --field "$deb" "$field")
        if [ -n "$value" ]; then ok "$field: $(head -n 1 <<<"$value")"; else fail "$field is empty"; fi
    done
    value=$(dpkg-deb --field "$deb" Version)
    if [ "$value" = "$version" ]; then ok "Version $value"; else fail "Version is '$value', the project's is '$version'"; fi
    value=$(dpkg-deb --field "$deb" Architecture)
    if [ "$value" = "$arch" ]; then ok "Architecture $value"; else fail "Architecture is '$value', expected '$arch'"; fi
    if [ "$(basename "$deb")" = "${package}_${version}_${arch}.deb" ]; then
        ok "file name $(basename "$deb")"
    else
        fail "file name $(basename "$deb"), expected ${package}_${version}_${arch}.deb"
    fi
    # "libqt6core6 (>= 6.4.0), libc6 (>= 2.34)" -> one package name per line.
    depends=$(dpkg-deb --field "$deb" Depends | tr ',|' '\n\n' | sed 's/(.*)//; s/[[:space:]]//g' | sed '/^$/d')
    for name in $required; do
        if grep -qx "$name" <<<"$depends"; then ok "Depends on $name"; else fail "Depends lacks $name (has: $(echo $depends))"; fi
    done
    for name in $forbidden; do
        if grep -qx "$name" <<<"$depends"; then fail "Depends on $name, which it must not need"; else ok "no Depends on $name"; fi
    done
}
check_fields "$service_deb" wsinfra-service "libqt6core6 libqt6network6 libqt6websockets6 libhiredis0.14 libc6 libstdc++6" \
    "libqt6gui6 libqt6widgets6 libqt6charts6"
check_fields "$console_deb" wsinfra-console "libqt6core6 libqt6network6 libqt6websockets6 libqt6gui6 libqt6widgets6 libqt6charts6 libc6" \
    "libhiredis0.14"

# --- files, modes, conffiles, maintainer scripts ----------------------------------------------------

# check_contents DEB PACKAGE EXPECTED: every regular file with its mode and owner, exactly.
check_contents() {
    local deb="$1" package="$2" expected="$3" actual
    section "$package: contents"
    # "-rwxr-xr-x root/root 1234 2026-11-26 10:00 ./usr/bin/x" -> "-rwxr-xr-x root/root /usr/bin/x"
    actual=$(dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $1, $2, $6 }' | sort)
    expected=$(sed '/^$/d' <<<"$expected" | sort)
    if [ "$actual" = "$expected" ]; then
        ok "$(wc -l <<<"$actual") files, modes and owners as expected"
    else
        fail "files differ from the expected list (update tests/packaging/check-debs.sh if intended):
$(diff <(echo "$expected") <(echo "$actual") | sed -n 's/^[<>]/      &/p')"
    fi
}
icons=""
for size in 16 32 48 64 128 256; do
    icons+="-rw-r--r-- root/root /usr/share/icons/hicolor/${size}x${size}/apps/wsinfra-console.png"$'\n'
done
check_contents "$service_deb" wsinfra-service "
-rwxr-xr-x root/root /usr/bin/wsinfra-service
-rw-r--r-- root/root /lib/systemd/system/wsinfra-service.service
-rw-r--r-- root/root /etc/wsinfra/wsinfra.json
-rw------- root/root /etc/default/wsinfra-service
-rw-r--r-- root/root /usr/share/man/man1/wsinfra-service.1.gz
-rw-r--r-- root/root /usr/share/doc/wsinfra-service/copyright
-rw-r--r-- root/root /usr/share/doc/wsinfra-service/changelog.gz
-rw-r--r-- root/root /usr/share/doc/wsinfra-service/configuration.md"
check_contents "$console_deb" wsinfra-console "
-rwxr-xr-x root/root /usr/bin/wsinfra-console
-rw-r--r-- root/root /usr/share/applications/wsinfra-console.desktop
$icons
-rw-r--r-- root/root /usr/share/man/man1/wsinfra-console.1.gz
-rw-r--r-- root/root /usr/share/doc/wsinfra-console/copyright
-rw-r--r-- root/root /usr/share/doc/wsinfra-console/changelog.gz"

section "wsinfra-service: control area"
dpkg-deb -e "$service_deb" "$scratch/service-control"
conffiles=$(sort "$scratch/service-control/conffiles" 2>/dev/null)
if [ "$conffiles" = $'/etc/default/wsinfra-service\n/etc/wsinfra/wsinfra.json' ]; then
    ok "conffiles: $(echo $conffiles)"
else
    fail "conffiles are '$(echo $conffiles)', expected /etc/default/wsinfra-service /etc/wsinfra/wsinfra.json"
fi
for script in postinst prerm postrm; do
    file="$scratch/service-control/$script"
    if [ -x "$file" ] && sh -n "$file"; then ok "$script present, executable, valid sh"; else fail "$script missing, not executable or not valid sh"; fi
done
if grep -qE 'useradd|adduser' "$scratch"/service-control/post* "$scratch/service-control/prerm"; then
    fail "a maintainer script creates a user (the unit uses DynamicUser)"
else
    ok "no maintainer script creates a user"
fi
section "wsinfra-console: control area"
dpkg-deb -e "$console_deb" "$scratch/console-control"
if [ -e "$scratch/console-control/conffiles" ]; then fail "the console has conffiles"; else ok "no conffiles"; fi

# --- 2. extracted into a scratch root ---------------------------------------------------------------

root="$scratch/root"
mkdir -p "$root"
dpkg-deb -x "$service_deb" "$root"
dpkg-deb -x "$console_deb" "$root"
service_bin="$root/usr/bin/wsinfra-service"
console_bin="$root/usr/bin/wsinfra-console"
config="$root/etc/wsinfra/wsinfra.json"

section "documents and configuration files"
for package in wsinfra-service wsinfra-console; do
    first=$(zcat "$root/usr/share/doc/$package/changelog.gz" | head -n 1)
    if [[ "$first" == "wsinfra ($version) "* ]]; then ok "$package changelog.gz starts with $version"; else fail "$package changelog.gz starts with '$first', not version $version (packaging/debian/changelog)"; fi
    page="$root/usr/share/man/man1/$package.1.gz"
    if [ ! -f "$page" ]; then
        fail "no man page $package.1.gz"
        continue
    fi
    if ! command -v groff >/dev/null; then
        echo "  skip  rendering $package.1.gz: groff is not installed"
        continue
    fi
    warnings=$(zcat "$page" | groff -man -ww -z 2>&1)
    if [ -z "$warnings" ] && zcat "$page" | grep -q '^\.SH NAME'; then ok "$package.1.gz renders without warnings"; else fail "$package.1.gz: $warnings"; fi
done
for key in jwtSecret apiKey controlToken; do
    if grep -q "\"$key\"" "$config"; then fail "the packaged wsinfra.json holds the secret $key (secrets go to /etc/default/wsinfra-service)"; else ok "the packaged wsinfra.json has no $key"; fi
done
for variable in JWT_SECRET WSINFRA_API_KEY WSINFRA_CONTROL_TOKEN; do
    if grep -qx "#$variable=" "$root/etc/default/wsinfra-service"; then ok "/etc/default/wsinfra-service mentions $variable, commented"; else fail "/etc/default/wsinfra-service lacks the line #$variable="; fi
done

section "wsinfra-service: the extracted binary"
missing=$(ldd "$service_bin" | grep 'not found')
if [ -z "$missing" ]; then ok "ldd finds every library"; else fail "ldd: $missing"; fi
output=$("${clean_env[@]}" timeout 10 "$service_bin" --version 2>&1)
if [ "$output" = "wsinfra-service $version" ]; then ok "--version: $output"; else fail "--version printed '$output'"; fi
output=$("${clean_env[@]}" timeout 10 "$service_bin" --config "$config" --check-config 2>&1)
status=$?
if [ $status -eq 0 ] && grep -q "configuration OK" <<<"$output"; then
    ok "--check-config with the packaged wsinfra.json: $(grep 'configuration OK' <<<"$output")"
else
    fail "--check-config with the packaged wsinfra.json exited $status: $output"
fi
# A wrong value must be refused, or the check above proves nothing.
printf '{"port": "not a number"}\n' >"$scratch/bad.json"
"${clean_env[@]}" timeout 10 "$service_bin" --config "$scratch/bad.json" --check-config >/dev/null 2>&1
status=$?
if [ $status -eq 2 ]; then ok "--check-config refuses a bad file (exit 2)"; else fail "--check-config exited $status on a bad file, expected 2"; fi

# http_get PORT PATH: the whole HTTP/1.1 response, through bash's /dev/tcp (no curl needed).
http_get() {
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$2" >&3
        cat <&3' http_get "$1" "$2"
}

# start_service BINARY CONFIG NAME: starts the service on a free loopback port with the given config
# and the unit's environment; sets service_pid and service_port, or fails.
start_service() {
    local binary="$1" config_file="$2" name="$3" log="$scratch/$3.log" line=""
    service_port=""
    "${clean_env[@]}" JWT_SECRET=check-debs-secret WSINFRA_API_KEY=check-debs-key \
        "$binary" --config "$config_file" --port 0 --bind 127.0.0.1 --control-port 0 >"$log" 2>&1 &
    service_pid=$!
    for _ in $(seq 100); do
        line=$(grep -m 1 '^listening on ' "$log")
        [ -n "$line" ] && break
        kill -0 "$service_pid" 2>/dev/null || break
        sleep 0.1
    done
    service_port=${line##*:}
    if [ -n "$service_port" ]; then
        ok "$name started with the packaged config: $line"
    else
        fail "$name did not start within 10 s: $(tail -n 5 "$log")"
    fi
}
# check_health_and_stop NAME: GET /health, then SIGTERM and exit 0 within 15 s (nothing if it did not start).
check_health_and_stop() {
    local name="$1" response status
    if [ -z "$service_port" ]; then
        kill -KILL "$service_pid" 2>/dev/null
        wait "$service_pid" 2>/dev/null
        service_pid=""
        return
    fi
    response=$(http_get "$service_port" /health)
    if head -n 1 <<<"$response" | grep -q '^HTTP/1.1 200' && grep -q '"status"' <<<"$response"; then
        ok "$name GET /health: $(head -n 1 <<<"$response" | tr -d '\r'), $(grep -o '"status":"[a-z]*"' <<<"$response" | head -n 1)"
    else
        fail "$name GET /health answered: $(head -n 3 <<<"$response")"
    fi
    kill -TERM "$service_pid" 2>/dev/null
    status=""
    for _ in $(seq 150); do
        if ! kill -0 "$service_pid" 2>/dev/null; then
            wait "$service_pid"
            status=$?
            break
        fi
        sleep 0.1
    done
    if [ "$status" = 0 ]; then
        ok "$name exits 0 on SIGTERM"
    elif [ -z "$status" ]; then
        fail "$name still runs 15 s after SIGTERM"
        kill -KILL "$service_pid" 2>/dev/null
    else
        fail "$name exited $status on SIGTERM, expected 0"
    fi
    service_pid=""
}
start_service "$service_bin" "$config" "the extracted service"
check_health_and_stop "the extracted service"

section "wsinfra-console: the extracted binary"
missing=$(ldd "$console_bin" | grep 'not found')
if [ -z "$missing" ]; then ok "ldd finds every library"; else fail "ldd: $missing"; fi
output=$("${clean_env[@]}" timeout 10 "$console_bin" --version 2>&1)
if [ "$output" = "wsinfra-console $version" ]; then ok "--version without a display: $output"; else fail "--version printed '$output'"; fi
output=$("${clean_env[@]}" timeout 10 "$console_bin" --help 2>&1)
status=$?
if [ $status -eq 0 ] && grep -q -- '--export' <<<"$output"; then ok "--help without a display"; else fail "--help exited $status: $(head -n 3 <<<"$output")"; fi
desktop="$root/usr/share/applications/wsinfra-console.desktop"
if grep -qx 'Exec=wsinfra-console' "$desktop" && grep -qx 'Icon=wsinfra-console' "$desktop"; then ok ".desktop runs wsinfra-console with its icon"; else fail ".desktop lacks Exec=wsinfra-console or Icon=wsinfra-console"; fi
if command -v desktop-file-validate >/dev/null; then check "desktop-file-validate" desktop-file-validate "$desktop"; fi
for size in 16 32 48 64 128 256; do
    # A PNG's IHDR holds the width and height as 32-bit big-endian numbers at bytes 16 and 20.
    dims=$(od -An -tu1 -j16 -N8 "$root/usr/share/icons/hicolor/${size}x${size}/apps/wsinfra-console.png" |
        awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 "x" $5*16777216 + $6*65536 + $7*256 + $8 }')
    if [ "$dims" = "${size}x${size}" ]; then ok "icon ${size}x${size} is a ${dims} PNG"; else fail "icon ${size}x${size} is '$dims'"; fi
done

section "wsinfra-service: the systemd unit"
unit="$root/lib/systemd/system/wsinfra-service.service"
for line in 'Type=notify' 'DynamicUser=yes' 'EnvironmentFile=-/etc/default/wsinfra-service'; do
    if grep -qx "$line" "$unit"; then ok "unit has $line"; else fail "unit lacks the line $line"; fi
done
if grep -q '^ExecStart=/usr/bin/wsinfra-service .*--config /etc/wsinfra/wsinfra.json' "$unit"; then
    ok "ExecStart runs /usr/bin/wsinfra-service with /etc/wsinfra/wsinfra.json"
else
    fail "ExecStart does not run /usr/bin/wsinfra-service --config /etc/wsinfra/wsinfra.json: $(grep '^ExecStart=' "$unit")"
fi
# The unit's own command line, pointed into the scratch root, must pass --check-config.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" | head -n 1)
read -r -a exec_words <<<"${exec_start//\/usr\/bin\/wsinfra-service/$root/usr/bin/wsinfra-service}"
exec_words=("${exec_words[@]//\/etc\/wsinfra\//$root/etc/wsinfra/}")
check "the unit's ExecStart with --check-config" "${clean_env[@]}" timeout 10 "${exec_words[@]}" --check-config
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$scratch/unit"
    sed "s|/usr/bin/wsinfra-service|$root/usr/bin/wsinfra-service|g" "$unit" >"$scratch/unit/wsinfra-service.service"
    # MANPATH: the unit's Documentation=man:wsinfra-service(1) must name the packaged page.
    output=$(MANPATH="$root/usr/share/man" SYSTEMD_LOG_LEVEL=warning \
        systemd-analyze verify "$scratch/unit/wsinfra-service.service" 2>&1)
    status=$?
    if [ $status -eq 0 ] && ! grep -q 'wsinfra-service' <<<"$output"; then
        ok "systemd-analyze verify"
    else
        fail "systemd-analyze verify (exit $status): $(grep -v '^$' <<<"$output" | head -n 10)"
    fi
else
    echo "  skip  systemd-analyze verify: systemd-analyze is not installed"
fi

# --- 3. installed on this machine -------------------------------------------------------------------

install_wanted=0
if [ "${WSINFRA_PACKAGE_INSTALL:-0}" = 1 ] || { [ -n "${CI:-}" ] && [ "${CI:-}" != 0 ] && [ "${CI:-}" != false ]; }; then
    install_wanted=1
fi
section "installed on this machine"
if [ "$install_wanted" != 1 ]; then
    echo "  skip  not asked for (WSINFRA_PACKAGE_INSTALL=1 or CI)"
elif [ "$(id -u)" -ne 0 ]; then
    echo "  skip  not root"
elif ! dpkg --audit >/dev/null 2>&1 || ! command -v apt-get >/dev/null; then
    echo "  skip  dpkg or apt-get not usable here"
elif dpkg-query -W -f='${Status}\n' wsinfra-service wsinfra-console 2>/dev/null | grep -qv 'not-installed' ||
    [ -e /etc/wsinfra ] || [ -e /etc/default/wsinfra-service ]; then
    # Never touch an installation that was there before: purging it at the end would remove it.
    echo "  skip  wsinfra is already installed on this machine, or its /etc files are there"
else
    installed_here=1
    log="$scratch/apt.log"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "$(realpath "$service_deb")" "$(realpath "$console_deb")" >"$log" 2>&1; then
        ok "apt-get install ./$(basename "$service_deb") ./$(basename "$console_deb")"
    else
        fail "apt-get install: $(tail -n 10 "$log")"
    fi
    for package in wsinfra-service wsinfra-console; do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)
        if [ "$status" = "install ok installed" ]; then ok "$package: $status"; else fail "$package status is '$status'"; fi
    done
    output=$("${clean_env[@]}" timeout 10 /usr/bin/wsinfra-service --check-config --config /etc/wsinfra/wsinfra.json 2>&1)
    status=$?
    if [ $status -eq 0 ]; then ok "/usr/bin/wsinfra-service --check-config --config /etc/wsinfra/wsinfra.json"; else fail "installed --check-config exited $status: $output"; fi
    check "/usr/bin/wsinfra-console --version" "${clean_env[@]}" timeout 10 /usr/bin/wsinfra-console --version
    mode=$(stat -c '%a %U' /etc/default/wsinfra-service 2>/dev/null)
    if [ "$mode" = "600 root" ]; then ok "/etc/default/wsinfra-service is 600 root"; else fail "/etc/default/wsinfra-service is '$mode', expected 600 root"; fi
    start_service /usr/bin/wsinfra-service /etc/wsinfra/wsinfra.json "the installed service"
    check_health_and_stop "the installed service"
    # postinst enables the unit (deb-systemd-helper works without a running systemd).
    wants=$(sed -n 's/^WantedBy=//p' /lib/systemd/system/wsinfra-service.service | head -n 1)
    if [ -n "$wants" ]; then
        if [ -L "/etc/systemd/system/$wants.wants/wsinfra-service.service" ]; then ok "postinst enabled the unit ($wants)"; else fail "postinst did not enable the unit for $wants"; fi
    fi

    # Conffile handling: the administrator's changes survive a reinstall (an upgrade to the same version).
    sed -i 's/"port": 3000/"port": 3100/' /etc/wsinfra/wsinfra.json
    echo 'JWT_SECRET=check-debs-local' >>/etc/default/wsinfra-service
    if DEBIAN_FRONTEND=noninteractive dpkg --force-confold -i "$service_deb" >"$log" 2>&1; then ok "dpkg -i again (upgrade path)"; else fail "dpkg -i again: $(tail -n 5 "$log")"; fi
    if grep -q '"port": 3100' /etc/wsinfra/wsinfra.json && grep -qx 'JWT_SECRET=check-debs-local' /etc/default/wsinfra-service; then
        ok "local changes to both conffiles survive the reinstall"
    else
        fail "a reinstall lost the local changes to /etc/wsinfra/wsinfra.json or /etc/default/wsinfra-service"
    fi
    if DEBIAN_FRONTEND=noninteractive dpkg --remove wsinfra-service wsinfra-console >"$log" 2>&1; then ok "dpkg --remove"; else fail "dpkg --remove: $(tail -n 5 "$log")"; fi
    if [ ! -e /usr/bin/wsinfra-service ] && [ -e /etc/wsinfra/wsinfra.json ] && [ -e /etc/default/wsinfra-service ]; then
        ok "after remove: the binary is gone, the conffiles stay"
    else
        fail "after remove: expected no /usr/bin/wsinfra-service and both conffiles kept"
    fi
    if [ "$(readlink /etc/systemd/system/wsinfra-service.service)" = /dev/null ]; then
        ok "after remove: the unit is masked until purge"
    else
        fail "after remove: the unit is not masked (postrm remove)"
    fi
    if DEBIAN_FRONTEND=noninteractive dpkg --purge wsinfra-service wsinfra-console >"$log" 2>&1; then ok "dpkg --purge"; else fail "dpkg --purge: $(tail -n 5 "$log")"; fi
    installed_here=0
    left=$(ls -d /etc/wsinfra /etc/default/wsinfra-service /etc/systemd/system/wsinfra-service.service \
        /etc/systemd/system/*.wants/wsinfra-service.service /var/lib/systemd/deb-systemd-helper-enabled/*wsinfra* \
        /var/lib/systemd/deb-systemd-helper-enabled/*/wsinfra* /var/lib/systemd/deb-systemd-helper-masked/wsinfra* \
        2>/dev/null | tr '\n' ' ')
    if [ -z "$left" ]; then ok "after purge: nothing of wsinfra is left in /etc or the systemd state"; else fail "after purge, left: $left"; fi
fi

echo
if [ "$failed" -eq 0 ]; then
    echo "check-debs: all checks of $(basename "$service_deb") and $(basename "$console_deb") passed"
else
    echo "check-debs: $failed check(s) FAILED (see FAIL above)"
fi
echo "packaging: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
