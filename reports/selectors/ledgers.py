"""The ledgers of 三(十) "根据监测对象分类及现有产业、就业及家庭收支状况，分别建立监测对象台账".

One scoped base query per ledger gives plain rows (``.values()``); ``ledger_rows`` then adds,
per chunk of rows, what other tables know (the head's ID number, risks, plan, 产业/就业
measures, income, helpers) with one query per table. So a page of 50 rows and a chunk of
2,000 in an export cost the same fixed number of queries, and an export of the whole county
streams in chunks without ever holding more than one of them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet

from assistance.models import (
    OPEN_PLAN_STATES,
    AssistancePlan,
    HelpAssignment,
    Measure,
    MeasureKind,
)
from households import id_numbers
from households.models import Household, IncomeRecord, Member, MonitoringSubject
from households.selectors import (
    household_scope_q,
    kept_village_scope_q,
    matching_households,
    subject_search_q,
)
from identification.models import ExitCase, ExitState
from organization.models import PolicySettings, Role, User

from ..models import LedgerExport, LedgerKind

CHUNK = 2000  # rows per chunk of an export: one set of look-up queries each
SUBJECT_KINDS = {
    LedgerKind.UNSTABLE: MonitoringSubject.Category.UNSTABLE,
    LedgerKind.MARGINAL: MonitoringSubject.Category.MARGINAL,
    LedgerKind.SUDDEN: MonitoringSubject.Category.SUDDEN,
}
# 三(十) "现有产业、就业": the ledger lists these two groups of the catalogue only.
LEDGER_MEASURE_GROUPS = (MeasureKind.Group.INDUSTRY, MeasureKind.Group.EMPLOYMENT)
MSG_NO_LEDGER = "县直部门人员不查看监测对象台账"


class RegistryStatus:
    """The registry's status filter: whether a household is or was a monitoring subject."""

    MONITORING = "monitoring"
    ELIMINATED = "eliminated"
    NEVER = "never"
    CHOICES = [(MONITORING, "监测中"), (ELIMINATED, "已消除风险"), (NEVER, "未纳入监测")]


def may_read_ledgers(user: User) -> bool:
    """The bureau, towns and villages keep the ledgers (三(十)); a helper reads the rows of the
    households paired with them, ID numbers masked. Department staff see no household."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in {Role.COUNTY_BUREAU, Role.TOWN_OFFICIAL, Role.VILLAGE_MONITOR, Role.HELPER}
    )


@dataclass(frozen=True)
class LedgerFilters:
    town: int | None = None
    village: int | None = None
    category: str = ""
    status: str = ""
    q: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The filters set, as stored on a job and in the API's answers."""
        return {name: value for name, value in asdict(self).items() if value not in (None, "")}


# (key, header): the ledger's columns, in the order of the page and of the file.
COLUMNS: list[tuple[str, str]] = [
    ("town", "镇（园区）"),
    ("village", "村"),
    ("head_name", "户主"),
    ("id_number", "户主身份证号"),
    ("category", "监测对象类别"),
    ("risks", "风险类型"),
    ("started_on", "纳入监测日期"),
    ("ended_on", "退出（风险消除）日期"),
    ("status", "监测状态"),
    ("industry", "产业帮扶措施（状态）"),
    ("employment", "就业帮扶措施（状态）"),
    ("income_year", "收入年度"),
    ("income", "家庭纯收入（元）"),
    ("expense", "刚性支出（元）"),
    ("per_capita", "人均纯收入（元）"),
    ("income_line", "监测收入线（元）"),
    ("below_line", "低于监测线"),
    ("helpers", "帮扶人"),
    ("plan", "帮扶方案状态"),
]
EXIT_COLUMNS: list[tuple[str, str]] = [("round", "退出批次"), ("filed_on", "备案日期")]


def columns(kind: str) -> list[tuple[str, str]]:
    return COLUMNS + EXIT_COLUMNS if kind == LedgerKind.EXITS else COLUMNS


PLACE = {
    "town_name": F("household__village__town__name"),
    "village_name": F("household__village__name"),
    "head_name": F("household__head_name"),
    "income_year": F("household__latest_income_year"),
    "per_capita": F("household__latest_per_capita_income"),
}


def ledger_queryset(*, user: User, kind: str, filters: LedgerFilters | None = None) -> QuerySet:
    """The scoped, filtered rows of one ledger as plain values, in ledger order (town, village,
    household). Every role reads through ``household_scope_q``; department staff get nothing."""
    filters = filters or LedgerFilters()
    if not may_read_ledgers(user):
        return MonitoringSubject.objects.none().values()
    if kind == LedgerKind.REGISTRY:
        return _registry(user, filters)
    if kind == LedgerKind.EXITS:
        qs = ExitCase.objects.filter(household_scope_q(user, "household__"), state=ExitState.FILED)
        qs = _common_filters(qs, filters, subject="subject__")
        return qs.order_by("household__village_id", "household_id", "pk").values(
            "household_id",
            "subject_id",
            "filed_on",
            **PLACE,
            category=F("subject__category"),
            started_on=F("subject__started_on"),
            status=F("subject__status"),
            ended_on=F("filed_on"),
            round_year=F("town_round__round__year"),
            round_half=F("town_round__round__half"),
        )
    qs = MonitoringSubject.objects.filter(
        kept_village_scope_q(user), category=SUBJECT_KINDS[LedgerKind(kind)]
    )
    qs = _common_filters(qs, filters, subject="")
    return qs.order_by("household__village_id", "household_id", "pk").values(
        "household_id", "category", "started_on", "ended_on", "status", **PLACE, subject_id=F("pk")
    )


