#!/usr/bin/env bash
# One host against two (docs/BENCHMARKS.md): scripts/cluster.sh with --hosts 1
# and --hosts 2 (a throwaway PostgreSQL, the sim, HAProxy in front either way),
# the admin board's load (bench/coldcall_load.py) through HAProxy. Everything
# shares this machine's cores: the figures say what a second host costs and
# gives here, not what a second machine would.
#
#   bench/cluster_bench.sh [SECONDS=60] [USERS=100] [BUILD_DIR=build/release] [original|agents]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
users=${2:-100}
build=${3:-build/release}
shape=${4:-original}
work=$(mktemp -d)
cluster_pid=
cleanup() {
  [ -n "$cluster_pid" ] && kill -TERM "$cluster_pid" 2>/dev/null && wait "$cluster_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# The per-key limits protect a human-driven board; the load drives every
# user through one key.
cat >"$work/bench.ini" <<INI
[ratelimit]
coldcall.initiate = 1000000
coldcall.status = 1000000
coldcall.end = 1000000
[http]
log_requests = false
[log]
level = warn
INI
status=0
for hosts in 1 2; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  SB_CLUSTER_PORT=$port scripts/cluster.sh --build-dir "$build" --config "$work/bench.ini" --hosts "$hosts" \
    >"$work/cluster.out" 2>&1 &
  cluster_pid=$!
  for _ in $(seq 600); do grep -q "Stop:" "$work/cluster.out" && break; sleep 0.1; done
  key=$(sed -n 's/.*API key: *\([^ ]*\).*/\1/p' "$work/cluster.out")
  [ -n "$key" ] || { cat "$work/cluster.out" >&2; exit 1; }
  echo "== $hosts host(s) behind HAProxy, $users users, $seconds s, tasks: $shape"
  python3 bench/coldcall_load.py "http://127.0.0.1:$port" "$key" "$users" "$seconds" "$shape" || status=1
  kill -TERM "$cluster_pid"
  wait "$cluster_pid" || true
  cluster_pid=
done
exit $status
