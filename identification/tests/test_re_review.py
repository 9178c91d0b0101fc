"""三(九) 重新审核认定: a town whose wrong-exit rate is above the limit confirms or reverts every
filed exit of the round; a revert returns the subject to monitoring with its plan and
measures, and the round closes again when none is left."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import Measure, MeasureKind, MeasureState, PlanState
from assistance.services import plan_close
from assistance.tests.factories_visits import plan_with_measures, subject_for
from households.models import MonitoringSubject
from households.services import monitoring_subject_reinstate
from identification.models import ExitCase, ExitState, ReReview, TownRound, TownRoundState
from identification.services import exit_case_confirm, exit_case_revert
from identification.tests.factories_exits import exit_case, round_for, town_round
from organization.models import Notification
from suixi_monitor.exceptions import ConflictError

pytestmark = pytest.mark.django_db


@pytest.fixture
def re_review(world):
    """甲镇's round in re-review with three filed exits (two in 甲一村, one in 甲二村)."""
    exit_round = round_for(world.town_a, world.town_b)
    cases = [
        exit_case(village, world.alice, exit_round=exit_round, state=ExitState.FILED)
        for village in (world.a1, world.a1, world.a2)
    ]
    return town_round(exit_round, world.town_a, state=TownRoundState.RE_REVIEW), cases


def state_of(town: TownRound) -> str:
    return TownRound.objects.get(pk=town.pk).state


def test_the_town_confirms_an_exit_and_it_stays_filed(world, re_review):
    town, (case, *_) = re_review
    case = exit_case_confirm(actor=world.carol, case=case, reason="入户复核，收入稳定")
    case.refresh_from_db()
    assert (case.state, case.re_review) == (ExitState.FILED, ReReview.CONFIRMED)
    assert case.re_review_reason == "入户复核，收入稳定"
    assert case.history.first().history_user == world.carol
    assert state_of(town) == TownRoundState.RE_REVIEW


def test_the_round_closes_when_every_exit_is_confirmed_or_reverted(
    world, re_review, django_capture_on_commit_callbacks
):
    town, (first, second, third) = re_review
    exit_case_confirm(actor=world.carol, case=first, reason="维持")
    exit_case_revert(actor=world.carol, case=second, reason="收入仍低于监测线")
    assert state_of(town) == TownRoundState.RE_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        exit_case_confirm(actor=world.erin, case=third, reason="维持")
    assert state_of(town) == TownRoundState.CLOSED
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"carol", "erin"}


def test_an_exit_is_answered_once(world, re_review):
    _, (case, *_) = re_review
    exit_case_confirm(actor=world.carol, case=case, reason="维持")
    with pytest.raises(ConflictError):
        exit_case_revert(actor=world.carol, case=case, reason="改判")
    with pytest.raises(ConflictError):
        exit_case_confirm(actor=world.carol, case=case, reason="再次")


@pytest.mark.parametrize("state", ["open", "closing", "closed"])
def test_only_a_round_in_re_review_is_re_reviewed(world, re_review, state):
    town, (case, *_) = re_review
    TownRound.objects.filter(pk=town.pk).update(state=state)
    with pytest.raises(ConflictError):
        exit_case_confirm(actor=world.carol, case=case, reason="维持")
    with pytest.raises(ConflictError):
        exit_case_revert(actor=world.carol, case=case, reason="撤销")


def test_only_filed_exits_are_re_reviewed(world, re_review):
    town, _ = re_review
    withdrawn = exit_case(world.a1, world.alice, exit_round=town.round, state=ExitState.WITHDRAWN)
    with pytest.raises(ConflictError):
        exit_case_confirm(actor=world.carol, case=withdrawn, reason="维持")


@pytest.mark.parametrize("who", ["alice", "bob", "dave", "frank", "grace"])
def test_only_the_towns_officials_and_the_county_re_review(world, re_review, who):
    _, (case, *_) = re_review
    with pytest.raises(PermissionDenied):
        exit_case_confirm(actor=getattr(world, who), case=case, reason="维持")
    with pytest.raises(PermissionDenied):
        exit_case_revert(actor=getattr(world, who), case=case, reason="撤销")
    assert ExitCase.objects.get(pk=case.pk).re_review == ""


