"""Scoped reads of identification: every list and lookup takes the user.

Cases are scoped by the registry's one rule, through the village each case keeps
from its household (``kept_village_scope_q``; a helper's through the household).
Department staff see no cases but do see the comparison data sets their
department uploaded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from households.models import Household, IncomeRecord, Member, Visit
from households.selectors import household_scope_q, kept_village_scope_q
from organization.models import PolicySettings, Role, User
from organization.selectors import user_list
from organization.working_days import Clock

from ..models import (
    Announcement,
    Comparison,
    ComparisonDataset,
    ComparisonKind,
    ComparisonRecord,
    DatasetUpload,
    Filing,
    IdentificationCase,
    Objection,
    Publicity,
)
from ..models.case import OPEN_STATES, PUBLICIZING_STATES
from ..procedures import PROCEDURES
from . import clock as _clock
from .clock import clock_annotation, clock_q
from .timeline import TimelineEntry as TimelineEntry
from .timeline import case_timeline as case_timeline

CHINESE_DIGITS = "零一二三四五六七八九十"


def fraction_label(numerator: int, denominator: int) -> str:
    """2/3 → 三分之二, the way the policy writes it."""
    if numerator <= 10 and denominator <= 10:
        if numerator * 2 == denominator:
            return "半数"
        return f"{CHINESE_DIGITS[denominator]}分之{CHINESE_DIGITS[numerator]}"
    return f"{numerator}/{denominator}"


# --- cases ---------------------------------------------------------------------------


def case_scope_q(user: User) -> Q:
    # By the village the case keeps (IdentificationCase.village), the household's.
    return kept_village_scope_q(user)


@dataclass(frozen=True)
class CaseFilters:
    town: int | None = None
    village: int | None = None
    state: str = ""
    source: str = ""
    # True: red (超期, past the limit); False: not red. ``clock`` names one colour.
    overdue: bool | None = None
    clock: str = ""
    q: str = ""
    queue: str = ""
    procedure: str = ""


# Each role's work queue: the cases whose next step is theirs, by the steps of each case's own
# procedure (its table says in which states they are taken).
QUEUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "village": (
        "待村办理",
        ("consent", "verify", "deliberate", "deliberate_village", "publicize_village"),
    ),
    "compare": ("待信息比对", ("compare",)),
    "publicizing": ("公示中", ("conclude",)),
    "town": ("待镇审定（审核）", ("approve_town", "review_town")),
    "filing": ("待县备案（审定公告）", ("file", "approve_county")),
    "open": ("办理中", ()),
}


def queue_q(key: str) -> Q:
    """The cases in ``key``'s queue: under each procedure, the states its table takes the
    queue's steps in. Anhui 2024 compares during the village publicity, once."""
    names = QUEUES[key][1]
    if not names:
        return Q(state__in=OPEN_STATES)
    q = Q(pk__in=[])
    for procedure in PROCEDURES.values():
        states = {state for row in procedure.rows if row.step.name in names for state in row.states}
        if not states:
            continue
        in_queue = Q(procedure=procedure.key, state__in=states)
        if key == "compare" and procedure.compares_during_publicity:
            compared = Comparison.objects.filter(
                case=OuterRef("pk"), publicity__outcome=Publicity.Outcome.RUNNING
            )
            in_queue &= ~Exists(compared)
        q |= in_queue
    return q


