"""Scoped reads of warnings, clues, uploads and sweeps: every list and lookup takes the user.

Who sees what (三(四)2/3: departments send, the county pushes, towns and villages verify):
- county bureau: everything;
- department staff: their department's uploads, and their own rows' warnings and clues
  (what became of them), never the household behind a row;
- town official: their town's warnings and clues once pushed to the town;
- village monitor: their village's once the town has assigned them;
- helpers: nothing here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from organization.models import Department, PolicySettings, Role, User

from .models import (
    Clue,
    DepartmentSweep,
    MonthlyCycle,
    State,
    Upload,
    Warning,
    WarningIndicator,
    next_month_start,
    period_start,
    quarter_bounds,
)

NONE = Q(pk__in=[])
TOWN_STATES = [State.PUSHED, State.ASSIGNED, State.VERIFIED, State.CLOSED]
VILLAGE_STATES = [State.ASSIGNED, State.VERIFIED, State.CLOSED]


def item_scope_q(user: User) -> Q:
    """The rule for warnings and clues alike (both carry town, village, department, state)."""
    if not user.is_authenticated or not user.is_active:
        return NONE
    match user.role:
        case Role.COUNTY_BUREAU:
            return Q()
        case Role.DEPARTMENT_STAFF:
            return Q(department_id=user.department_id)
        case Role.TOWN_OFFICIAL:
            return Q(town_id=user.town_id, state__in=TOWN_STATES)
        case Role.VILLAGE_MONITOR:
            return Q(village_id=user.village_id, state__in=VILLAGE_STATES)
    return NONE


# --- who may take which step ---------------------------------------------------------


@dataclass(frozen=True)
class ItemStep:
    state: str  # the state the step is taken in
    roles: frozenset[str]  # who takes it, each within their reach (item_in_reach)


# 三(四)2/3: the bureau routes a clue that named no known town, the town assigns to a
# village, the village (or the town) verifies at the door, and either of them or the
# bureau closes (销号). The services check this; the pages read it to offer buttons.
ITEM_STEPS: dict[str, ItemStep] = {
    "route": ItemStep(State.RECEIVED, frozenset({Role.COUNTY_BUREAU})),
    "assign": ItemStep(State.PUSHED, frozenset({Role.TOWN_OFFICIAL})),
    "verify": ItemStep(State.ASSIGNED, frozenset({Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL})),
    "close": ItemStep(
        State.VERIFIED,
        frozenset({Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}),
    ),
}


def item_in_reach(user: User, item: Clue | Warning) -> bool:
    """A monitor acts on their village's items, an official on their town's, the bureau on all."""
    match user.role:
        case Role.COUNTY_BUREAU:
            return True
        case Role.TOWN_OFFICIAL:
            return item.town_id is not None and item.town_id == user.town_id
        case Role.VILLAGE_MONITOR:
            return item.village_id is not None and item.village_id == user.village_id
    return False


def may_take(user: User, item: Clue | Warning, step: str) -> bool:
    """Whether ``user`` takes ``step`` on ``item`` (role and reach), whatever its state now."""
    if step == "route" and not isinstance(item, Clue):
        return False  # a warning always knows its town
    return user.role in ITEM_STEPS[step].roles and item_in_reach(user, item)


@dataclass(frozen=True)
class ItemPermissions:
    route: bool
    assign: bool
    verify: bool
    close: bool


def item_permissions(user: User, item: Clue | Warning) -> ItemPermissions:
    """The steps ``user`` may take on ``item`` now: their role and reach, and its state."""
    return ItemPermissions(
        **{
            name: item.state == step.state and may_take(user, item, name)
            for name, step in ITEM_STEPS.items()
        }
    )


# --- reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WarningFilters:
    period: str = ""
    department: int | None = None
    town: int | None = None
    village: int | None = None
    state: str = ""
    priority: str = ""
    overdue: bool | None = None


def _filter(qs: QuerySet, filters: Any) -> QuerySet:
    if filters is None:
        return qs
    if filters.period:
        qs = qs.filter(period=filters.period)
    if getattr(filters, "department", None):
        qs = qs.filter(department_id=filters.department)
    if filters.town:
        qs = qs.filter(town_id=filters.town)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if getattr(filters, "priority", ""):
        qs = qs.filter(priority=filters.priority)
    if filters.overdue is not None:
        qs = qs.filter(overdue=filters.overdue)
    return qs


def warning_list(*, user: User, filters: WarningFilters | None = None) -> QuerySet[Warning]:
    qs = Warning.objects.filter(item_scope_q(user)).select_related(
        "indicator__risk_type", "department", "member", "household", "town", "village"
    )
    return _filter(qs, filters)


def warning_get(*, user: User, pk: Any) -> Warning:
    return warning_list(user=user).get(pk=pk)


@dataclass(frozen=True)
class ClueFilters:
    period: str = ""
    town: int | None = None
    village: int | None = None
    state: str = ""
    source: str = ""
    overdue: bool | None = None
    county_only: bool = False


def clue_list(*, user: User, filters: ClueFilters | None = None) -> QuerySet[Clue]:
    qs = Clue.objects.filter(item_scope_q(user)).select_related(
        "indicator", "department", "town", "village", "household"
    )
    qs = _filter(qs, filters)
    if filters and filters.source:
        qs = qs.filter(source=filters.source)
    if filters and filters.county_only:
        qs = qs.filter(town__isnull=True)
    return qs


def clue_get(*, user: User, pk: Any) -> Clue:
    return clue_list(user=user).get(pk=pk)


def upload_list(*, user: User) -> QuerySet[Upload]:
    qs = Upload.objects.select_related("department", "uploaded_by")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.COUNTY_BUREAU:
        return qs
    if user.role == Role.DEPARTMENT_STAFF:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def upload_get(*, user: User, pk: Any) -> Upload:
    return upload_list(user=user).get(pk=pk)


def indicator_list(*, user: User) -> QuerySet[WarningIndicator]:
    """Indicators are the public rules of the game for every signed-in user."""
    if not user.is_authenticated:
        return WarningIndicator.objects.none()
    return WarningIndicator.objects.select_related("department", "risk_type")


def sweep_list(*, user: User) -> QuerySet[DepartmentSweep]:
    """Sweeps carry no personal data; 三(四)1 says they are fed back to towns and villages."""
    qs = DepartmentSweep.objects.select_related("department", "recorded_by")
    if not user.is_authenticated or not user.is_active or user.role == Role.HELPER:
        return qs.none()
    if user.role == Role.DEPARTMENT_STAFF:
        return qs.filter(department_id=user.department_id)
    return qs


def departments_missing_sweep(*, day: datetime.date) -> QuerySet[Department]:
    """三(四)1: 每季度开展不少于1次的大排查 — departments with none recorded this quarter."""
    first, last = quarter_bounds(day)
    done = DepartmentSweep.objects.filter(carried_out_on__range=(first, last)).values(
        "department_id"
    )
    return Department.objects.exclude(pk__in=done)


@dataclass
class DepartmentMonth:
    department: Department
    uploaded_at: datetime.datetime | None
    on_time: bool | None
    late_flagged: bool
    warnings: int
    pushed: int
    pushed_on_time: int
    verified: int
    overdue: int

    @property
    def verified_percent(self) -> int | None:
        return round(100 * self.verified / self.warnings) if self.warnings else None


def due_dates(period: str) -> tuple[datetime.date, datetime.date]:
    """(due date, push date) for a data month, from that year's PolicySettings (三(四)2)."""
    month = next_month_start(period_start(period))
    policy = PolicySettings.for_year(month.year)
    return month.replace(day=policy.warning_due_day), month.replace(day=policy.warning_push_day)


