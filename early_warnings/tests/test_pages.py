"""The pages of each role, and their scope: another scope's object is a 404."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from early_warnings import selectors, services
from early_warnings.models import Clue, Result, State, Upload, Warning, previous_period
from organization.models import Role
from organization.tests.factories import UserFactory, department, policy

from .helpers import HEADER, id_number_ending_in_x, make_warning, person, upload_rows, xlsx_bytes

MAY = datetime.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name, *args):
    return reverse(f"early_warnings:{name}", args=args)


def test_the_result_page_accounts_for_rows_under_their_rule_and_sheets_not_read(
    world, client, django_capture_on_commit_callbacks
):
    """三(四)2: a department sees what became of every row it sent."""
    zhang, li = person(world.a1, name="张三"), person(world.a1, name="李四")
    workbook = Workbook()
    data_sheet = workbook.active
    data_sheet.title = "农村"
    for row in (
        HEADER,
        ["张三", zhang.id_number, "YB01", 12000, MAY],
        ["李四", li.id_number, "YB01", 500, MAY],
        ["李四", li.id_number, "YB01", 800, MAY],
    ):
        data_sheet.append(row)
    workbook.create_sheet("说明").append(["本表由医保局导出"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(world.frank)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("upload_list"),
            {"period": "2026-05", "file": SimpleUploadedFile("m.xlsx", buffer.getvalue())},
        )
    upload = Upload.objects.get()
    assert (upload.rows_total, upload.warnings_count) == (3, 1)
    page = client.get(url("upload_detail", upload.pk)).content.decode()
    assert "低于阈值，未生成预警：2行" in page
    assert "工作表“说明”没有所需表头，未读取" in page


def test_home_sends_each_role_to_its_page(world, client):
    for user, target in [
        (world.frank, "upload_list"),
        (world.carol, "town_inbox"),
        (world.alice, "village_inbox"),
        (world.erin, "county"),
    ]:
        client.force_login(user)
        assert client.get(url("home"))["Location"] == url(target)
    client.force_login(world.grace)
    assert client.get(url("home")).status_code == 403


def test_a_department_uploads_in_the_browser_and_sees_the_result(
    world, client, django_capture_on_commit_callbacks
):
    zhang = person(world.a1, name="张三")
    client.force_login(world.frank)
    assert client.get(url("upload_list")).status_code == 200
    data = xlsx_bytes(
        [["张三", zhang.id_number, "YB01", 12000, MAY], ["李四", "1", "YB01", 1, MAY]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("upload_list"), {"period": "2026-05", "file": SimpleUploadedFile("m.xlsx", data)}
        )
    upload = Upload.objects.get()
    assert response["Location"] == url("upload_detail", upload.pk)
    page = client.get(url("upload_detail", upload.pk)).content.decode()
    assert "错误明细" in page and "身份证号应为18位" in page
    report = client.get(url("upload_errors", upload.pk))
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert [c.value for c in sheet[2]][:3] == ["位置", "错误原因", "姓名"]
    assert [sheet["A3"].value, sheet["C3"].value, sheet["D3"].value] == ["3", "李四", "1"]
    assert sheet["B3"].value.startswith("身份证号：身份证号应为18位")
    listing = client.get(url("upload_list")).content.decode()
    assert "m.xlsx" in listing


def test_the_upload_page_shows_the_progress_and_reloads_until_the_worker_is_done(world, client):
    zhang = person(world.a1, name="张三")
    data = xlsx_bytes([["张三", zhang.id_number, "YB01", 12000, MAY]])
    upload = services.upload_create(
        actor=world.frank, period="2026-05", file=SimpleUploadedFile("m.xlsx", data)
    )
    client.force_login(world.frank)
    page = client.get(url("upload_detail", upload.pk)).content.decode()
    assert 'http-equiv="refresh"' in page and "排队中" in page and 'class="progress"' in page
    services.upload_ingest(upload_id=upload.pk)
    page = client.get(url("upload_detail", upload.pk)).content.decode()
    assert 'http-equiv="refresh"' not in page and 'class="progress"' not in page
    assert "生成预警 / 线索" in page
    refused = services.upload_create(
        actor=world.frank, period="2026-05", file=SimpleUploadedFile("r.xlsx", b"not a sheet")
    )
    services.upload_ingest(upload_id=refused.pk)
    page = client.get(url("upload_detail", refused.pk)).content.decode()
    assert "文件被拒绝，未写入任何数据" in page and "生成预警" not in page


def test_the_upload_form_shows_the_services_refusal(world, client, settings):
    settings.SPREADSHEET_MAX_BYTES = 10
    client.force_login(world.frank)
    response = client.post(
        url("upload_list"), {"period": "2026-05", "file": SimpleUploadedFile("m.xlsx", b"x" * 11)}
    )
    assert response.status_code == 200
    assert "文件超过大小上限" in response.content.decode()
    assert Upload.objects.count() == 0


def test_departments_see_only_their_own_uploads_and_rows(world, client):
    health = UserFactory(role=Role.DEPARTMENT_STAFF, department=department("weijian"))
    zhang = person(world.a1, name="张三")
    upload = upload_rows(world.frank, [["张三", zhang.id_number, "YB01", 12000, MAY]])
    warning = Warning.objects.get()
    client.force_login(health)
    assert client.get(url("upload_detail", upload.pk)).status_code == 404
    assert client.get(url("upload_errors", upload.pk)).status_code == 404
    assert client.get(url("warning_detail", warning.pk)).status_code == 404
    assert "张三" not in client.get(url("department_warnings")).content.decode()
    client.force_login(world.frank)
    page = client.get(url("warning_detail", warning.pk)).content.decode()
    assert "张三" in page and warning.member.masked_id_number in page
    assert warning.household.address not in page and "户主" not in page
    assert "张三" in client.get(url("department_warnings")).content.decode()


def test_the_template_download_page(world, client):
    client.force_login(world.frank)
    response = client.get(url("template"))
    assert response.status_code == 200
    assert "填报说明" in load_workbook(io.BytesIO(response.content)).sheetnames
    client.force_login(world.carol)
    assert client.get(url("template")).status_code == 403


def test_the_town_inbox_shows_its_town_only_with_priority_colours(world, client):
    red = make_warning(world.a1, priority="red")
    make_warning(world.b1)
    client.force_login(world.carol)
    page = client.get(url("town_inbox") + "?period=2026-05").content.decode()
    assert "row-prio-red" in page and red.member.name in page
    assert page.count('name="ids"') == 1
    client.force_login(world.dave)
    assert client.get(url("warning_detail", red.pk)).status_code == 404
    client.force_login(world.alice)
    assert client.get(url("town_inbox")).status_code == 403


def test_a_town_assigns_one_and_in_bulk_from_the_inbox(world, client):
    one = make_warning(world.a1)
    two = make_warning(world.a2)
    three = make_warning(world.a1)
    foreign = make_warning(world.b1)
    client.force_login(world.carol)
    client.post(url("warning_assign", one.pk))
    assert Warning.objects.get(pk=one.pk).state == State.ASSIGNED
    client.post(url("assign_bulk"), {"ids": [two.pk, foreign.pk]})
    assert Warning.objects.get(pk=two.pk).state == State.PUSHED  # refused as a whole
    client.post(url("assign_bulk"), {"ids": [two.pk, three.pk]})
    assert {Warning.objects.get(pk=w.pk).state for w in (two, three)} == {State.ASSIGNED}
    assert client.post(url("warning_assign", foreign.pk)).status_code == 404


def test_the_town_sees_the_overdue_list(world, client):
    late = make_warning(world.a1, overdue=True)
    make_warning(world.a1)
    client.force_login(world.carol)
    page = client.get(url("town_inbox") + "?overdue=1").content.decode()
    assert "超期未核实预警" in page and page.count('class="row-prio-') == 1
    assert late.member.name in page


def test_the_village_verifies_and_closes_in_the_browser(world, client):
    warning = services.item_assign(
        actor=world.carol, item=make_warning(world.a1, member=person(world.a1, name="钱一"))
    )
    other = services.item_assign(
        actor=world.carol, item=make_warning(world.a2, member=person(world.a2, name="孙二"))
    )
    client.force_login(world.alice)
    inbox = client.get(url("village_inbox")).content.decode()
    assert warning.member.name in inbox and other.member.name not in inbox
    assert client.get(url("warning_detail", other.pk)).status_code == 404
    response = client.post(url("warning_detail", warning.pk), {"result": "no_risk", "reason": ""})
    assert "核实无风险时请填写核实情况和理由" in response.content.decode()
    client.post(url("warning_detail", warning.pk), {"result": "no_risk", "reason": "已报销"})
    assert Warning.objects.get(pk=warning.pk).result == Result.NO_RISK
    client.post(url("warning_close", warning.pk))
    assert Warning.objects.get(pk=warning.pk).state == State.CLOSED


def test_the_county_page_shows_each_department_and_missing_sweeps(world, client):
    zhang = person(world.a1, name="张三")
    upload_rows(world.frank, [["张三", zhang.id_number, "YB01", 12000, MAY]])
    client.force_login(world.erin)
    page = client.get(url("county") + "?period=2026-05").content.decode()
    assert "医保" in page and "卫健" in page and "本季度未开展大排查的部门" in page
    for user in (world.carol, world.alice, world.frank):
        client.force_login(user)
        assert client.get(url("county")).status_code == 403


def test_clue_pages_enter_assign_and_verify(world, client):
    client.force_login(world.carol)
    response = client.post(
        url("clue_new"),
        {"source": "inspection", "name": "孙八", "description": "督查发现", "village": world.a2.pk},
    )
    clue = Clue.objects.get()
    assert response["Location"] == url("clue_detail", clue.pk)
    client.post(url("clue_detail", clue.pk), {"do": "assign", "village": world.a2.pk})
    assert Clue.objects.get().state == State.ASSIGNED
    client.force_login(world.alice)
    assert client.get(url("clue_detail", clue.pk)).status_code == 404
    client.force_login(world.bob)
    client.post(url("clue_detail", clue.pk), {"do": "verify", "result": "no_risk", "reason": "无"})
    client.post(url("clue_detail", clue.pk), {"do": "close"})
    assert Clue.objects.get().state == State.CLOSED
    client.force_login(world.dave)
    assert client.get(url("clue_detail", clue.pk)).status_code == 404


def test_a_clue_entered_on_the_page_keeps_every_field_it_was_given(world, client):
    """三(四)3: the bureau records a clue from 12317; the form passes its fields to the service."""
    number = id_number_ending_in_x()
    client.force_login(world.erin)
    response = client.post(
        url("clue_new"),
        {
            "source": "12317",
            "name": "孙八",
            "id_number": number.lower(),
            "phone": "13800000000",
            "address": "甲一村东头",
            "description": "热线反映看病负担重",
            "town": world.town_a.pk,
            "village": world.a1.pk,
        },
    )
    clue = Clue.objects.get()
    assert response["Location"] == url("clue_detail", clue.pk)
    assert (clue.source, clue.name, clue.id_number, clue.phone, clue.address) == (
        "12317",
        "孙八",
        number.upper(),
        "13800000000",
        "甲一村东头",
    )
    assert (clue.description, clue.town, clue.village) == (
        "热线反映看病负担重",
        world.town_a,
        world.a1,
    )
    assert clue.state == State.PUSHED


def test_the_clue_page_shows_the_services_refusal_on_the_field(world, client):
    client.force_login(world.erin)
    response = client.post(
        url("clue_new"),
        {
            "source": "12317",
            "name": "孙八",
            "description": "热线反映",
            "town": world.town_a.pk,
            "village": world.b1.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village"] == ["所选村不属于该镇"]
    assert not Clue.objects.exists()


def test_the_bureau_routes_a_county_clue_to_a_town_on_the_page(world, client):
    client.force_login(world.erin)
    client.post(url("clue_new"), {"source": "12345", "name": "周九", "description": "来信"})
    clue = Clue.objects.get()
    assert (clue.state, clue.town) == (State.RECEIVED, None)
    client.post(
        url("clue_detail", clue.pk), {"do": "route", "town": world.town_b.pk, "village": ""}
    )
    clue.refresh_from_db()
    assert (clue.state, clue.town, clue.village) == (State.PUSHED, world.town_b, None)
    client.force_login(world.dave)
    assert client.get(url("clue_detail", clue.pk)).status_code == 200


def test_sweeps_page_records_a_departments_sweep(world, client):
    client.force_login(world.frank)
    today = datetime.date.today()
    client.post(
        url("sweeps"),
        {
            "carried_out_on": today.isoformat(),
            "scope": "全县",
            "households_checked": 12,
            "findings": "无",
        },
    )
    client.force_login(world.erin)
    page = client.get(url("sweeps")).content.decode()
    assert "全县" in page and "尚未登记排查的部门" in page
    missing = page.split("尚未登记排查的部门")[1].split("</p>")[0]
    assert "医保" not in missing and "卫健" in missing


def test_the_bureau_edits_an_indicator_in_the_browser(world, client):
    from early_warnings.models import WarningIndicator

    yb01 = WarningIndicator.objects.get(code="YB01")
    client.force_login(world.frank)
    assert "YB01" in client.get(url("indicators")).content.decode()
    assert client.get(url("indicator_edit", yb01.pk)).status_code == 403
    client.force_login(world.erin)
    form = {
        "department": yb01.department_id,
        "code": "YB01",
        "name": yb01.name,
        "risk_type": yb01.risk_type_id,
        "unit": "元",
        "rule": "threshold",
        "threshold": "",
        "description": "",
        "active": "on",
    }
    response = client.post(url("indicator_edit", yb01.pk), form)
    assert "按阈值预警的指标必须填写阈值" in response.content.decode()
    client.post(url("indicator_edit", yb01.pk), {**form, "threshold": "8000"})
    yb01.refresh_from_db()
    assert yb01.threshold == 8000
    assert yb01.history.first().history_user == world.erin


def test_a_clue_id_number_typed_with_spaces_and_full_width_digits_is_cleaned(world, client):
    """三(四)3: spaces and full-width digits are cleaned up, not refused for their length."""
    number = id_number_ending_in_x()
    typed = " ".join([number[:6], number[6:14], number[14:]]).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    client.force_login(world.erin)
    client.post(
        url("clue_new"),
        {"source": "12345", "name": "孙八", "id_number": typed, "description": "热线反映"},
    )
    assert Clue.objects.get().id_number == number


def test_a_clue_with_a_wrong_id_number_is_refused_on_the_field(world, client):
    client.force_login(world.erin)
    response = client.post(
        url("clue_new"),
        {"source": "12345", "name": "孙八", "id_number": "12345", "description": "热线反映"},
    )
    assert "身份证号应为18位" in response.context["form"].errors["id_number"][0]
    assert not Clue.objects.exists()


# --- the days of 三(四)2 come from the year's settings ---------------------------------------


def test_the_pages_name_the_due_and_push_days_of_the_years_settings(world, client):
    policy(warning_due_day=12, warning_push_day=20)
    client.force_login(world.frank)
    upload_page = client.get(url("upload_list")).content.decode()
    assert "每月12日前提供本部门预警信息，每月20日前反馈到镇村核实" in upload_page
    assert "每月12日前上报上月数据" in upload_page
    # The town's page names the dates of the month it shows, not a fixed day.
    client.force_login(world.carol)
    period = previous_period(timezone.localdate())
    due, push = selectors.due_dates(period)
    assert (due.day, push.day) == (12, 20)
    town_page = client.get(url("town_inbox")).content.decode()
    assert f"于 {push.year}年{push.month}月{push.day}日 推送到镇" in town_page
    assert f"{due.month}月{due.day}日 前报送" in town_page


def test_an_unpushed_warning_names_the_push_day_of_its_month(world, client):
    warning = make_warning(world.a1, state="received", period="2026-05")
    policy(year=2026, warning_due_day=8, warning_push_day=18)
    client.force_login(world.erin)
    assert (
        "尚未推送（每月18日推送）" in client.get(url("warning_detail", warning.pk)).content.decode()
    )
