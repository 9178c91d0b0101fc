"""The API of plans, measures, the catalogue and suggestions: scope (404), rules (400),
states (409), roles (403), fixed query counts."""

from __future__ import annotations

import datetime

import pytest

from assistance import services
from assistance.models import HelpAssignment, MeasureState, PlanState
from households.tests.factories import HouseholdFactory, MemberFactory
from organization.tests.factories import UserFactory

from .factories_plans import MeasureFactory, PlanFactory, SubjectFactory, kind, member_aged, risks

MADE = datetime.date(2021, 8, 1)
ON = datetime.date(2021, 9, 1)
PLANS = "/api/assistance-plans/"
MEASURES = "/api/measures/"
KINDS = "/api/measure-kinds/"
SUGGESTIONS = "/api/measure-suggestions/"
ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "helper_b"]
SEES_A1 = {"alice", "carol", "erin", "grace"}


@pytest.fixture
def data(world):
    world.helper_b = UserFactory(username="helper_b", role="helper")
    household = HouseholdFactory(village=world.a1, head_name="李大山")
    subject = SubjectFactory(household=household, risk_types=risks("illness"))
    HelpAssignment.objects.create(household=household, helper=world.grace, started_on=MADE)
    worker = member_aged(household, 30, ON, name="李强")
    plan = services.plan_create(actor=world.alice, subject=subject, made_on=MADE)
    measure = MeasureFactory(plan=plan, kind=kind("local_work"), member=worker)
    return type(
        "Data", (), {"subject": subject, "plan": plan, "measure": measure, "worker": worker}
    )


@pytest.mark.parametrize("who", ROLES)
def test_scope_for_every_role(world, data, api, who):
    api.force_authenticate(getattr(world, who))
    sees = who in SEES_A1
    for url in (
        f"{PLANS}{data.plan.pk}/",
        f"{MEASURES}{data.measure.pk}/",
        f"{SUGGESTIONS}?subject={data.subject.pk}",
    ):
        assert api.get(url).status_code == (200 if sees else 404), url
    assert len(api.get(PLANS).json()["results"]) == (1 if sees else 0)
    assert len(api.get(MEASURES).json()["results"]) == (1 if sees else 0)
    # Steps on another scope's objects answer 404 before any rule.
    if not sees:
        assert api.post(f"{PLANS}{data.plan.pk}/activate/", {"on": "2021-09-01"}).status_code == 404
        assert (
            api.post(f"{MEASURES}{data.measure.pk}/start/", {"on": "2021-09-01"}).status_code == 404
        )
        assert api.patch(f"{PLANS}{data.plan.pk}/", {"wishes": "x"}).status_code == 404
    assert api.get(KINDS).status_code == 200  # reference data for everyone


