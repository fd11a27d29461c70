#!/usr/bin/env bash
# PhotoBridge on this machine: its own PostgreSQL, a real Keycloak and Orthanc, all on loopback,
# then the gateway in the foreground. Ctrl-C (or SIGTERM) stops the gateway(s), Orthanc, Keycloak
# and PostgreSQL, in that order.
#
#   deploy/local/stack.sh                 everything (builds the gateway first)
#   deploy/local/stack.sh --replicas N    everything, with N gateways on ports 8080, 8081, ...
#                                         sharing the one PostgreSQL (replica 0 in the foreground,
#                                         the others in the background, logs in state/gateway-<i>.log)
#   deploy/local/stack.sh --skip-build    everything, reusing the gateway built before
#   deploy/local/stack.sh --no-gateway    PostgreSQL, Keycloak and Orthanc only (run the gateway
#                                         yourself, e.g. with ./mvnw quarkus:dev and the settings below)
#   deploy/local/stack.sh stop            stop what a killed stack.sh left running
#
# Environment, for benchmarks and experiments (bench/delivery.sh uses both):
#   PB_LOCAL_STATE=DIR       state directory instead of deploy/local/state (credentials in DIR too)
#   PB_GATEWAY_OPTS="-D…"    extra JVM options for every gateway, after the ones below (they win)
#   GATEWAY_START_TIMEOUT=S  seconds a gateway may take to listen before the stack gives up (default 300)
#   PB_POSTGRES_LOG_STATEMENTS=1  PostgreSQL logs every statement (deploy/local/postgres.sh)
#
# State (git-ignored): deploy/local/state/ (PostgreSQL cluster, Keycloak DB, Orthanc storage, the
# gateways' photo store, data directories and pid files, storage.key, audit key); demo users'
# passwords: deploy/local/credentials.json. Delete both to start afresh.
# Needs root on Debian for the first run (installs postgresql, orthanc, orthanc-dicomweb, libpixelmed-java).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
PB_LOG_TAG=stack
cd "$PB_ROOT"

# PB_STACK_PORT_OFFSET (default 0) moves every port below by the same amount, so that two stacks
# (for example two benchmarks in separate checkouts) can run side by side. It takes 0, 10, 20 ... 90:
# an offset of 100 would put one stack's gateway on another's Keycloak (8080 + 100 = 8180), and
# Keycloak's management port is its HTTP port + 1000.
port_offset=${PB_STACK_PORT_OFFSET:-0}
[[ $port_offset =~ ^[0-9]?0$ ]] \
  || pb_die "PB_STACK_PORT_OFFSET takes 0, 10, 20 ... 90 (ports of two stacks 100 apart collide), not '$port_offset'"
POSTGRES_PORT=$((5433 + port_offset))   # not 5432: that is the machine's own PostgreSQL, which the tests use
KEYCLOAK_PORT=$((8180 + port_offset))
ORTHANC_DICOM_PORT=$((4242 + port_offset))
ORTHANC_HTTP_PORT=$((8042 + port_offset))
GATEWAY_PORT=$((8080 + port_offset))    # replica i listens on GATEWAY_PORT + i
if [[ -n ${PB_LOCAL_STATE:-} ]]; then
  mkdir -p "$PB_LOCAL_STATE"
  STATE=$(cd "$PB_LOCAL_STATE" && pwd)
  CREDENTIALS=$STATE/credentials.json
else
  STATE=$PB_ROOT/deploy/local/state
  CREDENTIALS=$PB_ROOT/deploy/local/credentials.json
fi
GATEWAY_JAR=${GATEWAY_JAR:-$PB_ROOT/gateway/target/quarkus-app/quarkus-run.jar}
gateway_start_timeout=${GATEWAY_START_TIMEOUT:-300}
[[ $gateway_start_timeout =~ ^[1-9][0-9]*$ ]] || pb_die "GATEWAY_START_TIMEOUT takes a number of seconds, not '$gateway_start_timeout'"

