"""Department files as offices make them, through the real upload services (三(四)2).

Each file is stored by ``services.upload_create`` and ingested by ``services.upload_ingest``,
as the worker does. A file the reader cannot take is refused whole and writes nothing; a file
it can take is read on every sheet, every bad row is named with every reason, and the result
accounts for every row.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from openpyxl import load_workbook
from stdnum.cn import ric

from early_warnings import services
from early_warnings.downloads import error_report_response
from early_warnings.models import Clue, Upload, Warning, WarningIndicator
from early_warnings.spreadsheets import ONLY_EXAMPLE, department_template
from households.id_numbers import MSG_FLOAT, MSG_TRUNCATED, make_id_number, mask
from households.tests.factories import new_id_number
from suixi_monitor.spreadsheets import markup
from suixi_monitor.spreadsheets.native import too_large
from suixi_monitor.tests import (
    csv_text,
    cut_by_excel,
    ending_in_000,
    numeric_id_number,
    spreadsheetml,
    unicode_text,
    web_page_xls,
    workbook,
)

from .helpers import HEADER, ods_bytes, person, upload_rows

MAY_20 = datetime.date(2026, 5, 20)
NAME_IS_FORMULA = "姓名不能以 = + - @ 开头（疑为公式），请填写文字姓名"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def send(actor, name: str, data: bytes, *, period: str = "2026-05") -> Upload:
    return upload_rows(actor, [], period=period, name=name, data=data)


def report_lines(upload: Upload) -> list[list]:
    """The error report as the department downloads it, without its title line."""
    request = RequestFactory().get("/")
    request.user = upload.uploaded_by
    sheet = load_workbook(io.BytesIO(error_report_response(request, upload).content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def indicator_label(code: str) -> str:
    """How ``Upload.summary`` names an indicator: its code and its name."""
    return f"{code} {WarningIndicator.objects.get(code=code).name}"


def cells(*values) -> list[str]:
    """A row as the error report and ``Upload.errors`` show it: the template's 8 columns."""
    return [*values, *[""] * (len(HEADER) - len(values))]


# --- 1. the far-away cell ------------------------------------------------------------------------


def test_a_cell_at_XFD1048576_fails_the_upload_with_the_cells_limit_and_writes_nothing(world):
    zhang = person(world.a1, name="张三")
    data = workbook(
        {"预警信息": [HEADER, ["张三", zhang.id_number, "YB01", 12000, MAY_20]]},
        far_cell="XFD1048576",
    )
    result = send(world.frank, "5月预警信息.xlsx", data)
    assert result.status == Upload.Status.FAILED
    assert result.file_error == too_large(settings.SPREADSHEET_MAX_CELLS)
    assert f"{settings.SPREADSHEET_MAX_CELLS:,}个单元格" in result.file_error
    assert (result.rows_total, result.warnings_count, result.clues_count) == (0, 0, 0)
    assert not Warning.objects.exists() and not Clue.objects.exists()


def test_a_sheet_over_a_lowered_cells_limit_fails_and_one_at_it_is_ingested(world, settings):
    zhang = person(world.a1, name="张三")
    # The header and one row of the template's eight columns: 16 cells.
    data = workbook(
        {"预警信息": [HEADER, ["张三", zhang.id_number, "YB01", 12000, MAY_20, "", "", "住院"]]}
    )
    settings.SPREADSHEET_MAX_CELLS = 15
    refused = send(world.frank, "预警信息.xlsx", data)
    assert refused.status == Upload.Status.FAILED
    assert refused.file_error == f"工作表“预警信息”：{too_large(15)}"
    settings.SPREADSHEET_MAX_CELLS = 16
    read = send(world.frank, "预警信息.xlsx", data)
    assert (read.status, read.warnings_count) == (Upload.Status.DONE, 1)


# --- 2. numbers in the ID column -----------------------------------------------------------------


