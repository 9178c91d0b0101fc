"""The exit case of 三(九) step by step: each step allowed for its role and state, refused for
another role (403), in another state (409) and when its rule fails (400)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import AssistancePlan, Measure, MeasureKind, MeasureState, PlanState
from assistance.tests.factories_visits import plan_with_measures
from households.models import MonitoringSubject
from identification import services
from identification.models import (
    ExitCase,
    ExitEvaluation,
    ExitHomeCheck,
    ExitState,
    IdentificationCase,
    Objection,
    Publicity,
    TownRoundState,
)
from identification.tests.factories import walk
from identification.tests.factories_exits import (
    days_ago,
    exit_team,
    proposed,
    ready_for_exit,
    round_for,
    town_round,
    walk_exit,
)
from organization.models import Notification, PolicySettings
from suixi_monitor.exceptions import ApplicationError, ConflictError

pytestmark = pytest.mark.django_db


def _verify(world, case, **overrides):
    values = {
        "actor": world.alice,
        "case": case,
        "checked_on": days_ago(19),
        "team": exit_team(),
        "per_capita_income": Decimal("9000"),
        "education_secured": True,
        "medical_secured": True,
        "housing_secured": True,
        "water_secured": True,
        "measures_note": "措施已落实",
    }
    values.update(overrides)
    return services.exit_verify(**values)


# --- propose ------------------------------------------------------------------------------


def test_the_village_monitor_proposes_a_subject_that_meets_every_condition(
    world, exit_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = proposed(world)
    assert case.state == ExitState.PROPOSED
    assert case.town_round.town == world.town_a
    assert case.history.first().history_user == world.alice
    assert Notification.objects.filter(recipient=world.carol).exists()


@pytest.mark.parametrize("who", ["carol", "erin", "frank", "grace"])
def test_only_a_village_monitor_proposes(world, exit_round, who):
    subject = ready_for_exit(world.a1, world.alice)
    with pytest.raises(PermissionDenied):
        services.exit_propose(
            actor=getattr(world, who), subject=subject, proposed_on=days_ago(20), reason="好转"
        )


def test_another_villages_monitor_may_not_propose(world, exit_round):
    subject = ready_for_exit(world.a1, world.alice)
    with pytest.raises(PermissionDenied):
        proposed(world, subject, actor=world.bob)


def test_no_proposal_while_the_towns_round_is_not_open(world, exit_round):
    town_round(exit_round, world.town_a, state=TownRoundState.CLOSING)
    with pytest.raises(ApplicationError, match="三\\(十\\)"):
        proposed(world)


def test_no_proposal_dated_before_the_round_opened(world, exit_round):
    with pytest.raises(ApplicationError) as refused:
        proposed(world, on=exit_round.opened_on - datetime.timedelta(days=1))
    assert refused.value.field == "proposed_on"


def test_no_proposal_without_any_round(world):
    round_for(world.town_b, opened_on=days_ago(25))
    with pytest.raises(ApplicationError, match="没有处于申报期"):
        proposed(world)


def test_a_second_open_proposal_for_the_subject_is_a_conflict(world, exit_round):
    case = proposed(world)
    with pytest.raises(ConflictError):
        proposed(world, case.subject)


def test_a_subject_already_out_of_monitoring_is_a_conflict(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.FILED)
    with pytest.raises(ConflictError, match="已标注风险消除"):
        proposed(world, case.subject)


def test_a_proposal_needs_its_reason(world, exit_round):
    subject = ready_for_exit(world.a1, world.alice)
    with pytest.raises(ValidationError):
        services.exit_propose(
            actor=world.alice, subject=subject, proposed_on=days_ago(20), reason=" "
        )


# --- verify -------------------------------------------------------------------------------


def test_the_home_check_records_team_income_guarantees_and_measures(world, exit_round):
    case = _verify(world, proposed(world))
    assert case.state == ExitState.VERIFIED
    check = ExitHomeCheck.objects.get(exit_case=case)
    assert [m.name for m in check.team.all()] == ["村委委员陈某", "驻村队员周某"]
    assert check.income_line == Decimal("6000")
    assert check.water_secured


def test_a_team_smaller_than_the_policy_is_refused(world, exit_round):
    case = proposed(world)
    with pytest.raises(ApplicationError, match="三\\(九\\)：核查组成员不得少于2人") as refused:
        _verify(world, case, team=exit_team()[:1])
    assert refused.value.field == "team"


def test_the_team_size_comes_from_the_years_policy(world, exit_round):
    PolicySettings.objects.create(year=days_ago(19).year, home_check_team_min=3)
    case = proposed(world)
    with pytest.raises(ApplicationError, match="不得少于3人"):
        _verify(world, case)


@pytest.mark.parametrize(("income", "ok"), [("6000.00", True), ("5999.99", False)])
def test_the_income_found_must_reach_the_line(world, exit_round, income, ok):
    case = proposed(world)
    if ok:
        assert _verify(world, case, per_capita_income=Decimal(income)).state == "verified"
    else:
        with pytest.raises(ApplicationError, match="低于当年监测收入线6000") as refused:
            _verify(world, case, per_capita_income=Decimal(income))
        assert refused.value.field == "per_capita_income"


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("education_secured", "义务教育"),
        ("medical_secured", "基本医疗"),
        ("housing_secured", "住房安全"),
        ("water_secured", "饮水安全"),
    ],
)
def test_each_guarantee_not_secured_refuses_the_check(world, exit_round, field, name):
    case = proposed(world)
    with pytest.raises(ApplicationError, match=f"三\\(九\\)：{name}未有保障") as refused:
        _verify(world, case, **{field: False})
    assert refused.value.field == field


def test_the_check_needs_the_measures_reviewed(world, exit_round):
    with pytest.raises(ValidationError):
        _verify(world, proposed(world), measures_note="")


def test_a_check_before_the_proposal_is_refused(world, exit_round):
    with pytest.raises(ValidationError):
        _verify(world, proposed(world), checked_on=days_ago(21))


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_only_the_village_checks_at_the_door(world, exit_round, who):
    with pytest.raises(PermissionDenied):
        _verify(world, proposed(world), actor=getattr(world, who))


def test_checking_a_verified_case_again_is_a_conflict(world, exit_round):
    case = _verify(world, proposed(world))
    with pytest.raises(ConflictError):
        _verify(world, case)


# --- evaluate -----------------------------------------------------------------------------


def test_one_meeting_evaluates_several_cases_passing_some_and_returning_others(
    world, exit_round, django_capture_on_commit_callbacks
):
    first = walk_exit(world, proposed(world), ExitState.VERIFIED)
    second = walk_exit(world, proposed(world, actor=world.bob), ExitState.VERIFIED)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.exit_evaluate(
            actor=world.carol,
            town_round=first.town_round,
            held_on=days_ago(18),
            present="李镇长、王书记",
            results=[
                services.EvaluationResult(case=first, passed=True),
                services.EvaluationResult(case=second, passed=False, reason="务工收入不稳定"),
            ],
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert meeting.present_names == ["李镇长", "王书记"]
    assert first.state == ExitState.EVALUATED
    assert second.state == ExitState.PROPOSED
    assert second.returned_step == ExitState.VERIFIED
    assert "务工收入不稳定" in second.returned_reason
    assert Notification.objects.filter(recipient=world.bob, message__contains="被退回").exists()


def test_a_return_at_the_meeting_needs_its_reason(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.VERIFIED)
    with pytest.raises(ValidationError):
        services.exit_evaluate(
            actor=world.carol,
            town_round=case.town_round,
            held_on=days_ago(18),
            present="李镇长",
            results=[services.EvaluationResult(case=case, passed=False)],
        )


def test_a_meeting_with_a_case_not_verified_records_nothing(world, exit_round):
    ready = walk_exit(world, proposed(world), ExitState.VERIFIED)
    waiting = proposed(world, actor=world.bob)
    with pytest.raises(ConflictError):
        services.exit_evaluate(
            actor=world.carol,
            town_round=ready.town_round,
            held_on=days_ago(18),
            present="李镇长",
            results=[
                services.EvaluationResult(case=ready, passed=True),
                services.EvaluationResult(case=waiting, passed=True),
            ],
        )
    ready.refresh_from_db()
    assert ready.state == ExitState.VERIFIED
    assert not ExitEvaluation.objects.exists()


def test_a_meeting_needs_the_people_present(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.VERIFIED)
    with pytest.raises(ValidationError):
        services.exit_evaluate(
            actor=world.carol,
            town_round=case.town_round,
            held_on=days_ago(18),
            present=" ",
            results=[services.EvaluationResult(case=case, passed=True)],
        )


@pytest.mark.parametrize("who", ["alice", "erin", "dave"])
def test_only_the_towns_official_evaluates(world, exit_round, who):
    case = walk_exit(world, proposed(world), ExitState.VERIFIED)
    with pytest.raises(PermissionDenied):
        services.exit_evaluate(
            actor=getattr(world, who),
            town_round=case.town_round,
            held_on=days_ago(18),
            present="某某",
            results=[services.EvaluationResult(case=case, passed=True)],
        )


# --- publicize and conclude -------------------------------------------------------------------


def test_the_town_publicity_runs_the_policys_days_and_the_daily_task_concludes_it(
    world, exit_round, django_capture_on_commit_callbacks
):
    case = walk_exit(world, proposed(world), ExitState.EVALUATED)
    services.exit_publicize(actor=world.carol, case=case, started_on=days_ago(7))
    publicity = case.publicities.get()
    assert (publicity.days, publicity.exit_case, publicity.case) == (7, case, None)
    assert services.publicities_conclude_due(today=days_ago(1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publicities_conclude_due() == 1
    case.refresh_from_db()
    assert case.state == ExitState.COUNTY_FILING
    assert Notification.objects.filter(recipient=world.erin, message__contains="待县备案").exists()


@pytest.mark.parametrize(("days", "ok"), [(7, True), (6, False)])
def test_the_publicity_is_at_least_the_policys_days(world, exit_round, days, ok):
    case = walk_exit(world, proposed(world), ExitState.EVALUATED)
    if ok:
        services.exit_publicize(actor=world.carol, case=case, started_on=days_ago(10), days=days)
    else:
        with pytest.raises(ApplicationError, match="三\\(九\\)：退出公示时间不少于7天"):
            services.exit_publicize(
                actor=world.carol, case=case, started_on=days_ago(10), days=days
            )


def test_an_official_may_not_conclude_a_publicity_before_its_days(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.EVALUATED)
    services.exit_publicize(actor=world.carol, case=case, started_on=days_ago(6))
    with pytest.raises(ApplicationError, match="三\\(九\\)：镇公示须满7天"):
        services.publicity_conclude(case=case, actor=world.carol)


def test_an_upheld_objection_sends_the_case_back_for_a_new_home_check(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.TOWN_PUBLICIZING)
    objection = services.objection_lodge(
        actor=world.bob, case=case, content="该户实际仍有困难", lodged_on=days_ago(15)
    )
    assert objection.exit_case == case and objection.case is None
    assert services.publicities_conclude_due() == 0  # an open objection holds it
    services.objection_uphold(actor=world.carol, objection=objection, reason="经查属实")
    case.refresh_from_db()
    assert case.state == ExitState.PROPOSED
    assert case.publicities.get().outcome == Publicity.Outcome.OBJECTION_UPHELD
    # The new home check is not dated before the objection.
    with pytest.raises(ValidationError):
        _verify(world, case, checked_on=days_ago(16))
    assert _verify(world, case, checked_on=days_ago(14)).state == ExitState.VERIFIED


def test_a_dismissed_objection_lets_the_publicity_conclude(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.TOWN_PUBLICIZING)
    objection = services.objection_lodge(
        actor=world.erin, case=case, content="有疑问", lodged_on=days_ago(15)
    )
    services.objection_dismiss(actor=world.carol, objection=objection, reason="核查无误")
    assert objection.__class__.objects.get(pk=objection.pk).status == Objection.Status.DISMISSED
    assert services.publicities_conclude_due() == 1


def test_another_towns_official_finds_no_such_case_to_object_to(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.TOWN_PUBLICIZING)
    with pytest.raises(ExitCase.DoesNotExist):
        services.objection_lodge(
            actor=world.dave, case=case, content="异议", lodged_on=days_ago(15)
        )


# --- file ---------------------------------------------------------------------------------


def test_filing_marks_the_subject_out_closes_the_plan_and_stops_targeted_measures(
    world, exit_round
):
    case = walk_exit(world, proposed(world), ExitState.COUNTY_FILING)
    plan, (stopping, continuing) = plan_with_measures(
        case.subject, world.carol, states=("in_progress", "in_progress")
    )
    MeasureKind.objects.filter(pk=continuing.kind_id).update(continues_after_exit=True)
    MeasureKind.objects.filter(pk=stopping.kind_id).update(continues_after_exit=False)

    case = services.exit_file(actor=world.erin, case=case, filed_on=days_ago(8))

    assert case.state == ExitState.FILED and case.filed_on == days_ago(8)
    subject = MonitoringSubject.objects.get(pk=case.subject_id)
    assert (subject.status, subject.ended_on) == ("eliminated", days_ago(8))
    assert "退出备案" in subject.history.first().history_change_reason
    plan.refresh_from_db()
    assert (plan.state, plan.closed_on) == (PlanState.CLOSED, days_ago(8))
    assert Measure.objects.get(pk=stopping.pk).state == MeasureState.STOPPED
    assert Measure.objects.get(pk=continuing.pk).state == MeasureState.IN_PROGRESS


def test_filing_before_the_publicity_ran_its_days_is_refused(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.COUNTY_FILING)
    with pytest.raises(ValidationError):
        services.exit_file(actor=world.erin, case=case, filed_on=days_ago(11))


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_only_the_county_files(world, exit_round, who):
    case = walk_exit(world, proposed(world), ExitState.COUNTY_FILING)
    with pytest.raises(PermissionDenied):
        services.exit_file(actor=getattr(world, who), case=case, filed_on=days_ago(8))


def test_filing_a_case_still_in_publicity_is_a_conflict(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.TOWN_PUBLICIZING)
    with pytest.raises(ConflictError):
        services.exit_file(actor=world.erin, case=case, filed_on=days_ago(8))


def test_a_failed_filing_leaves_the_subject_and_plan_as_they_were(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.COUNTY_FILING)
    plan, _measures = plan_with_measures(case.subject, world.carol)
    with pytest.raises(ValidationError):
        services.exit_file(actor=world.erin, case=case, filed_on=days_ago(-1))
    assert MonitoringSubject.objects.get(pk=case.subject_id).status == "monitoring"
    assert AssistancePlan.objects.get(pk=plan.pk).state == PlanState.ACTIVE


def test_a_household_that_falls_back_after_its_exit_is_identified_again(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.FILED)
    old_subject = case.subject
    again = walk(world, "filed", household=case.household)
    again.refresh_from_db()
    assert again.state == "filed"
    assert again.monitoring_subject != old_subject
    old_subject.refresh_from_db()
    assert old_subject.status == "eliminated"
    assert list(case.household.monitoring_subjects.order_by("id")) == [
        old_subject,
        again.monitoring_subject,
    ]
    assert IdentificationCase.objects.filter(household=case.household).count() == 1


# --- return and withdraw ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "who"),
    [
        (ExitState.VERIFIED, "carol"),
        (ExitState.EVALUATED, "carol"),
        (ExitState.COUNTY_FILING, "erin"),
    ],
)
def test_the_level_holding_the_case_returns_it_to_the_village(world, exit_round, state, who):
    case = walk_exit(world, proposed(world), state)
    case = services.exit_return(actor=getattr(world, who), case=case, reason="材料不全")
    assert case.state == ExitState.PROPOSED
    assert (case.returned_step, case.returned_reason) == (state, "材料不全")


@pytest.mark.parametrize(
    ("state", "who"), [(ExitState.VERIFIED, "erin"), (ExitState.COUNTY_FILING, "carol")]
)
def test_another_level_may_not_return_it(world, exit_round, state, who):
    case = walk_exit(world, proposed(world), state)
    with pytest.raises(PermissionDenied):
        services.exit_return(actor=getattr(world, who), case=case, reason="材料不全")


@pytest.mark.parametrize("state", [ExitState.PROPOSED, ExitState.TOWN_PUBLICIZING])
def test_a_case_is_not_returned_from_the_village_or_the_publicity(world, exit_round, state):
    case = walk_exit(world, proposed(world), state)
    with pytest.raises(ConflictError):
        services.exit_return(actor=world.carol, case=case, reason="材料不全")


def test_a_return_needs_its_reason(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.VERIFIED)
    with pytest.raises(ValidationError):
        services.exit_return(actor=world.carol, case=case, reason="")


def test_a_withdrawal_ends_the_case_and_its_publicity(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.TOWN_PUBLICIZING)
    case = services.exit_withdraw(actor=world.carol, case=case, reason="农户要求继续监测")
    assert (case.state, case.closed_step) == (ExitState.WITHDRAWN, ExitState.TOWN_PUBLICIZING)
    assert case.publicities.get().outcome == Publicity.Outcome.ENDED
    # The subject stays monitored and may be proposed again.
    assert proposed(world, case.subject).state == ExitState.PROPOSED


def test_a_filed_case_is_not_withdrawn(world, exit_round):
    case = walk_exit(world, proposed(world), ExitState.FILED)
    with pytest.raises(ConflictError):
        services.exit_withdraw(actor=world.carol, case=case, reason="错")


@pytest.mark.parametrize("who", ["erin", "grace"])
def test_only_the_village_or_town_withdraws(world, exit_round, who):
    with pytest.raises(PermissionDenied):
        services.exit_withdraw(actor=getattr(world, who), case=proposed(world), reason="撤回")
