#!/usr/bin/env bash
# Benchmarks 1 and 2 (docs/performance.md): delivery throughput of the gateway against dcmtk
# storescu sending the same photos as DICOM files to the same receiver, and the gateway's accept
# latency (request start to 202) at three concurrencies. Not part of the test run.
#
#   bench/delivery.sh [--photos N] [--warm-up W] [--concurrency C] [--no-storescp] [--skip-build] [--jfr]
#                     [--count-statements] [--http 2|1.1] [--rtt MS] [--profile] [--capture] [--orientation O]
#
#   --photos N        12-megapixel baseline JPEGs (about 3.5 MB each) to send (default 200)
#   --orientation O   the photos carry EXIF orientation O (default 1: upright, 4000 x 3000). 6 is a
#                     phone's portrait photo: 4032 x 3024 stored sideways, which the gateway turns
#                     upright by moving its blocks (docs/performance.md); cached apart from upright ones
#   --warm-up W       photos each freshly started gateway takes and delivers (same images, another
#                     patient) before it is timed, reported as its cold figure (default N; 0: none)
#   --concurrency C   upload concurrency of the throughput run (default 8)
#   --no-storescp     only Orthanc as the receiver (skips the second stack start)
#   --skip-build      reuse gateway/target/quarkus-app
#   --wrk-seconds S   how long wrk drives each concurrency (default 20)
#   --http V          our driver's HTTP version: 1.1 (default; a connection per concurrent upload, as
#                     separate capture clients or a reverse proxy have, each written by the driver's
#                     own thread like wrk's; wrk always uses HTTP/1.1) or 2 (the JDK's HttpClient over
#                     h2c, every concurrent upload a stream of one connection, read by one event loop
#                     of the gateway; the client's own CPU is in that figure, docs/performance.md)
#   --rtt MS          our driver reaches the gateway through bench/LatencyProxy.java, which adds MS
#                     milliseconds of round trip (a capture client on Wi-Fi or a VPN; TCP's own
#                     window never limits it, only HTTP/2's); storescu and wrk stay direct, so the
#                     ratio then compares unlike paths: read the driver's own figures
#   --jfr             record a JFR profile of the gateway during the Orthanc runs
#                     (target/bench/delivery.jfr) and print its hottest methods and allocation sites
#   --profile         profile the gateway through wrk's concurrency-8 run with async-profiler (from
#                     Maven Central; CPU every 4 ms, per thread) and print the CPU per accepted upload
#                     by thread and, for the request threads, by what they did, beside PostgreSQL's
#                     and Orthanc's (read from 2 s into the run, when wrk has built its requests and
#                     the previous run's held-back deliveries no longer go at full speed, and scaled
#                     to the whole run) (PROFILE lines; samples in target/bench/profile-c8.collapsed and
#                     a flame graph in target/bench/profile-c8.html). The profiler costs CPU itself,
#                     so that run's latency is not a figure to quote
#   --capture         capture each wrk run, and over HTTP/1.1 our driver's throughput run and its
#                     concurrency-8 accept run, on the loopback interface (tcpdump, Debian) and time
#                     every upload on the wire, from its first request byte to its answer's first byte
#                     (bench/WireLatency.java; RESULT label=wire-cN, wire-driver-cC and
#                     wire-driver-accept-c8, and WIRE lines; captures in target/bench/wire-*.pcap):
#                     a clock that is neither the load generator's nor the gateway's, so the difference
#                     from the generator's figure is its own time. Needs root for tcpdump
#   --count-statements  PostgreSQL logs every statement (PB_POSTGRES_LOG_STATEMENTS=1); after the
#                     Orthanc runs (once every photo is delivered) prints SQL statements and
#                     transactions (COMMIT) per accepted photo and the commonest statement shapes.
#                     Start-up, the consent and the idle polling are counted too. A short run is
#                     enough: --photos 5 --no-storescp --skip-build --wrk-seconds 2 --count-statements
#
# PB_GATEWAY_OPTS from the environment is passed on to every gateway the benchmark starts (before
# its own options), e.g. PB_GATEWAY_OPTS=-Dphotobridge.routing.intake-priority.enabled=false.
#
# What it does: generates the photos once (cached in target/bench/images), wraps each as a VL
# Photographic Image with dcmtk img2dcm (JPEG kept as it is, like the gateway does), starts the
# local stack (deploy/local/stack.sh) with its own state under target/bench/state, and then
#   0. the freshly started gateway takes W uploads at concurrency C and delivers them to Orthanc
#      (its cold figure: a JVM that has just started still compiles much of its code; the JIT's
#      threads took about half its CPU in the first minute of a run, docs/performance.md);
#   1. storescu sends the DICOM files to Orthanc (one association, JPEG Baseline proposed), timed
#      until storescu exits (it waits for every C-STORE response); Orthanc's count is checked;
#   2. the load driver (bench/DeliveryBench.java) uploads the JPEGs to the gateway at concurrency C
#      and counts Orthanc's instances until every photo has arrived;
#   3. accept latency runs at concurrency 1, 8 and 32 (deliveries carry on in the background), and
#      again at 1, 8 and 32 driven by wrk (Debian) with bench/wrk-upload.lua (benchmark 6);
#   4. unless --no-storescp: the same pair against a dcmtk storescp writing to disk (the gateway's
#      destination is pointed at it with PB_GATEWAY_OPTS; the stack is restarted for that).
# MB/s are megabytes (10^6) of JPEG per second, the same files for both senders. The last line is
# the summary: figure, reference, ratio.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../deploy/local/lib.sh
source "$here/../deploy/local/lib.sh"
PB_LOG_TAG=bench
cd "$PB_ROOT"
caller_gateway_opts=${PB_GATEWAY_OPTS:-}

