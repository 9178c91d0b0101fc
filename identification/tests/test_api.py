"""/api/identification-cases/ and /api/comparison-datasets/: steps as POST actions, 400/409, scope."""

import io

import pytest
from openpyxl import Workbook

from identification.models import CaseState

from .factories import dataset_with, days_ago, household_ready, walk

URL = "/api/identification-cases/"


def act(api, user, case, step, payload, **kwargs):
    api.force_authenticate(user)
    return api.post(f"{URL}{case.pk}/{step}/", payload, format="json", **kwargs)


def test_a_monitor_applies_through_the_api(world, api):
    household = household_ready(world.a1)
    api.force_authenticate(world.alice)
    response = api.post(
        URL,
        {
            "household": household.pk,
            "applicant": household.members.first().pk,
            "applied_on": str(days_ago(3)),
            "hardship": "因灾房屋受损",
            "risk_types": ["disaster"],
            "source": "household",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["state"] == CaseState.APPLIED
    assert response.data["risk_types"] == ["disaster"]
    assert response.data["timeline"][0]["step"] == "户申请"


def test_applying_for_another_villages_household_names_no_such_household(world, api):
    household = household_ready(world.a2)
    api.force_authenticate(world.alice)
    response = api.post(
        URL,
        {
            "household": household.pk,
            "applicant": household.members.first().pk,
            "applied_on": str(days_ago(3)),
            "hardship": "x",
            "risk_types": ["illness"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "household" in response.data


def test_a_one_person_team_is_400_with_the_clause(world, api):
    case = walk(world, CaseState.APPLIED)
    response = act(
        api,
        world.alice,
        case,
        "verify",
        {
            "checked_on": str(days_ago(70)),
            "team": [{"user": world.alice.pk, "role": "village_committee"}],
            "findings": "入户核实",
            "passed": True,
            "medical_burden": True,
        },
    )
    assert response.status_code == 400
    assert response.data["detail"] == "三(七)2：核查组成员不得少于2人（当前1人）"


def test_a_step_in_the_wrong_state_is_409(world, api):
    case = walk(world, CaseState.VERIFIED)
    response = act(
        api,
        world.alice,
        case,
        "verify",
        {"checked_on": str(days_ago(70)), "team": [], "findings": "x", "passed": True},
    )
    assert response.status_code == 409
    assert "当前环节" in response.data["detail"]


def test_a_meeting_without_quorum_is_400_with_the_rule(world, api):
    case = walk(world, CaseState.VERIFIED)
    payload = {"group": world.groups[world.a1.pk].pk, "held_on": str(days_ago(70))}
    response = act(
        api,
        world.alice,
        case,
        "deliberate",
        {**payload, "expected": 9, "present": 5, "approvals": 5},
    )
    assert response.status_code == 400
    assert response.data["detail"].startswith("三(七)3：到会人数须达到应到人数的三分之二以上")
    response = act(
        api,
        world.alice,
        case,
        "deliberate",
        {**payload, "expected": 9, "present": 6, "approvals": 4},
    )
    assert response.status_code == 200
    assert response.data["state"] == CaseState.DELIBERATED


def test_the_whole_path_through_the_api(world, api):
    case = walk(world, CaseState.DELIBERATED, start=60)
    record = dataset_with(case.household.members.first()).records.get()
    api.force_authenticate(world.erin)
    hits = api.get(f"{URL}{case.pk}/comparison-hits/").data["hits"]
    assert [h["record"] for h in hits] == [record.pk]
    assert "*" in hits[0]["id_number"]
    response = act(
        api,
        world.erin,
        case,
        "compare",
        {
            "compared_on": str(days_ago(50)),
            "judgements": [{"record": record.pk, "judgement": "no_effect", "reason": "旧车已报废"}],
        },
    )
    assert response.status_code == 200, response.data
    response = act(
        api,
        world.alice,
        case,
        "publicize-village",
        {
            "meeting_on": str(days_ago(45)),
            "decision": "同意",
            "publicity_started_on": str(days_ago(45)),
        },
    )
    assert response.data["state"] == CaseState.VILLAGE_PUBLICIZING
    from identification.services import publicities_conclude_due

    publicities_conclude_due()
    response = act(
        api,
        world.carol,
        case,
        "approve-town",
        {
            "meeting_on": str(days_ago(30)),
            "approved": True,
            "opinion": "同意",
            "publicity_started_on": str(days_ago(30)),
        },
    )
    assert response.data["state"] == CaseState.TOWN_PUBLICIZING, response.data
    publicities_conclude_due()
    response = act(
        api,
        world.erin,
        case,
        "file",
        {"filed_on": str(days_ago(1)), "category": "unstable", "risk_types": ["illness"]},
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == CaseState.FILED
    assert response.data["monitoring_subject"]


def test_objections_are_nested_under_the_case(world, api):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    api.force_authenticate(world.alice)
    response = api.post(
        f"{URL}{case.pk}/objections/",
        {
            "content": "该户子女为公职人员",
            "lodged_on": str(days_ago(1)),
            "raised_by_name": "村民乙",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    objection = response.data["id"]
    assert api.get(f"{URL}{case.pk}/objections/").data[0]["status"] == "open"
    # a village monitor may lodge but not decide
    response = act(api, world.alice, case, f"objections/{objection}/uphold", {"reason": "成立"})
    assert response.status_code == 403
    response = act(api, world.carol, case, f"objections/{objection}/uphold", {"reason": "需复核"})
    assert response.status_code == 200
    assert response.data["status"] == "upheld"
    case.refresh_from_db()
    assert case.state == CaseState.APPLIED
    response = act(api, world.carol, case, f"objections/{objection}/dismiss", {"reason": "x"})
    assert response.status_code == 409


def test_reject_and_withdraw_are_actions(world, api):
    case = walk(world, CaseState.DELIBERATED)
    response = act(api, world.erin, case, "reject", {"reason": "家庭成员为财政供养人员"})
    assert response.data["state"] == CaseState.REJECTED
    other = walk(world, CaseState.APPLIED)
    response = act(api, world.alice, other, "withdraw", {"reason": "本人申请撤回"})
    assert response.data["state"] == CaseState.WITHDRAWN


@pytest.mark.parametrize("who", ["bob", "dave", "frank"])
def test_other_scopes_get_404_on_a_case_and_its_steps(world, api, who):
    case = walk(world, CaseState.APPLIED)
    user = getattr(world, who)
    api.force_authenticate(user)
    assert api.get(f"{URL}{case.pk}/").status_code == 404
    response = act(api, user, case, "withdraw", {"reason": "x"})
    assert response.status_code == 404
    assert api.get(URL).data["count"] == 0


def test_the_list_filters_by_state_town_and_overdue(world, api):
    # The limit counts from the application: applied 21 days ago with no home check (2
    # working days) is past it; applied 10 days ago and checked (20 working days) is not.
    applied = walk(world, CaseState.APPLIED, start=21)
    walk(world, CaseState.VERIFIED, start=10)
    api.force_authenticate(world.erin)
    assert api.get(URL, {"state": "verified"}).data["count"] == 1
    assert api.get(URL, {"town": world.town_a.pk}).data["count"] == 2
    assert api.get(URL, {"town": world.town_b.pk}).data["count"] == 0
    overdue = api.get(URL, {"overdue": "true"}).data
    assert [row["id"] for row in overdue["results"]] == [applied.pk]
    assert overdue["results"][0]["overdue"] is True


# --- comparison data sets -----------------------------------------------------------------


def xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "车辆.xlsx"
    return buffer


def test_village_monitors_cannot_upload_or_list_data_sets(world, api):
    dataset_with(household_ready(world.a1).members.first())
    api.force_authenticate(world.alice)
    assert api.get("/api/comparison-datasets/").data["count"] == 0
    response = api.post(
        "/api/comparison-datasets/",
        {"kind": "vehicle", "as_of": str(days_ago(5)), "file": xlsx([["身份证号"]])},
        format="multipart",
    )
    assert response.status_code == 403


def test_department_staff_see_their_own_data_sets_only(world, api):
    dataset_with(
        household_ready(world.a1).members.first()
    )  # uploaded by someone else, no department
    api.force_authenticate(world.frank)
    assert api.get("/api/comparison-datasets/").data["count"] == 0


def test_the_list_costs_the_same_queries_for_two_cases_or_six(
    world, api, client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.force_authenticate(world.erin)
    client.force_login(world.erin)
    counts = []
    for _ in range(2):
        for _ in range(2 if not counts else 4):
            walk(world, CaseState.APPLIED)
        with CaptureQueriesContext(connection) as api_queries:
            assert api.get(URL).status_code == 200
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get("/identification/").status_code == 200
        counts.append((len(api_queries), len(page_queries)))
    assert counts[0] == counts[1]


def test_a_publicity_is_concluded_through_the_api_only_when_it_ran_its_days(world, api):
    # 三(七)5: 7 days counted from the recorded start; started 6 days ago it has not run.
    early = walk(world, CaseState.VILLAGE_PUBLICIZING, start=14)
    response = act(api, world.carol, early, "conclude-publicity", {})
    assert response.status_code == 400 and "三(七)5" in response.data["detail"]
    ran = walk(world, CaseState.VILLAGE_PUBLICIZING, start=15)
    response = act(api, world.carol, ran, "conclude-publicity", {})
    assert response.status_code == 200 and response.data["state"] == CaseState.TOWN_REVIEWING
    response = act(api, world.carol, ran, "conclude-publicity", {})
    assert response.status_code == 409
    assert act(api, world.alice, early, "conclude-publicity", {}).status_code == 403
    assert act(api, world.dave, early, "conclude-publicity", {}).status_code == 404
