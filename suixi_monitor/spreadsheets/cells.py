"""Cleaning one cell: what every reader of a user's spreadsheet does the same way."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any


def text(cell: Any) -> str:
    """The cell as trimmed NFKC text; a whole float (12.0) is written as the integer."""
    if cell is None or cell == "":
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def display(cell: Any) -> str:
    """The cell as the user typed it, for error reports."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell) if not cell.is_integer() else f"{cell:.15g}"
    if isinstance(cell, datetime.datetime) and not (cell.hour or cell.minute or cell.second):
        return cell.date().isoformat()
    return str(cell)


def filled(cells: Any) -> bool:
    """Whether a row has anything in it. Per row of a 100,000-row file: no cell is
    normalised just to find the blank lines."""
    for cell in cells:
        if cell is None or cell == "":
            continue
        if not isinstance(cell, str) or cell.strip() or text(cell):
            return True
    return False


_NAME_SPACES = re.compile(r"[\s\u3000\u200b\ufeff]+")
_NUMBER = re.compile(r"^[+-]?[\d.,]+(?:[eE][+-]?\d+)?$")


def normalize_name(cell: Any) -> str:
    """Chinese names carry no spaces: 张 三 , ‘张三　’ and 张三 are one name."""
    if cell is None or cell == "":
        return ""
    return _NAME_SPACES.sub("", unicodedata.normalize("NFKC", str(cell)))


def name_error(cell: Any, name: str, *, max_length: int) -> str:
    """Why a cell cannot be a person's name, or ``""``. A number is no name, nor is what a
    formula left (``=1+1`` arrives as 2.0) or a cell that starts like one; rare characters
    (刘䶮) and the middle dot of minority names (阿卜杜·热合曼) are letters like any other."""
    if not name:
        return "姓名不能为空"
    if isinstance(cell, int | float | bool | datetime.date | datetime.time | datetime.timedelta):
        return "姓名不能是数字、日期或公式结果，请填写文字姓名"
    if name[0] in "=+-@":
        return "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"
    if _NUMBER.match(name) or not any(unicodedata.category(char)[0] == "L" for char in name):
        return "姓名不能是数字或符号，请填写文字姓名"
    if len(name) > max_length:
        return f"姓名超过{max_length}个字"
    return ""


_FEN = Decimal("0.01")


def parse_decimal(cell: Any, *, limit: Decimal) -> Decimal | None:
    """``None`` for an empty cell; raises ``ValueError`` for text that is not a number.
    Amounts are kept to the fen; one of ``limit`` or more is returned as it is, for the
    caller to refuse."""
    if isinstance(cell, bool):
        raise ValueError
    if cell is None:
        return None
    if isinstance(cell, int | float):
        number = Decimal(str(cell))
    else:
        value = text(cell).replace(",", "").replace("元", "").replace(" ", "")
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number.quantize(_FEN) if abs(number) < limit else number


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(cell: Any) -> datetime.date | None:
    """``None`` for an empty cell; raises ``ValueError`` when the cell holds no date. An Excel
    serial day number (46162) is a date, in a number cell or written out as text, as a CSV
    saved from a cell not formatted as a date carries it."""
    if cell is None:
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, bool):
        raise ValueError
    value = text(cell).replace(" ", "")
    if not value:
        return None
    if _SERIAL.match(value):
        serial = float(value)
        if 20000 <= serial <= 80000:  # 1954 to 2119: any date this system meets
            return _EXCEL_EPOCH + datetime.timedelta(days=int(serial))
        raise ValueError
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)  # ValueError for 2月30日
    raise ValueError
