# sb_write_if_changed(<file> <content>): writes the file only when its
# content differs, so that a generator run at build time (cmake -P) does
# not touch an unchanged output and rebuild what depends on it.
function(sb_write_if_changed file content)
  set(previous "")
  if(EXISTS "${file}")
    file(READ "${file}" previous)
  endif()
  if(NOT "${previous}" STREQUAL "${content}")
    file(WRITE "${file}" "${content}")
  endif()
endfunction()
