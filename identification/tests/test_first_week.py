"""What county users met in their first week on the identification pages: the overdue
boundary (the day after the due day), "结束公示" offered only when it can succeed, the deliberation's 村民小组, and a
comparison that says only what it compared (三(七)3-6)."""

import datetime

import pytest
from django.utils import timezone

from identification import selectors, services
from identification.models import CaseState, IdentificationCase
from identification.selectors import clock as clock_selectors
from organization.tests.factories import VillagerGroupFactory

from .factories import dataset_with, walk

D = datetime.date


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(("today", "overdue"), [(D(2025, 10, 13), False), (D(2025, 10, 14), True)])
def test_a_case_is_overdue_after_its_due_day_not_on_it(world, client, monkeypatch, today, overdue):
    """The last day of the limit is on time; the next day it is overdue, in every place that
    says so (the limit in working days, from the application: Anhui's 一码申报 rules)."""
    case = walk(world, CaseState.VERIFIED)
    IdentificationCase.objects.filter(pk=case.pk).update(due_on=D(2025, 10, 13))
    monkeypatch.setattr(clock_selectors, "clock_today", lambda: today)
    listed = selectors.case_list(user=world.erin, filters=selectors.CaseFilters(overdue=True))
    assert listed.filter(pk=case.pk).exists() is overdue
    page = login(client, world.erin).get("/identification/").content.decode()
    assert "识别须在20个工作日内办结" in page
    assert ("is-overdue" in page) is overdue


def test_conclude_is_offered_only_once_the_publicity_has_run_with_the_day_it_becomes_possible(
    world, client
):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    publicity = case.publicities.get(outcome="running")
    publicity.started_on = timezone.localdate() - datetime.timedelta(days=2)
    publicity.save()
    page = login(client, world.carol).get(f"/identification/{case.pk}/").content.decode()
    assert "公示期满，结束公示" not in page
    due = publicity.due_on
    assert f"{due.year}年{due.month}月{due.day}日 起可结束" in page
    # Once it has run its days the button is there, and pressing it succeeds.
    publicity.started_on = timezone.localdate() - datetime.timedelta(days=publicity.days)
    publicity.save()
    page = client.get(f"/identification/{case.pk}/").content.decode()
    assert "公示期满，结束公示" in page and "起可结束" not in page
    client.post(f"/identification/{case.pk}/conclude/")
    assert IdentificationCase.objects.get(pk=case.pk).state == CaseState.TOWN_REVIEWING


def test_the_deliberation_form_offers_the_households_group_chosen(world, client):
    VillagerGroupFactory(village=world.a1, name="第二村民小组")
    case = walk(world, CaseState.VERIFIED)
    group = case.household.group
    page = login(client, world.alice).get(f"/identification/{case.pk}/deliberate/")
    assert f'<option value="{group.pk}" selected>{group.name}</option>' in page.content.decode()


def test_a_household_without_a_group_gets_the_villages_only_group(world, client):
    case = walk(world, CaseState.VERIFIED)
    type(case.household).objects.filter(pk=case.household_id).update(group=None)
    only = world.groups[world.a1.pk]
    page = login(client, world.alice).get(f"/identification/{case.pk}/deliberate/")
    assert f'<option value="{only.pk}" selected>' in page.content.decode()


def test_the_comparison_says_what_it_compared_and_which_kinds_had_no_data(world, client):
    case = walk(world, CaseState.DELIBERATED)
    head = case.household.members.get(relation="head")
    dataset_with(head, kind="vehicle", detail="皖F12345 小型轿车")
    page = login(client, world.erin).get(f"/identification/{case.pk}/compare/").content.decode()
    # The county sees whole ID numbers here, as the README promises.
    assert head.id_number in page and head.masked_id_number not in page
    assert "无数据，未比对：城镇住房、大型农机具、经营实体、财政供养人员" in page
    hit = selectors.comparison_hits(case).hits[0]
    services.case_compare(
        actor=world.erin,
        case=case,
        compared_on=timezone.localdate(),
        judgements={hit.record.pk: ("no_effect", "车辆价值低，系务工代步")},
    )
    page = client.get(f"/identification/{case.pk}/").content.decode()
    assert "已比对：车辆。" in page
    assert "无数据，未比对：城镇住房、大型农机具、经营实体、财政供养人员。" in page
    assert "未比中城镇住房" not in page


def test_a_comparison_without_hits_names_the_kinds_it_looked_in(world, client):
    case = walk(world, CaseState.DELIBERATED)
    other = walk(world, CaseState.APPLIED, village=world.a2)
    dataset_with(other.household.members.first(), kind="urban_housing", detail="城区住房")
    services.case_compare(
        actor=world.erin, case=case, compared_on=timezone.localdate(), judgements={}
    )
    page = login(client, world.alice).get(f"/identification/{case.pk}/").content.decode()
    assert "已比对：城镇住房，均未比中。" in page
    assert "无数据，未比对：车辆、大型农机具、经营实体、财政供养人员。" in page
