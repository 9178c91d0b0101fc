"""The demo county's spot checks (三(九) 抽查评估) on its finished first-half 2026 round.

``seed_spot_checks()`` runs after the exit demo has filed the round's exits and closed each
town's part. With the real services it draws every town's sample (a seed per town, so a
rerun of the demo draws the same households), records the verdicts and closes the checks:
one town has one wrong exit in its sample, above 2%, and its round is in re-review with a
few exits confirmed and the rest waiting for the town. Every other town passes. Idempotent:
what is done already is left as it is.
"""

from __future__ import annotations

import math

from django.contrib.auth import get_user_model
from django.utils import timezone

from organization.models import PolicySettings, Role, Town, User

from .. import services
from ..models import ExitRound, ExitState, ReReview, SpotCheck, TownRound, TownRoundState

YEAR, HALF = 2026, ExitRound.Half.FIRST
CONFIRMED = 2  # exits the town has already confirmed in its re-review
WRONG_NOTE = "入户抽查：家庭人均纯收入仍低于监测线"
CONFIRM_REASON = "镇重新入户核实：收入稳定超过监测线，“三保障”和饮水安全有保障，维持退出"


def seed_spot_checks(
    *, county: User | None = None, over_town: Town | None = None
) -> dict[str, int]:
    """Draw, record and close every town's spot check of the first-half 2026 round; leave
    ``over_town`` (default: the demo town official's town) above the limit, in re-review.
    Returns what it did (drawn, closed, confirmed)."""
    done = {"drawn": 0, "closed": 0, "confirmed": 0}
    exit_round = ExitRound.objects.filter(year=YEAR, half=HALF).first()
    county = county or _county_user()
    if exit_round is None or county is None:
        return done
    over_town = over_town or _demo_town(exit_round)
    parts = exit_round.town_rounds.select_related("town").order_by("town__code")
    for town_round in parts:
        spot_check = _check_of(town_round, county, done)
        if spot_check is None:
            continue
        if spot_check.state == SpotCheck.State.OPEN:
            _record_and_close(spot_check, county, wrong=town_round.town_id == over_town.pk)
            done["closed"] += 1
    over = exit_round.town_rounds.get(town=over_town)
    if over.state == TownRoundState.RE_REVIEW:
        done["confirmed"] = _confirm_a_few(over, county)
    return done


def _county_user() -> User | None:
    users = get_user_model().objects.filter(role=Role.COUNTY_BUREAU, is_active=True)
    return users.filter(username="county_admin").first() or users.order_by("pk").first()


def _demo_town(exit_round: ExitRound) -> Town:
    """The demo town official's town, so that ``town_official`` finds the re-review."""
    official = get_user_model().objects.filter(username="town_official").first()
    if official and official.town_id:
        return official.town
    return exit_round.town_rounds.select_related("town").order_by("town__code").first().town


def _check_of(town_round: TownRound, county: User, done: dict[str, int]) -> SpotCheck | None:
    """The town's check, drawn now if the part is closed with filed exits."""
    existing = SpotCheck.objects.filter(town_round=town_round).first()
    if existing is not None:
        return existing
    filed = town_round.exit_cases.filter(state=ExitState.FILED).exists()
    if town_round.state != TownRoundState.CLOSED or not filed:
        return None
    done["drawn"] += 1
    seed = f"{YEAR}-{HALF}-{town_round.town.code}"
    return services.spot_check_draw(actor=county, town_round=town_round, seed=seed)


def _wrong_needed(size: int) -> int:
    """The fewest wrong exits whose rate is strictly above the year's limit (one, unless the
    sample is 50 or more)."""
    limit = PolicySettings.for_year(YEAR).wrong_exit_limit
    return min(size, math.floor(limit * size / 100) + 1)


def _record_and_close(spot_check: SpotCheck, county: User, *, wrong: bool) -> None:
    today = timezone.localdate()
    wrong_count = _wrong_needed(spot_check.sample_size) if wrong else 0
    for item in spot_check.items.order_by("position"):
        if item.verdict:
            continue
        is_wrong = item.position <= wrong_count
        services.spot_check_record(
            actor=county,
            item=item,
            verdict="wrong" if is_wrong else "correct",
            wrong_reason="income" if is_wrong else "",
            note=WRONG_NOTE if is_wrong else "入户核实，风险已消除",
            checked_on=today,
        )
    services.spot_check_close(actor=county, spot_check=spot_check)


def _confirm_a_few(town_round: TownRound, county: User) -> int:
    """A few exits confirmed, the rest left for the town; nothing again once some are."""
    cases = town_round.exit_cases.filter(state=ExitState.FILED)
    if cases.exclude(re_review=ReReview.PENDING).exists():
        return 0
    pending = list(cases.order_by("pk"))
    # At least one stays pending, so the round stays in re-review for the demo.
    chosen = pending[: min(CONFIRMED, len(pending) - 1)]
    official = (
        get_user_model()
        .objects.filter(role=Role.TOWN_OFFICIAL, town_id=town_round.town_id, is_active=True)
        .order_by("pk")
        .first()
    )
    for case in chosen:
        services.exit_case_confirm(actor=official or county, case=case, reason=CONFIRM_REASON)
    return len(chosen)
