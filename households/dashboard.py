"""The county's and each town's home: the whole area at a glance, from scoped aggregates.

The registry draws the panels it knows (monitoring subjects by category, new and exited
per month); the apps above it add theirs through ``register_dashboard_panel`` from their
``AppConfig.ready()`` (identification its cases by step, early_warnings the month's
warnings per department, assistance help coverage once it has one), so this app never
imports them, as ``register_detail_action`` does for the household page.

A panel is built by one function from the ``DashboardScope`` (who looks, which areas are
compared: the county's towns, or a town's villages) and answers a ``Panel``: a chart with
the same figures as a table (for print and screen readers), and columns for the table of
areas side by side, each figure linked into the list it counts. Every figure is an
aggregate the database computes, grouped by village and summed into areas here, so a
dashboard makes the same number of queries whatever the county's size.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from organization.models import Role, User
from organization.selectors import town_list, village_list

from .models import Household, MonitoringSubject, VillageHouseholdCount
from .selectors import household_scope_q, kept_village_scope_q

MONTHS_SHOWN = 12


# --- what a panel answers ------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    pk: int
    name: str


@dataclass
class DashboardScope:
    """Who looks and what is compared: the county compares its towns, a town its villages."""

    user: User
    today: datetime.date
    by: str  # "town" or "village": the filter each list takes for one area
    areas: list[Area]
    village_area: dict[int, int]  # village id → the area (town or village) it counts in
    _urls: dict[str, str] = field(default_factory=dict, repr=False)

    def area(self) -> F:
        """What a panel's rows are grouped by in the database: the area compared, reached from
        the row's ``village`` (the county's rows by town, a town's by village), so a panel
        reads a few rows per area however many are counted."""
        return F("village__town_id" if self.by == "town" else "village_id")

    @cached_property
    def area_ids(self) -> frozenset[int]:
        return frozenset(area.pk for area in self.areas)

    def has_area(self, pk: int | None) -> bool:
        return pk in self.area_ids

    def link(self, name: str, area: int | None = None, **params: Any) -> str:
        """The URL of list ``name``, narrowed to ``area`` and ``params`` where given."""
        query = {self.by: area} if area is not None else {}
        query.update({key: value for key, value in params.items() if value not in (None, "")})
        url = self._urls.get(name) or self._urls.setdefault(name, reverse(name))
        return f"{url}?{urlencode(query)}" if query else url

    @property
    def months(self) -> list[str]:
        """The last ``MONTHS_SHOWN`` months, oldest first, this month last ("YYYY-MM")."""
        month = self.today.replace(day=1)
        found = []
        for _ in range(MONTHS_SHOWN):
            found.append(f"{month:%Y-%m}")
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        return found[::-1]

    @property
    def first_month_day(self) -> datetime.date:
        year, month = self.months[0].split("-")
        return datetime.date(int(year), int(month), 1)

    def by_area(self, rows: Iterable[dict], key: str = "area", value: str = "n") -> dict:
        """Rows grouped by ``area()`` summed per area compared (a row of another is left out)."""
        totals: dict[int, int] = defaultdict(int)
        for row in rows:
            if row[key] in self.area_ids:
                totals[row[key]] += row[value] or 0
        return dict(totals)


@dataclass
class Series:
    name: str
    data: list[int]
    stack: str = ""


@dataclass
class Chart:
    """What dashboard.js draws with ECharts: ``bar`` (``horizontal`` for long labels), ``line``
    or ``pie``; each series has a value per category."""

    kind: str
    categories: list[str]
    series: list[Series]
    horizontal: bool = False

    def as_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "horizontal": self.horizontal,
                "categories": self.categories,
                "series": [{"name": s.name, "data": s.data, "stack": s.stack} for s in self.series],
            },
            ensure_ascii=False,
        )


@dataclass
class Cell:
    value: Any
    url: str = ""
    tag: str = ""  # "red", "green", "orange": shown as a tag
    numeric: bool = True
    alert: bool = False  # shown red (a figure that should be zero)


@dataclass
class Table:
    """The figures of a panel as rows, for print and screen readers (and the chart's data)."""

    caption: str
    header: list[str]
    rows: list[list[Cell]]
    foot: list[Cell] | None = None


@dataclass
class AreaColumn:
    """One figure per area in the table of areas side by side, linked into its list."""

    label: str
    values: dict[int, int]
    url: Callable[[int | None], str] | None = None
    alert: bool = False  # a figure that should be zero (overdue, late) shows red

    def cell(self, area: int | None) -> Cell:
        value = self.total if area is None else self.values.get(area, 0)
        return Cell(
            value, url=self.url(area) if self.url and value else "", alert=self.alert and value > 0
        )

    @property
    def total(self) -> int:
        return sum(self.values.values())


@dataclass
class Panel:
    key: str
    title: str
    note: str = ""
    chart: Chart | None = None
    table: Table | None = None
    columns: list[AreaColumn] = field(default_factory=list)
    order: int = 100
    wide: bool = False


@dataclass
class Dashboard:
    scope: DashboardScope
    panels: list[Panel]

    @property
    def column_groups(self) -> list[Panel]:
        return [panel for panel in self.panels if panel.columns]

    @property
    def area_rows(self) -> list[tuple[Area, str, list[Cell]]]:
        """Each area, the link to its households, and its cell in every panel's columns."""
        rows = []
        for area in self.scope.areas:
            cells = [
                column.cell(area.pk) for panel in self.column_groups for column in panel.columns
            ]
            rows.append((area, self.scope.link("households:list", area.pk), cells))
        return rows

    @property
    def area_totals(self) -> list[Cell]:
        return [column.cell(None) for panel in self.column_groups for column in panel.columns]


# --- the registry ------------------------------------------------------------------------

DashboardPanel = Callable[[DashboardScope], Panel | None]
DASHBOARD_PANELS: list[DashboardPanel] = []


def register_dashboard_panel(panel: DashboardPanel) -> DashboardPanel:
    """Add a panel to the county's and the towns' dashboards; call from ``AppConfig.ready``
    (usable as a decorator). The function gets the ``DashboardScope`` and returns a
    ``Panel``, or ``None`` where it has nothing for this user. Help coverage (三(八)1) is
    meant to come from ``assistance`` this way."""
    if panel not in DASHBOARD_PANELS:
        DASHBOARD_PANELS.append(panel)
    return panel


def dashboard_scope(*, user: User, today: datetime.date | None = None) -> DashboardScope | None:
    """The county bureau compares its towns, a town official the town's villages; others
    have no dashboard."""
    today = today or timezone.localdate()
    villages = village_list(user=user).order_by("code")
    if user.role == Role.COUNTY_BUREAU:
        rows = list(villages.values_list("pk", "town_id"))
        areas = [Area(pk, name) for pk, name in town_list(user=user).values_list("pk", "name")]
        return DashboardScope(user, today, "town", areas, dict(rows))
    if user.role == Role.TOWN_OFFICIAL:
        rows = list(villages.values_list("pk", "name"))
        areas = [Area(pk, name) for pk, name in rows]
        return DashboardScope(user, today, "village", areas, {pk: pk for pk, _ in rows})
    return None


def build_dashboard(*, user: User, today: datetime.date | None = None) -> Dashboard | None:
    scope = dashboard_scope(user=user, today=today)
    if scope is None:
        return None
    with aggregates_planned():
        panels = [panel for build in DASHBOARD_PANELS if (panel := build(scope)) is not None]
    panels.sort(key=lambda panel: panel.order)
    return Dashboard(scope=scope, panels=panels)


@contextmanager
def aggregates_planned() -> Iterator[None]:
    """The panels' counts in one read transaction that tells PostgreSQL how this work is
    best done (``SET LOCAL``, so for this transaction only, as ingestion sets its work_mem).

    Every count is of rows the server holds in memory, so an index probe costs about what a
    page read in order does (random_page_cost 1.1, not the default 4 for spinning disks):
    with it, the open cases and the monitored households are found by their keys instead of
    hashing all 300,000 households. And no parallel workers: on the county's two-core server,
    shared with the web workers, starting them cost more than they saved. Nor JIT: the
    overdue help visits (a computed date per monitored subject) crossed its cost threshold,
    and compiling took 45–80 ms of a 300 ms count. Measured in bench/README.md; nothing
    changes on SQLite.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('random_page_cost', '1.1', true),"
            " set_config('max_parallel_workers_per_gather', '0', true),"
            " set_config('jit', 'off', true)"
        )
        yield


# --- the registry's own panels -------------------------------------------------------------


def _subjects(scope: DashboardScope):
    return MonitoringSubject.objects.filter(kept_village_scope_q(scope.user))


@register_dashboard_panel
def subjects_panel(scope: DashboardScope) -> Panel:
    """三(一): monitoring subjects by category; the households and those below the line beside."""
    households = Household.objects.filter(household_scope_q(scope.user))
    # All households from the count each village keeps (one row a village); those below the
    # line from a partial index that holds only them.
    all_rows = (
        VillageHouseholdCount.objects.filter(village_id__in=list(scope.village_area))
        .order_by()
        .values(area=scope.area())
        .annotate(n=Sum("households"))
    )
    below_rows = (
        households.filter(below_income_line=True)
        .order_by()
        .values(area=scope.area())
        .annotate(n=Count("*"))
    )
    monitored = (
        _subjects(scope)
        .filter(status=MonitoringSubject.Status.MONITORING)
        .order_by()
        .values("category", area=scope.area())
        .annotate(n=Count("*"))
    )
    by_category: dict[str, dict[int, int]] = {
        value: {} for value in MonitoringSubject.Category.values
    }
    for row in monitored:
        if scope.has_area(row["area"]):
            by_category[row["category"]][row["area"]] = row["n"]
    categories = MonitoringSubject.Category.choices
    totals = [sum(by_category[value].values()) for value, _ in categories]
    monitoring = MonitoringSubject.Status.MONITORING
    return Panel(
        key="subjects",
        title="监测对象",
        note="三(一)：脱贫不稳定户、边缘易致贫户、突发严重困难户（监测中）。",
        order=10,
        chart=Chart(
            kind="pie",
            categories=[label for _, label in categories],
            series=[Series("监测中", totals)],
        ),
        table=Table(
            caption="监测中的监测对象（户）",
            header=["类别", "户数"],
            rows=[
                [
                    Cell(label, numeric=False),
                    Cell(
                        total,
                        url=scope.link(
                            "households:subject_list", category=value, status=monitoring
                        ),
                    ),
                ]
                for (value, label), total in zip(categories, totals, strict=True)
            ],
            foot=[
                Cell("合计", numeric=False),
                Cell(sum(totals), url=scope.link("households:subject_list", status=monitoring)),
            ],
        ),
        columns=[
            AreaColumn(
                "农户",
                scope.by_area(all_rows),
                url=lambda area: scope.link("households:list", area),
            ),
            AreaColumn(
                "低于监测线",
                scope.by_area(below_rows),
                url=lambda area: scope.link("households:list", area, below_line=1),
            ),
            *[
                AreaColumn(
                    label,
                    by_category[value],
                    url=lambda area, value=value: scope.link(
                        "households:subject_list", area, category=value, status=monitoring
                    ),
                )
                for value, label in categories
            ],
        ],
    )


@register_dashboard_panel
def subjects_monthly_panel(scope: DashboardScope) -> Panel:
    """三(九)(十): subjects newly monitored and marked risk-eliminated, month by month."""
    months = scope.months
    since = scope.first_month_day
    started = (
        _subjects(scope)
        .filter(started_on__gte=since, started_on__lte=scope.today)
        .order_by()
        .values(area=scope.area(), month=TruncMonth("started_on"))
        .annotate(n=Count("*"))
    )
    ended = (
        _subjects(scope)
        .filter(
            status=MonitoringSubject.Status.ELIMINATED,
            ended_on__gte=since,
            ended_on__lte=scope.today,
        )
        .order_by()
        .values(area=scope.area(), month=TruncMonth("ended_on"))
        .annotate(n=Count("*"))
    )
    started, ended = list(started), list(ended)

    def per_month(rows) -> list[int]:
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            if scope.has_area(row["area"]):
                counts[f"{row['month']:%Y-%m}"] += row["n"]
        return [counts.get(month, 0) for month in months]

    new, out = per_month(started), per_month(ended)
    labels = [f"{int(m[:4])}年{int(m[5:])}月" for m in months]
    return Panel(
        key="subjects_monthly",
        title="近12个月新纳入与风险消除",
        note="按纳入监测日期和风险消除日期（三(九)）逐月统计。",
        order=20,
        chart=Chart(
            kind="bar",
            categories=[f"{int(m[5:])}月" for m in months],
            series=[Series("新纳入", new), Series("风险消除", out)],
        ),
        table=Table(
            caption="近12个月新纳入和风险消除的监测对象（户）",
            header=["月份", "新纳入", "风险消除"],
            rows=[
                [Cell(label, numeric=False), Cell(n), Cell(o)]
                for label, n, o in zip(labels, new, out, strict=True)
            ],
            foot=[Cell("合计", numeric=False), Cell(sum(new)), Cell(sum(out))],
        ),
        columns=[
            AreaColumn(
                "近12月新纳入",
                scope.by_area(started),
                url=lambda area: scope.link("households:subject_list", area),
            ),
            AreaColumn(
                "近12月风险消除",
                scope.by_area(ended),
                url=lambda area: scope.link(
                    "households:subject_list", area, status=MonitoringSubject.Status.ELIMINATED
                ),
            ),
        ],
    )


__all__ = [
    "DASHBOARD_PANELS",
    "Area",
    "AreaColumn",
    "Cell",
    "Chart",
    "Dashboard",
    "DashboardScope",
    "Panel",
    "Series",
    "Table",
    "build_dashboard",
    "register_dashboard_panel",
]
