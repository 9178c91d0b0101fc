"""save_with_actor: the one way every app's services write a row."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from households.models import Household, MonitoringSubject
from households.tests.factories import HouseholdFactory
from suixi_monitor.services import protected_fields, save_with_actor


def test_it_saves_with_the_actor_in_the_history(world):
    household = HouseholdFactory.build(village=world.a1)
    save_with_actor(household, actor=world.alice)
    assert household.history.get().history_user == world.alice


def test_it_keeps_the_reason_as_the_change_reason(world):
    household = HouseholdFactory(village=world.a1)
    household.address = "新地址"
    save_with_actor(household, actor=world.carol, reason="搬迁")
    latest = household.history.first()
    assert (latest.history_user, latest.history_change_reason) == (world.carol, "搬迁")


def test_the_system_saves_without_a_user(world):
    household = HouseholdFactory.build(village=world.a1)
    save_with_actor(household, actor=None)
    assert household.history.get().history_user is None


def test_it_refuses_an_invalid_row_and_saves_nothing(world):
    household = HouseholdFactory.build(village=world.a1, head_name="")
    with pytest.raises(ValidationError) as refused:
        save_with_actor(household, actor=world.alice)
    assert "head_name" in refused.value.message_dict
    assert not Household.objects.exists()


def test_a_state_moved_by_its_transition_is_saved(world):
    """A protected FSM field refuses the setattr full_clean() does; it is left out of the check."""
    subject = MonitoringSubject(
        household=HouseholdFactory(village=world.a1),
        category=MonitoringSubject.Category.MARGINAL,
        started_on=datetime.date(2021, 5, 1),
    )
    save_with_actor(subject, actor=world.erin)
    subject.eliminate_risk(on=datetime.date(2022, 5, 1))
    save_with_actor(subject, actor=world.erin)
    subject.refresh_from_db()
    assert subject.status == MonitoringSubject.Status.ELIMINATED
    assert protected_fields(subject) == ["status"]


def test_a_model_without_a_state_has_no_protected_field(world):
    assert protected_fields(HouseholdFactory.build(village=world.a1)) == []