def _common_filters(qs: QuerySet, filters: LedgerFilters, *, subject: str) -> QuerySet:
    if filters.town:
        qs = qs.filter(household__village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(household__village_id=filters.village)
    if filters.category:
        qs = qs.filter(**{f"{subject}category": filters.category})
    if filters.status in MonitoringSubject.Status.values:
        qs = qs.filter(**{f"{subject}status": filters.status})
    if filters.q.strip():
        qs = qs.filter(subject_search_q(filters.q))
    return qs


def _registry(user: User, filters: LedgerFilters) -> QuerySet:
    qs = Household.objects.filter(household_scope_q(user))
    if filters.town:
        qs = qs.filter(village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    subjects = MonitoringSubject.objects.filter(household=OuterRef("pk"))
    if filters.category:
        qs = qs.filter(Exists(subjects.filter(category=filters.category)))
    monitoring = Exists(subjects.filter(status=MonitoringSubject.Status.MONITORING))
    match filters.status:
        case RegistryStatus.MONITORING:
            qs = qs.filter(monitoring)
        case RegistryStatus.ELIMINATED:
            qs = qs.filter(Exists(subjects)).exclude(monitoring)
        case RegistryStatus.NEVER:
            qs = qs.exclude(Exists(subjects))
    if filters.q.strip():
        qs = qs.filter(pk__in=matching_households(filters.q))
    return qs.order_by("village_id", "pk").values(
        "head_name",
        household_id=F("pk"),
        town_name=F("village__town__name"),
        village_name=F("village__name"),
        income_year=F("latest_income_year"),
        per_capita=F("latest_per_capita_income"),
    )


# --- enriching rows, one query per table per chunk ---------------------------------------


@dataclass(frozen=True)
class RowOptions:
    show_full_id_numbers: bool


def ledger_rows(
    rows: Iterable[dict[str, Any]], *, kind: str, user: User, chunk: int = CHUNK
) -> Iterator[list[Any]]:
    """Each base row as the list of its cells (``columns(kind)``), chunk by chunk."""
    lines: dict[int, Decimal] = {}  # the income line per year, read once per export
    options = RowOptions(show_full_id_numbers=user.can_see_full_id_numbers)
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, chunk)):
        yield from _enrich(batch, kind=kind, options=options, lines=lines)


def _enrich(
    batch: list[dict[str, Any]], *, kind: str, options: RowOptions, lines: dict[int, Decimal]
) -> Iterator[list[Any]]:
    households = [row["household_id"] for row in batch]
    if kind == LedgerKind.REGISTRY:
        subjects = _current_subjects(households)
        for row in batch:
            row.update(subjects.get(row["household_id"], {}))
    subject_ids = [row["subject_id"] for row in batch if row.get("subject_id")]
    heads = dict(
        Member.objects.filter(household_id__in=households, relation=Member.Relation.HEAD)
        .order_by()
        .values_list("household_id", "id_number")
    )
    risks = _risks(subject_ids)
    plans = _current_plans(subject_ids)
    measures = _measures(plans)
    incomes = _incomes(households)
    helpers = _helpers(households)
    _read_lines({row["income_year"] for row in batch if row.get("income_year")}, lines)
    labels = _Labels()
    for row in batch:
        yield _cells(
            row,
            kind=kind,
            head=heads.get(row["household_id"], ""),
            options=options,
            risks=risks,
            plan=plans.get(row.get("subject_id")),
            measures=measures,
            income=incomes.get((row["household_id"], row.get("income_year"))),
            helpers=helpers.get(row["household_id"], []),
            lines=lines,
            labels=labels,
        )


def _current_subjects(households: list[int]) -> dict[int, dict[str, Any]]:
    """The registry row's subject: the open one, else the latest (三(十) keeps both)."""
    found: dict[int, dict[str, Any]] = {}
    rows = (
        MonitoringSubject.objects.filter(household_id__in=households)
        .order_by("household_id", "started_on", "pk")
        .values("household_id", "category", "started_on", "ended_on", "status", subject_id=F("pk"))
    )
    for row in rows:
        kept = found.get(row["household_id"])
        if kept is None or kept["status"] != MonitoringSubject.Status.MONITORING:
            found[row["household_id"]] = row
    return found


