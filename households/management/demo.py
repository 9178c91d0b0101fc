"""Demo households that look like rural Suixi, generated as a stream.

Household number ``i`` is drawn from ``random.Random(seed + i)`` alone and
stored with the code ``DEMO-<i+1>``, so a second run skips what exists and a
larger ``--households`` extends the registry with the same households a fresh
run would make. Rows are written with ``bulk_create`` one batch at a time
(one transaction per batch) and without history rows: a bulk load is not a
change a person made, and 300,000 households must load in minutes.
"""

from __future__ import annotations

import bisect
import datetime
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.db import transaction

from households.id_numbers import make_id_number
from households.models import (
    Household,
    IncomeRecord,
    Member,
    MonitoringSubject,
    RiskType,
    Status2020,
    VillageHouseholdCount,
    Visit,
)
from organization.models import PolicySettings, User, Village, VillagerGroup

CODE_PREFIX = "DEMO-"
COUNTY_CODE = "340621"
# Households 0..59 live in the village monitor's village, so that village is full
# whatever N is; every later household goes to a village drawn by weight.
DEMO_VILLAGE_HOUSEHOLDS = 60

R = Member.Relation
L = Member.Labour
H = Member.Health
S = Member.Schooling

_SURNAMES = "王李张刘陈杨赵孙周吴徐朱胡高马郭魏任丁程黄韩何宋许于谢曹袁邓冯彭蒋沈唐杜蔡田石姚葛邵"
_SURNAME_CUM = list(
    accumulate([10, 9, 9, 8, 5, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 2] + [1] * 21)
)
# Given-name characters by sex and generation (born before 1965, 1965-1994, later).
_GIVEN = {
    ("M", 0): "德富贵祥福发财荣玉金宝山广成友良保全明清修义",
    ("M", 1): "建国军华明伟强勇志文海平春林永庆忠兵峰涛磊鹏辉东",
    ("M", 2): "浩宇俊凯晨轩博昊然豪睿子梓铭泽航杰鑫",
    ("F", 0): "秀英兰芳梅桂凤翠荣玉珍花云素香",
    ("F", 1): "丽娟静燕萍红艳琴霞敏玲慧娜颖春",
    ("F", 2): "婷雪欣怡萱涵梓悦诗雨佳琪晴可心",
}
_OPPOSITE = {"M": "F", "F": "M"}
# 2020 standing; roughly the county's shares (脱贫户 about 8%).
_STATUSES = [
    (Status2020.POVERTY_ALLEVIATED, 0.080),
    (Status2020.DIBAO, 0.035),
    (Status2020.TEKUN, 0.008),
    (Status2020.SEVERE_DISABILITY, 0.012),
    (Status2020.SERIOUS_ILLNESS, 0.012),
]
_FINDINGS = [
    "家中生产生活正常，两不愁三保障无问题。",
    "户主反映今年务工收入下降，已告知就业帮扶政策。",
    "家庭成员患病住院，已落实医保报销和大病救助。",
    "房屋经鉴定安全，饮水正常，子女按时上学。",
    "独居老人身体一般，已联系邻居日常照看。",
    "产业收益不及预期，建议参加县里组织的种植技术培训。",
]


class IdNumberAllocator:
    """Hands out unused ID numbers: the preferred order code, or the next free one of the right sex.

    Keeps one bit per order code per birth date (GB 11643 allows 1000 a day per county),
    which is far smaller than a set of a million strings.
    """

    def __init__(self) -> None:
        self.used: dict[int, int] = {}

    def load(self, numbers: Iterable[str]) -> None:
        for number in numbers:
            if number.startswith(COUNTY_CODE):
                day = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
                self.used[day.toordinal()] = self.used.get(day.toordinal(), 0) | 1 << int(
                    number[14:17]
                )

    def allocate(self, born: datetime.date, sex: str, preferred: int) -> str:
        key = born.toordinal()
        taken = self.used.get(key, 0)
        code = preferred - preferred % 2 + (1 if sex == "M" else 0)  # odd 17th digit = male
        for _ in range(500):
            if not taken >> code & 1:
                self.used[key] = taken | 1 << code
                return make_id_number(region=COUNTY_CODE, born=born, sequence=code)
            code = (code + 2) % 1000
        raise RuntimeError(f"{born} 的顺序码已用完")


