"""Identification's panel on the county's and the towns' dashboards (三(七)): the open
applications by step, and those that have waited in their step longer than the limit."""

from __future__ import annotations

from django.db.models import Count, F, Q

from households.dashboard import AreaColumn, Cell, Chart, DashboardScope, Panel, Series, Table
from organization.models import PolicySettings

from .models import CaseState, IdentificationCase
from .models.case import OPEN_STATES
from .selectors import case_scope_q, overdue_cutoff


def cases_panel(scope: DashboardScope) -> Panel:
    rows = list(
        IdentificationCase.objects.filter(case_scope_q(scope.user), state__in=OPEN_STATES)
        .order_by()
        .values("state", vid=F("household__village_id"))
        .annotate(n=Count("*"), late=Count("pk", filter=Q(state_changed_at__lt=overdue_cutoff())))
    )
    rows = [row for row in rows if scope.area_of(row["vid"]) is not None]
    open_by_state = dict.fromkeys(OPEN_STATES, 0)
    late_by_state = dict.fromkeys(OPEN_STATES, 0)
    for row in rows:
        open_by_state[row["state"]] += row["n"]
        late_by_state[row["state"]] += row["late"]
    labels = [CaseState(state).label for state in OPEN_STATES]
    days = PolicySettings.current(scope.today).case_overdue_days
    return Panel(
        key="cases",
        title="识别申请办理情况",
        note=f"三(七)：户申请、村初核、镇审定、县备案；在当前环节停留超过{days}天的为超期。",
        order=30,
        chart=Chart(
            kind="bar",
            horizontal=True,
            categories=labels,
            series=[
                Series("未超期", [open_by_state[s] - late_by_state[s] for s in OPEN_STATES], "c"),
                Series("超期", [late_by_state[s] for s in OPEN_STATES], "c"),
            ],
        ),
        table=Table(
            caption="办理中的识别申请，按环节（件）",
            header=["环节", "办理中", "其中超期"],
            rows=[
                [
                    Cell(label, numeric=False),
                    Cell(open_by_state[state], url=scope.link("identification:list", state=state)),
                    Cell(
                        late_by_state[state],
                        url=scope.link("identification:list", state=state, overdue="true")
                        if late_by_state[state]
                        else "",
                    ),
                ]
                for state, label in zip(OPEN_STATES, labels, strict=True)
            ],
            foot=[
                Cell("合计", numeric=False),
                Cell(sum(open_by_state.values()), url=scope.link("identification:list")),
                Cell(sum(late_by_state.values())),
            ],
        ),
        columns=[
            AreaColumn(
                "办理中",
                scope.by_area(rows),
                url=lambda area: scope.link("identification:list", area, queue="open"),
            ),
            AreaColumn(
                "超期",
                scope.by_area(rows, value="late"),
                url=lambda area: scope.link("identification:list", area, overdue="true"),
                alert=True,
            ),
        ],
    )
