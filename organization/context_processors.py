from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def navigation(request: HttpRequest) -> dict:
    """The header's unread-notification count and the user's area, one query each per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count(),
        "scope_label": SimpleLazyObject(lambda: user.scope_label),
    }
