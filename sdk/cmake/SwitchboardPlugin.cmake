# sb_add_provider_plugin(<target>
#     ID <provider-id> NAME <display name> VERSION <x.y.z> [VENDOR <vendor>]
#     SOURCES <files...>
#     [CONFIG <config.json>]
#     [OUTPUT_DIRECTORY <dir>] [INSTALL_DESTINATION <dir>])
#
# Builds a provider plugin the only way the host accepts it:
#  - a MODULE library (it can be dlopen'ed, never linked against);
#  - hidden visibility, so only sb_provider_entry_v1 is exported;
#  - -Wl,--exclude-libs,ALL, so static dependencies are not re-exported;
#  - -Wl,-z,defs, so the plugin depends on no host symbol (everything comes
#    through the sb_host_api table);
#  - a version script, so sb_provider_entry_v1 is the one exported symbol;
#  - a plugin.json manifest next to the library, in <OUTPUT_DIRECTORY>/<id>/;
#    CONFIG names a JSON file declaring the plugin's config keys (its
#    section provider.<id>.*), copied into the manifest as "config": the
#    host then checks those keys, maps their environment variables and
#    lists them in `switchboard config keys` (sdk/docs/WRITING_A_PROVIDER.md).
# The result is laid out as a plugin folder: <dir>/<id>/{plugin.json, lib…so}.

set(_SB_PLUGIN_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Where plugin.json.in lives")

function(sb_add_provider_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "ID;NAME;VERSION;VENDOR;CONFIG;OUTPUT_DIRECTORY;INSTALL_DESTINATION" "SOURCES")
  foreach(required ID NAME VERSION SOURCES)
    if(NOT ARG_${required})
      message(FATAL_ERROR "sb_add_provider_plugin(${target}): ${required} is required")
    endif()
  endforeach()
  if(NOT ARG_ID MATCHES "^[a-z0-9_-]+$")
    message(FATAL_ERROR "sb_add_provider_plugin(${target}): ID '${ARG_ID}' must match [a-z0-9_-]+")
  endif()
  # NAME, VERSION and VENDOR go into plugin.json and into C string literals
  # as they are, so they may not hold quotes, backslashes or control bytes.
  string(ASCII 1 first_control)
  string(ASCII 31 last_control)
  foreach(field NAME VENDOR)
    if(ARG_${field} MATCHES "[\"\\\\]" OR ARG_${field} MATCHES "[${first_control}-${last_control}]")
      message(FATAL_ERROR "sb_add_provider_plugin(${target}): ${field} '${ARG_${field}}' may not hold quotes, backslashes or control characters")
    endif()
  endforeach()
  if(NOT ARG_VERSION MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$")
    message(FATAL_ERROR "sb_add_provider_plugin(${target}): VERSION '${ARG_VERSION}' must be a semantic version (1.2.3)")
  endif()
  if(NOT ARG_VENDOR)
    set(ARG_VENDOR "unknown")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    # The same layout as an install tree: <prefix>/lib/switchboard/plugins.
    set(ARG_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/lib/switchboard/plugins")
  endif()

  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE Switchboard::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "sb_${ARG_ID}"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}/${ARG_ID}")
  # Hidden visibility does not cover libstdc++'s template instantiations
  # (its headers force default visibility), so a version script makes the
  # entry the only exported symbol.
  set(version_script "${CMAKE_CURRENT_BINARY_DIR}/${target}.exports.map")
  file(WRITE "${version_script}" "{\n  global: sb_provider_entry_v*;\n  local: *;\n};\n")
  target_link_options(${target} PRIVATE "LINKER:--exclude-libs,ALL" "LINKER:-z,defs"
    "LINKER:--version-script=${version_script}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${version_script}")
  # The id, name and version are declared here once: SB_PROVIDER reads them,
  # and SB_DEFINE_PROVIDER must agree with them (define_provider.hpp).
  target_compile_definitions(${target} PRIVATE SB_PLUGIN_ID="${ARG_ID}" SB_PLUGIN_NAME="${ARG_NAME}"
    SB_PLUGIN_VERSION="${ARG_VERSION}")

  set(SB_PLUGIN_ID "${ARG_ID}")
  set(SB_PLUGIN_DISPLAY_NAME "${ARG_NAME}")
  set(SB_PLUGIN_VERSION "${ARG_VERSION}")
  set(SB_PLUGIN_VENDOR "${ARG_VENDOR}")
  set(SB_PLUGIN_ABI "${SB_ABI_VERSION}")  # the header's SB_ABI_MAJOR.SB_ABI_MINOR
  set(SB_PLUGIN_LIBRARY "libsb_${ARG_ID}${CMAKE_SHARED_MODULE_SUFFIX}")
  set(SB_PLUGIN_CONFIG "")
  if(ARG_CONFIG)
    get_filename_component(config_file "${ARG_CONFIG}" ABSOLUTE)
    file(READ "${config_file}" config_json)
    string(JSON config_type ERROR_VARIABLE config_error TYPE "${config_json}")
    if(config_error OR NOT config_type STREQUAL "OBJECT")
      message(FATAL_ERROR "sb_add_provider_plugin(${target}): CONFIG ${config_file} must hold a JSON object ${config_error}")
    endif()
    string(STRIP "${config_json}" config_json)
    set(SB_PLUGIN_CONFIG ",\n  \"config\": ${config_json}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${config_file}")
  endif()
  configure_file("${_SB_PLUGIN_CMAKE_DIR}/plugin.json.in" "${ARG_OUTPUT_DIRECTORY}/${ARG_ID}/plugin.json" @ONLY)

  if(ARG_INSTALL_DESTINATION)
    install(TARGETS ${target} LIBRARY DESTINATION "${ARG_INSTALL_DESTINATION}/${ARG_ID}" COMPONENT plugins)
    install(FILES "${ARG_OUTPUT_DIRECTORY}/${ARG_ID}/plugin.json"
      DESTINATION "${ARG_INSTALL_DESTINATION}/${ARG_ID}" COMPONENT plugins)
  endif()
endfunction()