def test_ids_stored_as_numbers_are_row_errors_naming_the_digits_excel_lost(world):
    zhang = person(world.a1, name="张三", id_number=numeric_id_number())
    li = person(world.a2, name="李四")
    data = workbook(
        {
            "预警信息": [
                HEADER,
                ["张三", float(zhang.id_number), "YB01", 12000, MAY_20],
                ["李四", li.id_number, "YB01", 12000, MAY_20],
                ["王五", 3.40621196802030e17, "YB01", 12000, MAY_20],
            ]
        }
    )
    result = send(world.frank, "预警信息.xlsx", data)
    assert (result.rows_total, result.rows_error, result.warnings_count) == (3, 2, 1)
    assert [(e["position"], e["column"], e["value"], e["reason"]) for e in result.errors] == [
        ("2", "身份证号", f"{float(zhang.id_number):.15g}", MSG_FLOAT),
        ("4", "身份证号", "3.4062119680203e+17", MSG_FLOAT),
    ]
    assert "后几位已丢失" in MSG_FLOAT
    assert not Clue.objects.exists()


def test_an_id_cut_to_15_digits_and_000_is_a_row_error_not_a_clue(world):
    """A cut number that passes the checksum would be a person who does not exist, while the
    real member goes unwarned (三(四)2)."""
    _, cut = cut_by_excel(datetime.date(1970, 1, 1))
    data = csv_text([HEADER, ["王五", cut, "YB01", 30000, "2026-05-20"]])
    result = send(world.frank, "预警信息.csv", data)
    assert (result.rows_total, result.rows_error, result.clues_count) == (1, 1, 0)
    assert result.errors == [
        {
            "sheet": "",
            "row": 2,
            "position": "2",
            "column": "身份证号",
            "value": cut,
            "reason": "身份证号疑被Excel截断（末三位为000），请将该列设为文本格式后重新导出",
            "cells": cells("王五", cut, "YB01", "30000", "2026-05-20"),
        }
    ]
    assert not Clue.objects.exists() and not Warning.objects.exists()


def test_a_cut_id_names_the_registered_member_with_its_first_15_digits_and_name(world):
    real, cut = cut_by_excel(datetime.date(1971, 6, 1))
    person(world.a1, name="张三", id_number=real)
    data = csv_text([HEADER, ["张 三", cut, "YB01", 30000, "2026-05-20"]])
    result = send(world.frank, "预警信息.csv", data)
    assert [(e["position"], e["reason"]) for e in result.errors] == [
        ("2", f"{MSG_TRUNCATED}；台账中有同名且前15位相同的{mask(real)}，本行可能属于此人"),
    ]
    assert mask(real) == f"340621********{real[-4:]}"
    assert (result.rows_error, result.warnings_count, result.clues_count) == (1, 0, 0)
    other = send(world.frank, "预警信息.csv", data.replace("张 三".encode(), "张山".encode()))
    assert [e["reason"] for e in other.errors] == [MSG_TRUNCATED]  # another name: no owner


def twins_cut_by_excel(born: datetime.date) -> tuple[str, str, str]:
    """Twins: one birth date, order codes two apart, so one first 15 digits; and the cut
    form, passing the checksum, that both their numbers become in a numeric column."""
    for day in range(366):
        for sequence in range(0, 998, 2):
            first, second = (
                make_id_number(
                    region="340621", born=born + datetime.timedelta(days=day), sequence=s
                )
                for s in (sequence, sequence + 2)
            )
            cut = first[:15] + "000"
            if (
                first[:15] == second[:15]
                and "000" not in (first[-3:], second[-3:])
                and ric.is_valid(cut)
            ):
                return first, second, cut
    raise AssertionError("no such numbers")


