"""Spreadsheets of identification: 三(七)4 data sets in, 三(七)5–7 notices out.

Reading: a department's comparison data set (三(七)4), read by the project's one reader
(``suixi_monitor.spreadsheets``) from every sheet that carries an ID number column, and
validated row by row into a list of row errors before anything is written. Writing: the
publicity lists and the county announcement as xlsx, with personal data masked and every
cell that a spreadsheet would run as a formula neutralised.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from households.id_numbers import normalize_id_number
from suixi_monitor.spreadsheets import (
    Column,
    FileRejected,
    RowError,
    display,
    find_tables,
    name_error,
    neutralise,
    normalize_name,
    read_sheets,
    text,
)

__all__ = ["DatasetFile", "DatasetRow", "FileRejected", "RowError", "neutralise", "read_dataset"]

NAME_MAX_LENGTH = 50
COLUMNS = (
    Column(
        "id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证")
    ),
    Column("name", "姓名", ("姓名", "名字")),
    Column("detail", "比对内容", ("比对内容", "内容", "说明", "详情", "备注")),
)


@dataclass(frozen=True)
class DatasetRow:
    row_number: int
    id_number: str
    name: str
    detail: str
    sheet: str = ""
    cells: tuple = ()


@dataclass
class DatasetFile:
    rows: list[DatasetRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sheets without an ID number column
    header: list[str] = field(default_factory=list)  # the first table's, for the error report
    counted: int = 0  # rows with anything in them
    repeated: int = 0  # rows that repeat an earlier row (ID number and content): one record

    @property
    def error_rows(self) -> int:
        return len({(error.sheet, error.row) for error in self.errors})


def read_dataset(path: str | Path, file_name: str) -> DatasetFile:
    """Every row of every sheet checked before anything is written; ``FileRejected`` when the
    file as a whole cannot be read."""
    found = find_tables(read_sheets(path, original_name=file_name), COLUMNS, ["id_number"])
    result = DatasetFile(skipped=found.skipped, header=[text(h) for h in found.tables[0].header])
    seen: set[tuple[str, str]] = set()
    for table in found.tables:
        headers = [text(h) for h in table.header]
        id_col = table.columns["id_number"]
        name_col = table.columns.get("name")
        detail_col = table.columns.get("detail")
        for number, raw in table.rows:
            cells = list(raw) + [None] * (len(headers) - len(raw))
            if not any(text(cell) for cell in cells):
                continue
            result.counted += 1
            failed: list[tuple[int, str]] = []
            id_number = ""
            try:
                # The raw cell, not its text: a float means Excel already dropped digits.
                id_number = normalize_id_number(cells[id_col])
            except ValidationError as error:
                failed.append((id_col, error.messages[0]))
            name = ""
            if name_col is not None and text(cells[name_col]):
                name = normalize_name(cells[name_col])
                if reason := name_error(cells[name_col], name, max_length=NAME_MAX_LENGTH):
                    failed.append((name_col, reason))
            if failed:
                result.errors.extend(
                    RowError(
                        number,
                        headers[col] if col < len(headers) else "",
                        display(cells[col]),
                        reason,
                        sheet=table.sheet,
                        cells=cells,
                    )
                    for col, reason in failed
                )
                continue
            if detail_col is not None:
                detail = text(cells[detail_col])
            else:
                skip = {id_col, name_col}
                detail = "；".join(
                    f"{headers[i]}：{text(c)}"
                    for i, c in enumerate(cells[: len(headers)])
                    if i not in skip and text(c)
                )
            key = (id_number, detail)
            if key in seen:
                result.repeated += 1  # the same line twice in one file is one record
                continue
            seen.add(key)
            result.rows.append(
                DatasetRow(number, id_number, name, detail[:300], table.sheet, tuple(cells))
            )
    return result


# --- writing -------------------------------------------------------------------------


def notice_workbook(
    *,
    title: str,
    subtitle: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    footer: Sequence[str] = (),
) -> bytes:
    """One sheet, a title over the table, as an official notice is laid out on paper."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "公示名单"
    width = len(headers)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append([neutralise(title)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1).font = Font(name="方正小标宋简体", size=18, bold=True)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.append([neutralise(subtitle)])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.append(list(headers))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.border = border
    for row in rows:
        sheet.append([neutralise(value) for value in row])
        for cell in sheet[sheet.max_row]:
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for line in footer:
        sheet.append([neutralise(line)])
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(3, index).column_letter
        sheet.column_dimensions[letter].width = 40 if header in {"认定理由", "困难情况"} else 14
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
