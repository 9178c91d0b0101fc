"""The one spreadsheet reader, alone, against files as offices make them.

Both upload paths read through it: the departments' monthly warnings (濉扶组〔2021〕6号
三(四)2) and the comparison data sets (三(七)4). Whatever a file holds, the reader returns
sheets of cells or refuses the file with a message in Chinese; it never takes the process
that asked down with it.
"""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from early_warnings.tests.helpers import ods_bytes
from households.id_numbers import make_id_number
from suixi_monitor.spreadsheets import (
    Column,
    FileRejected,
    RowError,
    error_report,
    find_tables,
    markup,
    name_error,
    normalize_name,
    parse_date,
    read_sheets,
)
from suixi_monitor.spreadsheets.native import too_large, too_many_cells

from . import csv_text, spreadsheetml, unicode_text, web_page_xls, workbook

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["姓名", "身份证号", "指标代码", "数值", "发生日期"]
ID = make_id_number(region="340621", born=datetime.date(1968, 2, 3), sequence=17)
ID_2 = make_id_number(region="340621", born=datetime.date(1975, 3, 8), sequence=123)
MAY_20 = datetime.date(2026, 5, 20)
COLUMNS = (
    Column("name", "姓名", ("姓名",)),
    Column("id_number", "身份证号", ("身份证号", "身份证号码")),
    Column("indicator", "指标代码", ("指标代码",)),
    Column("value", "数值", ("数值",)),
    Column("occurred_on", "发生日期", ("发生日期",)),
)
REQUIRED = ["name", "id_number", "indicator"]


def read(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return read_sheets(path, original_name=name)


def table_html(rows) -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in row) + "</tr>\n"
        for row in rows
    )
    return f'<table border="1">\n{cells}</table>'


# --- 1. the far-away cell and the cells limit ----------------------------------------------------

CHILD = """
import django

django.setup()
from suixi_monitor.spreadsheets import FileRejected, read_sheets

try:
    sheets = read_sheets({path!r}, original_name="预警信息.xlsx")
except FileRejected as rejected:
    print("refused:", rejected.message)
else:
    print("read:", sum(len(sheet.rows) for sheet in sheets), "rows")
"""


def test_a_cell_at_XFD1048576_is_refused_and_the_process_lives(tmp_path):
    """A 5 KB workbook: the header and one cell in the last row of the last column. The
    native reader would build the whole range (512 GiB) and abort the process that asked;
    the worker that runs the real reader prints the refusal and ends normally."""
    data = workbook({"预警信息": [HEADER]}, far_cell="XFD1048576")
    assert len(data) < 6 * 1024
    path = tmp_path / "预警信息.xlsx"
    path.write_bytes(data)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "suixi_monitor.settings_test",
        "PYTHONIOENCODING": "utf-8",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(path=str(path))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    limit = f"{settings.SPREADSHEET_MAX_CELLS:,}"
    assert done.stdout.decode() == (
        f"refused: 表格范围过大：每个工作表最多{limit}个单元格（行数×列数），"
        "请删除空白行列或分表后重新上传\n"
    )


def with_far_cell(ods: bytes) -> bytes:
    """The ods with one value in the last row and column, written as LibreOffice writes
    the empty space before it: repeated empty rows, then repeated empty cells."""
    source = zipfile.ZipFile(io.BytesIO(ods))
    far = (
        '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row><table:table-row>'
        '<table:table-cell table:number-columns-repeated="16383"/><table:table-cell '
        'office:value-type="string" calcext:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "content.xml":
                content = content.replace(b"</table:table>", far.encode())
            archive.writestr(name, content, compress_type=source.getinfo(name).compress_type)
    return buffer.getvalue()


def test_far_away_cells_in_an_ods_and_in_2003_xml_are_refused_by_the_cells_limit(tmp_path):
    limit = too_large(settings.SPREADSHEET_MAX_CELLS)
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, "calc.ods", with_far_cell(ods_bytes([], header=HEADER)))
    assert refused.value.message == limit
    far = spreadsheetml({"Sheet1": [HEADER]}).replace(
        b"</Row></Table>",
        b'</Row><Row ss:Index="1048576"><Cell ss:Index="16384"><Data ss:Type="String">x'
        b"</Data></Cell></Row></Table>",
    )
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, "导出.xls", far)
    assert refused.value.message == limit


