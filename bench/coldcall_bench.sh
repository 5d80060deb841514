#!/usr/bin/env bash
# Cold-call API benchmark (docs/BENCHMARKS.md): the admin board's initiate,
# status and end against the host with the sim provider, at the original
# load-test shapes (10, 50 and 100 concurrent users on one admin key, 1-3 s
# between tasks); see bench/coldcall_load.py for the two task shapes.
#
#   bench/coldcall_bench.sh [SECONDS_PER_SHAPE=60] [BUILD_DIR=build/release] [original|agents]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${2:-build/release}
shape=${3:-original}
source bench/host_lib.sh
bench_build "$build"
# The per-key limits (initiate 10/min, ...) protect a human-driven board;
# the load test drives 100 agents through one key, so it lifts them.
bench_start_host "$build" <<INI
[log]
level = warn
[ratelimit]
coldcall.initiate = 1000000
coldcall.status = 1000000
coldcall.end = 1000000
INI
key=$(bench_key "$build" load admin)
status=0
echo "cold-call API against the sim provider, $seconds s per shape, tasks: $shape"
for users in 10 50 100; do
  python3 bench/coldcall_load.py "http://127.0.0.1:$port" "$key" "$users" "$seconds" "$shape" || status=1
  # The next shape starts with no calls left over (abandoned after 15 s).
  sleep 20
done
exit $status
