#!/usr/bin/env bash
# Benchmark 3b (docs/performance.md): the photo store's AES-256-GCM (store/SegmentedGcm) against the
# JDK's own AES-GCM (SunJCE) over the same 3.6 MB, encryption and decryption, with JMH. Not part of
# the test run.
#
#   bench/store-crypto.sh [--quick] [--skip-build] [extra JMH arguments]
#
#   --quick        1 warm-up and 2 measurement iterations of 2 s (a smoke run)
#   --skip-build   reuse bench/jmh/target (after an earlier run of this or bench/cleaning.sh)
#
# Prints ms per photo for each variant and the summary line: the store's time against SunJCE's best
# (16 KiB calls) for encryption and decryption.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../deploy/local/lib.sh
source "$here/../deploy/local/lib.sh"
PB_LOG_TAG=bench
cd "$PB_ROOT"

quick=0 skip_build=0 jmh_args=()
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --skip-build) skip_build=1 ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) jmh_args+=("$1") ;;
  esac
  shift
done
"$PB_ROOT/deploy/setup/apt-install.sh" jq

work=$PB_ROOT/target/bench
module=$PB_ROOT/bench/jmh
mkdir -p "$work"
if ((!skip_build)); then
  pb_log "building the gateway and the JMH module (profile bench)"
  "$PB_ROOT/mvnw" -B -ntp -q -Pbench -pl bench/jmh -am -DskipTests package \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
[[ -f $module/target/classpath.txt ]] || pb_die "bench/jmh is not built; run without --skip-build"
classpath="$module/target/classes:$(<"$module/target/classpath.txt")"

if ((quick)); then
  jmh_args=(-wi 1 -i 2 -w 2s -r 2s "${jmh_args[@]}")
fi
result=$work/jmh-store-crypto.json
pb_log "running JMH (about 6 minutes; --quick for a smoke run)"
java -cp "$classpath" org.openjdk.jmh.Main StoreCryptoBench -rf json -rff "$result" "${jmh_args[@]}"

jq -r '
  def name: .benchmark | split(".") | last;
  (["benchmark", "ms/op", "±", "MB/s"] | @tsv),
  (.[] | [name, (.primaryMetric.score * 1000 | round / 1000),
          (.primaryMetric.scoreError | if type == "number" then (. * 1000 | round / 1000) else "-" end),
          ((.params.bytes | tonumber) / 1e3 / .primaryMetric.score | round)] | @tsv)
' "$result" | column -t -s $'\t'
jq -r '
  def score(n): map(select(.benchmark | endswith("." + n)))[0].primaryMetric.score;
  "summary: store encrypt \(score("storeEncrypt") * 1000 | round / 1000) ms against SunJCE \(score("sunjceEncryptSliced") * 1000 | round / 1000) ms (ratio \((score("storeEncrypt") / score("sunjceEncryptSliced")) * 100 | round / 100)), store decrypt \(score("storeDecrypt") * 1000 | round / 1000) ms against SunJCE \(score("sunjceDecryptSegments") * 1000 | round / 1000) ms (ratio \((score("storeDecrypt") / score("sunjceDecryptSegments")) * 100 | round / 100)); before (1 MiB segments): encrypt \(score("storeEncryptSegments1MiB") | round) ms, decrypt \(score("storeDecryptSegments1MiB") | round) ms"
' "$result"
