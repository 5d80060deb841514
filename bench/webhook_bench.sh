#!/usr/bin/env bash
# Webhook ingestion benchmark (docs/BENCHMARKS.md): signed sim events posted
# by wrk to the host, each verified, stored durably (answered after its
# batch commits) and applied to its call, beside a minimal Poco server that
# only answers (the machine's HTTP ceiling), measured in the same run; then
# the host's own /health, for its HTTP cost without the write.
#
#   bench/webhook_bench.sh [SECONDS=10] [CONNECTIONS=64] [BUILD_DIR=build/release]
#
# EXTRA_INI='[calls]<newline>journal_linger_us = 0' appends to the host's
# config, to compare settings in one session. DATABASE_URL=postgresql://...
# runs the host on that (empty) PostgreSQL database instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
build=${3:-build/release}
threads=2
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
if [ ! -x "$build/bin/switchboard" ] || [ ! -x "$build/bin/sb_bench_hello" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU ticks of the host's thread named $2 (comm), e.g. sb-journal.
thread_ticks() {
  for task in /proc/"$1"/task/*; do
    if [ "$(cat "$task/comm")" = "$2" ]; then awk '{print $14 + $15}' "$task/stat"; return; fi
  done
  echo 0
}
wait_for() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# The wrk report's figures: req/s, p50, p99 (ms), non-2xx+socket errors, requests.
summarize() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
errors = 0
m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors += int(m.group(1)) if m else 0
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors += sum(int(x) for x in m.groups()) if m else 0
print(f"{rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f} {errors} {requests}")
PY
}

# 1. The ceiling.
hello_port=$(free_port)
"$build/bin/sb_bench_hello" "$hello_port" >/dev/null &
pids+=($!)
hello_pid=$!
sleep 0.3
echo '{"event_key":"x"}' > "$work/hello.body"
cat > "$work/hello.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("$work/hello.body"):read("*a")
LUA
before=$(cpu_ticks "$hello_pid")
wrk -t$threads -c"$connections" -d"${seconds}s" --latency -s "$work/hello.lua" "http://127.0.0.1:$hello_port/" >"$work/hello.txt"
hello_cpu=$(( $(cpu_ticks "$hello_pid") - before ))
read -r hello_rps hello_p50 hello_p99 hello_errors hello_requests < <(summarize "$work/hello.txt")

# 2. The host with the sim provider.
port=$(free_port)
secret=bench-secret-$(date +%s)
cat > "$work/switchboard.ini" <<INI
provider = sim
public_base_url = http://127.0.0.1:$port
[http]
port = $port
# as the hello server
max_threads = 64
[database]
path = $work/bench.db
url = ${DATABASE_URL:-}
[log]
level = warn
[provider.sim]
secret = $secret
[ratelimit]
coldcall.initiate = 1000000
${EXTRA_INI:-}
INI
LD_PRELOAD="${HOST_PRELOAD:-}" "$build/bin/switchboard" serve --config "$work/switchboard.ini" >"$work/host.log" 2>&1 &
pids+=($!)
host_pid=$!
wait_for "http://127.0.0.1:$port/ready" || { cat "$work/host.log"; exit 1; }
key=$("$build/bin/switchboard" keys create --config "$work/switchboard.ini" --name bench --role admin --quiet)
events=$(( seconds * 40000 ))
python3 bench/webhook_events.py "http://127.0.0.1:$port" "$key" "$secret" 200 "$events" "$work/events.tsv"
sleep 2  # let the sim's own call events settle
metric() { curl -fs "http://127.0.0.1:$port/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
stored_before=$(metric switchboard_call_events_total)
dup_before=$(metric switchboard_call_events_duplicate_total)
before=$(cpu_ticks "$host_pid")
journal_before=$(thread_ticks "$host_pid" sb-journal)
if [ -n "${STRACE:-}" ]; then  # STRACE=1: which system calls the host makes (slows it down)
  timeout "$seconds" strace -c -f -p "$host_pid" -o "$work/strace.txt" >/dev/null 2>&1 &
  strace_pid=$!
fi
if [ -n "${SWITCHES:-}" ]; then  # SWITCHES=1: count the host's context switches during the run
  perf stat -e context-switches,cpu-migrations -p "$host_pid" -o "$work/switches.txt" -- sleep "$seconds" &
  stat_pid=$!
fi
if [ -n "${PROFILE:-}" ]; then  # PROFILE=file.txt: where the host's CPU goes (perf, software clock)
  perf record -e cpu-clock -F 1999 -g -p "$host_pid" -o "$work/perf.data" -- sleep "$seconds" >/dev/null 2>&1 &
  perf_pid=$!
fi
EVENTS_FILE="$work/events.tsv" WRK_THREADS=$threads wrk -t$threads -c"$connections" -d"${seconds}s" --latency \
  -s bench/webhook.lua "http://127.0.0.1:$port/" >"$work/host.txt"
host_cpu=$(( $(cpu_ticks "$host_pid") - before ))
journal_cpu=$(( $(thread_ticks "$host_pid" sb-journal) - journal_before ))
if [ -n "${STRACE:-}" ]; then
  wait "$strace_pid" || true
  head -25 "$work/strace.txt"
fi
if [ -n "${SWITCHES:-}" ]; then
  wait "$stat_pid" || true
  grep -E "context-switches|migrations" "$work/switches.txt"
fi
if [ -n "${PROFILE:-}" ]; then
  wait "$perf_pid" || true
  cp "$work/perf.data" "$PROFILE.data"
  perf report -i "$work/perf.data" --no-children --percent-limit 0.7 --stdio -g none >"$PROFILE" 2>/dev/null || true
  perf report -i "$work/perf.data" --no-children --sort dso --stdio -g none >>"$PROFILE" 2>/dev/null || true
  echo "== inclusive (needs a frame-pointer build for useful stacks)" >>"$PROFILE"
  perf report -i "$work/perf.data" --children --percent-limit 2 --stdio -g none --sort symbol 2>/dev/null | cut -c1-160 >>"$PROFILE" || true
  echo "== user space" >>"$PROFILE"
  perf report -i "$work/perf.data" --no-children --dsos switchboard,libc.so.6,libsqlite3.so.0.8.6,libstdc++.so.6.0.30,libPocoNet.so.80,libsb_sim.so,libcrypto.so.3,libPocoFoundation.so.80 --percent-limit 0.25 --stdio -g none >>"$PROFILE" 2>/dev/null || true
  echo "== the journal thread" >>"$PROFILE"
  perf report -i "$work/perf.data" --no-children --comm sb-journal --percent-limit 0.5 --stdio -g none >>"$PROFILE" 2>/dev/null || true
  perf report -i "$work/perf.data" --children --percent-limit 3 --stdio -g none --sort symbol >>"$PROFILE" 2>/dev/null || true
fi
read -r host_rps host_p50 host_p99 host_errors host_requests < <(summarize "$work/host.txt")
# 3. The host's own HTTP cost, for reference: GET /health on the same server
# (routed, answered by a worker, nothing stored). HEALTH=0 skips it.
if [ "${HEALTH:-1}" != 0 ]; then
  before=$(cpu_ticks "$host_pid")
  wrk -t$threads -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/health" >"$work/health.txt"
  health_cpu=$(( $(cpu_ticks "$host_pid") - before ))
  read -r health_rps health_p50 health_p99 health_errors health_requests < <(summarize "$work/health.txt")
fi
stored=$(( $(metric switchboard_call_events_total) - stored_before ))
redelivered=$(( $(metric switchboard_call_events_duplicate_total) - dup_before ))
rejected=$(grep -c "rejected sim webhook" "$work/host.log" || true)
batches=$(curl -fs "http://127.0.0.1:$port/metrics" | awk -v d="$seconds" '$1 == "switchboard_journal_batch_jobs_count" {c=$2} $1 == "switchboard_journal_batch_jobs_sum" {s=$2} $1 == "switchboard_journal_commit_seconds_sum" {t=$2} END {printf "%d batches, %.1f writes each, writer busy %.0f%% of the run", c, s / c, 100 * t / d}')

if [ -n "${METRICS_OUT:-}" ]; then  # METRICS_OUT=file: the host's /metrics after the run
  curl -fs "http://127.0.0.1:$port/metrics" >"$METRICS_OUT"
fi

hz=$(getconf CLK_TCK)
printf 'webhook ingestion, %s s, %s connections, %s wrk threads\n' "$seconds" "$connections" "$threads"
printf '  hello ceiling : %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %s  server CPU %.1f us/req\n' \
  "$hello_rps" "$hello_p50" "$hello_p99" "$hello_errors" "$(echo "$hello_cpu * 1000000 / $hz / $hello_requests" | bc -l)"
printf '  switchboard   : %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %s  server CPU %.1f us/req\n' \
  "$host_rps" "$host_p50" "$host_p99" "$host_errors" "$(echo "$host_cpu * 1000000 / $hz / $host_requests" | bc -l)"
if [ "${HEALTH:-1}" != 0 ]; then
  printf '  (host /health: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %s  server CPU %.1f us/req: its HTTP alone)\n' \
    "$health_rps" "$health_p50" "$health_p99" "$health_errors" "$(echo "$health_cpu * 1000000 / $hz / $health_requests" | bc -l)"
fi
printf '  events: %s requests, %s stored as new, %s redeliveries (event file wrapped), %s signatures rejected\n' \
  "$host_requests" "$stored" "$redelivered" "$rejected"
printf '  journal: %s, writer CPU %.1f us/event\n' "$batches" "$(echo "$journal_cpu * 1000000 / $hz / $stored" | bc -l)"
printf '  ratio: %.2fx the ceiling (target >= 0.40), p99 target < 20 ms, zero errors\n' \
  "$(echo "$host_rps / $hello_rps" | bc -l)"