# ============================================================================================
# Gateway configuration: the environment the gateway runs with. ONE place to edit the names.
# (Filled in after Keycloak has started, because the client secret is generated there.)
# ============================================================================================
# Replica <i> (0 when there is one gateway).
gateway_env() {
  local i=$1
  # System properties rather than environment variables: destination names are map keys, which
  # environment variable names cannot spell unambiguously.
  GATEWAY_PROPS=(
    # G1 regions of 16 MiB: an upload's array (about 4 MB for 12 megapixels) is then an ordinary young
    # object, not a humongous one whose every allocation counts as old and may start a marking cycle
    # (docs/performance.md, "Humongous uploads"; deploy/kubernetes/statefulset.yaml sets the same).
    -XX:G1HeapRegionSize=16m
    -Dquarkus.http.host=127.0.0.1
    -Dquarkus.http.port="$((GATEWAY_PORT + i))"
    -Dquarkus.oidc.auth-server-url="http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge"
    -Dquarkus.oidc.client-id=photobridge-gateway
    -Dphotobridge.db.url="jdbc:postgresql://127.0.0.1:$POSTGRES_PORT/photobridge"
    -Dphotobridge.db.username=photobridge
    # Per replica: working files (uploads in flight, plaintext while sending) and the audit
    # checkpoint file, which must not be shared (docs/security.md: one per instance).
    -Dphotobridge.data.directory="$STATE/gateway-$i"
    # Distinct per replica and stable across restarts: a starting instance releases every outbox
    # lease held under its name, so replicas sharing one would free each other's deliveries in flight.
    -Dphotobridge.routing.instance-id="local-gateway-$i"
    # Shared by every replica. The photo store: a photo accepted (202) by one replica must still be
    # delivered, viewed and withdrawn by another after the first one died; blobs are named by random
    # UUIDs, written under a temporary name and moved into place, and the orphan sweep only takes
    # blobs over an hour old that no photo refers to, so replicas cannot trip over each other.
    -Dphotobridge.store.directory="$STATE/store"
    -Dphotobridge.store.key-file="$STATE/storage.key"
    # The audit trail's MAC and signing keys: all replicas append to one chain in one database, and
    # each verifies the whole chain, so they must hold the same keys.
    -Dphotobridge.audit.key-file="$STATE/audit-key/audit-trail.key"
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
    # Orthanc is plain HTTP on this machine's loopback; credentials go in clear only there.
    -Dphotobridge.destinations.orthanc.plain-http-on-loopback=true
  )
  if [[ -n ${PB_GATEWAY_OPTS:-} ]]; then
    local extra
    read -ra extra <<<"$PB_GATEWAY_OPTS"
    GATEWAY_PROPS+=("${extra[@]}")
  fi
  # Secrets are passed in the environment, not on the command line (ps shows that). The destination
  # name "orthanc" is known from the system properties above, so the variable name maps back to it.
  GATEWAY_ENV=(
    QUARKUS_OIDC_CREDENTIALS_SECRET="$(<"$STATE/keycloak/gateway-client-secret")"
    PHOTOBRIDGE_DB_PASSWORD="$(<"$STATE/postgres/photobridge-password")"
    PHOTOBRIDGE_DESTINATIONS_ORTHANC_PASSWORD="$(jq -r .password "$STATE/orthanc/rest-credentials.json")"
  )
}
# ============================================================================================

usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2; exit 2; }

child=""        # the foreground job we are waiting for (build, service start, gateway, sleep)
gateway_pid=""  # replica 0, our own child (its output goes to the terminal)
gateway0_name="the gateway"
stopping=0

gateway_pidfile() { echo "$STATE/gateway-$1.pid"; }
# What only replica <i>'s command line contains (the trailing space keeps gateway-1 from matching
# gateway-10: pb_cmdline_has sees each argument followed by a space).
gateway_marker() { echo "-Dphotobridge.data.directory=$STATE/gateway-$1 "; }

