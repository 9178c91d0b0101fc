"""Writes for department warnings (STYLE.md rule 3).

In-app notifications are rows in the same database, so they are written inside the
transaction that causes them (both or neither); only Celery work waits for the commit.

Ingestion (三(四)2 技防) is ``upload_create`` → Celery → ``upload_ingest``; the
month's cycle is ``monthly_tick``; each warning or clue then moves
received → pushed → assigned → verified → closed through one service per step.
"""

from __future__ import annotations

import datetime
import functools
import logging
import operator
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from households.models import Household, Member, MonitoringSubject, RiskType
from households.selectors import household_scope_q
from households.services import monitoring_subject_update_risks
from organization.models import Department, PolicySettings, Role, Town, User, Village
from organization.services import notify
from suixi_monitor.exceptions import ConflictError

from . import spreadsheets
from .models import (
    CheckedItem,
    Clue,
    DepartmentSweep,
    MonthlyCycle,
    Priority,
    Result,
    State,
    Upload,
    Warning,
    WarningIndicator,
    period_label,
    period_of,
    period_start,
    period_validator,
    previous_period,
)
from .selectors import due_dates

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
ERRORS_KEPT = 20_000  # beyond this the report says "and N more"; the counts stay exact
LOOKUP_CHUNK = 5_000


def max_upload_bytes() -> int:
    return int(getattr(settings, "WARNING_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "WARNING_UPLOAD_MAX_UNPACKED_BYTES", 10 * max_upload_bytes()))


def _save(instance, *, actor: User | None) -> None:
    # A protected FSM field refuses the re-assignment clean_fields does; transitions guard it.
    instance.full_clean(exclude=["state"] if isinstance(instance, CheckedItem) else None)
    instance._history_user = actor
    instance.save()


def _users(role: str, **scope: Any) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True, **scope))


# --- indicators -----------------------------------------------------------------------------


def indicator_save(
    *, actor: User, indicator: WarningIndicator | None = None, **fields: Any
) -> WarningIndicator:
    """The county bureau keeps the indicators; departments read them."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以修改预警指标")
    with transaction.atomic():
        if indicator is not None:
            indicator = WarningIndicator.objects.select_for_update().get(pk=indicator.pk)
        else:
            indicator = WarningIndicator()
        for name, value in fields.items():
            setattr(indicator, name, value)
        if "code" in fields:
            indicator.code = str(indicator.code).strip().upper()
        _save(indicator, actor=actor)
    return indicator


# --- uploads --------------------------------------------------------------------------------


def upload_create(
    *, actor: User, period: str, file: UploadedFile, department: Department | None = None
) -> Upload:
    """Store a department's file and queue its ingestion once the row is committed."""
    if actor.role == Role.DEPARTMENT_STAFF:
        department = actor.department
    elif actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县直部门和县扶贫局可以上传预警数据")
    if department is None:
        raise ValidationError({"department": "请选择部门"})
    period = (period or "").strip()
    try:
        period_validator(period)
    except ValidationError:
        raise ValidationError({"period": "数据月份格式应为 YYYY-MM，如 2026-05"}) from None
    if period_start(period) > timezone.localdate().replace(day=1):
        raise ValidationError({"period": "数据月份不能晚于本月"})
    if file is None:
        raise ValidationError({"file": "请选择文件"})
    if file.size > max_upload_bytes():
        raise ValidationError(
            {"file": f"文件超过大小上限（{max_upload_bytes() // (1024 * 1024)} MB）"}
        )
    if Path(file.name or "").suffix.lower() not in spreadsheets.SPREADSHEET_EXTENSIONS:
        raise ValidationError({"file": "请上传 xlsx、xls、ods 或 csv 文件"})
    with transaction.atomic():
        upload = Upload(
            department=department,
            period=period,
            original_name=Path(file.name).name[:255],
            size=file.size,
            uploaded_by=actor,
        )
        upload.file.save(Path(file.name).name, file, save=False)
        upload.full_clean()
        upload.save()
        transaction.on_commit(lambda: _queue_ingest(upload.pk))
    return upload


def _queue_ingest(upload_id: int) -> None:
    from .tasks import ingest_upload

    ingest_upload.delay(upload_id)


def _progress(upload: Upload, percent: int, **fields: Any) -> None:
    """Written outside the ingest transaction so the page sees it while the worker works."""
    fields["progress"] = percent
    Upload.objects.filter(pk=upload.pk).update(**fields)
    for name, value in fields.items():
        setattr(upload, name, value)


