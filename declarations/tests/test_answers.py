"""The village's answer: accept into the identification procedure (三(七)1, source 自主申报),
or decline with a reason the town sees; a stranger's household entered from the declaration
(三(五)3)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from declarations import services
from declarations.models import Declaration, State
from declarations.selectors import answered_late
from households.models import Household
from households.services import income_record_save
from households.tests.factories import MemberFactory
from identification.models import CaseSource, CaseState, IdentificationCase
from identification.tests.factories import household_ready
from organization.models import Notification
from suixi_monitor.exceptions import ApplicationError, ConflictError

from .conftest import PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(world, declare):
    household = household_ready(world.a1)
    return declare(id_number=household.head.id_number, name=household.head.name)


def test_accepting_opens_a_case_from_self_declaration_linked_both_ways(world, registered):
    declaration = services.declaration_accept(actor=world.alice, declaration=registered)
    case = declaration.case
    assert declaration.state == State.ACCEPTED
    assert case.source == CaseSource.DECLARATION
    assert case.state == CaseState.APPLIED
    assert declaration.receipt_code in case.source_note
    assert list(case.source_declarations.all()) == [declaration]
    assert case.hardship == "老伴住院，花费大"
    assert [r.code for r in case.risk_types.all()] == ["illness"]
    assert declaration.answered_by == world.alice and declaration.answer_working_days == 0


def test_accepting_joins_a_case_already_open_for_the_household(world, registered):
    first = services.declaration_accept(actor=world.alice, declaration=registered).case
    member = MemberFactory(household=registered.household, relation="son", name="赵小山")
    second, _ = services.declaration_submit(
        name=member.name,
        id_number=member.id_number,
        phone=PHONE,
        village=world.a1,
        risk_types=registered.risk_types.all(),
        consent=True,
    )
    second = services.declaration_accept(actor=world.alice, declaration=second)
    assert second.case == first
    assert IdentificationCase.objects.count() == 1


def test_an_answered_declaration_cannot_be_answered_again(world, registered):
    services.declaration_accept(actor=world.alice, declaration=registered)
    with pytest.raises(ConflictError):
        services.declaration_decline(
            actor=world.alice, declaration=registered, reason="other", note="重复"
        )


def test_declining_keeps_the_reason_and_the_town_is_told(
    world, declare, django_capture_on_commit_callbacks
):
    declaration = declare(village=world.a1)
    with django_capture_on_commit_callbacks(execute=True):
        services.declaration_decline(
            actor=world.alice, declaration=declaration, reason="no_risk", note="入户核实收入稳定"
        )
    declaration.refresh_from_db()
    assert declaration.state == State.DECLINED
    assert declaration.public_status == "未纳入（经核实无返贫致贫风险）"
    told = Notification.objects.get(recipient=world.carol)
    assert "入户核实收入稳定" in told.message


def test_the_town_sees_the_decline_reason_and_note_on_the_page(world, declare, client):
    declaration = declare(village=world.a1)
    services.declaration_decline(
        actor=world.alice, declaration=declaration, reason="out_of_scope", note="户籍不在本县"
    )
    client.force_login(world.carol)
    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert "不属于识别范围" in page and "户籍不在本县" in page


def test_declining_needs_a_reason_and_a_note(world, declare):
    declaration = declare()
    with pytest.raises(Exception) as refused:
        services.declaration_decline(
            actor=world.alice, declaration=declaration, reason="x", note=""
        )
    assert set(refused.value.message_dict) == {"reason", "note"}


@pytest.mark.parametrize("who", ["bob", "dave", "erin", "frank", "grace"])
def test_only_the_village_and_its_town_answer(world, declare, who):
    declaration = declare(village=world.a1)
    with pytest.raises(PermissionDenied):
        services.declaration_decline(
            actor=getattr(world, who), declaration=declaration, reason="other", note="说明"
        )


def test_the_town_may_answer_for_its_village(world, registered):
    declaration = services.declaration_accept(actor=world.carol, declaration=registered)
    assert declaration.state == State.ACCEPTED


def test_a_strangers_declaration_is_accepted_after_the_village_enters_the_household(world, declare):
    declaration = declare(village=world.a2, name="钱小芳")
    with pytest.raises(ApplicationError, match="尚未在农户台账中登记"):
        services.declaration_accept(actor=world.bob, declaration=declaration)

    household = services.declaration_create_household(
        actor=world.bob,
        declaration=declaration,
        address="甲二村东头3号",
        group=world.groups[world.a2.pk],
    )
    declaration.refresh_from_db()
    assert household.village == world.a2 and household.head_name == "钱小芳"
    head = household.members.get()
    assert head.id_number == declaration.id_number and head.relation == "head"
    assert declaration.household == household and declaration.state == State.CHECKING
    assert household.history.first().history_user == world.bob

    # 三(五)3: an ordinary household comes in scope with an income below the minimum standard.
    income_record_save(
        actor=world.bob,
        household=household,
        year=timezone.localdate().year - 1,
        household_size=1,
        wage_income=Decimal("3000"),
    )
    declaration = services.declaration_accept(actor=world.bob, declaration=declaration)
    assert declaration.case.household == household
    assert declaration.case.applicant == head


def test_an_out_of_scope_household_is_refused_with_the_clause(world, declare):
    declaration = declare(village=world.a2)
    services.declaration_create_household(actor=world.bob, declaration=declaration, address="3号")
    with pytest.raises(ApplicationError, match="三\\(五\\)"):
        services.declaration_accept(actor=world.bob, declaration=declaration)
    declaration.refresh_from_db()
    assert declaration.state == State.CHECKING and declaration.case is None


def test_a_household_is_not_entered_twice(world, registered):
    with pytest.raises(ConflictError):
        services.declaration_create_household(
            actor=world.alice, declaration=registered, address="又一户"
        )
    assert Household.objects.count() == 1


def test_starting_the_check_tells_the_declarant_checking(world, declare):
    declaration = services.declaration_start_checking(actor=world.alice, declaration=declare())
    assert declaration.public_status == "核实中"
    with pytest.raises(ConflictError):
        services.declaration_start_checking(actor=world.alice, declaration=declaration)


def test_answer_time_counts_working_days(world, declare, monkeypatch):
    received = timezone.make_aware(datetime.datetime(2024, 9, 30, 10))
    monkeypatch.setattr(timezone, "now", lambda: received)
    declaration = declare()
    answered = timezone.make_aware(datetime.datetime(2024, 10, 10, 10))
    monkeypatch.setattr(timezone, "now", lambda: answered)
    services.declaration_decline(
        actor=world.alice, declaration=declaration, reason="other", note="x"
    )
    declaration = Declaration.objects.get(pk=declaration.pk)
    assert declaration.answer_working_days == 3  # 8, 9 and 10 October
    assert answered_late(declaration)