def test_sheets_that_reach_row_1000000_are_refused_by_the_rows_limit_before_they_are_built(
    tmp_path,
):
    """Five sheets of a 7 KB workbook, each with one cell on row 1,000,000 (inside the cells
    limit: ten columns): refused by the file's rows limit as soon as the first sheet's range
    is known, not after five million rows were built and handed over (20 s and a gigabyte
    in the process that asked)."""
    book = load_workbook(io.BytesIO(workbook({f"第{n}批": [HEADER] for n in range(1, 6)})))
    for sheet in book.worksheets:
        sheet["J1000000"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    started = time.monotonic()
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, "预警信息.xlsx", buffer.getvalue())
    assert refused.value.message == f"文件超过{settings.SPREADSHEET_MAX_ROWS:,}行，请分批上传"
    assert time.monotonic() - started < 10


# Eight rows of five columns: forty cells as every reader counts them.
FORTY_CELLS = [HEADER] + [[f"张{n}", ID, "YB01", 12000 + n, "2026-05-20"] for n in range(7)]
FORMS = {
    "预警信息.xlsx": lambda rows: workbook({"预警信息": rows}),
    "calc.ods": lambda rows: ods_bytes(rows[1:], header=rows[0]),
    "预警信息.csv": csv_text,
    "网页导出.xls": lambda rows: web_page_xls(table_html(rows)),
    "XML导出.xls": lambda rows: spreadsheetml({"预警信息": rows}),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_sheet_one_cell_over_the_limit_is_refused_and_one_at_the_limit_is_read(
    tmp_path, settings, name
):
    data = FORMS[name](FORTY_CELLS)
    settings.SPREADSHEET_MAX_CELLS = 40
    sheets = read(tmp_path, name, data)
    assert [(len(sheet.rows), max(len(row) for row in sheet.rows)) for sheet in sheets] == [(8, 5)]
    settings.SPREADSHEET_MAX_CELLS = 39
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, name, data)
    assert refused.value.message.endswith(too_large(39))
    assert "每个工作表最多39个单元格" in refused.value.message


@pytest.mark.parametrize("name", ["预警信息.xlsx", "网页导出.xls", "XML导出.xls"])
def test_sheets_each_under_the_cells_limit_are_refused_when_together_they_are_over_it(
    tmp_path, settings, name
):
    """Many wide sheets, each within the limit, must not add up to what one sheet may not."""
    build = {
        "预警信息.xlsx": lambda: workbook({"城镇": FORTY_CELLS, "农村": FORTY_CELLS}),
        "网页导出.xls": lambda: web_page_xls(table_html(FORTY_CELLS) + table_html(FORTY_CELLS)),
        "XML导出.xls": lambda: spreadsheetml({"城镇": FORTY_CELLS, "农村": FORTY_CELLS}),
    }[name]
    settings.SPREADSHEET_MAX_CELLS = 80
    assert len(read(tmp_path, name, build())) == 2
    settings.SPREADSHEET_MAX_CELLS = 79
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, name, build())
    assert refused.value.message == too_many_cells(79)


# --- 3. CSV as Excel, WPS and county systems save it ---------------------------------------------


def test_a_gb18030_csv_from_chinese_windows_keeps_rare_characters(tmp_path):
    """刘䶮: 䶮 is outside GBK; Chinese Windows saves it in GB 18030."""
    rows = [HEADER, ["刘䶮", ID, "YB01", "12000", "2026-05-20"]]
    [sheet] = read(tmp_path, "预警信息.csv", csv_text(rows, encoding="gb18030"))
    assert sheet.rows == rows


def test_a_keep_as_text_cell_is_read_as_the_id_inside(tmp_path):
    """``="340621…"`` is how Excel is told to keep the 18 digits as text."""
    data = csv_text([HEADER, ["张三", ID, "YB01", "12000", "2026-05-20"]], keep_as_text=[1])
    assert f'="{ID}"'.encode() in data
    [sheet] = read(tmp_path, "预警信息.csv", data)
    assert sheet.rows[1][1] == ID


