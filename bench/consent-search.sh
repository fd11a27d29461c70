#!/usr/bin/env bash
# Benchmark 4 (docs/performance.md): FHIR searches over a million Consents in PostgreSQL.
#
#   bench/consent-search.sh [--consents N] [--studies S] [--requests R] [--warmup W] [--driver both|wrk|jdk]
#                           [--http 2|1.1] [--settle-max S] [--skip-build] [--jfr]
#
#   --consents N   Consents to seed (default 1000000; two per patient)
#   --studies S    ImagingStudies to seed, one photo each (default 200000)
#   --requests R   timed requests per query and concurrency (default 400)
#   --warmup W     untimed requests before each timed run (default 50)
#   --settle-max S before the first timed run, the four requests are driven with wrk at concurrency 8
#                  in rounds (200 of each) until the gateway's JIT compilers were busy for less than
#                  5 % of the wall time of two rounds in a row, for at most S seconds (default 300;
#                  0: no settling; on a quiet machine it took 2.5-4 minutes, some 33,000 requests).
#                  A freshly started gateway compiles for minutes (its C2 thread took a quarter to a
#                  third of its CPU after thousands of requests); a hospital's gateway runs for weeks.
#                  Every timed run reports the compile time it still saw (CPU line, jit=).
#   --driver D     the load driver: both (default: each query and concurrency first with the JDK
#                  driver, then with wrk), wrk or jdk.
#                  jdk: bench/SearchBench.java, the JDK's HttpClient started as a source file; it costs
#                  8-14 ms of CPU per request on the gateway's cores (its label has no prefix).
#                  wrk: Debian's wrk with bench/wrk-search.lua, HTTP/1.1 keep-alive, a connection per
#                  concurrent request, one wrk thread; well under 1 ms of CPU per request (label wrk-…).
#   --http V       the JDK driver's HTTP version: 2 (default; h2c, every concurrent request on one
#                  connection) or 1.1 (a connection per concurrent request, like separate clients)
#   --jfr          record a JFR profile of the gateway during the concurrency-8 runs
#                  (target/bench/consent-c8.jfr) and print its hottest methods, native methods and
#                  allocation sites (target/bench/consent-jfr-summary.txt)
#
# Every timed run also reports the CPU time spent per request by the gateway, PostgreSQL and the
# load driver itself (CPU line; from /proc, whole processes), which is less noisy than latency on a
# shared machine.
#
# Starts the local stack with its own state in target/bench/state-consent (kept between runs: the
# seeding is done once per size), creates template Consents (clinical care; clinical care and
# teaching with a signed form) and one photo through the API, clones them in bulk with SQL
# (bench/consent-search.sql), and then times, at concurrency 1 and 8, with bench/SearchBench.java:
#   GET /fhir/Consent?patient:identifier=…|<random seeded patient>&status=active
#   GET /fhir/Consent?purpose=TRAIN&date=ge2025-06-01
#   GET /fhir/ImagingStudy?patient:identifier=…|<random seeded patient>
# against the reference GET /fhir/Consent/<id> (a read by id through the same door: token, access
# policy, audit). The query plans of the statements the gateway sends are written to
# target/bench/consent-plans.txt (PostgreSQL's auto_explain during one request of each kind).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../deploy/local/lib.sh
source "$here/../deploy/local/lib.sh"
PB_LOG_TAG=bench
cd "$PB_ROOT"

consents=1000000 studies=200000 requests=400 warmup=50 driver=both http=2 skip_build=0 jfr=0 settle_max=300
while (($#)); do
  case $1 in
    --consents) consents=$2; shift ;;
    --studies) studies=$2; shift ;;
    --requests) requests=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --driver) driver=$2; shift ;;
    --http) http=$2; shift ;;
    --settle-max) settle_max=$2; shift ;;
    --skip-build) skip_build=1 ;;
    --jfr) jfr=1 ;;
    *) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
  esac
  shift
done
[[ $consents =~ ^[1-9][0-9]*$ && $studies =~ ^[1-9][0-9]*$ && $requests =~ ^[1-9][0-9]*$ && $warmup =~ ^[0-9]+$ && $settle_max =~ ^[0-9]+$ ]] \
  || pb_die "--consents, --studies and --requests take positive numbers, --warmup and --settle-max a number"
