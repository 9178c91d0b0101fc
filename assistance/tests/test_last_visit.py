"""Each pairing's latest visit (``HelpAssignment.last_visited_on``) and each subject's day its
next help visit counts from (``MonitoringSubject.help_due_basis``), the copies that the visits
due (三(八)1) and the dashboards read: they always equal what the registry's visits and the
pairings say."""

from __future__ import annotations

from assistance.models import AssistancePlan, HelpAssignment, PlanState
from assistance.services.last_visit import help_refresh
from assistance.services.visits import help_visit_record
from assistance.tests.factories_visits import (
    HelpAssignmentFactory,
    days_ago,
    help_world,
    plan_with_measures,
    subject_for,
)
from households import services as household_services
from households.models import MonitoringSubject, Visit
from households.tests.factories import VisitFactory


def stored(assignment: HelpAssignment):
    assignment.refresh_from_db()
    return assignment.last_visited_on


def basis(subject: MonitoringSubject):
    subject.refresh_from_db()
    return subject.help_due_basis


SUBJECT_COPIES = ("help_due_basis", "help_paired", "help_plan_active")


def copies() -> tuple[dict, dict]:
    return (
        dict(HelpAssignment.objects.values_list("pk", "last_visited_on")),
        {pk: rest for pk, *rest in MonitoringSubject.objects.values_list("pk", *SUBJECT_COPIES)},
    )


def assert_matches_the_visits() -> None:
    """What every pairing and subject holds is what recomputing it from the visits, the
    pairings and the plans gives."""
    before = copies()
    help_refresh()
    assert before == copies()


def test_a_help_visit_moves_the_pairings_latest_visit(world):
    hw = help_world(world)
    household = hw.alleviated.household
    help_visit_record(
        actor=world.grace, household=household, visited_on=days_ago(3), findings="正常"
    )
    assert stored(hw.grace_assignment) == days_ago(3)
    assert_matches_the_visits()


def test_someone_elses_visit_leaves_it(world):
    hw = help_world(world)
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(20))
    household_services.visit_create(
        actor=world.alice,
        household=hw.alleviated.household,
        visited_on=days_ago(1),
        findings="正常",
    )
    assert stored(hw.grace_assignment) == days_ago(20)
    assert_matches_the_visits()


def test_a_corrected_date_moves_it_back_as_well_as_forward(world):
    hw = help_world(world)
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(40))
    latest = VisitFactory(
        household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(5)
    )
    household_services.visit_update(actor=world.grace, visit=latest, visited_on=days_ago(50))
    assert stored(hw.grace_assignment) == days_ago(40)
    assert_matches_the_visits()


def test_a_deleted_visit_no_longer_counts(world):
    hw = help_world(world)
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(30))
    VisitFactory(
        household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(2)
    ).delete()
    assert stored(hw.grace_assignment) == days_ago(30)
    assert_matches_the_visits()


def test_a_new_pairing_starts_from_the_helpers_earlier_visits(world):
    hw = help_world(world)
    marginal = hw.marginal.household
    Visit.objects.bulk_create(  # no signal: only the pairing's own reading can find it
        [Visit(household=marginal, visitor=world.grace, visited_on=days_ago(12), findings="正常")]
    )
    assignment = HelpAssignmentFactory(household=marginal, helper=world.grace)
    assert stored(assignment) == days_ago(12)
    assert_matches_the_visits()


def test_an_ended_pairing_keeps_its_own_and_the_new_helper_has_none(world):
    hw = help_world(world)
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(8))
    hw.grace_assignment.ended_on = days_ago(1)
    hw.grace_assignment.save()
    other = HelpAssignmentFactory(household=hw.alleviated.household)
    assert stored(hw.grace_assignment) == days_ago(8)
    assert stored(other) is None
    assert_matches_the_visits()


# --- the subject's basis (三(八)1: due from the latest visit by a helper paired now) ----------


