"""Spreadsheets of identification (STYLE.md rule 8).

Reading: a department's comparison data set (xlsx, xls or csv, read with
python-calamine), validated row by row into a list of row errors before
anything is written. Writing: the publicity lists and the county
announcement as xlsx, with personal data masked and every cell that a
spreadsheet would run as a formula neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from python_calamine import CalamineWorkbook

from households.id_numbers import normalize_id_number

ID_HEADERS = {"身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"}
NAME_HEADERS = {"姓名", "名字"}
DETAIL_HEADERS = {"比对内容", "内容", "说明", "详情", "备注"}
SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods", ".csv"}
MAX_ROWS = 500_000
MAX_BYTES = 50 * 1024 * 1024  # a department's whole register fits; a mistaken dump does not


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class DatasetRow:
    row_number: int
    id_number: str
    name: str
    detail: str


class FileProblem(ValidationError):
    """The file as a whole cannot be read; nothing is written."""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _table(content: bytes, file_name: str) -> list[list[object]]:
    if len(content) > MAX_BYTES:
        raise FileProblem(f"文件超过{MAX_BYTES // 1024 // 1024}MB，请分批上传")
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileProblem("请上传 xlsx、xls 或 csv 格式的文件")
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FileProblem("无法识别CSV文件的编码，请另存为UTF-8编码")
        return [list(row) for row in csv.reader(io.StringIO(text))]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own types for damaged or encrypted files
        raise FileProblem(
            f"无法读取该表格文件（{type(error).__name__}），请确认文件未加密、未损坏"
        ) from None


def read_dataset(path: Path, file_name: str) -> tuple[list[DatasetRow], list[RowError]]:
    """Every row checked before anything is written: the rows, and the errors (row, column, value, reason).

    ``path`` is the stored file (read by a worker); ``file_name`` the name it was uploaded under.
    """
    content = Path(path).read_bytes()
    table = [row for row in _table(content, file_name) if any(_cell_text(c) for c in row)]
    if not table:
        raise FileProblem("文件中没有数据")
    if len(table) > MAX_ROWS:
        raise FileProblem(f"文件超过{MAX_ROWS}行，请分批上传")
    headers = [_cell_text(h) for h in table[0]]
    id_col = next((i for i, h in enumerate(headers) if h in ID_HEADERS), None)
    if id_col is None:
        raise FileProblem("表头缺少“身份证号”列")
    name_col = next((i for i, h in enumerate(headers) if h in NAME_HEADERS), None)
    detail_col = next((i for i, h in enumerate(headers) if h in DETAIL_HEADERS), None)
    rows: list[DatasetRow] = []
    errors: list[RowError] = []
    seen: set[tuple[str, str]] = set()
    for offset, raw in enumerate(table[1:], start=2):
        cells = list(raw) + [None] * (len(headers) - len(raw))
        try:
            # The raw cell, not its text: a float means Excel already dropped digits.
            id_number = normalize_id_number(cells[id_col])
        except ValidationError as error:
            errors.append(
                RowError(offset, headers[id_col], _cell_text(cells[id_col]), error.messages[0])
            )
            continue
        if detail_col is not None:
            detail = _cell_text(cells[detail_col])
        else:
            skip = {id_col, name_col}
            detail = "；".join(
                f"{headers[i]}：{_cell_text(c)}"
                for i, c in enumerate(cells[: len(headers)])
                if i not in skip and _cell_text(c)
            )
        name = _cell_text(cells[name_col]) if name_col is not None else ""
        key = (id_number, detail)
        if key in seen:
            continue  # the same line twice in one file is one record
        seen.add(key)
        rows.append(DatasetRow(offset, id_number, name[:50], detail[:300]))
    return rows, errors


# --- writing -------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell that starts like a formula is written as text with a leading apostrophe (DESIGN.md §5)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