[[ $http == 2 || $http == 1.1 ]] || pb_die "--http takes 2 or 1.1"
[[ $driver == both || $driver == wrk || $driver == jdk ]] || pb_die "--driver takes both, wrk or jdk"
((consents % 2 == 0)) || pb_die "--consents must be even (two per patient)"

"$PB_ROOT/deploy/setup/apt-install.sh" jq curl postgresql-client wrk
export KEYCLOAK_START_TIMEOUT=${KEYCLOAK_START_TIMEOUT:-900}
work=$PB_ROOT/target/bench
state=$work/state-consent
results=$work/consent-results.txt
# The local stack's ports, moved together by PB_STACK_PORT_OFFSET (deploy/local/stack.sh).
port_offset=${PB_STACK_PORT_OFFSET:-0}
[[ $port_offset =~ ^[0-9]?0$ ]] || pb_die "PB_STACK_PORT_OFFSET takes 0, 10, 20 ... 90, not '$port_offset'"
GATEWAY_PORT=$((8080 + port_offset)) KEYCLOAK_PORT=$((8180 + port_offset)) POSTGRES_PORT=$((5433 + port_offset))
ORTHANC_DICOM_PORT=$((4242 + port_offset)) ORTHANC_HTTP_PORT=$((8042 + port_offset))
GATEWAY=http://127.0.0.1:$GATEWAY_PORT
TOKEN_URL=http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge/protocol/openid-connect/token
mkdir -p "$work"
: >"$results"

stack_pid=""
trap 'rc=$?; [[ -z $stack_pid ]] || { kill -TERM "$stack_pid" 2>/dev/null; wait "$stack_pid" 2>/dev/null || true; }; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The local stack's ports must be free: a stack left running would answer in place of ours.
for port in $GATEWAY_PORT $KEYCLOAK_PORT $POSTGRES_PORT $ORTHANC_DICOM_PORT $ORTHANC_HTTP_PORT; do pb_require_port_free "$port" "the benchmark's local stack"; done

log=$work/stack-consent.log
build_flag=--skip-build
((skip_build)) || build_flag=""
start_stack() {
  pb_log "starting the local stack ($log)"
  PB_LOCAL_STATE=$state "$PB_ROOT/deploy/local/stack.sh" $build_flag >"$log" 2>&1 &
  stack_pid=$!
  pb_wait_gateway_ready "$GATEWAY" "$stack_pid" "$log"
}
start_stack

export PGPASSWORD
PGPASSWORD=$(<"$state/postgres/photobridge-password")
sql() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$POSTGRES_PORT" -U photobridge -d photobridge "$@"; }
# As the cluster's superuser over its socket (auto_explain is a superuser setting).
admin_sql() {
  local user=postgres
  ((EUID == 0)) || user=$(id -un)
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$state/postgres/run" -p "$POSTGRES_PORT" -U "$user" -d photobridge "$@")
  else
    psql -X -q -v ON_ERROR_STOP=1 -h "$state/postgres/run" -p "$POSTGRES_PORT" -U "$user" -d photobridge "$@"
  fi
}
password_file() { local f=$work/$1.password; jq -j --arg u "$1" '.[$u]' "$state/credentials.json" | (umask 077 && cat >"$f"); echo "$f"; }
# Secrets never on a command line (`ps` shows it): headers come from process substitutions.
bearer() { printf 'Authorization: Bearer %s' "$1"; }
token() { curl -sf "$TOKEN_URL" -d grant_type=password -d client_id=photobridge-cli -d "username=$1" \
  --data-urlencode "password@$(password_file "$1")" | jq -r .access_token; }

# The teaching template's signed form (the seeding puts it back into each clone, see the SQL).
form=$(printf '%%PDF-1.4\n%% photography consent signed by the patient (benchmark template)\n%%%%EOF\n' | base64 -w0)

