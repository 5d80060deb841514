#!/usr/bin/env bash
# Workbook import benchmark (docs/BENCHMARKS.md): the same generated contacts
# as a CSV and as an .xlsx (sb_csv_to_xlsx: every text a shared string, as
# Excel writes), each imported by `switchboard import` into SQLite, back to
# back in each round; medians, the ratio and peak RSS are reported.
#
#   bench/xlsx_bench.sh [ROWS=1000000] [BUILD_DIR=build/release]   (RUNS=3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build/release}
if [ ! -x "$build/bin/switchboard" ] || [ ! -x "$build/bin/sb_csv_to_xlsx" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/sb_gen_contacts" "$rows" "$work/contacts.csv" 1
"$build/bin/sb_csv_to_xlsx" "$work/contacts.csv" "$work/contacts.xlsx"

now() { date +%s.%N; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
runs=${RUNS:-3}
declare -A times rss
for round in $(seq "$runs"); do
  for format in csv xlsx; do
    rm -f "$work"/switchboard.db*
    start=$(now)
    stats=$(SWITCHBOARD_DATABASE_PATH="$work/switchboard.db" "$build/bin/switchboard" import \
      "$work/contacts.$format" --list bench --stats | grep '^stats:')
    times[$format]="${times[$format]:-} $(echo "$(now) - $start" | bc)"
    peak=$(echo "$stats" | sed -E 's/.*peak_rss_mib=([0-9]+).*/\1/')
    [ "$peak" -gt "${rss[$format]:-0}" ] && rss[$format]=$peak
  done
done
csv=$(echo "${times[csv]}" | median)
xlsx=$(echo "${times[xlsx]}" | median)
printf 'rows=%s csv=%s bytes xlsx=%s bytes rounds=%s\n' "$rows" "$(stat -c %s "$work/contacts.csv")" \
  "$(stat -c %s "$work/contacts.xlsx")" "$runs"
printf 'CSV  import: median %.2f s (%s), peak RSS %s MiB\n' "$csv" "${times[csv]}" "${rss[csv]}"
printf 'xlsx import: median %.2f s (%s), peak RSS %s MiB\n' "$xlsx" "${times[xlsx]}" "${rss[xlsx]}"
printf 'ratio of the medians: %.2fx the CSV import (target <= 2x); RSS target < 200 MiB\n' \
  "$(echo "$xlsx / $csv" | bc -l)"
