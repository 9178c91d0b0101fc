"""Demo help work (三(八)): helpers, pairings, plans, measures and visits that look real.

Used by ``manage.py seed_help_demo`` after ``seed_demo``. Each monitored subject is
drawn from its own random stream (the seed and the household's code), so a run adds
the same rows whatever else the database holds, and a subject that already has a
pairing or a plan is left as it is: running it again creates nothing.

What it makes:
- helper accounts sent by the help units (帮扶责任人), and a town and a village cadre
  for each town and each village of the demo town (帮扶联系人, 三(八)1), who cannot
  sign in (no password) — only the README's ``helper`` account signs in;
- for every monitored subject of the demo town, and four in five elsewhere, the pairing
  the policy asks for: a 脱贫户 its original 帮扶责任人 (不脱钩), the others a town and
  a village cadre; the rest stay unpaired, so the towns' lists have work in them;
- a plan (一户一方案) for most paired subjects: a few drafts, most active (some past
  their review date), and closed ones for subjects whose risk was eliminated; each with
  measures (一人一措施) chosen from the risks, with amounts, dates and a mix of states;
- helper visits in the demo town, some recent and some overdue.
Rows are bulk-inserted without history rows, as the rest of the demo is.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from households.models import Member, MonitoringSubject, Status2020, Visit
from organization.models import HelpUnit, PolicySettings, Role, Town, User, Village

from ..models import (
    AssistancePlan,
    HelpAssignment,
    HelpVisit,
    Measure,
    MeasureKind,
    MeasureState,
    PlanReview,
    PlanState,
)
from ..services.last_visit import help_refresh

HELPERS_PER_UNIT = 4
UNPAIRED_SHARE = 0.2
DEMO_HELPER_HOUSEHOLDS = 6
RECENT_DAYS = 30
_GIVEN = "建国 秀英 志刚 桂兰 海燕 红梅 国强 春华 玉兰 德明 文静 晓东 丽娟 永红 俊杰 卫东"
_SURNAMES = "张王李刘陈杨赵孙周吴徐朱胡高马郭"

# Measures per risk (三(八)2), as a county office would plan them: (kind code, amount range).
_BY_RISK = {
    "illness": [("serious_illness_insurance", (800, 6000)), ("medical_assistance", (500, 5000))],
    "disability": [("family_doctor", None), ("dibao", (3000, 7700))],
    "schooling": [("yulu_plan", (3000, 3000)), ("student_loan", (8000, 16000))],
    "disaster": [("temporary_relief", (1000, 3000)), ("social_donation", (500, 2000))],
    "accident": [("temporary_relief", (1000, 3000)), ("relatives_help", (1000, 5000))],
    "industry_failure": [("industry", (2000, 5000)), ("poverty_insurance", (300, 3000))],
    "market": [("industry", (2000, 5000)), ("microcredit", (30000, 50000))],
    "broken_chain": [("industry", (2000, 5000))],
    "unstable_employment": [("local_work", None), ("skills_training", None)],
    "lack_of_labour": [("dibao", (3000, 7700))],
    "housing": [("housing_safety", (10000, 30000))],
    "water": [("water_safety", (500, 2000))],
}
_DEVELOPMENT = [
    ("public_job", (6000, 9600)),
    ("local_work", None),
    ("migrant_work", None),
    ("industry", (2000, 5000)),
]
_RESULTS = {
    "public_job": "公益性岗位月工资800元",
    "local_work": "在镇扶贫车间就业，月收入2600元",
    "migrant_work": "赴江苏务工，月收入4500元",
    "industry": "发展养殖，年增收约6000元",
    "serious_illness_insurance": "大病保险已报销",
    "medical_assistance": "医疗救助已到账",
    "dibao": "已纳入农村低保",
    "yulu_plan": "雨露计划补助已发放",
    "temporary_relief": "临时救助已发放",
    "housing_safety": "危房改造已竣工验收",
}
_FINDINGS = [
    "家庭生活正常，收入稳定",
    "了解务工情况，务工收入按月到账",
    "患病成员按时服药复诊，医疗费用已报销",
    "种养殖情况良好，收入较上年增加",
    "子女在校就读正常，已享受教育资助",
]


@dataclass
class _Cadres:
    town: dict[int, User] = field(default_factory=dict)  # town id -> town cadre
    village: dict[int, User] = field(default_factory=dict)  # village id -> village cadre
    by_unit: dict[int, list[User]] = field(default_factory=dict)  # help unit id -> helpers


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_SURNAMES), rng.choice(_GIVEN.split())


def _accounts(specs: list[tuple[str, dict]], rng: random.Random) -> dict[str, User]:
    existing = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in specs])}
    new = []
    for username, scope in specs:
        if username not in existing:
            last, first = _name(rng)
            user = User(username=username, last_name=last, first_name=first, **scope)
            # Demo people who exist to be paired; they cannot sign in.
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new)
    return {u.username: u for u in User.objects.filter(username__in=[s[0] for s in specs])}


def _seed_people(demo_village: Village, help_units: list[HelpUnit], seed: int) -> _Cadres:
    rng = random.Random(f"{seed}-people")
    cadres = _Cadres()
    demo_town_id = demo_village.town_id
    specs: list[tuple[str, dict]] = []
    for index, unit in enumerate(help_units):
        for n in range(HELPERS_PER_UNIT):
            specs.append((f"bf{index + 1:02d}{n + 1}", {"role": Role.HELPER, "help_unit": unit}))
    for town in Town.objects.all():
        specs.append((f"zg{town.code[6:9]}", {"role": Role.HELPER, "town": town}))
    villages = list(Village.objects.filter(town_id=demo_town_id).exclude(pk=demo_village.pk))
    for village in villages:
        specs.append(
            (
                f"cg{village.code[6:]}",
                {"role": Role.HELPER, "town_id": demo_town_id, "village": village},
            )
        )
    users = _accounts(specs, rng)
    for user in users.values():
        if user.help_unit_id:
            cadres.by_unit.setdefault(user.help_unit_id, []).append(user)
        elif user.village_id:
            cadres.village[user.village_id] = user
        else:
            cadres.town[user.town_id] = user
    for unit_users in cadres.by_unit.values():
        unit_users.sort(key=lambda u: u.username)
    # In the demo town the demo official and monitor are the cadres of their own area.
    monitor = User.objects.get(username="village_monitor")
    cadres.town[demo_town_id] = User.objects.get(username="town_official")
    cadres.village[monitor.village_id] = monitor
    return cadres


def seed_help(
    *, demo_village: Village, help_units: list[HelpUnit], today: datetime.date, seed: int
) -> dict[str, int]:
    cadres = _seed_people(demo_village, help_units, seed)
    demo_helper = User.objects.get(username="helper")
    kinds = {k.code: k for k in MeasureKind.objects.all()}
    policy = PolicySettings.for_year(today.year)
    done = set(HelpAssignment.objects.values_list("household_id", flat=True)) | set(
        AssistancePlan.objects.values_list("subject__household_id", flat=True)
    )
    subjects = (
        MonitoringSubject.objects.filter(household__code__startswith="DEMO-")
        .exclude(household_id__in=done)
        .select_related("household__village")
        .prefetch_related("risk_types", "household__members")
        .order_by("household__code", "started_on")
    )
    # The README's helper (帮扶责任人) signs in to the 脱贫户 monitored in the demo village.
    demo_helper_households = set(
        subjects.filter(
            household__village=demo_village,
            household__status_2020=Status2020.POVERTY_ALLEVIATED,
            status=MonitoringSubject.Status.MONITORING,
        ).values_list("household_id", flat=True)[:DEMO_HELPER_HOUSEHOLDS]
    )
    counts = {"assignments": 0, "plans": 0, "measures": 0, "visits": 0}
    with transaction.atomic():
        for subject in subjects:
            household = subject.household
            if household.pk in done:  # an earlier subject of the same household
                continue
            done.add(household.pk)
            rng = random.Random(f"{seed}-{household.code}")
            in_demo_town = household.village.town_id == demo_village.town_id
            if not in_demo_town and rng.random() < UNPAIRED_SHARE:
                continue
            if in_demo_town and (today - subject.started_on).days < RECENT_DAYS:
                continue  # filed lately: the town has it on its list of subjects to pair
            helpers = _pair(rng, subject, cadres, help_units, demo_helper, demo_helper_households)
            counts["assignments"] += len(helpers)
            if not in_demo_town and rng.random() < 0.5:
                continue
            plan, measures = _plan(rng, subject, kinds, policy, today, helpers)
            counts["plans"] += 1
            counts["measures"] += len(measures)
            if in_demo_town and subject.status == MonitoringSubject.Status.MONITORING:
                counts["visits"] += _visits(rng, subject, helpers[0], measures, today, policy)
        # Written in bulk, without the signals that keep the pairings' and subjects' dates.
        help_refresh()
    return counts


def _pair(rng, subject, cadres, help_units, demo_helper, demo_helper_households) -> list[User]:
    household = subject.household
    started = subject.started_on
    if household.pk in demo_helper_households:
        helpers = [(demo_helper, HelpAssignment.Kind.RESPONSIBLE, "")]
    elif household.status_2020 == Status2020.POVERTY_ALLEVIATED:
        # 三(八)1 不脱钩: the helper since the poverty years stays.
        unit = rng.choice(help_units)
        helpers = [(rng.choice(cadres.by_unit[unit.pk]), HelpAssignment.Kind.RESPONSIBLE, "")]
        started = datetime.date(rng.choice([2016, 2017, 2018]), rng.randint(1, 12), 1)
    else:
        town = cadres.town.get(household.village.town_id)
        village = cadres.village.get(household.village_id) or town
        helpers = [
            (town, HelpAssignment.Kind.CONTACT, HelpAssignment.Level.TOWN),
            (village, HelpAssignment.Kind.CONTACT, HelpAssignment.Level.VILLAGE),
        ]
        if village is town:
            helpers = helpers[:1]
    rows = [
        HelpAssignment(
            household=household,
            helper=user,
            help_unit=user.help_unit,
            kind=kind,
            level=level,
            started_on=min(started, subject.started_on)
            if kind == HelpAssignment.Kind.RESPONSIBLE
            else subject.started_on,
            ended_on=None
            if subject.status == MonitoringSubject.Status.MONITORING
            or kind == HelpAssignment.Kind.RESPONSIBLE
            else subject.ended_on,
        )
        for user, kind, level in helpers
    ]
    HelpAssignment.objects.bulk_create(rows)
    return [user for user, _, _ in helpers]


def _members_who_can_work(members: Iterable[Member], on: datetime.date) -> list[Member]:
    return [
        m
        for m in members
        if m.labour_capacity in {Member.Labour.SKILLED, Member.Labour.ORDINARY}
        and 16 <= (on.year - m.birth_date.year) <= 64
    ]


def _plan(rng, subject, kinds, policy, today, helpers):
    household = subject.household
    members = list(household.members.all())
    made_on = subject.started_on + datetime.timedelta(days=rng.randint(3, 20))
    eliminated = subject.status == MonitoringSubject.Status.ELIMINATED
    roll = rng.random()
    if eliminated:
        state = PlanState.CLOSED
    elif roll < 0.12 or made_on > today:
        # A draft waits days for the town's confirmation, not years.
        state = PlanState.DRAFT
        made_on = max(subject.started_on, today - datetime.timedelta(days=rng.randint(1, 20)))
    else:
        state = PlanState.ACTIVE
    activated = (
        None if state == PlanState.DRAFT else made_on + datetime.timedelta(days=rng.randint(2, 10))
    )
    months = policy.plan_review_months
    next_review = None
    reviewed = None
    if state == PlanState.ACTIVE:
        reviewed = activated
        while _add_months(reviewed, months) < today - datetime.timedelta(days=40):
            reviewed = _add_months(reviewed, months)
        # One in six plans is left past its review date, so the town's list has some.
        if rng.random() < 1 / 6:
            next_review = today - datetime.timedelta(days=rng.randint(1, 45))
        else:
            next_review = _add_months(reviewed, months)
            if next_review < today:
                next_review = today + datetime.timedelta(days=rng.randint(5, 90))
    plan = AssistancePlan(
        subject=subject,
        state=state,
        resources=rng.choice(["有耕地5亩", "有耕地3亩，院内可养殖", "无耕地流转收入1200元/年"]),
        wishes=rng.choice(["希望就近务工", "希望发展养殖", "希望孩子完成学业", "希望稳定看病报销"]),
        abilities=rng.choice(
            ["户主身体尚可，可从事轻体力劳动", "配偶可从事家务和零工", "家中无劳动力"]
        ),
        needs=rng.choice(["就业岗位", "产业奖补", "医疗保障", "教育资助"]),
        work_team="驻村工作队",
        cadres="镇村干部",
        helpers="、".join(str(h) for h in helpers),
        help_unit=helpers[0].help_unit,
        made_on=made_on,
        made_by=helpers[0],
        activated_on=activated,
        reviewed_on=reviewed if reviewed != activated else None,
        next_review_on=next_review,
        closed_on=subject.ended_on if eliminated else None,
        close_reason="风险消除退出" if eliminated else "",
    )
    plan.save()
    plan.risk_types.set(subject.risk_types.all())
    if reviewed and reviewed != activated:
        PlanReview.objects.create(
            plan=plan,
            reviewed_on=reviewed,
            reviewer=helpers[0],
            conclusion="措施落实到位，继续实施",
        )
    chosen: list[tuple[str, tuple | None, Member | None]] = []
    for risk in subject.risk_types.all():
        for code, amount in _BY_RISK.get(risk.code, [])[:1]:
            chosen.append((code, amount, None))
    for member in _members_who_can_work(members, made_on)[:2]:
        code, amount = rng.choice(_DEVELOPMENT)
        chosen.append((code, amount, member))
    seen: set[tuple[str, int | None]] = set()
    measures = []
    for code, amount, member in chosen:
        key = (code, member.pk if member else None)
        if key in seen or code not in kinds:
            continue
        seen.add(key)
        measures.append(_measure(rng, plan, kinds[code], amount, member, state, today, subject))
    Measure.objects.bulk_create(measures)
    return plan, measures


def _measure(rng, plan, kind, amount, member, plan_state, today, subject) -> Measure:
    start = plan.made_on + datetime.timedelta(days=rng.randint(5, 40))
    planned_end = start + datetime.timedelta(days=rng.choice([90, 180, 365]))
    if plan_state == PlanState.DRAFT or start > today:
        state, start = MeasureState.PLANNED, None
        planned_end = today + datetime.timedelta(days=rng.choice([30, 90, 180]))
    elif plan_state == PlanState.CLOSED:
        state = MeasureState.IN_PROGRESS if kind.continues_after_exit else MeasureState.DONE
    else:
        state = rng.choices(
            [
                MeasureState.PLANNED,
                MeasureState.IN_PROGRESS,
                MeasureState.DONE,
                MeasureState.STOPPED,
            ],
            [1, 5, 3, 0.4],
        )[0]
        if state == MeasureState.PLANNED:
            start = None
            planned_end = today + datetime.timedelta(days=rng.choice([30, 90, 180]))
        elif state == MeasureState.IN_PROGRESS and planned_end < today:
            # Still running: its planned end is ahead (a long measure, or one extended).
            planned_end = today + datetime.timedelta(days=rng.choice([60, 120, 240]))
    ended = None
    if state in (MeasureState.DONE, MeasureState.STOPPED):
        ended = min(planned_end, today, subject.ended_on or today)
        ended = max(ended, start)
    return Measure(
        plan=plan,
        kind=kind,
        member=member,
        description=kind.name,
        responsible_person=str(plan.made_by),
        started_on=start,
        planned_end_on=planned_end,
        ended_on=ended,
        amount=Decimal(rng.randrange(amount[0], amount[1] + 1, 100)) if amount else None,
        state=state,
        result=_RESULTS.get(kind.code, "") if state == MeasureState.DONE else "",
        stop_reason="家庭情况变化，不再需要" if state == MeasureState.STOPPED else "",
    )


def _visits(rng, subject, helper, measures, today, policy) -> int:
    """Two to four visits; in one household of five the last is older than the interval."""
    interval = policy.help_visit_interval_days
    overdue = rng.random() < 0.2
    last = today - datetime.timedelta(
        days=rng.randint(interval + 3, interval + 60) if overdue else rng.randint(1, interval - 5)
    )
    days = sorted({last - datetime.timedelta(days=interval * n) for n in range(rng.randint(2, 4))})
    days = [d for d in days if d >= subject.started_on]
    visits = [
        Visit(
            household=subject.household,
            visitor=helper,
            visited_on=day,
            reason=Visit.Reason.ROUTINE,
            findings=rng.choice(_FINDINGS),
        )
        for day in days
    ]
    Visit.objects.bulk_create(visits)
    HelpVisit.objects.bulk_create(
        HelpVisit(
            visit=visit,
            subject=subject,
            income_change=rng.choice(
                [
                    HelpVisit.IncomeChange.SAME,
                    HelpVisit.IncomeChange.UP,
                    HelpVisit.IncomeChange.SAME,
                ]
            ),
        )
        for visit in visits
    )
    return len(visits)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    # The last day of a shorter month when the day does not exist there (31 Aug + 6 = 28 Feb).
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
