"""三(四)1 "六个必访": each kind derived from the records, tested at its boundary."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.selectors.visits import MUST_VISIT_RULES, must_visit_kinds, must_visit_list
from assistance.tests.factories_visits import days_ago, subject_for
from households import services as household_services
from households.models import Visit
from households.tests.factories import HouseholdFactory, MemberFactory, VisitFactory, new_id_number

TODAY = timezone.localdate()


def born_years_ago(years: int, *, days_later: int = 0) -> datetime.date:
    day = (
        TODAY.replace(year=TODAY.year - years)
        if (TODAY.month, TODAY.day) != (2, 29)
        else (TODAY.replace(year=TODAY.year - years, day=28))
    )
    return day + datetime.timedelta(days=days_later)


def household(world, *members, village=None):
    """A household of A1 with members given as dicts of Member fields (``born`` for the birth)."""
    h = HouseholdFactory(village=village or world.a1)
    for index, fields in enumerate(members or [{}]):
        fields = dict(fields)
        born = fields.pop("born", datetime.date(1980, 5, 5))
        MemberFactory(
            household=h,
            id_number=new_id_number(born),
            relation="head" if index == 0 else "son",
            **fields,
        )
    return h


def kinds(world, h, user=None) -> list[str]:
    row = must_visit_list(user=user or world.alice).filter(pk=h.pk).first()
    return [rule.code for rule in must_visit_kinds(row)] if row else []


def test_the_table_has_the_six_kinds_of_the_clause():
    assert [rule.label for rule in MUST_VISIT_RULES] == [
        "遭遇重大自然灾害户",
        "家庭重大变故户",
        "家庭突发重病户",
        "独居老人户",
        "重度残疾人户",
        "产业发展失败户",
    ]


def test_an_ordinary_household_is_not_listed(world):
    assert kinds(world, household(world)) == []


# 遭遇重大自然灾害户: an open subject with the disaster risk, or a disaster visit in 90 days.
def test_disaster_from_an_open_subjects_risk(world):
    subject = subject_for(world.a1, category="unstable", risks=("disaster",))
    assert kinds(world, subject.household) == ["disaster"]
    household_services.monitoring_subject_eliminate(
        actor=world.erin, subject=subject, on=days_ago(1)
    )
    assert kinds(world, subject.household) == []


@pytest.mark.parametrize(("days", "listed"), [(89, True), (90, True), (91, False)])
def test_disaster_from_a_visit_within_90_days(world, days, listed):
    h = household(world)
    VisitFactory(household=h, visitor=world.alice, visited_on=days_ago(days), reason="disaster")
    assert kinds(world, h) == (["disaster"] if listed else [])


# 家庭重大变故户: an open subject with the accident risk, or a family-change visit in 90 days.
def test_family_change_from_an_open_subjects_risk(world):
    subject = subject_for(world.a1, category="unstable", risks=("accident",))
    assert kinds(world, subject.household) == ["family_change"]


@pytest.mark.parametrize(("days", "listed"), [(89, True), (90, True), (91, False)])
def test_family_change_from_a_visit_within_90_days(world, days, listed):
    h = household(world)
    VisitFactory(
        household=h, visitor=world.alice, visited_on=days_ago(days), reason="family_change"
    )
    assert kinds(world, h) == (["family_change"] if listed else [])


# 家庭突发重病户: a member with a serious illness.
@pytest.mark.parametrize(("health", "listed"), [("serious", True), ("chronic", False)])
def test_sudden_illness_from_a_member_seriously_ill(world, health, listed):
    h = household(world, {}, {"health": health})
    assert kinds(world, h) == (["sudden_illness"] if listed else [])


# 独居老人户: one member, 60 or older today.
@pytest.mark.parametrize(("days_later", "listed"), [(0, True), (-1, True), (1, False)])
def test_elderly_alone_from_the_age_of_the_only_member(world, days_later, listed):
    h = household(world, {"born": born_years_ago(60, days_later=days_later)})
    assert kinds(world, h) == (["elderly_alone"] if listed else [])


def test_two_old_people_together_are_not_alone(world):
    h = household(world, {"born": datetime.date(1940, 1, 1)}, {"born": datetime.date(1942, 1, 1)})
    assert kinds(world, h) == []


# 重度残疾人户: a member with disability grade 1 or 2.
@pytest.mark.parametrize(
    ("grade", "listed"), [("1", True), ("2", True), ("3", False), ("4", False)]
)
def test_severe_disability_from_grade_1_or_2(world, grade, listed):
    h = household(world, {}, {"health": "disabled", "disability_grade": grade})
    assert kinds(world, h) == (["severe_disability"] if listed else [])


# 产业发展失败户: an open subject with the industry-failure risk.
def test_industry_failure_from_an_open_subjects_risk(world):
    subject = subject_for(world.a1, category="unstable", risks=("industry_failure", "illness"))
    assert kinds(world, subject.household) == ["industry_failure"]


def test_a_household_of_several_kinds_lists_them_all(world):
    subject = subject_for(world.a1, category="unstable", risks=("disaster", "industry_failure"))
    MemberFactory(
        household=subject.household, id_number=new_id_number(), relation="son", health="serious"
    )
    assert kinds(world, subject.household) == ["disaster", "sudden_illness", "industry_failure"]


def test_the_list_is_scoped_and_filters_by_kind_and_village(world):
    a1 = household(world, {}, {"health": "serious"})
    a2 = household(world, {}, {"health": "serious"}, village=world.a2)
    b1 = household(world, {}, {"health": "serious"}, village=world.b1)
    old = household(world, {"born": datetime.date(1940, 1, 1)})
    assert set(must_visit_list(user=world.alice)) == {a1, old}
    assert set(must_visit_list(user=world.carol)) == {a1, a2, old}
    assert set(must_visit_list(user=world.carol, village=world.a2.pk)) == {a2}
    assert set(must_visit_list(user=world.dave)) == {b1}
    assert set(must_visit_list(user=world.alice, kind="elderly_alone")) == {old}
    assert not must_visit_list(user=world.frank).exists()


def test_the_last_visit_of_any_visitor_is_shown(world):
    h = household(world, {}, {"health": "serious"})
    VisitFactory(household=h, visitor=world.alice, visited_on=days_ago(30))
    VisitFactory(household=h, visitor=world.carol, visited_on=days_ago(3))
    assert must_visit_list(user=world.alice).get(pk=h.pk).last_visited_on == days_ago(3)


# --- the page ------------------------------------------------------------------------


def test_the_page_lists_the_villages_must_visits(world, client):
    h = household(world, {}, {"health": "serious"})
    VisitFactory(household=h, visitor=world.alice, visited_on=days_ago(5))
    client.force_login(world.alice)
    response = client.get(reverse("assistance:must_visit"))
    assert response.status_code == 200
    [(row, row_kinds, days)] = response.context["rows"]
    assert row == h and [k.label for k in row_kinds] == ["家庭突发重病户"] and days == 5


def test_the_town_filters_by_village(world, client):
    household(world, {}, {"health": "serious"})
    a2 = household(world, {}, {"health": "serious"}, village=world.a2)
    client.force_login(world.carol)
    response = client.get(reverse("assistance:must_visit"), {"village": world.a2.pk})
    assert [row[0] for row in response.context["rows"]] == [a2]
    # Another town's village is not a choice.
    response = client.get(reverse("assistance:must_visit"), {"village": world.b1.pk})
    assert response.context["form"].errors


def test_department_staff_do_not_see_the_list(world, client):
    client.force_login(world.frank)
    assert client.get(reverse("assistance:must_visit")).status_code == 403


def test_the_page_has_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            h = household(world, {}, {"health": "serious"})
            VisitFactory(
                household=h,
                visitor=world.alice,
                visited_on=days_ago(2),
                reason=Visit.Reason.SUDDEN_ILLNESS,
            )

    add(3)
    client.force_login(world.carol)
    with django_assert_max_num_queries(10):
        client.get(reverse("assistance:must_visit"))
    add(6)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("assistance:must_visit"))
    assert len(response.context["rows"]) == 9
