"""One reader for every spreadsheet a user sends: the file as sheets of cells, or a refusal.

Both upload paths (the monthly department warnings of 三(四)2 and the comparison data sets
of 三(七)4) call ``read_sheets``. It refuses a whole file (``FileRejected``) before anything
is written: too big, empty, not a spreadsheet, password-protected, a zip that unpacks too
far, a sheet past the rows × columns limit, a file that makes the native reader abort.
The limits are settings (``SPREADSHEET_*``), read through ``Limits.current``.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import logging
import pickle
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from . import markup, native

logger = logging.getLogger(__name__)

EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".htm", ".html", ".xml"})
NOT_A_SPREADSHEET = "不是电子表格文件，请上传 xlsx、xls、ods 或 csv 文件"
ZIP_BOMB = "文件解压后过大，疑似压缩炸弹，已拒绝"


class FileRejected(Exception):
    """The whole file is refused; the message is for the user, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_cells: int
    reader_memory: int
    reader_seconds: int

    @classmethod
    def current(cls) -> Limits:
        return cls(
            max_bytes=settings.SPREADSHEET_MAX_BYTES,
            max_unpacked_bytes=settings.SPREADSHEET_MAX_UNPACKED_BYTES,
            max_rows=settings.SPREADSHEET_MAX_ROWS,
            max_cells=settings.SPREADSHEET_MAX_CELLS,
            reader_memory=settings.SPREADSHEET_READER_MEMORY_BYTES,
            reader_seconds=settings.SPREADSHEET_READER_SECONDS,
        )

    @property
    def size_refusal(self) -> str:
        return f"文件超过大小上限（{self.max_bytes // (1024 * 1024)} MB），请分批上传"


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]] = field(default_factory=list)


def check_upload(file: Any) -> None:
    """What every upload service checks before a file is stored: that there is one, its size
    and its extension. The content is judged later, by ``read_sheets`` in the worker."""
    if file is None:
        raise ValidationError({"file": "请选择文件"})
    limits = Limits.current()
    if file.size > limits.max_bytes:
        raise ValidationError({"file": limits.size_refusal})
    if Path(file.name or "").suffix.lower() not in EXTENSIONS:
        raise ValidationError({"file": "请上传 xlsx、xls、ods 或 csv 文件"})


def read_sheets(path: str | Path, *, original_name: str = "") -> list[Sheet]:
    """Every sheet of the file, each a list of rows of cells, or ``FileRejected``."""
    path = Path(path)
    limits = Limits.current()
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileRejected(limits.size_refusal)
    if size == 0:
        raise FileRejected("文件是空的")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"PK\x03\x04"):
        _check_zip(path, limits)
        sheets = read_native(path, limits)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        if _is_encrypted_ooxml(path):
            raise FileRejected(native.PASSWORD)
        sheets = read_native(path, limits)
    elif kind := markup.kind(head):
        sheets = [Sheet(name, rows) for name, rows in markup.read(path, kind, limits.max_cells)]
    elif _is_delimited_text(head, Path(original_name or path.name).suffix.lower()):
        sheets = [Sheet("", _csv_rows(path, limits.max_cells))]
    else:
        raise FileRejected(NOT_A_SPREADSHEET)
    rows = sum(len(sheet.rows) for sheet in sheets)
    if rows > limits.max_rows:
        raise FileRejected(native.too_many_rows(limits.max_rows))
    return sheets


def read_native(path: Path, limits: Limits) -> list[Sheet]:
    """xlsx, xls and ods through python-calamine, in a child process (see ``native``)."""
    command = [
        sys.executable, native.__file__, str(path), str(limits.max_cells),
        str(limits.max_rows), str(limits.reader_memory),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=limits.reader_seconds)
    except subprocess.TimeoutExpired:
        raise FileRejected(
            f"文件读取超过{limits.reader_seconds}秒仍未完成，已停止；请另存为 xlsx 后重新上传"
        ) from None
    if done.returncode != 0:
        # A native abort (SIGABRT) or the address-space limit: the child is gone, we are not.
        logger.warning("spreadsheet reader ended with %s: %s", done.returncode, done.stderr[-2000:])
        if _RUST_OUT_OF_MEMORY in done.stderr[:2000]:
            # The range it was asked to build did not fit (one cell at XFD1048576 is 512 GiB):
            # the file is not damaged, its sheet reaches too far.
            raise FileRejected(native.too_large(limits.max_cells))
        raise FileRejected(f"{native.too_large(limits.max_cells)}；或文件已损坏，无法读取")
    with without_cycle_collection():
        status, result = pickle.loads(done.stdout)  # our own child's output, never the user's
    if status != "ok":
        raise FileRejected(result)
    return [Sheet(name, rows) for name, rows in result]


