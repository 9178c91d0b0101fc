from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Department, HelpUnit, Role, Town, Village


def navigation(request: HttpRequest) -> dict:
    """The header's unread-notification count and the user's area, one query each per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count(),
        "scope_label": SimpleLazyObject(lambda: _scope_label(user)),
    }


def _scope_label(user) -> str:
    """Same text as ``User.scope_label`` in one query; that property loads every relation."""
    match user.role:
        case Role.COUNTY_BUREAU:
            return "濉溪县"
        case Role.VILLAGE_MONITOR if user.village_id:
            names = Village.objects.filter(pk=user.village_id).values_list("town__name", "name")
            return "".join(next(iter(names), ("", "")))
        case Role.TOWN_OFFICIAL if user.town_id:
            return Town.objects.filter(pk=user.town_id).values_list("name", flat=True).first() or ""
        case Role.DEPARTMENT_STAFF if user.department_id:
            qs = Department.objects.filter(pk=user.department_id)
            return qs.values_list("name", flat=True).first() or ""
        case Role.HELPER:
            if user.help_unit_id:
                qs = HelpUnit.objects.filter(pk=user.help_unit_id)
                return qs.values_list("name", flat=True).first() or "帮扶户"
            return "帮扶户"
    return ""
