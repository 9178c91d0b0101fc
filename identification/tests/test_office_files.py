"""Comparison data sets (三(七)4) as departments' offices make them.

A data set is read by ``read_dataset`` through the project's one reader; every row is
checked before anything is written, and a file the reader cannot take is refused whole.
The service (``dataset_upload_create``, then ``dataset_upload_ingest`` in the worker) refuses
the IDs that Excel cut to 15 digits and 000 too, and writes the data set all or nothing.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from openpyxl import load_workbook

from households.id_numbers import MSG_FLOAT, MSG_TRUNCATED, mask
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from identification.downloads import dataset_errors_response
from identification.models import ComparisonDataset, DatasetUpload
from identification.services import dataset_upload_create, dataset_upload_ingest
from identification.spreadsheets import FileRejected, read_dataset
from suixi_monitor.spreadsheets import markup
from suixi_monitor.spreadsheets.native import too_large
from suixi_monitor.tests import (
    csv_text,
    cut_by_excel,
    numeric_id_number,
    spreadsheetml,
    unicode_text,
    web_page_xls,
    workbook,
)

HEADER = ["身份证号", "姓名", "车牌号", "登记日期"]
NAME_IS_FORMULA = "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"


def read(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return read_dataset(path, name)


def test_a_cell_at_XFD1048576_refuses_the_data_set_by_the_cells_limit(tmp_path):
    data = workbook(
        {"车辆": [HEADER, [new_id_number(), "张三", "皖F12345"]]}, far_cell="XFD1048576"
    )
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, "车辆.xlsx", data)
    assert refused.value.message == too_large(settings.SPREADSHEET_MAX_CELLS)


def test_ids_stored_as_numbers_are_row_errors_naming_the_digits_excel_lost(tmp_path):
    good, lost = new_id_number(), numeric_id_number()
    data = workbook(
        {"车辆": [HEADER, [good, "张三", "皖F12345"], [float(lost), "李四", "皖F54321"]]}
    )
    result = read(tmp_path, "车辆.xlsx", data)
    assert [(r.row_number, r.id_number) for r in result.rows] == [(2, good)]
    assert [(e.position, e.column, e.value, e.reason) for e in result.errors] == [
        ("3", "身份证号", f"{float(lost):.15g}", MSG_FLOAT),
    ]


TEXT_FORMS = {
    "GB 18030 CSV": ("车辆.csv", lambda rows: csv_text(rows, encoding="gb18030")),
    "keep-as-text CSV": ("车辆.csv", lambda rows: csv_text(rows, keep_as_text=[0])),
    "Unicode text": ("车辆.txt", unicode_text),
    "Unicode text named xls": ("车辆.xls", unicode_text),
}


@pytest.mark.parametrize("form", TEXT_FORMS)
def test_text_files_as_offices_save_them_are_read_with_their_other_columns_as_the_detail(
    tmp_path, form
):
    name, build = TEXT_FORMS[form]
    first, second = new_id_number(), new_id_number()
    rows = [
        HEADER,
        [first, "刘䶮", "皖F12345", "2024-03-01"],
        [second, "阿卜杜·热合曼", "皖FD6789"],
    ]
    result = read(tmp_path, name, build(rows))
    assert result.errors == []
    assert [(r.row_number, r.id_number, r.name, r.detail) for r in result.rows] == [
        (2, first, "刘䶮", "车牌号：皖F12345；登记日期：2024-03-01"),
        (3, second, "阿卜杜·热合曼", "车牌号：皖FD6789"),
    ]


def test_every_sheet_with_an_id_column_is_read_and_errors_name_their_sheet(tmp_path):
    town = [new_id_number() for _ in range(2)]
    country = [new_id_number() for _ in range(10)]
    data = workbook(
        {
            "说明": [["车辆登记信息（截至2026年5月）"], ["城镇、农村分表"]],
            "城镇": [HEADER] + [[n, f"城{i}", f"皖F1000{i}"] for i, n in enumerate(town)],
            "农村": [HEADER]
            + [[n, f"乡{i}", f"皖F2000{i}"] for i, n in enumerate(country)]
            + [[country[0][:17], "乡十", "皖F20010"]],
        }
    )
    result = read(tmp_path, "车辆.xlsx", data)
    assert result.skipped == ["说明"]
    assert (result.counted, result.error_rows) == (13, 1)
    assert [(r.sheet, r.row_number) for r in result.rows] == [
        *(("城镇", n) for n in (2, 3)),
        *(("农村", n) for n in range(2, 12)),
    ]
    [error] = result.errors
    assert (error.position, error.column) == ("农村!12", "身份证号")
    assert error.as_dict()["cells"] == [country[0][:17], "乡十", "皖F20010", ""]


def test_a_web_page_and_a_2003_xml_named_xls_are_read(tmp_path):
    first, second = new_id_number(), new_id_number()
    page = f"""<table border="1">