# --- seeding (once per size) ---------------------------------------------------------------------
seeded=$(sql -At -c "select count(*) from consent_resource where id like 'seed-%'")
seeded_studies=$(sql -At -c "select count(*) from encounter_study where patient_value like 'SEED-%'")
if ((seeded != consents || seeded_studies != studies)); then
  ((seeded == 0 && seeded_studies == 0)) \
    || pb_die "$state holds another size ($seeded Consents, $seeded_studies studies); delete it to seed $consents"
  pb_log "creating the templates through the API"
  manager=$(token derm.consultant)
  form_sha256=$(echo -n "$form" | base64 -d | sha256sum | cut -d' ' -f1)
  form_sha1=$(echo -n "$form" | base64 -d | openssl dgst -sha1 -binary | base64 -w0)
  template() {  # $1 extra purpose JSON; $2 extra fields
    curl -sf "$GATEWAY/fhir/Consent" -H @<(bearer "$manager") -H 'Content-Type: application/fhir+json' -d '{
      "resourceType": "Consent", "status": "active",
      "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
      "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
      "patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "TEMPLATE-1"}},
      "dateTime": "2026-01-01T00:00:00Z",
      "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
      "provision": {"type": "permit", "purpose": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "TREAT"}'"$1"']}'"$2"'}' | jq -r .id
  }
  t_plain=$(template "" "")
  t_teaching=$(template ', {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "TRAIN"}' ', "sourceAttachment": {
      "extension": [{"url": "http://photobridge.org/fhir/StructureDefinition/attachment-sha256", "valueString": "'"$form_sha256"'"}],
      "contentType": "application/pdf", "data": "'"$form"'", "hash": "'"$form_sha1"'", "title": "Signed photography consent"}')
  [[ $t_plain != null && $t_teaching != null && -n $t_plain && -n $t_teaching ]] || pb_die "could not create the template Consents"
  photo=$work/template.jpg
  [[ -s $photo ]] || java "$here/DeliveryBench.java" generate "$work/images" 1 >/dev/null
  [[ -s $photo ]] || cp "$work/images/photo-00000.jpg" "$photo"
  photographer=$(token derm.photographer)
  curl -sf -o /dev/null "$GATEWAY/api/v1/photos" -H @<(bearer "$photographer") -F "file=@$photo" \
    -F 'metadata={"patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"TEMPLATE-1"}},"encounter":{"identifier":{"system":"urn:oid:1.2.3.4.6","value":"TEMPLATE-ENC"}},"department":"dermatology","accessTags":["dermatology"],"bodySite":{"system":"http://snomed.info/sct","code":"40983000"},"laterality":"L"};type=application/json' \
    || pb_die "could not upload the template photo"
  t_study=$(sql -At -c "select id from encounter_study where patient_value = 'TEMPLATE-1'")
  pb_log "seeding $consents Consents and $studies studies (bench/consent-search.sql)"
  t0=$SECONDS
  sql -v consents="$consents" -v studies="$studies" -v t_plain="$t_plain" -v t_teaching="$t_teaching" \
    -v t_patient=TEMPLATE-1 -v t_study="$t_study" -v form="$form" -f "$here/consent-search.sql"
  pb_log "seeded in $((SECONDS - t0)) s"
