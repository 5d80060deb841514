#!/usr/bin/env bash
# Import benchmark (docs/BENCHMARKS.md): a generated contacts CSV (realistic
# names, mixed phone formats, 1% bad rows) imported by `switchboard import`,
# beside sqlite3's bare `.import` of the same file into a bare table, timed
# in the same run. With DATABASE_URL (a PostgreSQL admin URL, e.g. from
# scripts/pg-throwaway.sh), both go to PostgreSQL instead: each round a new
# database, the baseline PostgreSQL's own COPY (psql's \copy) of the same
# file into a bare table of text columns.
#
#   bench/import_bench.sh [ROWS=1000000] [BUILD_DIR=build/release]   (RUNS=3 rounds)
#   DATABASE_URL=postgresql://... bench/import_bench.sh 100000 build/ci
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build/release}
if [ ! -x "$build/bin/switchboard" ] || [ ! -x "$build/bin/sb_gen_contacts" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release
fi
pg=${DATABASE_URL:-}
if [ -n "$pg" ]; then
  psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
  [ -x "$psql" ] || { echo "psql is needed (apt-get install postgresql-client)"; exit 2; }
  baseline_name="PostgreSQL COPY (bare table)"
else
  command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)"; exit 2; }
  baseline_name="sqlite3 .import (bare table)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
csv="$work/contacts.csv"
"$build/bin/sb_gen_contacts" "$rows" "$csv" 1
size=$(stat -c %s "$csv")

now() { date +%s.%N; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# The machine is noisy: RUNS (default 3) rounds, each timing the baseline and
# ours back to back on the same file; medians and ranges are reported.
runs=${RUNS:-3}
baselines=""
ours_all=""
rss=0
for round in $(seq "$runs"); do
  rm -f "$work"/baseline.db* "$work"/switchboard.db*
  if [ -n "$pg" ]; then
    for name in sb_bench_baseline sb_bench_import; do
      PGOPTIONS="-c client_min_messages=warning" "$psql" -q -X "$pg" -c "DROP DATABASE IF EXISTS $name" \
        -c "CREATE DATABASE $name" >/dev/null
    done
    columns=$(head -1 "$csv" | tr -d '\r' | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd, -)
    "$psql" -q -X "${pg%/*}/sb_bench_baseline" -c "CREATE TABLE contacts ($columns)" >/dev/null
    start=$(now)
    "$psql" -q -X "${pg%/*}/sb_bench_baseline" -c "\\copy contacts FROM '$csv' WITH (FORMAT csv, HEADER true)" >/dev/null
    baselines="$baselines $(echo "$(now) - $start" | bc)"
    target=(SWITCHBOARD_DATABASE_URL="${pg%/*}/sb_bench_import")
  else
    start=$(now)
    sqlite3 "$work/baseline.db" ".mode csv" ".import $csv contacts"
    baselines="$baselines $(echo "$(now) - $start" | bc)"
    target=(SWITCHBOARD_DATABASE_PATH="$work/switchboard.db")
  fi

  start=$(now)
  stats=$(env "${target[@]}" "$build/bin/switchboard" import "$csv" --list bench --stats |
    grep '^stats:')
  ours_all="$ours_all $(echo "$(now) - $start" | bc)"
  round_rss=$(echo "$stats" | sed -E 's/.*peak_rss_mib=([0-9]+).*/\1/')
  [ "$round_rss" -gt "$rss" ] && rss=$round_rss
done
baseline=$(echo "$baselines" | median)
ours=$(echo "$ours_all" | median)
range() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR]=$1} END {printf "%.2f-%.2f", v[1], v[NR]}'; }

printf 'rows=%s bytes=%s rounds=%s\n' "$rows" "$size" "$runs"
printf '%-34s median %.2f s (%s s)  (%.0f rows/s)\n' "$baseline_name:" "$baseline" "$(range "$baselines")" \
  "$(echo "$rows / $baseline" | bc -l)"
printf 'switchboard import (validated):    median %.2f s (%s s)  (%.0f rows/s), peak RSS %s MiB\n' "$ours" \
  "$(range "$ours_all")" "$(echo "$rows / $ours" | bc -l)" "$rss"
printf 'ratio of the medians: %.2fx the bare import (target <= 3x); RSS target < 150 MiB\n' \
  "$(echo "$ours / $baseline" | bc -l)"
