"""Visits that come due (三(八)1 定期上门走访) and the six must-visits (三(四)1 六个必访).

Visits due: every monitored subject's helpers visit it at least every N days
(``PolicySettings.help_visit_interval_days``). Only visits by the household's currently paired
helpers count: 三(八)1 puts the duty on them ("帮扶责任人要定期上门走访"), so a monitor's or a
cadre's own visit does not discharge it. Next due = (the latest such visit, else the start of
the current pairing, else the subject's start) + N days; overdue when that day is before today.
Each pairing keeps its helper's latest visit (``HelpAssignment.last_visited_on``), so the
latest such visit is read from the open pairings alone.

Must-visits: ``MUST_VISIT_RULES`` is the one table of the six kinds of 三(四)1, each a ``Q`` on
households derived from the registry's records.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from households.models import Household, Member, MonitoringSubject, Visit
from households.selectors import household_scope_q, kept_village_scope_q
from organization.models import PolicySettings, User

from ..models import HelpAssignment

# --- visits due (三(八)1) ---------------------------------------------------------------


def _open_helpers_of(household_ref: OuterRef) -> QuerySet:
    return HelpAssignment.objects.filter(household_id=household_ref, ended_on__isnull=True)


def interval_days(today: datetime.date | None = None) -> int:
    return PolicySettings.current(today).help_visit_interval_days


@dataclass(frozen=True)
class DueFilters:
    overdue_only: bool = False
    helper: int | None = None
    village: int | None = None
    town: int | None = None


def _monitored(user: User) -> QuerySet[MonitoringSubject]:
    return MonitoringSubject.objects.filter(
        kept_village_scope_q(user), status=MonitoringSubject.Status.MONITORING
    )


def visits_due(
    *, user: User, filters: DueFilters | None = None, today: datetime.date | None = None
) -> QuerySet[MonitoringSubject]:
    """Monitored subjects in ``user``'s scope (a helper: the households paired with them), each
    annotated with ``last_help_visit`` and ``due_basis``, most overdue first. ``next_due`` and
    ``days_overdue`` are worked out per row by ``due_row`` (no query)."""
    filters = filters or DueFilters()
    today = today or timezone.localdate()
    # The latest visit by a paired helper, for the page: each open pairing keeps its helper's
    # (``HelpAssignment.last_visited_on``), so no subject's visits are read here.
    last_visit = (
        _open_helpers_of(OuterRef("household_id"))
        .order_by()
        .values("household_id")
        .annotate(last=Max("last_visited_on"))
        .values("last")
    )
    qs = _monitored(user).annotate(
        last_help_visit=Subquery(last_visit, output_field=DateField()),
        due_basis=F("help_due_basis"),
    )
    if filters.overdue_only:
        qs = qs.filter(help_due_basis__lt=overdue_before(today))
    if filters.helper:
        qs = qs.filter(
            Exists(_open_helpers_of(OuterRef("household_id")).filter(helper_id=filters.helper))
        )
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.town:
        qs = qs.filter(village__town_id=filters.town)
    return (
        qs.select_related("household__village__town")
        .prefetch_related(
            Prefetch(
                "household__help_assignments",
                queryset=HelpAssignment.objects.filter(ended_on__isnull=True).select_related(
                    "helper"
                ),
                to_attr="open_assignments",
            )
        )
        .order_by("help_due_basis", "id")
    )


def overdue_before(today: datetime.date) -> datetime.date:
    """A help visit is overdue when its basis is before this day: due = basis + N < today."""
    return today - datetime.timedelta(days=interval_days(today))


@dataclass(frozen=True)
class DueRow:
    subject: MonitoringSubject
    next_due: datetime.date
    days_overdue: int  # 0 when not overdue
    helpers: list[User] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def due_row(subject: MonitoringSubject, *, interval: int, today: datetime.date) -> DueRow:
    next_due = subject.due_basis + datetime.timedelta(days=interval)
    assignments = getattr(subject.household, "open_assignments", [])
    return DueRow(
        subject=subject,
        next_due=next_due,
        days_overdue=max((today - next_due).days, 0),
        helpers=[a.helper for a in assignments],
    )


def due_helper_choices(*, user: User) -> QuerySet[User]:
    """The helpers paired with households in ``user``'s scope, for the list's filter."""
    ids = HelpAssignment.objects.filter(
        household_scope_q(user, "household__"), ended_on__isnull=True
    ).values("helper_id")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")


# --- the six must-visits (三(四)1) -------------------------------------------------------

RECENT_DAYS = 90  # a disaster or a family change seen on a visit in the last 90 days
ELDERLY_AGE = 60


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _open_subject_with_risk(code: str) -> Exists:
    return Exists(
        MonitoringSubject.objects.filter(
            household_id=OuterRef("pk"),
            status=MonitoringSubject.Status.MONITORING,
            risk_types__code=code,
        )
    )


def _recent_visit(reason: str, today: datetime.date) -> Exists:
    since = today - datetime.timedelta(days=RECENT_DAYS)
    return Exists(
        Visit.objects.filter(household_id=OuterRef("pk"), reason=reason, visited_on__gte=since)
    )


def _member(**lookups) -> Exists:
    return Exists(Member.objects.filter(household_id=OuterRef("pk"), **lookups))


def _elderly_alone(today: datetime.date) -> Q:
    """A household of one member who is 60 or older today."""
    no_one_else = ~Exists(
        Member.objects.filter(household_id=OuterRef("household_id")).exclude(pk=OuterRef("pk"))
    )
    old = Member.objects.filter(
        household_id=OuterRef("pk"), birth_date__lte=years_before(today, ELDERLY_AGE)
    ).filter(no_one_else)
    return Q(Exists(old))


@dataclass(frozen=True)
class MustVisitRule:
    code: str  # the matching Visit.Reason
    label: str
    rule: str  # what the record shows, for the page
    q: Callable[[datetime.date], Q]


# 三(四)1 "六个必访": one row per kind, each derived from the records (the day is today).
MUST_VISIT_RULES: tuple[MustVisitRule, ...] = (
    # 三(四)1 遭遇重大自然灾害户必访
    MustVisitRule(
        Visit.Reason.DISASTER,
        "遭遇重大自然灾害户",
        "监测中且风险含因灾，或90天内走访事由为自然灾害",
        lambda today: (
            Q(_open_subject_with_risk("disaster")) | Q(_recent_visit(Visit.Reason.DISASTER, today))
        ),
    ),
    # 三(四)1 家庭重大变故户必访
    MustVisitRule(
        Visit.Reason.FAMILY_CHANGE,
        "家庭重大变故户",
        "监测中且风险含因意外事故，或90天内走访事由为家庭重大变故",
        lambda today: (
            Q(_open_subject_with_risk("accident"))
            | Q(_recent_visit(Visit.Reason.FAMILY_CHANGE, today))
        ),
    ),
    # 三(四)1 家庭突发重病户必访
    MustVisitRule(
        Visit.Reason.SUDDEN_ILLNESS,
        "家庭突发重病户",
        "有成员健康状况为患有大病",
        lambda today: Q(_member(health=Member.Health.SERIOUS)),
    ),
    # 三(四)1 独居老人户必访
    MustVisitRule(
        Visit.Reason.ELDERLY_ALONE,
        "独居老人户",
        "一人户且该成员年满60周岁",
        _elderly_alone,
    ),
    # 三(四)1 重度残疾人户必访 (一级、二级为重度残疾)
    MustVisitRule(
        Visit.Reason.SEVERE_DISABILITY,
        "重度残疾人户",
        "有成员残疾等级为一级或二级",
        lambda today: Q(_member(disability_grade__in=["1", "2"])),
    ),
    # 三(四)1 产业发展失败户必访
    MustVisitRule(
        Visit.Reason.INDUSTRY_FAILURE,
        "产业发展失败户",
        "监测中且风险含因产业失败",
        lambda today: Q(_open_subject_with_risk("industry_failure")),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in MUST_VISIT_RULES}


def must_visit_list(
    *,
    user: User,
    kind: str = "",
    village: int | None = None,
    town: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Household]:
    """Households in ``user``'s scope that one of the six kinds applies to, each annotated with a
    flag per kind (``mv_<code>``) and ``last_visited_on`` (any visitor)."""
    today = today or timezone.localdate()
    rules = [RULES_BY_CODE[kind]] if kind else list(MUST_VISIT_RULES)
    flags = {
        f"mv_{rule.code}": ExpressionWrapper(rule.q(today), output_field=BooleanField())
        for rule in MUST_VISIT_RULES
    }
    any_rule = Q()
    for rule in rules:
        any_rule |= rule.q(today)
    last_visit = (
        Visit.objects.filter(household_id=OuterRef("pk"))
        .order_by("-visited_on", "-id")
        .values("visited_on")[:1]
    )
    qs = Household.objects.filter(household_scope_q(user)).filter(any_rule)
    if village:
        qs = qs.filter(village_id=village)
    if town:
        qs = qs.filter(village__town_id=town)
    return (
        qs.annotate(**flags, last_visited_on=Subquery(last_visit, output_field=DateField()))
        .select_related("village__town")
        .order_by("village__code", "head_name", "id")
    )


def must_visit_kinds(household: Household) -> list[MustVisitRule]:
    """The kinds that apply to a row of ``must_visit_list`` (read from its flags, no query)."""
    return [rule for rule in MUST_VISIT_RULES if getattr(household, f"mv_{rule.code}", False)]


def overdue_counts(*, user: User, today: datetime.date, by: str | F) -> QuerySet:
    """Rows of ``{"area": the ``by`` id, "n": subjects whose help visit is overdue}``, one
    query, a range of the ``subject_help_due`` index for the county: the figures of each
    role's page (by town) and of the dashboards (by village)."""
    return (
        _monitored(user)
        .filter(help_due_basis__lt=overdue_before(today))
        .order_by()
        .values(area=F(by) if isinstance(by, str) else by)
        .annotate(n=Count("*"))
    )
