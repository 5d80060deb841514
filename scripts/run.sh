#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the host with the
# simulated carrier on SQLite. Prints the URL, an admin's email and a fresh
# password to sign in with on the page, and a fresh admin API key.
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
# A person to sign in as: created the first time, given a new password after.
email=admin@switchboard.local
if "$bin" users list --config "$config" --json | grep -q "\"$email\""; then
  made=$("$bin" users reset-password "$email" --config "$config" --generate-password)
else
  made=$("$bin" users create --config "$config" --email "$email" --name "Quick-start admin" --role admin \
    --generate-password)
fi
password=$(printf '%s\n' "$made" | sed -n 's/^Password: //p')

port=${SWITCHBOARD_HTTP_PORT:-8080}
cat <<MSG

  Switchboard is starting with the simulated carrier (no provider account needed).
  URL:      http://127.0.0.1:${port}      (open it in a browser: the dialer page)
  Sign in:  ${email} / ${password}      (an admin; add people with: switchboard users create)
  API key:  ${key}      (admin, for scripts; shown once, stored hashed)
  Try:      curl -H "X-API-Key: ${key}" http://127.0.0.1:${port}/api/v1/provider
  Stop:     Ctrl-C

MSG
exec "$bin" serve --config "$config"