def upload_ingest(*, upload_id: int) -> Upload:
    """Read, validate, match and write one upload. Idempotent: a finished upload is left alone,
    and an interrupted one is read again from the start; the unique constraints make the
    second pass add only what the first did not commit."""
    upload = Upload.objects.select_related("department", "uploaded_by").get(pk=upload_id)
    if upload.is_finished:
        return upload
    _progress(upload, 5, status=Upload.Status.RUNNING, started_at=timezone.now())
    indicators = {
        ind.code: ind
        for ind in WarningIndicator.objects.filter(
            department=upload.department, active=True
        ).select_related("risk_type")
    }
    required = ["name", "id_number", "indicator", "occurred_on"]
    if any(ind.needs_value for ind in indicators.values()):
        required.insert(3, "value")
    try:
        table = spreadsheets.read_table(
            upload.file.path,
            original_name=upload.original_name,
            max_bytes=max_upload_bytes(),
            max_unpacked_bytes=max_unpacked_bytes(),
            required=required,
        )
        _progress(upload, 30)
        valid, errors, counted = spreadsheets.parse_rows(
            table, period=upload.period, indicators=indicators
        )
    except spreadsheets.FileRejected as rejected:
        return _finish_rejected(upload, rejected.message)
    except DatabaseError:
        raise  # the database, not the file: let the task be retried
    except Exception:
        # A file that breaks the reader would otherwise be retried forever by the tick.
        logger.exception("upload %s could not be read", upload.pk)
        return _finish_rejected(upload, "文件无法处理，请另存为 xlsx 后重新上传，或联系县扶贫局")
    _progress(upload, 50, rows_total=counted)
    warnings, clues, registry_errors = _match(valid, upload)
    errors.extend(registry_errors)
    errors.sort(key=lambda error: error.row)
    _progress(upload, 70)
    error_rows = len({error.row for error in errors})
    with transaction.atomic():
        insert_ignoring_duplicates(Warning, warnings)
        insert_ignoring_duplicates(Clue, clues)
        refresh_priorities(period=upload.period)
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        upload.rows_total = counted
        upload.rows_error = error_rows
        upload.rows_valid = counted - error_rows
        upload.warnings_count = Warning.objects.filter(upload=upload).count()
        upload.clues_count = Clue.objects.filter(upload=upload).count()
        upload.errors = [error.as_dict() for error in errors[:ERRORS_KEPT]]
        upload.status = Upload.Status.DONE
        upload.progress = 100
        upload.finished_at = timezone.now()
        upload.save()
        _after_ingest(upload)
    return upload


def _finish_rejected(upload: Upload, message: str) -> Upload:
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        upload.status = Upload.Status.FAILED
        upload.file_error = message
        upload.progress = 100
        upload.finished_at = timezone.now()
        upload.save()
        notify(
            recipients=[upload.uploaded_by],
            message=f"{period_label(upload.period)}预警文件“{upload.original_name}”被拒绝：{message}",
            url=reverse("early_warnings:upload_detail", args=[upload.pk]),
        )
    return upload


def _after_ingest(upload: Upload) -> None:
    notify(
        recipients=[upload.uploaded_by],
        message=(
            f"{period_label(upload.period)}预警文件“{upload.original_name}”处理完成："
            f"有效{upload.rows_valid}行，错误{upload.rows_error}行，"
            f"预警{upload.warnings_count}条，线索{upload.clues_count}条"
        ),
        url=reverse("early_warnings:upload_detail", args=[upload.pk]),
    )
    # A file that arrives after the push day goes to the towns now, not next month.
    if MonthlyCycle.objects.filter(period=upload.period, pushed_at__isnull=False).exists():
        push_period(period=upload.period, now=timezone.now())


