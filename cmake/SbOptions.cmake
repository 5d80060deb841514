# Build policy for in-tree targets, carried by two INTERFACE targets that
# every in-tree target links PRIVATE. Nothing here is installed.

add_library(sb_options INTERFACE)
add_library(Switchboard::options ALIAS sb_options)
target_compile_features(sb_options INTERFACE cxx_std_20)

add_library(sb_warnings INTERFACE)
add_library(Switchboard::warnings ALIAS sb_warnings)
target_compile_options(sb_warnings INTERFACE
  $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough>
  # GCC 12 reports false positives inside libstdc++ at -O3 (GCC bugs
  # 105329, 105651); -Wnull-dereference is left out for the same reason.
  $<$<COMPILE_LANG_AND_ID:CXX,GNU>:-Wno-stringop-overflow -Wno-restrict -Wno-array-bounds>
  $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-Wall -Wextra -Wpedantic>
  $<$<BOOL:${SB_WARNINGS_AS_ERRORS}>:-Werror>)

if(SB_ENABLE_SANITIZERS)
  # -fno-sanitize-recover makes UBSan fail the process; without it a
  # sanitizer job passes on undefined behaviour (architecture.md).
  set(SB_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_compile_options(sb_options INTERFACE ${SB_SANITIZER_FLAGS})
  target_link_options(sb_options INTERFACE -fsanitize=address,undefined)
  # For the few tests that measure what the sanitizers change (RSS, spare
  # descriptors); GCC and clang say so by different macros.
  target_compile_definitions(sb_options INTERFACE SB_SANITIZED_BUILD=1)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # GCC links the sanitizer runtimes as shared libraries; clang links them
    # statically into executables only, which leaves a plugin (linked with
    # -z,defs) with undefined __asan_* symbols. The shared runtime, found
    # through an rpath, makes clang behave as GCC does.
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libclang_rt.asan-x86_64.so
      OUTPUT_VARIABLE sb_asan_runtime OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(sb_asan_runtime_dir "${sb_asan_runtime}" DIRECTORY)
    target_link_options(sb_options INTERFACE -shared-libasan "LINKER:-rpath,${sb_asan_runtime_dir}")
  endif()
endif()
