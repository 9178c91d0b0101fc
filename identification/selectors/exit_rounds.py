"""Scoped reads of the exit rounds, the spot checks and the wrong-exit rates (三(九)(十)).

A round is the county's; each town sees its own part. The county sees every town; a town
official and the village monitors of the town see the town's part (the monitors to know
when proposals are taken); department staff and helpers see none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from households.selectors import household_scope_q
from organization.models import PolicySettings, Role, User

from ..models import (
    ExitCase,
    ExitRound,
    ExitState,
    ReReview,
    SpotCheck,
    SpotCheckItem,
    TownRound,
    TownRoundState,
    wrong_exit_rate,
)

NOTHING = Q(pk__in=[])


def town_round_scope_q(user: User, prefix: str = "") -> Q:
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == Role.COUNTY_BUREAU:
        return Q()
    if user.role in (Role.TOWN_OFFICIAL, Role.VILLAGE_MONITOR) and user.town_id:
        return Q(**{f"{prefix}town_id": user.town_id})
    return NOTHING


def is_office(user: User) -> bool:
    """The county and the towns: who reads the checks' results and re-reviews (三(九))."""
    return user.is_authenticated and user.role in (Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU)


def may_see_rounds(user: User) -> bool:
    return user.is_authenticated and user.role in (
        Role.COUNTY_BUREAU,
        Role.TOWN_OFFICIAL,
        Role.VILLAGE_MONITOR,
    )


def _town_rounds(user: User) -> QuerySet[TownRound]:
    return (
        TownRound.objects.filter(town_round_scope_q(user))
        .select_related("town", "spot_check")
        .order_by("town__code")
    )


def exit_round_list(*, user: User) -> QuerySet[ExitRound]:
    """The rounds the user's town (or the county) takes part in, each with its towns' parts."""
    if not may_see_rounds(user):
        return ExitRound.objects.none()
    rounds = ExitRound.objects.select_related("opened_by")
    if user.role != Role.COUNTY_BUREAU:
        rounds = rounds.filter(town_rounds__town_id=user.town_id)
    return rounds.prefetch_related(
        Prefetch("town_rounds", queryset=_town_rounds(user), to_attr="towns")
    ).order_by("-year", "-half")


def exit_round_get(*, user: User, pk: Any) -> ExitRound:
    return exit_round_list(user=user).get(pk=pk)


def town_round_list(*, user: User) -> QuerySet[TownRound]:
    return (
        TownRound.objects.filter(town_round_scope_q(user))
        .select_related("round", "town", "spot_check")
        .order_by("-round__year", "-round__half", "town__code")
    )


def town_round_get(*, user: User, pk: Any) -> TownRound:
    return town_round_list(user=user).get(pk=pk)


# --- spot checks ----------------------------------------------------------------------


def spot_check_scope_q(user: User) -> Q:
    """The county's checks: the county sees all, a town official its own town's results."""
    if user.is_authenticated and user.role == Role.VILLAGE_MONITOR:
        return NOTHING
    return town_round_scope_q(user, "town_round__")


def spot_check_list(*, user: User) -> QuerySet[SpotCheck]:
    return (
        SpotCheck.objects.filter(spot_check_scope_q(user))
        .select_related("town_round__round", "town_round__town", "drawn_by")
        .annotate(
            checked=Count("items", filter=~Q(items__verdict=SpotCheckItem.Verdict.PENDING)),
            wrong=Count("items", filter=Q(items__verdict=SpotCheckItem.Verdict.WRONG)),
        )
        .order_by("-town_round__round__year", "-town_round__round__half", "town_round__town__code")
    )


def spot_check_get(*, user: User, pk: Any) -> SpotCheck:
    return spot_check_list(user=user).get(pk=pk)


def spot_check_items(spot_check: SpotCheck) -> QuerySet[SpotCheckItem]:
    """The sample in draw order, with what a checker needs to find each household."""
    return (
        spot_check.items.select_related(
            "exit_case__household__village", "exit_case__subject", "checked_by"
        )
        .order_by("position")
        .all()
    )


def spot_check_item_get(*, user: User, pk: Any) -> SpotCheckItem:
    items = SpotCheckItem.objects.filter(
        spot_check__in=SpotCheck.objects.filter(spot_check_scope_q(user))
    )
    return items.select_related("spot_check").get(pk=pk)


# --- re-review ------------------------------------------------------------------------

