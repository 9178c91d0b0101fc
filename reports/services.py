"""Ledger exports (三(十) 台账): written at once when small, by a worker when large, and logged.

``ledger_export_start`` counts the rows the user may export. Up to
``LEDGER_EXPORT_SYNC_ROWS`` it writes the file into a temporary file and logs the export; above
it stores a ``LedgerExport`` job and queues ``reports.export_ledger`` once committed. The
worker's ``ledger_export_run`` writes the file under the media directory with progress and
logs the export with the rows it actually wrote. Either way the audit entry
(``AuditEntry.Kind.EXPORT``) says who, when, which ledger, the filters and how many rows.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from households.models import MonitoringSubject
from organization.audit import Kind as AuditKind
from organization.audit import client_ip, record_entry
from organization.models import Town, User, Village
from organization.services import notify
from suixi_monitor import jobs

from . import spreadsheets
from .models import LedgerExport, LedgerKind
from .selectors.assessment import MSG_NO_ASSESSMENT, assessment, may_read_assessment
from .selectors.export_log import ASSESSMENT_TITLE
from .selectors.ledgers import (
    CHUNK,
    MSG_NO_LEDGER,
    LedgerFilters,
    RegistryStatus,
    columns,
    ledger_queryset,
    ledger_rows,
    may_read_ledgers,
)
from .selectors.low_income import (
    COLUMNS as LOW_INCOME_COLUMNS,
)
from .selectors.low_income import (
    MSG_NO_LIST,
    LowIncomeFilters,
    low_income_queryset,
    low_income_rows,
    may_read_low_income,
)
from .selectors.low_income import (
    TITLE as LOW_INCOME_TITLE,
)

logger = logging.getLogger(__name__)
EXPORT_TASK = "reports.export_ledger"


@dataclass
class Requester:
    """Where the export was asked for, kept for the audit entry a worker writes later."""

    path: str = ""
    ip_address: str | None = None

    @classmethod
    def of(cls, request) -> Requester:
        """The page's or the API's request, as the audit entry records it."""
        return cls(path=request.path, ip_address=client_ip(request))


@dataclass
class ExportStarted:
    """Either ``file`` (small: written, logged, ready to send) or ``job`` (large: queued)."""

    rows: int
    filename: str
    file: IO[bytes] | None = None
    job: LedgerExport | None = None


def ledger_export_start(
    *, actor: User, kind: str, filters: LedgerFilters, requester: Requester
) -> ExportStarted:
    if not may_read_ledgers(actor):
        raise PermissionDenied(MSG_NO_LEDGER)
    label = LedgerKind(kind).label
    filename = f"{label}_{timezone.localdate():%Y%m%d}.xlsx"
    described = filters_label(kind, filters)
    rows = ledger_queryset(user=actor, kind=kind, filters=filters).count()
    if rows <= settings.LEDGER_EXPORT_SYNC_ROWS:
        # Handed to the response, which streams it and closes (so deletes) it when sent.
        target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
        written = _write(target, actor=actor, kind=kind, filters=filters)
        target.seek(0)
        _log(actor, kind, described, written, requester)
        return ExportStarted(rows=written, filename=filename, file=target)
    with transaction.atomic():
        job = LedgerExport.objects.create(
            kind=kind,
            filters=filters.as_dict(),
            filters_label=described[:200],
            requested_by=actor,
            original_name=filename,
            rows_total=rows,
            path=requester.path[:300],
            ip_address=requester.ip_address,
        )
        transaction.on_commit(lambda: jobs.job_queue(EXPORT_TASK, job.pk))
    return ExportStarted(rows=rows, filename=filename, job=job)


def ledger_export_run(*, job_id: int) -> LedgerExport:
    """The worker's part. Idempotent: a finished job is left alone; an interrupted one writes
    its file again from the start, under the same name."""
    job = LedgerExport.objects.select_related("requested_by").get(pk=job_id)
    match jobs.job_attempt_start(job):
        case jobs.Attempt.FINISHED:
            return job
        case jobs.Attempt.EXHAUSTED:
            return ledger_export_reject(job=job, message=jobs.gave_up_message())
    name = f"reports/ledgers/{job.pk}-{job.kind}.xlsx"
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    expected = max(job.rows_total, 1)

    def progress(done: int) -> None:
        # 5% at the start, 95% once every row is written and the file is being closed.
        jobs.job_progress(job, 5 + min(90, done * 90 // expected))

    try:
        with path.open("wb") as target:
            written = _write(
                target,
                actor=job.requested_by,
                kind=job.kind,
                filters=LedgerFilters(**job.filters),
                progress=progress,
            )
    except DatabaseError:
        raise  # the database, not the export: let the task be retried
    except Exception:
        logger.exception("ledger export %s failed", job.pk)
        return ledger_export_reject(job=job, message="导出失败，请稍后重试或联系县扶贫局")
    with transaction.atomic():
        job = LedgerExport.objects.select_for_update().get(pk=job.pk)
        job.file.name = name
        job.size = path.stat().st_size
        job.rows_total = job.rows_valid = written
        job.status = LedgerExport.Status.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save()
        _log(
            job.requested_by,
            job.kind,
            job.filters_label,
            written,
            Requester(path=job.path, ip_address=job.ip_address),
        )
        notify(
            recipients=[job.requested_by],
            message=f"{job.get_kind_display()}已导出（{written}行），可以下载",
            url=reverse("reports:export_job", args=[job.pk]),
        )
    return job


def ledger_export_reject(*, job: LedgerExport, message: str) -> LedgerExport:
    def tell(job: LedgerExport) -> None:
        notify(
            recipients=[job.requested_by],
            message=f"{job.get_kind_display()}导出失败：{message}",
            url=reverse("reports:export_job", args=[job.pk]),
        )

    return jobs.job_fail(job, message=message, notify=tell)


def ledger_exports_requeue_stalled(*, now: datetime.datetime | None = None) -> int:
    """Jobs a lost worker or a lost message left behind go to a live worker again, within
    their attempts (as every file job, ``suixi_monitor/jobs.py``)."""
    return jobs.jobs_requeue_stalled(
        LedgerExport,
        now=now or timezone.now(),
        queue=lambda pk: jobs.job_queue(EXPORT_TASK, pk),
        reject=lambda upload, message: ledger_export_reject(job=upload, message=message),
    )


def _write(
    target: IO[bytes],
    *,
    actor: User,
    kind: str,
    filters: LedgerFilters,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The ledger as the page shows it, streamed: rows come from the database in chunks and
    leave through openpyxl's write-only sheet, so memory does not grow with the rows."""
    header = [title for _, title in columns(kind)]
    base = ledger_queryset(user=actor, kind=kind, filters=filters)
    rows = ledger_rows(base.iterator(chunk_size=CHUNK), kind=kind, user=actor)
    return spreadsheets.write_table(
        target,
        title=f"濉溪县{LedgerKind(kind).label}（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）",
        sheet=LedgerKind(kind).label,
        header=header,
        rows=rows,
        progress=progress,
    )


