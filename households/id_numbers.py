"""Citizen ID numbers (居民身份证号码, GB 11643-1999).

Every ID number that enters the system — typed in a form, posted to the API or
read from a department's spreadsheet — goes through ``normalize_id_number``
so that one person has one spelling, and a value that Excel damaged is named
as such instead of being matched to the wrong person.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

# Excel keeps 15 significant digits: an 18-digit number typed into a numeric
# cell comes back as 3.40621199001011E+17 or 340621199001011000.
_FLOAT_TEXT = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$|^\d+\.\d*$")
_SURELY_PAST = datetime.date(2026, 1, 1)
_CANONICAL = re.compile(r"[0-9]{17}[0-9X]")
_SPACES = re.compile(r"[\s\u3000\u200b\ufeff'\"‘’“”]+")

MSG_EMPTY = "身份证号不能为空"
MSG_FLOAT = "身份证号被当作数字保存，后几位已丢失（如 3.40621199001011E+17）；请把该列设为“文本”格式后重新填写完整的18位号码"
MSG_OLD = "这是15位旧身份证号，请填写18位身份证号"
MSG_LENGTH = "身份证号应为18位（前17位为数字，最后一位为数字或X），当前为{n}位"
MSG_FORMAT = "身份证号只能包含数字和末位的X"
MSG_REGION_OR_DATE = "身份证号中的出生日期或地区代码无效"
MSG_CHECKSUM = "身份证号校验位不正确，请核对每一位数字"
MSG_TRUNCATED = "身份证号疑被Excel截断（末三位为000），请将该列设为文本格式后重新导出"


def normalize_id_number(value: object) -> str:
    """Return the canonical 18-character ID number or raise ``ValidationError`` in Chinese.

    Accepts full-width digits, spaces anywhere, a lower-case ``x`` and stray
    quotes; refuses 15-digit numbers, bad checksums and values that were
    stored as floating-point numbers (their last digits are gone).
    """
    if type(value) is str and _CANONICAL.fullmatch(value):
        text = value  # already the canonical form: what almost every row of a file carries
        if text[17] == ric.calc_check_digit(text) and _born_valid(text):
            return text
    if value is None:
        raise ValidationError(MSG_EMPTY, code="required")
    if isinstance(value, bool):
        raise ValidationError(MSG_FORMAT, code="format")
    if isinstance(value, float):
        raise ValidationError(MSG_FLOAT, code="float")
    if isinstance(value, Decimal | int):
        value = str(value)
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    if not text:
        raise ValidationError(MSG_EMPTY, code="required")
    if _FLOAT_TEXT.match(text) or (
        text.isdigit() and len(text) == 18 and text.endswith("000") and _looks_rounded(text)
    ):
        raise ValidationError(MSG_FLOAT, code="float")
    if len(text) == 15 and text.isdigit():
        raise ValidationError(MSG_OLD, code="old")
    if len(text) != 18:
        raise ValidationError(MSG_LENGTH.format(n=len(text)), code="length")
    if not text[:17].isdigit() or text[17] not in "0123456789X":
        raise ValidationError(MSG_FORMAT, code="format")
    if text[17] != ric.calc_check_digit(text):
        raise ValidationError(MSG_CHECKSUM, code="checksum")
    if not _born_valid(text):
        raise ValidationError(MSG_REGION_OR_DATE, code="birth_date")
    return text


def _born_valid(text: str) -> bool:
    """A real birth date, not in the future, in a region that existed that year."""
    born = _birth_date(text[6:14])
    return (
        born is not None
        # Asking the clock is a tenth of the whole check; a date before this code was written
        # cannot be in the future.
        and (born < _SURELY_PAST or born <= datetime.date.today())
        and _region_existed(text[:6], born.year)
    )


@functools.lru_cache(maxsize=65536)
def _birth_date(yyyymmdd: str) -> datetime.date | None:
    """stdnum's reading of the birth date, remembered per date: its ``compact`` step cleans
    the whole number character by character (5 µs a call, most of a row's validation),
    and a department's 100,000-row file repeats a few tens of thousands of birth dates."""
    try:
        return ric.get_birth_date(f"000000{yyyymmdd}0000")
    except InvalidComponent:
        return None


@functools.lru_cache(maxsize=8192)
def _region_existed(region: str, year: int) -> bool:
    """Whether the region code was assigned in ``year`` (stdnum's table, GB/T 2260).

    The table lookup costs about 0.1 ms; a department's 100,000-row file repeats a
    few hundred (region, year) pairs, so they are remembered.
    """
    try:
        ric.get_birth_place(f"{region}{year}0101000")
    except InvalidComponent:
        return False
    return True


def looks_like_float(value: str) -> bool:
    """Whether a typed value is what Excel leaves of an ID number stored as a number."""
    try:
        normalize_id_number(value)
    except ValidationError as error:
        return error.code == "float"
    return False


def _looks_rounded(text: str) -> bool:
    """An 18-digit number ending 000 whose checksum fails is what Excel leaves of a real ID."""
    return not ric.is_valid(text)


def birth_date(id_number: str) -> datetime.date:
    return ric.get_birth_date(id_number)


def sex(id_number: str) -> str:
    """``"M"`` or ``"F"``: the 17th digit is odd for men (GB 11643 §5.4)."""
    return "M" if int(id_number[16]) % 2 else "F"


def mask(id_number: str) -> str:
    """``340621********123X``: region and the last four, never the birth date."""
    if not id_number or len(id_number) < 10:
        return id_number or ""
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"


def mask_birth_date(day: datetime.date | None) -> str:
    """``1969年``: what a viewer of masked numbers sees of a birth date.

    The masked number keeps the region and the last four digits; the whole birth
    date beside it would give the full number back, so only the year is shown.
    """
    return f"{day.year}年" if day else ""


def make_id_number(*, region: str, born: datetime.date, sequence: int) -> str:
    """A valid ID number for demo data and tests: ``sequence`` (0-999) sets the order code and sex."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit
