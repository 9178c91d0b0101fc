"""The API of pairing and help visits: /api/help-assignments/, /api/visits/due/, /api/help-visits/.
404 out of scope, 400 for an out-of-scope foreign key or a broken rule, 409 for a wrong state."""

from __future__ import annotations

import pytest

from assistance.models import HelpAssignment, HelpVisit
from assistance.tests.factories_visits import (
    HelpAssignmentFactory,
    days_ago,
    help_world,
    plan_with_measures,
    subject_for,
)
from households.models import Visit
from households.tests.factories import VisitFactory

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]


@pytest.fixture
def hw(world):
    return help_world(world)


def as_(api, world, who):
    api.force_authenticate(getattr(world, who))
    return api


# --- /api/help-assignments/ --------------------------------------------------------------

# Who sees grace's assignment to the A1 household.
SEES_A1 = {"alice", "carol", "erin", "grace"}


@pytest.mark.parametrize("who", ROLES)
def test_assignments_are_listed_and_read_in_scope(api, world, hw, who):
    client = as_(api, world, who)
    ids = [row["id"] for row in client.get("/api/help-assignments/").json()["results"]]
    assert ids == ([hw.grace_assignment.pk] if who in SEES_A1 else [])
    status = client.get(f"/api/help-assignments/{hw.grace_assignment.pk}/").status_code
    assert status == (200 if who in SEES_A1 else 404)


def test_the_town_pairs_a_marginal_household_through_the_api(api, world, hw):
    payload = {
        "subject": hw.marginal.pk,
        "town_cadre": world.carol.pk,
        "village_cadre": world.alice.pk,
        "started_on": str(days_ago(1)),
    }
    response = as_(api, world, "carol").post("/api/help-assignments/", payload, format="json")
    assert response.status_code == 201, response.content
    rows = response.json()["assignments"]
    assert {(r["helper"], r["kind"], r["level"]) for r in rows} == {
        (world.carol.pk, "contact", "town"),
        (world.alice.pk, "contact", "village"),
    }


def test_a_subject_of_another_scope_is_a_bad_foreign_key(api, world, hw):
    payload = {"subject": hw.b1.pk, "helper": world.grace.pk, "started_on": str(days_ago(1))}
    response = as_(api, world, "carol").post("/api/help-assignments/", payload, format="json")
    assert response.status_code == 400
    assert "subject" in response.json()


def test_a_cadre_of_another_town_is_refused_with_the_clause(api, world, hw):
    payload = {
        "subject": hw.marginal.pk,
        "town_cadre": world.dave.pk,
        "village_cadre": world.alice.pk,
        "started_on": str(days_ago(1)),
    }
    response = as_(api, world, "carol").post("/api/help-assignments/", payload, format="json")
    assert response.status_code == 400
    assert "由镇、村二级干部结对联系帮扶" in response.json()["town_cadre"][0]


def test_pairing_the_current_helper_again_is_a_conflict(api, world, hw):
    payload = {
        "subject": hw.alleviated.pk,
        "helper": world.grace.pk,
        "started_on": str(days_ago(1)),
    }
    response = as_(api, world, "carol").post("/api/help-assignments/", payload, format="json")
    assert response.status_code == 409


# alice sees the subject but does not pair (403); grace does not see it (a bad key, 400).
@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("grace", 400), ("dave", 400)])
def test_those_who_may_not_pair_are_refused(api, world, hw, who, status):
    payload = {
        "subject": hw.marginal.pk,
        "town_cadre": world.carol.pk,
        "village_cadre": world.alice.pk,
        "started_on": str(days_ago(1)),
    }
    response = as_(api, world, who).post("/api/help-assignments/", payload, format="json")
    assert response.status_code == status
    assert not HelpAssignment.objects.filter(household=hw.marginal.household).exists()


