"""The exit foundation (三(九)(十)): rounds, the rate and the shared test builders."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from identification.models import ExitCase, ExitRound, ExitState, wrong_exit_rate
from identification.tests.factories_exits import exit_case, round_for

pytestmark = pytest.mark.django_db


def test_the_rate_is_wrong_over_checked_in_percent():
    assert wrong_exit_rate(1, 50) == Decimal("2.00")
    assert wrong_exit_rate(1, 49) == Decimal("2.04")
    assert wrong_exit_rate(0, 3) == Decimal("0.00")


def test_no_rate_before_anything_is_checked():
    assert wrong_exit_rate(0, 0) is None


def test_one_round_per_half_year(world):
    round_for(world.town_a, year=2026, half=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        round_for(world.town_b, year=2026, half=1)
    assert ExitRound.objects.count() == 1


def test_a_subject_has_one_open_exit_case_at_a_time(world):
    exit_round = round_for(world.town_a)
    case = exit_case(world.a1, world.alice, exit_round=exit_round)
    with pytest.raises(IntegrityError), transaction.atomic():
        exit_case(world.a1, world.alice, exit_round=exit_round, subject=case.subject)
    ExitCase.objects.filter(pk=case.pk).update(state=ExitState.WITHDRAWN)
    again = exit_case(world.a1, world.alice, exit_round=exit_round, subject=case.subject)
    assert again.subject == case.subject


def test_a_filed_case_marks_its_subject_out_on_the_filing_day(world):
    exit_round = round_for(world.town_a)
    case = exit_case(world.a1, world.alice, exit_round=exit_round, state=ExitState.FILED)
    assert case.filed_on == exit_round.opened_on
    assert case.subject.status == "eliminated"
    assert case.subject.ended_on == case.filed_on
