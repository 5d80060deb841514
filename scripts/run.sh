#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the host with the
# simulated carrier on SQLite. Prints the URL and a fresh admin API key.
#
#   scripts/run.sh                # http://127.0.0.1:8080
#   SWITCHBOARD_HTTP_PORT=9000 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/web-vendor.sh
cmake --preset release >/dev/null
cmake --build --preset release

bin=build/release/bin/switchboard
config=host/etc/switchboard.ini
key=$("$bin" keys create --config "$config" --name "quickstart-$(date +%Y%m%d-%H%M%S)" --role admin --quiet)

port=${SWITCHBOARD_HTTP_PORT:-8080}
cat <<MSG

  Switchboard is starting with the simulated carrier (no provider account needed).
  URL:      http://127.0.0.1:${port}      (open it in a browser: the dialer page)
  API key:  ${key}      (admin; shown once, stored hashed; paste it on the page)
  Try:      curl -H "X-API-Key: ${key}" http://127.0.0.1:${port}/api/v1/provider
  Stop:     Ctrl-C

MSG
exec "$bin" serve --config "$config"
