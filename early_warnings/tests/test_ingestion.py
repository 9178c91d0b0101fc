"""From a department's file to warnings and clues (三(四)2 技防, 三(四)3 协防, 三(五)3)."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from early_warnings import services, spreadsheets
from early_warnings.models import Clue, Priority, Upload, Warning
from households.tests.factories import new_id_number
from organization.models import Role
from organization.tests.factories import UserFactory, department

from .helpers import person, xlsx_bytes

MAY = datetime.date(2026, 5, 20)
OUTSIDER_1 = new_id_number(datetime.date(1980, 1, 1))  # valid, never registered
OUTSIDER_2 = new_id_number(datetime.date(1975, 1, 1))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(actor, rows, *, period="2026-05", name="yibao.xlsx", data=None) -> Upload:
    file = SimpleUploadedFile(name, data if data is not None else xlsx_bytes(rows))
    created = services.upload_create(actor=actor, period=period, file=file)
    return services.upload_ingest(upload_id=created.pk)


def test_it_turns_rows_over_the_rule_into_warnings_and_clues(world):
    zhang = person(world.a1, name="张三")
    li = person(world.b1, name="李四")
    poor = person(world.a2, name="赵六")
    rows = [
        ["张三", zhang.id_number, "YB01", 12000, MAY],
        ["李四 ", li.id_number.lower(), "YB01", 10000, MAY],
        ["赵六", poor.id_number, "YB01", 9999.99, MAY],  # under the threshold: no warning
        ["王五", OUTSIDER_1, "YB01", 30000, MAY, "乙镇", "乙一村"],
        ["钱七", OUTSIDER_2, "YB01", 30000, MAY],
    ]
    result = upload(world.frank, rows)
    assert result.status == Upload.Status.DONE, result.file_error
    assert (result.rows_total, result.rows_valid, result.rows_error) == (5, 5, 0)
    assert (result.warnings_count, result.clues_count) == (2, 2)
    warnings = {w.member_id: w for w in Warning.objects.all()}
    assert set(warnings) == {zhang.pk, li.pk}
    assert warnings[zhang.pk].town == world.town_a and warnings[zhang.pk].village == world.a1
    assert warnings[li.pk].household_id == li.household_id and warnings[li.pk].period == "2026-05"
    clues = {c.name: c for c in Clue.objects.all()}
    assert (clues["王五"].town, clues["王五"].village) == (world.town_b, world.b1)
    assert clues["钱七"].town is None  # 三(五)3: no town named, the county bureau checks it
    assert all(c.source == Clue.Source.DEPARTMENT for c in clues.values())


def test_it_refuses_a_row_whose_name_differs_from_the_registry(world):
    zhang = person(world.a1, name="张三")
    result = upload(world.frank, [["张山", zhang.id_number, "YB01", 12000, MAY]])
    assert result.warnings_count == 0 and result.rows_error == 1
    assert result.errors == [
        {
            "sheet": "",
            "row": 2,
            "position": "2",
            "column": "姓名",
            "value": "张山",
            "reason": "姓名与台账中该身份证号登记的姓名不一致，请核对",
            # The row as the department sent it, in the template's columns, for the report.
            "cells": ["张山", zhang.id_number, "YB01", "12000", MAY.isoformat(), "", "", ""],
        }
    ]


def test_the_same_file_twice_creates_nothing_new(world):
    zhang = person(world.a1, name="张三")
    rows = [["张三", zhang.id_number, "YB01", 12000, MAY], ["无名", OUTSIDER_2, "YB01", 2e4, MAY]]
    first = upload(world.frank, rows)
    second = upload(world.frank, rows)
    assert (first.warnings_count, first.clues_count) == (1, 1)
    assert (second.warnings_count, second.clues_count) == (0, 0)
    assert Warning.objects.count() == 1 and Clue.objects.count() == 1


def test_ids_the_validator_cleans_are_matched_too(world):
    """Matched by the ID the validator makes of the cell (full-width digits, spaces inside)."""
    zhang = person(world.a1, name="张三")
    li = person(world.a2, name="李四")
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in zhang.id_number)
    spaced = f"{li.id_number[:6]} {li.id_number[6:14]} {li.id_number[14:]}"
    result = upload(
        world.frank,
        [["张三", wide, "YB01", 12000, MAY], ["李四", spaced, "YB01", 12000, MAY]],
    )
    assert (result.warnings_count, result.clues_count, result.rows_error) == (2, 0, 0)
    assert set(Warning.objects.values_list("member_id", flat=True)) == {zhang.pk, li.pk}


def test_ingestion_makes_as_many_queries_for_forty_rows_as_for_four(world):
    """Set-based from the file to the warnings: no statement per row (at 100,000 rows one
    would cost a round trip each)."""

    def queries_for(people, period, day):
        rows = [[p.name, p.id_number, "YB01", 12000, day] for p in people]
        rows.append(["外来人员", new_id_number(day.replace(year=1990)), "YB01", 12000, day])
        file = SimpleUploadedFile("m.xlsx", xlsx_bytes(rows))
        created = services.upload_create(actor=world.frank, period=period, file=file)
        with CaptureQueriesContext(connection) as queries:
            result = services.upload_ingest(upload_id=created.pk)
        assert (result.warnings_count, result.clues_count) == (len(people), 1)
        return len(queries)

    few = [person(world.a1, name=f"甲{n}") for n in range(4)]
    many = [person(world.a2, name=f"乙{n}") for n in range(40)]
    assert queries_for(few, "2026-04", datetime.date(2026, 4, 2)) == queries_for(
        many, "2026-05", MAY
    )


def test_a_row_repeated_in_one_file_writes_one_warning_from_its_first_row(world):
    zhang = person(world.a1, name="张三")
    result = upload(
        world.frank,
        [
            ["张三", zhang.id_number, "YB01", 12000, MAY],
            ["张三", zhang.id_number, "YB01", 13000, MAY],
            ["张三", zhang.id_number, "YB02", 60000, MAY],
        ],
    )
    assert (result.rows_valid, result.warnings_count) == (3, 2)
    again = upload(
        world.frank,
        [
            ["外来人员", OUTSIDER_1, "YB01", 12000, MAY],
            ["外来人员", OUTSIDER_1, "YB01", 15000, MAY],
        ],
        name="outsider.xlsx",
    )
    assert again.clues_count == 1 and Clue.objects.get().row_number == 2
    assert sorted(Warning.objects.values_list("row_number", "value")) == [
        (2, Decimal("12000.00")),
        (4, Decimal("60000.00")),
    ]


def test_fixing_and_reuploading_the_bad_rows_adds_exactly_them(world):
    good = person(world.a1, name="张三")
    bad = person(world.a1, name="李四")
    first = upload(
        world.frank,
        [
            ["张三", good.id_number, "YB01", 12000, MAY],
            ["李四", bad.id_number[:17], "YB01", 12000, MAY],
        ],
    )
    assert (first.warnings_count, first.rows_error) == (1, 1)
    fixed = upload(world.frank, [["李四", bad.id_number, "YB01", 12000, MAY]])
    assert fixed.warnings_count == 1
    assert set(Warning.objects.values_list("member_id", flat=True)) == {good.pk, bad.pk}


def test_a_rejected_file_writes_nothing(world, django_capture_on_commit_callbacks):
    zhang = person(world.a1, name="张三")
    data = xlsx_bytes([["张三", zhang.id_number, 12000]], header=["姓名", "身份证号", "数值"])
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(world.frank, [], data=data)
    assert result.status == Upload.Status.FAILED
    assert "缺少以下列：指标代码、发生日期" in result.file_error
    assert Warning.objects.count() == 0 and result.warnings_count == 0
    assert world.frank.notifications.filter(message__contains="被拒绝").exists()


def test_priority_is_red_for_two_departments_or_a_severe_indicator(world):
    both = person(world.a1, name="张三")
    spouse = person(world.a1, name="张妻", household=None)
    single = person(world.a2, name="李四")
    severe = person(world.b1, name="王五")
    health = UserFactory(role=Role.DEPARTMENT_STAFF, department=department("weijian"))
    upload(
        world.frank,
        [
            ["张三", both.id_number, "YB01", 12000, MAY],
            ["张妻", spouse.id_number, "YB01", 12000, MAY],
            ["李四", single.id_number, "YB01", 12000, MAY],
            ["王五", severe.id_number, "YB02", 60000, MAY],
        ],
    )
    assert set(Warning.objects.values_list("priority", flat=True)) == {
        Priority.YELLOW,
        Priority.RED,
    }
    upload(health, [["张三", both.id_number, "WJ01", None, MAY]], name="weijian.xlsx")
    priority = dict(Warning.objects.values_list("member_id", "priority"))
    assert priority[both.pk] == Priority.RED  # 医保 and 卫健 on the same household
    assert priority[spouse.pk] == Priority.YELLOW  # another household
    assert priority[single.pk] == Priority.YELLOW
    assert priority[severe.pk] == Priority.RED  # YB02 is severe


def test_a_warning_for_a_spouse_makes_the_whole_household_red(world):
    head = person(world.a1, name="张三")
    wife = person(world.a1, name="王芳", household=head.household)
    health = UserFactory(role=Role.DEPARTMENT_STAFF, department=department("weijian"))
    upload(world.frank, [["张三", head.id_number, "YB01", 12000, MAY]])
    upload(health, [["王芳", wife.id_number, "WJ01", None, MAY]], name="w.xlsx")
    assert set(Warning.objects.values_list("priority", flat=True)) == {Priority.RED}


def test_a_later_severe_row_turns_the_households_earlier_rows_red(world):
    """三(四)2: one department, two files in a month; the second one's severe row raises the
    household, and the first file's row for the spouse with it."""
    head = person(world.a1, name="张三")
    wife = person(world.a1, name="王芳", household=head.household)
    other = person(world.a2, name="李四")
    upload(world.frank, [["王芳", wife.id_number, "YB01", 12000, MAY]])
    upload(world.frank, [["李四", other.id_number, "YB01", 12000, MAY]], name="b.xlsx")
    assert set(Warning.objects.values_list("priority", flat=True)) == {Priority.YELLOW}
    upload(world.frank, [["张三", head.id_number, "YB02", 60000, MAY]], name="c.xlsx")
    priority = dict(Warning.objects.values_list("member_id", "priority"))
    assert priority == {wife.pk: Priority.RED, other.pk: Priority.YELLOW, head.pk: Priority.RED}