def _match(
    rows: list[spreadsheets.ParsedRow], upload: Upload
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[spreadsheets.RowError]]:
    """Match rows to members by ID number across the whole registry; judge them by their rule.

    Returns plain column dicts: at 100,000 rows, model instances and the ORM's per-value
    preparation cost ten times the INSERT itself.
    """
    members = _members_by_id_number(sorted({row.id_number for row in rows}))
    towns = _TownDirectory()
    now = timezone.now()
    common = {
        "upload_id": upload.pk,
        "department_id": upload.department_id,
        "period": upload.period,
        "created_at": now,
        "state": State.RECEIVED,
        "overdue": False,
        "result": "",
        "result_reason": "",
    }
    warnings: list[dict[str, Any]] = []
    clues: list[dict[str, Any]] = []
    errors: list[spreadsheets.RowError] = []
    for row in rows:
        member = members.get(row.id_number)
        if (
            member is not None
            and member[2] != row.name
            and spreadsheets.normalize_name(member[2]) != row.name
        ):
            errors.append(
                spreadsheets.RowError(
                    row.row, "姓名", row.name, "姓名与台账中该身份证号登记的姓名不一致，请核对"
                )
            )
            continue
        indicator = row.indicator
        if not indicator.fires(row.value):
            continue
        if member is not None:
            warnings.append(
                {
                    **common,
                    "indicator_id": indicator.pk,
                    "member_id": member[1],
                    "household_id": member[3],
                    "village_id": member[4],
                    "town_id": member[5],
                    "row_number": row.row,
                    "value": row.value,
                    "occurred_on": row.occurred_on,
                    "note": row.note,
                    "severe": indicator.severe,
                    "priority": Priority.YELLOW,
                }
            )
            continue
        town, village = towns.route(row.town, row.village)
        value = f" {row.value.normalize():f}{indicator.unit}" if row.value is not None else ""
        clues.append(
            {
                **common,
                "source": Clue.Source.DEPARTMENT,
                "name": row.name,
                "id_number": row.id_number,
                "phone": "",
                "address": "",
                "town_id": town.pk if town else None,
                "village_id": village.pk if village else None,
                "town_text": f"{row.town}{row.village}"[:100],
                "description": f"{upload.department.short_name}：{indicator.name}{value}"
                + (f"（{row.note}）" if row.note else ""),
                "indicator_id": indicator.pk,
                "row_number": row.row,
                "value": row.value,
            }
        )
    return warnings, clues, errors


