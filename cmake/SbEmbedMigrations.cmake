# Writes a .cpp that defines sb::core::builtInMigrations(backend) from every
# NNNN_name.sql file in MIGRATIONS_DIR/sqlite and MIGRATIONS_DIR/postgresql,
# so the binary carries its own schema. Runs at build time (cmake -P) so
# editing a .sql file rebuilds. Both backends must have the same versions
# with the same names: a database's schema_migrations then means the same
# thing whichever backend holds it.
set(lists "")
set(versions_of_sqlite "")
foreach(backend sqlite postgresql)
  file(GLOB migration_files "${MIGRATIONS_DIR}/${backend}/*.sql")
  list(SORT migration_files)
  set(body "")
  set(names "")
  foreach(file IN LISTS migration_files)
    get_filename_component(name "${file}" NAME_WE)
    if(NOT name MATCHES "^([0-9]+)_(.+)$")
      message(FATAL_ERROR "migration ${file} must be named NNNN_name.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1}")
    set(label "${CMAKE_MATCH_2}")
    list(APPEND names "${name}")
    file(READ "${file}" sql)
    string(APPEND body "      {${version}, \"${label}\", R\"sbsql(${sql})sbsql\"},\n")
  endforeach()
  if(backend STREQUAL "sqlite")
    set(sqlite_names "${names}")
    set(sqlite_body "${body}")
  else()
    if(NOT "${names}" STREQUAL "${sqlite_names}")
      message(FATAL_ERROR "core/migrations/postgresql must have the same NNNN_name.sql files as core/migrations/sqlite:\n"
                          "  sqlite:     ${sqlite_names}\n  postgresql: ${names}")
    endif()
    set(postgresql_body "${body}")
  endif()
endforeach()
set(content "// Generated from core/migrations by cmake/SbEmbedMigrations.cmake; do not edit.
#include <switchboard/core/storage/Database.h>

namespace sb::core {

const std::vector<Migration>& builtInMigrations(DatabaseBackend backend) {
  static const std::vector<Migration> sqlite = {
${sqlite_body}  };
  static const std::vector<Migration> postgresql = {
${postgresql_body}  };
  return backend == DatabaseBackend::Postgresql ? postgresql : sqlite;
}

}  // namespace sb::core
")
include("${CMAKE_CURRENT_LIST_DIR}/SbWriteIfChanged.cmake")
sb_write_if_changed("${OUTPUT}" "${content}")