def test_twins_cut_to_one_number_are_each_named_with_their_own_registered_number(world):
    first, second, cut = twins_cut_by_excel(datetime.date(2010, 3, 1))
    elder = person(world.a1, name="张大", id_number=first)
    person(world.a1, name="张二", id_number=second, household=elder.household)
    data = csv_text(
        [
            HEADER,
            ["张大", cut, "YB01", 30000, "2026-05-20"],
            ["张二", cut, "YB01", 30000, "2026-05-20"],
        ]
    )
    result = send(world.frank, "预警信息.csv", data)
    assert [(e["position"], e["reason"]) for e in result.errors] == [
        ("2", f"{MSG_TRUNCATED}；台账中有同名且前15位相同的{mask(first)}，本行可能属于此人"),
        ("3", f"{MSG_TRUNCATED}；台账中有同名且前15位相同的{mask(second)}，本行可能属于此人"),
    ]


def test_a_registered_id_that_really_ends_in_000_is_accepted(world):
    li = person(world.a1, name="李四", id_number=ending_in_000(datetime.date(1980, 1, 1)))
    result = send(
        world.frank,
        "预警信息.csv",
        csv_text([HEADER, ["李四", li.id_number, "YB01", 12000, "2026-05-20"]]),
    )
    assert li.id_number.endswith("000")
    assert (result.rows_error, result.warnings_count) == (0, 1)
    assert Warning.objects.get().member == li


# --- 3. CSV and text as Excel, WPS and county systems save them ----------------------------------

TEXT_FORMS = {
    "GB 18030 CSV": ("预警信息.csv", lambda rows: csv_text(rows, encoding="gb18030")),
    "keep-as-text CSV": ("预警信息.csv", lambda rows: csv_text(rows, keep_as_text=[1])),
    "Unicode text": ("预警信息.txt", unicode_text),
    "Unicode text named xls": ("系统导出.xls", unicode_text),
}


@pytest.mark.parametrize("form", TEXT_FORMS)
def test_text_files_as_offices_save_them_make_warnings_and_clues(world, form):
    name, build = TEXT_FORMS[form]
    liu = person(world.a1, name="刘䶮")
    abdu = person(world.b1, name="阿卜杜·热合曼")
    outsider = new_id_number(datetime.date(1982, 4, 4))
    rows = [
        HEADER,
        ["刘䶮", liu.id_number, "YB01", "12000", "2026-05-20"],
        ["阿卜杜·热合曼", abdu.id_number, "YB02", "60,000.00", "46162"],  # a day number as text
        ["王五", outsider, "YB01", "30000", "2026/5/20", "乙镇", "乙一村", "住院"],
    ]
    result = send(world.frank, name, build(rows))
    assert result.status == Upload.Status.DONE, result.file_error
    assert result.errors == []
    assert (result.rows_total, result.warnings_count, result.clues_count) == (3, 2, 1)
    assert set(Warning.objects.values_list("member_id", "occurred_on")) == {
        (liu.pk, MAY_20),
        (abdu.pk, MAY_20),
    }
    clue = Clue.objects.get()
    assert (clue.id_number, clue.town, clue.village) == (outsider, world.town_b, world.b1)


def test_a_day_number_written_as_text_is_the_day_a_date_cell_holds(world):
    """A CSV saved from a date column not formatted as a date carries Excel's day number:
    46162 is 2026-05-20, as in the workbook it came from."""
    zhang = person(world.a1, name="张三")
    li = person(world.a1, name="李四")
    send(
        world.frank,
        "预警信息.xlsx",
        workbook({"预警信息": [HEADER, ["张三", zhang.id_number, "YB01", 12000, MAY_20]]}),
    )
    send(
        world.frank,
        "预警信息.csv",
        csv_text([HEADER, ["李四", li.id_number, "YB01", "12000", "46162"]]),
    )
    days = dict(Warning.objects.values_list("member_id", "occurred_on"))
    assert days == {zhang.pk: MAY_20, li.pk: MAY_20}


# --- 4. several sheets ---------------------------------------------------------------------------