def test_a_later_file_joins_a_household_already_red_this_month(world):
    head = person(world.a1, name="张三")
    wife = person(world.a1, name="王芳", household=head.household)
    upload(world.frank, [["张三", head.id_number, "YB02", 60000, MAY]])
    upload(world.frank, [["王芳", wife.id_number, "YB01", 12000, MAY]], name="b.xlsx")
    assert set(Warning.objects.values_list("priority", flat=True)) == {Priority.RED}
    # Another month starts over.
    upload(world.frank, [["王芳", wife.id_number, "YB01", 12000, datetime.date(2026, 4, 2)]],
           period="2026-04", name="c.xlsx")  # fmt: skip
    assert Warning.objects.get(period="2026-04").priority == Priority.YELLOW


def test_a_name_written_with_spaces_in_the_registry_still_matches(world):
    zhang = person(world.a1, name="张 三")
    result = upload(world.frank, [["张三", zhang.id_number, "YB01", 12000, MAY]])
    assert (result.warnings_count, result.rows_error) == (1, 0)


def test_upload_create_queues_ingestion_after_commit(world, django_capture_on_commit_callbacks):
    zhang = person(world.a1, name="张三")
    file = SimpleUploadedFile("m.xlsx", xlsx_bytes([["张三", zhang.id_number, "YB01", 12000, MAY]]))
    with django_capture_on_commit_callbacks(execute=True):
        created = services.upload_create(actor=world.frank, period="2026-05", file=file)
    created.refresh_from_db()
    assert created.status == Upload.Status.DONE and created.warnings_count == 1
    assert created.department == world.frank.department


