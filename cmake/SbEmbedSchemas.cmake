# Writes a .cpp that defines sb::core::sdkSchemaText(name) from every
# <name>.schema.json in SCHEMA_DIR (sdk/schema), so that the host checks
# plugins against the very files the SDK installs: events on arrival,
# capabilities at load, every operation's result in `switchboard
# conformance`. Runs at build time (cmake -P) so editing a schema rebuilds.
file(GLOB schema_files "${SCHEMA_DIR}/*.schema.json")
list(SORT schema_files)
set(body "")
foreach(file IN LISTS schema_files)
  get_filename_component(file_name "${file}" NAME)
  string(REGEX REPLACE "\\.schema\\.json$" "" name "${file_name}")
  file(READ "${file}" text)
  if(text MATCHES "\\)sbschema\"")
    message(FATAL_ERROR "${file} contains the raw-string delimiter )sbschema\"")
  endif()
  string(APPEND body "  if (name == \"${name}\") return R\"sbschema(${text})sbschema\";\n")
endforeach()
set(content "// Generated from sdk/schema by cmake/SbEmbedSchemas.cmake; do not edit.
#include <string_view>

namespace sb::core {

const char* sdkSchemaText(std::string_view name) {
${body}  return nullptr;
}

}  // namespace sb::core
")
include("${CMAKE_CURRENT_LIST_DIR}/SbWriteIfChanged.cmake")
sb_write_if_changed("${OUTPUT}" "${content}")
