"""Writing the ledgers and the assessment as xlsx, streamed: openpyxl's write-only mode keeps
one row in memory, and every text cell passes the one neutraliser (``= + - @`` as text)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from openpyxl import Workbook

from suixi_monitor.spreadsheets.writing import neutralise

PROGRESS_EVERY = 5000  # rows between two progress reports of a background export


def write_table(
    target: str | IO[bytes],
    *,
    title: str,
    sheet: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a title line, the header and ``rows`` to ``target``; returns the rows written.
    ``progress(rows so far)`` is called every ``PROGRESS_EVERY`` rows."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append([neutralise(title)])
    worksheet.append(list(header))
    written = 0
    for row in rows:
        # Dates keep openpyxl's date format; only text can look like a formula.
        worksheet.append([neutralise(value) for value in row])
        written += 1
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    workbook.save(target)
    return written
