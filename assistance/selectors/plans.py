"""Scoped reads of plans and measures (三(八)1-2): the plan list with its filters, one plan,
its history, and the figures the town and the county follow. Every figure is an aggregate
in the database (a fixed number of queries whatever the number of rows), reached through
``households.selectors.household_scope_q`` like every other read of help."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from households.models import Member, MonitoringSubject
from households.selectors import household_scope_q
from organization.models import Department, HelpUnit, User
from organization.selectors import town_list
from suixi_monitor.history import ACTIONS, Change, field_changes, versions

from ..models import (
    OPEN_MEASURE_STATES,
    OPEN_PLAN_STATES,
    AssistancePlan,
    Measure,
    MeasureKind,
    MeasureState,
    PlanReview,
    PlanState,
)
from ..suggestions import WORKING_AGE_MAX, WORKING_AGE_MIN, WORKING_LABOUR
from . import plan_list

ROUTINE_MEASURE_STATES = [*OPEN_MEASURE_STATES, MeasureState.DONE]
MONITORING = MonitoringSubject.Status.MONITORING


@dataclass(frozen=True)
class PlanFilters:
    state: str = ""
    town: int | None = None
    village: int | None = None
    overdue: bool = False
    q: str = ""


def plan_search(
    *, user: User, filters: PlanFilters | None = None, today: datetime.date
) -> QuerySet[AssistancePlan]:
    """The plan list: scoped, filtered, each row with its measure counts (one query a page)."""
    f = filters or PlanFilters()
    qs = plan_list(user=user)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.town:
        qs = qs.filter(subject__household__village__town_id=f.town)
    if f.village:
        qs = qs.filter(subject__household__village_id=f.village)
    if f.overdue:
        qs = qs.filter(overdue_q(today))
    if f.q.strip():
        qs = qs.filter(subject__household__head_name__contains=f.q.strip())
    return qs.select_related("subject__household__village__town").annotate(
        n_measures=Count("measures", filter=~Q(measures__state=MeasureState.STOPPED)),
        n_open=Count("measures", filter=Q(measures__state__in=OPEN_MEASURE_STATES)),
    )


def plan_get(*, user: User, pk: Any) -> AssistancePlan:
    """One plan in scope, or ``AssistancePlan.DoesNotExist`` (pages and API answer 404)."""
    return (
        plan_list(user=user)
        .select_related("subject__household__village__town", "help_unit", "made_by")
        .get(pk=pk)
    )


def overdue_q(today: datetime.date) -> Q:
    """三(八)1: an active plan whose review date has passed."""
    return Q(state=PlanState.ACTIVE, next_review_on__lt=today)


# --- the figures --------------------------------------------------------------------------


def plans_to_confirm(user: User) -> QuerySet[AssistancePlan]:
    """Drafts waiting for the town's confirmation."""
    return plan_list(user=user).filter(state=PlanState.DRAFT)


def plans_overdue_for_review(user: User, today: datetime.date) -> QuerySet[AssistancePlan]:
    return plan_list(user=user).filter(overdue_q(today))


def measures_by_kind_and_state(user: User) -> list[dict]:
    """One row per kind × state with the count and the amount (元): one query."""
    return list(
        Measure.objects.filter(household_scope_q(user, "plan__subject__household__"))
        .values("kind_id", "kind__name", "kind__group", "kind__order", "state")
        .annotate(n=Count("id"), amount=Coalesce(Sum("amount"), Value(0), output_field=_MONEY))
        .order_by("kind__order", "kind_id", "state")
    )


_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _count(qs: QuerySet, group_by: str) -> Coalesce:
    """A correlated COUNT per outer row, so a table of N rows stays one query."""
    counted = qs.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def working_members_q(today: datetime.date, prefix: str = "") -> Q:
    """三(八)2 "有一定劳动能力": the labour and working age of ``assistance.suggestions``."""
    youngest = today - relativedelta(years=WORKING_AGE_MIN)  # born on or before: 16 or more
    oldest = today - relativedelta(years=WORKING_AGE_MAX + 1)  # born after: 64 or less
    return Q(
        **{
            f"{prefix}labour_capacity__in": WORKING_LABOUR,
            f"{prefix}birth_date__lte": youngest,
            f"{prefix}birth_date__gt": oldest,
        }
    )


