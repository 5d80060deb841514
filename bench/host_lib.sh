# Sourced by the benchmarks that run the host: builds it when missing, gives
# a work folder cleaned up on exit, and starts `switchboard serve` on a free
# port with the sim provider and the INI lines given on stdin.
#
#   source bench/host_lib.sh
#   bench_build "$build" sb_gen_contacts        # binaries beyond switchboard
#   bench_start_host "$build" <<INI             # sets port, host_pid, work
#   [ratelimit] ...
#   INI

work=$(mktemp -d)
host_pid=
bench_cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap bench_cleanup EXIT

bench_build() {
  local build=$1
  shift
  local binary
  for binary in switchboard "$@"; do
    if [ ! -x "$build/bin/$binary" ]; then
      cmake --preset release >/dev/null
      cmake --build --preset release
      return
    fi
  done
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts the host; the INI on stdin is appended to provider, port and database.
bench_start_host() {
  local build=$1
  port=$(bench_free_port)
  {
    printf 'provider = sim\n[http]\nport = %s\n' "$port"
    cat
    printf '\n[database]\npath = %s/bench.db\n' "$work"
  } >"$work/switchboard.ini"
  "$build/bin/switchboard" serve --config "$work/switchboard.ini" >"$work/stdout.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "the host did not become ready:" >&2
  cat "$work/stdout.log" >&2
  exit 1
}

bench_key() {
  "$1/bin/switchboard" keys create --config "$work/switchboard.ini" --name "$2" --role "$3" --quiet
}
