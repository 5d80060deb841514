# Writes a .cpp that defines `const char* <NAMESPACE>::<FUNCTION>()`
# returning the text of INPUT, so the binary carries it (the OpenAPI
# document). Runs at build time (cmake -P) so editing the file rebuilds.
file(READ "${INPUT}" text)
if(text MATCHES "\\)sbtext\"")
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )sbtext\"")
endif()
# The text is one literal longer than the 65,536 characters the standard
# requires compilers to accept; GCC and clang take it, and clang's pedantic
# warning about it is silenced for this literal only.
set(content "// Generated from ${INPUT} by cmake/SbEmbedText.cmake; do not edit.\nnamespace ${NAMESPACE} {\n\n#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored \"-Woverlength-strings\"\nconst char* ${FUNCTION}() {\n  return R\"sbtext(${text})sbtext\";\n}\n#pragma GCC diagnostic pop\n\n}  // namespace ${NAMESPACE}\n")
include("${CMAKE_CURRENT_LIST_DIR}/SbWriteIfChanged.cmake")
sb_write_if_changed("${OUTPUT}" "${content}")
