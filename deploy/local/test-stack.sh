#!/usr/bin/env bash
# Real Keycloak and Orthanc for the test run, on ports of their own so that a running local stack
# (deploy/local/stack.sh) does not collide, with state under target/test-stack/.
#
#   test-stack.sh start    start both (idempotent: a running one is kept) and write the properties
#   test-stack.sh stop     stop both
#   test-stack.sh status
#
# The Java tests read target/test-stack/test-stack.properties (keys are listed in write_properties).
# They stop and start Orthanc themselves (PACS outage tests) with orthanc.stop-command and
# orthanc.start-command: single shell command lines; a restart keeps the stored instances.
# Ports can be moved with PB_TEST_KEYCLOAK_PORT, PB_TEST_ORTHANC_DICOM_PORT, PB_TEST_ORTHANC_HTTP_PORT.
# Note: `mvn clean` at the root deletes target/test-stack; stop the stack first (if you forget,
# the next start/stop still finds the processes by their state path and stops them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
PB_LOG_TAG=test-stack

keycloak_port=${PB_TEST_KEYCLOAK_PORT:-18180}
orthanc_dicom_port=${PB_TEST_ORTHANC_DICOM_PORT:-14242}
orthanc_http_port=${PB_TEST_ORTHANC_HTTP_PORT:-18042}
orthanc_aet=ORTHANC
realm=photobridge

state=$PB_ROOT/target/test-stack
kc_state=$state/keycloak
orthanc_state=$state/orthanc
credentials=$state/credentials.json
properties=$state/test-stack.properties

# Java .properties value escaping (backslashes; leading blanks would be dropped).
prop() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | sed -e 's/\\/\\\\/g' -e 's/^ /\\ /')"; }

write_properties() {
  local secret tmp=$properties.tmp
  secret=$(<"$kc_state/gateway-client-secret")
  {
    echo "# Written by deploy/local/test-stack.sh start on $(date -Is); read by the Java tests."
    prop keycloak.url "http://127.0.0.1:$keycloak_port"
    prop keycloak.realm "$realm"
    prop keycloak.auth-server-url "http://127.0.0.1:$keycloak_port/realms/$realm"
    prop keycloak.client-id photobridge-gateway
    prop keycloak.client-secret "$secret"
    prop keycloak.cli-client-id photobridge-cli
    prop keycloak.credentials-file "$credentials"
    prop keycloak.admin-username "$(jq -r .username "$kc_state/admin.json")"
    prop keycloak.admin-password "$(jq -r .password "$kc_state/admin.json")"
    prop orthanc.host 127.0.0.1
    prop orthanc.dicom-port "$orthanc_dicom_port"
    prop orthanc.http-port "$orthanc_http_port"
    prop orthanc.http-url "http://127.0.0.1:$orthanc_http_port"
    prop orthanc.dicomweb-url "http://127.0.0.1:$orthanc_http_port/dicom-web"
    prop orthanc.ae-title "$orthanc_aet"
    prop orthanc.state-dir "$orthanc_state"
    prop orthanc.start-command "$(pb_shell_line "$here/orthanc.sh" start "$orthanc_dicom_port" "$orthanc_http_port" "$orthanc_state")"
    prop orthanc.stop-command "$(pb_shell_line "$here/orthanc.sh" stop "$orthanc_state")"
  } | pb_write_secret "$tmp"
  mv -f "$tmp" "$properties"
}

cmd_start() {
  local t0=$SECONDS
  # Debian packages the test run needs: the PACS, and dcmtk/dicom3tools for independent checks.
  "$PB_ROOT/deploy/setup/apt-install.sh" orthanc orthanc-dicomweb dcmtk dicom3tools jq curl unzip
  mkdir -p "$state"
  chmod 700 "$state"
  "$here/keycloak.sh" start "$keycloak_port" "$kc_state" "$credentials"
  "$here/orthanc.sh" start "$orthanc_dicom_port" "$orthanc_http_port" "$orthanc_state"
  write_properties
  pb_log "test stack ready in $((SECONDS - t0)) s; properties: $properties"
}

cmd_stop() {
  local rc=0
  "$here/orthanc.sh" stop "$orthanc_state" || rc=1
  "$here/keycloak.sh" stop "$kc_state" || rc=1
  return $rc
}

cmd_status() {
  echo "keycloak: $("$here/keycloak.sh" status "$kc_state" || true)"
  echo "orthanc:  $("$here/orthanc.sh" status "$orthanc_state" || true)"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
