"""The clock of each open case, read in the database: green, orange (临期) or red (超期).

A case stores its limit, ``due_on`` (kept by ``identification.services.clock``); the colour
is a comparison of that date with today. Red once today is past it; orange from
``clock_warn_working_days`` working days before it, the due day included, which is
``today <= due_on <= add_working_days(today, warn)`` — the same answer as
``organization.working_days.clock_on`` for every day, so lists, counts and the daily
notifications filter with one indexed range. The warning window is the current year's
setting (the county's list has one colour per case, whatever year it was applied in).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from organization.models import PolicySettings
from organization.working_days import Clock, add_working_days

from ..models.case import OPEN_STATES

CLOCK_CHOICES = [(clock.value, clock.label) for clock in Clock]


def clock_today() -> datetime.date:
    """Today on the county's calendar: the one reading of the date every clock answer uses."""
    return timezone.localdate()


def last_orange_day(today: datetime.date) -> datetime.date:
    """The last due day that is orange today (a later one is still green)."""
    warn = PolicySettings.current(today).clock_warn_working_days
    return add_working_days(today, warn)


def clock_q(
    clock: str,
    *,
    today: datetime.date,
    prefix: str = "",
    last_orange: datetime.date | None = None,
) -> Q:
    """The open cases whose clock is ``clock`` on ``today`` (``last_orange``, when the caller
    has it, saves reading the year's setting again)."""
    open_q = Q(**{f"{prefix}state__in": OPEN_STATES, f"{prefix}due_on__isnull": False})
    due = f"{prefix}due_on"
    if clock == Clock.RED:
        return open_q & Q(**{f"{due}__lt": today})
    last_orange = last_orange or last_orange_day(today)
    if clock == Clock.ORANGE:
        return open_q & Q(**{f"{due}__gte": today, f"{due}__lte": last_orange})
    if clock == Clock.GREEN:
        return open_q & Q(**{f"{due}__gt": last_orange})
    raise ValueError(clock)


def clock_annotation(today: datetime.date) -> Case:
    """The clock as a column: ``""`` for a closed case."""
    last_orange = last_orange_day(today)
    return Case(
        When(~Q(state__in=OPEN_STATES) | Q(due_on__isnull=True), then=Value("")),
        When(due_on__lt=today, then=Value(Clock.RED.value)),
        When(due_on__lte=last_orange, then=Value(Clock.ORANGE.value)),
        default=Value(Clock.GREEN.value),
        output_field=CharField(),
    )


@dataclass
class ClockCounts:
    """Open cases by colour, for one area (a village, a town) or a total."""

    green: int = 0
    orange: int = 0
    red: int = 0

    @property
    def total(self) -> int:
        return self.green + self.orange + self.red

    def add(self, other: ClockCounts) -> None:
        self.green += other.green
        self.orange += other.orange
        self.red += other.red


@dataclass
class ClockSummary:
    """The counts per village and per town of a list of cases, and their total."""

    villages: list[dict] = field(default_factory=list)
    towns: list[dict] = field(default_factory=list)
    total: ClockCounts = field(default_factory=ClockCounts)


def clock_count_columns(today: datetime.date, prefix: str = "") -> dict[str, Count]:
    """``green``, ``orange`` and ``red`` as aggregates over open cases (one query with them).
    Each counts the due days its filter requires, so that the dashboards' count of the open
    cases reads the index of (state, village, due day) alone."""
    last_orange = last_orange_day(today)
    return {
        clock.value: Count(
            f"{prefix}due_on",
            filter=clock_q(clock, today=today, prefix=prefix, last_orange=last_orange),
        )
        for clock in Clock
    }


def clock_summary(cases: QuerySet, *, today: datetime.date) -> ClockSummary:
    """Open cases of ``cases`` by colour per village and per town: one query."""
    rows = (
        cases.filter(state__in=OPEN_STATES)
        .order_by()
        .values(
            "village_id",
            "village__name",
            "village__town_id",
            "village__town__name",
        )
        .annotate(**clock_count_columns(today))
    )
    summary = ClockSummary()
    towns: dict[int, dict] = {}
    per_town: dict[int, ClockCounts] = defaultdict(ClockCounts)
    for row in sorted(rows, key=lambda r: (r["village__town_id"], r["village__name"])):
        counts = ClockCounts(row["green"], row["orange"], row["red"])
        town_id = row["village__town_id"]
        towns.setdefault(town_id, {"id": town_id, "name": row["village__town__name"]})
        per_town[town_id].add(counts)
        summary.total.add(counts)
        summary.villages.append(
            {
                "id": row["village_id"],
                "name": row["village__name"],
                "town": row["village__town__name"],
                "counts": counts,
            }
        )
    summary.towns = [{**town, "counts": per_town[town_id]} for town_id, town in towns.items()]
    return summary
