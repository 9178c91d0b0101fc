"""Scoped reads of exits (三(九)): cases, the subjects a village may propose with their
conditions, the cases a town evaluates together, and each case's timeline.

Exit cases are scoped through their household with the registry's one rule, as
identification cases are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from households.models import MonitoringSubject
from households.selectors import household_scope_q, kept_village_scope_q
from organization.models import User

from ..exit_conditions import ConditionResult, exit_conditions
from ..models import (
    ExitCase,
    ExitEvaluationResult,
    ExitRound,
    ExitState,
    Objection,
    TownRound,
)
from ..models.exits import EXIT_OPEN_STATES
from . import publicized_to
from .timeline import TimelineEntry


@dataclass(frozen=True)
class ExitFilters:
    round: int | None = None
    town: int | None = None
    village: int | None = None
    state: str = ""
    q: str = ""


def exit_case_list(*, user: User, filters: ExitFilters | None = None) -> QuerySet[ExitCase]:
    filters = filters or ExitFilters()
    qs = ExitCase.objects.filter(household_scope_q(user, "household__"))
    if filters.round:
        qs = qs.filter(town_round__round_id=filters.round)
    if filters.town:
        qs = qs.filter(household__village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(household__village_id=filters.village)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.q.strip():
        qs = qs.filter(household__head_name__contains=filters.q.strip())
    open_objections = Objection.objects.filter(
        exit_case=OuterRef("pk"), status=Objection.Status.OPEN
    )
    return qs.annotate(has_open_objection=Exists(open_objections)).select_related(
        "household__village__town", "subject", "town_round__round", "created_by"
    )


def exit_case_get(*, user: User, pk: Any) -> ExitCase:
    """One case in scope, or ``ExitCase.DoesNotExist`` (pages and API answer 404)."""
    return exit_case_list(user=user).get(pk=pk)


def exit_objectable_list(*, user: User) -> QuerySet[ExitCase]:
    """Exit cases in the town publicity that ``user`` may object to: posted for the town."""
    return publicized_to(user, ExitCase.objects.filter(state=ExitState.TOWN_PUBLICIZING))


def exit_objection_list(*, user: User, open_only: bool = False) -> QuerySet[Objection]:
    qs = Objection.objects.filter(household_scope_q(user, "exit_case__household__"))
    if open_only:
        qs = qs.filter(status=Objection.Status.OPEN)
    return qs.select_related("exit_case__household__village__town", "publicity", "lodged_by")


def exit_round_list() -> QuerySet[ExitRound]:
    """Rounds are county-wide facts (a half-year's dates): every signed-in user reads them."""
    return ExitRound.objects.all()


def open_town_round(*, town_id: int, on: datetime.date | None = None) -> TownRound | None:
    """The town's round that takes proposals on ``on`` (三(十)), if any."""
    on = on or timezone.localdate()
    return (
        TownRound.objects.filter(
            town_id=town_id, state="open", round__opened_on__lte=on, round__closes_on__gte=on
        )
        .select_related("round", "town")
        .first()
    )


@dataclass
class Proposable:
    subject: MonitoringSubject
    conditions: list[ConditionResult]
    open_case: ExitCase | None

    @property
    def failed(self) -> list[ConditionResult]:
        return [c for c in self.conditions if not c.ok]

    @property
    def may_propose(self) -> bool:
        return self.open_case is None and not self.failed


def proposable_subjects(
    *, user: User, village_id: int | None = None, on: datetime.date | None = None
) -> list[Proposable]:
    """The monitored subjects of ``user``'s scope with each exit condition (三(九)) as it
    stands on ``on``: the village sees before proposing which fail and why."""
    on = on or timezone.localdate()
    subjects = (
        MonitoringSubject.objects.filter(
            kept_village_scope_q(user), status=MonitoringSubject.Status.MONITORING
        )
        .select_related("household__village")
        .prefetch_related(
            Prefetch(
                "exit_cases",
                queryset=ExitCase.objects.filter(state__in=EXIT_OPEN_STATES),
                to_attr="open_exit_cases",
            )
        )
        .order_by("household__village__code", "household__head_name", "pk")
    )
    if village_id:
        subjects = subjects.filter(household__village_id=village_id)
    return [
        Proposable(s, exit_conditions(s, on), (s.open_exit_cases or [None])[0]) for s in subjects
    ]


def evaluable_cases(*, user: User, town_round: TownRound) -> QuerySet[ExitCase]:
    """The verified cases of one town's round, for its evaluation meeting (三(九) 镇组织评估)."""
    return (
        exit_case_list(user=user)
        .filter(town_round=town_round, state=ExitState.VERIFIED)
        .order_by("household__village__code", "household__head_name", "pk")
    )


def town_rounds_to_evaluate(*, user: User) -> QuerySet[TownRound]:
    verified = exit_case_list(user=user).filter(state=ExitState.VERIFIED)
    return (
        TownRound.objects.filter(pk__in=verified.values("town_round_id"))
        .select_related("round", "town")
        .order_by("-round__year", "-round__half", "town__code")
    )


# --- the timeline ---------------------------------------------------------------------------


def exit_timeline(case: ExitCase) -> list[TimelineEntry]:
    """Each step's record with who and when, in the order the steps happened."""
    entries = [
        TimelineEntry(
            case.created_at,
            case.proposed_on,
            "村级上报",
            str(case.created_by),
            case.reason,
            case,
            "propose",
        )
    ]
    for check in case.home_checks.select_related("recorded_by").prefetch_related("team"):
        team = "、".join(m.name for m in check.team.all())
        summary = f"核实组：{team}；人均纯收入{check.per_capita_income}元；{check.measures_note}"
        entries.append(
            TimelineEntry(
                check.recorded_at,
                check.checked_on,
                "入户核实",
                str(check.recorded_by),
                summary,
                check,
                "exit_home_check",
            )
        )
    results = ExitEvaluationResult.objects.filter(exit_case=case).select_related(
        "evaluation__recorded_by"
    )
    for result in results:
        meeting = result.evaluation
        verdict = "评估通过" if result.passed else f"退回村级：{result.reason}"
        summary = f"参会：{'、'.join(meeting.present_names)}；{verdict}"
        entries.append(
            TimelineEntry(
                meeting.recorded_at,
                meeting.held_on,
                "镇评估",
                str(meeting.recorded_by),
                summary,
                result,
                "exit_evaluation",
            )
        )
    for publicity in case.publicities.select_related("concluded_by"):
        summary = f"{publicity.started_on:%Y-%m-%d}起{publicity.days}天：{publicity.get_outcome_display()}"
        at = timezone.make_aware(datetime.datetime.combine(publicity.started_on, datetime.time.min))
        who = str(publicity.concluded_by or "系统")
        entries.append(
            TimelineEntry(at, publicity.started_on, "镇公示", who, summary, publicity, "publicity")
        )
    for objection in case.objections.select_related("lodged_by"):
        summary = f"{objection.content}（{objection.get_status_display()}）"
        entries.append(
            TimelineEntry(
                objection.lodged_at,
                objection.lodged_on,
                "公示异议",
                str(objection.lodged_by),
                summary,
                objection,
                "objection",
            )
        )
    filing = (
        getattr(case, "filing", None)
        if case.state in (ExitState.FILED, ExitState.REVERTED)
        else None
    )
    if filing:
        entries.append(
            TimelineEntry(
                filing.recorded_at,
                filing.filed_on,
                "县备案",
                str(filing.recorded_by),
                f"备案退出，{filing.filed_on:%Y-%m-%d}标注风险消除。{filing.note}",
                filing,
                "exit_filing",
            )
        )
    entries.extend(_returns_and_ends(case))
    # By the day each step happened, then by entry: steps of a paper round are often typed
    # in later, and the publicity has no entry time of its own.
    return sorted(entries, key=lambda e: (e.day or timezone.localdate(e.at), e.at))


def _returns_and_ends(case: ExitCase) -> list[TimelineEntry]:
    """Returns and the withdrawal, read from the case's history: the case keeps the last
    reason in its fields, the history every one."""
    entries = []
    previous = None
    for version in case.history.order_by("history_date", "history_id").select_related(
        "history_user"
    ):
        moved_back = (
            previous is not None
            and version.state == ExitState.PROPOSED
            and previous.state != ExitState.PROPOSED
        )
        if moved_back and version.returned_reason and version.returned_step == previous.state:
            entries.append(
                TimelineEntry(
                    version.history_date,
                    None,
                    "退回村级",
                    str(version.history_user or "系统"),
                    f"自“{ExitState(previous.state).label}”退回：{version.returned_reason}",
                    None,
                    "exit_return",
                )
            )
        if version.state == ExitState.WITHDRAWN and (previous and previous.state != version.state):
            entries.append(
                TimelineEntry(
                    version.history_date,
                    None,
                    "撤回",
                    str(version.history_user or "系统"),
                    version.closed_reason,
                    None,
                    "exit_withdraw",
                )
            )
        previous = version
    return entries


__all__ = [
    "ExitFilters",
    "Proposable",
    "evaluable_cases",
    "exit_case_get",
    "exit_case_list",
    "exit_objectable_list",
    "exit_objection_list",
    "exit_round_list",
    "exit_timeline",
    "open_town_round",
    "proposable_subjects",
    "town_rounds_to_evaluate",
]