photos=200 warm_up="" concurrency=8 with_storescp=1 skip_build=0 wrk_seconds=20 jfr=0 count_statements=0 http=1.1 rtt=0
profile=0 capture=0 orientation=1
while (($#)); do
  case $1 in
    --photos) photos=$2; shift ;;
    --warm-up) warm_up=$2; shift ;;
    --concurrency) concurrency=$2; shift ;;
    --no-storescp) with_storescp=0 ;;
    --skip-build) skip_build=1 ;;
    --wrk-seconds) wrk_seconds=$2; shift ;;
    --jfr) jfr=1 ;;
    --count-statements) count_statements=1 ;;
    --profile) profile=1 ;;
    --capture) capture=1 ;;
    --http) http=$2; shift ;;
    --rtt) rtt=$2; shift ;;
    --orientation) orientation=$2; shift ;;
    *) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
  esac
  shift
done
warm_up=${warm_up:-$photos}
[[ $warm_up =~ ^[0-9]+$ ]] || pb_die "--warm-up takes a number of photos (0: none)"
[[ $photos =~ ^[1-9][0-9]*$ && $concurrency =~ ^[1-9][0-9]*$ && $wrk_seconds =~ ^[1-9][0-9]*$ ]] \
  || pb_die "--photos, --concurrency and --wrk-seconds take positive numbers"
[[ $http == 2 || $http == 1.1 ]] || pb_die "--http takes 2 or 1.1"
[[ $rtt =~ ^[0-9]+$ ]] || pb_die "--rtt takes milliseconds"
[[ $orientation =~ ^[1-8]$ ]] || pb_die "--orientation takes an EXIF orientation, 1 to 8"

"$PB_ROOT/deploy/setup/apt-install.sh" dcmtk jq curl bc wrk
((capture)) && "$PB_ROOT/deploy/setup/apt-install.sh" tcpdump
# Keycloak starts slowly on a loaded 2-core machine; the benchmark waits rather than fails.
export KEYCLOAK_START_TIMEOUT=${KEYCLOAK_START_TIMEOUT:-900}
work=$PB_ROOT/target/bench
state=$work/state
images=$work/images
dicom=$work/dicom
if ((orientation != 1)); then
  images=$work/images-o$orientation
  dicom=$work/dicom-o$orientation
fi
results=$work/results.txt
# The local stack's ports, moved together by PB_STACK_PORT_OFFSET (deploy/local/stack.sh).
port_offset=${PB_STACK_PORT_OFFSET:-0}
[[ $port_offset =~ ^[0-9]?0$ ]] || pb_die "PB_STACK_PORT_OFFSET takes 0, 10, 20 ... 90, not '$port_offset'"
GATEWAY_PORT=$((8080 + port_offset)) KEYCLOAK_PORT=$((8180 + port_offset)) POSTGRES_PORT=$((5433 + port_offset))
ORTHANC_DICOM_PORT=$((4242 + port_offset)) ORTHANC_HTTP_PORT=$((8042 + port_offset))
GATEWAY=http://127.0.0.1:$GATEWAY_PORT
ORTHANC_HTTP=http://127.0.0.1:$ORTHANC_HTTP_PORT
SCP_PORT=$((11119 + port_offset))
PROXY_PORT=$((9080 + port_offset))
# Our driver's way in: straight, or through the latency proxy (--rtt).
DRIVER_GATEWAY=$GATEWAY
((rtt > 0)) && DRIVER_GATEWAY=http://127.0.0.1:$PROXY_PORT
mkdir -p "$work" "$images" "$dicom"
# Read by deploy/local/postgres.sh when the stack starts its cluster.
((count_statements)) && export PB_POSTGRES_LOG_STATEMENTS=1
: >"$results"
# Keycloak's state is kept between runs (its first start imports the realm); everything else,
# the photo store, the database and Orthanc's storage, starts empty.
rm -rf "$state/postgres" "$state/orthanc" "$state/store" "$state"/gateway-* "$state/audit-key" "$work/scp"

