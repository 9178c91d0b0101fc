"""The REST API: uploads, warnings with filters and actions, clues, sweeps, notifications — scoped."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from early_warnings.models import Clue, State, Upload, Warning
from organization.models import Notification, Role
from organization.tests.factories import UserFactory, department

from .helpers import id_number_ending_in_x, make_warning, person, xlsx_bytes

MAY = datetime.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post_file(api, actor, rows, period="2026-05", name="m.xlsx"):
    api.force_authenticate(actor)
    file = io.BytesIO(xlsx_bytes(rows))
    file.name = name
    return api.post("/api/uploads/", {"period": period, "file": file}, format="multipart")


def test_a_department_uploads_by_api_and_downloads_the_error_report(
    world, api, django_capture_on_commit_callbacks
):
    zhang = person(world.a1, name="张三")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(
            api,
            world.frank,
            [["张三", zhang.id_number, "YB01", 12000, MAY], ["李四", "@SUM(A1)", "YB01", 1, MAY]],
        )
    assert response.status_code == 201, response.data
    upload_id = response.data["id"]
    detail = api.get(f"/api/uploads/{upload_id}/").data
    assert (detail["status"], detail["warnings_count"], detail["rows_error"]) == ("done", 1, 1)
    assert detail["errors"][0]["row"] == 3
    report = api.get(f"/api/uploads/{upload_id}/errors/")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    # One line per refused row: where, every reason, and the row's own cells (neutralised).
    assert [row[:1] + row[2:4] for row in values] == [["3", "李四", "'@SUM(A1)"]]
    assert values[0][1].startswith("身份证号：身份证号应为18位")


def test_upload_by_api_refuses_a_bad_period_with_a_chinese_message(world, api):
    response = post_file(api, world.frank, [], period="2026/05")
    assert response.status_code == 400
    assert "YYYY-MM" in str(response.data)
    assert Upload.objects.count() == 0


def test_uploads_are_scoped_to_the_department(world, api):
    health = UserFactory(role=Role.DEPARTMENT_STAFF, department=department("weijian"))
    zhang = person(world.a1, name="张三")
    upload_id = post_file(api, world.frank, [["张三", zhang.id_number, "YB01", 1, MAY]]).data["id"]
    api.force_authenticate(health)
    assert api.get("/api/uploads/").data["count"] == 0
    assert api.get(f"/api/uploads/{upload_id}/").status_code == 404
    assert api.get(f"/api/uploads/{upload_id}/errors/").status_code == 404
    for user in (world.carol, world.alice):
        api.force_authenticate(user)
        assert api.get(f"/api/uploads/{upload_id}/").status_code == 404
    api.force_authenticate(world.erin)
    assert api.get(f"/api/uploads/{upload_id}/").status_code == 200


def test_the_template_download_is_the_departments_own(world, api):
    api.force_authenticate(world.frank)
    response = api.get("/api/indicators/template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert {"预警信息", "填报说明"} <= set(book.sheetnames)


def test_warnings_are_scoped_by_role(world, api):
    mine = make_warning(world.a1, state="assigned")
    other_village = make_warning(world.a2, state="assigned")
    other_town = make_warning(world.b1)
    not_pushed = make_warning(world.a1, state="received")
    health_warning = make_warning(world.a1, code="WJ01")

    def visible(user):
        api.force_authenticate(user)
        return {row["id"] for row in api.get("/api/warnings/").data["results"]}

    assert visible(world.alice) == {mine.pk}
    assert visible(world.carol) == {mine.pk, other_village.pk, health_warning.pk}
    assert visible(world.dave) == {other_town.pk}
    assert visible(world.frank) == {mine.pk, other_village.pk, other_town.pk, not_pushed.pk}
    assert len(visible(world.erin)) == 5
    assert visible(world.grace) == set()
    api.force_authenticate(world.alice)
    assert api.get(f"/api/warnings/{other_village.pk}/").status_code == 404
    api.force_authenticate(world.dave)
    assert api.get(f"/api/warnings/{mine.pk}/").status_code == 404


def test_department_staff_see_the_outcome_but_not_the_household(world, api):
    warning = make_warning(world.a1)
    api.force_authenticate(world.frank)
    data = api.get(f"/api/warnings/{warning.pk}/").data
    assert data["member_name"] == warning.member.name
    assert "*" in data["id_number"]
    for hidden in ("household", "household_head", "village_name", "result_reason"):
        assert hidden not in data
    api.force_authenticate(world.carol)
    data = api.get(f"/api/warnings/{warning.pk}/").data
    assert data["household_head"] == warning.household.head_name
    assert data["id_number"] == warning.member.id_number


def test_warning_filters(world, api):
    red = make_warning(world.a1, priority="red")
    make_warning(world.a2)
    make_warning(world.a1, period="2026-04")
    api.force_authenticate(world.erin)

    def ids(query):
        return {row["id"] for row in api.get(f"/api/warnings/?{query}").data["results"]}

    assert ids("priority=red") == {red.pk}
    assert len(ids("period=2026-05")) == 2
    assert len(ids(f"village={world.a1.pk}")) == 2
    assert ids(f"town={world.town_b.pk}") == set()
    assert len(ids(f"department={world.frank.department_id}")) == 3
    assert len(ids("state=pushed")) == 3
    assert api.get("/api/warnings/?state=nonsense").status_code == 400
    assert api.get("/api/warnings/?town=abc").status_code == 400


def test_assign_verify_close_through_the_api(world, api):
    warning = make_warning(world.a1)
    api.force_authenticate(world.alice)
    assert api.post(f"/api/warnings/{warning.pk}/assign/").status_code == 404  # not yet visible
    api.force_authenticate(world.carol)
    response = api.post(f"/api/warnings/{warning.pk}/assign/")
    assert response.status_code == 200 and response.data["state"] == State.ASSIGNED
    assert api.post(f"/api/warnings/{warning.pk}/assign/").status_code == 409
    api.force_authenticate(world.alice)
    response = api.post(f"/api/warnings/{warning.pk}/verify/", {"result": "no_risk"}, format="json")
    # The refusal names the field the client sent (``reason``), not the model's column.
    assert response.status_code == 400 and "理由" in str(response.data["reason"])
    response = api.post(
        f"/api/warnings/{warning.pk}/verify/",
        {"result": "no_risk", "reason": "医保已报销"},
        format="json",
    )
    assert response.status_code == 200 and response.data["state"] == State.VERIFIED
    response = api.post(f"/api/warnings/{warning.pk}/close/")
    assert response.status_code == 200 and response.data["state"] == State.CLOSED


def test_bulk_assign_by_api_refuses_ids_outside_the_town(world, api):
    a = make_warning(world.a1)
    b = make_warning(world.a2)
    foreign = make_warning(world.b1)
    api.force_authenticate(world.carol)
    response = api.post("/api/warnings/assign-bulk/", {"ids": [a.pk, foreign.pk]}, format="json")
    assert response.status_code == 400
    assert Warning.objects.get(pk=a.pk).state == State.PUSHED
    response = api.post("/api/warnings/assign-bulk/", {"ids": [a.pk, b.pk]}, format="json")
    assert response.data == {"assigned": 2}


def test_the_state_cannot_be_written_through_the_api(world, api):
    warning = make_warning(world.a1)
    api.force_authenticate(world.erin)
    assert api.patch(f"/api/warnings/{warning.pk}/", {"state": "closed"}).status_code == 405


def test_clues_by_api(world, api):
    api.force_authenticate(world.erin)
    response = api.post(
        "/api/clues/",
        {"source": "12317", "name": "孙八", "description": "热线反映", "town": world.town_a.pk},
        format="json",
    )
    assert response.status_code == 201, response.data
    clue_id = response.data["id"]
    api.force_authenticate(world.dave)
    assert api.get(f"/api/clues/{clue_id}/").status_code == 404
    api.force_authenticate(world.carol)
    response = api.post(f"/api/clues/{clue_id}/assign/", {"village": world.b1.pk}, format="json")
    assert response.status_code == 400  # another town's village reads as unknown
    response = api.post(f"/api/clues/{clue_id}/assign/", {"village": world.a1.pk}, format="json")
    assert response.status_code == 200
    api.force_authenticate(world.alice)
    response = api.post(
        f"/api/clues/{clue_id}/verify/", {"result": "no_risk", "reason": "已核实"}, format="json"
    )
    assert response.status_code == 200 and response.data["state"] == State.VERIFIED
    api.force_authenticate(world.frank)
    response = api.post(
        "/api/clues/", {"source": "12317", "name": "x", "description": "y"}, format="json"
    )
    assert response.status_code == 403
    assert Clue.objects.count() == 1


def test_a_clue_entered_by_api_keeps_every_field_it_was_given(world, api):
    """三(四)3: the API's clue fields are the service's; a town official's clue is their town's."""
    number = id_number_ending_in_x()
    api.force_authenticate(world.carol)
    response = api.post(
        "/api/clues/",
        {
            "source": "inspection",
            "name": "孙八",
            "id_number": number.lower(),
            "phone": "13800000000",
            "address": "甲一村东头",
            "description": "督查发现",
            "town": world.town_b.pk,
            "village": world.a1.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["id_number"] == number.upper()
    clue = Clue.objects.get(pk=response.data["id"])
    assert (clue.source, clue.name, clue.phone, clue.address, clue.description) == (
        "inspection",
        "孙八",
        "13800000000",
        "甲一村东头",
        "督查发现",
    )
    assert (clue.town, clue.village, clue.created_by) == (world.town_a, world.a1, world.carol)


def test_a_clue_by_api_names_the_refused_field(world, api):
    api.force_authenticate(world.erin)
    response = api.post(
        "/api/clues/",
        {"source": "department", "name": "x", "description": "y"},
        format="json",
    )
    assert response.status_code == 400 and "source" in response.data
    response = api.post(
        "/api/clues/",
        {"source": "12317", "name": "x", "description": "y", "id_number": "340621123"},
        format="json",
    )
    assert response.status_code == 400 and "id_number" in response.data
    assert not Clue.objects.exists()


def test_the_bureau_routes_a_county_clue_to_a_town_by_api(world, api):
    api.force_authenticate(world.erin)
    response = api.post(
        "/api/clues/", {"source": "12345", "name": "周九", "description": "来信"}, format="json"
    )
    clue_id = response.data["id"]
    assert (response.data["state"], response.data["town"]) == (State.RECEIVED, None)
    response = api.post(f"/api/clues/{clue_id}/route/", {"town": world.town_b.pk}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["state"], response.data["town"]) == (State.PUSHED, world.town_b.pk)
    api.force_authenticate(world.dave)
    assert api.get(f"/api/clues/{clue_id}/").status_code == 200


def test_sweeps_by_api(world, api):
    api.force_authenticate(world.frank)
    response = api.post(
        "/api/sweeps/",
        {
            "carried_out_on": "2026-05-06",
            "scope": "全县",
            "findings": "无",
            "households_checked": 10,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["department"] == world.frank.department_id
    assert response.data["quarter"] == "2026Q2"
    health = UserFactory(role=Role.DEPARTMENT_STAFF, department=department("weijian"))
    api.force_authenticate(health)
    assert api.get("/api/sweeps/").data["count"] == 0


def test_notifications_by_api_are_the_users_own(world, api):
    Notification.objects.create(recipient=world.alice, message="一")
    other = Notification.objects.create(recipient=world.bob, message="二")
    api.force_authenticate(world.alice)
    assert [n["message"] for n in api.get("/api/notifications/").data["results"]] == ["一"]
    assert api.get(f"/api/notifications/{other.pk}/").status_code == 404
    assert api.post("/api/notifications/read/", {}, format="json").data == {"marked": 1}
    assert api.get("/api/notifications/?unread=1").data["count"] == 0


def test_indicators_are_read_by_all_and_edited_by_the_bureau(world, api):
    api.force_authenticate(world.alice)
    listing = api.get(f"/api/indicators/?department={world.frank.department_id}").data
    assert {row["code"] for row in listing["results"]} == {"YB01", "YB02"}
    yb01 = next(row for row in listing["results"] if row["code"] == "YB01")
    assert api.patch(f"/api/indicators/{yb01['id']}/", {"threshold": "8000"}).status_code == 403
    api.force_authenticate(world.erin)
    response = api.patch(f"/api/indicators/{yb01['id']}/", {"threshold": "8000"}, format="json")
    assert response.status_code == 200 and response.data["threshold"] == "8000.00"
