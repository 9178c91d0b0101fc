"""The exit conditions of 三(九) "对家庭困难状况明显好转、切实消除返贫致贫风险的": a proposal is
refused while any of them fails, with the reason and the clause.

A registry, because what a condition reads lives in several apps and identification may not
import the higher ones (organization ← households ← {identification, assistance,
early_warnings}): identification registers the registry's own checks below, early_warnings
registers open warnings and clues, assistance the 兜底 check and its help visits' findings,
each from its ``AppConfig.ready()``. The proposal page and ``exit_propose`` read them all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from households.models import Household, IncomeRecord, Member, MonitoringSubject, Visit
from organization.models import PolicySettings

CLAUSE = "三(九)"


@dataclass(frozen=True)
class ConditionResult:
    label: str
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class Finding:
    """A dated record of the 三保障 and 饮水 as someone found them at the household."""

    on: datetime.date
    source: str
    problems: tuple[str, ...]


ExitCondition = Callable[[MonitoringSubject, datetime.date, PolicySettings], ConditionResult]
FindingSource = Callable[[Household], "Finding | None"]

_conditions: list[ExitCondition] = []
_finding_sources: list[FindingSource] = []


def register_exit_condition(condition: ExitCondition) -> ExitCondition:
    if condition not in _conditions:
        _conditions.append(condition)
    return condition


def register_guarantee_finding(source: FindingSource) -> FindingSource:
    """A source of dated 三保障/饮水 findings (home checks, help visits): the newest counts."""
    if source not in _finding_sources:
        _finding_sources.append(source)
    return source


def exit_conditions(subject: MonitoringSubject, on: datetime.date) -> list[ConditionResult]:
    """Every registered condition for ``subject`` proposed on ``on``, in registration order."""
    policy = PolicySettings.for_year(on.year)
    return [condition(subject, on, policy) for condition in _conditions]


def failed_conditions(subject: MonitoringSubject, on: datetime.date) -> list[ConditionResult]:
    return [result for result in exit_conditions(subject, on) if not result.ok]


# --- the registry's own conditions ------------------------------------------------------


@register_exit_condition
def income_above_line(subject, on, policy) -> ConditionResult:
    """The latest year's per-person net income against that year's line (equal passes)."""
    label = "人均纯收入不低于监测收入线"
    record = (
        IncomeRecord.objects.filter(household_id=subject.household_id).order_by("-year").first()
    )
    if record is None:
        return ConditionResult(label, False, f"{CLAUSE}：该户没有收入记录，无法判断收入是否稳定")
    line = PolicySettings.for_year(record.year).income_line
    if record.per_capita_net_income < line:
        return ConditionResult(
            label,
            False,
            f"{CLAUSE}：{record.year}年人均纯收入{record.per_capita_net_income}元，"
            f"低于当年监测收入线{line}元",
        )
    return ConditionResult(
        label, True, f"{record.year}年人均纯收入{record.per_capita_net_income}元"
    )


@register_exit_condition
def guarantees_secured(subject, on, policy) -> ConditionResult:
    """No open 三保障 or 饮水 problem.

    The registry keeps no "open problem" record of its own apart from a member out of
    compulsory schooling (``Member.schooling``). Every other finding is dated: the
    identification home check (三(六)三) and each help visit record the 三保障 and 饮水 as
    found that day, so the newest finding is the household's standing and a later visit that
    finds the house repaired closes the problem the home check found.
    """
    label = "三保障和饮水安全有保障"
    dropped = Member.objects.filter(
        household_id=subject.household_id, schooling=Member.Schooling.DROPPED_OUT
    ).values_list("name", flat=True)
    if dropped:
        names = "、".join(dropped)
        return ConditionResult(label, False, f"{CLAUSE}：{names}义务教育阶段失学辍学")
    findings = [f for source in _finding_sources if (f := source(subject.household))]
    latest = max(findings, key=lambda f: f.on, default=None)
    if latest and latest.problems:
        problems = "、".join(latest.problems)
        return ConditionResult(
            label, False, f"{CLAUSE}：{latest.on:%Y-%m-%d}{latest.source}发现{problems}"
        )
    return ConditionResult(label, True)


@register_exit_condition
def no_open_identification_case(subject, on, policy) -> ConditionResult:
    from .models.case import OPEN_STATES, IdentificationCase

    label = "无未办结的识别申请"
    case = IdentificationCase.objects.filter(
        household_id=subject.household_id, state__in=OPEN_STATES
    ).first()
    if case:
        return ConditionResult(
            label, False, f"{CLAUSE}：该户有未办结的识别申请（{case.get_state_display()}）"
        )
    return ConditionResult(label, True)


@register_exit_condition
def visited_recently(subject, on, policy) -> ConditionResult:
    """A home visit within ``exit_visit_within_days`` days before the proposal (that day
    counts). Help visits are registry visits too (``HelpVisit.visit``), so both count."""
    days = policy.exit_visit_within_days
    label = f"近{days}天内有入户走访"
    since = on - datetime.timedelta(days=days)
    latest = (
        Visit.objects.filter(Q(household_id=subject.household_id), visited_on__lte=on)
        .order_by("-visited_on")
        .values_list("visited_on", flat=True)
        .first()
    )
    if latest is None or latest < since:
        last = f"最近一次走访为{latest:%Y-%m-%d}" if latest else "没有走访记录"
        return ConditionResult(label, False, f"{CLAUSE}：{days}天内没有入户走访（{last}）")
    return ConditionResult(label, True, f"最近一次走访{latest:%Y-%m-%d}")


@register_guarantee_finding
def home_check_finding(household: Household) -> Finding | None:
    from .models import HomeCheck

    check = (
        HomeCheck.objects.filter(case__household=household).order_by("-checked_on", "-id").first()
    )
    if check is None:
        return None
    names = {
        "medical_burden": "基本医疗问题",
        "housing_unsafe": "住房安全问题",
        "schooling_interrupted": "义务教育问题",
        "water_unsafe": "饮水安全问题",
    }
    problems = tuple(label for name, label in names.items() if getattr(check, name))
    return Finding(check.checked_on, "识别入户核查", problems)
