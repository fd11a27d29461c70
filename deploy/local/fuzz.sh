#!/usr/bin/env bash
# A fuzzing campaign of the photo parsers (docs/security.md, "Fuzzing"): builds the gateway with its
# tests, then fuzzes each Jazzer target in its own JVM for the given time. CI fuzzes every target
# for a few seconds (Maven profile ci-fuzz); this runs the long campaign.
#
#   deploy/local/fuzz.sh [DURATION] [TARGET...]
#     DURATION  per target, as Jazzer reads it: 30s, 10m, 2h (default 10m)
#     TARGET    upload jpeg-segments jpeg png exif transcode (default: all)
#
# A finding fails its target and is written as crash-<sha1> into the target's inputs directory
# (gateway/src/test/resources/org/photobridge/gateway/photo/<Class>Inputs/<method>/): fix the code,
# rename the file to say what it was, and commit it; from then on every test run replays it. The
# corpus the fuzzer grows is kept in gateway/.cifuzz-corpus/ (not committed) for the next campaign.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

duration=${1:-10m}
if [ $# -gt 0 ]; then shift; fi
all=(upload jpeg-segments jpeg png exif transcode)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${all[@]}"); fi
for target in "${targets[@]}"; do
  case " ${all[*]} " in
    *" $target "*) ;;
    *) echo "unknown fuzz target '$target'; the targets are: ${all[*]}" >&2; exit 2 ;;
  esac
done

if [ "${PB_FUZZ_SKIP_BUILD:-}" != 1 ]; then
  echo "== build (gateway and its tests)"
  "$root/mvnw" -B -ntp -q -pl gateway -am install -DskipTests
fi

failed=()
for target in "${targets[@]}"; do
  echo "== fuzzing $target for $duration"
  if ! "$root/mvnw" -B -ntp -pl gateway "surefire:test@fuzz-$target" \
      -Dpbtest.fuzz.skip=false -Dpbtest.fuzz.duration="$duration"; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "== findings in: ${failed[*]} (see gateway/src/test/resources/org/photobridge/gateway/photo/*Inputs/)" >&2
  exit 1
fi
echo "== no findings in: ${targets[*]}"
