"""Exit demo data (三(九)(十)) through the real services, back-dated as paper rounds are.

- The 2026 first-half round, opened 2026-06-01 for every town: in each town at least
  ``FILED_PER_TOWN`` households proposed, checked at the door, evaluated, publicised and filed
  by the county, then every town's round closed — enough for the county's spot check to draw
  10% with its minimum of three.
- The 2026 second-half round, opened 2026-11-16, with proposals of the demo town at each
  step: proposed, verified, evaluated, in publicity with an open objection, waiting for
  the county's filing.

The households are the demo registry's own: households above the line with someone who can
work, not yet monitored, taken into monitoring by the bureau in 2025 (as subjects monitored
before the system), visited a few days before their proposal; any that fails a condition of
三(九) is skipped, so the conditions decide, not this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from households import services as registry
from households.models import Household, Member, RiskType
from households.services import check_category_matches_status
from organization.models import Role, Town, User, Village

from .. import services
from ..exit_conditions import failed_conditions
from ..models import ExitCase, ExitRound, ExitState, TownRound, TownRoundState
from ..services.exit_rounds import (
    exit_round_open,
    town_round_close,
    town_round_stop_proposals,
)

FILED_PER_TOWN = 12
FIRST_OPENED = datetime.date(2026, 6, 1)
SECOND_OPENED = datetime.date(2026, 11, 16)
SUBJECT_SINCE = datetime.date(2025, 3, 1)
CATEGORY_FOR_STATUS = {"poverty_alleviated": "unstable", "ordinary": "sudden"}
WORKING = [Member.Labour.SKILLED, Member.Labour.ORDINARY, Member.Labour.WEAK]
TEAM = [
    services.TeamMember(role="village_committee", name="村两委委员"),
    services.TeamMember(role="work_team", name="驻村工作队队员"),
]


def _day(start: datetime.date, n: int) -> datetime.date:
    return start + datetime.timedelta(days=n)


def _account(username: str, **scope) -> User:
    """A demo cadre who acts in the procedure; like the help demo's people, they cannot sign in."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, last_name="演示", first_name=username[-4:], **scope)
        user.set_unusable_password()
        user.save()
    return user


def _monitor(village: Village) -> User:
    return User.objects.filter(
        role=Role.VILLAGE_MONITOR, village=village, is_active=True
    ).first() or _account(
        f"exit_monitor_{village.code}",
        role=Role.VILLAGE_MONITOR,
        village=village,
        town=village.town,
    )


def _official(town: Town) -> User:
    return User.objects.filter(
        role=Role.TOWN_OFFICIAL, town=town, is_active=True
    ).first() or _account(f"exit_town_{town.code}", role=Role.TOWN_OFFICIAL, town=town)


def _candidates(villages) -> Iterator[Household]:
    return iter(
        Household.objects.filter(
            village__in=villages,
            below_income_line=False,
            latest_income_year__isnull=False,
            members__labour_capacity__in=WORKING,
        )
        .exclude(monitoring_subjects__isnull=False)
        .exclude(identification_cases__isnull=False)
        .select_related("village__town")
        .distinct()
        .order_by("village__code", "pk")
    )


def _recovered_subject(county: User, household: Household, proposed_on: datetime.date):
    """Take ``household`` into monitoring (2025) and visit it before ``proposed_on``; None when
    a condition of 三(九) still fails for it (nothing is written then)."""
    category = CATEGORY_FOR_STATUS.get(household.status_2020, "marginal")
    try:
        check_category_matches_status(household, category)
    except ValidationError:  # a 2020 status that fits no category: not this one
        return None
    with transaction.atomic():
        registry.visit_create(
            actor=_monitor(household.village),
            household=household,
            visited_on=_day(proposed_on, -3),
            findings="收入稳定，两不愁三保障和饮水安全均有保障",
        )
        subject = registry.monitoring_subject_create(
            actor=county,
            household=household,
            category=category,
            risk_types=RiskType.objects.filter(code="illness"),
            started_on=SUBJECT_SINCE,
            note="演示：系统上线前已监测",
        )
        if failed_conditions(subject, proposed_on):
            transaction.set_rollback(True)
            return None
    return subject


def _subjects(county: User, villages, proposed_on: datetime.date, count: int) -> list:
    found = []
    for household in _candidates(villages):
        subject = _recovered_subject(county, household, proposed_on)
        if subject is not None:
            found.append(subject)
        if len(found) == count:
            break
    return found