def insert_ignoring_duplicates(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """``INSERT ... ON CONFLICT DO NOTHING`` for many rows at once, on SQLite and PostgreSQL.

    The unique constraints (one warning per indicator, period and member; one clue per
    department row) make a repeated file or a re-run after a killed worker add nothing.
    No history rows are written for these inserts: the upload records who sent them and when.
    """
    if not rows:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    columns = list(rows[0])
    ops = connection.ops
    adapters = {name: _adapter(fields[name], ops) for name in columns}
    adapters = {name: adapter for name, adapter in adapters.items() if adapter is not None}
    quoted = ", ".join(ops.quote_name(fields[name].column) for name in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    table = ops.quote_name(model._meta.db_table)
    # Both SQLite (3.24+) and PostgreSQL: only a uniqueness conflict is skipped, unlike
    # SQLite's INSERT OR IGNORE, which would also swallow a NOT NULL or CHECK failure.
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"
    if "member_id" in columns:
        # Members and their households were created together: in id order the index pages
        # an insert touches are neighbours.
        rows = sorted(rows, key=lambda row: row["member_id"])
    pick = operator.itemgetter(*columns)
    values = [list(pick(row)) for row in rows]
    for position, name in enumerate(columns):
        adapt = adapters.get(name)
        if adapt is None:
            continue
        for value in values:
            if value[position] is not None:
                value[position] = adapt(value[position])
    if connection.vendor == "postgresql":
        _copy_insert(table, quoted, values)
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The default 2 MB page cache makes every index insert a disk read on a county-sized
            # file; 64 MB keeps the touched index pages in memory for this connection.
            cursor.execute("PRAGMA cache_size = -65536")
        for start in range(0, len(values), 10_000):
            cursor.executemany(sql, values[start : start + 10_000])


def _copy_insert(table: str, quoted: str, values: list[list[Any]]) -> None:
    """PostgreSQL: COPY into a scratch table, then one INSERT ... SELECT ... ON CONFLICT DO
    NOTHING; row-by-row statements cost a round trip each (18 s for 95,000 rows here)."""
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor: COPY is not part of the DB-API
        cursor.execute("DROP TABLE IF EXISTS pg_temp.ingest_rows")
        cursor.execute(
            f"CREATE TEMP TABLE ingest_rows ON COMMIT DROP AS SELECT {quoted} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY ingest_rows ({quoted}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM ingest_rows ON CONFLICT DO NOTHING"
        )
        cursor.execute("DROP TABLE ingest_rows")


def _adapter(field: models.Field, ops):
    """The backend's own conversion, memoised: a file repeats its dates, times and amounts."""
    if isinstance(field, models.DecimalField):
        return functools.lru_cache(maxsize=65536)(
            lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
        )
    if isinstance(field, models.DateTimeField):
        return functools.lru_cache(maxsize=1024)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return functools.lru_cache(maxsize=4096)(ops.adapt_datefield_value)
    return None


def _members_by_id_number(ids: list[str]) -> dict[str, tuple]:
    """(id_number, member, name, household, village, town) for every registered ID in ``ids``."""
    found: dict[str, tuple] = {}
    fields = (
        "id_number", "pk", "name", "household_id", "household__village_id",
        "household__village__town_id",
    )  # fmt: skip
    if connection.vendor == "postgresql":
        # One array parameter: an IN list of thousands of placeholders costs PostgreSQL
        # more to plan than to run (0.4 s per 5,000 IDs here).
        q = connection.ops.quote_name
        sql = (
            f"SELECT m.id_number, m.id, m.name, m.household_id, h.village_id, v.town_id "
            f"FROM {q(Member._meta.db_table)} m "
            f"JOIN {q(Household._meta.db_table)} h ON h.id = m.household_id "
            f"JOIN {q(Village._meta.db_table)} v ON v.id = h.village_id "
            f"WHERE m.id_number = ANY(%s)"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 50_000):
                cursor.execute(sql, [ids[start : start + 50_000]])
                for member in cursor.fetchall():
                    found[member[0]] = member
        return found
    for start in range(0, len(ids), LOOKUP_CHUNK):
        for member in Member.objects.filter(
            id_number__in=ids[start : start + LOOKUP_CHUNK]
        ).values_list(*fields):
            found[member[0]] = member
    return found


class _TownDirectory:
    """三(五)3 / 三(四)3: a row outside the registry goes to the town it names, else the county."""

    def __init__(self) -> None:
        self.towns = list(Town.objects.all())
        self.villages: dict[int, list[Village]] = defaultdict(list)
        for village in Village.objects.all():
            self.villages[village.town_id].append(village)

    @staticmethod
    def _matches(text: str, name: str) -> bool:
        return bool(text) and (text == name or name.startswith(text) or text.startswith(name))

    def route(self, town_text: str, village_text: str) -> tuple[Town | None, Village | None]:
        town = next((t for t in self.towns if self._matches(town_text, t.name)), None)
        if town is None:
            return None, None
        village = next(
            (v for v in self.villages[town.pk] if self._matches(village_text, v.name)), None
        )
        return town, village


def refresh_priorities(*, period: str) -> int:
    """Red when two or more departments flag the household this month or a severe indicator
    fired; yellow for one flag (三(四)2 研判预警). New rows are yellow, and more flags can only
    raise a household, so one UPDATE over the month's red households is enough."""
    red = (
        Warning.objects.filter(period=period)
        .values("household_id")
        .annotate(
            departments=Count("department_id", distinct=True),
            severe_count=Count("pk", filter=Q(severe=True)),
        )
        .filter(Q(departments__gte=2) | Q(severe_count__gt=0))
        .values("household_id")
    )
    return (
        Warning.objects.filter(period=period, household_id__in=red)
        .exclude(priority=Priority.RED)
        .update(priority=Priority.RED)
    )


# --- the monthly cycle ----------------------------------------------------------------------


def monthly_tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run once a day (and again at will): each step is recorded so it happens once per month,
    and a tick after days of downtime does everything that fell due meanwhile (三(四)2).

    Days are inclusive: a file uploaded on the due day is on time, so the window closes on the
    first tick after it; the push happens on the first tick of the push day ("by the 15th").
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    done: dict[str, int] = defaultdict(int)
    for period in _open_periods(today):
        due, push = due_dates(period)
        policy = PolicySettings.for_year(due.year)
        with transaction.atomic():
            cycle, _ = MonthlyCycle.objects.get_or_create(period=period)
            cycle = MonthlyCycle.objects.select_for_update().get(pk=cycle.pk)
            reminder_from = due - datetime.timedelta(days=policy.warning_reminder_days)
            if cycle.reminded_at is None and reminder_from <= today <= due:
                done["reminded"] += _remind(period, due)
                cycle.reminded_at = now
            if cycle.closed_at is None and today > due:
                done["late"] += _close_window(cycle, due)
                cycle.closed_at = now
            if today >= push:
                cycle.pushed_at = cycle.pushed_at or now
            cycle.save()
        if today >= push:
            done["pushed"] += push_period(period=period, now=now)
    done["overdue"] += mark_overdue(today=today)
    done["requeued"] += _requeue_stalled_uploads(now=now)
    return dict(done)


def _open_periods(today: datetime.date) -> list[str]:
    """Last month's data, plus any earlier month the tick has not finished (downtime) or that
    has files but no cycle yet. A fresh install does not flag months from before it existed."""
    current = previous_period(today)
    unfinished = MonthlyCycle.objects.filter(
        Q(closed_at__isnull=True) | Q(pushed_at__isnull=True), period__lt=current
    ).values_list("period", flat=True)
    with_files = Upload.objects.filter(
        period__in=months_back(today, 4)[2:], period__lt=current
    ).values_list("period", flat=True)
    return sorted({current, *unfinished, *with_files})


def _departments_with_upload(period: str, *, by: datetime.date | None = None) -> set[int]:
    qs = Upload.objects.filter(period=period).exclude(status=Upload.Status.FAILED)
    if by is not None:
        end = timezone.make_aware(
            datetime.datetime.combine(by + datetime.timedelta(days=1), datetime.time())
        )
        qs = qs.filter(uploaded_at__lt=end)
    return set(qs.values_list("department_id", flat=True))


def _remind(period: str, due: datetime.date) -> int:
    uploaded = _departments_with_upload(period)
    missing = Department.objects.exclude(pk__in=uploaded)
    recipients = _users(Role.DEPARTMENT_STAFF, department__in=missing)
    if recipients:
        notify(
            recipients=recipients,
            message=f"请于{due:%m月%d日}前上传{period_label(period)}防返贫预警信息（三(四)2）",
            url=reverse("early_warnings:upload_list"),
        )
    return missing.count()


def _close_window(cycle: MonthlyCycle, due: datetime.date) -> int:
    on_time = _departments_with_upload(cycle.period, by=due)
    late = list(Department.objects.exclude(pk__in=on_time))
    cycle.late_departments.set(late)
    if late:
        names = "、".join(d.short_name for d in late)
        notify(
            recipients=_users(Role.COUNTY_BUREAU),
            message=f"{period_label(cycle.period)}预警信息逾期未报送的部门：{names}",
            url=reverse("early_warnings:county") + f"?period={cycle.period}",
        )
        notify(
            recipients=_users(Role.DEPARTMENT_STAFF, department__in=late),
            message=f"{period_label(cycle.period)}预警信息已逾期（截止{due:%m月%d日}），请尽快上传",
            url=reverse("early_warnings:upload_list"),
        )
    return len(late)


def push_period(*, period: str, now: datetime.datetime) -> int:
    """Send the period's received warnings, and clues that name a town, to their towns.

    A queryset update, not one save per warning: a month carries tens of thousands of
    rows, the WHERE clause is the transition's source state, and ``pushed_at`` keeps the time.
    """
    counts: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        for model in (Warning, Clue):
            # The UPDATE is the lock: its WHERE is the transition's source state, so two
            # ticks cannot push the same row twice; the counts are read back by push time.
            pushed = model.objects.filter(
                period=period, state=State.RECEIVED, town__isnull=False
            ).update(state=State.PUSHED, pushed_at=now)
            if not pushed:
                continue
            for row in (
                model.objects.filter(period=period, state=State.PUSHED, pushed_at=now)
                .values("town_id")
                .annotate(n=Count("pk"))
            ):
                counts[row["town_id"]] += row["n"]
        _notify_towns(period, dict(counts))
    return sum(counts.values())


def _notify_towns(period: str, counts: dict[int, int]) -> None:
    for town_id, count in counts.items():
        notify(
            recipients=_users(Role.TOWN_OFFICIAL, town_id=town_id),
            message=f"收到{period_label(period)}部门预警及线索{count}条，请分派到村核实",
            url=reverse("early_warnings:town_inbox") + f"?period={period}",
        )


def mark_overdue(*, today: datetime.date) -> int:
    """Pushed or assigned and not verified within ``warning_verify_days`` of the push."""
    marked = 0
    for year in {today.year, today.year - 1}:
        days = PolicySettings.for_year(year).warning_verify_days
        limit = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time())
        )
        year_start = timezone.make_aware(datetime.datetime(year, 1, 1))
        year_end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
        for model in (Warning, Clue):
            qs = model.objects.filter(
                state__in=[State.PUSHED, State.ASSIGNED],
                overdue=False,
                pushed_at__lt=min(limit, year_end),
                pushed_at__gte=year_start,
            )
            per_place = list(qs.values("town_id", "village_id", "state").annotate(n=Count("pk")))
            marked += qs.update(overdue=True)
            _notify_overdue(per_place)
    return marked


