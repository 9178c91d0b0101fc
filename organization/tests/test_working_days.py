"""The working-day calendar and clock that the time limits read (Anhui's 2022 一码申报 rules:
入户核查2个工作日内、20个工作日内办结), across the 2025 National Day week: 1–8 October off,
Sunday 28 September and Saturday 11 October made working days (调休上班)."""

import datetime

import pytest

from organization.working_days import (
    Clock,
    add_working_days,
    calendar_known,
    clock_on,
    is_working_day,
    working_days_between,
)

D = datetime.date


def test_the_national_day_week_and_its_working_weekend_days():
    assert is_working_day(D(2025, 9, 28))  # a Sunday, worked
    assert all(not is_working_day(D(2025, 10, day)) for day in range(1, 9))
    assert is_working_day(D(2025, 10, 9))
    assert is_working_day(D(2025, 10, 11))  # a Saturday, worked
    assert not is_working_day(D(2025, 10, 12))  # an ordinary Sunday


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # the holiday is skipped
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday, then the worked Sunday
        (D(2025, 9, 30), 2, D(2025, 10, 10)),
        (D(2025, 10, 9), 2, D(2025, 10, 11)),  # the worked Saturday counts
        (D(2025, 10, 4), 1, D(2025, 10, 9)),  # applied during the holiday
        (D(2025, 10, 9), 0, D(2025, 10, 9)),
        (D(2025, 10, 9), -1, D(2025, 9, 30)),
        (D(2025, 10, 10), -3, D(2025, 9, 29)),
    ],
)
def test_add_working_days(start, count, expected):
    assert add_working_days(start, count) == expected


def test_working_days_between_is_the_inverse_of_adding():
    start = D(2025, 9, 25)
    for count in range(0, 25):
        end = add_working_days(start, count)
        assert working_days_between(start, end) == count
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1


def test_a_year_the_calendar_does_not_know_counts_weekdays():
    assert calendar_known(2025)
    assert not calendar_known(2099)
    # 1 October 2099 is a Thursday: no holiday is known, so it is a working day.
    assert is_working_day(D(2099, 10, 1))
    assert not is_working_day(D(2099, 10, 3))  # Saturday
    assert add_working_days(D(2099, 10, 2), 1) == D(2099, 10, 5)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 9, 26), Clock.GREEN),
        (D(2025, 9, 28), Clock.GREEN),  # four working days before the limit
        (D(2025, 9, 29), Clock.ORANGE),  # three working days before it
        (D(2025, 10, 5), Clock.ORANGE),  # during the holiday
        (D(2025, 10, 10), Clock.ORANGE),  # the due day itself
        (D(2025, 10, 11), Clock.RED),
    ],
)
def test_clock_turns_orange_three_working_days_before_and_red_after(today, expected):
    assert clock_on(today, D(2025, 10, 10), 3) == expected
