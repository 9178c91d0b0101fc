"""Demo organisation: Suixi's towns, parks, villages, groups, help units, policy rows, accounts.

Used by ``manage.py seed_demo``. Every row is looked up by a stable key (code,
name, username) first, so running it again changes nothing and edits made in
the demo are kept. Rows are bulk-inserted without history rows: they are
reference data loaded by the system, not a change a person made.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from organization.models import (
    Department,
    DepartmentContact,
    HelpUnit,
    PolicySettings,
    Role,
    Town,
    User,
    Village,
    VillagerGroup,
)

DEMO_PASSWORD = "Suixi@2021"
COUNTY_CODE = "340621"

# (name, kind, villages): Suixi's eleven towns and two parks, with
# statistical codes 340621 + 3-digit town + 000. About 250 villages in all.
TOWNS: list[tuple[str, str, int]] = [
    ("濉溪镇", Town.Kind.TOWN, 26),
    ("韩村镇", Town.Kind.TOWN, 22),
    ("刘桥镇", Town.Kind.TOWN, 21),
    ("五沟镇", Town.Kind.TOWN, 23),
    ("临涣镇", Town.Kind.TOWN, 27),
    ("孙疃镇", Town.Kind.TOWN, 21),
    ("铁佛镇", Town.Kind.TOWN, 17),
    ("南坪镇", Town.Kind.TOWN, 20),
    ("四铺镇", Town.Kind.TOWN, 19),
    ("双堆集镇", Town.Kind.TOWN, 24),
    ("百善镇", Town.Kind.TOWN, 22),
    ("濉溪经济开发区", Town.Kind.PARK, 5),
    ("濉芜现代产业园", Town.Kind.PARK, 5),
]
# 二: "有扶贫开发任务的205个村".
POVERTY_TASK_VILLAGES = 205
GROUP_NAMES = [f"第{n}村民小组" for n in "一二三四五六七八"]

# The town official's town; the village monitor works in its first village with a task.
DEMO_TOWN = "临涣镇"

HELP_UNITS = [
    "濉溪县财政局",
    "濉溪县人民医院",
    "濉溪县交通运输局",
    "濉溪县自然资源和规划局",
    "濉溪县市场监督管理局",
    "国网濉溪县供电公司",
    "濉溪农村商业银行",
    "国家税务总局濉溪县税务局",
    "濉溪县住房和城乡建设局",
    "濉溪县农业农村局",
]

# Northern Anhui villages are mostly named after a founding family and a landmark.
_VILLAGE_SURNAMES = (
    "张王李刘陈杨赵孙周吴徐朱胡高马郭魏任丁程黄韩何宋许于谢曹袁邓冯彭蒋沈唐杜蔡田石姚葛邵"
)
_VILLAGE_SUFFIXES = "庄楼圩集桥湖店营寨园庙沟岗湾井台"
_VILLAGE_WORDS = [
    "新华", "光明", "红星", "前进", "东风", "永安", "和平", "太平", "丰收", "双庙",
    "三里", "黄桥", "石庙", "杨柳", "关帝", "龙山", "凤凰", "白沙", "青龙", "清河",
    "古城", "新庄", "大李", "小王", "后湖", "前楼", "南湖", "北店", "西园", "东岗",
]  # fmt: skip


@dataclass
class DemoOrganization:
    villages: list[Village]  # the demo villages, ordered by code
    groups: dict[int, list[VillagerGroup]]  # village id -> groups in name order
    demo_village: Village
    users: dict[str, User]
    help_units: list[HelpUnit]


def _town_code(index: int) -> str:
    # Towns 100..110, parks 400..401, as in the statistical division codes.
    return (
        f"{COUNTY_CODE}{100 + index:03d}000" if index < 11 else f"{COUNTY_CODE}{389 + index:03d}000"
    )


def village_plan() -> list[tuple[str, str, str, bool]]:
    """(town code, village code, village name, has_poverty_task) for every demo village.

    Fixed by a constant seed, so the plan is the same on every machine and every run.
    """
    rng = random.Random(2021)
    stems = [s + x for s in _VILLAGE_SURNAMES for x in _VILLAGE_SUFFIXES] + _VILLAGE_WORDS
    rng.shuffle(stems)
    names = iter(stems)
    rows: list[tuple[str, str, str, bool]] = []
    rural: list[int] = []
    for t, (town_name, kind, count) in enumerate(TOWNS):
        town_code = _town_code(t)
        stem = town_name.removesuffix("镇")
        for v in range(count):
            if v == 0:
                # The seat is a 社区 (居委会, code 0xx); the rest are 村 (村委会, code 2xx).
                name = f"{stem}社区" if kind == Town.Kind.TOWN else f"{next(names)}社区"
                code = f"{town_code[:9]}001"
            else:
                name, code = f"{next(names)}村", f"{town_code[:9]}{200 + v:03d}"
                if kind == Town.Kind.TOWN:
                    rural.append(len(rows))
            rows.append((town_code, code, name, False))
    demo_first = next(
        i for i, row in enumerate(rows) if row[2].endswith("村") and _town_of(row) == DEMO_TOWN
    )
    chosen = set(rng.sample(rural, POVERTY_TASK_VILLAGES))
    if demo_first not in chosen:
        chosen.remove(max(chosen))
        chosen.add(demo_first)
    return [(t, c, n, i in chosen) for i, (t, c, n, _) in enumerate(rows)]


def _town_of(row: tuple[str, str, str, bool]) -> str:
    index = next(i for i in range(len(TOWNS)) if _town_code(i) == row[0])
    return TOWNS[index][0]


def demo_village_code() -> str:
    """The village monitor's village: the demo town's first village with a poverty task."""
    return next(
        code for town, code, _, task in village_plan() if task and town == _demo_town_code()
    )


def _demo_town_code() -> str:
    return _town_code(next(i for i, row in enumerate(TOWNS) if row[0] == DEMO_TOWN))


@transaction.atomic
def seed_organization(*, today: datetime.date | None = None) -> DemoOrganization:
    today = today or timezone.localdate()
    towns = _seed_towns()
    villages = _seed_villages(towns)
    groups = _seed_groups(villages)
    help_units = _seed_help_units()
    _seed_policy(today.year)
    demo_village = next(v for v in villages if v.code == demo_village_code())
    users = _seed_users(demo_village, help_units[0])
    _seed_department_contacts()
    return DemoOrganization(villages, groups, demo_village, users, help_units)


def _seed_towns() -> dict[str, Town]:
    existing = {t.code: t for t in Town.objects.filter(code__startswith=COUNTY_CODE)}
    missing = [
        Town(code=_town_code(i), name=name, kind=kind)
        for i, (name, kind, _) in enumerate(TOWNS)
        if _town_code(i) not in existing
    ]
    Town.objects.bulk_create(missing)
    return {
        t.code: t for t in Town.objects.filter(code__in=[_town_code(i) for i in range(len(TOWNS))])
    }


def _seed_villages(towns: dict[str, Town]) -> list[Village]:
    plan = village_plan()
    codes = [code for _, code, _, _ in plan]
    existing = set(Village.objects.filter(code__in=codes).values_list("code", flat=True))
    Village.objects.bulk_create(
        Village(town=towns[town], code=code, name=name, has_poverty_task=task)
        for town, code, name, task in plan
        if code not in existing
    )
    return list(Village.objects.filter(code__in=codes).select_related("town").order_by("code"))


def _seed_groups(villages: list[Village]) -> dict[int, list[VillagerGroup]]:
    have: dict[int, set[str]] = {}
    for village_id, name in VillagerGroup.objects.filter(village__in=villages).values_list(
        "village_id", "name"
    ):
        have.setdefault(village_id, set()).add(name)
    new = []
    for village in villages:
        count = random.Random(village.code).randint(4, 8)
        new += [
            VillagerGroup(village=village, name=name)
            for name in GROUP_NAMES[:count]
            if name not in have.get(village.pk, set())
        ]
    VillagerGroup.objects.bulk_create(new)
    order = {name: i for i, name in enumerate(GROUP_NAMES)}
    groups: dict[int, list[VillagerGroup]] = {}
    for group in VillagerGroup.objects.filter(village__in=villages, name__in=GROUP_NAMES):
        groups.setdefault(group.village_id, []).append(group)
    for items in groups.values():
        items.sort(key=lambda g: order[g.name])
    return groups


def _seed_help_units() -> list[HelpUnit]:
    existing = set(HelpUnit.objects.filter(name__in=HELP_UNITS).values_list("name", flat=True))
    HelpUnit.objects.bulk_create(HelpUnit(name=n) for n in HELP_UNITS if n not in existing)
    units = {u.name: u for u in HelpUnit.objects.filter(name__in=HELP_UNITS)}
    return [units[n] for n in HELP_UNITS]


# Demo only: made-up people and numbers for the 部门通讯录, two at each department.
CONTACT_NAMES = [
    "周明",
    "吴芳",
    "郑伟",
    "孙丽",
    "钱军",
    "冯静",
    "陈刚",
    "褚燕",
    "卫东",
    "蒋红",
    "沈涛",
    "韩梅",
    "杨帆",
    "朱琳",
    "秦勇",
    "许敏",
]


def _seed_department_contacts() -> None:
    """Two contacts a department (a 科长 and a 联络员), once; the county edits them."""
    if DepartmentContact.objects.exists():
        return
    rows = []
    for index, department in enumerate(Department.objects.order_by("id")):
        first, second = CONTACT_NAMES[index % 16], CONTACT_NAMES[(index + 5) % 16]
        rows.append(
            DepartmentContact(
                department=department,
                name=first,
                title="科长",
                phone=f"0561-60{index:02d}188",
                order=1,
            )
        )
        rows.append(
            DepartmentContact(
                department=department,
                name=second,
                title="联络员",
                phone=f"139{index:02d}561{index:04d}",
                order=2,
            )
        )
    bulk_create_with_history(rows, DepartmentContact)


def _seed_policy(current_year: int) -> None:
    """One row per year from 2021 (the plan's year) with the policy's defaults."""
    existing = set(PolicySettings.objects.values_list("year", flat=True))
    # With their first history row, so the bureau's first change shows what it changed from.
    rows = [PolicySettings(year=y) for y in range(2021, current_year + 1) if y not in existing]
    bulk_create_with_history(rows, PolicySettings)


def _seed_users(village: Village, help_unit: HelpUnit) -> dict[str, User]:
    """The five demo accounts of the README; a password is set only when the account is new."""
    specs = {
        "county_admin": (
            "张",
            "建华",
            {"role": Role.COUNTY_BUREAU, "is_staff": True, "is_superuser": True},
        ),
        "town_official": ("李", "秀兰", {"role": Role.TOWN_OFFICIAL, "town": village.town}),
        "village_monitor": (
            "王",
            "志强",
            {"role": Role.VILLAGE_MONITOR, "village": village, "town": village.town},
        ),
        "dept_yibao": (
            "陈",
            "静",
            {"role": Role.DEPARTMENT_STAFF, "department": Department.objects.get(code="yibao")},
        ),
        "helper": (
            "刘",
            "伟",
            {"role": Role.HELPER, "help_unit": help_unit, "phone": "13956100005"},
        ),
    }
    users = {}
    for username, (last_name, first_name, scope) in specs.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            # The demo password is printed in the README: nobody is asked to change it first.
            user = User(
                username=username,
                last_name=last_name,
                first_name=first_name,
                must_change_password=False,
                **scope,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[username] = user
    return users
