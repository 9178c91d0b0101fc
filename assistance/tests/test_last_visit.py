"""Each pairing's latest visit (``HelpAssignment.last_visited_on``), the copy that the visits due
(三(八)1) and the dashboards read: it always equals what the registry's visits say."""

from __future__ import annotations

from assistance.models import HelpAssignment
from assistance.services.last_visit import assignments_refresh_last_visit
from assistance.services.visits import help_visit_record
from assistance.tests.factories_visits import HelpAssignmentFactory, days_ago, help_world
from households import services as household_services
from households.models import Visit
from households.tests.factories import VisitFactory


def stored(assignment: HelpAssignment):
    assignment.refresh_from_db()
    return assignment.last_visited_on


def assert_matches_the_visits() -> None:
    """What every pairing holds is what recomputing it from the visits gives."""
    before = dict(HelpAssignment.objects.values_list("pk", "last_visited_on"))
    assignments_refresh_last_visit(assignments=HelpAssignment.objects.all())
    assert dict(HelpAssignment.objects.values_list("pk", "last_visited_on")) == before


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
