"""Objections from anyone of the town during a publicity, without widening what else they see.

Issue 3: "Objections (异议) can be lodged against a case during either publicity by any
user of that village's town or the bureau". Both publicities are posted for the town
(三(七)5 村公示, 三(七)6 镇公示): bob (monitor of 甲二村) may object to a case of alice's
甲一村 while it is publicised, but still cannot open the case or its timeline.
"""

import pytest

from households.id_numbers import mask
from identification import selectors, services
from identification.models import CaseState, IdentificationCase, Objection
from organization.models import Role
from organization.tests.factories import UserFactory
from suixi_monitor.exceptions import ConflictError

from .factories import days_ago, walk

URL = "/api/identification-cases/"


def village_publicizing(world):
    # village publicity started 4 days ago (start - 8)
    return walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)


def town_publicizing(world):
    # village publicity ran and concluded; the town publicity started 4 days ago (start - 20)
    return walk(world, CaseState.TOWN_PUBLICIZING, start=24)


PUBLICITIES = [village_publicizing, town_publicizing]


def with_secrets(case: IdentificationCase) -> IdentificationCase:
    household = case.household
    household.phone = "13912345678"
    household.save()
    return case


# --- the selector ------------------------------------------------------------------------


@pytest.mark.parametrize("publicized", PUBLICITIES)
def test_the_town_and_the_bureau_may_object_to_a_publicised_case(world, publicized):
    case = publicized(world)
    for user in (world.alice, world.bob, world.carol, world.erin):
        assert selectors.objectable_case_list(user=user).filter(pk=case.pk).exists(), user
    for user in (world.dave, world.frank, world.grace):
        assert not selectors.objectable_case_list(user=user).filter(pk=case.pk).exists(), user


def test_a_case_outside_publicity_is_objectable_by_nobody(world):
    case = walk(world, CaseState.COMPARED)
    for user in (world.alice, world.bob, world.carol, world.erin):
        assert not selectors.objectable_case_list(user=user).filter(pk=case.pk).exists(), user


def test_a_monitor_without_a_recorded_town_finds_it_through_the_village(world):
    case = village_publicizing(world)
    world.bob.town_id = None  # the village alone says which town
    assert selectors.objectable_case_list(user=world.bob).filter(pk=case.pk).exists()


# --- the service -------------------------------------------------------------------------


@pytest.mark.parametrize("publicized", PUBLICITIES)
def test_a_monitor_of_another_village_of_the_town_lodges_an_objection(world, publicized):
    case = publicized(world)
    objection = services.objection_lodge(
        actor=world.bob, case=case, content="该户有经营性收入", lodged_on=days_ago(1)
    )
    assert objection.lodged_by == world.bob
    assert objection.status == Objection.Status.OPEN
    assert objection.publicity.level == ("village" if publicized is village_publicizing else "town")


def test_another_towns_monitor_finds_no_such_case(world):
    case = village_publicizing(world)
    monitor_b1 = UserFactory(role=Role.VILLAGE_MONITOR, village=world.b1, town=world.town_b)
    for user in (monitor_b1, world.dave):
        with pytest.raises(IdentificationCase.DoesNotExist):
            services.objection_lodge(actor=user, case=case, content="x", lodged_on=days_ago(1))
    assert not case.objections.exists()


def test_nobody_lodges_outside_a_publicity(world):
    case = walk(world, CaseState.TOWN_REVIEWING, start=24)
    with pytest.raises(ConflictError):
        services.objection_lodge(actor=world.carol, case=case, content="x", lodged_on=days_ago(1))
    # not publicised, so not in bob's sight at all
    with pytest.raises(IdentificationCase.DoesNotExist):
        services.objection_lodge(actor=world.bob, case=case, content="x", lodged_on=days_ago(1))


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("publicized", PUBLICITIES)
def test_the_town_publicity_list_shows_only_the_notice_row_with_a_lodge_link(
    world, client, publicized
):
    case = with_secrets(publicized(world))
    head = case.household.members.get(relation="head")
    client.force_login(world.bob)
    page = client.get("/identification/publicity/").content.decode()
    assert case.household.head_name in page
    assert mask(head.id_number) in page
    assert head.id_number not in page
    assert "13912345678" not in page
    assert case.hardship not in page
    assert f"/identification/{case.pk}/objections/new/" in page
    assert f'href="/identification/{case.pk}/"' not in page
    client.force_login(world.dave)
    page = client.get("/identification/publicity/").content.decode()
    assert f"/identification/{case.pk}/objections/new/" not in page


