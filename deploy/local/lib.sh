# shellcheck shell=bash disable=SC2034
# Shared helpers for the local/test stack scripts (sourced, not run).
# Processes are started in their own session (setsid) so a Ctrl-C in the terminal reaches only
# the script that started them, which then stops them in order; every process is tracked by a
# pid file and checked against a marker (a path unique to its state dir) before it is signalled,
# so a stale pid file never makes us kill an unrelated process.

PB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

pb_log() { printf '[%s] %s\n' "${PB_LOG_TAG:-stack}" "$*" >&2; }
pb_die() { pb_log "ERROR: $*"; exit 1; }

# URL-safe random secret (no padding, no '+' or '/', so it needs no quoting in URLs or shells).
pb_random() { head -c "${1:-24}" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }

# Absolute path of a directory, created when missing.
pb_abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }

pb_require_port_number() {
  if ! [[ $1 =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then pb_die "not a TCP port: '$1'"; fi
}

# True when something accepts TCP connections on 127.0.0.1:<port>.
pb_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails with a helpful message when <port> is taken by someone else.
pb_require_port_free() {
  local port=$1 what=$2
  if pb_port_open "$port"; then
    local owner
    owner=$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1)
    pb_die "port $port (for $what) is already in use${owner:+ by $owner}; stop that process or choose other ports"
  fi
}

# True when the command line of <pid> contains <marker> (matched in bash, so no helper process
# carrying the marker in its own arguments can match itself).
pb_cmdline_has() {
  local cmd
  cmd=$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) || return 1
  [[ $cmd == *"$2"* ]]
}

# Prints the pid from <pidfile> when that process is alive and its command line contains <marker>.
pb_running_pid() {
  local pidfile=$1 marker=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  pb_cmdline_has "$pid" "$marker" || return 1
  echo "$pid"
}

# Pids of running <exe> programs (by executable name) whose command line contains <marker>. Used
# only when a pid file was lost (e.g. `mvn clean` removed target/ while the test stack ran); the
# marker is a path unique to one state dir, and the executable check keeps shells that merely
# mention that path (like the caller's own command line) out.
pb_pids_with_marker() {
  local marker=$1 exe=$2 p target
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" || $p == "$BASHPID" ]] && continue
    target=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
    [[ ${target##*/} == "$exe" ]] || continue
    pb_cmdline_has "$p" "$marker" && echo "$p"
  done
  return 0
}

# CPU ticks (user + system, in getconf CLK_TCK units) of process $1, plus those of its reaped
# children when $2 is set; 0 once it has gone. After the command name (which may hold spaces),
# utime and stime are the 12th and 13th fields of /proc/<pid>/stat, cutime and cstime the next two.
pb_cpu_ticks() {
  awk -v c="${2:-}" '{sub(/^.*\) /, ""); t = $12 + $13; if (c) t += $14 + $15; print t}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# CPU ticks of the PostgreSQL cluster in data directory $1: its postmaster (with the backends it has
# reaped) and its live backends. The postmaster's pid is read each time (a cluster may restart).
pb_postgres_ticks() {
  local t p postmaster_pid
  postmaster_pid=$(head -n1 "$1/postmaster.pid")
  t=$(pb_cpu_ticks "$postmaster_pid" children)
  for p in $(pgrep -P "$postmaster_pid"); do t=$((t + $(pb_cpu_ticks "$p"))); done
  echo "$t"
}

# Waits until the gateway at $1 answers ready; dies if the stack process $2 exits first (the last lines
# of its log $3 to stderr) or after 15 minutes. For the benchmarks, which start deploy/local/stack.sh
# in the background.
pb_wait_gateway_ready() {
  local deadline=$((SECONDS + 900))
  until curl -sf -o /dev/null "$1/q/health/ready"; do
    kill -0 "$2" 2>/dev/null || { tail -n 30 "$3" >&2; pb_die "the stack exited during start-up"; }
    ((SECONDS < deadline)) || pb_die "the gateway is not ready after 15 minutes ($3)"
    sleep 1
  done
}

# Starts "$@" detached in a new session with stdin from /dev/null and all output to <logfile>,
# writes its pid to <pidfile>. No pipe of the caller is inherited, so a caller that reads our
# output (a Java test running the start command) is not kept waiting by the daemon.
pb_spawn() {
  local logfile=$1 pidfile=$2
  shift 2
  # Descriptors 3-9 (locks, pipes of the caller) are closed so the daemon holds none of them.
  setsid "$@" </dev/null >>"$logfile" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  echo $! >"$pidfile"
}

# Sends TERM to the process group led by the process in <pidfile> and waits until the whole group
# is gone (KILL after <timeout> s), so nothing is left behind.
# <exe> is the executable name used to find the processes when the pid file is gone ("" = do not
# search: only the process named by the pid file is stopped).
pb_stop() {
  local pidfile=$1 marker=$2 exe=$3 name=$4 timeout=${5:-60} pid pids
  if pid=$(pb_running_pid "$pidfile" "$marker"); then
    pids=("$pid")
  else
    pids=()
    [[ -z $exe ]] || mapfile -t pids < <(pb_pids_with_marker "$marker" "$exe")
    if ((${#pids[@]} == 0)); then
      pb_log "$name is not running"
      rm -f "$pidfile"
      return 0
    fi
    pb_log "$name: pid file missing or stale, found its processes by their state path: ${pids[*]}"
  fi
  pb_log "stopping $name (pid ${pids[*]})"
  local p
  for p in "${pids[@]}"; do
    # Each was started with setsid, so its pid is also its process group id.
    kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  done
  local deadline=$((SECONDS + timeout)) alive
  while :; do
    alive=()
    for p in "${pids[@]}"; do
      if kill -0 -- "-$p" 2>/dev/null || kill -0 "$p" 2>/dev/null; then alive+=("$p"); fi
    done
    ((${#alive[@]})) || break
    if ((SECONDS >= deadline)); then
      pb_log "$name did not stop within ${timeout}s; killing it"
      for p in "${alive[@]}"; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; done
      sleep 1
      break
    fi
    sleep 0.3
  done
  rm -f "$pidfile"
  pb_log "$name stopped"
}

# Writes stdin to <file> readable only by its owner (secrets).
pb_write_secret() {
  local file=$1
  (umask 077 && cat >"$file.tmp.$$") && chmod 600 "$file.tmp.$$" && mv -f "$file.tmp.$$" "$file"
}

# Quotes its arguments as one shell command line (for the properties the Java tests run).
pb_shell_line() {
  local out="" a
  for a in "$@"; do out+="${out:+ }$(printf '%q' "$a")"; done
  printf '%s' "$out"
}
