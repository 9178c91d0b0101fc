"""Comparison data sets (三(七)4): department data, uploaded by the department or the bureau."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organization.models import Department, Role, User

from ..models import ComparisonDataset, ComparisonKind, ComparisonRecord
from ..selectors import can_upload_datasets
from ..spreadsheets import read_dataset


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
    rows, errors = read_dataset(content, file_name)
    if errors:
        raise ValidationError(
            {"file": [f"第{e.row}行 {e.column}“{e.value}”：{e.reason}" for e in errors[:200]]},
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
