"""The xlsx download the data set pages and API share: a comparison upload's error report."""

from __future__ import annotations

from django.http import HttpResponse

from suixi_monitor import downloads

from .models import DatasetUpload


def dataset_errors_response(upload: DatasetUpload) -> HttpResponse:
    kind = upload.get_kind_display()
    return downloads.error_report_response(
        upload,
        title=f"{kind}比对数据 “{upload.original_name}” 错误明细",
        filename=f"错误明细-{kind}比对数据-{upload.pk}.xlsx",
        header=upload.summary.get("header", ()),
    )
