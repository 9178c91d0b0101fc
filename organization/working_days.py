"""Working days on China's official calendar, and the green/orange/red clock of a time limit.

Anhui's 2022 一码申报 rules count their limits in working days (入户核查2个工作日内、
识别20个工作日内办结): the weekends and the statutory holidays are not counted, and the
weekend days the State Council makes working days (调休上班) are. The calendar is the
``chinesecalendar`` package's, which knows each year once the State Council has published
it; a year it does not know (before its first or after its last) is counted as plain
weekdays, Monday to Friday, and ``calendar_known`` tells the policy page so.

Publicity periods stay calendar days: 三(七)5/6 say "公示…时间不少于7天".
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import chinese_calendar
from django.db import models


@lru_cache(maxsize=1)
def _known_years() -> tuple[int, int]:
    years = [day.year for day in chinese_calendar.holidays]
    return min(years), max(years)


def calendar_known(year: int) -> bool:
    """Whether the official calendar of ``year`` is published (else weekdays are counted)."""
    first, last = _known_years()
    return first <= year <= last


@lru_cache(maxsize=4096)
def is_working_day(day: datetime.date) -> bool:
    if calendar_known(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``start`` (before it, for a negative count).

    ``start`` itself is not counted, whatever it is: an application made on a Saturday has
    its first working day on Monday. ``count`` 0 gives ``start``.
    """
    step = 1 if count >= 0 else -1
    day, left = start, abs(count)
    while left:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The working days after ``start`` up to and including ``end`` (negative when ``end`` is
    earlier): ``add_working_days(start, n)`` is the first day for which this gives ``n``."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        is_working_day(start + datetime.timedelta(days=offset))
        for offset in range(1, (end - start).days + 1)
    )


class Clock(models.TextChoices):
    """A time limit's state on a given day, as lists and case pages colour it."""

    GREEN = "green", "正常"
    ORANGE = "orange", "临期"
    RED = "red", "超期"


def clock_on(today: datetime.date, due_on: datetime.date, warn_working_days: int) -> Clock:
    """Red once ``today`` is past ``due_on``; orange from ``warn_working_days`` working days
    before it (the due day itself included); green before that."""
    if today > due_on:
        return Clock.RED
    if today >= add_working_days(due_on, -warn_working_days):
        return Clock.ORANGE
    return Clock.GREEN


def first_start_within(today: datetime.date, count: int) -> datetime.date:
    """The earliest start day whose limit of ``count`` working days has not passed on ``today``.

    A limit that started before it is past (``add_working_days(start, count) < today``): the
    daily marking compares a stored start date with this one day instead of counting per row.
    """
    start = add_working_days(today, -count) if count else today
    while add_working_days(start - datetime.timedelta(days=1), count) >= today:
        start -= datetime.timedelta(days=1)
    return start