# Stops the background process whose pid the named variable holds, if any, and clears the variable.
stop_child() {
  local -n child_pid=$1
  [[ -n $child_pid ]] || return 0
  kill -TERM "$child_pid" 2>/dev/null || true
  wait "$child_pid" 2>/dev/null || true
  child_pid=""
}
stack_pid="" scp_pid="" proxy_pid=""
stop_stack() { stop_child stack_pid; }
stop_scp() { stop_child scp_pid; }
stop_proxy() { stop_child proxy_pid; }
capture_pid=""
stop_capture() {
  [[ -n $capture_pid ]] || return 0
  kill -INT "$capture_pid" 2>/dev/null || true
  wait "$capture_pid" 2>/dev/null || true
  capture_pid=""
}
trap 'rc=$?; stop_capture; stop_proxy; stop_scp; stop_stack; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The local stack's ports must be free: a stack left running would answer in place of ours.
for port in $GATEWAY_PORT $KEYCLOAK_PORT $POSTGRES_PORT $ORTHANC_DICOM_PORT $ORTHANC_HTTP_PORT; do pb_require_port_free "$port" "the benchmark's local stack"; done
if ((rtt > 0)); then
  pb_require_port_free "$PROXY_PORT" "the latency proxy"
  java -Xmx512m "$here/LatencyProxy.java" listen="$PROXY_PORT" target="127.0.0.1:$GATEWAY_PORT" rtt="$rtt" \
    >"$work/latency-proxy.log" 2>&1 &
  proxy_pid=$!
  deadline=$((SECONDS + 60))
  until pb_port_open "$PROXY_PORT"; do
    kill -0 "$proxy_pid" 2>/dev/null || pb_die "the latency proxy exited ($work/latency-proxy.log)"
    ((SECONDS < deadline)) || pb_die "the latency proxy does not listen on $PROXY_PORT"
    sleep 0.2
  done
fi

# $1 log name, $2 extra gateway options; $3 "--skip-build" or "".
start_stack() {
  local log=$work/stack-$1.log
  pb_log "starting the local stack ($log)"
  PB_LOCAL_STATE=$state PB_GATEWAY_OPTS="${caller_gateway_opts} $2" "$PB_ROOT/deploy/local/stack.sh" $3 >"$log" 2>&1 &
  stack_pid=$!
  pb_wait_gateway_ready "$GATEWAY" "$stack_pid" "$log"
}

# Before each timed run: writes the page cache's dirty pages out (the previous run put some 700 MB of
# photos and DICOM files into it, which the kernel would otherwise write back during the next run),
# then waits until the machine is quiet: under 10 % of its CPUs busy (from /proc/stat) over two
# 2-second windows in a row, at most 120 s (a gateway just through its warm-up still compiles for a
# while). storescu's rate to Orthanc varied from 35 to 49 MB/s between runs without this. $1 names the run.
wait_quiet() {
  local t0=$SECONDS quiet=0 a b busy
  sync
  read_cpu() { awk '/^cpu / {idle = $5 + $6; t = 0; for (i = 2; i <= NF; i++) t += $i; print t - idle, t}' /proc/stat; }
  while ((quiet < 2 && SECONDS - t0 < 120)); do
    a=$(read_cpu); sleep 2; b=$(read_cpu)
    busy=$(echo "$a $b" | awk '{printf "%.0f", 100 * ($3 - $1) / (($4 - $2) ? ($4 - $2) : 1)}')
    if ((busy < 10)); then quiet=$((quiet + 1)); else quiet=0; fi
  done
  echo "QUIET before $1: waited $((SECONDS - t0)) s, last 2 s at ${busy} % busy" | tee -a "$results" >&2
}

orthanc_count() {
  # The credentials reach curl through a config file descriptor, never its command line.
  curl -sf -K <(jq -r '"user = \"" + .username + ":" + .password + "\""' "$state/orthanc/rest-credentials.json") \
    "$ORTHANC_HTTP/statistics" | jq -r .CountInstances
}