def county_plan_coverage(user: User, today: datetime.date) -> list[dict]:
    """Per town in scope: subjects in monitoring and how many have an active plan; members
    who can work in monitored households and how many have a development measure that is
    open or done (三(八)2); the measures by kind with their amounts. Two queries."""
    scope = household_scope_q(user, "household__")
    subjects = MonitoringSubject.objects.filter(scope, status=MONITORING)
    town = "household__village__town"
    with_active = subjects.filter(plans__state=PlanState.ACTIVE)
    monitored = MonitoringSubject.objects.filter(household=OuterRef("household"), status=MONITORING)
    workers = Member.objects.filter(scope, working_members_q(today)).filter(Exists(monitored))
    developed = Measure.objects.filter(
        member=OuterRef("pk"),
        kind__group__in=MeasureKind.DEVELOPMENT_GROUPS,
        state__in=ROUTINE_MEASURE_STATES,
        plan__state__in=OPEN_PLAN_STATES,
    )
    towns = (
        town_list(user=user)
        .annotate(
            n_subjects=_count(subjects.filter(**{town: OuterRef("pk")}), town),
            n_active=_count(with_active.filter(**{town: OuterRef("pk")}).distinct(), town),
            n_workers=_count(workers.filter(**{town: OuterRef("pk")}), town),
            n_workers_dev=_count(workers.filter(Exists(developed), **{town: OuterRef("pk")}), town),
        )
        .order_by("code")
    )
    by_kind: dict[int, list[dict]] = {}
    measures = (
        Measure.objects.filter(household_scope_q(user, "plan__subject__household__"))
        .exclude(state=MeasureState.STOPPED)
        .values("plan__subject__household__village__town_id", "kind__name", "kind__order")
        .annotate(n=Count("id"), amount=Coalesce(Sum("amount"), Value(0), output_field=_MONEY))
        .order_by("kind__order", "kind__name")
    )
    for row in measures:
        by_kind.setdefault(row["plan__subject__household__village__town_id"], []).append(row)
    rows = []
    for t in towns:
        rows.append(
            {
                "town": t,
                "subjects": t.n_subjects,
                "active": t.n_active,
                "active_share": _share(t.n_active, t.n_subjects),
                "workers": t.n_workers,
                "workers_dev": t.n_workers_dev,
                "workers_dev_share": _share(t.n_workers_dev, t.n_workers),
                "measures": by_kind.get(t.pk, []),
            }
        )
    return rows


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- one plan's history ---------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    when: Any
    who: Any
    what: str
    action: str
    changes: tuple[Change, ...]


_SKIP = {"id", "plan", "subject", "made_by", "reviewer"}


def plan_history(plan: AssistancePlan, limit: int = 200) -> list[HistoryEntry]:
    """Who changed what on the plan, its measures and its reviews, newest first (six queries
    whatever the length: each version is diffed against the previous one in memory)."""
    names = {
        "kind": dict(MeasureKind.objects.values_list("pk", "name")),
        "member": dict(
            Member.objects.filter(household_id=plan.subject.household_id).values_list("pk", "name")
        ),
        "department": dict(Department.objects.values_list("pk", "short_name")),
        "help_unit": dict(HelpUnit.objects.values_list("pk", "name")),
    }
    sources = [
        (AssistancePlan, AssistancePlan.history.filter(id=plan.pk), lambda r: "帮扶方案"),
        (
            Measure,
            Measure.history.filter(plan_id=plan.pk),
            lambda r: (
                f"措施：{names['kind'].get(r.kind_id, '')}"
                f"（{names['member'].get(r.member_id, '全户')}）"
            ),
        ),
        (PlanReview, PlanReview.history.filter(plan_id=plan.pk), lambda r: "方案评估"),
    ]
    entries: list[HistoryEntry] = []
    for model, records, what in sources:
        fields = [f for f in model._meta.concrete_fields if f.name not in _SKIP]
        for r, before in versions(records):
            changes = tuple(field_changes(r, before, fields, names=names))
            if before is not None and not changes and r.history_type == "~":
                continue  # a save that changed nothing shown (e.g. the risks alone)
            entries.append(
                HistoryEntry(
                    when=r.history_date,
                    who=r.history_user,
                    what=what(r),
                    action=r.history_change_reason or ACTIONS.get(r.history_type, ""),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