# Each exit's spot check verdict, when it was sampled (``case.sampled``: none or one item).
SAMPLED = Prefetch(
    "spot_checks",
    queryset=SpotCheckItem.objects.only("id", "exit_case_id", "verdict", "wrong_reason", "note"),
    to_attr="sampled",
)


def re_review_case_list(*, user: User) -> QuerySet[ExitCase]:
    """The filed (and reverted) exits of rounds in re-review, for the town and the county;
    each with its spot check verdict when it was sampled."""
    if not is_office(user):
        return ExitCase.objects.none()
    return (
        ExitCase.objects.filter(
            household_scope_q(user, "household__"),
            town_round__state=TownRoundState.RE_REVIEW,
            state__in=[ExitState.FILED, ExitState.REVERTED],
        )
        .select_related("household__village__town", "subject", "town_round__round")
        .prefetch_related(SAMPLED)
        .order_by("town_round_id", "household__village__code", "pk")
    )


def re_review_case_get(*, user: User, pk: Any) -> ExitCase:
    return re_review_case_list(user=user).get(pk=pk)


def re_review_cases_of(*, user: User, town_round: TownRound) -> QuerySet[ExitCase]:
    """Every filed exit of ``town_round``: pending first, then those already answered."""
    return (
        ExitCase.objects.filter(
            household_scope_q(user, "household__"),
            town_round=town_round,
            state__in=[ExitState.FILED, ExitState.REVERTED],
        )
        .select_related("household__village__town", "subject")
        .prefetch_related(SAMPLED)
        .order_by("re_review", "household__village__code", "pk")
    )


# --- the rates table ------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """One town in one round: 三(九) 错退率 = wrong ÷ checked, shown with both numbers."""

    town_round: TownRound
    filed: int
    sampled: int | None
    checked: int
    wrong: int
    limit: Decimal
    closed: bool

    @property
    def rate(self) -> Decimal | None:
        return wrong_exit_rate(self.wrong, self.checked)

    @property
    def over_limit(self) -> bool:
        return self.rate is not None and self.rate > self.limit

    @property
    def spot_check(self) -> SpotCheck | None:
        return getattr(self.town_round, "spot_check", None)


def wrong_exit_rates(*, user: User, year: int | None = None) -> list[RateRow]:
    """Per town and round: exits filed, sampled, checked, wrong, the rate, the limit (kept at
    closing, else the year's), over it or not, and the round's state. Two queries."""
    if not is_office(user):
        return []
    verdict = "spot_check__items__verdict"
    rows = (
        town_round_list(user=user)
        .annotate(
            filed=Count(
                "exit_cases",
                filter=Q(exit_cases__state__in=[ExitState.FILED, ExitState.REVERTED]),
                distinct=True,
            ),
            checked=Count(
                "spot_check__items",
                filter=~Q(**{verdict: SpotCheckItem.Verdict.PENDING}),
                distinct=True,
            ),
            wrong=Count(
                "spot_check__items",
                filter=Q(**{verdict: SpotCheckItem.Verdict.WRONG}),
                distinct=True,
            ),
        )
        .filter(Q(round__year=year) if year else Q())
    )
    limits: dict[int, Decimal] = {}
    result = []
    for row in rows:
        spot_check = getattr(row, "spot_check", None)
        if spot_check is not None and spot_check.limit is not None:
            limit = spot_check.limit
        else:
            year_of = row.round.year
            if year_of not in limits:
                limits[year_of] = PolicySettings.for_year(year_of).wrong_exit_limit
            limit = limits[year_of]
        result.append(
            RateRow(
                town_round=row,
                filed=row.filed,
                sampled=spot_check.sample_size if spot_check else None,
                checked=row.checked,
                wrong=row.wrong,
                limit=limit,
                closed=bool(spot_check and spot_check.state == SpotCheck.State.CLOSED),
            )
        )
    return result


def re_review_progress(town_round: TownRound) -> dict[str, int]:
    counts = town_round.exit_cases.filter(
        state__in=[ExitState.FILED, ExitState.REVERTED]
    ).aggregate(
        pending=Count("pk", filter=Q(state=ExitState.FILED, re_review=ReReview.PENDING)),
        confirmed=Count("pk", filter=Q(re_review=ReReview.CONFIRMED)),
        reverted=Count("pk", filter=Q(re_review=ReReview.REVERTED)),
    )
    return counts
