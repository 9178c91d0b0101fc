"""Department spreadsheets: the template and the rows of a monthly file (三(四)2).

The file itself is read by the project's one reader (``suixi_monitor.spreadsheets``), which
refuses a whole file before anything is written. ``read_tables`` finds every sheet that
carries the template's headers; ``parse_rows`` normalises every row and collects every
error of every row; the registry checks that need the database live in
``services.upload_ingest``.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from households.id_numbers import make_id_number, normalize_id_number
from suixi_monitor.spreadsheets import (
    Column,
    FileRejected,
    Found,
    RowError,
    display,
    filled,
    find_tables,
    name_error,
    neutralise,
    normalize_name,
    parse_date,
    read_sheets,
)
from suixi_monitor.spreadsheets import parse_decimal as _parse_decimal
from suixi_monitor.spreadsheets import text as _text

from .models import Clue, Warning, WarningIndicator, period_end, period_label, period_start

__all__ = [
    "COLUMNS",
    "DepartmentFile",
    "FileRejected",
    "ParsedRow",
    "RowError",
    "department_template",
    "neutralise",
    "normalize_name",
    "parse_rows",
    "read_tables",
]

EXAMPLE_NOTE = "示例行，填报时请删除"
# The example row's ID number: valid, so the template opens without a red mark, and known,
# so that row is never taken for a person.
EXAMPLE_ID = make_id_number(region="340621", born=datetime.date(1975, 3, 8), sequence=123)
GUIDE_SHEET = "填报说明"  # the template's second sheet: codes and rules, never data
ONLY_EXAMPLE = "文件中只有示例行，没有数据"
# What the tables hold: a longer name or a larger amount is the row's error, not the database's.
NAME_MAX_LENGTH = Clue._meta.get_field("name").max_length
VALUE_LIMIT = Decimal(10) ** (
    Warning._meta.get_field("value").max_digits - Warning._meta.get_field("value").decimal_places
)

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
HEADER = [column.label for column in COLUMNS]


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
    sheet: str = ""
    line: int = 0  # the row's place among the file's rows: unique across sheets
    cells: Sequence[Any] = ()  # the row as read, and where each template column is in it
    order: Sequence[int] = ()

    def error(self, column: str, value: str, reason: str) -> RowError:
        """An error found later (in the registry): the report still shows the row's cells."""
        cells = [self.cells[index] for index in self.order]
        return RowError(self.row, column, value, reason, sheet=self.sheet, cells=cells)


@dataclass
class DepartmentFile(Found):
    """The tables found, and whether the file is 民政's roster (its rows carry roster
    indicators) rather than a file of warnings."""

    roster: bool = False


HINT = "（请使用本部门模板）"
# A roster lists who holds a status this month: no amount, no date of an event.
ROSTER_REQUIRED = ("name", "id_number", "indicator")
MSG_MIXED = (
    "同一文件不能同时报送民政名册指标（{roster}）和预警指标（{other}）："
    "名册按月设置低保、特困等身份，预警指标生成预警，请分开上传"
)


def read_tables(
    path: str | Path,
    *,
    original_name: str,
    required: Sequence[str],
    indicators: Mapping[str, WarningIndicator] | None = None,
) -> DepartmentFile:
    """Every sheet of the file that carries the template's headers, or ``FileRejected``.

    When the department has roster indicators (``indicators``) and the file's rows name any
    of them, the file is a roster and needs only the roster's columns; a file that names
    roster and warning indicators together is refused whole."""
    sheets = read_sheets(path, original_name=original_name)
    roster_codes = {code for code, ind in (indicators or {}).items() if ind.is_roster}
    if roster_codes:
        try:
            found = find_tables(sheets, COLUMNS, ROSTER_REQUIRED, hint=HINT, ignore=[GUIDE_SHEET])
        except FileRejected:
            found = None  # the full check below names what is missing
        codes = _codes(found) if found is not None else set()
        if codes & roster_codes:
            others = sorted((codes - roster_codes) & set(indicators or {}))
            if others:
                raise FileRejected(
                    MSG_MIXED.format(
                        roster="、".join(sorted(codes & roster_codes)), other="、".join(others)
                    )
                )
            return DepartmentFile(tables=found.tables, skipped=found.skipped, roster=True)
    found = find_tables(sheets, COLUMNS, required, hint=HINT, ignore=[GUIDE_SHEET])
    return DepartmentFile(tables=found.tables, skipped=found.skipped)