fi
# Seeded before the SQL above put the forms back: clones that share the template's ciphertext (sealed
# for the template's id, so they fail decryption) get the form in plaintext, sealed at the next start.
repaired=$(sql -At -v form="$form" <<'SQL'
with t as (select v.source_form from consent_version v join consent_resource r on r.id = v.consent_id
           where r.patient_value = 'TEMPLATE-1' and v.source_form is not null),
fixed as (update consent_version v
          set resource_json = jsonb_set(v.resource_json::jsonb, '{sourceAttachment,data}', to_jsonb(:'form'::text))::text,
              source_form = null, form_key_id = null, form_pending = true
          from t where v.consent_id like 'seed-%' and v.source_form = t.source_form returning 1)
select count(*) from fixed;
SQL
)
((repaired == 0)) || pb_log "put back $repaired signed forms cloned with the template's ciphertext"
# Seeded before the seeding scaled the spacing of dates with the size: a seed smaller than a million
# ended in 2022, and the purpose search (date=ge2025-06-01) found only the templates. Spread again
# over the years a million spans (nothing changes for a million).
respread=$(sql -At -v consents="$consents" <<'SQL'
with s as (select id, timestamptz '2022-01-01 00:00:00+00'
                      + substr(id, 6)::bigint * (interval '2 minutes' * 1000000 / :consents) as t
           from consent_resource where id like 'seed-%'),
r as (update consent_resource c set date_time = s.t, last_updated = s.t
      from s where c.id = s.id and c.date_time <> s.t returning 1),
v as (update consent_version v set last_updated = s.t,
          resource_json = regexp_replace(v.resource_json, '"dateTime" *: *"[^"]*"',
              '"dateTime":"' || to_char(s.t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '"')
      from s where v.consent_id = s.id and v.last_updated <> s.t returning 1)
select count(*) from r;
SQL
)
((respread == 0)) || { pb_log "spread the dates of $respread seeded Consents over 2022-2025"; sql -c "analyze consent_resource"; }
# The clones' signed forms are seeded in plaintext (see above); the gateway seals such forms when it
# starts (consent.SignedForms), as after an upgrade. Until then every page serves them from the JSON,
# which is neither what a running gateway stores nor what is measured after the first run: restart.
pending=$(sql -At -c "select count(*) from consent_version where form_pending")
if ((pending > 0)); then
  pb_log "restarting the stack: the gateway seals the $pending signed forms seeded in plaintext as it starts"
  kill -TERM "$stack_pid"; wait "$stack_pid" 2>/dev/null || true; stack_pid=""
  build_flag=--skip-build
  start_stack
  pending=$(sql -At -c "select count(*) from consent_version where form_pending")
  ((pending == 0)) || pb_die "$pending signed forms are still in plaintext after the gateway's start"
fi
reference_id=$(sql -At -c "select id from consent_resource where id like 'seed-%' order by id limit 1")

# --- the query plans ----------------------------------------------------------------------------
patients=$((consents / 2))
compliance=$(password_file compliance.officer)
gateway_pid=$(<"$state/gateway-0.pid")
# PostgreSQL's CPU ticks (deploy/local/lib.sh, which looks the postmaster up each time: the cluster is
# restarted once for auto_explain, below).
pg_ticks() { pb_postgres_ticks "$state/postgres/data"; }
search() {  # label query concurrency patients
  [[ $driver == wrk ]] || search_with jdk "$1" "$2" "$3" "$4"
  [[ $driver == jdk ]] || search_with wrk "wrk-$1" "$2" "$3" "$4"
}
# Bytes allocated so far by the gateway's live threads (jcmd Thread.print -e; HotSpot prints each
# thread's total in B, K, M or G, rounded down). The request threads and event loops are pooled and
# live through a run; bytes of threads that end during a run are missed.
allocated() {
  jcmd "$gateway_pid" Thread.print -e 2>/dev/null | grep -o 'allocated=[0-9]*[BKMG]' \
    | awk -F= '{v = $2; u = substr(v, length(v)); v = substr(v, 1, length(v) - 1)
                s += v * (u == "K" ? 1024 : u == "M" ? 1048576 : u == "G" ? 1073741824 : 1)} END {printf "%.0f\n", s}'
}
# Nanoseconds the gateway's JIT compilers have spent compiling so far (HotSpot's java.ci.totalTime,
# all compiler threads together, in ticks of sun.os.hrt.frequency).
jit_ns() {
  jcmd "$gateway_pid" PerfCounter.print 2>/dev/null \
    | awk -F= '$1 == "java.ci.totalTime" {t = $2} $1 == "sun.os.hrt.frequency" {f = $2} END {printf "%.0f\n", f ? t * 1e9 / f : 0}'
}
search_with() {  # driver label query concurrency patients
  local g0 p0 g1 p1 a0 a1 j0 j1 client hz
  hz=$(getconf CLK_TCK)
  a0=$(allocated)
  j0=$(jit_ns)
  g0=$(pb_cpu_ticks "$gateway_pid"); p0=$(pg_ticks)
  # /usr/bin/time: the driver's own CPU (for the JDK driver: JVM start and compilation of the source
  # file included).
  if [[ $1 == jdk ]]; then
    /usr/bin/time -f 'TIME %U %S' -o "$work/search-time.txt" \
      java "$here/SearchBench.java" gateway="$GATEWAY" token-url="$TOKEN_URL" user=compliance.officer \
      password-file="$compliance" label="$2" query="$3" concurrency="$4" requests="$requests" warmup="$warmup" \
      http="$http" patients="$5"
  else
    wrk_search "$2" "$3" "$4" "$5"
  fi
  g1=$(pb_cpu_ticks "$gateway_pid"); p1=$(pg_ticks)
  j1=$(jit_ns)
  a1=$(allocated)
  client=$(awk '/^TIME/ {t += $2 + $3} END {print t}' "$work/search-time.txt")
  # Warm-up requests included. jit: the compilers' time in the same span (part of gateway=).
  awk -v l="$2" -v n="$((requests + warmup))" -v g="$((g1 - g0))" -v p="$((p1 - p0))" -v c="$client" -v hz="$hz" \
    -v a="$((a1 - a0))" -v j="$((j1 - j0))" \
    'BEGIN {printf "CPU label=%s gateway=%.2f (jit=%.2f) postgres=%.2f driver=%.2f ms/request, gateway allocated %.1f KB/request (%d requests with the warm-up)\n",
            l, 1000 * g / hz / n, j / 1e6 / n, 1000 * p / hz / n, 1000 * c / n, a / 1024 / n, n}'
}
# wrk: a warm-up run (its answers are checked, its latencies dropped), then the timed run; a fresh
# token for each (Keycloak's access tokens live 5 minutes); the token reaches wrk through the
# environment, never its command line.
wrk_search() {  # label query concurrency patients
  local token run out
  token=$(token compliance.officer)
  : >"$work/search-time.txt"
  out=$work/wrk-search.txt
  for run in warmup timed; do
    local n=$requests
    if [[ $run == warmup ]]; then n=$warmup; ((n > 0)) || continue; fi
    PB_TOKEN=$token PB_QUERY=$2 PB_PATIENTS=$4 PB_REQUESTS=$n PB_LABEL=$1 PB_CONCURRENCY=$3 \
      /usr/bin/time -a -f 'TIME %U %S' -o "$work/search-time.txt" \
      wrk -t 1 -c "$3" -d 900s --timeout 60s -s "$here/wrk-search.lua" "$GATEWAY" >"$out"
    grep -q '^RESULT .* failed=0 ' "$out" || { cat "$out" >&2; pb_die "wrk ($1, $run): some answers were not 200 FHIR resources"; }
  done
  sed -n '/^RESULT\|^'"$1"': /p' "$out"
}
q_patient='/fhir/Consent?patient:identifier=urn:oid:1.2.3.4.5%7C{patient}&status=active'
q_purpose='/fhir/Consent?purpose=TRAIN&date=ge2025-06-01'
q_study='/fhir/ImagingStudy?patient:identifier=urn:oid:1.2.3.4.5%7C{patient}'
q_read="/fhir/Consent/$reference_id"