@dataclass
class Context:
    villages: list[Village]
    groups: dict[int, list[VillagerGroup]]
    demo_village: Village
    demo_town_id: int
    monitor: User
    town_official: User
    risk_ids: dict[str, int]
    income_line: dict[int, Decimal]
    reference: datetime.date  # ages and dates are as of this day
    seed: int
    ids: IdNumberAllocator = field(default_factory=IdNumberAllocator)
    village_cum: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Villages differ in size; the weights are fixed by each village's code.
        weights = [random.Random(v.code).uniform(0.5, 1.6) for v in self.villages]
        self.village_cum = list(accumulate(weights))

    @property
    def income_years(self) -> list[int]:
        return [self.reference.year - 1, self.reference.year]


@dataclass
class Draft:
    household: Household
    members: list[Member]
    incomes: list[IncomeRecord]
    subject: MonitoringSubject | None = None
    risk_codes: list[str] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)


@dataclass
class _Person:
    relation: str
    sex: str
    age: int
    surname: str


def _given(rng: random.Random, sex: str, born_year: int) -> str:
    pool = _GIVEN[(sex, 0 if born_year < 1965 else 1 if born_year < 1995 else 2)]
    return "".join(rng.sample(pool, 1 if rng.random() < 0.25 else 2))


def _surname(rng: random.Random, avoid: str = "") -> str:
    while True:
        name = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
        if name != avoid:
            return name


def _compose(rng: random.Random, status: str, surname: str) -> list[_Person]:
    """Head, spouse, children, grandchildren or parents, with ages that fit the relations."""
    if status == Status2020.TEKUN:  # 特困: mostly old people living alone
        return [_Person(R.HEAD, "M" if rng.random() < 0.6 else "F", rng.randint(65, 90), surname)]
    kind = rng.random()
    if kind < 0.08:
        return [_Person(R.HEAD, "M" if rng.random() < 0.65 else "F", rng.randint(25, 85), surname)]
    if kind < 0.30:
        head_age, male, spouse_p, children, up, down = rng.randint(60, 88), 0.7, 0.75, 0, 0, False
    elif kind < 0.70:
        head_age, male, spouse_p, children, up, down = rng.randint(28, 58), 0.92, 0.9, 1, 0, False
    elif kind < 0.85:
        head_age, male, spouse_p, children, up, down = rng.randint(50, 76), 0.88, 0.85, 0, 0, True
    else:
        head_age, male, spouse_p, children, up, down = rng.randint(30, 55), 0.92, 0.9, 1, 1, False
    head = _Person(R.HEAD, "M" if rng.random() < male else "F", head_age, surname)
    people = [head]
    line = surname if head.sex == "M" else _surname(rng, surname)
    if rng.random() < spouse_p:
        spouse_age = max(20, head_age + rng.randint(-5, 5))
        people.append(
            _Person(
                R.SPOUSE,
                _OPPOSITE[head.sex],
                spouse_age,
                line if head.sex == "F" else _surname(rng, surname),
            )
        )
    if children:
        count = rng.choices([1, 2, 3], weights=[50, 40, 10])[0]
        oldest = min(head_age - 21, 30)
        for _ in range(count):
            sex = "M" if rng.random() < 0.52 else "F"
            people.append(
                _Person(R.SON if sex == "M" else R.DAUGHTER, sex, rng.randint(0, oldest), line)
            )
    if down:
        child_age = rng.randint(22, min(head_age - 21, 45))
        if rng.random() < 0.9:
            people.append(_Person(R.SON, "M", child_age, line))
            partner = _Person(
                R.DAUGHTER_IN_LAW, "F", max(20, child_age + rng.randint(-4, 3)), _surname(rng, line)
            )
        else:  # a son-in-law who lives with his wife's family (上门女婿)
            people.append(_Person(R.DAUGHTER, "F", child_age, line))
            partner = _Person(
                R.SON_IN_LAW, "M", max(21, child_age + rng.randint(-2, 5)), _surname(rng, line)
            )
        if rng.random() < 0.9:
            people.append(partner)
        for _ in range(rng.choice([1, 1, 2])):
            sex = "M" if rng.random() < 0.52 else "F"
            age = rng.randint(0, min(child_age - 20, 18))
            people.append(_Person(R.GRANDSON if sex == "M" else R.GRANDDAUGHTER, sex, age, line))
    if up:
        father, mother = rng.random() < 0.55, rng.random() < 0.8
        parent_age = head_age + rng.randint(21, 33)
        if father or not mother:
            people.append(_Person(R.FATHER, "M", min(95, parent_age + rng.randint(0, 4)), surname))
        if mother:
            people.append(_Person(R.MOTHER, "F", min(95, parent_age), _surname(rng, surname)))
    return people