def test_create_plan_and_its_rules(world, api):
    household = HouseholdFactory(village=world.a1)
    subject = SubjectFactory(household=household, risk_types=risks("water"))
    api.force_authenticate(world.alice)
    assert api.post(PLANS, {"made_on": "2021-08-01"}).status_code == 400  # no subject
    response = api.post(
        PLANS, {"subject": subject.pk, "made_on": "2021-08-01", "wishes": "务工"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["risk_types"] == [r.pk for r in risks("water")]
    assert api.post(PLANS, {"subject": subject.pk, "made_on": "2021-08-01"}).status_code == 409
    other = SubjectFactory(household=HouseholdFactory(village=world.b1))
    response = api.post(PLANS, {"subject": other.pk, "made_on": "2021-08-01"})
    assert response.status_code == 400 and "subject" in response.json()  # out of scope: unknown
    assert api.delete(f"{PLANS}{body['id']}/").status_code == 405


def test_roles_that_may_not_draft(world, api):
    subject = SubjectFactory(household=HouseholdFactory(village=world.a1))
    api.force_authenticate(world.erin)
    assert api.post(PLANS, {"subject": subject.pk, "made_on": "2021-08-01"}).status_code == 403


def test_update_activate_review(world, data, api):
    api.force_authenticate(world.alice)
    response = api.patch(f"{PLANS}{data.plan.pk}/", {"needs": "技能培训"}, format="json")
    assert response.status_code == 200 and response.json()["needs"] == "技能培训"
    assert api.post(f"{PLANS}{data.plan.pk}/activate/", {"on": "2021-09-01"}).status_code == 403
    api.force_authenticate(world.carol)
    type(data.measure).objects.filter(pk=data.measure.pk).update(kind=kind("family_doctor"))
    response = api.post(f"{PLANS}{data.plan.pk}/activate/", {"on": "2021-09-01"})
    assert response.status_code == 400
    assert "李强" in response.json()["detail"] and "三(八)2" in response.json()["detail"]
    assert response.json()["members"] == [data.worker.pk]
    type(data.measure).objects.filter(pk=data.measure.pk).update(kind=kind("local_work"))
    response = api.post(f"{PLANS}{data.plan.pk}/activate/", {"on": "2021-09-01"})
    assert response.status_code == 200 and response.json()["next_review_on"] == "2022-03-01"
    assert api.post(f"{PLANS}{data.plan.pk}/activate/", {"on": "2021-09-01"}).status_code == 409
    response = api.post(
        f"{PLANS}{data.plan.pk}/review/", {"on": "2022-03-02", "conclusion": "落实"}
    )
    assert response.status_code == 200 and response.json()["next_review_on"] == "2022-09-02"
    assert api.post(f"{PLANS}{data.plan.pk}/review/", {"on": "2022-03-02"}).status_code == 400


def test_plan_list_filters(world, data, api):
    PlanFactory(
        subject=SubjectFactory(household=HouseholdFactory(village=world.a2, head_name="赵四"))
    )
    api.force_authenticate(world.carol)
    assert len(api.get(PLANS, {"q": "李大"}).json()["results"]) == 1
    assert len(api.get(PLANS, {"village": world.a2.pk}).json()["results"]) == 1
    assert len(api.get(PLANS, {"state": "active"}).json()["results"]) == 0
    assert api.get(PLANS, {"state": "nope"}).status_code == 400
    assert api.get(PLANS, {"town": "x"}).status_code == 400
    assert len(api.get(PLANS, {"overdue": "true"}).json()["results"]) == 0


def test_measures_create_edit_and_rules(world, data, api):
    api.force_authenticate(world.alice)
    body = {
        "plan": data.plan.pk,
        "kind": kind("public_job").pk,
        "member": data.worker.pk,
        "amount": "800.00",
    }
    response = api.post(MEASURES, body, format="json")
    assert response.status_code == 201 and response.json()["member_name"] == "李强"
    mid = response.json()["id"]
    assert api.post(MEASURES, {**body, "amount": "-1"}, format="json").status_code == 400
    late = {**body, "started_on": "2021-09-02", "planned_end_on": "2021-09-01"}
    response = api.post(MEASURES, late, format="json")
    assert response.status_code == 400 and "planned_end_on" in response.json()
    stranger_same_scope = MemberFactory(household=HouseholdFactory(village=world.a1))
    response = api.post(MEASURES, {**body, "member": stranger_same_scope.pk}, format="json")
    assert response.status_code == 400 and "member" in response.json()
    stranger = MemberFactory(household=HouseholdFactory(village=world.b1))
    response = api.post(MEASURES, {**body, "member": stranger.pk}, format="json")
    assert response.status_code == 400 and "member" in response.json()
    other_plan = PlanFactory(subject=SubjectFactory(household=HouseholdFactory(village=world.b1)))
    response = api.post(MEASURES, {**body, "plan": other_plan.pk, "member": None}, format="json")
    assert response.status_code == 400 and "plan" in response.json()
    response = api.patch(f"{MEASURES}{mid}/", {"result": "月工资800元"}, format="json")
    assert response.status_code == 200 and response.json()["result"] == "月工资800元"
    assert api.delete(f"{MEASURES}{mid}/").status_code == 405


def test_measure_state_machine(world, data, api):
    api.force_authenticate(world.grace)
    url = f"{MEASURES}{data.measure.pk}/"
    assert api.post(url + "complete/", {"on": "2021-09-01"}).status_code == 409
    assert api.post(url + "start/", {"on": "2021-09-01"}).json()["state"] == "in_progress"
    assert api.post(url + "start/", {"on": "2021-09-01"}).status_code == 409
    assert api.post(url + "stop/", {"on": "2021-09-02"}).status_code == 400  # no reason
    response = api.post(url + "complete/", {"on": "2021-09-02", "result": "月增收2000元"})
    assert response.json()["state"] == MeasureState.DONE
    assert api.post(url + "stop/", {"on": "2021-09-02", "reason": "x"}).status_code == 409
    api.force_authenticate(world.erin)
    assert api.post(url + "start/", {"on": "2021-09-01"}).status_code == 403


def test_kinds_read_for_all_write_for_the_county(world, api):
    api.force_authenticate(world.frank)
    assert any(
        k["code"] == "microcredit" and k["continues_after_exit"] for k in api.get(KINDS).json()
    )
    assert api.post(KINDS, {"name": "新类型", "group": "social"}).status_code == 403
    api.force_authenticate(world.erin)
    response = api.post(KINDS, {"name": "新类型", "group": "social", "order": 30})
    assert response.status_code == 201
    new = response.json()["id"]
    assert api.post(KINDS, {"name": "新类型", "group": "social"}).status_code == 400
    response = api.patch(f"{KINDS}{new}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and not response.json()["is_active"]
    assert all(k["id"] != new for k in api.get(KINDS).json())
    assert any(k["id"] == new for k in api.get(KINDS, {"include_inactive": "1"}).json())
    used = kind("dibao")
    MeasureFactory(kind=used)
    assert api.delete(f"{KINDS}{used.pk}/").status_code == 409
    assert api.delete(f"{KINDS}{new}/").status_code == 204


def test_suggestions(world, data, api):
    api.force_authenticate(world.alice)
    assert api.get(SUGGESTIONS).status_code == 400
    rows = api.get(SUGGESTIONS, {"subject": data.subject.pk}).json()
    by_rule = {r["rule"]: r for r in rows}
    assert by_rule["working_member"]["member_name"] == "李强"
    assert by_rule["working_member"]["covered"] is True  # 就近就业 is already in the plan
    assert by_rule["illness"]["member"] is None and by_rule["illness"]["member_name"] == "全户"
    assert by_rule["illness"]["clause"] == "三(八)2"


@pytest.mark.parametrize("url", [PLANS, MEASURES])
def test_list_query_counts_do_not_grow(world, data, api, url, django_assert_max_num_queries):
    api.force_authenticate(world.carol)
    for _ in range(5):
        s = SubjectFactory(household=HouseholdFactory(village=world.a2))
        MeasureFactory(plan=PlanFactory(subject=s), kind=kind("dibao"))
    with django_assert_max_num_queries(6):
        response = api.get(url)
    assert len(response.json()["results"]) == 6


def test_plan_close_state_is_readable(world, data, api):
    services.plan_close(actor=world.erin, plan=data.plan, on=ON)
    api.force_authenticate(world.alice)
    body = api.get(f"{PLANS}{data.plan.pk}/").json()
    assert body["state"] == PlanState.CLOSED and body["close_reason"]
    assert api.patch(f"{PLANS}{data.plan.pk}/", {"wishes": "x"}).status_code == 409
