#!/usr/bin/env bash
# Runs a real Keycloak (org.keycloak:keycloak-quarkus-dist from Maven Central) on loopback with
# the PhotoBridge realm (config/keycloak/photobridge-realm.json).
#
#   keycloak.sh start <http-port> <state-dir> [<credentials-file>]
#   keycloak.sh stop <state-dir>
#   keycloak.sh status <state-dir>
#
# The management interface (health) listens on 127.0.0.1:<http-port + 1000>.
# <credentials-file> (or $KEYCLOAK_CREDENTIALS_FILE; default <state-dir>/credentials.json) maps each
# demo user to its password: {"derm.photographer": "...", ...}. Passwords are generated on the
# first start and reused afterwards. <state-dir> holds:
#   home/                    this instance's Keycloak (hard links into .cache/), with data/ = dev-file H2 DB
#   admin.json               bootstrap admin of the master realm {"username","password"} (0600)
#   gateway-client-secret    secret of the confidential client photobridge-gateway (0600)
#   keycloak.log, keycloak.pid
# Restarts keep the data: the realm is imported only when it does not exist yet, and passwords and
# the client secret are only set when they differ from the stored ones. The realm file is read
# only at the first start: after editing it, stop Keycloak and delete <state-dir>.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
PB_LOG_TAG=keycloak

kc_version=26.7.3
realm=photobridge
gateway_client=photobridge-gateway
cli_client=photobridge-cli
realm_file=$PB_ROOT/config/keycloak/photobridge-realm.json
cache=$PB_ROOT/.cache/keycloak
dist=$cache/keycloak-$kc_version
start_timeout=${KEYCLOAK_START_TIMEOUT:-180}

