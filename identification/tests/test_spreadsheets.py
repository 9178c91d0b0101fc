"""Comparison data set reading and notice writing, cell by cell."""

import io

import pytest
from openpyxl import load_workbook

from households.tests.factories import new_id_number
from identification.spreadsheets import FileProblem, neutralise, notice_workbook
from identification.spreadsheets import read_dataset as read_stored


@pytest.fixture
def read_dataset(tmp_path):
    """The reader on a stored file, as the worker calls it."""

    def read(content: bytes, file_name: str):
        path = tmp_path / "stored"
        path.write_bytes(content)
        return read_stored(path, file_name)

    return read


def test_a_gbk_csv_is_read_with_the_other_columns_as_the_detail(read_dataset):
    number = new_id_number()
    content = f"姓名,身份证号,房产坐落,面积\n张三,{number[:6]} {number[6:].lower()},濉溪县城关镇某小区,98\n".encode(
        "gb18030"
    )
    rows, errors = read_dataset(content, "住房.csv")
    assert errors == []
    assert [(r.row_number, r.id_number, r.name, r.detail) for r in rows] == [
        (2, number, "张三", "房产坐落：濉溪县城关镇某小区；面积：98")
    ]


def test_every_bad_row_is_named_and_duplicates_are_one_record(read_dataset):
    number = new_id_number()
    content = "\n".join(
        ["身份证号,说明", f"{number},轿车", f"{number},轿车", "340621199001011235,货车", ",空号"]
    ).encode()
    rows, errors = read_dataset(content, "车辆.csv")
    assert len(rows) == 1
    assert [(e.row, e.column) for e in errors] == [(4, "身份证号"), (5, "身份证号")]
    assert "校验位" in errors[0].reason


def test_a_file_without_an_id_column_is_refused_whole(read_dataset):
    with pytest.raises(FileProblem, match="身份证号"):
        read_dataset("姓名,车牌\n张三,皖F1\n".encode(), "车辆.csv")


def test_a_file_that_is_not_a_spreadsheet_is_refused(read_dataset):
    with pytest.raises(FileProblem):
        read_dataset(b"PK\x03\x04 not really", "车辆.xlsx")
    with pytest.raises(FileProblem):
        read_dataset(b"hello", "车辆.pdf")


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)"])
def test_cells_that_start_like_a_formula_are_written_as_text(value):
    assert neutralise(value) == "'" + value
    sheet = load_workbook(
        io.BytesIO(notice_workbook(title="t", subtitle="s", headers=["a"], rows=[[value]]))
    ).active
    assert sheet.cell(4, 1).value == "'" + value
    assert sheet.cell(4, 1).data_type == "s"


def test_an_oversized_file_is_refused_before_reading(monkeypatch, read_dataset):
    from identification import spreadsheets

    monkeypatch.setattr(spreadsheets, "MAX_BYTES", 10)
    with pytest.raises(FileProblem, match="MB"):
        read_dataset(b"x" * 11, "a.csv")
