#!/usr/bin/env bash
# clang-format (must be clean) and clang-tidy (warnings are errors) over our
# own sources. Needs a configured build for compile_commands.json.
#
#   scripts/lint.sh                # every source (about 25 min on 2 cores)
#   scripts/lint.sh --since REV    # the sources changed since REV, and those including a changed header
#                                  # (REV may be a file holding it: .ci/lint-base)
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
  # What changed, and every source that includes a changed header directly (a
  # header's new warning shows in the files that include it).
  mapfile -t changed < <(git diff --name-only --diff-filter=AMR "$since" HEAD)
  mapfile -t sources < <(
    {
      printf '%s\n' "${changed[@]}" | grep -E "$pattern" || true
      for header in "${changed[@]}"; do
        case $header in
          core/* | host/* | plugins/* | sdk/include/*) ;;
          *) continue ;;
        esac
        [[ $header == *.h || $header == *.hpp ]] || continue
        git ls-files | grep -E "$pattern" | xargs grep -l -E "#include [<\"]([^\">]*/)?$(basename "$header")[\">]" || true
      done
    } | sort -u
  )
else
  mapfile -t sources < <(git ls-files | grep -E "$pattern")
fi
if [ "${#sources[@]}" -eq 0 ]; then
  echo "clang-tidy: no source changed since $since"
  exit 0
fi
echo "clang-tidy: ${#sources[@]} file(s)${since:+ changed since $since}"
# clang-tidy cannot read g++'s precompiled headers, and a unity build lists
# its batches, not our files, in compile_commands.json: a tree of its own
# without either. (CI=true would demand the browser tests' packages, which
# linting does not need.)
env -u CI cmake --preset "$preset" -B build/lint -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON -DCMAKE_UNITY_BUILD=OFF >/dev/null
if ! grep -q "\"file\": \"$(pwd)/${sources[0]}\"" build/lint/compile_commands.json; then
  echo "lint: ${sources[0]} is not in build/lint/compile_commands.json; clang-tidy would check nothing" >&2
  exit 1
fi
regex=$(printf '%s|' "${sources[@]}")
run-clang-tidy -p build/lint -j 2 -quiet -extra-arg=-Wno-unknown-warning-option "${regex%|}"
echo "clang-tidy: ${#sources[@]} file(s) clean"
