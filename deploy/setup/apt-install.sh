#!/usr/bin/env bash
# Installs the named Debian packages when any of them is missing (runs apt-get update once).
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# Package scripts may try to start services; the project starts its own on loopback.
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
