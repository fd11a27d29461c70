#!/usr/bin/env bash
# Makes sure the machine's PostgreSQL answers on 127.0.0.1:5432 and has the database and role the
# persistence tests use (photobridge_test, owned by role photobridge; trust authentication).
set -euo pipefail
host=127.0.0.1
port=${PB_TEST_PG_PORT:-5432}
answers() { pg_isready -q -h "$host" -p "$port"; }
if ! answers; then
  # The machine image starts PostgreSQL before a session; start it again if it has stopped.
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    for version in /etc/postgresql/*; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
    done
  fi
  for _ in $(seq 1 30); do answers && break; sleep 1; done
  answers || { echo "PostgreSQL does not answer on $host:$port" >&2; exit 1; }
fi
psql_admin() { psql -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [[ -z $(psql_admin -c "select 1 from pg_roles where rolname = 'photobridge'") ]]; then
  psql_admin -c "create role photobridge login"
fi
if [[ -z $(psql_admin -c "select 1 from pg_database where datname = 'photobridge_test'") ]]; then
  psql_admin -c "create database photobridge_test owner photobridge"
fi
