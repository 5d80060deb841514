#!/usr/bin/env bash
# Soak under attack (docs/BENCHMARKS.md): 200 clients for 10 minutes against
# the host with the sim provider, an import of 100,000 rows running in a
# loop, beside keyless slow uploads, keyed trickles and idle connections.
# Fails when the host dies, a /health takes 100 ms or more, or its memory
# grows by more than 50 MiB after warm-up.
#
#   bench/soak_bench.sh [SECONDS=600] [CLIENTS=200] [BUILD_DIR=build/release] [grow|replace]
#
# `replace` deletes each imported list once the next is in, so the database
# keeps its size (memory growth is then not the growing database's).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
clients=${2:-200}
build=${3:-build/release}
lists=${4:-grow}
source bench/host_lib.sh
bench_build "$build" sb_gen_contacts
# Everything comes from 127.0.0.1 here, so the per-address connection cap
# is raised to hold the clients and the attackers together (behind a real
# network each attacker meets its own cap); the per-key rate limits are
# lifted for the one admin-board key that drives the agents.
bench_start_host "$build" <<INI
max_connections_per_client = 2000
max_uploads_per_client = 4
log_requests = false
[log]
level = warn
file = $work/host.log
[ratelimit]
default_per_minute = 100000000
coldcall.initiate = 100000000
coldcall.status = 100000000
coldcall.end = 100000000
INI
"$build/bin/sb_gen_contacts" 100000 "$work/contacts.csv" 1 >/dev/null
admin=$(bench_key "$build" board admin)
agent=$(bench_key "$build" rep agent)
status=0
python3 bench/soak_load.py "http://127.0.0.1:$port" "$admin" "$agent" "$host_pid" "$clients" "$seconds" \
  "$work/contacts.csv" "$lists" || status=1
echo "  host log: $(wc -l <"$work/host.log") lines; the most frequent, numbers folded:"
sed -E 's/^[^]]*\] //; s/[0-9]+/N/g' "$work/host.log" | sort | uniq -c | sort -rn | head -8 | sed 's/^/    /'
exit $status
