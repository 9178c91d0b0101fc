"""The low-income population (民政: 低保, 特困, 低保边缘, 刚性支出困难) and the monitoring
subjects (三(一)) in one list: who is in both, who only in one, and why.

One scoped base query gives the households that hold a status now or are monitored now, as
plain rows; ``low_income_rows`` adds per chunk their statuses, their subjects and the head's
ID number, one query per table, as the ledgers do. The page, the API and the export read it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, TextChoices

from households import id_numbers
from households.models import Household, LowIncomeStatus, Member, MonitoringSubject, Status2020
from households.selectors import household_scope_q, matching_households
from organization.models import Role, User

CHUNK = 2000  # rows per chunk of an export: one set of look-up queries each
TITLE = "低收入人口与监测对象名单"
MSG_NO_LIST = "只有县扶贫局、镇（园区）干部和村防贫监测员查看低收入人口与监测对象名单"


class Group(TextChoices):
    BOTH = "both", "在两者"
    LOW_INCOME_ONLY = "low_income_only", "仅低收入人口"
    SUBJECT_ONLY = "subject_only", "仅监测对象"


def may_read_low_income(user: User) -> bool:
    """The bureau, the towns and the villages keep both records; a helper's pairing and a
    department's rows are not a population list, so they see none."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in {Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL, Role.VILLAGE_MONITOR}
    )


@dataclass(frozen=True)
class LowIncomeFilters:
    town: int | None = None
    village: int | None = None
    kind: str = ""  # a status of the low-income population
    group: str = ""  # Group
    q: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value not in (None, "")}

    def label(self, names: dict[str, str]) -> str:
        """The filters in words, for the export log (``全部`` when none)."""
        parts = [f"{title}：{names[key]}" for key, title in (("town", "镇"), ("village", "村"))
                 if key in names]  # fmt: skip
        if self.kind:
            parts.append(f"身份：{LowIncomeStatus.Kind(self.kind).label}")
        if self.group:
            parts.append(f"归类：{Group(self.group).label}")
        if self.q.strip():
            parts.append(f"搜索：{self.q.strip()}")
        return "；".join(parts) or "全部"


def _open_statuses() -> QuerySet:
    return LowIncomeStatus.objects.filter(ended_on__isnull=True)


def _open_subjects() -> QuerySet:
    return MonitoringSubject.objects.filter(status=MonitoringSubject.Status.MONITORING)


def low_income_queryset(*, user: User, filters: LowIncomeFilters | None = None) -> QuerySet:
    """Households in ``user``'s scope holding a status now or monitored now, as plain rows in
    list order (village, household). Both sets come from small partial indexes (open
    statuses, open subjects), so the county's list does not probe every household twice."""
    filters = filters or LowIncomeFilters()
    if not may_read_low_income(user):
        return Household.objects.none().values()
    statuses = _open_statuses()
    if filters.kind:
        statuses = statuses.filter(kind=filters.kind)
    in_low_income = Q(pk__in=statuses.values("household_id"))
    monitored = Q(pk__in=_open_subjects().values("household_id"))
    qs = Household.objects.filter(household_scope_q(user))
    match filters.group:
        case Group.BOTH:
            qs = qs.filter(in_low_income & monitored)
        case Group.LOW_INCOME_ONLY:
            qs = qs.filter(in_low_income).exclude(monitored)
        case Group.SUBJECT_ONLY:
            qs = qs.filter(monitored).exclude(in_low_income)
        case _:
            # A status filter asks for households holding it; otherwise either record counts.
            qs = qs.filter(in_low_income if filters.kind else in_low_income | monitored)
    if filters.town:
        qs = qs.filter(village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.q.strip():
        qs = qs.filter(pk__in=matching_households(filters.q))
    return qs.order_by("village_id", "pk").values(
        "head_name",
        "status_2020",
        household_id=F("pk"),
        town_name=F("village__town__name"),
        village_name=F("village__name"),
    )


# (key, header): the list's columns, in the order of the page and of the file.
COLUMNS: list[tuple[str, str]] = [
    ("town", "镇（园区）"),
    ("village", "村"),
    ("head_name", "户主"),
    ("id_number", "户主身份证号"),
    ("group", "归类"),
    ("statuses", "现有低收入人口身份"),
    ("category", "监测对象类别"),
    ("subject_state", "监测状态"),
    ("status_2020", "2020年底身份"),
    ("why", "说明"),
]


@dataclass
class Row:
    household_id: int
    cells: dict[str, Any]

    def values(self) -> list[Any]:
        return [self.cells[key] for key, _ in COLUMNS]


def low_income_rows(
    rows: Iterable[dict[str, Any]], *, user: User, chunk: int = CHUNK
) -> Iterator[Row]:
    """Each base row with its statuses, subjects and head, chunk by chunk."""
    full = user.can_see_full_id_numbers
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, chunk)):
        yield from _enrich(batch, show_full_id_numbers=full)