# What Rust's allocator prints before it aborts the process.
_RUST_OUT_OF_MEMORY = b"memory allocation of "


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """A file makes a million short-lived cells and rows, none of them in a reference cycle;
    Python's cycle collector would walk them all again and again (unpickling a county's file
    took 0.27 s with it, 0.11 s without; a second or more for a whole ingestion, more as the
    worker's heap grows). Reference counting still frees them as they go."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_zip(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            unpacked = sum(info.file_size for info in infos)
            if len(infos) > 10_000 or unpacked > limits.max_unpacked_bytes:
                raise FileRejected(ZIP_BOMB)
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument.spreadsheet" not in mimetype:
                    raise FileRejected(NOT_A_SPREADSHEET)
                manifest = (
                    archive.read("META-INF/manifest.xml")
                    if "META-INF/manifest.xml" in names
                    else b""
                )
                if b"encryption-data" in manifest:
                    raise FileRejected(native.PASSWORD)
            elif "xl/workbook.xml" not in names:
                raise FileRejected(NOT_A_SPREADSHEET)
    except zipfile.BadZipFile:
        raise FileRejected("文件已损坏，无法打开") from None


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted xlsx is an OLE2 container whose directory names an EncryptionInfo stream."""
    with path.open("rb") as handle:
        data = handle.read(2 * 1024 * 1024)
    return "EncryptionInfo".encode("utf-16-le") in data


# The byte-order marks of UTF-16 text (Excel's "Unicode text" save).
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
# Excel's CSV form for a cell kept as text: ="340621199001011234".
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)


def decode_text(raw: bytes) -> str | None:
    """The text of a CSV or web page: UTF-16 with its mark (Excel's "Unicode text"), UTF-8,
    or GBK as Chinese Windows saves it; ``None`` when none of them fits."""
    if raw.startswith(_UTF16_MARKS):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _is_delimited_text(head: bytes, suffix: str) -> bool:
    """A CSV, or tab-separated text that a system exported under an ``.xls`` name (Excel and
    WPS open it as a sheet, so the office sees nothing wrong with it)."""
    if suffix in {".csv", ".txt"}:
        return True
    if suffix != ".xls" or head.startswith(b"%PDF"):
        return False
    if head.startswith(_UTF16_MARKS):
        # "Unicode text": the first 4096 bytes may end inside a character, or between the
        # two bytes of one.
        text = head.decode("utf-16", errors="ignore")
    else:
        text = decode_text(head[: head.rfind(b"\n") + 1] or head)
    return text is not None and "\x00" not in text and "\t" in text.split("\n", 1)[0]


def _csv_rows(path: Path, max_cells: int) -> list[list[Any]]:
    """The rows of a CSV or Unicode text file, under the same rows × columns limit as a
    sheet: a CSV saved from a sheet whose used range reaches column XFD is 16,384 cells a
    line, most of them empty."""
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith(_UTF16_MARKS):
        raise FileRejected(NOT_A_SPREADSHEET)
    text = decode_text(raw)
    if text is None:
        raise FileRejected("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码")
    dialect = _dialect(text[:4096])
    rows: list[list[Any]] = []
    width = 0
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            width = max(width, len(row))
            if (len(rows) + 1) * width > max_cells:
                raise FileRejected(native.too_large(max_cells))
            rows.append([_unwrap(cell) for cell in row])
    except csv.Error:
        raise FileRejected(
            "CSV 文件格式有误（引号不成对或含有空字符），请用 Excel/WPS 另存后重新上传"
        ) from None
    return rows


def _dialect(sample: str) -> type[csv.Dialect]:
    """The sniffer's reading of the sample; when it cannot tell (it wants every line to have
    as many fields as the others, and a row whose last cells are left out is shorter than
    the header), the separator that one of the first lines (the header, or the title above
    it) has most of."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        pass
    lines = [line for line in sample.splitlines() if line.strip()][:10]

    class ByHeader(csv.excel):
        # A tie (no separator at all: one column) keeps the comma.
        delimiter = max(",\t;", key=lambda d: max((line.count(d) for line in lines), default=0))

    return ByHeader


def _unwrap(cell: str) -> str:
    if cell.startswith('="'):
        match = _EXCEL_TEXT.match(cell)
        if match:
            return match.group(1)
    return cell