# Times storescu sending every DICOM file to $1:$2 (called AE $3); prints seconds.
time_storescu() {
  local t0 t1
  t0=$(date +%s.%N)
  storescu -aet PHOTOBRIDGE -aec "$3" -xy +sd "$1" "$2" "$dicom" >"$work/storescu.log" 2>&1 \
    || { cat "$work/storescu.log" >&2; pb_die "storescu failed"; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

# SQL on stdin, run as the gateway's role on the benchmark's cluster; the password reaches psql in
# its environment. Marked /* bench */ so that the statement count leaves it out.
bench_sql() {
  PGPASSWORD=$(<"$state/postgres/photobridge-password") psql -X -q -At -h 127.0.0.1 -p "$POSTGRES_PORT" \
    -U photobridge -d photobridge -v ON_ERROR_STOP=1
}

# Statements the gateway sent (log_statement = all; the log holds no parameters), per photo accepted.
# A statement is one "statement:" or "execute <name>:" entry with its continuation lines; its shape
# is its text with whitespace collapsed, column lists and parameter lists elided, cut at 110 characters.
count_statements() {
  local log=$state/postgres/postgres.log deadline=$((SECONDS + 900)) pending photos_accepted
  pb_log "counting statements: waiting until every delivery is done"
  until pending=$(echo "/* bench */ select count(*) from work_item where kind = 'PACS_DELIVERY' and status <> 'DONE'" | bench_sql) \
      && ((pending == 0)); do
    ((SECONDS < deadline)) || pb_die "$pending deliveries not done after 15 minutes"
    sleep 1
  done
  photos_accepted=$(echo "/* bench */ select count(*) from photo" | bench_sql)
  ((photos_accepted > 0)) || pb_die "no photo was accepted"
  awk -v photos="$photos_accepted" '
    function flush() {
      if (on && cur !~ /\/\* bench \*\//) {
        gsub(/[ \t]+/, " ", cur); sub(/^ /, "", cur); sub(/ $/, "", cur)
        gsub(/[a-z0-9_]+\.[a-z0-9_]+( ?, ?[a-z0-9_]+\.[a-z0-9_]+)+/, "…", cur)
        gsub(/\$[0-9]+( ?, ?\$[0-9]+)+/, "$…", cur)
        n[substr(cur, 1, 110)]++; total++
        if (toupper(cur) ~ /^COMMIT/) commits++
      }
      on = 0
    }
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
      flush()
      if (match($0, / photobridge@photobridge LOG:  (statement|execute [^:]*): /)) { cur = substr($0, RSTART + RLENGTH); on = 1 }
      next
    }
    on { cur = cur " " $0 }
    END {
      flush()
      printf "statements: %d for %d photos accepted and delivered: %.1f statements and %.1f transactions (COMMIT) per photo\n", total, photos, total / photos, commits / photos
      printf "top statement shapes (count, per photo):\n"
      for (k in n) printf "%7d %6.1f  %s\n", n[k], n[k] / photos, k
    }' "$log" | { IFS= read -r head; echo "$head"; IFS= read -r sub; echo "$sub"; sort -rn | awk 'NR <= 25'; } \
    | tee "$work/statements.txt" | tee -a "$results"
  summary_statements=$(head -n1 "$work/statements.txt")
}

driver() {
  java -Xmx2g "$here/DeliveryBench.java" upload gateway="$DRIVER_GATEWAY" \
    token-url=http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge/protocol/openid-connect/token \
    user=derm.photographer password-file="$work/photographer.password" images="$images" http="$http" "$@"
}

# Warms a freshly started gateway up: $1 label, then the driver's receiver options. The same images
# for another made-up patient (the driver's run), so nothing is answered as a repeated upload.
warm_up_gateway() {
  local label=$1
  shift
  ((warm_up > 0)) || return 0
  pb_log "gateway warm-up ($label, cold JVM): $warm_up uploads at concurrency $concurrency"
  driver label="$label" concurrency="$concurrency" count="$warm_up" "$@" | tee "$work/$label.txt" | tee -a "$results"
}

# --- the photos and their DICOM twins (cached) -------------------------------------------------
pb_log "generating $photos photos (cached in $images)"
java -Xmx1g "$here/DeliveryBench.java" generate "$images" "$photos" "$orientation"
# Only the first N are sent (the cache may hold more from an earlier run).
selected=$work/selected
rm -rf "$selected" && mkdir -p "$selected"
for f in $(ls "$images"/photo-*.jpg | sort | head -n "$photos"); do ln "$f" "$selected/"; done
images=$selected
for f in "$images"/*.jpg; do
  out=$dicom/$(basename "$f" .jpg).dcm
  [[ -s $out ]] || img2dcm -q -vlp -i JPEG "$f" "$out"
done
# The DICOM directory holds exactly the selected photos.
for f in "$dicom"/*.dcm; do [[ -e $images/$(basename "$f" .dcm).jpg ]] || rm -f "$f"; done
mb_total=$(du -cb "$images"/*.jpg | tail -n1 | cut -f1)
mb=$(echo "$mb_total / 1000000" | bc -l)

# --- --profile: where the CPU of wrk's concurrency-8 run goes ----------------------------------------
profiler_version=4.1
profiler_lib=$work/async-profiler-$profiler_version/linux-x64/libasyncProfiler.so
profile_interval_ms=4
if ((profile)); then
  [[ $(uname -m) == x86_64 ]] || pb_die "--profile uses async-profiler's linux-x64 library; this machine is $(uname -m)"
  if [[ ! -s $profiler_lib ]]; then
    "$PB_ROOT/deploy/setup/apt-install.sh" unzip
    pb_log "fetching async-profiler $profiler_version from Maven Central (once)"
    "$PB_ROOT/mvnw" -B -ntp -q -N dependency:copy -Dartifact=tools.profiler:async-profiler:$profiler_version \
      -DoutputDirectory="$work"
    unzip -q -o -d "$work/async-profiler-$profiler_version" "$work/async-profiler-$profiler_version.jar" 'linux-x64/*'
  fi
fi

# CPU ticks of PostgreSQL (the cluster, deploy/local/lib.sh) and of Orthanc: "postgres=N Orthanc=M".
peer_ticks() {
  local p orthanc=0
  for p in $(pb_pids_with_marker "$state/" Orthanc); do orthanc=$((orthanc + $(pb_cpu_ticks "$p"))); done
  printf 'postgres=%s Orthanc=%s ' "$(pb_postgres_ticks "$state/postgres/data")" "$orthanc"
}

# --- --capture: uploads timed on the wire, $1 names the run (stop_capture is with the trap) ----------
capture_start() {
  rm -f "$work/wire-$1.pcap" "$work/wire-$1.log"
  # 106 bytes a packet: the frame, IPv4 and the longest TCP header (14 + 20 + 60) and the 12 bytes
  # that tell a request ("POST ") or an answer ("HTTP/1.1 100") from the rest. No more of the payload
  # is kept than the request line and Host at loopback's usual 32-byte TCP header: never the token.
  # -U writes each packet as it comes, so nothing is lost when tcpdump is stopped.
  tcpdump -i lo -Z root -s 106 -B 16384 -U -w "$work/wire-$1.pcap" "tcp port $GATEWAY_PORT" 2>"$work/wire-$1.log" &
  capture_pid=$!
  # tcpdump says "listening on" once its filter is in place.
  local i
  for ((i = 0; i < 50; i++)); do
    grep -q 'listening on' "$work/wire-$1.log" && return 0
    kill -0 "$capture_pid" 2>/dev/null || break
    sleep 0.1
  done
  pb_die "tcpdump did not start capturing ($work/wire-$1.log)"
}

capture_report() {
  stop_capture
  local dropped
  dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$work/wire-$1.log")
  [[ ${dropped:-0} == 0 ]] || pb_log "tcpdump: $dropped packets dropped by the kernel in run $1: some uploads may be missing"
  java "$here/WireLatency.java" "$work/wire-$1.pcap" "$GATEWAY_PORT" "wire-$1" | tee "$work/wire-$1.txt" | tee -a "$results"
}

profile_start() {
  rm -f "$work/profile-c8.collapsed" "$work/profile-c8.html" "$work/peer-before"
  # jcmd splits its arguments at '='; the inner quotes keep the profiler's options whole.
  jcmd "$gateway_pid" JVMTI.agent_load "$profiler_lib" "\"start,event=cpu,interval=${profile_interval_ms}ms,threads\"" >/dev/null \
    || pb_die "could not attach async-profiler to the gateway (pid $gateway_pid)"
}

# PostgreSQL's and Orthanc's CPU is read from 2 s into wrk's run to its end (each reading "EPOCH
# postgres=N Orthanc=M"), then scaled to the whole run: before that, wrk is still building its
# requests and, with no upload in flight, the deliveries held back by the previous run go at full
# speed (some 20 in that second).
peer_window_start() {
  (sleep 2 && echo "$(date +%s.%N) $(peer_ticks)" >"$work/peer-before") &
}

peer_window_end() {
  peer_after="$(date +%s.%N) $(peer_ticks)"
}

# Prints PROFILE lines: CPU milliseconds per upload answered in the run ($1 uploads).
profile_report() {
  local uploads=$1 hz peer_before
  [[ -s $work/peer-before ]] || pb_die "--profile reads PostgreSQL and Orthanc from 2 s into wrk's run: give wrk longer (--wrk-seconds)"
  peer_before=$(cat "$work/peer-before")
  jcmd "$gateway_pid" JVMTI.agent_load "$profiler_lib" "\"stop,file=$work/profile-c8.collapsed,collapsed\"" >/dev/null
  jcmd "$gateway_pid" JVMTI.agent_load "$profiler_lib" "\"dump,file=$work/profile-c8.html,flamegraph\"" >/dev/null || true
  [[ -s $work/profile-c8.collapsed ]] || pb_die "async-profiler wrote no samples ($work/profile-c8.collapsed)"
  ((uploads > 0)) || pb_die "--profile: no upload was answered in the profiled run"
  hz=$(getconf CLK_TCK)
  {
    printf 'PROFILE wrk concurrency 8: %d uploads answered; CPU in ms per upload (async-profiler, %d ms samples)\n' "$uploads" "$profile_interval_ms"
    # By thread (numbers dropped from the names) and, for the request threads, by the first of these
    # frames on the stack; one line each, largest first.
    awk -v uploads="$uploads" -v ms="$profile_interval_ms" '
      { n = $NF; line = $0; sub(/ [0-9]+$/, "", line)
        thread = line; sub(/\].*/, "", thread); sub(/^\[/, "", thread); sub(/ tid=.*/, "", thread); sub(/[-#0-9]+$/, "", thread)
        group[thread] += n; total += n
        if (thread == "executor-thread") {
          what = "other"
          if (line ~ /JpegScanCheck/) what = "scan check (JpegScanCheck)"
          else if (line ~ /MultipartUpload/) what = "multipart body and its SHA-256 (MultipartUpload)"
          else if (line ~ /EncryptedBlobStore/) what = "DICOM written through AES-GCM (EncryptedBlobStore)"
          else if (line ~ /QuarkusTransaction|hibernate|agroal|postgresql|arjuna|narayana/) what = "transactions (Narayana, Hibernate, JDBC)"
          else if (line ~ /PhotoCleaner|JpegCleaner|JpegSegments/) what = "marker-level cleaning (PhotoCleaner)"
          request[what] += n
        } }
      END {
        printf "0\t%.1f\tgateway, all threads\n", total * ms / uploads
        for (t in group) if (group[t] * ms / uploads >= 0.1) printf "1\t%.1f\t  %s\n", group[t] * ms / uploads, t
        for (w in request) printf "2\t%.1f\t    request threads: %s\n", request[w] * ms / uploads, w
      }' "$work/profile-c8.collapsed" | sort -t$'\t' -k1,1n -k2,2nr | awk -F'\t' '{printf "PROFILE %-72s %8.1f\n", $3, $2}'
    local seconds
    seconds=$(echo "${peer_after%% *} - ${peer_before%% *}" | bc -l)
    for peer in postgres Orthanc; do
      local before after
      before=$(tr ' ' '\n' <<<"$peer_before" | sed -n "s/^$peer=//p")
      after=$(tr ' ' '\n' <<<"$peer_after" | sed -n "s/^$peer=//p")
      printf 'PROFILE %-72s %8.1f\n' "$peer (from /proc, the run's last $(printf '%.0f' "$seconds") s scaled to all ${wrk_seconds} s)" \
        "$(echo "($after - $before) * 1000 / $hz / $seconds * $wrk_seconds / $uploads" | bc -l)"
    done
  } | tee -a "$results"
}

