"""Files as offices make them, for the reader's tests and both upload paths' tests.

Each builder writes what the named program writes, byte for byte where it matters to the
reader: Excel's "Unicode text", its keep-as-text CSV cells, its 2003 XML and its cells typed
with a leading apostrophe; the web pages that county systems export and name ``.xls``.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from stdnum.cn import ric

from households.id_numbers import make_id_number
from households.tests.factories import new_id_number

Rows = Sequence[Sequence[Any]]


def workbook(sheets: Mapping[str, Rows], *, far_cell: str | None = None) -> bytes:
    """An xlsx with one sheet per entry, as Excel saves it. Text that starts like a formula
    (``=1+1``) is stored as text with the quote prefix, as Excel keeps it when typed after an
    apostrophe; ``far_cell`` puts one more value far away on the first sheet (a stray key
    press at the bottom right, or a colour filled down to the last row)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if value == "" else value for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                elif isinstance(cell.value, str):
                    cell.number_format = "@"
    if far_cell:
        book.worksheets[0][far_cell] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(rows: Rows, *, encoding: str = "utf-8-sig", keep_as_text: Sequence[int] = ()) -> bytes:
    """A CSV as Excel or WPS saves it: CRLF lines, quotes only where a cell needs them; the
    columns in ``keep_as_text`` written as ``="…"``, the form Excel and many county systems
    use so that a long number stays text when the file is opened again."""

    def cell(index: int, value: Any) -> str:
        value = "" if value is None else str(value)
        if index in keep_as_text and value:
            return f'="{value}"'
        if any(char in value for char in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [",".join(cell(i, value) for i, value in enumerate(row)) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def unicode_text(rows: Rows) -> bytes:
    """Excel's "Unicode text (*.txt)": UTF-16 little-endian with its mark, tab-separated."""
    lines = ["\t".join("" if value is None else str(value) for value in row) for row in rows]
    return "\ufeff".encode("utf-16-le") + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def spreadsheetml(sheets: Mapping[str, Rows], *, declaration: str = "") -> bytes:
    """Excel 2003 XML ("XML Spreadsheet 2003"), as county systems export it under ``.xls``:
    empty cells are left out and the next cell says where it is with ``ss:Index``."""

    def cell(index: int | None, value: Any) -> str:
        at = f' ss:Index="{index}"' if index else ""
        if isinstance(value, bool):
            kind, text = "Boolean", "1" if value else "0"
        elif isinstance(value, int | float):
            kind, text = "Number", repr(value)
        elif isinstance(value, datetime.date):
            day = datetime.datetime.combine(value, datetime.time()) if not isinstance(
                value, datetime.datetime) else value  # fmt: skip
            kind, text = "DateTime", day.strftime("%Y-%m-%dT%H:%M:%S.000")
        else:
            kind, text = "String", escape(str(value))
        style = ' ss:StyleID="s21"' if kind == "DateTime" else ""
        return f'<Cell{at}{style}><Data ss:Type="{kind}">{text}</Data></Cell>'

    def row(values: Sequence[Any]) -> str:
        cells, expected = [], 1
        for column, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cells.append(cell(column if column != expected else None, value))
            expected = column + 1
        return "<Row>" + "".join(cells) + "</Row>"

    worksheets = "".join(
        f'<Worksheet ss:Name="{escape(name)}"><Table ss:ExpandedColumnCount='
        f'"{max((len(r) for r in rows), default=0)}" ss:ExpandedRowCount="{len(rows)}" '
        f'x:FullColumns="1" x:FullRows="1">' + "".join(row(r) for r in rows) + "</Table>"
        '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><ProtectObjects>'
        "False</ProtectObjects></WorksheetOptions></Worksheet>"
        for name, rows in sheets.items()
    )
    return (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        + declaration
        + '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"\n'
        ' xmlns:o="urn:schemas-microsoft-com:office:office"\n'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel"\n'
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"\n'
        ' xmlns:html="http://www.w3.org/TR/REC-html40">\n'
        '<DocumentProperties xmlns="urn:schemas-microsoft-com:office:office">'
        "<Author>county system</Author><Version>12.00</Version></DocumentProperties>"
        '<Styles><Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/>'
        '</Style><Style ss:ID="s21"><NumberFormat ss:Format="yyyy/m/d"/></Style></Styles>\n'
        + worksheets
        + "</Workbook>\n"
    ).encode("utf-8")


def web_page_xls(table: str, *, encoding: str = "gbk") -> bytes:
    """An "xls" that is a web page, as report systems export one: a ``<meta>`` naming the
    Chinese Windows encoding, the table as written by hand (spans and all)."""
    return (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">\n'
        "<style>td { mso-number-format:\\@; }</style>\n</head>\n<body>\n"
        f"{table}\n</body>\n</html>\n"
    ).encode(encoding)


def cut_by_excel(born: datetime.date) -> tuple[str, str]:
    """A real ID number and what Excel leaves of it as a number (the first 15 digits and
    000), here one of the one in eleven that still pass the checksum."""
    for day in range(366):
        for sequence in range(1000):
            real = make_id_number(
                region="340621", born=born + datetime.timedelta(days=day), sequence=sequence
            )
            if not real.endswith("000") and ric.is_valid(cut := real[:15] + "000"):
                return real, cut
    raise AssertionError("no such number")


def ending_in_000(born: datetime.date) -> str:
    """A real ID number that ends in 000 as it is: order code x00 and check digit 0."""
    for day in range(366):
        for sequence in range(0, 1000, 100):
            number = make_id_number(
                region="340621", born=born + datetime.timedelta(days=day), sequence=sequence
            )
            if number.endswith("000"):
                return number
    raise AssertionError("no such number")


def numeric_id_number() -> str:
    """A fresh valid ID number whose check digit is a digit, not X: one Excel can hold as a
    number (a number ending in X is text in every spreadsheet)."""
    while (number := new_id_number()).endswith("X"):
        pass
    return number
