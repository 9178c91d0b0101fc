"""Scoped reads of the registry (STYLE.md rule 4).

``household_scope_q`` is the one place that says which households a user may
see; every model below a household reuses it through a prefix, and pages,
API, exports and admin all read through these selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from organization.models import Role, User

from . import id_numbers
from .models import Household, IncomeRecord, Member, MonitoringSubject, Visit


def household_scope_q(user: User, prefix: str = "") -> Q:
    """Which households ``user`` may see (DESIGN.md §5). ``prefix`` reaches them from a related model."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    match user.role:
        case Role.COUNTY_BUREAU:
            return Q()
        case Role.TOWN_OFFICIAL:
            return Q(**{f"{prefix}village__town_id": user.town_id})
        case Role.VILLAGE_MONITOR:
            return Q(**{f"{prefix}village_id": user.village_id})
        case Role.HELPER:
            assigned = Household.objects.filter(
                help_assignments__helper=user, help_assignments__ended_on__isnull=True
            )
            return Q(**{f"{prefix}pk__in": assigned.values("pk")})
    # Department staff see only their own uploads and what became of their rows.
    return Q(pk__in=[])


def can_edit_registry(user: User, household: Household | None = None) -> bool:
    """Monitors, town officials and the bureau keep the registry; helpers only record visits."""
    if user.role not in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
        return False
    return (
        household is None
        or Household.objects.filter(household_scope_q(user), pk=household.pk).exists()
    )


def can_record_visit(user: User, household: Household) -> bool:
    if user.role == Role.DEPARTMENT_STAFF:
        return False
    return Household.objects.filter(household_scope_q(user), pk=household.pk).exists()


@dataclass(frozen=True)
class HouseholdFilters:
    q: str = ""
    town: int | None = None
    village: int | None = None
    status_2020: str = ""
    below_line: bool | None = None
    monitored: bool | None = None


def _search_q(term: str) -> Q:
    """An ID number (whole or the first digits) searches members; anything else searches names."""
    compact = term.replace(" ", "").upper()
    if len(compact) >= 6 and compact[:-1].isdigit():
        try:
            return Q(members__id_number=id_numbers.normalize_id_number(compact))
        except ValidationError:
            return Q(members__id_number__startswith=compact)
    return Q(head_name__contains=term) | Q(members__name__contains=term)


def household_list(*, user: User, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    """Households in ``user``'s scope, annotated for lists: size and whether monitored."""
    filters = filters or HouseholdFilters()
    qs = Household.objects.filter(household_scope_q(user))
    if filters.q.strip():
        matching = Household.objects.filter(_search_q(filters.q.strip())).values("pk")
        qs = qs.filter(pk__in=matching)
    if filters.town:
        qs = qs.filter(village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.status_2020:
        qs = qs.filter(status_2020=filters.status_2020)
    if filters.below_line is not None:
        qs = qs.filter(below_income_line=filters.below_line)
    qs = with_list_annotations(qs)
    if filters.monitored is not None:
        qs = qs.filter(is_monitored=filters.monitored)
    return qs.select_related("village__town", "group")


def with_list_annotations(qs: QuerySet[Household]) -> QuerySet[Household]:
    size = (
        Member.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    monitored = MonitoringSubject.objects.filter(
        household=OuterRef("pk"), status=MonitoringSubject.Status.MONITORING
    )
    return qs.annotate(
        size=Coalesce(Subquery(size, output_field=IntegerField()), 0),
        is_monitored=Exists(monitored),
    )


def household_get(*, user: User, pk: Any) -> Household:
    """One household in scope, or ``Household.DoesNotExist`` (pages and API answer 404)."""
    return household_list(user=user).get(pk=pk)


def member_list(*, user: User) -> QuerySet[Member]:
    return Member.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village"
    )


def income_record_list(*, user: User) -> QuerySet[IncomeRecord]:
    return IncomeRecord.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village"
    )


def visit_list(*, user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village", "visitor"
    )


def monitoring_subject_list(*, user: User) -> QuerySet[MonitoringSubject]:
    return (
        MonitoringSubject.objects.filter(household_scope_q(user, "household__"))
        .select_related("household__village__town")
        .prefetch_related("risk_types")
    )