def test_a_serial_date_written_as_text_is_the_same_day_as_a_date_cell(tmp_path):
    """A CSV saved from a cell not formatted as a date carries Excel's day number."""
    [csv_sheet] = read(
        tmp_path, "预警信息.csv", csv_text([HEADER, ["张三", ID, "YB01", "12000", "46162"]])
    )
    [xlsx_sheet] = read(
        tmp_path,
        "预警信息.xlsx",
        workbook(
            {
                "预警信息": [
                    HEADER,
                    ["张三", ID, "YB01", 12000, MAY_20],
                    ["李四", ID, "YB01", 1, 46162],
                ]
            }
        ),
    )
    as_text, as_date, as_number = csv_sheet.rows[1][4], xlsx_sheet.rows[1][4], xlsx_sheet.rows[2][4]
    assert (as_text, as_number) == ("46162", 46162.0)
    assert parse_date(as_text) == parse_date(as_date) == parse_date(as_number) == MAY_20


UNICODE_ROWS = [
    HEADER,
    ["阿卜杜·热合曼", ID, "YB01", "12000", "2026-05-20"],
    ["张三", ID_2, "YB09", "", "2026/5/3"],
]


@pytest.mark.parametrize("name", ["预警信息.txt", "系统导出.xls"])
def test_unicode_text_is_read_as_tab_separated_utf16_under_a_txt_or_an_xls_name(tmp_path, name):
    """Excel's "Unicode text", and the same form that report systems export as "xls"
    (Excel opens UTF-16 with its Chinese intact, so they name it for Excel)."""
    data = unicode_text(UNICODE_ROWS * 200)  # past the first 4096 bytes the type is told by
    assert data.startswith(b"\xff\xfe") and b"\t\x00" in data
    [sheet] = read(tmp_path, name, data)
    assert sheet.rows == UNICODE_ROWS * 200


@pytest.mark.parametrize("separator", ["\t", ",", ";"])
def test_a_text_file_whose_rows_leave_out_their_empty_last_cells_is_split_as_its_header(
    tmp_path, separator
):
    """County systems write a row only as far as its last filled cell, and some put a title
    line above the header; the sniffer then cannot tell the separator."""
    rows = [
        ["2026年5月预警信息"],
        [*HEADER, "镇（园区）", "备注"],
        ["张三", ID, "YB01", "12000", "2026-05-20"],
        ["李四", ID_2, "YB09"],
        ["王五", ID, "YB01", "30000", "2026-05-20", "乙镇", "住院"],
    ]
    data = "\r\n".join(separator.join(row) for row in rows).encode("gbk")
    [sheet] = read(tmp_path, "系统导出.csv", data)
    assert sheet.rows == rows


def test_tab_separated_gbk_text_named_xls_is_read(tmp_path):
    lines = [
        "\t".join(row) for row in UNICODE_ROWS[:1] + [["刘洋", ID, "YB01", "12000", "2026-05-20"]]
    ]
    data = "\r\n".join(lines).encode("gbk")
    [sheet] = read(tmp_path, "系统导出.xls", data)
    assert sheet.rows == [HEADER, ["刘洋", ID, "YB01", "12000", "2026-05-20"]]


# --- 4. several sheets ---------------------------------------------------------------------------


def test_every_sheet_with_the_headers_is_read_and_one_without_them_is_named_as_skipped(tmp_path):
    guide = [["填报说明"], ["1. 城镇和农村人员分表填报"], ["2. 身份证号须为18位"]]
    town = [HEADER] + [[f"城{n}", ID, "YB01", 12000, MAY_20] for n in range(3)]
    country = [HEADER] + [[f"乡{n}", ID_2, "YB01", 12000, MAY_20] for n in range(11)]
    data = workbook({"说明": guide, "城镇": town, "农村": country})
    found = find_tables(read(tmp_path, "预警信息.xlsx", data), COLUMNS, REQUIRED)
    assert found.skipped == ["说明"]
    assert [(t.sheet, t.header_row, len(t.rows)) for t in found.tables] == [
        ("城镇", 1, 3),
        ("农村", 1, 11),
    ]
    number, cells = found.tables[1].rows[-1]
    assert (number, cells[0]) == (12, "乡10")
    error = RowError(
        number, "身份证号", cells[1], "身份证号校验位不正确", sheet="农村", cells=cells
    )
    assert error.position == "农村!12"
    report = load_workbook(io.BytesIO(error_report([error.as_dict()], title="错误明细"))).active
    assert [cell.value for cell in report[3]][:3] == [
        "农村!12",
        "身份证号：身份证号校验位不正确",
        "乡10",
    ]


