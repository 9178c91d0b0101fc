"""Ingestion (三(四)2 技防): ``upload_create`` → Celery → ``upload_ingest``.

A department's monthly file is read, every row validated, matched to the registry by ID
number and written as warnings (registered members) or clues (everyone else, 三(五)3).
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from organization.models import Department, Town, User, Village
from organization.services import notify
from suixi_monitor import jobs
from suixi_monitor.spreadsheets import check_upload, without_cycle_collection

from .. import spreadsheets
from ..models import (
    Clue,
    Upload,
    WarningIndicator,
    period_label,
    period_start,
    period_validator,
)
from . import matching, roster
from ._common import acting_department, queue_ingest
from .bulk import Batch, insert_ignoring_duplicates, received_from
from .cycle import push_due, push_period

logger = logging.getLogger(__name__)


def upload_create(
    *, actor: User, period: str, file: UploadedFile, department: Department | None = None
) -> Upload:
    """Store a department's file and queue its ingestion once the row is committed."""
    department = acting_department(
        actor, department, refusal="只有县直部门和县扶贫局可以上传预警数据"
    )
    period = (period or "").strip()
    try:
        period_validator(period)
    except ValidationError:
        raise ValidationError({"period": "数据月份格式应为 YYYY-MM，如 2026-05"}) from None
    if period_start(period) > timezone.localdate().replace(day=1):
        raise ValidationError({"period": "数据月份不能晚于本月"})
    check_upload(file)
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
        transaction.on_commit(lambda: queue_ingest(upload.pk))
    return upload


def upload_ingest(*, upload_id: int) -> Upload:
    """Read, validate, match and write one upload. Idempotent: a finished upload is left alone,
    and an interrupted one is read again from the start; the unique constraints make the
    second pass add only what the first did not commit."""
    with without_cycle_collection():
        return _ingest(upload_id)


def _ingest(upload_id: int) -> Upload:
    upload = Upload.objects.select_related("department", "uploaded_by").get(pk=upload_id)
    match jobs.job_attempt_start(upload):
        case jobs.Attempt.FINISHED:
            return upload
        case jobs.Attempt.EXHAUSTED:
            return upload_reject(upload=upload, message=jobs.gave_up_message())
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
        found = spreadsheets.read_tables(
            upload.file.path,
            original_name=upload.original_name,
            required=required,
            indicators=indicators,
        )
        jobs.job_progress(upload, 30)
        if found.roster:  # 民政's roster: only its own indicators are read from it
            indicators = {code: ind for code, ind in indicators.items() if ind.is_roster}
        valid, errors, counted = spreadsheets.parse_rows(
            found, period=upload.period, indicators=indicators
        )
    except spreadsheets.FileRejected as rejected:
        return upload_reject(upload=upload, message=rejected.message)
    except DatabaseError:
        raise  # the database, not the file: let the task be retried
    except Exception:
        # A file that breaks the reader would otherwise be retried forever by the tick.
        logger.exception("upload %s could not be read", upload.pk)
        return upload_reject(upload=upload, message=jobs.UNREADABLE)
    jobs.job_progress(upload, 50, rows_total=counted)
    with transaction.atomic():
        # The lock comes first: a second worker given the same upload (requeued as stalled)
        # waits for the first one to commit and writes nothing, and an upload failed meanwhile
        # (out of attempts, see suixi_monitor/jobs.py) gets no rows behind its back.
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.is_finished:
            return locked
        # Counted as written, in the transaction that writes them: a re-run after a killed
        # worker starts from nothing committed, so the counts are this upload's own.
        if found.roster:
            return _ingest_roster(upload, found, valid, errors, counted)
        matched = matching.write_warnings(valid, upload)
        clues_written = insert_ignoring_duplicates(Clue, _clues(matched.outsiders, upload))
        _finish(upload, found, errors + matched.errors, counted)
        upload.warnings_count = matched.warnings_written
        upload.clues_count = clues_written
        upload.summary = _summary(found, matched, indicators, clues_written)
        upload.save()
        _after_ingest(upload)
    return upload


def _ingest_roster(
    upload: Upload,
    found: spreadsheets.DepartmentFile,
    valid: list[spreadsheets.ParsedRow],
    errors: list[spreadsheets.RowError],
    counted: int,
) -> Upload:
    """民政's roster: statuses set instead of warnings made; outsiders still become clues."""
    applied = roster.roster_apply(valid, upload)
    clues_written = insert_ignoring_duplicates(Clue, _clues(applied.outsiders, upload))
    _finish(upload, found, errors + applied.errors, counted)
    upload.is_roster = True
    upload.warnings_count = applied.warnings_written
    upload.clues_count = clues_written
    upload.summary = {
        "skipped_sheets": found.skipped,
        "roster": {
            **applied.summary(upload),
            "clues": clues_written,
            "already_clues": len(applied.outsiders) - clues_written,
        },
    }
    upload.save()
    _after_roster(upload)
    return upload


