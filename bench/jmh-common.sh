# Sourced by the JMH benchmarks (bench/cleaning.sh, bench/store-crypto.sh) after deploy/local/lib.sh:
# their shared options (--quick, --skip-build, anything else passed to JMH), jq, PixelMed, and the
# build of the bench/jmh module with the Maven profile `bench`. Sets: work, module, classpath, jmh_args.

jmh_prepare() {
  local quick=0 skip_build=0
  jmh_args=()
  while (($#)); do
    case $1 in
      --quick) quick=1 ;;
      --skip-build) skip_build=1 ;;
      -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
      *) jmh_args+=("$1") ;;
    esac
    shift
  done
  "$PB_ROOT/deploy/setup/apt-install.sh" jq
  # The module depends on the gateway, which needs PixelMed in the local Maven repository.
  "$PB_ROOT/deploy/setup/install-pixelmed.sh"

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
}
