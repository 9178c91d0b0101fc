"""Comparison data sets (三(七)4): department data, uploaded by the department or the bureau.

``dataset_upload_create`` stores the file and, once committed, queues the Celery task
``identification.ingest_dataset_upload``; the worker's ``dataset_upload_ingest`` reads it,
checks every row and writes the data set all or nothing. The same file for the same kind
is the same data set. Attempts are counted and capped as for every file job
(``suixi_monitor/jobs.py``).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from households.selectors import excel_truncated
from organization.models import Department, Role, User
from organization.services import notify
from suixi_monitor import jobs
from suixi_monitor.spreadsheets import check_upload

from .. import spreadsheets
from ..models import ComparisonDataset, ComparisonKind, ComparisonRecord, DatasetUpload
from ..selectors import can_upload_datasets, dataset_upload_list

logger = logging.getLogger(__name__)


def dataset_upload_create(
    *,
    actor: User,
    kind: str,
    as_of: datetime.date,
    file: File,
    department: Department | None = None,
) -> tuple[DatasetUpload, bool]:
    """Store the file and queue its reading once committed. Returns (upload, created).

    The same file for the same kind is the same data set: uploading it again stores nothing
    and returns the upload that is reading it or has read it.
    """
    if not can_upload_datasets(actor):
        raise PermissionDenied("只有县直部门和县扶贫局可以上传比对数据")
    if kind not in ComparisonKind.values:
        raise ValidationError({"kind": "请选择比对类别"})
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": "数据截止日期不能晚于今天"})
    check_upload(file)  # the size and the extension; the worker's reader judges the content
    if actor.role == Role.DEPARTMENT_STAFF:
        department = actor.department  # department staff upload for their own department only
    digest = _sha256(file)
    with transaction.atomic():
        existing = _live_upload(kind, digest)
        if existing:
            return _same_file(actor, existing), False
        name = Path(file.name).name
        upload = DatasetUpload(
            kind=kind,
            as_of=as_of,
            department=department,
            original_name=name[:255],
            size=file.size,
            sha256=digest,
            uploaded_by=actor,
        )
        upload.file.save(name, file, save=False)
        # The database keeps one live upload per file; a request racing this one is answered below.
        upload.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                upload.save()
        except IntegrityError:
            upload.file.delete(save=False)
            return _same_file(actor, _live_upload(kind, digest)), False
        transaction.on_commit(lambda: queue_dataset_ingest(upload.pk))
    return upload, True


def _sha256(file: File) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _live_upload(kind: str, digest: str) -> DatasetUpload | None:
    return (
        DatasetUpload.objects.filter(kind=kind, sha256=digest)
        .exclude(status=DatasetUpload.Status.FAILED)
        .first()
    )


def _same_file(actor: User, existing: DatasetUpload) -> DatasetUpload:
    if not dataset_upload_list(user=actor).filter(pk=existing.pk).exists():
        # Another department's upload: the data set is the same, its page is not the actor's.
        raise ValidationError({"file": "同一文件已由其他部门作为同类比对数据上传，未重复导入"})
    return existing


DATASET_TASK = "identification.ingest_dataset_upload"


def queue_dataset_ingest(upload_id: int) -> None:
    jobs.job_queue(DATASET_TASK, upload_id)


def dataset_upload_ingest(*, upload_id: int) -> DatasetUpload:
    """三(七)4: read the stored file, check every row, then write the data set all or nothing.

    Idempotent: a finished upload is left alone, and an interrupted one is read again from
    the start (nothing of it was committed).
    """
    upload = DatasetUpload.objects.select_related("uploaded_by").get(pk=upload_id)
    match jobs.job_attempt_start(upload):
        case jobs.Attempt.FINISHED:
            return upload
        case jobs.Attempt.EXHAUSTED:
            return dataset_upload_reject(upload=upload, message=jobs.gave_up_message())
    try:
        read = spreadsheets.read_dataset(Path(upload.file.path), upload.original_name)
    except spreadsheets.FileRejected as rejected:
        return dataset_upload_reject(upload=upload, message=rejected.message)
    except DatabaseError:
        raise  # the database, not the file: let the task be retried
    except Exception:
        # A file that breaks the reader would otherwise be retried by the stalled requeue.
        logger.exception("data set upload %s could not be read", upload.pk)
        return dataset_upload_reject(upload=upload, message=jobs.UNREADABLE)
    _refuse_truncated(read)
    rows, errors = read.rows, read.errors
    error_rows = read.error_rows
    counts: dict[str, Any] = {
        "rows_total": read.counted,
        "rows_valid": read.counted - error_rows,
        "rows_error": error_rows,
        # The file's own header: the error report shows each refused row's cells under it.
        "summary": {
            "skipped_sheets": read.skipped,
            "repeated": read.repeated,
            "header": read.header,
        },
    }
    if errors:
        return dataset_upload_reject(
            upload=upload,
            message=f"{error_rows}行有错误，未导入任何数据；请按错误明细改正后重新上传整个文件",
            errors=[error.as_dict() for error in errors[: jobs.ERRORS_KEPT]],
            **counts,
        )
    jobs.job_progress(upload, 50, **counts)
    return _write(upload, rows)


def _refuse_truncated(read: spreadsheets.DatasetFile) -> None:
    """An ID that Excel cut to 15 digits and 000, outside the registry, is the row's error:
    a comparison record must be about a real person, not one Excel made up."""
    truncated = excel_truncated(people=[(row.id_number, row.name) for row in read.rows])
    if not truncated:
        return
    kept = []
    for row in read.rows:
        reason = truncated.get((row.id_number, row.name))
        if reason is None:
            kept.append(row)
            continue
        read.errors.append(
            spreadsheets.RowError(
                row.row_number, "身份证号", row.id_number, reason,
                sheet=row.sheet, cells=row.cells,
            )
        )  # fmt: skip
    read.rows = kept


def _write(upload: DatasetUpload, rows: list[spreadsheets.DatasetRow]) -> DatasetUpload:
    with transaction.atomic():
        # A second worker given the same upload waits here and writes nothing.
        locked = DatasetUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.is_finished:
            return locked
        dataset = ComparisonDataset.objects.filter(kind=upload.kind, sha256=upload.sha256).first()
        if dataset is None:
            dataset = _dataset_create(upload, rows)
            message = f"已导入{upload.get_kind_display()}比对数据 {dataset.row_count} 条"
        else:
            message = f"该文件此前已导入为{upload.get_kind_display()}比对数据，未重复导入"
        upload.dataset = dataset
        upload.status = DatasetUpload.Status.DONE
        upload.progress = 100
        upload.finished_at = timezone.now()
        upload.save()
        notify(
            recipients=[upload.uploaded_by],
            message=f"“{upload.original_name}”：{message}",
            url=reverse("identification:dataset_upload", args=[upload.pk]),
        )
    return upload


def _dataset_create(
    upload: DatasetUpload, rows: list[spreadsheets.DatasetRow]
) -> ComparisonDataset:
    dataset = ComparisonDataset(
        kind=upload.kind,
        as_of=upload.as_of,
        department=upload.department,
        file_name=upload.original_name[:200],
        sha256=upload.sha256,
        row_count=len(rows),
        uploaded_by=upload.uploaded_by,
    )
    dataset.full_clean()
    dataset._history_user = upload.uploaded_by
    dataset.save()
    ComparisonRecord.objects.bulk_create(
        [
            ComparisonRecord(
                dataset=dataset,
                id_number=r.id_number,
                name=r.name,
                detail=r.detail,
                row_number=r.row_number,
            )
            for r in rows
        ],
        batch_size=2000,
    )
    return dataset


def dataset_upload_reject(*, upload: DatasetUpload, message: str, **fields: Any) -> DatasetUpload:
    """Refuse the whole file (nothing of it is written) and tell the uploader why."""

    def tell(upload: DatasetUpload) -> None:
        notify(
            recipients=[upload.uploaded_by],
            message=f"{upload.get_kind_display()}比对数据“{upload.original_name}”未导入：{message}",
            url=reverse("identification:dataset_upload", args=[upload.pk]),
        )

    return jobs.job_fail(upload, message=message, notify=tell, **fields)


def dataset_uploads_requeue_stalled(*, now: datetime.datetime | None = None) -> int:
    """Uploads a lost worker or message left behind go to a live worker again, except those
    that used every attempt: they are refused (suixi_monitor/jobs.py)."""
    return jobs.jobs_requeue_stalled(
        DatasetUpload,
        now=now or timezone.now(),
        queue=queue_dataset_ingest,
        reject=dataset_upload_reject,
    )