def _condition(rng: random.Random, age: int) -> tuple[str, str, str, str]:
    """(health, disability grade, labour capacity, schooling) that fit the age."""
    band = 0 if age < 40 else 1 if age < 60 else 2
    roll = rng.random()
    health, grade = H.HEALTHY, ""
    if roll < (0.02, 0.04, 0.06)[band]:
        health, grade = H.DISABLED, rng.choices("1234", weights=[1, 2, 3, 4])[0]
    elif roll < (0.03, 0.06, 0.10)[band]:
        health = H.SERIOUS
    elif roll < (0.06, 0.18, 0.45)[band]:
        health = H.CHRONIC
    schooling = ""
    if 3 <= age <= 5:
        schooling = S.PRESCHOOL
    elif 6 <= age <= 14:
        schooling = S.DROPPED_OUT if rng.random() < 0.002 else S.PRIMARY if age <= 11 else S.JUNIOR
    elif 15 <= age <= 17:
        schooling = rng.choices([S.SENIOR, S.VOCATIONAL, ""], weights=[70, 22, 8])[0]
    elif 18 <= age <= 21 and rng.random() < 0.45:
        schooling = S.HIGHER
    if age < 16 or schooling:
        labour = L.NONE
    elif health == H.SERIOUS or grade in {"1", "2"}:
        labour = rng.choice([L.LOST, L.WEAK])
    elif age < 60:
        labour = rng.choices([L.SKILLED, L.ORDINARY, L.WEAK], weights=[20, 72, 8])[0]
    elif age < 70:
        labour = rng.choices([L.ORDINARY, L.WEAK, L.LOST], weights=[40, 45, 15])[0]
    else:
        labour = rng.choices([L.WEAK, L.LOST, L.NONE], weights=[35, 45, 20])[0]
    return health, grade, labour, schooling


