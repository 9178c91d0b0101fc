"""The case timeline: each step's record with who and when (shown on every case page).

One builder per kind of record turns a case's records of that kind into
entries; ``case_timeline`` runs every builder of ``BUILDERS`` and sorts the
entries by when they were entered.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from ..models import CaseState, ComparisonHit, Filing, IdentificationCase, Publicity


@dataclass
class TimelineEntry:
    at: datetime.datetime
    day: datetime.date | None
    step: str
    actor: str
    summary: str
    record: Any = None
    kind: str = ""


Entries = Iterator[TimelineEntry]


def _application(case: IdentificationCase) -> Entries:
    summary = f"{case.get_source_display()}：{case.hardship}"
    if case.consent_given:
        summary += f"\n农户已签署承诺授权（{case.consent_signed_on:%Y-%m-%d}）"
    yield TimelineEntry(
        case.created_at, case.applied_on, "户申请", str(case.created_by), summary, case, "apply"
    )


def _home_checks(case: IdentificationCase) -> Entries:
    for check in case.home_checks.prefetch_related("team__user").select_related("recorded_by"):
        summary = "初核通过" if check.passed else "初核未通过"
        yield TimelineEntry(
            check.recorded_at,
            check.checked_on,
            case.procedure_definition.title("verify"),
            str(check.recorded_by),
            summary,
            check,
            "home_check",
        )


def _deliberations(case: IdentificationCase) -> Entries:
    for item in case.deliberations.select_related("group", "recorded_by"):
        # 组评议 in a villager group (2021), or Anhui 2024's 民主评议 at the village.
        title = "组评议" if item.group_id else "民主评议"
        summary = (
            f"{item.group or '村级'}：应到{item.expected}人，实到{item.present}人，赞成{item.approvals}人，"
            + ("评议通过" if item.passed else "评议未通过")
        )
        yield TimelineEntry(
            item.recorded_at,
            item.held_on,
            title,
            str(item.recorded_by),
            summary,
            item,
            "deliberation",
        )


def _comparisons(case: IdentificationCase) -> Entries:
    hits = ComparisonHit.objects.select_related("member", "dataset")
    records = case.comparisons.select_related("recorded_by").prefetch_related(
        Prefetch("hits", queryset=hits), "datasets"
    )
    for item in records:
        yield TimelineEntry(
            item.recorded_at,
            item.compared_on,
            "信息比对",
            str(item.recorded_by),
            f"比中{len(item.hits.all())}条" + ("（村级公示期间）" if item.publicity_id else ""),
            item,
            "comparison",
        )


def _village_decisions(case: IdentificationCase) -> Entries:
    for item in case.village_decisions.select_related("publicity", "recorded_by"):
        yield TimelineEntry(
            item.recorded_at,
            item.meeting_on,
            case.procedure_definition.title("publicize_village"),
            str(item.recorded_by),
            item.decision,
            item,
            "village_decision",
        )


def _town_approvals(case: IdentificationCase) -> Entries:
    procedure = case.procedure_definition
    # 镇审定 (2021) or 乡镇审核 (Anhui 2024): the step of the case's procedure.
    title = procedure.title("approve_town" if procedure.step("approve_town") else "review_town")
    verb = title[-2:]
    for item in case.town_approvals.select_related("publicity", "recorded_by"):
        summary = (f"{verb}通过：" if item.approved else f"{verb}未通过：") + item.opinion
        yield TimelineEntry(
            item.recorded_at,
            item.meeting_on,
            title,
            str(item.recorded_by),
            summary,
            item,
            "town_approval",
        )


def _publicity_end_day(item: Publicity) -> datetime.date:
    """Run to its end: its last day. Ended early (objection upheld, withdrawal,
    rejection): the day it was ended, never a last day still in the future."""
    if item.outcome == Publicity.Outcome.NO_OBJECTION:
        return item.last_day
    return timezone.localdate(item.concluded_at)


def _publicities(case: IdentificationCase) -> Entries:
    ended = case.publicities.exclude(outcome=Publicity.Outcome.RUNNING)
    for item in ended.select_related("concluded_by"):
        yield TimelineEntry(
            item.concluded_at,
            _publicity_end_day(item),
            f"{item.get_level_display()}结束",
            str(item.concluded_by or "系统"),
            item.get_outcome_display(),
            item,
            "publicity",
        )


def _objections(case: IdentificationCase) -> Entries:
    """Each objection, and its decision once there is one."""
    for item in case.objections.select_related("lodged_by", "decided_by"):
        yield TimelineEntry(
            item.lodged_at,
            item.lodged_on,
            "公示异议",
            str(item.lodged_by),
            item.content,
            item,
            "objection",
        )
        if item.decided_at:
            yield TimelineEntry(
                item.decided_at,
                None,
                item.get_status_display(),
                str(item.decided_by),
                item.decision_reason,
                item,
                "objection_decision",
            )


def _filing(case: IdentificationCase) -> Entries:
    filing = Filing.objects.filter(case=case).select_related("announcement", "recorded_by").first()
    if filing:
        summary = f"{filing.get_category_display()}，公告{filing.announcement.label}"
        yield TimelineEntry(
            filing.recorded_at,
            filing.filed_on,
            case.procedure_definition.title(
                "file" if case.procedure_definition.step("file") else "approve_county"
            ),
            str(filing.recorded_by),
            summary,
            filing,
            "filing",
        )


def _closing(case: IdentificationCase) -> Entries:
    """A rejection or withdrawal, by whoever the history names (the system if no one)."""
    if case.state in {CaseState.REJECTED, CaseState.WITHDRAWN}:
        last = case.history.filter(state=case.state).select_related("history_user").last()
        yield TimelineEntry(
            case.state_changed_at,
            None,
            case.get_state_display(),
            str(last.history_user if last and last.history_user else "系统"),
            f"（{case.closed_step_label}）{case.closed_reason}",
            case,
            "closed",
        )


# In the order of the steps: entries entered at the same moment keep this order.
BUILDERS: list[Callable[[IdentificationCase], Entries]] = [
    _application,
    _home_checks,
    _deliberations,
    _comparisons,
    _village_decisions,
    _town_approvals,
    _publicities,
    _objections,
    _filing,
    _closing,
]


def case_timeline(case: IdentificationCase) -> list[TimelineEntry]:
    """Each step's record with who and when, oldest first (shown on every case page)."""
    entries = [entry for build in BUILDERS for entry in build(case)]
    return sorted(entries, key=lambda e: e.at)
