"""Scoped reads of the organisation: every list and lookup takes the user.

Towns, villages and groups are reference data, but a user still sees only the
part of the county their role covers, so a village monitor's pick-lists and
API answers never name another town's villages.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Concat
from django.utils import timezone

from suixi_monitor.history import display, field_changes, versions
from suixi_monitor.scopes import ScopeRules

from .models import (
    AuditEntry,
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

# --- scope a higher app supplies ------------------------------------------------------

# A helper (帮扶人, 三(八)1) covers the villages of the households they are paired with,
# which apps above this one record: the app that knows registers a rule answering the
# village ids (``register_helper_villages(rule)`` from its ``AppConfig.ready()``), so this
# app never names another app's tables. With no rule a helper covers no village.
HELPER_VILLAGES = ScopeRules("id__in")
register_helper_villages = HELPER_VILLAGES.register


def village_scope_q(user: User, prefix: str = "") -> Q:
    """The one rule for "which villages does this user cover", reused by every model below a village."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    match user.role:
        case Role.COUNTY_BUREAU | Role.DEPARTMENT_STAFF:
            return Q()
        case Role.TOWN_OFFICIAL:
            return Q(**{f"{prefix}town_id": user.town_id})
        case Role.VILLAGE_MONITOR:
            return Q(**{f"{prefix}id": user.village_id})
        case Role.HELPER:
            return HELPER_VILLAGES.q(user, prefix)
    return Q(pk__in=[])


def town_list(*, user: User) -> QuerySet[Town]:
    # An anonymous user has no role; village_list then answers nothing for them.
    if getattr(user, "role", None) in {Role.COUNTY_BUREAU, Role.DEPARTMENT_STAFF}:
        return Town.objects.all()
    return Town.objects.filter(pk__in=village_list(user=user).values("town_id"))


def village_list(*, user: User) -> QuerySet[Village]:
    return Village.objects.filter(village_scope_q(user)).select_related("town").distinct()


def group_list(*, user: User) -> QuerySet[VillagerGroup]:
    return VillagerGroup.objects.filter(village__in=village_list(user=user)).select_related(
        "village"
    )


def department_list(*, user: User) -> QuerySet[Department]:
    """The sixteen departments are a public directory for every signed-in user."""
    if not user.is_authenticated:
        return Department.objects.none()
    return Department.objects.all()


def department_contacts(*, user: User) -> QuerySet[DepartmentContact]:
    """The people to call at each department: a directory for every signed-in user."""
    if not user.is_authenticated:
        return DepartmentContact.objects.none()
    return DepartmentContact.objects.select_related("department")


def department_directory(*, user: User) -> list[Department]:
    """Each department with its contacts in order (``department.people``), two queries."""
    departments = list(department_list(user=user))
    people: dict[int, list[DepartmentContact]] = {d.pk: [] for d in departments}
    for contact in department_contacts(user=user).order_by("department_id", "order", "id"):
        people.setdefault(contact.department_id, []).append(contact)
    for department in departments:
        department.people = people.get(department.pk, [])
    return departments


def policy_list(*, user: User) -> QuerySet[PolicySettings]:
    if not user.is_authenticated:
        return PolicySettings.objects.none()
    return PolicySettings.objects.all()


def user_list(*, user: User) -> QuerySet[User]:
    """Colleagues a user may pick (e.g. for a home-check team): the same scope, or all for the bureau."""
    qs = User.objects.filter(is_active=True).select_related("village", "town", "department")
    match user.role:
        case Role.COUNTY_BUREAU:
            return qs
        case Role.TOWN_OFFICIAL:
            return qs.filter(Q(town_id=user.town_id) | Q(village__town_id=user.town_id))
        case Role.VILLAGE_MONITOR:
            return qs.filter(Q(village_id=user.village_id) | Q(pk=user.pk))
        case _:
            return qs.filter(pk=user.pk)


def help_unit_list(*, user: User) -> QuerySet[HelpUnit]:
    """帮扶单位 (三(八)1) are county-wide: every signed-in user may read the list."""
    if not user.is_authenticated:
        return HelpUnit.objects.none()
    return HelpUnit.objects.all()