def test_a_file_whose_sheets_all_lack_the_headers_names_what_is_missing(tmp_path):
    data = workbook({"说明": [["填报说明"]], "Sheet2": [["姓名", "身份证号"], ["张三", ID]]})
    with pytest.raises(FileRejected) as refused:
        find_tables(read(tmp_path, "预警信息.xlsx", data), COLUMNS, REQUIRED)
    assert refused.value.message == "表头不正确，缺少以下列：指标代码"


# --- 5. "xls" files that are web pages or Excel 2003 XML -----------------------------------------

WEB_PAGE = f"""<table border="1">
<tr><td colspan="9">2026年5月医保局防返贫预警信息表</td></tr>
<tr><td rowspan="2">序号</td><td colspan="2">人员信息</td><td colspan="3">预警内容</td>
<td rowspan="2">镇（园区）</td><td rowspan="2">村（社区）</td><td rowspan="2">备注</td></tr>
<tr><td>姓名</td><td>身份证号</td><td>指标代码</td><td>数值</td><td>发生日期</td></tr>
<tr><td>1</td><td>张三</td><td>{ID}</td><td>YB01</td><td>12,000.00</td><td>2026-05-20</td>
<td rowspan="2">乙镇</td><td>乙一村</td><td>&nbsp;</td></tr>
<tr><td>2</td><td>刘䶮</td><td>{ID_2}</td><td>YB01</td><td>15000</td><td>2026-05-21</td>
<td>乙一村</td><td>住院<br>两次</td></tr>
</table>"""


def test_a_web_page_named_xls_is_read_with_its_spans_where_excel_puts_them(tmp_path):
    """GB 18030 with the charset in a ``<meta>``; a title across the table, a two-level
    header (merged group cells above the labels, cells spanning both rows)."""
    data = web_page_xls(WEB_PAGE, encoding="gb18030")
    assert b'charset=gb18030"' in data
    [sheet] = read(tmp_path, "预警信息.xls", data)
    assert sheet.rows == [
        ["2026年5月医保局防返贫预警信息表", *[None] * 8],
        ["序号", "人员信息", None, "预警内容", None, None, "镇（园区）", "村（社区）", "备注"],
        [None, "姓名", "身份证号", "指标代码", "数值", "发生日期", None, None, None],
        ["1", "张三", ID, "YB01", "12,000.00", "2026-05-20", "乙镇", "乙一村", ""],
        ["2", "刘䶮", ID_2, "YB01", "15000", "2026-05-21", None, "乙一村", "住院 两次"],
    ]
    [table] = find_tables([sheet], COLUMNS, REQUIRED).tables
    assert table.header_row == 3
    assert table.columns == {
        "name": 1,
        "id_number": 2,
        "indicator": 3,
        "value": 4,
        "occurred_on": 5,
    }
    assert [number for number, _ in table.rows] == [4, 5]


def test_excel_2003_xml_named_xls_is_read_with_its_index_skips_and_types(tmp_path):
    data = spreadsheetml(
        {
            "城镇": [
                HEADER,
                ["张三", ID, "YB01", 12000, MAY_20],
                ["李四", ID_2, "YB09", None, datetime.datetime(2026, 5, 20, 8, 30)],
            ],
            "说明": [["本表由系统导出"]],
        }
    )
    assert b'<Cell ss:Index="5" ss:StyleID="s21">' in data  # 李四 has no amount
    sheets = read(tmp_path, "导出.xls", data)
    assert [(sheet.name, sheet.rows) for sheet in sheets] == [
        (
            "城镇",
            [
                HEADER,
                ["张三", ID, "YB01", 12000.0, MAY_20],
                ["李四", ID_2, "YB09", None, datetime.datetime(2026, 5, 20, 8, 30)],
            ],
        ),
        ("说明", [["本表由系统导出"]]),
    ]


