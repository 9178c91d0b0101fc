"""Files every app serves: the xlsx attachment, and the row-error report of a file job."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook

if TYPE_CHECKING:
    from .jobs import FileJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_attachment(data: bytes, filename: str) -> HttpResponse:
    """An xlsx download under a Chinese file name (RFC 6266's ``filename*``, which every
    browser the county uses reads)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def neutralise(value: Any) -> Any:
    """DESIGN.md §5: a cell that starts like a formula is written as text, never evaluated."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def error_report(errors: Iterable[dict[str, Any]], *, title: str) -> bytes:
    """The row errors (row, column, value, reason) of a file, one line each, streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误明细")
    sheet.append([title])
    sheet.append(["行号", "列", "原值", "错误原因"])
    for error in errors:
        sheet.append(
            [
                error["row"],
                neutralise(error["column"]),
                neutralise(error["value"]),
                neutralise(error["reason"]),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report_response(job: FileJob, *, title: str, filename: str) -> HttpResponse:
    """A job's kept errors as an xlsx download; the title says how many more were not kept."""
    if job.rows_error > len(job.errors):
        title += f"（另有{job.rows_error - len(job.errors)}条未列出）"
    return xlsx_attachment(error_report(job.errors, title=title), filename)
