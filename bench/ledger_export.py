"""The registry ledger (三(十)) of the whole county exported, beside a bare openpyxl write.

    DJANGO_SETTINGS_MODULE=bench.settings VAR_DIR=bench/results/sqlite \
        .venv/bin/python bench/ledger_export.py [--repeat 1]

Each run starts one child process per case, alternating, so that each peak RSS is its own
(``resource.getrusage`` of the child) and a noisy neighbour hits both alike:

- ``export``: the real background export — a ``LedgerExport`` job run by
  ``reports.services.ledger_export_run`` as the worker runs it (progress rows, the audit entry,
  the file under the media directory), as the county bureau;
- ``bare``: the same rows pulled the same way (the registry's scoped ``.values()`` query
  through ``.iterator(chunk_size=2000)`` and the same per-chunk look-ups of
  ``reports.selectors.ledger_rows``) appended to a plain openpyxl write-only sheet: no
  neutraliser, no progress, no job, no log;
- ``base``: for scale only, the base query's plain values written without the look-ups.

The child samples its resident memory every 5 seconds, so a flat line shows that nothing
grows with the rows. Results are printed and appended to bench/results/ledger-export.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE_SECONDS = 5


def rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(case: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from openpyxl import Workbook

    from organization.models import Role, User
    from reports import services
    from reports.models import LedgerExport
    from reports.selectors import ledger_queryset, ledger_rows

    county = User.objects.filter(role=Role.COUNTY_BUREAU, is_active=True).order_by("pk").first()
    samples: list[tuple[float, float]] = []
    done = threading.Event()
    started = time.perf_counter()

    def sample() -> None:
        # Resident memory every few seconds: flat if nothing grows with the rows written.
        while not done.wait(SAMPLE_SECONDS):
            samples.append((round(time.perf_counter() - started), round(current_rss_mb(), 1)))

    threading.Thread(target=sample, daemon=True).start()
    cpu = time.process_time()
    if case == "export":
        job = LedgerExport.objects.create(
            kind="registry", requested_by=county, original_name="bench.xlsx", path="/bench/"
        )
        job = services.ledger_export_run(job_id=job.pk)
        rows, size = job.rows_total, job.size
        Path(job.file.path).unlink()
    else:
        values = ledger_queryset(user=county, kind="registry").iterator(chunk_size=2000)
        if case == "bare":
            rows_in = ledger_rows(values, kind="registry", user=county)
        else:
            rows_in = (list(row.values()) for row in values)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("bare")
        rows = 0
        for row in rows_in:
            sheet.append(row)
            rows += 1
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
            workbook.save(target)
            size = Path(target.name).stat().st_size
    done.set()
    return {
        "case": case,
        "rows": rows,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "rss_samples_mb": samples,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["export", "bare", "base"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cases", default="bare,export,base")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    results = []
    for _ in range(args.repeat):
        for case in args.cases.split(","):
            load = os.getloadavg()
            out = (
                subprocess.run(
                    [sys.executable, __file__, "--child", case],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(out) | {"load_before": [round(x, 2) for x in load]}
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    by_case: dict[str, list[dict]] = {}
    for result in results:
        by_case.setdefault(result["case"], []).append(result)
    if "export" in by_case and "bare" in by_case:
        export = min(r["seconds"] for r in by_case["export"])
        bare = min(r["seconds"] for r in by_case["bare"])
        summary = (
            f"export/bare wall time (best of each): {export} s / {bare} s = {export / bare:.2f}×"
        )
        print(summary)
        results.append({"summary": summary})
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "ledger-export.txt").open("a") as log:
        for result in results:
            log.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
