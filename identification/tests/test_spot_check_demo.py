"""The demo's spot checks on the finished first-half 2026 round: one town above 2% and in
re-review with a few exits confirmed, every other town passing; a second run changes nothing."""

import pytest

from identification.management.spot_check_demo import seed_spot_checks
from identification.models import ExitState, ReReview, SpotCheck, TownRound, TownRoundState
from identification.tests.factories_exits import closed_in_both_towns, exit_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_round(world):
    """What the exit demo leaves: ten or more filed exits per town, every part closed."""
    return closed_in_both_towns(world, filed_a=10, filed_b=12)


def seed(world):
    return seed_spot_checks(county=world.erin, over_town=world.town_a)


def test_every_town_is_checked_and_exactly_one_is_above_the_limit(world, finished_round):
    assert seed(world) == {"drawn": 2, "closed": 2, "confirmed": 2}
    checks = {
        c.town_round.town.name: c for c in SpotCheck.objects.select_related("town_round__town")
    }
    assert {name: c.state for name, c in checks.items()} == {"甲镇": "closed", "乙镇": "closed"}
    assert [name for name, c in checks.items() if c.over_limit] == ["甲镇"]
    assert checks["乙镇"].wrong_count == 0
    states = dict(TownRound.objects.values_list("town__name", "state"))
    assert states == {"甲镇": TownRoundState.RE_REVIEW, "乙镇": TownRoundState.CLOSED}


def test_the_town_in_re_review_has_a_few_exits_confirmed_and_the_rest_pending(
    world, finished_round
):
    seed(world)
    _, town_a, _ = finished_round
    answers = list(town_a.exit_cases.values_list("re_review", flat=True))
    assert answers.count(ReReview.CONFIRMED) == 2
    assert answers.count(ReReview.PENDING) == 8
    confirmed = town_a.exit_cases.filter(re_review=ReReview.CONFIRMED).first()
    assert confirmed.history.first().history_user == world.carol  # the town's official


def test_a_second_run_changes_nothing(world, finished_round):
    seed(world)
    seeds = dict(SpotCheck.objects.values_list("pk", "seed"))
    assert seed(world) == {"drawn": 0, "closed": 0, "confirmed": 0}
    assert dict(SpotCheck.objects.values_list("pk", "seed")) == seeds
    assert TownRound.objects.get(town=world.town_a).state == TownRoundState.RE_REVIEW


def test_the_seeds_are_fixed_per_town_so_a_new_demo_draws_the_same_households(
    world, finished_round
):
    seed(world)
    assert set(SpotCheck.objects.values_list("seed", flat=True)) == {
        f"2026-1-{world.town_a.code}",
        f"2026-1-{world.town_b.code}",
    }


def test_a_town_whose_part_is_not_closed_is_left_alone(world, finished_round):
    exit_round, _, town_b = finished_round
    exit_case(world.b1, world.dave, exit_round=exit_round, state=ExitState.COUNTY_FILING)
    TownRound.objects.filter(pk=town_b.pk).update(state=TownRoundState.CLOSING)
    assert seed(world)["drawn"] == 1
    assert not SpotCheck.objects.filter(town_round=town_b).exists()


def test_nothing_is_done_without_the_round(world):
    assert seed(world) == {"drawn": 0, "closed": 0, "confirmed": 0}
