"""received → pushed → assigned → verified → closed, for warnings and clues (三(四)2-3)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from early_warnings import selectors, services
from early_warnings.models import Clue, Result, State, Warning
from households.models import MonitoringSubject, RiskType
from households.services import monitoring_subject_create
from organization.models import Notification
from suixi_monitor.exceptions import ConflictError

from .helpers import make_warning, person


def reload(item):
    return type(item).objects.get(pk=item.pk)


def test_a_town_official_assigns_a_pushed_warning_to_its_village(world):
    warning = make_warning(world.a1)
    services.item_assign(actor=world.carol, item=warning)
    warning = reload(warning)
    assert (warning.state, warning.assigned_by, warning.village) == (
        State.ASSIGNED,
        world.carol,
        world.a1,
    )
    assert Notification.objects.filter(
        recipient=world.alice, message__contains="请入户核实"
    ).exists()
    assert not Notification.objects.filter(recipient=world.bob).exists()


def test_it_refuses_to_assign_another_towns_warning_or_one_not_yet_pushed(world):
    with pytest.raises(PermissionDenied):
        services.item_assign(actor=world.dave, item=make_warning(world.a1))
    with pytest.raises(ConflictError, match="已接收"):
        services.item_assign(actor=world.carol, item=make_warning(world.a1, state="received"))
    with pytest.raises(PermissionDenied):
        services.item_assign(actor=world.alice, item=make_warning(world.a1))


def test_bulk_assignment_is_all_or_nothing(world):
    first = make_warning(world.a1)
    second = make_warning(world.a2)
    services.items_assign_bulk(actor=world.carol, items=[first, second])
    assert {reload(w).state for w in (first, second)} == {State.ASSIGNED}
    third = make_warning(world.a1)
    with pytest.raises(ConflictError):
        services.items_assign_bulk(actor=world.carol, items=[third, first])
    assert reload(third).state == State.PUSHED


def test_the_state_field_cannot_be_set_directly(world):
    warning = make_warning(world.a1)
    with pytest.raises(AttributeError):
        warning.state = State.CLOSED


def assigned(world, village=None, **kwargs) -> Warning:
    warning = make_warning(village or world.a1, **kwargs)
    return services.item_assign(actor=world.carol, item=warning)


def test_the_village_verifies_no_risk_with_a_reason(world):
    warning = assigned(world)
    with pytest.raises(ValidationError):
        services.warning_verify(actor=world.alice, warning=warning, result=Result.NO_RISK)
    services.warning_verify(
        actor=world.alice, warning=warning, result=Result.NO_RISK, reason="已报销大部分费用"
    )
    warning = reload(warning)
    assert (warning.state, warning.result, warning.verified_by) == (
        State.VERIFIED,
        Result.NO_RISK,
        world.alice,
    )


def test_another_village_cannot_verify(world):
    warning = assigned(world)
    with pytest.raises(PermissionDenied):
        services.warning_verify(actor=world.bob, warning=warning, result=Result.NO_RISK, reason="x")
    with pytest.raises(PermissionDenied):
        services.warning_verify(
            actor=world.frank, warning=warning, result=Result.NO_RISK, reason="x"
        )


def test_already_monitored_updates_the_subjects_risk_types(world):
    warning = assigned(world)
    subject = monitoring_subject_create(
        actor=world.erin,
        household=warning.household,
        category=MonitoringSubject.Category.UNSTABLE,
        risk_types=[RiskType.objects.get(code="disaster")],
        started_on=datetime.date(2026, 1, 5),
    )
    services.warning_verify(actor=world.alice, warning=warning, result=Result.ALREADY_MONITORED)
    assert set(subject.risk_types.values_list("code", flat=True)) == {"disaster", "illness"}
    assert reload(warning).result == Result.ALREADY_MONITORED


def test_already_monitored_is_refused_for_a_household_not_monitored(world):
    warning = assigned(world)
    with pytest.raises(ValidationError, match="不是监测对象"):
        services.warning_verify(actor=world.alice, warning=warning, result=Result.ALREADY_MONITORED)
    assert reload(warning).state == State.ASSIGNED


def test_include_opens_an_identification_case_linked_both_ways(world):
    warning = assigned(world)
    services.warning_verify(
        actor=world.alice, warning=warning, result=Result.INCLUDE, reason="住院自付较多，收入骤减"
    )
    warning = reload(warning)
    case = warning.case
    assert case is not None and case.source == "warning"
    assert case.household_id == warning.household_id
    assert list(case.source_warnings.all()) == [warning]
    assert set(case.risk_types.values_list("code", flat=True)) == {"illness"}
    # A case comes from one warning: the database refuses a second (only rows with a case
    # are in that unique index).
    other = make_warning(world.a1, member=person(world.a1, name="赵六"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Warning.objects.filter(pk=other.pk).update(case=case)


def test_include_is_refused_for_a_monitored_household(world):
    warning = assigned(world)
    monitoring_subject_create(
        actor=world.erin,
        household=warning.household,
        category=MonitoringSubject.Category.UNSTABLE,
        risk_types=[RiskType.objects.get(code="illness")],
        started_on=datetime.date(2026, 1, 5),
    )
    with pytest.raises(ValidationError, match="已是监测对象"):
        services.warning_verify(
            actor=world.alice, warning=warning, result=Result.INCLUDE, reason="x"
        )


def test_closing_records_who_and_when_and_needs_a_verified_warning(world):
    warning = assigned(world)
    with pytest.raises(ConflictError):
        services.item_close(actor=world.alice, item=warning)
    services.warning_verify(actor=world.alice, warning=warning, result=Result.NO_RISK, reason="无")
    with pytest.raises(PermissionDenied):
        services.item_close(actor=world.dave, item=warning)
    services.item_close(actor=world.alice, item=warning)
    warning = reload(warning)
    assert warning.state == State.CLOSED and warning.closed_by == world.alice
    assert warning.closed_at is not None


def test_verifying_clears_the_overdue_flag(world):
    warning = assigned(world)
    Warning.objects.filter(pk=warning.pk).update(overdue=True)
    services.warning_verify(
        actor=world.alice, warning=reload(warning), result=Result.NO_RISK, reason="无"
    )
    assert not reload(warning).overdue


# --- clues (协防) ------------------------------------------------------------------------------


def test_a_bureau_clue_goes_to_the_town_at_once_and_is_verified_like_a_warning(world):
    clue = services.clue_create(
        actor=world.erin,
        source=Clue.Source.HOTLINE_12345,
        name="孙八",
        description="来电反映家中老人重病无人照料",
        town=world.town_a,
    )
    assert clue.state == State.PUSHED and clue.pushed_at is not None
    assert Notification.objects.filter(recipient=world.carol).exists()
    services.item_assign(actor=world.carol, item=clue, village=world.a2)
    assert selectors.clue_list(user=world.bob).filter(pk=clue.pk).exists()
    assert not selectors.clue_list(user=world.alice).filter(pk=clue.pk).exists()
    services.clue_verify(actor=world.bob, clue=clue, result=Result.NO_RISK, reason="已有子女赡养")
    services.item_close(actor=world.bob, item=clue)
    assert reload(clue).state == State.CLOSED


def test_a_clue_that_leads_to_inclusion_opens_a_case_for_the_registered_household(world):
    clue = services.clue_create(
        actor=world.carol, source=Clue.Source.INSPECTION, name="周九", description="督查发现"
    )
    assert clue.town == world.town_a  # a town's clue is its own
    services.item_assign(actor=world.carol, item=clue, village=world.a1)
    household = person(world.a1, name="周九").household
    with pytest.raises(ValidationError, match="登记该户"):
        services.clue_verify(actor=world.alice, clue=clue, result=Result.INCLUDE, reason="困难")
    services.clue_verify(
        actor=world.alice, clue=clue, result=Result.INCLUDE, reason="困难", household=household
    )
    clue = reload(clue)
    assert clue.case.source == "clue" and clue.case.source_clue == clue


def test_only_the_bureau_and_towns_enter_clues_and_towns_only_assign_their_own_villages(world):
    with pytest.raises(PermissionDenied):
        services.clue_create(actor=world.frank, source="12345", name="甲", description="x")
    clue = services.clue_create(actor=world.carol, source="other", name="甲", description="x")
    with pytest.raises(ValidationError, match="本镇"):
        services.item_assign(actor=world.carol, item=clue, village=world.b1)


def test_the_bureau_routes_a_county_clue_to_a_town(world):
    from households.tests.factories import new_id_number

    clue = Clue.objects.create(
        source=Clue.Source.DEPARTMENT,
        period="2026-05",
        name="无名",
        id_number=new_id_number(),
        description="医保：自付",
    )
    with pytest.raises(PermissionDenied):
        services.clue_route(actor=world.carol, clue=clue, town=world.town_a)
    services.clue_route(actor=world.erin, clue=clue, town=world.town_b, village=world.b1)
    clue = reload(clue)
    assert (clue.state, clue.town, clue.village) == (State.PUSHED, world.town_b, world.b1)


# --- sweeps (三(四)1) -------------------------------------------------------------------------


def test_departments_record_sweeps_and_the_county_sees_who_is_missing(world):
    day = datetime.date(2026, 5, 6)
    before = set(selectors.departments_missing_sweep(day=day).values_list("code", flat=True))
    assert "yibao" in before and len(before) == 16
    services.sweep_record(
        actor=world.frank,
        carried_out_on=day,
        scope="全县医保参保脱贫人口",
        findings="高额自付12户",
        households_checked=3200,
    )
    after = set(selectors.departments_missing_sweep(day=day).values_list("code", flat=True))
    assert before - after == {"yibao"}
    # the next quarter starts again from nothing
    assert "yibao" in selectors.departments_missing_sweep(
        day=datetime.date(2026, 7, 1)
    ).values_list("code", flat=True)
    with pytest.raises(PermissionDenied):
        services.sweep_record(actor=world.carol, carried_out_on=day, scope="x", findings="y")


def test_an_assignment_names_the_household_and_a_bulk_one_is_one_message(world):
    """镇里分派了3条预警：张…、李…、王…: one message per village, households named."""
    zhang = make_warning(world.a1, member=person(world.a1, name="张大"))
    services.item_assign(actor=world.carol, item=zhang)
    single = Notification.objects.get(recipient=world.alice)
    assert single.message.startswith("镇里分派了一条预警：张大户（")
    assert single.url.endswith(f"/warnings/w/{zhang.pk}/")
    Notification.objects.all().delete()
    items = [
        make_warning(world.a1, member=person(world.a1, name=name)) for name in ("李二", "王三")
    ]
    items.append(make_warning(world.a1, member=items[0].member, code="YB02"))  # 李二户 twice
    items.append(make_warning(world.a2, member=person(world.a2, name="赵四")))
    assert services.items_assign_bulk(actor=world.carol, items=items) == 4
    assert list(
        Notification.objects.filter(recipient=world.alice).values_list("message", flat=True)
    ) == ["镇里分派了3条预警：李二户、王三户，请入户核实"]
    assert list(
        Notification.objects.filter(recipient=world.bob).values_list("message", flat=True)
    ) == ["镇里分派了一条预警：赵四户（医保：" + items[3].indicator.name + "），请入户核实"]
