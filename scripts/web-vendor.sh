#!/usr/bin/env bash
# Fetches the dialer page's third-party bundles from the npm registry
# (@twilio/voice-sdk, @telnyx/webrtc; playwright-core for the browser tests)
# into web/node_modules, pinned by web/package-lock.json. The build copies
# the bundles to share/switchboard/web/vendor, where the host serves them:
# the page never loads code from a CDN.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null; then
  echo "web-vendor: npm is not installed; the page will run the sim provider only" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
