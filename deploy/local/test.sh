#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian machine of this kind: installs what the tests
# need (Debian packages, PixelMed into the local Maven repository), makes sure PostgreSQL answers
# on 127.0.0.1:5432 with a test database, starts the test stack (real Keycloak and Orthanc on their
# own loopback ports), runs the Maven build with all tests, and stops the stack again.
#
#   deploy/local/test.sh [extra Maven arguments, e.g. -Dtest=PhotoUploadToPacsTest]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

echo "== set-up: Debian packages and PixelMed"
"$root/deploy/setup/apt-install.sh" orthanc orthanc-dicomweb dcmtk dicom3tools libpixelmed-java jq curl chromium \
  postgresql-client unzip rsyslog rsyslog-openssl rsyslog-gnutls openssl strace libjpeg-turbo-progs
"$root/deploy/setup/install-pixelmed.sh"

echo "== set-up: PostgreSQL test database"
"$root/deploy/setup/postgres-test-db.sh"

echo "== set-up: test stack (Keycloak, Orthanc)"
stop_stack() { "$here/test-stack.sh" stop || true; }
trap stop_stack EXIT
"$here/test-stack.sh" start

echo "== tests"
"$root/mvnw" -B -ntp verify "$@"