usage() {
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# ---- distribution: downloaded and unpacked once per checkout (.cache/ is git-ignored) ----
ensure_dist() {
  [[ -x $dist/bin/kc.sh ]] && return 0
  mkdir -p "$cache"
  # Two stacks starting at once must not unpack over each other.
  exec 9>"$cache/.lock"
  flock 9
  if [[ ! -x $dist/bin/kc.sh ]]; then
    local zip=$cache/keycloak-quarkus-dist-$kc_version.zip
    if [[ ! -s $zip ]]; then
      pb_log "downloading org.keycloak:keycloak-quarkus-dist:$kc_version from Maven Central (once)"
      # -N: only the parent POM is read, so this works whatever state the modules are in.
      "$PB_ROOT/mvnw" -q -B -N -f "$PB_ROOT/pom.xml" dependency:copy \
        -Dartifact="org.keycloak:keycloak-quarkus-dist:$kc_version:zip" \
        -DoutputDirectory="$cache" -Dmdep.overWriteReleases=true >&2
      [[ -s $zip ]] || pb_die "download of keycloak-quarkus-dist $kc_version failed"
    fi
    command -v unzip >/dev/null || "$PB_ROOT/deploy/setup/apt-install.sh" unzip
    local tmp
    tmp=$(mktemp -d "$cache/unpack.XXXXXX")
    unzip -q "$zip" -d "$tmp"
    rm -rf "$dist"
    mv "$tmp/keycloak-$kc_version" "$dist"
    rm -rf "$tmp"
  fi
  flock -u 9
}

# This instance's Keycloak home: hard links to the unpacked distribution (no extra disk space), but
# real copies of conf/ and lib/quarkus/, which the start-dev build step rewrites, and its own data/.
ensure_home() {
  local home=$1
  [[ -x $home/bin/kc.sh && -f $home/.photobridge-kc-$kc_version ]] && return 0
  rm -rf "$home"
  mkdir -p "$home"
  cp -al "$dist/." "$home/" 2>/dev/null || cp -a "$dist/." "$home/"
  rm -rf "$home/conf" "$home/lib/quarkus"
  cp -a "$dist/conf" "$home/conf"
  cp -a "$dist/lib/quarkus" "$home/lib/quarkus"
  touch "$home/.photobridge-kc-$kc_version"
}

# Keycloak 26 needs Java 21 or newer; the project's own JDK is 17. Newest JDK >= 21 wins.
find_java_home() {
  local candidates=() d v best="" best_v=0
  [[ -n ${KEYCLOAK_JAVA_HOME:-} ]] && candidates+=("$KEYCLOAK_JAVA_HOME")
  shopt -s nullglob
  candidates+=(/usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/temurin-[3-9]* /usr/lib/jvm/java-2[1-9]-* /usr/lib/jvm/java-[3-9][0-9]-*)
  shopt -u nullglob
  for d in "${candidates[@]}"; do
    [[ -x $d/bin/java && -f $d/release ]] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release")
    [[ $v =~ ^[0-9]+$ ]] && ((v >= 21 && v > best_v)) && { best=$d; best_v=$v; }
  done
  [[ -n $best ]] || pb_die "Keycloak $kc_version needs a JDK 21 or newer (none under /usr/lib/jvm; set KEYCLOAK_JAVA_HOME)"
  echo "$best"
}

# ---- secrets kept in the state dir ----
ensure_secret_files() {
  local state=$1
  if [[ ! -s $state/admin.json ]]; then
    # Secrets reach jq in its environment ($ENV), never on its command line (ps shows those).
    PB_NEW_PASSWORD=$(pb_random 24) jq -n '{username: "admin", password: $ENV.PB_NEW_PASSWORD}' \
      | pb_write_secret "$state/admin.json"
  fi
  if [[ ! -s $state/gateway-client-secret ]]; then
    pb_random 32 | pb_write_secret "$state/gateway-client-secret"
  fi
  chmod 600 "$state/admin.json" "$state/gateway-client-secret"
}

# The realm file with the client secret filled in, where --import-realm looks for it.
write_import_file() {
  local state=$1 home=$1/home secret
  secret=$(<"$state/gateway-client-secret")
  mkdir -p "$home/data/import"
  PB_CLIENT_SECRET=$secret jq --arg c "$gateway_client" \
    '(.clients[] | select(.clientId == $c) | .secret) |= (if . == "${PHOTOBRIDGE_GATEWAY_CLIENT_SECRET}" then $ENV.PB_CLIENT_SECRET else error("unexpected secret placeholder") end)' \
    "$realm_file" | pb_write_secret "$home/data/import/photobridge-realm.json"
}

cmd_start() {
  (($# == 2 || $# == 3)) || usage
  local port=$1 state creds mport
  pb_require_port_number "$port"
  mport=$((port + 1000))
  pb_require_port_number "$mport"
  for tool in jq curl; do command -v "$tool" >/dev/null || "$PB_ROOT/deploy/setup/apt-install.sh" "$tool"; done
  state=$(pb_abs_dir "$2")
  creds=${3:-${KEYCLOAK_CREDENTIALS_FILE:-$state/credentials.json}}
  mkdir -p "$(dirname "$creds")"
  creds=$(cd "$(dirname "$creds")" && pwd)/$(basename "$creds")
  chmod 700 "$state"

  local home=$state/home pidfile=$state/keycloak.pid log=$state/keycloak.log marker=$state/home/bin/ pid
  local started_at=$SECONDS
  if pid=$(pb_running_pid "$pidfile" "$marker"); then
    pb_log "already running (pid $pid)"
  else
    local orphans
    mapfile -t orphans < <(pb_pids_with_marker "$marker" java)
    if ((${#orphans[@]})); then
      pb_log "found an earlier Keycloak of this state dir without pid file: ${orphans[*]}; stopping it"
      pb_stop "$pidfile" "$marker" java Keycloak
    fi
    pb_require_port_free "$port" "Keycloak HTTP"
    pb_require_port_free "$mport" "Keycloak management"
    ensure_dist
    ensure_home "$home"
    ensure_secret_files "$state"
    write_import_file "$state"
    local java_home admin_user admin_pass
    java_home=$(find_java_home)
    admin_user=$(jq -r .username "$state/admin.json")
    admin_pass=$(jq -r .password "$state/admin.json")
    printf '\n==== %s start (HTTP %s, management %s) ====\n' "$(date -Is)" "$port" "$mport" >>"$log"
    pb_log "starting on http://127.0.0.1:$port (Java $java_home; log $log)"
    # A clean environment: variables meant for the gateway (QUARKUS_*, KC_*) must not leak in.
    # The bootstrap admin is created only when the master realm has no admin yet (first start).
    pb_spawn "$log" "$pidfile" env -i PATH=/usr/bin:/bin HOME="$state" LANG=C.UTF-8 \
      JAVA_HOME="$java_home" \
      KC_BOOTSTRAP_ADMIN_USERNAME="$admin_user" KC_BOOTSTRAP_ADMIN_PASSWORD="$admin_pass" \
      "$home/bin/kc.sh" start-dev \
      --http-host=127.0.0.1 --http-port="$port" \
      --http-management-host=127.0.0.1 --http-management-port="$mport" \
      --hostname-strict=false --health-enabled=true \
      --import-realm --log-console-color=false
    pid=$(<"$pidfile")
  fi
  wait_ready "$pid" "$port" "$log"
  configure "$port" "$state" "$creds"
  pb_log "ready: http://127.0.0.1:$port/realms/$realm (pid $pid, $((SECONDS - started_at)) s; credentials $creds)"
}

wait_ready() {
  local pid=$1 port=$2 log=$3 deadline=$((SECONDS + start_timeout))
  local url=http://127.0.0.1:$port/realms/$realm/.well-known/openid-configuration
  until curl -fs -o /dev/null --max-time 5 "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      pb_log "Keycloak exited during start-up; last lines of $log:"
      tail -n 60 "$log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      pb_log "realm not served after ${start_timeout}s; last lines of $log:"
      tail -n 60 "$log" >&2
      exit 1
    fi
    sleep 1
  done
}

# ---- admin REST API ----
kc_base=""
admin_token=""
# The admin token and request bodies (which carry passwords and the client secret) reach curl from
# a file descriptor (-H @file) and its stdin (--data-binary @-), never on its command line: ps
# shows command lines to every user of the machine. printf is a shell builtin, not a process.
admin_api() { # METHOD PATH [JSON-BODY]
  local method=$1 path=$2
  if (($# == 3)); then
    printf '%s' "$3" | curl -fsS -X "$method" -H @<(printf 'Authorization: Bearer %s\n' "$admin_token") \
      -H 'Content-Type: application/json' --data-binary @- "$kc_base/admin/realms/$realm$path"
  else
    curl -fsS -X "$method" -H @<(printf 'Authorization: Bearer %s\n' "$admin_token") \
      "$kc_base/admin/realms/$realm$path"
  fi
}

# True when <user> can log in with <password> through the CLI client (password grant).
can_log_in() {
  # The password reaches curl on its stdin (password@-), not on its command line.
  printf '%s' "$2" | curl -fs -o /dev/null --max-time 10 \
    --data-urlencode grant_type=password --data-urlencode "client_id=$cli_client" \
    --data-urlencode "username=$1" --data-urlencode "password@-" \
    "$kc_base/realms/$realm/protocol/openid-connect/token"
}

configure() {
  local port=$1 state=$2 creds=$3
  kc_base=http://127.0.0.1:$port
  admin_token=$(jq -j .password "$state/admin.json" \
    | curl -fsS --data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
    --data-urlencode "username=$(jq -r .username "$state/admin.json")" --data-urlencode "password@-" \
    "$kc_base/realms/master/protocol/openid-connect/token" | jq -r .access_token) \
    || pb_die "cannot log in as the bootstrap admin stored in $state/admin.json"

  # Client secret: the import set it; make sure it still equals the stored one.
  local secret cid current
  secret=$(<"$state/gateway-client-secret")
  cid=$(admin_api GET "/clients?clientId=$gateway_client" | jq -r '.[0].id // empty')
  [[ -n $cid ]] || pb_die "client $gateway_client not found in realm $realm"
  current=$(admin_api GET "/clients/$cid/client-secret" | jq -r '.value // empty')
  if [[ $current != "$secret" ]]; then
    pb_log "setting the secret of client $gateway_client"
    admin_api PUT "/clients/$cid" "$(admin_api GET "/clients/$cid" | PB_CLIENT_SECRET=$secret jq '.secret = $ENV.PB_CLIENT_SECRET')" >/dev/null
  fi

  # Users' passwords: generated once (for users that have none in the file yet), then reused.
  local users user pass uid otp new=0 all
  mapfile -t users < <(jq -r '.users[].username' "$realm_file")
  all='{}'
  [[ -s $creds ]] && all=$(jq -c . "$creds")
  for user in "${users[@]}"; do
    pass=$(jq -r --arg u "$user" '.[$u] // empty' <<<"$all")
    if [[ -z $pass ]]; then
      pass=$(pb_random 18)
      all=$(PB_PASSWORD=$pass jq -c --arg u "$user" '.[$u] = $ENV.PB_PASSWORD' <<<"$all")
      new=1
    fi
    # A user with an OTP credential cannot sign in by password alone (the direct grant asks for the
    # OTP too), so their password is set without that check, every start.
    otp=$(jq -r --arg u "$user" '[.users[] | select(.username == $u) | .credentials[]? | select(.type == "otp")] | length' "$realm_file")
    ((otp == 0)) && can_log_in "$user" "$pass" && continue
    uid=$(admin_api GET "/users?username=$user&exact=true" | jq -r '.[0].id // empty')
    [[ -n $uid ]] || pb_die "user $user not found in realm $realm"
    admin_api PUT "/users/$uid/reset-password" \
      "$(PB_PASSWORD=$pass jq -n '{type: "password", value: $ENV.PB_PASSWORD, temporary: false}')" >/dev/null
    ((otp > 0)) && continue
    can_log_in "$user" "$pass" || pb_die "user $user still cannot log in after setting the password (required actions?)"
  done
  if ((new)) || [[ ! -s $creds ]]; then
    jq . <<<"$all" | pb_write_secret "$creds"
    pb_log "wrote new demo-user passwords to $creds"
  fi
  chmod 600 "$creds"
}

cmd_stop() {
  (($# == 1)) || usage
  local state
  # realpath -m: the state dir may be gone (mvn clean) while its processes still run.
  state=$(realpath -m "$1")
  pb_stop "$state/keycloak.pid" "$state/home/bin/" java Keycloak 60
}

cmd_status() {
  (($# == 1)) || usage
  local state pid
  state=$(cd "$1" 2>/dev/null && pwd) || { echo "stopped"; return 3; }
  if pid=$(pb_running_pid "$state/keycloak.pid" "$state/home/bin/"); then echo "running (pid $pid)"; else echo "stopped"; return 3; fi
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *) usage ;;
esac
