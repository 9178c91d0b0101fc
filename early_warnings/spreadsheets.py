"""Department spreadsheets: the template and the reader (STYLE.md rule 8); the error report
is the project's (``suixi_monitor.downloads``).

Reading is in two layers. ``read_table`` turns a file into rows of cells or
refuses the whole file (``FileRejected``) before anything is written: not a
spreadsheet, password-protected, empty, wrong headers, too big, a zip bomb.
``parse_rows`` then normalises every row and collects every row error; the
registry checks that need the database live in ``services.upload_ingest``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import python_calamine
from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from households.id_numbers import normalize_id_number

from .models import Clue, Warning, WarningIndicator, period_end, period_label, period_start

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
HEADER_SCAN_ROWS = 10
EXAMPLE_NOTE = "示例行，填报时请删除"
# What the tables hold: a longer name or a larger amount is the row's error, not the database's.
NAME_MAX_LENGTH = Clue._meta.get_field("name").max_length
VALUE_LIMIT = Decimal(10) ** (
    Warning._meta.get_field("value").max_digits - Warning._meta.get_field("value").decimal_places
)


class FileRejected(Exception):
    """The whole file is refused; the message is for the department, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...]
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("姓名", "人员姓名", "户员姓名", "成员姓名"), "与身份证一致的姓名"),
    Column(
        "id_number",
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"),
        "18位身份证号，本列已设为文本格式，请勿改为数字",
    ),
    Column(
        "indicator",
        "指标代码",
        ("指标代码", "预警指标代码", "指标编码", "预警指标"),
        "从下拉列表选择本部门指标代码",
    ),
    Column("value", "数值", ("数值", "指标值", "指标数值", "金额"), "按阈值预警的指标必填，填数字"),
    Column(
        "occurred_on", "发生日期", ("发生日期", "日期", "业务日期"), "须在所报月份内，如 2026-05-20"
    ),
    Column(
        "town",
        "镇（园区）",
        ("镇", "乡镇", "镇园区", "所在镇", "所在镇园区"),
        "选填；未在台账中的人员按此转镇核实",
    ),
    Column("village", "村（社区）", ("村", "村社区", "所在村", "行政村"), "选填"),
    Column("note", "备注", ("备注", "说明", "情况说明"), "选填"),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ParsedRow:
    row: int
    name: str
    id_number: str
    indicator: WarningIndicator
    value: Decimal | None
    occurred_on: datetime.date | None
    town: str = ""
    village: str = ""
    note: str = ""


@dataclass
class Table:
    header_row: int  # 1-based spreadsheet row of the header
    columns: dict[str, int]  # key -> 0-based column index
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (1-based row, cells)


# --- file level -----------------------------------------------------------------------------


def read_table(
    path: str | Path,
    *,
    original_name: str,
    max_bytes: int,
    max_unpacked_bytes: int,
    required: Sequence[str],
) -> Table:
    """The data rows of the file's first sheet that carries the headers, or ``FileRejected``."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRejected(f"文件超过大小上限（{max_bytes // (1024 * 1024)} MB）")
    if size == 0:
        raise FileRejected("文件是空的")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        _check_zip(path, max_unpacked_bytes)
        sheets = _calamine_sheets(path)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        if _is_encrypted_ooxml(path):
            raise FileRejected("文件设置了打开密码，请取消密码后重新上传")
        sheets = _calamine_sheets(path)
    elif Path(original_name).suffix.lower() in {".csv", ".txt"}:
        sheets = [_csv_rows(path)]
    else:
        raise FileRejected("不是电子表格文件，请上传 xlsx、xls、ods 或 csv 文件")
    return _find_table(sheets, required)


def _check_zip(path: Path, max_unpacked_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if len(infos) > 10_000 or sum(info.file_size for info in infos) > max_unpacked_bytes:
                raise FileRejected("文件解压后过大，疑似压缩炸弹，已拒绝")
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument.spreadsheet" not in mimetype:
                    raise FileRejected("不是电子表格文件，请上传 xlsx、xls、ods 或 csv 文件")
                manifest = (
                    archive.read("META-INF/manifest.xml")
                    if "META-INF/manifest.xml" in names
                    else b""
                )
                if b"encryption-data" in manifest:
                    raise FileRejected("文件设置了打开密码，请取消密码后重新上传")
            elif "xl/workbook.xml" not in names:
                raise FileRejected("不是电子表格文件，请上传 xlsx、xls、ods 或 csv 文件")
    except zipfile.BadZipFile:
        raise FileRejected("文件已损坏，无法打开") from None


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted xlsx is an OLE2 container whose directory names an EncryptionInfo stream."""
    with path.open("rb") as handle:
        data = handle.read(2 * 1024 * 1024)
    return "EncryptionInfo".encode("utf-16-le") in data


