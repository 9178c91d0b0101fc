"""Rounds and exit cases for tests of 三(九)(十): one builder, shared by every exit test.

``exit_case(...)`` puts a case in any state directly (a fixture, not a procedure); tests of a
step take it from there through the services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from assistance.tests.factories_visits import subject_for
from households.tests.factories import IncomeRecordFactory, VisitFactory
from identification import services
from identification.models import (
    EXIT_STEP_ORDER,
    ExitCase,
    ExitRound,
    ExitState,
    TownRound,
    TownRoundState,
)
from identification.services import TeamMember, spot_check_draw


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


# --- a subject that meets every exit condition, and cases walked through the services ------


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def ready_for_exit(
    village,
    visitor,
    *,
    per_capita: Decimal = Decimal("9000"),
    income_year: int | None = None,
    visited_days_ago: int = 25,
    category: str = "unstable",
):
    """A monitored subject of ``village`` whose household meets every condition of 三(九): last
    year's income above the line, a working head, a visit ``visited_days_ago`` days ago (five
    days before the usual proposal, ``PROPOSED_DAYS_AGO``)."""
    subject = subject_for(village, category=category)
    IncomeRecordFactory(
        household=subject.household,
        year=income_year or timezone.localdate().year - 1,
        household_size=1,
        wage_income=per_capita,
        per_capita_net_income=per_capita,
    )
    VisitFactory(
        household=subject.household, visitor=visitor, visited_on=days_ago(visited_days_ago)
    )
    return subject


def exit_team() -> list[TeamMember]:
    return [
        TeamMember(role="village_committee", name="村委委员陈某"),
        TeamMember(role="work_team", name="驻村队员周某"),
    ]


# The steps in order, each as the role that takes it, with the dates counted back from today
# so that the publicity has run its days before the filing.
PROPOSED_DAYS_AGO = 20


def exit_round_now(*towns) -> ExitRound:
    """A round taking proposals today that opened before ``PROPOSED_DAYS_AGO``."""
    return round_for(*towns, opened_on=days_ago(PROPOSED_DAYS_AGO + 5))


def walk_exit(world, case: ExitCase, target: str, *, start: int = PROPOSED_DAYS_AGO) -> ExitCase:
    """Take ``case`` through the services from where it stands up to ``target``."""
    village = case.household.village
    monitor = world.alice if village == world.a1 else world.bob
    official = world.carol if village.town_id == world.town_a.pk else world.dave

    def before(state: str) -> bool:
        return (
            EXIT_STEP_ORDER.index(case.state)
            < EXIT_STEP_ORDER.index(state)
            <= EXIT_STEP_ORDER.index(target)
        )

    if before(ExitState.VERIFIED):
        case = services.exit_verify(
            actor=monitor,
            case=case,
            checked_on=days_ago(start - 1),
            team=exit_team(),
            per_capita_income=Decimal("9000"),
            education_secured=True,
            medical_secured=True,
            housing_secured=True,
            water_secured=True,
            measures_note="产业、就业措施已落实，收入稳定",
        )
    if before(ExitState.EVALUATED):
        services.exit_evaluate(
            actor=official,
            town_round=case.town_round,
            held_on=days_ago(start - 2),
            present="李镇长\n王书记\n张委员",
            results=[services.EvaluationResult(case=case, passed=True)],
        )
        case.refresh_from_db()
    if before(ExitState.TOWN_PUBLICIZING):
        case = services.exit_publicize(actor=official, case=case, started_on=days_ago(start - 3))
    if before(ExitState.COUNTY_FILING):
        case = services.publicity_conclude(case=case, actor=official)
    if before(ExitState.FILED):
        case = services.exit_file(actor=world.erin, case=case, filed_on=days_ago(start - 12))
    return case


def proposed(world, subject=None, *, actor=None, on: datetime.date | None = None) -> ExitCase:
    """A proposal through the service, by alice (甲一村) unless ``actor`` says otherwise."""
    actor = actor or world.alice
    subject = subject or ready_for_exit(actor.village, actor)
    return services.exit_propose(
        actor=actor,
        subject=subject,
        proposed_on=on or days_ago(PROPOSED_DAYS_AGO),
        reason="收入稳定，风险已消除",
    )


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
