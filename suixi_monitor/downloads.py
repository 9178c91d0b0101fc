"""Files every app serves: the xlsx attachment, and the row-error report of a file job."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.http import HttpResponse

from .spreadsheets import error_report

if TYPE_CHECKING:
    from .jobs import FileJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_attachment(data: bytes, filename: str) -> HttpResponse:
    """An xlsx download under a Chinese file name (RFC 6266's ``filename*``, which every
    browser the county uses reads)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def error_report_response(
    job: FileJob, *, title: str, filename: str, header: Sequence[str] = ()
) -> HttpResponse:
    """A job's kept errors as an xlsx download, one line per refused row with its cells
    under ``header``; the title says how many more rows were not kept."""
    listed = len({(error.get("sheet", ""), error["row"]) for error in job.errors})
    if job.rows_error > listed:
        title += f"（另有{job.rows_error - listed}行未列出）"
    return xlsx_attachment(error_report(job.errors, title=title, header=header), filename)
