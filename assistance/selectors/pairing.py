"""Who may be paired with a household, and which subjects still wait for a helper (三(三), 三(八)1).

- A 脱贫户 keeps its original 帮扶责任人 (不脱钩): ``proposed_helper`` finds it.
- A 边缘易致贫户 or 突发严重困难户 gets a town and a village cadre (镇村二级干部).
- The town sees its monitored subjects with no open assignment, oldest first; the county the
  count per town.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from households.models import Household, MonitoringSubject
from households.selectors import household_scope_q
from organization.models import Role, Town, User
from organization.selectors import town_list

from ..models import HelpAssignment


def open_assignments() -> QuerySet[HelpAssignment]:
    return HelpAssignment.objects.filter(ended_on__isnull=True)


def proposed_helper(subject: MonitoringSubject) -> HelpAssignment | None:
    """三(八)1 "原则上原帮扶责任人不脱钩": the household's latest responsible assignment, the open
    one first, else the one ended last. Its helper is proposed; its help unit sends any other."""
    return (
        HelpAssignment.objects.filter(
            household_id=subject.household_id, kind=HelpAssignment.Kind.RESPONSIBLE
        )
        .select_related("helper__help_unit", "help_unit")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-id")
        .first()
    )


def helper_candidates(*, household: Household) -> QuerySet[User]:
    """Helper accounts (帮扶责任人) that may be paired with ``household``: active, and not tied to
    another town or village (a helper account may carry the town or village it works in)."""
    town_id = household.village.town_id
    return (
        User.objects.filter(role=Role.HELPER, is_active=True)
        .filter(Q(town__isnull=True) | Q(town_id=town_id))
        .filter(Q(village__isnull=True) | Q(village__town_id=town_id))
        .select_related("help_unit")
        .order_by("last_name", "first_name", "username")
    )


def town_cadre_q(household: Household) -> Q:
    """三(八)1 "由镇、村二级干部结对联系帮扶": a town cadre is an official of the household's town,
    or a helper account of that town that is not tied to a village."""
    town_id = household.village.town_id
    return Q(role=Role.TOWN_OFFICIAL, town_id=town_id) | Q(
        role=Role.HELPER, town_id=town_id, village__isnull=True
    )


def village_cadre_q(household: Household) -> Q:
    """三(八)1: a village cadre is the household's village monitor or a helper of that village."""
    village_id = household.village_id
    return Q(role=Role.VILLAGE_MONITOR, village_id=village_id) | Q(
        role=Role.HELPER, village_id=village_id
    )


def town_cadre_candidates(*, household: Household) -> QuerySet[User]:
    return User.objects.filter(town_cadre_q(household), is_active=True).order_by(
        "role", "last_name", "first_name", "username"
    )


def village_cadre_candidates(*, household: Household) -> QuerySet[User]:
    return User.objects.filter(village_cadre_q(household), is_active=True).order_by(
        "role", "last_name", "first_name", "username"
    )


def _unpaired() -> QuerySet[MonitoringSubject]:
    paired = open_assignments().filter(household_id=OuterRef("household_id"))
    return MonitoringSubject.objects.filter(status=MonitoringSubject.Status.MONITORING).filter(
        ~Exists(paired)
    )


def unpaired_subject_list(*, user: User) -> QuerySet[MonitoringSubject]:
    """Monitored subjects in scope whose household has no open assignment, waiting longest first."""
    return (
        _unpaired()
        .filter(household_scope_q(user, "household__"))
        .select_related("household__village__town")
        .order_by("started_on", "id")
    )


def unpaired_count_by_town(*, user: User) -> QuerySet[Town]:
    """Every town in scope with ``n_unpaired``: one query, towns with none included."""
    counted = (
        _unpaired()
        .filter(household__village__town_id=OuterRef("pk"))
        .order_by()
        .values("household__village__town_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return town_list(user=user).annotate(
        n_unpaired=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    )
