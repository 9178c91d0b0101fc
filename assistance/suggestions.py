"""分层分类 (三(八)2): which measure kinds a subject's plan should consider, and for whom.

ONE table, ``RULES``: each row names the clause it comes from, the kind groups (and single
kinds) it suggests, and how it finds the members (or the whole household) it applies to,
from the subject's risk types, each member's labour capacity, age, health, disability and
schooling, and the latest help visit's 三保障/饮水 findings. The plan pages, the API and the
activation rule (``can_work``) all read it; nothing else decides what is suggested.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from households.models import Member, MonitoringSubject

from .models import HelpVisit, MeasureKind, MeasureState

G = MeasureKind.Group

# 三(八)2 "有一定劳动能力的": the labour capacities that count as able to work. 弱劳动力或
# 半劳动力 counts (it can take a 公益性岗位, the clause's own example); 丧失劳动力 and
# 无劳动力 do not.
WORKING_LABOUR = frozenset({Member.Labour.SKILLED, Member.Labour.ORDINARY, Member.Labour.WEAK})
# Working age, both ends included: from 16 (the legal minimum age of employment, 劳动法
# 第十五条) to 64; at 65 a member is counted among the elderly whose income the 兜底 and
# pension policies secure, whatever the labour field says. The county may revisit this
# choice; it is the one place that holds it.
WORKING_AGE_MIN = 16
WORKING_AGE_MAX = 64

# "在校生": a member in school from primary school to higher education (preschool is left
# out: the education measures of 三(八)2 start with compulsory schooling).
IN_SCHOOL = frozenset(
    {
        Member.Schooling.PRIMARY,
        Member.Schooling.JUNIOR,
        Member.Schooling.SENIOR,
        Member.Schooling.VOCATIONAL,
        Member.Schooling.HIGHER,
    }
)
ILL = frozenset({Member.Health.SERIOUS, Member.Health.CHRONIC})
# 重度残疾: grades one and two (残疾人证 一级、二级).
SEVERE_DISABILITY = frozenset({Member.Disability.GRADE_1, Member.Disability.GRADE_2})

ROUTINE_STATES = (MeasureState.PLANNED, MeasureState.IN_PROGRESS, MeasureState.DONE)


def age_on(member: Member, on: datetime.date) -> int:
    born = member.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def can_work(member: Member, on: datetime.date) -> bool:
    """三(八)2 "有一定劳动能力": a working labour capacity and of working age on ``on``."""
    return (
        member.labour_capacity in WORKING_LABOUR
        and WORKING_AGE_MIN <= age_on(member, on) <= WORKING_AGE_MAX
    )


@dataclass(frozen=True)
class Facts:
    """What the rules read: gathered once per subject (three queries)."""

    members: tuple[Member, ...]
    risks: frozenset[str]
    latest_visit: HelpVisit | None
    on: datetime.date


Finding = tuple[Member | None, str]  # (the member, or None for the whole household; why)


@dataclass(frozen=True)
class Rule:
    code: str
    clause: str
    groups: tuple[str, ...]
    find: Callable[[Facts], list[Finding]]
    kind_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    rule: str
    clause: str
    groups: tuple[str, ...]
    kinds: tuple[MeasureKind, ...]
    member: Member | None
    reason: str
    covered: bool = field(default=False, compare=False)

    @property
    def group_labels(self) -> str:
        return "、".join(G(g).label for g in self.groups)

    @property
    def who(self) -> str:
        return self.member.name if self.member else "全户"


# --- the findings of each rule ----------------------------------------------------------


def _working(facts: Facts) -> list[Finding]:
    return [
        (
            m,
            f"{m.name}{age_on(m, facts.on)}岁，{m.get_labour_capacity_display()}，"
            "有一定劳动能力，可通过产业就业、公益性岗位增加收入",
        )
        for m in facts.members
        if can_work(m, facts.on)
    ]


def _no_labour(facts: Facts) -> list[Finding]:
    if not facts.members or any(can_work(m, facts.on) for m in facts.members):
        return []
    return [
        (
            None,
            f"全户无{WORKING_AGE_MIN}—{WORKING_AGE_MAX}岁有劳动能力的成员，"
            "符合政策条件的及时纳入兜底保障",
        )
    ]


def _severe_disability(facts: Facts) -> list[Finding]:
    return [
        (m, f"{m.name}{m.get_disability_grade_display()}残疾（重度），符合条件的纳入兜底保障")
        for m in facts.members
        if m.disability_grade in SEVERE_DISABILITY
    ]


def _illness(facts: Facts) -> list[Finding]:
    found: list[Finding] = [
        (m, f"{m.name}{m.get_health_display()}，落实健康帮扶、大病保险、医疗救助")
        for m in facts.members
        if m.health in ILL
    ]
    if not found and "illness" in facts.risks:
        found.append((None, "风险类型为因病，落实健康帮扶、大病保险、医疗救助"))
    return found


def _schooling(facts: Facts) -> list[Finding]:
    found: list[Finding] = []
    for m in facts.members:
        if m.schooling == Member.Schooling.DROPPED_OUT:
            found.append((m, f"{m.name}义务教育阶段失学辍学，先劝返复学，再落实教育帮扶"))
        elif m.schooling in IN_SCHOOL:
            found.append((m, f"{m.name}在校（{m.get_schooling_display()}），落实教育帮扶"))
    if not found and "schooling" in facts.risks:
        found.append((None, "风险类型为因学，落实助学贷款、爱心助学、勤工俭学等"))
    return found


def _problem(risk: str, visit_field: str, label: str) -> Callable[[Facts], list[Finding]]:
    def find(facts: Facts) -> list[Finding]:
        if risk in facts.risks:
            return [(None, f"风险类型含{label}问题")]
        visit = facts.latest_visit
        if visit is not None and not getattr(visit, visit_field):
            return [
                (None, f"最近一次帮扶走访（{visit.visit.visited_on:%Y-%m-%d}）发现{label}无保障")
            ]
        return []

    return find


def _risk(codes: Iterable[str], reason: str) -> Callable[[Facts], list[Finding]]:
    codes = frozenset(codes)

    def find(facts: Facts) -> list[Finding]:
        return [(None, reason)] if codes & facts.risks else []

    return find


RULES: tuple[Rule, ...] = (
    # 三(八)2 "对于监测对象中有一定劳动能力的，可通过产业就业、公益性岗位增加收入，或纳入
    # 就业困难群体范围给与帮扶"
    Rule("working_member", "三(八)2", MeasureKind.DEVELOPMENT_GROUPS, _working),
    # 三(八)2 "对于监测对象中无劳动能力且符合政策条件的，及时纳入兜底保障"
    Rule("no_labour", "三(八)2", (G.SAFETY_NET,), _no_labour),
    # 三(五)2 names 重度残疾人 among those 兜底 covers; 三(八)2 "因人因户落实相应帮扶措施"
    Rule("severe_disability", "三(八)2", (G.SAFETY_NET,), _severe_disability),
    # 三(八)2 "对突发重大疾病的，及时落实健康帮扶、大病保险、大病救助…等政策"
    Rule("illness", "三(八)2", (G.HEALTH,), _illness),
    # 三(八)2 "对因学困难的，要在全面解决义务教育阶段适龄儿童辍学的基础上，采取帮助申请助学
    # 贷款、联系爱心人士助学、帮助落实假期勤工俭学等方式"
    Rule("schooling", "三(八)2", (G.EDUCATION,), _schooling),
    # 三(八)2 "对于涉及住房及饮水安全问题的…综合施策解决住房及饮水安全保障"
    Rule("housing", "三(八)2", (G.HOUSING,), _problem("housing", "housing_ok", "住房安全")),
    Rule("water", "三(八)2", (G.WATER,), _problem("water", "water_ok", "饮水安全")),
    # 三(八)2 "对遭遇重大灾害或家庭重大变故出现风险的，釆取亲友帮助、社会捐助、临时救助等措施"
    Rule(
        "disaster_or_accident",
        "三(八)2",
        (G.TEMPORARY_RELIEF, G.SOCIAL),
        _risk(("disaster", "accident"), "因灾或家庭重大变故，采取亲友帮助、社会捐助、临时救助"),
    ),
    # 三(八)4 "五防"（防产品卖难、防带动断链）"探索建立防贫保险…化解产业发展…风险"
    Rule(
        "industry",
        "三(八)4",
        (G.INDUSTRY,),
        _risk(
            ("industry_failure", "market", "broken_chain"),
            "因产业失败、市场波动或带动断链，调整产业帮扶并落实防贫保险",
        ),
        kind_codes=("poverty_insurance",),
    ),
    # 三(八)4 "防失业风险"; 三(八)2 "产业就业…或纳入就业困难群体范围给与帮扶"
    Rule(
        "employment",
        "三(八)2",
        (G.EMPLOYMENT,),
        _risk(("unstable_employment",), "因就业不稳，落实务工、就近就业、技能培训等就业帮扶"),
    ),
)


# --- building the suggestions -----------------------------------------------------------


def facts_for(subject: MonitoringSubject, on: datetime.date) -> Facts:
    members = tuple(subject.household.members.order_by("id"))
    risks = frozenset(subject.risk_types.values_list("code", flat=True))
    latest = (
        HelpVisit.objects.filter(visit__household_id=subject.household_id)
        .select_related("visit")
        .order_by("-visit__visited_on", "-id")
        .first()
    )
    return Facts(members=members, risks=risks, latest_visit=latest, on=on)


def evaluate(
    facts: Facts, kinds: Iterable[MeasureKind], covered_by: Iterable | None = None
) -> list[Suggestion]:
    """The suggestions of every rule for ``facts``; ``kinds`` are the active catalogue.
    With ``covered_by`` (a plan's measures), each says whether a measure already answers it:
    a non-stopped measure of one of its kinds for the same member (for a whole-household
    suggestion, for anyone)."""
    kinds = list(kinds)
    measures = [m for m in (covered_by or ()) if m.state in ROUTINE_STATES]
    out: list[Suggestion] = []
    for rule in RULES:
        rule_kinds = tuple(k for k in kinds if k.group in rule.groups or k.code in rule.kind_codes)
        kind_ids = {k.pk for k in rule_kinds}
        for member, reason in rule.find(facts):
            covered = any(
                m.kind_id in kind_ids and (member is None or m.member_id == member.pk)
                for m in measures
            )
            out.append(
                Suggestion(
                    rule=rule.code,
                    clause=rule.clause,
                    groups=tuple(rule.groups),
                    kinds=rule_kinds,
                    member=member,
                    reason=reason,
                    covered=covered,
                )
            )
    return out


def suggest(
    subject: MonitoringSubject, *, on: datetime.date, measures: Iterable | None = None
) -> list[Suggestion]:
    """The suggested kinds for ``subject`` on ``on`` (four queries)."""
    kinds = MeasureKind.objects.filter(is_active=True)
    return evaluate(facts_for(subject, on), kinds, measures)