# Stops every gateway of this state dir at once: replica 0 (our child) and the ones in pid files
# (background replicas, or whatever a killed stack.sh left). Only processes named by our pid files
# are stopped: a gateway someone started by hand is left alone.
stop_gateways() {
  local stoppers=() f i marker
  if [[ -n $gateway_pid ]] && kill -0 "$gateway_pid" 2>/dev/null; then
    pb_log "stopping $gateway0_name (pid $gateway_pid)"
    kill -TERM "$gateway_pid" 2>/dev/null || true
  fi
  for f in "$STATE"/gateway-*.pid "$STATE/gateway.pid"; do
    [[ -f $f ]] || continue
    if [[ $f == "$STATE/gateway.pid" ]]; then
      # Written by stack.sh before it knew replicas.
      i=""
      marker=$GATEWAY_JAR
    else
      i=${f#"$STATE"/gateway-}
      i=${i%.pid}
      [[ $i =~ ^[0-9]+$ ]] || continue
      [[ $i == 0 && -n $gateway_pid ]] && continue
      marker=$(gateway_marker "$i")
    fi
    pb_stop "$f" "$marker" "" "gateway${i:+ $i}" 30 &
    stoppers+=($!)
  done
  if [[ -n $gateway_pid ]]; then
    local deadline=$((SECONDS + 30))
    while kill -0 "$gateway_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
    kill -KILL "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
    rm -f "$(gateway_pidfile 0)"
  fi
  for f in "${stoppers[@]}"; do wait "$f" || true; done
}

stop_all() {
  # Stop in reverse order of start; each script waits until its processes are gone.
  stop_gateways
  "$here/orthanc.sh" stop "$STATE/orthanc" || true
  "$here/keycloak.sh" stop "$STATE/keycloak" || true
  "$here/postgres.sh" stop "$STATE/postgres" || true
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
  left=$( (pb_pids_with_marker "$STATE/" java; pb_pids_with_marker "$STATE/" Orthanc
    pb_pids_with_marker "$STATE/" postgres) | tr '\n' ' ')
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
  local replicas=$1 rel_creds=${CREDENTIALS#"$PB_ROOT"/} rel_state=${STATE#"$PB_ROOT"/} i gateway_lines stops
  if ((replicas == 0)); then
    gateway_lines="  Gateway           not started (--no-gateway); run it with the settings in stack.sh (gateway_env)"
    stops="Orthanc, Keycloak and PostgreSQL"
  elif ((replicas == 1)); then
    gateway_lines="  Gateway           http://127.0.0.1:$GATEWAY_PORT/   (API /api/v1, FHIR /fhir, health /q/health)"
    stops="the gateway, Orthanc, Keycloak and PostgreSQL"
  else
    gateway_lines="  Gateways          $replicas replicas on one PostgreSQL (API /api/v1, FHIR /fhir, health /q/health):"
    for ((i = 0; i < replicas; i++)); do
      gateway_lines+=$'\n'"                    http://127.0.0.1:$((GATEWAY_PORT + i))/   pid file $rel_state/gateway-$i.pid, "
      if ((i == 0)); then gateway_lines+="log: this terminal"; else gateway_lines+="log $rel_state/gateway-$i.log"; fi
    done
    stops="the gateways, Orthanc, Keycloak and PostgreSQL"
  fi
  cat <<SUMMARY

==================================================================================
 PhotoBridge local stack is up
$gateway_lines
  PostgreSQL        jdbc:postgresql://127.0.0.1:$POSTGRES_PORT/photobridge   (role photobridge, password:
                    $rel_state/postgres/photobridge-password; log $rel_state/postgres/postgres.log)
  Keycloak admin    http://127.0.0.1:$KEYCLOAK_PORT/admin/   (admin login: $rel_state/keycloak/admin.json)
  Realm (issuer)    http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge
  Orthanc explorer  http://127.0.0.1:$ORTHANC_HTTP_PORT/app/explorer.html   (DICOMweb /dicom-web/;
                    login: $rel_state/orthanc/rest-credentials.json)
  Orthanc DICOM     AE ORTHANC at 127.0.0.1:$ORTHANC_DICOM_PORT, stores accepted only from AE PHOTOBRIDGE
  Demo users        $rel_creds   (derm.photographer, derm.consultant, plastics.surgeon,
                    wound.nurse, compliance.officer, gateway.admin; roles: README.md)
  Client secret     $rel_state/keycloak/gateway-client-secret   (client photobridge-gateway)
  Storage key       $rel_state/storage.key   (photo store $rel_state/store, audit key $rel_state/audit-key/)
 Try it:
  # Password and token go to curl on stdin and through a file descriptor, never on its command line.
  TOKEN=\$(jq -j '."derm.photographer"' $rel_creds | curl -s \\
      http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge/protocol/openid-connect/token \\
      -d grant_type=password -d client_id=photobridge-cli -d username=derm.photographer \\
      --data-urlencode "password@-" | jq -r .access_token)
  auth() { printf 'Authorization: Bearer %s\\n' "\$TOKEN"; }
  # Capture needs the patient's consent first: see README.md (a FHIR Consent POSTed to /fhir/Consent).
  curl -i http://127.0.0.1:$GATEWAY_PORT/api/v1/photos -H @<(auth) \\
      -F file=@photo.jpg -F 'metadata={"patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"MRN-0042"},"name":"Doe^Jane","birthDate":"1980-01-31","sex":"F"},"encounter":{"identifier":{"system":"urn:oid:1.2.3.4.6","value":"ENC-1"}},"department":"dermatology","accessTags":["dermatology"],"bodySite":{"system":"http://snomed.info/sct","code":"40983000","display":"Upper arm"},"laterality":"L","takenAt":"2026-11-20T10:11:12Z"};type=application/json'
 Ctrl-C stops $stops.
==================================================================================

SUMMARY
}