# --- Orthanc ------------------------------------------------------------------------------------
build_flag=--skip-build
((skip_build)) || build_flag=""
# GC log: the heap before each collection gives the peak heap.
jfr_opts=""
if ((jfr)); then
  rm -f "$work/delivery.jfr"
  # Dumped when the gateway stops (stop_stack below, before the storescp runs). Without
  # DebugNonSafepoints a sample inside a hot loop is put on the nearest safepoint's line: the scan
  # check's time landed on its byte-wise refill (docs/performance.md, the turn's section).
  jfr_opts="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
  jfr_opts+=" -XX:StartFlightRecording=settings=profile,filename=$work/delivery.jfr,dumponexit=true"
fi
start_stack orthanc "-Xlog:gc:file=$work/gc-orthanc.log $jfr_opts" "$build_flag"
gateway_pid=$(<"$state/gateway-0.pid")
started=$(sed -n 's/.*started in \([0-9.]*\)s\..*/\1/p' "$work/stack-orthanc.log" | head -n1)
rss_idle=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$gateway_pid/status")
jq -r '."derm.photographer"' "$state/credentials.json" | (umask 077 && cat >"$work/photographer.password")

orthanc_receiver() {
  echo receiver=orthanc orthanc="$ORTHANC_HTTP" orthanc-user="$(jq -r .username "$state/orthanc/rest-credentials.json")"
}
# The password reaches the driver through a file descriptor (process substitution), never its command line.
# shellcheck disable=SC2046
warm_up_gateway gateway-orthanc-cold $(orthanc_receiver) orthanc-password-file=<(jq -r .password "$state/orthanc/rest-credentials.json")
cold_mbps=""
((warm_up > 0)) && cold_mbps=$(sed -n 's/^RESULT .* mbps=\([0-9.]*\) .*/\1/p' "$work/gateway-orthanc-cold.txt")

