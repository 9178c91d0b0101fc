"""The year-end assessment (考核) per town: 三(九) "评估结果作为年终绩效考核重要依据".

No single score is invented: each figure stands in its own column, headed by the policy line
it answers, so the county weighs them itself. Every figure is an aggregate grouped by town,
read through the selector of the app that owns it, so the table costs the same few queries
for two towns or thirteen.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractQuarter, TruncDate
from django.utils import timezone

from assistance.selectors.work import overdue_visits_by_town, subjects_without_plan
from early_warnings.models import Warning
from early_warnings.selectors import item_scope_q, sweep_list
from identification.models import (
    ExitRound,
    IdentificationCase,
    wrong_exit_rate,
)
from identification.selectors import case_scope_q
from identification.selectors.clock import clock_q
from identification.selectors.exit_rounds import wrong_exit_rates
from organization.models import Department, PolicySettings, Role, Town, User
from organization.working_days import Clock

HALVES = dict(ExitRound.Half.choices)
MSG_NO_ASSESSMENT = "年终考核表由县扶贫局查看，镇（园区）干部查看本镇"


def may_read_assessment(user: User) -> bool:
    """The county opens every town's row; a town official their own town's."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in {Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL}
    )


@dataclass
class Column:
    key: str
    title: str
    clause: str  # the policy line the figure answers, shown in the header

    @property
    def header(self) -> str:
        return f"{self.title}（{self.clause}）"


@dataclass
class Row:
    town_id: int | None  # None: the county's row
    name: str
    figures: dict[str, Any] = field(default_factory=dict)

    def cells(self, columns: Iterable[Column]) -> list[Any]:
        return [self.figures.get(column.key) for column in columns]


@dataclass
class Assessment:
    year: int
    columns: list[Column]
    rows: list[Row]  # one per town in scope, then the county's for the bureau
    notes: list[str]


def assessment(*, user: User, year: int, today: datetime.date | None = None) -> Assessment:
    """The table for ``year``: a row per town of ``user``'s scope (the county adds its row)."""
    today = today or timezone.localdate()
    policy = PolicySettings.for_year(year)
    towns = list(_towns(user).values_list("pk", "name"))
    in_scope = {pk for pk, _ in towns}
    columns = _columns(policy)
    rows = [Row(town_id=pk, name=name) for pk, name in towns]
    by_town = {row.town_id: row for row in rows}
    figures = [
        _exits(user, year),
        _cases_overdue(user, year, today),
        _warnings(user, year, policy),
        {"visits_overdue": overdue_visits_by_town(user=user, today=today)},
        {"without_plan": _count_by_town(subjects_without_plan(user=user), "household__village__town_id")},
    ]  # fmt: skip
    for group in figures:
        for key, per_town in group.items():
            for town_id, value in per_town.items():
                if town_id in in_scope:
                    by_town[town_id].figures[key] = value
    for row in rows:
        _fill_rates(row)
    if user.role == Role.COUNTY_BUREAU:
        rows.append(_county_row(rows, year, today, user))
    return Assessment(year=year, columns=columns, rows=rows, notes=_notes(policy, today, year))


def _towns(user: User):
    qs = Town.objects.order_by("code")
    if user.role == Role.TOWN_OFFICIAL:
        return qs.filter(pk=user.town_id)
    return qs if user.role == Role.COUNTY_BUREAU else qs.none()


def _columns(policy: PolicySettings) -> list[Column]:
    columns = []
    for half, label in HALVES.items():
        columns += [
            Column(f"exits_{half}", f"{label}退出户数", "三(九)、三(十) 退出每半年一次"),
            Column(f"checked_{half}", f"{label}抽查户数", "三(九) 县级抽查评估"),
            Column(f"wrong_{half}", f"{label}错退户数", "三(九) 县级抽查评估"),
            Column(
                f"rate_{half}",
                f"{label}错退率（%）",
                f"三(九) 错退率超过{policy.wrong_exit_limit}%需重新审核认定",
            ),
            Column(f"round_{half}", f"{label}批次状态", "三(九) 重新审核认定"),
        ]
    return columns + [
        Column(
            "cases_overdue",
            "超期未办结的识别申请",
            f"三(七) 识别程序；入户核查{policy.home_check_working_days}个工作日、"
            f"识别{policy.identification_working_days}个工作日内办结（自申请日起），超过为超期",
        ),
        Column("warnings_pushed", "推送核实的部门预警", "三(四)2 每月15日前反馈到镇村核实"),
        Column(
            "warnings_on_time",
            "按期核实的预警",
            f"三(四)2 推送后{policy.warning_verify_days}{_day_word(policy)}内核实",
        ),
        Column("warnings_late", "超期核实或未核实的预警", "三(四)2 核实时限"),
        Column("visits_overdue", "帮扶走访超期的监测对象", "三(八)1 帮扶责任人定期上门走访"),
        Column("without_plan", "尚无帮扶方案的监测对象", "三(八)1 一户一方案"),
        Column("sweeps", "部门季度排查（完成/应完成）", "三(四)1 每季度不少于1次大排查"),
    ]


def _count_by_town(qs, town: str) -> dict[int, int]:
    rows = qs.order_by().values(area=F(town)).annotate(n=Count("*"))
    return {row["area"]: row["n"] for row in rows}


