"""Scoped reads of help (三(八)): every list takes the user and reaches its households
through ``households.selectors.household_scope_q``, the registry's one scoping rule, so a
helper sees only the households paired with them and a town only its own."""

from __future__ import annotations

from django.db.models import QuerySet

from households.selectors import household_scope_q
from organization.models import User

from ..models import AssistancePlan, HelpAssignment, HelpVisit, Measure, MeasureKind


def assigned_household_ids(user: User) -> QuerySet:
    """The households a helper is paired with now: their whole scope (三(三), each helper
    answers for the households paired with them)."""
    return HelpAssignment.objects.filter(helper=user, ended_on__isnull=True).values("household_id")


def assignment_list(*, user: User) -> QuerySet[HelpAssignment]:
    return HelpAssignment.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village__town", "helper", "help_unit"
    )


def plan_list(*, user: User) -> QuerySet[AssistancePlan]:
    return AssistancePlan.objects.filter(
        household_scope_q(user, "subject__household__")
    ).select_related("subject__household__village__town", "help_unit")


def measure_list(*, user: User) -> QuerySet[Measure]:
    return Measure.objects.filter(
        household_scope_q(user, "plan__subject__household__")
    ).select_related("plan__subject__household__village__town", "kind", "member", "department")


def help_visit_list(*, user: User) -> QuerySet[HelpVisit]:
    return HelpVisit.objects.filter(household_scope_q(user, "visit__household__")).select_related(
        "visit__household__village__town", "visit__visitor", "subject"
    )


def measure_kind_list(*, user: User, include_inactive: bool = False) -> QuerySet[MeasureKind]:
    """The catalogue is reference data for every signed-in user; retired kinds stay readable
    for the measures that used them."""
    if not user.is_authenticated:
        return MeasureKind.objects.none()
    qs = MeasureKind.objects.all()
    return qs if include_inactive else qs.filter(is_active=True)
