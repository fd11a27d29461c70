#!/usr/bin/env bash
# Runs Debian's Orthanc (PACS stand-in with the DICOMweb plugin) in the background.
#
#   orthanc.sh start <dicom-port> <http-port> <state-dir>
#   orthanc.sh stop <state-dir>
#   orthanc.sh status <state-dir>
#
# <state-dir> holds orthanc.json (generated from config/orthanc/orthanc.json.template, 0600),
# rest-credentials.json (the REST/DICOMweb user {"username","password"}, generated once, 0600),
# loopback-bind.so (compiled from loopback-bind.c), storage/, index/, orthanc.log and orthanc.pid.
# A stop followed by a start on the same state dir keeps every stored instance and the credentials.
# The Java tests run these two commands to simulate a PACS outage.
#
# Orthanc listens on 127.0.0.1 only (LD_PRELOAD of loopback-bind.so: Orthanc 1.10 itself binds
# every interface); start fails, and stops Orthanc again, unless `ss` shows both ports on loopback
# and nowhere else, and unless REST refuses a request without credentials.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
PB_LOG_TAG=orthanc

orthanc_bin=/usr/sbin/Orthanc
template=$PB_ROOT/config/orthanc/orthanc.json.template
shim_source=$here/loopback-bind.c
rest_username=photobridge
start_timeout=${ORTHANC_START_TIMEOUT:-60}

usage() {
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# The DICOMweb plugin's path as the Debian package installs it.
dicomweb_plugin() {
  local so
  so=$(dpkg -L orthanc-dicomweb 2>/dev/null | grep -E '/plugins/[^/]*\.so$' | head -1 || true)
  [[ -n $so && -e $so ]] || so=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
  [[ -e $so ]] || pb_die "Orthanc's DICOMweb plugin is missing (install Debian package orthanc-dicomweb)"
  echo "$so"
}

sed_escape() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }

# The REST user, generated once per state dir; the gateway and the tests read it from this file.
ensure_credentials() {
  local file=$1/rest-credentials.json
  if [[ ! -s $file ]]; then
    # The password reaches jq in its environment, never on a command line (ps shows those).
    PB_NEW_PASSWORD=$(pb_random 24) jq -n --arg u "$rest_username" '{username: $u, password: $ENV.PB_NEW_PASSWORD}' \
      | pb_write_secret "$file"
    pb_log "generated Orthanc's REST credentials in $file"
  fi
  chmod 600 "$file"
}

# curl with the REST credentials given on stdin (a curl config), never on its command line.
rest_curl() {
  local state=$1
  shift
  jq -r '"user = \"\(.username):\(.password)\""' "$state/rest-credentials.json" | curl -K - "$@"
}

# Compiles the loopback shim into the state dir when missing or older than its source.
ensure_shim() {
  local so=$1/loopback-bind.so
  [[ -f $so && $so -nt $shim_source ]] && return 0
  command -v gcc >/dev/null || "$PB_ROOT/deploy/setup/apt-install.sh" gcc libc6-dev
  gcc -shared -fPIC -O2 -Wall -Wextra -o "$so.tmp" "$shim_source" -ldl \
    || pb_die "cannot compile $shim_source (needs gcc and libc6-dev)"
  mv -f "$so.tmp" "$so"
}

write_config() {
  local dicom_port=$1 http_port=$2 state=$3 plugin
  plugin=$(dicomweb_plugin)
  [[ $state != *'"'* ]] || pb_die "state dir path must not contain a double quote"
  # The password is URL-safe base64 (pb_random), so it needs no escaping in JSON or sed; the
  # substitutions reach sed on stdin, so the password never shows in a command line.
  {
    printf 's|@DICOM_PORT@|%s|g\n' "$dicom_port"
    printf 's|@HTTP_PORT@|%s|g\n' "$http_port"
    printf 's|@STATE_DIR@|%s|g\n' "$(sed_escape "$state")"
    printf 's|@DICOMWEB_PLUGIN@|%s|g\n' "$(sed_escape "$plugin")"
    jq -r '"s|@REST_USERNAME@|\(.username)|g", "s|@REST_PASSWORD@|\(.password)|g"' "$state/rest-credentials.json"
  } | (umask 077 && sed -f - "$template" >"$state/orthanc.json.tmp")
  chmod 600 "$state/orthanc.json.tmp"
  ! grep -q '@[A-Z_]*@' "$state/orthanc.json.tmp" || pb_die "unfilled placeholder in $template"
  mv -f "$state/orthanc.json.tmp" "$state/orthanc.json"
}

