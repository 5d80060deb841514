#!/usr/bin/env bash
# The repository stands alone: no file of the product, its build or its tests
# may reach a path outside the source tree (a sibling folder that exists only
# on the developers' machines is never in a user's clone). Run by ctest
# (repo.stands_alone) and usable by hand; exit 1 names every offending line.
set -euo pipefail
cd "$(dirname "$0")/.."

self=scripts/check-standalone.sh
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard)
else
  mapfile -t files < <(find . -type f -not -path './build/*' -not -path '*/node_modules/*' -printf '%P\n')
fi

# Paths that climb out of the tree from a source-relative anchor.
pattern='(\.\./shared|SOURCE_DIR[})]*[^"]*"/\.\./|PROJECT_SOURCE_DIR}/\.\./|CMAKE_CURRENT_SOURCE_DIR}/\.\./\.\./\.\.)'
bad=0
for file in "${files[@]}"; do
  [ "$file" = "$self" ] && continue
  [ -f "$file" ] || continue
  case "$file" in
    web/vendor/* | tests/fixtures/specs/*.json) continue ;;  # third-party bytes
  esac
  if grep -nEH "$pattern" "$file" 2>/dev/null; then
    bad=1
  fi
done
if [ "$bad" -ne 0 ]; then
  echo "check-standalone: the lines above reach outside the repository; copy what they need into it" >&2
  exit 1
fi
echo "check-standalone: ${#files[@]} files, none reaches outside the repository"
