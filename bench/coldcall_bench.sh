#!/usr/bin/env bash
# Cold-call API benchmark (docs/BENCHMARKS.md): the admin board's initiate,
# status and end against the host with the sim provider, at the original
# load-test shapes (10, 50 and 100 concurrent users, 1-3 s between tasks).
#
#   bench/coldcall_bench.sh [SECONDS_PER_SHAPE=60] [BUILD_DIR=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${2:-build/release}
if [ ! -x "$build/bin/switchboard" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release
fi
work=$(mktemp -d)
host_pid=
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The per-key limits (initiate 10/min, ...) protect a human-driven board;
# the load test drives 100 agents through one key, so it lifts them.
cat > "$work/switchboard.ini" <<INI
provider = sim
[http]
port = $port
[database]
path = $work/bench.db
[log]
level = warn
[ratelimit]
coldcall.initiate = 1000000
coldcall.status = 1000000
coldcall.end = 1000000
INI
"$build/bin/switchboard" serve --config "$work/switchboard.ini" >"$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
key=$("$build/bin/switchboard" keys create --config "$work/switchboard.ini" --name load --role admin --quiet)
status=0
echo "cold-call API against the sim provider, $seconds s per shape"
for users in 10 50 100; do
  python3 bench/coldcall_load.py "http://127.0.0.1:$port" "$key" "$users" "$seconds" || status=1
done
exit $status