_STATUS_2020 = dict(Status2020.choices)
_CATEGORY = dict(MonitoringSubject.Category.choices)
_SUBJECT_STATE = dict(MonitoringSubject.Status.choices)
_KIND = dict(LowIncomeStatus.Kind.choices)


def _enrich(batch: list[dict[str, Any]], *, show_full_id_numbers: bool) -> Iterator[Row]:
    households = [row["household_id"] for row in batch]
    heads = dict(
        Member.objects.filter(household_id__in=households, relation=Member.Relation.HEAD)
        .order_by()
        .values_list("household_id", "id_number")
    )
    current: dict[int, list[dict]] = defaultdict(list)
    ended: dict[int, dict] = {}
    statuses = (
        LowIncomeStatus.objects.filter(household_id__in=households)
        .order_by("household_id", "started_on", "pk")
        .values("household_id", "kind", "started_on", "ended_on")
    )
    for status in statuses:
        if status["ended_on"] is None:
            current[status["household_id"]].append(status)
        else:
            kept = ended.get(status["household_id"])
            if kept is None or status["ended_on"] >= kept["ended_on"]:
                ended[status["household_id"]] = status
    subjects: dict[int, dict] = {}
    rows = (
        MonitoringSubject.objects.filter(household_id__in=households)
        .order_by("household_id", "started_on", "pk")
        .values("household_id", "category", "status", "started_on", "ended_on")
    )
    for subject in rows:  # the open one, else the latest
        kept = subjects.get(subject["household_id"])
        if kept is None or kept["status"] != MonitoringSubject.Status.MONITORING:
            subjects[subject["household_id"]] = subject
    for row in batch:
        pk = row["household_id"]
        head = heads.get(pk, "")
        yield Row(
            household_id=pk,
            cells=_cells(
                row,
                head=head if show_full_id_numbers else id_numbers.mask(head),
                current=current.get(pk, []),
                ended=ended.get(pk),
                subject=subjects.get(pk),
            ),
        )


def _status_text(status: dict) -> str:
    day = status["started_on"]
    return f"{_KIND[status['kind']]}（{day.year}年{day.month}月起）"


def _cells(row, *, head: str, current: list[dict], ended: dict | None, subject) -> dict:
    monitored = subject is not None and subject["status"] == MonitoringSubject.Status.MONITORING
    if current and monitored:
        group = Group.BOTH
    elif current:
        group = Group.LOW_INCOME_ONLY
    else:
        group = Group.SUBJECT_ONLY
    statuses = "、".join(_status_text(s) for s in current)
    why: list[str] = []
    if current:
        why.append(f"民政名册现为{statuses}")
    elif ended is not None:
        why.append(
            f"无现有低收入人口身份（{_KIND[ended['kind']]}已于{ended['ended_on']:%Y-%m-%d}终止）"
        )
    else:
        why.append("无低保、特困、低保边缘或刚性支出困难身份")
    if monitored:
        why.append(f"{_CATEGORY[subject['category']]}，{subject['started_on']:%Y-%m-%d}纳入监测")
    elif subject is not None:
        why.append(f"未在监测（曾为{_CATEGORY[subject['category']]}，"
                   f"{subject['ended_on']:%Y-%m-%d}风险已消除）")  # fmt: skip
    else:
        why.append("未纳入监测")
    return {
        "town": row["town_name"],
        "village": row["village_name"],
        "head_name": row["head_name"],
        "id_number": head,
        "group": group.label,
        "group_key": group.value,
        "statuses": statuses,
        "category": _CATEGORY[subject["category"]] if monitored else "",
        "subject_state": _SUBJECT_STATE[subject["status"]] if subject else "未纳入监测",
        "status_2020": _STATUS_2020.get(row["status_2020"], ""),
        "why": "；".join(why),
        "kinds": [s["kind"] for s in current],
    }
