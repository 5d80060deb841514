#!/usr/bin/env bash
# Outbound requests with kept-alive connections against a new connection per
# request (issue 14), through the host's HttpClient to a local HTTPS server
# with a certificate made for the run. Release build; figures go to
# docs/BENCHMARKS.md ("Outbound requests").
#
#   bench/outbound_bench.sh [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-2000}
build=${BUILD:-build/release}  # BUILD=build/ci uses the ci preset (-O2)
source bench/host_lib.sh
bench_build "$build" sb_bench_outbound
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
"$build/bin/sb_bench_outbound" "$work/key.pem" "$work/cert.pem" "$requests"
