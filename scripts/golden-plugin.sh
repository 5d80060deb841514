#!/usr/bin/env bash
# Re-creates tests/golden/echo-abi-1.0/: the echo example provider exactly as
# it was when the ABI was 1.0, built against that commit's SDK with its own
# sb_add_provider_plugin(), Release, stripped. The binary is committed and
# never rebuilt by CI: every later host must load it unchanged and pass the
# conformance suite with it (tests/CMakeLists.txt, conformance.golden_abi_1_0).
# Run this only to re-create it (a new golden for a new major, say).
#
#   scripts/golden-plugin.sh
set -euo pipefail
rev=7f8280287012f3c42ff0ec720e830021ffc4fd28 # the last commit of ABI 1.0
root=$(git rev-parse --show-toplevel)
out="$root/tests/golden/echo-abi-1.0"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git -C "$root" archive "$rev" sdk | tar -x -C "$tmp"
cat > "$tmp/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(golden_echo LANGUAGES C CXX)
find_package(nlohmann_json 3.11 REQUIRED)
include(GNUInstallDirs)
add_subdirectory(sdk)
add_subdirectory(sdk/examples/echo_provider)
CMAKE
cmake -S "$tmp" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ >/dev/null
cmake --build "$tmp/build" >/dev/null
built="$tmp/build/lib/switchboard/plugins/echo"
mkdir -p "$out/echo" "$out/source"
strip --strip-unneeded -o "$out/echo/libsb_echo.so" "$built/libsb_echo.so"
cp "$built/plugin.json" "$out/echo/plugin.json"
chmod 644 "$out/echo/libsb_echo.so" "$out/echo/plugin.json"
git -C "$root" show "$rev:sdk/examples/echo_provider/src/EchoProvider.cpp" > "$out/source/EchoProvider.cpp"
git -C "$root" show "$rev:sdk/examples/echo_provider/CMakeLists.txt" > "$out/source/CMakeLists.txt"
git -C "$root" show "$rev:sdk/examples/echo_provider/config.json" > "$out/source/config.json"
(cd "$out" && sha256sum echo/libsb_echo.so echo/plugin.json > SHA256SUMS)
echo "golden plugin written to $out (g++ $(g++ -dumpfullversion), from $rev)"
