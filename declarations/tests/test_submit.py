"""The public submission: the receipt code, the village that answers, the due date in working
days, and the merge of a repeat while one is open."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from declarations import services
from declarations.models import RECEIPT_ALPHABET, Declaration, DeclarationRepeat, State
from households.models import RiskType
from households.tests.factories import HouseholdFactory, MemberFactory, new_id_number
from organization.models import Notification, PolicySettings
from organization.tests.factories import policy

from .conftest import PHONE

pytestmark = pytest.mark.django_db


def _at(monkeypatch, moment: datetime.datetime) -> None:
    aware = timezone.make_aware(moment)
    monkeypatch.setattr(timezone, "now", lambda: aware)


def test_a_declaration_gets_a_short_unambiguous_receipt_code(declare):
    declaration = declare()
    assert re.fullmatch(f"[{RECEIPT_ALPHABET}]{{8}}", declaration.receipt_code)
    assert not set(declaration.receipt_code) & set("01OIL")
    assert declaration.state == State.RECEIVED


def test_receipt_codes_differ_between_declarations(declare):
    codes = {declare().receipt_code for _ in range(5)}
    assert len(codes) == 5


def test_it_reaches_the_village_monitor_and_the_town_with_a_notification(
    world, declare, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declaration = declare(village=world.a1)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"alice", "carol"}
    assert declaration.receipt_code in Notification.objects.first().message


def test_a_stranger_is_taken_and_answered_by_the_village_chosen(world, declare):
    declaration = declare(village=world.a2)
    assert declaration.household is None
    assert declaration.village == world.a2


def test_a_registered_person_is_answered_by_the_village_that_keeps_their_household(world, declare):
    member = MemberFactory(household=HouseholdFactory(village=world.a2))
    declaration = declare(village=world.a1, id_number=member.id_number)
    assert declaration.household == member.household
    assert declaration.village == world.a2
    assert declaration.declared_village == world.a1


def test_a_repeat_while_open_is_merged_and_gets_the_same_receipt(
    world, declare, django_capture_on_commit_callbacks
):
    id_number = new_id_number()
    first = declare(id_number=id_number)
    with django_capture_on_commit_callbacks(execute=True):
        again, created = services.declaration_submit(
            name="赵大山",
            id_number=id_number.lower().replace("", " ").strip(),  # typed differently
            phone="13700000000",
            village=world.a2,
            risk_types=[RiskType.objects.get(code="disaster")],
            words="房子也漏雨",
            consent=True,
        )
    assert created is False
    assert again.pk == first.pk and again.receipt_code == first.receipt_code
    assert Declaration.objects.count() == 1
    repeat = DeclarationRepeat.objects.get()
    assert repeat.words == "房子也漏雨" and repeat.phone == "13700000000"
    assert [r.code for r in repeat.risk_types.all()] == ["disaster"]
    assert "再次自主申报" in Notification.objects.first().message


def test_after_an_answer_the_same_person_may_declare_anew(world, declare):
    id_number = new_id_number()
    first = declare(id_number=id_number)
    services.declaration_decline(
        actor=world.alice, declaration=first, reason="no_risk", note="已入户，收入稳定"
    )
    second = declare(id_number=id_number)
    assert second.pk != first.pk and second.receipt_code != first.receipt_code


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("id_number", {"id_number": "340621199001011234"}),
        ("phone", {"phone": "0561-6012345"}),
        ("phone", {"phone": "1391234567"}),
        ("consent", {"consent": False}),
        ("risk_types", {"risk_types": []}),
        ("words", {"words": "难" * 301}),
        ("name", {"name": "  "}),
    ],
)
def test_it_refuses_bad_input_naming_the_field(world, field, changes):
    values = {
        "name": "赵大山",
        "id_number": new_id_number(),
        "phone": PHONE,
        "village": world.a1,
        "risk_types": [RiskType.objects.get(code="illness")],
        "words": "",
        "consent": True,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.declaration_submit(**values)
    assert field in refused.value.message_dict
    assert Declaration.objects.count() == 0


def test_the_answer_is_due_two_working_days_later_across_a_holiday(world, declare, monkeypatch):
    # Monday 30 September 2024; 1-7 October is the National Day holiday: the two working
    # days are 8 and 9 October.
    _at(monkeypatch, datetime.datetime(2024, 9, 30, 10, 0))
    assert declare().due_on == datetime.date(2024, 10, 9)


def test_the_limit_is_the_years_policy_setting(world, declare, monkeypatch):
    policy(year=2024, declaration_answer_working_days=5)
    _at(monkeypatch, datetime.datetime(2024, 11, 4, 9, 0))  # a Monday
    assert declare().due_on == datetime.date(2024, 11, 11)


def test_a_declaration_on_a_saturday_counts_from_monday(world, declare, monkeypatch):
    _at(monkeypatch, datetime.datetime(2024, 11, 9, 9, 0))  # Saturday
    assert declare().due_on == datetime.date(2024, 11, 12)  # Monday, Tuesday


def test_the_answer_clock_turns_orange_the_day_before_and_red_after(world, declare, monkeypatch):
    from declarations.selectors import clock_of

    # The orange window is the year's clock_warn_working_days, as for identification cases.
    PolicySettings.objects.update_or_create(year=2024, defaults={"clock_warn_working_days": 1})
    _at(monkeypatch, datetime.datetime(2024, 11, 4, 9, 0))  # Monday: due Wednesday the 6th
    declaration = declare()
    colours = [clock_of(declaration, datetime.date(2024, 11, day)).value for day in (4, 5, 6, 7)]
    assert colours == ["green", "orange", "orange", "red"]
    # The default window (3 working days) is wider than the 2-day limit: orange from the start.
    PolicySettings.objects.filter(year=2024).update(clock_warn_working_days=3)
    colours = [clock_of(declaration, datetime.date(2024, 11, day)).value for day in (4, 5, 6, 7)]
    assert colours == ["orange", "orange", "orange", "red"]
    declaration = services.declaration_decline(
        actor=world.alice, declaration=declaration, reason="other", note="已答复"
    )
    assert clock_of(declaration, datetime.date(2024, 11, 7)) is None
