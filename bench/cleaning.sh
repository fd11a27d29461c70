#!/usr/bin/env bash
# Benchmark 3 (docs/performance.md): cleaning and wrapping with JMH. Marker-level cleaning of a
# baseline 12-megapixel JPEG (with the check of its scans, also timed alone) against a plain copy of
# the same bytes, cleaning plus DICOM wrapping,
# and the full transcode path of a 48-megapixel photo with EXIF orientation 6 (time and allocation
# per photo, from JMH's gc profiler). Not part of the test run.
#
#   bench/cleaning.sh [--quick] [--skip-build] [extra JMH arguments, e.g. -f 2]
#
#   --quick        1 warm-up and 2 measurement iterations of 2 s (a smoke run, not for figures)
#   --skip-build   reuse bench/jmh/target (after an earlier run)
#
# Builds the gateway and the bench/jmh module with the Maven profile `bench`, generates the test
# JPEGs once (cached in target/bench/jmh-images), runs JMH in one fork on -Xmx2g and prints a table
# and the summary line: cleaning speed, copy speed, ratio (target: at least 0.5).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../deploy/local/lib.sh
source "$here/../deploy/local/lib.sh"
PB_LOG_TAG=bench
cd "$PB_ROOT"

# shellcheck source=jmh-common.sh
source "$here/jmh-common.sh"
jmh_prepare "$@"
mkdir -p "$work/jmh-images"

result=$work/jmh-result.json
pb_log "running JMH (about 4 minutes; --quick for a smoke run)"
java -cp "$classpath" org.openjdk.jmh.Main CleaningBench -prof gc \
  -jvmArgsAppend "-Dbench.images=$work/jmh-images" -rf json -rff "$result" "${jmh_args[@]}"

# One table of what matters: ms per photo, MB/s of the 12 MP file, bytes allocated per photo.
size12=$(stat -c %s "$work/jmh-images/bench-4000x3000-o1.jpg")
jq -r --argjson size "$size12" '
  def name: .benchmark | split(".") | last;
  def mbs: ($size / 1e6) / (.primaryMetric.score / 1000);
  (["benchmark", "ms/op", "±", "MB/s (12 MP file)", "MB allocated/op"] | @tsv),
  (.[] | [name, (.primaryMetric.score * 100 | round / 100), (.primaryMetric.scoreError | if type == "number" then (. * 100 | round / 100) else "-" end),
          (if (name | test("12mp")) then (mbs * 10 | round / 10) else "-" end),
          ([.secondaryMetrics | to_entries[] | select(.key | endswith("gc.alloc.rate.norm")) | .value.score][0] // 0
           | . / 1e6 * 10 | round / 10)] | @tsv)
' "$result" | column -t -s $'\t'
# Cleaning a kept photo includes the check of its scans (JpegScanCheck): the summary gives cleaning
# with the check (the ratio's figure) and, derived as clean12mp minus scanCheck12mp, without it.
jq -r --argjson size "$size12" '
  def mbs(ms): ($size / 1e6 / (ms / 1000)) * 10 | round / 10;
  (map(select(.benchmark | endswith(".copy12mp")))[0].primaryMetric.score) as $copy |
  (map(select(.benchmark | endswith(".clean12mp")))[0].primaryMetric.score) as $clean |
  (map(select(.benchmark | endswith(".scanCheck12mp")))[0].primaryMetric.score // null) as $check |
  "summary: cleaning \(mbs($clean)) MB/s"
  + (if $check != null and $check < $clean
     then " including the scan check (\($check * 100 | round / 100) ms; marker-level cleaning without it about \(mbs($clean - $check)) MB/s)"
     else "" end)
  + ", plain copy \(mbs($copy)) MB/s, ratio \(($copy / $clean) * 100 | round / 100) (target >= 0.5)"
' "$result"
