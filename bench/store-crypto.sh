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

# shellcheck source=jmh-common.sh
source "$here/jmh-common.sh"
jmh_prepare "$@"

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
