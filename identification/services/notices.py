"""Exports of personal data are logged: who, what, which scope, how many rows."""

from __future__ import annotations

from organization.models import User

from ..models import NoticeExport


def notice_export_log(
    *, actor: User, kind: str, target: str, file_format: str, row_count: int
) -> NoticeExport:
    return NoticeExport.objects.create(
        user=actor, kind=kind, target=target[:100], file_format=file_format, row_count=row_count
    )
