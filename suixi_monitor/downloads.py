"""File responses every app shares."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_attachment(data: bytes, filename: str) -> HttpResponse:
    """An xlsx download under a Chinese file name (RFC 6266's ``filename*``, which every
    browser the county uses reads)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
