"""Reading xlsx, xls and ods in a child process that a native abort cannot take along.

python-calamine builds a sheet's whole range before Python sees a cell: one cell at
``XFD1048576`` asks for 512 GiB, and the Rust side aborts the process (SIGABRT), which no
``except`` catches. So calamine runs here, in a child process with an address-space limit:
a file that makes it abort ends this child, and the worker or web process that asked is told
so and refuses the file. Run as a script, this module imports nothing of Django or of the
project (it starts in a tenth of a second); ``reading.read_native`` is its parent side.

The child writes one pickle to stdout: ``("ok", [(sheet name, rows), ...])`` or
``("refused", message)``.
"""

from __future__ import annotations

import pickle
import resource
import sys

PASSWORD = "文件设置了打开密码，请取消密码后重新上传"
DAMAGED = "文件已损坏或不是电子表格，无法读取"


def too_large(max_cells: int) -> str:
    return (
        f"表格范围过大：每个工作表最多{max_cells:,}个单元格（行数×列数），"
        "请删除空白行列或分表后重新上传"
    )


def too_many_cells(max_cells: int) -> str:
    return f"文件各工作表合计超过{max_cells:,}个单元格（行数×列数），请分批上传"


def too_many_rows(max_rows: int) -> str:
    return f"文件超过{max_rows:,}行，请分批上传"


def _read(path: str, max_cells: int, max_rows: int) -> tuple[str, object]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
    except python_calamine.PasswordError:
        return "refused", PASSWORD
    except Exception as error:  # calamine raises several unrelated types for broken files
        text = str(error).lower()
        if "cell limit" in text:
            # An ods is read whole here. Its repeated empty rows and columns reaching far
            # away: calamine counts the cells before it builds them, and refuses.
            return "refused", too_large(max_cells)
        return "refused", PASSWORD if "password" in text or "encrypt" in text else DAMAGED
    sheets = []
    rows_so_far = cells_so_far = 0
    for index, name in enumerate(workbook.sheet_names):
        try:
            sheet = workbook.get_sheet_by_index(index)
            # The range is built now. Kept with the empty area above and to the left, so
            # that row numbers match what the user sees, it is A1 to the last cell: ``end``
            # is that cell's 0-based (row, column), ``total_height``/``total_width`` are the
            # same indices, one less than the counts (0 for a sheet of one row).
            if sheet.end is not None:
                rows, columns = sheet.end[0] + 1, sheet.end[1] + 1
                if rows * columns > max_cells:
                    return "refused", f"工作表“{name}”：{too_large(max_cells)}"
                # The file's rows are limited too. Counted here, before the rows are built: a
                # few KB of sheets that each hold one cell on row 1,000,000 would otherwise
                # be built and handed over as millions of rows (a gigabyte in each process).
                rows_so_far += rows
                if rows_so_far > max_rows:
                    return "refused", too_many_rows(max_rows)
                # And the file's cells: many wide sheets, each under the limit, add up.
                cells_so_far += rows * columns
                if cells_so_far > max_cells:
                    return "refused", too_many_cells(max_cells)
            sheets.append((name, sheet.to_python(skip_empty_area=False)))
        except python_calamine.PasswordError:
            return "refused", PASSWORD
        except Exception as error:
            if "cell limit" in str(error).lower():  # as above, for a format read by sheet
                return "refused", f"工作表“{name}”：{too_large(max_cells)}"
            return "refused", DAMAGED
    return "ok", sheets


def main(argv: list[str]) -> int:
    path, max_cells, max_rows, memory = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    # Past this the allocator fails and calamine aborts: this child ends, nothing else does.
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        result = _read(path, max_cells, max_rows)
    except MemoryError:
        result = ("refused", too_large(max_cells))
    pickler = pickle.Pickler(sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # Rows of cells hold no cycles: without the memo, a 100,000-row file pickles in a
    # seventh of the time and no dict of every cell is kept. Loading costs a little more
    # (every date cell names its class again), 0.04 s less in all for a county's file.
    pickler.fast = True
    pickler.dump(result)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
