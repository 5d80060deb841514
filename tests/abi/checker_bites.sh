#!/usr/bin/env bash
# The ABI checks must bite: each change the policy forbids, made to a scratch
# copy of the header, must fail both abi.baseline checks, and an appended
# member (what a minor may do) must pass "since 1.0" and fail "current".
#   checker_bites.sh <source dir> <abidiff> <C compiler> <ABI version> <scratch dir>
set -euo pipefail
src=$1 abidiff=$2 cc=$3 version=$4 scratch=$5
header="$src/sdk/include/switchboard/abi/provider_abi.h"
rm -rf "$scratch" && mkdir -p "$scratch/include/switchboard/abi"
copy="$scratch/include/switchboard/abi/provider_abi.h"
version_line='^  const char\* version; .*$'
grep -q "$version_line" "$header" || { echo "the header has no 'version' member line to edit" >&2; exit 1; }

check() { # baseline additions -> prints pass|fail
  "$cc" -std=c99 -g -O0 -shared -fPIC -fvisibility=hidden -I"$scratch/include" \
    -o "$scratch/lib.so" "$src/tests/abi/abi_surface.c"
  if cmake -DABIDIFF="$abidiff" -DBASELINE="$src/sdk/abi/provider_abi-$1.abi" -DLIBRARY="$scratch/lib.so" \
       -DALLOW_ADDITIONS="$2" -P "$src/tests/abi/AbiDiff.cmake" >"$scratch/report" 2>&1; then
    echo pass
  else
    echo fail
  fi
}
expect() { # name since_1_0 current
  local since current
  since=$(check 1.0 ON)
  current=$(check "$version" OFF)
  if [[ "$since" != "$2" || "$current" != "$3" ]]; then
    echo "FAIL: $1: since 1.0 $since (expected $2), current $current (expected $3)" >&2
    cat "$scratch/report" >&2
    exit 1
  fi
  echo "ok: $1: since 1.0 $since, current $current"
}

cp "$header" "$copy"; expect "the header as it is" pass pass
sed "s/$version_line/  uint64_t version;/" "$header" >"$copy"; expect "a member retyped" fail fail
sed "/$version_line/d" "$header" >"$copy"; expect "a member deleted" fail fail
sed "s/$version_line/  const char* plugin_version;/" "$header" >"$copy"; expect "a member renamed" fail fail
sed "/$version_line/{h;d}; /^  const char\* capabilities_json;/{p;x}" "$header" >"$copy"
expect "a member moved" fail fail
sed "s/^} sb_provider_api;/  const char* homepage;\n} sb_provider_api;/" "$header" >"$copy"
expect "a member appended" pass fail
