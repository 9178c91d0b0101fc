"""The one spreadsheet reader and writer that every upload and download uses.

- ``reading``: a file as sheets of cells, or ``FileRejected`` (size, format, password,
  zip bomb, rows × columns; xlsx, xls and ods are read in a child process, ``native``).
- ``markup``: the "xls" files that are web pages or Excel 2003 XML.
- ``tables``: the tables of every sheet that carries the headers; row errors and positions.
- ``cells``: cleaning one cell (text, names, amounts, dates).
- ``writing``: neutralising formulas on export; the error report.
"""

from .cells import display, filled, name_error, normalize_name, parse_date, parse_decimal, text
from .reading import (
    EXTENSIONS,
    FileRejected,
    Limits,
    Sheet,
    check_upload,
    read_sheets,
    without_cycle_collection,
)
from .tables import Column, Found, RowError, Table, find_tables, header_key, position
from .writing import error_report, neutralise

__all__ = [
    "EXTENSIONS",
    "Column",
    "FileRejected",
    "Found",
    "Limits",
    "RowError",
    "Sheet",
    "Table",
    "check_upload",
    "display",
    "error_report",
    "filled",
    "find_tables",
    "header_key",
    "name_error",
    "neutralise",
    "normalize_name",
    "parse_date",
    "parse_decimal",
    "position",
    "read_sheets",
    "text",
    "without_cycle_collection",
]
