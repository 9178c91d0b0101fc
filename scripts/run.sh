#!/usr/bin/env bash
# Web server, Celery worker and beat side by side; Ctrl-C stops all three within a few seconds.
# `make run` calls this after migrating, loading the demo data and collecting static files.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# How long the three get to stop cleanly after Ctrl-C before they are killed.
STOP_SECONDS=${STOP_SECONDS:-6}

# Each child in a process group of its own (job control): Ctrl-C reaches `make` and this
# script only, and `stop` signals each child once, in the way it stops fastest, instead of
# every process of the terminal's group getting SIGINT at once (a Celery worker whose pool
# processes are interrupted under it can hang in its warm shutdown).
set -m
children=()
# A process group with a live member (zombies left for a non-reaping init do not count).
group_alive() {
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ {found = 1} END {exit !found}'
}
stop() {
  trap - INT TERM EXIT
  local worker=${children[0]:-} beat=${children[1]:-} web=${children[2]:-}
  # The worker: SIGINT to it and its pool processes (as a terminal's Ctrl-C does), then its
  # warm shutdown (finish the task in hand). Beat: SIGTERM. Gunicorn: SIGINT, its quick
  # shutdown.
  [[ -n $worker ]] && { kill -INT -- "-$worker" 2>/dev/null || true; }
  [[ -n $worker ]] && { kill -TERM "$worker" 2>/dev/null || true; }
  [[ -n $beat ]] && { kill -TERM "$beat" 2>/dev/null || true; }
  [[ -n $web ]] && { kill -INT "$web" 2>/dev/null || true; }
  local started=$SECONDS cold=0
  while ((SECONDS - started < STOP_SECONDS)); do
    local alive=0
    for pid in "${children[@]}"; do
      group_alive "$pid" && alive=1
    done
    ((alive)) || break
    # A worker on the filesystem broker can sit in its warm shutdown for a minute and more:
    # after half the time, a cold shutdown. Tasks are acknowledged late and idempotent, so
    # a task cut short is delivered again.
    if ((!cold && SECONDS - started >= STOP_SECONDS / 2)) && [[ -n $worker ]]; then
      kill -QUIT "$worker" 2>/dev/null || true
      cold=1
    fi
    sleep 0.2
  done
  # Whatever is left is killed, with the processes it started.
  for pid in "${children[@]}"; do
    if group_alive "$pid"; then
      echo "run.sh: process group $pid did not stop within ${STOP_SECONDS}s; killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$VENV/bin/celery" -A suixi_monitor worker --loglevel="${LOG_LEVEL:-INFO}" \
  --concurrency="${CELERY_CONCURRENCY:-2}" --without-gossip --without-mingle &
children+=($!)
"$VENV/bin/celery" -A suixi_monitor beat --loglevel="${LOG_LEVEL:-INFO}" &
children+=($!)
"$VENV/bin/gunicorn" suixi_monitor.wsgi:application \
  --bind "${HOST}:${PORT}" --workers "${WEB_WORKERS:-2}" --access-logfile - \
  --graceful-timeout "${STOP_SECONDS}" &
children+=($!)
echo "濉溪县防返贫监测系统: http://${HOST}:${PORT}  (演示账号见 README；Ctrl-C 停止)"
# The first of the three to exit (or Ctrl-C) stops the other two.
wait -n
