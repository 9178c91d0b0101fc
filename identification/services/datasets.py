"""Comparison data sets (三(七)4): department data, uploaded by the department or the bureau."""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from households.selectors import excel_truncated
from organization.models import Department, Role, User

from ..models import ComparisonDataset, ComparisonKind, ComparisonRecord
from ..selectors import can_upload_datasets
from ..spreadsheets import DatasetFile, FileRejected, RowError, read_dataset


def dataset_upload(
    *,
    actor: User,
    kind: str,
    as_of: datetime.date,
    file_name: str,
    content: bytes,
    department: Department | None = None,
) -> tuple[ComparisonDataset, bool]:
    """Read, check every row, then write all or nothing. Returns (data set, created).

    The same file for the same kind is the same data set: uploading it again
    writes nothing and returns the first one.
    """
    if not can_upload_datasets(actor):
        raise PermissionDenied("只有县直部门和县扶贫局可以上传比对数据")
    if kind not in ComparisonKind.values:
        raise ValidationError({"kind": "请选择比对类别"})
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": "数据截止日期不能晚于今天"})
    if actor.role == Role.DEPARTMENT_STAFF:
        department = actor.department  # department staff upload for their own department only
    digest = hashlib.sha256(content).hexdigest()
    existing = ComparisonDataset.objects.filter(kind=kind, sha256=digest).first()
    if existing:
        return existing, False
    read = _read(content, file_name)
    rows, errors = read.rows, read.errors
    if errors:
        raise ValidationError(
            {"file": [f"{e.where} {e.column}“{e.value}”：{e.reason}" for e in errors[:200]]},
        )
    with transaction.atomic():
        dataset = ComparisonDataset(
            kind=kind,
            as_of=as_of,
            department=department,
            file_name=file_name[:200],
            sha256=digest,
            row_count=len(rows),
            uploaded_by=actor,
        )
        dataset.full_clean()
        dataset._history_user = actor
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
    return dataset, True


def _read(content: bytes, file_name: str) -> DatasetFile:
    """The file's rows, with the IDs that Excel cut to 15 digits and 000 refused (三(七)4: a
    comparison hit must be about a real member)."""
    with tempfile.NamedTemporaryFile(suffix=Path(file_name).suffix) as handle:
        handle.write(content)
        handle.flush()
        try:
            read = read_dataset(Path(handle.name), file_name)
        except FileRejected as rejected:
            raise ValidationError({"file": rejected.message}) from None
    truncated = excel_truncated(people=[(row.id_number, row.name) for row in read.rows])
    if truncated:
        kept = []
        for row in read.rows:
            if row.id_number in truncated:
                read.errors.append(
                    RowError(
                        row.row_number,
                        "身份证号",
                        row.id_number,
                        truncated[row.id_number],
                        sheet=row.sheet,
                        cells=row.cells,
                    )
                )
            else:
                kept.append(row)
        read.rows = kept
    return read
