#!/usr/bin/env bash
# Benchmark 3 (docs/performance.md): cleaning and wrapping with JMH. Marker-level cleaning of a
# baseline 12-megapixel JPEG (with the check of its scans, also timed alone) against a plain copy of
# the same bytes, cleaning plus DICOM wrapping,
# and a 48-megapixel photo with EXIF orientation 6 made upright two ways: the full transcode path
# (8000 x 5992, half an MCU at the edge) and the block turn (8000 x 6000, whole MCUs) (time and
# allocation per photo, from JMH's gc profiler). Not part of the test run.
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
pb_log "running JMH (about 5 minutes; --quick for a smoke run)"
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
# Cleaning a kept photo includes the check of its scans (JpegScanCheck): the summary gives the ratio
# for cleaning with the check (what the gateway does), and for marker-level cleaning alone
# (cleanMarkers12mp, measured, read and written like the copy), which is what the target names.
jq -r --argjson size "$size12" '
  def mbs(ms): ($size / 1e6 / (ms / 1000)) * 10 | round / 10;
  def ratio(a; b): (a / b) * 100 | round / 100;
  def score(n): (map(select(.benchmark | endswith("." + n)))[0].primaryMetric.score // null);
  score("copy12mp") as $copy | score("clean12mp") as $clean | score("cleanMarkers12mp") as $markers |
  score("scanCheck12mp") as $check |
  "summary: plain copy \(mbs($copy)) MB/s; cleaning with the scan check \(mbs($clean)) MB/s, ratio \(ratio($copy; $clean))"
  + (if $markers != null then "; marker-level cleaning alone \(mbs($markers)) MB/s, ratio \(ratio($copy; $markers))" else "" end)
  + (if $check != null then "; the scan check alone \($check * 100 | round / 100) ms" else "" end)
  + " (target >= 0.5)"
  + (score("turnAndWrap48mpOrientation6") as $turn | score("transcodeAndWrap48mpOrientation6") as $transcode |
     if $turn != null and $transcode != null
     then "; 48 MP with orientation 6: turned by moving blocks \($turn | round) ms, transcoded \($transcode | round) ms, ratio \(ratio($transcode; $turn))"
     else "" end)
' "$result"