def _walk(case: ExitCase, target: str, *, start: datetime.date, county: User) -> ExitCase:
    """From proposed to ``target``, each step a few days after the one before."""
    monitor = _monitor(case.household.village)
    official = _official(case.household.village.town)
    order = [ExitState.VERIFIED, ExitState.EVALUATED, ExitState.TOWN_PUBLICIZING]
    order += [ExitState.COUNTY_FILING, ExitState.FILED]
    wanted = order[: order.index(target) + 1] if target in order else []
    if ExitState.VERIFIED in wanted:
        case = services.exit_verify(
            actor=monitor,
            case=case,
            checked_on=_day(start, 1),
            team=TEAM,
            per_capita_income=case.household.latest_per_capita_income or Decimal("8000"),
            education_secured=True,
            medical_secured=True,
            housing_secured=True,
            water_secured=True,
            measures_note="产业、就业帮扶措施已落实，家庭收入稳定",
        )
    if ExitState.EVALUATED in wanted:
        services.exit_evaluate(
            actor=official,
            town_round=case.town_round,
            held_on=_day(start, 2),
            present="镇分管领导\n镇扶贫工作站站长\n村党支部书记",
            results=[services.EvaluationResult(case=case, passed=True)],
        )
        case.refresh_from_db()
    if ExitState.TOWN_PUBLICIZING in wanted:
        case = services.exit_publicize(actor=official, case=case, started_on=_day(start, 3))
    if ExitState.COUNTY_FILING in wanted:
        case = services.publicity_conclude(case=case, actor=official, on=_day(start, 10))
    if ExitState.FILED in wanted:
        case = services.exit_file(actor=county, case=case, filed_on=_day(start, 12))
    return case


def _propose(subject, on: datetime.date) -> ExitCase:
    return services.exit_propose(
        actor=_monitor(subject.household.village),
        subject=subject,
        proposed_on=on,
        reason="家庭收入稳定超过监测收入线，三保障和饮水安全有保障，风险已消除",
    )


def seed_first_half(*, county: User) -> int:
    """Every town's exits of 2026's first half, filed, and every town's round closed."""
    exit_round = exit_round_open(actor=county, year=2026, half=1, on=FIRST_OPENED)
    proposed_on = _day(FIRST_OPENED, 4)
    filed = 0
    for town in Town.objects.order_by("code"):
        villages = Village.objects.filter(town=town)
        for subject in _subjects(county, villages, proposed_on, FILED_PER_TOWN):
            _walk(_propose(subject, proposed_on), ExitState.FILED, start=proposed_on, county=county)
            filed += 1
    # The round's days are over and every case is done: each town's part moves on through the
    # rounds' own services, as the daily task would the day after the proposal days.
    after = _day(exit_round.closes_on, 1)
    for town_round in TownRound.objects.filter(round=exit_round, state=TownRoundState.OPEN):
        town_round_close(town_round=town_round_stop_proposals(town_round=town_round, today=after))
    return filed


SECOND_HALF_TARGETS = [
    ExitState.PROPOSED,
    ExitState.VERIFIED,
    ExitState.EVALUATED,
    ExitState.TOWN_PUBLICIZING,
    ExitState.COUNTY_FILING,
]


def seed_second_half(*, county: User, demo_village: Village, today: datetime.date) -> int:
    """The open round of 2026's second half: the demo town's proposals at every step, the one in
    publicity with an open objection."""
    exit_round_open(actor=county, year=2026, half=2, on=SECOND_OPENED)
    proposed_on = _day(SECOND_OPENED, 2)
    villages = Village.objects.filter(pk=demo_village.pk)
    subjects = _subjects(county, villages, proposed_on, len(SECOND_HALF_TARGETS))
    if len(subjects) < len(SECOND_HALF_TARGETS):
        town_villages = Village.objects.filter(town=demo_village.town).exclude(pk=demo_village.pk)
        subjects += _subjects(
            county, town_villages, proposed_on, len(SECOND_HALF_TARGETS) - len(subjects)
        )
    for subject, target in zip(subjects, SECOND_HALF_TARGETS, strict=False):
        case = _propose(subject, proposed_on)
        if target == ExitState.TOWN_PUBLICIZING:
            # Still running today: started three days ago, after its evaluation.
            case = _walk(case, ExitState.EVALUATED, start=proposed_on, county=county)
            official = _official(case.household.village.town)
            case = services.exit_publicize(
                actor=official, case=case, started_on=max(_day(today, -3), _day(proposed_on, 2))
            )
            services.objection_lodge(
                actor=official,
                case=case,
                content="村民反映该户务工收入不稳定，请核实",
                lodged_on=max(_day(today, -1), _day(proposed_on, 2)),
                raised_by_name="同村村民",
            )
        else:
            _walk(case, target, start=proposed_on, county=county)
    return len(subjects)


def seed_exits(*, county: User, demo_village: Village, today: datetime.date) -> dict[str, int]:
    """Both rounds, each only once (idempotent: a round already there is left as it is)."""
    counts = {"filed": 0, "open": 0}
    if not ExitRound.objects.filter(year=2026, half=1).exists():
        counts["filed"] = seed_first_half(county=county)
    if not ExitRound.objects.filter(year=2026, half=2).exists():
        counts["open"] = seed_second_half(county=county, demo_village=demo_village, today=today)
    return counts