def _notify_overdue(per_place: list[dict[str, Any]]) -> None:
    towns: dict[int, int] = defaultdict(int)
    villages: dict[int, int] = defaultdict(int)
    for row in per_place:
        towns[row["town_id"]] += row["n"]
        if row["state"] == State.ASSIGNED and row["village_id"]:
            villages[row["village_id"]] += row["n"]
    for town_id, n in towns.items():
        notify(
            recipients=_users(Role.TOWN_OFFICIAL, town_id=town_id),
            message=f"有{n}条预警或线索超过核实时限仍未核实",
            url=reverse("early_warnings:town_inbox") + "?overdue=1",
        )
    for village_id, n in villages.items():
        notify(
            recipients=_users(Role.VILLAGE_MONITOR, village_id=village_id),
            message=f"有{n}条预警或线索超过核实时限，请尽快入户核实",
            url=reverse("early_warnings:village_inbox"),
        )


def _requeue_stalled_uploads(*, now: datetime.datetime) -> int:
    """A worker lost mid-file leaves the upload running; give it to a live worker again."""
    stalled = list(
        Upload.objects.filter(
            Q(status=Upload.Status.QUEUED, uploaded_at__lt=now - datetime.timedelta(hours=1))
            | Q(status=Upload.Status.RUNNING, started_at__lt=now - datetime.timedelta(hours=2))
        ).values_list("pk", flat=True)
    )
    for upload_id in stalled:
        transaction.on_commit(lambda upload_id=upload_id: _queue_ingest(upload_id))
    return len(stalled)