def test_every_sheet_with_the_headers_is_read_errors_name_their_sheet_and_the_rest_is_named(world):
    towns = [person(world.a1, name=f"城{n}") for n in range(2)]
    outsiders = [new_id_number(datetime.date(1983, 3, 3)) for _ in range(10)]
    bad = outsiders[0][:17] + ("0" if outsiders[0][17] != "0" else "1")  # one digit mistyped
    data = workbook(
        {
            "说明": [["2026年5月预警信息填报说明"], ["城镇、农村人员分表填报"]],
            "城镇": [HEADER] + [[m.name, m.id_number, "YB01", 12000, MAY_20] for m in towns],
            "农村": [HEADER]
            + [[f"乡{n}", number, "YB01", 30000, MAY_20] for n, number in enumerate(outsiders)]
            + [["乡十", bad, "YB01", 30000, MAY_20]],
        }
    )
    result = send(world.frank, "预警信息.xlsx", data)
    assert (result.rows_total, result.rows_error) == (13, 1)
    assert (result.warnings_count, result.clues_count) == (2, 10)
    assert result.summary["skipped_sheets"] == ["说明"]
    [error] = result.errors
    assert (error["sheet"], error["row"], error["position"]) == ("农村", 12, "农村!12")
    assert report_lines(result) == [
        ["位置", "错误原因", *HEADER],
        ["农村!12", "身份证号：身份证号校验位不正确，请核对每一位数字", "乡十", bad, "YB01",
         "30000", "2026-05-20", None, None, None],
    ]  # fmt: skip


# --- 5. "xls" files that are web pages or Excel 2003 XML -----------------------------------------


def test_a_web_page_xls_with_spans_makes_its_warnings_and_clues(world):
    zhang = person(world.a1, name="张三")
    outsider = new_id_number(datetime.date(1984, 8, 8))
    page = f"""<table border="1">
<tr><td colspan="9">2026年5月医保局防返贫预警信息表</td></tr>
<tr><td rowspan="2">序号</td><td colspan="2">人员信息</td><td colspan="3">预警内容</td>
<td rowspan="2">镇（园区）</td><td rowspan="2">村（社区）</td><td rowspan="2">备注</td></tr>
<tr><td>姓名</td><td>身份证号</td><td>指标代码</td><td>数值</td><td>发生日期</td></tr>
<tr><td>1</td><td>王五</td><td>{outsider}</td><td>YB01</td><td>30,000.00</td>
<td>2026-05-20</td><td rowspan="2">乙镇</td><td>乙一村</td><td>住院</td></tr>
<tr><td>2</td><td>张三</td><td>{zhang.id_number}</td><td>YB01</td><td>12000</td>
<td>2026-05-21</td><td>甲一村</td><td>&nbsp;</td></tr>
</table>"""
    result = send(world.frank, "医保局预警信息.xls", web_page_xls(page, encoding="gbk"))
    assert result.status == Upload.Status.DONE, result.file_error
    assert (result.rows_total, result.rows_error) == (2, 0)
    assert Warning.objects.get().member == zhang
    clue = Clue.objects.get()
    assert (clue.name, clue.row_number, clue.town, clue.village, clue.value) == (
        "王五", 4, world.town_b, world.b1, Decimal("30000.00"),
    )  # fmt: skip


def test_an_excel_2003_xml_xls_is_read_on_every_sheet_with_its_index_skips(world):
    zhang = person(world.a1, name="张三")
    li = person(world.b1, name="李四")
    data = spreadsheetml(
        {
            "城镇": [HEADER, ["张三", zhang.id_number, "YB01", 12000, MAY_20, None, None, "门诊"]],
            "农村": [
                HEADER,
                ["李四", li.id_number, "YB02", 60000.5, MAY_20],
                ["赵六", li.id_number, "YB01", None, MAY_20],  # no amount: the next cell skips
            ],
        }
    )
    assert '<Cell ss:Index="8"><Data ss:Type="String">门诊'.encode() in data
    result = send(world.frank, "系统导出.xls", data)
    assert result.status == Upload.Status.DONE, result.file_error
    assert (result.rows_total, result.warnings_count) == (3, 2)
    assert [(e["position"], e["column"], e["reason"]) for e in result.errors] == [
        ("农村!3", "数值", "指标“本年个人自付医疗费用”按数值预警，数值不能为空"),
    ]
    assert Warning.objects.get(member=zhang).note == "门诊"
    assert Warning.objects.get(member=li).value == Decimal("60000.50")


