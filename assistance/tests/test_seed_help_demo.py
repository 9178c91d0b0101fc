"""``manage.py seed_help_demo``: pairings, plans, measures and visits that follow the rules
of 三(八), for every subject the demo made, and nothing more on a second run."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from assistance.models import (
    AssistancePlan,
    HelpAssignment,
    HelpVisit,
    Measure,
    MeasureState,
    PlanState,
)
from households.models import MonitoringSubject, Status2020
from households.selectors import household_list
from organization.models import Role, User


def seed() -> str:
    out = StringIO()
    call_command("seed_help_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    call_command("seed_demo", households=400, stdout=StringIO())
    seed()


def counts() -> dict[str, int]:
    models = [HelpAssignment, AssistancePlan, Measure, HelpVisit, User]
    return {model.__name__: model.objects.count() for model in models}


def test_a_second_run_adds_nothing(seeded):
    before = counts()
    assert "新增结对 0 条" in seed()
    assert counts() == before
    assert before["AssistancePlan"] > 0 and before["Measure"] > 0 and before["HelpVisit"] > 0


def test_the_demo_helper_signs_in_to_monitored_households_of_the_demo_village(seeded):
    helper = User.objects.get(username="helper")
    monitor = User.objects.get(username="village_monitor")
    helped = household_list(user=helper)
    assert 0 < helped.count() <= 6
    assert set(helped.values_list("village", flat=True)) == {monitor.village_id}
    assert AssistancePlan.objects.filter(subject__household__in=helped).exists()


def test_pairings_follow_the_category(seeded):
    """三(八)1: 脱贫户 keep a 帮扶责任人 from a help unit; the others get 镇村帮扶联系人."""
    for assignment in HelpAssignment.objects.select_related("household", "helper"):
        if assignment.kind == HelpAssignment.Kind.CONTACT:
            assert assignment.level in {HelpAssignment.Level.TOWN, HelpAssignment.Level.VILLAGE}
            assert assignment.household.status_2020 != Status2020.POVERTY_ALLEVIATED
        else:
            assert assignment.helper.role == Role.HELPER


def test_plans_have_a_mix_of_states_and_closed_ones_only_after_exit(seeded):
    states = set(AssistancePlan.objects.values_list("state", flat=True))
    assert {PlanState.DRAFT, PlanState.ACTIVE} <= states
    closed = AssistancePlan.objects.filter(state=PlanState.CLOSED)
    assert not closed.filter(subject__status=MonitoringSubject.Status.MONITORING).exists()
    # Only the kinds that outlive the exit are still running on a closed plan (三(九)).
    assert not Measure.objects.filter(
        plan__state=PlanState.CLOSED,
        state=MeasureState.IN_PROGRESS,
        kind__continues_after_exit=False,
    ).exists()
    # Some plans are past their review date, so the town's list has work in it.
    active = AssistancePlan.objects.filter(state=PlanState.ACTIVE)
    assert active.filter(next_review_on__isnull=False).count() == active.count()


def test_measures_are_consistent(seeded):
    assert set(Measure.objects.values_list("state", flat=True)) >= {
        MeasureState.PLANNED,
        MeasureState.IN_PROGRESS,
        MeasureState.DONE,
    }
    assert not Measure.objects.filter(state=MeasureState.PLANNED, started_on__isnull=False).exists()
    assert not Measure.objects.filter(
        Q(state=MeasureState.DONE) | Q(state=MeasureState.STOPPED), ended_on__isnull=True
    ).exists()
    assert (
        not Measure.objects.filter(member__isnull=False)
        .exclude(member__household=F("plan__subject__household"))
        .exists()
    )
    with_amount = Measure.objects.filter(amount__isnull=False)
    assert with_amount.exists() and not with_amount.filter(kind__has_amount=False).exists()


def test_each_subject_has_one_open_plan_at_most(seeded):
    assert not (
        AssistancePlan.objects.exclude(state=PlanState.CLOSED)
        .values("subject")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
