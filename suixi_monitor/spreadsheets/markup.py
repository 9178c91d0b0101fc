"""The "xls" files that are really web pages or Excel 2003 XML.

Many government systems export a table as HTML, or as Excel 2003 XML (SpreadsheetML), and
name it ``.xls``; Excel and WPS open both. They are read here in pure Python, bounded by
the same rows × columns limit as every other sheet: a cell placed far away by ``colspan``
or ``ss:Index`` is refused before any row is built.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

HTML, XML = "html", "xml"
UNREADABLE = {
    HTML: "该文件实为网页格式，请用Excel/WPS打开后另存为xlsx",
    XML: "该文件实为XML格式，请用Excel/WPS打开后另存为xlsx",
}
_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""")


def kind(head: bytes) -> str | None:
    """``HTML``, ``XML`` or ``None`` from the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<?xml") and (b"urn:schemas-microsoft-com:office:spreadsheet" in text):
        return XML
    if text.startswith(b"mime-version:"):
        return HTML  # a "single file web page" (mht): refused with the web-page message
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")) or (
        text.startswith((b"<?xml", b"<!--")) and b"<html" in text
    ):
        return HTML
    return None


def read(path: Path, file_kind: str, max_cells: int) -> list[tuple[str, list[list[Any]]]]:
    from .reading import FileRejected, decode_text, native

    raw = path.read_bytes()
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:13].lower() == b"mime-version:":
        # A "single file web page" (mht): its table is inside a quoted-printable MIME part,
        # where a parser would read =D0=D5=C3=FB for 姓名 and report missing headers.
        raise FileRejected(UNREADABLE[HTML])
    try:
        if file_kind == XML:
            if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
                raise ValueError("declarations are not part of SpreadsheetML")
            sheets = list(_xml_sheets(raw, max_cells))
        else:
            text = _html_text(raw, decode_text)
            parser = _TableParser(max_cells)
            parser.feed(text)
            parser.close()
            sheets = [(f"表{n}" if len(parser.tables) > 1 else "", rows) for n, rows in
                      enumerate(parser.tables, start=1)]  # fmt: skip
    except _TooMany:
        raise FileRejected(native.too_many_cells(max_cells)) from None
    except _TooLarge:
        raise FileRejected(native.too_large(max_cells)) from None
    except (ValueError, ElementTree.ParseError, AssertionError):
        raise FileRejected(UNREADABLE[file_kind]) from None
    if not sheets:
        raise FileRejected(UNREADABLE[file_kind])
    return sheets


class _TooLarge(Exception):
    """One sheet past the cells limit."""


class _TooMany(_TooLarge):
    """The sheets together past the cells limit."""


def _html_text(raw: bytes, decode_text) -> str:
    match = _CHARSET.search(raw[:4096])
    if match:
        try:
            return raw.decode(match.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    text = decode_text(raw)
    if text is None:
        raise ValueError("unknown encoding")
    return text


class _TableParser(HTMLParser):
    """Each outermost ``<table>`` becomes a sheet; ``colspan``/``rowspan`` keep the columns
    where Excel would put them; a table inside a cell is read as that cell's text."""

    def __init__(self, max_cells: int):
        super().__init__(convert_charrefs=True)
        self.max_cells = max_cells
        self.tables: list[list[list[Any]]] = []
        self.depth = 0
        self.row: list[Any] | None = None
        self.cell: list[str] | None = None
        self.span = 1
        self.pending: dict[int, tuple[int, int]] = {}  # column -> (rows left, width) of rowspans
        self.next_pending: dict[int, tuple[int, int]] = {}
        self.width = 0
        self.earlier_cells = 0  # the tables already read: the limit is the file's

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                if self.tables:
                    self.earlier_cells += len(self.tables[-1]) * max(self.width, 1)
                self.tables.append([])
                self.pending, self.width = {}, 0
            return
        if self.depth != 1:
            if tag == "br" and self.cell is not None:
                self.cell.append("\n")
            return
        if tag == "tr":
            self._end_row()
            self.row = []
            self.next_pending = {}
            self._fill_spans()
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            values = dict(attrs)
            self.span = _span(values.get("colspan"))
            rowspan = _span(values.get("rowspan"))
            if rowspan > 1:
                self.next_pending[len(self.row)] = (rowspan - 1, self.span)
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self.depth == 1:
                self._end_row()
            self.depth = max(self.depth - 1, 0)
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def _fill_spans(self) -> None:
        while len(self.row) in self.pending:
            left, width = self.pending.pop(len(self.row))
            if left > 1:
                self.next_pending[len(self.row)] = (left - 1, width)
            self.row.extend([None] * width)

    def _end_cell(self) -> None:
        if self.cell is None:
            return
        text = re.sub(r"[ \t\r\n]+", " ", "".join(self.cell)).strip()
        self.row.append(text)
        self.row.extend([None] * (self.span - 1))
        self.cell, self.span = None, 1
        self._fill_spans()
        self._check()

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is not None and self.tables:
            self.tables[-1].append(self.row)
            self.pending.update(self.next_pending)
            self.next_pending = {}
            self._check(appended=True)
        self.row = None

    def _check(self, *, appended: bool = False) -> None:
        """The table's rows, counting the one being read unless it is already among them,
        times the widest row: past the limit, the file is refused."""
        table = self.tables[-1] if self.tables else []
        self.width = max(self.width, len(self.row or ()))
        rows = len(table) + (0 if appended else 1)
        cells = rows * max(self.width, 1)
        if cells > self.max_cells:
            raise _TooLarge
        if self.earlier_cells + cells > self.max_cells:
            raise _TooMany


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 16384)  # Excel's widest sheet
    except ValueError:
        return 1


