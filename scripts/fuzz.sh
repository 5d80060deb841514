#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time;
# fails (and prints the crashing input) when a target finds a bug.
#   scripts/fuzz.sh [SECONDS_PER_TARGET=30] [TARGET...]
# FUZZ_JOBS (default: the number of cores): targets fuzzed side by side, each
# on one core, so the run takes SECONDS x targets / FUZZ_JOBS.
# FUZZ_TIMEOUT (seconds, default 10): one input taking longer is a failure. A
# niced run on a busy machine wants more (60): the timeout is wall-clock, and
# an input starved of CPU (seen: 0.2 s of work taking over 10 s while a build
# ran on both cores) is reported as a hang.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
only=("$@")
timeout=${FUZZ_TIMEOUT:-10}
cmake -S tests/fuzz -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz

jobs=${FUZZ_JOBS:-$(nproc)}
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT

# One target: its report (and any crashing input) goes to $reports/TARGET;
# $reports/TARGET.clean only when it ran to the end and found nothing.
fuzz_one() {
  local target=$1 corpus=$2 work log
  work=$(mktemp -d)
  log=$(mktemp)
  cp -r "$corpus"/. "$work"/
  {
    echo "== fuzzing $target for ${seconds}s"
    if ! (cd "$work" && "$OLDPWD/build/fuzz/${target}_fuzz" -max_total_time="$seconds" -max_len=4096 \
        -timeout="$timeout" -print_final_stats=1 . >"$log" 2>&1); then
      tail -40 "$log"
      for crash in "$work"/crash-* "$work"/timeout-* "$work"/leak-*; do
        [ -f "$crash" ] && { echo "input ($crash):"; xxd "$crash" | head -20; }
      done
    else
      grep -E "^(Done|stat::number_of_executed_units)" "$log" || true
      touch "$reports/$target.clean"
    fi
  } >"$reports/$target" 2>&1
  rm -rf "$work" "$log"
}

targets=()
run() {
  local target=$1 corpus=$2
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $target "* ]]; then
    return 0
  fi
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  targets+=("$target")
  fuzz_one "$target" "$corpus" &
}

run csv_reader tests/fuzz/corpus/csv
run phone_normalizer tests/fuzz/corpus/phone
run json_bound tests/fuzz/corpus/json
run upload_form tests/fuzz/corpus/form
run web_path tests/fuzz/corpus/path
run utf8 tests/fuzz/corpus/utf8
run xlsx_reader tests/fuzz/corpus/xlsx
wait

failed=0
for target in "${targets[@]}"; do
  cat "$reports/$target"
  [ -f "$reports/$target.clean" ] || failed=1
done
exit $failed
