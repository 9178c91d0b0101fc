"""Who may take which step of an exit case (三(九)) in which state: one table, read by the
services that check it, by the pages that offer a button for it and by the API's schema.

"由村级上报拟退出名单，镇组织评估公示……并报县扶贫局备案": the village proposes and checks at
the door, the town evaluates and publicises, the county files.
"""

from __future__ import annotations

from ..models import ExitState
from ..models.exits import EXIT_OPEN_STATES
from .permissions import COUNTY, TOWN, VILLAGE, Step, StepTable

ANY_EXIT_STATE = frozenset(ExitState.values)

PROPOSE = Step(
    "propose",
    "村级上报拟退出",
    "上报拟退出",
    "三(九)(十)：仅在本镇退出批次申报期内上报；上报日期不晚于今天；须填写拟退出理由；"
    "退出条件（收入、三保障和饮水、未办结的预警线索和识别申请、近期走访、无劳动能力户的兜底保障）"
    "有一项不符合的，不予上报并说明原因。",
)
VERIFY = Step(
    "verify",
    "入户核实",
    "录入入户核实",
    "三(九)：核实组人数不少于政策规定（home_check_team_min），核实日期不早于上报日期、不晚于今天；"
    "核实的人均纯收入不低于当年监测收入线，义务教育、基本医疗、住房安全和饮水安全均有保障，"
    "并填写帮扶措施落实情况。",
)
EVALUATE = Step(
    "evaluate",
    "镇评估",
    "镇评估",
    "三(九)：一次评估会议可评估本镇同一批次的多户；须填写会议日期（不早于入户核实日期）和参会人员，"
    "每户评估通过或退回（退回须填写原因）。",
)
PUBLICIZE = Step(
    "publicize",
    "镇公示",
    "开始镇公示",
    "三(九)：公示开始日期不早于评估会议日期，公示期不少于政策规定天数（exit_publicity_days）。",
)
OBJECTION_LODGE = Step(
    "objection_lodge",
    "登记公示异议",
    "登记异议（只能在公示期间提出）",
    "三(九)：须填写异议内容，提出日期在公示期内。",
)
OBJECTION_DECIDE = Step(
    "objection_decide",
    "处理公示异议",
    "处理公示异议",
    "三(九)：须填写处理意见；异议成立的，退回村级重新入户核实；已处理的异议答 409。",
)
CONCLUDE = Step(
    "conclude",
    "结束公示",
    "结束公示",
    "三(九)：公示期满且没有未处理的异议，才能结束公示。",
)
FILE = Step(
    "file",
    "县备案",
    "县备案",
    "三(九)：备案日期不早于镇公示期满之日、不晚于今天；备案之日标注风险消除，关闭帮扶方案，"
    "停止针对性帮扶措施（退出后继续执行的措施除外）。",
)
RETURN = Step("return", "退回村级", "退回", "须填写退回原因。")
WITHDRAW = Step("withdraw", "撤回退出申报", "撤回", "须填写撤回原因。")

EXIT_TABLE: list[tuple[Step, frozenset[str], frozenset[str]]] = [
    # Proposing creates the case: no state yet, so the row names none.
    (PROPOSE, frozenset(), VILLAGE),
    (VERIFY, frozenset({ExitState.PROPOSED}), VILLAGE),
    (EVALUATE, frozenset({ExitState.VERIFIED}), TOWN),
    (PUBLICIZE, frozenset({ExitState.EVALUATED}), TOWN),
    (OBJECTION_LODGE, frozenset({ExitState.TOWN_PUBLICIZING}), VILLAGE | TOWN | COUNTY),
    (OBJECTION_DECIDE, ANY_EXIT_STATE, TOWN | COUNTY),
    (CONCLUDE, frozenset({ExitState.TOWN_PUBLICIZING}), TOWN | COUNTY),
    (FILE, frozenset({ExitState.COUNTY_FILING}), COUNTY),
    # A return is the level's that holds the case: the town before its publicity, the
    # county at the filing.
    (RETURN, frozenset({ExitState.VERIFIED, ExitState.EVALUATED}), TOWN),
    (RETURN, frozenset({ExitState.COUNTY_FILING}), COUNTY),
    (WITHDRAW, frozenset(EXIT_OPEN_STATES), VILLAGE | TOWN),
]

EXITS = StepTable(EXIT_TABLE, ExitState, "该退出申报")
