"""How long `make run` takes to stop on Ctrl-C.

Starts `make run` in a process group of its own, on a spare port, with its own ``VAR_DIR``
(a fresh SQLite database and filesystem broker, a few demo households), waits until the site
answers and the Celery worker is ready, then sends SIGINT to the whole group, as a terminal's
Ctrl-C does, and times how long it takes until every process of the group has exited.

    .venv/bin/python scripts/stop_check.py            # prints the figure; exit 1 over the limit
    .venv/bin/python scripts/stop_check.py --keep     # keep the VAR_DIR to read its logs
    VENV=/path/to/venv python scripts/stop_check.py   # `make run` with another virtualenv

Not part of the test suite: starting `make run` on a fresh database takes a minute or more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 10.0


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies of the group still answer signal 0 until reaped; count only live processes.
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            return True
    return False


def wait_until(predicate, timeout: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the VAR_DIR and its log")
    parser.add_argument("--start-timeout", type=float, default=600.0)
    parser.add_argument(
        "--settle", type=float, default=30.0, help="seconds to let it run before Ctrl-C"
    )
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="suixi-stop-check-"))
    port = spare_port()
    log_path = var_dir / "make-run.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "VAR_DIR": str(var_dir),
        "DEMO_HOUSEHOLDS": os.environ.get("DEMO_HOUSEHOLDS", "60"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            [
                "make",
                "run",
                f"PORT={port}",
                f"DEMO_HOUSEHOLDS={env['DEMO_HOUSEHOLDS']}",
                *([f"VENV={os.environ['VENV']}"] if os.environ.get("VENV") else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
    pgid = make.pid

    def site_answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as page:
                return page.status == 200
        except OSError:
            return make.poll() is not None  # stop waiting if make died

    def worker_ready() -> bool:
        return b"ready." in log_path.read_bytes() or make.poll() is not None

    try:
        if not wait_until(site_answers, args.start_timeout) or make.poll() is not None:
            print(f"make run did not start; see {log_path}", file=sys.stderr)
            args.keep = True
            return 2
        wait_until(worker_ready, 60)
        time.sleep(args.settle)  # beat and the worker settle into their polling loops

        started = time.monotonic()
        os.killpg(pgid, signal.SIGINT)  # Ctrl-C: the whole foreground group gets SIGINT
        stopped = wait_until(lambda: not group_alive(pgid), 120, step=0.1)
        seconds = time.monotonic() - started
        make.wait(timeout=5) if stopped else None
    finally:
        if group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)

    verdict = "within" if stopped and seconds <= LIMIT_SECONDS else "OVER"
    print(
        f"make run stopped {seconds:.1f} s after Ctrl-C ({verdict} the {LIMIT_SECONDS:.0f} s limit)"
        + ("" if stopped else "; still running after 120 s, killed")
    )
    if args.keep:
        print(f"log: {log_path}")
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    sys.exit(main())
