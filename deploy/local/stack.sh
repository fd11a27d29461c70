#!/usr/bin/env bash
# PhotoBridge on this machine: real Keycloak and Orthanc on loopback, then the gateway in the
# foreground. Ctrl-C (or SIGTERM) stops the gateway, Orthanc and Keycloak, in that order.
#
#   deploy/local/stack.sh                 everything (builds the gateway first)
#   deploy/local/stack.sh --skip-build    everything, reusing the gateway built before
#   deploy/local/stack.sh --no-gateway    Keycloak and Orthanc only (run the gateway yourself,
#                                         e.g. with ./mvnw quarkus:dev and the settings below)
#   deploy/local/stack.sh stop            stop what a killed stack.sh left running
#
# State (git-ignored): deploy/local/state/ (Keycloak DB, Orthanc storage, gateway store and DB,
# storage.key); demo users' passwords: deploy/local/credentials.json. Delete both to start afresh.
# Needs root on Debian for the first run (installs orthanc, orthanc-dicomweb, libpixelmed-java).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
PB_LOG_TAG=stack
cd "$PB_ROOT"

KEYCLOAK_PORT=8180
ORTHANC_DICOM_PORT=4242
ORTHANC_HTTP_PORT=8042
GATEWAY_PORT=8080
STATE=$PB_ROOT/deploy/local/state
CREDENTIALS=$PB_ROOT/deploy/local/credentials.json
GATEWAY_JAR=${GATEWAY_JAR:-$PB_ROOT/gateway/target/quarkus-app/quarkus-run.jar}

# ============================================================================================
# Gateway configuration: the environment the gateway runs with. ONE place to edit the names.
# (Filled in after Keycloak has started, because the client secret is generated there.)
# ============================================================================================
gateway_env() {
  # System properties rather than environment variables: destination names are map keys, which
  # environment variable names cannot spell unambiguously.
  GATEWAY_PROPS=(
    -Dquarkus.http.host=127.0.0.1
    -Dquarkus.http.port="$GATEWAY_PORT"
    -Dquarkus.oidc.auth-server-url="http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge"
    -Dquarkus.oidc.client-id=photobridge-gateway
    -Dphotobridge.data.directory="$STATE/gateway"
    -Dphotobridge.store.key-file="$STATE/storage.key"
    -Dphotobridge.destinations.orthanc.kind=dimse
    -Dphotobridge.destinations.orthanc.host=127.0.0.1
    -Dphotobridge.destinations.orthanc.port="$ORTHANC_DICOM_PORT"
    -Dphotobridge.destinations.orthanc.ae-title=ORTHANC
    -Dphotobridge.destinations.orthanc.calling-ae-title=PHOTOBRIDGE
    # Viewers read photos back over WADO-RS once the gateway has purged its copy.
    -Dphotobridge.destinations.orthanc.dicomweb-url="http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web"
    # Withdrawal removes the photo from this Orthanc (it has no IOCM support to act on a rejection note).
    -Dphotobridge.destinations.orthanc.withdrawal-action=delete
    -Dphotobridge.destinations.orthanc.rest-url="http://127.0.0.1:$ORTHANC_HTTP_PORT"
    # Orthanc's REST and DICOMweb need its generated user (orthanc.sh); the password is in GATEWAY_ENV.
    -Dphotobridge.destinations.orthanc.username="$(jq -r .username "$STATE/orthanc/rest-credentials.json")"
  )
  # Secrets are passed in the environment, not on the command line (ps shows that). The destination
  # name "orthanc" is known from the system properties above, so the variable name maps back to it.
  GATEWAY_ENV=(
    QUARKUS_OIDC_CREDENTIALS_SECRET="$(<"$STATE/keycloak/gateway-client-secret")"
    PHOTOBRIDGE_DESTINATIONS_ORTHANC_PASSWORD="$(jq -r .password "$STATE/orthanc/rest-credentials.json")"
  )
}
# ============================================================================================

usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2; exit 2; }

gateway_pidfile=$STATE/gateway.pid
child=""        # the foreground job we are waiting for (build, service start, gateway, sleep)
gateway_pid=""
stopping=0