def _members(rng: random.Random, ctx: Context, people: list[_Person], status: str) -> list[Member]:
    members = []
    for person in people:
        born_year = ctx.reference.year - person.age
        born = datetime.date(born_year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        born = min(born, ctx.reference)
        health, grade, labour, schooling = _condition(rng, person.age)
        id_number = ctx.ids.allocate(born, person.sex, rng.randrange(1000))
        members.append(
            Member(
                name=person.surname + _given(rng, person.sex, born_year),
                id_number=id_number,
                sex=person.sex,
                birth_date=born,
                relation=person.relation,
                labour_capacity=labour,
                health=health,
                disability_grade=grade,
                schooling=schooling,
            )
        )
    # 三(五)2: the 2020 standing should be visible in the members.
    adult = max(members, key=lambda m: (m.relation == R.HEAD, m.birth_date))
    if status == Status2020.SEVERE_DISABILITY:
        adult.health, adult.disability_grade, adult.labour_capacity = (
            H.DISABLED,
            rng.choice("12"),
            L.LOST,
        )
    elif status == Status2020.SERIOUS_ILLNESS:
        adult.health, adult.disability_grade, adult.labour_capacity = H.SERIOUS, "", L.WEAK
    return members


def _target_income(rng: random.Random, status: str) -> float:
    """Per-person net income, lognormal around a centre that depends on the 2020 standing."""
    centre, spread = {
        Status2020.ORDINARY: (14000, 0.5),
        Status2020.POVERTY_ALLEVIATED: (11000, 0.4),
    }.get(status, (8000, 0.4))
    return rng.lognormvariate(math.log(centre), spread)


def _income(
    rng: random.Random,
    year: int,
    members: list[Member],
    per_capita: float,
    status: str,
    shock: bool,
) -> IncomeRecord:
    size = len(members)
    medical = sum(
        rng.randint(5000, 30000)
        if m.health == H.SERIOUS
        else rng.randint(300, 3000)
        if m.health == H.CHRONIC
        else 0
        for m in members
    )
    if shock:  # 三(六)2: a sudden accident or illness this year
        medical += rng.randint(30000, 80000)
    education = sum(
        rng.randint(6000, 12000)
        if m.schooling == S.HIGHER
        else rng.randint(800, 3000)
        if m.schooling in {S.SENIOR, S.VOCATIONAL}
        else 0
        for m in members
    )
    other = rng.randint(0, 1500) if rng.random() < 0.2 else 0
    gross = max(0, round(per_capita * size) + medical + education + other)
    elders = sum(1 for m in members if year - m.birth_date.year >= 60)
    transfer = elders * rng.randint(1500, 2400)
    if status in {Status2020.DIBAO, Status2020.TEKUN}:
        transfer += round(641 * 12 * size * rng.uniform(0.3, 0.6))
    elif status == Status2020.POVERTY_ALLEVIATED:
        transfer += rng.randint(500, 2000)
    transfer = min(transfer, gross)
    rest = gross - transfer
    property_ = round(rest * rng.uniform(0, 0.05))
    business = round((rest - property_) * rng.uniform(0.1, 0.5))
    record = IncomeRecord(
        year=year,
        household_size=size,
        wage_income=Decimal(rest - property_ - business),
        business_income=Decimal(business),
        property_income=Decimal(property_),
        transfer_income=Decimal(transfer),
        medical_expense=Decimal(medical),
        education_expense=Decimal(education),
        other_expense=Decimal(other),
    )
    record.per_capita_net_income = record.compute_per_capita()
    return record


def draft_household(index: int, ctx: Context) -> Draft:
    """Household number ``index``, from its own random stream only."""
    rng = random.Random(ctx.seed + index)
    if index < DEMO_VILLAGE_HOUSEHOLDS:
        village = ctx.demo_village
    else:
        village = ctx.villages[
            min(
                len(ctx.villages) - 1,
                bisect.bisect_right(ctx.village_cum, rng.random() * ctx.village_cum[-1]),
            )
        ]
    groups = ctx.groups[village.pk]
    group = groups[rng.randrange(len(groups))]
    roll, status = rng.random(), Status2020.ORDINARY
    for candidate, share in _STATUSES:
        if roll < share:
            status = candidate
            break
        roll -= share
    # Every sixth household of the demo village is poor, so the monitor's list has a mix; of
    # those, every other one was a 脱贫户 and is monitored as 脱贫不稳定户, so the demo helper
    # (帮扶责任人, 三(八)1 不脱钩) has households of their own in the village.
    forced_low = index < DEMO_VILLAGE_HOUSEHOLDS and index % 6 == 1
    if forced_low and index % 12 == 1:
        status = Status2020.POVERTY_ALLEVIATED
    surname = (
        village.name[0] if village.name[0] in _SURNAMES and rng.random() < 0.35 else _surname(rng)
    )
    members = _members(rng, ctx, _compose(rng, status, surname), status)
    latest = rng.uniform(3000, 5900) if forced_low else _target_income(rng, status)
    shock = not forced_low and rng.random() < 0.012
    previous = latest / (1 + rng.gauss(0.07, 0.08))
    years = ctx.income_years
    incomes = [
        _income(rng, years[0], members, previous, status, shock=False),
        _income(rng, years[1], members, latest, status, shock=shock),
    ]
    newest = incomes[-1]
    household = Household(
        village=village,
        group=group,
        code=f"{CODE_PREFIX}{index + 1:07d}",
        head_name=members[0].name,
        address=f"{village.town.name}{village.name}{group.name}{rng.randint(1, 160)}号",
        phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if rng.random() < 0.8 else "",
        registered_in_county=rng.random() < 0.99,
        long_term_resident=rng.random() < 0.95,
        status_2020=status,
        # The same derivation as services.refresh_household_income, done in memory.
        latest_income_year=newest.year,
        latest_per_capita_income=newest.per_capita_net_income,
        below_income_line=newest.per_capita_net_income < ctx.income_line[newest.year],
    )
    draft = Draft(household, members, incomes)
    _monitoring(rng, ctx, draft, status, shock, force=forced_low and index % 12 == 1)
    _visits(rng, ctx, draft)
    return draft


def _monitoring(
    rng: random.Random, ctx: Context, draft: Draft, status: str, shock: bool, force: bool
) -> None:
    """About 6% of households are or were monitoring subjects (三(一)), most of them below the line."""
    below = draft.household.below_income_line
    chance = 0.7 if below else 0.15 if status == Status2020.POVERTY_ALLEVIATED else 0.05
    if not (force or shock or (status != Status2020.ORDINARY or below) and rng.random() < chance):
        return
    # 三(一)/三(三): a 脱贫户 is a 脱贫不稳定户 whatever befell it; only a 脱贫户 is.
    if status == Status2020.POVERTY_ALLEVIATED:
        category = MonitoringSubject.Category.UNSTABLE
    elif shock:
        category = MonitoringSubject.Category.SUDDEN
    else:
        category = MonitoringSubject.Category.MARGINAL
    span = (ctx.reference - datetime.date(2021, 6, 1)).days
    started = datetime.date(2021, 6, 1) + datetime.timedelta(days=rng.randrange(span))
    ended = None
    if (
        not (below or shock or force)
        and rng.random() < 0.3
        and (ctx.reference - started).days > 200
    ):
        ended = started + datetime.timedelta(days=rng.randint(180, (ctx.reference - started).days))
    draft.subject = MonitoringSubject(
        category=category,
        started_on=started,
        help_due_basis=started,  # no pairing yet: the help demo pairs and refreshes it
        status=MonitoringSubject.Status.ELIMINATED
        if ended
        else MonitoringSubject.Status.MONITORING,
        ended_on=ended,
    )
    draft.risk_codes = _risks(rng, draft.members, shock)


def _risks(rng: random.Random, members: list[Member], shock: bool) -> list[str]:
    codes = []
    if shock:
        codes.append(rng.choice(["accident", "disaster", "illness"]))
    if any(m.health in {H.SERIOUS, H.CHRONIC} for m in members):
        codes.append("illness")
    if any(m.health == H.DISABLED for m in members):
        codes.append("disability")
    if any(m.schooling in {S.HIGHER, S.SENIOR, S.VOCATIONAL} for m in members):
        codes.append("schooling")
    if not any(m.labour_capacity in {L.SKILLED, L.ORDINARY} for m in members):
        codes.append("lack_of_labour")
    if not codes or rng.random() < 0.3:
        codes.append(rng.choice(["unstable_employment", "industry_failure", "market"]))
    return list(dict.fromkeys(codes))[:3]


def _visits(rng: random.Random, ctx: Context, draft: Draft) -> None:
    """Visits (人防, 三(四)1) in the demo town, by the demo monitor or town official."""
    household = draft.household
    if household.village.town_id != ctx.demo_town_id:
        return
    monitored = draft.subject is not None
    count = rng.randint(1, 3) if monitored else 1 if rng.random() < 0.15 else 0
    visitor = ctx.monitor if household.village.pk == ctx.demo_village.pk else ctx.town_official
    elderly_alone = (
        len(draft.members) == 1 and ctx.reference.year - draft.members[0].birth_date.year >= 65
    )
    reason = (
        Visit.Reason.ELDERLY_ALONE
        if elderly_alone
        else Visit.Reason.SEVERE_DISABILITY
        if household.status_2020 == Status2020.SEVERE_DISABILITY
        else Visit.Reason.SUDDEN_ILLNESS
        if draft.subject is not None and draft.subject.category == MonitoringSubject.Category.SUDDEN
        else Visit.Reason.ROUTINE
    )
    for _ in range(count):
        draft.visits.append(
            Visit(
                visitor=visitor,
                visited_on=ctx.reference - datetime.timedelta(days=rng.randrange(330)),
                reason=reason,
                findings=rng.choice(_FINDINGS),
                risk_found=monitored and rng.random() < 0.3,
            )
        )


def _chunks(items: Iterable[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def existing_indices() -> set[int]:
    codes = Household.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True)
    return {int(code[len(CODE_PREFIX) :]) - 1 for code in codes.iterator(chunk_size=20000)}


def build_context(*, organization, seed: int, reference: datetime.date) -> Context:
    years = [reference.year - 1, reference.year]
    context = Context(
        villages=organization.villages,
        groups=organization.groups,
        demo_village=organization.demo_village,
        demo_town_id=organization.demo_village.town_id,
        monitor=organization.users["village_monitor"],
        town_official=organization.users["town_official"],
        risk_ids=dict(RiskType.objects.values_list("code", "id")),
        income_line={y: PolicySettings.for_year(y).income_line for y in years},
        reference=reference,
        seed=seed,
    )
    return context


def _load_used_id_numbers(context: Context) -> None:
    numbers = Member.objects.filter(id_number__startswith=COUNTY_CODE).values_list(
        "id_number", flat=True
    )
    context.ids.load(numbers.iterator(chunk_size=20000))


def seed_households(
    *,
    context: Context,
    count: int,
    batch_size: int = 2000,
    log: Callable[[str], None] = lambda message: None,
) -> int:
    """Create households 0..count-1 that do not exist yet; returns how many were created."""
    have = existing_indices()
    if len(have) >= count and all(i in have for i in range(count)):
        return 0
    # Every ID number already in the county, so new ones never collide with them.
    _load_used_id_numbers(context)
    todo = (i for i in range(count) if i not in have)
    created, started = 0, time.monotonic()
    for chunk in _chunks(todo, batch_size):
        drafts = [draft_household(i, context) for i in chunk]
        _write(drafts, context)
        created += len(drafts)
        log(
            f"已生成 {created} 户（编号至 {chunk[-1] + 1}），用时 {time.monotonic() - started:.0f} 秒"
        )
    return created


def _write(drafts: list[Draft], context: Context) -> None:
    """One batch, all or nothing: households first, so their keys reach the rows below them."""
    with transaction.atomic():
        Household.objects.bulk_create([d.household for d in drafts])
        for d in drafts:
            for row in (*d.members, *d.incomes, *d.visits, *([d.subject] if d.subject else [])):
                row.household = d.household
        Member.objects.bulk_create([m for d in drafts for m in d.members])
        IncomeRecord.objects.bulk_create([r for d in drafts for r in d.incomes])
        Visit.objects.bulk_create([v for d in drafts for v in d.visits])
        subjects = [d for d in drafts if d.subject]
        for d in subjects:
            d.subject.village_id = d.household.village_id  # what MonitoringSubject.save() copies
        MonitoringSubject.objects.bulk_create([d.subject for d in subjects])
        through = MonitoringSubject.risk_types.through
        through.objects.bulk_create(
            through(monitoringsubject_id=d.subject.pk, risktype_id=context.risk_ids[code])
            for d in subjects
            for code in d.risk_codes
        )
        # Written in bulk, without Household.save() that counts each village's households.
        VillageHouseholdCount.recount(list({d.household.village_id for d in drafts}))