def _finish(
    upload: Upload,
    found: spreadsheets.Found,
    errors: list[spreadsheets.RowError],
    counted: int,
) -> None:
    """The counts and row errors every finished file carries, in the file's order."""
    sheets = {table.sheet: order for order, table in enumerate(found.tables)}
    errors.sort(key=lambda error: (sheets.get(error.sheet, 0), error.row))
    error_rows = len({(error.sheet, error.row) for error in errors})
    upload.rows_total = counted
    upload.rows_error = error_rows
    upload.rows_valid = counted - error_rows
    upload.errors = [error.as_dict() for error in errors[: jobs.ERRORS_KEPT]]
    upload.status = Upload.Status.DONE
    upload.progress = 100
    upload.finished_at = timezone.now()


def _after_roster(upload: Upload) -> None:
    changes = "；".join(
        f"{kind['label']}：新列入{kind['started']}户，终止{kind['ended']}户，未变{kind['unchanged']}户"
        for kind in upload.summary["roster"]["kinds"]
    )
    notify(
        recipients=[upload.uploaded_by],
        message=(
            f"{period_label(upload.period)}低收入人口名册“{upload.original_name}”处理完成："
            f"有效{upload.rows_valid}行，错误{upload.rows_error}行；{changes or '未变更身份'}；"
            f"预警{upload.warnings_count}条，线索{upload.clues_count}条"
        ),
        url=reverse("early_warnings:upload_detail", args=[upload.pk]),
    )
    if upload.warnings_count and push_due(
        upload.period, arrived=timezone.localdate(upload.uploaded_at)
    ):
        push_period(period=upload.period, now=timezone.now())


def _summary(
    found: spreadsheets.Found,
    matched: matching.Matched,
    indicators: dict[str, WarningIndicator],
    clues_written: int,
) -> dict[str, Any]:
    """What became of the valid rows that made neither a warning nor a clue, so the result
    accounts for every row; and the sheets that were not read."""
    return {
        "skipped_sheets": found.skipped,
        "below_rule": {
            f"{code} {indicators[code].name}": count
            for code, count in sorted(matched.below_rule.items())
            if count
        },
        "repeated": matched.repeated,
        "already_written": matched.registered_over
        - matched.warnings_written
        + len(matched.outsiders)
        - clues_written,
    }


def upload_reject(*, upload: Upload, message: str) -> Upload:
    """Refuse the whole file (nothing of it is written) and tell the uploader why."""

    def tell(upload: Upload) -> None:
        notify(
            recipients=[upload.uploaded_by],
            message=f"{period_label(upload.period)}预警文件“{upload.original_name}”被拒绝：{message}",
            url=reverse("early_warnings:upload_detail", args=[upload.pk]),
        )

    return jobs.job_fail(upload, message=message, notify=tell)


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
    # A file that arrives after the push day, or once the month was pushed, goes to the towns
    # as soon as it is written, not with the next tick.
    if push_due(upload.period, arrived=timezone.localdate(upload.uploaded_at)):
        push_period(period=upload.period, now=timezone.now())


CLUE_COLUMNS = (
    "name", "id_number", "town_id", "village_id", "town_text", "description", "indicator_id",
    "row_number", "value",
)  # fmt: skip


def _clues(outsiders: list[spreadsheets.ParsedRow], upload: Upload) -> Batch:
    """三(五)3 / 三(四)3: people outside the registry over the rule become clues for the town
    the row names, else for the county bureau."""
    towns = _TownDirectory()
    clues = Batch(
        CLUE_COLUMNS,
        {
            **received_from(upload),
            "source": Clue.Source.DEPARTMENT,
            "phone": "",
            "address": "",
        },
    )
    for row in outsiders:
        indicator = row.indicator
        town, village = towns.route(row.town, row.village)
        value = f" {row.value.normalize():f}{indicator.unit}" if row.value is not None else ""
        clues.rows.append(
            (
                row.name,
                row.id_number,
                town.pk if town else None,
                village.pk if village else None,
                f"{row.town}{row.village}"[:100],
                f"{upload.department.short_name}：{indicator.name}{value}"
                + (f"（{row.note}）" if row.note else ""),
                indicator.id,
                row.row,
                row.value,
            )
        )
    return clues


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

    @functools.cache  # noqa: B019 - one directory per file; a file repeats a few place names
    def route(self, town_text: str, village_text: str) -> tuple[Town | None, Village | None]:
        town = next((t for t in self.towns if self._matches(town_text, t.name)), None)
        if town is None:
            return None, None
        village = next(
            (v for v in self.villages[town.pk] if self._matches(village_text, v.name)), None
        )
        return town, village
