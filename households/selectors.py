"""Scoped reads of the registry: every list and lookup takes the user.

``household_scope_q`` is the one place that says which households a user may
see; every model below a household reuses it through a prefix, and pages,
API, exports and admin all read through these selectors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull

from organization.models import Role, User, Village, VillagerGroup
from suixi_monitor.history import ACTIONS, Change, display, versions
from suixi_monitor.scopes import ScopeRules
from suixi_monitor.spreadsheets import normalize_name

from . import id_numbers
from .models import (
    CURRENT_STATUSES,
    Household,
    IncomeRecord,
    LowIncomeStatus,
    Member,
    MonitoringSubject,
    RiskType,
    Visit,
)


def household_scope_q(user: User, prefix: str = "") -> Q:
    """Which households ``user`` may see: each level its own area, as 二 assigns the work (the
    county all, a town its villages, a monitor the village, a helper the households in charge).
    ``prefix`` reaches them from a related model."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    match user.role:
        case Role.COUNTY_BUREAU:
            return Q()
        case Role.TOWN_OFFICIAL:
            return Q(**{f"{prefix}village__town_id": user.town_id})
        case Role.VILLAGE_MONITOR:
            return Q(**{f"{prefix}village_id": user.village_id})
        case Role.HELPER:
            return HELPER_HOUSEHOLDS.q(user, prefix)
    # Department staff see only their own uploads and what became of their rows.
    return Q(pk__in=[])


def kept_village_scope_q(user: User) -> Q:
    """``household_scope_q`` for rows that keep their household's village (``village``, always
    the household's): the one scope of monitoring subjects and of identification cases, read
    from that copy so that a town's or a village's lists and counts need not join the
    households; a helper's pairings are by household."""
    if user.is_authenticated and user.role in {Role.TOWN_OFFICIAL, Role.VILLAGE_MONITOR}:
        return household_scope_q(user)
    return household_scope_q(user, "household__")


# --- scope a higher app supplies ------------------------------------------------------

# A helper (帮扶人, 三(八)1) sees the households they are paired with. The pairing lives in
# an app above this one (``assistance``), which registers a rule answering the household
# ids (``register_helper_households(rule)`` from its ``AppConfig.ready()``), so this app
# never names its tables. With no rule a helper sees nothing.
HELPER_HOUSEHOLDS = ScopeRules("pk__in")
register_helper_households = HELPER_HOUSEHOLDS.register


def helper_villages(user: User) -> QuerySet:
    """The villages of a helper's households: this app's rule for the organisation's scope."""
    return Household.objects.filter(HELPER_HOUSEHOLDS.q(user)).values("village_id")


def can_edit_registry(user: User, household: Household | None = None) -> bool:
    """Monitors, town officials and the bureau keep the registry; helpers only record visits."""
    if user.role not in {Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU}:
        return False
    return (
        household is None
        or Household.objects.filter(household_scope_q(user), pk=household.pk).exists()
    )


def can_record_visit(user: User, household: Household) -> bool:
    if user.role == Role.DEPARTMENT_STAFF:
        return False
    return Household.objects.filter(household_scope_q(user), pk=household.pk).exists()


@dataclass(frozen=True)
class HouseholdFilters:
    q: str = ""
    town: int | None = None
    village: int | None = None
    status_2020: str = ""
    below_line: bool | None = None
    monitored: bool | None = None


def _search_q(term: str) -> Q:
    """An ID number (whole or the first digits) searches members; anything else searches names."""
    compact = term.replace(" ", "").upper()
    if len(compact) >= 6 and compact[:-1].isdigit():
        try:
            return Q(members__id_number=id_numbers.normalize_id_number(compact))
        except ValidationError:
            return Q(members__id_number__startswith=compact)
    return Q(head_name__contains=term) | Q(members__name__contains=term)


