"""Where one ingestion's time goes: wall and CPU seconds per phase of ``upload_ingest``.

    VAR_DIR=bench/results/warnings-sqlite python bench/warnings_phases.py --runs 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/suixi_warn_bench \\
        VAR_DIR=bench/results/warnings-postgres python bench/warnings_phases.py --runs 2

Runs against a database that ``bench/warnings_ingest.py`` has seeded and with its file.
Each run empties the month, uploads the file and ingests it with the phases wrapped in
timers; the CPU column is this process only, so on PostgreSQL the gap between wall and
CPU is the server's share, and in the reader's child process the child's. Phases nested in
another are indented under it. Reading is split into the shared reader (``read_sheets``:
the child process that runs python-calamine and pickles the cells, then the unpickling in
this process) and finding the tables. The commit is timed on its own (deferred
foreign-key checks on PostgreSQL). Before each run, python-calamine's bare read of the file
is timed and printed, to tell the machine's fast spell from its slow one.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.argv, ARGS = sys.argv[:1] + ["--label", "phases"], sys.argv[1:]

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402

from bench import warnings_ingest as bench  # noqa: E402  (sets Django up)
from early_warnings import services, spreadsheets  # noqa: E402
from early_warnings.services import ingest, matching  # noqa: E402
from organization.models import User  # noqa: E402
from suixi_monitor.spreadsheets import reading  # noqa: E402

PHASES = [
    (spreadsheets, "read_tables"),
    (spreadsheets, "read_sheets"),
    (reading, "read_native"),
    (spreadsheets, "find_tables"),
    (spreadsheets, "parse_rows"),
    (matching, "temp_table"),
    (matching, "_join_registry"),
    (matching, "_set_aside_exceptions"),
    (matching, "excel_truncated"),
    (matching, "_red_households"),
    (matching, "_insert"),
    (matching, "_raise_earlier_rows"),
    (ingest, "insert_ignoring_duplicates"),
    (ingest, "_after_ingest"),
]
# Inside read_native: the child process (start, calamine, pickling, the pipe) and the
# unpickling of its cells in this process.
CALLS = [
    (reading, "subprocess", "run", "child process"),
    (reading, "pickle", "loads", "unpickle the cells"),
]
timings: list[list] = []  # [label, depth, wall, cpu], in the order the phases start
depth = 0


def wrapped(original, label: str):
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        global depth
        entry = [label, depth, 0.0, 0.0]
        timings.append(entry)
        depth += 1
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            entry[2:] = time.perf_counter() - wall, time.process_time() - cpu
            depth -= 1

    return wrapper


def timed(module, name: str) -> None:
    setattr(module, name, wrapped(getattr(module, name), name))


def timed_call(module, imported: str, name: str, label: str) -> None:
    """``module``'s own reference to the module ``imported``, with ``name`` timed; the module
    itself is left alone for everyone else."""
    original = getattr(module, imported)
    proxy = types.SimpleNamespace(**vars(original))
    setattr(proxy, name, wrapped(getattr(original, name), label))
    setattr(module, imported, proxy)


def time_the_commit() -> None:
    """The commit of ingestion's write transaction as a phase of its own (on PostgreSQL the
    deferred foreign-key checks run there)."""
    atomic = transaction.atomic

    @contextlib.contextmanager
    def timed_atomic(*args, **kwargs):
        block = atomic(*args, **kwargs)
        block.__enter__()
        try:
            yield
        except BaseException:
            if not block.__exit__(*sys.exc_info()):
                raise
        else:
            entry = ["commit", depth, 0.0, 0.0]
            timings.append(entry)
            wall, cpu = time.perf_counter(), time.process_time()
            block.__exit__(None, None, None)
            entry[2:] = time.perf_counter() - wall, time.process_time() - cpu

    ingest.transaction = types.SimpleNamespace(atomic=timed_atomic, on_commit=transaction.on_commit)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(ARGS)
    for module, name in PHASES:
        timed(module, name)
    for module, imported, name, label in CALLS:
        timed_call(module, imported, name, label)
    time_the_commit()
    bench.warm_up()
    staff = User.objects.get(username="bench_yibao")
    for run in range(1, args.runs + 1):
        bench.clear_month()
        _, calamine = bench.timed(bench.bare_read)
        upload = services.upload_create(
            actor=staff,
            period=bench.PERIOD,
            file=SimpleUploadedFile("phases.xlsx", bench.FILE.read_bytes()),
        )
        timings.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        upload = services.upload_ingest(upload_id=upload.pk)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        load = " ".join(f"{figure:.2f}" for figure in os.getloadavg())
        print(
            f"run {run}: {upload.warnings_count} warnings, calamine bare read {calamine:.2f} s,"
            f" load average {load}"
        )
        print(f"  {'phase':<32} {'wall s':>7} {'cpu s':>7}")
        for name, level, phase_wall, phase_cpu in timings:
            label = "  " * level + name
            print(f"  {label:<32} {phase_wall:7.2f} {phase_cpu:7.2f}")
        print(f"  {'upload_ingest (whole)':<32} {wall:7.2f} {cpu:7.2f}")


if __name__ == "__main__":
    main()
