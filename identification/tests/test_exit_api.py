"""/api/exit-cases/ (三(九)): the steps as POST actions, each role's scope (404 across it), the
documented 400/403/409 answers, nested objections, query counts, and concurrent filings."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import close_old_connections, connection
from drf_spectacular.generators import SchemaGenerator

from households.models import MonitoringSubject
from identification import services
from identification.models import ExitCase, ExitFiling, ExitState
from identification.tests.factories_exits import (
    days_ago,
    exit_round_now,
    proposed,
    ready_for_exit,
    walk_exit,
)
from organization.models import Role
from organization.tests.factories import UserFactory
from suixi_monitor.exceptions import ConflictError

URL = "/api/exit-cases/"


def _as(api, user):
    api.force_authenticate(user)
    return api


def _iso(day: datetime.date) -> str:
    return day.isoformat()


VERIFY_BODY = {
    "team": [
        {"role": "village_committee", "name": "村委委员陈某"},
        {"role": "work_team", "name": "驻村队员周某"},
    ],
    "per_capita_income": "9000.00",
    "education_secured": True,
    "medical_secured": True,
    "housing_secured": True,
    "water_secured": True,
    "measures_note": "措施已落实",
}


@pytest.mark.django_db
def test_a_case_goes_from_proposal_to_filing_through_the_api(api, world, exit_round):
    subject = ready_for_exit(world.a1, world.alice)
    created = _as(api, world.alice).post(
        URL,
        {"subject": subject.pk, "proposed_on": _iso(days_ago(20)), "reason": "收入稳定"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    step = f"{URL}{pk}/"
    verified = api.post(
        f"{step}verify/", {**VERIFY_BODY, "checked_on": _iso(days_ago(19))}, format="json"
    )
    assert verified.json()["state"] == "verified", verified.content
    town = _as(api, world.carol)
    evaluated = town.post(
        f"{step}evaluate/",
        {"held_on": _iso(days_ago(18)), "present": "李镇长、王书记", "passed": True},
        format="json",
    )
    assert evaluated.json()["state"] == "evaluated", evaluated.content
    publicized = town.post(
        f"{step}publicize/", {"started_on": _iso(days_ago(17)), "days": 7}, format="json"
    )
    assert publicized.json()["state"] == "town_publicizing", publicized.content
    concluded = town.post(f"{step}conclude-publicity/")
    assert concluded.json()["state"] == "county_filing", concluded.content
    filed = _as(api, world.erin).post(
        f"{step}file/", {"filed_on": _iso(days_ago(8))}, format="json"
    )
    body = filed.json()
    assert body["state"] == "filed" and body["filed_on"] == _iso(days_ago(8)), body
    assert [e["step"] for e in body["timeline"]][:1] == ["村级上报"]
    assert "县备案" in [e["step"] for e in body["timeline"]]
    assert MonitoringSubject.objects.get(pk=subject.pk).status == "eliminated"


@pytest.mark.django_db
def test_a_proposal_failing_a_condition_answers_400_with_the_clause(api, world, exit_round):
    subject = ready_for_exit(world.a1, world.alice, visited_days_ago=60)
    response = _as(api, world.alice).post(
        URL,
        {"subject": subject.pk, "proposed_on": _iso(days_ago(20)), "reason": "好转"},
        format="json",
    )
    assert response.status_code == 400
    assert "三(九)" in str(response.json())
    assert response.json()["conditions"][0]["label"] == "近30天内有入户走访"


@pytest.mark.django_db
def test_a_role_that_does_not_propose_is_refused_before_its_body_is_read(api, world, exit_round):
    response = _as(api, world.carol).post(URL, {"subject": 999999}, format="json")
    assert response.status_code == 403
    assert "村级上报拟退出须由村防贫监测员办理" in response.json()["detail"]


@pytest.mark.django_db
def test_another_villages_subject_cannot_be_named(api, world, exit_round):
    subject = ready_for_exit(world.a1, world.alice)
    response = _as(api, world.bob).post(
        URL, {"subject": subject.pk, "proposed_on": _iso(days_ago(20)), "reason": "好转"}
    )
    assert response.status_code == 400
    assert "subject" in response.json()


@pytest.mark.django_db
def test_a_step_in_the_wrong_state_is_409_with_the_state(api, world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.VERIFIED)
    response = _as(api, world.alice).post(
        f"{URL}{case.pk}/verify/", {**VERIFY_BODY, "checked_on": _iso(days_ago(19))}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["state"] == "verified"


@pytest.mark.django_db
def test_a_step_by_the_wrong_role_is_403(api, world, exit_round):
    case = proposed(world)
    response = _as(api, world.carol).post(f"{URL}{case.pk}/verify/", {}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_broken_rule_is_400_naming_the_field(api, world, exit_round):
    case = proposed(world)
    body = {**VERIFY_BODY, "checked_on": _iso(days_ago(19)), "water_secured": False}
    response = _as(api, world.alice).post(f"{URL}{case.pk}/verify/", body, format="json")
    assert response.status_code == 400
    assert "饮水安全未有保障" in str(response.json()["water_secured"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "who", "action", "expected"),
    [
        (ExitState.VERIFIED, "carol", "return", "proposed"),
        (ExitState.COUNTY_FILING, "erin", "return", "proposed"),
        (ExitState.EVALUATED, "alice", "withdraw", "withdrawn"),
    ],
)
def test_return_and_withdraw_keep_the_reason(api, world, exit_round, state, who, action, expected):
    case = walk_exit(world, proposed(world), state)
    response = _as(api, getattr(world, who)).post(
        f"{URL}{case.pk}/{action}/", {"reason": "材料不全"}, format="json"
    )
    assert response.json()["state"] == expected, response.content
    assert "材料不全" in (response.json()["returned_reason"] + response.json()["closed_reason"])


@pytest.mark.django_db
def test_objections_are_lodged_by_the_town_and_an_upheld_one_sends_the_case_back(
    api, world, exit_round
):
    case = walk_exit(world, proposed(world), ExitState.TOWN_PUBLICIZING)
    # bob (甲二村) cannot see the case but may object to a publicity of his town.
    assert _as(api, world.bob).get(f"{URL}{case.pk}/").status_code == 404
    lodged = api.post(
        f"{URL}{case.pk}/objections/",
        {"content": "仍有困难", "lodged_on": _iso(days_ago(15))},
        format="json",
    )
    assert lodged.status_code == 201, lodged.content
    assert lodged.json()["exit_case"] == case.pk
    objection = lodged.json()["id"]
    assert (
        _as(api, world.dave)
        .post(f"{URL}{case.pk}/objections/", {"content": "x", "lodged_on": _iso(days_ago(15))})
        .status_code
        == 404
    )
    listed = _as(api, world.carol).get(f"{URL}{case.pk}/objections/")
    assert [o["id"] for o in listed.json()] == [objection]
    upheld = api.post(
        f"{URL}{case.pk}/objections/{objection}/uphold/", {"reason": "属实"}, format="json"
    )
    assert upheld.json()["status"] == "upheld"
    assert ExitCase.objects.get(pk=case.pk).state == ExitState.PROPOSED


# --- scope ------------------------------------------------------------------------------------


@pytest.fixture
def cases(world, exit_round):
    a1 = proposed(world)
    a2 = proposed(world, actor=world.bob)
    return {"a1": a1, "a2": a2}


SEES = {
    "alice": {"a1"},
    "bob": {"a2"},
    "carol": {"a1", "a2"},
    "dave": set(),
    "erin": {"a1", "a2"},
    "frank": set(),
    "grace": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(SEES))
def test_each_role_lists_and_opens_only_its_scopes_cases(api, world, cases, who):
    client = _as(api, getattr(world, who))
    listed = {row["id"] for row in client.get(URL).json()["results"]}
    assert listed == {cases[key].pk for key in SEES[who]}
    for key, case in cases.items():
        expected = 200 if key in SEES[who] else 404
        assert client.get(f"{URL}{case.pk}/").status_code == expected
        assert client.post(f"{URL}{case.pk}/withdraw/", {"reason": "x"}).status_code in (
            {404} if expected == 404 else {200, 403}
        )


@pytest.mark.django_db
def test_the_list_filters_by_round_state_village_and_name(api, world, cases, exit_round):
    client = _as(api, world.erin)

    def ids(query):
        return {row["id"] for row in client.get(URL + query).json()["results"]}

    assert ids(f"?round={exit_round.pk}") == {cases["a1"].pk, cases["a2"].pk}
    assert ids("?round=99999999999999999999999") == {cases["a1"].pk, cases["a2"].pk}
    assert ids(f"?village={world.a2.pk}") == {cases["a2"].pk}
    assert ids("?state=verified") == set()
    name = cases["a1"].household.head_name
    assert cases["a1"].pk in ids(f"?q={name}")


@pytest.mark.django_db
def test_the_list_reads_a_constant_number_of_queries(
    api, world, exit_round, django_assert_max_num_queries
):
    for _ in range(4):
        proposed(world)
    client = _as(api, world.erin)
    with django_assert_max_num_queries(8):
        assert len(client.get(URL).json()["results"]) == 4


# --- the schema ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    "path",
    [
        "{id}/verify/",
        "{id}/evaluate/",
        "{id}/publicize/",
        "{id}/conclude-publicity/",
        "{id}/file/",
        "{id}/return/",
        "{id}/withdraw/",
        "{id}/objections/",
        "{id}/objections/{objection_pk}/uphold/",
        "{id}/objections/{objection_pk}/dismiss/",
        "",
    ],
)
def test_every_exit_action_documents_its_400_403_and_409(schema, path):
    operation = schema["paths"][f"{URL}{path}"]["post"]
    assert "谁可以办理" in operation["description"]
    for code in ("400", "403", "409"):
        assert operation["responses"][code]["description"], code


# --- concurrent filings --------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_county_users_filing_one_exit_at_once_file_it_once(world):
    exit_round_now(world.town_a)
    case = walk_exit(world, proposed(world), ExitState.COUNTY_FILING)
    other = UserFactory(username="erin2", role=Role.COUNTY_BUREAU)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor) -> None:
        close_old_connections()
        try:
            barrier.wait()
            services.exit_file(actor=actor, case=case, filed_on=days_ago(8))
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in (world.erin, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "won"]
    assert ExitFiling.objects.filter(exit_case=case).count() == 1
    subject = MonitoringSubject.objects.get(pk=case.subject_id)
    assert subject.history.filter(status="eliminated").count() == 1