# --- the lifecycle of a warning or a clue ---------------------------------------------------


def _lock(item: CheckedItem) -> CheckedItem:
    return type(item).objects.select_for_update().get(pk=item.pk)


def _label(item: CheckedItem) -> str:
    return "预警" if isinstance(item, Warning) else "线索"


def _require_state(item: CheckedItem, state: str, action: str) -> None:
    if item.state != state:
        raise ConflictError(f"该{_label(item)}当前为“{item.get_state_display()}”，不能{action}")


def item_assign(*, actor: User, item: CheckedItem, village: Village | None = None) -> CheckedItem:
    """镇分派到村: a town official hands a pushed warning or clue to one of the town's villages."""
    if actor.role != Role.TOWN_OFFICIAL:
        raise PermissionDenied("只有镇（园区）干部可以分派")
    with transaction.atomic():
        item = _lock(item)
        if item.town_id != actor.town_id:
            raise PermissionDenied("不能分派其他镇的预警")
        _require_state(item, State.PUSHED, "分派")
        if isinstance(item, Warning):
            village = item.village  # a registered household's village is not a choice
        elif village is None:
            village = item.village
        if village is None:
            raise ValidationError({"village": "请选择核实的村"})
        if village.town_id != actor.town_id:
            raise ValidationError({"village": "只能分派到本镇的村"})
        item.assign(by=actor, at=timezone.now(), village=village)
        _save(item, actor=actor)
        _notify_village(item)
    return item


def _notify_village(item: CheckedItem) -> None:
    notify(
        recipients=_users(Role.VILLAGE_MONITOR, village_id=item.village_id),
        message=f"镇里分派了一条{_label(item)}，请入户核实",
        url=reverse("early_warnings:village_inbox"),
    )


def items_assign_bulk(
    *, actor: User, items: Iterable[CheckedItem], village: Village | None = None
) -> int:
    """批量分派: every item or none, so a refused one does not leave half a batch assigned."""
    count = 0
    with transaction.atomic():
        for item in items:
            item_assign(actor=actor, item=item, village=village)
            count += 1
    return count


