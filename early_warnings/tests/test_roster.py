"""民政's monthly roster of the low-income population: the same upload and reader as any
department file, but it sets households' statuses (低保, 特困, 低保边缘, 刚性支出困难)
instead of making warnings; outsiders still become clues (三(五)3, 三(四)3)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from early_warnings import services
from early_warnings.models import Clue, Upload, Warning
from households.models import LowIncomeStatus, MonitoringSubject
from households.tests.factories import new_id_number
from organization.models import Role
from organization.tests.factories import UserFactory, department

from .helpers import person, xlsx_bytes

ROSTER_HEADER = ["姓名", "身份证号", "指标代码", "镇（园区）", "村（社区）", "备注"]
MARCH, APRIL = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
Kind = LowIncomeStatus.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def minzheng(db):
    return UserFactory(username="mz", role=Role.DEPARTMENT_STAFF, department=department("minzheng"))


def roster(actor, rows, *, period="2026-03", name="名册.xlsx", data=None) -> Upload:
    data = data if data is not None else xlsx_bytes(rows, header=ROSTER_HEADER)
    created = services.upload_create(
        actor=actor, period=period, file=SimpleUploadedFile(name, data)
    )
    return services.upload_ingest(upload_id=created.pk)


def statuses(household, kind=Kind.DIBAO):
    return list(
        LowIncomeStatus.objects.filter(household=household, kind=kind).values_list(
            "started_on", "ended_on"
        )
    )


def kinds(upload) -> dict[str, dict]:
    return {k["kind"]: k for k in upload.summary["roster"]["kinds"]}


def test_a_roster_sets_statuses_from_its_month_and_makes_no_warnings(world, minzheng):
    zhang = person(world.a1, name="张三")
    li = person(world.b1, name="李四")
    result = roster(
        minzheng, [["张三", zhang.id_number, "MZDB"], ["李四", li.id_number, "MZTK", "", "", ""]]
    )
    assert result.status == Upload.Status.DONE, result.file_error
    assert result.is_roster and (result.rows_valid, result.rows_error) == (2, 0)
    assert statuses(zhang.household) == [(MARCH, None)]
    assert statuses(li.household, Kind.TEKUN) == [(MARCH, None)]
    status = LowIncomeStatus.objects.get(household=zhang.household)
    assert status.source == LowIncomeStatus.Source.ROSTER
    assert f"第{result.pk}号上传" in status.source_label and "2026年3月名册" in status.source_label
    assert status.history.first().history_user == minzheng
    # The first roster of a status is the baseline: who already holds it is not news.
    assert result.warnings_count == 0 and not Warning.objects.exists()
    assert kinds(result)[Kind.DIBAO]["started"] == 1 and kinds(result)[Kind.DIBAO]["baseline"]


def test_the_same_roster_again_changes_nothing(world, minzheng):
    zhang = person(world.a1, name="张三")
    rows = [["张三", zhang.id_number, "MZDB"]]
    roster(minzheng, rows)
    versions = LowIncomeStatus.history.count()
    again = roster(minzheng, rows)
    assert kinds(again)[Kind.DIBAO] | {"baseline": None} == {
        "kind": Kind.DIBAO,
        "label": "低保",
        "started": 0,
        "resumed": 0,
        "ended": 0,
        "unchanged": 1,
        "older_than": "",
        "baseline": None,
    }
    assert statuses(zhang.household) == [(MARCH, None)]
    assert LowIncomeStatus.history.count() == versions


def test_the_next_month_ends_who_is_missing_and_starts_who_is_new_deleting_nothing(world, minzheng):
    zhang = person(world.a1, name="张三")
    li = person(world.a2, name="李四")
    wang = person(world.a1, name="王五")
    roster(minzheng, [["张三", zhang.id_number, "MZDB"], ["李四", li.id_number, "MZDB"]])
    april = roster(
        minzheng,
        [["李四", li.id_number, "MZDB"], ["王五", wang.id_number, "MZDB"]],
        period="2026-04",
    )
    assert kinds(april)[Kind.DIBAO] | {"baseline": False} == {
        "kind": Kind.DIBAO,
        "label": "低保",
        "started": 1,
        "resumed": 0,
        "ended": 1,
        "unchanged": 1,
        "older_than": "",
        "baseline": False,
    }
    # Ended on the 1st of the month whose roster no longer lists it: held until 31 March.
    assert statuses(zhang.household) == [(MARCH, APRIL)]
    assert statuses(li.household) == [(MARCH, None)]
    assert statuses(wang.household) == [(APRIL, None)]
    assert LowIncomeStatus.objects.count() == 3  # nothing deleted
    ended = LowIncomeStatus.objects.get(household=zhang.household)
    assert "2026年4月名册" in ended.ended_label and ended.ended_source == "roster"
    # 三(四)2: newly 低保 and not monitored, so a warning for the village to check.
    warning = Warning.objects.get()
    assert (warning.member, warning.village, warning.period) == (wang, world.a1, "2026-04")
    assert april.warnings_count == 1


def test_a_new_dibao_household_already_monitored_makes_no_warning(world, minzheng):
    zhang = person(world.a1, name="张三")
    roster(minzheng, [["张三", zhang.id_number, "MZDB"]])
    li = person(world.a1, name="李四")
    MonitoringSubject.objects.create(
        household=li.household, category="sudden", started_on=datetime.date(2026, 1, 5)
    )
    april = roster(
        minzheng,
        [["张三", zhang.id_number, "MZDB"], ["李四", li.id_number, "MZDB"]],
        period="2026-04",
    )
    assert kinds(april)[Kind.DIBAO]["started"] == 1
    assert april.warnings_count == 0


def test_a_status_the_file_does_not_list_is_left_alone(world, minzheng):
    zhang = person(world.a1, name="张三")
    roster(minzheng, [["张三", zhang.id_number, "MZBY"]])
    roster(minzheng, [["张三", zhang.id_number, "MZDB"]], period="2026-04")
    assert statuses(zhang.household, Kind.MARGINAL) == [(MARCH, None)]
    assert statuses(zhang.household, Kind.DIBAO) == [(APRIL, None)]


def test_a_corrected_roster_of_the_same_month_resumes_the_status_it_ended(world, minzheng):
    zhang = person(world.a1, name="张三")
    li = person(world.a1, name="李四")
    roster(minzheng, [["张三", zhang.id_number, "MZDB"], ["李四", li.id_number, "MZDB"]])
    roster(minzheng, [["张三", zhang.id_number, "MZDB"]], period="2026-04")  # 李四 forgotten
    assert statuses(li.household) == [(MARCH, APRIL)]
    fixed = roster(
        minzheng,
        [["张三", zhang.id_number, "MZDB"], ["李四", li.id_number, "MZDB"]],
        period="2026-04",
    )
    assert kinds(fixed)[Kind.DIBAO]["resumed"] == 1
    assert statuses(li.household) == [(MARCH, None)]  # one status, not split in two


def test_a_roster_older_than_the_latest_applied_changes_nothing(world, minzheng):
    zhang = person(world.a1, name="张三")
    roster(minzheng, [["张三", zhang.id_number, "MZDB"]], period="2026-04")
    late = roster(minzheng, [["王五", new_id_number(), "MZDB"]], period="2026-03")
    assert kinds(late)[Kind.DIBAO]["older_than"] == "2026-04"
    assert statuses(zhang.household) == [(APRIL, None)]
    assert not LowIncomeStatus.objects.exclude(household=zhang.household).exists()


def test_a_person_outside_the_registry_becomes_a_clue_once(world, minzheng):
    stranger = new_id_number(datetime.date(1960, 2, 2))
    rows = [["赵六", stranger, "MZDB", "乙镇", "乙一村"]]
    first = roster(minzheng, rows)
    assert first.clues_count == 1
    clue = Clue.objects.get()
    assert (clue.name, clue.town, clue.village) == ("赵六", world.town_b, world.b1)
    assert "农村低保对象名册" in clue.description
    again = roster(minzheng, rows)
    assert again.clues_count == 0 and Clue.objects.count() == 1
    assert again.summary["roster"]["already_clues"] == 1


def test_bad_rows_are_reported_per_row_and_a_refused_name_keeps_the_status(world, minzheng):
    zhang = person(world.a1, name="张三")
    roster(minzheng, [["张三", zhang.id_number, "MZDB"]])
    result = roster(
        minzheng,
        [
            ["张山", zhang.id_number, "MZDB"],  # the name differs from the registry
            ["李四", "34062119800101123", "MZDB"],  # 17 digits
            ["王五", new_id_number(), "YB01"],  # not one of 民政's roster codes
        ],
        period="2026-04",
    )
    assert result.rows_error == 3 and result.rows_valid == 0
    reasons = {error["column"]: error["reason"] for error in result.errors}
    assert "姓名与台账" in reasons["姓名"]
    assert "身份证号" in reasons and "指标代码" in reasons
    assert "MZDB" in reasons["指标代码"] and "MZ01" not in reasons["指标代码"]
    assert statuses(zhang.household) == [(MARCH, None)]  # not ended for a typo


def test_a_file_mixing_roster_and_warning_codes_is_refused_whole(world, minzheng):
    zhang = person(world.a1, name="张三")
    data = xlsx_bytes(
        [
            ["张三", zhang.id_number, "MZDB", None, None],
            ["张三", zhang.id_number, "MZ01", None, "2026-03-05"],
        ],
    )
    result = roster(minzheng, [], data=data)
    assert result.status == Upload.Status.FAILED
    assert "名册指标（MZDB）" in result.file_error and "MZ01" in result.file_error
    assert not LowIncomeStatus.objects.exists()


def test_a_gbk_csv_roster_is_read_like_the_xlsx(world, minzheng):
    zhang = person(world.a1, name="张三")
    lines = [",".join(ROSTER_HEADER), f"张三,{zhang.id_number},MZTK,甲镇,甲一村,"]
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    result = roster(minzheng, [], name="名册.csv", data=data)
    assert result.status == Upload.Status.DONE, result.file_error
    assert statuses(zhang.household, Kind.TEKUN) == [(MARCH, None)]


def test_a_warning_file_of_minzheng_still_makes_warnings(world, minzheng):
    zhang = person(world.a1, name="张三")
    data = xlsx_bytes([["张三", zhang.id_number, "MZ01", None, datetime.date(2026, 3, 5)]])
    result = roster(minzheng, [], data=data)
    assert result.status == Upload.Status.DONE and not result.is_roster
    assert result.warnings_count == 1 and not LowIncomeStatus.objects.exists()


def test_the_result_page_says_what_changed(client, world, minzheng):
    zhang = person(world.a1, name="张三")
    roster(minzheng, [["张三", zhang.id_number, "MZDB"]], period="2026-04")
    late = roster(minzheng, [["张三", zhang.id_number, "MZDB"]], period="2026-03")
    client.force_login(minzheng)
    page = client.get(reverse("early_warnings:upload_detail", args=[late.pk])).content.decode()
    assert "低收入人口名册" in page and "名册变更（2026-03）" in page
    assert "早于已导入的2026-04名册，未作变更" in page


def test_the_roster_template_is_a_roster_the_reader_takes(client, world, minzheng):
    client.force_login(minzheng)
    response = client.get(reverse("early_warnings:template") + "?kind=roster")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header == ROSTER_HEADER
    guide = "\n".join(str(row[0].value) for row in workbook["填报说明"].iter_rows())
    assert "MZDB" in guide and "MZ01" not in guide
    # The template as downloaded, with its example row only, is refused like an empty file.
    result = roster(minzheng, [], data=response.content)
    assert result.status == Upload.Status.FAILED and "示例行" in result.file_error


def test_the_roster_template_is_404_for_a_department_without_a_roster(client, world):
    client.force_login(world.frank)
    assert client.get(reverse("early_warnings:template") + "?kind=roster").status_code == 404


def test_a_roster_is_not_the_departments_monthly_file_of_warnings(world, minzheng):
    from early_warnings.selectors import department_file

    zhang = person(world.a1, name="张三")
    roster(minzheng, [["张三", zhang.id_number, "MZDB"]])
    assert department_file(user=minzheng, period="2026-03").uploaded_at is None
    data = xlsx_bytes([["张三", zhang.id_number, "MZ01", None, datetime.date(2026, 3, 5)]])
    roster(minzheng, [], data=data)
    assert department_file(user=minzheng, period="2026-03").uploaded_at is not None
