"""Department-file ingestion at county scale (issue: 100,000 rows against ~1,000,000 members).

    VAR_DIR=bench/results/warnings-sqlite python bench/warnings_ingest.py --label sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/suixi_warn_bench \\
        VAR_DIR=bench/results/warnings-postgres python bench/warnings_ingest.py --label postgres

Uses a database of its own (never var/db.sqlite3): migrates it, seeds HOUSEHOLDS households
with 1-6 members each in bulk (IDs are deterministic, so the same file fits every database),
writes one 100,000-row 医保 file once, then times in the same process:
- the bare read of the file with python-calamine (again at the end: the machine's speed can
  change within a run), the shared reader ``read_sheets`` alone (calamine in a child
  process: the difference to the bare read is what the child costs), and the reader plus
  row validation (``read_tables`` + ``parse_rows``);
- what the child's share is made of: starting an interpreter that imports python-calamine,
  and pickling the cells (size, dump and load, measured here in this process);
- upload to warnings written: ``upload_create`` (stores the file) + ``upload_ingest``
  (what the Celery task runs), on an empty month;
- the same file again (everything already there: nothing new may be written);
- then, ``--repeat`` times, the month emptied and the file ingested again by the same process
  (a worker that has ingested a file before).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import io
import json
import os
import pickle
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suixi_monitor.settings")

import django  # noqa: E402

django.setup()

import python_calamine  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from early_warnings import services, spreadsheets  # noqa: E402
from early_warnings.models import Clue, Upload, Warning, WarningIndicator  # noqa: E402
from households.id_numbers import make_id_number, normalize_id_number  # noqa: E402
from households.models import Household, Member  # noqa: E402
from organization.models import Department, Role, Town, User, Village  # noqa: E402
from suixi_monitor.spreadsheets import read_sheets  # noqa: E402

PERIOD = "2026-05"
FILE = ROOT / "bench" / "results" / "warnings-100k.xlsx"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def member_id(i: int) -> str:
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=i // 1000)
    return make_id_number(region="340621", born=born, sequence=i % 1000)


def seed(households: int) -> int:
    """Bulk rows straight into the tables: the registry is the setting here, not the subject."""
    if Household.objects.count() >= households:
        return Member.objects.count()
    town, _ = Town.objects.get_or_create(code="340621999", defaults={"name": "基准镇"})
    villages = [
        Village.objects.get_or_create(
            code=f"340621999{v:03d}", defaults={"town": town, "name": f"基准{v}村"}
        )[0]
        for v in range(50)
    ]
    rng = random.Random(7)
    member_index = Member.objects.count()
    batch = 20_000
    for start in range(Household.objects.count(), households, batch):
        size = min(batch, households - start)
        with transaction.atomic():
            created = Household.objects.bulk_create(
                Household(
                    village=villages[(start + k) % len(villages)],
                    head_name=f"{SURNAMES[(start + k) % len(SURNAMES)]}{start + k}",
                    address="基准",
                )
                for k in range(size)
            )
            members = []
            for household in created:
                for position in range(rng.choice((1, 2, 3, 3, 4, 4, 5, 6))):
                    number = member_id(member_index)
                    members.append(
                        Member(
                            household=household,
                            name=household.head_name if position == 0 else f"成员{member_index}",
                            id_number=number,
                            relation="head" if position == 0 else "other",
                            sex="M",
                            birth_date=datetime.date(1960, 1, 1),
                        )
                    )
                    member_index += 1
            Member.objects.bulk_create(members, batch_size=5_000)
        print(f"  seeded {start + size} households, {member_index} members", flush=True)
    # As seed_demo does: statistics for the planner after a bulk load.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return member_index


def write_file(rows: int, members: int) -> None:
    """95% registered members, 3% people outside the registry, 2% rows with an error."""
    if FILE.exists():
        return
    rng = random.Random(11)
    picked = rng.sample(range(members), rows)
    names = dict(
        Member.objects.filter(id_number__in=[member_id(i) for i in picked]).values_list(
            "id_number", "name"
        )
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("预警信息")
    sheet.append(
        ["姓名", "身份证号", "指标代码", "数值", "发生日期", "镇（园区）", "村（社区）", "备注"]
    )
    day = datetime.date(2026, 5, 20)
    for n, i in enumerate(picked):
        number = member_id(i)
        code, value = ("YB02", 60000) if n % 10 == 0 else ("YB01", 10000 + n % 5000)
        if n % 100 < 3:  # outside the registry: a valid ID no member has
            number = make_id_number(
                region="340621",
                born=datetime.date(2001, 1, 1) + datetime.timedelta(days=n // 1000),
                sequence=n % 1000,
            )
            sheet.append(["外来人员", number, code, value, day, "基准镇", "", ""])
        elif n % 100 < 5:
            sheet.append([names[number], number[:17], code, value, day, "", "", ""])
        else:
            sheet.append([names[number], number, code, value, day, "", "", ""])
    FILE.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(FILE)


def warm_up() -> None:
    """A worker that has served one task: the URL map and stdnum's region table are loaded
    once per process, not per file (together about a second on a cold start)."""
    reverse("early_warnings:upload_list")
    normalize_id_number(member_id(0))


def clear_month() -> None:
    """An empty month as the county has it. Plain DELETEs: the ORM's collector would load and
    check 95,000 warnings one by one (minutes). On PostgreSQL the vacuum keeps the previous
    run's dead rows out of every index and the month's statistics current."""
    with connection.cursor() as cursor:
        for model in (Warning, Clue):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE period = %s", [PERIOD])
    Upload.objects.filter(period=PERIOD).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Warning._meta.db_table}, {Clue._meta.db_table}")


def bare_read() -> list[list]:
    """python-calamine in this process, as the child reads a sheet (no limits, no pickle)."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(FILE))
    return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)