def household_list(*, user: User, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    """Households in ``user``'s scope, annotated for lists: size and whether monitored."""
    filters = filters or HouseholdFilters()
    qs = Household.objects.filter(household_scope_q(user))
    if filters.q.strip():
        qs = qs.filter(pk__in=matching_households(filters.q))
    if filters.town:
        qs = qs.filter(village__town_id=filters.town)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.status_2020:
        qs = qs.filter(status_2020=filters.status_2020)
    if filters.below_line is not None:
        qs = qs.filter(below_income_line=filters.below_line)
    if filters.monitored is not None:
        # A semi-join for the filter; the per-row annotation below only serves the page shown.
        monitored = Exists(_open_subjects())
        qs = qs.filter(monitored if filters.monitored else ~monitored)
    qs = with_list_annotations(qs)
    return qs.select_related("village__town", "group")


def with_list_annotations(qs: QuerySet[Household]) -> QuerySet[Household]:
    size = (
        Member.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        # COUNT(*), not COUNT(id): PostgreSQL can answer it from the household_id index alone.
        .annotate(n=Count("*"))
        .values("n")
    )
    # "(SELECT id ... LIMIT 1) IS NOT NULL" rather than EXISTS: PostgreSQL may turn an EXISTS
    # in the select list into a hash of every open subject in the county (19,000 rows at
    # 300,000 households) before returning one page of 50; this form stays one index probe
    # per row shown (the partial unique index on open subjects).
    open_subject = _open_subjects().order_by().values("pk")[:1]
    return qs.annotate(
        size=Coalesce(Subquery(size, output_field=IntegerField()), 0),
        is_monitored=IsNull(Subquery(open_subject), False),
    )


def with_current_statuses(qs: QuerySet[Household]) -> QuerySet[Household]:
    """The open low-income statuses of every household, in one query for the whole list:
    ``Household.identification_scope`` (三(五)3) and the lists read them."""
    return qs.prefetch_related(
        Prefetch(
            "low_income_statuses",
            queryset=LowIncomeStatus.objects.filter(ended_on__isnull=True).order_by(
                "started_on", "pk"
            ),
            to_attr=CURRENT_STATUSES,
        )
    )


def low_income_status_list(*, user: User) -> QuerySet[LowIncomeStatus]:
    """Statuses of the households in ``user``'s scope, current and ended."""
    return LowIncomeStatus.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village__town"
    )


def _open_subjects() -> QuerySet[MonitoringSubject]:
    return MonitoringSubject.objects.filter(
        household=OuterRef("pk"), status=MonitoringSubject.Status.MONITORING
    )


def household_get(*, user: User, pk: Any) -> Household:
    """One household in scope, or ``Household.DoesNotExist`` (pages and API answer 404)."""
    return household_list(user=user).get(pk=pk)


def member_list(*, user: User) -> QuerySet[Member]:
    return Member.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village"
    )


def income_record_list(*, user: User) -> QuerySet[IncomeRecord]:
    return IncomeRecord.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village"
    )


