# Checks (or, with -DUPDATE=ON, rewrites) the generated region of docs/configuration.md: the exact output
# of `wsinfra-service --print-config-reference`, so the reference cannot drift from the schema in code.
#
#   cmake -DSERVICE=build/debug/service/wsinfra-service -DDOC=docs/configuration.md -P tests/docs/check-config-reference.cmake
#   cmake -DSERVICE=build/debug/service/wsinfra-service -DDOC=docs/configuration.md -DUPDATE=ON -P tests/docs/check-config-reference.cmake
#
# (scripts/update-config-reference.sh runs the second form.)
cmake_minimum_required(VERSION 3.21)

if(NOT SERVICE OR NOT DOC)
    message(FATAL_ERROR "usage: cmake -DSERVICE=path/to/wsinfra-service -DDOC=docs/configuration.md [-DUPDATE=ON] -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

set(begin_marker "<!-- BEGIN GENERATED: wsinfra-service --print-config-reference -->\n")
set(end_marker "<!-- END GENERATED -->")
set(regenerate "cmake -DSERVICE=${SERVICE} -DDOC=${DOC} -DUPDATE=ON -P ${CMAKE_CURRENT_LIST_FILE}")

execute_process(COMMAND "${SERVICE}" --print-config-reference
    OUTPUT_VARIABLE generated ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR generated STREQUAL "")
    message(FATAL_ERROR "${SERVICE} --print-config-reference failed (${status}): ${errors}")
endif()

file(READ "${DOC}" document)
string(FIND "${document}" "${begin_marker}" begin_at)
string(FIND "${document}" "${end_marker}" end_at)
if(begin_at EQUAL -1 OR end_at EQUAL -1)
    message(FATAL_ERROR "${DOC} lacks the markers of the generated region (a line '${end_marker}' after the line '<!-- BEGIN GENERATED: wsinfra-service --print-config-reference -->')")
endif()
string(LENGTH "${begin_marker}" begin_length)
math(EXPR content_at "${begin_at} + ${begin_length}")
if(end_at LESS content_at)
    message(FATAL_ERROR "${DOC}: '${end_marker}' comes before the BEGIN marker")
endif()
math(EXPR content_length "${end_at} - ${content_at}")
string(SUBSTRING "${document}" ${content_at} ${content_length} current)

if(current STREQUAL generated)
    message(STATUS "${DOC}: the configuration reference is up to date")
    return()
endif()

if(UPDATE)
    string(SUBSTRING "${document}" 0 ${content_at} head)
    string(SUBSTRING "${document}" ${end_at} -1 tail)
    file(WRITE "${DOC}" "${head}${generated}${tail}")
    message(STATUS "${DOC}: the configuration reference was regenerated")
    return()
endif()

message(FATAL_ERROR "${DOC} is stale: its generated region differs from `wsinfra-service --print-config-reference`.\n"
    "Regenerate it with:\n  ${regenerate}\nor scripts/update-config-reference.sh, and commit the result.")