def county_month_report(
    *, user: User, period: str, town: int | None = None
) -> list[DepartmentMonth]:
    """The bureau's page: per department, uploaded by the due day or late, warnings and their
    fate; with ``town``, the warnings of that town only."""
    if user.role != Role.COUNTY_BUREAU:
        return []
    due, push = due_dates(period)
    cycle = MonthlyCycle.objects.filter(period=period).first()
    late = set(cycle.late_departments.values_list("pk", flat=True)) if cycle else set()
    first_upload: dict[int, datetime.datetime] = {}
    for department_id, uploaded_at in (
        Upload.objects.filter(period=period, is_roster=False)  # a roster is not the file
        .exclude(status=Upload.Status.FAILED)
        .order_by("uploaded_at")
        .values_list("department_id", "uploaded_at")
    ):
        first_upload.setdefault(department_id, uploaded_at)
    push_deadline_end = timezone.make_aware(
        datetime.datetime.combine(push + datetime.timedelta(days=1), datetime.time())
    )
    counts = {
        row["department_id"]: row
        for row in Warning.objects.filter(period=period, **({"town_id": town} if town else {}))
        .values("department_id")
        .annotate(
            total=Count("pk"),
            pushed=Count("pk", filter=~Q(state=State.RECEIVED)),
            pushed_on_time=Count("pk", filter=Q(pushed_at__lt=push_deadline_end)),
            verified=Count("pk", filter=Q(state__in=[State.VERIFIED, State.CLOSED])),
            overdue=Count("pk", filter=Q(overdue=True)),
        )
    }
    report = []
    for department in Department.objects.all():
        uploaded_at = first_upload.get(department.pk)
        row = counts.get(department.pk, {})
        report.append(
            DepartmentMonth(
                department=department,
                uploaded_at=uploaded_at,
                on_time=None if uploaded_at is None else timezone.localdate(uploaded_at) <= due,
                late_flagged=department.pk in late,
                warnings=row.get("total", 0),
                pushed=row.get("pushed", 0),
                pushed_on_time=row.get("pushed_on_time", 0),
                verified=row.get("verified", 0),
                overdue=row.get("overdue", 0),
            )
        )
    return report


