"""Scoped reads of self-declaration, shared by pages, API and admin.

``declaration_scope_q`` is the one rule: the village monitor sees the declarations their
village answers, a town official those of the town, the county bureau all. Declarations are
personal data a household gave to its village: helpers and department staff see none.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Max, Q, QuerySet
from django.utils import timezone

from households.id_numbers import normalize_id_number
from organization.models import PolicySettings, Role, Town, User, Village
from organization.selectors import village_list, village_scope_q
from organization.services import is_mobile, normalize_phone
from organization.working_days import Clock, clock_on

from .models import OPEN_STATES, Declaration, State

# Who answers a declaration: the village, or its town stepping in.
ANSWERING_ROLES = {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL}
READING_ROLES = {*ANSWERING_ROLES, Role.COUNTY_BUREAU}
# Who prints posters: the county for every village, a town for its own.
POSTER_ROLES = {Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL}

_RECEIPT_JUNK = re.compile(r"[\s\-_]+")


def declaration_scope_q(user: User, prefix: str = "") -> Q:
    if not user.is_authenticated or getattr(user, "role", None) not in READING_ROLES:
        return Q(pk__in=[])
    return village_scope_q(user, f"{prefix}village__")


def can_answer(user: User) -> bool:
    return user.is_authenticated and user.role in ANSWERING_ROLES


@dataclass(frozen=True)
class DeclarationFilters:
    q: str = ""
    town: int | None = None
    village: int | None = None
    state: str = ""
    overdue: bool | None = None


def _search_q(term: str) -> Q:
    compact = "".join(term.split()).upper()
    try:
        return Q(id_number=normalize_id_number(compact))
    except ValidationError:
        pass
    code = _RECEIPT_JUNK.sub("", compact)
    return (
        Q(name__contains=term.strip())
        | Q(receipt_code=code)
        | Q(phone__startswith=compact)
        | Q(id_number__startswith=compact)
    )


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(state__in=OPEN_STATES, due_on__lt=today or timezone.localdate())


def declaration_list(
    *, user: User, filters: DeclarationFilters | None = None
) -> QuerySet[Declaration]:
    filters = filters or DeclarationFilters()
    qs = Declaration.objects.filter(declaration_scope_q(user))
    if filters.q.strip():
        qs = qs.filter(_search_q(filters.q))
    if filters.town:
        qs = qs.filter(village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue is not None:
        qs = qs.filter(overdue_q()) if filters.overdue else qs.exclude(overdue_q())
    return (
        qs.select_related("village__town", "declared_village", "case")
        .annotate(repeat_count=Count("repeats", distinct=True))
        .order_by("-received_at", "-id")  # Meta.ordering is dropped by the GROUP BY
    )


def declaration_get(*, user: User, pk: int) -> Declaration:
    return (
        Declaration.objects.filter(declaration_scope_q(user))
        .select_related(
            "village__town", "declared_village__town", "household", "case", "answered_by"
        )
        .prefetch_related("risk_types", "repeats__risk_types", "repeats__declared_village")
        .get(pk=pk)
    )


def warn_working_days(today: datetime.date | None = None) -> int:
    """How many working days before its limit a declaration turns orange: the year's
    ``clock_warn_working_days``, the same window as the identification cases' clock."""
    return PolicySettings.current(today).clock_warn_working_days


def clock_of(
    declaration: Declaration, today: datetime.date | None = None, *, warn: int | None = None
) -> Clock | None:
    """The answer's colour while open; none once answered. A list passes ``warn`` (from
    ``warn_working_days``) so that the year's setting is read once, not per row."""
    if not declaration.is_open:
        return None
    today = today or timezone.localdate()
    warn = warn_working_days(today) if warn is None else warn
    return clock_on(today, declaration.due_on, warn)


def answered_late(declaration: Declaration) -> bool:
    return bool(
        declaration.answered_at and timezone.localdate(declaration.answered_at) > declaration.due_on
    )


# --- the declarant's own view -------------------------------------------------------------


def normalize_receipt_code(raw: str) -> str:
    return _RECEIPT_JUNK.sub("", raw or "").upper()[:20]


def declaration_status(*, code: str, phone: str) -> Declaration | None:
    """The declaration of this receipt code sent from this phone (or repeated from it); an
    unknown code and a wrong pair both give ``None``, so the answer tells nothing apart."""
    code, phone = normalize_receipt_code(code), normalize_phone(phone)
    if not code or not is_mobile(phone):
        return None
    return (
        Declaration.objects.filter(receipt_code=code)
        .filter(Q(phone=phone) | Q(repeats__phone=phone))
        .only("state", "decline_reason", "receipt_code")
        .first()
    )


# --- the public page's pick-lists and the posters ------------------------------------------


def public_villages() -> QuerySet[Village]:
    """Every village of the county, by town: the names are public, like the posters."""
    return Village.objects.select_related("town").order_by("town__code", "code")


def poster_villages(*, user: User) -> QuerySet[Village]:
    if getattr(user, "role", None) not in POSTER_ROLES:
        return Village.objects.none()
    return village_list(user=user).order_by("town__code", "code")


# --- the county's figures per town ---------------------------------------------------------


def _count(state=None, **extra) -> Count:
    condition = Q(**extra)
    if state is not None:
        condition &= Q(state=state)
    return Count("pk", filter=condition)


def declaration_stats(*, user: User) -> list[dict]:
    """Per town of the user's scope: declarations by state, overdue, answered late, and the
    working days taken to answer (average and longest)."""
    today = timezone.localdate()
    rows = {
        row["village__town_id"]: row
        for row in Declaration.objects.filter(declaration_scope_q(user))
        .values("village__town_id")
        .annotate(
            total=Count("pk"),
            received=_count(State.RECEIVED),
            checking=_count(State.CHECKING),
            accepted=_count(State.ACCEPTED),
            declined=_count(State.DECLINED),
            overdue=Count("pk", filter=overdue_q(today)),
            late=Count("pk", filter=Q(answered_at__date__gt=F("due_on"))),
            avg_days=Avg("answer_working_days"),
            max_days=Max("answer_working_days"),
        )
        .order_by()
    }
    towns = Town.objects.filter(pk__in=village_list(user=user).values("town_id"))
    empty = {"total": 0, "received": 0, "checking": 0, "accepted": 0, "declined": 0}
    return [
        {"town": town, **empty, "overdue": 0, "late": 0, **rows.get(town.pk, {})}
        for town in towns
        if getattr(user, "role", None) in READING_ROLES
    ]