def test_a_subject_counts_from_its_start_until_it_is_paired(world):
    hw = help_world(world)
    assert basis(hw.marginal) == days_ago(40)
    pairing = HelpAssignmentFactory(household=hw.marginal.household, started_on=days_ago(10))
    assert basis(hw.marginal) == days_ago(10)
    VisitFactory(household=hw.marginal.household, visitor=pairing.helper, visited_on=days_ago(4))
    assert basis(hw.marginal) == days_ago(4)
    assert_matches_the_visits()


def test_a_visit_by_someone_not_paired_does_not_move_the_basis(world):
    hw = help_world(world)
    VisitFactory(household=hw.alleviated.household, visitor=world.alice, visited_on=days_ago(2))
    assert basis(hw.alleviated) == hw.grace_assignment.started_on
    assert_matches_the_visits()


def test_ending_the_pairing_drops_its_helpers_visits(world):
    hw = help_world(world)
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(6))
    assert basis(hw.alleviated) == days_ago(6)
    hw.grace_assignment.ended_on = days_ago(1)
    hw.grace_assignment.save()
    assert basis(hw.alleviated) == hw.alleviated.started_on
    successor = HelpAssignmentFactory(household=hw.alleviated.household, started_on=days_ago(1))
    assert basis(hw.alleviated) == days_ago(1)
    successor.delete()
    assert basis(hw.alleviated) == hw.alleviated.started_on
    assert_matches_the_visits()


def test_a_deleted_or_moved_visit_moves_the_basis_back(world):
    hw = help_world(world)
    VisitFactory(household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(30))
    latest = VisitFactory(
        household=hw.alleviated.household, visitor=world.grace, visited_on=days_ago(3)
    )
    household_services.visit_update(actor=world.grace, visit=latest, visited_on=days_ago(35))
    assert basis(hw.alleviated) == days_ago(30)
    Visit.objects.get(visited_on=days_ago(30)).delete()
    assert basis(hw.alleviated) == days_ago(35)
    assert_matches_the_visits()


def test_a_subject_filed_for_a_household_already_paired_reads_the_pairing(world):
    hw = help_world(world)
    household = subject_for(world.a1, started_on=days_ago(300)).household
    MonitoringSubject.objects.filter(household=household).delete()
    HelpAssignmentFactory(household=household, helper=world.grace, started_on=days_ago(200))
    VisitFactory(household=household, visitor=world.grace, visited_on=days_ago(9))
    subject = MonitoringSubject.objects.create(
        household=household, category="unstable", started_on=days_ago(5)
    )
    assert basis(subject) == days_ago(9)
    assert hw.grace_assignment.household_id != household.pk
    assert_matches_the_visits()


# --- the subject's coverage (三(八)1: 一户一方案, 帮扶责任人) ------------------------------------


def coverage(subject: MonitoringSubject) -> tuple[bool, bool]:
    subject.refresh_from_db()
    return subject.help_paired, subject.help_plan_active


def test_pairing_and_ending_it_turn_paired_on_and_off(world):
    hw = help_world(world)
    assert coverage(hw.alleviated) == (True, False)
    assert coverage(hw.marginal) == (False, False)
    hw.grace_assignment.ended_on = days_ago(0)
    hw.grace_assignment.save()
    assert coverage(hw.alleviated) == (False, False)
    assert_matches_the_visits()


def test_a_plan_made_active_and_closed_turns_active_on_and_off(world):
    hw = help_world(world)
    plan, _ = plan_with_measures(hw.alleviated, world.carol)
    assert coverage(hw.alleviated) == (True, True)
    plan.close(on=days_ago(0), reason="测试")
    plan.save()
    assert coverage(hw.alleviated) == (True, False)
    draft = AssistancePlan.objects.create(
        subject=hw.marginal, made_on=days_ago(3), made_by=world.carol
    )
    assert draft.state == PlanState.DRAFT
    assert coverage(hw.marginal) == (False, False)
    assert_matches_the_visits()
