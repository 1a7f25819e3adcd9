#!/usr/bin/env bash
# Gives tests a throw-away PostgreSQL server (Debian's postgresql package) on 127.0.0.1.
#
#   scripts/test-postgres.sh start   start a server (or reuse the one an earlier start left
#                                    running) and print its JDBC URL, alone, on stdout:
#       jdbc:postgresql://127.0.0.1:PORT/archipelago?user=archipelago&password=archipelago
#   scripts/test-postgres.sh stop    stop it and delete its data directory (no error when
#                                    nothing runs)
#   scripts/test-postgres.sh url     print the URL of the running server; exit 1 if none
#   scripts/test-postgres.sh restart SECONDS
#                                    stop the running server (fast shutdown: clients lose their
#                                    connections), keep it down SECONDS, start it again on the
#                                    same port and data (what a journal sees when its database
#                                    restarts mid-search)
#
# Typical use:  URL=$(scripts/test-postgres.sh start) && ... ; scripts/test-postgres.sh stop
#
# The server binaries are looked up as pg_ctl/initdb on PATH, then /usr/lib/postgresql/*/bin
# (newest version first); when none are found, Debian's postgresql package is installed with
# apt-get (as root, or through sudo when there is one). The cluster lives in a fresh
# directory /tmp/archipelago-pg.XXXXXX, listens on 127.0.0.1 only (no Unix socket outside
# that directory), asks TCP clients for a password (scram-sha-256) and holds a database
# "archipelago" owned by the login role "archipelago" (password "archipelago"). PostgreSQL
# refuses to run as root: as root the server runs as the "postgres" system user (created
# when missing); as any other user it runs as that user.
#
# It is a test server: fsync, synchronous_commit and full_page_writes are off (the data
# directory is deleted by stop anyway). ARCHIPELAGO_PG_DURABLE=1 keeps PostgreSQL's defaults.
#
# Environment:
#   ARCHIPELAGO_PG_PORT     port to try first (default 55432); the next free one is taken
#                           when it is busy
#   ARCHIPELAGO_PG_STATE    state file (default /tmp/archipelago-pg.state)
#   ARCHIPELAGO_PG_BIN      directory holding initdb/pg_ctl/postgres (skips the search)
#   ARCHIPELAGO_PG_DURABLE  1: keep fsync/synchronous_commit/full_page_writes on
#
# Only the URL goes to stdout; everything else goes to stderr. Exit status 0 on success.
set -euo pipefail

PROG=test-postgres
STATE_FILE=${ARCHIPELAGO_PG_STATE:-/tmp/archipelago-pg.state}
FIRST_PORT=${ARCHIPELAGO_PG_PORT:-55432}
DB_NAME=archipelago
DB_USER=archipelago
DB_PASSWORD=archipelago
PG_SYSTEM_USER=postgres
MARKER=.archipelago-test-postgres   # written into every data root this script creates
PORT_TRIES=50

log() { echo "$PROG: $*" >&2; }
die() { echo "$PROG: error: $*" >&2; exit 1; }
# shellcheck disable=SC2154  # rc is assigned inside the trap
trap 'rc=$?; echo "$PROG: error: command failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

usage() {
  echo "usage: $0 start|stop|url|restart SECONDS" >&2
  exit 2
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for '$*' and sudo is not available"
  fi
}

# ---------------------------------------------------------------------------------------
# Server binaries
# ---------------------------------------------------------------------------------------

# A directory holding a usable initdb, pg_ctl and postgres (pg_ctl starts the postgres of
# its own directory, after resolving symlinks).
is_pg_bindir() {
  [ -n "$1" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]
}