def _xml_sheets(raw: bytes, max_cells: int) -> Iterator[tuple[str, list[list[Any]]]]:
    """SpreadsheetML: Worksheet › Table › Row › Cell › Data, with ``ss:Index`` skipping ahead."""
    root = ElementTree.fromstring(raw)
    earlier_cells = 0  # the worksheets already read: the limit is the file's
    for worksheet in root.iter(f"{_SS}Worksheet"):
        name = worksheet.get(f"{_SS}Name", "")
        cells: dict[int, dict[int, Any]] = {}
        row_at = 0
        for row in worksheet.iter(f"{_SS}Row"):
            row_at = int(row.get(f"{_SS}Index", row_at + 1))
            column = 0
            for cell in row.iter(f"{_SS}Cell"):
                column = int(cell.get(f"{_SS}Index", column + 1))
                if row_at < 1 or column < 1 or row_at * column > max_cells:
                    raise _TooLarge
                data = cell.find(f"{_SS}Data")
                if data is not None:
                    cells.setdefault(row_at, {})[column] = _xml_value(data)
                column += int(cell.get(f"{_SS}MergeAcross", 0) or 0)
        height = max(cells, default=0)
        width = max((max(row) for row in cells.values()), default=0)
        if height * width > max_cells:
            raise _TooLarge
        earlier_cells += height * width
        if earlier_cells > max_cells:
            raise _TooMany
        yield (
            name,
            [[cells.get(r, {}).get(c) for c in range(1, width + 1)] for r in range(1, height + 1)],
        )


def _xml_value(data: ElementTree.Element) -> Any:
    text = "".join(data.itertext())
    kind_ = data.get(f"{_SS}Type", "String")
    if kind_ == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind_ == "DateTime":
        try:
            moment = datetime.datetime.fromisoformat(text[:19])
        except ValueError:
            return text
        # Excel writes every date as a moment (2026-05-20T00:00:00.000); a date cell of an
        # xlsx comes out of the native reader as a date, and so does this one.
        return moment.date() if moment.time() == datetime.time() else moment
    if kind_ == "Boolean":
        return text.strip() == "1"
    return text