def _codes(found: Found) -> set[str]:
    """The indicator codes the file's rows name, cleaned as ``parse_rows`` cleans them."""
    codes: set[str] = set()
    for table in found.tables:
        at = table.columns["indicator"]
        codes.update(
            _text(cells[at]).replace(" ", "").upper()
            for _, cells in table.rows
            if at < len(cells) and cells[at] not in (None, "")
        )
    return codes


def parse_decimal(cell: Any) -> Decimal | None:
    return _parse_decimal(cell, limit=VALUE_LIMIT)


# Cell types whose judgement is remembered per value. Not bool: True == 1, and a cell holding
# True must not be answered with the number 1's judgement.
_CACHEABLE = frozenset({str, int, float, datetime.date, datetime.datetime, type(None)})


def parse_rows(
    found: Found, *, period: str, indicators: dict[str, WarningIndicator]
) -> tuple[list[ParsedRow], list[RowError], int]:
    """Every row of every table normalised and checked on its own; returns (valid rows, every
    error of every row, non-blank rows). A file with nothing but the template's example row
    is refused like one with headers only.

    Written for 100,000-row files: cells are read by position (an absent column reads the
    ``None`` appended to each row), and the columns whose values repeat (indicator code,
    amount, date) are judged once per distinct value.
    """
    valid: list[ParsedRow] = []
    errors: list[RowError] = []
    first, last = period_start(period), period_end(period)
    codes = "、".join(sorted(indicators)) or "（本部门尚无指标）"
    code_cache: dict[Any, tuple[str, WarningIndicator | None, str]] = {}
    value_cache: dict[Any, tuple[Decimal | None, str]] = {}
    counted = examples = 0

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

    def cached(cache: dict, judge, raw: Any):
        if raw.__class__ not in _CACHEABLE:
            return judge(raw)
        try:
            return cache[raw]
        except KeyError:
            return cache.setdefault(raw, judge(raw))

    for table in found.tables:
        columns = table.columns
        has_date = "occurred_on" in columns
        date_cache: dict[Any, tuple[datetime.date | None, str]] = {}  # "empty" is per table

        def judge_date(raw: Any, has_date: bool = has_date) -> tuple[datetime.date | None, str]:
            try:
                day = parse_date(raw)
            except ValueError:
                return None, "日期无法识别，请填写如 2026-05-20 的日期"
            if day is None:
                return None, "发生日期不能为空" if has_date else ""
            if not first <= day <= last:
                return None, f"发生日期不在所报月份（{period_label(period)}）内"
            return day, ""

        at = [columns.get(column.key, -1) for column in COLUMNS]
        i_name, i_id, i_code, i_value, i_date, i_town, i_village, i_note = at
        width = max(columns.values()) + 1
        for number, cells in table.rows:
            if not filled(cells):
                continue  # blank lines between blocks are common and mean nothing
            cells = [*cells, *([None] * (width - len(cells))), None]  # index -1: absent column
            note = _text(cells[i_note])
            if note.startswith(EXAMPLE_NOTE[:3]) and _text(cells[i_id]) == EXAMPLE_ID:
                # The template's example row, left in by mistake, is not a person. A row
                # typed over it that kept its note is: it is read like any other.
                examples += 1
                continue
            counted += 1
            failed: list[tuple[str, str]] = []
            raw_name = cells[i_name]
            name = normalize_name(raw_name)
            if reason := name_error(raw_name, name, max_length=NAME_MAX_LENGTH):
                failed.append(("name", reason))
            id_number = ""
            try:
                id_number = normalize_id_number(cells[i_id])
            except ValidationError as error:
                failed.append(("id_number", error.messages[0]))
            _, indicator, code_error = cached(code_cache, judge_code, cells[i_code])
            if code_error:
                failed.append(("indicator", code_error))
            if indicator is not None and indicator.is_roster:
                # A roster row says who holds a status this month: no amount, no event date.
                value, occurred_on = None, None
            else:
                value, value_error = cached(value_cache, judge_value, cells[i_value])
                if value_error:
                    failed.append(("value", value_error))
                elif value is None and indicator is not None and indicator.needs_value:
                    failed.append(("value", f"指标“{indicator.name}”按数值预警，数值不能为空"))
                occurred_on, date_error = cached(date_cache, judge_date, cells[i_date])
                if date_error:
                    failed.append(("occurred_on", date_error))
            if failed:
                ordered = [cells[index] for index in at]
                errors.extend(
                    RowError(
                        number,
                        COLUMN_BY_KEY[key].label,
                        display(cells[columns.get(key, -1)]),
                        reason,
                        sheet=table.sheet,
                        cells=ordered,
                    )
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
                    sheet=table.sheet,
                    line=counted,
                    cells=cells,
                    order=at,
                )
            )
    if not counted and examples:
        raise FileRejected(ONLY_EXAMPLE)
    return valid, errors, counted


