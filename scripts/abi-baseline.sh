#!/usr/bin/env bash
# Writes sdk/abi/provider_abi-<major>.<minor>.abi, the abidw description of
# the provider ABI as the header defines it now (tests/abi/abi_surface.c
# built with debug info). Run it once when a minor version adds to the ABI,
# after bumping SB_ABI_MINOR, and commit the file; the tests abi.* then hold
# the header to it (and to the 1.0 baseline, which is never rewritten).
#
#   scripts/abi-baseline.sh           # the header of this tree
#   scripts/abi-baseline.sh 1.0 REV   # the header as it was at commit REV
set -euo pipefail
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
include="$root/sdk/include"
if [[ $# -ge 2 ]]; then
  git -C "$root" archive "$2" sdk/include | tar -x -C "$tmp"
  include="$tmp/sdk/include"
fi
header="$include/switchboard/abi/provider_abi.h"
major=$(sed -n 's/^#define SB_ABI_MAJOR \([0-9]*\)$/\1/p' "$header")
minor=$(sed -n 's/^#define SB_ABI_MINOR \([0-9]*\)$/\1/p' "$header")
version="${1:-$major.$minor}"
if [[ "$version" != "$major.$minor" ]]; then
  echo "the header says ABI $major.$minor, not $version" >&2
  exit 1
fi
command -v abidw >/dev/null || { echo "abidw is missing: apt-get install abigail-tools" >&2; exit 1; }
gcc -std=c99 -g -O0 -shared -fPIC -fvisibility=hidden -fdebug-prefix-map="$root"=. -fdebug-prefix-map="$tmp"=. -I"$include" \
  -o "$tmp/libsb_abi_surface.so" "$root/tests/abi/abi_surface.c"
mkdir -p "$root/sdk/abi"
abidw --no-corpus-path --no-show-locs --out-file "$root/sdk/abi/provider_abi-$version.abi" "$tmp/libsb_abi_surface.so"
echo "wrote sdk/abi/provider_abi-$version.abi"
