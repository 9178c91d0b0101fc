#!/usr/bin/env bash
# The household-list benchmark of bench/README.md, on SQLite and/or PostgreSQL.
#   bench/run.sh [sqlite|postgres|all]     (default: all)
#   bench/run.sh load                      fifty signed-in users on LOAD_DATABASE_URL (below)
# Seeds BENCH_HOUSEHOLDS (default 300000) into databases of its own — never var/db.sqlite3:
#   SQLite:     bench/results/sqlite/db.sqlite3 (VAR_DIR)
#   PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/suixi_bench)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
N=${BENCH_HOUSEHOLDS:-300000}
REQUESTS=${BENCH_REQUESTS:-200}
PG_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/suixi_bench}
export DJANGO_SETTINGS_MODULE=bench.settings
mkdir -p bench/results
# Static files as in production (manifest storage served by whitenoise).
"$PY" manage.py collectstatic --noinput -v0

create_database() {  # $1 = a PostgreSQL URL; creates its database if it is missing
  "$PY" - "$1" <<'PY'
import sys, psycopg
base, name = sys.argv[1].rsplit("/", 1)
with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
PY
}

run_one() {  # $1 = label
  echo "== $1: migrate"
  "$PY" manage.py migrate --noinput -v0
  echo "== $1: seed $N households"
  /usr/bin/time -f "%e s elapsed, %M KB max RSS" "$PY" manage.py seed_demo --households "$N" -v2 \
    2>&1 | tail -3 | tee "bench/results/seed-$1.txt"
  echo "== $1: in-process, $REQUESTS requests per case"
  "$PY" bench/inprocess.py --requests "$REQUESTS" --label "$1"
  echo "== $1: gunicorn, 2 workers, 16 connections"
  "$PY" bench/served.py --label "$1"
}

if [[ "${1:-all}" == load ]]; then
  # The demo county on PostgreSQL (make demo's six commands, idempotent), then the load
  # generator of bench/requirements.txt, which bench/concurrent_users.py installs into a
  # virtualenv of its own (bench/results/locust-venv).
  LOAD_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/suixi_load_demo}
  export DATABASE_URL=$LOAD_URL VAR_DIR=$PWD/bench/results/load
  create_database "$LOAD_URL"
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py seed_demo
  "$PY" manage.py seed_low_income_demo
  "$PY" manage.py seed_identification_demo
  "$PY" manage.py seed_help_demo
  "$PY" manage.py seed_exit_demo
  "$PY" manage.py seed_declaration_demo
  "$PY" bench/concurrent_users.py --label postgres
  exit
fi
if [[ "${1:-all}" == sqlite || "${1:-all}" == all ]]; then
  (export VAR_DIR=$PWD/bench/results/sqlite; unset DATABASE_URL; run_one sqlite)
fi
if [[ "${1:-all}" == postgres || "${1:-all}" == all ]]; then
  create_database "$PG_URL"
  (export VAR_DIR=$PWD/bench/results/postgres DATABASE_URL=$PG_URL; run_one postgres)
fi