REFUSED_WHOLE = {
    "a web page without a table": (
        web_page_xls("<p>查询结果：本月无数据</p>"),
        markup.UNREADABLE[markup.HTML],
    ),
    "2003 XML cut off in the download": (
        spreadsheetml({"Sheet1": [HEADER, ["张三", "340621196802030178", "YB01", 1, MAY_20]]})[
            :-200
        ],
        markup.UNREADABLE[markup.XML],
    ),
    "2003 XML with a cell far away": (
        spreadsheetml({"Sheet1": [HEADER]}).replace(
            b"</Row></Table>",
            b'</Row><Row ss:Index="1048576"><Cell ss:Index="16384"><Data ss:Type="String">'
            b"x</Data></Cell></Row></Table>",
        ),
        too_large(settings.SPREADSHEET_MAX_CELLS),
    ),
    "2003 XML with entity declarations": (
        spreadsheetml(
            {"Sheet1": [HEADER]},
            declaration='<!DOCTYPE Workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>',
        ),
        markup.UNREADABLE[markup.XML],
    ),
}


@pytest.mark.parametrize("case", REFUSED_WHOLE)
def test_a_broken_web_page_or_xml_xls_fails_the_upload_naming_what_it_is(world, case):
    data, message = REFUSED_WHOLE[case]
    result = send(world.frank, "系统导出.xls", data)
    assert (result.status, result.file_error) == (Upload.Status.FAILED, message)
    assert "不是电子表格" not in result.file_error
    assert not Warning.objects.exists() and not Clue.objects.exists()


# --- 6. names ------------------------------------------------------------------------------------


def test_a_name_that_is_a_number_or_starts_like_a_formula_is_a_row_error_and_holds_no_slot(world):
    """After the department corrects the names and sends the rows again, each makes its clue:
    a refused row held nothing (三(五)3)."""
    abdu = person(world.a1, name="阿卜杜·热合曼")
    junk = [2.0, "=1+1", "+86", "@x", "-1"]  # 2.0: what =1+1 leaves in the cell
    ids = [new_id_number(datetime.date(1985, 5, 5)) for _ in junk]
    liu = new_id_number(datetime.date(1986, 6, 6))
    rows = [[name, number, "YB01", 30000, MAY_20] for name, number in zip(junk, ids, strict=True)]
    rows += [
        ["刘䶮", liu, "YB01", 30000, MAY_20],
        ["阿卜杜·热合曼", abdu.id_number, "YB01", 12000, MAY_20],
    ]
    first = send(world.frank, "预警信息.xlsx", workbook({"预警信息": [HEADER, *rows]}))
    assert [(e["position"], e["column"], e["value"], e["reason"]) for e in first.errors] == [
        ("2", "姓名", "2", "姓名不能是数字、日期或公式结果，请填写文字姓名"),
        ("3", "姓名", "=1+1", NAME_IS_FORMULA),
        ("4", "姓名", "+86", NAME_IS_FORMULA),
        ("5", "姓名", "@x", NAME_IS_FORMULA),
        ("6", "姓名", "-1", NAME_IS_FORMULA),
    ]
    assert (first.rows_error, first.clues_count, first.warnings_count) == (5, 1, 1)
    assert report_lines(first)[2][2] == "'=1+1"  # the report never runs the cell
    corrected = [[f"王{n}", number, "YB01", 30000, MAY_20] for n, number in enumerate(ids)]
    again = send(world.frank, "预警信息-改正.xlsx", workbook({"预警信息": [HEADER, *corrected]}))
    assert (again.rows_error, again.clues_count) == (0, 5)
    assert set(Clue.objects.values_list("name", "id_number")) == {
        ("刘䶮", liu),
        *((f"王{n}", number) for n, number in enumerate(ids)),
    }


