# Configures and builds an out-of-tree provider against an installed SDK, as
# a third party would: cmake -P BuildExample.cmake with SOURCE_DIR,
# BINARY_DIR, PREFIX, COMPILER, CXX_FLAGS and GENERATOR set.
file(REMOVE_RECURSE "${BINARY_DIR}")
set(flags "")
if(CXX_FLAGS)
  set(flags "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_MODULE_LINKER_FLAGS=${CXX_FLAGS}")
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}"
          "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCMAKE_CXX_COMPILER=${COMPILER}" -DCMAKE_BUILD_TYPE=Release ${flags}
  RESULT_VARIABLE configured)
if(NOT configured EQUAL 0)
  message(FATAL_ERROR "configuring ${SOURCE_DIR} against ${PREFIX} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${BINARY_DIR}" RESULT_VARIABLE built)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "building ${SOURCE_DIR} failed")
endif()