stop_all() {
  # Stop in reverse order of start; each script waits until its processes are gone.
  if [[ -n $gateway_pid ]] && kill -0 "$gateway_pid" 2>/dev/null; then
    pb_log "stopping the gateway (pid $gateway_pid)"
    kill -TERM "$gateway_pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$gateway_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
    kill -KILL "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  elif [[ -f $gateway_pidfile ]]; then
    # Only the process of our pid file: a gateway someone started by hand is left alone.
    pb_stop "$gateway_pidfile" "$GATEWAY_JAR" "" gateway 30
  fi
  rm -f "$gateway_pidfile"
  "$here/orthanc.sh" stop "$STATE/orthanc" || true
  "$here/keycloak.sh" stop "$STATE/keycloak" || true
}

on_exit() {
  local rc=$?
  ((stopping)) && return
  stopping=1
  # A second Ctrl-C must not interrupt the orderly stop (every step has its own time limit).
  trap '' INT TERM
  if [[ -n $child && $child != "$gateway_pid" ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  stop_all
  local left
  left=$( (pb_pids_with_marker "$STATE/" java; pb_pids_with_marker "$STATE/" Orthanc) | tr '\n' ' ')
  [[ -z ${left// /} ]] || pb_log "WARNING: processes still running: $left"
  pb_log "stopped"
  exit "$rc"
}

# Runs a step as a background job and waits for it, so that a signal is handled at once (bash
# runs traps only between commands) and the step can be stopped.
run_step() {
  "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  return $rc
}

ensure_storage_key() {
  # AES-256 key for the gateway's encrypted store: 32 random bytes, base64, owner-only.
  if [[ ! -s $STATE/storage.key ]]; then
    head -c 32 /dev/urandom | base64 -w0 | pb_write_secret "$STATE/storage.key"
    pb_log "generated the gateway's storage key $STATE/storage.key"
  fi
  chmod 600 "$STATE/storage.key"
}

print_summary() {
  local with_gateway=$1 rel_creds=${CREDENTIALS#"$PB_ROOT"/} rel_state=${STATE#"$PB_ROOT"/}
  local gateway_line="  Gateway           not started (--no-gateway); run it with the env block in stack.sh"
  local stops="Orthanc and Keycloak"
  if ((with_gateway)); then
    gateway_line="  Gateway           http://127.0.0.1:$GATEWAY_PORT/   (API /api/v1, FHIR /fhir, health /q/health)"
    stops="the gateway, Orthanc and Keycloak"
  fi
  cat <<EOF

==================================================================================
 PhotoBridge local stack is up
$gateway_line
  Keycloak admin    http://127.0.0.1:$KEYCLOAK_PORT/admin/   (admin login: $rel_state/keycloak/admin.json)
  Realm (issuer)    http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge
  Orthanc explorer  http://127.0.0.1:$ORTHANC_HTTP_PORT/app/explorer.html   (DICOMweb /dicom-web/;
                    login: $rel_state/orthanc/rest-credentials.json)
  Orthanc DICOM     AE ORTHANC at 127.0.0.1:$ORTHANC_DICOM_PORT, stores accepted only from AE PHOTOBRIDGE
  Demo users        $rel_creds   (derm.photographer, derm.consultant, plastics.surgeon,
                    wound.nurse, compliance.officer, gateway.admin; roles: README.md)
  Client secret     $rel_state/keycloak/gateway-client-secret   (client photobridge-gateway)
  Storage key       $rel_state/storage.key
 Try it:
  TOKEN=\$(curl -s http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge/protocol/openid-connect/token \\
      -d grant_type=password -d client_id=photobridge-cli -d username=derm.photographer \\
      --data-urlencode "password=\$(jq -r '."derm.photographer"' $rel_creds)" | jq -r .access_token)
  # Capture needs the patient's consent first: see README.md (a FHIR Consent POSTed to /fhir/Consent).
  curl -i http://127.0.0.1:$GATEWAY_PORT/api/v1/photos -H "Authorization: Bearer \$TOKEN" \\
      -F file=@photo.jpg -F 'metadata={"patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"MRN-0042"},"name":"Doe^Jane","birthDate":"1980-01-31","sex":"F"},"encounter":{"identifier":{"system":"urn:oid:1.2.3.4.6","value":"ENC-1"}},"department":"dermatology","accessTags":["dermatology"],"bodySite":{"system":"http://snomed.info/sct","code":"40983000","display":"Upper arm"},"laterality":"L","takenAt":"2026-11-20T10:11:12Z"};type=application/json'
 Ctrl-C stops $stops.
==================================================================================

EOF
}

start_services() {
  "$PB_ROOT/deploy/setup/apt-install.sh" orthanc orthanc-dicomweb libpixelmed-java jq curl unzip
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  ensure_storage_key
  local first_credentials=0
  [[ -s $CREDENTIALS ]] || first_credentials=1
  run_step "$here/keycloak.sh" start "$KEYCLOAK_PORT" "$STATE/keycloak" "$CREDENTIALS"
  run_step "$here/orthanc.sh" start "$ORTHANC_DICOM_PORT" "$ORTHANC_HTTP_PORT" "$STATE/orthanc"
  if ((first_credentials)); then
    # Shown once; afterwards they are only in the file.
    printf '\nDemo users and their generated passwords (kept in %s):\n' "${CREDENTIALS#"$PB_ROOT"/}"
    jq -r 'to_entries[] | "  \(.key)  \(.value)"' "$CREDENTIALS"
  fi
}

# Waits while Keycloak and Orthanc run; returns when one of them died.
watch_services() {
  while pb_running_pid "$STATE/keycloak/keycloak.pid" "$STATE/keycloak/home/bin/" >/dev/null \
     && pb_running_pid "$STATE/orthanc/orthanc.pid" "$STATE/orthanc/orthanc.json" >/dev/null; do
    sleep 2 &
    child=$!
    wait "$child" || true
    child=""
  done
  pb_log "Keycloak or Orthanc stopped unexpectedly (logs: $STATE/keycloak/keycloak.log, $STATE/orthanc/orthanc.log)"
  return 1
}

run_gateway() {
  local skip_build=$1
  pb_require_port_free "$GATEWAY_PORT" "the gateway"
  if ((!skip_build)); then
    "$PB_ROOT/deploy/setup/install-pixelmed.sh"
    pb_log "building the gateway (./mvnw -q -B -DskipTests install)"
    run_step ./mvnw -q -B -DskipTests install
  fi
  [[ -f $GATEWAY_JAR ]] || pb_die "$GATEWAY_JAR not found (build it, or drop --skip-build)"
  mkdir -p "$STATE/gateway"
  chmod 700 "$STATE/gateway"
  gateway_env
  local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  pb_log "starting the gateway on http://127.0.0.1:$GATEWAY_PORT"
  env "${GATEWAY_ENV[@]}" "$java" "${GATEWAY_PROPS[@]}" -jar "$GATEWAY_JAR" &
  gateway_pid=$!
  child=$gateway_pid
  echo "$gateway_pid" >"$gateway_pidfile"
  # Show the summary once the gateway listens (or give up waiting after 3 minutes).
  local deadline=$((SECONDS + 180))
  while kill -0 "$gateway_pid" 2>/dev/null && ! pb_port_open "$GATEWAY_PORT" && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if kill -0 "$gateway_pid" 2>/dev/null; then print_summary 1; fi
  local rc=0
  wait "$gateway_pid" || rc=$?
  pb_log "the gateway exited with status $rc"
  return $rc
}

main() {
  local no_gateway=0 skip_build=0
  case ${1:-} in
    stop)
      (($# == 1)) || usage
      stop_all
      exit 0 ;;
    -h | --help) usage ;;
  esac
  while (($#)); do
    case $1 in
      --no-gateway) no_gateway=1 ;;
      --skip-build) skip_build=1 ;;
      *) usage ;;
    esac
    shift
  done
  mkdir -p "$STATE"
  # One stack.sh at a time: a second one would stop the first one's services when it exits.
  exec 8>"$STATE/stack.lock"
  flock -n 8 || pb_die "another deploy/local/stack.sh is running (or left its gateway running: deploy/local/stack.sh stop)"

  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  start_services
  if ((no_gateway)); then
    print_summary 0
    watch_services
  else
    run_gateway "$skip_build"
  fi
}

main "$@"
