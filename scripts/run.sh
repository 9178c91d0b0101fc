#!/usr/bin/env bash
# Web server, Celery worker and beat side by side; Ctrl-C stops all three.
# `make run` calls this after migrating, loading the demo data and collecting static files.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

children=()
stop() {
  trap - INT TERM EXIT
  # Only our own children: `kill 0` would also hit `make`, which shares the process group.
  kill -TERM "${children[@]}" 2>/dev/null || true
  wait || true
}
trap stop INT TERM EXIT

"$VENV/bin/celery" -A suixi_monitor worker --loglevel="${LOG_LEVEL:-INFO}" \
  --concurrency="${CELERY_CONCURRENCY:-2}" &
children+=($!)
"$VENV/bin/celery" -A suixi_monitor beat --loglevel="${LOG_LEVEL:-INFO}" &
children+=($!)
"$VENV/bin/gunicorn" suixi_monitor.wsgi:application \
  --bind "${HOST}:${PORT}" --workers "${WEB_WORKERS:-2}" --access-logfile - &
children+=($!)
echo "濉溪县防返贫监测系统: http://${HOST}:${PORT}  (演示账号见 README；Ctrl-C 停止)"
# The first of the three to exit (or Ctrl-C) stops the other two.
wait -n
