"""Downloads the pages and API share: a comparison upload's error report, a consent scan."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from organization.audit import Kind as AuditKind
from organization.audit import record_access
from suixi_monitor import downloads

from .models import DatasetUpload, IdentificationCase


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


def consent_form_response(request: HttpRequest, case: IdentificationCase) -> FileResponse:
    """The scan of a household's signed consent (Anhui 2024 承诺授权): personal data, each
    download recorded in the audit log; page and API alike."""
    name = case.consent_form.name.rsplit("/", 1)[-1]
    try:
        handle = case.consent_form.open("rb")
    except FileNotFoundError:  # the record outlived its file (a restored database)
        raise Http404("承诺授权书文件已不存在") from None
    record_access(
        request,
        kind=AuditKind.DOWNLOAD,
        what=f"{case.household.head_name}户承诺授权书",
        detail=name,
    )
    return FileResponse(handle, as_attachment=True, filename=name)