def _exits(user: User, year: int) -> dict[str, dict[int, Any]]:
    """Exits filed in each round of the year (reverted ones too: they were filed), the spot
    check's verdicts so far, and each town round's state: the rounds' own rates table
    (``wrong_exit_rates``), laid out by town."""
    found: dict[str, dict[int, Any]] = defaultdict(dict)
    for rate in wrong_exit_rates(user=user, year=year):
        town_round = rate.town_round
        town_id, half = town_round.town_id, town_round.round.half
        if rate.filed:
            found[f"exits_{half}"][town_id] = rate.filed
        if rate.spot_check is not None:
            found[f"wrong_{half}"][town_id] = rate.wrong
            found[f"checked_{half}"][town_id] = rate.checked
        found[f"round_{half}"][town_id] = town_round.get_state_display()
    return found


def _fill_rates(row: Row) -> None:
    for half in HALVES:
        rate = wrong_exit_rate(row.figures.get(f"wrong_{half}"), row.figures.get(f"checked_{half}"))
        row.figures[f"rate_{half}"] = rate


def _cases_overdue(user: User, year: int, today: datetime.date) -> dict[str, dict[int, int]]:
    """Applications of the year still open and past their limit today (red on the clock)."""
    qs = IdentificationCase.objects.filter(
        case_scope_q(user), clock_q(Clock.RED, today=today), applied_on__year=year
    )
    return {"cases_overdue": _count_by_town(qs, "household__village__town_id")}


def _warnings(user: User, year: int, policy: PolicySettings) -> dict[str, dict[int, int]]:
    """Warnings pushed in the year; on time when verified by the last day of the limit after
    the push, the same count ``early_warnings.services.mark_overdue`` keeps."""
    if policy.warning_verify_working_days:
        return _warnings_in_working_days(user, year, policy)
    days = policy.warning_verify_days
    # Whole days of the county's clock, as the daily overdue marking counts them; a date
    # difference, not a truncated timestamp, which PostgreSQL would compare in UTC.
    waited = ExpressionWrapper(
        TruncDate("verified_at") - TruncDate("pushed_at"), output_field=DurationField()
    )
    rows = (
        Warning.objects.filter(item_scope_q(user), pushed_at__year=year)
        .alias(waited=waited)
        .order_by()
        .values("town_id")
        .annotate(
            pushed=Count("*"),
            on_time=Count("pk", filter=Q(waited__lte=datetime.timedelta(days=days))),
        )
    )
    return _warning_figures((row["town_id"], row["pushed"], row["on_time"]) for row in rows)


def _warnings_in_working_days(
    user: User, year: int, policy: PolicySettings
) -> dict[str, dict[int, int]]:
    """The same count where the limit is in working days: the database groups the warnings
    by town, push day and verification day (a few pushes a month), and each push day's last
    day comes from the calendar (``organization.working_days``)."""
    rows = (
        Warning.objects.filter(item_scope_q(user), pushed_at__year=year)
        .order_by()
        .values("town_id", pushed_on=TruncDate("pushed_at"), verified_on=TruncDate("verified_at"))
        .annotate(n=Count("*"))
    )
    pushed: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    for row in rows:
        pushed[row["town_id"]] += row["n"]
        due = policy.warning_verify_due_on(row["pushed_on"])
        if row["verified_on"] is not None and row["verified_on"] <= due:
            on_time[row["town_id"]] += row["n"]
    return _warning_figures((town, n, on_time[town]) for town, n in pushed.items())


def _warning_figures(rows: Iterable[tuple[int, int, int]]) -> dict[str, dict[int, int]]:
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for town_id, pushed, on_time in rows:
        found["warnings_pushed"][town_id] = pushed
        found["warnings_on_time"][town_id] = on_time
        found["warnings_late"][town_id] = pushed - on_time
    return found


def _county_row(rows: list[Row], year: int, today: datetime.date, user: User) -> Row:
    """The county's totals, and the departments' quarterly sweeps, which are the county's."""
    county = Row(town_id=None, name="全县合计")
    for key in {key for row in rows for key in row.figures}:
        values = [row.figures.get(key) for row in rows]
        numbers = [value for value in values if isinstance(value, int)]
        if numbers and not key.startswith("round_"):
            county.figures[key] = sum(numbers)
    _fill_rates(county)
    county.figures["sweeps"] = _sweeps(user, year, today)
    return county


def _sweeps(user: User, year: int, today: datetime.date) -> str:
    """三(四)1: (department, quarter) pairs with a sweep, against those due so far."""
    quarters = 4 if year < today.year else (today.month - 1) // 3 + 1 if year == today.year else 0
    done = (
        sweep_list(user=user)
        .filter(carried_out_on__year=year)
        .order_by()
        .values("department_id", quarter=ExtractQuarter("carried_out_on"))
        .distinct()
        .count()
    )
    return f"{done}/{Department.objects.count() * quarters}"


def _notes(policy: PolicySettings, today: datetime.date, year: int) -> list[str]:
    return [
        "错退率 = 错退户数 ÷ 已抽查户数（三(九)）；抽查未完成的批次按已出结论的户数计算。",
        f"超期未办结的识别申请、帮扶走访超期和尚无帮扶方案为截至{today:%Y年%m月%d日}的情况。",
        f"预警按{year}年内推送的计算；核实时限为推送后{policy.warning_verify_days}{_day_word(policy)}。",
    ]


def _day_word(policy: PolicySettings) -> str:
    return "个工作日" if policy.warning_verify_working_days else "天"


def rate_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}"
