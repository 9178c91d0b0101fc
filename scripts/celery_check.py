"""Round-trip one task through the configured broker and a real worker.

Starts a worker beside this process, sends ``suixi_monitor.ping`` and waits for
the answer, so a broken broker setup (the filesystem transport under ``var/``
or Redis from ``CELERY_BROKER_URL``) shows up before users notice. Results
travel through a temporary file result backend unless one is configured.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    results = tempfile.mkdtemp(prefix="celery-results-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "suixi_monitor.settings"}
    env.setdefault("CELERY_RESULT_BACKEND", f"file://{results}")
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.update(env)
    # A queue of its own, so a running `make run` worker (which stores no results) cannot take it.
    queue = f"celery-check-{os.getpid()}"
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [str(celery), "-A", "suixi_monitor", "worker", "--pool=solo", "--loglevel=WARNING",
         f"--queues={queue}", "--hostname=celery-check@%h", "--without-mingle",
         "--without-gossip"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from suixi_monitor.celery import app

        started = time.monotonic()
        answer = app.send_task("suixi_monitor.ping", queue=queue).get(timeout=60)
        print(f"Celery 正常：{answer}，往返 {time.monotonic() - started:.1f} 秒")
        return 0 if answer.get("pong") else 1
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
