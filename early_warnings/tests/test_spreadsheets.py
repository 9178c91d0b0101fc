"""The reader and the row normaliser against files as departments really send them."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from early_warnings import spreadsheets
from early_warnings.models import WarningIndicator
from households.id_numbers import make_id_number
from suixi_monitor.spreadsheets import error_report

from .helpers import HEADER, csv_bytes, ods_bytes, xlsx_bytes

ID = make_id_number(region="340621", born=datetime.date(1968, 2, 3), sequence=17)
ID_X = next(
    make_id_number(region="340621", born=datetime.date(1970, 1, day), sequence=s)
    for day in range(1, 28)
    for s in range(1000)
    if make_id_number(region="340621", born=datetime.date(1970, 1, day), sequence=s).endswith("X")
)
REQUIRED = ["name", "id_number", "indicator", "value", "occurred_on"]
INDICATORS = {
    "YB01": WarningIndicator(
        code="YB01", name="自付医疗费用", rule="threshold", threshold=Decimal("10000")
    ),
    "YB09": WarningIndicator(code="YB09", name="纳入医疗救助", rule="every_row"),
}
MAY = datetime.date(2026, 5, 20)


def read(tmp_path, data: bytes, name: str = "f.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return spreadsheets.read_tables(path, original_name=name, required=REQUIRED)


def parse(tmp_path, data: bytes, name: str = "f.xlsx"):
    found = read(tmp_path, data, name)
    return spreadsheets.parse_rows(found, period="2026-05", indicators=INDICATORS)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def test_it_normalises_full_width_digits_spaces_and_lower_case_x(tmp_path):
    rows = [
        ["张三 ", f" {full_width(ID)}  ", " yb01", "12,000元", "2026-05-20"],
        ["李　四", ID_X.lower(), "YB09", None, "2026/5/3"],
        ["王 五", f"{ID[:6]} {ID[6:14]} {ID[14:]}", "ＹＢ０１", 15000, "2026年5月31日"],
    ]
    valid, errors, counted = parse(tmp_path, xlsx_bytes(rows))
    assert errors == []
    assert counted == 3
    assert [(r.name, r.id_number, r.indicator.code) for r in valid] == [
        ("张三", ID, "YB01"),
        ("李四", ID_X, "YB09"),
        ("王五", ID, "YB01"),
    ]
    assert valid[0].value == Decimal("12000.00")
    assert [r.occurred_on for r in valid] == [
        MAY,
        datetime.date(2026, 5, 3),
        datetime.date(2026, 5, 31),
    ]


def test_it_names_ids_that_excel_stored_as_numbers(tmp_path):
    # An 18-digit ID typed into a numeric cell keeps 15 significant digits.
    rows = [
        ["张三", float(ID), "YB01", 12000, MAY],
        ["李四", "3.40621196802E+17", "YB01", 12000, MAY],
    ]
    valid, errors, _ = parse(tmp_path, xlsx_bytes(rows, id_as_text=False))
    assert valid == []
    assert [(e.row, e.column) for e in errors] == [(2, "身份证号"), (3, "身份证号")]
    assert all("被当作数字保存" in e.reason for e in errors)


def test_it_skips_blank_lines_and_keeps_spreadsheet_row_numbers(tmp_path):
    rows = [
        ["张三", ID, "YB01", 12000, MAY],
        [None] * 5,
        ["  ", "", None, "", None],
        ["李四", "34062119680203001", "YB01", 12000, MAY],  # 17 digits
    ]
    valid, errors, counted = parse(tmp_path, xlsx_bytes(rows))
    assert counted == 2
    assert [r.row for r in valid] == [2]
    assert [(e.row, e.column, e.value) for e in errors] == [(5, "身份证号", "34062119680203001")]
    assert "当前为17位" in errors[0].reason


def test_it_collects_every_error_of_a_row_in_chinese(tmp_path):
    rows = [
        ["", "123", "ZZ99", "很多", "2026-06-01"],
        ["张三", ID, "YB01", None, "2026-04-30"],
        ["张三", ID, "YB01", 5000, "not a date"],
    ]
    valid, errors, _ = parse(tmp_path, xlsx_bytes(rows))
    assert valid == []
    by_row = {}
    for error in errors:
        by_row.setdefault(error.row, []).append((error.column, error.reason))
    assert [c for c, _ in by_row[2]] == ["姓名", "身份证号", "指标代码", "数值", "发生日期"]
    assert "ZZ99" in by_row[2][2][1] and "YB01" in by_row[2][2][1]
    assert by_row[3] == [
        ("数值", "指标“自付医疗费用”按数值预警，数值不能为空"),
        ("发生日期", "发生日期不在所报月份（2026年5月）内"),
    ]
    assert by_row[4] == [("发生日期", "日期无法识别，请填写如 2026-05-20 的日期")]


def test_it_refuses_names_and_amounts_too_large_to_keep(tmp_path):
    """Row errors, not a database error that would stop the whole file."""
    rows = [
        ["张" * 51, ID, "YB01", 12000, MAY],
        ["张三", ID, "YB01", "1e30", MAY],
        ["张三", ID, "YB01", 1e15, MAY],
        ["张三", ID, "YB01", "999999999999.99", MAY],
    ]
    valid, errors, _ = parse(tmp_path, xlsx_bytes(rows))
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (2, "姓名", "姓名超过50个字"),
        (3, "数值", "数值超出范围（应小于1,000,000,000,000）"),
        (4, "数值", "数值超出范围（应小于1,000,000,000,000）"),
    ]
    assert [(r.row, r.value) for r in valid] == [(5, Decimal("999999999999.99"))]


def test_it_finds_the_header_under_a_merged_title_row(tmp_path):
    data = xlsx_bytes([["张三", ID, "YB01", 12000, MAY]], title="2026年5月医保局防返贫预警信息表")
    valid, errors, _ = parse(tmp_path, data)
    assert errors == [] and valid[0].row == 3


def test_it_reads_a_two_level_header_with_merged_group_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["人员信息", None, "预警内容", None, None])
    sheet.append(["姓名", "身份证号码", "预警指标代码", "指标值", "发生日期"])
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:E1")
    sheet.append(["张三", ID, "YB01", 20000, MAY])
    buffer = io.BytesIO()
    workbook.save(buffer)
    valid, errors, _ = parse(tmp_path, buffer.getvalue())
    assert errors == [] and [(r.row, r.value) for r in valid] == [(3, Decimal("20000.00"))]


def test_it_reads_a_sheet_saved_by_libreoffice(tmp_path):
    rows = [["张三 ", ID, "YB01", 12000, MAY], ["李四", ID_X.lower(), "YB09", None, MAY]]
    valid, errors, _ = parse(tmp_path, ods_bytes(rows), "calc.ods")
    assert errors == []
    assert [(r.name, r.id_number, r.value, r.occurred_on) for r in valid] == [
        ("张三", ID, Decimal("12000.00"), MAY),
        ("李四", ID_X, None, MAY),
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_it_reads_csv_in_utf8_with_bom_and_in_gbk(tmp_path, encoding):
    valid, errors, _ = parse(
        tmp_path,
        csv_bytes([["张三", ID, "YB01", "12000", "2026-05-20"]], encoding=encoding),
        "f.csv",
    )
    assert errors == [] and valid[0].name == "张三"


def test_it_refuses_a_file_that_is_not_a_spreadsheet(tmp_path):
    with pytest.raises(spreadsheets.FileRejected, match="不是电子表格"):
        read(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "report.xlsx")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(spreadsheets.FileRejected, match="不是电子表格"):
        read(tmp_path, docx.getvalue(), "report.xlsx")


def test_it_refuses_a_password_protected_workbook(tmp_path):
    # Excel writes an encrypted xlsx as an OLE2 compound file with an EncryptionInfo stream.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
    with pytest.raises(spreadsheets.FileRejected, match="密码"):
        read(tmp_path, header + directory + b"\x00" * 1024, "locked.xlsx")


def test_it_refuses_an_empty_file_and_a_file_without_rows(tmp_path):
    with pytest.raises(spreadsheets.FileRejected, match="空"):
        read(tmp_path, b"", "empty.xlsx")
    with pytest.raises(spreadsheets.FileRejected, match="空"):
        read(tmp_path, xlsx_bytes([], header=[]), "blank.xlsx")
    with pytest.raises(spreadsheets.FileRejected, match="没有数据行"):
        read(tmp_path, xlsx_bytes([[None] * 5]), "header-only.xlsx")


def test_it_names_the_missing_headers(tmp_path):
    data = xlsx_bytes([["张三", ID, 1]], header=["姓名", "证件", "金额"])
    with pytest.raises(spreadsheets.FileRejected) as caught:
        read(tmp_path, data)
    assert (
        caught.value.message
        == "表头不正确，缺少以下列：身份证号、指标代码、发生日期（请使用本部门模板）"
    )


def test_it_refuses_a_file_over_the_size_limit(tmp_path, settings):
    settings.SPREADSHEET_MAX_BYTES = 1000
    with pytest.raises(spreadsheets.FileRejected, match="大小上限"):
        read(tmp_path, xlsx_bytes([["张三", ID, "YB01", 1, MAY]]))


def test_it_refuses_a_zip_bomb(tmp_path, settings):
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 10 * 1024 * 1024
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (30 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(spreadsheets.FileRejected, match="解压后过大"):
        read(tmp_path, bomb.getvalue())


def test_the_error_report_neutralises_formula_cells():
    cells = ['=HYPERLINK("http://x")', "-1+1", "@A1"]
    data = error_report(
        [{"row": 2, "position": "2", "column": "姓名", "value": cells[0], "reason": "r",
          "cells": cells}],
        title="=错误",
        header=spreadsheets.HEADER,
    )  # fmt: skip
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "'=错误"
    assert [c.value for c in sheet[3]][:5] == [
        "2", "姓名：r", '\'=HYPERLINK("http://x")', "'-1+1", "'@A1",
    ]  # fmt: skip
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_header_row_of_the_helpers_matches_the_template_columns():
    assert [c.label for c in spreadsheets.COLUMNS] == HEADER