def test_a_re_review_needs_a_reason(world, re_review):
    _, (case, *_) = re_review
    with pytest.raises(ValidationError) as refused:
        exit_case_revert(actor=world.carol, case=case, reason="  ")
    assert "reason" in refused.value.message_dict


# --- the revert -------------------------------------------------------------------------


def test_a_revert_returns_the_subject_to_monitoring(world, re_review):
    _, (case, *_) = re_review
    exit_case_revert(actor=world.carol, case=case, reason="收入仍低于监测线")
    case.refresh_from_db()
    subject = MonitoringSubject.objects.get(pk=case.subject_id)
    assert case.state == ExitState.REVERTED
    assert case.re_review == ReReview.REVERTED
    assert (subject.status, subject.ended_on) == (MonitoringSubject.Status.MONITORING, None)
    assert "恢复监测" in subject.history.first().history_change_reason


def test_a_revert_reopens_the_plan_and_the_measures_the_exit_stopped(world):
    subject = subject_for(world.a1)
    plan, (planned, started) = plan_with_measures(subject, world.alice)
    lasting = Measure.objects.create(
        plan=plan,
        kind=MeasureKind.objects.filter(continues_after_exit=True).first(),
        state=MeasureState.IN_PROGRESS,
        started_on=started.started_on,
    )
    done_before = Measure.objects.create(
        plan=plan, kind=planned.kind, state=MeasureState.STOPPED, stop_reason="户主外出务工"
    )
    exit_round = round_for(world.town_a)
    case = exit_case(
        world.a1, world.alice, exit_round=exit_round, state=ExitState.FILED, subject=subject
    )
    plan_close(actor=world.erin, plan=plan, on=case.filed_on)  # what the filing does
    town = town_round(exit_round, world.town_a, state=TownRoundState.RE_REVIEW)

    exit_case_revert(actor=world.carol, case=case, reason="帮扶措施未落实")

    plan.refresh_from_db()
    assert (plan.state, plan.closed_on, plan.close_reason) == (PlanState.ACTIVE, None, "")
    assert plan.next_review_on is not None
    states = dict(Measure.objects.filter(plan=plan).values_list("pk", "state"))
    assert states == {
        planned.pk: MeasureState.PLANNED,
        started.pk: MeasureState.IN_PROGRESS,
        lasting.pk: MeasureState.IN_PROGRESS,  # never stopped: it runs after exit
        done_before.pk: MeasureState.STOPPED,  # stopped before the exit, for its own reason
    }
    resumed = Measure.objects.get(pk=started.pk)
    assert (resumed.ended_on, resumed.stop_reason) == (None, "")
    assert state_of(town) == TownRoundState.CLOSED


def test_a_revert_of_a_subject_without_a_plan_only_returns_it_to_monitoring(world, re_review):
    _, (case, *_) = re_review
    exit_case_revert(actor=world.carol, case=case, reason="数据不实")
    assert not case.subject.plans.exists()
    assert MonitoringSubject.objects.get(pk=case.subject_id).status == "monitoring"


def test_a_household_identified_again_meanwhile_cannot_be_reverted(world, re_review):
    _, (case, *_) = re_review
    MonitoringSubject.objects.create(
        household=case.household, category="unstable", started_on=case.filed_on
    )
    with pytest.raises(ConflictError, match="重新纳入监测"):
        exit_case_revert(actor=world.carol, case=case, reason="收入仍低于监测线")
    case.refresh_from_db()
    # Nothing of the revert is kept: the case stays filed and waits for an answer.
    assert (case.state, case.re_review) == (ExitState.FILED, "")


# --- the registry's reinstatement on its own ----------------------------------------------


def test_a_subject_in_monitoring_is_not_reinstated(world):
    subject = subject_for(world.a1)
    with pytest.raises(ConflictError):
        monitoring_subject_reinstate(actor=world.carol, subject=subject, reason="x")


@pytest.mark.parametrize("who", ["alice", "dave", "frank", "grace"])
def test_only_the_town_of_the_household_or_the_county_reinstates(world, re_review, who):
    _, (case, *_) = re_review
    with pytest.raises(PermissionDenied):
        monitoring_subject_reinstate(actor=getattr(world, who), subject=case.subject, reason="x")
