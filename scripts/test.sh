#!/usr/bin/env bash
# Builds and runs every test: unit, ABI, loader, conformance (sim, Twilio
# against its fake, the out-of-tree example built with g++ and with clang +
# libc++), HTTP spine, CLI, and the dialer page in Chromium. The suite runs
# on SQLite and again on PostgreSQL (a throwaway server that ctest starts and
# stops: scripts/pg-throwaway.sh); `ctest -L sqlite` or `-L postgresql` runs one.
#
#   scripts/test.sh           # the ci preset
#   scripts/test.sh --asan    # the same suite under ASan + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."

preset=ci
if [ "${1:-}" = "--asan" ]; then
  preset=asan
fi

scripts/install-deps.sh
scripts/web-vendor.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
