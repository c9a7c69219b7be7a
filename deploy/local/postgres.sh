#!/usr/bin/env bash
# Local PostgreSQL from Debian's packages, its cluster under $AFFBILL_STATE/postgres.
#   deploy/local/postgres.sh start|stop|status
# Idempotent: start reuses a server that already answers on the port; installs
# the Debian package when no PostgreSQL binaries are on the machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PGDATA="$AFFBILL_STATE/postgres/data"
PGLOG="$AFFBILL_STATE/postgres/postgres.log"
DB_USER=affbill DB_PASS=affbill DB_NAME=affbill

find_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [[ -n "$d" && -x "$d/initdb" ]] && { echo "$d"; return; }
  command -v initdb >/dev/null && dirname "$(readlink -f "$(command -v initdb)")"
}

install_pg() {
  log "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  local sudo=""; [[ $EUID -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq postgresql >&2
}

# as_pg CMD...: PostgreSQL refuses to run as root, so root runs it as 'postgres'.
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start() {
  local bin; bin="$(find_bin || true)"
  if [[ -n "$bin" ]] && "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    log "PostgreSQL already answers on 127.0.0.1:$PG_PORT (reused)"; return
  fi
  [[ -z "$bin" ]] && { install_pg; bin="$(find_bin)"; }
  mkdir -p "$AFFBILL_STATE/postgres"
  if [[ $EUID -eq 0 ]]; then
    chown postgres "$AFFBILL_STATE/postgres"
    # the 'postgres' user must be able to reach the state folder (mktemp -d makes 0700 folders)
    local d="$AFFBILL_STATE"
    while [[ "$d" != "/" ]]; do
      runuser -u postgres -- test -x "$d" || { log "making $d traversable for the postgres user"; chmod o+x "$d"; }
      d="$(dirname "$d")"
    done
  fi
  if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    log "creating the PostgreSQL cluster in $PGDATA"
    as_pg "$bin/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$AFFBILL_STATE/postgres'
max_connections = 200
shared_buffers = 256MB
synchronous_commit = on
fsync = on
max_wal_size = 2GB
CONF
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 start >/dev/null \
    || { tail -20 "$PGLOG" >&2; die "PostgreSQL did not start (log: $PGLOG)"; }
  local psql=("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAX)
  if [[ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]]; then
    "${psql[@]}" -c "create role $DB_USER login password '$DB_PASS' createdb"
  fi
  if [[ "$("${psql[@]}" -c "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]]; then
    "${psql[@]}" -c "create database $DB_NAME owner $DB_USER"
  fi
  log "PostgreSQL is up"
}

stop() {
  local bin; bin="$(find_bin || true)"
  if [[ -n "$bin" && -f "$PGDATA/postmaster.pid" ]]; then
    log "stopping PostgreSQL"
    as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
  fi
}

status() {
  local bin; bin="$(find_bin || true)"
  if [[ -n "$bin" ]] && "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    echo "postgres: up on 127.0.0.1:$PG_PORT"
  else echo "postgres: down"; return 1; fi
}

case "${1:-start}" in
  start) start ;; stop) stop ;; status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
