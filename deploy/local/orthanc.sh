#!/usr/bin/env bash
# Runs Debian's Orthanc (PACS stand-in with the DICOMweb plugin) in the background.
#
#   orthanc.sh start <dicom-port> <http-port> <state-dir>
#   orthanc.sh stop <state-dir>
#   orthanc.sh status <state-dir>
#
# <state-dir> holds orthanc.json (generated from config/orthanc/orthanc.json.template), storage/,
# index/, orthanc.log and orthanc.pid. A stop followed by a start on the same state dir keeps every
# stored instance. The Java tests run these two commands to simulate a PACS outage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
PB_LOG_TAG=orthanc

orthanc_bin=/usr/sbin/Orthanc
template=$PB_ROOT/config/orthanc/orthanc.json.template
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

write_config() {
  local dicom_port=$1 http_port=$2 state=$3 plugin
  plugin=$(dicomweb_plugin)
  [[ $state != *'"'* ]] || pb_die "state dir path must not contain a double quote"
  sed -e "s|@DICOM_PORT@|$dicom_port|g" \
      -e "s|@HTTP_PORT@|$http_port|g" \
      -e "s|@STATE_DIR@|$(sed_escape "$state")|g" \
      -e "s|@DICOMWEB_PLUGIN@|$(sed_escape "$plugin")|g" \
      "$template" >"$state/orthanc.json.tmp"
  ! grep -q '@[A-Z_]*@' "$state/orthanc.json.tmp" || pb_die "unfilled placeholder in $template"
  mv -f "$state/orthanc.json.tmp" "$state/orthanc.json"
}

cmd_start() {
  (($# == 3)) || usage
  local dicom_port=$1 http_port=$2 state
  pb_require_port_number "$dicom_port"
  pb_require_port_number "$http_port"
  [[ -x $orthanc_bin ]] || "$PB_ROOT/deploy/setup/apt-install.sh" orthanc orthanc-dicomweb
  [[ -x $orthanc_bin ]] || pb_die "$orthanc_bin not found after installing Debian package orthanc"
  state=$(pb_abs_dir "$3")
  chmod 700 "$state"
  local config=$state/orthanc.json pidfile=$state/orthanc.pid log=$state/orthanc.log pid
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
    write_config "$dicom_port" "$http_port" "$state"
    printf '\n==== %s start (DICOM %s, HTTP %s) ====\n' "$(date -Is)" "$dicom_port" "$http_port" >>"$log"
    # A clean environment; Orthanc runs as the invoking user (root on these machines).
    pb_spawn "$log" "$pidfile" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$orthanc_bin" "$config"
    pid=$(<"$pidfile")
  fi
  wait_ready "$pid" "$dicom_port" "$http_port" "$log"
  pb_log "ready: DICOM ORTHANC@127.0.0.1:$dicom_port, http://127.0.0.1:$http_port/ (pid $pid, state $state)"
}

# Ready = the REST API answers /system and the DICOM port accepts connections.
wait_ready() {
  local pid=$1 dicom_port=$2 http_port=$3 log=$4 deadline=$((SECONDS + start_timeout))
  until curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/system" && pb_port_open "$dicom_port"; do
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
