"""Every role against every registry resource through the API: what it lists, what it opens,
what it may create and change. Another scope's object answers 404."""

import datetime

import pytest

from households import services
from households.id_numbers import make_id_number
from households.models import Household, IncomeRecord, Member, MonitoringSubject, Visit
from households.tests.api_fixtures import HOME, KEEPERS, ROLES, VISIBLE, VISITORS, build_registry
from households.tests.factories import HouseholdFactory, new_id_number

RESOURCES = {
    "households": "households",
    "members": "members",
    "income-records": "incomes",
    "visits": "visits",
    "monitoring-subjects": "subjects",
}


@pytest.fixture
def reg(world):
    return build_registry(world)


def _as(api, world, role):
    api.force_authenticate(getattr(world, role))
    return api


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_roles_scope(api, world, reg, role, resource):
    objects = getattr(reg, RESOURCES[resource])
    expected = {objects[key].pk for key in VISIBLE[role]}
    assert _ids(_as(api, world, role).get(f"/api/{resource}/")) == expected


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", ROLES)
def test_detail_opens_in_scope_and_answers_404_elsewhere(api, world, reg, role, resource):
    client = _as(api, world, role)
    for key, obj in getattr(reg, RESOURCES[resource]).items():
        response = client.get(f"/api/{resource}/{obj.pk}/")
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (key, response)


# --- households ----------------------------------------------------------------


def _household_payload(world, key):
    return {"village": getattr(world, key).pk, "head_name": "新户", "address": "新村1号"}


@pytest.mark.parametrize("role", ROLES)
def test_only_registry_keepers_create_households_in_their_scope(api, world, role):
    key = HOME.get(role, "a1")
    response = _as(api, world, role).post(
        "/api/households/", _household_payload(world, key), format="json"
    )
    if role in KEEPERS:
        assert response.status_code == 201, response.content
        assert Household.objects.get(pk=response.json()["id"]).village == getattr(world, key)
    else:
        assert response.status_code == 403
        assert not Household.objects.filter(head_name="新户").exists()


def test_it_rejects_a_household_in_another_village(api, world):
    response = _as(api, world, "alice").post(
        "/api/households/", _household_payload(world, "a2"), format="json"
    )
    assert response.status_code == 400
    village = world.a2.pk
    assert response.json()["village"] == [f"编号为 {village} 的村不存在，或不在您的工作范围内"]
    assert not Household.objects.filter(head_name="新户").exists()


@pytest.mark.parametrize("role", ROLES)
def test_household_update_follows_the_role(api, world, reg, role):
    household = reg.households[HOME.get(role, "a1")]
    response = _as(api, world, role).patch(
        f"/api/households/{household.pk}/", {"phone": "13900000000"}, format="json"
    )
    household.refresh_from_db()
    if role in KEEPERS:
        assert response.status_code == 200, response.content
        assert household.phone == "13900000000"
    else:
        # grace sees the household she helps but keeps no registry; frank sees none.
        assert response.status_code == (403 if role == "grace" else 404)
        assert household.phone == ""


def test_it_answers_404_when_a_monitor_edits_another_villages_household(api, world, reg):
    response = _as(api, world, "alice").patch(
        f"/api/households/{reg.households['a2'].pk}/", {"phone": "1"}, format="json"
    )
    assert response.status_code == 404


def test_a_town_official_cannot_move_a_household_to_another_town(api, world, reg):
    response = _as(api, world, "carol").patch(
        f"/api/households/{reg.households['a1'].pk}/", {"village": world.b1.pk}, format="json"
    )
    assert response.status_code == 400
    assert "village" in response.json()
    reg.households["a1"].refresh_from_db()
    assert reg.households["a1"].village == world.a1


# --- members -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_member_create_follows_the_role(api, world, reg, role):
    household = reg.households[HOME.get(role, "a1")]
    payload = {
        "household": household.pk,
        "name": "新成员",
        "id_number": make_id_number(region="340621", born=datetime.date(2001, 3, 4), sequence=7),
        "relation": "son",
    }
    response = _as(api, world, role).post("/api/members/", payload, format="json")
    if role in KEEPERS:
        assert response.status_code == 201, response.content
        assert response.json()["birth_date"] == "2001-03-04"
    else:
        assert response.status_code == 403
    assert Member.objects.filter(name="新成员").exists() == (role in KEEPERS)