# --- a month as each role sees it --------------------------------------------------------


@dataclass(frozen=True)
class DepartmentFile:
    """One department's file for one data month: due when, and sent when (三(四)2)."""

    period: str
    due: datetime.date
    push: datetime.date
    uploaded_at: datetime.datetime | None

    @property
    def label(self) -> str:
        year, month = self.period.split("-")
        return f"{year}年{int(month)}月"

    @property
    def on_time(self) -> bool | None:
        if self.uploaded_at is None:
            return None
        return timezone.localdate(self.uploaded_at) <= self.due


def department_file(*, user: User, period: str) -> DepartmentFile | None:
    """The department's file for ``period``: its due and push days and its first upload
    that was not refused; ``None`` for a user who acts for no department."""
    if user.role != Role.DEPARTMENT_STAFF or not user.department_id:
        return None
    due, push = due_dates(period)
    first = (
        upload_list(user=user)
        .filter(period=period, is_roster=False)
        .exclude(status=Upload.Status.FAILED)
        .order_by("uploaded_at")
        .values_list("uploaded_at", flat=True)
        .first()
    )
    return DepartmentFile(period=period, due=due, push=push, uploaded_at=first)


@dataclass(frozen=True)
class TownMonth:
    period: str
    pushed: int  # in the town's inbox
    waiting: int  # written, not yet pushed to the town
    push: datetime.date

    @property
    def label(self) -> str:
        year, month = self.period.split("-")
        return f"{year}年{int(month)}月"


def town_months(*, user: User, current: str, limit: int = 12) -> list[TownMonth]:
    """The data months that have warnings for the user's town, newest first, with how many
    reached the town and how many wait for the push day; ``current`` (the month whose file is
    due now) is always listed. Counts only: the rows themselves stay out of scope until
    pushed (``item_scope_q``)."""
    if user.role != Role.TOWN_OFFICIAL or not user.town_id:
        return []
    rows = (
        Warning.objects.filter(town_id=user.town_id)
        .values("period")
        .annotate(
            waiting=Count("pk", filter=Q(state=State.RECEIVED)),
            pushed=Count("pk", filter=~Q(state=State.RECEIVED)),
        )
        .order_by("-period")[:limit]
    )
    counts = {row["period"]: row for row in rows}
    periods = sorted({current, *counts}, reverse=True)[:limit]
    return [
        TownMonth(
            period=period,
            pushed=counts.get(period, {}).get("pushed", 0),
            waiting=counts.get(period, {}).get("waiting", 0),
            push=due_dates(period)[1],
        )
        for period in periods
    ]


def received_count(*, user: User, period: str) -> int:
    """Warnings and clues of ``period`` written and not yet pushed (the county's 立即推送)."""
    if user.role != Role.COUNTY_BUREAU:
        return 0
    waiting = Q(period=period, state=State.RECEIVED, town__isnull=False)
    return Warning.objects.filter(waiting).count() + Clue.objects.filter(waiting).count()
