"""In-process timings of the household list with Django's test client (no network, no server).

    DJANGO_SETTINGS_MODULE=bench.settings python bench/inprocess.py [--requests 200]

Prints p50/p95 per case and the number of SQL queries one request makes.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from common import RESULTS, cases, percentiles, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--label", default="")
    parser.add_argument("--show-queries", action="store_true", help="print the last case's SQL")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from organization.models import User

    rows = []
    for case in cases():
        client = Client()
        client.force_login(User.objects.get(username=case.username))
        for _ in range(args.warmup):
            assert client.get(case.path).status_code == 200, case
        # Counted with a wrapper: request_started clears Django's own query log.
        queries: list[str] = []
        with connection.execute_wrapper(
            lambda run, sql, *rest, log=queries: log.append(sql) or run(sql, *rest)
        ):
            size = len(client.get(case.path).content)
        samples, cpu = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(case.path)
            samples.append((time.perf_counter() - started) * 1000)
            # CPU time of this process: with SQLite it includes the database, and unlike
            # wall time it does not grow when other jobs share the machine.
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
        p50, p95 = percentiles(samples)
        cpu50, _ = percentiles(cpu)
        rows.append(
            {
                "database": connection.vendor,
                "case": case.name,
                "path": case.path,
                "requests": args.requests,
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "cpu_p50_ms": round(cpu50, 1),
                "queries": len(queries),
                "bytes": size,
            }
        )
        print(
            f"{connection.vendor:10} {case.name:15} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"cpu p50 {cpu50:6.1f} ms  "
            f"{len(queries):2d} queries  {size} bytes  {case.path}",
            flush=True,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    out = RESULTS / f"inprocess-{args.label or connection.vendor}.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    if args.show_queries:
        print("\n".join(queries))


if __name__ == "__main__":
    main()