def _log(actor: User, kind: str, described: str, rows: int, requester: Requester) -> None:
    record_entry(
        user=actor,
        kind=AuditKind.EXPORT,
        what=LedgerKind(kind).label,
        detail=described,
        rows=rows,
        path=requester.path,
        ip_address=requester.ip_address,
    )


def filters_label(kind: str, filters: LedgerFilters) -> str:
    """The filters in words, as the export log shows them (``全部`` when none)."""
    parts: list[str] = []
    if filters.town:
        parts.append(
            f"镇：{Town.objects.filter(pk=filters.town).values_list('name', flat=True).first() or filters.town}"
        )
    if filters.village:
        parts.append(
            f"村：{Village.objects.filter(pk=filters.village).values_list('name', flat=True).first() or filters.village}"
        )
    if filters.category:
        parts.append(f"类别：{MonitoringSubject.Category(filters.category).label}")
    if filters.status:
        statuses = dict(RegistryStatus.CHOICES) | dict(MonitoringSubject.Status.choices)
        parts.append(f"状态：{statuses.get(filters.status, filters.status)}")
    if filters.q.strip():
        parts.append(f"搜索：{filters.q.strip()}")
    return "；".join(parts) or "全部"


def assessment_export(*, actor: User, year: int, requester: Requester) -> IO[bytes]:
    """三(九) the year-end assessment as xlsx, logged like every export."""
    if not may_read_assessment(actor):
        raise PermissionDenied(MSG_NO_ASSESSMENT)
    table = assessment(user=actor, year=year)
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    spreadsheets.write_table(
        target,
        title=f"濉溪县{year}年度防止返贫监测帮扶工作考核表",
        sheet=f"{year}年度考核",
        header=["镇（园区）", *(column.header for column in table.columns)],
        rows=[[row.name, *row.cells(table.columns)] for row in table.rows],
    )
    target.seek(0)
    record_entry(
        user=actor,
        kind=AuditKind.EXPORT,
        what=ASSESSMENT_TITLE,
        detail=f"年度：{year}",
        rows=len(table.rows),
        path=requester.path,
        ip_address=requester.ip_address,
    )
    return target


def low_income_export(
    *, actor: User, filters: LowIncomeFilters, requester: Requester
) -> tuple[IO[bytes], int]:
    """The low-income population and the monitoring subjects as the list shows them, streamed
    (rows in chunks, openpyxl write-only) into a temporary file the response sends and closes,
    and logged like every export of personal data: who, when, the filters and the rows."""
    if not may_read_low_income(actor):
        raise PermissionDenied(MSG_NO_LIST)
    base = low_income_queryset(user=actor, filters=filters)
    rows = (row.values() for row in low_income_rows(base.iterator(chunk_size=CHUNK), user=actor))
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    written = spreadsheets.write_table(
        target,
        title=f"濉溪县{LOW_INCOME_TITLE}（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）",
        sheet=LOW_INCOME_TITLE,
        header=[title for _, title in LOW_INCOME_COLUMNS],
        rows=rows,
    )
    target.seek(0)
    names = {}
    if filters.town:
        names["town"] = Town.objects.filter(pk=filters.town).values_list("name", flat=True).first()
    if filters.village:
        names["village"] = (
            Village.objects.filter(pk=filters.village).values_list("name", flat=True).first()
        )
    record_entry(
        user=actor,
        kind=AuditKind.EXPORT,
        what=LOW_INCOME_TITLE,
        detail=filters.label({k: v for k, v in names.items() if v}),
        rows=written,
        path=requester.path,
        ip_address=requester.ip_address,
    )
    return target, written
