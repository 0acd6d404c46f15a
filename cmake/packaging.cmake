# packaging.cmake: the Debian packages (CPack DEB, one package per install component).
#   service -> wsinfra-service: the daemon, its systemd unit, /etc/wsinfra/wsinfra.json,
#              /etc/default/wsinfra-service, the man page
#   console -> wsinfra-console: the desktop console, its .desktop file and icons, the man page
# scripts/package.sh builds them (preset `package`); tests/packaging/check-debs.sh inspects them.
# Every install() rule of the project names its component, so nothing lands in an "Unspecified" package.

set(WSINFRA_PACKAGE_MAINTAINER "wsinfra maintainers <maintainers@users.noreply.r-seed-bb85b27e.example>"
    CACHE STRING "Maintainer field of the .deb packages")
set(WSINFRA_PACKAGE_HOMEPAGE "" CACHE STRING "Homepage field of the .deb packages (omitted when empty)")

set(WSINFRA_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(WSINFRA_PACKAGING_OUT ${PROJECT_BINARY_DIR}/packaging)

# --- files generated at build time ---------------------------------------------------------------

# Man pages and the Debian changelog go in gzipped with -9n (no name, no time stamp: reproducible).
set(WSINFRA_GZIPPED "")
function(wsinfra_gzip source output)
    add_custom_command(OUTPUT ${output}
        COMMAND gzip -9n -c ${source} > ${output}
        DEPENDS ${source}
        COMMENT "gzip ${source}"
        VERBATIM)
    set(WSINFRA_GZIPPED ${WSINFRA_GZIPPED} ${output} PARENT_SCOPE)
endfunction()
wsinfra_gzip(${PROJECT_SOURCE_DIR}/docs/man/wsinfra-service.1 ${WSINFRA_PACKAGING_OUT}/wsinfra-service.1.gz)
wsinfra_gzip(${PROJECT_SOURCE_DIR}/docs/man/wsinfra-console.1 ${WSINFRA_PACKAGING_OUT}/wsinfra-console.1.gz)
wsinfra_gzip(${WSINFRA_PACKAGING_DIR}/debian/changelog ${WSINFRA_PACKAGING_OUT}/changelog.gz)
add_custom_target(wsinfra_package_files ALL DEPENDS ${WSINFRA_GZIPPED})

# /etc/wsinfra/wsinfra.json is resources/wsinfra.example.json without the secrets: the file must be
# readable by the service's dynamic user, hence by everyone, so secrets go to /etc/default/wsinfra-service
# (mode 0600, read by systemd as root). The example has one key per line and no secret is the last key.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/resources/wsinfra.example.json)
file(STRINGS ${PROJECT_SOURCE_DIR}/resources/wsinfra.example.json example_lines)
set(packaged_config "")
foreach(line IN LISTS example_lines)
    if(NOT line MATCHES "^[ \t]*\"(jwtSecret|apiKey|controlToken)\"[ \t]*:")
        string(APPEND packaged_config "${line}\n")
    endif()
endforeach()
string(JSON packaged_port ERROR_VARIABLE packaged_config_error GET "${packaged_config}" port)
if(packaged_config_error)
    message(FATAL_ERROR "packaging: the config derived from resources/wsinfra.example.json is not valid JSON "
                        "(${packaged_config_error})")
endif()
file(CONFIGURE OUTPUT ${WSINFRA_PACKAGING_OUT}/wsinfra.json CONTENT "${packaged_config}" @ONLY)

# DEBIAN/conffiles and the maintainer scripts of wsinfra-service.
file(CONFIGURE OUTPUT ${WSINFRA_PACKAGING_OUT}/service-control/conffiles
     CONTENT "/etc/default/wsinfra-service\n/etc/wsinfra/wsinfra.json\n")
foreach(script postinst prerm postrm)
    configure_file(${WSINFRA_PACKAGING_DIR}/debian/wsinfra-service.${script}
                   ${WSINFRA_PACKAGING_OUT}/service-control/${script} COPYONLY)
endforeach()

# --- what each package installs (besides the binaries' own rules in service/ and console/) --------

# Absolute destinations: these paths are fixed by Debian and systemd, whatever the install prefix.
install(FILES ${WSINFRA_PACKAGING_DIR}/systemd/wsinfra-service.service
        DESTINATION /lib/systemd/system COMPONENT service)
install(FILES ${WSINFRA_PACKAGING_OUT}/wsinfra.json DESTINATION /etc/wsinfra COMPONENT service)
install(FILES ${WSINFRA_PACKAGING_DIR}/debian/wsinfra-service.default
        DESTINATION /etc/default RENAME wsinfra-service
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT service)
install(FILES ${WSINFRA_PACKAGING_OUT}/wsinfra-service.1.gz DESTINATION share/man/man1 COMPONENT service)
install(FILES ${WSINFRA_PACKAGING_OUT}/wsinfra-console.1.gz DESTINATION share/man/man1 COMPONENT console)
foreach(component service console)
    install(FILES ${WSINFRA_PACKAGING_DIR}/debian/copyright ${WSINFRA_PACKAGING_OUT}/changelog.gz
            DESTINATION share/doc/wsinfra-${component} COMPONENT ${component})
endforeach()
# The configuration reference, so that the man page's pointer works on a machine without the sources.
install(FILES ${PROJECT_SOURCE_DIR}/docs/configuration.md DESTINATION share/doc/wsinfra-service COMPONENT service)

# --- CPack ---------------------------------------------------------------------------------------

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wsinfra)
set(CPACK_PACKAGE_VENDOR wsinfra)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${WSINFRA_PACKAGE_MAINTAINER}")
# CPackDeb puts the project's summary above each package's own description unless the summary is
# CPack's default one, which is this; each package below has its own synopsis line.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The release preset keeps debug information; the packages ship stripped binaries.
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL service console)
set(CPACK_DEB_COMPONENT_INSTALL ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${WSINFRA_PACKAGE_MAINTAINER}")
if(WSINFRA_PACKAGE_HOMEPAGE)
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${WSINFRA_PACKAGE_HOMEPAGE}")
endif()
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Depends from the ELF dependencies of the binaries (Qt 6, hiredis, libc, libstdc++), by dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_SERVICE_PACKAGE_NAME wsinfra-service)
set(CPACK_DEBIAN_SERVICE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVICE_DESCRIPTION "real-time push service (WebSocket, Socket.IO, HTTP API)
wsinfra-service delivers bill updates, personal notifications and broadcasts to
clients over native WebSocket and Socket.IO, and takes publishes from a backend
over an HTTP API, all on one port. Several nodes share their subscribers,
history and offsets through Redis.
.
This package holds the daemon, its systemd unit (enabled, not started, on first
install), the configuration /etc/wsinfra/wsinfra.json and the secrets file
/etc/default/wsinfra-service.")
set(CPACK_DEBIAN_SERVICE_PACKAGE_CONTROL_EXTRA
    ${WSINFRA_PACKAGING_OUT}/service-control/conffiles
    ${WSINFRA_PACKAGING_OUT}/service-control/postinst
    ${WSINFRA_PACKAGING_OUT}/service-control/prerm
    ${WSINFRA_PACKAGING_OUT}/service-control/postrm)

set(CPACK_DEBIAN_CONSOLE_PACKAGE_NAME wsinfra-console)
set(CPACK_DEBIAN_CONSOLE_PACKAGE_SECTION net)
# Qt's own translations of its standard dialogs, used when installed.
set(CPACK_DEBIAN_CONSOLE_PACKAGE_SUGGESTS qt6-translations-l10n)
set(CPACK_DEBIAN_CONSOLE_DESCRIPTION "operations console for the wsinfra push service
wsinfra-console is a desktop window on a running wsinfra-service, through its
control port: live connections, memory pressure, leak reports, subscriptions,
manual bill updates, notifications and broadcasts, and the event log. It also
exports one snapshot of a service as JSON or CSV without a display
(--export). English and French.")

include(CPack)