<tr><td colspan="3">濉溪县车辆登记信息</td></tr>
<tr><td>身份证号</td><td>姓名</td><td>车牌号</td></tr>
<tr><td>{first}</td><td rowspan="2">刘䶮</td><td>皖F12345</td></tr>
<tr><td>{second}</td><td>皖F54321</td></tr>
</table>"""
    result = read(tmp_path, "车辆.xls", web_page_xls(page, encoding="gb18030"))
    # The merged name belongs to the first row, as in Excel; the second row has none.
    assert [(r.row_number, r.id_number, r.name, r.detail) for r in result.rows] == [
        (3, first, "刘䶮", "车牌号：皖F12345"),
        (4, second, "", "车牌号：皖F54321"),
    ]
    xml = spreadsheetml(
        {
            "城镇": [HEADER, [first, None, "皖F12345"]],
            "农村": [HEADER, [second, "李四", None, datetime.date(2024, 3, 1)]],
        }
    )
    result = read(tmp_path, "导出.xls", xml)
    assert [(r.sheet, r.id_number, r.name, r.detail) for r in result.rows] == [
        ("城镇", first, "", "车牌号：皖F12345"),
        ("农村", second, "李四", "登记日期：2024-03-01"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (web_page_xls("<p>查询结果：无</p>"), markup.UNREADABLE[markup.HTML]),
        (spreadsheetml({"车辆": [HEADER]})[:-150], markup.UNREADABLE[markup.XML]),
        (
            spreadsheetml({"车辆": [HEADER]}, declaration='<!DOCTYPE Workbook [<!ENTITY a "a">]>'),
            markup.UNREADABLE[markup.XML],
        ),
    ],
    ids=["web page without a table", "XML cut off", "XML with an entity"],
)
def test_a_broken_web_page_or_xml_xls_is_refused_naming_what_it_is(tmp_path, data, message):
    with pytest.raises(FileRejected) as refused:
        read(tmp_path, "车辆.xls", data)
    assert refused.value.message == message


def test_a_name_that_is_a_number_or_starts_like_a_formula_is_a_row_error(tmp_path):
    junk = [2.0, "=1+1", "+86", "@x", "-1"]
    numbers = [new_id_number() for _ in range(len(junk) + 2)]
    rows = [[n, name, "皖F12345"] for n, name in zip(numbers, junk, strict=False)]
    rows += [[numbers[-2], "刘䶮", "皖F1"], [numbers[-1], "阿卜杜·热合曼", "皖F2"]]
    result = read(tmp_path, "车辆.xlsx", workbook({"车辆": [HEADER, *rows]}))
    assert [(e.row, e.column, e.value, e.reason) for e in result.errors] == [
        (2, "姓名", "2", "姓名不能是数字、日期或公式结果，请填写文字姓名"),
        (3, "姓名", "=1+1", NAME_IS_FORMULA),
        (4, "姓名", "+86", NAME_IS_FORMULA),
        (5, "姓名", "@x", NAME_IS_FORMULA),
        (6, "姓名", "-1", NAME_IS_FORMULA),
    ]
    assert [r.name for r in result.rows] == ["刘䶮", "阿卜杜·热合曼"]


def test_every_error_of_a_row_is_reported_with_the_rows_cells(tmp_path):
    data = csv_text([HEADER, ["34062119680203001", "=1+1", "皖F12345", "2024-03-01"]])
    result = read(tmp_path, "车辆.csv", data)
    assert result.rows == []
    assert [(e.position, e.column, e.reason) for e in result.errors] == [
        ("2", "身份证号", "身份证号应为18位（前17位为数字，最后一位为数字或X），当前为17位"),
        ("2", "姓名", NAME_IS_FORMULA),
    ]
    assert {tuple(e.as_dict()["cells"]) for e in result.errors} == {
        ("34062119680203001", "=1+1", "皖F12345", "2024-03-01")
    }


# --- through the service -------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def send(actor, name: str, content: bytes) -> DatasetUpload:
    """Store the file as the upload page does and read it in this process, as the worker does."""
    upload, created = dataset_upload_create(
        actor=actor,
        kind="vehicle",
        as_of=datetime.date(2026, 5, 31),
        file=SimpleUploadedFile(name, content),
    )
    assert created
    return dataset_upload_ingest(upload_id=upload.pk)


def report_lines(upload: DatasetUpload) -> list[list]:
    request = RequestFactory().get("/")
    request.user = upload.uploaded_by
    sheet = load_workbook(io.BytesIO(dataset_errors_response(request, upload).content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]


def test_a_data_set_with_an_id_cut_by_excel_is_refused_naming_the_likely_member(world, media):
    """三(七)4: a comparison hit must be about a real member, so a number Excel cut is the
    row's error, with the registered member whose first 15 digits and name it shares; the
    file is written all or nothing."""
    real, cut = cut_by_excel(datetime.date(1972, 2, 2))
    household = HouseholdFactory(village=world.a1, head_name="张三")
    MemberFactory(household=household, name="张三", id_number=real)
    other = new_id_number()
    content = csv_text(
        [HEADER, [other, "李四", "皖F1"], [cut, "张三", "皖F2", "2024-03-01"]], encoding="gbk"
    )
    result = send(world.frank, "车辆.csv", content)
    assert result.status == DatasetUpload.Status.FAILED
    assert result.file_error.startswith("1行有错误，未导入任何数据")
    assert (result.rows_total, result.rows_error) == (2, 1)
    reason = f"{MSG_TRUNCATED}；台账中有同名且前15位相同的{mask(real)}，本行可能属于此人"
    assert [(e["position"], e["column"], e["value"], e["reason"]) for e in result.errors] == [
        ("3", "身份证号", cut, reason)
    ]
    assert report_lines(result) == [["3", f"身份证号：{reason}", cut, "张三", "皖F2", "2024-03-01"]]
    assert not ComparisonDataset.objects.exists()


def test_a_data_set_in_2003_xml_over_two_sheets_is_written_whole(world, media):
    numbers = [new_id_number() for _ in range(3)]
    content = spreadsheetml(
        {
            "说明": [["本表由车辆管理系统导出"]],
            "城镇": [HEADER, [numbers[0], "张三", "皖F1"]],
            "农村": [HEADER, [numbers[1], "李四", "皖F2"], [numbers[2], "王五", "皖F3"]],
        }
    )
    result = send(world.frank, "车辆.xls", content)
    assert result.status == DatasetUpload.Status.DONE, result.file_error
    assert result.summary["skipped_sheets"] == ["说明"]
    dataset = result.dataset
    assert dataset.row_count == 3 and dataset.department == world.frank.department
    assert sorted(dataset.records.values_list("id_number", "row_number", "detail")) == sorted(
        [
            (numbers[0], 2, "车牌号：皖F1"),
            (numbers[1], 2, "车牌号：皖F2"),
            (numbers[2], 3, "车牌号：皖F3"),
        ]
    )
