#!/usr/bin/env bash
# The household-list benchmark of bench/README.md, on SQLite and/or PostgreSQL.
#   bench/run.sh [sqlite|postgres|all]     (default: all)
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

if [[ "${1:-all}" == sqlite || "${1:-all}" == all ]]; then
  (export VAR_DIR=$PWD/bench/results/sqlite; unset DATABASE_URL; run_one sqlite)
fi
if [[ "${1:-all}" == postgres || "${1:-all}" == all ]]; then
  "$PY" - "$PG_URL" <<'PY'
import sys, psycopg
url = sys.argv[1]
base, name = url.rsplit("/", 1)
with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
PY
  (export VAR_DIR=$PWD/bench/results/postgres DATABASE_URL=$PG_URL; run_one postgres)
fi