def _can_verify(actor: User, item: CheckedItem) -> bool:
    if actor.role == Role.VILLAGE_MONITOR:
        return item.village_id == actor.village_id
    if actor.role == Role.TOWN_OFFICIAL:
        return item.town_id == actor.town_id
    return False


def warning_verify(
    *,
    actor: User,
    warning: Warning,
    result: str,
    reason: str = "",
    risk_types: Iterable[RiskType] = (),
) -> Warning:
    """入户核实 with one of three results; the consequence happens in the same transaction."""
    reason = (reason or "").strip()
    if result not in Result.values:
        raise ValidationError({"result": "请选择核实结果"})
    if result == Result.NO_RISK and not reason:
        raise ValidationError({"result_reason": "核实无风险时请填写核实情况和理由"})
    with transaction.atomic():
        warning = _lock(warning)
        if not _can_verify(actor, warning):
            raise PermissionDenied("只能核实本村（本镇）的预警")
        _require_state(warning, State.ASSIGNED, "核实")
        subject = MonitoringSubject.objects.filter(
            household_id=warning.household_id, status=MonitoringSubject.Status.MONITORING
        ).first()
        if result == Result.ALREADY_MONITORED:
            if subject is None:
                raise ValidationError({"result": "该户不是监测对象，请选择“纳入监测”或“无风险”"})
            types = {*subject.risk_types.all(), warning.indicator.risk_type, *risk_types}
            monitoring_subject_update_risks(actor=actor, subject=subject, risk_types=types)
        elif result == Result.INCLUDE:
            if subject is not None:
                raise ValidationError({"result": "该户已是监测对象，请选择“已是监测对象”"})
            warning.case = _open_case(
                actor=actor,
                item=warning,
                household=warning.household,
                member=warning.member,
                reason=reason,
            )
        warning.verify(by=actor, at=timezone.now(), result=result, reason=reason)
        _save(warning, actor=actor)
    return warning


def _case_apply():
    try:
        from identification.services import case_apply
    except ImportError:
        from identification.services.cases import case_apply
    return case_apply


def _open_case(
    *, actor: User, item: CheckedItem, household: Household, member: Member, reason: str
):
    """三(七)1: 风险预警后，由村主动联系对象户进行申请 — the application opens with its source kept."""
    is_warning = isinstance(item, Warning)
    risk_type = item.indicator.risk_type if item.indicator_id else None
    note = (
        f"部门预警：{item.department.short_name} {item.indicator.name}（{item.period}）"
        if is_warning
        else f"协防线索：{item.get_source_display()} {item.name}"
    )
    return _case_apply()(
        actor=actor,
        household=household,
        applicant=member,
        applied_on=timezone.localdate(),
        hardship=reason or note,
        risk_types=[risk_type or RiskType.objects.get(code="other")],
        source="warning" if is_warning else "clue",
        source_note=note[:200],
    )


def clue_verify(
    *,
    actor: User,
    clue: Clue,
    result: str,
    reason: str = "",
    household: Household | None = None,
) -> Clue:
    """A clue is checked like a warning; when it names a registered household, say which."""
    reason = (reason or "").strip()
    if result not in {Result.NO_RISK, Result.ALREADY_MONITORED, Result.INCLUDE}:
        raise ValidationError({"result": "请选择核实结果"})
    if not reason:
        raise ValidationError({"result_reason": "请填写核实情况"})
    if (
        household is not None
        and not Household.objects.filter(household_scope_q(actor), pk=household.pk).exists()
    ):
        raise ValidationError({"household": "只能关联本村（本镇）的农户"})
    if result != Result.NO_RISK and household is None:
        raise ValidationError({"household": "请先在台账中登记该户，再选择对应农户"})
    with transaction.atomic():
        clue = _lock(clue)
        if not _can_verify(actor, clue):
            raise PermissionDenied("只能核实本村（本镇）的线索")
        _require_state(clue, State.ASSIGNED, "核实")
        clue.household = household
        if result == Result.ALREADY_MONITORED:
            subject = MonitoringSubject.objects.filter(
                household=household, status=MonitoringSubject.Status.MONITORING
            ).first()
            if subject is None:
                raise ValidationError({"result": "该户不是监测对象，请选择“纳入监测”或“无风险”"})
            if clue.indicator_id:
                types = {*subject.risk_types.all(), clue.indicator.risk_type}
                monitoring_subject_update_risks(actor=actor, subject=subject, risk_types=types)
        elif result == Result.INCLUDE:
            member = household.members.filter(relation=Member.Relation.HEAD).first()
            member = member or household.members.first()
            if member is None:
                raise ValidationError({"household": "该户尚未登记家庭成员"})
            clue.case = _open_case(
                actor=actor, item=clue, household=household, member=member, reason=reason
            )
        clue.verify(by=actor, at=timezone.now(), result=result, reason=reason)
        _save(clue, actor=actor)
    return clue


