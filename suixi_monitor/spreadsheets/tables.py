"""Finding the tables in a file's sheets, and the row errors found in them.

Every sheet whose header row carries the required columns is read; a sheet with content but
no such header is named back to the user as skipped, so a department sees that its second
sheet was not read. Positions name the sheet when the file has more than one (``农村!12``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from .cells import display, filled
from .reading import FileRejected, Sheet

HEADER_SCAN_ROWS = 10


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...]
    help: str = ""


@dataclass
class Table:
    sheet: str  # the name shown in positions; "" when the file has one sheet
    header_row: int  # 1-based spreadsheet row of the (last) header row
    columns: dict[str, int]  # key -> 0-based column index
    header: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (1-based row, cells)


def position(sheet: str, row: int) -> str:
    return f"{sheet}!{row}" if sheet else str(row)


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str
    sheet: str = ""
    cells: Sequence[Any] = ()  # the row as the file has it, for the error report

    @property
    def position(self) -> str:
        return position(self.sheet, self.row)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "position": self.position,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "cells": [display(cell) for cell in self.cells],
        }


_PARENS = re.compile(r"\(.*?\)|\[.*?\]")
_NOISE = re.compile(r"[\s*＊:：]+")


def header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", str(cell or ""))
    return _NOISE.sub("", _PARENS.sub("", text))


@dataclass
class Found:
    tables: list[Table]
    skipped: list[str]  # sheets with content but without the headers


def find_tables(
    sheets: Sequence[Sheet],
    columns: Sequence[Column],
    required: Sequence[str],
    *,
    hint: str = "",
    ignore: Sequence[str] = (),
) -> Found:
    """The tables of every sheet that carries the required headers, or ``FileRejected``
    naming the columns that are missing. Sheets named in ``ignore`` (a template's own guide
    sheet) are neither read nor reported as skipped."""
    aliases = {alias: column.key for column in columns for alias in column.aliases}
    labels = {column.key: column.label for column in columns}
    used = [
        (number, sheet)
        for number, sheet in enumerate(sheets, start=1)
        if sheet.name not in ignore and any(filled(row) for row in sheet.rows)
    ]
    named = len(used) > 1
    found = Found([], [])
    best_missing: list[str] | None = None
    for number, sheet in used:
        name = (sheet.name or f"第{number}个工作表") if named else ""
        table, missing = _table(sheet.rows, aliases, required, name)
        if table is not None:
            found.tables.append(table)
            continue
        found.skipped.append(sheet.name or f"第{number}个工作表")
        if missing is not None and (best_missing is None or len(missing) < len(best_missing)):
            best_missing = missing
    if not found.tables:
        if not found.skipped:
            raise FileRejected("文件是空的")
        missing = best_missing if best_missing is not None else list(required)
        text = "、".join(labels[key] for key in missing)
        raise FileRejected(f"表头不正确，缺少以下列：{text}{hint}")
    if not any(filled(cells) for table in found.tables for _, cells in table.rows):
        raise FileRejected("文件中没有数据行")
    return found


def _map_header(cells: Sequence[Any], aliases: dict[str, str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = aliases.get(header_key(cell))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def _table(
    rows: list[list[Any]], aliases: dict[str, str], required: Sequence[str], name: str
) -> tuple[Table | None, list[str] | None]:
    best_missing: list[str] | None = None
    for index in range(min(HEADER_SCAN_ROWS, len(rows))):
        mapping = _map_header(rows[index], aliases)
        data_start = index + 1
        header = list(rows[index])
        if index + 1 < len(rows):
            # A two-level header (merged group cells above, labels below) fills the gaps.
            below = {
                key: col
                for key, col in _map_header(rows[index + 1], aliases).items()
                if key not in mapping
            }
            if below and len(below) >= len(mapping) - 1:
                mapping.update(below)
                data_start = index + 2
                header = [
                    low if low not in (None, "") else high
                    for high, low in zip_longest(rows[index], rows[index + 1])
                ]
        if not mapping:
            continue
        missing = [key for key in required if key not in mapping]
        if not missing:
            table = Table(sheet=name, header_row=data_start, columns=mapping, header=header)
            table.rows = [(number + 1, rows[number]) for number in range(data_start, len(rows))]
            return table, None
        if best_missing is None or len(missing) < len(best_missing):
            best_missing = missing
    return None, best_missing
