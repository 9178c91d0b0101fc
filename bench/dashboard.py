"""The county's dashboard at county scale: 300,000 households with a year of warnings and cases.

    VAR_DIR=bench/results/dashboard-sqlite python bench/dashboard.py --label sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/suixi_dash_bench \\
        VAR_DIR=bench/results/dashboard-postgres python bench/dashboard.py --label postgres

Uses a database of its own (never var/db.sqlite3): migrates it, loads ``--households`` demo
households with ``seed_demo`` (the county's real towns and villages, about 3.3 members
each, about 7% monitoring subjects started since June 2021, some marked risk-eliminated),
then a year of what the dashboard counts, in bulk and only once:

- warnings: ``--warnings`` a month for the last twelve data months, spread over the
  sixteen departments' indicators and the registry's members, each month's file uploaded
  (one ``Upload`` per department, a few late), older months verified and closed, the
  current one in every state (received, pushed, assigned, verified, closed; some overdue);
- identification cases: ``--cases`` applications over the year, most filed or rejected,
  the rest open in every step, some idle past the limit;
- help (三(八)1): most monitored households paired with one of ``--helpers`` helper
  accounts of their town, most of those with an active plan (a few drafts), and the
  paired helper's visits about monthly since the pairing, some lapsing (overdue now).

Then times ``/households/overview/`` (the dashboard) in-process with Django's test client,
as the county bureau and as a town official, ``--requests`` times each after a warm-up,
and prints p50/p95 of wall time and of this process's CPU time (for SQLite it includes the
database) and the number of queries. Target (issue 14): the county's p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suixi_monitor.settings")

import django  # noqa: E402

django.setup()

from common import RESULTS, percentiles  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from assistance.models import AssistancePlan, HelpAssignment, PlanState  # noqa: E402
from early_warnings.models import (  # noqa: E402
    MonthlyCycle,
    Priority,
    Result,
    State,
    Upload,
    Warning,
    WarningIndicator,
    previous_period,
)
from early_warnings.selectors import due_dates  # noqa: E402
from households.dashboard import (  # noqa: E402
    DASHBOARD_PANELS,
    aggregates_planned,
    dashboard_scope,
)
from households.models import Household, Member, MonitoringSubject, RiskType, Visit  # noqa: E402
from identification.models import CaseState, IdentificationCase  # noqa: E402
from identification.models.case import OPEN_STATES  # noqa: E402
from identification.services import case_due_dates_refresh  # noqa: E402
from organization.models import Department, Role, User, Village  # noqa: E402

BATCH = 5_000


def periods(today: datetime.date, n: int = 12) -> list[str]:
    """The last ``n`` data months, oldest first, ending with the one whose file is due now."""
    found, month = [], previous_period(today)
    for _ in range(n):
        found.append(month)
        year, mon = map(int, month.split("-"))
        month = f"{year - (mon == 1)}-{12 if mon == 1 else mon - 1:02d}"
    return found[::-1]


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def member_homes() -> tuple[list[int], dict[int, tuple[int, int, int]]]:
    """Every member's household, village and town, read once in primary-key order (a large
    ``pk IN (...)`` list made SQLite plan a scan of the registry for each chunk)."""
    homes = {}
    rows = Member.objects.order_by("pk").values_list(
        "pk", "household_id", "household__village_id", "household__village__town_id"
    )
    for pk, household, village, town in rows.iterator(chunk_size=20_000):
        homes[pk] = (household, village, town)
    return list(homes), homes


def seed_warnings(per_month: int, today: datetime.date, rng: random.Random) -> None:
    if Warning.objects.count() >= per_month * 12:
        print("warnings already seeded", flush=True)
        return
    with connection.cursor() as cursor:  # a run stopped half-way: start the year again
        for model in (Warning, Upload, MonthlyCycle):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    indicators = list(WarningIndicator.objects.filter(active=True))
    members, homes = member_homes()
    officer = User.objects.get(username="county_admin")
    staff = User.objects.get(username="dept_yibao")
    months = periods(today)
    for index, period in enumerate(months):
        current = index == len(months) - 1
        due, push = due_dates(period)
        started = time.perf_counter()
        picked = sorted(rng.sample(members, per_month))
        written = 0
        for start in range(0, per_month, BATCH * 4):
            chunk = picked[start : start + BATCH * 4]
            rows = []
            for member in chunk:
                household, village, town = homes[member]
                indicator = indicators[rng.randrange(len(indicators))]
                if current:
                    state = rng.choices(
                        [
                            State.RECEIVED,
                            State.PUSHED,
                            State.ASSIGNED,
                            State.VERIFIED,
                            State.CLOSED,
                        ],
                        [1, 3, 3, 2, 2],
                    )[0]
                else:
                    state = rng.choices([State.CLOSED, State.VERIFIED, State.ASSIGNED], [90, 8, 2])[
                        0
                    ]
                pushed = state != State.RECEIVED
                verified = state in {State.VERIFIED, State.CLOSED}
                rows.append(
                    Warning(
                        indicator_id=indicator.pk,
                        department_id=indicator.department_id,
                        period=period,
                        member_id=member,
                        household_id=household,
                        town_id=town,
                        village_id=village,
                        value=indicator.threshold,
                        severe=indicator.severe,
                        priority=Priority.RED if indicator.severe else Priority.YELLOW,
                        state=state,
                        pushed_at=aware(push) if pushed else None,
                        assigned_at=aware(push, 15)
                        if state not in {State.RECEIVED, State.PUSHED}
                        else None,
                        assigned_by_id=officer.pk
                        if state not in {State.RECEIVED, State.PUSHED}
                        else None,
                        verified_at=aware(push + datetime.timedelta(days=3)) if verified else None,
                        verified_by_id=officer.pk if verified else None,
                        result=Result.NO_RISK if verified else "",
                        result_reason="核实无风险" if verified else "",
                        closed_at=aware(push + datetime.timedelta(days=4))
                        if state == State.CLOSED
                        else None,
                        overdue=pushed and not verified and rng.random() < 0.3,
                    )
                )
            with transaction.atomic():
                Warning.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
        uploads, sent_on = [], []
        for department in Department.objects.all():
            late = rng.random() < 0.15
            sent_on.append(
                due + datetime.timedelta(days=2) if late else due - datetime.timedelta(days=3)
            )
            uploads.append(
                Upload(
                    department=department,
                    period=period,
                    file=f"warnings/uploads/bench/{period}-{department.code}.xlsx",
                    original_name=f"{period}-{department.code}.xlsx",
                    size=1,
                    uploaded_by=staff,
                    status=Upload.Status.DONE,
                    rows_total=per_month // 16,
                    rows_valid=per_month // 16,
                )
            )
        Upload.objects.bulk_create(uploads)
        for upload in uploads:
            Upload.objects.filter(pk=upload.pk).update(
                uploaded_at=aware(due - datetime.timedelta(days=3))
            )
        MonthlyCycle.objects.get_or_create(
            period=period,
            defaults={
                "closed_at": aware(due + datetime.timedelta(days=1)),
                "pushed_at": aware(push),
            },
        )
        print(
            f"  {period}: {written} warnings in {time.perf_counter() - started:.1f} s",
            flush=True,
        )


def seed_cases(count: int, today: datetime.date, rng: random.Random) -> None:
    if IdentificationCase.objects.count() >= count:
        print("cases already seeded", flush=True)
        return
    creator = User.objects.get(username="village_monitor")
    heads = list(
        Member.objects.filter(relation=Member.Relation.HEAD)
        .exclude(household__identification_cases__isnull=False)
        .order_by("?")
        .values_list("pk", "household_id", "household__village_id")[:count]
    )
    closed = [CaseState.FILED, CaseState.REJECTED, CaseState.WITHDRAWN]
    cases = []
    for member, household, village in heads:
        applied = today - datetime.timedelta(days=rng.randrange(365))
        state = rng.choices(
            [*closed, *OPEN_STATES], [50, 12, 3, *([35 / len(OPEN_STATES)] * len(OPEN_STATES))]
        )[0]
        waited = rng.randint(0, max(0, (today - applied).days))
        cases.append(
            IdentificationCase(
                household_id=household,
                village_id=village,
                applicant_id=member,
                applied_on=applied,
                hardship="基准测试",
                source="warning",
                state=state,
                state_changed_at=aware(today - datetime.timedelta(days=min(waited, 40))),
                created_by=creator,
            )
        )
    with transaction.atomic():
        IdentificationCase.objects.bulk_create(cases, batch_size=BATCH)
        illness = RiskType.objects.get(code="illness")
        through = IdentificationCase.risk_types.through
        through.objects.bulk_create(
            [through(identificationcase_id=c.pk, risktype_id=illness.pk) for c in cases],
            batch_size=BATCH,
        )
        # Bulk rows skip the save that sets each open case's working-day limit (its clock).
        case_due_dates_refresh(year=min(c.applied_on for c in cases).year)
    print(f"  {len(cases)} identification cases", flush=True)


def seed_help(helpers: int, today: datetime.date, rng: random.Random) -> None:
    """Pairings, plans and help visits for the monitored households, in bulk (三(八)1)."""
    if HelpAssignment.objects.filter(helper__username__startswith="bench-helper-").exists():
        print("help already seeded", flush=True)
        return
    from assistance.services.last_visit import help_refresh

    towns = sorted(set(Village.objects.values_list("town_id", flat=True)))
    User.objects.bulk_create(
        [
            User(
                username=f"bench-helper-{n}", role=Role.HELPER, password="!", first_name=f"帮扶{n}"
            )
            for n in range(helpers)
        ]
    )
    by_town: dict[int, list[int]] = {}
    for n, pk in enumerate(
        User.objects.filter(username__startswith="bench-helper-")
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        by_town.setdefault(towns[n % len(towns)], []).append(pk)
    made_by = User.objects.get(username="village_monitor")
    subjects = MonitoringSubject.objects.filter(
        status=MonitoringSubject.Status.MONITORING
    ).values_list("pk", "household_id", "household__village__town_id", "started_on")
    pairs, plans, visits = [], [], []
    for subject, household, town, started in subjects.iterator(chunk_size=5_000):
        if rng.random() < 0.1:  # unpaired: no plan, no help visit
            continue
        helper = rng.choice(by_town[town])
        paired = started + datetime.timedelta(days=rng.randrange(30))
        pairs.append(HelpAssignment(household_id=household, helper_id=helper, started_on=paired))
        kind = rng.random()
        if kind < 0.85:
            state = PlanState.ACTIVE if kind < 0.75 else PlanState.DRAFT
            plans.append(
                AssistancePlan(
                    subject_id=subject, state=state, made_on=paired,
                    made_by=made_by, activated_on=paired if state == PlanState.ACTIVE else None,
                )
            )  # fmt: skip
        # About monthly since the pairing, within the last year; a fifth of them lapsed.
        day = max(paired, today - datetime.timedelta(days=365))
        stop = (
            today - datetime.timedelta(days=rng.randrange(40, 120)) if rng.random() < 0.2 else today
        )
        while (day := day + datetime.timedelta(days=rng.randrange(20, 40))) <= stop:
            visits.append(
                Visit(
                    household_id=household, visitor_id=helper, visited_on=day, findings="常态化走访"
                )
            )
    with transaction.atomic():
        HelpAssignment.objects.bulk_create(pairs, batch_size=BATCH)
        AssistancePlan.objects.bulk_create(plans, batch_size=BATCH)
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        # Bulk writes skip the signals that keep the pairings' and subjects' help dates.
        help_refresh()
    print(f"  {len(pairs)} pairings, {len(plans)} plans, {len(visits)} help visits", flush=True)


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")


def time_page(username: str, requests: int, warmup: int) -> dict:
    client = Client()
    client.force_login(User.objects.get(username=username))
    for _ in range(warmup):
        assert client.get("/households/overview/").status_code == 200
    queries: list[str] = []
    with connection.execute_wrapper(
        lambda run, sql, *rest, log=queries: log.append(sql) or run(sql, *rest)
    ):
        size = len(client.get("/households/overview/").content)
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/households/overview/")
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    p50, p95 = percentiles(wall)
    cpu50, cpu95 = percentiles(cpu)
    return {
        "user": username,
        "requests": requests,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "cpu_p50_ms": round(cpu50, 1),
        "cpu_p95_ms": round(cpu95, 1),
        "queries": len(queries),
        "bytes": size,
        "sql": queries,
    }


def time_panels(username: str, requests: int) -> list[dict]:
    """Each panel of the page built alone, as the page builds it (in ``aggregates_planned``)."""
    scope = dashboard_scope(user=User.objects.get(username=username))
    rows = []
    for build in DASHBOARD_PANELS:
        name = f"{build.__module__.split('.')[0]}.{build.__name__}"
        wall, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            with aggregates_planned():
                build(scope)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        (p50, p95), (cpu50, _) = percentiles(wall), percentiles(cpu)
        rows.append({"panel": name, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                     "cpu_p50_ms": round(cpu50, 1)})  # fmt: skip
        print(f"  {username:14} {name:34} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
              f"cpu p50 {cpu50:6.1f} ms", flush=True)  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--warnings", type=int, default=100_000, help="warnings a month")
    parser.add_argument("--cases", type=int, default=12_000)
    parser.add_argument("--helpers", type=int, default=600)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--label", default="")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--panels", action="store_true", help="also time each panel alone")
    args = parser.parse_args()
    rng = random.Random(14)
    today = timezone.localdate()

    started = time.perf_counter()
    # Static files as in production (manifest storage), which the page's tags need.
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", households=args.households, verbosity=1)
    print(f"registry ready in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    seed_warnings(args.warnings, today, rng)
    seed_cases(args.cases, today, rng)
    seed_help(args.helpers, today, rng)
    analyze()
    print(
        f"a year of warnings and cases ready in {time.perf_counter() - started:.0f} s", flush=True
    )
    print(
        f"households {Household.objects.count():,}, members {Member.objects.count():,}, "
        f"warnings {Warning.objects.count():,} (this month {Warning.objects.filter(period=previous_period(today)).count():,}), "
        f"cases {IdentificationCase.objects.count():,}",
        flush=True,
    )
    if args.seed_only:
        return
    rows = []
    for username in ("county_admin", "town_official"):
        row = {"database": connection.vendor, **time_page(username, args.requests, args.warmup)}
        rows.append(row)
        print(
            f"{connection.vendor:10} {username:14} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
            f"cpu p50 {row['cpu_p50_ms']:6.1f} ms  cpu p95 {row['cpu_p95_ms']:6.1f} ms  "
            f"{row['queries']} queries  {row['bytes']} bytes",
            flush=True,
        )
        if args.show_queries:
            print("\n".join(row["sql"]))
        if args.panels:
            row["panels"] = time_panels(username, max(args.requests // 4, 20))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"dashboard-{args.label or connection.vendor}.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
