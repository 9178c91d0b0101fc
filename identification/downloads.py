"""The xlsx download the data set pages and API share: a comparison upload's error report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from organization.audit import Kind as AuditKind
from organization.audit import record_access
from suixi_monitor import downloads

from .models import DatasetUpload


def dataset_errors_response(request: HttpRequest, upload: DatasetUpload) -> HttpResponse:
    """The refused rows with their cells (names, ID numbers): a download of personal data,
    recorded in the audit log."""
    kind = upload.get_kind_display()
    filename = f"错误明细-{kind}比对数据-{upload.pk}.xlsx"
    record_access(
        request,
        kind=AuditKind.DOWNLOAD,
        what=f"{kind}比对数据错误明细",
        detail=filename,
        rows=upload.rows_error,
    )
    return downloads.error_report_response(
        upload,
        title=f"{kind}比对数据 “{upload.original_name}” 错误明细",
        filename=filename,
        header=upload.summary.get("header", ()),
    )
