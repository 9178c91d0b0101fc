"""Who sees which declaration, in pages and API alike: the village its own, the town its
villages', the county all; helpers and department staff none. Another scope's is 404."""

import pytest

from declarations.models import State
from identification.tests.factories import household_ready

pytestmark = pytest.mark.django_db

# world: A1 (alice) and A2 (bob) in town A (carol); B1 in town B (dave); erin the county.
VISIBLE = {
    "alice": {"a1"},
    "bob": {"a2"},
    "carol": {"a1", "a2"},
    "dave": {"b1"},
    "erin": {"a1", "a2", "b1"},
    "frank": set(),
    "grace": set(),
}


@pytest.fixture
def one_each(world, declare):
    return {
        key: declare(village=getattr(world, key), phone="13900000001") for key in ("a1", "a2", "b1")
    }


@pytest.mark.parametrize("role", VISIBLE)
def test_the_api_lists_exactly_the_roles_scope(api, world, one_each, role):
    api.force_authenticate(getattr(world, role))
    answer = api.get("/api/declarations/")
    assert answer.status_code == 200
    assert {row["id"] for row in answer.json()["results"]} == {
        one_each[key].pk for key in VISIBLE[role]
    }


@pytest.mark.parametrize("role", VISIBLE)
def test_a_declaration_opens_in_scope_and_is_404_elsewhere(api, client, world, one_each, role):
    user = getattr(world, role)
    api.force_authenticate(user)
    client.force_login(user)
    for key, declaration in one_each.items():
        expected = 200 if key in VISIBLE[role] else 404
        assert api.get(f"/api/declarations/{declaration.pk}/").status_code == expected
        if role in {"frank", "grace"}:
            assert client.get(f"/declarations/{declaration.pk}/").status_code == 403
        else:
            assert client.get(f"/declarations/{declaration.pk}/").status_code == expected


def test_another_towns_declaration_cannot_be_answered_through_the_api(api, world, one_each):
    api.force_authenticate(world.dave)
    answer = api.post(
        f"/api/declarations/{one_each['a1'].pk}/decline/",
        {"reason": "other", "note": "越权"},
        format="json",
    )
    assert answer.status_code == 404
    one_each["a1"].refresh_from_db()
    assert one_each["a1"].state == State.RECEIVED


def test_another_towns_declaration_cannot_be_answered_from_the_page(client, world, one_each):
    client.force_login(world.dave)
    page = client.post(
        f"/declarations/{one_each['a1'].pk}/", {"do": "decline", "reason": "other", "note": "x"}
    )
    assert page.status_code == 404


def test_the_county_reads_but_does_not_answer(api, world, one_each):
    api.force_authenticate(world.erin)
    answer = api.post(
        f"/api/declarations/{one_each['a1'].pk}/decline/",
        {"reason": "other", "note": "县里代答"},
        format="json",
    )
    assert answer.status_code == 403


def test_the_public_api_needs_no_account_but_the_list_does(api, one_each):
    assert api.get("/api/declarations/").status_code in (401, 403)
    assert api.get(f"/api/declarations/{one_each['a1'].pk}/").status_code in (401, 403)


def test_the_town_sees_the_id_number_whole(api, world, one_each):
    api.force_authenticate(world.carol)
    row = api.get(f"/api/declarations/{one_each['a1'].pk}/").json()
    assert row["id_number"] == one_each["a1"].id_number


def test_the_api_accept_opens_a_linked_case(api, world, declare):
    household = household_ready(world.a1)
    declaration = declare(id_number=household.head.id_number)
    api.force_authenticate(world.alice)
    answer = api.post(f"/api/declarations/{declaration.pk}/accept/", {}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "accepted" and body["case"]
    case = api.get(f"/api/identification-cases/{body['case']}/").json()
    assert case["source"] == "declaration"


def test_the_api_decline_needs_a_reason_and_answers_409_when_answered(api, world, declare):
    declaration = declare()
    api.force_authenticate(world.alice)
    url = f"/api/declarations/{declaration.pk}/decline/"
    assert api.post(url, {"reason": "bogus", "note": ""}, format="json").status_code == 400
    assert api.post(url, {"reason": "no_risk", "note": "核实"}, format="json").status_code == 200
    again = api.post(url, {"reason": "no_risk", "note": "核实"}, format="json")
    assert again.status_code == 409 and again.json()["state"] == "declined"


def test_the_api_filters_by_state_and_overdue(api, world, declare):
    from datetime import timedelta

    from django.utils import timezone

    from declarations.models import Declaration

    late = declare()
    Declaration.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    fresh = declare(phone="13900000002")
    api.force_authenticate(world.carol)
    overdue = api.get("/api/declarations/", {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [late.pk]
    assert overdue[0]["clock"] == "red"
    assert {
        row["id"] for row in api.get("/api/declarations/", {"state": "received"}).json()["results"]
    } == {late.pk, fresh.pk}
    assert api.get("/api/declarations/", {"state": "declined"}).json()["results"] == []
    assert api.get("/api/declarations/", {"town": "abc", "page": "x"}).status_code in (200, 404)


def test_the_list_page_searches_and_filters(client, world, declare):
    one = declare(name="周一")
    declare(name="吴二", phone="13900000002")
    client.force_login(world.carol)
    page = client.get("/declarations/", {"q": one.receipt_code}).content.decode()
    assert "周一" in page and "吴二" not in page
    page = client.get("/declarations/", {"q": one.id_number}).content.decode()
    assert "周一" in page and "吴二" not in page
    from organization.models import AuditEntry

    assert AuditEntry.objects.filter(kind="id_search", what="自主申报").exists()
    assert (
        client.get(
            "/declarations/", {"state": "nonsense", "overdue": "7", "page": "-1"}
        ).status_code
        == 200
    )
    assert client.get("/declarations/", {"state": "declined"}).content.decode().count("周一") == 0


@pytest.mark.parametrize("who", ["frank", "grace"])
def test_roles_without_declarations_are_refused_the_pages(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/declarations/").status_code == 403
    assert client.get("/declarations/posters/").status_code == 403
