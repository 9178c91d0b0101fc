"""帮扶工作台: each role's page of the help work waiting for it (三(三), 三(八), 三(四)1),
scoped like everything else, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance.tests.factories_visits import (
    HelpAssignmentFactory,
    days_ago,
    help_world,
    plan_with_measures,
    subject_for,
)
from households.models import Visit

URL = reverse("assistance:home")


@pytest.fixture
def hw(world):
    return help_world(world)


def page(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200, response.status_code
    return response


def test_a_helpers_home_is_my_households(client, world, hw):
    """三(八)1: the helper signs in to 我的帮扶户."""
    client.force_login(world.grace)
    assert client.get(reverse("home")).url == URL
    text = page(client, world.grace).content.decode()
    assert "张大户" in text
    # Unpaired households, and another town's, are not the helper's.
    assert "李二户" not in text and "王三户" not in text


def test_the_helper_card_shows_the_visit_due_the_plan_and_open_measures(client, world, hw):
    plan, measures = plan_with_measures(hw.alleviated, world.grace)
    Visit.objects.create(
        household=hw.alleviated.household,
        visitor=world.grace,
        visited_on=days_ago(40),
        findings="正常",
    )
    response = page(client, world.grace)
    card = response.context["cards"][0]
    assert card["plan"] == plan
    assert card["due"].days_overdue == 10  # 40 days since the visit, every 30 (三(八)1)
    text = response.content.decode()
    assert "已逾期 10 天" in text
    for measure in measures:
        assert measure.kind.name in text
    assert reverse("assistance:help_visit_create", args=[hw.alleviated.household_id]) in text


def test_a_helper_without_households_is_told_who_pairs(client, world):
    text = page(client, world.grace).content.decode()
    assert "结对由镇（园区）办理" in text


def test_the_town_sees_its_unpaired_subjects_and_plans_to_draft(client, world, hw):
    response = page(client, world.carol)
    assert response.context["unpaired_count"] == 1  # 李二 in A1; 王三 is town B's
    assert [s.household.head_name for s in response.context["unpaired"]] == ["李二"]
    assert response.context["without_plan_count"] == 2
    text = response.content.decode()
    assert reverse("assistance:pair", args=[hw.marginal.pk]) in text
    assert "王三" not in text


def test_the_village_sees_visits_overdue_and_no_pairing_list(client, world, hw):
    response = page(client, world.alice)
    assert "unpaired" not in response.context
    # 张大 was paired in 2021 and never visited: overdue; 李二 (40 days, unpaired) too.
    names = {r.subject.household.head_name for r in response.context["overdue_rows"]}
    assert names == {"张大", "李二"}
    other = page(client, world.bob)
    assert other.context["overdue_count"] == 0 and other.context["without_plan_count"] == 0


def test_the_county_sees_each_town(client, world, hw):
    HelpAssignmentFactory(household=hw.b1.household, helper=world.dave)
    rows = {r["town"].name: r for r in page(client, world.erin).context["rows"]}
    assert rows["甲镇"]["subjects"] == 2 and rows["甲镇"]["unpaired"] == 1
    assert rows["乙镇"]["subjects"] == 1 and rows["乙镇"]["unpaired"] == 0
    assert rows["乙镇"]["visits_overdue"] == 1


def test_department_staff_have_no_help_page(client, world):
    client.force_login(world.frank)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("who", ["grace", "alice", "carol", "erin"])
def test_the_page_takes_the_same_queries_with_more_households(
    client, world, django_assert_num_queries, who
):
    user = getattr(world, who)

    def add(n):
        for i in range(n):
            subject = subject_for(world.a1, name=f"户{who}{i}{n}")
            HelpAssignmentFactory(household=subject.household, helper=world.grace)
            plan_with_measures(subject, world.grace)

    add(1)
    client.force_login(user)
    with CaptureQueriesContext(connection) as first:
        client.get(URL)
    add(4)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(URL)


def test_the_dashboards_show_help_per_area(client, world, hw):
    """三(八)1 on the county's and the town's dashboard: plans, pairing, overdue visits."""
    from assistance.models import PlanState

    plan, _ = plan_with_measures(hw.alleviated, world.grace)
    assert plan.state == PlanState.ACTIVE
    client.force_login(world.erin)
    dashboard = client.get(reverse("households:overview")).context["dashboard"]
    panel = next(p for p in dashboard.panels if p.key == "help")
    figures = {row[0].value: row[1].value for row in panel.table.rows}
    assert figures == {"有实施中方案": 1, "尚无实施中方案": 2, "未结对": 2, "帮扶走访逾期": 3}
    columns = {c.label: c.values for c in panel.columns}
    assert columns["未结对"] == {world.town_a.pk: 1, world.town_b.pk: 1}
    assert columns["有实施中方案"] == {world.town_a.pk: 1, world.town_b.pk: 0}
    client.force_login(world.dave)  # town B sees its own village only
    dashboard = client.get(reverse("households:overview")).context["dashboard"]
    panel = next(p for p in dashboard.panels if p.key == "help")
    assert {row[0].value: row[1].value for row in panel.table.rows}["未结对"] == 1