before=$(orthanc_count)
wait_quiet "storescu -> Orthanc"
pb_log "storescu -> Orthanc: $photos files"
ref_seconds=$(time_storescu 127.0.0.1 "$ORTHANC_DICOM_PORT" ORTHANC)
after=$(orthanc_count)
((after - before == photos)) || pb_die "Orthanc received $((after - before)) of $photos objects from storescu"
ref_mbps=$(echo "$mb / $ref_seconds" | bc -l)
printf 'storescu -> Orthanc: %d files, %.1f MB in %.2f s: %.2f MB/s\n' "$photos" "$mb" "$ref_seconds" "$ref_mbps" | tee -a "$results"

wait_quiet "gateway -> Orthanc"
pb_log "gateway -> Orthanc: $photos uploads at concurrency $concurrency"
# The wire reader knows HTTP/1.1 only: over HTTP/2 every upload is a stream of one connection.
driver_capture=0
((capture)) && [[ $http == 1.1 ]] && driver_capture=1
if ((driver_capture)); then capture_start "driver-c$concurrency"; fi
driver label=gateway-orthanc concurrency="$concurrency" receiver=orthanc orthanc="$ORTHANC_HTTP" \
  orthanc-user="$(jq -r .username "$state/orthanc/rest-credentials.json")" \
  orthanc-password-file=<(jq -r .password "$state/orthanc/rest-credentials.json") | tee "$work/gateway-orthanc.txt" | tee -a "$results"
if ((driver_capture)); then capture_report "driver-c$concurrency"; fi
gw_mbps=$(sed -n 's/^RESULT .* mbps=\([0-9.]*\) .*/\1/p' "$work/gateway-orthanc.txt")
p99_run=$(sed -n 's/^RESULT .* p99=\([0-9.]*\).*/\1/p' "$work/gateway-orthanc.txt")

