"""The warnings' panel on the county's and the towns' dashboards (三(四)2): this month's
file of each department, sent by the due day or late, and where its warnings stand."""

from __future__ import annotations

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from households.dashboard import AreaColumn, Cell, Chart, DashboardScope, Panel, Series, Table
from organization.models import Department, Role

from .models import MonthlyCycle, State, Upload, Warning, period_label, previous_period
from .selectors import due_dates, item_scope_q

REACHED_TOWN = ~Q(state=State.RECEIVED)
REACHED_VILLAGE = Q(state__in=[State.ASSIGNED, State.VERIFIED, State.CLOSED])
VERIFIED = Q(state__in=[State.VERIFIED, State.CLOSED])


def warnings_panel(scope: DashboardScope) -> Panel:
    period = previous_period(scope.today)  # the data month whose file is due this month
    due, push = due_dates(period)
    rows = list(
        Warning.objects.filter(item_scope_q(scope.user), period=period)
        .order_by()
        .values("department_id", vid=F("village_id"))
        .annotate(
            n=Count("*"),
            received=Count("pk", filter=Q(state=State.RECEIVED)),
            pushed=Count("pk", filter=REACHED_TOWN),
            assigned=Count("pk", filter=REACHED_VILLAGE),
            verified=Count("pk", filter=VERIFIED),
            late=Count("pk", filter=Q(overdue=True)),
        )
    )
    rows = [row for row in rows if scope.area_of(row["vid"]) is not None]
    first_upload = dict(
        Upload.objects.filter(period=period)
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
    keys = ["n", "received", "pushed", "assigned", "verified", "late"]
    per_department = {pk: dict.fromkeys(keys, 0) for pk, _ in departments}
    for row in rows:
        counts = per_department.setdefault(row["department_id"], dict.fromkeys(keys, 0))
        for key in keys:
            counts[key] += row[key]

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
                scope.by_area(rows),
                url=lambda area: scope.link(list_name, area, period=period),
            ),
            AreaColumn("已推送", scope.by_area(rows, value="pushed")),
            AreaColumn("已分派", scope.by_area(rows, value="assigned")),
            AreaColumn("已核实", scope.by_area(rows, value="verified")),
            AreaColumn(
                "超期",
                scope.by_area(rows, value="late"),
                url=None if county else lambda area: scope.link(list_name, area, overdue=1),
                alert=True,
            ),
        ],
    )
