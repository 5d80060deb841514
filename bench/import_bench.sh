#!/usr/bin/env bash
# Import benchmark (docs/BENCHMARKS.md): a generated contacts CSV (realistic
# names, mixed phone formats, 1% bad rows) imported by `switchboard import`,
# beside sqlite3's bare `.import` of the same file into a bare table, timed
# in the same run.
#
#   bench/import_bench.sh [ROWS=1000000] [BUILD_DIR=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build/release}
if [ ! -x "$build/bin/switchboard" ] || [ ! -x "$build/bin/sb_gen_contacts" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release
fi
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)"; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
csv="$work/contacts.csv"
"$build/bin/sb_gen_contacts" "$rows" "$csv" 1
size=$(stat -c %s "$csv")

now() { date +%s.%N; }
start=$(now)
sqlite3 "$work/baseline.db" ".mode csv" ".import $csv contacts"
baseline=$(echo "$(now) - $start" | bc)

start=$(now)
stats=$(SWITCHBOARD_DATABASE_PATH="$work/switchboard.db" "$build/bin/switchboard" import "$csv" --list bench --stats |
  grep '^stats:')
ours=$(echo "$(now) - $start" | bc)
rss=$(echo "$stats" | sed -E 's/.*peak_rss_mib=([0-9]+).*/\1/')

printf 'rows=%s bytes=%s\n' "$rows" "$size"
printf 'sqlite3 .import (bare table):      %.2f s  (%.0f rows/s)\n' "$baseline" "$(echo "$rows / $baseline" | bc -l)"
printf 'switchboard import (validated):    %.2f s  (%.0f rows/s), peak RSS %s MiB\n' "$ours" \
  "$(echo "$rows / $ours" | bc -l)" "$rss"
printf 'ratio: %.2fx the bare import (target <= 3x); RSS target < 150 MiB\n' "$(echo "$ours / $baseline" | bc -l)"
