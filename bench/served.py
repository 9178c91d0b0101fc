"""The household list through gunicorn (2 workers, persistent DB connections) under load,
beside the bare 50-row view, in the same run.

    python bench/served.py [--port 8200] [--requests 2000] [--seconds 30]

Uses whatever database DATABASE_URL / VAR_DIR point at (the seeded bench database).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from common import RESULTS, ROOT, cases, setup_django
from load import HOST, hammer, login


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "600"),
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "suixi_monitor.wsgi:application", "--workers", "2",
         "--bind", f"{HOST}:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    by_name = {case.name: case for case in cases()}
    vendor = connection.vendor
    connection.close()
    server = start_gunicorn(args.port)
    rows = []
    try:
        cookies = {}
        # Real and bare alternate, so a noisy neighbour on the machine hits both alike.
        for name in ["village", "bare", "village", "bare", "town", "search"]:
            case = by_name[name]
            if case.username not in cookies:
                cookies[case.username] = login(args.port, case.username, "Suixi@2021")
            hammer(port=args.port, path=case.path, cookie=cookies[case.username],
                   concurrency=args.concurrency, requests=50, seconds=10)  # fmt: skip
            result = hammer(port=args.port, path=case.path, cookie=cookies[case.username],
                            concurrency=args.concurrency, requests=args.requests,
                            seconds=args.seconds)  # fmt: skip
            result.update(database=vendor, case=name, concurrency=args.concurrency)
            rows.append(result)
            print(
                f"{vendor:10} {name:8} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:7.1f} ms"
                f"  p95 {result['p95_ms']:7.1f} ms  ok {result['ok']}  errors {result['errors']}"
                f" {result['first_error']}",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    real = [r["rps"] for r in rows if r["case"] == "village"]
    bare = [r["rps"] for r in rows if r["case"] == "bare"]
    ratio = (sum(real) / len(real)) / (sum(bare) / len(bare))
    print(f"{vendor:10} village page / bare view throughput: {ratio:.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"served-{args.label or vendor}.json"
    out.write_text(
        json.dumps({"rows": rows, "ratio": round(ratio, 2)}, ensure_ascii=False, indent=1)
    )


if __name__ == "__main__":
    main()
