"""What each role's help page (帮扶工作台) lists: the work waiting, from scoped aggregates."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from households.models import MonitoringSubject
from households.selectors import kept_village_scope_q
from organization.models import User

from ..models import OPEN_MEASURE_STATES, OPEN_PLAN_STATES, AssistancePlan, Measure
from .visits import overdue_counts, visits_due


def subjects_without_plan(*, user: User) -> QuerySet[MonitoringSubject]:
    """三(八)1 一户一方案: monitored subjects in scope with no draft or active plan yet,
    waiting longest first."""
    open_plan = AssistancePlan.objects.filter(subject=OuterRef("pk"), state__in=OPEN_PLAN_STATES)
    return (
        MonitoringSubject.objects.filter(
            kept_village_scope_q(user), status=MonitoringSubject.Status.MONITORING
        )
        .filter(~Exists(open_plan))
        .select_related("household__village__town")
        .order_by("started_on", "id")
    )


def my_subjects(*, user: User, today: datetime.date) -> QuerySet[MonitoringSubject]:
    """A helper's monitored households (我的帮扶户) with their visit due and their current plan
    and its open measures: three queries whatever the number of households."""
    measures = Measure.objects.filter(state__in=OPEN_MEASURE_STATES).select_related(
        "kind", "member"
    )
    plans = AssistancePlan.objects.filter(state__in=OPEN_PLAN_STATES).prefetch_related(
        Prefetch("measures", queryset=measures, to_attr="open_measures")
    )
    return visits_due(user=user, today=today).prefetch_related(
        Prefetch("plans", queryset=plans, to_attr="open_plans")
    )


def overdue_visits_by_town(*, user: User, today: datetime.date) -> dict[int, int]:
    """Town id → monitored subjects in scope whose help visit is overdue (one query)."""
    rows = overdue_counts(user=user, today=today, by="village__town_id")
    return {row["area"]: row["n"] for row in rows}
