"""What the visits due of 三(八)1 and the dashboards' help coverage read, copied from the
registry's visits, the pairings and the plans so that each count is one scan of one table:

- each pairing's latest visit by its helper (``HelpAssignment.last_visited_on``);
- each monitoring subject's day its next help visit is counted from
  (``MonitoringSubject.help_due_basis``): the latest visit by a helper paired with the household
  now, else the start of the earliest open pairing, else the subject's start;
- whether a helper is paired with the household now (``help_paired``) and whether the subject's
  plan is active (``help_plan_active``).

``assistance/signals.py`` calls these on every save or delete of a visit, a pairing, a plan or
a subject, whatever made it (a service, the admin, a test factory); bulk writes (the demo, the
bench) and the migrations that added the fields call ``help_refresh`` once at the end.
"""

from __future__ import annotations

import datetime

from django.db.models import DateField, Exists, F, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from households.models import MonitoringSubject, Visit

from ..models import AssistancePlan, HelpAssignment, PlanState


def _latest(household_id, helper_id) -> QuerySet[Visit]:
    return Visit.objects.filter(household_id=household_id, visitor_id=helper_id)


def assignments_refresh_last_visit(*, assignments: QuerySet[HelpAssignment]) -> int:
    """Recompute ``last_visited_on`` of ``assignments`` from the visits, in one statement."""
    latest = (
        _latest(OuterRef("household_id"), OuterRef("helper_id"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return assignments.update(last_visited_on=Subquery(latest))


def last_visit_of(*, household_id: int, helper_id: int) -> datetime.date | None:
    """The helper's latest visit to the household, for a pairing about to be made."""
    return _latest(household_id, helper_id).aggregate(last=Max("visited_on"))["last"]


def subjects_refresh_help(*, subjects: QuerySet[MonitoringSubject]) -> int:
    """Recompute the help copies of ``subjects`` from their households' open pairings (which
    hold their helpers' latest visits) and their plans, in one statement."""
    pairs = (
        HelpAssignment.objects.filter(household_id=OuterRef("household_id"), ended_on__isnull=True)
        .order_by()
        .values("household_id")
    )
    last_visit = pairs.annotate(day=Max("last_visited_on")).values("day")
    paired_since = pairs.annotate(day=Min("started_on")).values("day")
    return subjects.update(
        help_due_basis=Coalesce(
            Subquery(last_visit), Subquery(paired_since), F("started_on"), output_field=DateField()
        ),
        help_paired=Exists(pairs),
        help_plan_active=Exists(
            AssistancePlan.objects.filter(subject_id=OuterRef("pk"), state=PlanState.ACTIVE)
        ),
    )


def help_refresh(*, household_ids: list[int] | QuerySet | None = None) -> None:
    """Every copy for ``household_ids`` (every household when ``None``): the pairings first,
    since the subjects read them."""
    assignments = HelpAssignment.objects.all()
    subjects = MonitoringSubject.objects.all()
    if household_ids is not None:
        assignments = assignments.filter(household_id__in=household_ids)
        subjects = subjects.filter(household_id__in=household_ids)
    assignments_refresh_last_visit(assignments=assignments)
    subjects_refresh_help(subjects=subjects)