def test_a_row_refused_for_its_name_does_not_hold_the_slot_of_the_same_persons_next_row(world):
    zhang = person(world.a1, name="张三")
    rows = [
        ["张山", zhang.id_number, "YB01", 12000, MAY_20],  # mistyped: not the registry's name
        ["张三", zhang.id_number, "YB01", 13000, MAY_20],
    ]
    result = send(world.frank, "预警信息.xlsx", workbook({"预警信息": [HEADER, *rows]}))
    assert (result.rows_error, result.summary["repeated"]) == (1, 0)
    assert result.warnings_count == 1


# --- 7. the template as downloaded ---------------------------------------------------------------


def test_the_untouched_template_is_refused_as_having_only_the_example_row(world):
    department = world.frank.department
    data = department_template(
        department=department,
        indicators=list(WarningIndicator.objects.filter(department=department, active=True)),
        example_id=services.sample_id_number(),
    )
    result = send(world.frank, "预警信息模板-医保局.xlsx", data)
    assert (result.status, result.file_error) == (Upload.Status.FAILED, ONLY_EXAMPLE)
    assert ONLY_EXAMPLE == "文件中只有示例行，没有数据"
    assert not Clue.objects.exists()


def test_a_filled_in_template_reads_its_data_sheet_alone_and_names_no_skipped_sheet(world):
    """The template's own guide sheet is never data and never "not read"; with one data sheet
    the rows are named by number alone, as the department sees them. A person typed over the
    example row, whose note still says 示例行, is read: only the example's own ID is skipped."""
    zhang = person(world.a1, name="张三")
    department = world.frank.department
    template = load_workbook(
        io.BytesIO(
            department_template(
                department=department,
                indicators=list(WarningIndicator.objects.filter(department=department)),
                example_id=services.sample_id_number(),
            )
        )
    )
    sheet = template["预警信息"]
    typed = [
        ["张三", zhang.id_number, "YB01", 12000, MAY_20, None, None, None],
        ["李四", "1", "YB01", 12000, MAY_20, None, None, None],
    ]  # over the example row
    for row, values in enumerate(typed, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    template.save(buffer)
    result = send(world.frank, "预警信息-医保局.xlsx", buffer.getvalue())
    assert (result.status, result.warnings_count, result.rows_error) == ("done", 1, 1)
    assert result.summary["skipped_sheets"] == []
    assert [error["position"] for error in result.errors] == ["3"]


# --- 8. every error of a row ---------------------------------------------------------------------


def test_every_error_of_a_row_is_reported_on_one_line_with_the_rows_cells(world):
    data = workbook(
        {
            "预警信息": [
                HEADER,
                ["张三", "34062119680203001", "ZZ99", 12000, "2026-13-01", "甲镇", "", "复查"],
            ]
        }
    )
    result = send(world.frank, "预警信息.xlsx", data)
    assert (result.rows_total, result.rows_error) == (1, 1)
    assert [(e["column"], e["value"]) for e in result.errors] == [
        ("身份证号", "34062119680203001"),
        ("指标代码", "ZZ99"),
        ("发生日期", "2026-13-01"),
    ]
    assert report_lines(result) == [
        ["位置", "错误原因", *HEADER],
        [
            "2",
            "身份证号：身份证号应为18位（前17位为数字，最后一位为数字或X），当前为17位；"
            "指标代码：指标代码“ZZ99”不是本部门的启用指标（可用：YB01、YB02）；"
            "发生日期：日期无法识别，请填写如 2026-05-20 的日期",
            "张三", "34062119680203001", "ZZ99", "12000", "2026-13-01", "甲镇", None, "复查",
        ],
    ]  # fmt: skip


# --- 9. the result accounts for every row --------------------------------------------------------


def test_the_result_accounts_for_every_row_of_a_mixed_file(world):
    """rows = errors + warnings + clues + under the rule + repeats + written before."""
    written, new, under, under_too, severe_under, misnamed = (
        person(world.a1, name=name) for name in ("甲", "乙", "丙", "丁", "戊", "己")
    )
    outsider = new_id_number(datetime.date(1987, 7, 7))
    send(
        world.frank,
        "第一批.xlsx",
        workbook({"预警信息": [HEADER, ["甲", written.id_number, "YB01", 12000, MAY_20]]}),
    )
    rows = [
        ["甲", written.id_number, "YB01", 12000, MAY_20],  # written by the first file
        ["乙", new.id_number, "YB01", 12000, MAY_20],  # a warning
        ["乙", new.id_number, "YB01", 13000, MAY_20],  # a repeat
        ["丙", under.id_number, "YB01", 5000, MAY_20],  # under YB01's 10,000
        ["丁", under_too.id_number, "YB01", 9999.99, MAY_20],
        ["戊", severe_under.id_number, "YB02", 20000, MAY_20],  # under YB02's 50,000
        ["外来", outsider, "YB01", 30000, MAY_20],  # a clue
        ["外来", outsider, "YB01", 31000, MAY_20],  # a repeat of the clue
        ["庚", "34062119680203001", "YB01", 12000, MAY_20],  # an error
        ["已", misnamed.id_number, "YB01", 12000, MAY_20],  # an error: 己 in the registry
    ]
    data = workbook({"预警信息": [HEADER, *rows]})
    result = send(world.frank, "第二批.xlsx", data)
    below = {indicator_label("YB01"): 2, indicator_label("YB02"): 1}
    assert below == {"YB01 本年个人自付医疗费用": 2, "YB02 本年个人自付医疗费用（高额）": 1}
    assert result.summary == {
        "skipped_sheets": [],
        "below_rule": below,
        "repeated": 2,
        "already_written": 1,
    }
    assert (result.rows_total, result.rows_error, result.warnings_count, result.clues_count) == (
        10, 2, 1, 1,
    )  # fmt: skip
    assert [e["position"] for e in result.errors] == ["10", "11"]

    def accounted(upload: Upload) -> int:
        summary = upload.summary
        return (
            upload.rows_error + upload.warnings_count + upload.clues_count
            + sum(summary["below_rule"].values()) + summary["repeated"]
            + summary["already_written"]
        )  # fmt: skip

    assert accounted(result) == result.rows_total == 10
    again = send(world.frank, "第二批.xlsx", data)
    assert (again.warnings_count, again.clues_count) == (0, 0)
    assert again.summary["already_written"] == 3  # 甲, 乙 and the clue
    assert accounted(again) == again.rows_total == 10


# --- 10. LibreOffice and WPS saves ---------------------------------------------------------------


def test_an_ods_saved_by_libreoffice_makes_its_warnings(world):
    zhang = person(world.a1, name="张三")
    rows = [
        ["张三 ", zhang.id_number.lower(), "YB01", 12000, MAY_20],
        ["李四", "1", "YB01", 1, MAY_20],
    ]
    result = send(world.frank, "预警信息.ods", ods_bytes(rows))
    assert (result.rows_total, result.rows_error, result.warnings_count) == (2, 1, 1)
    assert result.errors[0]["position"] == "3"


# Saved by LibreOffice Calc as "Excel 97–2003" (BIFF8) from a two-sheet workbook: 城镇 with
# 张三, 农村 with 李四 twice, the first time with the ID stored as a number. Kept as a file:
# no office suite is needed to run the tests.
LIBREOFFICE_XLS = Path(__file__).parent / "files" / "libreoffice-biff8.xls"


def test_a_binary_xls_saved_by_libreoffice_makes_its_warnings(world):
    person(world.a1, name="张三", id_number="340621196802030173")
    person(world.a1, name="李四", id_number="340621197207090256")
    data = LIBREOFFICE_XLS.read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    result = send(world.frank, "预警信息.xls", data)
    assert (result.status, result.rows_total, result.warnings_count) == (Upload.Status.DONE, 3, 2)
    assert [(error["position"], error["reason"]) for error in result.errors] == [
        ("农村!2", MSG_FLOAT)
    ]
