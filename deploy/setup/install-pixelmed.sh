#!/usr/bin/env bash
# Installs PixelMed (Debian's libpixelmed-java) into the local Maven repository as
# com.pixelmed:pixelmed:20220618. The Debian jar's manifest Class-Path points at absolute
# /usr/share/java paths, so the installed copy has its manifest replaced.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=20220618
repo=$("$root/mvnw" -q help:evaluate -Dexpression=settings.localRepository -DforceStdout -N 2>/dev/null || echo "$HOME/.m2/repository")
target="$repo/com/pixelmed/pixelmed/$version/pixelmed-$version.jar"
if [[ -f $target ]]; then
  exit 0
fi
jar=/usr/share/java/pixelmed-$version.jar
if [[ ! -f $jar ]]; then
  "$here/apt-install.sh" libpixelmed-java
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$jar" "$work/orig.jar"
(cd "$work" && mkdir x && cd x && unzip -q ../orig.jar && rm -f META-INF/MANIFEST.MF META-INF/*.SF META-INF/*.RSA META-INF/*.DSA \
  && printf 'Manifest-Version: 1.0\nCreated-By: PhotoBridge install-pixelmed.sh\n' > ../MANIFEST.MF \
  && jar cfm ../pixelmed.jar ../MANIFEST.MF .)
"$root/mvnw" -q -N -f "$root/pom.xml" install:install-file -Dfile="$work/pixelmed.jar" -DgroupId=com.pixelmed -DartifactId=pixelmed \
  -Dversion=$version -Dpackaging=jar -DgeneratePom=true
echo "PixelMed $version installed into $repo"
