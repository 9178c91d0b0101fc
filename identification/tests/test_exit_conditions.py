"""The exit conditions of 三(九), each at its boundary: a proposal is refused with the reason and
the clause while the risk is plainly not gone. Numbers come from the year's PolicySettings."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance.models import HelpVisit, Measure, MeasureKind, MeasureState
from assistance.tests.factories_visits import plan_with_measures
from early_warnings.models import Clue, State
from early_warnings.tests.helpers import make_warning
from households.models import IncomeRecord, Member
from households.tests.factories import MemberFactory, VisitFactory
from identification.exit_conditions import exit_conditions, failed_conditions
from identification.models import HomeCheck, IdentificationCase
from identification.tests.factories_exits import days_ago, exit_round_now, proposed, ready_for_exit
from organization.models import PolicySettings
from suixi_monitor.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def _failed(subject, on=None) -> dict[str, str]:
    return {r.label: r.reason for r in failed_conditions(subject, on or days_ago(0))}


@pytest.fixture
def subject(world):
    return ready_for_exit(world.a1, world.alice, visited_days_ago=3)


def test_a_household_that_meets_every_condition_fails_none(subject):
    results = exit_conditions(subject, days_ago(0))
    assert len(results) >= 6
    assert all(r.ok for r in results), results


# --- income -------------------------------------------------------------------------------


@pytest.mark.parametrize(("income", "ok"), [("6000.00", True), ("5999.99", False)])
def test_the_latest_income_at_the_line_passes_and_a_cent_below_fails(subject, income, ok):
    IncomeRecord.objects.filter(household=subject.household).update(
        per_capita_net_income=Decimal(income)
    )
    failed = _failed(subject)
    assert ("人均纯收入不低于监测收入线" not in failed) is ok
    if not ok:
        assert failed["人均纯收入不低于监测收入线"].startswith("三(九)：")
        assert "5999.99元，低于当年监测收入线6000" in failed["人均纯收入不低于监测收入线"]


def test_the_line_is_the_income_years_policy(subject):
    year = IncomeRecord.objects.get(household=subject.household).year
    PolicySettings.objects.create(year=year, income_line=Decimal("9000.01"))
    assert "低于当年监测收入线9000.01元" in _failed(subject)["人均纯收入不低于监测收入线"]


def test_only_the_latest_year_counts(subject):
    record = IncomeRecord.objects.get(household=subject.household)
    IncomeRecord.objects.create(
        household=subject.household,
        year=record.year - 1,
        household_size=1,
        wage_income=Decimal("100"),
        business_income=0,
        property_income=0,
        transfer_income=0,
        medical_expense=0,
        education_expense=0,
        other_expense=0,
        per_capita_net_income=Decimal("100"),
    )
    assert "人均纯收入不低于监测收入线" not in _failed(subject)


def test_no_income_record_fails(subject):
    IncomeRecord.objects.filter(household=subject.household).delete()
    assert "没有收入记录" in _failed(subject)["人均纯收入不低于监测收入线"]


# --- 三保障 and 饮水 ----------------------------------------------------------------------------


def _help_visit(subject, visitor, on, **found):
    visit = VisitFactory(household=subject.household, visitor=visitor, visited_on=on)
    return HelpVisit.objects.create(visit=visit, subject=subject, **found)


def _home_check(subject, user, on, **found):
    household = subject.household
    case = IdentificationCase.objects.create(
        household=household,
        applicant=household.members.first(),
        applied_on=on,
        hardship="困难",
        created_by=user,
        state="filed",
    )
    return HomeCheck.objects.create(
        case=case,
        checked_on=on,
        income_line=Decimal("6000"),
        findings="核查",
        passed=True,
        recorded_by=user,
        **found,
    )


def test_a_member_out_of_compulsory_schooling_is_an_open_problem(subject):
    MemberFactory(
        household=subject.household,
        name="小明",
        relation=Member.Relation.SON,
        schooling=Member.Schooling.DROPPED_OUT,
    )
    assert "小明义务教育阶段失学辍学" in _failed(subject)["三保障和饮水安全有保障"]


def test_the_problem_the_identification_home_check_found_stays_open_until_a_later_visit(
    world, subject
):
    _home_check(subject, world.alice, days_ago(200), housing_unsafe=True)
    assert "住房安全问题" in _failed(subject)["三保障和饮水安全有保障"]
    _help_visit(subject, world.grace, days_ago(100))  # all found secured
    assert "三保障和饮水安全有保障" not in _failed(subject)


def test_the_latest_help_visit_that_finds_unsafe_water_fails(world, subject):
    _help_visit(subject, world.grace, days_ago(10), water_ok=False)
    assert "饮水安全有保障" in _failed(subject)["三保障和饮水安全有保障"]


# --- open warnings, clues and cases ------------------------------------------------------------


def test_an_open_identification_case_fails(world, subject):
    IdentificationCase.objects.create(
        household=subject.household,
        applicant=subject.household.members.first(),
        applied_on=days_ago(5),
        hardship="新困难",
        created_by=world.alice,
    )
    assert "未办结的识别申请" in _failed(subject)["无未办结的识别申请"]


@pytest.mark.parametrize(
    ("state", "ok"), [("pushed", False), ("verified", False), ("closed", True)]
)
def test_a_warning_not_yet_closed_fails(world, subject, state, ok):
    make_warning(world.a1, state=state, member=subject.household.members.first())
    failed = _failed(subject)
    assert ("无未销号的预警和线索" not in failed) is ok
    if not ok:
        assert "预警1条" in failed["无未销号的预警和线索"]


def test_an_open_clue_matched_to_the_household_fails(subject):
    Clue.objects.create(
        source=Clue.Source.HOTLINE_12317,
        period="2026-05",
        name="户主",
        description="反映困难",
        household=subject.household,
        state=State.ASSIGNED,
    )
    assert "线索1条" in _failed(subject)["无未销号的预警和线索"]


# --- a recent home visit -----------------------------------------------------------------------


@pytest.mark.parametrize(("days", "ok"), [(30, True), (31, False)])
def test_a_visit_exactly_n_days_before_passes_and_a_day_more_fails(world, days, ok):
    subject = ready_for_exit(world.a1, world.alice, visited_days_ago=days)
    failed = _failed(subject)
    assert ("近30天内有入户走访" not in failed) is ok
    if not ok:
        assert failed["近30天内有入户走访"].startswith("三(九)：30天内没有入户走访")


def test_the_visit_window_is_the_years_policy(world):
    PolicySettings.objects.create(year=TODAY().year, exit_visit_within_days=10)
    subject = ready_for_exit(world.a1, world.alice, visited_days_ago=11)
    assert "近10天内有入户走访" in _failed(subject)


def test_a_visit_after_the_proposal_date_does_not_count(world):
    subject = ready_for_exit(world.a1, world.alice, visited_days_ago=1)
    assert "近30天内有入户走访" in _failed(subject, on=days_ago(2))


# --- no labour: 兜底 ----------------------------------------------------------------------------


def _no_labour(subject):
    subject.household.members.update(labour_capacity=Member.Labour.LOST)


def test_a_household_with_someone_who_can_work_passes_without_a_safety_net(subject):
    assert "无劳动能力户有兜底保障" not in _failed(subject)


def test_a_household_without_labour_and_without_a_safety_net_stays_monitored(subject):
    _no_labour(subject)
    assert "应继续监测" in _failed(subject)["无劳动能力户有兜底保障"]


@pytest.mark.parametrize(
    ("state", "ok"), [(MeasureState.IN_PROGRESS, True), (MeasureState.PLANNED, False)]
)
def test_a_running_safety_net_measure_secures_a_household_without_labour(world, subject, state, ok):
    _no_labour(subject)
    _plan, (measure,) = plan_with_measures(subject, world.carol, states=(state,))
    Measure.objects.filter(pk=measure.pk).update(
        kind=MeasureKind.objects.get(code="dibao"), state=state
    )
    assert ("无劳动能力户有兜底保障" not in _failed(subject)) is ok


# --- the proposal ----------------------------------------------------------------------------------


def test_a_refused_proposal_names_every_failing_condition_and_the_clause(world):
    exit_round_now(world.town_a)
    subject = ready_for_exit(world.a1, world.alice, per_capita=Decimal("5000"))
    _no_labour(subject)
    with pytest.raises(ApplicationError) as refused:
        proposed(world, subject)
    error = refused.value
    assert error.field == "subject"
    assert "三(九)：" in error.message and "低于当年监测收入线" in error.message
    assert {c["label"] for c in error.extra["conditions"]} == {
        "人均纯收入不低于监测收入线",
        "无劳动能力户有兜底保障",
    }
