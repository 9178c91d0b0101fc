"""三(七)4: the county compares a household with the departments' data (vehicles, housing,
businesses …) and feeds the result back. Until it has, those records are the county's alone;
afterwards the town and the village see what was fed back to them."""

import pytest
from django.urls import reverse

from identification import selectors, services
from identification.management.demo import days_ago
from identification.models import CaseState
from identification.tests.factories import dataset_with, walk

PLATE = "皖F99999 小型轿车"


def _hits_url(case):
    return f"/api/identification-cases/{case.pk}/comparison-hits/"


@pytest.fixture
def before(world):
    """A case waiting for the county's comparison, whose household owns a car."""
    case = walk(world, CaseState.DELIBERATED, start=60)
    dataset_with(case.household.members.first(), detail=PLATE)
    return case


@pytest.fixture
def after(world, before):
    record = selectors.comparison_hits(before).hits[0].record
    services.case_compare(
        actor=world.erin,
        case=before,
        compared_on=days_ago(50),
        judgements={record.pk: ("no_effect", "旧车已报废")},
    )
    return before


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_before_the_comparison_only_the_county_sees_the_hits_in_the_api(api, world, before, who):
    api.force_authenticate(getattr(world, who))
    response = api.get(_hits_url(before))
    assert response.status_code == 403
    assert "三(七)4" in response.json()["detail"] and PLATE not in response.content.decode()


def test_an_applied_case_shows_no_department_data_to_the_village(api, world):
    case = walk(world, CaseState.APPLIED)
    dataset_with(case.household.members.first(), detail=PLATE)
    api.force_authenticate(world.alice)
    assert api.get(_hits_url(case)).status_code == 403


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_before_the_comparison_the_compare_page_is_the_countys(client, world, before, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("identification:compare", args=[before.pk]))
    assert response.status_code == 403 and PLATE not in response.content.decode()


def test_the_county_sees_the_hits_it_must_judge(api, client, world, before):
    api.force_authenticate(world.erin)
    hits = api.get(_hits_url(before)).json()["hits"]
    assert [h["detail"] for h in hits] == [PLATE]
    client.force_login(world.erin)
    page = client.get(reverse("identification:compare", args=[before.pk]))
    assert page.status_code == 200 and PLATE in page.content.decode()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_after_the_comparison_the_town_and_village_see_the_result_fed_back(
    api, client, world, after, who
):
    user = getattr(world, who)
    api.force_authenticate(user)
    response = api.get(_hits_url(after))
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert [(h["detail"], h["kind"]) for h in hits] == [(PLATE, "vehicle")]
    assert "*" in hits[0]["id_number"]
    client.force_login(user)
    page = client.get(reverse("identification:detail", args=[after.pk])).content.decode()
    assert PLATE in page and "旧车已报废" in page


def test_after_the_comparison_the_village_sees_only_what_was_fed_back(api, world, after):
    # A data set uploaded after the comparison is not part of what the county fed back.
    dataset_with(after.household.members.first(), kind="housing", detail="商品房一套")
    api.force_authenticate(world.alice)
    details = [h["detail"] for h in api.get(_hits_url(after)).json()["hits"]]
    assert details == [PLATE]