pb_log "query plans (auto_explain) -> $work/consent-plans.txt"
# auto_explain must be preloaded: the first time, the cluster is restarted with it (disabled until
# needed); the gateway's pool reconnects by itself.
if [[ $(admin_sql -At -c "show shared_preload_libraries") != *auto_explain* ]]; then
  admin_sql -c "load 'auto_explain'" -c "alter system set shared_preload_libraries = 'auto_explain'" \
    -c "alter system set auto_explain.log_min_duration = -1" -c "alter system set auto_explain.log_analyze = on"
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  (cd / && runuser -u postgres -- "$pgbin/pg_ctl" restart -D "$state/postgres/data" -m fast -w -t 60 -s) \
    >>"$state/postgres/postgres.log" 2>&1 || pb_die "could not restart PostgreSQL with auto_explain"
fi
pglog=$state/postgres/postgres.log
compliance_token=$(token compliance.officer)
# Until the gateway answers 200 again (its pooled connections died with the restart).
answer() { curl -s -o /dev/null -w '%{http_code}' -H @<(bearer "$compliance_token") "$GATEWAY$1"; }
for _ in $(seq 60); do [[ $(answer "$q_read") == 200 ]] && break; sleep 1; done
admin_sql -c "alter system set auto_explain.log_min_duration = 0" -c "select pg_reload_conf()" >/dev/null
sleep 1
mark=$(wc -c <"$pglog")
for q in "$q_patient" "$q_purpose" "$q_study"; do
  code=$(answer "${q//\{patient\}/SEED-42}")
  [[ $code == 200 ]] || pb_log "WARNING: $q answered $code while its plan was logged"
done
sleep 1
admin_sql -c "alter system set auto_explain.log_min_duration = -1" -c "select pg_reload_conf()" >/dev/null
tail -c +"$((mark + 1))" "$pglog" >"$work/consent-plans.txt"