start_services() {
  "$PB_ROOT/deploy/setup/apt-install.sh" postgresql orthanc orthanc-dicomweb libpixelmed-java jq curl unzip
  mkdir -p "$STATE"
  # Search (x) but no listing for others: PostgreSQL runs as the OS user postgres and must reach
  # state/postgres/. Everything in here keeps an owner-only mode of its own.
  chmod 711 "$STATE"
  ensure_storage_key
  local first_credentials=0
  [[ -s $CREDENTIALS ]] || first_credentials=1
  run_step "$here/postgres.sh" start "$POSTGRES_PORT" "$STATE/postgres"
  run_step "$here/keycloak.sh" start "$KEYCLOAK_PORT" "$STATE/keycloak" "$CREDENTIALS"
  run_step "$here/orthanc.sh" start "$ORTHANC_DICOM_PORT" "$ORTHANC_HTTP_PORT" "$STATE/orthanc"
  if ((first_credentials)); then
    # Shown once; afterwards they are only in the file.
    printf '\nDemo users and their generated passwords (kept in %s):\n' "${CREDENTIALS#"$PB_ROOT"/}"
    jq -r 'to_entries[] | "  \(.key)  \(.value)"' "$CREDENTIALS"
  fi
}

services_running() {
  "$here/postgres.sh" status "$STATE/postgres" >/dev/null \
    && pb_running_pid "$STATE/keycloak/keycloak.pid" "$STATE/keycloak/home/bin/" >/dev/null \
    && pb_running_pid "$STATE/orthanc/orthanc.pid" "$STATE/orthanc/orthanc.json" >/dev/null
}

# Sleeps in a job of its own, so that a signal is handled at once.
pause() {
  sleep "$1" &
  child=$!
  wait "$child" || true
  child=""
}

# Waits while PostgreSQL, Keycloak and Orthanc run; returns when one of them died.
watch_services() {
  while services_running; do pause 2; done
  pb_log "PostgreSQL, Keycloak or Orthanc stopped unexpectedly (logs: $STATE/postgres/postgres.log," \
    "$STATE/keycloak/keycloak.log, $STATE/orthanc/orthanc.log)"
  return 1
}

# Starts replica <i> in the background (own session, output to state/gateway-<i>.log).
start_background_replica() {
  local i=$1 java=$2 log=$STATE/gateway-$1.log
  gateway_env "$i"
  (umask 077 && printf '\n==== %s start (port %s) ====\n' "$(date -Is)" "$((GATEWAY_PORT + i))" >>"$log")
  # Secrets go into the environment by `export` (a builtin: no command line shows them).
  (export "${GATEWAY_ENV[@]}" && pb_spawn "$log" "$(gateway_pidfile "$i")" "$java" "${GATEWAY_PROPS[@]}" -jar "$GATEWAY_JAR")
  pb_log "started gateway $i on http://127.0.0.1:$((GATEWAY_PORT + i)) (pid $(<"$(gateway_pidfile "$i")"), log $log)"
}

