"""The case timeline: each step's record with who and when (shown on every case page)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from ..models import CaseState, Filing, IdentificationCase, Publicity


@dataclass
class TimelineEntry:
    at: datetime.datetime
    day: datetime.date | None
    step: str
    actor: str
    summary: str
    record: Any = None
    kind: str = ""


def case_timeline(case: IdentificationCase) -> list[TimelineEntry]:
    """Each step's record with who and when, oldest first (shown on every case page)."""
    entries = [
        TimelineEntry(
            case.created_at,
            case.applied_on,
            "户申请",
            str(case.created_by),
            f"{case.get_source_display()}：{case.hardship}",
            case,
            "apply",
        )
    ]
    for check in case.home_checks.prefetch_related("team__user").select_related("recorded_by"):
        entries.append(
            TimelineEntry(
                check.recorded_at,
                check.checked_on,
                "村初核",
                str(check.recorded_by),
                "初核通过" if check.passed else "初核未通过",
                check,
                "home_check",
            )
        )
    for item in case.deliberations.select_related("group", "recorded_by"):
        entries.append(
            TimelineEntry(
                item.recorded_at,
                item.held_on,
                "组评议",
                str(item.recorded_by),
                f"{item.group}：应到{item.expected}人，实到{item.present}人，赞成{item.approvals}人，"
                + ("评议通过" if item.passed else "评议未通过"),
                item,
                "deliberation",
            )
        )
    for item in case.comparisons.select_related("recorded_by").prefetch_related(
        Prefetch("hits", queryset=_hits_qs()), "datasets"
    ):
        entries.append(
            TimelineEntry(
                item.recorded_at,
                item.compared_on,
                "信息比对",
                str(item.recorded_by),
                f"比中{len(item.hits.all())}条",
                item,
                "comparison",
            )
        )
    for item in case.village_decisions.select_related("publicity", "recorded_by"):
        entries.append(
            TimelineEntry(
                item.recorded_at,
                item.meeting_on,
                "村研究确定并公示",
                str(item.recorded_by),
                item.decision,
                item,
                "village_decision",
            )
        )
    for item in case.town_approvals.select_related("publicity", "recorded_by"):
        entries.append(
            TimelineEntry(
                item.recorded_at,
                item.meeting_on,
                "镇审定",
                str(item.recorded_by),
                ("审定通过：" if item.approved else "审定未通过：") + item.opinion,
                item,
                "town_approval",
            )
        )
    for item in case.publicities.exclude(outcome=Publicity.Outcome.RUNNING).select_related(
        "concluded_by"
    ):
        entries.append(
            TimelineEntry(
                item.concluded_at,
                # Run to its end: its last day. Ended early (objection upheld, withdrawal,
                # rejection): the day it was ended, never a last day still in the future.
                item.last_day
                if item.outcome == Publicity.Outcome.NO_OBJECTION
                else timezone.localdate(item.concluded_at),
                f"{item.get_level_display()}结束",
                str(item.concluded_by or "系统"),
                item.get_outcome_display(),
                item,
                "publicity",
            )
        )
    for item in case.objections.select_related("lodged_by", "decided_by"):
        entries.append(
            TimelineEntry(
                item.lodged_at,
                item.lodged_on,
                "公示异议",
                str(item.lodged_by),
                item.content,
                item,
                "objection",
            )
        )
        if item.decided_at:
            entries.append(
                TimelineEntry(
                    item.decided_at,
                    None,
                    item.get_status_display(),
                    str(item.decided_by),
                    item.decision_reason,
                    item,
                    "objection_decision",
                )
            )
    filing = Filing.objects.filter(case=case).select_related("announcement", "recorded_by").first()
    if filing:
        entries.append(
            TimelineEntry(
                filing.recorded_at,
                filing.filed_on,
                "县备案",
                str(filing.recorded_by),
                f"{filing.get_category_display()}，公告{filing.announcement.label}",
                filing,
                "filing",
            )
        )
    if case.state in {CaseState.REJECTED, CaseState.WITHDRAWN}:
        last = case.history.filter(state=case.state).select_related("history_user").last()
        entries.append(
            TimelineEntry(
                case.state_changed_at,
                None,
                case.get_state_display(),
                str(last.history_user if last and last.history_user else "系统"),
                f"（{case.closed_step_label}）{case.closed_reason}",
                case,
                "closed",
            )
        )
    return sorted(entries, key=lambda e: e.at)


def _hits_qs():
    from ..models import ComparisonHit

    return ComparisonHit.objects.select_related("member", "dataset")