# --- settling: until the JIT has compiled what these requests run -------------------------------
settle_wrk() {  # query patients requests
  local token=$1; shift
  PB_TOKEN=$token PB_QUERY=$1 PB_PATIENTS=$2 PB_REQUESTS=$3 PB_LABEL=settle PB_CONCURRENCY=8 \
    wrk -t 1 -c 8 -d 900s --timeout 60s -s "$here/wrk-search.lua" "$GATEWAY" >"$work/wrk-settle.txt"
  grep -q '^RESULT .* failed=0 ' "$work/wrk-settle.txt" \
    || { cat "$work/wrk-settle.txt" >&2; pb_die "wrk (settling): some answers were not 200 FHIR resources"; }
}
if ((settle_max > 0)); then
  pb_log "settling: the four requests at concurrency 8 until the JIT is quiet (at most $settle_max s)"
  settle_start=$SECONDS settled=0 round=0 quiet=0
  while ((SECONDS - settle_start < settle_max)); do
    token_now=$(token compliance.officer)
    j0=$(jit_ns); t0=$(date +%s%N)
    settle_wrk "$token_now" "$q_read" 1 200
    settle_wrk "$token_now" "$q_patient" "$patients" 200
    settle_wrk "$token_now" "$q_purpose" 1 200
    settle_wrk "$token_now" "$q_study" "$studies" 200
    j1=$(jit_ns); t1=$(date +%s%N)
    round=$((round + 1))
    share=$(awk -v j="$((j1 - j0))" -v w="$((t1 - t0))" 'BEGIN {printf "%.1f", 100 * j / w}')
    pb_log "settling round $round: $(awk -v w="$((t1 - t0))" 'BEGIN {printf "%.1f", w / 1e9}') s, the JIT compiled for $share % of it"
    # One quiet round can fall between two compilation bursts; two in a row are asked for.
    if awk -v s="$share" 'BEGIN {exit !(s < 5)}'; then quiet=$((quiet + 1)); else quiet=0; fi
    if ((quiet == 2)); then settled=1; break; fi
  done
  echo "SETTLE rounds=$round seconds=$((SECONDS - settle_start)) settled=$settled last-jit-share=$share%" | tee -a "$results"
fi

# --- timed runs -----------------------------------------------------------------------------------
jfr_file=$work/consent-c8.jfr
for c in 1 8; do
  if ((jfr && c == 8)); then
    rm -f "$jfr_file"
    jcmd "$gateway_pid" JFR.start name=consent-c8 settings=profile >/dev/null
  fi
  search "read-by-id-c$c" "$q_read" "$c" 1 | tee -a "$results"
  search "consent-by-patient-c$c" "$q_patient" "$c" "$patients" | tee -a "$results"
  search "consent-purpose-date-c$c" "$q_purpose" "$c" 1 | tee -a "$results"
  search "study-by-patient-c$c" "$q_study" "$c" "$studies" | tee -a "$results"
  if ((jfr && c == 8)); then
    jcmd "$gateway_pid" JFR.stop name=consent-c8 filename="$jfr_file" >/dev/null
  fi
done