def _calamine_sheets(path: Path) -> Iterator[list[list[Any]]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise FileRejected("文件设置了打开密码，请取消密码后重新上传") from None
    except Exception as error:  # calamine raises several unrelated types for broken files
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise FileRejected("文件设置了打开密码，请取消密码后重新上传") from None
        raise FileRejected("文件已损坏或不是电子表格，无法读取") from None
    return _iter_sheets(workbook)


def _iter_sheets(workbook: python_calamine.CalamineWorkbook) -> Iterator[list[list[Any]]]:
    for index in range(len(workbook.sheet_names)):
        try:
            # Keep the empty area at the top so row numbers match what the department sees.
            yield workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except python_calamine.PasswordError:
            raise FileRejected("文件设置了打开密码，请取消密码后重新上传") from None
        except Exception:
            raise FileRejected("文件已损坏或不是电子表格，无法读取") from None


def _csv_rows(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise FileRejected("不是电子表格文件，请上传 xlsx、xls、ods 或 csv 文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRejected("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


_PARENS = re.compile(r"\(.*?\)|\[.*?\]")
_NOISE = re.compile(r"[\s*＊:：]+")


def _header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", str(cell or ""))
    return _NOISE.sub("", _PARENS.sub("", text))


_ALIAS_TO_KEY = {alias: column.key for column in COLUMNS for alias in column.aliases}


def _map_header(cells: Sequence[Any]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _ALIAS_TO_KEY.get(_header_key(cell))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def _find_table(sheets: Iterable[list[list[Any]]], required: Sequence[str]) -> Table:
    best_missing: list[str] | None = None
    any_content = False
    for rows in sheets:
        if any(_filled(row) for row in rows):
            any_content = True
        else:
            continue
        for index in range(min(HEADER_SCAN_ROWS, len(rows))):
            mapping = _map_header(rows[index])
            data_start = index + 1
            if index + 1 < len(rows):
                # A two-level header (merged group cells above, labels below) fills the gaps.
                below = {
                    key: col
                    for key, col in _map_header(rows[index + 1]).items()
                    if key not in mapping
                }
                if below and len(below) >= len(mapping) - 1:
                    mapping.update(below)
                    data_start = index + 2
            if not mapping:
                continue
            missing = [key for key in required if key not in mapping]
            if not missing:
                table = Table(header_row=data_start, columns=mapping)
                table.rows = [(number + 1, rows[number]) for number in range(data_start, len(rows))]
                if not any(_filled(cells) for _, cells in table.rows):
                    raise FileRejected("文件中没有数据行")
                return table
            if best_missing is None or len(missing) < len(best_missing):
                best_missing = missing
    if not any_content:
        raise FileRejected("文件是空的")
    missing = best_missing if best_missing is not None else list(required)
    labels = "、".join(COLUMN_BY_KEY[key].label for key in missing)
    raise FileRejected(f"表头不正确，缺少以下列：{labels}（请使用本部门模板）")


def _filled(cells: Sequence[Any]) -> bool:
    # Per row of a 100,000-row file: avoid normalising every cell just to find blank lines.
    for cell in cells:
        if cell is None or cell == "":
            continue
        if not isinstance(cell, str) or cell.strip() or _text(cell):
            return True
    return False


# --- row level ------------------------------------------------------------------------------


def _text(cell: Any) -> str:
    if cell is None or cell == "":
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _display(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell) if not cell.is_integer() else f"{cell:.15g}"
    return str(cell)


_NAME_SPACES = re.compile(r"[\s\u3000\u200b\ufeff]+")


def normalize_name(cell: Any) -> str:
    """Chinese names carry no spaces: 张 三 , ‘张三　’ and 张三 are one name."""
    if cell is None or cell == "":
        return ""
    return _NAME_SPACES.sub("", unicodedata.normalize("NFKC", str(cell or "")))


_FEN = Decimal("0.01")


def parse_decimal(cell: Any) -> Decimal | None:
    """``None`` for an empty cell; raises ``ValueError`` for text that is not a number.
    Amounts are kept to the fen; one too large for that is returned as it is, for the caller
    to refuse against ``VALUE_LIMIT``."""
    if cell is None or isinstance(cell, bool):
        if isinstance(cell, bool):
            raise ValueError
        return None
    if isinstance(cell, int | float):
        number = Decimal(str(cell))
    else:
        text = _text(cell).replace(",", "").replace("元", "").replace(" ", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number.quantize(_FEN) if abs(number) < VALUE_LIMIT else number


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(cell: Any) -> datetime.date | None:
    """``None`` for an empty cell; raises ``ValueError`` when the text is no date."""
    if cell is None:
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 20000 <= cell <= 80000:  # an Excel serial day number in a cell not formatted as date
            return _EXCEL_EPOCH + datetime.timedelta(days=int(cell))
        cell = _text(cell)
    text = _text(cell).replace(" ", "")
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)  # ValueError for 2月30日
    raise ValueError


# Cell types whose judgement is remembered per value. Not bool: True == 1, and a cell holding
# True must not be answered with the number 1's judgement.
_CACHEABLE = frozenset({str, int, float, datetime.date, datetime.datetime, type(None)})


def parse_rows(
    table: Table, *, period: str, indicators: dict[str, WarningIndicator]
) -> tuple[list[ParsedRow], list[RowError], int]:
    """Every row normalised and checked on its own; returns (valid rows, errors, non-blank rows).

    Written for 100,000-row files: cells are read by position (an absent column reads the
    ``None`` appended to each row), and the columns whose values repeat (indicator code,
    amount, date) are judged once per distinct value.
    """
    valid: list[ParsedRow] = []
    errors: list[RowError] = []
    first, last = period_start(period), period_end(period)
    codes = "、".join(sorted(indicators)) or "（本部门尚无指标）"
    columns = table.columns
    at = {column.key: columns.get(column.key, -1) for column in COLUMNS}
    i_name, i_id, i_code, i_value, i_date, i_town, i_village, i_note = (
        at[key]
        for key in (
            "name",
            "id_number",
            "indicator",
            "value",
            "occurred_on",
            "town",
            "village",
            "note",
        )
    )
    width = max(columns.values()) + 1
    has_date = "occurred_on" in columns
    code_cache: dict[Any, tuple[str, WarningIndicator | None, str]] = {}
    value_cache: dict[Any, tuple[Decimal | None, str]] = {}
    date_cache: dict[Any, tuple[datetime.date | None, str]] = {}
    counted = 0

    def judge_code(raw: Any) -> tuple[str, WarningIndicator | None, str]:
        code = _text(raw).replace(" ", "").upper()
        indicator = indicators.get(code)
        if not code:
            return code, None, "指标代码不能为空"
        if indicator is None:
            return code, None, f"指标代码“{code}”不是本部门的启用指标（可用：{codes}）"
        return code, indicator, ""

    def judge_value(raw: Any) -> tuple[Decimal | None, str]:
        try:
            value = parse_decimal(raw)
        except ValueError:
            return None, "数值应为数字"
        if value is not None and abs(value) >= VALUE_LIMIT:
            return None, f"数值超出范围（应小于{VALUE_LIMIT:,.0f}）"
        return value, ""

    def judge_date(raw: Any) -> tuple[datetime.date | None, str]:
        try:
            day = parse_date(raw)
        except ValueError:
            return None, "日期无法识别，请填写如 2026-05-20 的日期"
        if day is None:
            return None, "发生日期不能为空" if has_date else ""
        if not first <= day <= last:
            return None, f"发生日期不在所报月份（{period_label(period)}）内"
        return day, ""

    def cached(cache: dict, judge, raw: Any):
        if raw.__class__ not in _CACHEABLE:
            return judge(raw)
        try:
            return cache[raw]
        except KeyError:
            return cache.setdefault(raw, judge(raw))

    for number, cells in table.rows:
        if not _filled(cells):
            continue  # blank lines between blocks are common and mean nothing
        cells = [*cells, *([None] * (width - len(cells))), None]  # index -1: an absent column
        note = _text(cells[i_note])
        if note.startswith(EXAMPLE_NOTE[:3]):
            continue  # the template's example row, left in by mistake, is not a person
        counted += 1
        failed: list[tuple[str, str]] = []

        name = normalize_name(cells[i_name])
        if not name:
            failed.append(("name", "姓名不能为空"))
        elif len(name) > NAME_MAX_LENGTH:
            failed.append(("name", f"姓名超过{NAME_MAX_LENGTH}个字"))
        id_number = ""
        try:
            id_number = normalize_id_number(cells[i_id])
        except ValidationError as error:
            failed.append(("id_number", error.messages[0]))
        _, indicator, code_error = cached(code_cache, judge_code, cells[i_code])
        if code_error:
            failed.append(("indicator", code_error))
        value, value_error = cached(value_cache, judge_value, cells[i_value])
        if value_error:
            failed.append(("value", value_error))
        elif value is None and indicator is not None and indicator.needs_value:
            failed.append(("value", f"指标“{indicator.name}”按数值预警，数值不能为空"))
        occurred_on, date_error = cached(date_cache, judge_date, cells[i_date])
        if date_error:
            failed.append(("occurred_on", date_error))
        if failed:
            errors.extend(
                RowError(number, COLUMN_BY_KEY[key].label, _display(cells[at[key]]), reason)
                for key, reason in failed
            )
            continue
        valid.append(
            ParsedRow(
                row=number,
                name=name,
                id_number=id_number,
                indicator=indicator,
                value=value,
                occurred_on=occurred_on,
                town=normalize_name(cells[i_town]),
                village=normalize_name(cells[i_village]),
                note=note[:300],
            )
        )
    return valid, errors, counted


# --- writers --------------------------------------------------------------------------------


def department_template(
    *, department, indicators: Sequence[WarningIndicator], example_id: str
) -> bytes:
    """The department's own template: Chinese headers, the ID column as text, a code drop-down."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "预警信息"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="B91C1C")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = 22 if column.key == "id_number" else 14
    # Text format on the ID column keeps Excel from turning 18 digits into 3.40621E+17.
    id_letter = sheet.cell(row=1, column=2).column_letter
    sheet.column_dimensions[id_letter].number_format = "@"
    for row in range(2, 1002):
        sheet.cell(row=row, column=2).number_format = "@"
    first = indicators[0] if indicators else None
    example = [
        "张三",
        example_id,
        first.code if first else "",
        float(first.threshold) if first and first.threshold is not None else None,
        (datetime.date.today().replace(day=1) - datetime.timedelta(days=12)).isoformat(),
        "",
        "",
        EXAMPLE_NOTE,
    ]
    for index, value in enumerate(example, start=1):
        sheet.cell(row=2, column=index, value=value)
    sheet.cell(row=2, column=2).number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("填报说明")
    guide.append([f"{department.name}防返贫预警信息填报说明"])
    guide["A1"].font = Font(bold=True, size=14)
    lines = [
        "1. 每月10日前上传上月预警信息（濉扶组〔2021〕6号 三(四)2），在系统中选择“数据月份”。",
        "2. 第一行为表头，请勿修改；从第二行起每行一人一项指标，示例行请删除。",
        "3. 身份证号须为18位，末位X大小写均可；本列已设为文本格式，请勿改为数字格式，否则后几位会丢失。",
        "4. 姓名须与身份证号一致，系统按身份证号与农户台账比对，姓名不一致的行将被退回。",
        "5. 发生日期须在所报月份内。台账以外的人员请尽量填写所在镇（园区）和村，以便转镇核实。",
        "6. 同一人同一指标同一月份重复上报不会重复生成预警；改正错误行后可再次上传。",
    ]
    for line in lines:
        guide.append([line])
    guide.append([])
    guide.append(["指标代码", "指标名称", "单位", "预警规则", "风险类型", "说明"])
    code_first_row = guide.max_row + 1
    for indicator in indicators:
        guide.append(
            [
                indicator.code,
                indicator.name,
                indicator.unit,
                indicator.rule_label + ("（严重）" if indicator.severe else ""),
                indicator.risk_type.name,
                indicator.description,
            ]
        )
    code_last_row = guide.max_row
    guide.append([])
    guide.append(["列名", "填写要求"])
    for column in COLUMNS:
        guide.append([column.label, column.help])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 40
    if indicators:
        validation = DataValidation(
            type="list",
            formula1=f"'填报说明'!$A${code_first_row}:$A${code_last_row}",
            allow_blank=False,
            showErrorMessage=True,
            errorTitle="指标代码",
            error="请从下拉列表选择本部门的指标代码",
        )
        sheet.add_data_validation(validation)
        validation.add("C2:C5000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