cmd_start() {
  (($# == 3)) || usage
  local dicom_port=$1 http_port=$2 state
  pb_require_port_number "$dicom_port"
  pb_require_port_number "$http_port"
  [[ -x $orthanc_bin ]] && command -v jq >/dev/null \
    || "$PB_ROOT/deploy/setup/apt-install.sh" orthanc orthanc-dicomweb jq curl
  [[ -x $orthanc_bin ]] || pb_die "$orthanc_bin not found after installing Debian package orthanc"
  state=$(pb_abs_dir "$3")
  chmod 700 "$state"
  local config=$state/orthanc.json pidfile=$state/orthanc.pid log=$state/orthanc.log pid
  if pid=$(pb_running_pid "$pidfile" "$config") && ! started_hardened "$pid" "$state"; then
    pb_log "the running Orthanc (pid $pid) was started without the loopback shim or REST credentials" \
      "(by an older orthanc.sh); restarting it"
    pb_stop "$pidfile" "$config" Orthanc Orthanc 30
  fi
  if pid=$(pb_running_pid "$pidfile" "$config"); then
    pb_log "already running (pid $pid)"
  else
    local orphans
    mapfile -t orphans < <(pb_pids_with_marker "$config" Orthanc)
    if ((${#orphans[@]})); then
      pb_log "found an earlier Orthanc of this state dir without pid file: ${orphans[*]}; stopping it"
      pb_stop "$pidfile" "$config" Orthanc Orthanc
    fi
    pb_require_port_free "$dicom_port" "Orthanc DICOM"
    pb_require_port_free "$http_port" "Orthanc HTTP"
    mkdir -p "$state/storage" "$state/index" "$state/tmp"
    ensure_credentials "$state"
    ensure_shim "$state"
    write_config "$dicom_port" "$http_port" "$state"
    printf '\n==== %s start (DICOM %s, HTTP %s) ====\n' "$(date -Is)" "$dicom_port" "$http_port" >>"$log"
    # A clean environment; Orthanc runs as the invoking user (root on these machines). The shim is
    # preloaded into Orthanc alone, not into this script or the tools it runs.
    pb_spawn "$log" "$pidfile" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      LD_PRELOAD="$state/loopback-bind.so" "$orthanc_bin" "$config"
    pid=$(<"$pidfile")
  fi
  wait_ready "$pid" "$dicom_port" "$http_port" "$log" "$state"
  check_hardened "$pid" "$dicom_port" "$http_port" "$state"
  pb_log "ready: DICOM ORTHANC@127.0.0.1:$dicom_port, http://127.0.0.1:$http_port/ (pid $pid, state $state;" \
    "REST user in $state/rest-credentials.json)"
}

# True when the Orthanc of <pid> was started by this script as it is now: with the shim preloaded
# and the generated REST credentials.
started_hardened() {
  local pid=$1 state=$2
  [[ -s $state/rest-credentials.json ]] || return 1
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "LD_PRELOAD=$state/loopback-bind.so"
}

# Fails (and stops Orthanc: it must not stay up exposed) unless every socket Orthanc listens on is a
# loopback address, both configured ports are among them, and REST refuses a request without
# credentials.
check_hardened() {
  local pid=$1 dicom_port=$2 http_port=$3 state=$4 line addr port exposed=() seen_dicom=0 seen_http=0 code
  command -v ss >/dev/null || "$PB_ROOT/deploy/setup/apt-install.sh" iproute2
  while read -r line; do
    [[ $line == *"pid=$pid,"* ]] || continue
    # Fourth column: local address:port, e.g. 127.0.0.1:4242, [::1]:4242, 0.0.0.0:4242, *:4242.
    addr=$(awk '{print $4}' <<<"$line")
    port=${addr##*:}
    addr=${addr%:*}
    [[ $port == "$dicom_port" ]] && seen_dicom=1
    [[ $port == "$http_port" ]] && seen_http=1
    case $addr in
      127.0.0.1 | '[::1]' | '[::ffff:127.0.0.1]') ;;
      *) exposed+=("$addr:$port") ;;
    esac
  done < <(ss -ltnpH)
  local problem=""
  if ((${#exposed[@]})); then
    problem="Orthanc (pid $pid) listens beyond loopback on ${exposed[*]}: the loopback shim ($state/loopback-bind.so) did not take effect"
  elif ((!seen_dicom || !seen_http)); then
    problem="ss does not show Orthanc (pid $pid) listening on both 127.0.0.1:$dicom_port and 127.0.0.1:$http_port; cannot confirm loopback-only"
  else
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$http_port/system" || true)
    [[ $code == 401 ]] || problem="Orthanc answered HTTP $code, not 401, to a request without credentials"
  fi
  if [[ -n $problem ]]; then
    pb_log "ERROR: $problem; stopping it"
    pb_stop "$state/orthanc.pid" "$state/orthanc.json" Orthanc Orthanc 30
    exit 1
  fi
}

# Ready = the REST API answers /system (with the credentials) and the DICOM port accepts connections.
wait_ready() {
  local pid=$1 dicom_port=$2 http_port=$3 log=$4 state=$5 deadline=$((SECONDS + start_timeout))
  until rest_curl "$state" -fs -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/system" && pb_port_open "$dicom_port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      pb_log "Orthanc exited during start-up; last lines of $log:"
      tail -n 40 "$log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      pb_log "Orthanc not ready after ${start_timeout}s; last lines of $log:"
      tail -n 40 "$log" >&2
      exit 1
    fi
    sleep 0.3
  done
}

cmd_stop() {
  (($# == 1)) || usage
  local state
  # realpath -m: the state dir may be gone (mvn clean) while its processes still run.
  state=$(realpath -m "$1")
  pb_stop "$state/orthanc.pid" "$state/orthanc.json" Orthanc Orthanc 30
}

cmd_status() {
  (($# == 1)) || usage
  local state pid
  state=$(cd "$1" 2>/dev/null && pwd) || { echo "stopped"; return 3; }
  if pid=$(pb_running_pid "$state/orthanc.pid" "$state/orthanc.json"); then echo "running (pid $pid)"; else echo "stopped"; return 3; fi
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *) usage ;;
esac