# The top frame of every execution sample (Java frames only), of every native method sample (threads
# in native code, e.g. socket reads: waiting, not necessarily CPU), and the allocating frames by weight.
# (awk, not head, cuts the lists: head would leave sort writing into a closed pipe, fatal with pipefail.)
if ((jfr)) && [[ -s $jfr_file ]]; then
  top_frames() {
    jfr print --events "$1" "$jfr_file" \
      | awk '/stackTrace = \[/ {getline; sub(/^ +/, ""); sub(/ line:.*/, ""); n[$0]++; t++}
             END {for (m in n) printf "%6d %5.1f%%  %s\n", n[m], 100 * n[m] / t, m}' | sort -rn | awk -v n="$2" 'NR <= n'
  }
  {
    echo "JFR CPU of the gateway's threads (jdk.ThreadCPULoad; C = the JIT compilers):"
    jfr print --events jdk.ThreadCPULoad "$jfr_file" \
      | awk '/user =/ {u = $3} /system =/ {s = $3}
             /eventThread =/ {t = $3; gsub(/"/, "", t); gsub(/[-#]?[0-9]+$/, "", t); sub(/-thread$/, "", t); c[t] += u + s; all += u + s}
             END {for (t in c) printf "%5.1f%%  %s\n", 100 * c[t] / all, t}' | sort -rn | awk 'NR <= 8'
    echo "JFR hottest methods (top frame of execution samples, concurrency 8):"
    top_frames jdk.ExecutionSample 30
    echo "JFR execution samples by what they were doing (a sample counts for each part its stack passes through):"
    jfr print --events jdk.ExecutionSample --stack-depth 256 "$jfr_file" | awk '
      BEGIN {
        n = split("token check (quarkus-oidc, jose4j)|oidc|jose4j;" \
          "HTTP/2 writes and flushes (event loop)|VertxHttp2Stream.doWriteData|Http2ConnectionHandler.flush;" \
          "HAPI: encoding the answer|BaseParser.encodeResourceToWriter;" \
          "HAPI: building the Bundle|ResponseBundleBuilder.buildBundle;" \
          "HAPI: parsing stored JSON|BaseParser.parseResource;" \
          "transactions (Narayana)|TransactionalInterceptor;" \
          "Hibernate|org.hibernate;" \
          "PostgreSQL driver|org.postgresql;" \
          "audit writer thread|AuditAppender;" \
          "signed forms (decrypt, JSON)|SignedForms.json;" \
          "access policy|FhirAccessPolicy|AccessPolicy.;" \
          "logging|org.jboss.logmanager", groups, ";")
        for (i = 1; i <= n; i++) { k = split(groups[i], parts, "|"); name[i] = parts[1]; np[i] = k - 1
          for (j = 2; j <= k; j++) pat[i, j - 1] = parts[j] }
      }
      /^jdk.ExecutionSample/ { stack = ""; next }
      /^}/ { if (stack != "") { t++; for (i = 1; i <= n; i++) for (j = 1; j <= np[i]; j++) if (index(stack, pat[i, j])) { c[i]++; break } } stack = ""; next }
      /line:/ { stack = stack $1 " " }
      END { for (i = 1; i <= n; i++) printf "%6d %5.1f%%  %s\n", c[i], 100 * c[i] / t, name[i]; printf "%6d samples\n", t }'
    echo "JFR native method samples (top frame):"
    top_frames jdk.NativeMethodSample 10
    echo "JFR allocation (bytes sampled by allocating method):"
    jfr print --events jdk.ObjectAllocationSample "$jfr_file" \
      | awk '/weight = / {w = $3; u = $4; if (u ~ /kB/) w *= 1e3; else if (u ~ /MB/) w *= 1e6; else if (u ~ /GB/) w *= 1e9}
             /stackTrace = \[/ {getline; sub(/^ +/, ""); sub(/ line:.*/, ""); a[$0] += w; t += w}
             END {for (m in a) printf "%10.1f MB %5.1f%%  %s\n", a[m] / 1e6, 100 * a[m] / t, m}' | sort -rn | awk 'NR <= 20'
  } | tee "$work/consent-jfr-summary.txt"
fi

p99() { sed -n "s/^RESULT label=$1 .* p99=\\([0-9.]*\\) .*/\\1/p" "$results"; }
{
  echo
  printf 'machine: %s, %s cores; %s Consents, %s studies; %s timed requests after %s warm-up ones; driver %s (JDK: HTTP/%s, wrk: HTTP/1.1); settling at most %s s; load %s\n' \
    "$(uname -m)" "$(nproc)" "$consents" "$studies" "$requests" "$warmup" "$driver" "$http" "$settle_max" "$(cut -d' ' -f1-3 /proc/loadavg)"
  case $driver in both) prefixes=("" wrk-) ;; jdk) prefixes=("") ;; wrk) prefixes=(wrk-) ;; esac
  for d in "${prefixes[@]}"; do
    name=jdk
    [[ -z $d ]] || name=wrk
    for c in 1 8; do
      ref=$(p99 "${d}read-by-id-c$c")
      for q in consent-by-patient consent-purpose-date study-by-patient; do
        v=$(p99 "$d$q-c$c")
        printf 'SUMMARY %s at concurrency %d (%s): p99 %.1f ms, read by id %.1f ms, ratio %.2f (target p99 < 50 ms)\n' \
          "$q" "$c" "$name" "$v" "$ref" "$(echo "$v / $ref" | bc -l)"
      done
    done
  done
} | tee -a "$results"
pb_log "results in $results; plans in $work/consent-plans.txt"
