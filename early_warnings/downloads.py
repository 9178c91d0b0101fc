"""The two xlsx downloads the warnings pages and API share: a department's template and an
upload's error report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from organization.audit import Kind as AuditKind
from organization.audit import record_access
from organization.models import Department
from suixi_monitor import downloads
from suixi_monitor.downloads import xlsx_attachment

from . import services, spreadsheets
from .models import Upload, WarningIndicator


def template_response(department: Department, *, roster: bool = False) -> HttpResponse:
    """The department's xlsx template, with its active indicators in the code drop-down;
    ``roster``: 民政's monthly roster of the low-income population instead."""
    indicators = list(
        WarningIndicator.objects.filter(department=department, active=True).select_related(
            "risk_type"
        )
    )
    data = spreadsheets.department_template(
        department=department,
        indicators=indicators,
        example_id=services.sample_id_number(),
        roster=roster,
    )
    name = "低收入人口名册模板" if roster else "预警信息模板"
    return xlsx_attachment(data, f"{name}-{department.short_name}.xlsx")


def error_report_response(request: HttpRequest, upload: Upload) -> HttpResponse:
    """The refused rows with their cells (names, ID numbers): a download of personal data,
    recorded in the audit log."""
    filename = f"错误明细-{upload.department.short_name}-{upload.period}-{upload.pk}.xlsx"
    record_access(
        request,
        kind=AuditKind.DOWNLOAD,
        what=f"预警信息错误明细（{upload.department.short_name} {upload.period}）",
        detail=filename,
        rows=upload.rows_error,
    )
    return downloads.error_report_response(
        upload,
        title=f"{upload.department.short_name} {upload.period} “{upload.original_name}” 错误明细",
        filename=filename,
        header=spreadsheets.HEADER,
    )