find_pg_bindir() {
  local exe dir
  for exe in pg_ctl initdb; do
    if command -v "$exe" >/dev/null 2>&1; then
      dir=$(dirname "$(readlink -f "$(command -v "$exe")")")
      if is_pg_bindir "$dir"; then echo "$dir"; return 0; fi
    fi
  done
  # Debian layout: /usr/lib/postgresql/<major>/bin, newest major first
  while IFS= read -r dir; do
    if is_pg_bindir "$dir"; then echo "$dir"; return 0; fi
  done < <(for dir in /usr/lib/postgresql/*/bin; do [ -d "$dir" ] && echo "$dir"; done \
             | sort -t/ -k4,4 -V -r)
  return 1
}

install_postgresql() {
  command -v apt-get >/dev/null 2>&1 \
    || die "no PostgreSQL server binaries (initdb/pg_ctl) found and apt-get is not available;" \
           "install PostgreSQL or set ARCHIPELAGO_PG_BIN to its bin directory"
  log "no PostgreSQL server binaries found; installing Debian's postgresql package with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends postgresql >&2; then
    # the package lists may be stale or absent (fresh container): refresh once and retry
    log "apt-get install failed; running apt-get update and trying again ..."
    as_root apt-get update >&2 || die "apt-get update failed"
    as_root apt-get install -y --no-install-recommends postgresql >&2 \
      || die "apt-get install -y --no-install-recommends postgresql failed"
  fi
}

# ---------------------------------------------------------------------------------------
# Running commands as the server's owner
# ---------------------------------------------------------------------------------------

RUN_AS=""   # empty: run as ourselves; otherwise the user the server runs as

setup_run_as() {
  if [ "$(id -u)" -ne 0 ]; then
    RUN_AS=""
    return 0
  fi
  RUN_AS=$PG_SYSTEM_USER
  if ! id -u "$PG_SYSTEM_USER" >/dev/null 2>&1; then
    log "creating system user '$PG_SYSTEM_USER' (PostgreSQL refuses to run as root) ..."
    if command -v useradd >/dev/null 2>&1; then
      useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
        --shell /bin/sh "$PG_SYSTEM_USER" \
        || die "could not create system user '$PG_SYSTEM_USER' with useradd"
    elif command -v adduser >/dev/null 2>&1; then
      adduser --system --group --home /var/lib/postgresql --no-create-home \
        --shell /bin/sh "$PG_SYSTEM_USER" >&2 \
        || die "could not create system user '$PG_SYSTEM_USER' with adduser"
    else
      die "system user '$PG_SYSTEM_USER' is missing and neither useradd nor adduser exists"
    fi
  fi
}

# as_pg CMD ARGS... : run a command as the server's owner, in / (the owner may not be
# allowed to read the caller's working directory), without our lock descriptor 9 (a
# server started by pg_ctl would inherit it and hold the lock for its whole life).
as_pg() {
  if [ -z "$RUN_AS" ]; then
    (cd / && "$@") 9>&-
  elif command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u "$RUN_AS" -- "$@") 9>&-
  else
    local cmd
    cmd=$(printf '%q ' "$@")
    (cd / && su -s /bin/sh "$RUN_AS" -c "$cmd") 9>&-
  fi
}

# ---------------------------------------------------------------------------------------
# State file: KEY=VALUE lines (read, never sourced)
# ---------------------------------------------------------------------------------------

S_ROOT="" S_PORT="" S_BIN="" S_RUN_AS=""

read_state() {
  S_ROOT="" S_PORT="" S_BIN="" S_RUN_AS=""
  [ -f "$STATE_FILE" ] || return 1
  local key value
  while IFS='=' read -r key value; do
    case "$key" in
      ROOT) S_ROOT=$value ;;
      PORT) S_PORT=$value ;;
      BIN) S_BIN=$value ;;
      RUN_AS) S_RUN_AS=$value ;;
    esac
  done < "$STATE_FILE"
  if [ -z "$S_ROOT" ] || [ -z "$S_PORT" ] || [ -z "$S_BIN" ]; then
    log "ignoring malformed state file $STATE_FILE"
    return 1
  fi
  case "$S_PORT" in *[!0-9]*) log "ignoring malformed state file $STATE_FILE"; return 1 ;; esac
  return 0
}

write_state() {
  local tmp="$STATE_FILE.tmp.$$"
  {
    echo "ROOT=$1"
    echo "PORT=$2"
    echo "BIN=$3"
    echo "RUN_AS=$RUN_AS"
    echo "DATA=$1/data"
    echo "URL=$(jdbc_url "$2")"
  } > "$tmp"
  mv -f "$tmp" "$STATE_FILE"
}

jdbc_url() {
  echo "jdbc:postgresql://127.0.0.1:$1/$DB_NAME?user=$DB_USER&password=$DB_PASSWORD"
}

pg_isready_bin() {
  if [ -x "$1/pg_isready" ]; then
    echo "$1/pg_isready"
  elif command -v pg_isready >/dev/null 2>&1; then
    command -v pg_isready
  else
    return 1
  fi
}

# server_ready BIN PORT : does a PostgreSQL server accept connections on 127.0.0.1:PORT?
server_ready() {
  local isready
  isready=$(pg_isready_bin "$1") || die "pg_isready not found (looked in $1 and on PATH)"
  "$isready" -q -h 127.0.0.1 -p "$2" -t 5 >/dev/null 2>&1
}

# Is the postmaster of a data directory alive? (A killed postmaster that nobody has reaped
# yet is a zombie: pg_ctl would wait for it in vain.)
postmaster_alive() {
  local pid state
  [ -f "$1/postmaster.pid" ] || return 1
  pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) || return 1
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

# Stops the server of a data root (if it runs) and deletes the root, but only when it is
# one this script created (holds the marker file).
destroy_root() {
  local root=$1 bin=$2
  if [ ! -d "$root" ]; then
    return 0
  fi
  if [ ! -f "$root/$MARKER" ]; then
    log "not deleting $root: it was not created by this script (no $MARKER in it)"
    return 0
  fi
  if postmaster_alive "$root/data" && [ -x "$bin/pg_ctl" ]; then
    log "stopping PostgreSQL server in $root/data ..."
    if ! as_pg "$bin/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >&2; then
      log "fast shutdown failed; trying immediate shutdown"
      as_pg "$bin/pg_ctl" -D "$root/data" -m immediate -w -t 30 stop >&2 \
        || log "warning: could not stop the server in $root/data"
    fi
  fi
  rm -rf -- "$root"
}

# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------

port_busy() {
  # something accepts TCP connections on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1
}

cmd_start() {
  case "$FIRST_PORT" in
    ''|*[!0-9]*) die "ARCHIPELAGO_PG_PORT must be a port number, not '$FIRST_PORT'" ;;
  esac

  # Reuse the server of an earlier start when it still runs.
  if read_state; then
    if [ -d "$S_ROOT/data" ] && [ -x "$S_BIN/pg_ctl" ] && server_ready "$S_BIN" "$S_PORT"; then
      log "reusing the running server (data $S_ROOT/data, port $S_PORT)"
      jdbc_url "$S_PORT"
      return 0
    fi
    log "the server recorded in $STATE_FILE (port $S_PORT) does not run; cleaning it up"
    RUN_AS=$S_RUN_AS
    destroy_root "$S_ROOT" "$S_BIN"
    rm -f -- "$STATE_FILE"
  fi

  local bin
  if [ -n "${ARCHIPELAGO_PG_BIN:-}" ]; then
    is_pg_bindir "$ARCHIPELAGO_PG_BIN" \
      || die "ARCHIPELAGO_PG_BIN=$ARCHIPELAGO_PG_BIN holds no initdb, pg_ctl and postgres"
    bin=$ARCHIPELAGO_PG_BIN
  elif ! bin=$(find_pg_bindir); then
    install_postgresql
    hash -r
    bin=$(find_pg_bindir) \
      || die "installed the postgresql package but still found no initdb/pg_ctl/postgres" \
             "(looked on PATH and in /usr/lib/postgresql/*/bin)"
  fi
  log "using PostgreSQL server binaries in $bin ($("$bin/postgres" --version 2>/dev/null || echo 'version unknown'))"
  setup_run_as

  local root
  root=$(mktemp -d /tmp/archipelago-pg.XXXXXX) || die "could not create a temporary directory in /tmp"
  touch "$root/$MARKER"
  mkdir "$root/socket"
  if [ -n "$RUN_AS" ]; then
    chown -R "$RUN_AS:" "$root" || { rm -rf -- "$root"; die "could not chown $root to $RUN_AS"; }
  fi
  # from here on a failure deletes the half-made cluster
  trap 'destroy_root "'"$root"'" "'"$bin"'"' EXIT

  log "initdb $root/data ..."
  if ! as_pg "$bin/initdb" -D "$root/data" -U postgres --no-locale -E UTF8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$root/initdb.log" 2>&1; then
    cat "$root/initdb.log" >&2
    die "initdb failed (binaries in $bin, data directory $root/data)"
  fi

  {
    echo ""
    echo "# --- added by scripts/test-postgres.sh ---"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$root/socket'"
    echo "max_connections = 100"
    echo "password_encryption = 'scram-sha-256'"
    if [ "${ARCHIPELAGO_PG_DURABLE:-0}" != 1 ]; then
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } >> "$root/data/postgresql.conf"

  # Find a free port and start; retry with the next port when another process wins the race.
  local port=$FIRST_PORT tries=0 started=0
  while [ "$tries" -lt "$PORT_TRIES" ]; do
    tries=$((tries + 1))
    if [ "$port" -gt 65535 ]; then port=1024; fi
    if port_busy "$port"; then
      log "port $port is busy; trying $((port + 1))"
      port=$((port + 1))
      continue
    fi
    log "starting PostgreSQL on 127.0.0.1:$port ..."
    if as_pg "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
          -o "-p $port" start >&2; then
      started=1
      break
    fi
    if grep -qiE 'could not (bind|create listen)|address already in use' "$root/server.log" 2>/dev/null; then
      log "port $port was taken meanwhile; trying $((port + 1))"
      port=$((port + 1))
      continue
    fi
    tail -n 30 "$root/server.log" >&2 2>/dev/null || true
    die "pg_ctl start failed (data directory $root/data, log above from $root/server.log)"
  done
  [ "$started" = 1 ] || die "found no free port in $FIRST_PORT..$port"

  # Wait for it to accept TCP connections.
  local waited=0
  until server_ready "$bin" "$port"; do
    waited=$((waited + 1))
    if [ "$waited" -ge 60 ]; then
      tail -n 30 "$root/server.log" >&2 2>/dev/null || true
      die "server started but pg_isready -h 127.0.0.1 -p $port failed for 60 s"
    fi
    sleep 1
  done

  log "creating role '$DB_USER' and database '$DB_NAME' ..."
  if ! as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$root/socket" -p "$port" -U postgres \
        -d postgres \
        -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'" \
        -c "CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8'" >&2; then
    die "could not create role/database with psql (server log: $root/server.log)"
  fi

  write_state "$root" "$port" "$bin" || die "could not write state file $STATE_FILE"
  trap - EXIT
  log "PostgreSQL ready on 127.0.0.1:$port (data $root/data, log $root/server.log, state $STATE_FILE)"
  jdbc_url "$port"
}

