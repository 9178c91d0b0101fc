"""Writing what a user downloads: every cell that a spreadsheet would run is made text."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from openpyxl import Workbook

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell that starts like a formula is written as text with a leading apostrophe, never
    evaluated: a name typed as ``=HYPERLINK(...)`` in a department's file must not run in the
    county's Excel."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def error_report(
    errors: Iterable[dict[str, Any]], *, title: str, header: Sequence[str] = ()
) -> bytes:
    """One line per refused row: where it is, every reason, and the row's own cells under
    ``header``, so the user can correct the cells and send the lines again."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误明细")
    sheet.append([neutralise(title)])
    sheet.append(["位置", "错误原因", *header])
    for _, group in groupby(errors, key=lambda error: (error.get("sheet", ""), error["row"])):
        group = list(group)
        first = group[0]
        reasons = "；".join(f"{error['column']}：{error['reason']}" for error in group)
        sheet.append(
            [
                first.get("position", str(first["row"])),
                neutralise(reasons),
                *(neutralise(cell) for cell in first.get("cells") or [first["value"]]),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
