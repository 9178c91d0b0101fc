"""一户一方案 (三(八)1-2): creating, editing, confirming, reviewing and closing a plan."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance import services
from assistance.models import AssistancePlan, MeasureState, PlanState
from assistance.services.plans import EXIT_REASON, months_later
from households.tests.factories import HouseholdFactory
from organization.tests.factories import policy
from suixi_monitor.exceptions import ApplicationError, ConflictError

from .factories_plans import MeasureFactory, PlanFactory, SubjectFactory, kind, member_aged, risks

MADE = datetime.date(2021, 8, 1)
ON = datetime.date(2021, 9, 1)


@pytest.fixture
def subject(world):
    household = HouseholdFactory(village=world.a1, head_name="李大山")
    return SubjectFactory(household=household, risk_types=risks("illness", "disaster"))


def _draft(world, subject, **fields):
    return services.plan_create(actor=world.alice, subject=subject, made_on=MADE, **fields)


def test_create_preselects_the_subjects_risks_and_keeps_who_made_it(world, subject):
    plan = _draft(world, subject, wishes=" 想在家附近打工 ", work_team="驻村工作队张三")
    assert plan.state == PlanState.DRAFT
    assert set(plan.risk_types.values_list("code", flat=True)) == {"illness", "disaster"}
    assert plan.wishes == "想在家附近打工" and plan.made_by == world.alice
    assert plan.history.first().history_user == world.alice


def test_create_with_chosen_risks(world, subject):
    plan = _draft(world, subject, risk_types=risks("housing"))
    assert list(plan.risk_types.values_list("code", flat=True)) == ["housing"]


def test_one_open_plan_per_subject(world, subject):
    _draft(world, subject)
    with pytest.raises(ConflictError):
        _draft(world, subject)


def test_a_subject_out_of_monitoring_gets_no_plan(world, subject):
    subject.eliminate_risk(on=ON)
    subject.save()
    with pytest.raises(ConflictError):
        _draft(world, subject)


def test_made_on_not_before_the_subject_entered_monitoring(world, subject):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=world.alice, subject=subject, made_on=subject.started_on - datetime.timedelta(1)
        )
    assert "made_on" in error.value.message_dict
    services.plan_create(actor=world.alice, subject=subject, made_on=subject.started_on)


@pytest.mark.parametrize("who", ["bob", "dave", "grace"])
def test_create_out_of_scope_is_refused(world, subject, who):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=getattr(world, who), subject=subject, made_on=MADE)


@pytest.mark.parametrize("who", ["erin", "frank"])
def test_create_needs_the_right_role(world, subject, who):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=getattr(world, who), subject=subject, made_on=MADE)


def test_a_paired_helper_drafts(world, subject):
    from assistance.models import HelpAssignment

    HelpAssignment.objects.create(household=subject.household, helper=world.grace, started_on=MADE)
    plan = services.plan_create(actor=world.grace, subject=subject, made_on=MADE)
    assert plan.made_by == world.grace


def test_update_in_draft_and_active_keeps_history_refused_when_closed(world, subject):
    plan = _draft(world, subject)
    services.plan_update(
        actor=world.alice, plan=plan, needs="需要技能培训", risk_types=risks("water")
    )
    plan.refresh_from_db()
    assert plan.needs == "需要技能培训"
    assert list(plan.risk_types.values_list("code", flat=True)) == ["water"]
    assert plan.history.earliest().needs == ""
    assert plan.history.latest().needs == "需要技能培训"
    services.plan_close(actor=world.carol, plan=plan, on=ON, exit=False, reason="户籍迁出")
    with pytest.raises(ConflictError):
        services.plan_update(actor=world.alice, plan=plan, needs="x")


# --- activation (the town confirms) --------------------------------------------------------


def test_activation_refuses_a_plan_without_measures(world, subject):
    plan = _draft(world, subject)
    with pytest.raises(ApplicationError) as error:
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    assert error.value.status_code == 400 and "没有任何帮扶措施" in error.value.message


def test_activation_needs_a_development_measure_for_each_member_who_can_work(world, subject):
    worker = member_aged(subject.household, 64, ON, name="李强")
    member_aged(subject.household, 65, ON, name="李老汉")  # 65 on the day: not counted
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("family_doctor"), member=worker)
    with pytest.raises(ApplicationError) as error:
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    message = error.value.message
    assert "李强" in message and "三(八)2" in message and "李老汉" not in message
    assert error.value.field == "no_development_reason"
    # A whole-household development measure names nobody's job (一人一措施).
    MeasureFactory(plan=plan, kind=kind("industry"), member=None)
    with pytest.raises(ApplicationError):
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    # A stopped one does not count either.
    stopped = MeasureFactory(plan=plan, kind=kind("public_job"), member=worker)
    type(stopped).objects.filter(pk=stopped.pk).update(state=MeasureState.STOPPED)
    with pytest.raises(ApplicationError):
        services.plan_activate(actor=world.carol, plan=plan, on=ON)
    MeasureFactory(plan=plan, kind=kind("public_job"), member=worker)
    plan = services.plan_activate(actor=world.carol, plan=plan, on=ON)
    assert plan.state == PlanState.ACTIVE


def test_activation_counts_a_done_development_measure(world, subject):
    worker = member_aged(subject.household, 16, ON, name="李小")
    plan = _draft(world, subject)
    done = MeasureFactory(plan=plan, kind=kind("skills_training"), member=worker)
    type(done).objects.filter(pk=done.pk).update(state=MeasureState.DONE)
    assert services.plan_activate(actor=world.carol, plan=plan, on=ON).state == PlanState.ACTIVE


def test_activation_accepts_a_recorded_reason(world, subject):
    worker = member_aged(subject.household, 40, ON, name="李强", labour_capacity="weak")
    plan = _draft(world, subject, no_development_reason="本人正在住院治疗，出院后再安排")
    MeasureFactory(plan=plan, kind=kind("medical_assistance"), member=worker)
    assert services.plan_activate(actor=world.carol, plan=plan, on=ON).state == PlanState.ACTIVE


def test_a_member_who_lost_labour_needs_no_development_measure(world, subject):
    member = member_aged(subject.household, 40, ON, name="李强", labour_capacity="lost")
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"), member=member)
    assert services.plan_activate(actor=world.carol, plan=plan, on=ON).state == PlanState.ACTIVE


@pytest.mark.parametrize(
    ("months", "expected"), [(6, datetime.date(2022, 3, 1)), (3, datetime.date(2021, 12, 1))]
)
def test_activation_sets_the_next_review_from_policy(world, subject, months, expected):
    policy(year=2021, plan_review_months=months)
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    plan = services.plan_activate(actor=world.carol, plan=plan, on=ON)
    assert plan.activated_on == ON and plan.next_review_on == expected


def test_months_later_keeps_month_ends():
    assert months_later(datetime.date(2021, 8, 31), 6) == datetime.date(2022, 2, 28)


@pytest.mark.parametrize("who", ["alice", "grace", "erin"])
def test_only_the_town_activates(world, subject, who):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    with pytest.raises(PermissionDenied):
        services.plan_activate(actor=getattr(world, who), plan=plan, on=ON)
    with pytest.raises(PermissionDenied):  # another town's official: out of scope
        services.plan_activate(actor=world.dave, plan=plan, on=ON)


def test_activation_twice_is_a_conflict_and_dates_are_checked(world, subject):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    with pytest.raises(ValidationError):
        services.plan_activate(actor=world.carol, plan=plan, on=MADE - datetime.timedelta(1))
    services.plan_activate(actor=world.carol, plan=plan, on=MADE)
    with pytest.raises(ConflictError):
        services.plan_activate(actor=world.carol, plan=plan, on=ON)


# --- review ---------------------------------------------------------------------------------


def _active(world, subject):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("dibao"))
    return services.plan_activate(actor=world.carol, plan=plan, on=ON)


def test_review_records_and_moves_the_next_review(world, subject):
    plan = _active(world, subject)
    day = datetime.date(2022, 3, 5)
    review = services.plan_review(actor=world.alice, plan=plan, on=day, conclusion="措施落实到位")
    plan.refresh_from_db()
    assert review.reviewer == world.alice and plan.reviewed_on == day
    assert plan.next_review_on == datetime.date(2022, 9, 5)
    with pytest.raises(ValidationError):  # not before the last review
        services.plan_review(
            actor=world.alice, plan=plan, on=day - datetime.timedelta(1), conclusion="x"
        )


def test_review_needs_a_conclusion_and_an_active_plan(world, subject):
    plan = _draft(world, subject)
    with pytest.raises(ValidationError):
        services.plan_review(actor=world.alice, plan=plan, on=ON, conclusion=" ")
    with pytest.raises(ConflictError):
        services.plan_review(actor=world.alice, plan=plan, on=ON, conclusion="好")


# --- closing at exit (三(九)) -------------------------------------------------------------


def test_plan_close_at_exit_keeps_the_kinds_that_continue(world, subject):
    plan = _active(world, subject)
    member = member_aged(subject.household, 40, ON)
    loan = MeasureFactory(plan=plan, kind=kind("microcredit"), amount=50000)
    job = MeasureFactory(plan=plan, kind=kind("public_job"), member=member)
    yulu = MeasureFactory(plan=plan, kind=kind("yulu_plan"), member=member)
    work = MeasureFactory(plan=plan, kind=kind("local_work"), member=member)
    services.measure_start(actor=world.alice, measure=work, on=ON)
    done = MeasureFactory(plan=plan, kind=kind("temporary_relief"))
    services.measure_start(actor=world.alice, measure=done, on=ON)
    services.measure_complete(actor=world.alice, measure=done, on=ON)
    day = datetime.date(2022, 1, 10)
    plan = services.plan_close(actor=world.erin, plan=plan, on=day)
    assert plan.state == PlanState.CLOSED and plan.closed_on == day
    assert plan.close_reason == EXIT_REASON
    states = dict(plan.measures.values_list("kind__code", "state"))
    assert states["microcredit"] == states["public_job"] == states["yulu_plan"] == "planned"
    assert states["local_work"] == states["dibao"] == "stopped"
    assert states["temporary_relief"] == "done"
    work.refresh_from_db()
    assert work.stop_reason == EXIT_REASON and work.ended_on == day
    assert work.history.first().history_user == world.erin
    for m in (loan, job, yulu):
        m.refresh_from_db()
        assert m.ended_on is None


def test_plan_close_not_at_exit_stops_every_open_measure(world, subject):
    plan = _draft(world, subject)
    MeasureFactory(plan=plan, kind=kind("microcredit"))
    services.plan_close(actor=None, plan=plan, on=ON, reason="整户迁出", exit=False)
    assert list(plan.measures.values_list("state", flat=True)) == ["stopped"]


def test_plan_close_twice_is_a_conflict_and_roles_are_checked(world, subject):
    plan = _draft(world, subject)
    with pytest.raises(PermissionDenied):
        services.plan_close(actor=world.alice, plan=plan, on=ON)
    services.plan_close(actor=world.carol, plan=plan, on=ON)
    with pytest.raises(ConflictError):
        services.plan_close(actor=world.carol, plan=plan, on=ON)
    assert AssistancePlan.objects.get(pk=plan.pk).state == PlanState.CLOSED
    # A new plan may be made once the old one is closed.
    _draft(world, subject)


def test_factory_plan_is_a_draft(db):
    assert PlanFactory().state == PlanState.DRAFT