cmd_stop() {
  if ! read_state; then
    log "no server recorded in $STATE_FILE; nothing to stop"
    rm -f -- "$STATE_FILE"
    return 0
  fi
  RUN_AS=$S_RUN_AS
  if [ -n "$RUN_AS" ] && [ "$(id -u)" -ne 0 ]; then
    die "the server runs as '$RUN_AS'; run stop as root"
  fi
  destroy_root "$S_ROOT" "$S_BIN"
  rm -f -- "$STATE_FILE"
  log "stopped the server on port $S_PORT and deleted $S_ROOT"
}

cmd_url() {
  if read_state && server_ready "$S_BIN" "$S_PORT"; then
    jdbc_url "$S_PORT"
  else
    log "no running server recorded in $STATE_FILE"
    exit 1
  fi
}

cmd_restart() {
  case "$1" in ''|*[!0-9]*) die "restart takes the seconds to stay down, not '$1'" ;; esac
  read_state || die "no server recorded in $STATE_FILE; start one first"
  RUN_AS=$S_RUN_AS
  as_pg "$S_BIN/pg_ctl" -D "$S_ROOT/data" -m fast -w -t 60 stop >&2 || die "pg_ctl stop failed"
  log "server on port $S_PORT stopped; starting it again in $1 s"
  sleep "$1"
  as_pg "$S_BIN/pg_ctl" -D "$S_ROOT/data" -l "$S_ROOT/server.log" -w -t 60 -o "-p $S_PORT" start >&2 \
    || die "pg_ctl start failed (log: $S_ROOT/server.log)"
  log "server on port $S_PORT is back"
}

if [ "${1:-}" = restart ]; then
  [ $# -eq 2 ] || usage
elif [ $# -ne 1 ]; then
  usage
fi

# One start/stop at a time (flock is in util-linux; without it, no locking).
if command -v flock >/dev/null 2>&1; then
  exec 9>>"$STATE_FILE.lock" || die "cannot open lock file $STATE_FILE.lock"
  flock -w 300 9 || die "timed out waiting for the lock $STATE_FILE.lock (another start/stop?)"
fi

case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  restart) cmd_restart "$2" ;;
  *) usage ;;
esac