def test_an_assignment_is_ended_once_and_never_deleted(api, world, hw):
    client = as_(api, world, "carol")
    url = f"/api/help-assignments/{hw.grace_assignment.pk}/"
    body = {"ended_on": str(days_ago(1)), "reason": "调离"}
    response = client.post(url + "end/", body, format="json")
    assert response.status_code == 200 and response.json()["ended_on"] == str(days_ago(1))
    assert client.post(url + "end/", body, format="json").status_code == 409
    assert client.delete(url).status_code == 405
    assert client.patch(url, {"reason": "x"}, format="json").status_code == 405
    assert HelpAssignment.objects.filter(pk=hw.grace_assignment.pk).exists()


def test_ending_another_scopes_assignment_is_404(api, world, hw):
    url = f"/api/help-assignments/{hw.grace_assignment.pk}/end/"
    body = {"ended_on": str(days_ago(1)), "reason": "调离"}
    assert as_(api, world, "dave").post(url, body, format="json").status_code == 404


def test_the_assignment_list_has_a_fixed_number_of_queries(
    api, world, hw, django_assert_max_num_queries
):
    client = as_(api, world, "erin")
    with django_assert_max_num_queries(6):
        client.get("/api/help-assignments/")
    for _ in range(6):
        HelpAssignmentFactory(household=subject_for(world.a2, category="sudden").household)
    with django_assert_max_num_queries(6):
        response = client.get("/api/help-assignments/")
    assert response.json()["count"] == 7


# --- /api/visits/due/ --------------------------------------------------------------------


def test_the_due_list_gives_next_due_and_days_overdue(api, world, hw):
    rows = {
        r["head_name"]: r
        for r in as_(api, world, "carol").get("/api/visits/due/").json()["results"]
    }
    assert set(rows) == {"张大", "李二"}
    assert rows["李二"]["next_due"] == str(days_ago(10)) and rows["李二"]["days_overdue"] == 10
    assert rows["张大"]["helpers"] == [{"id": world.grace.pk, "name": str(world.grace)}]


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("alice", {"张大", "李二"}),
        ("bob", set()),
        ("carol", {"张大", "李二"}),
        ("dave", {"王三"}),
        ("erin", {"张大", "李二", "王三"}),
        ("frank", set()),
        ("grace", {"张大"}),
    ],
)
def test_the_due_list_is_scoped(api, world, hw, who, names):
    rows = as_(api, world, who).get("/api/visits/due/").json()["results"]
    assert {r["head_name"] for r in rows} == names


def test_the_due_list_filters(api, world, hw):
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(2))
    client = as_(api, world, "erin")
    overdue = client.get("/api/visits/due/", {"overdue": "true"}).json()["results"]
    assert {r["head_name"] for r in overdue} == {"李二", "王三"}
    by_village = client.get("/api/visits/due/", {"village": world.b1.pk}).json()["results"]
    assert [r["head_name"] for r in by_village] == ["王三"]


def test_the_registrys_visit_routes_still_answer(api, world, hw):
    visit = VisitFactory(household=hw.alleviated.household, visitor=world.alice)
    assert as_(api, world, "alice").get(f"/api/visits/{visit.pk}/").status_code == 200


def test_the_due_list_has_a_fixed_number_of_queries(api, world, hw, django_assert_max_num_queries):
    client = as_(api, world, "erin")
    with django_assert_max_num_queries(6):
        client.get("/api/visits/due/")
    for _ in range(6):
        subject = subject_for(world.a2, category="sudden")
        HelpAssignmentFactory(household=subject.household)
    with django_assert_max_num_queries(6):
        response = client.get("/api/visits/due/")
    assert response.json()["count"] == 9


# --- /api/help-visits/ -------------------------------------------------------------------


def visit_payload(household, **more):
    return {
        "household": household.pk,
        "visited_on": str(days_ago(1)),
        "findings": "生产生活正常",
        **more,
    }


