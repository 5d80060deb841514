#!/usr/bin/env bash
# clang-format (must be clean) and clang-tidy (warnings are errors) over our
# own sources. Needs a configured build for compile_commands.json.
#
#   scripts/lint.sh                # every source (about 25 min on 2 cores)
#   scripts/lint.sh --since REV    # the sources changed since REV (or the revision in a file: .ci/lint-base)
#
# clang-tidy costs 10-50 s per file here (clang-analyzer on Beast-heavy
# files), so CI lints what changed since the last commit at which the whole
# tree was linted clean, recorded in .ci/lint-base; move it forward after a
# full run passes.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=ci
since=
if [ "${1:-}" = "--since" ]; then
  since=${2:?"--since needs a revision"}
  if [ -f "$since" ]; then
    since=$(grep -v '^#' "$since" | head -1)
  fi
fi

mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')
clang-format --dry-run -Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"

pattern='^(core/src|host/src|plugins/[^/]+/src)/.*\.cpp$'
if [ -n "$since" ]; then
  mapfile -t sources < <(git diff --name-only --diff-filter=AMR "$since" HEAD | grep -E "$pattern" || true)
else
  mapfile -t sources < <(git ls-files | grep -E "$pattern")
fi
if [ "${#sources[@]}" -eq 0 ]; then
  echo "clang-tidy: no source changed since $since"
  exit 0
fi
echo "clang-tidy: ${#sources[@]} file(s)${since:+ changed since $since}"
# clang-tidy cannot read g++'s precompiled headers: a PCH-free tree of its own.
# (CI=true would demand the browser tests' packages, which linting does not need.)
env -u CI cmake --preset "$preset" -B build/lint -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON >/dev/null
regex=$(printf '%s|' "${sources[@]}")
run-clang-tidy -p build/lint -j 2 -quiet -extra-arg=-Wno-unknown-warning-option "${regex%|}"
echo "clang-tidy: ${#sources[@]} file(s) clean"
