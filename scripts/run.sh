#!/usr/bin/env bash
# Web server, Celery worker and beat side by side; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PORT=${PORT:-8000}
mkdir -p var
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT
"$VENV/bin/celery" -A suixi_monitor worker --loglevel=INFO --concurrency=2 &
"$VENV/bin/celery" -A suixi_monitor beat --loglevel=INFO --schedule var/celerybeat-schedule &
echo "濉溪县防返贫监测系统: http://127.0.0.1:${PORT}  (演示账号见 README；Ctrl-C 停止)"
"$VENV/bin/gunicorn" suixi_monitor.wsgi:application \
  --bind "127.0.0.1:${PORT}" --workers "${WEB_WORKERS:-2}" --access-logfile - &
wait -n
