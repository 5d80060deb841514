#!/usr/bin/env bash
# clang-format (must be clean) and clang-tidy (warnings are errors) over our
# own sources. Needs a configured build for compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=ci

mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')
clang-format --dry-run -Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"

# clang-tidy cannot read g++'s precompiled headers: a PCH-free tree of its own.
cmake --preset "$preset" -B build/lint -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON >/dev/null
run-clang-tidy -p build/lint -j 2 -quiet -extra-arg=-Wno-unknown-warning-option 'core/src|host/src|plugins/.*/src'