def _risks(subject_ids: list[int]) -> dict[int, list[str]]:
    through = MonitoringSubject.risk_types.through
    found: dict[int, list[str]] = defaultdict(list)
    pairs = (
        through.objects.filter(monitoringsubject_id__in=subject_ids)
        .order_by("risktype__order", "risktype_id")
        .values_list("monitoringsubject_id", "risktype__name")
    )
    for subject_id, name in pairs:
        found[subject_id].append(name)
    return found


def _current_plans(subject_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each subject's open plan (一户一方案), else its latest closed one."""
    found: dict[int, dict[str, Any]] = {}
    rows = (
        AssistancePlan.objects.filter(subject_id__in=subject_ids)
        .order_by("subject_id", "made_on", "pk")
        .values("pk", "subject_id", "state")
    )
    for row in rows:
        kept = found.get(row["subject_id"])
        if kept is None or kept["state"] not in OPEN_PLAN_STATES:
            found[row["subject_id"]] = row
    return found


def _measures(plans: dict[int, dict[str, Any]]) -> dict[tuple[int, str], list[str]]:
    """(plan, group) → "kind（state）" of the plan's 产业 and 就业 measures."""
    found: dict[tuple[int, str], list[str]] = defaultdict(list)
    states = dict(Measure._meta.get_field("state").choices)
    rows = (
        Measure.objects.filter(
            plan_id__in=[plan["pk"] for plan in plans.values()],
            kind__group__in=LEDGER_MEASURE_GROUPS,
        )
        .order_by("plan_id", "kind__order", "pk")
        .values_list("plan_id", "kind__group", "kind__name", "state")
    )
    for plan_id, group, name, state in rows:
        found[(plan_id, group)].append(f"{name}（{states.get(state, state)}）")
    return found


def _incomes(households: list[int]) -> dict[tuple[int, int], dict[str, Decimal]]:
    rows = (
        IncomeRecord.objects.filter(household_id__in=households)
        .order_by()
        .values(
            "household_id",
            "year",
            income=F("wage_income")
            + F("business_income")
            + F("property_income")
            + F("transfer_income"),
            expense=F("medical_expense") + F("education_expense") + F("other_expense"),
        )
    )
    return {(row["household_id"], row["year"]): row for row in rows}


def _helpers(households: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        HelpAssignment.objects.filter(household_id__in=households, ended_on__isnull=True)
        .order_by("household_id", "started_on", "pk")
        .values_list("household_id", "helper__last_name", "helper__first_name", "helper__username")
    )
    for household_id, last, first, username in rows:
        found[household_id].append(f"{last}{first}" or username)
    return found


def _read_lines(years: set[int], lines: dict[int, Decimal]) -> None:
    for year in years - lines.keys():
        lines[year] = PolicySettings.for_year(year).income_line


class _Labels:
    category = dict(MonitoringSubject.Category.choices)
    status = dict(MonitoringSubject.Status.choices)
    plan = dict(AssistancePlan._meta.get_field("state").choices)


def _cells(row: dict[str, Any], *, kind: str, head: str, options: RowOptions, risks, plan,
           measures, income, helpers, lines, labels: _Labels) -> list[Any]:  # fmt: skip
    subject_id = row.get("subject_id")
    per_capita = row.get("per_capita")
    line = lines.get(row.get("income_year"))
    values = {
        "town": row["town_name"],
        "village": row["village_name"],
        "head_name": row["head_name"],
        "id_number": head if options.show_full_id_numbers else id_numbers.mask(head),
        "category": labels.category.get(row.get("category"), ""),
        "risks": "、".join(risks.get(subject_id, [])),
        "started_on": row.get("started_on"),
        "ended_on": row.get("ended_on"),
        "status": labels.status.get(row.get("status"), "未纳入监测"),
        "industry": "；".join(measures.get((plan["pk"], "industry"), [])) if plan else "",
        "employment": "；".join(measures.get((plan["pk"], "employment"), [])) if plan else "",
        "income_year": row.get("income_year"),
        "income": income["income"] if income else None,
        "expense": income["expense"] if income else None,
        "per_capita": per_capita,
        "income_line": line,
        "below_line": "" if per_capita is None or line is None else _yes(per_capita < line),
        "helpers": "、".join(helpers),
        "plan": labels.plan.get(plan["state"], "") if plan else ("未制定" if subject_id else ""),
    }
    if kind == LedgerKind.EXITS:
        values["round"] = f"{row['round_year']}年{'上半年' if row['round_half'] == 1 else '下半年'}"
        values["filed_on"] = row["filed_on"]
    return [values[key] for key, _ in columns(kind)]


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def ledger_export_get(*, user: User, pk: Any) -> LedgerExport:
    """An export job only its requester sees: anyone else's answers ``DoesNotExist`` (404),
    the county included, since the file holds what the requester's scope and role showed."""
    return LedgerExport.objects.get(pk=pk, requested_by=user)