@pytest.mark.parametrize("publicized", PUBLICITIES)
def test_a_monitor_of_another_village_lodges_from_the_page(world, client, publicized):
    case = with_secrets(publicized(world))
    client.force_login(world.bob)
    url = f"/identification/{case.pk}/objections/new/"
    form = client.get(url)
    assert form.status_code == 200
    text = form.content.decode()
    assert "13912345678" not in text and case.hardship not in text
    assert f'href="/identification/{case.pk}/"' not in text
    response = client.post(url, {"content": "该户子女为公职人员", "lodged_on": str(days_ago(1))})
    assert response.status_code == 302
    assert response["Location"] == "/identification/publicity/"
    objection = case.objections.get()
    assert (objection.lodged_by, objection.content) == (world.bob, "该户子女为公职人员")


def test_a_refused_date_shows_on_the_form(world, client):
    case = village_publicizing(world)
    client.force_login(world.bob)
    response = client.post(
        f"/identification/{case.pk}/objections/new/",
        {"content": "x", "lodged_on": str(days_ago(9))},
    )
    assert response.status_code == 200
    assert "公示开始日期" in response.content.decode()
    assert not case.objections.exists()


def test_the_other_villages_monitor_still_cannot_open_the_case(world, client):
    case = village_publicizing(world)
    client.force_login(world.bob)
    assert client.get(f"/identification/{case.pk}/").status_code == 404
    client.force_login(world.alice)
    assert client.get(f"/identification/{case.pk}/").status_code == 200


def test_another_town_and_a_closed_publicity_answer_404_on_the_page(world, client):
    case = village_publicizing(world)
    client.force_login(world.dave)
    url = f"/identification/{case.pk}/objections/new/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"content": "x", "lodged_on": str(days_ago(1))}).status_code == 404
    reviewing = walk(world, CaseState.TOWN_REVIEWING, start=24)
    client.force_login(world.bob)
    assert client.get(f"/identification/{reviewing.pk}/objections/new/").status_code == 404
    assert not Objection.objects.exists()


# --- API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("publicized", PUBLICITIES)
def test_a_monitor_of_another_village_lodges_through_the_api(world, api, publicized):
    case = publicized(world)
    api.force_authenticate(world.bob)
    response = api.post(
        f"{URL}{case.pk}/objections/",
        {"content": "该户有车辆", "lodged_on": str(days_ago(1)), "raised_by_name": "村民丙"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["lodged_by"] == world.bob.pk
    assert "timeline" not in response.data
    # the case, its timeline and its objections stay outside bob's scope
    assert api.get(f"{URL}{case.pk}/").status_code == 404
    assert api.get(f"{URL}{case.pk}/objections/").status_code == 404
    assert case.pk not in [c["id"] for c in api.get(URL).data["results"]]


def test_another_towns_official_gets_404_from_the_api(world, api):
    case = village_publicizing(world)
    api.force_authenticate(world.dave)
    response = api.post(
        f"{URL}{case.pk}/objections/",
        {"content": "x", "lodged_on": str(days_ago(1))},
        format="json",
    )
    assert response.status_code == 404
    assert not case.objections.exists()


def test_nobody_lodges_through_the_api_outside_a_publicity(world, api):
    case = walk(world, CaseState.TOWN_REVIEWING, start=24)
    payload = {"content": "x", "lodged_on": str(days_ago(1))}
    api.force_authenticate(world.carol)
    assert api.post(f"{URL}{case.pk}/objections/", payload, format="json").status_code == 409
    api.force_authenticate(world.bob)
    assert api.post(f"{URL}{case.pk}/objections/", payload, format="json").status_code == 404
    assert not case.objections.exists()
