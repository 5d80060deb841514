#!/usr/bin/env bash
# A real cluster on one machine: a throwaway PostgreSQL server, two hosts
# (the simulated carrier) sharing it, and HAProxy in front of them. Prints
# the URL and an admin key; Ctrl-C stops everything and removes its files.
#
#   scripts/cluster.sh                       # builds (release), http://127.0.0.1:8080
#   SB_CLUSTER_PORT=9000 scripts/cluster.sh
#   scripts/cluster.sh --build-dir build/ci  # use that build's binaries, build nothing
#   scripts/cluster.sh --config my.ini       # the hosts' configuration (default: the sample)
#   scripts/cluster.sh --hosts 3             # how many hosts (default 2)
#
# Every SWITCHBOARD_* variable in the environment reaches both hosts (for
# example SWITCHBOARD_RATELIMIT_COLDCALL_INITIATE for a load test); the
# database, ports, public URL and the sim's secret are the script's.
# docs/SCALING.md says what the hosts share and how.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=""
config=$root/host/etc/switchboard.ini
hosts=2
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir)
      build=${2:?--build-dir needs a folder}
      shift 2
      ;;
    --hosts)
      hosts=${2:?--hosts needs a number}
      [[ "$hosts" =~ ^[1-9]$ ]] || { echo "cluster: --hosts takes 1 to 9" >&2; exit 2; }
      shift 2
      ;;
    --config)
      config=$(cd "$(dirname "${2:?--config needs a file}")" && pwd)/$(basename "$2")
      shift 2
      ;;
    *)
      echo "usage: $0 [--build-dir DIR] [--config FILE] [--hosts N]" >&2
      exit 2
      ;;
  esac
done

if [ -z "$build" ]; then
  scripts/install-deps.sh
  scripts/web-vendor.sh
  cmake --preset release >/dev/null
  cmake --build --preset release
  build=build/release
fi
build=$(cd "$build" && pwd)
bin=$build/bin/switchboard
[ -x "$bin" ] || { echo "cluster: no $bin; build first" >&2; exit 1; }
command -v haproxy >/dev/null || { echo "cluster: haproxy is missing (scripts/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/sb-cluster.XXXXXX)
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/scripts/pg-throwaway.sh" stop "$work/postgres" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "cluster: stopping"; exit 0' INT TERM

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# PostgreSQL, and a database of the cluster's own on it.
admin_url=$(scripts/pg-throwaway.sh start "$work/postgres" | tail -1)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
"$pg_bin/psql" -q -X -v ON_ERROR_STOP=1 "$admin_url" -c "CREATE DATABASE switchboard" >/dev/null
database_url=${admin_url%/postgres}/switchboard

port=${SB_CLUSTER_PORT:-8080}
public=http://127.0.0.1:$port
# One secret for the sim on both hosts: its webhooks go through HAProxy and
# may reach the other host.
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
host_env() {
  # $1: the host's name, $2: its port
  echo SWITCHBOARD_DATABASE_URL="$database_url" SWITCHBOARD_HTTP_PORT="$2" \
    SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_PUBLIC_BASE_URL="$public" \
    SWITCHBOARD_PROVIDER_SIM_SECRET="$secret" SWITCHBOARD_LOG_FILE="$work/$1.log"
}

# The schema once, then the hosts (each would migrate; one does it first).
env $(host_env a 0) "$bin" migrate --config "$config" >/dev/null
key=$(env $(host_env a 0) "$bin" keys create --config "$config" \
  --name "cluster-$(date +%Y%m%d-%H%M%S)" --role admin --quiet)

host_ports=()
names=(a b c d e f g h i)
for name in "${names[@]:0:$hosts}"; do
  host_port=$(free_port)
  host_ports+=("$host_port")
  env $(host_env "$name" "$host_port") "$bin" serve --config "$config" \
    >"$work/$name.out" 2>&1 &
  pids+=($!)
done

cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  # Event streams are long-lived; the hosts send heartbeats.
  timeout client 1h
  timeout server 1h
  timeout http-request 30s
frontend switchboard
  bind 127.0.0.1:$port
  default_backend hosts
backend hosts
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
CFG
for i in "${!host_ports[@]}"; do
  echo "  server ${names[$i]} 127.0.0.1:${host_ports[$i]} check inter 1s" >>"$work/haproxy.cfg"
done
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.out" 2>&1 &
pids+=($!)

# Ready when both hosts are, and HAProxy answers.
for attempt in $(seq 1 100); do
  ready=0
  for host_port in "${host_ports[@]}" "$port"; do
    if curl -fsS -o /dev/null "http://127.0.0.1:$host_port/ready" 2>/dev/null; then ready=$((ready + 1)); fi
  done
  [ "$ready" -eq $((hosts + 1)) ] && break
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "cluster: a process ended at start-up:" >&2
      tail -n 20 "$work"/*.out >&2
      exit 1
    fi
  done
  if [ "$attempt" -eq 100 ]; then
    echo "cluster: not ready after 20 s" >&2
    tail -n 20 "$work"/*.out >&2
    exit 1
  fi
  sleep 0.2
done

cat <<MSG

  A Switchboard cluster: ${hosts} host(s) on one PostgreSQL, HAProxy in front, the simulated carrier.
  URL:       ${public}      (the dialer page; any request may reach either host)
  API key:   ${key}      (admin; shown once, stored hashed; paste it on the page)
  Hosts:     $(printf 'http://127.0.0.1:%s  ' "${host_ports[@]}")(logs in $work)
  Database:  ${database_url}
  Stop:      Ctrl-C

MSG
# Until Ctrl-C, or until a process ends on its own (then everything stops).
wait -n "${pids[@]}" || true
echo "cluster: a process ended; stopping" >&2
exit 1
