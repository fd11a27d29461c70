#!/usr/bin/env bash
# Runs a PostgreSQL cluster of its own (Debian's binaries, /usr/lib/postgresql/<newest>/bin) for the
# local stack: the gateway's only database.
#
#   postgres.sh start <port> <state-dir>
#   postgres.sh stop <state-dir>
#   postgres.sh status <state-dir>
#
# The first start initialises the cluster (initdb) and creates role and database `photobridge`;
# later starts reuse it, so the data survives restarts. <state-dir> holds:
#   data/                    the cluster (PGDATA); settings in data/photobridge.conf, rewritten each start
#   run/                     the unix socket (only for the OS user running PostgreSQL: peer authentication)
#   photobridge-password     password of role photobridge (generated once, 0600)
#   postgres.log
# PostgreSQL listens on 127.0.0.1:<port> only; TCP logins need the password (scram-sha-256) and
# reach only database photobridge as role photobridge. Fsync stays on. Stop is a fast shutdown
# (clients are disconnected, everything committed is kept).
#
# PB_POSTGRES_LOG_STATEMENTS=1 at start: every statement is logged to postgres.log (log_statement =
# all), for counting them (bench/delivery.sh --count-statements). Bind parameters are left out
# (log_parameter_max_length = 0), but a statement's text is logged whole: for made-up data only.
#
# initdb and postgres refuse to run as root: as root, the cluster runs as the `postgres` OS user
# (from Debian package postgresql) and <state-dir> belongs to it; as anyone else, as that user.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
PB_LOG_TAG=postgres

database=photobridge
role=photobridge
start_timeout=${POSTGRES_START_TIMEOUT:-120}

