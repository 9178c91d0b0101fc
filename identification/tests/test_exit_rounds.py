"""Half-year exit rounds (三(十) "退出工作每半年开展一次"): opened by hand or on their day,
each town's part moving open → closing → closed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from identification import tasks
from identification.models import ExitRound, ExitState, TownRound, TownRoundState
from identification.services import exit_round_open, exit_rounds_tick
from identification.tests.factories_exits import exit_case, round_for, town_round
from organization.models import Notification, PolicySettings
from suixi_monitor.exceptions import ConflictError

pytestmark = pytest.mark.django_db

D = datetime.date


def states(exit_round: ExitRound) -> dict[str, str]:
    return {t.town.name: t.state for t in exit_round.town_rounds.select_related("town")}


# --- by hand ------------------------------------------------------------------------------


def test_the_county_opens_a_round_with_a_part_for_every_town(world):
    exit_round = exit_round_open(actor=world.erin, year=2025, half=2, on=D(2025, 12, 3))
    assert exit_round.opened_by == world.erin
    assert exit_round.closes_on == D(2026, 1, 1)  # 30 days, the first and the last counted
    assert states(exit_round) == {"甲镇": "open", "乙镇": "open"}
    assert all(t.takes_proposals for t in exit_round.town_rounds.all())


def test_the_round_takes_proposals_for_the_years_number_of_days(world):
    PolicySettings.objects.create(year=2025, exit_round_open_days=10)
    exit_round = exit_round_open(actor=world.erin, year=2025, half=1, on=D(2025, 6, 1))
    assert exit_round.closes_on == D(2025, 6, 10)


def test_opening_a_round_tells_the_towns_and_villages(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        exit_round_open(actor=world.erin, year=2025, half=1, on=D(2025, 6, 1))
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"alice", "bob", "carol", "dave"}


@pytest.mark.parametrize("who", ["alice", "carol", "frank", "grace"])
def test_only_the_county_opens_a_round(world, who):
    with pytest.raises(PermissionDenied):
        exit_round_open(actor=getattr(world, who), year=2025, half=1, on=D(2025, 6, 1))
    assert not ExitRound.objects.exists()


def test_a_half_year_has_one_round(world):
    exit_round_open(actor=world.erin, year=2025, half=1, on=D(2025, 6, 1))
    with pytest.raises(ConflictError):
        exit_round_open(actor=world.erin, year=2025, half=1, on=D(2025, 6, 2))
    assert ExitRound.objects.count() == 1


@pytest.mark.parametrize(
    ("half", "on", "field"),
    [
        (3, D(2025, 6, 1), "half"),
        (2, D(2025, 6, 30), "on"),  # before the second half begins
        (1, D(2024, 12, 31), "on"),
    ],
)
def test_a_round_opens_in_its_half_year_or_later(world, half, on, field):
    with pytest.raises(ValidationError) as refused:
        exit_round_open(actor=world.erin, year=2025, half=half, on=on)
    assert field in refused.value.message_dict


def test_a_round_may_open_late_after_its_half_year(world):
    exit_round = exit_round_open(actor=world.erin, year=2025, half=2, on=D(2026, 1, 5))
    assert exit_round.opened_on == D(2026, 1, 5)


def test_a_round_does_not_open_in_the_future(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        exit_round_open(actor=world.erin, year=tomorrow.year, half=2, on=tomorrow)
    assert "on" in refused.value.message_dict


# --- the daily task -----------------------------------------------------------------------


@pytest.fixture
def last_year(world):
    """The round before those the tests open: what a running system has."""
    return round_for(world.town_a, world.town_b, year=2024, half=2, opened_on=D(2024, 12, 1))


def opened() -> list[tuple[int, int, datetime.date]]:
    return list(ExitRound.objects.filter(year__gte=2025).values_list("year", "half", "opened_on"))


def test_the_task_opens_the_round_on_the_first_of_the_policys_month(last_year):
    assert exit_rounds_tick(today=D(2025, 5, 31))["opened"] == 0
    assert exit_rounds_tick(today=D(2025, 6, 1))["opened"] == 1
    exit_round = ExitRound.objects.get(year=2025)
    assert (exit_round.year, exit_round.half, exit_round.opened_on) == (2025, 1, D(2025, 6, 1))
    assert exit_round.opened_by is None  # the system


def test_the_task_follows_the_years_months(last_year):
    PolicySettings.objects.create(year=2025, exit_round_first_month=4, exit_round_second_month=10)
    exit_rounds_tick(today=D(2025, 4, 1))
    exit_rounds_tick(today=D(2025, 10, 1))
    assert opened() == [(2025, 2, D(2025, 10, 1)), (2025, 1, D(2025, 4, 1))]


def test_a_new_system_opens_the_latest_round_whose_day_has_come(world):
    exit_rounds_tick(today=D(2025, 3, 1))
    assert list(ExitRound.objects.values_list("year", "half")) == [(2024, 2)]


def test_two_runs_on_one_day_open_one_round(last_year):
    exit_rounds_tick(today=D(2025, 6, 1))
    assert exit_rounds_tick(today=D(2025, 6, 1)) == {"opened": 0, "closing": 0, "closed": 0}
    assert opened() == [(2025, 1, D(2025, 6, 1))]
    assert TownRound.objects.filter(round__year=2025).count() == 2


def test_a_run_after_downtime_opens_the_missed_round_that_day(last_year):
    exit_rounds_tick(today=D(2025, 5, 20))
    exit_rounds_tick(today=D(2025, 8, 10))  # down from 20 May to 10 August
    exit_round = ExitRound.objects.get(year=2025)
    # The towns still get their proposal days: the round opens the day the system is back.
    assert (exit_round.half, exit_round.opened_on) == (1, D(2025, 8, 10))
    assert exit_round.closes_on == D(2025, 9, 8)


def test_a_run_after_months_of_downtime_opens_only_the_latest_round(last_year):
    exit_rounds_tick(today=D(2025, 5, 20))
    exit_rounds_tick(today=D(2025, 12, 15))  # the June and December rounds both missed
    assert opened() == [(2025, 2, D(2025, 12, 15))]
    # The missed first half is never opened afterwards: a later round exists.
    exit_rounds_tick(today=D(2025, 12, 16))
    exit_rounds_tick(today=D(2026, 1, 20))
    assert opened() == [(2025, 2, D(2025, 12, 15))]


def test_a_run_after_new_year_catches_up_last_years_second_round(world, last_year):
    exit_round_open(actor=world.erin, year=2025, half=1, on=D(2025, 6, 1))
    exit_rounds_tick(today=D(2026, 2, 3))
    assert opened() == [(2025, 2, D(2026, 2, 3)), (2025, 1, D(2025, 6, 1))]


def test_a_round_opened_by_hand_is_not_opened_again_by_the_task(world, last_year):
    exit_round_open(actor=world.erin, year=2025, half=1, on=D(2025, 5, 20))
    assert exit_rounds_tick(today=D(2025, 6, 1))["opened"] == 0
    assert ExitRound.objects.get(year=2025).opened_by == world.erin


def test_proposals_stop_the_day_after_the_last_day(world):
    exit_round = exit_round_open(actor=world.erin, year=2025, half=1, on=D(2025, 6, 1))
    exit_case(world.a1, world.alice, exit_round=exit_round)
    exit_rounds_tick(today=D(2025, 6, 30))
    assert set(TownRound.objects.values_list("state", flat=True)) == {"open"}
    exit_rounds_tick(today=D(2025, 7, 1))
    # 乙镇 had no case: nothing to wait for, closed at once; 甲镇 waits for its open case.
    assert states(exit_round) == {"甲镇": "closing", "乙镇": "closed"}
    assert not TownRound.objects.get(town=world.town_a).takes_proposals


def test_a_town_closes_once_none_of_its_cases_is_open(world):
    exit_round = round_for(world.town_a, opened_on=D(2025, 6, 1))
    town_round(exit_round, world.town_a, state=TownRoundState.CLOSING)
    case = exit_case(world.a1, world.alice, exit_round=exit_round, state=ExitState.COUNTY_FILING)
    exit_case(world.a1, world.alice, exit_round=exit_round, state=ExitState.FILED)
    exit_rounds_tick(today=D(2025, 8, 1))
    assert states(exit_round) == {"甲镇": "closing"}
    ExitCase = type(case)
    ExitCase.objects.filter(pk=case.pk).update(state=ExitState.WITHDRAWN)
    assert exit_rounds_tick(today=D(2025, 8, 2))["closed"] == 1
    assert states(exit_round) == {"甲镇": "closed"}


def test_the_task_is_scheduled_daily_and_calls_the_service(world, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["identification-exit-rounds-tick"]
    assert entry["task"] == "identification.exit_rounds_tick"
    assert tasks.exit_rounds_tick.delay().get()["opened"] == 1
    assert tasks.exit_rounds_tick.delay().get()["opened"] == 0
    assert ExitRound.objects.get().opened_by is None
