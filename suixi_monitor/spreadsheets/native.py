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


def _read(path: str, max_cells: int) -> tuple[str, object]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
    except python_calamine.PasswordError:
        return "refused", PASSWORD
    except Exception as error:  # calamine raises several unrelated types for broken files
        text = str(error).lower()
        return "refused", PASSWORD if "password" in text or "encrypt" in text else DAMAGED
    sheets = []
    for index, name in enumerate(workbook.sheet_names):
        try:
            sheet = workbook.get_sheet_by_index(index)
            # The range is built now; its size is what to_python would turn into objects.
            if sheet.total_height * sheet.total_width > max_cells:
                return "refused", f"工作表“{name}”：{too_large(max_cells)}"
            # Keep the empty area at the top so row numbers match what the user sees.
            sheets.append((name, sheet.to_python(skip_empty_area=False)))
        except python_calamine.PasswordError:
            return "refused", PASSWORD
        except Exception:
            return "refused", DAMAGED
    return "ok", sheets


def main(argv: list[str]) -> int:
    path, max_cells, memory = argv[1], int(argv[2]), int(argv[3])
    # Past this the allocator fails and calamine aborts: this child ends, nothing else does.
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        result = _read(path, max_cells)
    except MemoryError:
        result = ("refused", too_large(max_cells))
    pickler = pickle.Pickler(sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # Rows of cells hold no cycles: without the memo, a 100,000-row file pickles in a
    # seventh of the time, loads in two thirds, and no dict of every cell is kept.
    pickler.fast = True
    pickler.dump(result)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