def visit_list(*, user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(household_scope_q(user, "household__")).select_related(
        "household__village", "visitor"
    )


def matching_households(term: str) -> QuerySet:
    """The ids of households matching ``term`` (names or an ID number, see ``_search_q``)."""
    return Household.objects.filter(_search_q(term.strip())).values("pk")


def subject_search_q(term: str) -> Q:
    """Subjects whose household matches ``term``."""
    return Q(household__in=matching_households(term))


def monitoring_subject_list(*, user: User, q: str = "") -> QuerySet[MonitoringSubject]:
    """Subjects in scope; ``q`` finds them by the name of the head or of any member, or by an
    ID number (whole or its first digits), as the household list does."""
    qs = MonitoringSubject.objects.filter(kept_village_scope_q(user))
    if q.strip():
        qs = qs.filter(subject_search_q(q))
    return qs.select_related("household__village__town").prefetch_related("risk_types")


def registry_counts(*, user: User) -> dict[str, int]:
    """Households, members, monitored and below-line counts in ``user``'s scope (four queries)."""
    households = Household.objects.filter(household_scope_q(user))
    counts = households.aggregate(
        households=Count("pk"), below_line=Count("pk", filter=Q(below_income_line=True))
    )
    counts["members"] = member_list(user=user).count()
    counts["monitored"] = (
        MonitoringSubject.objects.filter(kept_village_scope_q(user))
        .filter(status=MonitoringSubject.Status.MONITORING)
        .count()
    )
    return counts


@dataclass(frozen=True)
class HistoryEntry:
    when: Any
    who: User | None
    kind: str
    subject: str
    action: str
    changes: tuple[Change, ...]
    # A change with no earlier version on record (data loaded in bulk): the values
    # after the change are shown, since what they replaced is unknown.
    baseline: bool = False


# The household's own history and that of every record hanging off it.
_HISTORY_SOURCES = (
    (Household, "id"),
    (Member, "household_id"),
    (IncomeRecord, "household_id"),
    (Visit, "household_id"),
    (MonitoringSubject, "household_id"),
    (LowIncomeStatus, "household_id"),
)


def household_history(
    *, household: Household, show_full_id_numbers: bool = False, limit: int = 300
) -> list[HistoryEntry]:
    """Who changed what and when for one household and its members, income, visits and
    monitoring, newest first. Each change is diffed against the same
    object's previous version, in memory, so the cost is a few queries whatever the length."""
    raw: list[tuple[Any, int, Any, list]] = []
    for order, (model, key) in enumerate(_HISTORY_SOURCES):
        for record, before in versions(model.history.filter(**{key: household.pk})):
            raw.append((record, order, before, model))
    names = _reference_names(raw, {"village": Village, "group": VillagerGroup, "visitor": User})
    subject_versions = [r.history_id for r, _, _, model in raw if model is MonitoringSubject]
    if subject_versions:
        names.update(
            {("risk", pk): name for pk, name in RiskType.objects.values_list("pk", "name")}
        )
        # simple-history keeps the risk types of every version; read them all in one query.
        through = MonitoringSubject.history.model._meta.get_field(
            "historicalmonitoringsubject_risk_types"
        ).related_model
        pairs = through.objects.filter(history_id__in=subject_versions)
        for version, risk in pairs.values_list("history_id", "risktype_id"):
            names.setdefault(("risks", version), []).append(risk)
    entries = [
        HistoryEntry(
            when=record.history_date,
            who=record.history_user,
            kind=model._meta.verbose_name,
            subject=_history_subject(record, model),
            action=ACTIONS.get(record.history_type, record.history_type),
            changes=tuple(_history_changes(record, before, model, names, show_full_id_numbers)),
            baseline=before is None and record.history_type == "~",
        )
        for record, order, before, model in raw
    ]
    order_of = {id(entry): index for index, entry in enumerate(entries)}
    entries.sort(key=lambda e: (e.when, order_of[id(e)]), reverse=True)
    return entries[:limit]


def _reference_names(raw: list, models: dict) -> dict[tuple[str, Any], str]:
    """Names of the villages, groups and visitors the history mentions, one query per kind."""
    wanted: dict[str, set] = {name: set() for name in models}
    for record, _, _, _ in raw:
        for name in models:
            value = getattr(record, f"{name}_id", None)
            if value is not None:
                wanted[name].add(value)
    names = {}
    for name, model in models.items():
        for obj in model.objects.filter(pk__in=wanted[name]):
            names[(name, obj.pk)] = str(obj)
    return names


def _history_subject(record: Any, model: type) -> str:
    if model is Household:
        return f"{record.head_name}户"
    if model is Member:
        return record.name
    if model is IncomeRecord:
        return f"{record.year}年度"
    if model is Visit:
        return f"{record.visited_on:%Y-%m-%d} 走访"
    if model is LowIncomeStatus:
        return dict(LowIncomeStatus.Kind.choices).get(record.kind, record.kind)
    return dict(MonitoringSubject.Category.choices).get(record.category, record.category)


def _history_changes(record, before, model, names, show_full_id_numbers: bool) -> list[Change]:
    if record.history_type == "-":
        return []
    m2m = {"risk_types"} if model is MonitoringSubject else set()
    excluded = {"id", "household", *m2m}
    if before is None:
        fields = [
            f
            for f in record.instance_type._meta.concrete_fields
            if f.editable and f.name not in excluded
        ]
        changes = [
            (field.name, None, getattr(record, field.attname))
            for field in fields
            if getattr(record, field.attname) not in (None, "")
        ]
    else:
        delta = record.diff_against(before, excluded_fields=excluded)
        changes = [(c.field, c.old, c.new) for c in delta.changes]
    result = [
        Change(
            label=str(model._meta.get_field(name).verbose_name),
            old=_history_value(model, name, old, names, show_full_id_numbers),
            new=_history_value(model, name, new, names, show_full_id_numbers),
        )
        for name, old, new in changes
    ]
    if m2m:
        now = _risk_names(record, names)
        then = _risk_names(before, names) if before is not None else ""
        if now != then:
            result.append(Change(label="风险类型", old=then or "—", new=now or "—"))
    return result


def _risk_names(record, names) -> str:
    ids = sorted(names.get(("risks", record.history_id), []))
    return "、".join(names.get(("risk", pk), str(pk)) for pk in ids)


def _history_value(model, name: str, value: Any, names, show_full_id_numbers: bool) -> str:
    field = model._meta.get_field(name)
    if value and name == "id_number" and not show_full_id_numbers:
        return id_numbers.mask(value)
    if value is not None and field.is_relation:
        return names.get((name, value), f"#{value}")
    return display(field, value)


OWNER_LOOKUPS = 500


def excel_truncated(*, people: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """For each (ID number, name) from a file whose ID ends in 000 and is not in the registry:
    why the row is refused. Excel keeps 15 significant digits, so an 18-digit number stored
    as a number comes back as its first 15 followed by 000, and about one in eleven of those
    still passes the checksum: it would become a person who does not exist while the real
    member went unwarned. A registered member with the same first 15 digits and the same
    name is named as the likely owner of the row; twins cut to one number are told apart by
    their names."""
    suspects = {(id_number, name) for id_number, name in people if id_number.endswith("000")}
    if not suspects:
        return {}
    numbers = sorted({id_number for id_number, _ in suspects})
    registered = {
        number
        for start in range(0, len(numbers), 500)  # SQLite binds at most 32,766 parameters
        for number in Member.objects.filter(id_number__in=numbers[start : start + 500]).values_list(
            "id_number", flat=True
        )
    }
    prefixes = sorted({number[:15] for number in numbers if number not in registered})
    owners: dict[tuple[str, str], str] = {}
    # One index range per cut number: OR-ing many ranges in one statement made SQLite scan
    # the whole registry (1.6 s at a million members). A real file has a handful of cut
    # numbers; past OWNER_LOOKUPS the rows are still refused, without naming a likely owner.
    for prefix in prefixes[:OWNER_LOOKUPS]:
        in_range = Member.objects.filter(id_number__gte=prefix, id_number__lt=prefix + "Y")
        for id_number, name in in_range.values_list("id_number", "name"):
            owners[(prefix, normalize_name(name))] = id_number
    refusals = {}
    for id_number, name in suspects:
        if id_number in registered:
            continue
        owner = owners.get((id_number[:15], normalize_name(name)))
        refusals[(id_number, name)] = id_numbers.MSG_TRUNCATED + (
            f"；台账中有同名且前15位相同的{id_numbers.mask(owner)}，本行可能属于此人"
            if owner
            else ""
        )
    return refusals