def case_list(
    *, user: User, filters: CaseFilters | None = None, today: datetime.date | None = None
) -> QuerySet[IdentificationCase]:
    """The cases in ``user``'s scope, each with its ``clock`` on ``today`` (``""`` when closed)."""
    filters = filters or CaseFilters()
    today = today or _clock.clock_today()
    qs = IdentificationCase.objects.filter(case_scope_q(user))
    if filters.town:
        qs = qs.filter(village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.queue in QUEUES:
        qs = qs.filter(queue_q(filters.queue))
    if filters.procedure:
        qs = qs.filter(procedure=filters.procedure)
    if filters.q.strip():
        qs = qs.filter(household__head_name__contains=filters.q.strip())
    if filters.overdue is not None:
        red = clock_q(Clock.RED, today=today)
        qs = qs.filter(red) if filters.overdue else qs.exclude(red)
    if filters.clock in Clock.values:
        qs = qs.filter(clock_q(filters.clock, today=today))
    open_objections = Objection.objects.filter(case=OuterRef("pk"), status=Objection.Status.OPEN)
    return (
        qs.annotate(has_open_objection=Exists(open_objections), clock=clock_annotation(today))
        .select_related(
            "household__village__town",
            "household__group",
            "applicant",
            "filing__announcement",  # the announcement number of a filed case (三(七)7)
        )
        .prefetch_related("risk_types")
    )


def case_get(*, user: User, pk: Any) -> IdentificationCase:
    """One case in scope, or ``IdentificationCase.DoesNotExist`` (pages and API answer 404)."""
    return case_list(user=user).get(pk=pk)


def days_waiting(case: IdentificationCase, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return (today - timezone.localdate(case.state_changed_at)).days


def objectable_case_list(*, user: User) -> QuerySet[IdentificationCase]:
    """Cases in publicity that ``user`` may lodge an objection against.

    Issue 3: "Objections (异议) can be lodged against a case during either publicity by
    any user of that village's town or the bureau". A publicity is posted for the whole
    town (三(七)5 村公示, 三(七)6 镇公示), so a monitor of village A2 may object to a case
    of village A1 of the same town while it is publicised, though the case itself stays
    outside their scope (``case_list``): this opens the lodging of an objection and the
    masked notice row, nothing else. Department staff and helpers post no notice: none.
    """
    return publicized_to(user, IdentificationCase.objects.filter(state__in=PUBLICIZING_STATES))


def publicized_to(user: User, publicizing: QuerySet) -> QuerySet:
    """Of the cases (identification or exit) in ``publicizing``, those posted for ``user``'s
    town, or all for the bureau: who may lodge an objection (see ``objectable_case_list``)."""
    if not user.is_authenticated or not user.is_active:
        return publicizing.none()
    match user.role:
        case Role.COUNTY_BUREAU:
            return publicizing
        case Role.TOWN_OFFICIAL | Role.VILLAGE_MONITOR:
            town_id = user.town_id
            if town_id is None and user.village_id is not None:
                town_id = user.village.town_id
            if town_id is None:
                return publicizing.none()
            return publicizing.filter(household__village__town_id=town_id)
    return publicizing.none()


def objectable_case_get(*, user: User, pk: Any) -> IdentificationCase:
    """One case ``user`` may object to, or ``IdentificationCase.DoesNotExist`` (404)."""
    return objectable_case_list(user=user).get(pk=pk)


def publicity_rows(*, user: User) -> QuerySet[IdentificationCase]:
    """The 本镇公示中 list: what ``user`` may object to, read for the masked notice row."""
    running = Publicity.objects.filter(outcome=Publicity.Outcome.RUNNING)
    return (
        objectable_case_list(user=user)
        .select_related("household__village__town", "household__group", "applicant")
        .prefetch_related(
            "household__members",
            Prefetch("publicities", queryset=running, to_attr="running_publicities"),
            "risk_types",
        )
        .order_by("household__village__code", "household__group_id", "household__head_name")
    )


def objection_list(*, user: User, open_only: bool = False) -> QuerySet[Objection]:
    qs = Objection.objects.filter(household_scope_q(user, "case__household__"))
    if open_only:
        qs = qs.filter(status=Objection.Status.OPEN)
    return qs.select_related("case__household__village__town", "publicity", "lodged_by")


def objection_get(*, user: User, pk: Any) -> Objection:
    return objection_list(user=user).get(pk=pk)


# --- what the home check shows (三(六)) --------------------------------------------


@dataclass(frozen=True)
class IncomeFinding:
    year: int | None
    per_capita: Decimal | None
    line: Decimal
    below_line: bool
    previous_per_capita: Decimal | None = None

    @property
    def drop_percent(self) -> Decimal | None:
        """Change against the year before, a hint for 三(六)二 (sudden drop)."""
        if self.per_capita is None or not self.previous_per_capita:
            return None
        change = (self.previous_per_capita - self.per_capita) / self.previous_per_capita * 100
        return change.quantize(Decimal("0.1"))


def household_income_on(household: Household, day: datetime.date) -> IncomeFinding:
    """三(六)一: the newest income record up to ``day``'s year against that record's year's line."""
    records = list(
        IncomeRecord.objects.filter(household=household, year__lte=day.year).order_by("-year")[:2]
    )
    if not records:
        return IncomeFinding(
            year=None,
            per_capita=None,
            line=PolicySettings.for_year(day.year).income_line,
            below_line=False,
        )
    latest = records[0]
    line = PolicySettings.for_year(latest.year).income_line
    return IncomeFinding(
        year=latest.year,
        per_capita=latest.per_capita_net_income,
        line=line,
        below_line=latest.per_capita_net_income < line,
        previous_per_capita=records[1].per_capita_net_income if len(records) > 1 else None,
    )


@dataclass
class CriteriaPreview:
    """What the records say about each criterion of 三(六), shown before the team decides."""

    income: IncomeFinding
    risk_visits: list[Visit] = field(default_factory=list)
    seriously_ill: list[Member] = field(default_factory=list)
    dropped_out: list[Member] = field(default_factory=list)
    medical_expense: Decimal | None = None


def criteria_preview(household: Household, day: datetime.date) -> CriteriaPreview:
    income = household_income_on(household, day)
    members = list(household.members.all())
    record = IncomeRecord.objects.filter(household=household, year=income.year).first()
    since = day - datetime.timedelta(days=365)
    return CriteriaPreview(
        income=income,
        risk_visits=list(household.visits.filter(risk_found=True, visited_on__gte=since)),
        seriously_ill=[m for m in members if m.health == Member.Health.SERIOUS],
        dropped_out=[m for m in members if m.schooling == Member.Schooling.DROPPED_OUT],
        medical_expense=record.medical_expense if record else None,
    )


# --- 信息比对 -------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    member: Member
    dataset: ComparisonDataset
    record: ComparisonRecord


@dataclass
class ComparisonResult:
    datasets: list[ComparisonDataset]
    missing_kinds: list[str]
    hits: list[Hit]


def latest_datasets() -> list[ComparisonDataset]:
    """The newest data set of each of the five kinds (三(七)4)."""
    latest = []
    for kind in ComparisonKind.values:
        dataset = ComparisonDataset.objects.filter(kind=kind).order_by("-as_of", "-id").first()
        if dataset:
            latest.append(dataset)
    return latest


def comparison_hits(case: IdentificationCase) -> ComparisonResult:
    """Every member of the household looked up in the latest set of each kind."""
    datasets = latest_datasets()
    members = {m.id_number: m for m in case.household.members.all()}
    records = ComparisonRecord.objects.filter(
        dataset__in=datasets, id_number__in=list(members)
    ).select_related("dataset")
    kinds = {d.kind for d in datasets}
    return ComparisonResult(
        datasets=datasets,
        missing_kinds=[label for value, label in ComparisonKind.choices if value not in kinds],
        hits=[Hit(member=members[r.id_number], dataset=r.dataset, record=r) for r in records],
    )


# 三(七)4: the county compares the household with the departments' data and feeds the result
# back to the town and village. Until it has, the departments' records (vehicles, housing,
# businesses) are the county's alone; afterwards the others see what was fed back.
MSG_HITS_BEFORE_COMPARISON = (
    "信息比对由县扶贫局进行，比对完成前部门比对数据仅县扶贫局可以查看；"
    "比对结果反馈后可在申请详情中查看（三(七)4）"
)


def may_see_comparison_data(user: User) -> bool:
    """Who may see the departments' records a household matches before any judgement."""
    return user.is_authenticated and user.role == Role.COUNTY_BUREAU


def comparison_hits_for(*, user: User, case: IdentificationCase) -> ComparisonResult:
    """The county: the hits in the latest data sets. Anyone else who sees the case: the hits
    of the comparison the county recorded (the result fed back), or ``PermissionDenied``
    while there is none."""
    if may_see_comparison_data(user):
        return comparison_hits(case)
    recorded = case.comparisons.prefetch_related(
        "hits__member", "hits__dataset", "datasets"
    ).first()
    if recorded is None:
        raise PermissionDenied(MSG_HITS_BEFORE_COMPARISON)
    return ComparisonResult(
        datasets=list(recorded.datasets.all()),
        missing_kinds=recorded.unchecked_kinds,
        hits=[
            Hit(
                member=hit.member,
                dataset=hit.dataset,
                # The record as fed back: the detail kept with the judgement.
                record=SimpleNamespace(pk=hit.record_id, detail=hit.detail),
            )
            for hit in recorded.hits.all()
        ],
    )


def comparison_audit_label(case: IdentificationCase) -> str:
    """How the audit log names a look at a case's comparison data."""
    return f"比对数据（{case.household.head_name}户，识别申请{case.pk}）"


def hit_counts(cases: list[IdentificationCase]) -> dict[int, int]:
    """Hits per case in the latest data sets, for a page of the comparison queue (fixed queries)."""
    datasets = latest_datasets()
    owners: dict[str, list[int]] = {}
    by_household: dict[int, list[int]] = {}
    for case in cases:
        by_household.setdefault(case.household_id, []).append(case.pk)
    for household_id, id_number in Member.objects.filter(household_id__in=by_household).values_list(
        "household_id", "id_number"
    ):
        owners.setdefault(id_number, []).extend(by_household[household_id])
    counts = dict.fromkeys((case.pk for case in cases), 0)
    for id_number in ComparisonRecord.objects.filter(
        dataset__in=datasets, id_number__in=list(owners)
    ).values_list("id_number", flat=True):
        for pk in owners[id_number]:
            counts[pk] += 1
    return counts


def dataset_scope_q(user: User) -> Q:
    """The bureau sees every data set and upload; department staff those of their department."""
    if user.is_authenticated and user.role == Role.COUNTY_BUREAU:
        return Q()
    if user.is_authenticated and user.role == Role.DEPARTMENT_STAFF:
        return Q(department_id=user.department_id)
    return Q(pk__in=[])


def dataset_list(*, user: User) -> QuerySet[ComparisonDataset]:
    return ComparisonDataset.objects.filter(dataset_scope_q(user)).select_related(
        "department", "uploaded_by"
    )


def dataset_upload_list(*, user: User) -> QuerySet[DatasetUpload]:
    return DatasetUpload.objects.filter(dataset_scope_q(user)).select_related(
        "department", "uploaded_by", "dataset"
    )


def can_upload_datasets(user: User) -> bool:
    return user.is_authenticated and user.role in {Role.COUNTY_BUREAU, Role.DEPARTMENT_STAFF}


# --- notices ---------------------------------------------------------------------------


def village_notice_cases(*, user: User, village_id: int) -> QuerySet[IdentificationCase]:
    """Cases whose village publicity is running: the village notice (三(七)5)."""
    return _notice_cases(user, Publicity.Level.VILLAGE).filter(village_id=village_id)


def town_notice_cases(*, user: User, town_id: int) -> QuerySet[IdentificationCase]:
    """Cases whose town publicity is running: the town notice (三(七)6)."""
    return _notice_cases(user, Publicity.Level.TOWN).filter(village__town_id=town_id)


def _notice_cases(user: User, level: str) -> QuerySet[IdentificationCase]:
    running = Publicity.objects.filter(outcome=Publicity.Outcome.RUNNING, level=level)
    return (
        case_list(user=user)
        .filter(publicities__in=running)
        .prefetch_related(
            "household__members",
            Prefetch("publicities", queryset=running, to_attr="running_publicities"),
            "risk_types",
        )
        .order_by("household__group_id", "household__head_name")
    )


def announcement_list(*, user: User) -> QuerySet[Announcement]:
    """Announcements are public notices; each role sees them (their filings are scoped below)."""
    if not user.is_authenticated or user.role == Role.DEPARTMENT_STAFF:
        return Announcement.objects.none()
    return Announcement.objects.all()


def announcement_filings(*, user: User, announcement: Announcement) -> QuerySet[Filing]:
    return (
        Filing.objects.filter(announcement=announcement)
        .filter(household_scope_q(user, "case__household__"))
        .select_related("case__household__village__town", "case__household__group")
        .prefetch_related("risk_types", "case__household__members")
        .order_by("case__household__village__town__code", "case__household__village__code")
    )


def team_candidates(*, user: User, household: Household) -> QuerySet[User]:
    """Users who may sit on a home-check team: colleagues in scope and the household's helpers."""
    helpers = User.objects.filter(
        help_assignments__household=household, help_assignments__ended_on__isnull=True
    ).values("pk")
    colleagues = user_list(user=user).values("pk")
    return User.objects.filter(Q(pk__in=colleagues) | Q(pk__in=helpers), is_active=True).order_by(
        "last_name", "first_name", "username"
    )
