"""Rounds and exit cases for tests of 三(九)(十): one builder, shared by every exit test.

``exit_case(...)`` puts a case in any state directly (a fixture, not a procedure); tests of a
step take it from there through the services.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from assistance.tests.factories_visits import subject_for
from identification.models import ExitCase, ExitRound, ExitState, TownRound, TownRoundState
from identification.services import spot_check_draw


def round_for(
    *towns, year: int | None = None, half: int = 2, opened_on: datetime.date | None = None
) -> ExitRound:
    """A round opened ``opened_on`` (default: 10 days ago) with a TownRound for each town."""
    opened_on = opened_on or timezone.localdate() - datetime.timedelta(days=10)
    exit_round = ExitRound.objects.create(
        year=year or opened_on.year,
        half=half,
        opened_on=opened_on,
        closes_on=opened_on + datetime.timedelta(days=29),
    )
    for town in towns:
        TownRound.objects.create(round=exit_round, town=town)
    return exit_round


def town_round(exit_round: ExitRound, town, *, state: str = TownRoundState.OPEN) -> TownRound:
    found = TownRound.objects.get(round=exit_round, town=town)
    if found.state != state:
        TownRound.objects.filter(pk=found.pk).update(state=state)
        found.refresh_from_db()
    return found


def exit_case(
    village,
    actor,
    *,
    exit_round: ExitRound,
    state: str = ExitState.PROPOSED,
    subject=None,
    category: str = "unstable",
    proposed_on: datetime.date | None = None,
    filed_on: datetime.date | None = None,
) -> ExitCase:
    """A case of ``village`` in ``state``; a filed case has its subject marked out too."""
    subject = subject or subject_for(village, category=category)
    proposed_on = proposed_on or exit_round.opened_on
    case = ExitCase.objects.create(
        town_round=TownRound.objects.get(round=exit_round, town_id=village.town_id),
        subject=subject,
        household=subject.household,
        proposed_on=proposed_on,
        reason="收入稳定超过监测线，风险已消除",
        created_by=actor,
    )
    if state != ExitState.PROPOSED:
        filed_on = filed_on or (proposed_on if state == ExitState.FILED else None)
        ExitCase.objects.filter(pk=case.pk).update(state=state, filed_on=filed_on)
        case.refresh_from_db()
    if state == ExitState.FILED:
        type(subject).objects.filter(pk=subject.pk).update(status="eliminated", ended_on=filed_on)
        subject.refresh_from_db()
    return case


def closed_with_filed_exits(
    village, actor, *, count: int, exit_round: ExitRound | None = None
) -> TownRound:
    """The town's part of a round, closed, with ``count`` filed exits of ``village``: what a
    spot check is drawn from (三(九))."""
    exit_round = exit_round or round_for(village.town)
    for _ in range(count):
        exit_case(village, actor, exit_round=exit_round, state=ExitState.FILED)
    return town_round(exit_round, village.town, state=TownRoundState.CLOSED)


def closed_in_both_towns(world, *, filed_a: int = 3, filed_b: int = 3):
    """The first-half 2026 round, closed in 甲镇 (``filed_a`` filed exits of 甲一村) and 乙镇
    (``filed_b`` of 乙一村): (the round, 甲镇's part, 乙镇's part)."""
    exit_round = round_for(world.town_a, world.town_b, year=2026, half=1)
    town_a = closed_with_filed_exits(world.a1, world.alice, count=filed_a, exit_round=exit_round)
    town_b = closed_with_filed_exits(world.b1, world.dave, count=filed_b, exit_round=exit_round)
    return exit_round, town_a, town_b


def drawn_in_both_towns(world, town_a: TownRound, town_b: TownRound):
    """The county's spot checks of both towns' parts, drawn with the seeds "a" and "b"."""
    return (
        spot_check_draw(actor=world.erin, town_round=town_a, seed="a"),
        spot_check_draw(actor=world.erin, town_round=town_b, seed="b"),
    )
