"""三(九) 抽查评估: the county's reproducible sample of a town's filed exits, the verdicts and
the wrong-exit rate; a rate strictly above the limit sends the town's round to re-review."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from identification.models import (
    ExitCase,
    ExitState,
    SpotCheck,
    SpotCheckItem,
    TownRound,
    TownRoundState,
)
from identification.services import spot_check_close, spot_check_draw, spot_check_record
from identification.services.spot_checks import sample_size
from identification.tests.factories_exits import (
    closed_with_filed_exits,
    exit_case,
    round_for,
    town_round,
)
from organization.models import Notification, PolicySettings
from suixi_monitor.exceptions import ApplicationError, ConflictError

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def sampled_cases(spot_check: SpotCheck) -> list[int]:
    return list(spot_check.items.order_by("position").values_list("exit_case_id", flat=True))


def check_all(spot_check: SpotCheck, actor, *, wrong: int = 0) -> None:
    """Record every sampled household: the first ``wrong`` wrong, the rest correct."""
    for index, item in enumerate(spot_check.items.order_by("position")):
        spot_check_record(
            actor=actor,
            item=item,
            verdict="wrong" if index < wrong else "correct",
            wrong_reason="income" if index < wrong else "",
            note="",
            checked_on=TODAY(),
        )


# --- the size ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "size"),
    [(1, 1), (2, 2), (3, 3), (10, 3), (30, 3), (31, 4), (40, 4), (41, 5), (100, 10), (101, 11)],
)
def test_the_sample_is_ten_percent_rounded_up_at_least_three_all_if_fewer(population, size):
    assert sample_size(population=population, percent=10, minimum=3) == size


def test_the_draw_takes_its_size_from_the_years_policy(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=12)
    PolicySettings.objects.create(year=town.round.year, spot_check_percent=50, spot_check_min=2)
    spot_check = spot_check_draw(actor=world.erin, town_round=town)
    assert (spot_check.population, spot_check.sample_size) == (12, 6)
    assert spot_check.items.count() == 6


def test_a_town_with_fewer_exits_than_the_minimum_is_checked_whole(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=2)
    spot_check = spot_check_draw(actor=world.erin, town_round=town)
    assert spot_check.sample_size == 2
    assert set(sampled_cases(spot_check)) == set(town.exit_cases.values_list("pk", flat=True))


def test_only_filed_exits_are_drawn(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=3)
    exit_case(world.a1, world.alice, exit_round=town.round, state=ExitState.WITHDRAWN)
    spot_check = spot_check_draw(actor=world.erin, town_round=town)
    assert spot_check.population == 3
    filed = ExitCase.objects.filter(state=ExitState.FILED).values_list("pk", flat=True)
    assert set(sampled_cases(spot_check)) == set(filed)


# --- reproducible and fixed -------------------------------------------------------------


def test_the_seed_is_stored_and_the_same_seed_draws_the_same_households(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=40)
    first = spot_check_draw(actor=world.erin, town_round=town, seed="suixi-2026-1")
    drawn = sampled_cases(first)
    assert first.seed == "suixi-2026-1"
    ids = sorted(town.exit_cases.values_list("pk", flat=True))
    assert drawn == random.Random("suixi-2026-1").sample(ids, 4)
    # Drawn again from the same list with the same seed (the check put aside for the test):
    first.items.all().delete()
    first.delete()
    again = spot_check_draw(actor=world.erin, town_round=town, seed="suixi-2026-1")
    assert sampled_cases(again) == drawn


def test_the_draw_reads_the_exits_in_id_order_whatever_order_they_were_filed(world):
    """The list is sorted by id, not by the model's order (newest proposal first) or by the
    order of filing: the same seed gives the same households."""
    exit_round = round_for(world.town_a)
    cases = [
        exit_case(world.a1, world.alice, exit_round=exit_round, state=ExitState.FILED)
        for _ in range(12)
    ]
    for days, case in enumerate(reversed(cases)):  # the newest id proposed first
        ExitCase.objects.filter(pk=case.pk).update(
            proposed_on=exit_round.opened_on + datetime.timedelta(days=days),
            filed_on=exit_round.opened_on + datetime.timedelta(days=days),
        )
    town = town_round(exit_round, world.town_a, state=TownRoundState.CLOSED)
    spot_check = spot_check_draw(actor=world.erin, town_round=town, seed="7")
    expected = random.Random("7").sample(sorted(c.pk for c in cases), 3)
    assert sampled_cases(spot_check) == expected


def test_a_seed_is_generated_when_none_is_given(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=3)
    spot_check = spot_check_draw(actor=world.erin, town_round=town)
    assert len(spot_check.seed) == 16
    ids = sorted(town.exit_cases.values_list("pk", flat=True))
    assert sampled_cases(spot_check) == random.Random(spot_check.seed).sample(ids, 3)


def test_the_sample_is_fixed_once_drawn(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=5)
    spot_check = spot_check_draw(actor=world.erin, town_round=town, seed="a")
    with pytest.raises(ConflictError):
        spot_check_draw(actor=world.erin, town_round=town, seed="b")
    assert SpotCheck.objects.get().seed == "a"
    assert sampled_cases(spot_check) == sampled_cases(SpotCheck.objects.get())


# --- the draw refused ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "frank", "grace"])
def test_only_the_county_draws(world, who):
    town = closed_with_filed_exits(world.a1, world.alice, count=3)
    with pytest.raises(PermissionDenied):
        spot_check_draw(actor=getattr(world, who), town_round=town)
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize("state", ["open", "closing", "re_review"])
def test_the_draw_waits_until_the_towns_round_is_closed(world, state):
    exit_round = round_for(world.town_a)
    exit_case(world.a1, world.alice, exit_round=exit_round, state=ExitState.FILED)
    town = town_round(exit_round, world.town_a, state=state)
    with pytest.raises(ConflictError):
        spot_check_draw(actor=world.erin, town_round=town)


def test_a_round_without_filed_exits_has_nothing_to_draw(world):
    exit_round = round_for(world.town_a)
    exit_case(world.a1, world.alice, exit_round=exit_round, state=ExitState.WITHDRAWN)
    town = town_round(exit_round, world.town_a, state=TownRoundState.CLOSED)
    with pytest.raises(ApplicationError) as refused:
        spot_check_draw(actor=world.erin, town_round=town)
    assert refused.value.field == "town_round"


def test_a_seed_longer_than_64_characters_is_refused(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=3)
    with pytest.raises(ValidationError):
        spot_check_draw(actor=world.erin, town_round=town, seed="x" * 65)


# --- verdicts ---------------------------------------------------------------------------


@pytest.fixture
def check(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=3)
    return spot_check_draw(actor=world.erin, town_round=town, seed="s")


def first_item(check: SpotCheck) -> SpotCheckItem:
    return check.items.order_by("position").first()


def record_first(check: SpotCheck, actor, **fields) -> SpotCheckItem:
    """A verdict on the first household drawn, checked today unless told."""
    fields.setdefault("checked_on", TODAY())
    return spot_check_record(actor=actor, item=first_item(check), **fields)


def test_a_checker_records_a_wrong_exit_with_its_reason(world, check):
    item = record_first(
        check, world.erin, verdict="wrong", wrong_reason="guarantees", note="住房仍为C级危房"
    )
    item.refresh_from_db()
    assert (item.verdict, item.wrong_reason, item.checked_by) == ("wrong", "guarantees", world.erin)
    assert item.history.first().history_user == world.erin


def test_a_correct_exit_keeps_no_wrong_reason(world, check):
    item = record_first(check, world.erin, verdict="correct", wrong_reason="income")
    assert item.wrong_reason == ""


@pytest.mark.parametrize(
    ("verdict", "reason", "field"),
    [("wrong", "", "wrong_reason"), ("wrong", "guess", "wrong_reason"), ("", "", "verdict")],
)
def test_a_verdict_is_correct_or_wrong_with_a_reason_from_the_list(
    world, check, verdict, reason, field
):
    with pytest.raises(ValidationError) as refused:
        record_first(check, world.erin, verdict=verdict, wrong_reason=reason)
    assert field in refused.value.message_dict


def test_a_check_date_is_not_in_the_future(world, check):
    with pytest.raises(ValidationError) as refused:
        record_first(
            check, world.erin, verdict="correct", checked_on=TODAY() + datetime.timedelta(days=1)
        )
    assert "checked_on" in refused.value.message_dict


@pytest.mark.parametrize("who", ["alice", "carol", "frank", "grace"])
def test_only_the_county_records_verdicts(world, check, who):
    with pytest.raises(PermissionDenied):
        record_first(check, getattr(world, who), verdict="correct")


def test_a_verdict_may_be_corrected_until_the_check_is_closed(world, check):
    item = first_item(check)
    spot_check_record(actor=world.erin, item=item, verdict="correct", checked_on=TODAY())
    spot_check_record(
        actor=world.erin, item=item, verdict="wrong", wrong_reason="other", checked_on=TODAY()
    )
    assert SpotCheckItem.objects.get(pk=item.pk).verdict == "wrong"
    check_all(check, world.erin)
    spot_check_close(actor=world.erin, spot_check=check)
    with pytest.raises(ConflictError):
        spot_check_record(actor=world.erin, item=item, verdict="wrong", checked_on=TODAY())


# --- closing and the rate -----------------------------------------------------------------


def test_a_check_closes_only_when_every_household_has_a_verdict(world, check):
    spot_check_record(
        actor=world.erin, item=first_item(check), verdict="correct", checked_on=TODAY()
    )
    with pytest.raises(ApplicationError, match="还有2户未录入"):
        spot_check_close(actor=world.erin, spot_check=check)


@pytest.mark.parametrize("who", ["carol", "alice"])
def test_only_the_county_closes_a_check(world, check, who):
    check_all(check, world.erin)
    with pytest.raises(PermissionDenied):
        spot_check_close(actor=getattr(world, who), spot_check=check)


def test_a_closed_check_is_not_closed_again(world, check):
    check_all(check, world.erin)
    spot_check_close(actor=world.erin, spot_check=check)
    with pytest.raises(ConflictError):
        spot_check_close(actor=world.erin, spot_check=check)


def close_with(world, *, filed: int, wrong: int, percent: int = 100, minimum: int = 3):
    """A town whose check samples ``filed`` × ``percent`` % with ``wrong`` wrong, closed."""
    town = closed_with_filed_exits(world.a1, world.alice, count=filed)
    PolicySettings.objects.update_or_create(
        year=town.round.year, defaults={"spot_check_percent": percent, "spot_check_min": minimum}
    )
    spot_check = spot_check_draw(actor=world.erin, town_round=town)
    check_all(spot_check, world.erin, wrong=wrong)
    spot_check = spot_check_close(actor=world.erin, spot_check=spot_check)
    return spot_check, TownRound.objects.get(pk=town.pk)


def test_exactly_two_percent_passes(world):
    spot_check, town = close_with(world, filed=50, wrong=1)
    assert (spot_check.wrong_count, spot_check.checked_count) == (1, 50)
    assert spot_check.rate == Decimal("2.00")
    assert spot_check.limit == Decimal("2.00")
    assert not spot_check.over_limit
    assert town.state == TownRoundState.CLOSED


def test_just_above_two_percent_sends_the_town_to_re_review(world):
    spot_check, town = close_with(world, filed=49, wrong=1)
    assert spot_check.rate == Decimal("2.04")
    assert spot_check.over_limit
    assert town.state == TownRoundState.RE_REVIEW


def test_the_rate_is_over_the_checked_sample_with_the_percent_and_minimum(world):
    # 10 % of 30 filed is 3 households, at least 3: one wrong of three is 33.33 %.
    spot_check, town = close_with(world, filed=30, wrong=1, percent=10, minimum=3)
    assert (spot_check.sample_size, spot_check.wrong_count, spot_check.checked_count) == (3, 1, 3)
    assert spot_check.rate == Decimal("33.33")
    assert town.state == TownRoundState.RE_REVIEW


def test_no_wrong_exit_passes(world):
    spot_check, town = close_with(world, filed=10, wrong=0, percent=10, minimum=3)
    assert spot_check.rate == Decimal("0.00")
    assert town.state == TownRoundState.CLOSED


def test_the_limit_is_the_years_and_is_kept_at_closing(world):
    town = closed_with_filed_exits(world.a1, world.alice, count=10)
    PolicySettings.objects.create(
        year=town.round.year, wrong_exit_limit=Decimal("40.00"), spot_check_min=3
    )
    spot_check = spot_check_draw(actor=world.erin, town_round=town)
    check_all(spot_check, world.erin, wrong=1)  # 1 of 3: 33.33 %, under 40 %
    spot_check = spot_check_close(actor=world.erin, spot_check=spot_check)
    PolicySettings.objects.filter(year=town.round.year).update(wrong_exit_limit=Decimal("2.00"))
    spot_check.refresh_from_db()
    assert spot_check.limit == Decimal("40.00")
    assert not spot_check.over_limit


def test_over_the_limit_the_town_and_the_county_are_told(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        close_with(world, filed=3, wrong=1)
    told = {n.recipient.username: n.message for n in Notification.objects.all()}
    assert set(told) == {"carol", "erin"}
    assert "重新审核认定" in told["carol"]
    assert "1户/抽查3户" in told["erin"]
