"""Help's part of the exit conditions (三(九)), registered into identification's registry."""

from __future__ import annotations

from households.models import Household, Member
from identification.exit_conditions import (
    CLAUSE,
    ConditionResult,
    Finding,
    register_exit_condition,
    register_guarantee_finding,
)

from .models import HelpVisit, Measure, MeasureKind, MeasureState

# 三(八)2 "对无劳动能力的，…纳入兜底保障范围": labour that can earn an income.
WORKING = [Member.Labour.SKILLED, Member.Labour.ORDINARY, Member.Labour.WEAK]


@register_exit_condition
def income_secured_without_labour(subject, on, policy) -> ConditionResult:
    """A household with no one able to work stays monitored unless a 兜底 measure (低保,
    特困) is running for it: its income is then secured, not earned."""
    label = "无劳动能力户有兜底保障"
    household_id = subject.household_id
    if Member.objects.filter(household_id=household_id, labour_capacity__in=WORKING).exists():
        return ConditionResult(label, True, "有劳动能力成员")
    safety_net = Measure.objects.filter(
        plan__subject__household_id=household_id,
        kind__group=MeasureKind.Group.SAFETY_NET,
        state=MeasureState.IN_PROGRESS,
    )
    if safety_net.exists():
        return ConditionResult(label, True, "兜底保障措施实施中")
    return ConditionResult(
        label,
        False,
        f"{CLAUSE}：该户无劳动能力，收入未由兜底保障措施（低保、特困）保障，应继续监测",
    )


@register_guarantee_finding
def help_visit_finding(household: Household) -> Finding | None:
    visit = (
        HelpVisit.objects.filter(visit__household=household)
        .select_related("visit")
        .order_by("-visit__visited_on", "-id")
        .first()
    )
    if visit is None:
        return None
    return Finding(visit.visit.visited_on, "帮扶走访", tuple(visit.problems))
