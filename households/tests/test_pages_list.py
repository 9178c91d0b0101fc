"""The household list page: search, every filter, pagination and a fixed query count."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from households import services
from households.models import RiskType
from households.tests.factories import HouseholdFactory, IncomeRecordFactory, MemberFactory

from .pages_support import login


def _names(response) -> list[str]:
    return [h["head_name"] for h in response.context["page"].object_list]


@pytest.fixture
def households(world):
    """Three households in town A (two villages) and one in town B, with different facts."""
    zhao = HouseholdFactory(village=world.a1, head_name="赵一", status_2020="dibao")
    zhao_wife = MemberFactory(household=zhao, name="孙兰", relation="spouse")
    MemberFactory(household=zhao, name="赵一")
    qian = HouseholdFactory(village=world.a1, head_name="钱二", status_2020="ordinary")
    MemberFactory(household=qian, name="钱二")
    services.income_record_save(
        actor=world.erin, household=qian, year=2021, household_size=1, wage_income=Decimal("3000")
    )
    sun = HouseholdFactory(village=world.a2, head_name="孙三", status_2020="poverty_alleviated")
    MemberFactory(household=sun, name="孙三")
    services.monitoring_subject_create(
        actor=world.erin,
        household=sun,
        category="unstable",
        risk_types=RiskType.objects.filter(code="illness"),
        started_on=datetime.date(2021, 5, 1),
    )
    li = HouseholdFactory(village=world.b1, head_name="李四", status_2020="dibao")
    MemberFactory(household=li, name="李四")
    return {"zhao": zhao, "zhao_wife": zhao_wife, "qian": qian, "sun": sun, "li": li}


def test_each_user_lists_only_their_scope(world, households, client):
    url = reverse("households:list")
    assert sorted(_names(login(client, world.alice).get(url))) == ["赵一", "钱二"]
    assert sorted(_names(login(client, world.carol).get(url))) == ["孙三", "赵一", "钱二"]
    assert _names(login(client, world.dave).get(url)) == ["李四"]
    assert len(_names(login(client, world.erin).get(url))) == 4


def test_it_searches_by_head_name(world, households, client):
    response = login(client, world.erin).get(reverse("households:list"), {"q": "钱二"})
    assert _names(response) == ["钱二"]


def test_it_searches_by_a_members_name(world, households, client):
    response = login(client, world.erin).get(reverse("households:list"), {"q": "孙兰"})
    assert _names(response) == ["赵一"]


def test_it_searches_by_whole_id_number_typed_with_spaces(world, households, client):
    number = households["zhao_wife"].id_number
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    response = login(client, world.erin).get(reverse("households:list"), {"q": spaced})
    assert _names(response) == ["赵一"]


def test_it_searches_by_the_first_digits_of_an_id_number(world, households, client):
    number = households["li"].members.get().id_number
    response = login(client, world.dave).get(reverse("households:list"), {"q": number[:10]})
    assert _names(response) == ["李四"]


@pytest.mark.parametrize("typed", ["3.40621199001011E+17", "340621199001011000"])
def test_a_number_excel_turned_into_a_float_is_named_and_finds_nobody(
    world, households, client, typed
):
    response = login(client, world.erin).get(reverse("households:list"), {"q": typed})
    assert _names(response) == []
    page = response.content.decode()
    assert "后几位已丢失" in page and "文本" in page
    assert f'value="{typed}"' in page


def test_a_search_never_reaches_outside_the_scope(world, households, client):
    number = households["li"].members.get().id_number
    response = login(client, world.alice).get(reverse("households:list"), {"q": number})
    assert _names(response) == []
    assert "没有符合条件的农户" in response.content.decode()


def test_it_filters_by_town(world, households, client):
    response = login(client, world.erin).get(reverse("households:list"), {"town": world.town_b.pk})
    assert _names(response) == ["李四"]


def test_it_filters_by_village(world, households, client):
    response = login(client, world.carol).get(reverse("households:list"), {"village": world.a2.pk})
    assert _names(response) == ["孙三"]


def test_a_village_outside_the_scope_is_refused_as_a_filter(world, households, client):
    response = login(client, world.carol).get(reverse("households:list"), {"village": world.b1.pk})
    assert response.context["form"].errors["village"]
    assert "李四" not in _names(response)


def test_the_village_choices_are_limited_to_the_scope(world, households, client):
    response = login(client, world.carol).get(reverse("households:list"))
    villages = list(response.context["form"].fields["village"].queryset)
    assert villages == [world.a1, world.a2]


def test_it_filters_by_2020_status(world, households, client):
    response = login(client, world.erin).get(reverse("households:list"), {"status_2020": "dibao"})
    assert sorted(_names(response)) == ["李四", "赵一"]


def test_it_filters_by_below_the_line(world, households, client):
    url = reverse("households:list")
    assert _names(login(client, world.erin).get(url, {"below_line": "1"})) == ["钱二"]
    assert "钱二" not in _names(client.get(url, {"below_line": "0"}))


def test_it_filters_by_monitored(world, households, client):
    url = reverse("households:list")
    assert _names(login(client, world.erin).get(url, {"monitored": "1"})) == ["孙三"]
    assert sorted(_names(client.get(url, {"monitored": "0"}))) == ["李四", "赵一", "钱二"]


def test_it_shows_size_latest_income_and_flags(world, households, client):
    page = login(client, world.alice).get(reverse("households:list")).content.decode()
    assert "3,000.00" in page and "（2021年）" in page
    assert "低于</span>" in page
    row = next(
        h
        for h in login(client, world.alice).get(reverse("households:list")).context["page"]
        if h["head_name"] == "赵一"
    )
    assert row["size"] == 2


def _fill(village, n):
    for i in range(n):
        household = HouseholdFactory(village=village, head_name=f"测试户{i}")
        MemberFactory(household=household)
        IncomeRecordFactory(household=household)


# Session, user (with the area of their scope for the header), the unread-notification
# count, the paginator's count, the town and village pick-lists, and the page's rows.
LIST_QUERIES = 7


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_uses_a_fixed_number_of_queries(world, client, django_assert_num_queries, rows):
    _fill(world.a1, rows)
    login(client, world.carol)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("households:list"), {"status_2020": "poverty_alleviated"})
    assert len(response.context["page"].object_list) == rows


def test_pages_hold_fifty_rows_and_links_keep_the_filters(world, client):
    _fill(world.a1, 51)
    login(client, world.alice)
    first = client.get(reverse("households:list"), {"status_2020": "poverty_alleviated"})
    assert len(first.context["page"].object_list) == 50
    page = first.content.decode()
    assert "status_2020=poverty_alleviated&amp;page=2" in page
    second = client.get(
        reverse("households:list"), {"status_2020": "poverty_alleviated", "page": 2}
    )
    assert len(second.context["page"].object_list) == 1


@pytest.fixture
def subjects(world):
    """One monitored household per village, of different categories; one risk already gone."""
    made = {}
    for village, category, name in [
        (world.a1, "unstable", "甲一户"),
        (world.a2, "marginal", "甲二户"),
        (world.b1, "sudden", "乙一户"),
    ]:
        # 三(一): the 2020 status that goes with each category.
        status = {"unstable": "poverty_alleviated", "marginal": "dibao", "sudden": "ordinary"}
        household = HouseholdFactory(village=village, head_name=name, status_2020=status[category])
        made[name] = services.monitoring_subject_create(
            actor=world.erin,
            household=household,
            category=category,
            risk_types=RiskType.objects.filter(code="illness"),
            started_on=datetime.date(2021, 5, 1),
        )
    services.monitoring_subject_eliminate(
        actor=world.erin, subject=made["甲二户"], on=datetime.date(2021, 12, 1)
    )
    return made


def _subject_names(response) -> list[str]:
    return sorted(s.household.head_name for s in response.context["page"].object_list)


def test_the_subject_list_is_scoped(world, subjects, client):
    url = reverse("households:subject_list")
    assert _subject_names(login(client, world.alice).get(url)) == ["甲一户"]
    assert _subject_names(login(client, world.carol).get(url)) == ["甲一户", "甲二户"]
    assert _subject_names(login(client, world.dave).get(url)) == ["乙一户"]
    assert len(_subject_names(login(client, world.erin).get(url))) == 3


def test_the_subject_list_filters_by_category_status_town_and_village(world, subjects, client):
    url = reverse("households:subject_list")
    login(client, world.erin)
    assert _subject_names(client.get(url, {"category": "sudden"})) == ["乙一户"]
    assert _subject_names(client.get(url, {"status": "eliminated"})) == ["甲二户"]
    assert _subject_names(client.get(url, {"status": "monitoring"})) == ["乙一户", "甲一户"]
    assert _subject_names(client.get(url, {"town": world.town_a.pk})) == ["甲一户", "甲二户"]
    assert _subject_names(client.get(url, {"village": world.a2.pk})) == ["甲二户"]


def test_the_subject_list_is_paginated(world, client):
    for i in range(51):
        services.monitoring_subject_create(
            actor=world.erin,
            household=HouseholdFactory(village=world.a1, status_2020="dibao"),
            category="marginal",
            risk_types=RiskType.objects.filter(code="other"),
            started_on=datetime.date(2021, 1, 1) + datetime.timedelta(days=i),
        )
    login(client, world.alice)
    response = client.get(reverse("households:subject_list"), {"category": "marginal"})
    assert len(response.context["page"].object_list) == 50
    assert "category=marginal&amp;page=2" in response.content.decode()


def test_the_group_choices_on_the_household_form_are_the_users_villages(world, client):
    login(client, world.alice)
    form = client.get(reverse("households:create")).context["form"]
    assert list(form.fields["group"].queryset) == [world.groups[world.a1.pk]]
    assert list(form.fields["village"].queryset) == [world.a1]
    login(client, world.carol)
    form = client.get(reverse("households:create")).context["form"]
    assert sorted(g.village_id for g in form.fields["group"].queryset) == sorted(
        [world.a1.pk, world.a2.pk]
    )
    # Those validate; the page offers only the chosen village's (none yet for the town), and
    # asks the API for another village's (test_pages_group_choices.py).
    page = client.get(reverse("households:create")).content.decode()
    assert f'data-village="{world.a2.pk}"' not in page
    assert f'data-village="{world.a1.pk}"' not in page


def test_each_row_links_to_the_household_page(world, households, client):
    page = login(client, world.alice).get(reverse("households:list")).content.decode()
    for household in (households["zhao"], households["qian"]):
        assert f'href="{reverse("households:detail", args=[household.pk])}"' in page
