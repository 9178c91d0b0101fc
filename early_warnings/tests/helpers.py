"""Builders for department files as they arrive in real life, and registered people to match."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from early_warnings import services
from early_warnings.models import Upload
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number

HEADER = ["姓名", "身份证号", "指标代码", "数值", "发生日期", "镇（园区）", "村（社区）", "备注"]


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = HEADER,
    title: str | None = None,
    id_as_text: bool = True,
) -> bytes:
    """An xlsx like a department's: optional merged title row above the header."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "预警信息"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
        if id_as_text:
            sheet.cell(row=sheet.max_row, column=2).number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_bytes(rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER) -> bytes:
    """An OpenDocument spreadsheet as LibreOffice Calc writes it (a zip of XML, mimetype first).

    Debian's LibreOffice is not installed on the build machine, so the file is built by hand
    with the same structure, generator line and cell value types Calc uses.
    """

    def cell(value: Any) -> str:
        if value is None or value == "":
            return "<table:table-cell/>"
        if isinstance(value, float | int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}" '
                f'calcext:value-type="float"><text:p>{value}</text:p></table:table-cell>'
            )
        if hasattr(value, "isoformat"):
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}" '
                f'calcext:value-type="date"><text:p>{value.isoformat()}</text:p></table:table-cell>'
            )
        return (
            '<table:table-cell office:value-type="string" calcext:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
        for row in [list(header), *rows]
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        'office:version="1.3"><office:body><office:spreadsheet>'
        f'<table:table table:name="预警信息">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3">'
        "<office:meta><meta:generator>LibreOffice/7.4.7.2$Linux_X86_64 "
        "LibreOffice_project/40$Build-2</meta:generator></office:meta></office:document-meta>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("meta.xml", meta, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(HEADER)] + [
        ",".join("" if v is None else str(v) for v in row) for row in rows
    ]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def id_number_ending_in_x() -> str:
    """A valid number whose check digit is X, to type in lower case as people do."""
    while not (number := new_id_number()).endswith("X"):
        pass
    return number


def person(village, *, name: str | None = None, id_number: str | None = None, household=None):
    """A registered member (head of a new household unless one is given)."""
    if household is None:
        household = HouseholdFactory(village=village, head_name=name or "李四")
        relation = "head"
    else:
        relation = "spouse"
    return MemberFactory(
        household=household,
        name=name or household.head_name,
        id_number=id_number or new_id_number(),
        relation=relation,
    )


def upload_rows(
    actor, rows, *, period="2026-05", name="data.xlsx", data=None, uploaded_at=None
) -> Upload:
    """Store a file through the service and ingest it in this process; ``uploaded_at`` says
    when it arrived (a file that arrives on or after its month's push day is pushed at once).
    Without it, the May files of these tests arrive on 3 June, before that month's push day."""
    file = SimpleUploadedFile(name, data if data is not None else xlsx_bytes(rows))
    created = services.upload_create(actor=actor, period=period, file=file)
    if uploaded_at is None and period == "2026-05":
        uploaded_at = datetime.datetime(2026, 6, 3, 9, tzinfo=datetime.UTC)
    if uploaded_at is not None:
        Upload.objects.filter(pk=created.pk).update(uploaded_at=uploaded_at)
    return services.upload_ingest(upload_id=created.pk)


def make_warning(village, *, state="pushed", code="YB01", period="2026-05", member=None, **fields):
    """A warning already in ``state`` (the services move it on from there)."""
    from django.utils import timezone

    from early_warnings.models import Warning, WarningIndicator

    member = member or person(village)
    indicator = WarningIndicator.objects.get(code=code)
    pushed_at = timezone.now() if state != "received" else None
    fields = {
        "value": indicator.threshold,
        "severe": indicator.severe,
        "pushed_at": pushed_at,
        **fields,
    }
    return Warning.objects.create(
        indicator=indicator,
        department=indicator.department,
        period=period,
        member=member,
        household=member.household,
        town=member.household.village.town,
        village=member.household.village,
        occurred_on=datetime.date(2026, 5, 20),
        state=state,
        **fields,
    )
