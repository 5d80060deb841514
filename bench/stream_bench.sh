#!/usr/bin/env bash
# 1,000 open event streams while calls are placed and the API is measured
# (issue 14: the API keeps p99 < 50 ms). Release build; figures go to
# docs/BENCHMARKS.md.
#
#   bench/stream_bench.sh [STREAMS] [SECONDS] [CALLS_PER_SECOND]
set -euo pipefail
cd "$(dirname "$0")/.."
streams=${1:-1000}
seconds=${2:-30}
rate=${3:-5}
build=build/release
source bench/host_lib.sh
bench_build "$build" sb_bench_streams
ulimit -n "$(ulimit -Hn)"
bench_start_host "$build" <<INI
log_requests = false
max_connections_per_client = 4096
[sse]
max_clients = $((streams + 16))
max_clients_per_key = $((streams + 16))
batch_ms = ${SSE_BATCH_MS:-100}
[calls]
max_active = 100000
[ratelimit]
default_per_minute = 1000000
calls.create = 1000000
[log]
level = warn
INI
key=$(bench_key "$build" bench admin)
echo "host: $(git rev-parse --short HEAD), $streams streams, ${seconds} s, $rate calls/s"
"$build/bin/sb_bench_streams" "$port" "$key" 0 "$seconds" "$rate" | sed 's/^/  no streams:   /'
"$build/bin/sb_bench_streams" "$port" "$key" "$streams" "$seconds" "$rate" | sed "s/^/  $streams streams: /"