rss_after=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$gateway_pid/status")
# Each concurrency its own run, as wrk's below: the throughput run above is the JVM's second minute,
# still compiling (docs/performance.md, "our driver's own time"), and its figure is reported beside.
for c in 1 8 32; do
  n=$photos
  ((c == 1 && n > 50)) && n=50   # one at a time: 50 are enough for a p99 and keep the run short
  pb_log "accept latency at concurrency $c: $n uploads"
  if ((driver_capture && c == 8)); then capture_start "driver-accept-c8"; fi
  driver label="accept-c$c" concurrency="$c" count="$n" receiver=none | tee "$work/accept-c$c.txt" | tee -a "$results"
  if ((driver_capture && c == 8)); then capture_report "driver-accept-c8"; fi
done
p99_8=$(sed -n 's/^RESULT .* p99=\([0-9.]*\).*/\1/p' "$work/accept-c8.txt")

# --- benchmark 6: the same accept latency from wrk (Debian), a load generator that is not ours ----
# bench/wrk-upload.lua makes every request's bytes unique; the token reaches wrk through the
# environment, not its command line.
wrk_run=wrk$(date +%s)
# awk reads the whole list (head would leave ls writing into a closed pipe, fatal with pipefail)
printf '%s\n' "$selected"/*.jpg | awk 'NR <= 8' >"$work/wrk-images.txt"
token=$(java "$here/DeliveryBench.java" consent gateway="$GATEWAY" run="$wrk_run" \
  token-url=http://127.0.0.1:$KEYCLOAK_PORT/realms/photobridge/protocol/openid-connect/token \
  user=derm.photographer password-file="$work/photographer.password")
for c in 1 8 32; do
  pb_log "wrk: accept latency at concurrency $c for ${wrk_seconds}s"
  if ((profile && c == 8)); then profile_start; fi
  if ((capture)); then capture_start "c$c"; fi
  if ((profile && c == 8)); then peer_window_start; fi
  PB_TOKEN=$token PB_RUN=$wrk_run PB_PASS=c$c PB_IMAGES=$work/wrk-images.txt \
    wrk -t "$((c < 2 ? 1 : 2))" -c "$c" -d "${wrk_seconds}s" --timeout 60s -s "$here/wrk-upload.lua" "$GATEWAY" \
    | sed "s/^RESULT label=wrk /RESULT label=wrk-c$c /" | tee "$work/wrk-c$c.txt" | tee -a "$results"
  if ((profile && c == 8)); then peer_window_end; fi
  grep -q '^RESULT .* not202=0 ' "$work/wrk-c$c.txt" || pb_die "wrk at concurrency $c: some uploads were not answered 202 ($work/wrk-c$c.txt)"
  # No answer within the run leaves no latency to report: say so rather than print a p99 of 0.
  grep -q '^RESULT .* requests=0 ' "$work/wrk-c$c.txt" \
    && pb_die "wrk at concurrency $c: no upload was answered within ${wrk_seconds}s; give it longer (--wrk-seconds)"
  if ((capture)); then capture_report "c$c"; fi
  if ((profile && c == 8)); then
    profile_report "$(sed -n 's/^RESULT .* requests=\([0-9]*\) .*/\1/p' "$work/wrk-c8.txt")"
  fi
done
unset token
wrk_p99_8=$(sed -n 's/^RESULT .* p99=\([0-9.]*\).*/\1/p' "$work/wrk-c8.txt")
rss_peak=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$gateway_pid/status")
# "Pause Young (Normal) (G1 Evacuation Pause) 812M->95M(1024M)": the figure before the arrow.
heap_peak=$(sed -n 's/.* \([0-9]*\)M->[0-9]*M([0-9]*M).*/\1/p' "$work/gc-orthanc.log" | sort -n | tail -n1)
summary_statements=""
((count_statements)) && count_statements
printf 'gateway: started in %s s (Quarkus); RSS %s MB idle, %s MB after the throughput run, %s MB peak; heap peak %s MB (before a collection)\n' \
  "$started" "$rss_idle" "$rss_after" "$rss_peak" "${heap_peak:-?}" | tee -a "$results"
stop_stack

