#!/usr/bin/env bash
# Installs the Debian 12 packages Switchboard builds and tests with, if any
# is missing. Safe to run again: it does nothing when all are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libc++-14-dev libc++abi-14-dev libclang-rt-14-dev clang-format clang-tidy
  libpoco-dev libboost-dev nlohmann-json3-dev libspdlog-dev libfmt-dev catch2
  libphonenumber-dev libsqlite3-dev sqlite3 libssl-dev libtcmalloc-minimal4
  libpq-dev postgresql haproxy libsodium-dev
  curl ca-certificates bc wrk abigail-tools
  chromium
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Node.js may come from elsewhere (nodesource bundles npm): only when there
# is no npm at all do Debian's packages come in.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