# --- accounts ------------------------------------------------------------------------------

# 二、三(三): a town (园区) keeps the accounts of its own village monitors and helpers.
TOWN_MANAGED_ROLES = (Role.VILLAGE_MONITOR, Role.HELPER)


def can_manage_accounts(user: User) -> bool:
    """Whether the user keeps anyone's account: the county bureau, and a town official."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.role == Role.COUNTY_BUREAU or (
        user.role == Role.TOWN_OFFICIAL and user.town_id is not None
    )


def outranks(target: User, editor: User) -> bool:
    """Whether ``target`` holds administrator rights ``editor`` lacks: resetting that account's
    password would hand them over, so only an administrator as strong may change it."""
    return (target.is_superuser and not editor.is_superuser) or (
        target.is_staff and not (editor.is_staff or editor.is_superuser)
    )


def account_actions(*, user: User, target: User) -> dict[str, bool]:
    """What ``user`` may do to an account ``managed_user_list`` gave them, for the buttons
    of its page; the services decide again."""
    changeable = not outranks(target, user)
    own = target.pk == user.pk
    return {
        "edit": changeable,
        "edit_scope": changeable and not own,
        "deactivate": changeable and not own and target.is_active,
        "reactivate": changeable and not own and not target.is_active,
        "reset_password": changeable and not own,
    }


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: str = ""
    town: int | None = None
    active: bool | None = None


def managed_user_list(*, user: User, filters: UserFilters | None = None) -> QuerySet[User]:
    """The one rule for "whose accounts does this user manage", inactive accounts included.

    The county bureau manages every account; a town official the village monitors and
    helpers of their town (the helper's own town, or their village's), and may open their
    own account; everyone else manages none. What an editor may change of their own account
    (never role, scope or active flag) is the services' rule.
    """
    qs = User.objects.select_related("village__town", "town", "department", "help_unit")
    if not can_manage_accounts(user):
        return qs.none()
    if user.role == Role.TOWN_OFFICIAL:
        in_town = Q(town_id=user.town_id) | Q(village__town_id=user.town_id)
        qs = qs.filter((Q(role__in=TOWN_MANAGED_ROLES) & in_town) | Q(pk=user.pk))
    if filters is not None:
        qs = filter_users(qs, filters)
    return qs


def filter_users(qs: QuerySet[User], filters: UserFilters) -> QuerySet[User]:
    if term := filters.q.strip():
        qs = qs.alias(full_name=Concat("last_name", "first_name")).filter(
            Q(username__icontains=term) | Q(full_name__icontains=term) | Q(phone__contains=term)
        )
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.town is not None:
        qs = qs.filter(Q(town_id=filters.town) | Q(village__town_id=filters.town))
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs


@dataclass(frozen=True)
class AccountChoices:
    """What an editor may give an account: the roles and the places of their own scope."""

    roles: tuple[str, ...]
    towns: QuerySet[Town]
    villages: QuerySet[Village]
    departments: QuerySet[Department]
    help_units: QuerySet[HelpUnit]
    # A town official's accounts all belong to their town: the town is not theirs to choose.
    fixed_town_id: int | None = None


def account_choices(*, user: User) -> AccountChoices:
    """The roles, towns, villages, departments and help units ``user`` may assign (二).

    The county bureau assigns any; a town official only the village monitor and helper
    roles, their own town and its villages, and any help unit (the county's units send
    helpers to every town); everyone else nothing. Pages, API and services read this.
    """
    villages = Village.objects.select_related("town")
    if can_manage_accounts(user) and user.role == Role.COUNTY_BUREAU:
        return AccountChoices(
            roles=tuple(Role.values),
            towns=Town.objects.all(),
            villages=villages,
            departments=Department.objects.all(),
            help_units=HelpUnit.objects.all(),
        )
    if can_manage_accounts(user):
        return AccountChoices(
            roles=tuple(TOWN_MANAGED_ROLES),
            towns=Town.objects.filter(pk=user.town_id),
            villages=villages.filter(town_id=user.town_id),
            departments=Department.objects.none(),
            help_units=HelpUnit.objects.all(),
            fixed_town_id=user.town_id,
        )
    return AccountChoices(
        roles=(),
        towns=Town.objects.none(),
        villages=villages.none(),
        departments=Department.objects.none(),
        help_units=HelpUnit.objects.none(),
    )


# The fields an account page lists in its history; the password is never kept (models.User).
HISTORY_FIELDS = (
    "username",
    "last_name",
    "first_name",
    "phone",
    "email",
    "role",
    "town",
    "village",
    "department",
    "help_unit",
    "is_active",
)
HISTORY_LABELS = {"last_name": "姓", "first_name": "名", "email": "电子邮箱", "is_active": "状态"}
_PLACE_FIELDS = ("town", "village", "department", "help_unit")


def user_history(*, user: User) -> list[dict]:
    """Each saved version of an account, newest first, with what changed from the one
    before: who changed its role or scope, when, and why (the change reason). A bounded
    number of queries: the versions, then the names of the places they mention."""
    pairs = list(versions(user.history.all()))
    names = _history_place_names([record for record, _ in pairs])
    fields = [User._meta.get_field(name) for name in HISTORY_FIELDS]

    def show(field, value) -> str:
        if field.name == "is_active":
            return "在用" if value else "已停用"
        if field.name in _PLACE_FIELDS and value is not None:
            return names[field.name].get(value, f"（已删除 #{value}）")
        return display(field, value)

    rows = [
        {
            "when": record.history_date,
            "who": record.history_user,
            "reason": record.history_change_reason or "",
            # A first version that is a change (an account loaded in bulk) is a baseline.
            "created": before is None and record.history_type == "+",
            "baseline": before is None and record.history_type != "+",
            "changes": field_changes(record, before, fields, labels=HISTORY_LABELS, show=show),
        }
        for record, before in pairs
    ]
    return rows[::-1]


def _history_place_names(records: list) -> dict[str, dict[int, str]]:
    ids: dict[str, set[int]] = {name: set() for name in _PLACE_FIELDS}
    for record in records:
        for name in _PLACE_FIELDS:
            if (pk := getattr(record, f"{name}_id")) is not None:
                ids[name].add(pk)
    names: dict[str, dict[int, str]] = {name: {} for name in _PLACE_FIELDS}
    if ids["town"]:
        names["town"] = dict(Town.objects.filter(pk__in=ids["town"]).values_list("pk", "name"))
    if ids["village"]:
        rows = Village.objects.filter(pk__in=ids["village"]).values_list("pk", "town__name", "name")
        names["village"] = {pk: f"{town}{name}" for pk, town, name in rows}
    if ids["department"]:
        names["department"] = dict(
            Department.objects.filter(pk__in=ids["department"]).values_list("pk", "name")
        )
    if ids["help_unit"]:
        names["help_unit"] = dict(
            HelpUnit.objects.filter(pk__in=ids["help_unit"]).values_list("pk", "name")
        )
    return names


# --- the audit log of personal data ------------------------------------------------------


def may_review_audit_log(user: User) -> bool:
    """The county bureau reviews who saw personal data (and superusers, in the admin)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.role == Role.COUNTY_BUREAU or user.is_superuser)
    )


@dataclass(frozen=True)
class AuditFilters:
    user: int | None = None
    who: str = ""  # a username or name, typed on the page
    kind: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_entries(*, user: User, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """Entries newest first, for those who may review them; nobody else gets any."""
    if not may_review_audit_log(user):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.select_related("user")
    filters = filters or AuditFilters()
    if filters.user is not None:
        qs = qs.filter(user_id=filters.user)
    if term := filters.who.strip():
        qs = qs.alias(full_name=Concat("user__last_name", "user__first_name")).filter(
            Q(user__username__iexact=term) | Q(full_name__contains=term)
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    return qs


def _day_start(day: datetime.date) -> datetime.datetime:
    # A day of the county's clock (Asia/Shanghai), as the page shows the times.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