# Waits until replica <i> listens; fails when it exited or took longer than GATEWAY_START_TIMEOUT.
wait_listening() {
  local i=$1 pid=$2 deadline=$((SECONDS + gateway_start_timeout)) where="this terminal"
  ((i == 0)) || where=$STATE/gateway-$i.log
  while ! pb_port_open "$((GATEWAY_PORT + i))"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      ((i == 0)) || tail -n 40 "$where" >&2
      pb_die "gateway $i exited during start-up (log: $where)"
    fi
    ((SECONDS < deadline)) || pb_die "gateway $i does not listen on port $((GATEWAY_PORT + i)) after $gateway_start_timeout s (log: $where)"
    pause 0.5
  done
}

run_gateways() {
  local skip_build=$1 replicas=$2 i
  for ((i = 0; i < replicas; i++)); do pb_require_port_free "$((GATEWAY_PORT + i))" "gateway $i"; done
  if ((!skip_build)); then
    "$PB_ROOT/deploy/setup/install-pixelmed.sh"
    pb_log "building the gateway (./mvnw -q -B -DskipTests install)"
    run_step ./mvnw -q -B -DskipTests install
  fi
  [[ -f $GATEWAY_JAR ]] || pb_die "$GATEWAY_JAR not found (build it, or drop --skip-build)"
  for d in store audit-key $(for ((i = 0; i < replicas; i++)); do echo "gateway-$i"; done); do
    mkdir -p "$STATE/$d"
    chmod 700 "$STATE/$d"
  done
  local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  # Replica 0 in the foreground, as with one gateway: its output goes to this terminal.
  gateway_env 0
  ((replicas == 1)) || gateway0_name="gateway 0"
  pb_log "starting $gateway0_name on http://127.0.0.1:$GATEWAY_PORT"
  (export "${GATEWAY_ENV[@]}" && exec "$java" "${GATEWAY_PROPS[@]}" -jar "$GATEWAY_JAR") &
  gateway_pid=$!
  child=$gateway_pid
  echo "$gateway_pid" >"$(gateway_pidfile 0)"
  if ((replicas > 1)); then
    # The others start once replica 0 listens: by then it has migrated the schema and made the
    # audit key file, so the replicas do not race for either.
    wait_listening 0 "$gateway_pid"
    for ((i = 1; i < replicas; i++)); do start_background_replica "$i" "$java"; done
  fi
  for ((i = 0; i < replicas; i++)); do
    local pid=$gateway_pid
    ((i == 0)) || pid=$(<"$(gateway_pidfile "$i")")
    wait_listening "$i" "$pid"
  done
  print_summary "$replicas"
  # Runs until replica 0 exits (Ctrl-C stops everything); a background replica that dies (say, one
  # killed to try fail-over) is reported, and the others carry on.
  local dead=()
  while kill -0 "$gateway_pid" 2>/dev/null; do
    for ((i = 1; i < replicas; i++)); do
      [[ -z ${dead[i]:-} ]] || continue
      if ! pb_running_pid "$(gateway_pidfile "$i")" "$(gateway_marker "$i")" >/dev/null; then
        dead[i]=1
        pb_log "WARNING: gateway $i (port $((GATEWAY_PORT + i))) is no longer running; log $STATE/gateway-$i.log"
      fi
    done
    pause 2
  done
  local rc=0
  wait "$gateway_pid" || rc=$?
  pb_log "$gateway0_name exited with status $rc"
  return $rc
}

main() {
  local no_gateway=0 skip_build=0 replicas=1
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
      --replicas)
        (($# >= 2)) || usage
        replicas=$2
        shift ;;
      --replicas=*) replicas=${1#--replicas=} ;;
      *) usage ;;
    esac
    shift
  done
  # Up to 50: the gateways' ports (8080 + i) stay below Keycloak's 8180.
  if ! [[ $replicas =~ ^[0-9]+$ ]] || ((replicas < 1 || replicas > 50)); then
    pb_die "--replicas takes a number from 1 to 50, not '$replicas'"
  fi
  ((no_gateway && replicas > 1)) && pb_die "--replicas and --no-gateway exclude each other"
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
    run_gateways "$skip_build" "$replicas"
  fi
}

main "$@"