def item_close(*, actor: User, item: CheckedItem) -> CheckedItem:
    """销号: the village that verified, its town, or the bureau closes the verified item."""
    with transaction.atomic():
        item = _lock(item)
        if not (actor.role == Role.COUNTY_BUREAU or _can_verify(actor, item)):
            raise PermissionDenied("不能销号其他村（镇）的预警")
        _require_state(item, State.VERIFIED, "销号")
        item.close(by=actor, at=timezone.now())
        _save(item, actor=actor)
    return item


# --- clues entered by hand, and sweeps ------------------------------------------------------


def clue_create(
    *,
    actor: User,
    source: str,
    name: str,
    description: str,
    town: Town | None = None,
    village: Village | None = None,
    id_number: str = "",
    phone: str = "",
    address: str = "",
) -> Clue:
    """三(四)3: the bureau (12317, 12345, petitions) or a town (its own work) records a clue;
    a clue with a town goes to it at once."""
    if actor.role == Role.TOWN_OFFICIAL:
        town = actor.town
    elif actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局和镇（园区）干部可以录入线索")
    if source == Clue.Source.DEPARTMENT:
        raise ValidationError({"source": "部门数据线索由上传生成"})
    if village is not None and (town is None or village.town_id != town.pk):
        raise ValidationError({"village": "所选村不属于该镇"})
    if id_number:
        from households.id_numbers import normalize_id_number

        try:
            id_number = normalize_id_number(id_number)
        except ValidationError as error:
            raise ValidationError({"id_number": error.messages}) from None
    now = timezone.now()
    clue = Clue(
        source=source,
        period=period_of(timezone.localdate()),
        name=spreadsheets.normalize_name(name),
        id_number=id_number,
        phone=phone,
        address=address,
        description=description,
        town=town,
        village=village,
        created_by=actor,
    )
    with transaction.atomic():
        if town is not None:
            clue.push(at=now)
        _save(clue, actor=actor)
        if town is not None:
            _notify_towns(clue.period, {town.pk: 1})
    return clue


def clue_route(*, actor: User, clue: Clue, town: Town, village: Village | None = None) -> Clue:
    """The bureau sends a clue that named no known town to the town that should check it."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县扶贫局可以转交线索")
    if village is not None and village.town_id != town.pk:
        raise ValidationError({"village": "所选村不属于该镇"})
    with transaction.atomic():
        clue = _lock(clue)
        _require_state(clue, State.RECEIVED, "转交")
        clue.town, clue.village = town, village
        clue.push(at=timezone.now())
        _save(clue, actor=actor)
        _notify_towns(clue.period, {town.pk: 1})
    return clue


def sweep_record(
    *,
    actor: User,
    carried_out_on: datetime.date,
    scope: str,
    findings: str,
    households_checked: int = 0,
    department: Department | None = None,
) -> DepartmentSweep:
    """三(四)1: a department's quarterly sweep of its sector."""
    if actor.role == Role.DEPARTMENT_STAFF:
        department = actor.department
    elif actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied("只有县直部门和县扶贫局可以填报排查")
    if department is None:
        raise ValidationError({"department": "请选择部门"})
    if carried_out_on and carried_out_on > timezone.localdate():
        raise ValidationError({"carried_out_on": "排查日期不能晚于今天"})
    sweep = DepartmentSweep(
        department=department,
        carried_out_on=carried_out_on,
        scope=scope,
        findings=findings,
        households_checked=households_checked or 0,
        recorded_by=actor,
    )
    with transaction.atomic():
        _save(sweep, actor=actor)
    return sweep


def sample_id_number() -> str:
    from households.id_numbers import make_id_number

    return make_id_number(region="340621", born=datetime.date(1975, 3, 8), sequence=123)


def months_back(today: datetime.date, n: int) -> list[str]:
    month = today.replace(day=1)
    result = []
    for _ in range(n):
        result.append(period_of(month))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return result