BILLION_LAUGHS = (
    '<!DOCTYPE Workbook [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


@pytest.mark.parametrize(
    ("case", "data", "message"),
    [
        (
            "a web page without a table",
            web_page_xls("<p>查询结果：无</p>"),
            markup.UNREADABLE[markup.HTML],
        ),
        (
            "a single-file web page (mht)",
            b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related;"
            b' boundary="----=_NextPart_01D"\r\n\r\n------=_NextPart_01D\r\nContent-Location: '
            b"file:///C:/sheet001.htm\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            b'Content-Type: text/html; charset="gb2312"\r\n\r\n<html><body><table border=3D0>'
            b"<tr><td>=D0=D5=C3=FB</td><td>=C9=ED=B7=DD=D6=A4=BA=C5</td></tr></table></body>"
            b"</html>\r\n------=_NextPart_01D--\r\n",
            markup.UNREADABLE[markup.HTML],
        ),
        (
            "2003 XML cut off in the download",
            spreadsheetml({"Sheet1": [HEADER, ["张三", ID, "YB01", 12000, MAY_20]]})[:-300],
            markup.UNREADABLE[markup.XML],
        ),
        (
            "2003 XML with entity declarations",
            spreadsheetml({"Sheet1": [["&lol3;"]]}, declaration=BILLION_LAUGHS).replace(
                b"&amp;lol3;", b"&lol3;"
            ),
            markup.UNREADABLE[markup.XML],
        ),
    ],
)
def test_a_broken_web_page_or_xml_xls_is_named_for_what_it_is(tmp_path, case, data, message):
    """Never "not a spreadsheet": the user is told the file is a web page (or XML) and how
    to save it as xlsx."""
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, "导出.xls", data)
    assert refused.value.message == message, case


# --- 6. names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (2.0, "姓名不能是数字、日期或公式结果，请填写文字姓名"),  # what =1+1 leaves in the cell
        ("=1+1", "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"),
        ("+86", "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"),
        ("@x", "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"),
        ("-1", "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"),
        ("123", "姓名不能是数字或符号，请填写文字姓名"),
        ("——", "姓名不能是数字或符号，请填写文字姓名"),
        ("刘䶮", ""),
        ("阿卜杜·热合曼", ""),
        ("张 三", ""),
    ],
)
def test_a_name_must_be_letters_and_rare_characters_and_the_middle_dot_are(cell, reason):
    assert name_error(cell, normalize_name(cell), max_length=50) == reason


def test_names_come_out_of_the_reader_as_the_cell_holds_them(tmp_path):
    """A formula's result arrives as a number; text typed after an apostrophe as text."""
    rows = [HEADER, [2.0, ID], ["=1+1", ID], ["+86", ID], ["@x", ID], ["-1", ID], ["刘䶮", ID]]
    [sheet] = read(tmp_path, "预警信息.xlsx", workbook({"预警信息": rows}))
    assert [row[0] for row in sheet.rows[1:]] == [2.0, "=1+1", "+86", "@x", "-1", "刘䶮"]


# --- 8. the error report -------------------------------------------------------------------------


def test_the_error_report_has_one_line_per_row_with_every_reason_and_the_rows_cells():
    cells = ["=1+1", "34062119680203001", "ZZ99", "12000", "2026-13-01"]
    errors = [
        RowError(3, column, value, reason, sheet="农村", cells=cells).as_dict()
        for column, value, reason in [
            ("姓名", "=1+1", "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"),
            (
                "身份证号",
                cells[1],
                "身份证号应为18位（前17位为数字，最后一位为数字或X），当前为17位",
            ),
            ("指标代码", "ZZ99", "指标代码“ZZ99”不是本部门的启用指标（可用：YB01）"),
        ]
    ]
    errors.append(
        RowError(5, "发生日期", "x", "日期无法识别", sheet="农村", cells=["李四"]).as_dict()
    )
    report = load_workbook(
        io.BytesIO(error_report(errors, title="医保局 2026-05 错误明细", header=HEADER))
    ).active
    lines = [[cell.value for cell in row] for row in report.iter_rows()]
    assert lines == [
        ["医保局 2026-05 错误明细", None, None, None, None, None, None],
        ["位置", "错误原因", *HEADER],
        [
            "农村!3",
            "姓名：姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名；"
            "身份证号：身份证号应为18位（前17位为数字，最后一位为数字或X），当前为17位；"
            "指标代码：指标代码“ZZ99”不是本部门的启用指标（可用：YB01）",
            "'=1+1",  # written as text, never run in the county's Excel
            "34062119680203001",
            "ZZ99",
            "12000",
            "2026-13-01",
        ],
        ["农村!5", "发生日期：日期无法识别", "李四", None, None, None, None],
    ]