@pytest.mark.parametrize("role", ROLES)
def test_member_update_follows_the_role(api, world, reg, role):
    member = reg.members[HOME.get(role, "a1")]
    response = _as(api, world, role).patch(
        f"/api/members/{member.pk}/", {"health": "chronic"}, format="json"
    )
    member.refresh_from_db()
    if role in KEEPERS:
        assert response.status_code == 200, response.content
        assert member.health == "chronic"
    else:
        assert response.status_code == (403 if role == "grace" else 404)
        assert member.health == "healthy"


def test_it_rejects_a_member_for_another_villages_household(api, world, reg):
    payload = {
        "household": reg.households["b1"].pk,
        "name": "外村人",
        "id_number": new_id_number(),
        "relation": "son",
    }
    response = _as(api, world, "alice").post("/api/members/", payload, format="json")
    assert response.status_code == 400
    pk = reg.households["b1"].pk
    assert response.json()["household"] == [f"编号为 {pk} 的农户不存在，或不在您的工作范围内"]


def test_a_household_id_that_is_not_a_number_is_named_in_chinese(api, world, reg):
    payload = {"household": "谢庙村1号", "visited_on": "2021-08-01", "findings": "x"}
    response = _as(api, world, "alice").post("/api/visits/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["household"] == ["农户应填写编号（整数）"]


def test_a_monitor_deletes_a_member_of_their_village_only(api, world, reg):
    client = _as(api, world, "alice")
    assert client.delete(f"/api/members/{reg.members['a2'].pk}/").status_code == 404
    assert client.delete(f"/api/members/{reg.members['a1'].pk}/").status_code == 204
    assert not Member.objects.filter(pk=reg.members["a1"].pk).exists()


# --- income records --------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_income_record_create_follows_the_role(api, world, reg, role):
    household = reg.households[HOME.get(role, "a1")]
    payload = {"household": household.pk, "year": 2022, "household_size": 2, "wage_income": "9000"}
    response = _as(api, world, role).post("/api/income-records/", payload, format="json")
    if role in KEEPERS:
        assert response.status_code == 201, response.content
        assert response.json()["per_capita_net_income"] == "4500.00"
    else:
        assert response.status_code == 403
    exists = IncomeRecord.objects.filter(household=household, year=2022).exists()
    assert exists == (role in KEEPERS)


@pytest.mark.parametrize("role", ROLES)
def test_income_record_update_follows_the_role(api, world, reg, role):
    record = reg.incomes[HOME.get(role, "a1")]
    response = _as(api, world, role).patch(
        f"/api/income-records/{record.pk}/", {"wage_income": "20000"}, format="json"
    )
    record.refresh_from_db()
    if role in KEEPERS:
        assert response.status_code == 200, response.content
        assert record.per_capita_net_income == 10000
    else:
        assert response.status_code == (403 if role == "grace" else 404)
        assert record.per_capita_net_income == 4000


def test_a_second_record_for_the_same_year_is_refused_in_chinese(api, world, reg):
    payload = {"household": reg.households["a1"].pk, "year": 2021, "wage_income": "1"}
    response = _as(api, world, "alice").post("/api/income-records/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["year"] == ["该户2021年度的收入已登记，请在收入记录中修改"]
    assert IncomeRecord.objects.filter(household=reg.households["a1"]).count() == 1


def test_moving_a_record_onto_a_year_already_entered_is_refused(api, world, reg):
    later = services.income_record_save(
        actor=world.alice, household=reg.households["a1"], year=2022, household_size=1
    )
    response = _as(api, world, "alice").patch(
        f"/api/income-records/{later.pk}/", {"year": 2021}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["year"] == ["该户2021年度的收入已登记，请在收入记录中修改"]
    later.refresh_from_db()
    assert later.year == 2022


# --- visits --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_visit_create_follows_the_role(api, world, reg, role):
    household = reg.households[HOME.get(role, "a1")]
    payload = {
        "household": household.pk,
        "visited_on": "2021-08-01",
        "reason": "sudden_illness",
        "findings": "户主住院",
    }
    response = _as(api, world, role).post("/api/visits/", payload, format="json")
    if role in VISITORS:
        assert response.status_code == 201, response.content
        visit = Visit.objects.get(pk=response.json()["id"])
        assert visit.visitor == getattr(world, role)
    else:
        assert response.status_code == 403
        assert not Visit.objects.filter(findings="户主住院").exists()


def test_a_helper_cannot_visit_a_household_she_does_not_help(api, world, reg):
    payload = {"household": reg.households["a2"].pk, "visited_on": "2021-08-01", "findings": "x"}
    response = _as(api, world, "grace").post("/api/visits/", payload, format="json")
    assert response.status_code == 400
    assert "household" in response.json()


def test_a_helper_edits_her_own_visit_but_not_anothers(api, world, reg):
    client = _as(api, world, "grace")
    created = client.post(
        "/api/visits/",
        {"household": reg.households["a1"].pk, "visited_on": "2021-08-01", "findings": "正常"},
        format="json",
    ).json()
    assert client.patch(f"/api/visits/{created['id']}/", {"findings": "已复查"}).status_code == 200
    others = client.patch(f"/api/visits/{reg.visits['a1'].pk}/", {"findings": "改"})
    assert others.status_code == 403
    assert others.json()["detail"] == "只能修改自己的走访记录"
    reg.visits["a1"].refresh_from_db()
    assert reg.visits["a1"].findings == "生产生活正常"


def test_a_visit_in_the_future_is_refused_in_chinese(api, world, reg):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    payload = {
        "household": reg.households["a1"].pk,
        "visited_on": tomorrow.isoformat(),
        "findings": "x",
    }
    response = _as(api, world, "alice").post("/api/visits/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["visited_on"] == ["日期不能晚于今天"]


# --- monitoring subjects -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_county_files_monitoring_subjects(api, world, reg, role):
    household = HouseholdFactory(
        village=getattr(world, HOME.get(role, "a1")), status_2020="ordinary"
    )
    if role == "grace":
        household = reg.households["a1"]
        reg.subjects["a1"].delete()
    payload = {
        "household": household.pk,
        "category": "sudden",
        "risk_types": ["illness", "disaster"],
        "started_on": "2021-09-01",
    }
    response = _as(api, world, role).post("/api/monitoring-subjects/", payload, format="json")
    if role == "erin":
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "monitoring"
        assert sorted(response.json()["risk_types"]) == ["disaster", "illness"]
    else:
        assert response.status_code == 403
    assert MonitoringSubject.objects.filter(household=household).exists() == (role == "erin")


def test_a_household_already_monitored_is_not_filed_twice(api, world, reg):
    payload = {
        "household": reg.households["b1"].pk,
        "category": "sudden",
        "risk_types": ["illness"],
        "started_on": "2021-09-01",
    }
    response = _as(api, world, "erin").post("/api/monitoring-subjects/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["household"] == ["该户已是监测对象，不能重复纳入"]


def test_the_status_cannot_be_set_by_an_edit(api, world, reg):
    subject = reg.subjects["a1"]
    response = _as(api, world, "erin").patch(
        f"/api/monitoring-subjects/{subject.pk}/", {"status": "eliminated"}, format="json"
    )
    assert response.status_code == 200
    subject.refresh_from_db()
    assert subject.status == "monitoring"


@pytest.mark.parametrize("role", ROLES)
def test_risk_type_update_follows_the_role(api, world, reg, role):
    subject = reg.subjects[HOME.get(role, "a1")]
    response = _as(api, world, role).patch(
        f"/api/monitoring-subjects/{subject.pk}/", {"risk_types": ["housing"]}, format="json"
    )
    codes = set(subject.risk_types.values_list("code", flat=True))
    if role in KEEPERS:
        assert response.status_code == 200, response.content
        assert codes == {"housing"}
    else:
        assert response.status_code == (403 if role == "grace" else 404)
        assert codes == {"illness"}


def test_no_api_marks_a_subject_risk_eliminated_outside_its_exit_case(api, world, reg):
    """三(九): a subject leaves monitoring only through the exit case (/api/exit-cases/)."""
    subject = reg.subjects["a1"]
    response = _as(api, world, "erin").post(
        f"/api/monitoring-subjects/{subject.pk}/eliminate/", {"ended_on": "2021-12-20"}
    )
    assert response.status_code == 404
    subject.refresh_from_db()
    assert subject.status == "monitoring"
