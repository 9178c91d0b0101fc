"""The identification procedures as data: for each, an ordered table of its steps.

三(七) as the 2021 plan has it (户申请、村初核、组评议、信息比对、村研究公示、镇审定公示、县备案),
and Anhui's 2024 procedure (承诺授权申请、入户核查、村民主评议、村级公示 with the data
comparison during it、乡镇审核、县级审定公告). Each row names the step, the states it is taken
in, the state it leads to, the roles that take it there and the service that records it. The
case's state machine (``IdentificationCase.take_step``), the permission checks (``StepTable``),
the case page's buttons, its path and timeline, the notices and the API's actions all read the
table of the case's own procedure (``IdentificationCase.procedure``, fixed when it is opened).

``StepTable`` is shared with the exit case (三(九)), which has one table of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db import models

from organization.models import IdentificationProcedure, Role
from suixi_monitor.exceptions import ConflictError

from .states import OPEN_STATES, PUBLICIZING_STATES, CaseState

VILLAGE = frozenset({Role.VILLAGE_MONITOR})
TOWN = frozenset({Role.TOWN_OFFICIAL})
COUNTY = frozenset({Role.COUNTY_BUREAU})
ANY_STATE = frozenset(CaseState.values)


@dataclass(frozen=True)
class Step:
    """A step's name (the page's URL name and the API action too), what it is called when a
    role is refused (“{title}须由…办理”), what it does when a state is refused (“…，不能{doing}”),
    and the rule its service enforces (the API documents it with the step's 400 answer)."""

    name: str
    title: str
    doing: str
    rule: str = ""


@dataclass(frozen=True, eq=False)
class StepTable:
    """A procedure's table of (step, states, roles) rows and the checks that read it.

    Each identification procedure and the exit case (三(九)) have one; all refuse a role with
    403 and a state with 409 in the same words. Steps are matched by name.
    """

    rows: list[tuple[Step, frozenset[str], frozenset[str]]]
    state_choices: type[models.TextChoices]
    noun: str  # "该申请" / "该退出申报": what the 409 message calls the case
    labels: tuple[tuple[str, str], ...] = ()  # state labels of this procedure, where they differ

    def label(self, state: str) -> str:
        return dict(self.labels).get(state) or self.state_choices(state).label

    def step_states(self, step: Step) -> set[str]:
        return {s for row, states, _ in self.rows if row.name == step.name for s in states}

    def step_roles(self, step: Step, state: str | None = None) -> set[str]:
        """Who takes ``step`` in ``state``; without a state, in any state it is taken in."""
        return {
            role
            for row, states, roles in self.rows
            if row.name == step.name and (state is None or state in states)
            for role in roles
        }

    def may_take(self, role: str, step: Step, state: str | None = None) -> bool:
        return role in self.step_roles(step, state)

    def require_role(self, actor, step: Step, state: str | None = None) -> None:
        """Refuse (403) an actor whose role does not take ``step`` (in ``state``, when given)."""
        roles = self.step_roles(step, state)
        if actor is None or actor.role not in roles:
            names = "、".join(Role(r).label for r in sorted(roles))
            where = f"“{self.label(state)}”环节的" if state else ""
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


@dataclass(frozen=True)
class Row:
    """One row of a procedure: ``step`` taken in ``states`` by ``roles`` leads to ``leads_to``
    (None: the case stays where it is), recorded by ``services`` (names in
    ``identification.services``)."""

    step: Step
    states: frozenset[str]
    roles: frozenset[str]
    leads_to: str | None = None
    services: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Procedure:
    key: str
    name: str  # "2024年安徽省识别程序": what a refusal calls it
    path: tuple[str, ...]  # the states a case passes, in order, to the filing
    rows: tuple[Row, ...]
    labels: tuple[tuple[str, str], ...] = ()
    texts: dict[str, str] = field(default_factory=dict)  # the public notices' wording

    @property
    def label(self) -> str:
        return IdentificationProcedure(self.key).label

    @cached_property
    def table(self) -> StepTable:
        rows = [(row.step, row.states, row.roles) for row in self.rows]
        return StepTable(rows, CaseState, "该申请", self.labels)

    def step(self, name: str) -> Step | None:
        return next((row.step for row in self.rows if row.step.name == name), None)

    def require_step(self, name: str) -> Step:
        """The procedure's step ``name``; a step it does not have answers 409, naming it."""
        step = self.step(name)
        if step is None:
            raise ConflictError(
                f"该申请按{self.name}办理，没有{STEP_TITLES.get(name, name)}环节",
                extra={"procedure": self.key},
            )
        return step

    def title(self, name: str) -> str:
        """The step's name as this procedure calls it (民主评议, 乡镇审核, 县级审定公告…)."""
        step = self.step(name)
        return step.title if step else STEP_TITLES.get(name, name)

    def leads_to(self, name: str, state: str) -> str | None:
        """Where ``name`` taken in ``state`` leads; the state itself where the case stays."""
        for row in self.rows:
            if row.step.name == name and state in row.states:
                return row.leads_to or state
        raise ValueError(f"{self.name}：{state} 环节没有 {name} 步骤")

    def state_label(self, state: str) -> str:
        return self.table.label(state)

    @property
    def states(self) -> list[tuple[str, str]]:
        """The path as (state, label), as the case page shows it."""
        return [(state, self.state_label(state)) for state in self.path]

    @property
    def compares_during_publicity(self) -> bool:
        """Anhui 2024: the comparison runs during the village publicity, which cannot end
        before it is recorded."""
        return CaseState.VILLAGE_PUBLICIZING in self.table.step_states(COMPARE)


# --- the steps ----------------------------------------------------------------------------

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
    "三(七)3：村民小组须属于该户所在村，实到人数不少于应参会人数的三分之二，赞成人数过半方为通过。",
)
COMPARE = Step(
    "compare",
    "信息比对",
    "进行信息比对",
    "三(七)4：比对日期不早于组评议日期，每条比对命中（comparison-hits）都须给出判断和理由。",
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

# Anhui 2024: the steps it has that the 2021 plan does not, and its wording of shared ones.
CONSENT = Step(
    "consent",
    "承诺授权",
    "登记承诺授权",
    "2024年安徽省识别程序：须有农户签字的承诺授权（同意核查家庭收入、财产等信息），授权日期不晚于今天；"
    "可附签字授权书的扫描件或照片（JPG、PNG或PDF，大小有上限）。农户自主申请的在申请时登记，"
    "由预警、线索或走访发起的在入户核查前登记。",
)
VERIFY_2024 = Step(
    "verify",
    "入户核查",
    "录入入户核查",
    "核查组至少两人（村两委、驻村工作队或帮扶人），须已登记农户的承诺授权；核查日期不早于申请日期、"
    "不晚于今天，须填写核查情况；核查通过须至少符合三(六)一项识别标准。",
)
DELIBERATE_VILLAGE = Step(
    "deliberate_village",
    "民主评议",
    "录入民主评议",
    "2024年安徽省识别程序：在村级召开一次民主评议会（不再进行组评议），有效到会比例和通过比例"
    "按年度政策参数（三(七)3）：实到人数达到应参会人数的规定比例，赞成人数超过实到人数的规定比例方为通过。",
)
PUBLICIZE_VILLAGE_2024 = Step(
    "publicize_village",
    "村级公示",
    "开始村级公示",
    "民主评议通过后在村内公示，须填写研究意见，日期不早于民主评议日期，公示期不少于政策规定天数；"
    "公示期间由县扶贫局进行信息比对。",
)
COMPARE_2024 = Step(
    "compare",
    "信息比对",
    "进行信息比对",
    "2024年安徽省识别程序：在村级公示期间由县扶贫局比对，每次公示比对一次，比对日期不早于公示开始日期；"
    "每条比对命中（comparison-hits）都须给出判断和理由。",
)
CONCLUDE_2024 = Step(
    "conclude",
    "结束公示",
    "结束公示",
    "公示期满、没有未处理的异议，且县扶贫局已录入本次公示期间的信息比对结果，才能结束村级公示。",
)
REVIEW_TOWN = Step(
    "review_town",
    "乡镇审核",
    "乡镇审核",
    "村级公示期满后由乡镇审核，审核日期不早于公示期满之日，须填写审核意见；审核通过的报县级审定，"
    "不再进行镇公示。",
)
APPROVE_COUNTY = Step(
    "approve_county",
    "县级审定公告",
    "县级审定公告",
    "审定日期不早于乡镇审核日期；监测对象类别须与该户2020年底状态相符（三(一)），至少一种风险类型；"
    "公告须为审定日期所在年度的公告，未指定时自动编号。",
)

S = CaseState

SUIXI_2021 = Procedure(
    key=IdentificationProcedure.SUIXI_2021,
    name="2021年濉溪县识别程序",
    path=(
        S.APPLIED,
        S.VERIFIED,
        S.DELIBERATED,
        S.COMPARED,
        S.VILLAGE_PUBLICIZING,
        S.TOWN_REVIEWING,
        S.TOWN_PUBLICIZING,
        S.COUNTY_FILING,
        S.FILED,
    ),
    # In the order the page offers them; a step has several rows when who takes it, or where
    # it leads, depends on the state.
    rows=(
        Row(VERIFY, frozenset({S.APPLIED}), VILLAGE, S.VERIFIED, ("case_verify",)),  # 三(七)2
        Row(
            DELIBERATE,
            frozenset({S.VERIFIED}),
            VILLAGE,
            S.DELIBERATED,
            ("case_record_deliberation",),
        ),  # 三(七)3
        Row(COMPARE, frozenset({S.DELIBERATED}), COUNTY, S.COMPARED, ("case_compare",)),  # 三(七)4
        Row(
            PUBLICIZE_VILLAGE,
            frozenset({S.COMPARED}),
            VILLAGE,
            S.VILLAGE_PUBLICIZING,
            ("case_publicize_village",),
        ),  # 三(七)5
        Row(
            APPROVE_TOWN,
            frozenset({S.TOWN_REVIEWING}),
            TOWN,
            S.TOWN_PUBLICIZING,
            ("case_approve_town",),
        ),  # 三(七)6
        Row(FILE, frozenset({S.COUNTY_FILING}), COUNTY, S.FILED, ("case_file",)),  # 三(七)7
        # Objections during either publicity, by any user of that town or the bureau.
        Row(
            OBJECTION_LODGE,
            frozenset(PUBLICIZING_STATES),
            VILLAGE | TOWN | COUNTY,
            None,
            ("objection_lodge",),
        ),
        # An open objection is decided by the town or the bureau, whatever became of the case.
        Row(
            OBJECTION_DECIDE,
            ANY_STATE,
            TOWN | COUNTY,
            None,
            ("objection_uphold", "objection_dismiss"),
        ),
        Row(
            CONCLUDE,
            frozenset({S.VILLAGE_PUBLICIZING}),
            TOWN | COUNTY,
            S.TOWN_REVIEWING,
            ("publicity_conclude",),
        ),
        Row(
            CONCLUDE,
            frozenset({S.TOWN_PUBLICIZING}),
            TOWN | COUNTY,
            S.COUNTY_FILING,
            ("publicity_conclude",),
        ),
        # Stopping a case: the level that owns the next step. During a publicity only the
        # town stops a case outright (an objection usually sends it back for 复核 instead).
        Row(
            REJECT, frozenset({S.APPLIED, S.COMPARED}), VILLAGE | TOWN, S.REJECTED, ("case_reject",)
        ),
        Row(REJECT, frozenset({S.VERIFIED}), VILLAGE | TOWN | COUNTY, S.REJECTED, ("case_reject",)),
        Row(
            REJECT,
            frozenset({S.DELIBERATED, S.COUNTY_FILING}),
            COUNTY,
            S.REJECTED,
            ("case_reject",),
        ),
        Row(
            REJECT,
            frozenset({S.VILLAGE_PUBLICIZING, S.TOWN_REVIEWING, S.TOWN_PUBLICIZING}),
            TOWN,
            S.REJECTED,
            ("case_reject",),
        ),
        Row(WITHDRAW, frozenset(OPEN_STATES), VILLAGE | TOWN, S.WITHDRAWN, ("case_withdraw",)),
    ),
    texts={
        "village_subtitle": "经农户申请、村入户核查、村民小组评议、信息比对及村两委研究，"
        "拟将下列农户纳入防止返贫监测对象，现予公示。",
        "announcement_title": "濉溪县防止返贫监测对象备案公告",
        "announcement_subtitle": "经农户申请、村初核、镇审定并公示无异议，县扶贫局备案，"
        "下列农户纳入防止返贫监测对象，现予公告。",
    },
)

ANHUI_2024_OPEN = (
    S.APPLIED,
    S.VERIFIED,
    S.DELIBERATED,
    S.VILLAGE_PUBLICIZING,
    S.TOWN_REVIEWING,
    S.COUNTY_FILING,
)
ANHUI_2024 = Procedure(
    key=IdentificationProcedure.ANHUI_2024,
    name="2024年安徽省识别程序",
    path=(*ANHUI_2024_OPEN, S.FILED),
    labels=(
        (S.APPLIED, "已申请（待入户核查）"),
        (S.VERIFIED, "已核查（待民主评议）"),
        (S.DELIBERATED, "已评议（待村级公示）"),
        (S.VILLAGE_PUBLICIZING, "村级公示中（信息比对）"),
        (S.TOWN_REVIEWING, "待乡镇审核"),
        (S.COUNTY_FILING, "待县级审定公告"),
        (S.FILED, "已审定公告"),
    ),
    rows=(
        Row(CONSENT, frozenset({S.APPLIED}), VILLAGE, None, ("case_record_consent",)),
        Row(VERIFY_2024, frozenset({S.APPLIED}), VILLAGE, S.VERIFIED, ("case_verify",)),
        Row(
            DELIBERATE_VILLAGE,
            frozenset({S.VERIFIED}),
            VILLAGE,
            S.DELIBERATED,
            ("case_record_village_deliberation",),
        ),
        Row(
            PUBLICIZE_VILLAGE_2024,
            frozenset({S.DELIBERATED}),
            VILLAGE,
            S.VILLAGE_PUBLICIZING,
            ("case_publicize_village",),
        ),
        # The comparison runs during the village publicity: the case stays where it is.
        Row(COMPARE_2024, frozenset({S.VILLAGE_PUBLICIZING}), COUNTY, None, ("case_compare",)),
        Row(
            REVIEW_TOWN,
            frozenset({S.TOWN_REVIEWING}),
            TOWN,
            S.COUNTY_FILING,
            ("case_review_town",),
        ),
        Row(
            APPROVE_COUNTY,
            frozenset({S.COUNTY_FILING}),
            COUNTY,
            S.FILED,
            ("case_approve_county",),
        ),
        Row(
            OBJECTION_LODGE,
            frozenset({S.VILLAGE_PUBLICIZING}),
            VILLAGE | TOWN | COUNTY,
            None,
            ("objection_lodge",),
        ),
        Row(
            OBJECTION_DECIDE,
            ANY_STATE,
            TOWN | COUNTY,
            None,
            ("objection_uphold", "objection_dismiss"),
        ),
        Row(
            CONCLUDE_2024,
            frozenset({S.VILLAGE_PUBLICIZING}),
            TOWN | COUNTY,
            S.TOWN_REVIEWING,
            ("publicity_conclude",),
        ),
        Row(
            REJECT,
            frozenset({S.APPLIED, S.DELIBERATED}),
            VILLAGE | TOWN,
            S.REJECTED,
            ("case_reject",),
        ),
        Row(REJECT, frozenset({S.VERIFIED}), VILLAGE | TOWN | COUNTY, S.REJECTED, ("case_reject",)),
        Row(
            REJECT,
            frozenset({S.VILLAGE_PUBLICIZING, S.TOWN_REVIEWING}),
            TOWN,
            S.REJECTED,
            ("case_reject",),
        ),
        Row(REJECT, frozenset({S.COUNTY_FILING}), COUNTY, S.REJECTED, ("case_reject",)),
        Row(WITHDRAW, frozenset(ANHUI_2024_OPEN), VILLAGE | TOWN, S.WITHDRAWN, ("case_withdraw",)),
    ),
    texts={
        "village_subtitle": "经农户申请并承诺授权、村入户核查、村民主评议，拟将下列农户纳入防止返贫"
        "监测对象，现予公示；公示期间同步开展信息比对。",
        "announcement_title": "濉溪县防止返贫监测对象审定公告",
        "announcement_subtitle": "经农户申请、村入户核查和民主评议、村级公示及信息比对、乡镇审核，"
        "县级审定，下列农户纳入防止返贫监测对象，现予公告。",
    },
)

PROCEDURES: dict[str, Procedure] = {p.key: p for p in (SUIXI_2021, ANHUI_2024)}

# Every step name with its first title, for the refusal of a step a procedure lacks.
STEP_TITLES: dict[str, str] = {}
for _procedure in PROCEDURES.values():
    for _row in _procedure.rows:
        STEP_TITLES.setdefault(_row.step.name, _row.step.title)


def procedure_for(key: str) -> Procedure:
    return PROCEDURES[key]
