"""一人一措施 (三(八)1): a measure's contents and its states."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance import services
from assistance.models import MeasureState
from households.tests.factories import HouseholdFactory, MemberFactory
from organization.tests.factories import department
from suixi_monitor.exceptions import ConflictError

from .factories_plans import MeasureFactory, PlanFactory, SubjectFactory, kind

ON = datetime.date(2021, 9, 1)


@pytest.fixture
def plan(world):
    household = HouseholdFactory(village=world.a1)
    return PlanFactory(subject=SubjectFactory(household=household), made_by=world.alice)


def _add(world, plan, **fields):
    fields.setdefault("kind", kind("public_job"))
    return services.measure_create(actor=world.alice, plan=plan, **fields)


def test_create_for_a_member_with_department_amount_and_dates(world, plan):
    member = MemberFactory(household=plan.subject.household, name="李强")
    m = _add(
        world,
        plan,
        member=member,
        department=department("yibao"),
        responsible_person="王干事",
        amount=Decimal("800"),
        started_on=ON,
        planned_end_on=ON,  # the same day is allowed
        description=" 村保洁员 ",
    )
    assert m.state == MeasureState.PLANNED and m.description == "村保洁员"
    assert str(m) == "公益性岗位（李强）"
    assert m.history.first().history_user == world.alice


def test_whole_household_and_no_amount_are_allowed(world, plan):
    m = _add(world, plan, kind=kind("family_doctor"), amount=Decimal("0"))
    assert m.member is None and str(m).endswith("（全户）")
    _add(world, plan, kind=kind("charity_supermarket"))  # no amount needed anywhere


def test_negative_amount_is_refused(world, plan):
    with pytest.raises(ValidationError) as error:
        _add(world, plan, amount=Decimal("-0.01"))
    assert "amount" in error.value.message_dict


def test_planned_end_before_start_is_refused(world, plan):
    with pytest.raises(ValidationError) as error:
        _add(world, plan, started_on=ON, planned_end_on=ON - datetime.timedelta(1))
    assert "planned_end_on" in error.value.message_dict


def test_member_of_another_household_is_refused(world, plan):
    stranger = MemberFactory(household=HouseholdFactory(village=world.a1))
    with pytest.raises(ValidationError) as error:
        _add(world, plan, member=stranger)
    assert "member" in error.value.message_dict


def test_a_retired_kind_is_refused_for_new_measures_but_kept_on_old_ones(world, plan):
    m = _add(world, plan, kind=kind("dibao"))
    retired = kind("dibao")
    retired.is_active = False
    retired.save()
    with pytest.raises(ValidationError) as error:
        _add(world, plan, kind=retired)
    assert "kind" in error.value.message_dict
    services.measure_update(actor=world.alice, measure=m, result="每月领取低保金")


def test_update_and_closed_plan(world, plan):
    m = _add(world, plan)
    services.measure_update(
        actor=world.alice, measure=m, result="每月工资800元", amount=Decimal("9600")
    )
    m.refresh_from_db()
    assert m.result == "每月工资800元" and m.amount == Decimal("9600")
    services.plan_close(actor=world.carol, plan=plan, on=ON, exit=False, reason="迁出")
    with pytest.raises(ConflictError):
        services.measure_update(actor=world.alice, measure=m, result="x")
    with pytest.raises(ConflictError):
        _add(world, plan)


@pytest.mark.parametrize("who", ["bob", "dave", "grace"])
def test_out_of_scope_is_refused(world, plan, who):
    with pytest.raises(PermissionDenied):
        services.measure_create(actor=getattr(world, who), plan=plan, kind=kind("dibao"))


@pytest.mark.parametrize("who", ["erin", "frank"])
def test_county_and_departments_do_not_arrange_measures(world, plan, who):
    with pytest.raises(PermissionDenied):
        services.measure_create(actor=getattr(world, who), plan=plan, kind=kind("dibao"))


# --- the state machine: planned → in_progress → done, or stopped ---------------------------


def test_state_machine(world, plan):
    m = MeasureFactory(plan=plan)
    with pytest.raises(ConflictError):
        services.measure_complete(actor=world.alice, measure=m, on=ON)
    services.measure_start(actor=world.alice, measure=m, on=ON)
    with pytest.raises(ConflictError):
        services.measure_start(actor=world.alice, measure=m, on=ON)
    m = services.measure_complete(actor=world.alice, measure=m, on=ON, result="月增收1500元")
    assert m.state == MeasureState.DONE and m.result == "月增收1500元"
    with pytest.raises(ConflictError):
        services.measure_stop(actor=world.alice, measure=m, on=ON, reason="x")


def test_stop_needs_a_reason_from_either_open_state(world, plan):
    m = MeasureFactory(plan=plan)
    with pytest.raises(ValidationError):
        services.measure_stop(actor=world.alice, measure=m, on=ON, reason=" ")
    m = services.measure_stop(actor=world.alice, measure=m, on=ON, reason="本人外出务工")
    assert m.state == MeasureState.STOPPED and m.stop_reason == "本人外出务工"
    with pytest.raises(ConflictError):
        services.measure_start(actor=world.alice, measure=m, on=ON)
