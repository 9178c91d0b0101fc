"""The warnings' panel on the county's and the towns' dashboards (三(四)2): this month's
file of each department, sent by the due day or late, and where its warnings stand."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Min
from django.utils import timezone

from households.dashboard import AreaColumn, Cell, Chart, DashboardScope, Panel, Series, Table
from organization.models import Department, Role

from .models import MonthlyCycle, State, Upload, Warning, period_label, previous_period
from .selectors import due_dates, item_scope_q

REACHED_VILLAGE_STATES = {State.ASSIGNED, State.VERIFIED, State.CLOSED}
VERIFIED_STATES = {State.VERIFIED, State.CLOSED}


def warnings_panel(scope: DashboardScope) -> Panel:
    period = previous_period(scope.today)  # the data month whose file is due this month
    due, push = due_dates(period)
    # Two counts, each from an index alone for the county (see Warning.Meta.indexes): by
    # department, area and state (about a thousand groups, summed here both ways), and the
    # overdue rows. A town reads its own rows, about a thirteenth of the month.
    month = Warning.objects.filter(item_scope_q(scope.user), period=period).order_by()
    area_field = "town_id" if scope.by == "town" else "village_id"
    by_state = list(
        month.values("department_id", "state", area=F(area_field)).annotate(n=Count("*"))
    )
    late_rows = list(
        month.filter(overdue=True)
        .values("department_id", area=F(area_field))
        .annotate(n=Count("*"))
    )
    # Each warning keeps its town and village: grouped by the area compared without a join.

    keys = ["n", "received", "pushed", "assigned", "verified", "late"]

    def add(counts: dict, state: str, n: int) -> None:
        counts["n"] += n
        counts["received"] += n if state == State.RECEIVED else 0
        counts["pushed"] += n if state != State.RECEIVED else 0
        counts["assigned"] += n if state in REACHED_VILLAGE_STATES else 0
        counts["verified"] += n if state in VERIFIED_STATES else 0

    def zero() -> dict[str, int]:
        return dict.fromkeys(keys, 0)

    per_department: dict[int, dict[str, int]] = defaultdict(zero)
    per_area: dict[int, dict[str, int]] = defaultdict(zero)
    for row in by_state:
        add(per_department[row["department_id"]], row["state"], row["n"])
        if scope.has_area(row["area"]):
            add(per_area[row["area"]], row["state"], row["n"])
    for row in late_rows:
        per_department[row["department_id"]]["late"] += row["n"]
        if scope.has_area(row["area"]):
            per_area[row["area"]]["late"] += row["n"]

    def area_column(key: str) -> dict[int, int]:
        return {area: counts[key] for area, counts in per_area.items()}

    first_upload = dict(
        Upload.objects.filter(period=period, is_roster=False)  # a roster is not the file
        .exclude(status=Upload.Status.FAILED)
        .values("department_id")
        .annotate(first=Min("uploaded_at"))
        .values_list("department_id", "first")
    )
    flagged_late = set(
        MonthlyCycle.late_departments.through.objects.filter(
            monthlycycle__period=period
        ).values_list("department_id", flat=True)
    )
    departments = list(Department.objects.order_by("id").values_list("pk", "short_name"))

    def sent(pk: int) -> Cell:
        uploaded = first_upload.get(pk)
        if uploaded is not None:
            on_time = timezone.localdate(uploaded) <= due
            return Cell(
                f"{'按时' if on_time else '逾期'} {timezone.localtime(uploaded):%m-%d}",
                tag="green" if on_time else "red",
                numeric=False,
            )
        if pk in flagged_late or scope.today > due:
            return Cell("逾期未报", tag="red", numeric=False)
        return Cell("未报", tag="orange", numeric=False)

    county = scope.user.role == Role.COUNTY_BUREAU
    list_name = "early_warnings:county" if county else "early_warnings:town_inbox"

    def link(**params) -> str:
        return scope.link(list_name, period=period, **params)

    table_rows = []
    for pk, name in departments:
        counts = per_department[pk]
        table_rows.append(
            [
                Cell(name, numeric=False),
                sent(pk),
                Cell(counts["n"], url=link() if counts["n"] else ""),
                Cell(counts["pushed"]),
                Cell(counts["assigned"]),
                Cell(counts["verified"]),
                Cell(counts["late"], url=link(overdue=1) if counts["late"] and not county else ""),
            ]
        )
    totals = {key: sum(c[key] for c in per_department.values()) for key in keys}
    names = [name for _, name in departments]
    label = period_label(period)
    return Panel(
        key="warnings",
        title=f"{label}部门预警",
        note=(
            f"三(四)2：{label}数据由各部门于{due.month}月{due.day}日前报送，{push.month}月{push.day}日前推送到镇村核实。"
            "已推送、已分派、已核实为到达该环节及以后的条数。"
        ),
        order=40,
        wide=True,
        chart=Chart(
            kind="bar",
            horizontal=True,
            categories=names,
            series=[
                Series("待推送", [per_department[pk]["received"] for pk, _ in departments], "w"),
                Series(
                    "待分派",
                    [
                        per_department[pk]["pushed"] - per_department[pk]["assigned"]
                        for pk, _ in departments
                    ],
                    "w",
                ),
                Series(
                    "待核实",
                    [
                        per_department[pk]["assigned"] - per_department[pk]["verified"]
                        for pk, _ in departments
                    ],
                    "w",
                ),
                Series("已核实", [per_department[pk]["verified"] for pk, _ in departments], "w"),
                Series("超期", [per_department[pk]["late"] for pk, _ in departments]),
            ],
        ),
        table=Table(
            caption=f"{label}各部门报送和预警核实情况（条）",
            header=["部门", "报送", "预警", "已推送", "已分派", "已核实", "超期"],
            rows=table_rows,
            foot=[
                Cell("合计", numeric=False),
                Cell(
                    f"{sum(1 for pk, _ in departments if pk in first_upload)}个部门已报",
                    numeric=False,
                ),
                Cell(totals["n"]),
                Cell(totals["pushed"]),
                Cell(totals["assigned"]),
                Cell(totals["verified"]),
                Cell(totals["late"]),
            ],
        ),
        columns=[
            AreaColumn(
                "本月预警",
                area_column("n"),
                url=lambda area: scope.link(list_name, area, period=period),
            ),
            AreaColumn("已推送", area_column("pushed")),
            AreaColumn("已分派", area_column("assigned")),
            AreaColumn("已核实", area_column("verified")),
            AreaColumn(
                "超期",
                area_column("late"),
                url=None if county else lambda area: scope.link(list_name, area, overdue=1),
                alert=True,
            ),
        ],
    )
