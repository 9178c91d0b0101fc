"""Scoped reads of the organisation: every list and lookup takes the user.

Towns, villages and groups are reference data, but a user still sees only the
part of the county their role covers, so a village monitor's pick-lists and
API answers never name another town's villages.
"""

from django.db.models import Q, QuerySet

from suixi_monitor.scopes import ScopeRules

from .models import (
    Department,
    DepartmentContact,
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
