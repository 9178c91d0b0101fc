"""The API of rounds, spot checks and re-review: each role's scope (404 across it), the role
before the body (403), wrong states 409, broken rules 400, lists in a fixed number of queries."""

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from households.models import MonitoringSubject
from identification.models import ExitRound, ExitState, SpotCheck, TownRoundState
from identification.services import spot_check_draw
from identification.tests.factories_exits import (
    closed_in_both_towns,
    drawn_in_both_towns,
    exit_case,
    round_for,
    town_round,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def as_(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def rounds(world):
    return closed_in_both_towns(world, filed_a=4)


# --- /api/exit-rounds/ ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "towns"),
    [("erin", ["甲镇", "乙镇"]), ("carol", ["甲镇"]), ("alice", ["甲镇"]), ("dave", ["乙镇"])],
)
def test_each_role_sees_the_rounds_with_its_towns_part(world, api, rounds, who, towns):
    body = as_(api, getattr(world, who)).get("/api/exit-rounds/").json()
    assert [t["town_name"] for t in body["results"][0]["towns"]] == towns


@pytest.mark.parametrize("who", ["frank", "grace"])
def test_department_staff_and_helpers_see_no_round(world, api, rounds, who):
    client = as_(api, getattr(world, who))
    assert client.get("/api/exit-rounds/").json()["results"] == []
    assert client.get(f"/api/exit-rounds/{rounds[0].pk}/").status_code == 404


def test_the_county_opens_a_round_by_hand(world, api):
    on = TODAY()
    half = 1 if on.month <= 6 else 2
    response = as_(api, world.erin).post(
        "/api/exit-rounds/", {"year": on.year, "half": half, "on": on.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["opened_by_name"] == str(world.erin)
    assert {t["state"] for t in body["towns"]} == {"open"}
    again = as_(api, world.erin).post(
        "/api/exit-rounds/", {"year": on.year, "half": half, "on": on.isoformat()}, format="json"
    )
    assert again.status_code == 409


def test_a_round_opening_on_a_day_outside_its_half_year_is_refused(world, api):
    response = as_(api, world.erin).post(
        "/api/exit-rounds/", {"year": 2025, "half": 2, "on": "2025-03-01"}, format="json"
    )
    assert response.status_code == 400
    assert "on" in response.json()


@pytest.mark.parametrize("who", ["carol", "alice", "frank", "grace"])
def test_only_the_county_opens_a_round_before_anything_is_read(world, api, who):
    response = as_(api, getattr(world, who)).post("/api/exit-rounds/", {"year": "x"}, format="json")
    assert response.status_code == 403
    assert not ExitRound.objects.exists()


def test_the_rounds_list_takes_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    for year in (2023, 2024, 2025):
        round_for(world.town_a, world.town_b, year=year, half=1)
    with django_assert_max_num_queries(6):
        assert len(as_(api, world.erin).get("/api/exit-rounds/").json()["results"]) == 3


# --- /api/spot-checks/ --------------------------------------------------------------------


def test_the_county_draws_with_a_seed_it_can_read_back(world, api, rounds):
    _, town_a, _ = rounds
    response = as_(api, world.erin).post(
        "/api/spot-checks/", {"town_round": town_a.pk, "seed": "demo"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["seed"], body["population"], body["sample_size"]) == ("demo", 4, 3)
    items = as_(api, world.erin).get(f"/api/spot-checks/{body['id']}/items/").json()
    assert [i["position"] for i in items] == [1, 2, 3]


def test_a_second_draw_answers_409(world, api, rounds):
    _, town_a, _ = rounds
    spot_check_draw(actor=world.erin, town_round=town_a)
    response = as_(api, world.erin).post(
        "/api/spot-checks/", {"town_round": town_a.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["state"] == "closed"


def test_a_round_still_closing_is_not_drawn(world, api, rounds):
    _, town_a, _ = rounds
    town_round(town_a.round, world.town_a, state=TownRoundState.CLOSING)
    response = as_(api, world.erin).post(
        "/api/spot-checks/", {"town_round": town_a.pk}, format="json"
    )
    assert response.status_code == 409


@pytest.mark.parametrize("who", ["carol", "alice", "frank"])
def test_only_the_county_draws_before_anything_is_read(world, api, rounds, who):
    response = as_(api, getattr(world, who)).post(
        "/api/spot-checks/", {"town_round": "nonsense"}, format="json"
    )
    assert response.status_code == 403


def test_an_unknown_town_round_is_not_found(world, api):
    response = as_(api, world.erin).post("/api/spot-checks/", {"town_round": 2**62}, format="json")
    assert response.status_code == 404


@pytest.fixture
def drawn(world, rounds):
    return drawn_in_both_towns(world, *rounds[1:])


@pytest.mark.parametrize(
    ("who", "towns"),
    [("erin", {"甲镇", "乙镇"}), ("carol", {"甲镇"}), ("dave", {"乙镇"}), ("alice", set())],
)
def test_the_county_sees_every_check_and_a_town_its_own(world, api, drawn, who, towns):
    body = as_(api, getattr(world, who)).get("/api/spot-checks/").json()
    assert {c["town_name"] for c in body["results"]} == towns


def test_another_towns_check_is_not_found(world, api, drawn):
    check_a, _ = drawn
    client = as_(api, world.dave)
    assert client.get(f"/api/spot-checks/{check_a.pk}/").status_code == 404
    assert client.get(f"/api/spot-checks/{check_a.pk}/items/").status_code == 404


def record(api, check: SpotCheck, item_id: int, **fields):
    body = {"item": item_id, "checked_on": TODAY().isoformat(), **fields}
    return api.post(f"/api/spot-checks/{check.pk}/items/", body, format="json")


def test_the_county_records_verdicts_and_closes_over_the_limit(world, api, drawn):
    check_a, _ = drawn
    client = as_(api, world.erin)
    items = [i["id"] for i in client.get(f"/api/spot-checks/{check_a.pk}/items/").json()]
    answer = record(client, check_a, items[0], verdict="wrong", wrong_reason="income")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["wrong_reason_display"] == "收入仍低于监测线"
    assert client.post(f"/api/spot-checks/{check_a.pk}/close/").status_code == 400
    for item in items[1:]:
        assert record(client, check_a, item, verdict="correct").status_code == 200
    closed = client.post(f"/api/spot-checks/{check_a.pk}/close/")
    assert closed.status_code == 200
    body = closed.json()
    assert (body["wrong_count"], body["checked_count"], body["rate"]) == (1, 3, "33.33")
    assert body["over_limit"] is True
    assert client.post(f"/api/spot-checks/{check_a.pk}/close/").status_code == 409
    assert record(client, check_a, items[0], verdict="correct").status_code == 409
    rounds = client.get(f"/api/exit-rounds/{check_a.town_round.round_id}/").json()
    assert {t["town_name"]: t["state"] for t in rounds["towns"]}["甲镇"] == "re_review"


def test_a_wrong_verdict_without_a_reason_answers_400(world, api, drawn):
    check_a, _ = drawn
    item = check_a.items.first()
    response = record(as_(api, world.erin), check_a, item.pk, verdict="wrong")
    assert response.status_code == 400
    assert "wrong_reason" in response.json()


def test_an_item_of_another_check_is_not_found(world, api, drawn):
    check_a, check_b = drawn
    response = record(as_(api, world.erin), check_a, check_b.items.first().pk, verdict="correct")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_towns_read_their_check_but_do_not_record_or_close(world, api, drawn, who):
    check = drawn[0] if who == "carol" else drawn[1]
    client = as_(api, getattr(world, who))
    assert client.get(f"/api/spot-checks/{check.pk}/items/").status_code == 200
    assert record(client, check, check.items.first().pk, verdict="correct").status_code == 403
    assert client.post(f"/api/spot-checks/{check.pk}/close/").status_code == 403


def test_the_checks_and_items_lists_take_a_fixed_number_of_queries(
    world, api, drawn, django_assert_max_num_queries
):
    client = as_(api, world.erin)
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/spot-checks/").json()["results"]) == 2
    with django_assert_max_num_queries(6):
        assert len(client.get(f"/api/spot-checks/{drawn[0].pk}/items/").json()) == 3


# --- /api/exit-re-reviews/ ----------------------------------------------------------------


@pytest.fixture
def re_review(world, rounds):
    _, town_a, _ = rounds
    return town_round(town_a.round, world.town_a, state=TownRoundState.RE_REVIEW)


def test_the_town_lists_and_answers_its_exits_in_re_review(world, api, re_review):
    client = as_(api, world.carol)
    cases = client.get("/api/exit-re-reviews/").json()["results"]
    assert len(cases) == 4
    first, second = cases[0]["id"], cases[1]["id"]
    confirmed = client.post(f"/api/exit-re-reviews/{first}/confirm/", {"reason": "维持"})
    assert confirmed.status_code == 200
    assert confirmed.json()["re_review"] == "confirmed"
    assert (
        client.post(f"/api/exit-re-reviews/{first}/revert/", {"reason": "改判"}).status_code == 409
    )
    reverted = client.post(f"/api/exit-re-reviews/{second}/revert/", {"reason": "收入仍低"})
    assert reverted.json()["state"] == ExitState.REVERTED
    subject = reverted.json()["subject"]
    assert MonitoringSubject.objects.get(pk=subject).status == "monitoring"


def test_the_last_answer_closes_the_round_and_is_still_answered(world, api, re_review):
    client = as_(api, world.erin)
    ids = [c["id"] for c in client.get("/api/exit-re-reviews/").json()["results"]]
    for case_id in ids:
        response = client.post(f"/api/exit-re-reviews/{case_id}/confirm/", {"reason": "维持"})
        assert response.status_code == 200
    assert client.get("/api/exit-re-reviews/").json()["results"] == []
    assert client.get(f"/api/exit-rounds/{re_review.round_id}/").json()["towns"][0]["state"] == (
        "closed"
    )


def test_a_re_review_needs_a_reason(world, api, re_review):
    case = re_review.exit_cases.first()
    response = as_(api, world.carol).post(f"/api/exit-re-reviews/{case.pk}/confirm/", {})
    assert response.status_code == 400
    assert "reason" in response.json()


def test_another_towns_exits_are_not_found(world, api, re_review):
    case = re_review.exit_cases.first()
    client = as_(api, world.dave)
    assert client.get("/api/exit-re-reviews/").json()["results"] == []
    assert client.get(f"/api/exit-re-reviews/{case.pk}/").status_code == 404
    assert client.post(f"/api/exit-re-reviews/{case.pk}/confirm/", {"reason": "x"}).status_code == (
        404
    )


@pytest.mark.parametrize("who", ["alice", "frank", "grace"])
def test_other_roles_may_not_re_review(world, api, re_review, who):
    case = re_review.exit_cases.first()
    client = as_(api, getattr(world, who))
    assert client.post(f"/api/exit-re-reviews/{case.pk}/revert/", {"reason": "x"}).status_code == (
        403
    )


def test_the_re_review_list_takes_a_fixed_number_of_queries(
    world, api, re_review, django_assert_max_num_queries
):
    exit_case(world.a2, world.bob, exit_round=re_review.round, state=ExitState.FILED)
    with django_assert_max_num_queries(5):
        assert len(as_(api, world.carol).get("/api/exit-re-reviews/").json()["results"]) == 5


def test_the_schema_documents_400_403_and_409_for_every_write():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = {
        ("/api/exit-rounds/", "post"),
        ("/api/spot-checks/", "post"),
        ("/api/spot-checks/{id}/items/", "post"),
        ("/api/spot-checks/{id}/close/", "post"),
        ("/api/exit-re-reviews/{id}/confirm/", "post"),
        ("/api/exit-re-reviews/{id}/revert/", "post"),
    }
    for path, method in writes:
        answers = {str(code) for code in schema["paths"][path][method]["responses"]}
        assert {"400", "403", "409"} <= answers, path