def test_a_helper_records_a_visit_with_progress(api, world, hw):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    payload = visit_payload(
        hw.alleviated.household,
        housing_ok=False,
        new_risk_types=["housing"],
        progress=[{"measure": planned.pk, "state": "in_progress", "note": "已开工"}],
    )
    response = as_(api, world, "grace").post("/api/help-visits/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["risk_found"] is True and body["new_risk_types"] == ["housing"]
    assert body["progress"][0]["state_before"] == "planned"
    assert body["progress"][0]["state_after"] == "in_progress"


def test_a_household_of_another_scope_is_a_bad_foreign_key(api, world, hw):
    response = as_(api, world, "grace").post(
        "/api/help-visits/", visit_payload(hw.marginal.household), format="json"
    )
    assert response.status_code == 400 and "household" in response.json()


def test_a_measure_of_another_scope_is_a_bad_foreign_key(api, world, hw):
    _, (planned, _) = plan_with_measures(hw.b1, world.dave)
    payload = visit_payload(
        hw.alleviated.household, progress=[{"measure": planned.pk, "state": "in_progress"}]
    )
    response = as_(api, world, "grace").post("/api/help-visits/", payload, format="json")
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_a_refused_step_is_a_conflict_and_nothing_is_saved(api, world, hw):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    payload = visit_payload(
        hw.alleviated.household,
        progress=[
            {"measure": planned.pk, "state": "in_progress"},
            {"measure": running.pk, "state": "planned"},
        ],
    )
    response = as_(api, world, "grace").post("/api/help-visits/", payload, format="json")
    assert response.status_code == 409
    assert running.kind.name in response.json()["detail"]
    planned.refresh_from_db()
    assert planned.state == "planned" and not Visit.objects.exists()


def test_a_stop_without_a_reason_is_400_naming_the_measure(api, world, hw):
    _, (planned, running) = plan_with_measures(hw.alleviated, world.alice)
    payload = visit_payload(
        hw.alleviated.household, progress=[{"measure": running.pk, "state": "stopped"}]
    )
    response = as_(api, world, "grace").post("/api/help-visits/", payload, format="json")
    assert response.status_code == 400
    assert running.kind.name in response.json()[f"measure_{running.pk}"][0]


@pytest.mark.parametrize(("who", "status"), [("erin", 403), ("frank", 400)])
def test_the_county_and_departments_do_not_record(api, world, hw, who, status):
    response = as_(api, world, who).post(
        "/api/help-visits/", visit_payload(hw.alleviated.household), format="json"
    )
    assert response.status_code == status  # frank does not see the household: a bad key
    assert not HelpVisit.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_help_visits_are_listed_and_read_in_scope(api, world, hw, who):
    from assistance.services.visits import help_visit_record

    help_visit = help_visit_record(
        actor=world.grace,
        household=hw.alleviated.household,
        visited_on=days_ago(1),
        findings="正常",
    )
    client = as_(api, world, who)
    ids = [r["id"] for r in client.get("/api/help-visits/").json()["results"]]
    assert ids == ([help_visit.pk] if who in SEES_A1 else [])
    status = client.get(f"/api/help-visits/{help_visit.pk}/").status_code
    assert status == (200 if who in SEES_A1 else 404)


def test_the_help_visit_list_has_a_fixed_number_of_queries(
    api, world, hw, django_assert_max_num_queries
):
    from assistance.services.visits import ProgressItem, help_visit_record

    def add(n):
        for _ in range(n):
            subject = subject_for(world.a1, category="unstable")
            HelpAssignmentFactory(household=subject.household, helper=world.grace)
            _, (planned, _) = plan_with_measures(subject, world.alice)
            help_visit_record(
                actor=world.grace,
                household=subject.household,
                visited_on=days_ago(1),
                findings="正常",
                new_risk_types=[],
                progress=[ProgressItem(planned, "in_progress")],
            )

    add(2)
    client = as_(api, world, "carol")
    with django_assert_max_num_queries(8):
        client.get("/api/help-visits/")
    add(5)
    with django_assert_max_num_queries(8):
        response = client.get("/api/help-visits/")
    assert response.json()["count"] == 7