# The top frame of every execution sample, and the allocating frame of every allocation sample (by weight).
if ((jfr)) && [[ -s $work/delivery.jfr ]]; then
  {
    echo "JFR hottest methods (top frame of execution samples, whole Orthanc run):"
    jfr print --events jdk.ExecutionSample "$work/delivery.jfr" \
      | awk '/stackTrace = \[/ {getline; sub(/^ +/, ""); sub(/ line:.*/, ""); n[$0]++; t++}
             END {for (m in n) printf "%6d %5.1f%%  %s\n", n[m], 100 * n[m] / t, m}' | sort -rn | awk 'NR <= 15'
    echo "JFR allocation (bytes sampled by allocating method):"
    jfr print --events jdk.ObjectAllocationSample "$work/delivery.jfr" \
      | awk '/weight = / {w = $3; u = $4; if (u ~ /kB/) w *= 1e3; else if (u ~ /MB/) w *= 1e6; else if (u ~ /GB/) w *= 1e9}
             /stackTrace = \[/ {getline; sub(/^ +/, ""); sub(/ line:.*/, ""); a[$0] += w; t += w}
             END {for (m in a) printf "%10.1f MB %5.1f%%  %s\n", a[m] / 1e6, 100 * a[m] / t, m}' | sort -rn | awk 'NR <= 15'
  } | tee "$work/jfr-summary.txt"
fi

# --- dcmtk storescp writing to disk ----------------------------------------------------------------
if ((with_storescp)); then
  mkdir -p "$work/scp"
  # +xa: accept the JPEG transfer syntaxes (storescp takes only uncompressed ones by default).
  storescp -aet ORTHANC +xa --output-directory "$work/scp" --fork "$SCP_PORT" >"$work/storescp.log" 2>&1 &
  scp_pid=$!
  deadline=$((SECONDS + 30))
  until pb_port_open "$SCP_PORT"; do
    ((SECONDS < deadline)) || pb_die "storescp does not listen on $SCP_PORT ($work/storescp.log)"
    sleep 0.2
  done
  wait_quiet "storescu -> storescp"
  pb_log "storescu -> storescp: $photos files"
  scp_ref_seconds=$(time_storescu 127.0.0.1 "$SCP_PORT" ORTHANC)
  got=$(find "$work/scp" -type f | wc -l)
  ((got == photos)) || pb_die "storescp wrote $got of $photos files"
  scp_ref_mbps=$(echo "$mb / $scp_ref_seconds" | bc -l)
  printf 'storescu -> storescp: %d files, %.1f MB in %.2f s: %.2f MB/s\n' "$photos" "$mb" "$scp_ref_seconds" "$scp_ref_mbps" | tee -a "$results"
  rm -rf "$work/scp" && mkdir -p "$work/scp"
  start_stack storescp "-Dphotobridge.destinations.orthanc.port=$SCP_PORT" --skip-build
  warm_up_gateway gateway-storescp-cold receiver=directory directory="$work/scp"
  find "$work/scp" -mindepth 1 -delete
  wait_quiet "gateway -> storescp"
  pb_log "gateway -> storescp: $photos uploads at concurrency $concurrency"
  driver label=gateway-storescp concurrency="$concurrency" receiver=directory directory="$work/scp" \
    | tee "$work/gateway-storescp.txt" | tee -a "$results"
  scp_gw_mbps=$(sed -n 's/^RESULT .* mbps=\([0-9.]*\) .*/\1/p' "$work/gateway-storescp.txt")
  stop_stack
  stop_scp
fi

{
  echo
  printf 'machine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(java -version 2>&1 | head -n1)"
  delivery_target="target >= 0.80"
  ((orientation == 1)) || delivery_target="storescu sends the photos as stored, the gateway turns them first; the target is set for upright photos"
  printf 'SUMMARY delivery to Orthanc: gateway %.2f MB/s, storescu %.2f MB/s, ratio %.2f (%s)\n' \
    "$gw_mbps" "$ref_mbps" "$(echo "$gw_mbps / $ref_mbps" | bc -l)" "$delivery_target"
  if [[ -n $cold_mbps ]]; then
    printf 'SUMMARY delivery to Orthanc right after start-up (cold JVM, %d photos): gateway %.2f MB/s, ratio %.2f\n' \
      "$warm_up" "$cold_mbps" "$(echo "$cold_mbps / $ref_mbps" | bc -l)"
  fi
  if ((with_storescp)); then
    printf 'SUMMARY delivery to storescp: gateway %.2f MB/s, storescu %.2f MB/s, ratio %.2f\n' \
      "$scp_gw_mbps" "$scp_ref_mbps" "$(echo "$scp_gw_mbps / $scp_ref_mbps" | bc -l)"
  fi
  printf 'SUMMARY gateway start-up %s s, RSS idle %s MB, after benchmark 1 %s MB, peak heap %s MB\n' \
    "$started" "$rss_idle" "$rss_after" "${heap_peak:-?}"
  via=""
  ((rtt > 0)) && via=", through $rtt ms of added round trip"
  target="target < 250 ms"
  if ((orientation != 1)); then
    via="$via, 4032 x 3024 photos with EXIF orientation $orientation"
    target="the target is set for upright photos"
  fi
  printf 'SUMMARY accept latency p99 at concurrency 8 (our driver, HTTP/%s%s): %.0f ms (%s); during the throughput run at concurrency %d, the JVM'"'"'s second minute: %.0f ms\n' \
    "$http" "$via" "$p99_8" "$target" "$concurrency" "$p99_run"
  printf 'SUMMARY accept latency p99 at concurrency 8 measured by wrk: %.0f ms (ours: %.0f ms)\n' "$wrk_p99_8" "$p99_8"
  if ((capture)); then
    printf 'SUMMARY accept latency p99 at concurrency 8 on the wire (wrk'"'"'s uploads, first request byte to first answer byte): %s ms (wrk: %.0f ms)\n' \
      "$(sed -n 's/^RESULT .* p99=\([0-9.]*\).*/\1/p' "$work/wire-c8.txt")" "$wrk_p99_8"
  fi
  [[ -z $summary_statements ]] || printf 'SUMMARY %s\n' "$summary_statements"
} | tee -a "$results"
pb_log "results in $results"
