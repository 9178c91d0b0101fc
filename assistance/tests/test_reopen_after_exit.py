"""三(九) 重新审核认定 seen from help: a reverted exit reopens the plan its exit closed, in the
state it was closed from, with the measures the exit stopped; nothing else."""

import pytest

from assistance.models import AssistancePlan, MeasureState, PlanState
from assistance.services import plan_close, plan_reopen_after_exit
from assistance.tests.factories_visits import days_ago, plan_with_measures, subject_for

pytestmark = pytest.mark.django_db


def exited(world, plan: AssistancePlan, days: int = 5) -> None:
    plan_close(actor=world.erin, plan=plan, on=days_ago(days))


def test_a_draft_plan_reopens_as_a_draft_without_a_review_date(world):
    subject = subject_for(world.a1)
    plan, _ = plan_with_measures(subject, world.alice, states=("planned",))
    AssistancePlan.objects.filter(pk=plan.pk).update(state=PlanState.DRAFT)
    plan.history.all().delete()  # as a plan made before history was kept: the first open state
    plan.refresh_from_db()
    exited(world, plan)
    reopened = plan_reopen_after_exit(
        actor=world.carol, subject=subject, exited_on=days_ago(5), reason="撤销退出"
    )
    assert (reopened.state, reopened.next_review_on) == (PlanState.DRAFT, None)
    assert reopened.measures.get().state == MeasureState.PLANNED


def test_a_plan_closed_before_the_exit_stays_closed(world):
    subject = subject_for(world.a1)
    plan, _ = plan_with_measures(subject, world.alice)
    exited(world, plan, days=30)
    assert (
        plan_reopen_after_exit(
            actor=world.carol, subject=subject, exited_on=days_ago(5), reason="撤销退出"
        )
        is None
    )
    assert AssistancePlan.objects.get(pk=plan.pk).state == PlanState.CLOSED


def test_a_subject_with_an_open_plan_again_keeps_it(world):
    subject = subject_for(world.a1)
    old, _ = plan_with_measures(subject, world.alice)
    exited(world, old)
    plan_with_measures(subject, world.alice)
    assert (
        plan_reopen_after_exit(
            actor=world.carol, subject=subject, exited_on=days_ago(5), reason="撤销退出"
        )
        is None
    )
    assert AssistancePlan.objects.get(pk=old.pk).state == PlanState.CLOSED
