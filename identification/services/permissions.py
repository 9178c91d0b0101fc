"""Who may take which step of 三(七) in which state: one table, read by the services that
check it and by the pages that offer a button for it.

The year's policy may still refuse a step the table allows (Anhui dropped the group
deliberation in 2024): that rule is the step service's, and ``case_steps`` asks it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models

from organization.models import PolicySettings, Role, User
from suixi_monitor.exceptions import ConflictError

from ..models import CaseState, IdentificationCase
from ..models.case import OPEN_STATES, PUBLICIZING_STATES

VILLAGE = frozenset({Role.VILLAGE_MONITOR})
TOWN = frozenset({Role.TOWN_OFFICIAL})
COUNTY = frozenset({Role.COUNTY_BUREAU})
ANY_STATE = frozenset(CaseState.values)


@dataclass(frozen=True)
class Step:
    """A step's name (the page's URL name too), what it is called when a role is refused
    (“{title}须由…办理”), what it does when a state is refused (“…，不能{doing}”), and the
    rule its service enforces (the API documents it with the step's 400 answer)."""

    name: str
    title: str
    doing: str
    rule: str = ""


VERIFY = Step(
    "verify",
    "村初核",
    "录入村初核",
    "三(七)2：核查组至少两人（村两委、驻村工作队或帮扶人），核查日期不早于申请日期、不晚于今天，"
    "须填写核查情况；初核通过须至少符合三(六)一项识别标准。",
)
DELIBERATE = Step(
    "deliberate",
    "组评议",
    "录入组评议",
    "三(七)3：村民小组须属于该户所在村，实到人数不少于应参会人数的三分之二，赞成人数过半方为通过；"
    "年度政策取消组评议的，直接进行信息比对。",
)
COMPARE = Step(
    "compare",
    "信息比对",
    "进行信息比对",
    "三(七)4：比对日期不早于上一环节，每条比对命中（comparison-hits）都须给出判断和理由。",
)
PUBLICIZE_VILLAGE = Step(
    "publicize_village",
    "村研究确定并公示",
    "录入村研究确定",
    "三(七)5：须填写研究意见，日期不早于信息比对；确定纳入的在村内公示，公示期不少于政策规定天数。",
)
APPROVE_TOWN = Step(
    "approve_town",
    "镇审定",
    "镇审定",
    "三(七)6：村公示期满后审定，须填写审定意见；审定通过须填写镇公示开始日期，公示期不少于政策规定天数。",
)
FILE = Step(
    "file",
    "县备案",
    "县备案",
    "三(七)7：备案日期不早于镇公示期满之日；监测对象类别须与该户2020年底状态相符（三(一)），"
    "至少一种风险类型；公告须为备案日期所在年度的公告，未指定时自动编号。",
)
OBJECTION_LODGE = Step(
    "objection_lodge",
    "登记公示异议",
    "登记异议（只能在公示期间提出）",
    "三(七)5/6：须填写异议内容，提出日期在公示期内。",
)
OBJECTION_DECIDE = Step(
    "objection_decide",
    "处理公示异议",
    "处理公示异议",
    "三(七)6：须填写处理意见；异议成立的，申请退回重新入户核查（复核）；已处理的异议答 409。",
)
CONCLUDE = Step(
    "conclude",
    "结束公示",
    "结束公示",
    "三(七)5/6：公示期满且没有未处理的异议，才能结束公示。",
)
REJECT = Step("reject", "不予通过", "作不予通过处理", "须填写不予通过的原因。")
WITHDRAW = Step("withdraw", "撤回申请", "撤回", "须填写撤回原因。")

# (step, the states it is taken in, the roles that take it there), in the order the page
# offers them. A step may have several rows when who takes it depends on the state.
TABLE: list[tuple[Step, frozenset[str], frozenset[str]]] = [
    (VERIFY, frozenset({CaseState.APPLIED}), VILLAGE),  # 三(七)2
    (DELIBERATE, frozenset({CaseState.VERIFIED}), VILLAGE),  # 三(七)3
    (COMPARE, frozenset({CaseState.VERIFIED, CaseState.DELIBERATED}), COUNTY),  # 三(七)4
    (PUBLICIZE_VILLAGE, frozenset({CaseState.COMPARED}), VILLAGE),  # 三(七)5
    (APPROVE_TOWN, frozenset({CaseState.TOWN_REVIEWING}), TOWN),  # 三(七)6
    (FILE, frozenset({CaseState.COUNTY_FILING}), COUNTY),  # 三(七)7
    # Objections during either publicity, by any user of that town or the bureau.
    (OBJECTION_LODGE, frozenset(PUBLICIZING_STATES), VILLAGE | TOWN | COUNTY),
    # An open objection is decided by the town or the bureau, whatever became of the case.
    (OBJECTION_DECIDE, ANY_STATE, TOWN | COUNTY),
    (CONCLUDE, frozenset(PUBLICIZING_STATES), TOWN | COUNTY),
    # Stopping a case: the level that owns the next step. During a publicity only the town
    # stops a case outright (an objection usually sends it back for 复核 instead).
    (REJECT, frozenset({CaseState.APPLIED, CaseState.COMPARED}), VILLAGE | TOWN),
    (REJECT, frozenset({CaseState.VERIFIED}), VILLAGE | TOWN | COUNTY),
    (REJECT, frozenset({CaseState.DELIBERATED, CaseState.COUNTY_FILING}), COUNTY),
    (
        REJECT,
        frozenset(
            {CaseState.VILLAGE_PUBLICIZING, CaseState.TOWN_REVIEWING, CaseState.TOWN_PUBLICIZING}
        ),
        TOWN,
    ),
    (WITHDRAW, frozenset(OPEN_STATES), VILLAGE | TOWN),
]


@dataclass(frozen=True)
class StepTable:
    """A procedure's table of (step, states, roles) rows and the checks that read it.

    The identification case (三(七)) and the exit case (三(九)) each have one; both refuse
    a role with 403 and a state with 409 in the same words.
    """

    rows: list[tuple[Step, frozenset[str], frozenset[str]]]
    state_choices: type[models.TextChoices]
    noun: str  # "该申请" / "该退出申报": what the 409 message calls the case

    def step_states(self, step: Step) -> set[str]:
        return {state for row_step, states, _ in self.rows if row_step == step for state in states}

    def step_roles(self, step: Step, state: str | None = None) -> set[str]:
        """Who takes ``step`` in ``state``; without a state, in any state it is taken in."""
        return {
            role
            for row_step, states, roles in self.rows
            if row_step == step and (state is None or state in states)
            for role in roles
        }

    def may_take(self, role: str, step: Step, state: str | None = None) -> bool:
        return role in self.step_roles(step, state)

    def require_role(self, actor: User | None, step: Step, state: str | None = None) -> None:
        """Refuse (403) an actor whose role does not take ``step`` (in ``state``, when given)."""
        roles = self.step_roles(step, state)
        if actor is None or actor.role not in roles:
            names = "、".join(Role(r).label for r in sorted(roles))
            where = f"“{self.state_choices(state).label}”环节的" if state else ""
            raise PermissionDenied(f"{where}{step.title}须由{names}办理")

    def require_state(self, case: models.Model, step: Step) -> None:
        """Refuse (409) ``step`` on a case that is not in a state the step is taken in."""
        if case.state not in self.step_states(step):
            raise ConflictError(
                f"{self.noun}当前环节为“{case.get_state_display()}”，不能{step.doing}",
                extra={"state": case.state},
            )

    def steps_now(self, case: models.Model, role: str) -> list[Step]:
        """The steps ``role`` may take on ``case`` now, in the table's order, each once."""
        steps = [
            step for step, states, roles in self.rows if case.state in states and role in roles
        ]
        return list(dict.fromkeys(steps))


CASES = StepTable(TABLE, CaseState, "该申请")
step_states = CASES.step_states
step_roles = CASES.step_roles
may_take = CASES.may_take
require_role = CASES.require_role
require_state = CASES.require_state


def deliberation_required(case: IdentificationCase) -> bool:
    """Whether the year's policy keeps the group deliberation (switched off by Anhui from 2024)."""
    home_check = case.home_checks.first()
    day = home_check.checked_on if home_check else case.applied_on
    return PolicySettings.for_year(day.year).group_deliberation_enabled


def case_steps(case: IdentificationCase, role: str) -> list[Step]:
    """The steps ``role`` may take on ``case`` now, in the table's order.

    A verified case goes to the village's deliberation where the year's policy keeps it,
    else straight to the county's comparison; the two services refuse the other.
    """
    steps = CASES.steps_now(case, role)
    if case.state == CaseState.VERIFIED:
        skip = COMPARE if deliberation_required(case) else DELIBERATE
        steps = [step for step in steps if step != skip]
    return steps


# The steps that do not move a case on towards its filing.
SIDE_STEPS = frozenset({OBJECTION_LODGE, OBJECTION_DECIDE, REJECT, WITHDRAW})
# From the most local level up: who is asked first to take a step several levels may take.
LEVELS = (Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU)


def next_step(case: IdentificationCase) -> tuple[Step, str] | None:
    """The step that moves ``case`` on now and the role responsible for it, read from the
    table: the most local level that has such a step (a publicity is concluded by the town,
    though the bureau may too). None for a closed case."""
    for role in LEVELS:
        for step in case_steps(case, role):
            if step not in SIDE_STEPS:
                return step, role
    return None