usage() {
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# The newest PostgreSQL Debian installed (several major versions may sit side by side).
find_bindir() {
  local d best="" best_v=0 v
  shopt -s nullglob
  for d in /usr/lib/postgresql/*/bin; do
    v=${d#/usr/lib/postgresql/}
    v=${v%/bin}
    [[ $v =~ ^[0-9]+$ && -x $d/initdb && -x $d/pg_ctl ]] || continue
    ((v > best_v)) && { best=$d; best_v=$v; }
  done
  shopt -u nullglob
  [[ -n $best ]] && echo "$best"
}

ensure_binaries() {
  bindir=$(find_bindir) || true
  if [[ -z $bindir ]]; then
    "$PB_ROOT/deploy/setup/apt-install.sh" postgresql
    bindir=$(find_bindir) || pb_die "no PostgreSQL under /usr/lib/postgresql/*/bin after installing Debian package postgresql"
  fi
}

# Who runs the cluster: `postgres` when we are root, else ourselves.
service_user() { if ((EUID == 0)); then echo postgres; else id -un; fi; }

# Runs "$@" as the service user with a clean environment (nothing of the caller's QUARKUS_*,
# PG* or secrets), from <state-dir>, with descriptors 3-9 closed: stack.sh holds its lock on one,
# and PostgreSQL must not keep it after stack.sh is gone.
as_service() {
  local cmd=(env -i PATH=/usr/bin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME="$state" "$@")
  if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || pb_die "OS user postgres is missing (it comes with Debian package postgresql)"
    (cd "$state" && runuser -u postgres -- "${cmd[@]}" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-)
  else
    (cd "$state" && "${cmd[@]}" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-)
  fi
}

# The postgres OS user must be able to reach <state-dir>: every directory above it needs search
# permission (x) for it. A directory of ours that lacks it gets o+x (search only: nothing can be
# listed, and what is inside keeps its own owner-only modes).
ensure_reachable() {
  ((EUID == 0)) || return 0
  local dir=$1
  while [[ $dir != / ]]; do
    dir=$(dirname "$dir")
    runuser -u postgres -- test -x "$dir" 2>/dev/null && continue
    if [[ $(stat -c %u "$dir") == "$EUID" ]]; then
      chmod o+x "$dir"
      pb_log "gave others search permission (o+x, not read) on $dir so that PostgreSQL (user postgres) reaches its state dir"
    else
      pb_die "user postgres cannot reach $dir (not ours to change); choose a state dir below a directory it can enter"
    fi
  done
}

# Writes stdin to <file> owned by the service user, mode 0600.
write_service_file() {
  local file=$1
  pb_write_secret "$file"
  ((EUID == 0)) && chown postgres:postgres "$file"
  return 0
}

ensure_password() {
  local file=$state/photobridge-password
  if [[ ! -s $file ]]; then
    pb_random 24 | write_service_file "$file"
    pb_log "generated the password of role $role in $file"
  fi
  chmod 600 "$file"
}

init_cluster() {
  local superuser=$1
  [[ -s $state/data/PG_VERSION ]] && return 0
  pb_log "initialising a new cluster in $state/data (once; user $superuser)"
  rm -rf "$state/data"
  # Peer for the superuser on the socket, nothing else yet: pg_hba.conf is rewritten right after.
  as_service "$bindir/initdb" -D "$state/data" -U "$superuser" -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=reject --data-checksums >>"$state/postgres.log" 2>&1 \
    || { tail -n 30 "$state/postgres.log" >&2; pb_die "initdb failed (log: $state/postgres.log)"; }
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh, as the service user
  printf "\n# Local stack (deploy/local/postgres.sh): rewritten at every start.\ninclude 'photobridge.conf'\n" \
    | as_service sh -c 'cat >>"$1"' sh "$state/data/postgresql.conf"
}

write_config() {
  local port=$1 superuser=$2 log_statement=none
  if [[ ${PB_POSTGRES_LOG_STATEMENTS:-0} == 1 ]]; then
    log_statement=all
    pb_log "logging every statement (PB_POSTGRES_LOG_STATEMENTS=1) to $state/postgres.log"
  fi
  [[ $state != *"'"* ]] || pb_die "state dir path must not contain a single quote"
  write_service_file "$state/data/photobridge.conf" <<EOF
# Written by deploy/local/postgres.sh at every start; edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$state/run'
unix_socket_permissions = 0700
# Durability: a commit the gateway answered 202 for is on disk (these are PostgreSQL's defaults,
# stated so that nobody "speeds up" the local stack by turning them off).
fsync = on
synchronous_commit = on
full_page_writes = on
password_encryption = scram-sha-256
log_line_prefix = '%m [%p] %q%u@%d '
# none, or all with PB_POSTGRES_LOG_STATEMENTS=1 (counting statements); never the bind parameters
log_statement = '$log_statement'
log_parameter_max_length = 0
EOF
  # Socket: the OS user running PostgreSQL, as the superuser (for this script). TCP: only role
  # photobridge to database photobridge, with its password. Everything else is refused.
  write_service_file "$state/data/pg_hba.conf" <<EOF
# Written by deploy/local/postgres.sh at every start.
# TYPE  DATABASE     USER          ADDRESS         METHOD
local   all          $superuser    peer
host    $database    $role         127.0.0.1/32    scram-sha-256
EOF
}

# Pid of the running postmaster of this cluster (first line of data/postmaster.pid), if any.
running_pid() {
  local pid
  [[ -f $state/data/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$state/data/postmaster.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && pb_cmdline_has "$pid" "$state/data" || return 1
  echo "$pid"
}

# psql as the superuser over the socket; SQL on stdin.
psql_admin() {
  local port=$1 superuser=$2
  as_service "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$state/run" -p "$port" -U "$superuser" -d postgres "${@:3}"
}

# True when role photobridge logs in over TCP with the stored password (the way the gateway does).
# The password reaches psql in its environment, not on its command line.
can_log_in() {
  local port=$1
  env -i PATH=/usr/bin:/bin PGPASSWORD="$(<"$state/photobridge-password")" PGCONNECT_TIMEOUT=10 \
    "$bindir/psql" -X -q -w -h 127.0.0.1 -p "$port" -U "$role" -d "$database" -c 'select 1' >/dev/null 2>&1
}

ensure_role_and_database() {
  local port=$1 superuser=$2
  psql_admin "$port" "$superuser" <<EOF
SELECT format('CREATE ROLE %I LOGIN', '$role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', '$database', '$role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database')
\gexec
EOF
  can_log_in "$port" && return 0
  pb_log "setting the password of role $role"
  # The password travels on psql's stdin (the SQL), never on a command line; it is URL-safe base64.
  { printf '\\set pw %s\n' "$(<"$state/photobridge-password")"
    printf 'ALTER ROLE %s PASSWORD :%s;\n' "$role" "'pw'"; } | psql_admin "$port" "$superuser"
  can_log_in "$port" || pb_die "role $role cannot log in over TCP on 127.0.0.1:$port (log: $state/postgres.log)"
}

cmd_start() {
  (($# == 2)) || usage
  local port=$1 superuser pid
  pb_require_port_number "$port"
  ensure_binaries
  superuser=$(service_user)
  state=$(pb_abs_dir "$2")
  ensure_reachable "$state"
  mkdir -p "$state/run"
  ((EUID == 0)) && chown postgres:postgres "$state" "$state/run"
  chmod 700 "$state" "$state/run"
  [[ -e $state/postgres.log ]] || : >"$state/postgres.log"
  ((EUID == 0)) && chown postgres:postgres "$state/postgres.log"
  chmod 600 "$state/postgres.log"
  ensure_password
  if pid=$(running_pid); then
    pb_log "already running (pid $pid)"
  else
    pb_require_port_free "$port" "PostgreSQL"
    init_cluster "$superuser"
    write_config "$port" "$superuser"
    printf '\n==== %s start (127.0.0.1:%s) ====\n' "$(date -Is)" "$port" >>"$state/postgres.log"
    pb_log "starting PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (log $state/postgres.log)"
    # pg_ctl starts the server in a session of its own (a Ctrl-C meant for stack.sh does not reach
    # it; stack.sh stops it with `stop`), and -w waits until it accepts connections.
    # shellcheck disable=SC2094 # pg_ctl and the server both append to the log; nothing reads it
    if ! as_service "$bindir/pg_ctl" start -D "$state/data" -l "$state/postgres.log" -w -t "$start_timeout" \
      -s >/dev/null 2>>"$state/postgres.log"; then
      pb_log "PostgreSQL did not start; last lines of $state/postgres.log:"
      tail -n 30 "$state/postgres.log" >&2
      cmd_stop "$state" || true
      exit 1
    fi
    pid=$(running_pid) || pb_die "PostgreSQL started but data/postmaster.pid names no running server"
  fi
  check_loopback "$pid" "$port"
  ensure_role_and_database "$port" "$superuser"
  pb_log "ready: jdbc:postgresql://127.0.0.1:$port/$database, role $role (password in $state/photobridge-password; pid $pid)"
}

# Refuses to leave PostgreSQL up if it listens anywhere but on loopback.
check_loopback() {
  local pid=$1 port=$2 line addr exposed=() seen=0
  command -v ss >/dev/null || "$PB_ROOT/deploy/setup/apt-install.sh" iproute2
  while read -r line; do
    [[ $line == *"pid=$pid,"* ]] || continue
    addr=$(awk '{print $4}' <<<"$line")
    [[ ${addr##*:} == "$port" && ${addr%:*} == 127.0.0.1 ]] && seen=1
    [[ ${addr%:*} == 127.0.0.1 ]] || exposed+=("$addr")
  done < <(ss -ltnpH)
  if ((${#exposed[@]} || !seen)); then
    pb_log "ERROR: PostgreSQL (pid $pid) does not listen on 127.0.0.1:$port alone (${exposed[*]:-not seen on 127.0.0.1:$port}); stopping it"
    cmd_stop "$state" || true
    exit 1
  fi
}

cmd_stop() {
  (($# == 1)) || usage
  local pid pids p deadline
  # realpath -m: the state dir may be gone while its server still runs.
  state=$(realpath -m "$1")
  if pid=$(running_pid); then
    ensure_binaries
    pb_log "stopping PostgreSQL (pid $pid; fast shutdown)"
    if ! as_service "$bindir/pg_ctl" stop -D "$state/data" -m fast -w -t 60 -s >/dev/null 2>>"$state/postgres.log"; then
      pb_log "fast shutdown did not finish within 60 s; immediate shutdown (crash recovery at the next start)"
      as_service "$bindir/pg_ctl" stop -D "$state/data" -m immediate -w -t 30 -s >/dev/null 2>>"$state/postgres.log" || true
    fi
  else
    # No (readable) postmaster.pid, but a postmaster of this cluster may still run: SIGINT is the
    # fast shutdown pg_ctl would have asked for.
    mapfile -t pids < <(pb_pids_with_marker "$state/data" postgres)
    if ((${#pids[@]} == 0)); then
      pb_log "PostgreSQL is not running"
      return 0
    fi
    pb_log "found PostgreSQL processes of $state/data without a pid file: ${pids[*]}; fast shutdown"
    for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    deadline=$((SECONDS + 60))
    while (($(pb_pids_with_marker "$state/data" postgres | wc -l))) && ((SECONDS < deadline)); do sleep 0.3; done
    for p in $(pb_pids_with_marker "$state/data" postgres); do kill -KILL "$p" 2>/dev/null || true; done
  fi
  pb_log "PostgreSQL stopped"
}

cmd_status() {
  (($# == 1)) || usage
  local pid
  state=$(cd "$1" 2>/dev/null && pwd) || { echo "stopped"; return 3; }
  if pid=$(running_pid); then echo "running (pid $pid)"; else echo "stopped"; return 3; fi
}

bindir=""
state=""
case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *) usage ;;
esac
