#!/usr/bin/env bash
# Issue 16, item 3: while a client trickles a 50 MB upload over 30 s, calls
# (the cold-call API, agents shape) and the sim carrier's webhooks keep their
# latency. Runs the same load alone, then beside the trickled upload, and
# prints both; webhook latency comes from the host's own histogram.
#
#   bench/upload_stall_bench.sh [USERS] [SECONDS] [MEGABYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-20}
seconds=${2:-30}
megabytes=${3:-50}
build=${BUILD:-build/release}  # BUILD=build/ci uses the ci preset (-O2)
source bench/host_lib.sh
bench_build "$build" sb_gen_contacts
bench_start_host "$build" <<INI
[ratelimit]
coldcall.initiate = 1000000
coldcall.status = 1000000
coldcall.end = 1000000
[log]
level = warn
INI
key=$(bench_key "$build" bench admin)
base="http://127.0.0.1:$port"
"$build/bin/sb_gen_contacts" $((megabytes * 1000000 / 89)) "$work/upload.csv" >/dev/null

webhooks() {
  curl -fs "$base/metrics" >"$work/metrics.$1"
}
report_webhooks() {
  python3 - "$work/metrics.$1" "$work/metrics.$2" <<'PY'
import sys
sys.path.insert(0, "bench")
from benchlib import histogram_buckets, histogram_quantile
name, labels = "switchboard_http_request_duration_seconds", {"route": "webhooks.post"}
before = histogram_buckets(open(sys.argv[1]).read(), name, labels)
after = histogram_buckets(open(sys.argv[2]).read(), name, labels)
p50, n = histogram_quantile(before, after, 0.50)
p99, _ = histogram_quantile(before, after, 0.99)
print(f"    webhooks n={n:5d}  p50 <= {p50 * 1000:g} ms  p99 <= {p99 * 1000:g} ms (histogram bucket bounds)")
PY
}

echo "== the load alone ($users users, $seconds s)"
webhooks a
python3 bench/coldcall_load.py "$base" "$key" "$users" "$seconds" agents || true
webhooks b
report_webhooks a b

echo "== the same load beside a $megabytes MB upload trickled over $seconds s"
python3 bench/trickle_upload.py "$base" "$key" "$work/upload.csv" "$seconds" &
trickle=$!
python3 bench/coldcall_load.py "$base" "$key" "$users" "$seconds" agents || true
webhooks c
report_webhooks b c
wait "$trickle"