# --- writers --------------------------------------------------------------------------------


ROSTER_COLUMNS = tuple(c for c in COLUMNS if c.key not in {"value", "occurred_on"})
WARNING_GUIDE = (
    "1. 每月10日前上传上月预警信息（濉扶组〔2021〕6号 三(四)2），在系统中选择“数据月份”。",
    "2. 第一行为表头，请勿修改；从第二行起每行一人一项指标，示例行请删除。",
    "3. 身份证号须为18位，末位X大小写均可；本列已设为文本格式，请勿改为数字格式，否则后几位会丢失。",
    "4. 姓名须与身份证号一致，系统按身份证号与农户台账比对，姓名不一致的行将被退回。",
    "5. 发生日期须在所报月份内。台账以外的人员请尽量填写所在镇（园区）和村，以便转镇核实。",
    "6. 同一人同一指标同一月份重复上报不会重复生成预警；改正错误行后可再次上传。",
)
ROSTER_GUIDE = (
    "1. 每月上传一次全部在册人员（不是只报新增），在系统中选择名册所属的“数据月份”。",
    "2. 每行一人一项名册：指标代码选择低保、特困、低保边缘或刚性支出困难名册，示例行请删除。",
    "3. 名册中的农户自该月起为相应身份；上月在册、本月名册未列入的农户，自该月1日起终止该身份。",
    "4. 本文件未出现的名册类别不作变更；同一名册重复上传不会重复变更。",
    "5. 身份证号须为18位，本列已设为文本格式；姓名须与台账一致，不一致的行将被退回且该户身份不变。",
    "6. 台账以外的人员转为线索，请尽量填写所在镇（园区）和村，以便转镇核实（三(五)3）。",
)


def department_template(
    *,
    department,
    indicators: Sequence[WarningIndicator],
    example_id: str,
    roster: bool = False,
) -> bytes:
    """The department's own template: Chinese headers, the ID column as text, a code drop-down.
    ``roster``: 民政's monthly roster of the low-income population, with its roster codes and
    without the amount and date columns."""
    indicators = [ind for ind in indicators if ind.is_roster == roster]
    columns = ROSTER_COLUMNS if roster else COLUMNS
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "低收入人口名册" if roster else "预警信息"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="B91C1C")
    for index, column in enumerate(columns, start=1):
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
    example = {
        "name": "张三",
        "id_number": example_id,
        "indicator": first.code if first else "",
        "value": float(first.threshold) if first and first.threshold is not None else None,
        "occurred_on": (
            datetime.date.today().replace(day=1) - datetime.timedelta(days=12)
        ).isoformat(),
        "town": "",
        "village": "",
        "note": EXAMPLE_NOTE,
    }
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=2, column=index, value=example[column.key])
    sheet.cell(row=2, column=2).number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(GUIDE_SHEET)
    title = "低收入人口名册填报说明" if roster else "防返贫预警信息填报说明"
    guide.append([f"{department.name}{title}"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in ROSTER_GUIDE if roster else WARNING_GUIDE:
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
    for column in columns:
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