def test_upload_create_refuses_big_files_bad_periods_and_other_roles(world, settings):
    settings.SPREADSHEET_MAX_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        services.upload_create(
            actor=world.frank, period="2026-05", file=SimpleUploadedFile("a.xlsx", b"x" * 101)
        )
    assert "大小上限" in str(caught.value)
    settings.SPREADSHEET_MAX_BYTES = 10_000
    for period in ("2026-5", "2026-13", "202605"):
        with pytest.raises(ValidationError, match="YYYY-MM"):
            services.upload_create(
                actor=world.frank, period=period, file=SimpleUploadedFile("a.xlsx", b"x")
            )
    with pytest.raises(ValidationError, match="xlsx"):
        services.upload_create(
            actor=world.frank, period="2026-05", file=SimpleUploadedFile("a.pdf", b"x")
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.upload_create(
            actor=world.carol, period="2026-05", file=SimpleUploadedFile("a.xlsx", b"x")
        )
    assert Upload.objects.count() == 0


def test_the_template_has_text_ids_a_code_list_and_instructions(world):
    import io

    from openpyxl import load_workbook

    from early_warnings import spreadsheets
    from early_warnings.models import WarningIndicator

    indicators = list(WarningIndicator.objects.filter(department=world.frank.department))
    data = spreadsheets.department_template(
        department=world.frank.department,
        indicators=indicators,
        example_id=services.sample_id_number(),
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book["预警信息"]
    assert [c.value for c in sheet[1]][:5] == ["姓名", "身份证号", "指标代码", "数值", "发生日期"]
    assert sheet["B2"].number_format == "@" and sheet["B500"].number_format == "@"
    assert sheet["C2"].value == "YB01"
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and "填报说明" in validation.formula1
    guide = book["填报说明"]
    codes = [row[0].value for row in guide.iter_rows()]
    assert {"YB01", "YB02"} <= set(codes)
    assert "WJ01" not in codes  # only the department's own indicators


def test_the_untouched_template_is_refused_and_its_example_row_is_never_a_person(world):
    from early_warnings import spreadsheets
    from early_warnings.models import WarningIndicator

    data = spreadsheets.department_template(
        department=world.frank.department,
        indicators=list(WarningIndicator.objects.filter(department=world.frank.department)),
        example_id=services.sample_id_number(),
    )
    result = upload(world.frank, [], data=data)
    assert (result.status, result.file_error) == (
        Upload.Status.FAILED,
        "文件中只有示例行，没有数据",
    )
    assert (result.rows_total, result.clues_count, result.warnings_count) == (0, 0, 0)
    assert not Clue.objects.exists() and not Warning.objects.exists()


def test_a_second_worker_on_a_finished_upload_leaves_the_first_ones_counts(world, monkeypatch):
    """A stalled upload requeued while its first worker still runs: the second one reads the
    file, then waits on the upload's lock until the first commits, and writes nothing."""
    zhang = person(world.a1, name="张三")
    file = SimpleUploadedFile(
        "yibao.xlsx", xlsx_bytes([["张三", zhang.id_number, "YB01", 12000, MAY]])
    )
    created = services.upload_create(actor=world.frank, period="2026-05", file=file)
    first = services.upload_ingest(upload_id=created.pk)
    assert first.warnings_count == 1
    # The second worker started while the upload was still running.
    Upload.objects.filter(pk=created.pk).update(status=Upload.Status.RUNNING, warnings_count=0)
    original = spreadsheets.parse_rows

    def first_worker_commits_meanwhile(*args, **kwargs):
        Upload.objects.filter(pk=created.pk).update(status=Upload.Status.DONE, warnings_count=1)
        return original(*args, **kwargs)

    monkeypatch.setattr(spreadsheets, "parse_rows", first_worker_commits_meanwhile)
    write_warnings = mock.Mock(wraps=services.matching.write_warnings)
    monkeypatch.setattr(services.matching, "write_warnings", write_warnings)
    second = services.upload_ingest(upload_id=created.pk)
    assert (second.status, second.warnings_count) == (Upload.Status.DONE, 1)
    assert not write_warnings.called
    assert Upload.objects.get(pk=created.pk).warnings_count == 1
    assert Warning.objects.count() == 1
