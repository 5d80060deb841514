#!/usr/bin/env bash
# A throwaway PostgreSQL server in a folder of its own, on 127.0.0.1 and a
# free port, for the tests and scripts/cluster.sh. Nothing outside the
# folder is touched; removing the folder removes the server.
#
#   scripts/pg-throwaway.sh start DIR [--fast]   initdb (if needed) and start;
#                                               prints the admin URL, also
#                                               written to DIR/url
#   scripts/pg-throwaway.sh stop DIR            stop it
#
# --fast turns off fsync and synchronous commit: for tests, whose data is
# thrown away (never for data that matters).
# As root (CI), the server runs as the `postgres` user, which Debian's
# postgresql package creates: PostgreSQL refuses to run as root.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR [--fast]" >&2
  exit 2
fi
fast=false
[ "${3:-}" = "--fast" ] && fast=true

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "pg-throwaway: no PostgreSQL server found under /usr/lib/postgresql (install Debian's postgresql:" \
    "scripts/install-deps.sh)" >&2
  exit 1
fi

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# As root the server's files live in a folder of their own under /tmp, owned
# by `postgres`: DIR may sit under a folder only root can enter (mktemp -d
# makes them 0700). DIR/home says where they are.
home_of() {
  if [ -f "$1/home" ]; then cat "$1/home"; else echo "$1/server"; fi
}

stop_server() {
  local home
  home=$(home_of "$1")
  if [ -f "$home/data/postmaster.pid" ]; then
    as_server "$bindir/pg_ctl" -D "$home/data" -m "$2" -w stop >/dev/null 2>&1 || true
  fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # A server left running by an interrupted run: stop it first.
    stop_server "$dir" immediate
    old=$(home_of "$dir")
    [ "$old" != "$dir/server" ] && rm -rf "$old"
    rm -rf "$dir/server" "$dir/home" "$dir/url"
    if [ "$(id -u)" -eq 0 ]; then
      home=$(mktemp -d /tmp/sb-postgres.XXXXXX)
      chown postgres: "$home"
      echo "$home" >"$dir/home"
    else
      home="$dir/server"
      mkdir -p "$home"
    fi
    as_server "$bindir/initdb" -D "$home/data" -U switchboard -A trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    # A free port: a random one that nothing answers on; should another
    # process take it first, the start fails and the next one is tried.
    started=false
    for attempt in 1 2 3 4 5 6 7 8; do
      port=$((20000 + RANDOM % 40000))
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        continue
      fi
      options="-h 127.0.0.1 -p $port -k $home -c max_connections=300 -c shared_buffers=128MB"
      if $fast; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      fi
      if as_server "$bindir/pg_ctl" -D "$home/data" -o "$options" -l "$home/server.log" -w -t 60 start >/dev/null; then
        started=true
        break
      fi
    done
    if ! $started; then
      cat "$home/server.log" >&2
      exit 1
    fi
    url="postgresql://switchboard@127.0.0.1:$port/postgres"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    stop_server "$dir" fast
    home=$(home_of "$dir")
    # The server's files go with it (the tests' databases are throwaway).
    [ "$home" != "$dir/server" ] && rm -rf "$home" "$dir/home"
    rm -f "$dir/url"
    ;;
  *)
    echo "usage: $0 start|stop DIR [--fast]" >&2
    exit 2
    ;;
esac