def child_pickle(result: object) -> bytes:
    """The cells as ``suixi_monitor.spreadsheets.native`` writes them: the highest protocol,
    without the memo."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(result)
    return buffer.getvalue()


def child_parts(cells: list[list]) -> dict:
    """What the child process adds to a bare read, part by part: an interpreter that imports
    python-calamine, and the cells pickled in the child and unpickled in the parent (both
    measured here, in this process). The load is timed with the cycle collector on, as
    ``read_sheets`` runs above, and off, as ``upload_ingest`` runs it."""
    _, start_seconds = timed(
        lambda: subprocess.run(
            [sys.executable, "-c", "import pickle, resource, python_calamine"], check=True
        )
    )
    result = ("ok", [("预警信息", cells)])
    data, dump_seconds = timed(lambda: child_pickle(result))
    _, load_seconds = timed(lambda: pickle.loads(data))
    gc.disable()
    try:
        _, load_gc_off_seconds = timed(lambda: pickle.loads(data))
    finally:
        gc.enable()
    return {
        "cells": sum(len(row) for row in cells),
        "pickle_megabytes": round(len(data) / 1e6, 1),
        "interpreter_start_seconds": start_seconds,
        "pickle_dump_seconds": dump_seconds,
        "pickle_load_seconds": load_seconds,
        "pickle_load_gc_off_seconds": load_gc_off_seconds,
    }


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=2, help="empty the month and ingest again, this many times"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    members, seed_seconds = timed(lambda: seed(args.households))
    write_file(args.rows, members)
    staff = User.objects.filter(username="bench_yibao").first() or User.objects.create_user(
        username="bench_yibao",
        password=None,
        role=Role.DEPARTMENT_STAFF,
        department=Department.objects.get(code="yibao"),
    )
    WarningIndicator.objects.filter(code__in=["YB01", "YB02"]).update(active=True)
    clear_month()
    warm_up()

    cells, calamine_seconds = timed(bare_read)
    _, read_sheets_seconds = timed(lambda: read_sheets(FILE, original_name=FILE.name))
    child = child_parts(cells)
    del cells
    indicators = {i.code: i for i in WarningIndicator.objects.filter(department__code="yibao")}

    def read_and_validate():
        found = spreadsheets.read_tables(
            FILE,
            original_name=FILE.name,
            required=["name", "id_number", "indicator", "value", "occurred_on"],
        )
        return spreadsheets.parse_rows(found, period=PERIOD, indicators=indicators)

    _, validate_seconds = timed(read_and_validate)

    def ingest(name: str) -> Upload:
        upload = services.upload_create(
            actor=staff,
            period=PERIOD,
            file=SimpleUploadedFile(name, FILE.read_bytes()),
        )
        return services.upload_ingest(upload_id=upload.pk)

    first, first_seconds = timed(lambda: ingest("first.xlsx"))
    again, again_seconds = timed(lambda: ingest("again.xlsx"))
    repeated = []
    for n in range(args.repeat):
        clear_month()
        repeated.append(timed(lambda n=n: ingest(f"repeat-{n}.xlsx"))[1])
    _, calamine_end_seconds = timed(bare_read)
    result = {
        "label": args.label,
        "database": connection.vendor,
        "households": Household.objects.count(),
        "members": Member.objects.count(),
        "rows": first.rows_total,
        "seed_seconds": seed_seconds,
        "calamine_read_seconds": calamine_seconds,
        "read_sheets_seconds": read_sheets_seconds,
        "child_process": child,
        "read_and_validate_seconds": validate_seconds,
        "upload_to_warnings_seconds": first_seconds,
        "same_file_again_seconds": again_seconds,
        "empty_month_again_seconds": repeated,
        "first": {
            "valid": first.rows_valid,
            "errors": first.rows_error,
            "warnings": first.warnings_count,
            "clues": first.clues_count,
        },
        "again": {"warnings": again.warnings_count, "clues": again.clues_count},
        "calamine_read_at_end_seconds": calamine_end_seconds,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results" / f"warnings-{args.label}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
