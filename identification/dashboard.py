"""Identification's panel on the county's and the towns' dashboards (三(七)): the open
applications by step, and by their clock (green, orange 临期, red 超期: Anhui's 2022 一码申报
limits in working days, ``identification.selectors.clock``), per town or village."""

from __future__ import annotations

from django.db.models import Count

from households.dashboard import AreaColumn, Cell, Chart, DashboardScope, Panel, Series, Table
from organization.models import IdentificationProcedure, PolicySettings
from organization.working_days import Clock

from .models import IdentificationCase
from .models.case import OPEN_STATES
from .procedures import procedure_for
from .selectors import case_scope_q
from .selectors.clock import clock_count_columns

COLOURS = [Clock.GREEN, Clock.ORANGE, Clock.RED]


def step_label(state: str, procedures: set[str]) -> str:
    """The step as the procedures of the cases in it name it (三(七) in 2021, Anhui's in 2024):
    "待镇审定／待乡镇审核" while cases of both years are open, one name otherwise."""
    names = dict.fromkeys(
        procedure_for(procedure).state_label(state)
        for procedure in IdentificationProcedure.values
        if procedure in procedures
    )
    return "／".join(names)


def cases_panel(scope: DashboardScope) -> Panel:
    rows = list(
        IdentificationCase.objects.filter(case_scope_q(scope.user), state__in=OPEN_STATES)
        .order_by()
        .values("state", "procedure", area=scope.area())
        .annotate(n=Count("*"), **clock_count_columns(scope.today))
    )
    rows = [row for row in rows if scope.has_area(row["area"])]
    by_state = {state: dict.fromkeys(["n", *COLOURS], 0) for state in OPEN_STATES}
    followed: dict[str, set[str]] = {state: set() for state in OPEN_STATES}
    for row in rows:
        followed[row["state"]].add(row["procedure"])
        for key in by_state[row["state"]]:
            by_state[row["state"]][key] += row[key]
    policy = PolicySettings.current(scope.today)
    labels = [
        step_label(state, followed[state] or {policy.identification_procedure})
        for state in OPEN_STATES
    ]

    def colour_cell(state: str | None, clock: Clock) -> Cell:
        value = (
            by_state[state][clock] if state else sum(counts[clock] for counts in by_state.values())
        )
        filters = {"state": state} if state else {}
        return Cell(
            value,
            url=scope.link("identification:list", clock=clock.value, **filters) if value else "",
            alert=clock == Clock.RED and value > 0,
        )

    return Panel(
        key="cases",
        title="识别申请办理情况",
        note=(
            f"三(七)：户申请、村初核、镇审定、县备案。自申请日起，入户核查{policy.home_check_working_days}"
            f"个工作日内完成、识别{policy.identification_working_days}个工作日内办结；"
            f"到期前{policy.clock_warn_working_days}个工作日为临期，超过时限为超期。"
        ),
        order=30,
        chart=Chart(
            kind="bar",
            horizontal=True,
            categories=labels,
            series=[
                Series(clock.label, [by_state[s][clock] for s in OPEN_STATES], "c")
                for clock in COLOURS
            ],
        ),
        table=Table(
            caption="办理中的识别申请，按环节和时限（件）",
            header=["环节", "办理中", *(clock.label for clock in COLOURS)],
            rows=[
                [
                    Cell(label, numeric=False),
                    Cell(by_state[state]["n"], url=scope.link("identification:list", state=state)),
                    *(colour_cell(state, clock) for clock in COLOURS),
                ]
                for state, label in zip(OPEN_STATES, labels, strict=True)
            ],
            foot=[
                Cell("合计", numeric=False),
                Cell(sum(c["n"] for c in by_state.values()), url=scope.link("identification:list")),
                *(colour_cell(None, clock) for clock in COLOURS),
            ],
        ),
        columns=[
            AreaColumn(
                "办理中",
                scope.by_area(rows),
                url=lambda area: scope.link("identification:list", area, queue="open"),
            ),
            AreaColumn(
                "临期",
                scope.by_area(rows, value=Clock.ORANGE.value),
                url=lambda area: scope.link("identification:list", area, clock="orange"),
            ),
            AreaColumn(
                "超期",
                scope.by_area(rows, value=Clock.RED.value),
                url=lambda area: scope.link("identification:list", area, clock="red"),
                alert=True,
            ),
        ],
    )
