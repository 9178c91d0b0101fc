"""The help panel of the county's and each town's dashboard (三(八)): how many monitored
subjects have an active plan (一户一方案), how many are still unpaired, and whose help
visit is overdue — per area, from aggregates grouped by area."""

from __future__ import annotations

from django.db.models import Count, Q

from households.dashboard import AreaColumn, Cell, Chart, DashboardScope, Panel, Series, Table
from households.models import MonitoringSubject
from households.selectors import kept_village_scope_q

from .models import PlanState
from .selectors.visits import interval_days, overdue_counts


def help_panel(scope: DashboardScope) -> Panel:
    # Each subject keeps whether its plan is active and whether a helper is paired with it
    # (assistance/signals.py): one pass over the monitored subjects' index, no plan or pairing
    # read (measured in bench/README.md).
    rows = list(
        MonitoringSubject.objects.filter(
            kept_village_scope_q(scope.user), status=MonitoringSubject.Status.MONITORING
        )
        .order_by()
        .values(area=scope.area())
        .annotate(
            n=Count("*"),
            active=Count("help_plan_active", filter=Q(help_plan_active=True)),
            unpaired=Count("help_paired", filter=Q(help_paired=False)),
        )
    )
    overdue = list(overdue_counts(user=scope.user, today=scope.today, by=scope.area()))
    rows = [row for row in rows if scope.has_area(row["area"])]
    overdue = [row for row in overdue if scope.has_area(row["area"])]
    total = sum(row["n"] for row in rows)
    active = sum(row["active"] for row in rows)
    unpaired = sum(row["unpaired"] for row in rows)
    late = sum(row["n"] for row in overdue)
    interval = interval_days(scope.today)
    labels = ["有实施中方案", "尚无实施中方案", "未结对", "帮扶走访逾期"]
    figures = [active, total - active, unpaired, late]
    links = [
        scope.link("assistance:plan_list", state=PlanState.ACTIVE),
        "",
        scope.link("assistance:unpaired"),
        scope.link("assistance:visits_due", overdue=1),
    ]
    return Panel(
        key="help",
        title="帮扶工作",
        note=(
            f"三(八)1：一户一方案，帮扶责任人定期上门走访（每{interval}天至少一次）。"
            f"监测中 {total} 户。"
        ),
        order=40,
        chart=Chart(kind="bar", categories=labels, series=[Series("户数", figures)]),
        table=Table(
            caption="监测中对象的帮扶情况（户）",
            header=["项目", "户数"],
            rows=[
                [Cell(label, numeric=False), Cell(value, url=url if value else "")]
                for label, value, url in zip(labels, figures, links, strict=True)
            ],
        ),
        columns=[
            AreaColumn(
                "有实施中方案",
                scope.by_area(rows, value="active"),
                url=lambda area: scope.link("assistance:plan_list", area, state=PlanState.ACTIVE),
            ),
            AreaColumn(
                "未结对",
                scope.by_area(rows, value="unpaired"),
                url=lambda area: scope.link("assistance:unpaired", area),
                alert=True,
            ),
            AreaColumn(
                "走访逾期",
                scope.by_area(overdue),
                url=lambda area: scope.link("assistance:visits_due", area, overdue=1),
                alert=True,
            ),
        ],
    )
